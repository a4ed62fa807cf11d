//! Survey values: one cell as an answer, a count or a mean, parsed from bytes.
//!
//! Invariants: nothing is coerced. A cell is an answer only when it is a number (or a label
//! under `values:`) on the binding's scale, and a whole number where the measure is one; a
//! count is a whole number ≥ 0 written with digits only; a number written with a thousands
//! separator (`1,000`) is refused rather than read as a smaller one. Every refusal carries a
//! reason that names the rule, for the diagnostic and for the figure's caveat.

/// Why a cell was not used as an answer. The `&'static str` of each is what people read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Skip {
    /// Not a number, and no `values:` labels to look it up in.
    NotNumber,
    /// Not a number nor one of the `values:` labels.
    NotLabel,
    /// A number written with a thousands separator.
    Thousands,
    /// A number outside the measure's scale.
    OffScale,
    /// A fraction on a whole-number measure (NPS 9.5).
    NotWhole,
    /// Answers on another scale than the ones already pooled for the same stage.
    OtherScale,
    /// Not an answer, as counted by the warehouse query of `journeymap sql` (the `skipped`
    /// column of the aggregated layout).
    Elsewhere,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Skip::NotNumber => "not a number",
            Skip::NotLabel => "not a number nor a label under `values:`",
            Skip::Thousands => "written with a thousands separator",
            Skip::OffScale => "outside the scale",
            Skip::NotWhole => "not a whole number",
            Skip::OtherScale => "on another scale than the answers pooled with it",
            Skip::Elsewhere => {
                "not a number, label or value on the scale, counted by the warehouse"
            }
        }
    }
}

/// A cell read as an answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Missing,
    Number(f64),
    /// A whole number written as digits (most answers), read without a float parse.
    Whole(i64),
    /// Not an answer: why, and (for labels) the index of the label matched, if any.
    Invalid(Skip),
}

/// How one binding reads its cells.
#[derive(Debug, Clone)]
pub struct Rule {
    pub scale: [f64; 2],
    /// Answers must be whole numbers (NPS, CSAT, CES).
    pub whole: bool,
    /// `values:` labels, trimmed, with their numbers.
    pub labels: Vec<(Vec<u8>, f64)>,
}

/// Why a number could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    NotNumber,
    Thousands,
}

impl Rule {
    /// A cell as an answer: missing codes first, then `values:` labels (exact, then in any
    /// case), then digits. Returns the label's index when a label matched.
    #[inline]
    pub fn read(&self, cell: &[u8], missing: &Missing) -> (Value, Option<usize>) {
        if missing.holds(cell) {
            return (Value::Missing, None);
        }
        if self.labels.is_empty()
            && let Some(w) = small_int(cell)
        {
            // Whole by construction: only the scale can refuse it.
            return if (self.scale[0]..=self.scale[1]).contains(&(w as f64)) {
                (Value::Whole(w), None)
            } else {
                (Value::Invalid(Skip::OffScale), None)
            };
        }
        let label = if self.labels.is_empty() {
            None
        } else {
            self.labels
                .iter()
                .position(|(k, _)| k == cell)
                .or_else(|| {
                    self.labels
                        .iter()
                        .position(|(k, _)| k.eq_ignore_ascii_case(cell))
                })
                .or_else(|| self.folded_label(cell))
        };
        let x = match label {
            Some(i) => self.labels[i].1,
            None => match parse_number(cell) {
                Ok(x) => x,
                Err(NumberError::Thousands) => return (Value::Invalid(Skip::Thousands), None),
                Err(NumberError::NotNumber) if self.labels.is_empty() => {
                    return (Value::Invalid(Skip::NotNumber), None);
                }
                Err(NumberError::NotNumber) => return (Value::Invalid(Skip::NotLabel), None),
            },
        };
        if !(self.scale[0]..=self.scale[1]).contains(&x) {
            return (Value::Invalid(Skip::OffScale), label);
        }
        if self.whole && !is_whole(x) {
            return (Value::Invalid(Skip::NotWhole), label);
        }
        (Value::Number(x), label)
    }
}

