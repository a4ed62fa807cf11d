//! Funnel exports as analytics tools write them, read into one shape: the actors that
//! reached at least each step, in step order (README: "Measured reach").
//!
//! Invariants: only counts are taken from a file; every rate is recomputed from them (a rate
//! the file reports is only checked against them); a count is a whole, non-negative number
//! written out in full (a count in scientific notation may have been rounded by a
//! spreadsheet, so it is refused); unique counts of different date buckets or breakdown
//! values are never added together.

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
    /// Median seconds from the step before (a `steps` CSV written by `journeymap sql`).
    pub median_seconds: Option<f64>,
}

impl Step {
    /// A step whose name is its label (API answers number nothing).
    fn named(order: usize, label: String, count: u64, (line, col): (u64, usize)) -> Step {
        Step {
            order,
            name: label.clone(),
            label,
            count,
            line,
            col,
            median_seconds: None,
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

fn problem(line: u64, col: usize, message: impl Into<String>) -> Problem {
    Problem {
        line,
        col,
        message: message.into(),
        count: false,
    }
}

fn count_problem(line: u64, col: usize, message: impl Into<String>) -> Problem {
    Problem {
        count: true,
        ..problem(line, col, message)
    }
}

/// The formats journeymap reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ga4,
    Posthog,
    Amplitude,
    Mixpanel,
    Steps,
}

/// Which breakdown value or date bucket to read.
#[derive(Debug, Clone, Default)]
pub struct Choice<'a> {
    pub segment: Option<&'a str>,
    pub bucket: Option<&'a str>,
}

/// The format of a file, from its content.
pub fn detect(text: &str) -> Result<Format, Problem> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        let v: Value = serde_json::from_str(trimmed).map_err(|e| {
            problem(
                e.line() as u64,
                e.column(),
                format!("the file starts like JSON but is not: {e}"),
            )
        })?;
        if v["data"].as_array().is_some_and(|d| {
            d.iter()
                .any(|s| s.get("cumulativeRaw").is_some() && s.get("events").is_some())
        }) {
            return Ok(Format::Amplitude);
        }
        if v["data"]
            .as_object()
            .is_some_and(|d| d.values().any(|b| b.get("steps").is_some()))
        {
            return Ok(Format::Mixpanel);
        }
        return Err(problem(
            1,
            1,
            "a JSON file that is neither Amplitude's funnels API answer (`data[].events` and `cumulativeRaw`) nor Mixpanel's (`data.<date>.steps`)",
        ));
    }
    let header = trimmed
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let cells: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let has = |c: &str| cells.iter().any(|h| h == c);
    if has("step") && has("active users") {
        return Ok(Format::Ga4);
    }
    if cells.starts_with(&[
        "name".to_owned(),
        "breakdown_value".to_owned(),
        "action_id".to_owned(),
        "count".to_owned(),
    ]) {
        return Ok(Format::Posthog);
    }
    if has("step") && has("count") {
        return Ok(Format::Steps);
    }
    if text.contains("# Start date:") || text.contains("# Account:") {
        return Err(problem(
            0,
            0,
            "this is a GA4 standard report (its header has no `Step` column), which counts events or users per row, not a funnel; export a Funnel exploration (Explore › Funnel exploration › Download › CSV) instead",
        ));
    }
    Err(problem(
        0,
        0,
        format!(
            "not a funnel export journeymap reads (header `{}`); it reads GA4 funnel explorations, PostHog funnel CSVs, Amplitude's and Mixpanel's funnels API JSON, and a plain CSV with `step` and `count` columns",
            header.chars().take(80).collect::<String>()
        ),
    ))
}

