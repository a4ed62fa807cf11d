//! Targets: where a team wants a figure (`csat: ">= 70%"`), and whether the figure is there,
//! judged with its 95% interval: **met** when the whole interval is on the right side of the
//! target, **missed** when the whole interval is on the wrong side, **unclear** when the
//! interval straddles it (with about how many more answers would tell).
//!
//! Invariants: a target is parsed in one place, for validation and for the judgement alike;
//! a figure with no interval (measured reach, counts of actors rather than a sample) is judged
//! as exact; "unclear" never claims more than the interval allows.

use serde::Serialize;

/// The measures a target may name: the survey measures, comment sentiment, and `kept` (the
/// measured reach kept from the stage before).
pub const MEASURES: &[&str] = &["nps", "csat", "ces", "score", "sentiment", "kept"];

/// How a figure must compare with the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    Above,
    #[serde(rename = "<=")]
    AtMost,
    #[serde(rename = "<")]
    Below,
}

impl Op {
    pub fn text(self) -> &'static str {
        match self {
            Op::AtLeast => ">=",
            Op::Above => ">",
            Op::AtMost => "<=",
            Op::Below => "<",
        }
    }

    /// Whether `x` is on the right side of `target`.
    fn holds(self, x: f64, target: f64) -> bool {
        match self {
            Op::AtLeast => x >= target,
            Op::Above => x > target,
            Op::AtMost => x <= target,
            Op::Below => x < target,
        }
    }
}

/// A target as the map writes it, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub measure: &'static str,
    pub op: Op,
    /// In the figure's own unit: CSAT in percent points (0..100), `kept` and a score's
    /// yes-share as shares (0..1), NPS in points, means on their scale.
    pub value: f64,
    /// A score's target written as a percentage (`70%`): on the share that answered yes.
    pub percent: bool,
}

/// Read `text` (`>= 70%`) as a target on `measure`; the error says what is wrong and how to
/// write it.
pub fn parse(measure: &str, text: &str) -> Result<Target, String> {
    let Some(measure) = MEASURES.iter().copied().find(|m| *m == measure) else {
        let hint = crate::suggest::did_you_mean(measure, MEASURES.iter().copied());
        return Err(format!(
            "`{measure}` is not a measure a target can name; name one of {}{hint}",
            MEASURES.join(", ")
        ));
    };
    let t = text.trim();
    let (op, rest) = [
        (">=", Op::AtLeast),
        ("≥", Op::AtLeast),
        ("<=", Op::AtMost),
        ("≤", Op::AtMost),
        (">", Op::Above),
        ("<", Op::Below),
    ]
    .iter()
    .find_map(|(sign, op)| t.strip_prefix(sign).map(|r| (*op, r.trim())))
    .ok_or_else(|| {
        format!("`{t}` says no comparison; write it as `{measure}: \">= {t}\"` (or `<=`, `>`, `<`)")
    })?;
    let (number, percent) = match rest.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (rest, false),
    };
    let x: f64 = number
        .parse()
        .ok()
        .filter(|x: &f64| x.is_finite())
        .ok_or_else(|| {
            format!(
                "`{rest}` is not a number; write the target as `{} 70%` or `{} 3`",
                op.text(),
                op.text()
            )
        })?;
    let value = match (measure, percent) {
        ("csat", _) => x,
        ("kept", true) => x / 100.0,
        ("kept", false) => x,
        // A score shown as the share that answered yes (`values:` naming its 1).
        ("score", true) if (0.0..=100.0).contains(&x) => x / 100.0,
        (_, true) => {
            return Err(format!(
                "a {measure} target is not a percentage; write it without `%`, as `{} {number}`",
                op.text()
            ));
        }
        _ => x,
    };
    let range = match measure {
        "csat" => Some((0.0, 100.0, "0% to 100%")),
        "kept" => Some((0.0, 1.0, "0% to 100%")),
        "nps" => Some((-100.0, 100.0, "-100 to 100")),
        "sentiment" => Some((-1.0, 1.0, "-1 to 1")),
        _ => None,
    };
    if let Some((lo, hi, words)) = range
        && !(lo..=hi).contains(&value)
    {
        return Err(format!(
            "`{t}` is outside the range of {measure} ({words}); no figure can meet or miss it"
        ));
    }
    Ok(Target {
        measure,
        op,
        value,
        // CSAT and `kept` are always percentages; only a score's is a choice.
        percent: percent && measure == "score",
    })
}

/// Whether a figure is where the target wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Met,
    Missed,
    Unclear,
}

