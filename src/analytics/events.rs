//! Reach measured from a raw event log (README: "Reach from event logs"): per actor (a user,
//! or a session), the furthest stage reached in order within a conversion window.
//!
//! Invariants: the file is streamed once and only per-actor state is kept (for each stage,
//! the latest-starting chain that reached it: ClickHouse's `windowFunnel` state), so memory
//! grows with actors, not with events. The algorithm is fixed: steps in map order, other
//! events allowed in between, the window measured from the entry event and inclusive, every
//! entry tried and the chain that reaches furthest kept; an actor's rows at one instant are
//! taken in step order and exact duplicates once, so the file's order of tied rows never
//! changes a count (and SQL can compute the same: `crate::sql`). A log whose events are not
//! in time order for some actor is refused with the first such row, since a streaming
//! funnel over it would be wrong.

use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::model::{EventLog, EventPreset, Pos, StepOrder, TimeUnit};
use crate::survey::input::{LineGuard, OverLimit};

/// Steps a log can bind.
pub const MAX_STEPS: usize = 64;
/// Unreadable timestamps reported one by one; the rest are counted.
const DETAILED: usize = 5;
/// Distinct event names remembered, for the message about a step that matches nothing.
const MAX_NAMES: usize = 1000;
/// The conversion window when the binding gives none.
pub const DEFAULT_WINDOW: &str = "7d";

/// A problem, at a line and column of the log (line 0: at the binding in the map).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: Kind,
    pub line: u64,
    pub col: usize,
    /// Where in the map, for problems with the binding itself.
    pub pos: Option<Pos>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Binding,
    /// A read refused by a limit (a line too long).
    Budget,
    Time,
    Unsorted,
    StepUnused,
}

/// One stage's share of the result.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    pub stage: usize,
    /// The events that mean "reached this stage", as the map names them.
    pub events: String,
    pub actors: u64,
    /// Median, over the actors that reached this stage, of the time from their first
    /// arrival at the stage before to their first arrival here (seconds).
    pub median_seconds: Option<f64>,
}

/// One segment's share of the result: per stage (in the order of `steps`), the actors that
/// reached it and the median seconds from the stage before.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentResult {
    pub label: String,
    pub steps: Vec<(u64, Option<f64>)>,
}

/// What a log gives.
#[derive(Debug, Clone, PartialEq)]
pub struct LogResult {
    pub tool: &'static str,
    /// The order rule, in words.
    pub order: &'static str,
    pub unit: &'static str,
    pub window: String,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub steps: Vec<StepResult>,
    /// Actors with the last stage's event who did not reach it along the ordered path.
    pub outside_path: u64,
    /// With `segment_by:`, each segment's actors and medians per stage, in the order shown.
    pub segments: Vec<SegmentResult>,
    pub rows: u64,
    pub duplicates: u64,
}

/// Columns and names a preset gives: actor, event, time, session, time unit.
fn preset(
    p: EventPreset,
) -> (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<TimeUnit>,
    &'static str,
) {
    match p {
        EventPreset::Rees46 => (
            "user_id",
            "event_type",
            "event_time",
            Some("user_session"),
            None,
            "REES46 event log",
        ),
        EventPreset::Ga4 => (
            "user_pseudo_id",
            "event_name",
            "event_timestamp",
            Some("ga_session_id"),
            Some(TimeUnit::Us),
            "GA4 events",
        ),
        EventPreset::Segment => (
            "anonymous_id",
            "event",
            "timestamp",
            None,
            None,
            "Segment tracks",
        ),
        EventPreset::Amplitude => (
            "user_id",
            "event_type",
            "event_time",
            Some("session_id"),
            None,
            "Amplitude events",
        ),
        EventPreset::Mixpanel => (
            "properties.distinct_id",
            "event",
            "properties.time",
            None,
            Some(TimeUnit::S),
            "Mixpanel events",
        ),
        EventPreset::Posthog => (
            "distinct_id",
            "event",
            "timestamp",
            Some("properties.$session_id"),
            None,
            "PostHog events",
        ),
    }
}

/// `7d`, `24h`, `30m`, `90s`, `2w` in microseconds.
pub fn window(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("`{t}` is not a window; write it as 7d, 24h, 30m or 90s"))?;
    let secs = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => {
            return Err(format!(
                "`{t}` is not a window; write it as 7d, 24h, 30m or 90s"
            ));
        }
    };
    if n == 0 {
        return Err("a window of zero lets no one go from one stage to the next; give it a length, such as 7d".to_owned());
    }
    n.checked_mul(secs)
        .and_then(|s| s.checked_mul(1_000_000))
        .ok_or_else(|| format!("`{t}` is too long a window"))
}

/// How epochs are written, once the first one is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Epoch {
    Declared(TimeUnit),
    Seen(TimeUnit),
}

fn unit_word(u: TimeUnit) -> &'static str {
    match u {
        TimeUnit::S => "seconds",
        TimeUnit::Ms => "milliseconds",
        TimeUnit::Us => "microseconds",
    }
}

