//! Event logs bound to stages: counted here (`events`), or in the warehouse (`journeymap sql`)
//! when the binding names a table, their result then read back as an export.
//!
//! Invariants: a stage takes its reach from one source; every problem of a log is said at its
//! line in the log or at the binding.

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::Pos;

use super::events;
use super::reach::{FunnelData, OutsidePath, Reach, ReachFigures, ReachSource, SegmentReach};

/// A log without a `file:` is counted in the warehouse (`journeymap sql`); its result comes
/// back through `analytics:` and a stage's `reach:`. Say so for each stage that has none, and
/// refuse a log that names neither a file nor a table.
fn warehouse_only(loaded: &Loaded, log: &crate::model::EventLog, diags: &mut Vec<Diagnostic>) {
    if log.table.is_none() {
        let msg = format!(
            "event log `{}` names neither a `file:` (counted here) nor a `table:` (counted in the warehouse by `journeymap sql`); add one",
            log.id.value
        );
        diags.push(loaded.at(Code::EventLog, log.id.pos, msg));
        return;
    }
    // What the warehouse SQL needs of the binding is checked here too: a log counted
    // elsewhere is no less wrong for that.
    if let Err(p) = events::columns(log) {
        diags.push(loaded.at(Code::EventLog, p.pos.unwrap_or(log.id.pos), p.message));
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
            diags.push(loaded.at(Code::WarehouseOnly, key.pos, msg));
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
            Box::new(loaded.at(Code::SurveyUnknownStage, key.pos, msg))
        })
}

/// Reach from the map's event logs: each log's stages, in map order.
pub(super) fn read_logs(loaded: &Loaded, data: &mut FunnelData, diags: &mut Vec<Diagnostic>) {
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
                diags.push(loaded.at(Code::StepNotFound, key.pos, msg));
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
            diags.push(loaded.at(code, file.pos, msg));
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
                        (0, pos) => loaded.at(code, pos.unwrap_or(file.pos), p.message),
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
        let segments = r
            .segments
            .iter()
            .map(|seg| {
                let (count, gaps) = &seg.steps[k];
                let before = k.checked_sub(1).map(|j| seg.steps[j].0);
                SegmentReach {
                    segment: seg.label.clone(),
                    figures: ReachFigures::new(*count, before, seg.steps[0].0, gaps),
                }
            })
            .collect();
        data.stages[s.stage] = Some(Reach {
            figures: ReachFigures::new(s.actors, previous, first, &s.gaps),
            source,
            segments,
            drivers: Vec::new(),
            next_of_lost: s.paths.next_of_lost(),
            detours: s.paths.detours(),
            paths: s.paths.clone(),
            properties: s.properties.clone(),
            min_n: log
                .min_n
                .as_ref()
                .map_or(super::drivers::MIN_N, |n| n.value.get()),
        });
        previous = Some(s.actors);
    }
    data.entries.push(super::reach::LogEntries {
        stages: r.steps.iter().map(|s| s.stage).collect(),
        unit: r.unit,
        by_day: r.by_entry_day.clone(),
    });
    if let Some(last) = r.steps.last() {
        data.outside_path.push(OutsidePath {
            source: log.id.value.clone(),
            stage: ids[last.stage].clone(),
            actors: r.outside_path,
        });
    }
}
