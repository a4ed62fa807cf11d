//! What a shipped solution changed, for its card: each measure of the stages whose pain
//! points it addresses, in the window before the ship date against the window after, with
//! the interval and significance every change between waves has.
//!
//! Invariants: read from the second reading of the surveys (`survey::effects`), never from
//! the headline figures; a solution with nothing to compare says why instead.

use serde::Serialize;

use super::PainRef;
use crate::model::{Solution, Stage};
use crate::survey::SurveyData;

/// One side of an effect: the figure and its answers.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub value: f64,
    pub n: u64,
}

/// One measure's change across the ship date (named as the wave changes are).
#[derive(Debug, Clone, Serialize)]
pub struct Effect {
    pub stage: String,
    pub stage_name: String,
    pub measure: &'static str,
    pub before: Side,
    pub after: Side,
    pub delta: f64,
    pub low: f64,
    pub high: f64,
    pub significant: bool,
    pub low_sample: bool,
}

/// The effects of solution `s` (which addresses `pains`), or why there are none.
pub(super) fn of(
    s: &Solution,
    pains: &[PainRef],
    stages: &[Stage],
    data: &SurveyData,
) -> (Vec<Effect>, Option<String>) {
    if s.shipped.is_none() {
        return (Vec::new(), None);
    }
    let Some((_, read)) = data.effects.iter().find(|(id, _)| *id == s.id.value) else {
        return (
            Vec::new(),
            Some("no survey dates its answers (a wave column of dates, or `date:`), so nothing can be compared across the ship date".to_owned()),
        );
    };
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    let (mut before, mut after) = (false, false);
    for p in pains {
        if seen.contains(&p.stage) {
            continue;
        }
        seen.push(p.stage);
        let Some(i) = stages.iter().position(|st| st.id.value == p.stage) else {
            continue;
        };
        let split = super::parts::parts(&read.stages[i], read);
        let side = |wave: &str, m: &str| {
            split
                .waves
                .iter()
                .find(|w| w.wave == wave)
                .and_then(|w| w.metrics.get(m))
                .map(|f| Side {
                    value: f.value,
                    n: f.n,
                })
        };
        before |= split.waves.iter().any(|w| w.wave == "before");
        after |= split.waves.iter().any(|w| w.wave == "after");
        for c in split
            .changes
            .iter()
            .filter(|c| c.from == "before" && c.to == "after")
        {
            let (Some(b), Some(a)) = (side("before", c.measure), side("after", c.measure)) else {
                continue;
            };
            out.push(Effect {
                stage: stages[i].id.value.clone(),
                stage_name: stages[i].name.clone(),
                measure: c.measure,
                before: b,
                after: a,
                delta: c.change.delta,
                low: c.change.low,
                high: c.change.high,
                significant: c.change.significant,
                low_sample: c.low_sample,
            });
        }
    }
    let note = out.is_empty().then(|| {
        match (before, after) {
            (true, false) => "no answers after the ship date yet",
            (false, true) => "no answers before the ship date to compare with",
            _ => "no answers in the windows around the ship date",
        }
        .to_owned()
    });
    (out, note)
}
