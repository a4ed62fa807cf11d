//! The summary a reader sees first: the headline figures with a plain reading of their
//! sample, the stage where the journey hurts most, the worst pain points and the top of the
//! backlog.
//!
//! Invariants: built only from figures already in the context, so the summary can never
//! disagree with the grid; every choice has a written rule with a document-order tie-break,
//! so the same map gives the same summary.

use std::collections::BTreeMap;

use serde::Serialize;

use super::context::{BacklogItem, PainRef, StageCtx};
use crate::survey::measure::{Figure, LOW_SAMPLE};
use crate::words;

/// How many pain points and backlog items the summary names.
const TOP: usize = 3;

#[derive(Debug, Serialize)]
pub struct MapSummary<'a> {
    /// The overall survey measures, each with one sentence on its sample.
    pub headlines: Vec<Headline>,
    /// The stage with the lowest emotion: the measured one (`emotion_from`) when any stage
    /// has it, otherwise the one the team set.
    pub lowest: Option<LowestStage<'a>>,
    /// Up to three pain points: highest severity first, then those with written evidence,
    /// then those no open solution addresses, then in document order.
    pub top_pains: Vec<TopPain<'a>>,
    /// The first three items of the backlog.
    pub top_backlog: Vec<BacklogItem<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Headline {
    pub measure: &'static str,
    pub figure: Figure,
    /// One sentence: how many answers, and what the interval allows.
    pub reading: String,
}

#[derive(Debug, Serialize)]
pub struct LowestStage<'a> {
    pub stage: &'a str,
    pub stage_name: &'a str,
    /// 1-based position of the stage.
    pub position: usize,
    /// The score on -2..2.
    pub score: f64,
    /// Whether the score was measured from survey answers (else the team set it).
    pub measured: bool,
    /// The team's label for the stage's emotion, if any.
    pub label: Option<&'a str>,
    /// The measure the emotion comes from, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure: Option<&'static str>,
    /// The stage's figure of that measure, when measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figure: Option<Figure>,
    /// When the journey hurts most at a funnel's drop-off rather than at an emotion: the
    /// share of the stage before that did not reach this stage (0..1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost: Option<f64>,
    /// What makes it the stage, in a few words: `emotion -0.8 measured` or the drop-off.
    pub detail: String,
    pub reading: String,
}

#[derive(Debug, Serialize)]
pub struct TopPain<'a> {
    #[serde(flatten)]
    pub pain: PainRef<'a>,
    pub stage_name: &'a str,
    pub evidence: Option<&'a str>,
    /// The best backlog rank among the open solutions that address it.
    pub best_rank: Option<usize>,
}

pub(super) fn summary<'a>(
    stages: &[StageCtx<'a>],
    metrics: &BTreeMap<&'static str, Figure>,
    pains: &BTreeMap<&str, PainRef<'a>>,
    backlog: &[BacklogItem<'a>],
) -> MapSummary<'a> {
    let headlines = metrics
        .iter()
        .map(|(&measure, f)| Headline {
            measure,
            figure: f.clone(),
            reading: reading(measure, f),
        })
        .collect();
    MapSummary {
        headlines,
        lowest: lowest(stages),
        top_pains: top_pains(stages, pains, backlog),
        top_backlog: backlog.iter().take(TOP).cloned().collect(),
    }
}

/// One sentence on what a figure's sample allows: `412 answers; 95% interval between +4
/// and +20.`, or a warning to read a small sample as a direction only.
pub fn reading(measure: &str, f: &Figure) -> String {
    let range = format!(
        "between {} and {}",
        words::metric(f.low, measure),
        words::metric(f.high, measure)
    );
    let mut s = if f.n < LOW_SAMPLE {
        format!(
            "Only {}: read it as a direction, not a number (95% interval {range}).",
            answers(f.n, "")
        )
    } else {
        format!("{}; 95% interval {range}.", answers(f.n, ""))
    };
    if f.skipped > 0 {
        s.push_str(&format!(
            " {} of {} answers not used.",
            words::int(f.skipped),
            words::int(f.skipped + f.n)
        ));
    }
    s
}

/// `1 answer`, `1,250 answers`, `92 CSAT answers` (with `kind`).
fn answers(n: u64, kind: &str) -> String {
    let noun = if n == 1 { "answer" } else { "answers" };
    if kind.is_empty() {
        format!("{} {noun}", words::int(n))
    } else {
        format!("{} {kind} {noun}", words::int(n))
    }
}

