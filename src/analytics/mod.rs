//! Measured reach: funnel exports from analytics tools bound to stages (the guide: "Measured
//! reach").
//!
//! Invariants: a stage's reach is a count the export gives for the step the map names;
//! kept, lost and shares are recomputed from counts of the same export and never across two
//! exports; a count that grows from one stage to the next is shown and warned about, never
//! clamped; every problem names the file, line and column, or the map line that binds it.

pub mod events;
mod exports;
pub mod formats;
mod logs;
mod reach;

use crate::diagnostic::Diagnostic;
use crate::load::Loaded;

pub use logs::log_stage;
pub use reach::{FunnelData, OutsidePath, Reach, ReachFigures, ReachSource, SegmentReach};

/// Read every export and event log of a map and bind its stages.
pub fn read_all(loaded: &Loaded) -> (FunnelData, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let funnels = exports::read_exports(loaded, &mut diags);
    let mut data = FunnelData {
        stages: vec![None; loaded.journey.stages.value.len()],
        outside_path: Vec::new(),
        entries: Vec::new(),
    };
    exports::bind_stages(loaded, &funnels, &mut data, &mut diags);
    logs::read_logs(loaded, &mut data, &mut diags);
    (data, diags)
}
