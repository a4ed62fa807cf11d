//! Reach compared between two versions: hand-set `funnel:` counts, and measured reach per
//! stage and per segment (count, kept, share of the first stage, median time).
//!
//! Invariants: stages are matched by id; segments by name, in the new version's order, then
//! the ones only the old version has; reach counts every actor, so figures are compared as
//! they are, with no interval.

use crate::analytics::{Reach, ReachFigures, SegmentReach};
use crate::enrich::{Context, StageCtx};

use super::changes::{Change, Changes, FunnelChange, ReachChange};
use super::compare::{by_id, close};

/// A place's reach: count, kept, share of the first stage, median seconds from the stage
/// before.
type Figures = (u64, Option<f64>, Option<f64>, Option<f64>);

fn of(f: &ReachFigures) -> Figures {
    (
        f.count,
        f.kept,
        f.share_of_first,
        f.median_seconds_from_previous,
    )
}

/// Funnel counts that changed and reach that moved, stage by stage.
pub(super) fn compare(c: &mut Changes, old: &Context, new: &Context) {
    let m = by_id(&old.stages, &new.stages, |s| s.id);
    for (s, o) in &m.pairs {
        let Some(o) = o else { continue };
        if o.funnel != s.funnel {
            c.funnels.push(FunnelChange {
                stage: s.id.to_owned(),
                name: s.name.to_owned(),
                count: Change {
                    old: o.funnel,
                    new: s.funnel,
                },
            });
        }
        for (segment, a, b) in places(o.reach, s.reach) {
            if let Some(change) = moved(s, segment, a, b) {
                c.reach.push(change);
            }
        }
    }
}

/// The whole stage (segment `None`), then each segment of either version.
fn places(
    old: Option<&Reach>,
    new: Option<&Reach>,
) -> Vec<(Option<String>, Option<Figures>, Option<Figures>)> {
    if old.is_none() && new.is_none() {
        return Vec::new();
    }
    let mut out = vec![(
        None,
        old.map(|r| of(&r.figures)),
        new.map(|r| of(&r.figures)),
    )];
    let (os, ns) = (segments(old), segments(new));
    let mut names: Vec<&str> = ns.iter().map(|g| g.segment.as_str()).collect();
    names.extend(
        os.iter()
            .map(|g| g.segment.as_str())
            .filter(|n| !ns.iter().any(|g| g.segment == *n)),
    );
    for name in names {
        let part =
            |v: &[&SegmentReach]| v.iter().find(|g| g.segment == name).map(|g| of(&g.figures));
        out.push((Some(name.to_owned()), part(&os), part(&ns)));
    }
    out
}

fn segments(r: Option<&Reach>) -> Vec<&SegmentReach> {
    r.map(|r| r.segments.iter().collect()).unwrap_or_default()
}

/// The change at one place, unless nothing moved.
fn moved(
    s: &StageCtx,
    segment: Option<String>,
    a: Option<Figures>,
    b: Option<Figures>,
) -> Option<ReachChange> {
    let same = match (a, b) {
        (Some(a), Some(b)) => a.0 == b.0 && close(a.1, b.1) && close(a.2, b.2) && close(a.3, b.3),
        (None, None) => true,
        _ => false,
    };
    // One figure of the four, before and after.
    let of = |k: fn(Figures) -> Option<f64>| Change {
        old: a.and_then(k),
        new: b.and_then(k),
    };
    (!same).then(|| ReachChange {
        stage: s.id.to_owned(),
        name: s.name.to_owned(),
        segment,
        count: Change {
            old: a.map(|a| a.0),
            new: b.map(|b| b.0),
        },
        kept: of(|f| f.1),
        share_of_first: of(|f| f.2),
        median_seconds_from_previous: of(|f| f.3),
    })
}
