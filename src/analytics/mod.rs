//! Measured reach: funnel exports from analytics tools bound to stages (README: "Measured
//! reach").
//!
//! Invariants: a stage's reach is a count the export gives for the step the map names;
//! kept, lost and shares are recomputed from counts of the same export and never across two
//! exports; a count that grows from one stage to the next is shown and warned about, never
//! clamped; every problem names the file, line and column, or the map line that binds it.

pub mod events;
pub mod formats;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Analytics, FunnelFormat, Pos};
use formats::{Choice, Format, Funnel};

/// Export files larger than this are refused: a funnel export is a few kilobytes.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Where a stage's measured reach comes from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReachSource {
    /// The export's id in the map.
    pub id: String,
    pub tool: &'static str,
    pub file: String,
    /// The report's own title, when the file gives one.
    pub title: Option<String>,
    /// What is counted: users, persons.
    pub unit: &'static str,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    /// The breakdown value or date bucket read.
    pub segment: Option<String>,
    /// The column whose values the reach is also given per (`segments`).
    pub segment_by: Option<String>,
    /// Event logs: the conversion window and the order rule.
    pub window: Option<String>,
    pub order: Option<&'static str>,
    /// The step, as the file writes it, and its position in the funnel.
    pub step: String,
    pub step_order: usize,
}

/// A stage's measured reach.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reach {
    /// Actors that reached at least this step.
    pub count: u64,
    /// From the previous stage bound to the same export: the share kept and lost (0..1),
    /// when the count does not grow; `growth` ((this − previous) ÷ previous) when it does.
    pub kept: Option<f64>,
    pub lost: Option<f64>,
    pub growth: Option<f64>,
    /// The count over that of the first stage bound to the same export (0..1).
    pub share_of_first: Option<f64>,
    /// Median seconds from the stage before, over the actors that reached this one (event
    /// logs only: exports do not give a time journeymap can vouch for).
    pub median_seconds_from_previous: Option<f64>,
    pub source: ReachSource,
    /// The same figures per segment (event logs with `segment_by:`, and `steps` exports with
    /// segment rows beside the total), in the order shown.
    pub segments: Vec<SegmentReach>,
}

/// One segment's reach at a stage: shares from the same segment's counts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SegmentReach {
    pub segment: String,
    pub count: u64,
    pub kept: Option<f64>,
    pub lost: Option<f64>,
    pub growth: Option<f64>,
    pub share_of_first: Option<f64>,
    pub median_seconds_from_previous: Option<f64>,
}

/// Kept (and so lost) and growth from the previous count, and a share of the first.
fn shares(
    count: u64,
    previous: Option<u64>,
    first: u64,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
    let (kept, growth) = match previous {
        None | Some(0) => (None, None),
        Some(p) if count > p => (None, Some((count - p) as f64 / p as f64)),
        Some(p) => (share(count, p), None),
    };
    (kept, growth, share(count, first))
}

impl SegmentReach {
    fn new(
        segment: &str,
        count: u64,
        previous: Option<u64>,
        first: u64,
        median: Option<f64>,
    ) -> SegmentReach {
        let (kept, growth, share_of_first) = shares(count, previous, first);
        SegmentReach {
            segment: segment.to_owned(),
            count,
            kept,
            lost: kept.map(|k| 1.0 - k),
            growth,
            share_of_first,
            median_seconds_from_previous: median,
        }
    }
}

impl Reach {
    /// A stage's reach from its count, the count of the previous stage bound to the same
    /// source (if any) and that of the first: kept and lost when the count does not grow,
    /// growth when it does, no share from a count of 0.
    fn new(
        count: u64,
        previous: Option<u64>,
        first: u64,
        median: Option<f64>,
        source: ReachSource,
    ) -> Reach {
        let (kept, growth, share_of_first) = shares(count, previous, first);
        Reach {
            count,
            kept,
            lost: kept.map(|k| 1.0 - k),
            growth,
            share_of_first,
            median_seconds_from_previous: median,
            source,
            segments: Vec::new(),
        }
    }
}

