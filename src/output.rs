//! Output: where rendered bytes go. Files are written atomically (a temporary file in the same
//! directory, then renamed), so a failed run leaves any earlier file untouched; `--check`
//! compares instead of writing; a closed stdout is not an error.
//!
//! Invariants: no output is ever one of the run's inputs (checked by file identity, through
//! symlinks and hard links, before anything is written); an existing device or FIFO is
//! written through, never replaced; a new file gets 0666 less the umask, an existing one
//! keeps its mode; a symlink is written through to its target; temporary files and
//! directories are removed on write errors and on SIGINT, SIGTERM and SIGHUP.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result, bail};

use crate::format::OutputFormat;

/// One file to write.
#[derive(Debug)]
pub struct Target {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Write to stdout; a reader that went away (`journeymap render … | head`) is fine.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// Temporary files and directories alive now, removed if the process is interrupted.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Remove live temporary files on SIGINT, SIGTERM and SIGHUP, then exit 130. A file-size
/// limit (`ulimit -f`) would kill the process with SIGXFSZ mid-write; with the signal
/// caught, the write fails with "file too large" instead, reported as an error, and the
/// temporary file is removed as on any failed write.
pub fn clean_up_on_signals() {
    #[cfg(unix)]
    {
        let caught = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, caught);
    }
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut killed = Vec::new();
        if let Ok(groups) = GROUPS.lock() {
            for &pid in groups.iter() {
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
                    killed.push(pid);
                }
            }
        }
        // A killed browser may still be writing into its profile for a moment: wait (a
        // second at most) until its group is gone, reaping what comes back to us, so that
        // the folders below are removed for good.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while !killed.is_empty() && std::time::Instant::now() < deadline {
            while let Ok(Some(_)) = rustix::process::wait(rustix::process::WaitOptions::NOHANG) {}
            killed.retain(|&pid| rustix::process::test_kill_process_group(pid).is_ok());
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        if let Ok(live) = LIVE.lock() {
            for p in live.iter() {
                let _ = std::fs::remove_file(p).or_else(|_| std::fs::remove_dir_all(p));
            }
        }
        std::process::exit(130);
    });
}

/// Set when a signal is being handled: the run's own ending must then wait for the
/// handler's exit (130), not race it with an error from the browser it just killed.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the run was interrupted; if so, wait here for the signal handler to clean up and
/// exit 130 (it exits within about a second).
pub fn wait_if_interrupted() {
    if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Process groups started by this run (Chromium), killed on the same signals.
static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// A child's process group registered for killing on signals while this guard lives.
pub struct LiveGroup(i32);

impl LiveGroup {
    pub fn new(pid: u32) -> LiveGroup {
        let pid = i32::try_from(pid).unwrap_or(0);
        if let Ok(mut groups) = GROUPS.lock() {
            groups.push(pid);
        }
        LiveGroup(pid)
    }
}

impl Drop for LiveGroup {
    fn drop(&mut self) {
        if let Ok(mut groups) = GROUPS.lock() {
            groups.retain(|&p| p != self.0);
        }
    }
}

/// A temporary path registered for removal on signals while this guard lives.
pub struct Live(PathBuf);

impl Live {
    pub fn new(path: &Path) -> Live {
        if let Ok(mut live) = LIVE.lock() {
            live.push(path.to_owned());
        }
        Live(path.to_owned())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Ok(mut live) = LIVE.lock() {
            live.retain(|p| p != &self.0);
        }
    }
}

/// Refuse to write over any input of the run (map, persona, survey, template): a usage
/// error before anything is written. Identity is the file's, so a symlink or a hard link to
/// an input is caught too.
pub fn refuse_inputs(targets: &[Target], inputs: &[PathBuf]) -> Result<()> {
    for t in targets {
        // An output that cannot be opened (it does not exist yet) is no input.
        let Ok(out) = same_file::Handle::from_path(&t.path) else {
            continue;
        };
        for input in inputs {
            if same_file::Handle::from_path(input).is_ok_and(|h| h == out) {
                bail!(
                    "refusing to write {}: it is the same file as {}, an input of this run; choose another output",
                    t.path.display(),
                    input.display()
                );
            }
        }
    }
    Ok(())
}

/// Write `bytes` to `path` through a temporary file in the same directory and a rename. An
/// existing device or FIFO is written through; a symlink is followed to its target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let meta = std::fs::metadata(path).ok();
    if meta.as_ref().is_some_and(|m| !m.is_file() && !m.is_dir()) {
        // /dev/null, /dev/stdout, a FIFO: replacing it would break it for everyone.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| failed("cannot write", path, &e))?;
        return f
            .write_all(bytes)
            .map_err(|e| failed("cannot write", path, &e));
    }
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && meta.is_some()
    {
        resolved =
            std::fs::canonicalize(path).map_err(|e| failed("cannot follow the link", path, &e))?;
        resolved.as_path()
    } else {
        path
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| failed("cannot create", dir, &e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".journeymap-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As any program creating a file: 0666 less the umask. An existing file's own mode
        // is put back below.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| failed("cannot write in", dir, &e))?;
    let _live = Live::new(tmp.path());
    if let Some(m) = &meta {
        std::fs::set_permissions(tmp.path(), m.permissions())
            .map_err(|e| failed("cannot write", path, &e))?;
    }
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| failed("cannot write", path, &e))?;
    tmp.persist(path)
        .map_err(|e| failed("cannot write", path, &e.error))?;
    Ok(())
}

/// Create new files, never replacing anything: every path is checked first (so nothing is
/// written when one exists), its folders are made, and each file is created exclusively
/// (`O_EXCL`: a file or dangling symlink that appears meanwhile is refused, not followed).
/// `what` names the command in the message. Returns the paths written.
pub fn create_new(files: &[(PathBuf, &[u8])], what: &str) -> Result<Vec<PathBuf>> {
    let existing: Vec<String> = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .map(|p| crate::load::display(p))
        .collect();
    if !existing.is_empty() {
        bail!(
            "{what} never overwrites, and these files exist: {}",
            existing.join(", ")
        );
    }
    // A folder on the way that is a file would stop the writing halfway: check them all too.
    for (path, _) in files {
        for dir in path.ancestors().skip(1) {
            if let Ok(m) = std::fs::metadata(dir)
                && !m.is_dir()
            {
                bail!(
                    "{what} cannot write {}: {} is a file, not a folder; nothing was written",
                    crate::load::display(path),
                    crate::load::display(dir)
                );
            }
        }
    }
    let mut written = Vec::new();
    for (path, bytes) in files {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| failed("cannot create", parent, &e))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| failed("cannot create", path, &e))?;
        f.write_all(bytes)
            .map_err(|e| failed("cannot write", path, &e))?;
        written.push(path.clone());
    }
    Ok(written)
}

