//! Enrich: a validated map becomes the render context, the only thing templates see and
//! exactly what `-f json` prints (the guide: "Template context").
//!
//! Invariants: the map's fields appear as written (the emotion shorthand `1` is normalised to
//! `{score: 1}`); everything computed is added beside them, never in place of them; numbers
//! stay unrounded here (templates round for people); iteration follows document order.

mod backlog;
mod context;
mod curve;
mod effects;
mod hierarchy;
mod index;
mod labels;
mod parts;
pub mod scoring;
mod summary;
pub mod targets;
mod themes;
pub mod tickets;

use std::collections::BTreeMap;

use crate::load::Loaded;
use crate::model::{Funnel, Journey, Stage};
use crate::survey::SurveyData;
use crate::survey::measure::Figure;

pub use backlog::{BACKLOG_FORMULA, effort_weight, impact_weight, severity_weight};
pub use context::*;
pub use hierarchy::{
    Crumb, Detail, Glance, HurtsMost, Move, ParentLink, ReachSpan, page_link, relative_file,
};
pub use index::{Coverage, CrossItem, Index, IndexEntry, ParentRef, PersonaUse};
pub use summary::{Headline, LowestStage, MapSummary, TopPain};
pub use themes::{ThemeShare, Unthemed};

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

/// Links between pain points and solutions, by id.
struct Links<'a> {
    /// Every pain point by id, with its stage; validation guarantees ids are unique and
    /// every reference resolves, so a missing id here is simply skipped.
    pains: BTreeMap<&'a str, PainRef<'a>>,
    /// The solutions that address each pain point, in document order.
    addressed_by: BTreeMap<&'a str, Vec<&'a str>>,
    /// Backlog rank and priority of each open solution.
    rank_of: BTreeMap<&'a str, (usize, f64)>,
    /// The map's tracker exports, which solutions' tickets are found in.
    trackers: &'a [crate::model::Tracker],
}

/// The measure stage `i`'s emotion comes from, if any.
fn emotion_of(data: &SurveyData, i: usize) -> Option<&'static str> {
    data.emotion_from
        .get(i)
        .copied()
        .flatten()
        .map(crate::survey::measure_name)
}

