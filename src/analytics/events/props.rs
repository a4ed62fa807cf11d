//! The properties a log's drivers judge (`properties:`): each actor's value of each, first
//! touch, as its segment is, and per stage the actors of each value who reached it.
//!
//! Invariants: an actor has, per property, the value of its earliest row that matched the
//! first stage (among rows at that instant, the smallest as text; an empty cell is
//! `(blank)`); the first [`MAX_SEGMENTS`] values of a property are told apart and the rest
//! counted together as `(other values)`, so the values still add up to every actor.

use std::collections::HashMap;

use super::model::MAX_SEGMENTS;
use super::rows::{Field, Row};
use super::time::NONE;

/// Properties a log may judge.
pub const MAX_PROPERTIES: usize = 8;
/// No value yet.
const NO_VALUE: u32 = u32::MAX;
/// A value beyond the ones told apart.
const OTHER_VALUE: u32 = u32::MAX - 1;

/// Per property, per value, the actors who reached each stage.
pub type Tally = Vec<(String, Vec<(String, Vec<u64>)>)>;

/// The reading side: each property's field and its values, numbered as first seen.
pub(super) struct Reader {
    pub(super) fields: Vec<(String, Field)>,
    ids: Vec<HashMap<Box<[u8]>, u32>>,
}

impl Reader {
    pub(super) fn new(fields: Vec<(String, Field)>) -> Reader {
        let ids = fields.iter().map(|_| HashMap::new()).collect();
        Reader { fields, ids }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// A row's value of each property, numbered, into `out`; values first seen into `fresh`
    /// (property, value).
    pub(super) fn values(
        &mut self,
        row: &Row,
        out: &mut Vec<u32>,
        fresh: &mut Vec<(u32, Box<[u8]>)>,
    ) {
        for (j, (_, f)) in self.fields.iter().enumerate() {
            let cell = row.bytes(f);
            let value: &[u8] = match cell.trim_ascii() {
                b"" => crate::survey::split::BLANK.as_bytes(),
                v => v,
            };
            let ids = &mut self.ids[j];
            let id = match ids.get(value) {
                Some(id) => *id,
                None if ids.len() >= MAX_SEGMENTS => OTHER_VALUE,
                None => {
                    let id = ids.len() as u32;
                    ids.insert(value.into(), id);
                    fresh.push((j as u32, value.into()));
                    id
                }
            };
            out.push(id);
        }
    }
}

/// The counting side: every actor's value of each property, and the values' names.
pub(super) struct Kept {
    m: usize,
    values: Vec<u32>,
    names: Vec<Vec<Box<[u8]>>>,
}

impl Kept {
    pub(super) fn new(m: usize) -> Kept {
        Kept {
            m,
            values: Vec::new(),
            names: vec![Vec::new(); m],
        }
    }

    /// Properties per actor.
    pub(super) fn width(&self) -> usize {
        self.m
    }

    /// A value first seen by the reading side.
    pub(super) fn name(&mut self, property: u32, value: Box<[u8]>) {
        self.names[property as usize].push(value);
    }

    fn text(&self, j: usize, v: u32) -> &[u8] {
        match v {
            OTHER_VALUE => b"(other values)",
            v => self.names[j].get(v as usize).map_or(b"", |n| &n[..]),
        }
    }

    /// A row of actor `who` that matched the first stage, with these values; `entered`:
    /// whether the actor's earliest such instant is already behind (its values are kept).
    pub(super) fn touch(&mut self, who: u32, values: &[u32], entered: bool) {
        let at = who as usize * self.m;
        if self.values.len() < at + self.m {
            self.values.resize(at + self.m, NO_VALUE);
        }
        for (j, &v) in values.iter().enumerate() {
            let now = self.values[at + j];
            if now == NO_VALUE || (!entered && self.text(j, v) < self.text(j, now)) {
                self.values[at + j] = v;
            }
        }
    }

    /// Per property, per value (sorted as text), the actors who reached each stage: `firsts`
    /// gives each actor's first arrivals, in the order actors were added.
    pub(super) fn tally<'a>(
        &self,
        fields: &[(String, Field)],
        n: usize,
        firsts: impl Iterator<Item = &'a [i64]>,
    ) -> Tally {
        let mut counts: Vec<HashMap<u32, Vec<u64>>> = vec![HashMap::new(); self.m];
        for (who, first) in firsts.enumerate() {
            for (j, counts) in counts.iter_mut().enumerate() {
                let Some(&v) = self
                    .values
                    .get(who * self.m + j)
                    .filter(|v| **v != NO_VALUE)
                else {
                    continue;
                };
                let c = counts.entry(v).or_insert_with(|| vec![0; n]);
                for k in (0..n).filter(|&k| first[k] != NONE) {
                    c[k] += 1;
                }
            }
        }
        fields
            .iter()
            .zip(counts)
            .enumerate()
            .map(|(j, ((name, _), counts))| {
                let mut values: Vec<(String, Vec<u64>)> = counts
                    .into_iter()
                    .map(|(v, c)| (String::from_utf8_lossy(self.text(j, v)).into_owned(), c))
                    .collect();
                values.sort_by(|a, b| a.0.cmp(&b.0));
                (name.clone(), values)
            })
            .collect()
    }
}
