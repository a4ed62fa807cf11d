//! `journeymap sql`: the SQL that computes an event log's funnel in a warehouse exactly as
//! `analytics::events` computes it locally (the guide: "Reach in the warehouse").
//!
//! Invariants: the same rules as the local engine, written as window functions (no join per
//! step): exact duplicate rows once. `sequential`: an actor's rows at one instant form a
//! group, taken in any order, one step per row (`analytics/events/ties.rs`); a group reaches
//! stage m with the latest start of a chain at j − 1 in the actor's earlier groups (within
//! the window), for the lowest j from which the group's rows can take stages j..=m, decided
//! by Hall's condition: for each set of those stages that one row could join (two stages are
//! joined when they share an event name), at least as many rows match one of the set as the
//! set has stages. `strict`: per actor, rows ordered by time, then by the lowest stage a row
//! matches, then by the set of stages it matches as a number (compared bit by bit), the local
//! engine's order for tied rows; a row reaches stage k when it matches k and the actor's
//! previous row reached k − 1 within the window. `any`: every stage up to k happened, each
//! latest occurrence within the window of the row. The result has the columns of the plain
//! `steps` funnel export, so it is read back with `analytics:`.

use crate::analytics::events::{self, Columns};
use crate::model::{EventLog, OneOrMany, StepMatch, StepOrder};

use super::{Dialect, Source, comment};

/// The rows of stages a log binds, in map order: the stage id and what reaching it means.
pub struct Step<'a> {
    pub stage: &'a str,
    pub rule: &'a StepMatch,
}

/// The SQL for one event log: statements, each ending with `;` at the end of a line, the last
/// a query whose result is a `steps` funnel export (`step, count, median_seconds,
/// p25_seconds, p90_seconds, outside_path, unit, date_from, date_to[, segment], detail,
/// event`; rows with a `detail` say where actors went: `sql/paths.rs`).
pub fn event_log(
    d: Dialect,
    log: &EventLog,
    steps: &[Step],
    source: Source,
) -> Result<String, String> {
    let cols = events::columns(log).map_err(|p| p.message)?;
    if steps.is_empty() {
        return Err(format!("event log `{}` binds no stages", log.id.value));
    }
    if steps.len() > events::MAX_STEPS {
        return Err(format!(
            "event log `{}` binds {} stages, over the limit of {}",
            log.id.value,
            steps.len(),
            events::MAX_STEPS
        ));
    }
    let mut out = header(log, steps, &cols);
    out.push_str(d.preamble());
    let from = d.relation(
        &source,
        &log.id.value,
        &format!("event log `{}`", log.id.value),
        None,
        &mut out,
    )?;
    let mut sql = format!("with src as (\n  {}\n),\n", d.distinct_rows(&from));
    sql.push_str(&rows(d, log, steps, &cols));
    let n = steps.len();
    let w = cols.window_us;
    match cols.mode {
        StepOrder::Sequential => sql.push_str(&sequential(steps, w)?),
        StepOrder::Strict => sql.push_str(&strict(n, w)),
        StepOrder::Any => sql.push_str(&any_order(n, w)),
    }
    if n > 1 {
        sql.push_str(&super::paths::ctes(d, n, w, cols.unit));
        sql.push_str(&super::props::ctes(d, log, n));
    }
    let unit = if cols.session.is_some() {
        "sessions"
    } else {
        "users"
    };
    sql.push_str(&result(d, log, steps, unit));
    out.push_str(&sql);
    Ok(out)
}

/// The comment that opens the SQL: the log, its stages, the unit, the window and the order.
fn header(log: &EventLog, steps: &[Step], cols: &Columns) -> String {
    let stages: Vec<&str> = steps.iter().map(|s| s.stage).collect();
    format!(
        "-- journeymap sql: event log `{}`, {} per {}, window {}, order {}\n-- Save the result as CSV and bind it under `analytics:` (format: steps).\n",
        comment(&log.id.value),
        comment(&stages.join(" -> ")),
        if cols.session.is_some() {
            "session"
        } else {
            "user"
        },
        comment(cols.window.trim()),
        match cols.mode {
            StepOrder::Sequential => "sequential",
            StepOrder::Strict => "strict",
            StepOrder::Any => "any",
        }
    )
}

/// Each stage's condition on a row: its events (exact, trimmed) and its `where:` values
/// (trimmed, case ignored).
fn condition(d: Dialect, event: &str, step: &Step) -> String {
    let names: Vec<String> = step
        .rule
        .events()
        .iter()
        .map(|e| d.text(e.trim()))
        .collect();
    let mut cond = format!("{} in ({})", d.cell_path(event), names.join(", "));
    for (col, want) in step.rule.filter() {
        let values: Vec<String> = match &want.value {
            OneOrMany::One(v) => vec![v.0.trim().to_owned()],
            OneOrMany::Many(vs) => vs.iter().map(|v| v.0.trim().to_owned()).collect(),
        };
        let values: Vec<String> = values.iter().map(|v| d.text(&v.to_lowercase())).collect();
        cond.push_str(&format!(
            " and lower({}) in ({})",
            d.cell_path(&col.value),
            values.join(", ")
        ));
    }
    cond
}

