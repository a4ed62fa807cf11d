//! Reading a version of a map from git: `REV:path` and the persona and survey files it
//! names, copied into a private folder.
//!
//! Invariants: nothing from the command line reaches git as an option (the object name goes
//! on standard input); paths are resolved as git resolves them, lexically, and never leave
//! the repository; nothing is written outside the folder given.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

/// The map at `rev:path` into `dir`, with the persona, themes and survey files it names from the
/// same revision, so the old version is read exactly as it was. Paths are resolved as git
/// resolves `REV:path` (from the top of the repository, or from the current folder when
/// they start with `./` or `../`) and lexically: nothing is written outside `dir`, and a
/// path that leaves the repository is refused.
pub(super) fn from_git(rev: &str, path: &str, dir: &Path) -> Result<PathBuf> {
    if rev.starts_with('-') {
        bail!("`{rev}` is not a revision: a revision cannot start with `-`");
    }
    known(rev, &format!("{rev}:{path}"))?;
    let in_repo = repo_path(path)?;
    let text = cat_file(rev, &in_repo)?;
    let local = dir.join(&in_repo);
    write(&local, &text)?;
    // The files the map names, from the same revision, when they exist there: the one list
    // of them (`pipeline::named_in`), so a kind of file added to the format is read here
    // too. (Parsing the text alone: loading would look for the persona file before it is
    // fetched.)
    let text_str = String::from_utf8_lossy(&text);
    if let Ok(journey) = crate::load::parse::<crate::model::Journey>(&text_str, path) {
        let base = in_repo.parent().unwrap_or(Path::new(""));
        for rel in crate::pipeline::named_in(&journey) {
            // A file outside the repository stays unfetched; loading then reports it.
            let Some(named) = normalise(&base.join(rel)) else {
                continue;
            };
            // Streamed to disk: an event log can be larger than memory. A file that is not
            // there stays unfetched, and loading reports it at its line.
            fetch(rev, &named, &dir.join(&named))?;
        }
    }
    fetch_parents(rev, &in_repo, &text_str, dir)?;
    Ok(local)
}

/// The maps above a map (`parent:`), from the same revision, so that its parent is judged
/// and its breadcrumb read as they were; the walk stops where a parent is not there.
fn fetch_parents(rev: &str, map: &Path, text: &str, dir: &Path) -> Result<()> {
    let mut below = map.to_owned();
    let mut value = crate::load::parent_in_text(text, &crate::load::display(map));
    for _ in 0..crate::load::MAX_PARENTS {
        let Some((file, _)) = value.as_deref().and_then(crate::load::split_parent) else {
            break;
        };
        let base = below.parent().unwrap_or(Path::new(""));
        let Some(named) = normalise(&base.join(file)) else {
            break;
        };
        let local = dir.join(&named);
        if local.exists() {
            break; // fetched already: a loop, or a map met twice
        }
        fetch(rev, &named, &local)?;
        let Ok(up) = crate::load::read_limited(&local, crate::load::MAX_FILE_BYTES) else {
            break;
        };
        value = crate::load::parent_in_text(
            &String::from_utf8_lossy(&up),
            &crate::load::display(&named),
        );
        below = named;
    }
    Ok(())
}