/// Every measure a stage's emotion comes from, in stage order, each once.
fn emotion_measures(data: &SurveyData, stages: usize) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for m in (0..stages).filter_map(|i| emotion_of(data, i)) {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// The links between pain points and solutions, and the backlog they rank (weighted by
/// evidence when the map asks).
fn ranked<'a>(
    j: &'a Journey,
    data: &SurveyData,
    model: &scoring::Model,
) -> (Links<'a>, Vec<BacklogItem<'a>>) {
    let stages = &j.stages.value;
    let weighted = j.backlog.as_ref().is_some_and(|b| b.weight_by_evidence);
    let mut links = links(
        stages,
        weighted.then(|| evidence(j.codebook(), stages, data)),
    );
    links.trackers = &j.trackers;
    // Each stage's reach and whether a survey measures it, once per stage.
    let reaches: Vec<(f64, &'static str)> = (0..stages.len())
        .map(|i| reach_of(&stages[i], i, data))
        .collect();
    let surveyed: Vec<bool> = (0..stages.len())
        .map(|i| data.stages.get(i).is_some_and(|a| !a.figures().is_empty()))
        .collect();
    let reach = |i: usize| reaches[i];
    let measured = |i: usize| surveyed[i];
    let scoring = backlog::Scoring {
        model: model.clone(),
        reach: &reach,
        measured: &measured,
    };
    let backlog = backlog::backlog(stages, &links.pains, &scoring);
    links.rank_of = backlog.iter().map(|b| (b.id, (b.rank, b.score))).collect();
    (links, backlog)
}

/// People who reach stage `i`: its measured reach, else its `funnel:`, else the most answers
/// behind one of its survey figures, else 1; and where that came from.
fn reach_of(st: &Stage, i: usize, data: &SurveyData) -> (f64, &'static str) {
    if let Some(r) = data.funnels.stages.get(i).and_then(Option::as_ref) {
        return (r.figures.count as f64, "measured");
    }
    if let Some(n) = funnel_count(st) {
        return (n as f64, "funnel");
    }
    let most = data
        .stages
        .get(i)
        .and_then(|a| a.figures().into_iter().map(|(_, f)| f.n).max());
    match most {
        Some(n) if n > 0 => (n as f64, "survey n"),
        _ => (1.0, "unknown"),
    }
}

pub fn enrich<'a>(loaded: &'a Loaded, data: &'a SurveyData) -> Context<'a> {
    let j: &Journey = &loaded.journey;
    let emotion_of = |i: usize| emotion_of(data, i);
    let emotion_measures = emotion_measures(data, j.stages.value.len());
    let emotion_from = emotion_measures.first().copied();
    let stages = &j.stages.value;
    let model = scoring::of_map(j);
    let (links, backlog) = ranked(j, data, &model);
    let overall = parts::parts(&data.overall, data);
    let mut lanes = Lanes::default();
    let stage_ctx: Vec<StageCtx> = stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let ctx = stage(stages, i, st, data, emotion_of(i), &links, j.codebook());
            lanes.note(&ctx);
            ctx
        })
        .collect();
    let metrics: BTreeMap<&'static str, Figure> = data.overall.figures().into_iter().collect();
    let (journey_themes, journey, journey_waves) = journey_comments(j, data);
    let (theme_waves, theme_changes) = themes::over_waves(j.codebook(), &journey_waves);
    let (parent, breadcrumb) = hierarchy::lineage(&loaded.path, &loaded.ancestors);
    let journey_sentiment = journey.sentiment_figure();
    let journey_targets = targets::judged(&j.targets, &metrics, journey_sentiment.as_ref(), None);
    Context {
        target_tally: targets::tally(&journey_targets, &stage_ctx),
        targets: journey_targets,
        parent,
        breadcrumb,
        summary: summary::summary(&stage_ctx, &metrics, &links.pains, &backlog),
        journeymap: j.journeymap.value,
        title: &j.title,
        description: j.description.as_deref(),
        kind: j.kind,
        kind_label: crate::words::label(&j.kind),
        owner: j.owner.as_deref(),
        reviewed: j.reviewed.as_ref().map(|r| r.value.as_str()),
        tags: &j.tags,
        persona: loaded.persona.as_ref(),
        links: &j.links,
        emotion_curve: curve::curve(&stage_ctx, &data.waves, &data.segments),
        stages: stage_ctx,
        surveys: &j.surveys,
        metrics,
        reach_outside_path: &data.funnels.outside_path,
        wave_labels: &data.waves,
        latest_wave: data.waves.last().map(String::as_str),
        segment_labels: &data.segments,
        segment_min_n: data.segment_min_n,
        waves: overall.waves,
        changes: overall.changes,
        segments: overall.segments,
        said: Said {
            themes: themes::shares(j.codebook(), &journey_themes),
            unthemed: themes::unthemed(&journey_themes, true),
            theme_waves,
            theme_changes,
            sentiment: journey_sentiment,
            verbatims: data.overall.verbatims_in_order(),
            comments: data.overall.comments(),
        },
        survey_summary: &data.summaries,
        emotion_from,
        emotion_measures,
        backlog,
        score_formula: scoring::formula(&model),
        backlog_formula: if j.backlog.as_ref().is_some_and(|b| b.weight_by_evidence) {
            backlog::BACKLOG_FORMULA_EVIDENCE
        } else {
            BACKLOG_FORMULA
        },
        lanes,
    }
}

