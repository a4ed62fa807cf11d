//! Whether a binding's answers fit the question it claims (the guide: "Plausibility"): labels
//! that stop short of the measure's default scale, an `nps:` column whose answers all lie in
//! 1..5, answers beyond the scale that a wider question would give, and skipped answers that
//! are all one text (a glued label, `Very helpful10`).
//!
//! Invariants: judged after the last row from the binding's counters only (the lowest and
//! highest answer used and skipped, the skipped texts), so a file is still read once; each
//! finding is said at the map line of the binding, with the fix it most likely needs.

use crate::diagnostic::Code;

use super::binding::fmt as num;
use super::plan::Binding;
use super::value::Skip;
use super::{MAX_SHOWN, Reader, input, measure_name};
use crate::model::MeasureName;
use crate::survey::measure::LOW_SAMPLE;

/// Off-scale answers at least this share of the answered ones (and at least two) are a
/// wider question, not a slip of the keyboard.
const WIDER_SHARE: f64 = 0.05;

/// What the skipped answers of a figure read: nothing yet, one text, or several.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SkippedText {
    #[default]
    Nothing,
    One(Vec<u8>),
    Several,
}

impl SkippedText {
    #[inline]
    pub fn add(&mut self, cell: &[u8]) {
        match self {
            SkippedText::Nothing => *self = SkippedText::One(cell.to_vec()),
            SkippedText::One(t) if t.as_slice() != cell => *self = SkippedText::Several,
            _ => {}
        }
    }

    pub fn merge(&mut self, o: &SkippedText) {
        match o {
            SkippedText::Nothing => {}
            SkippedText::One(t) => self.add(t),
            SkippedText::Several => *self = SkippedText::Several,
        }
    }

    /// The one text every skipped answer reads, when there is one.
    pub fn one(&self) -> Option<String> {
        match self {
            SkippedText::One(t) => Some(shorten(&input::cell_text(t))),
            _ => None,
        }
    }
}

/// A cell's text as a diagnostic shows it: at most [`MAX_SHOWN`] characters, the rest
/// replaced by `…`.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_SHOWN) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// The number a label carries at its end or start (`Very helpful10`, `10 - Very helpful`,
/// `5 = Very satisfied`), if it lies on the scale.
fn number_in(text: &str, scale: [f64; 2]) -> Option<f64> {
    let t = text.trim();
    let tail = t.len() - t.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let head = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let digits = if tail > 0 && tail < t.len() {
        &t[t.len() - tail..]
    } else if head > 0 && head < t.len() {
        &t[..head]
    } else {
        return None;
    };
    let x: f64 = digits.parse().ok()?;
    (scale[0]..=scale[1]).contains(&x).then_some(x)
}

impl Reader<'_> {
    /// Judge whether the answers fit the binding; returns whether an error was said (the
    /// binding's other judgements would then only repeat it).
    pub(super) fn judge_plausible(&mut self, b: &Binding) -> bool {
        if b.measure == MeasureName::Comment {
            return false;
        }
        if let Some(msg) = wider_question(b) {
            self.at_map(Code::AnswersContradictBinding, b.pos, msg);
            return true;
        }
        if let Some((code, msg)) = nps_on_five(b) {
            self.at_map(code, b.pos, msg);
            return code == Code::AnswersContradictBinding;
        }
        if let Some(msg) = labels_short(b) {
            self.at_map(Code::ImplausibleBinding, b.pos, msg);
        }
        false
    }

    /// Skipped answers that all read the same text are one answer left out, not noise: say
    /// which, and what it likely means.
    pub(super) fn judge_one_text(&mut self, b: &Binding) {
        if b.skipped < 2 || b.unlabelled.len() != 1 {
            return;
        }
        let Some((text, (count, first))) = b.unlabelled.iter().next() else {
            return;
        };
        if *count != b.skipped {
            return;
        }
        let text = input::cell_text(text).into_owned();
        let shown = shorten(&text);
        let fix = match number_in(&text, b.rule.scale) {
            Some(x) => format!(
                "if that is the answer {}, add `values: {{\"{}\": {}}}`",
                num(x),
                text.trim().replace('"', "\\\""),
                num(x)
            ),
            None => "if it is an answer, give it its number in `values:`; if it means no answer, add it to `missing:`".to_owned(),
        };
        let msg = format!(
            "all {} skipped answers in column `{}` read `{shown}` (the first at {}:{first}): one answer left out, so the {} figure is not a random sample of the answers; {fix}",
            b.skipped,
            b.column,
            self.file,
            measure_name(b.measure)
        );
        self.at_map(Code::SkippedOneText, b.pos, msg);
    }
}

