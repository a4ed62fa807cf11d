//! Funnel exports bound to stages: each `analytics:` file read in its tool's format, and each
//! stage's `reach:` found among its steps.
//!
//! Invariants: a stage's reach is a count the export gives for the step the map names; kept,
//! lost and shares are recomputed from counts of the same export; a count that grows from
//! one stage to the next is shown and warned about, never clamped.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Analytics, FunnelFormat, Pos, ReachBinding, Stage};

use super::formats::{self, Choice, Format, Funnel};
use super::reach::{FunnelData, OutsidePath, Reach, ReachFigures, ReachSource, SegmentReach};

/// Export files larger than this are refused: a funnel export is a few kilobytes.
const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// The exports read, by id: the binding, the funnel, and how to name the file in messages.
pub(super) type Exports<'a> = BTreeMap<&'a str, (&'a Analytics, Funnel, String)>;

/// Every export of a map, read; two with one id is an error at the second.
pub(super) fn read_exports<'a>(loaded: &'a Loaded, diags: &mut Vec<Diagnostic>) -> Exports<'a> {
    let mut funnels: Exports = BTreeMap::new();
    for a in &loaded.journey.analytics {
        if funnels.contains_key(a.id.value.as_str()) {
            let msg = format!("two analytics exports have the id `{}`", a.id.value);
            diags.push(loaded.at(Code::DuplicateId, a.id.pos, msg));
            continue;
        }
        if let Some((funnel, shown)) = read_one(loaded, a, diags) {
            funnels.insert(&a.id.value, (a, funnel, shown));
        }
    }
    funnels
}

/// Per export, as stages bind it in map order: the first stage's count, the previous one's
/// count and stage, and the step orders of the first and latest bound stage.
#[derive(Default)]
struct Running<'a> {
    first: BTreeMap<&'a str, u64>,
    previous: BTreeMap<&'a str, (u64, &'a str)>,
    first_step: BTreeMap<&'a str, usize>,
    previous_step: BTreeMap<&'a str, usize>,
}

/// Each stage's `reach:` found in its export, with kept, shares and segments from the stages
/// bound to the same export before it.
pub(super) fn bind_stages(
    loaded: &Loaded,
    funnels: &Exports,
    data: &mut FunnelData,
    diags: &mut Vec<Diagnostic>,
) {
    let mut run = Running::default();
    for (i, st) in loaded.journey.stages.value.iter().enumerate() {
        let Some(b) = &st.reach else { continue };
        let Some((a, funnel, step)) = lookup(loaded, funnels, st, b, diags) else {
            continue;
        };
        let id = b.source.value.as_str();
        let before = run.previous.get(id).copied();
        let reach = reach_at(&mut run, id, a, funnel, step, before.map(|b| b.0));
        if let Some(actors) = funnel.outside_path
            && funnel.steps.last().is_some_and(|s| s.order == step.order)
        {
            data.outside_path.push(OutsidePath {
                source: id.to_owned(),
                stage: st.id.value.clone(),
                actors,
            });
        }
        if let (Some(g), Some((prev, prev_stage))) = (reach.figures.growth, before) {
            let msg = format!(
                "the measured reach grows from stage `{prev_stage}` ({prev}) to `{}` ({}, +{:.1}%): export `{id}` is not a closed, ordered funnel over these steps (an open funnel, or steps bound out of order); the counts are shown as they are",
                st.id.value,
                step.count,
                g * 100.0
            );
            diags.push(loaded.at(Code::ReachGrows, b.step.pos, msg));
        }
        run.previous.insert(id, (step.count, st.id.value.as_str()));
        data.stages[i] = Some(reach);
    }
}

/// The export and step a stage's `reach:` names, or the diagnostic that says which is
/// missing (an export that could not be read is reported already).
fn lookup<'f>(
    loaded: &Loaded,
    funnels: &'f Exports,
    st: &Stage,
    b: &ReachBinding,
    diags: &mut Vec<Diagnostic>,
) -> Option<(&'f Analytics, &'f Funnel, &'f formats::Step)> {
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
            diags.push(loaded.at(Code::StepNotFound, b.source.pos, msg));
        }
        return None;
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
        diags.push(loaded.at(Code::StepNotFound, b.step.pos, msg));
        return None;
    };
    Some((*a, funnel, step))
}

/// A stage's reach at `step` of export `id`: kept from the stage bound before, the share of
/// the first, and the same per segment (`journeymap sql` with `segment_by:` writes segment
/// rows beside the total), each from its own counts.
fn reach_at<'a>(
    run: &mut Running<'a>,
    id: &'a str,
    a: &Analytics,
    funnel: &Funnel,
    step: &formats::Step,
    before: Option<u64>,
) -> Reach {
    let base = *run.first.entry(id).or_insert(step.count);
    let source = ReachSource {
        id: id.to_owned(),
        tool: funnel.tool,
        file: a.file.value.clone(),
        title: funnel.title.clone(),
        unit: funnel.unit,
        date_from: funnel.date_from.clone(),
        date_to: funnel.date_to.clone(),
        segment: funnel.segment.clone(),
        segment_by: funnel.segment_by.clone(),
        window: None,
        order: None,
        step: step.label.clone(),
        step_order: step.order,
    };
    let figures = ReachFigures::new(step.count, before, base, &step.gaps);
    let first_order = *run.first_step.entry(id).or_insert(step.order);
    let before_order = run.previous_step.insert(id, step.order);
    let segments = funnel
        .parts
        .iter()
        .filter_map(|(segment, steps)| {
            let at = |order: usize| steps.iter().find(|s| s.order == order);
            let here = at(step.order)?;
            Some(SegmentReach {
                segment: segment.clone(),
                figures: ReachFigures::new(
                    here.count,
                    before_order.and_then(at).map(|s| s.count),
                    at(first_order).map_or(0, |s| s.count),
                    &here.gaps,
                ),
            })
        })
        .collect();
    // Where actors went is said of a step against the one just before it in the file.
    let paths = match before_order {
        Some(b) if b + 1 == step.order => step.paths.clone(),
        _ => Default::default(),
    };
    Reach {
        figures,
        source,
        segments,
        drivers: Vec::new(),
        next_of_lost: paths.next_of_lost(),
        detours: paths.detours(),
        paths,
        properties: step.properties.clone(),
        min_n: a
            .min_n
            .as_ref()
            .map_or(super::drivers::MIN_N, |n| n.value.get()),
    }
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

/// The bytes of an export, confined and bounded, or the diagnostic at the map's `file:`.
fn export_bytes(
    loaded: &Loaded,
    a: &Analytics,
    path: &std::path::Path,
    shown: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<u8>> {
    let at_map = |diags: &mut Vec<Diagnostic>, code: Code, msg: String| {
        diags.push(loaded.at(code, a.file.pos, msg));
    };
    let bytes = match crate::load::confine::resolve(path, &loaded.confine) {
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
    Some(bytes)
}

/// Read one export: `None` when it cannot be used (reported).
fn read_one(
    loaded: &Loaded,
    a: &Analytics,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Funnel, String)> {
    let path = crate::load::relative_to(&loaded.path, &a.file.value);
    let shown = crate::load::display(&path);
    let bytes = export_bytes(loaded, a, &path, &shown, diags)?;
    let text = String::from_utf8_lossy(&bytes);
    let at_file = |diags: &mut Vec<Diagnostic>, code: Code, p: &formats::Problem| {
        if p.line == 0 {
            let msg = format!("analytics export `{}` ({shown}): {}", a.id.value, p.message);
            diags.push(loaded.at(code, a.file.pos, msg));
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
