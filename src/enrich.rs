//! Enrich: a validated map becomes the render context, the only thing templates see and
//! exactly what `-f json` prints (SPEC section 3).
//!
//! Invariants: the map's fields appear as written (the emotion shorthand `1` is normalised to
//! `{score: 1}`); everything computed is added beside them, never in place of them; numbers
//! stay unrounded here (templates round for people); iteration follows document order.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::load::Loaded;
use crate::model::{
    Effort, Emotion, Funnel, Impact, Journey, Kind, Link, PainPoint, Persona, Severity, Solution,
    Stage, Status, Survey, Touchpoint,
};
use crate::survey::measure::Figure;
use crate::survey::{Summary, SurveyData, Verbatim};

/// The formula printed with every backlog.
pub const BACKLOG_FORMULA: &str = "priority = (sum of the severity weights of the pain points addressed: low 1, medium 2, high 3, critical 5) × impact (low 1, medium 2, high 3; absent 2) ÷ effort (small 1, medium 2, large 3; absent 2); ties by id";

/// Channels that get an icon; any other channel is shown as text only.
pub const CHANNELS: &[&str] = &[
    "web",
    "mobile-app",
    "email",
    "phone",
    "chat",
    "social",
    "store",
    "ads",
    "word-of-mouth",
    "mail",
    "sms",
    "in-product",
];

#[derive(Debug, Serialize)]
pub struct Context<'a> {
    pub journeymap: u64,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub kind: Kind,
    pub kind_label: &'static str,
    pub owner: Option<&'a str>,
    pub reviewed: Option<&'a str>,
    pub tags: &'a [String],
    pub persona: Option<&'a Persona>,
    pub links: &'a [Link],
    pub stages: Vec<StageCtx<'a>>,
    pub surveys: &'a [Survey],
    /// Overall survey measures, by measure name.
    pub metrics: BTreeMap<&'static str, Figure>,
    /// Journey-level comments (`overall: {comment: …}`): pinned quotes first, then a
    /// sample, in file order.
    pub verbatims: Vec<&'a Verbatim>,
    /// Non-empty journey-level comments read.
    pub comments: u64,
    /// What was read from each survey file: rows, values used, missing and skipped.
    pub survey_summary: &'a [Summary],
    /// The measure that `emotion_from` derives emotions from, if any.
    pub emotion_from: Option<&'static str>,
    pub backlog: Vec<BacklogItem<'a>>,
    pub backlog_formula: &'static str,
    /// Which optional lanes have content in at least one stage.
    pub lanes: Lanes,
    pub emotion_curve: Curve,
}

#[derive(Debug, Serialize)]
pub struct StageCtx<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub goal: Option<&'a str>,
    pub actions: &'a [String],
    pub thoughts: &'a [String],
    pub emotion: Option<&'a Emotion>,
    /// The emotion derived from survey data (`emotion_from`), on -2..2.
    pub emotion_measured: Option<f64>,
    pub touchpoints: Vec<TouchpointCtx<'a>>,
    pub pain_points: Vec<PainPointCtx<'a>>,
    pub solutions: Vec<SolutionCtx<'a>>,
    pub funnel: Option<u64>,
    /// From this stage to the next one with a funnel count.
    pub funnel_step: Option<FunnelStep<'a>>,
    pub frontstage: &'a [String],
    pub backstage: &'a [String],
    pub support: &'a [String],
    pub links: &'a [Link],
    /// Survey measures of this stage, by measure name.
    pub metrics: BTreeMap<&'static str, Figure>,
    /// Up to five verbatim comments, in file order.
    pub verbatims: Vec<&'a Verbatim>,
    /// Non-empty comments about this stage in all surveys.
    pub comments: u64,
}

