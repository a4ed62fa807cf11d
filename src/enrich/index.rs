//! The index page of a directory render: one entry per map, with its headline figures, and
//! what the maps say together (coverage, personas, one backlog).

use std::path::Path;

use serde::Serialize;

use super::Context;

/// The index page of a directory render: the maps in the order of their tree (each map
/// followed by the journeys that detail it), which stages of a map with detailed journeys
/// have one, the personas and the maps that use each, and one backlog across the maps.
#[derive(Debug, Default, Serialize)]
pub struct Index {
    pub maps: Vec<IndexEntry>,
    pub coverage: Vec<Coverage>,
    pub personas: Vec<PersonaUse>,
    pub backlog: Vec<CrossItem>,
}

/// A stage of a map that has detailed journeys, and the journeys that detail it (none: a
/// gap in the portfolio).
#[derive(Debug, Serialize)]
pub struct Coverage {
    pub map: String,
    pub stage: String,
    pub stage_name: String,
    pub details: Vec<String>,
}

/// A persona and the maps that use it: one per persona file, and one per distinct persona
/// written inline.
#[derive(Debug, Serialize)]
pub struct PersonaUse {
    pub name: String,
    pub role: Option<String>,
    /// The persona file, relative to the folder rendered; none when written inline.
    pub file: Option<String>,
    pub maps: Vec<String>,
}

/// An open solution of one of the maps, ranked among those of every map by the backlog
/// formula without evidence weighting (a map's `weight_by_evidence` ranks its own backlog).
#[derive(Debug, Serialize)]
pub struct CrossItem {
    pub map: String,
    pub map_title: String,
    pub href: String,
    pub stage: String,
    pub stage_name: String,
    pub id: String,
    pub text: String,
    pub owner: Option<String>,
    pub status: crate::model::Status,
    pub priority: f64,
    /// The rank across the maps, from 1.
    pub rank: usize,
    /// The rank in its own map's backlog.
    pub map_rank: usize,
}

/// The map above, by its path (relative to the folder rendered when it was rendered too).
#[derive(Debug, Clone, Serialize)]
pub struct ParentRef {
    pub path: String,
    pub stage: String,
    pub stage_name: String,
}

#[derive(Debug, Serialize)]
pub struct IndexEntry {
    /// The map's file, relative to the folder rendered.
    pub path: String,
    pub title: String,
    pub kind: crate::model::Kind,
    pub kind_label: String,
    pub owner: Option<String>,
    pub reviewed: Option<String>,
    pub stages: usize,
    pub pain_points: usize,
    pub backlog: usize,
    /// Overall survey measures (the map's headline figures), by measure name.
    pub metrics: std::collections::BTreeMap<&'static str, crate::survey::measure::Figure>,
    /// Link to the rendered map, relative to the index, with `/` separators.
    pub href: String,
    /// `reviewed:` is older than `--max-age` days, or absent.
    pub stale: bool,
    /// Days since `reviewed:`.
    pub age_days: Option<i64>,
    pub parent: Option<ParentRef>,
    /// The journeys that detail a stage of this map, by path.
    pub children: Vec<String>,
    /// How many maps lie above this one in the index's tree (0: a top map).
    pub depth: usize,
    pub headline: super::Glance,
    pub hurts_most: Option<super::HurtsMost>,
    pub open_opportunities: usize,
    /// Targets of the map (and its stages) whose figure misses them.
    pub targets_missed: usize,
}

impl IndexEntry {
    /// A map that has errors (on `serve`'s index): its file name, and a link to the
    /// page that lists them.
    pub fn broken(map: &Path, rel: &Path) -> Self {
        IndexEntry {
            path: crate::load::display(map),
            title: format!("{} (has errors)", crate::load::display(map)),
            kind: crate::model::Kind::default(),
            kind_label: "–".to_owned(),
            owner: None,
            reviewed: None,
            stages: 0,
            pain_points: 0,
            backlog: 0,
            metrics: std::collections::BTreeMap::new(),
            href: relative_href(rel),
            stale: false,
            age_days: None,
            parent: None,
            children: Vec::new(),
            depth: 0,
            headline: super::Glance::default(),
            hurts_most: None,
            open_opportunities: 0,
            targets_missed: 0,
        }
    }

    /// `path`: the map's file relative to the folder rendered; `rel`: its page.
    pub fn new(ctx: &Context, path: &str, rel: &Path) -> Self {
        IndexEntry {
            path: path.to_owned(),
            title: ctx.title.to_owned(),
            kind: ctx.kind,
            kind_label: ctx.kind_label.clone(),
            owner: ctx.owner.map(str::to_owned),
            reviewed: ctx.reviewed.map(str::to_owned),
            stages: ctx.stages.len(),
            pain_points: ctx.stages.iter().map(|s| s.pain_points.len()).sum(),
            backlog: ctx.backlog.len(),
            metrics: ctx.metrics.clone(),
            href: relative_href(rel),
            stale: false,
            age_days: None,
            parent: None,
            children: Vec::new(),
            depth: 0,
            headline: super::Glance::of(ctx),
            hurts_most: super::HurtsMost::of(ctx),
            open_opportunities: ctx.backlog.len(),
            targets_missed: ctx.target_tally.missed.len(),
        }
    }
}

/// A link to a rendered map, relative to the index. A file name that reads as a URL scheme
/// (`javascript:x.html`) gets `./` in front, so it stays a relative link.
fn relative_href(rel: &Path) -> String {
    let href = crate::load::display(rel);
    let first = href.split('/').next().unwrap_or("");
    if first.contains(':') {
        format!("./{href}")
    } else {
        href
    }
}