/// The journey's comments, every stage's and the journey-level ones: their theme tally, the
/// pooled sentiment, and the theme tally of each wave.
fn journey_comments<'a>(
    j: &'a Journey,
    data: &'a SurveyData,
) -> (
    crate::themes::Tally,
    crate::survey::Aggregate,
    Vec<(&'a str, crate::themes::Tally)>,
) {
    let mut journey_themes = crate::themes::Tally::default();
    let mut journey = crate::survey::Aggregate::default();
    let mut journey_waves = wave_tallies(j.codebook(), None, data);
    for a in data.stages.iter().chain(std::iter::once(&data.overall)) {
        journey_themes.merge(&a.themes);
        journey.pool_sentiment(a);
        for (w, t) in wave_tallies(j.codebook(), Some(a), data)
            .into_iter()
            .zip(&mut journey_waves)
        {
            t.1.merge(&w.1);
        }
    }
    (journey_themes, journey, journey_waves)
}

/// The theme tally of each wave of an aggregate (empty ones for a missing aggregate or
/// wave); none without a codebook.
fn wave_tallies<'a>(
    codebook: &[crate::model::Theme],
    agg: Option<&crate::survey::Aggregate>,
    data: &'a SurveyData,
) -> Vec<(&'a str, crate::themes::Tally)> {
    if codebook.is_empty() {
        return Vec::new();
    }
    data.waves
        .iter()
        .enumerate()
        .map(|(w, label)| {
            let part = u16::try_from(w)
                .ok()
                .and_then(|w| agg?.parts.get(&crate::survey::split::Key::wave(w)));
            (
                label.as_str(),
                part.map(|p| p.themes.clone()).unwrap_or_default(),
            )
        })
        .collect()
}

/// Each pain point's evidence factor for a weighted backlog: 1 + the largest lower 95%
/// Wilson bound among the shares of its stage's substantive comments about the themes that
/// name it (1 when no theme names it or its stage has no comments).
fn evidence<'a>(
    codebook: &[crate::model::Theme],
    stages: &'a [Stage],
    data: &SurveyData,
) -> BTreeMap<&'a str, f64> {
    let mut out = BTreeMap::new();
    for (i, st) in stages.iter().enumerate() {
        let tally = data.stages.get(i).map(|a| &a.themes);
        for p in &st.pain_points {
            let low = codebook
                .iter()
                .enumerate()
                .filter(|(_, t)| t.pain_points.iter().any(|x| x.value == p.id.value))
                .filter_map(|(k, _)| {
                    let t = tally.filter(|t| t.n > 0)?;
                    let matched = t.matched.get(k).copied().unwrap_or(0);
                    Some(crate::survey::measure::wilson(matched, t.n).0)
                })
                .fold(0.0_f64, f64::max);
            out.entry(p.id.value.as_str()).or_insert(1.0 + low);
        }
    }
    out
}

fn links<'a>(stages: &'a [Stage], evidence: Option<BTreeMap<&'a str, f64>>) -> Links<'a> {
    let mut pains: BTreeMap<&str, PainRef> = BTreeMap::new();
    let mut addressed_by: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for st in stages {
        for p in &st.pain_points {
            pains.entry(&p.id.value).or_insert(PainRef {
                id: &p.id.value,
                text: &p.text,
                severity: p.severity,
                stage: &st.id.value,
                evidence: evidence
                    .as_ref()
                    .map(|e| e.get(p.id.value.as_str()).copied().unwrap_or(1.0)),
            });
        }
        for s in &st.solutions {
            for target in backlog::unique(&s.addresses) {
                addressed_by.entry(target).or_default().push(&s.id.value);
            }
        }
    }
    Links {
        pains,
        addressed_by,
        rank_of: BTreeMap::new(),
        trackers: &[],
    }
}

