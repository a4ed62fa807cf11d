//! Reading a log's rows and counting them: this thread reads and parses rows into batches;
//! another keeps the actors' state (a hash table and records far larger than a cache, so its
//! time goes to memory accesses).
//!
//! Invariants: a row that matches no step reaches only an actor already counted (for where
//! it went next; in strict order it also breaks chains, and every actor counts); a row
//! without a readable time is in no count and is reported (the first few one by one); a row
//! without an actor is nobody's; the rows of a batch reach the state in file order.

use std::hash::BuildHasher;
use std::sync::mpsc::{Receiver, SyncSender};

use crate::model::StepOrder;

use super::actors::Interner;
use super::model::{DETAILED, Kind, MAX_NAMES, MAX_SEGMENTS, Problem};
use super::paths::OTHER_NAME;
use super::plan::{Name, Names, Plan, Source};
use super::rows::{Row, next_csv, next_json};
use super::state::State;
use super::time::{Epoch, time};

/// Rows handed from the reading thread to the counting one at a time.
const BATCH: usize = 4096;

/// Rows of a log, parsed: the actor keys one after another, and per row where its key ends,
/// the key's hash, the time, the steps matched, the row's hash and its line.
#[derive(Default)]
struct Batch {
    keys: Vec<u8>,
    events: Vec<Parsed>,
    /// Segment values first seen in this batch, numbered on from the ones before.
    segments: Vec<Box<[u8]>>,
    /// Event names first seen in this batch, numbered on from the ones before.
    names: Vec<Box<[u8]>>,
    /// The property values of rows of the first stage, one per property each (`properties:`).
    props: Vec<u32>,
    /// Property values first seen in this batch (property, value).
    prop_names: Vec<(u32, Box<[u8]>)>,
}

struct Parsed {
    key_end: usize,
    key_hash: u64,
    t: i64,
    mask: u64,
    /// The event name's number.
    name: u32,
    hash: u64,
    line: u64,
    /// The row's segment (rows that match the first stage, with `segment_by:`), or NO_SEGMENT.
    segment: u32,
    /// Where the row's property values start in `Batch::props` (rows of the first stage,
    /// with `properties:`), or NO_SEGMENT.
    props: u32,
}

/// A row without a segment.
const NO_SEGMENT: u32 = u32::MAX;

impl Batch {
    fn push(
        &mut self,
        key: &[u8],
        key_hash: u64,
        t: i64,
        (mask, name): (u64, u32),
        hash: u64,
        line: u64,
    ) {
        self.keys.extend_from_slice(key);
        self.events.push(Parsed {
            key_end: self.keys.len(),
            key_hash,
            t,
            mask,
            name,
            hash,
            line,
            segment: NO_SEGMENT,
            props: NO_SEGMENT,
        });
    }
}

/// What reading and counting a log gave.
pub(super) struct Counted {
    pub(super) state: State,
    pub(super) unsorted: Unsorted,
    pub(super) segment_names: Vec<Box<[u8]>>,
    /// Per property, per value, the actors who reached each stage.
    pub(super) properties: super::props::Tally,
    /// Rows whose time could not be read, the first few.
    pub(super) problems: Vec<Problem>,
    pub(super) time_errors: u64,
    pub(super) rows: u64,
    /// The earliest and latest time counted.
    pub(super) lo: i64,
    pub(super) hi: i64,
    pub(super) matched_per_step: Vec<u64>,
    pub(super) too_many_segments: bool,
}

/// Read every row of the plan's file and count it.
pub(super) fn count(plan: &mut Plan) -> Result<Counted, Vec<Problem>> {
    let hasher = foldhash::fast::RandomState::default();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(8);
    let n = plan.rules.len();
    let mut reading = Reading {
        batch: Batch::default(),
        hasher: hasher.clone(),
        epoch: plan.epoch,
        last_time: None,
        problems: Vec::new(),
        time_errors: 0,
        rows: 0,
        lo: i64::MAX,
        hi: i64::MIN,
        matched_per_step: vec![0; n],
        too_many_segments: false,
        numbered: 0,
    };
    let keeper = Keeper {
        state: State::new(n, plan.mode, plan.window_us, plan.segment_f.is_some()),
        everyone: plan.mode == StepOrder::Strict,
        index: Interner::with_hasher(hasher),
        unsorted: None,
        names: plan.segments.names.clone(),
        props: super::props::Kept::new(plan.props.fields.len()),
    };
    let file_pos = plan.file_pos;
    let (state, unsorted, segment_names, props) =
        std::thread::scope(|scope| -> Result<_, Vec<Problem>> {
            let worker = scope.spawn(move || keeper.keep(rx));
            let read = reading.read(plan, &tx);
            drop(tx);
            let outcome = worker.join().map_err(|_| {
                vec![Problem {
                    kind: Kind::Binding,
                    line: 0,
                    col: 0,
                    pos: Some(file_pos),
                    message: "the event log's counting stopped unexpectedly".to_owned(),
                }]
            })?;
            read?;
            Ok(outcome)
        })?;
    let properties = props.tally(
        &plan.props.fields,
        n,
        state.firsts().map(|(first, _, _)| first),
    );
    Ok(Counted {
        state,
        unsorted,
        segment_names,
        properties,
        problems: reading.problems,
        time_errors: reading.time_errors,
        rows: reading.rows,
        lo: reading.lo,
        hi: reading.hi,
        matched_per_step: reading.matched_per_step,
        too_many_segments: reading.too_many_segments,
    })
}

