//! Numbers and words for people, in one place: every figure and enum value that reaches a
//! page, a diff or a message is formatted here.
//!
//! Invariants: deterministic and locale-free; trailing zeros are dropped the same way
//! everywhere; `-0` never appears; an enum's word is its serde name, so the map file, the
//! JSON and the page say the same thing.

use serde::Serialize;

/// `v` with at most `decimals` decimals, trailing zeros (and a bare point) dropped, and
/// `-0` shown as `0`. Halves round away from zero, as people round (0.125 is 0.13), and
/// `v` is first taken to nine decimals, so that float noise below that cannot move a
/// shown digit: a mean summed exactly (0.125) and the same mean pooled from a warehouse's
/// averages (0.12499999999999997) read the same.
pub fn number(v: f64, decimals: usize) -> String {
    const NANO: f64 = 1e9;
    if decimals <= 9 && v.is_finite() && v.abs() < 1e18 {
        let nanos = (v.abs() * NANO).round() as i128;
        let unit = 10i128.pow(9 - decimals as u32);
        let q = (nanos + unit / 2) / unit;
        let sign = if v < 0.0 && q != 0 { "-" } else { "" };
        let p = 10i128.pow(decimals as u32);
        return if decimals == 0 {
            format!("{sign}{q}")
        } else {
            let frac = format!("{:0decimals$}", q % p);
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                format!("{sign}{}", q / p)
            } else {
                format!("{sign}{}.{frac}", q / p)
            }
        };
    }
    let t = format!("{v:.decimals$}");
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        t
    };
    if t == "-0" { "0".to_owned() } else { t }
}

/// A whole number with thousands separators: 12000 -> 12,000.
pub fn int(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share 0..1 as a percentage with one decimal, trailing `.0` dropped: 0.625 -> 62.5%.
pub fn pct(v: f64) -> String {
    format!("{}%", number(v * 100.0, 1))
}

/// An emotion score as people read it: `+1`, `-0.5`, `0`.
pub fn score(s: f64) -> String {
    let t = number(s, 2);
    // What rounds to 0 is 0, unsigned, on either side (0.004 and -0.004 alike).
    if s > 0.0 && t != "0" {
        format!("+{t}")
    } else {
        t
    }
}

/// A survey figure as people read it: NPS as a signed whole number, CSAT as a percentage
/// with one decimal, means with two decimals.
pub fn metric(value: f64, measure: &str) -> String {
    match measure {
        "nps" => {
            let v = value.round();
            if v > 0.0 {
                format!("+{v}")
            } else if v == 0.0 {
                "0".to_owned()
            } else {
                format!("{v}")
            }
        }
        "csat" => pct(value / 100.0),
        // VADER's compound, -1..1: signed, as the emotion scores are.
        "sentiment" => score(value),
        _ => number(value, 2),
    }
}

/// A span of seconds as people say it: `45 s`, `16 min`, `3.5 h`, `2.1 days`.
pub fn duration(secs: f64) -> String {
    if secs < 90.0 {
        format!("{} s", number(secs, 0))
    } else if secs < 90.0 * 60.0 {
        format!("{} min", number(secs / 60.0, 0))
    } else if secs < 36.0 * 3600.0 {
        format!("{} h", number(secs / 3600.0, 1))
    } else {
        format!("{} days", number(secs / 86_400.0, 1))
    }
}

/// A change between two waves in the measure's units, signed: NPS in whole points, CSAT in
/// percentage points with one decimal, means with two decimals.
pub fn delta(value: f64, measure: &str) -> String {
    let (t, unit) = match measure {
        "nps" => (number(value.round(), 0), " pts"),
        // A theme's share, in percentage points.
        "csat" | "theme" | "kept" => (number(value, 1), " pts"),
        _ => (number(value, 2), ""),
    };
    let t = if t == "-0" { "0".to_owned() } else { t };
    let sign = if value > 0.0 && t != "0" { "+" } else { "" };
    format!("{sign}{t}{unit}")
}

/// A measure's name as people write it.
pub fn measure_label(measure: &str) -> String {
    match measure {
        "nps" => "NPS",
        "csat" => "CSAT",
        "ces" => "CES",
        "score" => "Score",
        "sentiment" => "Sentiment",
        "kept" => "Kept",
        other => other,
    }
    .to_owned()
}

/// What a measured emotion is measured from: `CSAT answers`, `comment sentiment`.
pub fn measured_from(measure: &str) -> String {
    match measure {
        "sentiment" => "comment sentiment".to_owned(),
        m => format!("{} answers", measure_label(m)),
    }
}

/// What the measured emotions are measured from, each measure once: `CSAT answers`,
/// `CES answers and NPS answers`.
pub fn measured_from_all(measures: &[String]) -> String {
    let each: Vec<String> = measures.iter().map(|m| measured_from(m)).collect();
    match each.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// An enum value's word: its serde name (`in-progress`, `high`, `current-state`).
pub fn kebab<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A name as compared without regard to case or Unicode composition: NFC, then lower case
/// (`TRÈS SATISFAIT` and a decomposed `Très satisfait` fold alike).
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect::<String>().to_lowercase()
}

/// Whether two names are the same but for case and composition; ASCII is compared without
/// allocating.
pub fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        fold(a) == fold(b)
    }
}