/// Whether `x` has no fraction (a cast, not a call to `trunc`).
#[inline]
fn is_whole(x: f64) -> bool {
    if x.abs() < 4.5e15 {
        (x as i64) as f64 == x
    } else {
        x.fract() == 0.0
    }
}

impl Rule {
    /// Beyond ASCII, a label matches without regard to case and composition
    /// (`TRÈS SATISFAIT` is `Très satisfait`).
    fn folded_label(&self, cell: &[u8]) -> Option<usize> {
        if self.labels.is_empty() || cell.is_ascii() {
            return None;
        }
        let cell = std::str::from_utf8(cell).ok()?;
        self.labels.iter().position(|(k, _)| {
            std::str::from_utf8(k).is_ok_and(|k| crate::words::same_name(k, cell))
        })
    }
}

/// The codes that mean "no answer": empty cells, `NA`, `N/A`, `-99` and the survey's own
/// codes, in any case.
#[derive(Debug, Clone)]
pub struct Missing {
    codes: Vec<Vec<u8>>,
    /// Bit `n` set: some code is `n` bytes long (bit 63: 63 or more), so that most cells
    /// are told apart by their length alone.
    lengths: u64,
}

impl Missing {
    /// The usual codes and `extra`, trimmed.
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Missing {
        let codes: Vec<Vec<u8>> = ["", "NA", "N/A", "-99"]
            .into_iter()
            .chain(extra.into_iter().map(str::trim))
            .map(|c| c.as_bytes().to_vec())
            .collect();
        let lengths = codes.iter().fold(0, |m, c| m | 1 << c.len().min(63));
        Missing { codes, lengths }
    }

    #[inline]
    pub fn holds(&self, cell: &[u8]) -> bool {
        self.lengths & 1 << cell.len().min(63) != 0
            && self.codes.iter().any(|m| m.eq_ignore_ascii_case(cell))
    }
}

/// Parse a number from bytes without allocating: small integers directly, anything else
/// through the standard float parser. A decimal comma is accepted (`4,5` is 4.5), but a
/// comma followed by exactly three digits (`1,000`, `12,500`) could be a thousands separator
/// and is refused, never read as 1 or 12.5.
#[inline]
pub fn parse_number(cell: &[u8]) -> Result<f64, NumberError> {
    match small_int(cell) {
        Some(w) => Ok(w as f64),
        None => parse_other(cell),
    }
}

/// Up to nine digits, with an optional sign: read in one pass.
#[inline]
pub fn small_int(cell: &[u8]) -> Option<i64> {
    let (neg, digits) = match cell.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, cell),
    };
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    let mut v: u32 = 0;
    let mut whole = true;
    for &d in digits {
        let k = d.wrapping_sub(b'0');
        whole &= k <= 9;
        v = v.wrapping_mul(10).wrapping_add(u32::from(k));
    }
    let v = i64::from(v);
    whole.then_some(if neg { -v } else { v })
}

/// The numbers [`parse_number`] does not read inline: decimals, exponents, decimal commas,
/// and what is no number.
#[cold]
#[inline(never)]
fn parse_other(cell: &[u8]) -> Result<f64, NumberError> {
    let digits = cell
        .strip_prefix(b"-")
        .or(cell.strip_prefix(b"+"))
        .unwrap_or(cell);
    let text = std::str::from_utf8(cell).map_err(|_| NumberError::NotNumber)?;
    if has_thousands_separator(digits) {
        return Err(NumberError::Thousands);
    }
    let parsed = match text.parse::<f64>() {
        Ok(v) => v,
        Err(_) if text.contains(',') && !text.contains('.') && text.matches(',').count() == 1 => {
            text.replace(',', ".")
                .parse::<f64>()
                .map_err(|_| NumberError::NotNumber)?
        }
        Err(_) => return Err(NumberError::NotNumber),
    };
    if parsed.is_finite() {
        Ok(parsed)
    } else {
        Err(NumberError::NotNumber)
    }
}

