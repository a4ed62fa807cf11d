//! Reach measured from a raw event log (README: "Reach from event logs"): per actor (a user,
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
mod plan;
mod result;
mod rows;
mod state;
mod ties;
mod time;

use crate::model::{EventLog, Pos};

pub use columns::{Columns, columns};
pub use time::window;

/// Steps a log can bind.
pub const MAX_STEPS: usize = 64;
/// Unreadable timestamps reported one by one; the rest are counted.
const DETAILED: usize = 5;
/// Distinct event names remembered, for the message about a step that matches nothing.
const MAX_NAMES: usize = 1000;
/// The conversion window when the binding gives none.
pub const DEFAULT_WINDOW: &str = "7d";
/// Segments counted at most, unless `segments:` lists the ones to show.
pub const MAX_SEGMENTS: usize = 50;

/// A problem, at a line and column of the log (line 0: at the binding in the map).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: Kind,
    pub line: u64,
    pub col: usize,
    /// Where in the map, for problems with the binding itself.
    pub pos: Option<Pos>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Binding,
    /// A read refused by a limit (a line too long).
    Budget,
    Time,
    Unsorted,
    StepUnused,
}

/// One stage's share of the result.
#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    pub stage: usize,
    /// The events that mean "reached this stage", as the map names them.
    pub events: String,
    pub actors: u64,
    /// Median, over the actors that reached this stage, of the time from their first
    /// arrival at the stage before to their first arrival here (seconds).
    pub median_seconds: Option<f64>,
}

/// One segment's share of the result: per stage (in the order of `steps`), the actors that
/// reached it and the median seconds from the stage before.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentResult {
    pub label: String,
    pub steps: Vec<(u64, Option<f64>)>,
}

/// What a log gives.
#[derive(Debug, Clone, PartialEq)]
pub struct LogResult {
    pub tool: &'static str,
    /// The order rule, in words.
    pub order: &'static str,
    pub unit: &'static str,
    pub window: String,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub steps: Vec<StepResult>,
    /// Actors with the last stage's event who did not reach it along the ordered path.
    pub outside_path: u64,
    /// With `segment_by:`, each segment's actors and medians per stage, in the order shown.
    pub segments: Vec<SegmentResult>,
    pub rows: u64,
    pub duplicates: u64,
}

/// A log and the stages it binds: stage index, the rule, where the map names the stage.
pub struct Binding<'b> {
    pub log: &'b EventLog,
    /// In map order.
    pub steps: Vec<(usize, &'b crate::model::StepMatch, Pos)>,
}

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

/// A problem with the binding, at its place in the map.
fn bad(message: String, pos: Option<Pos>) -> Problem {
    Problem {
        kind: Kind::Binding,
        line: 0,
        col: 0,
        pos,
        message,
    }
}
