//! Diff: what changed between two versions of a map, by meaning rather than by line.
//!
//! Ids are the identity of things: a changed name with the same id is a rename. Both sides
//! go through the whole pipeline (load, validate, surveys, enrich), so measured emotions,
//! backlog ranks and survey figures are compared as readers see them. A side is a file or
//! `REV:path` from git (`git.rs`), loaded in `sides.rs`; a folder of maps is compared map by
//! map (`folder.rs`). `changes.rs` holds what changed, `compare.rs` and `bindings.rs` how it
//! is found, `report.rs` how it is written.

mod bindings;
mod changes;
mod compare;
mod folder;
mod git;
mod lines;
mod reach;
mod report;
mod sides;

use anyhow::Result;

use crate::Outcome;
use crate::format::DiffFormat;

use sides::{between, side};

pub use changes::Changes;
pub use compare::compare;
pub use report::{human, markdown};

/// Compare `old` with `new` (each a file, `REV:path`, a folder or `REV:folder/`) and print
/// the changes in `format`; `colour` for a terminal report.
pub fn command(old: &str, new: &str, format: DiffFormat, colour: bool) -> Result<Outcome> {
    if folder::is_folder(old, new) {
        return folder::command(old, new, format, colour);
    }
    let old = match side(old)? {
        Ok(s) => s,
        Err(o) => return Ok(o),
    };
    let new = match side(new)? {
        Ok(s) => s,
        Err(o) => return Ok(o),
    };
    let changes = between(&old, &new);
    let text = match format {
        DiffFormat::Json => serde_json::to_string_pretty(&changes)? + "\n",
        DiffFormat::Markdown => markdown(&changes),
        DiffFormat::Human => human(&changes, colour),
    };
    crate::output::write_stdout(text.as_bytes())?;
    Ok(Outcome::Ok)
}
