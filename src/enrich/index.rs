//! The index page of a directory render: one entry per map, with its headline figures.

use std::path::Path;

use serde::Serialize;

use super::Context;

/// The index page of a directory render.
#[derive(Debug, Serialize)]
pub struct Index {
    pub maps: Vec<IndexEntry>,
}

#[derive(Debug, Serialize)]
pub struct IndexEntry {
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
}

impl IndexEntry {
    /// A map that has errors (on `serve`'s index): its file name, and a link to the
    /// page that lists them.
    pub fn broken(map: &Path, rel: &Path) -> Self {
        IndexEntry {
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
        }
    }

    pub fn new(ctx: &Context, rel: &Path) -> Self {
        IndexEntry {
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
