//! Table exports: PostHog's funnel CSV and the plain `steps` table (`step,count`, with
//! optional segment, median, quartile, 90th-percentile, outside-path, unit and date columns,
//! and the rows `journeymap sql` adds on where actors went: `detail`, `event`), read into
//! one funnel.

use super::funnel::{
    Choice, Funnel, Problem, Step, count, count_problem, finish, numbered, problem,
};
use crate::analytics::reach::Gaps;

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Table {
    Posthog,
    Steps,
}

/// A row of a table export, as text.
struct Row {
    segment: String,
    name: String,
    count: String,
    line: u64,
    median: Option<String>,
    p25: Option<String>,
    p90: Option<String>,
    outside: Option<String>,
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// Where actors went (`next`, `lost_did`, `detour`), and the event.
    detail: Option<String>,
    event: String,
    property: String,
    segment_by: Option<String>,
}

/// Where each column of a table export is (0-based): the step name and count always, the rest
/// when the file has them (`journeymap sql` adds median, outside-path, unit and dates to a
/// `steps` CSV).
struct Columns {
    name: usize,
    count: usize,
    segment: Option<usize>,
    median: Option<usize>,
    p25: Option<usize>,
    p90: Option<usize>,
    outside: Option<usize>,
    unit: Option<usize>,
    from: Option<usize>,
    to: Option<usize>,
    detail: Option<usize>,
    event: Option<usize>,
    property: Option<usize>,
    segment_by: Option<usize>,
}

impl Columns {
    fn of(header: &[String], kind: Table) -> Result<Columns, Vec<Problem>> {
        let col = |name: &str| header.iter().position(|h| h == name);
        let (name, count, segment) = match kind {
            Table::Posthog => (col("name"), col("count"), col("breakdown_value")),
            Table::Steps => (col("step"), col("count"), col("segment")),
        };
        let steps_col = |name: &str| match kind {
            Table::Steps => col(name),
            Table::Posthog => None,
        };
        let (Some(name), Some(count)) = (name, count) else {
            return Err(vec![problem(
                1,
                1,
                "the header needs a step name and a `count` column",
            )]);
        };
        Ok(Columns {
            name,
            count,
            segment,
            median: steps_col("median_seconds"),
            p25: steps_col("p25_seconds"),
            p90: steps_col("p90_seconds"),
            outside: steps_col("outside_path"),
            unit: steps_col("unit"),
            from: steps_col("date_from"),
            to: steps_col("date_to"),
            detail: steps_col("detail"),
            event: steps_col("event"),
            property: steps_col("property"),
            segment_by: steps_col("segment_by"),
        })
    }
}

/// A PostHog funnel CSV (`name, breakdown_value, action_id, count, …`, counts already
/// cumulative, one group of rows per breakdown value) or a plain `step, count[, segment]`
/// CSV (steps in file order).
pub(super) fn table(text: &str, choice: &Choice, kind: Table) -> Result<Funnel, Vec<Problem>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![problem(1, 1, format!("cannot read the header: {e}"))]),
    };
    let cols = Columns::of(&header, kind)?;
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
    let (rows, segments, mut problems) = read_rows(&mut rdr, &cols);
    let (details, rows): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| r.detail.is_some());
    let chosen = choose(choice, &segments, &cols)?;
    if !chosen.is_empty() {
        funnel.segment = Some(chosen.clone());
    }
    // The total of a plain CSV comes with its segments (`journeymap sql` with `segment_by:`).
    if kind == Table::Steps && chosen.is_empty() {
        for seg in segments.iter().filter(|s| !s.is_empty()) {
            let mut steps = Vec::new();
            for row in rows.iter().filter(|r| &r.segment == seg) {
                let gaps = gaps_of(row, &cols, &mut problems);
                match step(row, steps.len() + 1, &cols, gaps) {
                    Ok(s) => steps.push(s),
                    Err(p) => problems.push(p),
                }
            }
            funnel.parts.push((seg.clone(), steps));
        }
    }
    for row in rows.into_iter().filter(|r| r.segment == chosen) {
        let gaps = gaps_of(&row, &cols, &mut problems);
        take_extras(&mut funnel, &row, &cols, &mut problems);
        funnel.segment_by = row.segment_by.clone().or(funnel.segment_by);
        match step(&row, funnel.steps.len() + 1, &cols, gaps) {
            Ok(s) => funnel.steps.push(s),
            Err(p) => problems.push(p),
        }
        funnel.date_from = row.from.or(funnel.date_from);
        funnel.date_to = row.to.or(funnel.date_to);
    }
    if chosen.is_empty() {
        went(&mut funnel.steps, details, &cols, &mut problems);
    }
    finish(funnel, problems)
}

