//! The opportunity backlog: open solutions ranked by priority = (sum of the severity weights
//! of the pain points addressed) × impact ÷ effort, ties by id; the formula is printed with
//! every backlog so a reader can check each number.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Effort, Impact, Severity, Stage, Status};

use super::context::{BacklogItem, PainRef};

/// The formula printed with every backlog.
pub const BACKLOG_FORMULA: &str = "priority = (sum of the severity weights of the pain points addressed: low 1, medium 2, high 3, critical 5) × impact (low 1, medium 2, high 3; absent 2) ÷ effort (small 1, medium 2, large 3; absent 2); ties by id";

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

/// The formula printed with a backlog weighted by measured evidence.
pub const BACKLOG_FORMULA_EVIDENCE: &str = "priority = (sum of the severity weights of the pain points addressed: low 1, medium 2, high 3, critical 5, each × (1 + the lower 95% bound of the share of its stage's comments about the themes that name it; 1 without such a theme or comments)) × impact (low 1, medium 2, high 3; absent 2) ÷ effort (small 1, medium 2, large 3; absent 2); ties by id";

/// Addressed ids without repeats, in the order written.
pub(super) fn unique(ids: &[crate::model::Spanned<String>]) -> impl Iterator<Item = &str> {
    let mut seen = BTreeSet::new();
    ids.iter()
        .map(|s| s.value.as_str())
        .filter(move |id| seen.insert(*id))
}

/// What the backlog needs besides the map: the scoring model, and per stage (by index) its
/// reach with where it came from, and whether a survey figure measures it.
pub(super) struct Scoring<'s> {
    pub model: super::scoring::Model,
    pub reach: &'s dyn Fn(usize) -> (f64, &'static str),
    pub measured: &'s dyn Fn(usize) -> bool,
}

/// Confidence from the evidence behind the pain points addressed.
fn confidence(
    stages: &[Stage],
    addresses: &[PainRef],
    measured: &dyn Fn(usize) -> bool,
) -> (f64, &'static str) {
    use super::scoring::{CONFIDENCE_MEASURED, CONFIDENCE_NONE, CONFIDENCE_WRITTEN};
    let at = |id: &str| stages.iter().position(|s| s.id.value == id);
    if addresses
        .iter()
        .any(|p| p.evidence.is_some() || at(p.stage).is_some_and(measured))
    {
        return (CONFIDENCE_MEASURED, "measured");
    }
    let written = addresses.iter().any(|p| {
        stages
            .iter()
            .flat_map(|s| &s.pain_points)
            .any(|pp| pp.id.value == p.id && pp.evidence.is_some())
    });
    if written {
        (CONFIDENCE_WRITTEN, "written")
    } else {
        (CONFIDENCE_NONE, "none")
    }
}

/// Open solutions ranked by score (highest first), ties by id.
pub(super) fn backlog<'a>(
    stages: &'a [Stage],
    pains: &BTreeMap<&str, PainRef<'a>>,
    scoring: &Scoring,
) -> Vec<BacklogItem<'a>> {
    let mut items: Vec<BacklogItem> = stages
        .iter()
        .enumerate()
        .flat_map(|(i, st)| st.solutions.iter().map(move |s| (i, st, s)))
        .filter(|(_, _, s)| !matches!(s.status, Status::Done | Status::Dropped))
        .map(|(i, st, s)| {
            let addresses: Vec<PainRef> = unique(&s.addresses)
                .filter_map(|id| pains.get(id).cloned())
                .collect();
            let severity_sum = addresses.iter().map(|p| severity_weight(p.severity)).sum();
            // Weighted by evidence when the map asks: every pain point has a factor then.
            let weighted_sum = addresses
                .iter()
                .map(|p| {
                    p.evidence
                        .map(|e| f64::from(severity_weight(p.severity)) * e)
                })
                .sum::<Option<f64>>()
                .filter(|_| !addresses.is_empty());
            let iw = impact_weight(s.impact);
            let ew = effort_weight(s.effort);
            let sum = weighted_sum.unwrap_or(f64::from(severity_sum));
            let (reach, reach_from) = (scoring.reach)(i);
            let (confidence, confidence_from) = confidence(stages, &addresses, scoring.measured);
            let factors = super::scoring::Factors {
                severity: sum,
                impact: iw,
                effort: ew,
                ease: 4 - ew,
                reach,
                reach_from,
                confidence,
                confidence_from,
            };
            let priority = sum * f64::from(iw) / f64::from(ew);
            let score = super::scoring::score(&scoring.model, &factors).unwrap_or(0.0);
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
                weighted_sum,
                impact_weight: iw,
                effort_weight: ew,
                priority,
                score,
                factors,
                addresses,
            }
        })
        .collect();
    items.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(b.id)));
    for (i, item) in items.iter_mut().enumerate() {
        item.rank = i + 1;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_the_backlog_rule() {
        // low 1, medium 2, high 3, critical 5; impact absent 2; effort absent 2.
        assert_eq!(severity_weight(Severity::Critical), 5);
        assert_eq!(impact_weight(None), 2);
        assert_eq!(effort_weight(None), 2);
        assert_eq!(effort_weight(Some(Effort::Large)), 3);
    }
}