/// Actors who did a log's last stage event without reaching it along the ordered path
/// (a log that starts mid-journey, or steps skipped).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutsidePath {
    pub source: String,
    pub stage: String,
    pub actors: u64,
}

/// The reach of every stage (in map order), and the exports read.
#[derive(Debug, Clone, Default)]
pub struct FunnelData {
    pub stages: Vec<Option<Reach>>,
    pub outside_path: Vec<OutsidePath>,
}

fn format_of(f: FunnelFormat) -> Format {
    match f {
        FunnelFormat::Ga4 => Format::Ga4,
        FunnelFormat::Posthog => Format::Posthog,
        FunnelFormat::Amplitude => Format::Amplitude,
        FunnelFormat::Mixpanel => Format::Mixpanel,
        FunnelFormat::Steps => Format::Steps,
    }
}

/// Read every export of a map and bind its stages.
pub fn read_all(loaded: &Loaded) -> (FunnelData, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut funnels: BTreeMap<&str, (&Analytics, Funnel, String)> = BTreeMap::new();
    for a in &loaded.journey.analytics {
        if funnels.contains_key(a.id.value.as_str()) {
            let msg = format!("two analytics exports have the id `{}`", a.id.value);
            diags.push(Diagnostic::new(
                Code::DuplicateId,
                &loaded.file,
                a.id.pos,
                msg,
            ));
            continue;
        }
        if let Some((funnel, shown)) = read_one(loaded, a, &mut diags) {
            funnels.insert(&a.id.value, (a, funnel, shown));
        }
    }
    let stages = &loaded.journey.stages.value;
    let mut data = FunnelData {
        stages: vec![None; stages.len()],
        outside_path: Vec::new(),
    };
    // Per export: the first stage's count and the previous one's, for shares.
    let mut first: BTreeMap<&str, u64> = BTreeMap::new();
    let mut previous: BTreeMap<&str, (u64, &str)> = BTreeMap::new();
    // Per export: the step order of its first and latest bound stage.
    let mut first_step: BTreeMap<&str, usize> = BTreeMap::new();
    let mut previous_step: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, st) in stages.iter().enumerate() {
        let Some(b) = &st.reach else { continue };
        let id = b.source.value.as_str();
        let Some((a, funnel, shown)) = funnels.get(id) else {
            if !loaded.journey.analytics.iter().any(|a| a.id.value == id) {
                let hint = crate::suggest::did_you_mean(
                    id,
                    loaded.journey.analytics.iter().map(|a| a.id.value.as_str()),
                );
                let msg = format!(
                    "stage `{}` takes its reach from `{id}`, which is not one of the map's `analytics:` exports{hint}",
                    st.id.value
                );
                diags.push(Diagnostic::new(
                    Code::StepNotFound,
                    &loaded.file,
                    b.source.pos,
                    msg,
                ));
            }
            continue; // an export that could not be read is reported already
        };
        let Some(step) = find_step(funnel, &b.step.value.0) else {
            let labels: Vec<String> = funnel
                .steps
                .iter()
                .map(|s| format!("{} `{}`", s.order, s.label))
                .collect();
            let hint = crate::suggest::did_you_mean(
                b.step.value.0.trim(),
                funnel.steps.iter().map(|s| s.name.as_str()),
            );
            let msg = format!(
                "export `{id}` ({shown}) has no step `{}`; its steps are {}{hint}",
                b.step.value.0,
                labels.join(", ")
            );
            diags.push(Diagnostic::new(
                Code::StepNotFound,
                &loaded.file,
                b.step.pos,
                msg,
            ));
            continue;
        };
        let base = *first.entry(id).or_insert(step.count);
        let before = previous.get(id).copied();
        let source = ReachSource {
            id: id.to_owned(),
            tool: funnel.tool,
            file: a.file.value.clone(),
            title: funnel.title.clone(),
            unit: funnel.unit,
            date_from: funnel.date_from.clone(),
            date_to: funnel.date_to.clone(),
            segment: funnel.segment.clone(),
            segment_by: None,
            window: None,
            order: None,
            step: step.label.clone(),
            step_order: step.order,
        };
        let mut reach = Reach::new(
            step.count,
            before.map(|b| b.0),
            base,
            step.median_seconds,
            source,
        );
        // Segments beside the total (`journeymap sql` with `segment_by:`), each from its own
        // counts at the steps bound before.
        let first_order = *first_step.entry(id).or_insert(step.order);
        let before_order = previous_step.insert(id, step.order);
        reach.segments = funnel
            .parts
            .iter()
            .filter_map(|(segment, steps)| {
                let at = |order: usize| steps.iter().find(|s| s.order == order);
                let here = at(step.order)?;
                Some(SegmentReach::new(
                    segment,
                    here.count,
                    before_order.and_then(at).map(|s| s.count),
                    at(first_order).map_or(0, |s| s.count),
                    here.median_seconds,
                ))
            })
            .collect();
        if let Some(actors) = funnel.outside_path
            && funnel.steps.last().is_some_and(|s| s.order == step.order)
        {
            data.outside_path.push(OutsidePath {
                source: id.to_owned(),
                stage: st.id.value.clone(),
                actors,
            });
        }
        if let (Some(g), Some((prev, prev_stage))) = (reach.growth, before) {
            let msg = format!(
                "the measured reach grows from stage `{prev_stage}` ({prev}) to `{}` ({}, +{:.1}%): export `{id}` is not a closed, ordered funnel over these steps (an open funnel, or steps bound out of order); the counts are shown as they are",
                st.id.value,
                step.count,
                g * 100.0
            );
            diags.push(Diagnostic::new(
                Code::ReachGrows,
                &loaded.file,
                b.step.pos,
                msg,
            ));
        }
        previous.insert(id, (step.count, st.id.value.as_str()));
        data.stages[i] = Some(reach);
    }
    read_logs(loaded, &mut data, &mut diags);
    (data, diags)
}