/// Answers beyond the scale, many and whole, that a wider question gives (JM126).
fn wider_question(b: &Binding) -> Option<String> {
    let what = measure_name(b.measure);
    let [lo, hi] = b.rule.scale;
    let answered = b.used + b.skipped;
    let off = b.why.get(&Skip::OffScale).copied().unwrap_or(0);
    let [olo, ohi] = b.off.0?;
    let wider = !b.scale_given
        && off >= 2
        && off as f64 >= WIDER_SHARE * answered as f64
        && olo >= 0.0
        && ohi <= 10.0
        && olo.fract() == 0.0
        && ohi.fract() == 0.0;
    if !wider {
        return None;
    }
    let all = b
        .span
        .0
        .map_or([olo, ohi], |[a, z]| [a.min(olo), z.max(ohi)]);
    let fix = if all[1] > 7.0 && b.measure != MeasureName::Nps {
        let from = if all[0] == 0.0 {
            "`scale: [0, 10]`"
        } else {
            "`scale: [1, 10]` (or `[0, 10]` if it starts at 0)"
        };
        format!(
            "this looks like a 0..10 question: bind it as `nps:` if it asks how likely one is to recommend, else as `score:` with {from}"
        )
    } else {
        format!(
            "if the question runs {}..{}, add `scale: [{}, {}]`",
            num(all[0]),
            num(all[1]),
            num(all[0]),
            num(all[1])
        )
    };
    let left = match (olo < lo, ohi > hi) {
        (true, true) => format!("below {} and above {}", num(lo), num(hi)),
        (true, false) => format!("below {}", num(lo)),
        _ => format!("above {}", num(hi)),
    };
    Some(format!(
        "{off} of the {answered} answers in column `{}` lie outside {what}'s scale {}..{} (the answers run {}..{}) and were skipped, so the {what} figure leaves out every answer {left}: {fix}",
        b.column,
        num(lo),
        num(hi),
        num(all[0]),
        num(all[1]),
    ))
}

/// An NPS question whose answers never pass 5: an error from `LOW_SAMPLE` answers on, a
/// warning below.
fn nps_on_five(b: &Binding) -> Option<(Code, String)> {
    let [a, z] = b.span.0?;
    let answered = b.used + b.skipped;
    let on_five = b.measure == MeasureName::Nps
        && b.skipped * 2 <= answered
        && a >= 1.0
        && z <= 5.0
        && b.used >= 2;
    if !on_five {
        return None;
    }
    let msg = format!(
        "all {} answers used in column `{}`, bound as `nps:`, lie in 1..5, which a 0..10 recommend question almost never gives (every answer counts as a detractor: NPS −100): this looks like a 1..5 question; bind it as `csat:`, or as `score:` with `scale: [1, 5]`",
        b.used, b.column,
    );
    let code = if b.used >= LOW_SAMPLE {
        Code::AnswersContradictBinding
    } else {
        Code::ImplausibleBinding
    };
    Some((code, msg))
}

/// Labels that stop short of the default scale, with no answer beyond them (JM125).
fn labels_short(b: &Binding) -> Option<String> {
    let what = measure_name(b.measure);
    let [lo, hi] = b.rule.scale;
    if b.scale_given || b.rule.labels.is_empty() {
        return None;
    }
    let span = b.span.0?;
    let numbers = || b.rule.labels.iter().map(|l| l.1);
    let a = numbers().fold(f64::INFINITY, f64::min);
    let z = numbers().fold(f64::NEG_INFINITY, f64::max);
    let short = a > lo || z < hi;
    if !short || span[0] < a || span[1] > z {
        return None;
    }
    let points = if a.fract() == 0.0 && z.fract() == 0.0 {
        format!("{} points", num(z - a + 1.0))
    } else {
        format!("the scale {}..{}", num(a), num(z))
    };
    Some(format!(
        "the `values:` labels of column `{}` run {}..{}, but {what}'s scale is {}..{} unless `scale:` says otherwise, and no answer lay outside {}..{}: if the question has {points}, add `scale: [{}, {}]` (its figure and emotion are computed on {}..{} now); if it has more, add the labels it lacks",
        b.column,
        num(a),
        num(z),
        num(lo),
        num(hi),
        num(a),
        num(z),
        num(a),
        num(z),
        num(lo),
        num(hi),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glued_number_is_read_at_either_end_and_only_on_the_scale() {
        assert_eq!(number_in("Very helpful10", [1.0, 10.0]), Some(10.0));
        assert_eq!(number_in("10 - Very helpful", [1.0, 10.0]), Some(10.0));
        assert_eq!(number_in("5 = Very satisfied", [1.0, 5.0]), Some(5.0));
        assert_eq!(number_in("Very helpful10", [1.0, 5.0]), None);
        assert_eq!(number_in("Don't know", [1.0, 5.0]), None);
        assert_eq!(number_in("10", [1.0, 10.0]), None);
    }

    #[test]
    fn one_text_survives_repeats_and_several_do_not() {
        let mut t = SkippedText::default();
        assert_eq!(t.one(), None);
        t.add(b"x");
        t.add(b"x");
        assert_eq!(t.one().as_deref(), Some("x"));
        let mut u = SkippedText::default();
        u.add(b"y");
        t.merge(&u);
        assert_eq!(t, SkippedText::Several);
        let mut v = SkippedText::default();
        v.merge(&SkippedText::One(b"z".to_vec()));
        assert_eq!(v.one().as_deref(), Some("z"));
    }

    #[test]
    fn long_text_is_shortened_on_a_character_boundary() {
        let long = "é".repeat(MAX_SHOWN + 5);
        let s = shorten(&long);
        assert_eq!(s.chars().count(), MAX_SHOWN + 1);
        assert!(s.ends_with('…'));
        assert_eq!(shorten("short"), "short");
    }
}
