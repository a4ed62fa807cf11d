//! Reach measured from a raw event log (the guide: "Reach from event logs"): per actor (a user,
//! or a session), the furthest stage reached in order within a conversion window.
//!
//! Invariants: the file is streamed once and only per-actor state is kept (for each stage,
//! the latest-starting chain that reached it: ClickHouse's `windowFunnel` state), so memory
//! grows with actors, not with events. The algorithm is fixed: steps in map order, other
//! events allowed in between, the window measured from the entry event and inclusive, every
//! entry tried and the chain that reaches furthest kept; an actor's rows at one instant are
//! taken in step order and exact duplicates once, so the file's order of tied rows never
//! changes a count (and SQL can compute the same: `crate::sql`). A log whose events are not
//! in time order for some actor is refused with the first such row, since a streaming
//! funnel over it would be wrong.
//!
//! One way through: `plan.rs` checks the binding and opens the file, `count.rs` reads the
//! rows on one thread and keeps every actor's `state.rs` on another, `result.rs` turns the
//! state into figures and messages. Beside them: `columns.rs` (what a binding or preset
//! names), `time.rs`, `rows.rs` (a CSV row or a JSON line), `actors.rs` (actor keys) and
//! `ties.rs` (rows at one instant).

mod actors;
mod columns;
mod count;
mod model;
mod paths;
mod plan;
mod props;
mod result;
mod rows;
mod state;
mod ties;
mod time;

pub use columns::{Columns, columns};
pub use model::{
    Binding, DEFAULT_WINDOW, Kind, LogResult, MAX_SEGMENTS, MAX_STEPS, Problem, SegmentResult,
    StepResult,
};
pub use props::{MAX_PROPERTIES, Tally};
pub use time::window;

/// Read a log and compute its funnel: the binding checked and the file opened, the rows
/// counted, the figures made.
pub fn run(
    path: &std::path::Path,
    binding: &Binding,
    stage_ids: &[String],
) -> Result<LogResult, Vec<Problem>> {
    let mut plan = plan::Plan::new(path, binding)?;
    let counted = count::count(&mut plan)?;
    result::finish(&plan, counted, stage_ids)
}
