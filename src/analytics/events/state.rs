//! Every actor's funnel state, one record of numbers each, so an event touches one place.
//!
//! Invariants: see [`State`]: the latest-starting chain per stage (sequential), the chain
//! ending at the previous row (strict), the latest time per stage (any); an actor's rows at
//! one instant applied together, exact duplicates once.

use std::collections::HashMap;

use crate::model::StepOrder;

use super::paths::{self, Paths};
use super::time::{NONE, within};

/// Where an actor's record holds what (in `i64`s): the time of its pending rows, the line of
/// one of them, the first pending row's steps, hash and event name, flags, what it did since
/// its furthest stage (`paths.rs`), then `n` chain starts, `n` first arrivals and, in any
/// order, `n` latest times.
const T: usize = 0;
const LINE: usize = T + 1;
const MASK: usize = LINE + 1;
const HASH: usize = MASK + 1;
const NAME: usize = HASH + 1;
const FLAGS: usize = NAME + 1;
const WENT: usize = FLAGS + 1;
const STEPS: usize = WENT + paths::SLOTS;
/// Flags: more pending rows are in `State::spilled`; a row matched the last step.
const SPILLED: i64 = 1;
const SAW_LAST: i64 = 2;

/// Every actor's state, one record of `stride` numbers each, so an event touches one place.
///
/// An actor's rows at one instant are applied together, once a later time (or the end of the
/// log) shows the group is whole, in a fixed order (the lowest step a row matches, then the
/// set it matches, as a number), each exact duplicate once: so neither the order of a file's
/// tied rows nor a repeated row changes a count, and the SQL journeymap writes (`journeymap
/// sql`) gives the same figures.
///
/// The chain starts: `sequential`, the start of the latest-starting chain that reached each
/// step (ClickHouse's `windowFunnel` state; starts only grow, so the latest reach has the
/// latest start); `strict`, the start of the chain ending at the actor's previous row.
pub(super) struct State {
    n: usize,
    stride: usize,
    mode: StepOrder,
    window: i64,
    records: Vec<i64>,
    actors: u32,
    spilled: HashMap<u32, Vec<(u64, u64, u32)>>,
    group: Vec<(u64, u64, u32)>,
    names: Vec<u32>,
    scratch: Vec<i64>,
    pub(super) duplicates: u64,
    /// With segments, the place in a record of the actor's segment.
    segment: Option<usize>,
    /// Where actors went around the stages.
    pub(super) paths: Paths,
}

impl State {
    pub(super) fn new(n: usize, mode: StepOrder, window: i64, segments: bool) -> State {
        let lanes = if mode == StepOrder::Any { 3 } else { 2 };
        let stride = STEPS + lanes * n;
        State {
            n,
            stride: stride + usize::from(segments),
            segment: segments.then_some(stride),
            mode,
            window,
            records: Vec::new(),
            actors: 0,
            spilled: HashMap::new(),
            group: Vec::new(),
            names: Vec::new(),
            scratch: vec![NONE; n],
            duplicates: 0,
            paths: Paths::new(n, window),
        }
    }

    /// A new actor's number.
    pub(super) fn add(&mut self) -> u32 {
        let who = self.actors;
        self.actors += 1;
        self.records.extend(std::iter::repeat_n(NONE, self.stride));
        let at = who as usize * self.stride;
        self.records[at + FLAGS] = 0;
        self.records[at + WENT..at + STEPS].copy_from_slice(&paths::EMPTY);
        who
    }

    fn record(&mut self, who: u32) -> &mut [i64] {
        let at = who as usize * self.stride;
        &mut self.records[at..at + self.stride]
    }

    /// Where actors went around the stages, from every actor's first arrivals and slots.
    pub(super) fn went(&self) -> Vec<crate::analytics::reach::Paths> {
        let n = self.n;
        let actors = self.records.chunks_exact(self.stride).enumerate();
        self.paths.tally(
            actors.map(|(who, r)| (who as u32, &r[STEPS + n..STEPS + 2 * n], &r[WENT..STEPS])),
        )
    }