/// `1,000`, `12,500.5`, `1.000.000`, `1 000`, `1'000`, `1 000` (no-break space): groups of
/// three digits after a separator that is not the only decimal mark.
fn has_thousands_separator(digits: &[u8]) -> bool {
    let text = String::from_utf8_lossy(digits);
    let text = text.as_ref();
    let seps = [",", " ", "'", "\u{a0}", "\u{202f}", "."];
    for sep in seps {
        let parts: Vec<&str> = text.split(sep).collect();
        if parts.len() < 2 {
            continue;
        }
        // A single `.` is a decimal point, never a group separator.
        if sep == "." && parts.len() == 2 {
            continue;
        }
        let head = parts[0];
        let last = parts.len() - 1;
        let grouped = !head.is_empty()
            && head.len() <= 3
            && head.bytes().all(|b| b.is_ascii_digit())
            && parts[1..].iter().enumerate().all(|(i, p)| {
                // The last group may carry a decimal part (`12,500.5`).
                let p = if i + 1 == last && sep != "." {
                    p.split('.').next().unwrap_or("")
                } else {
                    p
                };
                p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit())
            });
        if grouped {
            return true;
        }
    }
    false
}

/// Why a count or a mean in an aggregated row cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountError {
    Negative,
    Fraction,
    Thousands,
    TooLarge,
    NotNumber,
}

impl CountError {
    pub fn as_str(&self) -> &'static str {
        match self {
            CountError::Negative => "a count cannot be negative",
            CountError::Fraction => "a count is a whole number",
            CountError::Thousands => "write counts without thousands separators",
            CountError::TooLarge => "the count is too large to be a number of answers",
            CountError::NotNumber => "a count is a whole number written with digits",
        }
    }
}