/// `r` (each row's actor, time text, segment and the stages it matches) and `e` (the rows
/// that count, with their time in microseconds and the lowest stage they match).
fn rows(d: Dialect, log: &EventLog, steps: &[Step], cols: &Columns) -> String {
    let n = steps.len();
    let key = cols.session.as_ref().map_or(&cols.actor, |s| s).0.as_str();
    let each = |f: &dyn Fn(usize) -> String, sep: &str| join(n, f, sep);
    // With segments: each row's segment value, `(blank)` when empty.
    let (mut seg, seg_e) = match &log.segment_by {
        Some(by) => (
            format!(
                ", coalesce(nullif({}, ''), '(blank)') as seg",
                d.cell_path(&by.value)
            ),
            ", seg",
        ),
        None => (String::new(), ""),
    };
    // With `properties:`: each row's value of each, `(blank)` when empty.
    for (j, p) in log.properties.iter().enumerate() {
        seg.push_str(&format!(
            ", coalesce(nullif({}, ''), '(blank)') as p{j}",
            d.cell_path(p.value.trim())
        ));
    }
    let seg_e = format!(
        "{seg_e}{}",
        (0..log.properties.len())
            .map(|j| format!(", p{j}"))
            .collect::<String>()
    );
    // Rows that match no stage count only in strict order (they break a chain).
    let keep = if cols.mode == StepOrder::Strict {
        String::new()
    } else {
        format!(" and ({}) > 0", each(&|k| format!("m{k}"), " + "))
    };
    format!(
        "r as (\n  select {} as actor, {} as tx, {} as ev{seg},\n    {}\n  from src\n),\ne as (\n  select actor, {} as t{seg_e}, {},\n    case {} else {n} end as lo\n  from r\n  where actor is not null and actor <> ''{keep}\n),\n",
        d.cell_path(key),
        d.cell_path(&cols.time.0),
        d.cell_path(&cols.event.0),
        each(
            &|k| format!(
                "case when {} then 1 else 0 end as m{k}",
                condition(d, &cols.event.0, &steps[k])
            ),
            ",\n    "
        ),
        d.micros("tx", cols.unit),
        each(&|k| format!("m{k}"), ", "),
        each(&|k| format!("when m{k} = 1 then {k}"), " ")
    )
}

/// `f(0) sep f(1) sep … f(n − 1)`.
fn join(n: usize, f: &dyn Fn(usize) -> String, sep: &str) -> String {
    (0..n).map(f).collect::<Vec<_>>().join(sep)
}

/// Rows in the local engine's order for tied rows: by time, then by the lowest stage a row
/// matches, then by the set of stages it matches, compared bit by bit from the highest (a
/// number would overflow a bigint at 64 stages).
fn tie_order(n: usize) -> String {
    let bits: Vec<String> = (0..n).rev().map(|k| format!("m{k}")).collect();
    format!("partition by actor order by t, lo, {}", bits.join(", "))
}

/// `strict`: a row reaches stage k when it matches k and the actor's previous row reached
/// k − 1 within the window.
fn strict(n: usize, w: i64) -> String {
    let order = tie_order(n);
    let mut sql = "l0 as (\n  select *, case when m0 = 1 then t end as s0 from e\n),\n".to_owned();
    for k in 1..n {
        sql.push_str(&format!(
            "l{k} as (\n  select *, case when m{k} = 1 and t - p{k} <= {w} then p{k} end as s{k}\n  from (select *, lag(s{}) over ({order}) as p{k} from l{}) q\n),\n",
            k - 1,
            k - 1
        ));
    }
    sql.push_str(&format!(
        "f as (\n  select actor, {}, max(m{}) as saw_last\n  from l{} group by actor\n),\n",
        join(
            n,
            &|k| format!("min(case when s{k} is not null then t end) as f{k}"),
            ", "
        ),
        n - 1,
        n - 1
    ));
    sql
}