/// The maps (`*.journey.yaml`, `*.journey.yml`) under folder `dir` at `rev`, sorted: each
/// as its path inside the folder and its path from the top of the repository.
pub(super) fn maps_in(rev: &str, dir: &str) -> Result<Vec<(String, String)>> {
    if rev.starts_with('-') {
        bail!("`{rev}` is not a revision: a revision cannot start with `-`");
    }
    known(rev, &format!("{rev}:{dir}"))?;
    let top = if dir.is_empty() || dir == "." {
        PathBuf::new()
    } else {
        repo_path(dir)?
    };
    // The revision cannot be read as an option (it does not start with `-`, and it is a
    // commit git knows); the folder comes after `--`.
    let mut cmd = Command::new("git");
    cmd.args([
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        "--full-tree",
        rev,
        "--",
    ]);
    if !top.as_os_str().is_empty() {
        cmd.arg(&top);
    }
    let out = cmd.output().context("cannot run git (is it installed?)")?;
    if !out.status.success() {
        bail!(
            "cannot list {rev}:{dir} from git: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let prefix = if top.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}/", crate::load::display(&top))
    };
    let maps: Vec<(String, String)> = out
        .stdout
        .split(|b| *b == 0)
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .filter(|name| name.ends_with(".journey.yaml") || name.ends_with(".journey.yml"))
        .filter_map(|name| {
            let inside = name.strip_prefix(&prefix)?.to_owned();
            Some((inside, name))
        })
        .collect();
    if maps.is_empty() {
        bail!("no maps in {rev}:{dir}: folders are scanned for *.journey.yaml and *.journey.yml");
    }
    Ok(maps)
}

/// The bytes of `path` at `rev` (a revision git knows).
pub(super) fn read_at(rev: &str, path: &str) -> Result<Vec<u8>> {
    if rev.starts_with('-') {
        bail!("`{rev}` is not a revision: a revision cannot start with `-`");
    }
    known(rev, &format!("{rev}:{path}"))?;
    cat_file(rev, &repo_path(path)?)
}

/// Fails with "git does not know revision" unless `rev` names a commit git has (`what`: the
/// side as the user wrote it, for the message when git cannot run here at all).
fn known(rev: &str, what: &str) -> Result<()> {
    let spec = format!("{rev}^{{commit}}");
    if spec.contains('\n') {
        bail!("`{rev}` is not a revision: it holds a line break");
    }
    let child = cat_file_batch("--batch-check", &spec)?;
    let out = child.wait_with_output().context("cannot run git")?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        bail!(
            "cannot read {what} from git: {}",
            why.lines()
                .next()
                .unwrap_or("not a git repository")
                .trim_start_matches("fatal: ")
        );
    }
    let answer = String::from_utf8_lossy(&out.stdout);
    if answer.split_whitespace().nth(1) == Some("commit") {
        Ok(())
    } else {
        bail!("git does not know revision `{rev}`")
    }
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

/// `git cat-file MODE` (`--batch` or `--batch-check`) asked about one object: the name goes
/// on standard input, so nothing in it can be taken for an option. Outside a repository git
/// exits before reading; its own message on stderr says why.
fn cat_file_batch(mode: &str, spec: &str) -> Result<std::process::Child> {
    use std::io::Write as _;
    let mut child = Command::new("git")
        .args(["cat-file", mode])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run git (is it installed?)")?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(format!("{spec}\n").as_bytes());
    }
    Ok(child)
}

/// The blob at `rev:path` through `git cat-file --batch` (the object name goes on standard
/// input, so nothing in it can be taken for an option), streamed into `sink`; its size is
/// checked against `limit` before a byte is copied.
fn blob_into(rev: &str, path: &Path, limit: u64, sink: &mut dyn std::io::Write) -> Result<()> {
    use std::io::{BufRead as _, Read as _};
    let spec = format!("{rev}:{}", crate::load::display(path));
    if spec.contains('\n') {
        bail!("cannot read {spec} from git: a revision or path holds a line break");
    }
    let mut child = cat_file_batch("--batch", &spec)?;
    let mut out = std::io::BufReader::new(child.stdout.take().context("cannot run git")?);
    // "<name> blob <size>\n<bytes>\n", or "<spec> missing\n".
    let mut header = String::new();
    let _ = out.by_ref().take(4096).read_line(&mut header);
    let mut parts = header.trim_end().rsplitn(3, ' ');
    let size = parts.next().and_then(|s| s.parse::<u64>().ok());
    let kind = parts.next();
    let outcome = match (kind, size) {
        (Some("blob"), Some(size)) if size > limit => Err(anyhow::anyhow!(
            "cannot read {spec} from git: it is {size} bytes, over the limit of {limit} for this kind of file"
        )),
        (Some("blob"), Some(size)) => {
            let copied = std::io::copy(&mut out.by_ref().take(size), sink)
                .with_context(|| format!("cannot copy {spec} out of git"))?;
            if copied == size {
                Ok(())
            } else {
                Err(anyhow::anyhow!(
                    "cannot read {spec} from git: it ended early"
                ))
            }
        }
        (Some(other), Some(_)) if other != "blob" => Err(anyhow::anyhow!(
            "cannot read {spec} from git: it is a {other}, not a file"
        )),
        _ => Err(anyhow::anyhow!(
            "cannot read {spec} from git: no such file in that revision"
        )),
    };
    drop(out);
    let _ = child.kill();
    let status = child.wait_with_output().context("cannot run git")?;
    if outcome.is_err() && !status.status.success() && header.is_empty() {
        let why = String::from_utf8_lossy(&status.stderr);
        bail!(
            "cannot read {spec} from git: {}",
            why.lines()
                .next()
                .unwrap_or("not a git repository")
                .trim_start_matches("fatal: ")
        );
    }
    outcome
}

