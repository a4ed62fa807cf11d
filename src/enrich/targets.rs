//! The targets of a map and of its stages judged against the figures in the context, and
//! what `validate` says of them once the figures are known: a target on a figure the stage
//! does not have, or off its scale, is an error; a missed target is a warning at its line.
//!
//! Invariants: judged from the same figures the page shows (the latest wave's where there
//! are waves); a target the map writes wrongly is left to `validate`, never guessed at.

use std::collections::BTreeMap;

use super::{Context, StageCtx};
use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Pairs, Scalar, Spanned};
use crate::survey::measure::Figure;
use crate::targets::{Judged, Status, Target};

/// A figure a target can be judged against: value, 95% interval, answers, scale.
struct Against {
    value: f64,
    low: f64,
    high: f64,
    n: Option<u64>,
    scale: Option<[f64; 2]>,
    /// A score shown as the share (percent) that answered yes.
    share: bool,
}

fn figure(f: &Figure) -> Against {
    Against {
        value: f.value,
        low: f.low,
        high: f.high,
        n: Some(f.n),
        scale: Some(f.scale),
        share: f.yes.is_some(),
    }
}

/// The figure a target names: a survey measure or sentiment of `metrics`, or the reach kept
/// from the stage before (exact: counts of actors, not a sample).
fn against(
    measure: &str,
    metrics: &BTreeMap<&'static str, Figure>,
    sentiment: Option<&Figure>,
    stage: Option<&StageCtx>,
) -> Option<Against> {
    match measure {
        "kept" => {
            let kept = stage?.reach?.figures.kept?;
            Some(Against {
                value: kept,
                low: kept,
                high: kept,
                n: None,
                scale: None,
                share: false,
            })
        }
        "sentiment" => metrics.get("sentiment").or(sentiment).map(figure),
        m => metrics.get(m).map(figure),
    }
}

/// The targets a map writes that read as targets, each with where it is written.
fn read(targets: &Pairs<Spanned<Scalar>>) -> Vec<(Target, &Spanned<Scalar>)> {
    targets
        .0
        .iter()
        .filter_map(|(k, v)| Some((crate::targets::parse(&k.value, &v.value.0).ok()?, v)))
        .collect()
}

/// Judged targets of a stage (or, with `stage` none, of the journey): those whose figure
/// exists and lies on the scale the target is written for.
pub(super) fn judged(
    targets: &Pairs<Spanned<Scalar>>,
    metrics: &BTreeMap<&'static str, Figure>,
    sentiment: Option<&Figure>,
    stage: Option<&StageCtx>,
) -> Vec<Judged> {
    read(targets)
        .into_iter()
        .filter_map(|(t, _)| {
            let a = against(t.measure, metrics, sentiment, stage)?;
            off_scale(&t, &a)
                .is_none()
                .then(|| crate::targets::judge(&t, a.value, a.low, a.high, a.n))
        })
        .collect()
}

/// A mean's target off the mean's own scale (CES on 1..7, a score on its `scale:`), or a
/// score's target written as a percentage when the score is a mean, or the other way round.
fn off_scale(t: &Target, a: &Against) -> Option<String> {
    match (t.measure, a.share, t.percent) {
        ("score", true, false) => {
            // `>= 0.5` meant as a share, or `>= 50` meant as a percentage: either way, 50%.
            let pct = if t.value <= 1.0 {
                t.value * 100.0
            } else {
                t.value
            };
            return Some(format!(
                "this score is shown as the share of answers that said yes; write its target as a percentage, `{} {}%`",
                t.op.text(),
                crate::words::number(pct, 1)
            ));
        }
        ("score", false, true) => {
            return Some(
                "this score is a mean, not a share; write its target on the score's scale, without `%`".to_owned(),
            );
        }
        ("score", true, true) => return None,
        _ => {}
    }
    let [lo, hi] = a.scale.filter(|_| matches!(t.measure, "ces" | "score"))?;
    (!(lo..=hi).contains(&t.value)).then(|| {
        format!(
            "the {} target {} {} is off its scale {lo}..{hi}; no figure can meet or miss it",
            t.measure,
            t.op.text(),
            t.value
        )
    })
}