/// `any`: stage k is reached at a row when every stage up to k happened, each latest
/// occurrence within the window of the row.
fn any_order(n: usize, w: i64) -> String {
    let order = tie_order(n);
    let reached = |k: usize| {
        (0..=k)
            .map(|j| format!("q{j} is not null and t - q{j} <= {w}"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    format!(
        "a as (\n  select *, {}\n  from e\n),\nf as (\n  select actor, {}, max(m{}) as saw_last\n  from a group by actor\n),\n",
        join(
            n,
            &|k| format!(
                "max(case when m{k} = 1 then t end) over ({order} rows between unbounded preceding and current row) as q{k}"
            ),
            ",\n    "
        ),
        join(
            n,
            &|k| format!("min(case when {} then t end) as f{k}", reached(k)),
            ",\n    "
        ),
        n - 1
    )
}

/// The result: per stage the actors that reached it and the median seconds from the stage
/// before (per segment too, with `segment_by:`), the actors outside the path, the unit and
/// the dates.
fn result(d: Dialect, log: &EventLog, steps: &[Step], unit: &str) -> String {
    let n = steps.len();
    let event = d.ident("event");
    let total = if log.segment_by.is_some() {
        ("0 as pos, ", "'' as segment, ")
    } else {
        ("", "")
    };
    let per_step = join(
        n,
        &|k| {
            let gap = format!("f{k} - f{}", k.saturating_sub(1));
            let [median, p25, p90] = [0.5, 0.25, 0.9].map(|q| {
                if k == 0 {
                    format!("cast(null as {})", d.double())
                } else {
                    format!("{} / 1000000.0", d.quantile(&gap, "f", q))
                }
            });
            // With segments, the total's rows come first, with an empty segment.
            format!(
                "select {}{} as ord, {} as step, {}(select count(f{k}) from f) as reached, {median} as median_seconds, {p25} as p25_seconds, {p90} as p90_seconds, '' as detail, '' as {event}, '' as property",
                total.0,
                k + 1,
                d.text(steps[k].stage),
                total.1
            )
        },
        "\n  union all ",
    );
    let mut sql = String::new();
    let (segment_col, mut per_segment, order) = match &log.segment_by {
        None => (String::new(), String::new(), "ord"),
        Some(by) => {
            let (ctes, parts) = segments(d, log, steps);
            sql.push_str(&ctes);
            (
                format!(", segment, {} as segment_by", d.text(&by.value)),
                format!("\n  union all {parts}"),
                "pos, segment, ord",
            )
        }
    };
    // Where actors went: after the stage rows, the most first.
    if n > 1 {
        let stages: Vec<&str> = steps.iter().map(|s| s.stage).collect();
        per_segment.push_str(&format!(
            "\n  union all {}",
            super::paths::rows(d, &stages, log.segment_by.is_some())
        ));
        if !log.properties.is_empty() {
            per_segment.push_str(&format!(
                "\n  union all {}",
                super::props::rows(d, &stages, log.segment_by.is_some())
            ));
        }
    }
    sql.push_str(&format!(
        "o as (\n  select count(case when saw_last = 1 and f{} is null then 1 end) as outside_path from f\n),\ndays as (\n  select {} as date_from, {} as date_to from e\n)\nselect step, reached as {}, median_seconds, p25_seconds, p90_seconds, outside_path, {} as unit, date_from, date_to{segment_col}, detail, {event}, property\nfrom (\n  {per_step}{per_segment}\n) s cross join o cross join days\norder by {order}, detail, property, reached desc, {event};\n",
        n - 1,
        d.day("min(t)"),
        d.day("max(t)"),
        d.ident("count"),
        d.text(unit)
    ));
    sql
}

/// With `segment_by:`: the CTEs that give each actor its segment (that of its earliest row of
/// the first stage, the smallest value among rows at that instant; listed segments only, when
/// listed), and the per-segment rows of the result.
fn segments(d: Dialect, log: &EventLog, steps: &[Step]) -> (String, String) {
    let listed: Vec<String> = log
        .segments
        .iter()
        .map(|s| d.text(s.value.trim()))
        .collect();
    let only = if listed.is_empty() {
        String::new()
    } else {
        format!(" where g.seg in ({})", listed.join(", "))
    };
    let ctes = format!(
        "g as (\n  select actor, min(seg) as seg\n  from (select actor, t, seg, min(t) over (partition by actor) as t0 from e where m0 = 1) q\n  where t = t0 group by actor\n),\nfs as (\n  select f.*, g.seg from f join g on f.actor = g.actor{only}\n),\n"
    );
    let pos = if listed.is_empty() {
        "1".to_owned()
    } else {
        format!(
            "case seg {} end",
            listed
                .iter()
                .enumerate()
                .map(|(i, v)| format!("when {v} then {}", i + 1))
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    let parts = join(
        steps.len(),
        &|k| {
            let ([median, p25, p90], from) = if k == 0 {
                let none = format!("cast(null as {})", d.double());
                ([none.clone(), none.clone(), none], "fs".to_owned())
            } else {
                d.quantiles_by(&format!("f{k} - f{}", k - 1), "seg", &format!("f{k}"), "fs")
            };
            format!(
                "select {pos} as pos, {} as ord, {} as step, seg as segment, count(f{k}) as reached, {median} as median_seconds, {p25} as p25_seconds, {p90} as p90_seconds, '' as detail, '' as {}, '' as property from {from} group by seg",
                k + 1,
                d.text(steps[k].stage),
                d.ident("event")
            )
        },
        "\n  union all ",
    );
    (ctes, parts)
}

/// The most sets of joined stages the SQL checks.
const MAX_JOINED_SETS: usize = 256;

/// Sets of stages Hall's condition is checked on, beyond single stages: every set of two or
/// more stages connected by shared event names (a row can match two stages only when they
/// share a name). A set that splits into parts no row can join is checked by its parts.
fn joined_sets(steps: &[Step]) -> Result<Vec<u64>, String> {
    let n = steps.len();
    let names: Vec<Vec<&str>> = steps
        .iter()
        .map(|s| s.rule.events().iter().map(|e| e.trim()).collect())
        .collect();
    let joined = |a: usize, b: usize| names[a].iter().any(|e| names[b].contains(e));
    let near: Vec<u64> = (0..n)
        .map(|a| {
            (0..n)
                .filter(|&b| b != a && joined(a, b))
                .fold(0u64, |m, b| m | 1 << b)
        })
        .collect();
    // Grow each set from its lowest stage by stages joined to it and higher than that one.
    let mut found: std::collections::BTreeSet<u64> = std::collections::BTreeSet::new();
    let mut todo: Vec<u64> = (0..n).map(|a| 1u64 << a).collect();
    while let Some(set) = todo.pop() {
        let low = set.trailing_zeros() as usize;
        let reach = (0..n)
            .filter(|&a| set >> a & 1 == 1)
            .fold(0u64, |m, a| m | near[a]);
        for b in (low + 1..n).filter(|&b| reach >> b & 1 == 1 && set >> b & 1 == 0) {
            let grown = set | 1 << b;
            if found.insert(grown) {
                if found.len() > MAX_JOINED_SETS {
                    return Err(format!(
                        "the stages share event names in more than {MAX_JOINED_SETS} combinations, too many for the SQL to decide which rows at one instant can take which stages; count this log with `journeymap render`"
                    ));
                }
                todo.push(grown);
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// `sequential`: the actor's rows grouped by instant, then one CTE per stage (see the module
/// invariants).
fn sequential(steps: &[Step], w: i64) -> Result<String, String> {
    let n = steps.len();
    let sets = joined_sets(steps)?;
    let any_of = |set: u64| {
        (0..n)
            .filter(|&k| set >> k & 1 == 1)
            .map(|k| format!("m{k} = 1"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let mut counts: Vec<String> = (0..n)
        .map(|k| format!("count(case when m{k} = 1 then 1 end) as c{k}"))
        .collect();
    counts.extend(
        sets.iter()
            .enumerate()
            .map(|(i, &set)| format!("count(case when {} then 1 end) as h{i}", any_of(set))),
    );
    let mut sql = format!(
        "grp as (\n  select actor, t, max(m{}) as saw, {}\n  from e group by actor, t\n),\n",
        n - 1,
        counts.join(",\n    ")
    );
    // Whether the group's rows can take stages j..=m, one row each.
    let can = |j: usize, m: usize| {
        let span = (j..=m).fold(0u64, |s, k| s | 1 << k);
        let mut all: Vec<String> = (j..=m).map(|k| format!("c{k} >= 1")).collect();
        all.extend(
            sets.iter()
                .enumerate()
                .filter(|&(_, &set)| set & !span == 0)
                .map(|(i, &set)| format!("h{i} >= {}", set.count_ones())),
        );
        all.join(" and ")
    };
    sql.push_str(&format!(
        "l0 as (\n  select *, case when {} then t end as s0 from grp\n),\n",
        can(0, 0)
    ));
    for m in 1..n {
        let mut cases = vec![format!("when {} then t", can(0, m))];
        cases.extend((1..=m).map(|j| {
            format!(
                "when {} and t - p{} <= {w} then p{}",
                can(j, m),
                j - 1,
                j - 1
            )
        }));
        sql.push_str(&format!(
            "l{m} as (\n  select *, case {} end as s{m}\n  from (select *, max(s{}) over (partition by actor order by t rows between unbounded preceding and 1 preceding) as p{} from l{}) q\n),\n",
            cases.join("\n    "),
            m - 1,
            m - 1,
            m - 1
        ));
    }
    sql.push_str(&format!(
        "f as (\n  select actor, {}, max(saw) as saw_last\n  from l{} group by actor\n),\n",
        (0..n)
            .map(|k| format!("min(case when s{k} is not null then t end) as f{k}"))
            .collect::<Vec<_>>()
            .join(", "),
        n - 1
    ));
    Ok(sql)
}
