//! The one shape every funnel export is read into (steps with their counts, the funnel, its
//! problems), and the rules every format shares for reading a count.
//!
//! Invariants: a count is a whole, non-negative number written out in full; every rate is
//! recomputed from the counts.

use serde_json::Value;

/// One step of a funnel.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// 1-based position in the funnel.
    pub order: usize,
    /// As the file writes it (`1. view_item`).
    pub label: String,
    /// Without a leading `N. ` (`view_item`).
    pub name: String,
    /// Actors that reached at least this step.
    pub count: u64,
    /// Where the count is, for diagnostics (1-based line and column).
    pub line: u64,
    pub col: usize,
    /// Seconds from the step before: median, quartile and 90th percentile (a `steps` CSV
    /// written by `journeymap sql`).
    pub gaps: crate::analytics::reach::Gaps,
    /// Where actors went around the step (a `steps` CSV written by `journeymap sql`).
    pub paths: crate::analytics::reach::Paths,
    /// Per property, per value, the actors who reached the step (the same).
    pub properties: crate::analytics::reach::Properties,
}

impl Step {
    /// A step whose name is its label (API answers number nothing).
    pub(super) fn named(
        order: usize,
        label: String,
        count: u64,
        (line, col): (u64, usize),
    ) -> Step {
        Step {
            order,
            name: label.clone(),
            label,
            count,
            line,
            col,
            gaps: crate::analytics::reach::Gaps::default(),
            paths: crate::analytics::reach::Paths::default(),
            properties: Vec::new(),
        }
    }
}

/// A funnel read from one export.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Funnel {
    /// The tool and report, as people name it.
    pub tool: &'static str,
    /// The report's own title, when the file gives one.
    pub title: Option<String>,
    /// Days the report covers (YYYY-MM-DD), when the file says.
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    /// What the tool counts: users, persons.
    pub unit: &'static str,
    /// The breakdown value or bucket read (`Total`, `desktop`, `2016-09-12`), if any.
    pub segment: Option<String>,
    pub steps: Vec<Step>,
    /// Actors who did the last step's event off the ordered path (`journeymap sql`'s result).
    pub outside_path: Option<u64>,
    /// A plain `steps` CSV read for its total: each other segment's steps, in file order.
    pub parts: Vec<(String, Vec<Step>)>,
    /// What the segments are values of (`journeymap sql` writes its `segment_by:`).
    pub segment_by: Option<String>,
    /// Problems that leave the counts usable (a reported rate that disagrees).
    pub warnings: Vec<Problem>,
}

/// What is wrong, and where (line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: u64,
    pub col: usize,
    pub message: String,
    /// A count that cannot be used, rather than a file that is not the export it should be.
    pub count: bool,
}

pub(super) fn problem(line: u64, col: usize, message: impl Into<String>) -> Problem {
    Problem {
        line,
        col,
        message: message.into(),
        count: false,
    }
}

pub(super) fn count_problem(line: u64, col: usize, message: impl Into<String>) -> Problem {
    Problem {
        count: true,
        ..problem(line, col, message)
    }
}

/// Which breakdown value or date bucket to read.
#[derive(Debug, Clone, Default)]
pub struct Choice<'a> {
    pub segment: Option<&'a str>,
    pub bucket: Option<&'a str>,
}

/// A count cell: a whole, non-negative number, with thousands separators allowed.
pub fn count(cell: &str) -> Result<u64, String> {
    let t = cell.trim().trim_start_matches('\t');
    if t.is_empty() {
        return Err("the count is empty".to_owned());
    }
    if t.contains(['e', 'E']) && t.parse::<f64>().is_ok() {
        return Err(format!(
            "the count `{t}` is in scientific notation, which a spreadsheet may have rounded; export the file again without re-saving it in a spreadsheet"
        ));
    }
    if t.starts_with('-') {
        return Err(format!("the count `{t}` is negative"));
    }
    let digits: String = if grouped(t) {
        t.chars().filter(char::is_ascii_digit).collect()
    } else {
        t.to_owned()
    };
    match digits.parse::<u64>() {
        Ok(n) => Ok(n),
        Err(_) if t.parse::<f64>().is_ok() => Err(format!("the count `{t}` is not a whole number")),
        Err(_) => Err(format!("the count `{t}` is not a number")),
    }
}

/// `12,000` or `12 000` (a space or a no-break space): groups of three digits.
pub(super) fn grouped(t: &str) -> bool {
    let sep = |c: char| c == ',' || c == ' ' || c == '\u{a0}' || c == '\u{202f}';
    let parts: Vec<&str> = t.split(sep).collect();
    parts.len() > 1
        && parts[0].len() <= 3
        && !parts[0].is_empty()
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && parts[1..].iter().all(|p| p.len() == 3)
}

/// `3. begin_checkout` → (3, `begin_checkout`).
pub(super) fn numbered(label: &str) -> Option<(usize, &str)> {
    let (n, rest) = label.split_once(". ")?;
    Some((n.trim().parse().ok()?, rest.trim()))
}

pub(super) fn finish(funnel: Funnel, problems: Vec<Problem>) -> Result<Funnel, Vec<Problem>> {
    if !problems.is_empty() {
        return Err(problems);
    }
    if funnel.steps.is_empty() {
        return Err(vec![problem(0, 0, "the file has no funnel steps")]);
    }
    Ok(funnel)
}

/// Where `needle` first occurs in `text`, as a 1-based line and column.
pub(super) fn position_of(text: &str, needle: &str) -> (u64, usize) {
    match text.find(needle) {
        None => (1, 1),
        Some(at) => {
            let before = &text[..at];
            let line = before.matches('\n').count() as u64 + 1;
            let col = before.rfind('\n').map_or(at, |nl| at - nl - 1) + 1;
            (line, col)
        }
    }
}

/// A count in JSON: a whole, non-negative number.
pub(super) fn json_count(v: &Value) -> Result<u64, String> {
    match v {
        Value::Number(n) => n.as_u64().ok_or_else(|| {
            if n.as_i64().is_some_and(|i| i < 0) {
                format!("the count {n} is negative")
            } else {
                format!("the count {n} is not a whole number")
            }
        }),
        Value::String(s) => count(s),
        other => Err(format!("the count {other} is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn counts_are_whole_and_written_out() {
        assert_eq!(count("56696"), Ok(56696));
        assert_eq!(count("12,000"), Ok(12000));
        assert_eq!(count("1 234 567"), Ok(1_234_567));
        assert_eq!(count("\t42"), Ok(42));
        assert!(
            count("1.56888E+11")
                .unwrap_err()
                .contains("scientific notation")
        );
        assert!(count("12.5").unwrap_err().contains("not a whole number"));
        assert!(count("-3").unwrap_err().contains("negative"));
        assert!(count("12,00").unwrap_err().contains("not a number"));
        assert!(count("").is_err());
    }
}