/// Read a funnel in a known format.
pub fn read(text: &str, format: Format, choice: &Choice) -> Result<Funnel, Vec<Problem>> {
    let text = text.trim_start_matches('\u{feff}');
    match format {
        Format::Ga4 => ga4(text, choice),
        Format::Posthog => table(text, choice, Table::Posthog),
        Format::Steps => table(text, choice, Table::Steps),
        Format::Amplitude => amplitude(text, choice).map_err(|p| vec![p]),
        Format::Mixpanel => mixpanel(text, choice).map_err(|p| vec![p]),
    }
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
fn grouped(t: &str) -> bool {
    let sep = |c: char| c == ',' || c == ' ' || c == '\u{a0}' || c == '\u{202f}';
    let parts: Vec<&str> = t.split(sep).collect();
    parts.len() > 1
        && parts[0].len() <= 3
        && !parts[0].is_empty()
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && parts[1..].iter().all(|p| p.len() == 3)
}

/// `3. begin_checkout` → (3, `begin_checkout`).
fn numbered(label: &str) -> Option<(usize, &str)> {
    let (n, rest) = label.split_once(". ")?;
    Some((n.trim().parse().ok()?, rest.trim()))
}

/// A GA4 funnel exploration download: a `#` preamble (title, date range), a blank line, the
/// steps table, and perhaps more tables after blank lines (ignored).
fn ga4(text: &str, choice: &Choice) -> Result<Funnel, Vec<Problem>> {
    let mut funnel = Funnel {
        tool: "GA4 funnel exploration",
        unit: "users",
        ..Funnel::default()
    };
    let mut hashes = 0;
    let mut start = None;
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
            start = Some(i);
            break;
        }
    }
    let Some(start) = start else {
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
            return Err(vec![problem(
                first_line,
                1,
                format!("cannot read the header: {e}"),
            )]);
        }
    };
    let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(step_col), Some(users_col)) = (col("Step"), col("Active users")) else {
        return Err(vec![problem(
            first_line,
            1,
            "the steps table needs `Step` and `Active users` columns",
        )]);
    };
    let rate_col = col("Completion rate");
    // A breakdown column sits between `Step` and the metrics.
    let metrics = [
        "elapsed time",
        "active users",
        "completion rate",
        "abandonments",
        "abandonment rate",
        "funnel next action",
    ];
    let breakdown = header
        .iter()
        .enumerate()
        .find(|(i, h)| *i > step_col && !metrics.contains(&h.to_ascii_lowercase().as_str()))
        .map(|(i, _)| i);
    let wanted = choice.segment.map(str::trim);
    let mut seen_segments: Vec<String> = Vec::new();
    let mut problems = Vec::new();
    let mut rates = Vec::new();
    let mut last_label = String::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line()) + start as u64;
                problems.push(problem(line, 1, format!("cannot read the row: {e}")));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line()) + start as u64;
        let cell = |i: usize| rec.get(i).unwrap_or("").trim();
        let label = match cell(step_col) {
            "" => last_label.clone(),
            l => l.to_owned(),
        };
        last_label.clone_from(&label);
        if let Some(b) = breakdown {
            let value = cell(b).to_owned();
            if !seen_segments.contains(&value) {
                seen_segments.push(value.clone());
            }
            let is_total = value.eq_ignore_ascii_case("Total") || value == "RESERVED_TOTAL";
            let keep = match wanted {
                Some(w) => crate::words::same_name(w, &value),
                None => is_total,
            };
            if !keep {
                continue;
            }
        }
        let (order, name) = numbered(&label).unwrap_or((funnel.steps.len() + 1, label.as_str()));
        match count(cell(users_col)) {
            Ok(n) => {
                funnel.steps.push(Step {
                    order,
                    label: label.clone(),
                    name: name.to_owned(),
                    count: n,
                    line,
                    col: users_col + 1,
                    median_seconds: None,
                });
                if let Some(rc) = rate_col {
                    rates.push((cell(rc).to_owned(), line, rc + 1));
                }
            }
            Err(why) => problems.push(count_problem(line, users_col + 1, why)),
        }
    }
    if let Some(b) = breakdown {
        let chosen = wanted.unwrap_or("Total");
        if funnel.steps.is_empty() && problems.is_empty() {
            let values: Vec<String> = seen_segments.iter().map(|v| format!("`{v}`")).collect();
            let hint =
                crate::suggest::did_you_mean(chosen, seen_segments.iter().map(String::as_str));
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
    // GA4's completion rate on step N is the rate to step N + 1: check it against the counts.
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
    finish(funnel, problems)
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

#[derive(Clone, Copy, PartialEq)]
enum Table {
    Posthog,
    Steps,
}

/// A PostHog funnel CSV (`name, breakdown_value, action_id, count, …`, counts already
/// cumulative, one group of rows per breakdown value) or a plain `step, count[, segment]`
/// CSV (steps in file order).
fn table(text: &str, choice: &Choice, kind: Table) -> Result<Funnel, Vec<Problem>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![problem(1, 1, format!("cannot read the header: {e}"))]),
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (name_col, count_col, seg_col) = match kind {
        Table::Posthog => (col("name"), col("count"), col("breakdown_value")),
        Table::Steps => (col("step"), col("count"), col("segment")),
    };
    // What `journeymap sql` adds to a `steps` CSV.
    let steps_col = |name: &str| match kind {
        Table::Steps => col(name),
        Table::Posthog => None,
    };
    let (median_col, outside_col, unit_col, from_col, to_col) = (
        steps_col("median_seconds"),
        steps_col("outside_path"),
        steps_col("unit"),
        steps_col("date_from"),
        steps_col("date_to"),
    );
    let (Some(name_col), Some(count_col)) = (name_col, count_col) else {
        return Err(vec![problem(
            1,
            1,
            "the header needs a step name and a `count` column",
        )]);
    };
    let mut funnel = Funnel {
        tool: match kind {
            Table::Posthog => "PostHog funnel export",
            Table::Steps => "funnel steps",
        },
        unit: match kind {
            Table::Posthog => "persons",
            Table::Steps => "users",
        },
        ..Funnel::default()
    };
    let mut problems = Vec::new();
    let mut segments: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(problem(line, 1, format!("cannot read the row: {e}")));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let cell = |i: usize| rec.get(i).unwrap_or("").trim().to_owned();
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let segment = seg_col.map(cell).unwrap_or_default();
        if !segments.contains(&segment) {
            segments.push(segment.clone());
        }
        let extra = |c: Option<usize>| c.map(cell).filter(|v| !v.is_empty());
        rows.push(Row {
            segment,
            name: cell(name_col),
            count: cell(count_col),
            line,
            median: extra(median_col),
            outside: extra(outside_col),
            unit: extra(unit_col),
            from: extra(from_col),
            to: extra(to_col),
        });
    }
    let chosen = match (choice.segment, segments.as_slice()) {
        (Some(w), _) => match segments.iter().find(|s| crate::words::same_name(s, w)) {
            Some(s) => s.clone(),
            None => {
                let listed: Vec<String> = segments.iter().map(|s| format!("`{s}`")).collect();
                let hint = crate::suggest::did_you_mean(w, segments.iter().map(String::as_str));
                return Err(vec![problem(
                    1,
                    seg_col.map_or(1, |c| c + 1),
                    format!(
                        "no row is of segment `{w}`; the file holds {}{hint}",
                        listed.join(", ")
                    ),
                )]);
            }
        },
        (None, [one]) => one.clone(),
        (None, many) => {
            // A plain CSV's rows without a segment are the total.
            if let Some(blank) = many.iter().find(|s| s.is_empty()) {
                blank.clone()
            } else {
                let listed: Vec<String> = many.iter().map(|s| format!("`{s}`")).collect();
                return Err(vec![problem(
                    1,
                    seg_col.map_or(1, |c| c + 1),
                    format!(
                        "the file holds one funnel per segment ({}); say which with `segment:` (their counts are never added together)",
                        listed.join(", ")
                    ),
                )]);
            }
        }
    };
    if !chosen.is_empty() {
        funnel.segment = Some(chosen.clone());
    }
    let median_of =
        |row: &Row, problems: &mut Vec<Problem>| match row.median.as_deref().map(str::parse::<f64>)
        {
            None => None,
            Some(Ok(m)) if m.is_finite() && m >= 0.0 => Some(m),
            Some(_) => {
                let col = median_col.map_or(1, |c| c + 1);
                problems.push(problem(
                    row.line,
                    col,
                    "`median_seconds` is not a number of seconds (0 or more)",
                ));
                None
            }
        };
    // The total of a plain CSV comes with its segments (`journeymap sql` with `segment_by:`).
    if kind == Table::Steps && chosen.is_empty() {
        for seg in segments.iter().filter(|s| !s.is_empty()) {
            let mut steps = Vec::new();
            for row in rows.iter().filter(|r| &r.segment == seg) {
                let median_seconds = median_of(row, &mut problems);
                match count(&row.count) {
                    Ok(n) => steps.push(Step {
                        order: steps.len() + 1,
                        name: numbered(&row.name).map_or(row.name.clone(), |(_, n)| n.to_owned()),
                        label: row.name.clone(),
                        count: n,
                        line: row.line,
                        col: count_col + 1,
                        median_seconds,
                    }),
                    Err(why) => problems.push(count_problem(row.line, count_col + 1, why)),
                }
            }
            funnel.parts.push((seg.clone(), steps));
        }
    }
    for row in rows.into_iter().filter(|r| r.segment == chosen) {
        let median_seconds = median_of(&row, &mut problems);
        let Row { name, line, .. } = row;
        if let Some(o) = &row.outside {
            match count(o) {
                Ok(o) => funnel.outside_path = Some(o),
                Err(why) => {
                    problems.push(count_problem(line, outside_col.map_or(1, |c| c + 1), why))
                }
            }
        }
        if row.unit.as_deref() == Some("sessions") {
            funnel.unit = "sessions";
        }
        funnel.date_from = row.from.or(funnel.date_from);
        funnel.date_to = row.to.or(funnel.date_to);
        match count(&row.count) {
            Ok(n) => {
                let order = funnel.steps.len() + 1;
                funnel.steps.push(Step {
                    order,
                    name: numbered(&name).map_or(name.clone(), |(_, n)| n.to_owned()),
                    label: name,
                    count: n,
                    line,
                    col: count_col + 1,
                    median_seconds,
                });
            }
            Err(why) => problems.push(count_problem(line, count_col + 1, why)),
        }
    }
    finish(funnel, problems)
}