    /// Each actor's first arrivals, whether a row matched the last step, and its segment.
    pub(super) fn firsts(&self) -> impl Iterator<Item = (&[i64], bool, Option<u32>)> {
        let (n, seg) = (self.n, self.segment);
        self.records.chunks_exact(self.stride).map(move |r| {
            let segment = seg.and_then(|at| u32::try_from(r[at]).ok());
            (
                &r[STEPS + n..STEPS + 2 * n],
                r[FLAGS] & SAW_LAST != 0,
                segment,
            )
        })
    }

    /// Load the start and the end of each actor's record, so that the rows after find them
    /// in the cache: independent loads, which the processor overlaps.
    pub(super) fn touch(&self, whos: &[u32]) {
        let mut sum = 0i64;
        for &who in whos.iter().filter(|w| **w != u32::MAX) {
            let at = who as usize * self.stride;
            sum = sum.wrapping_add(self.records[at]);
            sum = sum.wrapping_add(self.records[at + self.stride - 1]);
        }
        std::hint::black_box(sum);
    }

    /// Whether the actor's first arrival at the first stage is applied (its earliest row
    /// of the first stage is behind).
    pub(super) fn entered(&self, who: u32) -> bool {
        self.records[who as usize * self.stride + STEPS + self.n] != NONE
    }

    /// A row of actor `who` that matched the first step, in segment `segment` (named in
    /// `names`), after `event` took it: the actor's segment is that of its earliest such
    /// row, the smallest as text among rows at that instant.
    pub(super) fn segment(&mut self, who: u32, segment: u32, names: &[Box<[u8]>]) {
        let (Some(at), first) = (self.segment, STEPS + self.n) else {
            return;
        };
        let r = self.record(who);
        if r[at] == NONE {
            r[at] = i64::from(segment);
        } else if r[first] == NONE
            && let Ok(now) = usize::try_from(r[at])
            && names[segment as usize] < names[now]
        {
            // The first step is not applied yet: this row is tied with the earliest one.
            r[at] = i64::from(segment);
        }
    }

    /// A row of actor `who`, with event name `name`. Err: the row is earlier than the
    /// actor's latest, at that line.
    pub(super) fn event(
        &mut self,
        who: u32,
        t: i64,
        (mask, name): (u64, u32),
        hash: u64,
        line: u64,
    ) -> Result<(), u64> {
        let last = mask >> (self.n - 1) & 1 == 1;
        let r = self.record(who);
        if last {
            r[FLAGS] |= SAW_LAST;
        }
        if r[T] == NONE {
            (r[T], r[LINE], r[MASK], r[HASH]) = (t, line as i64, mask as i64, hash as i64);
            r[NAME] = i64::from(name);
            return Ok(());
        }
        if t < r[T] {
            return Err(r[LINE] as u64);
        }
        if t == r[T] {
            if (r[MASK], r[HASH]) == (mask as i64, hash as i64) {
                self.duplicates += 1;
                return Ok(());
            }
            r[FLAGS] |= SPILLED;
            let more = self.spilled.entry(who).or_default();
            if more.iter().any(|m| (m.0, m.1) == (mask, hash)) {
                self.duplicates += 1;
            } else {
                more.push((mask, hash, name));
            }
            return Ok(());
        }
        self.apply(who);
        let r = self.record(who);
        (r[T], r[LINE], r[MASK], r[HASH]) = (t, line as i64, mask as i64, hash as i64);
        r[NAME] = i64::from(name);
        r[FLAGS] &= !SPILLED;
        Ok(())
    }

    /// Apply every actor's last group.
    pub(super) fn finish(&mut self) {
        for who in 0..self.actors {
            if self.record(who)[T] != NONE {
                self.apply(who);
            }
        }
    }