/// A timestamp in microseconds since the epoch, UTC: RFC 3339, `YYYY-MM-DD HH:MM:SS[.f][ UTC]`
/// (a time without a zone is UTC), or an epoch number in the declared (or first seen) unit.
fn time(cell: &str, epoch: &mut Option<Epoch>) -> Result<i64, String> {
    let t = cell.trim();
    if t.is_empty() {
        return Err("the time is empty".to_owned());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t
            .parse()
            .map_err(|_| format!("`{t}` is too large a number for a time"))?;
        let magnitude = match t.len() {
            9..=10 => Some(TimeUnit::S),
            12..=13 => Some(TimeUnit::Ms),
            15..=16 => Some(TimeUnit::Us),
            _ => None,
        };
        let unit = match (*epoch, magnitude) {
            (Some(Epoch::Declared(u)), _) => u,
            (None, Some(m)) => {
                *epoch = Some(Epoch::Seen(m));
                m
            }
            (Some(Epoch::Seen(u)), Some(m)) if u == m => u,
            (Some(Epoch::Seen(u)), _) => {
                return Err(format!(
                    "`{t}` is not an epoch in {} like the times before it: the column mixes magnitudes; say which with `time_unit:` (s, ms or us) after fixing the file",
                    unit_word(u)
                ));
            }
            (None, None) => {
                return Err(format!(
                    "`{t}` is a number, but its unit cannot be told from its length; say it with `time_unit:` (s, ms or us)"
                ));
            }
        };
        let per = match unit {
            TimeUnit::S => 1_000_000,
            TimeUnit::Ms => 1_000,
            TimeUnit::Us => 1,
        };
        return n
            .checked_mul(per)
            .filter(|us| jiff::Timestamp::from_microsecond(*us).is_ok())
            .ok_or_else(|| out_of_range(t));
    }
    let zoned = t.strip_suffix(" UTC").unwrap_or(t);
    if let Ok(ts) = zoned.parse::<jiff::Timestamp>() {
        return Ok(ts.as_microsecond());
    }
    if let Ok(dt) = zoned.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_microsecond())
            .map_err(|e| format!("`{t}`: {e}"));
    }
    Err(format!(
        "`{t}` is not a time journeymap reads (RFC 3339, `YYYY-MM-DD HH:MM:SS UTC`, or an epoch number)"
    ))
}

fn out_of_range(t: &str) -> String {
    format!(
        "`{t}` is out of range: a time must lie between the years -9999 and 9999 (check `time_unit:`)"
    )
}

/// Whether `t` is at most `window` after `since`. Times lie within ±10,000 years (see
/// [`time`]), so the difference cannot overflow; it is checked all the same.
fn within(t: i64, since: i64, window: i64) -> bool {
    t.checked_sub(since).is_some_and(|d| d <= window)
}

/// A row's field by name: a CSV column, or a (dotted) key of a JSON line.
enum Row<'r> {
    Csv(&'r csv::ByteRecord),
    /// A parsed JSON line, and its text.
    Json(&'r serde_json::Value, &'r str),
}

#[derive(Clone)]
enum Field {
    Col(usize),
    Path(Vec<String>),
}

impl Row<'_> {
    fn get(&self, f: &Field) -> std::borrow::Cow<'_, str> {
        match (self, f) {
            (Row::Csv(r), Field::Col(i)) => String::from_utf8_lossy(r.get(*i).unwrap_or_default()),
            (Row::Json(v, _), Field::Path(p)) => {
                let mut cur = *v;
                for k in p {
                    match cur.get(k) {
                        Some(next) => cur = next,
                        None => return "".into(),
                    }
                }
                match cur {
                    serde_json::Value::String(s) => s.as_str().into(),
                    serde_json::Value::Null => "".into(),
                    other => other.to_string().into(),
                }
            }
            _ => "".into(),
        }
    }

    /// A field's bytes, as the file holds them (a JSON value as text).
    fn bytes(&self, f: &Field) -> std::borrow::Cow<'_, [u8]> {
        match (self, f) {
            (Row::Csv(r), Field::Col(i)) => r.get(*i).unwrap_or_default().into(),
            _ => match self.get(f) {
                std::borrow::Cow::Borrowed(s) => s.as_bytes().into(),
                std::borrow::Cow::Owned(s) => s.into_bytes().into(),
            },
        }
    }

    /// A hash of the row's fields (a JSON line's text), to know an exact duplicate.
    fn hash(&self) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = foldhash::quality::FixedState::with_seed(46).build_hasher();
        match self {
            Row::Csv(r) => {
                for f in r.iter() {
                    h.write(f);
                    h.write_u8(0xff);
                }
            }
            Row::Json(_, text) => h.write(text.as_bytes()),
        }
        h.finish()
    }
}

/// One step: the events that mean it, and the property values a row must have.
struct StepRule {
    stage: usize,
    events: Vec<String>,
    filters: Vec<(Field, Vec<String>)>,
}

/// Actor keys, numbered in order of first appearance. A key of up to 15 bytes lives in its
/// hash-table slot (one memory access finds it); a longer one in an arena.
struct Interner {
    long: Vec<u8>,
    table: hashbrown::HashTable<Slot>,
    hasher: foldhash::fast::RandomState,
}

