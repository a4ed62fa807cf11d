//! Reading a version of a map from git: `REV:path` and the persona and survey files it
//! names, copied into a private folder.
//!
//! Invariants: nothing from the command line reaches git as an option (the object name goes
//! on standard input); paths are resolved as git resolves them, lexically, and never leave
//! the repository; nothing is written outside the folder given.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::model::PersonaRef;

/// The map at `rev:path` into `dir`, with the persona and survey files it names from the
/// same revision, so the old version is read exactly as it was. Paths are resolved as git
/// resolves `REV:path` (from the top of the repository, or from the current folder when
/// they start with `./` or `../`) and lexically: nothing is written outside `dir`, and a
/// path that leaves the repository is refused.
pub(super) fn from_git(rev: &str, path: &str, dir: &Path) -> Result<PathBuf> {
    if rev.starts_with('-') {
        bail!("`{rev}` is not a revision: a revision cannot start with `-`");
    }
    let in_repo = repo_path(path)?;
    let text = cat_file(rev, &in_repo)?;
    let local = dir.join(&in_repo);
    write(&local, &text)?;
    // The files the map names, from the same revision, when they exist there. (Parsing the
    // text alone: loading would look for the persona file before it is fetched.)
    let text_str = String::from_utf8_lossy(&text);
    if let Ok(journey) = crate::load::parse::<crate::model::Journey>(&text_str, path) {
        let mut names: Vec<String> = journey
            .surveys
            .iter()
            .map(|s| s.file.value.clone())
            .collect();
        if let Some(p) = &journey.persona
            && let PersonaRef::Path(rel) = &p.value
        {
            names.push(rel.clone());
        }
        let base = in_repo.parent().unwrap_or(Path::new(""));
        for rel in names {
            // A file outside the repository stays unfetched; loading then reports it.
            let Some(named) = normalise(&base.join(&rel)) else {
                continue;
            };
            if let Ok(bytes) = cat_file(rev, &named) {
                write(&dir.join(&named), &bytes)?;
            }
        }
    }
    Ok(local)
}

/// `path` from `REV:path` as a path from the top of the repository, without `.` or `..`.
fn repo_path(path: &str) -> Result<PathBuf> {
    let relative_to_cwd = path.starts_with("./") || path.starts_with("../");
    let joined = if relative_to_cwd {
        let out = Command::new("git")
            .args(["rev-parse", "--show-prefix"])
            .output()
            .context("cannot run git (is it installed?)")?;
        if !out.status.success() {
            bail!("cannot read {path} from git: not inside a git repository");
        }
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join(path)
    } else {
        PathBuf::from(path)
    };
    normalise(&joined)
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| anyhow::anyhow!("{path} leads outside the repository"))
}

/// `.` and `dir/..` removed lexically; `None` when the path climbs above its start or is
/// absolute.
fn normalise(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The blob at `rev:path`, read into memory through `git cat-file --batch`: the object name
/// goes on standard input, so nothing in it can be taken for an option.
fn cat_file(rev: &str, path: &Path) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let spec = format!("{rev}:{}", crate::load::display(path));
    if spec.contains('\n') {
        bail!("cannot read {spec} from git: a revision or path holds a line break");
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run git (is it installed?)")?;
    if let Some(mut stdin) = child.stdin.take() {
        // Outside a repository git exits before reading: its own message says why.
        let _ = stdin.write_all(format!("{spec}\n").as_bytes());
    }
    let out = child.wait_with_output().context("cannot run git")?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        bail!(
            "cannot read {spec} from git: {}",
            why.lines()
                .next()
                .unwrap_or("not a git repository")
                .trim_start_matches("fatal: ")
        );
    }
    // "<name> blob <size>\n<bytes>\n", or "<spec> missing\n".
    let header_end = out
        .stdout
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(out.stdout.len());
    let header = String::from_utf8_lossy(&out.stdout[..header_end]).into_owned();
    let mut parts = header.rsplitn(3, ' ');
    let size = parts.next().and_then(|s| s.parse::<usize>().ok());
    let kind = parts.next();
    match (kind, size) {
        (Some("blob"), Some(size)) if out.stdout.len() > header_end + size => {
            Ok(out.stdout[header_end + 1..header_end + 1 + size].to_vec())
        }
        (Some(other), Some(_)) if other != "blob" => {
            bail!("cannot read {spec} from git: it is a {other}, not a file")
        }
        _ => bail!("cannot read {spec} from git: no such file in that revision"),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
