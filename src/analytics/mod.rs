//! Measured reach: funnel exports from analytics tools bound to stages (the guide: "Measured
//! reach").
//!
//! Invariants: a stage's reach is a count the export gives for the step the map names;
//! kept, lost and shares are recomputed from counts of the same export and never across two
//! exports; a count that grows from one stage to the next is shown and warned about, never
//! clamped; every problem names the file, line and column, or the map line that binds it.

pub mod drivers;
pub mod events;
mod exports;
pub mod formats;
mod logs;
pub mod odds;
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
    drive(&mut data);
    (data, diags)
}

/// Each stage's drivers, from its segments' counts and those of the stage before it that is
/// bound to the same source (first touch: each actor in one segment, so the rest of the
/// actors are the other segments), and from the events done on the way.
fn drive(data: &mut FunnelData) {
    let mut before: Option<&Reach> = None;
    let mut found = Vec::new();
    for (i, reach) in data.stages.iter().enumerate() {
        let Some(reach) = reach else { continue };
        if let Some(prev) = before.filter(|p| p.source.id == reach.source.id) {
            let values: Vec<(String, u64, u64)> = reach
                .segments
                .iter()
                .filter_map(|s| {
                    let b = prev.segments.iter().find(|p| p.segment == s.segment)?;
                    Some((s.segment.clone(), b.figures.count, s.figures.count))
                })
                .collect();
            let property = reach.source.segment_by.as_deref().unwrap_or("segment");
            let mut all = if values.len() > 1 {
                drivers::drivers(property, &values, reach.min_n)
            } else {
                Vec::new()
            };
            for (property, here) in &reach.properties {
                let Some((_, there)) = prev.properties.iter().find(|(p, _)| p == property) else {
                    continue;
                };
                let values: Vec<(String, u64, u64)> = here
                    .iter()
                    .filter_map(|(v, c)| {
                        let b = there.iter().find(|(w, _)| w == v)?;
                        Some((v.clone(), b.1, *c))
                    })
                    .collect();
                if values.len() > 1 {
                    all.extend(drivers::drivers(property, &values, reach.min_n));
                }
            }
            let kept = reach.figures.count.min(prev.figures.count);
            let paths = &reach.paths;
            all.extend(drivers::events(
                (kept, prev.figures.count - kept),
                &paths.detours,
                &paths.lost_did,
                reach.min_n,
            ));
            drivers::sort(&mut all);
            found.push((i, all));
        }
        before = Some(reach);
    }
    for (i, d) in found {
        if let Some(reach) = &mut data.stages[i] {
            reach.drivers = d;
        }
    }
}