/// A key (inline: its length and bytes; long: length 0xff, offset and length in the arena)
/// and its number.
#[derive(Clone, Copy)]
struct Slot {
    key: [u8; 16],
    who: u32,
}

impl Interner {
    fn bytes<'a>(long: &'a [u8], s: &'a Slot) -> &'a [u8] {
        if s.key[0] == 0xff {
            let from = u64::from_le_bytes(s.key[1..9].try_into().unwrap_or_default()) as usize;
            let len = u32::from_le_bytes(s.key[9..13].try_into().unwrap_or_default()) as usize;
            &long[from..from + len]
        } else {
            &s.key[1..1 + s.key[0] as usize]
        }
    }

    fn with_hasher(hasher: foldhash::fast::RandomState) -> Interner {
        Interner {
            long: Vec::new(),
            table: hashbrown::HashTable::new(),
            hasher,
        }
    }

    /// The key's number (`h`: its hash by the interner's hasher), from `add` when it is new.
    fn get_or_add(&mut self, key: &[u8], h: u64, add: impl FnOnce() -> u32) -> u32 {
        use std::hash::BuildHasher;
        let long = &self.long;
        if let Some(s) = self.table.find(h, |s| Interner::bytes(long, s) == key) {
            return s.who;
        }
        let mut slot = Slot {
            key: [0; 16],
            who: add(),
        };
        if key.len() < 16 {
            slot.key[0] = key.len() as u8;
            slot.key[1..1 + key.len()].copy_from_slice(key);
        } else {
            slot.key[0] = 0xff;
            slot.key[1..9].copy_from_slice(&(self.long.len() as u64).to_le_bytes());
            slot.key[9..13].copy_from_slice(&(key.len() as u32).to_le_bytes());
            self.long.extend_from_slice(key);
        }
        let (long, hasher) = (&self.long, &self.hasher);
        self.table
            .insert_unique(h, slot, |s| hasher.hash_one(Interner::bytes(long, s)));
        slot.who
    }
}

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
}

struct Parsed {
    key_end: usize,
    key_hash: u64,
    t: i64,
    mask: u64,
    hash: u64,
    line: u64,
    /// The row's segment (rows that match the first stage, with `segment_by:`), or NO_SEGMENT.
    segment: u32,
}

/// A row without a segment.
const NO_SEGMENT: u32 = u32::MAX;
/// Segments counted at most, unless `segments:` lists the ones to show.
pub const MAX_SEGMENTS: usize = 50;

impl Batch {
    fn push(&mut self, key: &[u8], key_hash: u64, t: i64, mask: u64, hash: u64, line: u64) {
        self.keys.extend_from_slice(key);
        self.events.push(Parsed {
            key_end: self.keys.len(),
            key_hash,
            t,
            mask,
            hash,
            line,
            segment: NO_SEGMENT,
        });
    }
}

/// No time: a step not reached.
const NONE: i64 = i64::MIN;

/// Where an actor's record holds what (in `i64`s): the time of its pending rows, the line of
/// one of them, the first pending row's steps and hash, flags, then `n` chain starts, `n`
/// first arrivals and, in any order, `n` latest times.
const T: usize = 0;
const LINE: usize = 1;
const MASK: usize = 2;
const HASH: usize = 3;
const FLAGS: usize = 4;
const STEPS: usize = 5;
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
struct State {
    n: usize,
    stride: usize,
    mode: StepOrder,
    window: i64,
    records: Vec<i64>,
    actors: u32,
    spilled: HashMap<u32, Vec<(u64, u64)>>,
    group: Vec<(u64, u64)>,
    scratch: Vec<i64>,
    duplicates: u64,
    /// With segments, the place in a record of the actor's segment.
    segment: Option<usize>,
}

