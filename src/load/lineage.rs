//! A map's place among maps: `parent: ../lifecycle.journey.yaml#onboard` names the stage of
//! another map that this one details. The parent is read as the persona file is, from inside
//! the map's folder, and so is each map above it, for the breadcrumb.
//!
//! Invariants: only the map's own `parent:` is judged here (its form, its file, its stage, a
//! cycle back to the map), at that line; a fault further up belongs to the map that has it,
//! and only ends the breadcrumb. The walk up stops at a map seen before and after
//! [`MAX_PARENTS`] maps, so no chain of files makes it loop.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Loaded, display, parse::parse_part, read_named, relative_to};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Pos;

/// The most maps above one map that are read.
pub const MAX_PARENTS: usize = 16;

/// A map above this one, nearest first: what the breadcrumb shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ancestor {
    /// The map file, relative to the current folder as the maps name each other.
    pub path: String,
    pub title: String,
    /// The stage of that map the one below it details.
    pub stage: String,
    pub stage_name: String,
}

/// `PATH#STAGE` split at its last `#`, both parts present.
pub fn split_parent(value: &str) -> Option<(&str, &str)> {
    let (file, stage) = value.trim().rsplit_once('#')?;
    let (file, stage) = (file.trim(), stage.trim());
    (!file.is_empty() && !stage.is_empty()).then_some((file, stage))
}

/// The `parent:` of a map's text, read leniently (a map above may have faults of its own).
pub fn parent_in_text(text: &str, file: &str) -> Option<String> {
    parse_part::<Head>(text, file).ok()?.parent
}

/// What is read of a map above: its title, its stages and its own parent (other keys are
/// left alone; the map is validated when it is checked itself).
#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    journeymap: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    stages: Vec<HeadStage>,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Deserialize)]
struct HeadStage {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Judge the map's `parent:` and read the maps above it: the diagnostics, at the `parent:`
/// line, and the ancestors that could be read, nearest first.
pub fn lineage(loaded: &Loaded) -> (Vec<Diagnostic>, Vec<Ancestor>) {
    let Some(parent) = &loaded.journey.parent else {
        return (Vec::new(), Vec::new());
    };
    let pos = parent.pos;
    let mut said = Vec::new();
    let mut up: Vec<Ancestor> = Vec::new();
    let start = real(&loaded.path);
    let mut seen: Vec<PathBuf> = vec![start.clone()];
    let mut below = loaded.path.clone();
    let mut value = parent.value.clone();
    loop {
        if up.len() == MAX_PARENTS {
            said.push(loaded.at(
                Code::ParentCycle,
                pos,
                format!("more than {MAX_PARENTS} maps lie above this one; a portfolio that deep is a loop or a mistake"),
            ));
            break;
        }
        let (path, head, stage) = match step(loaded, &below, &value, pos) {
            Ok(found) => found,
            // Only the first step is this map's to answer for.
            Err(d) if up.is_empty() => {
                said.push(*d);
                break;
            }
            Err(_) => break,
        };
        let here = real(&path);
        if here == start {
            // A loop back to this map is this map's to answer for, however far up it closes.
            let chain: Vec<&str> = std::iter::once(loaded.file.as_str())
                .chain(up.iter().map(|a| a.path.as_str()))
                .chain(std::iter::once(loaded.file.as_str()))
                .collect();
            said.push(loaded.at(
                Code::ParentCycle,
                pos,
                format!("the parents of this map lead back to it ({}); a map cannot detail itself or a map below it", chain.join(" → ")),
            ));
            break;
        }
        if seen.contains(&here) {
            break; // a loop further up: the maps in it say so
        }
        seen.push(here);
        let stage_name = head
            .stages
            .iter()
            .find(|s| s.id.as_deref() == Some(stage.as_str()))
            .and_then(|s| s.name.clone())
            .unwrap_or_else(|| stage.clone());
        up.push(Ancestor {
            path: display(&path),
            title: head.title.unwrap_or_default(),
            stage,
            stage_name,
        });
        match head.parent {
            Some(next) => {
                below = path;
                value = next;
            }
            None => break,
        }
    }
    (said, up)
}

fn real(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

/// One step up: the map `value` names from the map at `below`, read from inside the folder
/// the first map may read, with the stage it names; or why it cannot be (at `pos`).
fn step(
    loaded: &Loaded,
    below: &Path,
    value: &str,
    pos: Pos,
) -> Result<(PathBuf, Head, String), Box<Diagnostic>> {
    let fault = |code: Code, msg: String| Box::new(loaded.at(code, pos, msg));
    let Some((file, stage)) = split_parent(value) else {
        return Err(fault(
            Code::BadParent,
            format!(
                "`parent: {value}` names no stage; write the map's path, `#` and the id of the stage this map details, as `../lifecycle.journey.yaml#onboard`"
            ),
        ));
    };
    let path = relative_to(below, file);
    let shown = display(&path);
    let text = read_named(&path, loaded, "parent map", pos).map_err(Box::new)?;
    let head: Head = parse_part(&text, &shown).map_err(|d| {
        fault(
            Code::BadParent,
            format!("the parent {shown} cannot be read as a map ({}:{}: {}); a parent must be a journey map", d.pos.line, d.pos.col, d.message),
        )
    })?;
    if head.journeymap.is_none() {
        return Err(fault(
            Code::BadParent,
            format!(
                "the parent {shown} has no `journeymap:` key, so it is not a map; name a `*.journey.yaml` file"
            ),
        ));
    }
    if !head.stages.iter().any(|s| s.id.as_deref() == Some(stage)) {
        let ids: Vec<&str> = head.stages.iter().filter_map(|s| s.id.as_deref()).collect();
        let hint = crate::suggest::did_you_mean(stage, ids.iter().copied());
        let listed = if hint.is_empty() && !ids.is_empty() {
            let all: Vec<String> = ids.iter().map(|i| format!("`{i}`")).collect();
            format!("; its stages are {}", all.join(", "))
        } else {
            hint
        };
        return Err(fault(
            Code::ParentStageUnknown,
            format!("the parent {shown} has no stage `{stage}`{listed}"),
        ));
    }
    Ok((path, head, stage.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::split_parent;

    #[test]
    fn a_parent_is_a_path_a_hash_and_a_stage() {
        assert_eq!(
            split_parent("../lifecycle.journey.yaml#onboard"),
            Some(("../lifecycle.journey.yaml", "onboard"))
        );
        // The last `#` splits: a folder may hold one.
        assert_eq!(
            split_parent("a#b/m.journey.yaml#x"),
            Some(("a#b/m.journey.yaml", "x"))
        );
        assert_eq!(split_parent("m.journey.yaml"), None);
        assert_eq!(split_parent("m.journey.yaml#"), None);
        assert_eq!(split_parent("#onboard"), None);
    }
}
