//! `journeymap sql`: where actors went around the stages, as `analytics/events/paths.rs`
//! counts them locally, so a result read back gives the same lists and event drivers.
//!
//! Invariants: from every row of the log with an actor (a step or not; an empty event is
//! `(blank)`) and the first arrivals of `f`: for an actor whose furthest stage is k − 1, its
//! next event is the smallest name at the earliest instant after its arrival there, within
//! the window (`(none)` without one) and what it did is each name in that span; for an
//! actor that reached k, its detours are each name strictly between its first arrivals at
//! k − 1 and k (`(none)` without one); each actor counts once per name. The result rows are
//! `detail` `next`, `lost_did` or `detour`, with the stage, the `event` and the actors in
//! `count`.

use super::Dialect;

/// The CTEs, after `r` (with `ev`) and `f`: `x` (every row: actor, µs, name), `w` (each
/// actor's furthest stage and arrival there), `lx` (the lost's rows in the window after it)
/// and `pth` (stage k, detail, event, actors).
pub(super) fn ctes(d: Dialect, n: usize, w: i64, unit: Option<crate::model::TimeUnit>) -> String {
    let furthest = (0..n)
        .rev()
        .map(|k| format!("when f{k} is not null then {k}"))
        .collect::<Vec<_>>()
        .join(" ");
    let arrival = (0..n)
        .rev()
        .map(|k| format!("f{k}"))
        .collect::<Vec<_>>()
        .join(", ");
    let spans = (1..n)
        .map(|k| {
            format!(
                "select actor, {k} as k, f{} as lo, f{k} as hi from f where f{k} is not null",
                k - 1
            )
        })
        .collect::<Vec<_>>()
        .join("\n    union all ");
    let last = n - 1;
    format!(
        "x as (\n  select actor, {} as t, coalesce(nullif(ev, ''), '(blank)') as ev\n  from r where actor is not null and actor <> ''\n),\n\
w as (\n  select actor, case {furthest} end as fur, coalesce({arrival}) as arr\n  from f where f0 is not null\n),\n\
lx as (\n  select w.actor, w.fur, x.t, x.ev, min(x.t) over (partition by w.actor) as t1\n  from w join x on x.actor = w.actor\n  where w.fur < {last} and x.t > w.arr and x.t - w.arr <= {w}\n),\n\
pth as (\n  select w.fur + 1 as k, 'next' as detail, coalesce(q.ev, '(none)') as ev, count(*) as c\n  from w left join (select actor, min(ev) as ev from lx where t = t1 group by actor) q on q.actor = w.actor\n  where w.fur < {last} group by w.fur + 1, coalesce(q.ev, '(none)')\n\
  union all\n  select w.fur + 1 as k, 'lost_did' as detail, coalesce(q.ev, '(none)') as ev, count(*) as c\n  from w left join (select distinct actor, ev from lx) q on q.actor = w.actor\n  where w.fur < {last} group by w.fur + 1, coalesce(q.ev, '(none)')\n\
  union all\n  select k, 'detour' as detail, coalesce(ev, '(none)') as ev, count(*) as c\n  from (\n    select distinct sp.actor, sp.k, x.ev\n    from (\n    {spans}\n    ) sp left join x on x.actor = sp.actor and x.t > sp.lo and x.t < sp.hi\n  ) q group by k, coalesce(ev, '(none)')\n),\n",
        d.micros("tx", unit),
    )
}

/// The result's rows of `pth`, in the columns of the stage rows (`segmented`: with `pos` and
/// `segment` first): the stage (by its 0-based `k`, named from `stages`), the detail, the
/// event and its actors.
pub(super) fn rows(d: Dialect, stages: &[&str], segmented: bool) -> String {
    detail_rows(d, (stages, segmented), "pth", ["detail", "ev", "''"])
}

/// Rows of `from` (with `k`, the 0-based stage, and `c`, the actors) in the columns of the
/// stage rows, empty where a stage row has figures: `what` gives the detail, event and
/// property expressions.
pub(super) fn detail_rows(
    d: Dialect,
    (stages, segmented): (&[&str], bool),
    from: &str,
    [detail, event, property]: [&str; 3],
) -> String {
    let names = stages
        .iter()
        .enumerate()
        .map(|(k, s)| format!("when {k} then {}", d.text(s)))
        .collect::<Vec<_>>()
        .join(" ");
    let none = format!("cast(null as {})", d.double());
    let (pos, segment) = if segmented {
        ("0 as pos, ", "'' as segment, ")
    } else {
        ("", "")
    };
    format!(
        "select {pos}k + 1 as ord, case k {names} end as step, {segment}c as reached, {none} as median_seconds, {none} as p25_seconds, {none} as p90_seconds, {detail} as detail, {event} as {}, {property} as property from {from}",
        d.ident("event")
    )
}
