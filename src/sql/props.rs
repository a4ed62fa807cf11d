//! `journeymap sql`: the `properties:` a log's drivers judge, as `analytics/events/props.rs`
//! counts them locally: per property, per value (first touch), the actors who reached each
//! stage.
//!
//! Invariants: an actor's value is that of its earliest row of the first stage, the
//! smallest among rows at that instant (`(blank)` when empty), as segments are; every value
//! is counted (the local engine tells the first 50 apart and adds up the rest). The result
//! rows are `detail` `property`, with the stage, the value in `event`, the column's name in
//! `property` and the actors in `count`.

use super::Dialect;
use crate::model::EventLog;

/// The CTEs, after `e` (with `p0`, `p1`, …) and `f`: `gp0`, `gp1`, … (each actor's value)
/// and `prc` (stage k, property, value, actors).
pub(super) fn ctes(d: Dialect, log: &EventLog, n: usize) -> String {
    if log.properties.is_empty() {
        return String::new();
    }
    let mut sql = String::new();
    let mut counts = Vec::new();
    for (j, p) in log.properties.iter().enumerate() {
        sql.push_str(&format!(
            "gp{j} as (\n  select actor, min(p{j}) as v\n  from (select actor, t, p{j}, min(t) over (partition by actor) as t0 from e where m0 = 1) q\n  where t = t0 group by actor\n),\n"
        ));
        let name = d.text(p.value.trim());
        counts.extend((0..n).map(|k| {
            format!(
                "select {k} as k, {name} as property, gp.v as v, count(f.f{k}) as c from f join gp{j} gp on f.actor = gp.actor group by gp.v"
            )
        }));
    }
    sql.push_str(&format!(
        "prc as (\n  {}\n),\n",
        counts.join("\n  union all ")
    ));
    sql
}

/// The result's rows of `prc`, in the columns of the stage rows (`segmented`: with `pos`
/// and `segment` first).
pub(super) fn rows(d: Dialect, stages: &[&str], segmented: bool) -> String {
    super::paths::detail_rows(
        d,
        (stages, segmented),
        "prc",
        ["'property'", "v", "property"],
    )
}
