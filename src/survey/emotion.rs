//! Which measure gives each stage its emotion (the guide: "One `emotion_from` per stage"): a
//! survey's `emotion_from` drives the stages its measure fed; two surveys that feed one
//! stage with different measures are an error at the second survey's `emotion_from`, and
//! surveys that feed it with the same measure are pooled, as the stage's figure is.
//!
//! Invariants: decided from what each survey fed, not from what it declares, so a long or
//! aggregated survey claims only the stages its rows name; counted before and after each
//! survey is read, so the readers need not know about it.

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{MeasureName, Pos, Survey};

use super::{Aggregate, SurveyData, measure_name, slot};

/// The measure each stage's emotion comes from so far, and which survey set it.
pub(super) struct Claims<'a> {
    loaded: &'a Loaded,
    stages: Vec<Option<(MeasureName, &'a str)>>,
}

/// Answers (or scored comments) of a measure in an aggregate.
fn count(a: &Aggregate, m: MeasureName) -> u64 {
    match m {
        MeasureName::Sentiment => a.sentiment.n,
        _ => slot(m).map_or(0, |s| a.accs[s].n),
    }
}

impl<'a> Claims<'a> {
    pub(super) fn new(loaded: &'a Loaded) -> Claims<'a> {
        Claims {
            loaded,
            stages: vec![None; loaded.journey.stages.value.len()],
        }
    }

    /// The counts of the survey's emotion measure per stage before it is read.
    pub(super) fn before(&self, survey: &Survey, data: &SurveyData) -> Vec<u64> {
        match &survey.emotion_from {
            Some(m) => data.stages.iter().map(|a| count(a, m.value)).collect(),
            None => Vec::new(),
        }
    }

    /// After the survey is read: the stages its measure fed take their emotion from it,
    /// unless another survey gave them one from another measure (said once per survey).
    pub(super) fn after(
        &mut self,
        survey: &'a Survey,
        before: Vec<u64>,
        data: &SurveyData,
        diags: &mut Vec<Diagnostic>,
    ) {
        let Some(from) = &survey.emotion_from else {
            return;
        };
        let m = from.value;
        let mut clashes: Vec<(&str, MeasureName, &str)> = Vec::new();
        for (i, (a, was)) in data.stages.iter().zip(before).enumerate() {
            if count(a, m) == was {
                continue;
            }
            match self.stages[i] {
                None => self.stages[i] = Some((m, &survey.id.value)),
                Some((other, _)) if other == m => {}
                Some((other, by)) => {
                    let stage = &self.loaded.journey.stages.value[i].id.value;
                    clashes.push((stage, other, by));
                }
            }
        }
        if clashes.is_empty() {
            return;
        }
        let listed: Vec<String> = clashes
            .iter()
            .map(|(stage, other, by)| {
                format!(
                    "stage `{stage}` has its emotion from {} (survey `{by}`)",
                    measure_name(*other)
                )
            })
            .collect();
        let msg = format!(
            "survey `{}` would give {} an emotion from {}, but {}; a stage's emotion comes from one measure: drop one `emotion_from`, or bind the same measure in both surveys",
            survey.id.value,
            if clashes.len() == 1 {
                "a stage".to_owned()
            } else {
                format!("{} stages", clashes.len())
            },
            measure_name(m),
            listed.join(", ")
        );
        diags.push(self.loaded.at(
            Code::EmotionFromConflict,
            if from.pos == Pos::default() {
                survey.id.pos
            } else {
                from.pos
            },
            msg,
        ));
    }

    pub(super) fn into_stages(self) -> Vec<Option<MeasureName>> {
        self.stages.into_iter().map(|c| c.map(|(m, _)| m)).collect()
    }
}
