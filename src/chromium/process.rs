//! Finding Chromium, starting it in a process group of its own with a private profile,
//! waiting for its DevTools address, and killing and reaping it (and its helpers) when done.

use anyhow::{Context as _, Result, anyhow, bail};
use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Names Chromium goes by on PATH, in the order they are tried.
pub(super) const NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
];

/// The Chromium to run: the one named, else the first of [`NAMES`] in the `search` folders.
pub fn find(named: Option<&Path>, search: &[PathBuf]) -> Result<PathBuf> {
    if let Some(path) = named {
        let resolved = if path.components().count() > 1 {
            Some(path.to_owned())
        } else {
            on_path(&path.to_string_lossy(), search)
        };
        return match resolved {
            Some(p) if p.is_file() => Ok(p),
            _ => bail!(
                "the Chromium named by --chromium or JOURNEYMAP_CHROMIUM, {}, is not a file; name the browser's executable (for example /usr/bin/chromium)",
                path.display()
            ),
        };
    }
    NAMES.iter().find_map(|n| on_path(n, search)).ok_or_else(|| {
        anyhow!(
            "PDF and PNG are made by Chromium, and none was found on PATH (looked for {}); install it (Debian and Ubuntu: `apt-get install chromium`; Fedora: `dnf install chromium`; macOS: Google Chrome), or name it with --chromium PATH or JOURNEYMAP_CHROMIUM",
            NAMES.join(", ")
        )
    })
}

pub(super) fn on_path(name: &str, search: &[PathBuf]) -> Option<PathBuf> {
    search
        .iter()
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

pub(super) fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A running Chromium: killed with its whole process group, and reaped, when dropped.
pub(super) struct Process {
    pub(super) child: Child,
    pub(super) path: PathBuf,
    /// Kept alive for the ws URL reader thread's last lines of stderr.
    pub(super) stderr_tail: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    pub(super) _profile: tempfile::TempDir,
    /// The profile, removed if journeymap is interrupted.
    pub(super) _profile_live: crate::output::Live,
    pub(super) _live: crate::output::LiveGroup,
}

impl Drop for Process {
    fn drop(&mut self) {
        // Asked to stop, Chromium closes its pages and reaps its own helper processes;
        // whatever is still there after a moment is killed, the whole group at once.
        let pid = rustix::process::Pid::from_child(&self.child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
        reap_orphans();
    }
}

/// Chromium's helpers (zygote, renderers, crash handler) are forked twice over and outlive
/// the browser by a moment. journeymap is their subreaper (see [`Chromium::start`]), so
/// they come back to it as they end: wait for them here rather than leave them to init.
pub(super) fn reap_orphans() {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        match rustix::process::wait(rustix::process::WaitOptions::NOHANG) {
            Ok(Some(_)) => continue,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            // No child left at all.
            Err(_) => return,
        }
    }
}

impl Process {
    pub(super) fn what_it_said(&self) -> String {
        let tail = self
            .stderr_tail
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default();
        let said: Vec<&String> = tail.iter().filter(|l| !l.trim().is_empty()).collect();
        if said.is_empty() {
            String::new()
        } else {
            format!(
                "; it said: {}",
                said.iter()
                    .rev()
                    .take(3)
                    .rev()
                    .map(|l| l.trim())
                    .collect::<Vec<_>>()
                    .join(" / ")
            )
        }
    }
}

/// The command that starts Chromium headless with its profile in `profile`, its network
/// closed, and its own temporary files inside the profile.
pub(super) fn command(path: &Path, profile: &Path) -> Result<Command> {
    let mut cmd = Command::new(path);
    cmd.args([
        "--headless",
        "--remote-debugging-port=0",
        "--remote-debugging-address=127.0.0.1",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-dev-shm-usage",
        "--disable-breakpad",
        "--hide-scrollbars",
        "--mute-audio",
        "--force-color-profile=srgb",
        "--font-render-hinting=none",
        // Beside the interception, the network is closed: no name resolves, and any
        // request that got past it would go to a proxy that is not there.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    // Chromium's own temporary files (shared memory, with --disable-dev-shm-usage) go
    // inside the profile, so that removing the profile removes them, even after a kill.
    let scratch = profile.join("tmp");
    std::fs::create_dir(&scratch).context("cannot make a folder for Chromium")?;
    cmd.env("TMPDIR", &scratch);
    // Chromium refuses to start as root with its sandbox; the pages it is given are
    // journeymap's own, served with a policy that forbids scripts and every fetch.
    if rustix::process::geteuid().is_root() {
        cmd.arg("--no-sandbox");
    }
    Ok(cmd)
}

/// Read Chromium's stderr until it says where DevTools listens; keep reading afterwards so
/// that a full pipe never blocks it.
pub(super) fn wait_for_devtools(
    process: &mut Process,
    tail: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    deadline: Instant,
    limit: Duration,
) -> Result<String> {
    let stderr = process
        .child
        .stderr
        .take()
        .context("Chromium's error output is not readable")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if !sent && let Some(at) = line.find("ws://") {
                sent = tx.send(line[at..].trim().to_owned()).is_ok();
                continue;
            }
            if let Ok(mut t) = tail.lock() {
                t.push(line);
                if t.len() > 20 {
                    t.remove(0);
                }
            }
        }
    });
    let left = deadline.saturating_duration_since(Instant::now());
    match rx.recv_timeout(left) {
        Ok(url) => Ok(url),
        Err(mpsc::RecvTimeoutError::Timeout) => bail!(
            "Chromium ({}) did not start within {} s and was stopped{} (raise the limit with --timeout)",
            process.path.display(),
            limit.as_secs(),
            process.what_it_said()
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let status = process.child.wait().ok();
            // The reader may still be storing the last lines.
            std::thread::sleep(Duration::from_millis(50));
            bail!(
                "Chromium ({}) stopped before it was ready ({}){}; check that it runs: `{} --headless --version`",
                process.path.display(),
                status.map_or_else(|| "no exit status".to_owned(), |s| s.to_string()),
                process.what_it_said(),
                process.path.display()
            )
        }
    }
}
