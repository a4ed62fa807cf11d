//! The two sides of a diff: each a file or `REV:path` loaded through the whole pipeline, and
//! what changed from one to the other (the map, its bindings, its source files).
//!
//! Invariants: a side with errors prints its diagnostics (a version from git named as the
//! user named it, never by its temporary copy) and is not compared; a version from git lives
//! in a private folder removed when the side is dropped or the run interrupted.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::Outcome;
use crate::diagnostic::{Format, Severity, Sources};
use crate::enrich::enrich;
use crate::load::Loaded;
use crate::survey::SurveyData;
use crate::validate::Checks;

use super::changes::{self, Changes};
use super::{bindings, compare, git, reach};

/// One side of a diff, loaded and read.
pub(super) struct Side {
    label: String,
    loaded: Loaded,
    data: SurveyData,
    _tmp: Option<(tempfile::TempDir, crate::output::Live)>,
}

/// Everything that changed from one loaded side to the other: bindings and source files
/// first, then the map and its figures.
pub(super) fn between(old: &Side, new: &Side) -> Changes {
    let (old_ctx, new_ctx) = (
        enrich(&old.loaded, &old.data),
        enrich(&new.loaded, &new.data),
    );
    let mut changes = compare::compare(&old.label, &old_ctx, &new.label, &new_ctx);
    reach::compare(&mut changes, &old_ctx, &new_ctx);
    changes.bindings = bindings::compare(&old.loaded.journey, &new.loaded.journey);
    changes.files_changed = files_changed(old, new);
    changes.summary = changes::summary(&changes);
    changes
}

/// The files both maps name under the same name (as the map writes it) whose bytes differ,
/// each read where its own map reads it, through the same confinement.
fn files_changed(old: &Side, new: &Side) -> Vec<String> {
    let old_names = crate::pipeline::named_in(&old.loaded.journey);
    let mut out: Vec<String> = Vec::new();
    for rel in crate::pipeline::named_in(&new.loaded.journey) {
        if !old_names.contains(&rel) || out.iter().any(|o| o == rel) {
            continue;
        }
        let real = |side: &Side| {
            let path = crate::load::relative_to(&side.loaded.path, rel);
            crate::load::confine::resolve(&path, &side.loaded.confine).ok()
        };
        if let (Some(a), Some(b)) = (real(old), real(new))
            && !same_bytes(&a, &b)
        {
            out.push(rel.to_owned());
        }
    }
    out
}

/// Whether two files hold the same bytes, read in blocks (event logs can be large); a file
/// that cannot be read counts as different.
fn same_bytes(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).ok();
    if size(a).is_none() || size(a) != size(b) {
        return false;
    }
    let (Ok(mut fa), Ok(mut fb)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    let (mut ba, mut bb) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = match fa.read(&mut ba) {
            Ok(n) => n,
            Err(_) => return false,
        };
        if n == 0 {
            return fb.read(&mut bb[..1]).is_ok_and(|m| m == 0);
        }
        if fb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}

/// Load one side; a map with errors prints its diagnostics and ends the diff (exit 1).
pub(super) fn side(spec: &str, checks: Checks) -> Result<std::result::Result<Side, Outcome>> {
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
