//! The improvement loop in a diff: targets judged otherwise (met, missed, unclear, or gone)
//! and effects of shipped solutions that appeared, and how each is said.

use crate::enrich::Context;
use crate::words;

use super::changes::*;
use super::lines::{Lines, Mark, Style};

/// Targets judged otherwise: by stage (journey first) and target, as the new map writes
/// them; one the old map lacks is `none` before, one the new map lacks `none` after.
pub(super) fn targets(c: &mut Changes, old: &Context, new: &Context) {
    let all = |ctx: &Context| -> Vec<(Option<String>, String, String)> {
        let one = |stage: Option<&str>, j: &crate::targets::Judged| {
            let t = crate::targets::Target {
                measure: j.measure,
                op: j.op,
                value: j.value,
                percent: j.percent,
            };
            (
                stage.map(str::to_owned),
                crate::enrich::targets::written(&t),
                crate::words::kebab(&j.status),
            )
        };
        let journey = ctx.targets.iter().map(|j| one(None, j));
        let stages = ctx
            .stages
            .iter()
            .flat_map(|s| s.targets.iter().map(move |j| one(Some(s.name), j)));
        journey.chain(stages).collect()
    };
    let (before, after) = (all(old), all(new));
    let status_in = |list: &[(Option<String>, String, String)], stage: &Option<String>, t: &str| {
        list.iter()
            .find(|(s, w, _)| s == stage && w == t)
            .map_or_else(|| "none".to_owned(), |(_, _, st)| st.clone())
    };
    for (stage, t, now) in &after {
        let was = status_in(&before, stage, t);
        if &was != now {
            c.targets.push(TargetChange {
                stage: stage.clone(),
                target: t.clone(),
                status: Change {
                    old: was,
                    new: now.clone(),
                },
            });
        }
    }
    for (stage, t, was) in &before {
        if status_in(&after, stage, t) == "none" {
            c.targets.push(TargetChange {
                stage: stage.clone(),
                target: t.clone(),
                status: Change {
                    old: was.clone(),
                    new: "none".to_owned(),
                },
            });
        }
    }
}

/// Effects of shipped solutions the old map did not show.
pub(super) fn effects(c: &mut Changes, old: &Context, new: &Context) {
    let shown = |ctx: &Context| -> Vec<(String, String, &'static str)> {
        ctx.stages
            .iter()
            .flat_map(|s| &s.solutions)
            .flat_map(|o| {
                o.effect
                    .iter()
                    .map(|e| (o.solution.id.value.clone(), e.stage.clone(), e.measure))
            })
            .collect()
    };
    let before = shown(old);
    for o in new.stages.iter().flat_map(|s| &s.solutions) {
        for e in &o.effect {
            let key = (o.solution.id.value.clone(), e.stage.clone(), e.measure);
            if !before.contains(&key) {
                c.effects.push(EffectAppeared {
                    solution: o.solution.id.value.clone(),
                    text: o.solution.text.clone(),
                    stage: e.stage_name.clone(),
                    measure: e.measure,
                    delta: e.delta,
                    low: e.low,
                    high: e.high,
                    significant: e.significant,
                });
            }
        }
    }
}

pub(super) fn target_lines(c: &Changes, st: Style) -> Lines {
    c.targets
        .iter()
        .map(|t| {
            let whose = t
                .stage
                .as_deref()
                .map_or_else(|| "the journey".to_owned(), |s| st.text(s));
            let mark = match (t.status.old.as_str(), t.status.new.as_str()) {
                ("none", _) => Mark::Added,
                (_, "none") => Mark::Removed,
                _ => Mark::Changed,
            };
            let text = format!(
                "{whose}: {} {} → {}",
                st.text(&t.target),
                t.status.old,
                t.status.new
            );
            (mark, text)
        })
        .collect()
}

pub(super) fn effect_lines(c: &Changes, st: Style) -> Lines {
    c.effects
        .iter()
        .map(|e| {
            let text = format!(
                "{} ({}): {} {} (95% CI {} to {}), {}",
                st.text(&e.text),
                st.text(&e.stage),
                words::measure_label(e.measure),
                words::delta(e.delta, e.measure),
                words::delta(e.low, e.measure),
                words::delta(e.high, e.measure),
                if e.significant {
                    "a significant change"
                } else {
                    "within noise"
                }
            );
            (Mark::Added, text)
        })
        .collect()
}