/// A row of a table export, as text.
struct Row {
    segment: String,
    name: String,
    count: String,
    line: u64,
    median: Option<String>,
    outside: Option<String>,
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn finish(funnel: Funnel, problems: Vec<Problem>) -> Result<Funnel, Vec<Problem>> {
    if !problems.is_empty() {
        return Err(problems);
    }
    if funnel.steps.is_empty() {
        return Err(vec![problem(0, 0, "the file has no funnel steps")]);
    }
    Ok(funnel)
}

/// Where `needle` first occurs in `text`, as a 1-based line and column.
fn position_of(text: &str, needle: &str) -> (u64, usize) {
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

/// Amplitude's funnels API answer: per segment, `events` (step labels) and `cumulativeRaw`
/// (users per step).
fn amplitude(text: &str, choice: &Choice) -> Result<Funnel, Problem> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| problem(e.line() as u64, e.column(), format!("not valid JSON: {e}")))?;
    let data = v["data"].as_array().cloned().unwrap_or_default();
    let (line, col) = position_of(text, "\"cumulativeRaw\"");
    let index = match (choice.segment, data.len()) {
        (None, 1) => 0,
        (None, n) => {
            return Err(problem(
                line,
                col,
                format!(
                    "the answer holds {n} segments; say which with `segment:` (0 is the first)"
                ),
            ));
        }
        (Some(s), n) => match s.trim().parse::<usize>() {
            Ok(i) if i < n => i,
            _ => {
                return Err(problem(
                    line,
                    col,
                    format!(
                        "`segment: {s}` is not one of the answer's segments, 0 to {}",
                        n.saturating_sub(1)
                    ),
                ));
            }
        },
    };
    let seg = &data[index];
    let events = seg["events"].as_array().cloned().unwrap_or_default();
    let counts = seg["cumulativeRaw"].as_array().cloned().unwrap_or_default();
    if events.len() != counts.len() || events.is_empty() {
        return Err(problem(
            line,
            col,
            format!(
                "`events` has {} steps but `cumulativeRaw` has {} counts",
                events.len(),
                counts.len()
            ),
        ));
    }
    let mut funnel = Funnel {
        tool: "Amplitude funnel",
        unit: "users",
        segment: (data.len() > 1).then(|| index.to_string()),
        ..Funnel::default()
    };
    let days = seg["dayFunnels"]["xValues"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    funnel.date_from = days.first().and_then(|d| d.as_str()).map(str::to_owned);
    funnel.date_to = days.last().and_then(|d| d.as_str()).map(str::to_owned);
    for (i, (e, c)) in events.iter().zip(&counts).enumerate() {
        let label = e.as_str().unwrap_or_default().to_owned();
        let n = json_count(c).map_err(|why| {
            count_problem(line, col, format!("step {} (`{label}`): {why}", i + 1))
        })?;
        funnel.steps.push(Step::named(i + 1, label, n, (line, col)));
    }
    Ok(funnel)
}

/// A count in JSON: a whole, non-negative number.
fn json_count(v: &Value) -> Result<u64, String> {
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

/// Mixpanel's funnels API answer: one funnel per date bucket (`data.<date>.steps`); unique
/// counts of different buckets are never added, so a file with several needs `bucket:`.
fn mixpanel(text: &str, choice: &Choice) -> Result<Funnel, Problem> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| problem(e.line() as u64, e.column(), format!("not valid JSON: {e}")))?;
    let data = v["data"].as_object().cloned().unwrap_or_default();
    let dates: Vec<&String> = data.keys().collect();
    let (line, col) = position_of(text, "\"data\"");
    let key = match (choice.bucket, dates.as_slice()) {
        (Some(b), _) => dates
            .iter()
            .find(|d| d.as_str() == b.trim())
            .copied()
            .ok_or_else(|| {
                let listed: Vec<String> = dates.iter().map(|d| format!("`{d}`")).collect();
                problem(
                    line,
                    col,
                    format!(
                        "no date bucket `{b}`; the answer holds {}",
                        listed.join(", ")
                    ),
                )
            })?,
        (None, [one]) => *one,
        (None, many) => {
            let listed: Vec<String> = many.iter().map(|d| format!("`{d}`")).collect();
            return Err(problem(
                line,
                col,
                format!(
                    "the answer holds one funnel per date bucket ({}); say which with `bucket:` — unique users of different buckets cannot be added together",
                    listed.join(", ")
                ),
            ));
        }
    };
    let (line, col) = position_of(text, &format!("\"{key}\": {{"));
    let steps = data[key.as_str()]["steps"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut funnel = Funnel {
        tool: "Mixpanel funnel",
        unit: "users",
        segment: Some(key.clone()),
        date_from: Some(key.clone()),
        ..Funnel::default()
    };
    for (i, s) in steps.iter().enumerate() {
        let label = s["step_label"]
            .as_str()
            .or_else(|| s["goal"].as_str())
            .or_else(|| s["event"].as_str())
            .unwrap_or_default()
            .to_owned();
        let n = json_count(&s["count"]).map_err(|why| {
            count_problem(
                line,
                col,
                format!("step {} (`{label}`) of bucket `{key}`: {why}", i + 1),
            )
        })?;
        funnel.steps.push(Step::named(i + 1, label, n, (line, col)));
    }
    if funnel.steps.is_empty() {
        return Err(problem(line, col, format!("bucket `{key}` has no steps")));
    }
    Ok(funnel)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn ga4_date_ranges() {
        assert_eq!(
            date_range("20201125-20210131"),
            Some(("2020-11-25".to_owned(), "2021-01-31".to_owned()))
        );
        assert_eq!(date_range("Checkout-Funnel exploration 1"), None);
    }
}