/// What `validate` says of the targets once the figures are known.
pub fn diagnostics(loaded: &Loaded, ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let j = &loaded.journey;
    let mut judge = |targets: &Pairs<Spanned<Scalar>>,
                     metrics: &BTreeMap<&'static str, Figure>,
                     stage: Option<&StageCtx>,
                     whose: String| {
        for (t, at) in read(targets) {
            let Some(a) = against(t.measure, metrics, ctx.said.sentiment.as_ref(), stage) else {
                let why = if t.measure == "kept" {
                    "no measured reach kept from a stage before it (bind `reach:` on it and the stage before)"
                } else {
                    "no survey binds that measure to it"
                };
                out.push(loaded.at(
                    Code::BadTarget,
                    at.pos,
                    format!(
                        "{whose} has no {} figure to judge the target by: {why}",
                        t.measure
                    ),
                ));
                continue;
            };
            if let Some(why) = off_scale(&t, &a) {
                out.push(loaded.at(Code::BadTarget, at.pos, why));
                continue;
            }
            let judged = crate::targets::judge(&t, a.value, a.low, a.high, a.n);
            if judged.status == Status::Missed {
                out.push(loaded.at(
                    Code::TargetMissed,
                    at.pos,
                    format!(
                        "{whose} misses its target {}: {}",
                        written(&t),
                        reading(&judged)
                    ),
                ));
            }
        }
    };
    judge(&j.targets, &ctx.metrics, None, "the journey".to_owned());
    for (st, sc) in j.stages.value.iter().zip(&ctx.stages) {
        judge(
            &st.targets,
            &sc.metrics,
            Some(sc),
            format!("stage `{}`", st.id.value),
        );
    }
    out
}

/// `csat >= 70%`, as a reader would write it.
pub fn written(t: &Target) -> String {
    format!(
        "{} {} {}",
        t.measure,
        t.op.text(),
        value_as(t.measure, t.value, t.percent)
    )
}

/// `x` in the target's unit: a percentage for CSAT (percent points), `kept` and a score's
/// yes-share (shares).
fn value_as(measure: &str, x: f64, percent: bool) -> String {
    match measure {
        "csat" => format!("{}%", crate::words::number(x, 1)),
        "kept" => format!("{}%", crate::words::number(x * 100.0, 1)),
        _ if percent => format!("{}%", crate::words::number(x * 100.0, 1)),
        _ => crate::words::number(x, 2),
    }
}

/// The figure and its interval, in the target's unit: `52.1% (95% interval 46% to 58.2%)`.
pub fn reading(j: &Judged) -> String {
    let v = |x: f64| value_as(j.measure, x, j.percent);
    if j.n.is_none() {
        return format!("{} measured", v(j.figure));
    }
    format!(
        "{} (95% interval {} to {})",
        v(j.figure),
        v(j.low),
        v(j.high)
    )
}

/// The targets of a map counted: what "At a glance" and the portfolio index say.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Tally {
    pub met: usize,
    pub unclear: usize,
    /// The missed ones, where they are: the journey's first, then by stage.
    pub missed: Vec<MissedAt>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MissedAt {
    /// None for a journey-level target.
    pub stage: Option<String>,
    pub stage_name: Option<String>,
    pub target: Judged,
}

pub(super) fn tally(journey: &[Judged], stages: &[StageCtx]) -> Tally {
    let mut t = Tally::default();
    let all = journey.iter().map(|j| (None, j)).chain(
        stages
            .iter()
            .flat_map(|s| s.targets.iter().map(move |j| (Some(s), j))),
    );
    for (stage, j) in all {
        match j.status {
            Status::Met => t.met += 1,
            Status::Unclear => t.unclear += 1,
            Status::Missed => t.missed.push(MissedAt {
                stage: stage.map(|s| s.id.to_owned()),
                stage_name: stage.map(|s| s.name.to_owned()),
                target: j.clone(),
            }),
        }
    }
    t
}
