//! Diff: what changed between two versions of a map, by meaning rather than by line.
//!
//! Ids are the identity of things: a changed name with the same id is a rename. Both sides
//! go through the whole pipeline (load, validate, surveys, enrich), so measured emotions,
//! backlog ranks and survey figures are compared as readers see them. A side is a file or
//! `REV:path` from git (`git.rs`). `changes.rs` holds what changed, `compare.rs` how it is
//! found, `report.rs` how it is written.

mod changes;
mod compare;
mod git;
mod report;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::Outcome;
use crate::cli::{DiffArgs, DiffFormat};
use crate::diagnostic::{Format, Severity, Sources};
use crate::enrich::enrich;
use crate::load::Loaded;
use crate::survey::SurveyData;

pub use changes::Changes;
pub use compare::compare;
pub use report::{human, markdown};

/// One side of a diff, loaded and read.
struct Side {
    label: String,
    loaded: Loaded,
    data: SurveyData,
    _tmp: Option<(tempfile::TempDir, crate::output::Live)>,
}

pub fn command(args: &DiffArgs) -> Result<Outcome> {
    let old = match side(&args.old)? {
        Ok(s) => s,
        Err(o) => return Ok(o),
    };
    let new = match side(&args.new)? {
        Ok(s) => s,
        Err(o) => return Ok(o),
    };
    let changes = compare(
        &old.label,
        &enrich(&old.loaded, &old.data),
        &new.label,
        &enrich(&new.loaded, &new.data),
    );
    let text = match args.format {
        DiffFormat::Json => serde_json::to_string_pretty(&changes)? + "\n",
        DiffFormat::Markdown => markdown(&changes),
        DiffFormat::Human => {
            let colour = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
            human(&changes, colour)
        }
    };
    crate::output::write_stdout(text.as_bytes())?;
    Ok(Outcome::Ok)
}

/// Load one side; a map with errors prints its diagnostics and ends the diff (exit 1).
fn side(spec: &str) -> Result<std::result::Result<Side, Outcome>> {
    let (path, tmp, label) = if Path::new(spec).exists() {
        (PathBuf::from(spec), None, spec.to_owned())
    } else if let Some((rev, path)) = spec.split_once(':').filter(|(r, _)| !r.is_empty()) {
        // A private (0700) folder, removed when the diff ends or is interrupted.
        let tmp = git::private_folder()?;
        let live = crate::output::Live::new(tmp.path());
        let local = git::from_git(rev, path, tmp.path())?;
        (local, Some((tmp, live)), spec.to_owned())
    } else {
        bail!("{spec}: no such file (write REV:path to read a version from git)");
    };
    let mut sources = Sources::default();
    let rev = spec.split_once(':').map_or("", |(r, _)| r);
    let copy = tmp.as_ref().map(|(t, _)| (t.path(), rev));
    // A version from git reads its files from the copy of the repository it was put in.
    let root = tmp.as_ref().map(|(t, _)| t.path().to_owned());
    let checks = crate::validate::Checks {
        max_age_days: None,
        today: crate::validate::today()?,
    };
    let checked = crate::pipeline::check(&path, &mut sources, checks, root.as_deref());
    let errors = checked
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    let (loaded, data) = match checked.map {
        Some(map) if !errors => map,
        _ => {
            report(&checked.diagnostics, &sources, &label, &path, copy);
            return Ok(Err(if checked.unreadable {
                Outcome::Failure
            } else {
                Outcome::Problems
            }));
        }
    };
    Ok(Ok(Side {
        label,
        loaded,
        data,
        _tmp: tmp,
    }))
}

fn report(
    diags: &[crate::diagnostic::Diagnostic],
    sources: &Sources,
    label: &str,
    path: &Path,
    copy: Option<(&Path, &str)>,
) {
    let mut text = crate::diagnostic::format_all(diags, sources, Format::Human);
    // A version from git is named as the user named it (`HEAD:maps/m.journey.yaml`), never
    // by the temporary copy it was read from.
    if let Some((dir, rev)) = copy {
        text = text.replace(
            &format!("{}/", crate::load::display(dir)),
            &format!("{rev}:"),
        );
        eprint!("{text}");
        eprintln!("cannot compare: {label} has errors");
    } else {
        eprint!("{text}");
        eprintln!(
            "cannot compare: {label} ({}) has errors",
            crate::load::display(path)
        );
    }
}
