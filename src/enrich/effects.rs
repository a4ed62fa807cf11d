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
use crate::survey::effects::{DEFAULT_WINDOW_DAYS, ship_date, window_days};
use crate::survey::measure::LOW_SAMPLE;

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
    let Some(ship) = s.shipped.as_ref().and_then(|d| ship_date(&d.value).ok()) else {
        return (Vec::new(), None);
    };
    let mut addressed: Vec<usize> = Vec::new();
    for p in pains {
        if let Some(i) = stages.iter().position(|st| st.id.value == p.stage)
            && !addressed.contains(&i)
        {
            addressed.push(i);
        }
    }
    let read = data.effects.iter().find(|(id, _)| *id == s.id.value);
    let mut out = Vec::new();
    let (mut before, mut after, mut logged) = (false, false, false);
    for &i in &addressed {
        if let Some((_, read)) = read {
            let (b, a) = surveyed(&stages[i], &read.stages[i], read, &mut out);
            before |= b;
            after |= a;
        }
        let days = s
            .effect_window
            .as_ref()
            .and_then(|w| window_days(&w.value).ok())
            .unwrap_or(DEFAULT_WINDOW_DAYS);
        let (b, a, binds) = kept(&stages[i], i, ship, days, &data.funnels, &mut out);
        before |= b;
        after |= a;
        logged |= binds;
    }
    let note = out.is_empty().then(|| {
        match (before, after, read.is_some() || logged) {
            (_, _, false) => "no survey dates its answers (a wave column of dates, or `date:`) and no event log binds its stages, so nothing can be compared across the ship date",
            (true, false, _) => "no answers after the ship date yet",
            (false, true, _) => "no answers before the ship date to compare with",
            _ => "no answers in the windows around the ship date",
        }
        .to_owned()
    });
    (out, note)
}

/// A stage's survey measures across the ship date, from the reading with the two windows as
/// waves; whether each window had answers.
fn surveyed(
    stage: &Stage,
    agg: &crate::survey::Aggregate,
    read: &SurveyData,
    out: &mut Vec<Effect>,
) -> (bool, bool) {
    let split = super::parts::parts(agg, read);
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
    for c in split
        .changes
        .iter()
        .filter(|c| c.from == "before" && c.to == "after")
    {
        let (Some(b), Some(a)) = (side("before", c.measure), side("after", c.measure)) else {
            continue;
        };
        out.push(Effect {
            stage: stage.id.value.clone(),
            stage_name: stage.name.clone(),
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
    (
        split.waves.iter().any(|w| w.wave == "before"),
        split.waves.iter().any(|w| w.wave == "after"),
    )
}

/// The share of actors kept into stage `i` from the step before it, among those who entered
/// an event log's funnel in the window before the ship date against those who entered in
/// the window after (Newcombe's interval, as CSAT's); whether each window had entrants, and
/// whether a log binds the stage after another at all.
fn kept(
    stage: &Stage,
    i: usize,
    ship: jiff::civil::Date,
    days: i64,
    funnels: &crate::analytics::FunnelData,
    out: &mut Vec<Effect>,
) -> (bool, bool, bool) {
    let day = (ship - jiff::civil::date(1970, 1, 1)).get_days() as i64;
    let (mut b_any, mut a_any, mut binds) = (false, false, false);
    for log in &funnels.entries {
        let Some(k) = log.stages.iter().position(|s| *s == i).filter(|k| *k > 0) else {
            continue;
        };
        binds = true;
        let sum = |from: i64, to: i64| {
            log.by_day
                .range(from..=to)
                .fold((0u64, 0u64), |(kept, of), (_, c)| {
                    (kept + c[k], of + c[k - 1])
                })
        };
        let (kb, nb) = sum(day - days, day - 1);
        let (ka, na) = sum(day, day + days - 1);
        b_any |= nb > 0;
        a_any |= na > 0;
        let Some(change) = crate::survey::change::share((kb, nb), (ka, na)) else {
            continue;
        };
        let pct = |k: u64, n: u64| k as f64 / n as f64 * 100.0;
        out.push(Effect {
            stage: stage.id.value.clone(),
            stage_name: stage.name.clone(),
            measure: "kept",
            before: Side {
                value: pct(kb, nb),
                n: nb,
            },
            after: Side {
                value: pct(ka, na),
                n: na,
            },
            delta: change.delta,
            low: change.low,
            high: change.high,
            significant: change.significant,
            low_sample: nb < LOW_SAMPLE || na < LOW_SAMPLE,
        });
    }
    (b_any, a_any, binds)
}
