//! The rules over a survey's waves as the map binds them: one way to tell waves per survey,
//! a wave column that can be read, date ranges that do not overlap, labels declared once, and
//! surveys that agree on how waves are bucketed.

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Pos, Spanned, Survey};

use super::check_source;

/// A survey's waves and segments: one file or one file per wave, labels given once, ranges
/// that are days in order and do not overlap, segments only with `segment_by:`.
pub(super) fn check_waves(file: &str, s: &Survey, out: &mut Vec<Diagnostic>) {
    let mut bad =
        |pos: Pos, code: Code, msg: String| out.push(Diagnostic::new(code, file, pos, msg));
    let id = &s.id.value;
    check_source(s, &mut bad);
    let mut labels = Labels::default();
    for w in &s.waves {
        labels.add(&w.label, "wave", &mut bad);
    }
    if let Some(w) = &s.wave {
        check_wave_column(w, &mut labels, &mut bad);
    }
    if s.segment_by.is_none()
        && let Some(first) = s.segments.first()
    {
        bad(
            first.pos,
            Code::WaveBinding,
            format!("survey `{id}` lists `segments:` but has no `segment_by:` column"),
        );
    }
    let mut segments = Labels::default();
    for seg in &s.segments {
        segments.add(seg, "segment", &mut bad);
    }
}

/// A wave column: `by:` and `ranges:` that go together, `order:` only for labels, every
/// label once, every range days in order that no other range overlaps.
pub(super) fn check_wave_column(
    w: &crate::model::WaveColumn,
    labels: &mut Labels,
    bad: &mut dyn FnMut(Pos, Code, String),
) {
    use crate::model::WaveBy;
    let by = w.by.as_ref().map(|b| b.value);
    let by_pos = w.by.as_ref().map_or(w.column.pos, |b| b.pos);
    match by {
        Some(WaveBy::Ranges) | None if !w.ranges.is_empty() => {}
        Some(WaveBy::Ranges) => bad(
            by_pos,
            Code::WaveBinding,
            "`by: ranges` needs `ranges:`, a list of `{label, from, to}`".to_owned(),
        ),
        Some(b) if !w.ranges.is_empty() => bad(
            by_pos,
            Code::WaveBinding,
            format!(
                "`by: {}` and `ranges:` cannot go together; drop one",
                by_word(b)
            ),
        ),
        _ => {}
    }
    if !w.order.is_empty() && !matches!(by, Some(WaveBy::Label) | None)
        || !w.order.is_empty() && !w.ranges.is_empty()
    {
        bad(
            w.order[0].pos,
            Code::WaveBinding,
            "`order:` orders wave labels; waves from dates are in date order already".to_owned(),
        );
    }
    for o in &w.order {
        labels.add(o, "wave", bad);
    }
    check_ranges(&w.ranges, labels, bad);
}

/// Wave ranges: each a label once, days written YYYY-MM-DD, in order, overlapping no other.
pub(super) fn check_ranges(
    ranges: &[crate::model::WaveRange],
    labels: &mut Labels,
    bad: &mut dyn FnMut(Pos, Code, String),
) {
    let mut days = Vec::new();
    for r in ranges {
        labels.add(&r.label, "wave", bad);
        let day = |d: &Spanned<String>, bad: &mut dyn FnMut(Pos, Code, String)| {
            let parsed = d.value.trim().parse::<jiff::civil::Date>().ok();
            if parsed.is_none() {
                bad(
                    d.pos,
                    Code::WaveBinding,
                    format!("`{}` is not a day written YYYY-MM-DD", d.value),
                );
            }
            parsed
        };
        let (from, to) = (day(&r.from, bad), day(&r.to, bad));
        let (Some(from), Some(to)) = (from, to) else {
            continue;
        };
        if to < from {
            bad(
                r.to.pos,
                Code::WaveBinding,
                format!(
                    "wave `{}` ends ({to}) before it starts ({from})",
                    r.label.value
                ),
            );
        } else if let Some((other, _, _)) = days.iter().find(|(_, f, t)| from <= *t && *f <= to) {
            bad(
                r.from.pos,
                Code::WaveBinding,
                format!(
                    "wave `{}` overlaps wave `{other}`; a day must be in one wave",
                    r.label.value
                ),
            );
        } else {
            days.push((r.label.value.clone(), from, to));
        }
    }
}

pub(super) fn by_word(b: crate::model::WaveBy) -> &'static str {
    use crate::model::WaveBy;
    match b {
        WaveBy::Label => "label",
        WaveBy::Month => "month",
        WaveBy::Quarter => "quarter",
        WaveBy::Ranges => "ranges",
    }
}

/// Labels of one list, each given once and not empty.
#[derive(Default)]
pub(super) struct Labels(Vec<String>);

impl Labels {
    fn add(&mut self, label: &Spanned<String>, what: &str, bad: &mut dyn FnMut(Pos, Code, String)) {
        let text = label.value.trim();
        if text.is_empty() {
            bad(
                label.pos,
                Code::WaveBinding,
                format!("a {what} label is empty"),
            );
        } else if self.0.iter().any(|l| crate::words::same_name(l, text)) {
            bad(
                label.pos,
                Code::WaveBinding,
                format!("two {what}s are labelled `{text}`; give each its own label"),
            );
        } else {
            self.0.push(text.to_owned());
        }
    }
}

/// The surveys of one map agree on time: all have waves or none, and dates are bucketed
/// the same way, so every wave of the map means one period.
pub(super) fn check_waves_agree(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    use crate::model::WaveBy;
    let surveys = &loaded.journey.surveys;
    let Some(with) = surveys.iter().find(|s| s.has_waves()) else {
        return;
    };
    for s in surveys.iter().filter(|s| !s.has_waves()) {
        let msg = format!(
            "survey `{}` has no waves while survey `{}` has; its answers cannot be put on the map's timeline. Give it a wave column, or `waves: [{{label: ..., file: ...}}]` with the wave it belongs to",
            s.id.value, with.id.value
        );
        out.push(loaded.at(Code::WaveBinding, s.id.pos, msg));
    }
    fn bucket(s: &Survey) -> Option<&Spanned<WaveBy>> {
        s.wave
            .as_ref()
            .and_then(|w| w.by.as_ref())
            .filter(|b| matches!(b.value, WaveBy::Month | WaveBy::Quarter))
    }
    if let Some(first) = surveys.iter().find_map(bucket) {
        for b in surveys.iter().filter_map(bucket) {
            if b.value != first.value {
                let msg = format!(
                    "waves are bucketed by {} here and by {} in another survey; bucket every survey the same way",
                    by_word(b.value),
                    by_word(first.value)
                );
                out.push(loaded.at(Code::WaveBinding, b.pos, msg));
            }
        }
    }
}