/// The first row out of time order: its line, the line of the later row before it, and the
/// actor.
type Unsorted = Option<(u64, u64, String)>;

/// What the counting thread gives back: the state, the first row out of order, the segment
/// names, the actors' property values.
type Kept = (State, Unsorted, Vec<Box<[u8]>>, super::props::Kept);

/// The counting thread: every actor's state, their numbers, and the segment names.
struct Keeper {
    state: State,
    /// Whether a row that matches no step makes an actor (strict order), or reaches only
    /// the actors already counted.
    everyone: bool,
    index: Interner,
    unsorted: Unsorted,
    names: Vec<Box<[u8]>>,
    props: super::props::Kept,
}

impl Keeper {
    fn keep(mut self, rx: Receiver<Batch>) -> Kept {
        let mut whos: Vec<u32> = Vec::with_capacity(BATCH);
        for mut batch in rx {
            self.names.append(&mut batch.segments);
            for name in &batch.names {
                self.state.paths.name(name);
            }
            for (j, value) in batch.prop_names.drain(..) {
                self.props.name(j, value);
            }
            // The batch's actors first, then their records touched, then the rows: the
            // memory accesses of one pass are independent of each other, so they overlap
            // instead of waiting one after another.
            self.actors(&batch, &mut whos);
            self.state.touch(&whos);
            let mut from = 0;
            for (e, &who) in batch.events.iter().zip(&whos) {
                let key = &batch.keys[from..e.key_end];
                from = e.key_end;
                if who == NOBODY {
                    continue;
                }
                let state = &mut self.state;
                match state.event(who, e.t, (e.mask, e.name), e.hash, e.line) {
                    Err(before) if self.unsorted.is_none() => {
                        let actor = String::from_utf8_lossy(key).into_owned();
                        self.unsorted = Some((e.line, before, actor));
                    }
                    Ok(()) => {
                        if e.segment != NO_SEGMENT {
                            state.segment(who, e.segment, &self.names);
                        }
                        if e.props != NO_SEGMENT {
                            let at = e.props as usize;
                            let values = &batch.props[at..at + self.props.width()];
                            self.props.touch(who, values, state.entered(who));
                        }
                    }
                    _ => {}
                }
            }
        }
        self.state.finish();
        (self.state, self.unsorted, self.names, self.props)
    }
}

/// A row of nobody counted: one that matches no step, of an actor not seen at a step.
const NOBODY: u32 = u32::MAX;

impl Keeper {
    /// Each row's actor, numbered (a new actor added), or NOBODY for a row that matches no
    /// step of an actor not counted (outside strict order).
    fn actors(&mut self, batch: &Batch, whos: &mut Vec<u32>) {
        whos.clear();
        let mut from = 0;
        for e in &batch.events {
            let key = &batch.keys[from..e.key_end];
            from = e.key_end;
            let state = &mut self.state;
            whos.push(if e.mask == 0 && !self.everyone {
                self.index.get(key, e.key_hash).unwrap_or(NOBODY)
            } else {
                self.index.get_or_add(key, e.key_hash, || state.add())
            });
        }
    }
}

/// The reading thread's own counts, and the batch it is filling.
struct Reading {
    batch: Batch,
    hasher: foldhash::fast::RandomState,
    epoch: Option<Epoch>,
    /// Logs in time order repeat a time often: the last one read is kept. (None until a time
    /// was read: an empty first cell is no time.)
    last_time: Option<(Vec<u8>, i64)>,
    problems: Vec<Problem>,
    time_errors: u64,
    rows: u64,
    lo: i64,
    hi: i64,
    matched_per_step: Vec<u64>,
    too_many_segments: bool,
    /// Event names numbered so far.
    numbered: u32,
}

impl Reading {
    /// Every row of the file, batched to `tx`; a row the file cannot give ends the reading
    /// with its problem.
    fn read(&mut self, plan: &mut Plan, tx: &SyncSender<Batch>) -> Result<(), Vec<Problem>> {
        let mut rec = csv::ByteRecord::new();
        let mut line_no = 1u64;
        loop {
            let (value, text);
            let (row, line) = match &mut plan.source {
                Source::Csv(r) => match next_csv(r, &mut rec, &mut line_no)? {
                    Some(line) => (Row::Csv(&rec), line),
                    None => break,
                },
                Source::Lines(ls) => match next_json(ls, &mut line_no)? {
                    Some((v, t, line)) => {
                        (value, text) = (v, t);
                        (Row::Json(&value, &text), line)
                    }
                    None => break,
                },
            };
            self.take(plan, &row, line);
            if self.batch.events.len() == BATCH && tx.send(std::mem::take(&mut self.batch)).is_err()
            {
                break;
            }
        }
        if !self.batch.events.is_empty() {
            let _ = tx.send(std::mem::take(&mut self.batch));
        }
        Ok(())
    }