/// A target and its judgement (`stages[].targets[]` in the JSON).
#[derive(Debug, Clone, Serialize)]
pub struct Judged {
    pub measure: &'static str,
    pub op: Op,
    pub value: f64,
    /// A score's target on the share that answered yes (written as a percentage).
    pub percent: bool,
    pub status: Status,
    pub figure: f64,
    pub low: f64,
    pub high: f64,
    /// Answers behind the figure (none for measured reach).
    pub n: Option<u64>,
    /// Unclear only: about how many more answers would make the interval clear the target
    /// at the same figure and spread (none when the figure sits on the target).
    pub needs: Option<u64>,
}

/// Judge target `t` against a figure and its 95% interval (`low == high == figure` for a
/// figure with no interval).
pub fn judge(t: &Target, figure: f64, low: f64, high: f64, n: Option<u64>) -> Judged {
    let status = if t.op.holds(low, t.value) && t.op.holds(high, t.value) {
        Status::Met
    } else if !t.op.holds(low, t.value) && !t.op.holds(high, t.value) {
        Status::Missed
    } else {
        Status::Unclear
    };
    let needs = match (status, n) {
        (Status::Unclear, Some(n)) => more_answers(figure, low, high, t.value, n),
        _ => None,
    };
    Judged {
        measure: t.measure,
        op: t.op,
        value: t.value,
        percent: t.percent,
        status,
        figure,
        low,
        high,
        n,
        needs,
    }
}

/// The interval's half-width shrinks as 1/√n: the answers it takes for the half facing the
/// target to shrink to the distance between figure and target, less those there are.
fn more_answers(figure: f64, low: f64, high: f64, target: f64, n: u64) -> Option<u64> {
    let gap = (figure - target).abs();
    let half = if target > figure {
        high - figure
    } else {
        figure - low
    };
    if gap <= 0.0 || half <= 0.0 || n == 0 {
        return None;
    }
    let total = n as f64 * (half / gap).powi(2);
    Some((total - n as f64).ceil().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_in_the_figures_own_unit() {
        let t = |m: &str, s: &str| parse(m, s).map(|t| (t.op, t.value));
        assert_eq!(t("csat", ">= 70%"), Ok((Op::AtLeast, 70.0)));
        assert_eq!(t("csat", ">=70"), Ok((Op::AtLeast, 70.0)));
        assert_eq!(t("kept", "≥ 60%"), Ok((Op::AtLeast, 0.6)));
        assert_eq!(t("kept", "> 0.6"), Ok((Op::Above, 0.6)));
        assert_eq!(t("ces", "<= 3"), Ok((Op::AtMost, 3.0)));
        assert_eq!(t("nps", "< -10"), Ok((Op::Below, -10.0)));
        assert!(t("nps", ">= 30%").unwrap_err().contains("not a percentage"));
        assert_eq!(t("score", ">= 60%"), Ok((Op::AtLeast, 0.6)));
        assert!(t("nps", "30").unwrap_err().contains("says no comparison"));
        assert!(
            t("csat", ">= 120%")
                .unwrap_err()
                .contains("outside the range")
        );
        assert!(
            t("kept", ">= 1.5")
                .unwrap_err()
                .contains("outside the range")
        );
        assert!(
            t("cast", ">= 70%")
                .unwrap_err()
                .contains("did you mean `csat`?")
        );
        assert!(t("csat", ">= lots").unwrap_err().contains("not a number"));
    }

    #[test]
    fn met_missed_and_unclear_follow_the_whole_interval() {
        let at_least_70 = parse("csat", ">= 70%").unwrap();
        let j = |f, lo, hi| judge(&at_least_70, f, lo, hi, Some(100)).status;
        assert_eq!(j(80.0, 71.0, 88.0), Status::Met);
        assert_eq!(j(60.0, 52.0, 69.9), Status::Missed);
        assert_eq!(j(72.0, 62.0, 80.0), Status::Unclear);
        // The boundary: >= counts a bound on the target as met, > does not.
        assert_eq!(j(75.0, 70.0, 80.0), Status::Met);
        let above_70 = parse("csat", "> 70%").unwrap();
        assert_eq!(
            judge(&above_70, 75.0, 70.0, 80.0, None).status,
            Status::Unclear
        );
        let at_most_3 = parse("ces", "<= 3").unwrap();
        assert_eq!(judge(&at_most_3, 2.5, 2.2, 2.8, None).status, Status::Met);
        assert_eq!(
            judge(&at_most_3, 3.5, 3.1, 3.9, None).status,
            Status::Missed
        );
    }

    #[test]
    fn an_unclear_target_says_how_many_more_answers_would_tell() {
        // Figure 72 on 100 answers, interval 62..80: the lower half (10 points) faces the
        // target 70, 2 points away; (10 / 2)² = 25 times the answers: 2,400 more.
        let t = parse("csat", ">= 70%").unwrap();
        assert_eq!(judge(&t, 72.0, 62.0, 80.0, Some(100)).needs, Some(2400));
        // A figure on the target: no number of answers tells.
        assert_eq!(judge(&t, 70.0, 60.0, 80.0, Some(100)).needs, None);
    }
}