#[derive(Debug, Serialize)]
pub struct TouchpointCtx<'a> {
    #[serde(flatten)]
    pub touchpoint: &'a Touchpoint,
    /// The channel's icon name when the channel is one of [`CHANNELS`].
    pub icon: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct PainPointCtx<'a> {
    #[serde(flatten)]
    pub pain_point: &'a PainPoint,
    pub severity_weight: u32,
    /// Ids of the solutions that address this pain point, in document order.
    pub addressed_by: Vec<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct SolutionCtx<'a> {
    #[serde(flatten)]
    pub solution: &'a Solution,
    /// The addressed pain points with their text, for links that read well.
    pub addresses_detail: Vec<PainRef<'a>>,
    /// Priority by the backlog formula; present when the solution is in the backlog.
    pub priority: Option<f64>,
    /// 1-based rank in the backlog.
    pub rank: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PainRef<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub severity: Severity,
    pub stage: &'a str,
}

/// From one stage's funnel count to the next. Shares exist only where they mean something:
/// from 0 people nothing is kept or lost, and a count that grows is growth, not a negative
/// loss.
#[derive(Debug, Serialize)]
pub struct FunnelStep<'a> {
    pub to: &'a str,
    pub from_count: u64,
    pub to_count: u64,
    /// Share of people kept, 0..1; null when the count is 0 or grows.
    pub kept: Option<f64>,
    /// Share lost, 1 - kept; null when the count is 0 or grows.
    pub lost: Option<f64>,
    /// Growth as a share of the first count (0.5 = 50% more); null unless the count grows.
    pub growth: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BacklogItem<'a> {
    pub rank: usize,
    pub id: &'a str,
    pub text: &'a str,
    pub stage: &'a str,
    pub stage_name: &'a str,
    pub owner: Option<&'a str>,
    pub status: Status,
    pub effort: Option<Effort>,
    pub impact: Option<Impact>,
    pub severity_sum: u32,
    pub impact_weight: u32,
    pub effort_weight: u32,
    pub priority: f64,
    pub addresses: Vec<PainRef<'a>>,
}

#[derive(Debug, Default, Serialize)]
pub struct Lanes {
    pub goal: bool,
    pub actions: bool,
    pub thoughts: bool,
    pub touchpoints: bool,
    pub emotion: bool,
    pub pain_points: bool,
    pub solutions: bool,
    pub metrics: bool,
    pub verbatims: bool,
    pub funnel: bool,
    pub frontstage: bool,
    pub backstage: bool,
    pub support: bool,
    /// Any blueprint lane (frontstage, backstage, support) is present.
    pub blueprint: bool,
}

/// Geometry of the emotion curve for a drawing `100 × stages` wide and 100 high, where stage
/// `i` is centred at `x = 100 i + 50`; `y = 50 - 20 × score`, so 2 is at the top (10) and
/// -2 at the bottom (90).
#[derive(Debug, Default, Serialize)]
pub struct Curve {
    pub width: usize,
    pub height: usize,
    pub zero_y: f64,
    /// The emotions the team set by hand.
    pub hand_set: Series,
    /// The emotions derived from survey data (`emotion_from`).
    pub measured: Series,
    /// Text alternative stating each stage's score(s).
    pub description: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Series {
    pub points: Vec<CurvePoint>,
    /// SVG path data: smooth segments through runs of neighbouring stages with a value.
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct CurvePoint {
    pub stage: String,
    pub stage_name: String,
    pub x: f64,
    pub y: f64,
    pub score: f64,
    pub label: Option<String>,
    /// Horizontal position as a percentage of the drawing's width, for HTML labels.
    pub left_pct: f64,
    pub top_pct: f64,
}

pub fn severity_weight(s: Severity) -> u32 {
    match s {
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 5,
    }
}

pub fn impact_weight(i: Option<Impact>) -> u32 {
    match i {
        Some(Impact::Low) => 1,
        Some(Impact::Medium) | None => 2,
        Some(Impact::High) => 3,
    }
}

pub fn effort_weight(e: Option<Effort>) -> u32 {
    match e {
        Some(Effort::Small) => 1,
        Some(Effort::Medium) | None => 2,
        Some(Effort::Large) => 3,
    }
}

fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::CurrentState => "Current state",
        Kind::FutureState => "Future state",
        Kind::DayInTheLife => "Day in the life",
        Kind::ServiceBlueprint => "Service blueprint",
    }
}

