//! Stage cells to stage indexes, once per row: a table by first byte and length, then the
//! map's ids byte for byte, then other spellings resolved once per distinct value.
//!
//! Invariants: a cell resolves to the stage `resolve_stage` gives it, whichever path finds
//! it; values the map lacks are counted, the first hundred by value.

use std::collections::HashMap;

use super::{MAX_UNKNOWN_VALUES, resolve_stage};

/// Stage cells to stage indexes: exact ids first; other spellings (case, the stage's name)
/// are resolved once per distinct value and remembered; values the map lacks are counted
/// per value (the first hundred) and together beyond that.
pub(super) struct StageLookup {
    /// The map's stage ids, compared byte for byte first: a handful, so a scan beats a hash.
    ids: Vec<(Vec<u8>, usize)>,
    /// By the first byte and length of a cell ([`quick_key`]), the one id it can be, or
    /// `None` when several can (or none).
    quick: Box<[Option<u8>; 256]>,
    by_id: HashMap<Vec<u8>, usize, foldhash::fast::FixedState>,
    /// Unknown stage value -> (rows, first CSV line).
    pub(super) unknown: HashMap<Vec<u8>, (u64, u64)>,
    /// Rows with an unknown value past the first hundred values, and the first line.
    pub(super) other: (u64, u64),
}

impl StageLookup {
    pub(super) fn new(stages: &[crate::model::Stage]) -> StageLookup {
        let ids: Vec<(Vec<u8>, usize)> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.value.as_bytes().to_vec(), i))
            .collect();
        let mut quick = Box::new([None; 256]);
        let mut taken = [false; 256];
        for (k, (id, _)) in ids.iter().enumerate() {
            let key = quick_key(id);
            quick[key] = if taken[key] {
                None
            } else {
                u8::try_from(k).ok()
            };
            taken[key] = true;
        }
        StageLookup {
            ids,
            quick,
            by_id: HashMap::default(),
            unknown: HashMap::new(),
            other: (0, 0),
        }
    }

    #[inline]
    pub(super) fn resolve(
        &mut self,
        stages: &[crate::model::Stage],
        cell: &[u8],
        line: u64,
    ) -> Option<usize> {
        if let Some((id, i)) =
            self.quick[quick_key(cell)].and_then(|k| self.ids.get(usize::from(k)))
            && id.as_slice() == cell
        {
            return Some(*i);
        }
        // Length and first byte tell most ids apart before the bytes are compared.
        let first = cell.first();
        if let Some((_, i)) = self
            .ids
            .iter()
            .find(|(id, _)| id.len() == cell.len() && id.first() == first && id.as_slice() == cell)
        {
            return Some(*i);
        }
        if let Some(i) = self.by_id.get(cell) {
            return Some(*i);
        }
        if let Some(i) = resolve_stage(stages, cell) {
            if self.by_id.len() < 10_000 {
                self.by_id.insert(cell.to_vec(), i);
            }
            return Some(i);
        }
        if let Some(e) = self.unknown.get_mut(cell) {
            e.0 += 1;
        } else if self.unknown.len() < MAX_UNKNOWN_VALUES {
            self.unknown.insert(cell.to_vec(), (1, line));
        } else {
            self.other.0 += 1;
            if self.other.1 == 0 {
                self.other.1 = line;
            }
        }
        None
    }
}

/// A cell's slot in [`StageLookup::quick`]: its first byte and its length.
#[inline]
fn quick_key(cell: &[u8]) -> usize {
    usize::from(cell.first().copied().unwrap_or(0) ^ (cell.len() as u8).wrapping_mul(37))
}
