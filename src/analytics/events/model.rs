//! What an event-log binding asks and gives: the limits it is read under, its problems, its
//! result per stage and segment.

use crate::analytics::reach::Gaps;
use crate::model::{EventLog, Pos};

/// Steps a log can bind.
pub const MAX_STEPS: usize = 64;
/// Unreadable timestamps reported one by one; the rest are counted.
pub(super) const DETAILED: usize = 5;
/// Distinct event names remembered, for the message about a step that matches nothing.
pub(super) const MAX_NAMES: usize = 1000;
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
    /// Over the actors that reached this stage, the time from their first arrival at the
    /// stage before to their first arrival here (seconds): percentiles and histogram.
    pub gaps: Gaps,
    /// Where actors went around the stage: the lost's next events, the detours.
    pub paths: crate::analytics::reach::Paths,
    /// Per `properties:` column, per value (first touch), the actors who reached the stage.
    pub properties: crate::analytics::reach::Properties,
}

/// One segment's share of the result: per stage (in the order of `steps`), the actors that
/// reached it and the times from the stage before.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentResult {
    pub label: String,
    pub steps: Vec<(u64, Gaps)>,
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
    /// Per day of entry (days since 1970-01-01, UTC; the day of an actor's first stage),
    /// the actors of that day that reached each step: what a shipped solution's effect on
    /// the kept share compares.
    pub by_entry_day: std::collections::BTreeMap<i64, Vec<u64>>,
}

/// A log and the stages it binds: stage index, the rule, where the map names the stage.
pub struct Binding<'b> {
    pub log: &'b EventLog,
    /// In map order.
    pub steps: Vec<(usize, &'b crate::model::StepMatch, Pos)>,
}

/// A problem with the binding, at its place in the map.
pub(super) fn bad(message: String, pos: Option<Pos>) -> Problem {
    Problem {
        kind: Kind::Binding,
        line: 0,
        col: 0,
        pos,
        message,
    }
}