/// The first letter of a name as a reader sees it, in capitals: a whole grapheme cluster
/// (`👩‍👩‍👧`, a decomposed `é`), never half of one.
pub fn initial(name: &str) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    name.trim()
        .graphemes(true)
        .next()
        .map(str::to_uppercase)
        .unwrap_or_default()
}

/// An enum value as a label: its serde name with spaces and a capital (`Day in the life`).
pub fn label<T: Serialize>(v: &T) -> String {
    let words = kebab(v).replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_round_away_from_zero_and_noise_below_nine_decimals_does_not_count() {
        assert_eq!(number(0.125, 2), "0.13");
        assert_eq!(number(0.124_999_999_999_999_97, 2), "0.13");
        assert_eq!(number(0.125_000_000_000_000_03, 2), "0.13");
        assert_eq!(number(0.124_999, 2), "0.12");
        assert_eq!(number(-0.125, 2), "-0.13");
        assert_eq!(number(-0.004, 2), "0");
        assert_eq!(number(2.5, 0), "3");
        assert_eq!(number(62.5, 1), "62.5");
        assert_eq!(number(4.399_999_999_999_999, 2), "4.4");
        assert_eq!(number(1234.0, 2), "1234");
        assert_eq!(number(0.1 + 0.2, 3), "0.3");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(989.0), "16 min");
        assert_eq!(duration(86_400.0), "24 h");
        assert_eq!(duration(2.5 * 86_400.0), "2.5 days");
    }

    #[test]
    fn changes_read_in_their_measure_units() {
        assert_eq!(delta(23.4, "nps"), "+23 pts");
        assert_eq!(delta(-0.4, "nps"), "0 pts");
        assert_eq!(delta(47.66, "csat"), "+47.7 pts");
        assert_eq!(delta(-6.26, "csat"), "-6.3 pts");
        assert_eq!(delta(2.604, "ces"), "+2.6");
        assert_eq!(delta(-0.004, "score"), "0");
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(12000), "12,000");
        assert_eq!(int(1234567), "1,234,567");
        assert_eq!(pct(0.625), "62.5%");
        assert_eq!(pct(0.5), "50%");
        assert_eq!(pct(2.0 / 3.0), "66.7%");
        assert_eq!(pct(-0.0001), "0%");
        assert_eq!(number(7.5, 2), "7.5");
        assert_eq!(number(4.0, 2), "4");
        assert_eq!(number(1.0 / 3.0, 2), "0.33");
        assert_eq!(number(-0.001, 2), "0");
        assert_eq!(metric(32.4, "nps"), "+32");
        assert_eq!(metric(-0.4, "nps"), "0");
        assert_eq!(metric(-12.6, "nps"), "-13");
        assert_eq!(metric(78.26, "csat"), "78.3%");
        assert_eq!(metric(5.126, "ces"), "5.13");
    }

    #[test]
    fn scores_read_naturally() {
        assert_eq!(score(1.0), "+1");
        assert_eq!(score(-0.5), "-0.5");
        assert_eq!(score(0.0), "0");
        assert_eq!(score(-0.0), "0");
        assert_eq!(score(1.25), "+1.25");
        assert_eq!(score(0.004), "0");
        assert_eq!(score(-0.004), "0");
    }

    #[test]
    fn names_fold_case_and_composition() {
        assert!(same_name("TRÈS SATISFAIT", "Très satisfait"));
        assert!(same_name("überweisung", "Überweisung"));
        // "é" written as e + combining acute is the same name as the composed one.
        assert!(same_name("Cafe\u{301}", "café"));
        assert!(!same_name("Cafe", "café"));
    }

    #[test]
    fn an_initial_is_a_whole_grapheme() {
        assert_eq!(initial("Maya"), "M");
        assert_eq!(
            initial("👩\u{200d}👩\u{200d}👧 Family"),
            "👩\u{200d}👩\u{200d}👧"
        );
        assert_eq!(initial("e\u{301}lise"), "E\u{301}");
        assert_eq!(initial(""), "");
    }

    #[test]
    fn enum_words_are_serde_names() {
        assert_eq!(kebab(&crate::model::Status::InProgress), "in-progress");
        assert_eq!(kebab(&crate::model::Severity::Critical), "critical");
        assert_eq!(label(&crate::model::Kind::DayInTheLife), "Day in the life");
    }
}