/// Where a measured emotion comes from: `From 92 CSAT answers, mean answer 1.38 on 1–5
/// (CSAT 0%, 95% interval 0% to 4%).`
fn measured_reading(measure: &str, f: &Figure) -> String {
    // NPS and CSAT are shares; the emotion comes from the mean answer, so say it.
    let shares = matches!(measure, "nps" | "csat");
    let mean = f.mean.filter(|_| shares).map_or_else(String::new, |m| {
        format!(
            ", mean answer {} on {}–{}",
            words::number(m, 2),
            words::number(f.scale[0], 2),
            words::number(f.scale[1], 2)
        )
    });
    let label = words::measure_label(measure);
    let from = if measure == "sentiment" {
        format!(
            "the sentiment of {} {}",
            words::int(f.n),
            if f.n == 1 { "comment" } else { "comments" }
        )
    } else {
        answers(f.n, &label)
    };
    let mut s = format!(
        "From {from}{mean} ({label} {}, 95% interval {} to {}).",
        words::metric(f.value, measure),
        words::metric(f.low, measure),
        words::metric(f.high, measure),
    );
    if f.low_sample {
        s.push_str(" A low sample: read it as a direction, not a number.");
    }
    if let Some(c) = f.caveat.as_ref().filter(|_| measure == "sentiment") {
        s.push_str(&format!(" {}{}.", c[..1].to_uppercase(), &c[1..]));
    }
    s
}

/// Where the journey hurts most: the stage with the lowest negative emotion, measured
/// (when at least two stages are measured: one measured stage has nothing to be lowest
/// against) or else set by the team; a stage whose emotion is not below zero never is. A map
/// whose emotions hurt nowhere, and that has a funnel, hurts most at its largest drop-off.
fn lowest<'a>(stages: &[StageCtx<'a>]) -> Option<LowestStage<'a>> {
    // The first stage with the smallest score wins a tie (document order).
    let min_by = |score: &dyn Fn(&StageCtx) -> Option<f64>| {
        stages
            .iter()
            .enumerate()
            .filter_map(|(i, st)| score(st).map(|s| (i, s)))
            .fold(None, |best: Option<(usize, f64)>, (i, s)| match best {
                Some((_, b)) if b <= s => best,
                _ => Some((i, s)),
            })
    };
    let measured = stages
        .iter()
        .filter(|st| st.emotion_measured.is_some() && st.emotion_from.is_some())
        .count();
    // A measured emotion outranks the team's.
    let found = if measured >= 2 {
        min_by(&|st| st.emotion_measured.filter(|_| st.emotion_from.is_some()))
            .map(|(i, s)| (i, s, stages[i].emotion_from))
    } else {
        min_by(&|st| st.emotion.map(|e| e.score)).map(|(i, s)| (i, s, None))
    };
    match found {
        Some((i, score, measure)) if score < 0.0 => Some(hurting(stages, i, score, measure)),
        _ => largest_drop(stages),
    }
}

fn hurting<'a>(
    stages: &[StageCtx<'a>],
    i: usize,
    score: f64,
    measure: Option<&'static str>,
) -> LowestStage<'a> {
    let st = &stages[i];
    let figure = measure.and_then(|m| st.metrics.get(m)).cloned();
    let reading = match (measure, &figure) {
        (Some(m), Some(f)) => measured_reading(m, f),
        (Some(_), None) => String::new(),
        (None, _) if st.metrics.is_empty() => "No survey answer measures it.".to_owned(),
        // Its survey figures are on the page; they just do not set the curve.
        (None, _) => {
            "Survey answers measure it, but they do not set its emotion: a survey's emotion_from would."
                .to_owned()
        }
    };
    let label = st.emotion.and_then(|e| e.label.as_deref());
    let detail = format!(
        "emotion {} {}{}",
        words::score(score),
        if measure.is_some() {
            "measured"
        } else {
            "set by the team"
        },
        label.map(|l| format!(", “{l}”")).unwrap_or_default()
    );
    LowestStage {
        stage: st.id,
        stage_name: st.name,
        position: i + 1,
        score,
        measured: measure.is_some(),
        label,
        measure,
        figure,
        lost: None,
        detail,
        reading,
    }
}

