//! The waves and segments of a map's surveys as ids: a label gets one id however many files
//! name it; after the last survey the labels are put in order (declared ones in the map's
//! order, the rest by text) and the headline figures become the latest wave's.
//!
//! Invariants: ids are dense and stable while reading; ordering happens once, in `settle`.

use crate::diagnostic::Code;

use super::{Aggregate, Key, MAX_SEGMENTS, MAX_WAVES, SurveyData};

impl SurveyData {
    /// The id of a wave label, added when new; `None` past [`MAX_WAVES`] waves the map does
    /// not declare. `declared`: the map names this wave, so its place in the order is the
    /// map's.
    pub(in crate::survey) fn wave_id(&mut self, label: &str, declared: bool) -> Option<u16> {
        let id = register(&mut self.waves, label, declared, MAX_WAVES, |a, b| a == b)?;
        note_declared(&mut self.declared_waves, id, declared);
        Some(id)
    }

    pub(super) fn find_wave(&self, label: &str) -> Option<u16> {
        find(&self.waves, label, |a, b| a == b)
    }

    /// The same for a segment value, compared without regard to case.
    pub(in crate::survey) fn segment_id(&mut self, label: &str, declared: bool) -> Option<u16> {
        let same = crate::words::same_name;
        let id = register(&mut self.segments, label, declared, MAX_SEGMENTS, same)?;
        note_declared(&mut self.declared_segments, id, declared);
        Some(id)
    }

    pub(super) fn find_segment(&self, label: &str) -> Option<u16> {
        find(&self.segments, label, crate::words::same_name)
    }

    /// After the last survey: waves and segments in order (the map's order for those it
    /// lists, then the rest sorted as text), and the headline figures of every stage and of
    /// the journey made the latest wave's.
    pub(in crate::survey) fn settle(&mut self) {
        let wave_order = order(&self.waves, &self.declared_waves);
        let segment_order = order(&self.segments, &self.declared_segments);
        let remap = |order: &[u16], id: Option<u16>| {
            id.and_then(|id| order.iter().position(|o| *o == id))
                .and_then(|p| u16::try_from(p).ok())
        };
        self.waves = wave_order
            .iter()
            .map(|i| self.waves[usize::from(*i)].clone())
            .collect();
        self.wave_rows = wave_order
            .iter()
            .map(|i| self.wave_rows.get(usize::from(*i)).copied().unwrap_or(0))
            .collect();
        self.segments = segment_order
            .iter()
            .map(|i| self.segments[usize::from(*i)].clone())
            .collect();
        let latest = self
            .waves
            .len()
            .checked_sub(1)
            .and_then(|l| u16::try_from(l).ok());
        for agg in self
            .stages
            .iter_mut()
            .chain(std::iter::once(&mut self.overall))
        {
            let parts = std::mem::take(&mut agg.parts);
            agg.parts = parts
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        wave: remap(&wave_order, k.wave),
                        segment: remap(&segment_order, k.segment),
                    };
                    (key, v)
                })
                .collect();
            if let Some(latest) = latest {
                let head = agg
                    .parts
                    .get(&Key::wave(latest))
                    .cloned()
                    .unwrap_or_else(|| agg.blank());
                let parts = std::mem::take(&mut agg.parts);
                *agg = Aggregate { parts, ..head };
            }
        }
    }
}

impl SurveyData {
    /// A warning when the latest wave, which the headline figures come from, has less than
    /// a quarter of the rows of the wave before: most often a wave still being collected.
    pub(in crate::survey) fn unfinished_wave(
        &self,
        map: &str,
    ) -> Option<crate::diagnostic::Diagnostic> {
        let [.., before, latest] = self.wave_rows.as_slice() else {
            return None;
        };
        // A wave with no rows at all is one the map declares, an error of its own.
        if *latest == 0 || latest.saturating_mul(4) >= *before {
            return None;
        }
        let n = self.waves.len();
        let msg = format!(
            "the latest wave, `{}`, has {latest} {} against {before} in `{}`, and the headline figures come from it; if it is still being collected, leave its rows out (`where:`, or an end date in `ranges:`) until it is complete",
            self.waves[n - 1],
            if *latest == 1 { "row" } else { "rows" },
            self.waves[n - 2]
        );
        Some(crate::diagnostic::Diagnostic::new(
            Code::SmallLatestWave,
            map,
            self.wave_pos.unwrap_or_default(),
            msg,
        ))
    }
}

/// The id of `label` among `labels` (compared by `same`), added when new: past `cap`
/// labels only when the map declares it.
fn register(
    labels: &mut Vec<String>,
    label: &str,
    declared: bool,
    cap: usize,
    same: fn(&str, &str) -> bool,
) -> Option<u16> {
    if let Some(id) = find(labels, label, same) {
        return Some(id);
    }
    if labels.len() >= cap && !declared {
        return None;
    }
    labels.push(label.to_owned());
    u16::try_from(labels.len() - 1).ok()
}

fn find(labels: &[String], label: &str, same: fn(&str, &str) -> bool) -> Option<u16> {
    let i = labels.iter().position(|l| same(l, label))?;
    u16::try_from(i).ok()
}

fn note_declared(ids: &mut Vec<u16>, id: u16, declared: bool) {
    if declared && !ids.contains(&id) {
        ids.push(id);
    }
}

/// Ids in order: the declared ones as declared, then the others sorted by their text.
fn order(labels: &[String], declared: &[u16]) -> Vec<u16> {
    let mut rest: Vec<u16> = (0..labels.len())
        .filter_map(|i| u16::try_from(i).ok())
        .filter(|i| !declared.contains(i))
        .collect();
    rest.sort_by(|a, b| labels[usize::from(*a)].cmp(&labels[usize::from(*b)]));
    declared.iter().copied().chain(rest).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_order_first_then_text() {
        let labels: Vec<String> = ["2026-Q3", "Pilot", "2026-Q1", "2026-Q2"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(order(&labels, &[1]), vec![1, 2, 3, 0]);
        assert_eq!(order(&labels, &[]), vec![2, 3, 0, 1]);
    }
}