/// A log without a `file:` is counted in the warehouse (`journeymap sql`); its result comes
/// back through `analytics:` and a stage's `reach:`. Say so for each stage that has none, and
/// refuse a log that names neither a file nor a table.
fn warehouse_only(loaded: &Loaded, log: &crate::model::EventLog, diags: &mut Vec<Diagnostic>) {
    if log.table.is_none() {
        let msg = format!(
            "event log `{}` names neither a `file:` (counted here) nor a `table:` (counted in the warehouse by `journeymap sql`); add one",
            log.id.value
        );
        diags.push(Diagnostic::new(
            Code::EventLog,
            &loaded.file,
            log.id.pos,
            msg,
        ));
        return;
    }
    // What the warehouse SQL needs of the binding is checked here too: a log counted
    // elsewhere is no less wrong for that.
    if let Err(p) = events::columns(log) {
        diags.push(Diagnostic::new(
            Code::EventLog,
            &loaded.file,
            p.pos.unwrap_or(log.id.pos),
            p.message,
        ));
    }
    for (key, _) in &log.steps.0 {
        let stage = match log_stage(loaded, log, key) {
            Ok(i) => &loaded.journey.stages.value[i],
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        if stage.reach.is_none() {
            let msg = format!(
                "stage `{}` is bound to event log `{}`, which has only a `table:`: run `journeymap sql` in the warehouse, save the result as CSV, bind it under `analytics:` and give the stage `reach: {{source: <that id>, step: {}}}`",
                key.value, log.id.value, key.value
            );
            diags.push(Diagnostic::new(
                Code::WarehouseOnly,
                &loaded.file,
                key.pos,
                msg,
            ));
        }
    }
}

/// The stage a log's step names, or why not (with the closest id).
pub fn log_stage(
    loaded: &Loaded,
    log: &crate::model::EventLog,
    key: &crate::model::Spanned<String>,
) -> Result<usize, Box<Diagnostic>> {
    let stages = &loaded.journey.stages.value;
    stages
        .iter()
        .position(|s| s.id.value == key.value)
        .ok_or_else(|| {
            let hint = crate::suggest::did_you_mean(
                &key.value,
                stages.iter().map(|s| s.id.value.as_str()),
            );
            let msg = format!(
                "event log `{}` binds stage `{}`, which the map lacks{hint}",
                log.id.value, key.value
            );
            Box::new(Diagnostic::new(
                Code::SurveyUnknownStage,
                &loaded.file,
                key.pos,
                msg,
            ))
        })
}

/// Reach from the map's event logs: each log's stages, in map order.
fn read_logs(loaded: &Loaded, data: &mut FunnelData, diags: &mut Vec<Diagnostic>) {
    let stages = &loaded.journey.stages.value;
    let ids: Vec<String> = stages.iter().map(|s| s.id.value.clone()).collect();
    for log in &loaded.journey.events {
        let Some(file) = &log.file else {
            warehouse_only(loaded, log, diags);
            continue;
        };
        let mut steps = Vec::new();
        for (key, m) in &log.steps.0 {
            let i = match log_stage(loaded, log, key) {
                Ok(i) => i,
                Err(d) => {
                    diags.push(*d);
                    continue;
                }
            };
            if stages[i].reach.is_some() || data.stages[i].is_some() {
                let msg = format!(
                    "stage `{}` takes its reach from two sources; keep one",
                    key.value
                );
                diags.push(Diagnostic::new(
                    Code::StepNotFound,
                    &loaded.file,
                    key.pos,
                    msg,
                ));
                continue;
            }
            steps.push((i, m, key.pos));
        }
        steps.sort_by_key(|s| s.0);
        let path = crate::load::relative_to(&loaded.path, &file.value);
        let shown = crate::load::display(&path);
        if let Err(refusal) = crate::load::confine::resolve(&path, &loaded.confine) {
            let (code, msg) = refusal.said(
                &format!("event log `{}`: file", log.id.value),
                &format!("event log {shown}"),
            );
            diags.push(Diagnostic::new(code, &loaded.file, file.pos, msg));
            continue;
        }
        let binding = events::Binding { log, steps };
        match events::run(&path, &binding, &ids) {
            Ok(result) => place_log(log, &result, &ids, data),
            Err(problems) => {
                for p in problems {
                    let code = match p.kind {
                        events::Kind::Binding => Code::EventLog,
                        events::Kind::Budget => Code::OverBudget,
                        events::Kind::Time => Code::EventTime,
                        events::Kind::Unsorted => Code::EventsUnsorted,
                        events::Kind::StepUnused => Code::StepEventUnused,
                    };
                    let d = match (p.line, p.pos) {
                        (0, pos) => {
                            Diagnostic::new(code, &loaded.file, pos.unwrap_or(file.pos), p.message)
                        }
                        (line, _) => Diagnostic::new(
                            code,
                            &shown,
                            Pos {
                                line: usize::try_from(line).unwrap_or(usize::MAX),
                                col: p.col.max(1),
                            },
                            p.message,
                        ),
                    };
                    diags.push(d);
                }
            }
        }
    }
}

/// A log's counts put on its stages, with kept, lost and shares from its own counts.
fn place_log(
    log: &crate::model::EventLog,
    r: &events::LogResult,
    ids: &[String],
    data: &mut FunnelData,
) {
    let first = r.steps.first().map_or(0, |s| s.actors);
    let mut previous: Option<u64> = None;
    for (k, s) in r.steps.iter().enumerate() {
        let source = ReachSource {
            id: log.id.value.clone(),
            tool: r.tool,
            file: log
                .file
                .as_ref()
                .map_or_else(String::new, |f| f.value.clone()),
            title: None,
            unit: r.unit,
            date_from: r.date_from.clone(),
            date_to: r.date_to.clone(),
            segment: None,
            segment_by: log.segment_by.as_ref().map(|b| b.value.clone()),
            window: Some(r.window.clone()),
            order: Some(r.order),
            step: s.events.clone(),
            step_order: k + 1,
        };
        let mut reach = Reach::new(s.actors, previous, first, s.median_seconds, source);
        reach.segments = r
            .segments
            .iter()
            .map(|seg| {
                let (count, median) = seg.steps[k];
                let before = k.checked_sub(1).map(|j| seg.steps[j].0);
                SegmentReach::new(&seg.label, count, before, seg.steps[0].0, median)
            })
            .collect();
        data.stages[s.stage] = Some(reach);
        previous = Some(s.actors);
    }
    if let Some(last) = r.steps.last() {
        data.outside_path.push(OutsidePath {
            source: log.id.value.clone(),
            stage: ids[last.stage].clone(),
            actors: r.outside_path,
        });
    }
}

/// The step a binding names: its label as written, its name without `N. `, or its number.
fn find_step<'f>(funnel: &'f Funnel, wanted: &str) -> Option<&'f formats::Step> {
    let w = wanted.trim();
    funnel
        .steps
        .iter()
        .find(|s| s.label == w)
        .or_else(|| {
            funnel
                .steps
                .iter()
                .find(|s| crate::words::same_name(&s.name, w))
        })
        .or_else(|| {
            funnel
                .steps
                .iter()
                .find(|s| crate::words::same_name(&s.label, w))
        })
        .or_else(|| {
            let n: usize = w.parse().ok()?;
            funnel.steps.iter().find(|s| s.order == n)
        })
}

