//! Reach measured from a raw event log (README: "Reach from event logs"): per actor (a user,
//! or a session), the furthest stage reached in order within a conversion window.
//!
//! Invariants: the file is streamed once and only per-actor state is kept (for each stage,
//! the latest-starting chain that reached it: ClickHouse's `windowFunnel` state), so memory
//! grows with actors, not with events. The algorithm is fixed: steps in map order, other
//! events allowed in between, the window measured from the entry event and inclusive, every
//! entry tried and the chain that reaches furthest kept. Exact duplicate rows cannot change
//! a reach (an event processed twice sets the same state), and are counted. A log whose
//! events are not in time order for some actor is refused with the first such row, since a
//! streaming funnel over it would be wrong.

use std::collections::HashMap;

use crate::model::{EventLog, EventPreset, Pos, StepOrder, TimeUnit};

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
            .ok_or_else(|| format!("`{t}` is out of range"));
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
}

/// One step: the events that mean it, and the property values a row must have.
struct StepRule {
    stage: usize,
    events: Vec<String>,
    filters: Vec<(Field, Vec<String>)>,
}

/// Per actor: for each step, the chain that reached it with the latest start (its start
/// and the time it reached the step), when the step was first reached, and what else the
/// counts need.
#[derive(Clone)]
struct Actor {
    levels: Vec<Option<(i64, i64)>>,
    first: Vec<Option<i64>>,
    /// `strict`: the step the actor's previous event reached, and its chain's start.
    link: Option<(usize, i64)>,
    /// `any`: the latest time of each step.
    latest: Vec<Option<i64>>,
    last: i64,
    last_line: u64,
    saw_last_step: bool,
    last_row: u64,
}