/// A map's text at `rev:path`, no larger than a map may be.
fn cat_file(rev: &str, path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    blob_into(rev, path, crate::load::MAX_FILE_BYTES, &mut bytes)?;
    Ok(bytes)
}

/// A folder only this user can enter (0700), removed when dropped, for a version from git.
pub(super) fn private_folder() -> Result<tempfile::TempDir> {
    let mut b = tempfile::Builder::new();
    b.prefix("journeymap-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o700));
    }
    b.tempdir().context("cannot make a temporary directory")
}

/// Create a file only this user can read (folders 0700, files 0600): the copy may hold a
/// private revision's survey comments while the diff runs.
fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut folders = std::fs::DirBuilder::new();
    folders.recursive(true);
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        folders.mode(0o700);
        file.mode(0o600);
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    if let Some(parent) = path.parent() {
        folders
            .create(parent)
            .with_context(|| format!("cannot copy {name} out of git"))?;
    }
    file.open(path)
        .with_context(|| format!("cannot copy {name} out of git"))
}

/// Write one fetched file where only this user can read it.
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    create_private(path)?
        .write_all(bytes)
        .with_context(|| format!("cannot copy {name} out of git"))
}

/// A file the map names, from `rev` into `dest`, streamed; when the revision has no such file
/// (or a folder there), nothing is left behind and loading says so at the map's line. Only a
/// failure to write the copy ends the diff.
fn fetch(rev: &str, path: &Path, dest: &Path) -> Result<()> {
    let mut file = Writes {
        inner: std::io::BufWriter::new(create_private(dest)?),
        failed: false,
    };
    let copied = blob_into(rev, path, u64::MAX, &mut file)
        .and_then(|()| std::io::Write::flush(&mut file).context("cannot copy a file out of git"));
    match copied {
        Ok(()) => Ok(()),
        Err(e) if file.failed => Err(e),
        Err(_) => {
            drop(file);
            let _ = std::fs::remove_file(dest);
            Ok(())
        }
    }
}

/// A writer that remembers whether writing to it failed: a copy that could not be written is
/// this machine's problem, not the revision's.
struct Writes<W> {
    inner: W,
    failed: bool,
}

impl<W: std::io::Write> std::io::Write for Writes<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.failed |= r.is_err();
        r
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.failed |= r.is_err();
        r
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn fetched_files_are_private_to_the_user() {
        let tmp = super::private_folder().unwrap();
        let file = tmp.path().join("maps/surveys/s.csv");
        super::write(&file, b"stage\na\n").unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(tmp.path()), 0o700);
        assert_eq!(mode(&tmp.path().join("maps")), 0o700);
        assert_eq!(mode(&tmp.path().join("maps/surveys")), 0o700);
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read(&file).unwrap(), b"stage\na\n");
    }
}
