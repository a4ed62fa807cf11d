//! Where actors went around the stages: for those who dropped off, the event they did next
//! and the events they did within the window; for those who went on, the events they did on
//! the way (the detours). Kept beside the funnel state and fed a whole instant at a time.
//!
//! Invariants: per actor, one slot (the next event after its arrival at its furthest stage,
//! and the first event it did on since) and, only for an actor with more than one event
//! name on the way, a list; an event is "after" an arrival when it is at a later instant
//! (rows at the arrival's instant are not), and "next" is the earliest such instant, the
//! smallest name as text among its rows; each actor counts once per name.

use std::collections::HashMap;

use crate::analytics::reach::Paths as StagePaths;

use super::state::NONE;
use super::time::within;

/// No event: an actor with nothing after its arrival (said `(none)`).
pub(super) const NO_NAME: u32 = u32::MAX;
/// A name beyond the ones remembered (said `(other names)`).
pub(super) const OTHER_NAME: u32 = u32::MAX - 1;

/// What an actor did since its arrival at its furthest stage: the next event (within the
/// window), the first name on the way, and how many of the names on the way were first done
/// within the window.
#[derive(Clone, Copy)]
struct Slot {
    next: u32,
    first: u32,
    within: u32,
}

const EMPTY: Slot = Slot {
    next: NO_NAME,
    first: NO_NAME,
    within: 0,
};

/// Every actor's slot, the longer lists, the event names, and the detours counted so far.
pub(super) struct Paths {
    slots: Vec<Slot>,
    more: HashMap<u32, Vec<u32>>,
    /// Event names by number, as shown (an empty name is `(blank)`).
    pub(super) names: Vec<String>,
    /// Per stage, per name (NO_NAME: none), the actors who reached the stage having done it
    /// since the stage before.
    detours: Vec<HashMap<u32, u64>>,
    window: i64,
}

impl Paths {
    pub(super) fn new(n: usize, window: i64) -> Paths {
        Paths {
            slots: Vec::new(),
            more: HashMap::new(),
            names: Vec::new(),
            detours: vec![HashMap::new(); n],
            window,
        }
    }

    /// A new actor.
    pub(super) fn add(&mut self) {
        self.slots.push(EMPTY);
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
            OTHER_NAME => "(other names)",
            n => self
                .names
                .get(n as usize)
                .map_or("(other names)", String::as_str),
        }
    }

    /// Actor `who`'s rows at instant `t`, named `names`, once the funnel took them: its
    /// furthest stage and the first arrival there before (`None`: no stage yet), and its
    /// furthest stage after.
    pub(super) fn instant(
        &mut self,
        who: u32,
        t: i64,
        before: Option<(usize, i64)>,
        after: Option<usize>,
        names: &[u32],
    ) {
        let Some((f, arrived)) = before else {
            // Straight past the first stage at one instant: no event between.
            for k in 1..=after.unwrap_or(0) {
                *self.detours[k].entry(NO_NAME).or_default() += 1;
            }
            return;
        };
        let slot = &mut self.slots[who as usize];
        if let Some(f2) = after.filter(|&f2| f2 > f) {
            let on_the_way: Vec<u32> = match slot.first {
                NO_NAME => vec![NO_NAME],
                first => std::iter::once(first)
                    .chain(self.more.remove(&who).unwrap_or_default())
                    .collect(),
            };
            *slot = EMPTY;
            for name in on_the_way {
                *self.detours[f + 1].entry(name).or_default() += 1;
            }
            for k in f + 2..=f2 {
                *self.detours[k].entry(NO_NAME).or_default() += 1;
            }
            return;
        }
        let in_window = within(t, arrived, self.window);
        if slot.next == NO_NAME && in_window {
            let names_of = &self.names;
            let shown = |n: u32| match n {
                OTHER_NAME => "(other names)",
                n => names_of.get(n as usize).map_or("", String::as_str),
            };
            slot.next = names
                .iter()
                .copied()
                .min_by(|a, b| shown(*a).cmp(shown(*b)))
                .unwrap_or(NO_NAME);
        }
        for &name in names {
            let added = if slot.first == NO_NAME {
                slot.first = name;
                true
            } else if slot.first == name {
                false
            } else {
                let more = self.more.entry(who).or_default();
                !more.contains(&name) && {
                    more.push(name);
                    true
                }
            };
            if added && in_window {
                slot.within += 1;
            }
        }
    }

    /// Per stage (in step order), where the actors went: `first` gives each actor's first
    /// arrivals, in the order actors were added.
    pub(super) fn tally<'a>(&self, firsts: impl Iterator<Item = &'a [i64]>) -> Vec<StagePaths> {
        let n = self.detours.len();
        let mut next = vec![HashMap::<u32, u64>::new(); n];
        let mut did = vec![HashMap::<u32, u64>::new(); n];
        for (who, first) in firsts.enumerate() {
            let Some(f) = first.iter().rposition(|&t| t != NONE) else {
                continue;
            };
            if f + 1 >= n {
                continue;
            }
            let slot = &self.slots[who];
            *next[f + 1].entry(slot.next).or_default() += 1;
            let on_the_way = std::iter::once(slot.first)
                .chain(self.more.get(&(who as u32)).into_iter().flatten().copied())
                .take(slot.within as usize);
            if slot.within == 0 {
                *did[f + 1].entry(NO_NAME).or_default() += 1;
            }
            for name in on_the_way {
                *did[f + 1].entry(name).or_default() += 1;
            }
        }
        (0..n)
            .map(|k| StagePaths {
                next: self.sorted(&next[k]),
                detours: self.sorted(&self.detours[k]),
                lost_did: self.sorted(&did[k]),
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