/// The rows on where actors went, put on their steps (the total's), each list the most first.
fn went(steps: &mut [Step], details: Vec<Row>, cols: &Columns, problems: &mut Vec<Problem>) {
    let col = |c: Option<usize>| c.map_or(1, |c| c + 1);
    for row in details {
        let Some(step) = steps.iter_mut().find(|s| s.label == row.name) else {
            let msg = format!(
                "no stage row is `{}`, which this row says where actors went around",
                row.name
            );
            problems.push(problem(row.line, cols.name + 1, msg));
            continue;
        };
        if row.detail.as_deref() == Some("property") {
            let at = match step.properties.iter().position(|(p, _)| *p == row.property) {
                Some(at) => at,
                None => {
                    step.properties.push((row.property.clone(), Vec::new()));
                    step.properties.len() - 1
                }
            };
            match count(&row.count) {
                Ok(n) => step.properties[at].1.push((row.event, n)),
                Err(why) => problems.push(count_problem(row.line, cols.count + 1, why)),
            }
            continue;
        }
        let list = match row.detail.as_deref() {
            Some("next") => &mut step.paths.next,
            Some("lost_did") => &mut step.paths.lost_did,
            Some("detour") => &mut step.paths.detours,
            other => {
                let msg = format!(
                    "`detail` is `{}`; journeymap sql writes `next`, `lost_did`, `detour` or `property`",
                    other.unwrap_or_default()
                );
                problems.push(problem(row.line, col(cols.detail), msg));
                continue;
            }
        };
        match count(&row.count) {
            Ok(n) => list.push((row.event, n)),
            Err(why) => problems.push(count_problem(row.line, cols.count + 1, why)),
        }
    }
    for s in steps {
        for list in [
            &mut s.paths.next,
            &mut s.paths.lost_did,
            &mut s.paths.detours,
        ] {
            list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
    }
}

/// Every row with a cell that is not blank, the segments in order of first appearance, and
/// the rows that could not be read.
fn read_rows(
    rdr: &mut csv::Reader<&[u8]>,
    cols: &Columns,
) -> (Vec<Row>, Vec<String>, Vec<Problem>) {
    let (mut rows, mut segments, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(problem(line, 1, format!("cannot read the row: {e}")));
                continue;
            }
        };
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |i: usize| rec.get(i).unwrap_or("").trim().to_owned();
        let segment = cols.segment.map(cell).unwrap_or_default();
        let extra = |c: Option<usize>| c.map(cell).filter(|v| !v.is_empty());
        let detail = extra(cols.detail);
        if detail.is_none() && !segments.contains(&segment) {
            segments.push(segment.clone());
        }
        rows.push(Row {
            segment,
            name: cell(cols.name),
            count: cell(cols.count),
            line: rec.position().map_or(0, |p| p.line()),
            median: extra(cols.median),
            p25: extra(cols.p25),
            p90: extra(cols.p90),
            outside: extra(cols.outside),
            unit: extra(cols.unit),
            from: extra(cols.from),
            to: extra(cols.to),
            detail,
            event: cols.event.map(cell).unwrap_or_default(),
            property: cols.property.map(cell).unwrap_or_default(),
            segment_by: extra(cols.segment_by),
        });
    }
    (rows, segments, problems)
}

/// The segment whose rows are the funnel: the one `segment:` names, the only one, or the
/// rows without a segment (a plain CSV's total); several and none named is an error.
fn choose(choice: &Choice, segments: &[String], cols: &Columns) -> Result<String, Vec<Problem>> {
    let col = cols.segment.map_or(1, |c| c + 1);
    let listed = || -> String {
        let l: Vec<String> = segments.iter().map(|s| format!("`{s}`")).collect();
        l.join(", ")
    };
    match (choice.segment, segments) {
        (Some(w), _) => match segments.iter().find(|s| crate::words::same_name(s, w)) {
            Some(s) => Ok(s.clone()),
            None => {
                let hint = crate::suggest::did_you_mean(w, segments.iter().map(String::as_str));
                Err(vec![problem(
                    1,
                    col,
                    format!(
                        "no row is of segment `{w}`; the file holds {}{hint}",
                        listed()
                    ),
                )])
            }
        },
        (None, [one]) => Ok(one.clone()),
        (None, many) => match many.iter().find(|s| s.is_empty()) {
            Some(blank) => Ok(blank.clone()),
            None => Err(vec![problem(
                1,
                col,
                format!(
                    "the file holds one funnel per segment ({}); say which with `segment:` (their counts are never added together)",
                    listed()
                ),
            )]),
        },
    }
}

/// A row's times to the step (median, quartile, 90th percentile), those it has valid.
fn gaps_of(row: &Row, cols: &Columns, problems: &mut Vec<Problem>) -> Gaps {
    let mut read = |text: &Option<String>, col: Option<usize>, name: &str| match text
        .as_deref()
        .map(str::parse::<f64>)
    {
        None => None,
        Some(Ok(m)) if m.is_finite() && m >= 0.0 => Some(m),
        Some(_) => {
            let msg = format!("`{name}` is not a number of seconds (0 or more)");
            problems.push(problem(row.line, col.map_or(1, |c| c + 1), msg));
            None
        }
    };
    Gaps {
        p50: read(&row.median, cols.median, "median_seconds"),
        p25: read(&row.p25, cols.p25, "p25_seconds"),
        p90: read(&row.p90, cols.p90, "p90_seconds"),
        histogram: Vec::new(),
    }
}

/// A row as the funnel's step number `order`.
fn step(row: &Row, order: usize, cols: &Columns, gaps: Gaps) -> Result<Step, Problem> {
    let n = count(&row.count).map_err(|why| count_problem(row.line, cols.count + 1, why))?;
    Ok(Step {
        order,
        name: numbered(&row.name).map_or(row.name.clone(), |(_, n)| n.to_owned()),
        label: row.name.clone(),
        count: n,
        line: row.line,
        col: cols.count + 1,
        gaps,
        paths: Default::default(),
        properties: Vec::new(),
    })
}

/// What a `steps` row says of the whole funnel: those outside the path, and the unit.
fn take_extras(funnel: &mut Funnel, row: &Row, cols: &Columns, problems: &mut Vec<Problem>) {
    if let Some(o) = &row.outside {
        match count(o) {
            Ok(o) => funnel.outside_path = Some(o),
            Err(why) => problems.push(count_problem(
                row.line,
                cols.outside.map_or(1, |c| c + 1),
                why,
            )),
        }
    }
    if row.unit.as_deref() == Some("sessions") {
        funnel.unit = "sessions";
    }
}