    /// Apply an actor's pending group, in the fixed order, then tell `paths` of it.
    fn apply(&mut self, who: u32) {
        let before = self.furthest(who);
        let r = self.record(who);
        let (t, mask, hash, spilled) = (r[T], r[MASK] as u64, r[HASH] as u64, r[FLAGS] & SPILLED);
        let name = r[NAME] as u32;
        let mut names = std::mem::take(&mut self.names);
        names.clear();
        names.push(name);
        if spilled == 0 {
            self.advance(who, mask, t);
        } else {
            let mut group = std::mem::take(&mut self.group);
            group.clear();
            group.push((mask, hash, name));
            group.extend(self.spilled.remove(&who).unwrap_or_default());
            names.extend(group[1..].iter().map(|g| g.2).filter(|n| *n != name));
            // When every row is one stage, taking them by stage is already the best order; a
            // row that is two stages needs the matching.
            if self.mode == StepOrder::Sequential && group.iter().any(|g| g.0.count_ones() > 1) {
                self.tied(
                    who,
                    t,
                    &super::ties::Instant::new(group.iter().map(|g| g.0)),
                );
            } else {
                group.sort_unstable_by_key(|&(mask, hash, _)| (mask.trailing_zeros(), mask, hash));
                for &(mask, _, _) in &group {
                    self.advance(who, mask, t);
                }
            }
            self.group = group;
        }
        let after = self.furthest(who).map(|(f, _)| f);
        let at = who as usize * self.stride;
        let slots = &mut self.records[at + WENT..at + STEPS];
        self.paths.instant((who, slots), t, before, after, &names);
        self.names = names;
    }

    /// The furthest stage an actor reached, and its first arrival there.
    fn furthest(&self, who: u32) -> Option<(usize, i64)> {
        let at = who as usize * self.stride + STEPS + self.n;
        let first = &self.records[at..at + self.n];
        let f = first.iter().rposition(|&t| t != NONE)?;
        Some((f, first[f]))
    }

    /// Sequential order, several rows of an actor at instant `t`, taken in any order, one
    /// step each (`super::ties`): a chain reaches stage m here from the latest start among
    /// the chains that reached j − 1 before, within the window, for each j from which
    /// stages j..=m can be taken by different rows (j = 0: a chain starts here).
    fn tied(&mut self, who: u32, t: i64, rows: &super::ties::Instant) {
        let (n, w) = (self.n, self.window);
        let at = who as usize * self.stride + STEPS;
        let (start, rest) = self.records[at..at + 2 * n].split_at_mut(n);
        let next = &mut self.scratch;
        for (m, next) in next.iter_mut().enumerate() {
            *next = NONE;
            let Some(lowest) = rows.lowest_start(m) else {
                continue;
            };
            for j in lowest..=m {
                let from = if j == 0 { t } else { start[j - 1] };
                if from != NONE && within(t, from, w) {
                    *next = (*next).max(from);
                }
            }
        }
        for m in 0..n {
            if next[m] != NONE {
                start[m] = start[m].max(next[m]);
                if rest[m] == NONE {
                    rest[m] = t;
                }
            }
        }
    }

    /// One row of an actor, matching the steps in `mask`, at time `t`.
    fn advance(&mut self, who: u32, mask: u64, t: i64) {
        let (n, w, mode) = (self.n, self.window, self.mode);
        let at = who as usize * self.stride + STEPS;
        let (start, rest) = self.records[at..at + self.stride - STEPS].split_at_mut(n);
        let (first, latest) = rest.split_at_mut(n);
        match mode {
            StepOrder::Sequential => {
                // Highest step first: one row is one step of a chain.
                for k in (0..n).rev().filter(|k| mask >> k & 1 == 1) {
                    let reached = if k == 0 {
                        t
                    } else if start[k - 1] != NONE && within(t, start[k - 1], w) {
                        start[k - 1]
                    } else {
                        continue;
                    };
                    start[k] = reached;
                    if first[k] == NONE {
                        first[k] = t;
                    }
                }
            }
            StepOrder::Strict => {
                let next = &mut self.scratch;
                for k in 0..n {
                    next[k] = if mask >> k & 1 == 0 {
                        NONE
                    } else if k == 0 {
                        t
                    } else if start[k - 1] != NONE && within(t, start[k - 1], w) {
                        start[k - 1]
                    } else {
                        NONE
                    };
                    if next[k] != NONE && first[k] == NONE {
                        first[k] = t;
                    }
                }
                start.copy_from_slice(next);
            }
            StepOrder::Any => {
                for (k, at) in latest.iter_mut().enumerate() {
                    if mask >> k & 1 == 1 {
                        *at = t;
                    }
                }
                if mask == 0 {
                    return;
                }
                for k in 0..n {
                    if latest[k] == NONE || !within(t, latest[k], w) {
                        break;
                    }
                    if first[k] == NONE {
                        first[k] = t;
                    }
                }
            }
        }
    }
}