pub fn enrich<'a>(loaded: &'a Loaded, data: &'a SurveyData) -> Context<'a> {
    let j: &Journey = &loaded.journey;
    let emotion_from = j
        .surveys
        .iter()
        .find_map(|s| s.emotion_from.as_ref())
        .map(|m| crate::survey::measure_name(m.value));
    let stages = &j.stages.value;

    // Every pain point by id, with its stage; validation guarantees ids are unique and
    // every reference resolves, so a missing id here is simply skipped.
    let mut pains: BTreeMap<&str, PainRef> = BTreeMap::new();
    for st in stages {
        for p in &st.pain_points {
            pains.entry(&p.id.value).or_insert(PainRef {
                id: &p.id.value,
                text: &p.text,
                severity: p.severity,
                stage: &st.id.value,
            });
        }
    }
    let mut addressed_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for st in stages {
        for s in &st.solutions {
            for target in unique(&s.addresses) {
                addressed_by.entry(target).or_default().push(&s.id.value);
            }
        }
    }

    let backlog = backlog(stages, &pains);
    let rank_of: BTreeMap<&str, (usize, f64)> = backlog
        .iter()
        .map(|b| (b.id, (b.rank, b.priority)))
        .collect();

    let mut lanes = Lanes::default();
    let stage_ctx: Vec<StageCtx> = stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            lanes.goal |= st.goal.is_some();
            lanes.actions |= !st.actions.is_empty();
            lanes.thoughts |= !st.thoughts.is_empty();
            lanes.touchpoints |= !st.touchpoints.is_empty();
            lanes.emotion |= st.emotion.is_some();
            lanes.pain_points |= !st.pain_points.is_empty();
            lanes.solutions |= !st.solutions.is_empty();
            lanes.funnel |= st.funnel.is_some();
            let agg = data.stages.get(i);
            let metrics: BTreeMap<&'static str, Figure> = agg
                .map(|a| a.figures().into_iter().collect())
                .unwrap_or_default();
            let verbatims = agg.map(|a| a.verbatims_in_order()).unwrap_or_default();
            lanes.metrics |= !metrics.is_empty();
            lanes.verbatims |= !verbatims.is_empty();
            let emotion_measured = emotion_from
                .and_then(|m| metrics.get(m))
                .and_then(|f| f.emotion);
            lanes.emotion |= emotion_measured.is_some();
            lanes.frontstage |= !st.frontstage.is_empty();
            lanes.backstage |= !st.backstage.is_empty();
            lanes.support |= !st.support.is_empty();
            StageCtx {
                id: &st.id.value,
                name: &st.name,
                description: st.description.as_deref(),
                goal: st.goal.as_deref(),
                actions: &st.actions,
                thoughts: &st.thoughts,
                emotion: st.emotion.as_ref().map(|e| &e.value),
                emotion_measured,
                touchpoints: st
                    .touchpoints
                    .iter()
                    .map(|t| TouchpointCtx {
                        touchpoint: t,
                        icon: t.channel.as_deref().and_then(channel_icon),
                    })
                    .collect(),
                pain_points: st
                    .pain_points
                    .iter()
                    .map(|p| PainPointCtx {
                        pain_point: p,
                        severity_weight: severity_weight(p.severity),
                        addressed_by: addressed_by
                            .get(p.id.value.as_str())
                            .cloned()
                            .unwrap_or_default(),
                    })
                    .collect(),
                solutions: st
                    .solutions
                    .iter()
                    .map(|s| SolutionCtx {
                        solution: s,
                        addresses_detail: unique(&s.addresses)
                            .filter_map(|id| pains.get(id).cloned())
                            .collect(),
                        priority: rank_of.get(s.id.value.as_str()).map(|r| r.1),
                        rank: rank_of.get(s.id.value.as_str()).map(|r| r.0),
                    })
                    .collect(),
                funnel: funnel_count(st),
                funnel_step: funnel_step(stages, i),
                frontstage: &st.frontstage,
                backstage: &st.backstage,
                support: &st.support,
                links: &st.links,
                metrics,
                verbatims,
                comments: agg.map_or(0, crate::survey::Aggregate::comments),
            }
        })
        .collect();
    lanes.blueprint = lanes.frontstage || lanes.backstage || lanes.support;

    Context {
        journeymap: j.journeymap.value,
        title: &j.title,
        description: j.description.as_deref(),
        kind: j.kind,
        kind_label: kind_label(j.kind),
        owner: j.owner.as_deref(),
        reviewed: j.reviewed.as_ref().map(|r| r.value.as_str()),
        tags: &j.tags,
        persona: loaded.persona.as_ref(),
        links: &j.links,
        emotion_curve: curve(&stage_ctx),
        stages: stage_ctx,
        surveys: &j.surveys,
        metrics: data.overall.figures().into_iter().collect(),
        verbatims: data.overall.verbatims_in_order(),
        comments: data.overall.comments(),
        survey_summary: &data.summaries,
        emotion_from,
        backlog,
        backlog_formula: BACKLOG_FORMULA,
        lanes,
    }
}