/// A count of answers: digits only (a trailing `.0` as written by tools that store counts as
/// floats is accepted, since it is exact), at most 2^53 so that every figure computed from
/// it is exact in a double. Read as text, never through a float.
pub fn parse_count(cell: &[u8]) -> Result<u64, CountError> {
    const MAX: u64 = 1 << 53;
    let text = std::str::from_utf8(cell).map_err(|_| CountError::NotNumber)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let whole = match text.split_once('.') {
        Some((w, frac)) if digits(w) && digits(frac) => {
            if frac.bytes().any(|b| b != b'0') {
                return Err(CountError::Fraction);
            }
            w
        }
        _ => text,
    };
    if digits(whole) {
        return match whole.parse::<u64>() {
            Ok(v) if v <= MAX => Ok(v),
            _ => Err(CountError::TooLarge),
        };
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    if has_thousands_separator(unsigned.as_bytes()) {
        return Err(CountError::Thousands);
    }
    match parse_number(cell) {
        Ok(v) if v < 0.0 => Err(CountError::Negative),
        Ok(v) if v.fract() != 0.0 => Err(CountError::Fraction),
        Ok(v) if v > MAX as f64 => Err(CountError::TooLarge),
        _ => Err(CountError::NotNumber),
    }
}

/// A mean or standard deviation from a warehouse row: a finite number (thousands separators
/// refused).
pub fn parse_real(cell: &[u8]) -> Result<f64, NumberError> {
    parse_number(cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_from_bytes() {
        assert_eq!(parse_number(b"7"), Ok(7.0));
        assert_eq!(parse_number(b"-2"), Ok(-2.0));
        assert_eq!(parse_number(b"4.5"), Ok(4.5));
        assert_eq!(parse_number(b"4,5"), Ok(4.5));
        assert_eq!(parse_number(b"1e1"), Ok(10.0));
        assert_eq!(parse_number(b"NaN"), Err(NumberError::NotNumber));
        assert_eq!(parse_number(b"inf"), Err(NumberError::NotNumber));
        assert_eq!(parse_number(b"seven"), Err(NumberError::NotNumber));
        assert_eq!(parse_number(b""), Err(NumberError::NotNumber));
    }

    #[test]
    fn a_thousands_separator_is_never_read_as_a_smaller_number() {
        for t in [
            "1,000",
            "12,500",
            "1,000,000",
            "12,500.5",
            "1 000",
            "1'000",
            "1.000.000",
            "1\u{a0}000",
        ] {
            assert_eq!(
                parse_number(t.as_bytes()),
                Err(NumberError::Thousands),
                "{t}"
            );
        }
        // A decimal comma with other than three digits after it is a decimal comma.
        assert_eq!(parse_number(b"4,25"), Ok(4.25));
        assert_eq!(parse_number(b"1000"), Ok(1000.0));
        assert_eq!(parse_number(b"1.000"), Ok(1.0));
    }

    #[test]
    fn counts_are_whole_non_negative_and_exact() {
        assert_eq!(parse_count(b"0"), Ok(0));
        assert_eq!(parse_count(b"120"), Ok(120));
        assert_eq!(parse_count(b"120.0"), Ok(120));
        assert_eq!(parse_count(b"-5"), Err(CountError::Negative));
        assert_eq!(parse_count(b"10.7"), Err(CountError::Fraction));
        assert_eq!(parse_count(b"1,000"), Err(CountError::Thousands));
        assert_eq!(parse_count(b"1 000"), Err(CountError::Thousands));
        assert_eq!(
            parse_count(b"18446744073709551616"),
            Err(CountError::TooLarge)
        );
        assert_eq!(parse_count(b"1e30"), Err(CountError::TooLarge));
        assert_eq!(parse_count(b"NaN"), Err(CountError::NotNumber));
        assert_eq!(parse_count(b""), Err(CountError::NotNumber));
        assert_eq!(parse_count(b"ten"), Err(CountError::NotNumber));
    }

    #[test]
    fn answers_follow_scale_labels_and_whole_numbers() {
        let missing = Missing::new([" Unfamiliar (N/A) "]);
        assert!(missing.holds(b"unfamiliar (n/a)") && missing.holds(b"na") && missing.holds(b""));
        assert!(!missing.holds(b"7") && !missing.holds(b"N/A?"));
        let rule = Rule {
            scale: [1.0, 5.0],
            whole: true,
            labels: vec![
                (b"Very satisfied".to_vec(), 5.0),
                (b"Satisfied".to_vec(), 4.0),
            ],
        };
        assert_eq!(rule.read(b"", &missing).0, Value::Missing);
        assert_eq!(rule.read(b"n/a", &missing).0, Value::Missing);
        assert_eq!(rule.read(b"Unfamiliar (N/A)", &missing).0, Value::Missing);
        assert_eq!(
            rule.read(b"very satisfied", &missing),
            (Value::Number(5.0), Some(0))
        );
        assert_eq!(rule.read(b"3", &missing).0, Value::Number(3.0));
        // Without labels, digits are read as a whole number: on the scale or off it.
        let plain = Rule {
            labels: Vec::new(),
            ..rule.clone()
        };
        assert_eq!(plain.read(b"+3", &missing).0, Value::Whole(3));
        assert_eq!(plain.read(b"6", &missing).0, Value::Invalid(Skip::OffScale));
        assert_eq!(
            plain.read(b"2.5", &missing).0,
            Value::Invalid(Skip::NotWhole)
        );
        assert_eq!(plain.read(b"na", &missing).0, Value::Missing);
        assert_eq!(
            rule.read(b"3.5", &missing).0,
            Value::Invalid(Skip::NotWhole)
        );
        assert_eq!(rule.read(b"6", &missing).0, Value::Invalid(Skip::OffScale));
        assert_eq!(
            rule.read(b"meh", &missing).0,
            Value::Invalid(Skip::NotLabel)
        );
        let nps = Rule {
            scale: [0.0, 10.0],
            whole: true,
            labels: vec![],
        };
        assert_eq!(nps.read(b"9.5", &missing).0, Value::Invalid(Skip::NotWhole));
        assert_eq!(
            nps.read(b"1,000", &missing).0,
            Value::Invalid(Skip::Thousands)
        );
        assert_eq!(nps.read(b"x", &missing).0, Value::Invalid(Skip::NotNumber));
    }
}
