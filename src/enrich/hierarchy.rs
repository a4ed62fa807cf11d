//! A map among maps, as the pages show it: the breadcrumb up to the top map, and on a stage
//! the journeys that detail it (filled in when the maps are rendered together), each with
//! its headline figures.
//!
//! Invariants: built only from contexts already computed, so a roll-up can never disagree
//! with the page of the map it rolls up; links are relative between pages, without the
//! extension, which each format's templates add.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Context;
use crate::load::Ancestor;
use crate::survey::measure::Figure;

/// The map above this one: the stage of it this map details.
#[derive(Debug, Clone, Serialize)]
pub struct ParentLink {
    /// The parent's file, relative to this map's folder.
    pub path: String,
    pub stage: String,
    pub stage_name: String,
    pub title: String,
    /// Its page, relative to this one, without the extension.
    pub page: String,
}

/// One map of the breadcrumb, top first.
#[derive(Debug, Clone, Serialize)]
pub struct Crumb {
    pub title: String,
    pub stage: String,
    pub stage_name: String,
    pub page: String,
}

/// A journey that details a stage, as the stage shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    /// The map's file, relative to the folder rendered.
    pub path: String,
    /// Its page, relative to the page of the map above, without the extension.
    pub page: String,
    pub title: String,
    pub owner: Option<String>,
    pub hurts_most: Option<HurtsMost>,
    pub headline: Glance,
    pub open_opportunities: usize,
}

/// Where a journey hurts most, in a few words.
#[derive(Debug, Clone, Serialize)]
pub struct HurtsMost {
    pub stage: String,
    pub stage_name: String,
    pub detail: String,
}

/// A journey's headline figures: its journey-level measures, its measured reach from the
/// first stage to the last, and the changes into the latest wave that are beyond noise.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Glance {
    pub metrics: BTreeMap<&'static str, Figure>,
    pub reach: Option<ReachSpan>,
    pub moves: Vec<Move>,
}

/// The measured reach of the first and the last stage bound to one export.
#[derive(Debug, Clone, Serialize)]
pub struct ReachSpan {
    pub from_stage: String,
    pub from: u64,
    pub to_stage: String,
    pub to: u64,
    /// `to ÷ from`, 0..1 (none when the first count is zero).
    pub share: Option<f64>,
    pub unit: &'static str,
}

/// A journey-level figure's change into the latest wave, beyond noise.
#[derive(Debug, Clone, Serialize)]
pub struct Move {
    pub measure: &'static str,
    pub from: String,
    pub to: String,
    pub delta: f64,
    pub low: f64,
    pub high: f64,
}

impl Glance {
    pub fn of(ctx: &Context) -> Glance {
        let reached: Vec<(&str, &crate::analytics::Reach)> = ctx
            .stages
            .iter()
            .filter_map(|s| s.reach.map(|r| (s.id, r)))
            .collect();
        let reach = reached.first().and_then(|(first_stage, first)| {
            let (last_stage, last) = reached
                .iter()
                .rev()
                .find(|(_, r)| r.source.id == first.source.id)?;
            Some(ReachSpan {
                from_stage: (*first_stage).to_owned(),
                from: first.figures.count,
                to_stage: (*last_stage).to_owned(),
                to: last.figures.count,
                share: (first.figures.count > 0)
                    .then(|| last.figures.count as f64 / first.figures.count as f64),
                unit: first.source.unit,
            })
        });
        let moves = ctx
            .changes
            .iter()
            .filter(|c| Some(c.to) == ctx.latest_wave && c.change.significant && !c.low_sample)
            .map(|c| Move {
                measure: c.measure,
                from: c.from.to_owned(),
                to: c.to.to_owned(),
                delta: c.change.delta,
                low: c.change.low,
                high: c.change.high,
            })
            .collect();
        Glance {
            metrics: ctx.metrics.clone(),
            reach,
            moves,
        }
    }
}

impl HurtsMost {
    pub fn of(ctx: &Context) -> Option<HurtsMost> {
        ctx.summary.lowest.as_ref().map(|l| HurtsMost {
            stage: l.stage.to_owned(),
            stage_name: l.stage_name.to_owned(),
            detail: l.detail.clone(),
        })
    }
}

/// The parent and the breadcrumb of a map, from its ancestors (nearest first).
pub(super) fn lineage(map: &Path, ancestors: &[Ancestor]) -> (Option<ParentLink>, Vec<Crumb>) {
    let parent = ancestors.first().map(|a| ParentLink {
        path: relative_file(map, Path::new(&a.path)),
        stage: a.stage.clone(),
        stage_name: a.stage_name.clone(),
        title: a.title.clone(),
        page: page_link(map, Path::new(&a.path)),
    });
    let crumbs = ancestors
        .iter()
        .rev()
        .map(|a| Crumb {
            title: a.title.clone(),
            stage: a.stage.clone(),
            stage_name: a.stage_name.clone(),
            page: page_link(map, Path::new(&a.path)),
        })
        .collect();
    (parent, crumbs)
}

/// The page of map `to`, relative to the page of map `from`, without its extension: pages
/// mirror the maps' folders.
pub fn page_link(from: &Path, to: &Path) -> String {
    let text = relative_file(from, to);
    let stem = [".journey.yaml", ".journey.yml", ".yaml", ".yml"]
        .iter()
        .find_map(|ext| text.strip_suffix(ext))
        .unwrap_or(&text);
    stem.to_owned()
}

/// File `to`, relative to the folder of file `from`, with `/` separators.
pub fn relative_file(from: &Path, to: &Path) -> String {
    let from_dir = crate::load::confine::lexical_absolute(
        from.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    );
    let to = crate::load::confine::lexical_absolute(to);
    let common = from_dir
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in from_dir.components().skip(common) {
        out.push("..");
    }
    for c in to.components().skip(common) {
        out.push(c.as_os_str());
    }
    crate::load::display(&out)
}

#[cfg(test)]
mod tests {
    use super::page_link;
    use std::path::Path;

    #[test]
    fn pages_link_relative_to_each_other_without_their_extension() {
        let p = |a: &str, b: &str| page_link(Path::new(a), Path::new(b));
        assert_eq!(p("m/a/mid.journey.yaml", "m/top.journey.yaml"), "../top");
        assert_eq!(p("m/top.journey.yaml", "m/a/mid.journey.yaml"), "a/mid");
        assert_eq!(p("m/a/x.journey.yaml", "m/b/y.journey.yml"), "../b/y");
        assert_eq!(p("m/a/x.journey.yaml", "m/a/../a/y.journey.yaml"), "y");
        // A map in the current folder, named without one.
        assert_eq!(p("top.journey.yaml", "a/mid.journey.yaml"), "a/mid");
        assert_eq!(p("a/mid.journey.yaml", "top.journey.yaml"), "../top");
    }
}
