//! Where actors went around the stages: for those who dropped off, the event they did next
//! and the events they did within the window; for those who went on, the events they did on
//! the way (the detours). Fed by the funnel state a whole instant at a time.
//!
//! Invariants: per actor, three numbers in its record (the next event after its arrival at
//! its furthest stage, and the names done since, as bits, all and within the window) and,
//! only for names numbered 64 or more, a list; an event is "after" an arrival when it is at
//! a later instant (rows at the arrival's instant are not), and "next" is the earliest such
//! instant, the smallest name as text among its rows; each actor counts once per name; the
//! names beyond the ones a reading remembers are counted together, never one by one.

use std::collections::HashMap;

use crate::analytics::reach::Paths as StagePaths;

use super::time::{NONE, within};

/// No event: an actor with nothing after its arrival (said `(none)`).
pub(super) const NO_NAME: u32 = u32::MAX;
/// A name beyond the ones remembered (said `(other names)`).
pub(super) const OTHER_NAME: u32 = u32::MAX - 1;

/// Where an actor's record keeps what it did since its arrival at its furthest stage (three
/// numbers): the next event (within the window), the names done since as a set of bits (names
/// numbered under 64), and those of them done within the window.
pub(super) const SLOTS: usize = 3;
const NEXT: usize = 0;
const ALL: usize = 1;
const WIN: usize = 2;
/// Names told apart in an actor's bits; the others go to `Paths::more`.
const BITS: u32 = 64;

/// What the slots of a new actor hold.
pub(super) const EMPTY: [i64; SLOTS] = [NO_NAME as i64, 0, 0];

/// The event names, the names numbered 64 or more that actors did on the way (each with
/// whether it was within the window), and the detours counted so far.
pub(super) struct Paths {
    more: HashMap<u32, Vec<(u32, bool)>>,
    /// Event names by number, as shown (an empty name is `(blank)`).
    pub(super) names: Vec<String>,
    /// Per stage: per name by number, the actors who reached the stage having done it since
    /// the stage before; those who did names beyond the ones remembered; those who did
    /// nothing between.
    detours: Vec<(Vec<u64>, u64, u64)>,
    window: i64,
}

impl Paths {
    pub(super) fn new(n: usize, window: i64) -> Paths {
        Paths {
            more: HashMap::new(),
            names: Vec::new(),
            detours: vec![(Vec::new(), 0, 0); n],
            window,
        }
    }

    /// Event names first seen in a batch, numbered on from the ones before.
    pub(super) fn name(&mut self, name: &[u8]) {
        self.names.push(match name {
            b"" => crate::survey::split::BLANK.to_owned(),
            n => String::from_utf8_lossy(n).into_owned(),
        });
    }

    fn text(&self, name: u32) -> &str {
        match name {
            NO_NAME => "(none)",
            n => self
                .names
                .get(n as usize)
                .map_or("(other names)", String::as_str),
        }
    }

    /// Actor `who`'s rows at instant `t`, named `names`, once the funnel took them (`slots`:
    /// the actor's, in its record): its furthest stage and the first arrival there before
    /// (`None`: no stage yet), and its furthest stage after.
    pub(super) fn instant(
        &mut self,
        (who, slots): (u32, &mut [i64]),
        t: i64,
        before: Option<(usize, i64)>,
        after: Option<usize>,
        names: &[u32],
    ) {
        let Some((f, arrived)) = before else {
            // Straight past the first stage at one instant: no event between.
            for k in 1..=after.unwrap_or(0) {
                self.detours[k].2 += 1;
            }
            return;
        };
        if let Some(f2) = after.filter(|&f2| f2 > f) {
            self.came(who, slots, f + 1);
            for k in f + 2..=f2 {
                self.detours[k].2 += 1;
            }
            slots.copy_from_slice(&EMPTY);
            return;
        }
        let in_window = within(t, arrived, self.window);
        if slots[NEXT] == NO_NAME as i64 && in_window {
            let text = |n: u32| {
                self.names
                    .get(n as usize)
                    .map_or("(other names)", String::as_str)
            };
            let next = names.iter().copied().min_by(|a, b| text(*a).cmp(text(*b)));
            slots[NEXT] = i64::from(next.unwrap_or(NO_NAME));
        }
        for &name in names {
            if name < BITS {
                slots[ALL] |= 1 << name;
                if in_window {
                    slots[WIN] |= 1 << name;
                }
            } else {
                let more = self.more.entry(who).or_default();
                match more.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, w)) => *w |= in_window,
                    None => more.push((name, in_window)),
                }
            }
        }
    }

    /// An actor reached stage `k`: each name it did since the stage before is a detour.
    fn came(&mut self, who: u32, slots: &[i64], k: usize) {
        let more = self.more.remove(&who).unwrap_or_default();
        let (counts, other, none) = &mut self.detours[k];
        if slots[ALL] == 0 && more.is_empty() {
            *none += 1;
            return;
        }
        let names = bits(slots[ALL]).chain(more.iter().map(|(n, _)| *n));
        for name in names {
            if name == OTHER_NAME {
                *other += 1;
                continue;
            }
            let at = name as usize;
            if counts.len() <= at {
                counts.resize(at + 1, 0);
            }
            counts[at] += 1;
        }
    }

    /// Per stage (in step order), where the actors went: each actor's first arrivals and
    /// slots, in the order actors were added.
    pub(super) fn tally<'a>(
        &self,
        actors: impl Iterator<Item = (u32, &'a [i64], &'a [i64])>,
    ) -> Vec<StagePaths> {
        let n = self.detours.len();
        let mut next = vec![HashMap::<u32, u64>::new(); n];
        let mut did = vec![HashMap::<u32, u64>::new(); n];
        for (who, first, slots) in actors {
            let Some(f) = first.iter().rposition(|&t| t != NONE) else {
                continue;
            };
            if f + 1 >= n {
                continue;
            }
            *next[f + 1].entry(slots[NEXT] as u32).or_default() += 1;
            let more = self.more.get(&who).into_iter().flatten();
            let mut names = bits(slots[WIN])
                .chain(more.filter(|(_, w)| *w).map(|(n, _)| *n))
                .peekable();
            if names.peek().is_none() {
                *did[f + 1].entry(NO_NAME).or_default() += 1;
            }
            for name in names {
                *did[f + 1].entry(name).or_default() += 1;
            }
        }
        (0..n)
            .map(|k| {
                let (counts, other, none) = &self.detours[k];
                let mut detours: HashMap<u32, u64> = counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(name, c)| (name as u32, *c))
                    .collect();
                for (name, c) in [(OTHER_NAME, *other), (NO_NAME, *none)] {
                    if c > 0 {
                        detours.insert(name, c);
                    }
                }
                StagePaths {
                    next: self.sorted(&next[k]),
                    detours: self.sorted(&detours),
                    lost_did: self.sorted(&did[k]),
                }
            })
            .collect()
    }

    /// Counts by name, the most first, then by name.
    fn sorted(&self, counts: &HashMap<u32, u64>) -> Vec<(String, u64)> {
        let mut out: HashMap<&str, u64> = HashMap::new();
        for (&name, &c) in counts {
            *out.entry(self.text(name)).or_default() += c;
        }
        let mut out: Vec<(String, u64)> = out.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// The names whose bits are set, lowest first.
fn bits(set: i64) -> impl Iterator<Item = u32> {
    let mut set = set as u64;
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let name = set.trailing_zeros();
            set &= set - 1;
            name
        })
    })
}
