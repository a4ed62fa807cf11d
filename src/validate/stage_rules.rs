//! The rules over a map's stages: ids, emotions in range, funnel counts that do not grow,
//! references between pain points, solutions and themes.

use crate::diagnostic::Code;
use crate::model::{Funnel, Spanned, Stage};

use super::{Ids, Validator};

/// The ids a map defines, each kind with its first definitions.
pub(super) struct MapIds<'a> {
    pub(super) stages: Ids<'a>,
    pub(super) pain_points: Ids<'a>,
}

/// Each stage: its id, emotion, touchpoints, links, the ids of its pain points and
/// solutions, and its funnel count against the stage before.
pub(super) fn stages<'a>(v: &mut Validator, stages: &'a [Stage]) -> MapIds<'a> {
    let mut stage_ids = Ids::new("stage");
    let mut pain_ids = Ids::new("pain point");
    let mut solution_ids = Ids::new("solution");
    let mut previous_funnel: Option<(u64, &str)> = None;
    for stage in stages {
        v.slug(&stage.id);
        stage_ids.add(v, &stage.id);
        v.links(&stage.links);
        emotion_range(v, stage);
        if stage.touchpoints.is_empty() {
            v.report(
                Code::NoTouchpoints,
                stage.id.pos,
                format!("stage `{}` has no touchpoints", stage.id.value),
            );
        }
        for t in &stage.touchpoints {
            v.links(&t.links);
        }
        for p in &stage.pain_points {
            pain_ids.add(v, &p.id);
            v.links(&p.links);
        }
        for s in &stage.solutions {
            solution_ids.add(v, &s.id);
            v.links(&s.links);
        }
        funnel(v, stage, &mut previous_funnel);
    }
    MapIds {
        stages: stage_ids,
        pain_points: pain_ids,
    }
}

pub(super) fn emotion_range(v: &mut Validator, stage: &Stage) {
    if let Some(e) = &stage.emotion {
        let s = e.value.score;
        if !(-2.0..=2.0).contains(&s) {
            v.report(
                Code::EmotionOutOfRange,
                e.pos,
                format!(
                    "emotion {s} is outside -2..2; use -2 (very negative) to 2 (very positive)"
                ),
            );
        }
    }
}

/// A funnel count is a whole number of 0 or more, and usually shrinks from stage to stage.
pub(super) fn funnel<'a>(
    v: &mut Validator,
    stage: &'a Stage,
    previous: &mut Option<(u64, &'a str)>,
) {
    match &stage.funnel {
        Some(Spanned {
            value: Funnel::Invalid(text),
            pos,
        }) => v.report(
            Code::FunnelNotCount,
            *pos,
            format!("funnel {text} is not a count; write the number of people who reached this stage, a whole number of 0 or more"),
        ),
        Some(Spanned {
            value: Funnel::Count(n),
            pos,
        }) => {
            if let Some((prev, prev_id)) = previous.filter(|(prev, _)| n > prev) {
                v.report(
                    Code::FunnelGrows,
                    *pos,
                    format!("the funnel grows from {prev} at `{prev_id}` to {n} at `{}`; a funnel counts people who reached each stage, so it usually shrinks", stage.id.value),
                );
            }
            *previous = Some((*n, &stage.id.value));
        }
        None => {}
    }
}

/// Solutions address pain points that exist; pain points are addressed by some solution.
pub(super) fn references(v: &mut Validator, stages: &[Stage], pain_ids: &Ids) {
    let mut addressed = std::collections::BTreeSet::new();
    for stage in stages {
        for s in &stage.solutions {
            for target in &s.addresses {
                if pain_ids.first.contains_key(target.value.as_str()) {
                    addressed.insert(target.value.as_str());
                    continue;
                }
                let hint =
                    crate::suggest::did_you_mean(&target.value, pain_ids.first.keys().copied());
                v.report(
                    Code::UnknownPainPoint,
                    target.pos,
                    format!(
                        "solution `{}` addresses `{}`, which is not a pain point id in this map{hint}",
                        s.id.value, target.value
                    ),
                );
            }
        }
    }
    for p in stages.iter().flat_map(|s| &s.pain_points) {
        if !addressed.contains(p.id.value.as_str()) {
            v.report(
                Code::UnaddressedPainPoint,
                p.id.pos,
                format!(
                    "pain point `{}` is not addressed by any solution",
                    p.id.value
                ),
            );
        }
    }
}

/// The codebook: unique theme ids, terms that can match, pain points the map has.
pub(super) fn themes(v: &mut Validator, themes: &[crate::model::Theme], pain_ids: &Ids) {
    let mut theme_ids = Ids::new("theme");
    for t in themes {
        theme_ids.add(v, &t.id);
        if t.terms.is_empty() {
            v.report(
                Code::BadTheme,
                t.id.pos,
                format!(
                    "theme `{}` has no terms: give it the words or phrases that mark its comments",
                    t.id.value
                ),
            );
        }
        for term in t.terms.iter().chain(&t.exclude) {
            if let Err(e) = crate::themes::term_key(&term.value) {
                v.report(
                    Code::BadTheme,
                    term.pos,
                    format!(
                        "term `{}` of theme `{}` cannot match: {}",
                        term.value,
                        t.id.value,
                        e.describe()
                    ),
                );
            }
        }
        for p in &t.pain_points {
            if !pain_ids.first.contains_key(p.value.as_str()) {
                let hint = crate::suggest::did_you_mean(&p.value, pain_ids.first.keys().copied());
                v.report(
                    Code::BadTheme,
                    p.pos,
                    format!(
                        "theme `{}` is evidence for `{}`, which is not a pain point id in this map{hint}",
                        t.id.value, p.value
                    ),
                );
            }
        }
    }
}