/// Read one export: `None` when it cannot be used (reported).
fn read_one(
    loaded: &Loaded,
    a: &Analytics,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Funnel, String)> {
    let path = crate::load::relative_to(&loaded.path, &a.file.value);
    let shown = crate::load::display(&path);
    let at_map = |diags: &mut Vec<Diagnostic>, code: Code, msg: String| {
        diags.push(Diagnostic::new(code, &loaded.file, a.file.pos, msg));
    };
    let bytes = match crate::load::confine::resolve(&path, &loaded.confine) {
        Err(crate::load::confine::Refusal::Refused(why)) => {
            at_map(
                diags,
                Code::OutsideRoot,
                format!("analytics export `{}`: file {why}", a.id.value),
            );
            return None;
        }
        Err(crate::load::confine::Refusal::Unreadable(why)) => Err(why),
        Ok(real) => match crate::load::read_limited(&real, MAX_BYTES) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(format!(
                "it is over the {} MiB a funnel export can be",
                MAX_BYTES / (1024 * 1024)
            )),
            Err(e) => Err(crate::load::io_reason(&e)),
        },
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(why) => {
            at_map(
                diags,
                Code::Unreadable,
                format!("cannot read analytics export {shown}: {why}"),
            );
            return None;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let at_file = |diags: &mut Vec<Diagnostic>, code: Code, p: &formats::Problem| {
        if p.line == 0 {
            let msg = format!("analytics export `{}` ({shown}): {}", a.id.value, p.message);
            diags.push(Diagnostic::new(code, &loaded.file, a.file.pos, msg));
        } else {
            let pos = Pos {
                line: usize::try_from(p.line).unwrap_or(usize::MAX),
                col: p.col.max(1),
            };
            diags.push(Diagnostic::new(code, &shown, pos, p.message.clone()));
        }
    };
    let format = match &a.format {
        Some(f) => format_of(f.value),
        None => match formats::detect(&text) {
            Ok(f) => f,
            Err(p) => {
                at_file(diags, Code::FunnelExport, &p);
                return None;
            }
        },
    };
    let choice = Choice {
        segment: a.segment.as_ref().map(|s| s.value.0.as_str()),
        bucket: a.bucket.as_ref().map(|b| b.value.0.as_str()),
    };
    match formats::read(&text, format, &choice) {
        Ok(funnel) => {
            for w in &funnel.warnings {
                at_file(diags, Code::RateDisagrees, w);
            }
            Some((funnel, shown))
        }
        Err(problems) => {
            for p in &problems {
                let code = if p.count {
                    Code::FunnelCount
                } else {
                    Code::FunnelExport
                };
                at_file(diags, code, p);
            }
            None
        }
    }
}