/// One stage of the context: the map's fields, its links, figures and funnel step.
fn stage<'a>(
    stages: &'a [Stage],
    i: usize,
    st: &'a Stage,
    data: &'a SurveyData,
    emotion_from: Option<&'static str>,
    links: &Links<'a>,
    codebook: &'a [crate::model::Theme],
) -> StageCtx<'a> {
    let agg = data.stages.get(i);
    let none = crate::themes::Tally::default();
    let tally = agg.map_or(&none, |a| &a.themes);
    let shares = themes::shares(codebook, tally);
    let (theme_waves, theme_changes) =
        themes::over_waves(codebook, &wave_tallies(codebook, agg, data));
    let metrics: BTreeMap<&'static str, Figure> = agg
        .map(|a| a.figures().into_iter().collect())
        .unwrap_or_default();
    let split = agg.map(|a| parts::parts(a, data)).unwrap_or_default();
    let emotion_measured = emotion_from
        .and_then(|m| metrics.get(m))
        .and_then(|f| f.emotion);
    let mut ctx = StageCtx {
        id: &st.id.value,
        name: &st.name,
        description: st.description.as_deref(),
        goal: st.goal.as_deref(),
        actions: &st.actions,
        thoughts: &st.thoughts,
        emotion: st.emotion.as_ref().map(|e| &e.value),
        emotion_measured,
        emotion_from,
        touchpoints: st
            .touchpoints
            .iter()
            .map(|t| TouchpointCtx {
                touchpoint: t,
                icon: t.channel.as_deref().and_then(channel_icon),
            })
            .collect(),
        pain_points: pain_points(st, &shares, codebook, links),
        solutions: solutions(st, links, stages, data),
        funnel: funnel_count(st),
        funnel_step: funnel_step(stages, i),
        frontstage: &st.frontstage,
        backstage: &st.backstage,
        support: &st.support,
        links: &st.links,
        said: Said {
            unthemed: themes::unthemed(tally, true),
            themes: shares,
            theme_waves,
            theme_changes,
            sentiment: metrics.get("sentiment").cloned(),
            verbatims: agg.map(|a| a.verbatims_in_order()).unwrap_or_default(),
            comments: agg.map_or(0, crate::survey::Aggregate::comments),
        },
        metrics,
        trends: parts::trends(&split.waves, &split.changes, &data.waves),
        reach: data.funnels.stages.get(i).and_then(Option::as_ref),
        details: Vec::new(),
        targets: Vec::new(),
        waves: split.waves,
        changes: split.changes,
        segments: split.segments,
    };
    ctx.targets = targets::judged(&st.targets, &ctx.metrics, None, Some(&ctx));
    ctx
}

/// A stage's pain points, each with the themes that are evidence for it and the solutions
/// that address it.
fn pain_points<'a>(
    st: &'a Stage,
    shares: &[themes::ThemeShare<'a>],
    codebook: &'a [crate::model::Theme],
    links: &Links<'a>,
) -> Vec<PainPointCtx<'a>> {
    st.pain_points
        .iter()
        .map(|p| PainPointCtx {
            themes: shares
                .iter()
                .zip(codebook)
                .filter(|(_, t)| t.pain_points.iter().any(|x| x.value == p.id.value))
                .map(|(s, _)| s.clone())
                .collect(),
            pain_point: p,
            severity_weight: severity_weight(p.severity),
            addressed_by: links
                .addressed_by
                .get(p.id.value.as_str())
                .cloned()
                .unwrap_or_default(),
        })
        .collect()
}

/// A stage's solutions, each with the pain points it addresses and its backlog rank.
fn solutions<'a>(
    st: &'a Stage,
    links: &Links<'a>,
    stages: &'a [Stage],
    data: &'a SurveyData,
) -> Vec<SolutionCtx<'a>> {
    st.solutions
        .iter()
        .map(|s| {
            let addresses_detail: Vec<PainRef> = backlog::unique(&s.addresses)
                .filter_map(|id| links.pains.get(id).cloned())
                .collect();
            let (effect, effect_note) = effects::of(s, &addresses_detail, stages, data);
            SolutionCtx {
                ticket: tickets::of(s, links.trackers, data),
                solution: s,
                addresses_detail,
                priority: links.rank_of.get(s.id.value.as_str()).map(|r| r.1),
                rank: links.rank_of.get(s.id.value.as_str()).map(|r| r.0),
                effect,
                effect_note,
            }
        })
        .collect()
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