/// A log and the stages it binds: stage index, the rule, where the map names the stage.
pub struct Binding<'b> {
    pub log: &'b EventLog,
    /// In map order.
    pub steps: Vec<(usize, &'b crate::model::StepMatch, Pos)>,
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
    let (actor_name, actor_pos) = name_of(&log.actor, p_actor, "actor").map_err(|e| vec![e])?;
    let (event_name, event_pos) = name_of(&log.event, p_event, "event").map_err(|e| vec![e])?;
    let (time_name, time_pos) = name_of(&log.time, p_time, "time").map_err(|e| vec![e])?;
    let by_session = log
        .by
        .as_ref()
        .is_some_and(|b| b.value == crate::model::CountBy::Session);
    let session = if by_session {
        Some(name_of(&log.session, p_session, "session").map_err(|e| vec![e])?)
    } else {
        None
    };
    let window_text = log
        .window
        .as_ref()
        .map_or(DEFAULT_WINDOW.to_owned(), |w| w.value.clone());
    let mode = log
        .order
        .as_ref()
        .map_or(StepOrder::Sequential, |o| o.value);
    let window_us =
        window(&window_text).map_err(|m| vec![bad(m, log.window.as_ref().map(|w| w.pos))])?;
    let mut epoch = log
        .time_unit
        .as_ref()
        .map(|u| Epoch::Declared(u.value))
        .or(p_unit.map(Epoch::Declared));
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
            Some(log.file.pos),
        )]
    })?;
    let reader = std::io::BufReader::with_capacity(256 * 1024, file);
    let json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"));

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
                        pos.or(Some(log.file.pos)),
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
                    Some(log.file.pos),
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
    // Event name -> the steps it may mean.
    let mut by_event: HashMap<String, Vec<usize>> = HashMap::new();
    for (k, r) in rules.iter().enumerate() {
        for e in &r.events {
            by_event.entry(e.clone()).or_default().push(k);
        }
    }
    for ks in by_event.values_mut() {
        ks.sort_unstable_by(|a, b| b.cmp(a)); // highest first: one event, one step per pass
    }
    let n = rules.len();
    let last_step = n - 1;
    let key_field = session_f.clone().unwrap_or(actor_f.clone());

    let mut actors: HashMap<Box<[u8]>, Actor> = HashMap::new();
    let mut names: HashMap<String, u64> = HashMap::new();
    let mut matched_per_step = vec![0u64; n];
    let mut time_errors = 0u64;
    let mut unsorted: Option<(u64, u64, String)> = None;
    let mut rows = 0u64;
    let mut duplicates = 0u64;
    let mut lo = i64::MAX;
    let mut hi = i64::MIN;
    let time_col = match &time_f {
        Field::Col(i) => i + 1,
        Field::Path(_) => 1,
    };
    let mut rec = csv::ByteRecord::new();
    let mut line_no = 1u64;
    loop {
        let value;
        let text;
        let row = if let Some(r) = csv_reader.as_mut() {
            match r.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return Err(vec![Problem {
                        kind: Kind::Binding,
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
                    kind: Kind::Binding,
                    line: line_no - 1,
                    col: 1,
                    pos: None,
                    message: format!("cannot read the event log: {}", crate::load::io_reason(&e)),
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
        let event = row.get(&event_f);
        let event = event.trim();
        if let Some(c) = names.get_mut(event) {
            *c += 1;
        } else if names.len() < MAX_NAMES {
            names.insert(event.to_owned(), 1);
        }
        let candidates = by_event.get(event).map_or(&[][..], Vec::as_slice);
        let matching: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|k| {
                rules[*k].filters.iter().all(|(f, want)| {
                    let v = row.get(f);
                    want.iter().any(|w| crate::words::same_name(w, v.trim()))
                })
            })
            .collect();
        // In strict order every event of an actor counts: one between two steps breaks them.
        if matching.is_empty() && mode != StepOrder::Strict {
            continue;
        }
        for k in &matching {
            matched_per_step[*k] += 1;
        }
        let t = match time(&row.get(&time_f), &mut epoch) {
            Ok(t) => t,
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
        };
        let key = row.get(&key_field);
        let key = key.trim();
        if key.is_empty() {
            continue; // no actor (or no session): nobody to count
        }
        lo = lo.min(t);
        hi = hi.max(t);
        let row_hash = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            match &row {
                Row::Csv(r) => r.as_slice().hash(&mut h),
                Row::Json(_, text) => text.as_bytes().hash(&mut h),
            }
            h.finish()
        };
        let a = actors
            .entry(key.as_bytes().into())
            .or_insert_with(|| Actor {
                levels: vec![None; n],
                first: vec![None; n],
                link: None,
                latest: vec![None; n],
                last: i64::MIN,
                last_line: 0,
                saw_last_step: false,
                last_row: 0,
            });
        if t < a.last && unsorted.is_none() {
            unsorted = Some((line, a.last_line, key.to_owned()));
        }
        if a.last_row == row_hash && t == a.last {
            duplicates += 1;
        }
        a.last_row = row_hash;
        if t >= a.last {
            a.last = t;
            a.last_line = line;
        }
        if matching.contains(&last_step) {
            a.saw_last_step = true;
        }
        advance(a, &matching, t, mode, window_us);
    }
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
            let mut seen: Vec<(&String, &u64)> = names.iter().collect();
            seen.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let listed: Vec<String> = seen
                .iter()
                .take(10)
                .map(|(e, c)| format!("`{e}` ({c})"))
                .collect();
            let hint = crate::suggest::did_you_mean(
                &r.events.join(", "),
                names.keys().map(String::as_str),
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
    let mut counts = vec![0u64; n];
    let mut gaps: Vec<Vec<i64>> = vec![Vec::new(); n];
    let mut outside = 0u64;
    for a in actors.values() {
        for k in 0..n {
            if let Some(t) = a.first[k] {
                counts[k] += 1;
                if k > 0
                    && let Some(before) = a.first[k - 1]
                {
                    gaps[k].push(t - before);
                }
            }
        }
        if a.saw_last_step && a.first[last_step].is_none() {
            outside += 1;
        }
    }
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
        rows,
        duplicates,
    })
}

/// One event of an actor, matching `matching` steps (highest first), at time `t`.
fn advance(a: &mut Actor, matching: &[usize], t: i64, mode: StepOrder, window_us: i64) {
    match mode {
        StepOrder::Sequential => {
            for &k in matching {
                let reached = if k == 0 {
                    Some((t, t))
                } else {
                    a.levels[k - 1]
                        .filter(|(start, prev)| t - start <= window_us && t >= *prev)
                        .map(|(start, _)| (start, t))
                };
                if let Some(level) = reached {
                    a.levels[k] = Some(level);
                    a.first[k].get_or_insert(t);
                }
            }
        }
        StepOrder::Strict => {
            let mut link = None;
            for &k in matching {
                let start = if k == 0 {
                    Some(t)
                } else {
                    a.link
                        .filter(|(level, start)| *level == k - 1 && t - start <= window_us)
                        .map(|(_, start)| start)
                };
                if let Some(start) = start {
                    a.first[k].get_or_insert(t);
                    link = link.or(Some((k, start)));
                }
            }
            a.link = link;
        }
        StepOrder::Any => {
            for &k in matching {
                a.latest[k] = Some(t);
            }
            if matching.is_empty() {
                return;
            }
            let mut earliest = i64::MAX;
            for k in 0..a.latest.len() {
                let Some(at) = a.latest[k] else { break };
                earliest = earliest.min(at);
                if t - earliest > window_us {
                    break;
                }
                a.first[k].get_or_insert(t);
            }
        }
    }
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