    /// One row: the steps it matches, its time, its actor and segment, into the batch.
    fn take(&mut self, plan: &mut Plan, row: &Row, line: u64) {
        self.rows += 1;
        let (mask, name) = self.mask(plan, row);
        let Some(t) = self.time(plan, row, line) else {
            return;
        };
        let key = row.bytes(&plan.key_f);
        let key = key.trim_ascii();
        if key.is_empty() {
            return; // no actor (or no session): nobody to count
        }
        self.lo = self.lo.min(t);
        self.hi = self.hi.max(t);
        let hash = self.hasher.hash_one(key);
        self.batch
            .push(key, hash, t, (mask, name), row.hash(), line);
        if mask & 1 == 1 {
            self.segment(plan, row);
            if !plan.props.is_empty() {
                let at = self.batch.props.len() as u32;
                let batch = &mut self.batch;
                plan.props
                    .values(row, &mut batch.props, &mut batch.prop_names);
                if let Some(e) = batch.events.last_mut() {
                    e.props = at;
                }
            }
        }
    }

    /// The steps a row matches (its event, then each step's `where:` values), and its event
    /// name's number.
    fn mask(&mut self, plan: &mut Plan, row: &Row) -> (u64, u32) {
        let event = row.bytes(&plan.event_f);
        let mut fresh = (std::mem::take(&mut self.batch.names), self.numbered);
        let (candidates, name) = seen(
            &mut plan.names,
            event.trim_ascii(),
            plan.rules.len(),
            &mut fresh,
        );
        (self.batch.names, self.numbered) = fresh;
        let mut mask = 0u64;
        for k in (0..plan.rules.len()).filter(|k| candidates >> k & 1 == 1) {
            if plan.rules[k].filters.iter().all(|(f, want)| {
                let v = row.get(f);
                want.iter().any(|w| crate::words::same_name(w, v.trim()))
            }) {
                mask |= 1 << k;
                self.matched_per_step[k] += 1;
            }
        }
        (mask, name)
    }

    /// A row's time, or `None` (reported) when it cannot be read.
    fn time(&mut self, plan: &Plan, row: &Row, line: u64) -> Option<i64> {
        let cell = row.bytes(&plan.time_f);
        if let Some((_, t)) = self.last_time.as_ref().filter(|(text, _)| **text == *cell) {
            return Some(*t);
        }
        match time(&String::from_utf8_lossy(&cell), &mut self.epoch) {
            Ok(t) => {
                self.last_time = Some((cell.into_owned(), t));
                Some(t)
            }
            Err(why) => {
                self.time_errors += 1;
                if self.time_errors <= DETAILED as u64 {
                    self.problems.push(Problem {
                        kind: Kind::Time,
                        line,
                        col: plan.time_col,
                        pos: None,
                        message: format!(
                            "time column `{}`: {why}; the row is in no count",
                            plan.time_name
                        ),
                    });
                }
                None
            }
        }
    }

    /// The segment of a row of the first stage, numbered as first seen.
    fn segment(&mut self, plan: &mut Plan, row: &Row) {
        let Some(f) = plan.segment_f.as_ref() else {
            return;
        };
        let value = row.bytes(f);
        let value = match value.trim_ascii() {
            b"" => crate::survey::split::BLANK.as_bytes(),
            v => v,
        };
        let segments = &mut plan.segments;
        let id = match segments.ids.get(value) {
            Some(id) => *id,
            None if segments.listed => NO_SEGMENT,
            None if segments.ids.len() >= MAX_SEGMENTS => {
                self.too_many_segments = true;
                NO_SEGMENT
            }
            None => {
                let id = segments.ids.len() as u32;
                segments.ids.insert(value.into(), id);
                self.batch.segments.push(value.into());
                id
            }
        };
        if let Some(e) = self.batch.events.last_mut() {
            e.segment = id;
        }
    }
}

/// The steps an event name may mean and the name's number (numbered as first seen in the
/// log, the new ones into `fresh`), counting the row; a name no step binds is remembered up
/// to `MAX_NAMES`, for the message about a step that matches nothing and for where actors
/// went (the rest are `OTHER_NAME`).
fn seen(names: &mut Names, event: &[u8], steps: usize, fresh: &mut Fresh) -> (u64, u32) {
    let number = |fresh: &mut Fresh| {
        fresh.0.push(event.into());
        fresh.1 += 1;
        fresh.1 - 1
    };
    let room = names.len() < MAX_NAMES + steps;
    match names.get_mut(event) {
        Some(name) => {
            name.rows += 1;
            if name.id == OTHER_NAME {
                name.id = number(fresh);
            }
            (name.mask, name.id)
        }
        None if room => {
            let id = number(fresh);
            names.insert(
                event.into(),
                Name {
                    rows: 1,
                    mask: 0,
                    id,
                },
            );
            (0, id)
        }
        None => (0, OTHER_NAME),
    }
}

/// The names first seen in the batch being filled, and how many names are numbered.
type Fresh = (Vec<Box<[u8]>>, u32);