/// Addressed ids without repeats, in the order written.
fn unique(ids: &[crate::model::Spanned<String>]) -> impl Iterator<Item = &str> {
    let mut seen = BTreeSet::new();
    ids.iter()
        .map(|s| s.value.as_str())
        .filter(move |id| seen.insert(*id))
}

fn channel_icon(channel: &str) -> Option<&'static str> {
    let norm = channel.trim().to_ascii_lowercase().replace([' ', '_'], "-");
    CHANNELS.iter().copied().find(|c| *c == norm)
}

fn funnel_count(st: &Stage) -> Option<u64> {
    match st.funnel.as_ref().map(|f| &f.value) {
        Some(Funnel::Count(n)) => Some(*n),
        _ => None,
    }
}

fn funnel_step(stages: &[Stage], i: usize) -> Option<FunnelStep<'_>> {
    let from = funnel_count(&stages[i])?;
    let (next, to) = stages[i + 1..]
        .iter()
        .find_map(|s| funnel_count(s).map(|n| (s, n)))?;
    let (kept, growth) = if from == 0 {
        (None, None)
    } else if to > from {
        (None, Some((to - from) as f64 / from as f64))
    } else {
        (Some(to as f64 / from as f64), None)
    };
    Some(FunnelStep {
        to: &next.id.value,
        from_count: from,
        to_count: to,
        kept,
        lost: kept.map(|k| 1.0 - k),
        growth,
    })
}

/// Open solutions ranked by priority (highest first), ties by id.
fn backlog<'a>(stages: &'a [Stage], pains: &BTreeMap<&str, PainRef<'a>>) -> Vec<BacklogItem<'a>> {
    let mut items: Vec<BacklogItem> = stages
        .iter()
        .flat_map(|st| st.solutions.iter().map(move |s| (st, s)))
        .filter(|(_, s)| !matches!(s.status, Status::Done | Status::Dropped))
        .map(|(st, s)| {
            let addresses: Vec<PainRef> = unique(&s.addresses)
                .filter_map(|id| pains.get(id).cloned())
                .collect();
            let severity_sum = addresses.iter().map(|p| severity_weight(p.severity)).sum();
            let iw = impact_weight(s.impact);
            let ew = effort_weight(s.effort);
            BacklogItem {
                rank: 0,
                id: &s.id.value,
                text: &s.text,
                stage: &st.id.value,
                stage_name: &st.name,
                owner: s.owner.as_deref(),
                status: s.status,
                effort: s.effort,
                impact: s.impact,
                severity_sum,
                impact_weight: iw,
                effort_weight: ew,
                priority: f64::from(severity_sum * iw) / f64::from(ew),
                addresses,
            }
        })
        .collect();
    items.sort_by(|a, b| b.priority.total_cmp(&a.priority).then(a.id.cmp(b.id)));
    for (i, item) in items.iter_mut().enumerate() {
        item.rank = i + 1;
    }
    items
}

