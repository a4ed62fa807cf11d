//! Table exports: PostHog's funnel CSV and the plain `steps` table (`step,count`, with
//! optional segment, median, outside-path, unit and date columns), read into one funnel.

use super::funnel::{
    Choice, Funnel, Problem, Step, count, count_problem, finish, numbered, problem,
};

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
    outside: Option<String>,
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
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
