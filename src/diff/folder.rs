//! A folder of maps against another (`diff REV:maps/ maps/`): every map in both, for the
//! pull-request comment of a portfolio.
//!
//! Invariants: maps are paired by their path inside the folder; a map only the old side has
//! and one only the new side has, with the same title, are one map renamed; every pair goes
//! through the same comparison as two files (`super::sides::between`); a map with errors is named as
//! not compared (its diagnostics printed) and the exit code says so, the others are still
//! compared.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use serde::Serialize;

use crate::Outcome;
use crate::format::DiffFormat;
use crate::validate::Checks;

use super::changes::{Change, Changes};

/// What changed between two folders of maps.
#[derive(Debug, Serialize)]
pub struct FolderChanges {
    pub old: String,
    pub new: String,
    pub summary: String,
    /// Maps only the new folder has.
    pub added: Vec<MapRef>,
    /// Maps only the old folder has.
    pub removed: Vec<MapRef>,
    /// Maps whose path changed, title kept, with what else changed.
    pub renamed: Vec<Renamed>,
    /// Maps in both whose comparison found changes.
    pub changed: Vec<Changes>,
    /// Maps (in both, or renamed) that now detail another stage, or none, or one for the
    /// first time.
    pub reparented: Vec<Reparented>,
    /// Maps in both with no change (paths inside the folder).
    pub unchanged: Vec<String>,
    /// Maps that could not be compared: errors on one side (paths inside the folder).
    pub not_compared: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct MapRef {
    /// Inside the folder.
    pub path: String,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct Reparented {
    /// Inside the new folder.
    pub path: String,
    pub title: String,
    /// `path#stage` of the parent, relative to the map; `none` for a top map.
    pub parent: Change<String>,
}

#[derive(Debug, Serialize)]
pub struct Renamed {
    pub path: Change<String>,
    pub title: String,
    pub changes: Changes,
}

/// Whether the two sides name folders: either is a folder here, or ends with `/`.
pub(super) fn is_folder(old: &str, new: &str) -> bool {
    let folder = |spec: &str| {
        spec.ends_with('/')
            || Path::new(spec).is_dir()
            || spec
                .split_once(':')
                .is_some_and(|(rev, p)| !rev.is_empty() && p.is_empty())
    };
    folder(old) || folder(new)
}

/// One side: a folder here, or `REV:folder` from git.
enum Side {
    Here(PathBuf),
    Git { rev: String, dir: String },
}

impl Side {
    fn parse(spec: &str) -> Result<Side> {
        if Path::new(spec).is_dir() {
            return Ok(Side::Here(PathBuf::from(spec)));
        }
        match spec.split_once(':') {
            Some((rev, dir)) if !rev.is_empty() => Ok(Side::Git {
                rev: rev.to_owned(),
                dir: dir.trim_end_matches('/').to_owned(),
            }),
            _ => bail!(
                "{spec}: no such folder; compare a folder with a folder (`REV:maps/` or `maps/`)"
            ),
        }
    }

    /// The maps inside, by path inside the folder, sorted, each with how to name it to
    /// [`super::sides::side`].
    fn maps(&self) -> Result<Vec<(String, String)>> {
        match self {
            Side::Here(dir) => {
                let found = crate::pipeline::collect_maps(std::slice::from_ref(dir))?;
                Ok(found
                    .into_iter()
                    .map(|(p, _)| {
                        let inside = p.strip_prefix(dir).unwrap_or(&p).to_owned();
                        (crate::load::display(&inside), crate::load::display(&p))
                    })
                    .collect())
            }
            Side::Git { rev, dir } => Ok(super::git::maps_in(rev, dir)?
                .into_iter()
                .map(|(inside, full)| (inside, format!("{rev}:{full}")))
                .collect()),
        }
    }
}

pub(super) fn command(old_spec: &str, new_spec: &str, options: &super::Options) -> Result<Outcome> {
    let (format, colour, checks) = (options.format, options.colour, options.checks);
    let (old_side, new_side) = (Side::parse(old_spec)?, Side::parse(new_spec)?);
    let (old_maps, new_maps) = (old_side.maps()?, new_side.maps()?);
    let mut out = FolderChanges {
        old: old_spec.to_owned(),
        new: new_spec.to_owned(),
        summary: String::new(),
        added: Vec::new(),
        removed: Vec::new(),
        renamed: Vec::new(),
        changed: Vec::new(),
        reparented: Vec::new(),
        unchanged: Vec::new(),
        not_compared: Vec::new(),
    };
    let mut only_new = Vec::new();
    for (inside, spec) in &new_maps {
        match old_maps.iter().find(|(o, _)| o == inside) {
            Some((_, old)) => match pair(old, spec, checks)? {
                Some(c) if c.summary == "no changes" => out.unchanged.push(inside.clone()),
                Some(c) => out.changed.push(c),
                None => out.not_compared.push(inside.clone()),
            },
            None => only_new.push((inside.clone(), spec.clone())),
        }
    }
    let only_old: Vec<(String, String)> = old_maps
        .iter()
        .filter(|(o, _)| !new_maps.iter().any(|(n, _)| n == o))
        .cloned()
        .collect();
    renames(&only_old, &only_new, &mut out, checks)?;
    out.reparented = reparented(&out);
    out.summary = summary(&out);
    let text = match format {
        DiffFormat::Json => serde_json::to_string_pretty(&out)? + "\n",
        DiffFormat::Markdown => markdown(&out),
        DiffFormat::Human => human(&out, colour),
    };
    crate::output::write_stdout(text.as_bytes())?;
    Ok(if out.not_compared.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Problems
    })
}

/// Maps only one side has, each `(path inside the folder, how to name it)`: a new one with the
/// title of an old one is that map renamed (and compared); the rest were added or removed.
fn renames(
    only_old: &[(String, String)],
    only_new: &[(String, String)],
    out: &mut FolderChanges,
    checks: Checks,
) -> Result<()> {
    let old_titles: Vec<(&str, &str, String)> = only_old
        .iter()
        .map(|(inside, spec)| (inside.as_str(), spec.as_str(), title(spec)))
        .collect();
    let mut taken: Vec<&str> = Vec::new();
    for (inside, spec) in only_new {
        let t = title(spec);
        let was = old_titles
            .iter()
            .find(|(o, _, ot)| *ot == t && !t.is_empty() && !taken.contains(o));
        let Some((o, old_spec, _)) = was else {
            out.added.push(MapRef {
                path: inside.clone(),
                title: t,
            });
            continue;
        };
        taken.push(o);
        match pair(old_spec, spec, checks)? {
            Some(changes) => out.renamed.push(Renamed {
                path: Change {
                    old: (*o).to_owned(),
                    new: inside.clone(),
                },
                title: t,
                changes,
            }),
            None => out.not_compared.push(inside.clone()),
        }
    }
    for (o, _, t) in old_titles {
        if !taken.contains(&o) {
            out.removed.push(MapRef {
                path: o.to_owned(),
                title: t,
            });
        }
    }
    Ok(())
}

/// The maps whose parent changed, in the order they are listed.
fn reparented(f: &FolderChanges) -> Vec<Reparented> {
    let changed = f.changed.iter().map(|c| (inside(c, f).to_owned(), c));
    let renamed = f.renamed.iter().map(|r| (r.path.new.clone(), &r.changes));
    changed
        .chain(renamed)
        .filter_map(|(path, c)| {
            let parent = c.parent.clone()?;
            Some(Reparented {
                path,
                title: title(&c.new),
                parent,
            })
        })
        .collect()
}

/// Two versions of one map compared; `None` when either has errors (printed).
fn pair(old: &str, new: &str, checks: Checks) -> Result<Option<Changes>> {
    let (Ok(o), Ok(n)) = (
        super::sides::side(old, checks)?,
        super::sides::side(new, checks)?,
    ) else {
        return Ok(None);
    };
    Ok(Some(super::sides::between(&o, &n)))
}

/// A map's title, read from its text alone (empty when it has none that parses).
fn title(spec: &str) -> String {
    let text = match spec.split_once(':') {
        Some((rev, path)) if !Path::new(spec).exists() && !rev.is_empty() => {
            super::git::read_at(rev, path).unwrap_or_default()
        }
        _ => std::fs::read(spec).unwrap_or_default(),
    };
    crate::load::front_matter_title(&String::from_utf8_lossy(&text)).unwrap_or_default()
}

fn summary(f: &FolderChanges) -> String {
    let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    let mut parts = Vec::new();
    for (k, what) in [
        (f.changed.len(), "changed"),
        (f.added.len(), "added"),
        (f.removed.len(), "removed"),
        (f.renamed.len(), "renamed"),
        (f.reparented.len(), "re-parented"),
        (f.not_compared.len(), "not compared (errors)"),
    ] {
        if k > 0 {
            parts.push(format!("{} {what}", n(k, "map", "maps")));
        }
    }
    if parts.is_empty() {
        parts.push("no map changed".to_owned());
    }
    format!(
        "{} ({} unchanged)",
        parts.join(", "),
        n(f.unchanged.len(), "map", "maps")
    )
}

fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

fn markdown(f: &FolderChanges) -> String {
    let esc = |s: &str| crate::render::md_escape(&crate::diagnostic::inert(s));
    let mut s = format!(
        "**journeymap diff** of {} → {}: {}\n\n",
        code(&f.old),
        code(&f.new),
        f.summary
    );
    for c in &f.changed {
        s.push_str(&format!("- ✏️ {}: {}\n", code(inside(c, f)), c.summary));
    }
    for m in &f.added {
        s.push_str(&format!(
            "- ➕ {} added: {}\n",
            code(&m.path),
            esc(&m.title)
        ));
    }
    for m in &f.removed {
        s.push_str(&format!(
            "- ➖ {} removed: {}\n",
            code(&m.path),
            esc(&m.title)
        ));
    }
    for r in &f.renamed {
        s.push_str(&format!(
            "- 🔀 {} → {} renamed: {}; {}\n",
            code(&r.path.old),
            code(&r.path.new),
            esc(&r.title),
            r.changes.summary
        ));
    }
    for r in &f.reparented {
        s.push_str(&format!(
            "- 🌳 {} re-parented: {}; was under {}, now under {}\n",
            code(&r.path),
            esc(&r.title),
            code(&r.parent.old),
            code(&r.parent.new)
        ));
    }
    for m in &f.not_compared {
        s.push_str(&format!(
            "- ⚠️ {} not compared: it has errors (`journeymap validate` says which)\n",
            code(m)
        ));
    }
    let detailed = f
        .changed
        .iter()
        .map(|c| (inside(c, f).to_owned(), c))
        .chain(f.renamed.iter().map(|r| (r.path.new.clone(), &r.changes)));
    for (path, c) in detailed {
        if c.summary == "no changes" {
            continue;
        }
        s.push_str(&format!("\n### {}: {}\n", code(&path), c.summary));
        s.push_str(&super::report::markdown_body(c, "####"));
    }
    s
}

fn human(f: &FolderChanges, colour: bool) -> String {
    let inert = crate::diagnostic::inert;
    let mut s = format!("{} → {}: {}\n", inert(&f.old), inert(&f.new), f.summary);
    for c in &f.changed {
        s.push_str(&format!("\n== {} ==\n", inert(inside(c, f))));
        let body = super::report::human(c, colour);
        s.push_str(&body);
    }
    for m in &f.added {
        s.push_str(&format!(
            "\n+ {} added: {}\n",
            inert(&m.path),
            inert(&m.title)
        ));
    }
    for m in &f.removed {
        s.push_str(&format!(
            "\n- {} removed: {}\n",
            inert(&m.path),
            inert(&m.title)
        ));
    }
    for r in &f.renamed {
        s.push_str(&format!(
            "\n~ {} → {} renamed: {}\n",
            inert(&r.path.old),
            inert(&r.path.new),
            inert(&r.title)
        ));
        s.push_str(&super::report::human(&r.changes, colour));
    }
    for r in &f.reparented {
        s.push_str(&format!(
            "\n^ {} re-parented: {}; was under {}, now under {}\n",
            inert(&r.path),
            inert(&r.title),
            inert(&r.parent.old),
            inert(&r.parent.new)
        ));
    }
    for m in &f.not_compared {
        s.push_str(&format!("\n! {} not compared: it has errors\n", inert(m)));
    }
    s
}

/// A changed map's path inside the new folder, from the label it was compared under.
fn inside<'c>(c: &'c Changes, f: &FolderChanges) -> &'c str {
    let new = f.new.trim_end_matches('/');
    let label = c.new.as_str();
    let rest = label
        .strip_prefix(new)
        .map(|r| r.trim_start_matches('/'))
        .or_else(|| label.split_once(':').map(|(_, p)| p))
        .unwrap_or(label);
    if rest.is_empty() { label } else { rest }
}
