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
mod improvement;
mod lcs;
mod lines;
mod reach;
mod report;
mod sides;
mod tickets;

use anyhow::Result;

use crate::Outcome;
use crate::format::DiffFormat;

use sides::{between, side};

pub use changes::Changes;
pub use compare::compare;
pub use report::{human, markdown};

/// How a diff is made and printed.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub format: DiffFormat,
    /// Colour the terminal report.
    pub colour: bool,
    /// The checks each version of a map is loaded with.
    pub checks: crate::validate::Checks,
}

/// Compare `old` with `new` (each a file, `REV:path`, a folder or `REV:folder/`) and print
/// the changes as `options` say.
pub fn command(old: &str, new: &str, options: &Options) -> Result<Outcome> {
    let (format, colour) = (options.format, options.colour);
    if folder::is_folder(old, new) {
        return folder::command(old, new, options);
    }
    let old = match side(old, options.checks)? {
        Ok(s) => s,
        Err(o) => return Ok(o),
    };
    let new = match side(new, options.checks)? {
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
