//! GA4's funnel exploration export: a CSV with comment lines, a date range, per-step rows
//! per segment (or breakdown), read into one funnel.

use super::funnel::{
    Choice, Funnel, Problem, Step, count, count_problem, finish, numbered, problem,
};

/// Where the steps table's columns are (0-based).
struct Columns {
    step: usize,
    users: usize,
    rate: Option<usize>,
    /// A breakdown column sits between `Step` and the metrics.
    breakdown: Option<usize>,
}

/// The metric columns GA4 writes after `Step` (and a breakdown).
const METRICS: [&str; 6] = [
    "elapsed time",
    "active users",
    "completion rate",
    "abandonments",
    "abandonment rate",
    "funnel next action",
];

/// The rows of the steps table that were kept, and what is needed to say which were not.
struct Read {
    rates: Vec<(String, u64, usize)>,
    seen_segments: Vec<String>,
    problems: Vec<Problem>,
}

/// A GA4 funnel exploration download: a `#` preamble (title, date range), a blank line, the
/// steps table, and perhaps more tables after blank lines (ignored).
pub(super) fn ga4(text: &str, choice: &Choice) -> Result<Funnel, Vec<Problem>> {
    let mut funnel = Funnel {
        tool: "GA4 funnel exploration",
        unit: "users",
        ..Funnel::default()
    };
    let Some(start) = preamble(text, &mut funnel) else {
        return Err(vec![problem(0, 0, "the file has no steps table")]);
    };
    // The first table: from its header to the first blank line.
    let lines: Vec<&str> = text
        .lines()
        .skip(start)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    let body = lines.join("\n");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(body.as_bytes());
    let first_line = start as u64 + 1;
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_owned()).collect(),
        Err(e) => {
            let why = format!("cannot read the header: {e}");
            return Err(vec![problem(first_line, 1, why)]);
        }
    };
    let cols = columns(&header, first_line)?;
    let wanted = choice.segment.map(str::trim);
    let read = read_steps(&mut rdr, &cols, wanted, start as u64, &mut funnel);
    if let Some(b) = cols.breakdown {
        let chosen = wanted.unwrap_or("Total");
        if funnel.steps.is_empty() && read.problems.is_empty() {
            let values: Vec<String> = read
                .seen_segments
                .iter()
                .map(|v| format!("`{v}`"))
                .collect();
            let hint =
                crate::suggest::did_you_mean(chosen, read.seen_segments.iter().map(String::as_str));
            return Err(vec![problem(
                first_line,
                b + 1,
                format!(
                    "no row of the `{}` breakdown is `{chosen}`; it holds {}{hint}",
                    header[b],
                    values.join(", ")
                ),
            )]);
        }
        funnel.segment = Some(chosen.to_owned());
    }
    check_rates(&mut funnel, &read.rates);
    finish(funnel, read.problems)
}

/// Read the `#` preamble into the funnel (title, date range); the line the table starts at.
fn preamble(text: &str, funnel: &mut Funnel) -> Option<usize> {
    let mut hashes = 0;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix('#') {
            let rest = rest.trim();
            if rest.chars().all(|c| c == '-') {
                continue;
            }
            hashes += 1;
            if let Some((from, to)) = date_range(rest) {
                funnel.date_from = Some(from);
                funnel.date_to = Some(to);
            } else if hashes == 2 {
                funnel.title = Some(rest.to_owned());
            }
            continue;
        }
        if !t.is_empty() {
            return Some(i);
        }
    }
    None
}

fn columns(header: &[String], first_line: u64) -> Result<Columns, Vec<Problem>> {
    let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(step), Some(users)) = (col("Step"), col("Active users")) else {
        return Err(vec![problem(
            first_line,
            1,
            "the steps table needs `Step` and `Active users` columns",
        )]);
    };
    let breakdown = header
        .iter()
        .enumerate()
        .find(|(i, h)| *i > step && !METRICS.contains(&h.to_ascii_lowercase().as_str()))
        .map(|(i, _)| i);
    Ok(Columns {
        step,
        users,
        rate: col("Completion rate"),
        breakdown,
    })
}

/// The steps of the segment `wanted` (none: the total) into the funnel; lines are the file's
/// (the table starts after `start` lines).
fn read_steps(
    rdr: &mut csv::Reader<&[u8]>,
    cols: &Columns,
    wanted: Option<&str>,
    start: u64,
    funnel: &mut Funnel,
) -> Read {
    let mut read = Read {
        rates: Vec::new(),
        seen_segments: Vec::new(),
        problems: Vec::new(),
    };
    let mut last_label = String::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) + start;
                read.problems
                    .push(problem(line, 1, format!("cannot read the row: {e}")));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line()) + start;
        let cell = |i: usize| rec.get(i).unwrap_or("").trim();
        let label = match cell(cols.step) {
            "" => last_label.clone(),
            l => l.to_owned(),
        };
        last_label.clone_from(&label);
        if let Some(b) = cols.breakdown {
            let value = cell(b).to_owned();
            if !read.seen_segments.contains(&value) {
                read.seen_segments.push(value.clone());
            }
            let is_total = value.eq_ignore_ascii_case("Total") || value == "RESERVED_TOTAL";
            if !wanted.map_or(is_total, |w| crate::words::same_name(w, &value)) {
                continue;
            }
        }
        let (order, name) = numbered(&label).unwrap_or((funnel.steps.len() + 1, label.as_str()));
        match count(cell(cols.users)) {
            Ok(n) => {
                funnel.steps.push(Step {
                    order,
                    label: label.clone(),
                    name: name.to_owned(),
                    count: n,
                    line,
                    col: cols.users + 1,
                    gaps: crate::analytics::reach::Gaps::default(),
                    paths: crate::analytics::reach::Paths::default(),
                    properties: Vec::new(),
                });
                if let Some(rc) = cols.rate {
                    read.rates.push((cell(rc).to_owned(), line, rc + 1));
                }
            }
            Err(why) => read.problems.push(count_problem(line, cols.users + 1, why)),
        }
    }
    read
}

/// GA4's completion rate on step N is the rate to step N + 1: check it against the counts.
fn check_rates(funnel: &mut Funnel, rates: &[(String, u64, usize)]) {
    for (i, (rate, line, col)) in rates.iter().enumerate() {
        let (Some(a), Some(b)) = (funnel.steps.get(i), funnel.steps.get(i + 1)) else {
            continue;
        };
        let Ok(reported) = rate.parse::<f64>() else {
            continue;
        };
        if a.count > 0 {
            let ours = b.count as f64 / a.count as f64;
            if (ours - reported).abs() > 0.001 {
                funnel.warnings.push(problem(
                    *line,
                    *col,
                    format!(
                        "the file reports a completion rate of {reported} from `{}` to `{}`, but its counts give {} / {} = {ours:.4}; the counts are used",
                        a.label, b.label, b.count, a.count
                    ),
                ));
            }
        }
    }
}

/// `20201125-20210131` → (`2020-11-25`, `2021-01-31`).
fn date_range(s: &str) -> Option<(String, String)> {
    let (a, b) = s.trim().split_once('-')?;
    let day = |d: &str| {
        (d.len() == 8 && d.chars().all(|c| c.is_ascii_digit()))
            .then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..]))
    };
    Some((day(a)?, day(b)?))
}

#[cfg(test)]
mod tests {
    use super::date_range;

    #[test]
    fn ga4_date_ranges() {
        assert_eq!(
            date_range("20201125-20210131"),
            Some(("2020-11-25".to_owned(), "2021-01-31".to_owned()))
        );
        assert_eq!(date_range("Checkout-Funnel exploration 1"), None);
    }
}
