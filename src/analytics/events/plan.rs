//! Before a log is read: the binding checked, the file opened (CSV with a header, or JSON
//! lines), each column the binding names found in it, each step's rule made.
//!
//! Invariants: every problem with the binding is found before a row is read, and all of them
//! are said at once (a column missing from the header with a did-you-mean); one line of the
//! file may hold at most what a survey's may.

use std::collections::HashMap;
use std::path::Path;

use crate::model::{EventLog, Pos, StepOrder};
use crate::survey::input::LineGuard;

use super::columns::{Columns, columns};
use super::model::{Binding, MAX_STEPS, Problem, bad};
use super::rows::{Field, StepRule};
use super::time::Epoch;

type Reader = std::io::BufReader<LineGuard<std::fs::File>>;

/// Where the rows come from.
pub(super) enum Source {
    Csv(csv::Reader<Reader>),
    Lines(std::io::Lines<Reader>),
}

/// Event name → rows seen, the steps it may mean, its number; names no step binds are kept
/// up to `MAX_NAMES`, to list them when a step matches nothing.
pub(super) type Names = HashMap<Box<[u8]>, Name, foldhash::fast::RandomState>;

/// What is known of an event name.
pub(super) struct Name {
    pub(super) rows: u64,
    /// The steps it may mean.
    pub(super) mask: u64,
    /// Its number, in order of first appearance in the log (`OTHER_NAME` until it appears).
    pub(super) id: u32,
}

/// Segment values, numbered as first seen (the listed ones first, and only those when
/// `segments:` lists them).
pub(super) struct Segments {
    pub(super) ids: HashMap<Box<[u8]>, u32>,
    pub(super) names: Vec<Box<[u8]>>,
    pub(super) listed: bool,
}

/// A log ready to be read.
pub(super) struct Plan<'b> {
    pub(super) binding: &'b Binding<'b>,
    pub(super) log: &'b EventLog,
    pub(super) tool: &'static str,
    pub(super) window_text: String,
    pub(super) window_us: i64,
    pub(super) mode: StepOrder,
    pub(super) by_session: bool,
    pub(super) file_pos: Pos,
    /// How epochs are written, when the binding declares it.
    pub(super) epoch: Option<Epoch>,
    pub(super) source: Source,
    pub(super) event_f: Field,
    pub(super) time_f: Field,
    pub(super) time_name: String,
    /// The time column, for messages (1 for a JSON line).
    pub(super) time_col: usize,
    /// The actor's field, or the session's with `by: session`.
    pub(super) key_f: Field,
    pub(super) segment_f: Option<Field>,
    /// The `properties:` columns.
    pub(super) props: super::props::Reader,
    pub(super) rules: Vec<StepRule>,
    pub(super) names: Names,
    pub(super) segments: Segments,
}

impl<'b> Plan<'b> {
    pub(super) fn new(path: &Path, binding: &'b Binding<'b>) -> Result<Plan<'b>, Vec<Problem>> {
        let log = binding.log;
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
        check_steps(binding)?;
        let file_pos = log.file.as_ref().map_or(log.id.pos, |f| f.pos);
        let (source, header) = open(path, file_pos)?;
        let mut find = Find {
            header: header.as_deref(),
            file_pos,
            problems: Vec::new(),
        };
        let actor_f = find.field(&actor_name, actor_pos, "actor");
        let event_f = find.field(&event_name, event_pos, "event");
        let time_f = find.field(&time_name, time_pos, "time");
        let session_f = session
            .as_ref()
            .and_then(|(n, p)| find.field(n, *p, "session"));
        let segment_f = segment_field(log, &mut find)?;
        let props = property_fields(log, &mut find);
        let rules = rules(binding, &mut find);
        let (Some(actor_f), Some(event_f), Some(time_f)) = (actor_f, event_f, time_f) else {
            return Err(find.problems);
        };
        if (session.is_some() && session_f.is_none()) || !find.problems.is_empty() {
            return Err(find.problems);
        }
        let time_col = match &time_f {
            Field::Col(i) => i + 1,
            Field::Path(_) => 1,
        };
        Ok(Plan {
            binding,
            log,
            tool,
            window_text,
            window_us,
            mode,
            by_session: session.is_some(),
            file_pos,
            epoch: unit.map(Epoch::Declared),
            source,
            event_f,
            time_f,
            time_name,
            time_col,
            key_f: session_f.unwrap_or(actor_f),
            segment_f,
            props: super::props::Reader::new(props),
            names: names(&rules),
            rules,
            segments: segments(log),
        })
    }
}

