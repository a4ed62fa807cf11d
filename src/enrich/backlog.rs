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

/// Open solutions ranked by priority (highest first), ties by id.
pub(super) fn backlog<'a>(
    stages: &'a [Stage],
    pains: &BTreeMap<&str, PainRef<'a>>,
) -> Vec<BacklogItem<'a>> {
    let mut items: Vec<BacklogItem> = stages
        .iter()
        .flat_map(|st| st.solutions.iter().map(move |s| (st, s)))
        .filter(|(_, s)| !matches!(s.status, Status::Done | Status::Dropped))
        .map(|(st, s)| {
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
                priority: sum * f64::from(iw) / f64::from(ew),
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