fn curve(stages: &[StageCtx]) -> Curve {
    let hand_set = series(stages, |st| st.emotion.map(|e| (e.score, e.label.clone())));
    let measured = series(stages, |st| st.emotion_measured.map(|m| (m, None)));
    let description = if hand_set.points.is_empty() && measured.points.is_empty() {
        "No stage has an emotion set or measured.".to_owned()
    } else {
        let parts: Vec<String> = stages
            .iter()
            .map(|st| {
                let set = st.emotion.map(|e| {
                    format!(
                        "{}{}",
                        crate::words::score(e.score),
                        e.label
                            .as_deref()
                            .map(|l| format!(" ({l})"))
                            .unwrap_or_default()
                    )
                });
                let measured = st.emotion_measured.map(|m| {
                    format!(
                        "measured {}",
                        crate::words::score((m * 100.0).round() / 100.0)
                    )
                });
                let text = match (set, measured) {
                    (Some(s), Some(m)) => format!("{s}, {m}"),
                    (Some(s), None) => s,
                    (None, Some(m)) => m,
                    (None, None) => "not set".to_owned(),
                };
                format!("{}: {text}", st.name)
            })
            .collect();
        format!(
            "Emotion by stage, from -2 (very negative) to 2 (very positive): {}.",
            parts.join("; ")
        )
    };
    Curve {
        width: 100 * stages.len(),
        height: 100,
        zero_y: 50.0,
        hand_set,
        measured,
        description,
    }
}

/// Points and a smooth path through the stages for which `value` gives a score. Runs of
/// neighbouring stages are joined (Catmull-Rom through the points, as cubic Béziers); a
/// stage without a value breaks the line.
fn series(
    stages: &[StageCtx],
    value: impl Fn(&StageCtx) -> Option<(f64, Option<String>)>,
) -> Series {
    let n = stages.len();
    let y_of = |score: f64| 50.0 - 20.0 * score;
    let mut points = Vec::new();
    let mut path = String::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>, path: &mut String| {
        if run.len() > 1 {
            path.push_str(&smooth_path(run));
        }
        run.clear();
    };
    for (i, st) in stages.iter().enumerate() {
        let Some((score, label)) = value(st) else {
            flush(&mut run, &mut path);
            continue;
        };
        let x = 100.0 * i as f64 + 50.0;
        let y = y_of(score);
        run.push((x, y));
        points.push(CurvePoint {
            stage: st.id.to_owned(),
            stage_name: st.name.to_owned(),
            x,
            y,
            score,
            label,
            left_pct: x / (100.0 * n as f64) * 100.0,
            top_pct: y,
        });
    }
    flush(&mut run, &mut path);
    Series {
        points,
        path: path.trim_end().to_owned(),
    }
}

fn smooth_path(pts: &[(f64, f64)]) -> String {
    let f = |v: f64| crate::words::number(v, 2);
    let mut d = format!("M{} {}", f(pts[0].0), f(pts[0].1));
    for i in 0..pts.len() - 1 {
        let p0 = pts[i.saturating_sub(1)];
        let p1 = pts[i];
        let p2 = pts[i + 1];
        let p3 = pts[(i + 2).min(pts.len() - 1)];
        let c1 = (p1.0 + (p2.0 - p0.0) / 6.0, p1.1 + (p2.1 - p0.1) / 6.0);
        let c2 = (p2.0 - (p3.0 - p1.0) / 6.0, p2.1 - (p3.1 - p1.1) / 6.0);
        d.push_str(&format!(
            " C{} {} {} {} {} {}",
            f(c1.0),
            f(c1.1),
            f(c2.0),
            f(c2.1),
            f(p2.0),
            f(p2.1)
        ));
    }
    d.push(' ');
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_the_spec() {
        // SPEC section 1: low 1, medium 2, high 3, critical 5; impact absent 2; effort absent 2.
        assert_eq!(severity_weight(Severity::Critical), 5);
        assert_eq!(impact_weight(None), 2);
        assert_eq!(effort_weight(None), 2);
        assert_eq!(effort_weight(Some(Effort::Large)), 3);
    }

    #[test]
    fn a_straight_run_gives_a_straight_bezier() {
        // Three collinear points: every control point lies on the same line.
        let d = smooth_path(&[(50.0, 50.0), (150.0, 30.0), (250.0, 10.0)]);
        assert_eq!(
            d.trim(),
            "M50 50 C66.67 46.67 116.67 36.67 150 30 C183.33 23.33 233.33 13.33 250 10"
        );
    }
}