/// A log binds at least one stage and at most [`MAX_STEPS`].
fn check_steps(binding: &Binding) -> Result<(), Vec<Problem>> {
    let log = binding.log;
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
    Ok(())
}

/// The file, as CSV with its header or as JSON lines (`.ndjson`, `.jsonl`).
fn open(path: &Path, file_pos: Pos) -> Result<(Source, Option<Vec<String>>), Vec<Problem>> {
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
    if json {
        return Ok((Source::Lines(std::io::BufRead::lines(reader)), None));
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(reader);
    let header = r
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
    Ok((Source::Csv(r), Some(header)))
}

/// Finds the columns a binding names in the header (a JSON line's key: a dotted path),
/// keeping every one it cannot find as a problem.
struct Find<'h> {
    header: Option<&'h [String]>,
    file_pos: Pos,
    problems: Vec<Problem>,
}

impl Find<'_> {
    fn field(&mut self, name: &str, pos: Option<Pos>, what: &str) -> Option<Field> {
        let Some(h) = self.header else {
            return Some(Field::Path(name.split('.').map(str::to_owned).collect()));
        };
        if let Some(i) = h.iter().position(|c| c == name) {
            return Some(Field::Col(i));
        }
        let hint = crate::suggest::did_you_mean(name, h.iter().map(String::as_str));
        self.problems.push(bad(
            format!("the {what} column `{name}` is not in the event log's header{hint}"),
            pos.or(Some(self.file_pos)),
        ));
        None
    }
}

/// The `segment_by:` column, if any; `segments:` without it is an error of its own.
fn segment_field(log: &EventLog, find: &mut Find) -> Result<Option<Field>, Vec<Problem>> {
    let segment_f = log
        .segment_by
        .as_ref()
        .map(|by| find.field(&by.value, Some(by.pos), "segment"));
    if matches!(segment_f, Some(None)) {
        return Err(std::mem::take(&mut find.problems));
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
    Ok(segment_f)
}

/// The `properties:` columns: each in the header, at most `MAX_PROPERTIES`, none twice and
/// none the `segment_by:` column (whose values are judged already).
fn property_fields(log: &EventLog, find: &mut Find) -> Vec<(String, Field)> {
    use super::props::MAX_PROPERTIES;
    let mut out: Vec<(String, Field)> = Vec::new();
    for (i, p) in log.properties.iter().enumerate() {
        let name = p.value.trim();
        let twice = out.iter().any(|(n, _)| n == name);
        let segment = log
            .segment_by
            .as_ref()
            .is_some_and(|b| b.value.trim() == name);
        let why = if i >= MAX_PROPERTIES {
            format!(
                "event log `{}` judges at most {MAX_PROPERTIES} `properties:`; keep the ones that matter",
                log.id.value
            )
        } else if twice {
            format!("property `{name}` is listed twice; keep one")
        } else if segment {
            format!(
                "property `{name}` is the `segment_by:` column, whose values are judged already; remove it from `properties:`"
            )
        } else {
            if let Some(f) = find.field(name, Some(p.pos), "property") {
                out.push((name.to_owned(), f));
            }
            continue;
        };
        find.problems.push(bad(why, Some(p.pos)));
    }
    out
}

/// Each step's events and `where:` values, trimmed, in map order.
fn rules(binding: &Binding, find: &mut Find) -> Vec<StepRule> {
    let mut rules = Vec::new();
    for (stage, m, _) in &binding.steps {
        let mut filters = Vec::new();
        for (col, want) in m.filter() {
            if let Some(f) = find.field(&col.value, Some(col.pos), "`where:`") {
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
    rules
}

/// The event names the steps bind, each with the steps it may mean.
fn names(rules: &[StepRule]) -> Names {
    let mut names = Names::default();
    for (k, r) in rules.iter().enumerate() {
        for e in &r.events {
            names
                .entry(e.as_bytes().into())
                .or_insert(Name {
                    rows: 0,
                    mask: 0,
                    id: super::paths::OTHER_NAME,
                })
                .mask |= 1 << k;
        }
    }
    names
}

/// The listed segments, numbered first.
fn segments(log: &EventLog) -> Segments {
    let mut out = Segments {
        ids: HashMap::new(),
        names: Vec::new(),
        listed: !log.segments.is_empty(),
    };
    for seg in &log.segments {
        let name: Box<[u8]> = seg.value.trim().as_bytes().into();
        if !out.ids.contains_key(&name) {
            out.ids.insert(name.clone(), out.names.len() as u32);
            out.names.push(name);
        }
    }
    out
}