/// An I/O failure in words, once: the file and the reason, without the library's own
/// repetition or the name of a temporary file the user never made.
fn failed(what: &str, path: &Path, e: &std::io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "{what} {}: {}",
        crate::load::display(path),
        crate::load::io_reason(e)
    )
}

/// Files whose content differs from what would be written, with why.
pub fn check(targets: &[Target]) -> Result<Vec<(PathBuf, &'static str)>> {
    let mut stale = Vec::new();
    for t in targets {
        match std::fs::read(&t.path) {
            Ok(existing) if existing == t.bytes => {}
            Ok(_) => stale.push((t.path.clone(), "stale")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                stale.push((t.path.clone(), "missing"));
            }
            Err(e) => return Err(failed("cannot read", &t.path, &e)),
        }
    }
    Ok(stale)
}

/// Files of `format` under `dir` that no map produces any more (a map was renamed or
/// deleted): `--check` reports them so a published site does not keep stale pages.
pub fn orphans(
    dir: &Path,
    targets: &[Target],
    format: OutputFormat,
) -> Vec<(PathBuf, &'static str)> {
    let wanted: BTreeSet<&Path> = targets.iter().map(|t| t.path.as_path()).collect();
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| OutputFormat::from_path(p) == Some(format))
        .filter(|p| !wanted.contains(p.as_path()))
        .map(|p| (p, "orphan (no map renders it)"))
        .collect()
}

/// The output file for a map in a directory render: its name without `.journey.yaml` (or
/// `.yaml`), under the same sub-directories it had below the scanned directory `root`.
pub fn output_name(map: &Path, root: Option<&Path>, format: OutputFormat) -> PathBuf {
    let rel = root
        .and_then(|r| map.strip_prefix(r).ok())
        .unwrap_or_else(|| Path::new(map.file_name().unwrap_or_default()));
    let name = rel
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let stem = [".journey.yaml", ".journey.yml", ".yaml", ".yml"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(&name);
    rel.with_file_name(format!("{stem}.{}", format.extension()))
}

/// Two outputs to the same file (two maps, or a map and the index page) is a usage error,
/// not a silent overwrite. `names[i]` says what writes `targets[i]`.
pub fn check_collisions(targets: &[Target], names: &[String]) -> Result<()> {
    let mut seen = std::collections::BTreeMap::new();
    for (t, name) in targets.iter().zip(names) {
        if let Some(first) = seen.insert(&t.path, name) {
            bail!(
                "{first} and {name} would both be written to {}; rename one of them",
                t.path.display()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_names_mirror_the_scanned_tree() {
        let f = OutputFormat::Html;
        assert_eq!(
            output_name(Path::new("maps/a.journey.yaml"), None, f),
            PathBuf::from("a.html")
        );
        assert_eq!(
            output_name(
                Path::new("maps/team/b.journey.yml"),
                Some(Path::new("maps")),
                OutputFormat::Markdown
            ),
            PathBuf::from("team/b.md")
        );
        assert_eq!(
            output_name(Path::new("x/map.yaml"), None, OutputFormat::Json),
            PathBuf::from("map.json")
        );
    }
}