impl State {
    fn new(n: usize, mode: StepOrder, window: i64, segments: bool) -> State {
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
            scratch: vec![NONE; n],
            duplicates: 0,
        }
    }

    /// A new actor's number.
    fn add(&mut self) -> u32 {
        let who = self.actors;
        self.actors += 1;
        self.records.extend(std::iter::repeat_n(NONE, self.stride));
        self.records[who as usize * self.stride + FLAGS] = 0;
        who
    }

    fn record(&mut self, who: u32) -> &mut [i64] {
        let at = who as usize * self.stride;
        &mut self.records[at..at + self.stride]
    }

    /// Each actor's first arrivals, whether a row matched the last step, and its segment.
    fn firsts(&self) -> impl Iterator<Item = (&[i64], bool, Option<u32>)> {
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

    /// A row of actor `who` that matched the first step, in segment `segment` (named in
    /// `names`), after `event` took it: the actor's segment is that of its earliest such
    /// row, the smallest as text among rows at that instant.
    fn segment(&mut self, who: u32, segment: u32, names: &[Box<[u8]>]) {
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

    /// A row of actor `who`. Err: the row is earlier than the actor's latest, at that line.
    fn event(&mut self, who: u32, t: i64, mask: u64, hash: u64, line: u64) -> Result<(), u64> {
        let last = mask >> (self.n - 1) & 1 == 1;
        let r = self.record(who);
        if last {
            r[FLAGS] |= SAW_LAST;
        }
        if r[T] == NONE {
            (r[T], r[LINE], r[MASK], r[HASH]) = (t, line as i64, mask as i64, hash as i64);
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
            if more.contains(&(mask, hash)) {
                self.duplicates += 1;
            } else {
                more.push((mask, hash));
            }
            return Ok(());
        }
        self.apply(who);
        let r = self.record(who);
        (r[T], r[LINE], r[MASK], r[HASH]) = (t, line as i64, mask as i64, hash as i64);
        r[FLAGS] &= !SPILLED;
        Ok(())
    }

    /// Apply every actor's last group.
    fn finish(&mut self) {
        for who in 0..self.actors {
            if self.record(who)[T] != NONE {
                self.apply(who);
            }
        }
    }

    /// Apply an actor's pending group, in the fixed order.
    fn apply(&mut self, who: u32) {
        let r = self.record(who);
        let (t, mask, hash, spilled) = (r[T], r[MASK] as u64, r[HASH] as u64, r[FLAGS] & SPILLED);
        if spilled == 0 {
            self.advance(who, mask, t);
            return;
        }
        let mut group = std::mem::take(&mut self.group);
        group.clear();
        group.push((mask, hash));
        group.extend(self.spilled.remove(&who).unwrap_or_default());
        // When every row is one stage, taking them by stage is already the best order; a row
        // that is two stages needs the matching.
        if self.mode == StepOrder::Sequential && group.iter().any(|g| g.0.count_ones() > 1) {
            self.tied(
                who,
                t,
                &super::ties::Instant::new(group.iter().map(|g| g.0)),
            );
        } else {
            group.sort_unstable_by_key(|&(mask, hash)| (mask.trailing_zeros(), mask, hash));
            for &(mask, _) in &group {
                self.advance(who, mask, t);
            }
        }
        self.group = group;
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

/// A log and the stages it binds: stage index, the rule, where the map names the stage.
pub struct Binding<'b> {
    pub log: &'b EventLog,
    /// In map order.
    pub steps: Vec<(usize, &'b crate::model::StepMatch, Pos)>,
}

/// A log's columns (each with where the map names it, if it does rather than a preset), the
/// unit of epoch times if declared, the tool's name, the window and the order rule.
pub struct Columns {
    pub actor: (String, Option<Pos>),
    pub event: (String, Option<Pos>),
    pub time: (String, Option<Pos>),
    /// With `by: session`.
    pub session: Option<(String, Option<Pos>)>,
    pub unit: Option<TimeUnit>,
    pub tool: &'static str,
    pub window: String,
    pub window_us: i64,
    pub mode: StepOrder,
}

/// What a log's binding and preset say, or what is missing.
pub fn columns(log: &EventLog) -> Result<Columns, Problem> {
    let bad = |message: String, pos: Option<Pos>| Problem {
        kind: Kind::Binding,
        line: 0,
        col: 0,
        pos,
        message,
    };
    let (p_actor, p_event, p_time, p_session, p_unit, tool) = match &log.preset {
        Some(p) => {
            let (a, e, t, s, u, tool) = preset(p.value);
            (Some(a), Some(e), Some(t), s, u, tool)
        }
        None => (None, None, None, None, None, "event log"),
    };
    let name_of = |given: &Option<crate::model::Spanned<String>>,
                   from_preset: Option<&str>,
                   what: &str| {
        given
            .as_ref()
            .map(|g| (g.value.clone(), Some(g.pos)))
            .or_else(|| from_preset.map(|p| (p.to_owned(), None)))
            .ok_or_else(|| bad(format!("event log `{}` does not say which column holds the {what}; add `{what}:` or a `preset:`", log.id.value), Some(log.id.pos)))
    };
    let by_session = log
        .by
        .as_ref()
        .is_some_and(|b| b.value == crate::model::CountBy::Session);
    let window_text = log
        .window
        .as_ref()
        .map_or(DEFAULT_WINDOW.to_owned(), |w| w.value.clone());
    Ok(Columns {
        actor: name_of(&log.actor, p_actor, "actor")?,
        event: name_of(&log.event, p_event, "event")?,
        time: name_of(&log.time, p_time, "time")?,
        session: if by_session {
            Some(name_of(&log.session, p_session, "session")?)
        } else {
            None
        },
        unit: log.time_unit.as_ref().map(|u| u.value).or(p_unit),
        tool,
        window_us: window(&window_text).map_err(|m| bad(m, log.window.as_ref().map(|w| w.pos)))?,
        window: window_text,
        mode: log
            .order
            .as_ref()
            .map_or(StepOrder::Sequential, |o| o.value),
    })
}

/// Read a log and compute its funnel. `names`: the header (CSV) or `None` (JSON lines).
pub fn run(
    path: &std::path::Path,
    binding: &Binding,
    stage_ids: &[String],
) -> Result<LogResult, Vec<Problem>> {
    let log = binding.log;
    let bad = |message: String, pos: Option<Pos>| Problem {
        kind: Kind::Binding,
        line: 0,
        col: 0,
        pos,
        message,
    };
    let Columns {
        actor: (actor_name, actor_pos),
        event: (event_name, event_pos),
        time: (time_name, time_pos),
        session,
        unit,
        tool,
        window: window_text,
        window_us,
        mode,
    } = columns(log).map_err(|e| vec![e])?;
    let by_session = session.is_some();
    let file_pos = log.file.as_ref().map_or(log.id.pos, |f| f.pos);
    let mut epoch = unit.map(Epoch::Declared);
    if binding.steps.is_empty() {
        return Err(vec![bad(
            format!(
                "event log `{}` binds no stages; add `steps: {{stage-id: event name}}`",
                log.id.value
            ),
            Some(log.id.pos),
        )]);
    }
    if binding.steps.len() > MAX_STEPS {
        return Err(vec![bad(
            format!(
                "event log `{}` binds {} stages, over the limit of {MAX_STEPS}",
                log.id.value,
                binding.steps.len()
            ),
            Some(log.id.pos),
        )]);
    }

    let file = std::fs::File::open(path).map_err(|e| {
        vec![bad(
            format!("cannot read event log: {}", crate::load::io_reason(&e)),
            Some(file_pos),
        )]
    })?;
    let json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"));
    // One line may hold at most what a survey's may: a hostile line cannot be buffered whole.
    let guarded = if json {
        LineGuard::lines_only(file)
    } else {
        LineGuard::new(file, b',')
    };
    let reader = std::io::BufReader::with_capacity(256 * 1024, guarded);

    // Resolve fields.
    let mut csv_reader = None;
    let mut lines = None;
    let field = |name: &str,
                 pos: Option<Pos>,
                 what: &str,
                 header: Option<&[String]>|
     -> Result<Field, Problem> {
        match header {
            None => Ok(Field::Path(name.split('.').map(str::to_owned).collect())),
            Some(h) => h
                .iter()
                .position(|c| c == name)
                .map(Field::Col)
                .ok_or_else(|| {
                    let hint = crate::suggest::did_you_mean(name, h.iter().map(String::as_str));
                    bad(
                        format!(
                            "the {what} column `{name}` is not in the event log's header{hint}"
                        ),
                        pos.or(Some(file_pos)),
                    )
                }),
        }
    };
    let header: Option<Vec<String>> = if json {
        lines = Some(std::io::BufRead::lines(reader));
        None
    } else {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(reader);
        let h = r
            .headers()
            .map_err(|e| {
                vec![bad(
                    format!("cannot read the event log's header: {e}"),
                    Some(file_pos),
                )]
            })?
            .iter()
            .map(|c| c.trim().trim_start_matches('\u{feff}').to_owned())
            .collect();
        csv_reader = Some(r);
        Some(h)
    };
    let hdr = header.as_deref();
    let mut problems = Vec::new();
    let mut resolve = |name: &str, pos: Option<Pos>, what: &str| match field(name, pos, what, hdr) {
        Ok(f) => Some(f),
        Err(p) => {
            problems.push(p);
            None
        }
    };
    let actor_f = resolve(&actor_name, actor_pos, "actor");
    let event_f = resolve(&event_name, event_pos, "event");
    let time_f = resolve(&time_name, time_pos, "time");
    let session_f = session
        .as_ref()
        .and_then(|(n, p)| resolve(n, *p, "session"));
    let segment_f = log
        .segment_by
        .as_ref()
        .map(|by| resolve(&by.value, Some(by.pos), "segment"));
    if matches!(segment_f, Some(None)) {
        return Err(problems);
    }
    let segment_f = segment_f.flatten();
    if segment_f.is_none()
        && let Some(first) = log.segments.first()
    {
        return Err(vec![bad(
            format!(
                "event log `{}` lists `segments:` but has no `segment_by:` column",
                log.id.value
            ),
            Some(first.pos),
        )]);
    }
    // Segment values, numbered as first seen (the listed ones first, and only those when
    // `segments:` lists them).
    let listed = !log.segments.is_empty();
    let mut segment_names: Vec<Box<[u8]>> = Vec::new();
    let mut segment_ids: HashMap<Box<[u8]>, u32> = HashMap::new();
    for seg in &log.segments {
        let name: Box<[u8]> = seg.value.trim().as_bytes().into();
        if !segment_ids.contains_key(&name) {
            segment_ids.insert(name.clone(), segment_names.len() as u32);
            segment_names.push(name);
        }
    }
    let mut too_many_segments = false;
    let mut rules = Vec::new();
    for (stage, m, _) in &binding.steps {
        let mut filters = Vec::new();
        for (col, want) in m.filter() {
            if let Some(f) = resolve(&col.value, Some(col.pos), "`where:`") {
                let values = match &want.value {
                    crate::model::OneOrMany::One(v) => vec![v.0.trim().to_owned()],
                    crate::model::OneOrMany::Many(vs) => {
                        vs.iter().map(|v| v.0.trim().to_owned()).collect()
                    }
                };
                filters.push((f, values));
            }
        }
        rules.push(StepRule {
            stage: *stage,
            events: m.events().iter().map(|e| e.trim().to_owned()).collect(),
            filters,
        });
    }
    let (Some(actor_f), Some(event_f), Some(time_f)) = (actor_f, event_f, time_f) else {
        return Err(problems);
    };
    if by_session && session_f.is_none() {
        return Err(problems);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // Event name -> (rows seen, the steps it may mean); names no step binds are kept up to
    // MAX_NAMES, to list them when a step matches nothing.
    let mut names: HashMap<Box<[u8]>, (u64, u64), foldhash::fast::RandomState> = HashMap::default();
    for (k, r) in rules.iter().enumerate() {
        for e in &r.events {
            names.entry(e.as_bytes().into()).or_default().1 |= 1 << k;
        }
    }
    let n = rules.len();
    let last_step = n - 1;
    let key_field = session_f.clone().unwrap_or(actor_f.clone());

    let mut matched_per_step = vec![0u64; n];
    let mut time_errors = 0u64;
    let mut rows = 0u64;
    let mut lo = i64::MAX;
    let mut hi = i64::MIN;
    let time_col = match &time_f {
        Field::Col(i) => i + 1,
        Field::Path(_) => 1,
    };
    let mut rec = csv::ByteRecord::new();
    let mut line_no = 1u64;
    // Logs in time order repeat a time often: the last one read is kept.
    // (None until a time was read: an empty first cell is no time.)
    let mut last_time: Option<(Vec<u8>, i64)> = None;
    // Two threads: this one reads and parses rows; the other keeps the actors' state (a hash
    // table and records far larger than a cache, so its time goes to memory accesses).
    let hasher = foldhash::fast::RandomState::default();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(8);
    let segmented = segment_f.is_some();
    let known_segments = segment_names.clone();
    let (state, unsorted, segment_names) =
        std::thread::scope(|scope| -> Result<_, Vec<Problem>> {
            let worker_hasher = hasher.clone();
            let worker = scope.spawn(move || {
                let mut state = State::new(n, mode, window_us, segmented);
                let mut index = Interner::with_hasher(worker_hasher);
                let mut unsorted: Option<(u64, u64, String)> = None;
                let mut names = known_segments;
                for mut batch in rx {
                    names.append(&mut batch.segments);
                    let mut from = 0;
                    for e in &batch.events {
                        let key = &batch.keys[from..e.key_end];
                        from = e.key_end;
                        let who = index.get_or_add(key, e.key_hash, || state.add());
                        match state.event(who, e.t, e.mask, e.hash, e.line) {
                            Err(before) if unsorted.is_none() => {
                                unsorted = Some((
                                    e.line,
                                    before,
                                    String::from_utf8_lossy(key).into_owned(),
                                ));
                            }
                            Ok(()) if e.segment != NO_SEGMENT => {
                                state.segment(who, e.segment, &names)
                            }
                            _ => {}
                        }
                    }
                }
                state.finish();
                (state, unsorted, names)
            });
            let mut batch = Batch::default();
            let read = (|| -> Result<(), Vec<Problem>> {
                loop {
                    let value;
                    let text;
                    let row = if let Some(r) = csv_reader.as_mut() {
                        match r.read_byte_record(&mut rec) {
                            Ok(true) => {}
                            Ok(false) => break,
                            Err(e) => {
                                let line = e.position().map_or(line_no + 1, |p| p.line());
                                let budget =
                                    matches!(e.kind(), csv::ErrorKind::Io(io) if OverLimit::is(io));
                                return Err(vec![Problem {
                                    kind: if budget { Kind::Budget } else { Kind::Binding },
                                    line,
                                    col: 1,
                                    pos: None,
                                    message: format!("cannot read the event log: {e}"),
                                }]);
                            }
                        }
                        line_no = rec.position().map_or(line_no + 1, |p| p.line());
                        Row::Csv(&rec)
                    } else if let Some(ls) = lines.as_mut() {
                        let Some(l) = ls.next() else { break };
                        line_no += 1;
                        let l = l.map_err(|e| {
                            vec![Problem {
                                kind: if OverLimit::is(&e) {
                                    Kind::Budget
                                } else {
                                    Kind::Binding
                                },
                                line: line_no - 1,
                                col: 1,
                                pos: None,
                                message: format!(
                                    "cannot read the event log: {}",
                                    crate::load::io_reason(&e)
                                ),
                            }]
                        })?;
                        if l.trim().is_empty() {
                            continue;
                        }
                        value = serde_json::from_str::<serde_json::Value>(&l).map_err(|e| {
                            vec![Problem {
                                kind: Kind::Binding,
                                line: line_no - 1,
                                col: e.column(),
                                pos: None,
                                message: format!("not a JSON object: {e}"),
                            }]
                        })?;
                        text = l;
                        Row::Json(&value, &text)
                    } else {
                        break;
                    };
                    let line = if json { line_no - 1 } else { line_no };
                    rows += 1;
                    let event = row.bytes(&event_f);
                    let event = event.trim_ascii();
                    let candidates = match names.get_mut(event) {
                        Some((seen, steps)) => {
                            *seen += 1;
                            *steps
                        }
                        None => {
                            if names.len() < MAX_NAMES + rules.len() {
                                names.insert(event.into(), (1, 0));
                            }
                            0
                        }
                    };
                    let mut mask = 0u64;
                    for k in (0..n).filter(|k| candidates >> k & 1 == 1) {
                        if rules[k].filters.iter().all(|(f, want)| {
                            let v = row.get(f);
                            want.iter().any(|w| crate::words::same_name(w, v.trim()))
                        }) {
                            mask |= 1 << k;
                            matched_per_step[k] += 1;
                        }
                    }
                    // In strict order every event of an actor counts: one between two steps breaks them.
                    if mask == 0 && mode != StepOrder::Strict {
                        continue;
                    }
                    let cell = row.bytes(&time_f);
                    let cached = last_time
                        .as_ref()
                        .filter(|(text, _)| **text == *cell)
                        .map(|(_, t)| *t);
                    let t = if let Some(t) = cached {
                        t
                    } else {
                        match time(&String::from_utf8_lossy(&cell), &mut epoch) {
                            Ok(t) => {
                                last_time = Some((cell.into_owned(), t));
                                t
                            }
                            Err(why) => {
                                time_errors += 1;
                                if time_errors <= DETAILED as u64 {
                                    problems.push(Problem {
                                    kind: Kind::Time,
                                    line,
                                    col: time_col,
                                    pos: None,
                                    message: format!(
                                        "time column `{time_name}`: {why}; the row is in no count"
                                    ),
                                });
                                }
                                continue;
                            }
                        }
                    };
                    let key = row.bytes(&key_field);
                    let key = key.trim_ascii();
                    if key.is_empty() {
                        continue; // no actor (or no session): nobody to count
                    }
                    lo = lo.min(t);
                    hi = hi.max(t);
                    batch.push(key, hasher.hash_one(key), t, mask, row.hash(), line);
                    if let Some(f) = segment_f.as_ref().filter(|_| mask & 1 == 1) {
                        let value = row.bytes(f);
                        let value = match value.trim_ascii() {
                            b"" => crate::survey::split::BLANK.as_bytes(),
                            v => v,
                        };
                        let id = match segment_ids.get(value) {
                            Some(id) => *id,
                            None if listed => NO_SEGMENT,
                            None if segment_ids.len() >= MAX_SEGMENTS => {
                                too_many_segments = true;
                                NO_SEGMENT
                            }
                            None => {
                                let id = segment_ids.len() as u32;
                                segment_ids.insert(value.into(), id);
                                batch.segments.push(value.into());
                                id
                            }
                        };
                        if let Some(e) = batch.events.last_mut() {
                            e.segment = id;
                        }
                    }
                    if batch.events.len() == BATCH && tx.send(std::mem::take(&mut batch)).is_err() {
                        break;
                    }
                }
                if !batch.events.is_empty() {
                    let _ = tx.send(batch);
                }
                Ok(())
            })();
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
    if time_errors > DETAILED as u64 {
        problems.push(Problem { kind: Kind::Time, line: 1, col: time_col, pos: None, message: format!("{time_errors} rows in all have a time that cannot be read (the first {DETAILED} are reported above); they are in no count") });
    }
    if let Some((line, before, who)) = unsorted {
        problems.push(Problem {
            kind: Kind::Unsorted,
            line,
            col: time_col,
            pos: None,
            message: format!(
                "the event log is not in time order: this event of `{who}` is earlier than the one at line {before}; journeymap streams a log once, so sort it by time first (e.g. ORDER BY the time column when exporting)"
            ),
        });
    }
    for (k, r) in rules.iter().enumerate() {
        if matched_per_step[k] == 0 {
            let mut seen: Vec<(String, u64)> = names
                .iter()
                .filter(|(_, (c, _))| *c > 0)
                .map(|(e, (c, _))| (String::from_utf8_lossy(e).into_owned(), *c))
                .collect();
            seen.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let listed: Vec<String> = seen
                .iter()
                .take(10)
                .map(|(e, c)| format!("`{e}` ({c})"))
                .collect();
            let hint = crate::suggest::did_you_mean(
                &r.events.join(", "),
                seen.iter().map(|(e, _)| e.as_str()),
            );
            let stage = &stage_ids[r.stage];
            problems.push(Problem {
                kind: Kind::StepUnused,
                line: 0,
                col: 0,
                pos: binding.steps.get(k).map(|(_, _, pos)| *pos),
                message: format!(
                    "stage `{stage}`: no row of event log `{}` is {}{}; its events are {}{hint}",
                    log.id.value,
                    r.events
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    if r.filters.is_empty() {
                        ""
                    } else {
                        " with the `where:` values"
                    },
                    listed.join(", ")
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if too_many_segments && let Some(by) = &log.segment_by {
        problems.push(bad(
            format!(
                "segment column `{}` has more than {MAX_SEGMENTS} different values; list the segments to show with `segments:`",
                by.value
            ),
            Some(by.pos),
        ));
        return Err(problems);
    }
    // Per stage: actors and the gaps from the stage before, in all and per segment.
    let tally = || (vec![0u64; n], vec![Vec::<i64>::new(); n]);
    let (mut counts, mut gaps) = tally();
    let mut parts: Vec<(Vec<u64>, Vec<Vec<i64>>)> =
        (0..segment_names.len()).map(|_| tally()).collect();
    let mut outside = 0u64;
    for (first, saw_last, segment) in state.firsts() {
        let mut part = segment.and_then(|s| parts.get_mut(s as usize));
        for k in 0..n {
            if first[k] != NONE {
                counts[k] += 1;
                let gap = (k > 0 && first[k - 1] != NONE)
                    .then(|| first[k].checked_sub(first[k - 1]))
                    .flatten();
                if let Some(g) = gap {
                    gaps[k].push(g);
                }
                if let Some((c, g)) = part.as_mut() {
                    c[k] += 1;
                    if let Some(gap) = gap {
                        g[k].push(gap);
                    }
                }
            }
        }
        if saw_last && first[last_step] == NONE {
            outside += 1;
        }
    }
    // Listed segments in their order (each must occur); else every one, sorted as text.
    let mut order: Vec<usize> = (0..segment_names.len()).collect();
    if listed {
        for (i, seg) in log.segments.iter().enumerate() {
            if parts.get(i).is_none_or(|(c, _)| c[0] == 0) {
                problems.push(bad(
                    format!(
                        "segment `{}`: no {} entered the first stage with it in column `{}`",
                        seg.value,
                        if by_session { "session" } else { "user" },
                        log.segment_by.as_ref().map_or("", |b| b.value.as_str())
                    ),
                    Some(seg.pos),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
    } else {
        order.sort_by(|a, b| segment_names[*a].cmp(&segment_names[*b]));
    }
    let segments = order
        .into_iter()
        .map(|i| {
            let (c, g) = &mut parts[i];
            SegmentResult {
                label: String::from_utf8_lossy(&segment_names[i]).into_owned(),
                steps: (0..n)
                    .map(|k| (c[k], median(&mut g[k]).map(|us| us / 1e6)))
                    .collect(),
            }
        })
        .collect();
    let day = |us: i64| {
        jiff::Timestamp::from_microsecond(us)
            .ok()
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
    };
    Ok(LogResult {
        tool,
        order: match mode {
            StepOrder::Sequential => "in order, other events allowed between",
            StepOrder::Strict => "in order, nothing between",
            StepOrder::Any => "in any order",
        },
        unit: if by_session { "sessions" } else { "users" },
        window: window_text,
        date_from: (lo <= hi).then(|| day(lo)).flatten(),
        date_to: (lo <= hi).then(|| day(hi)).flatten(),
        steps: rules
            .iter()
            .enumerate()
            .map(|(k, r)| StepResult {
                stage: r.stage,
                events: r.events.join(" or "),
                actors: counts[k],
                median_seconds: median(&mut gaps[k]).map(|us| us / 1e6),
            })
            .collect(),
        outside_path: outside,
        segments,
        rows,
        duplicates: state.duplicates,
    })
}

/// The median of whole numbers (the mean of the middle two for an even count).
fn median(v: &mut [i64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m] as f64
    } else {
        (v[m - 1] as f64 + v[m] as f64) / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_as_people_write_them() {
        assert_eq!(window("7d"), Ok(7 * 86_400 * 1_000_000));
        assert_eq!(window("30m"), Ok(1_800 * 1_000_000));
        assert!(window("0d").unwrap_err().contains("zero"));
        assert!(window("soon").is_err());
        assert!(window("5y").is_err());
    }

    #[test]
    fn times_as_logs_write_them() {
        let mut e = None;
        // 2019-10-01 00:00:00 UTC = 1569888000 s.
        assert_eq!(
            time("2019-10-01 00:00:00 UTC", &mut e),
            Ok(1_569_888_000_000_000)
        );
        assert_eq!(
            time("2019-10-01T00:00:00Z", &mut e),
            Ok(1_569_888_000_000_000)
        );
        assert_eq!(
            time("2019-10-01T02:00:00+02:00", &mut e),
            Ok(1_569_888_000_000_000)
        );
        assert_eq!(
            time("2019-10-01 00:00:00", &mut e),
            Ok(1_569_888_000_000_000)
        );
        assert_eq!(time("1569888000", &mut e), Ok(1_569_888_000_000_000));
        assert!(
            time("1569888000000", &mut e)
                .unwrap_err()
                .contains("mixes magnitudes")
        );
        let mut declared = Some(Epoch::Declared(TimeUnit::Ms));
        assert_eq!(
            time("1569888000000", &mut declared),
            Ok(1_569_888_000_000_000)
        );
        assert!(time("yesterday", &mut None).is_err());
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3, 1, 2]), Some(2.0));
        assert_eq!(median(&mut [4, 1, 2, 3]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