/// The stage reached by the largest share fewer than the stage before it: measured reach
/// first, else the team's funnel counts.
fn largest_drop<'a>(stages: &[StageCtx<'a>]) -> Option<LowestStage<'a>> {
    let from_reach = stages.iter().enumerate().filter_map(|(i, st)| {
        let r = st.reach?;
        let before = stages[..i].iter().rev().find_map(|p| {
            p.reach
                .filter(|pr| pr.source.id == r.source.id)
                .map(|pr| (p.name, pr.figures.count))
        })?;
        Some((i, r.figures.lost?, before, r.figures.count, true))
    });
    let from_funnel = stages.iter().filter_map(|st| {
        let step = st.funnel_step.as_ref()?;
        let to = stages.iter().position(|s| s.id == step.to)?;
        Some((
            to,
            step.lost?,
            (st.name, step.from_count),
            step.to_count,
            false,
        ))
    });
    let all: Vec<_> = from_reach.collect();
    let candidates = if all.is_empty() {
        from_funnel.collect()
    } else {
        all
    };
    // The first of the largest wins a tie (document order).
    let (i, lost, (from_name, from), to, measured) = candidates
        .into_iter()
        .reduce(|best, c| if best.1 >= c.1 { best } else { c })
        .filter(|c| c.1 > 0.0)?;
    let st = &stages[i];
    Some(LowestStage {
        stage: st.id,
        stage_name: st.name,
        position: i + 1,
        score: 0.0,
        measured,
        label: None,
        measure: None,
        figure: None,
        lost: Some(lost),
        detail: format!(
            "the largest drop-off of the funnel, {} of those who reached {from_name} did not get here",
            words::pct(lost)
        ),
        reading: format!(
            "{} reached {from_name} and {} reached {}, by {}.",
            words::int(from),
            words::int(to),
            st.name,
            if measured {
                "the measured reach"
            } else {
                "the team's funnel counts"
            }
        ),
    })
}

fn top_pains<'a>(
    stages: &[StageCtx<'a>],
    pains: &BTreeMap<&str, PainRef<'a>>,
    backlog: &[BacklogItem<'a>],
) -> Vec<TopPain<'a>> {
    let best_rank = |id: &str| {
        backlog
            .iter()
            .filter(|b| b.addresses.iter().any(|p| p.id == id))
            .map(|b| b.rank)
            .min()
    };
    let mut all: Vec<(usize, TopPain)> = stages
        .iter()
        .flat_map(|st| st.pain_points.iter().map(move |p| (st, p)))
        .enumerate()
        // Validation makes pain point ids unique, so each is in `pains`.
        .filter_map(|(order, (st, p))| {
            let pp = p.pain_point;
            let pain = pains.get(pp.id.value.as_str())?.clone();
            Some((
                order,
                TopPain {
                    pain,
                    stage_name: st.name,
                    evidence: pp.evidence.as_deref(),
                    best_rank: best_rank(&pp.id.value),
                },
            ))
        })
        .collect();
    all.sort_by_key(|(order, p)| {
        (
            std::cmp::Reverse(p.pain.severity),
            p.evidence.is_none(),
            p.best_rank.is_some(),
            *order,
        )
    });
    all.into_iter().take(TOP).map(|(_, p)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(n: u64, low: f64, high: f64, skipped: u64) -> Figure {
        Figure {
            n,
            value: (low + high) / 2.0,
            low,
            high,
            low_sample: n < LOW_SAMPLE,
            scale: [1.0, 5.0],
            skipped,
            ..Figure::default()
        }
    }

    #[test]
    fn a_reading_says_the_sample_and_its_interval() {
        let figures = [
            ("nps", figure(412, 3.6, 20.2, 0)),
            ("csat", figure(1250, 61.25, 66.75, 50)),
            ("ces", figure(12, 3.1, 4.45, 0)),
            ("ces", figure(1, 4.0, 4.0, 0)),
        ];
        let want = [
            "412 answers; 95% interval between +4 and +20.",
            "1,250 answers; 95% interval between 61.3% and 66.8%. 50 of 1,300 answers not used.",
            "Only 12 answers: read it as a direction, not a number (95% interval between 3.1 and 4.45).",
            "Only 1 answer: read it as a direction, not a number (95% interval between 4 and 4).",
        ];
        for ((measure, fig), want) in figures.iter().zip(want) {
            assert_eq!(reading(measure, fig), want);
        }
    }
}
