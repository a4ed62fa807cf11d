//! Render, for `-f pdf` and `-f png`: a rendered HTML page becomes a PDF or a PNG in the
//! Chromium the user already has, driven over the DevTools protocol (headless_chrome).
//!
//! Invariants: the browser is found (flag, `JOURNEYMAP_CHROMIUM`, then PATH), never
//! downloaded; it runs with a fresh profile in a process group of its own, with its
//! network off; the page is handed to it from memory, by request interception, at an address
//! that cannot exist, with a Content-Security-Policy header that allows nothing to be fetched:
//! whatever a template says, every other request fails (no local file, no network); every
//! step has a deadline; whatever happens (an error, a hang, a crash, a signal) the whole
//! group is killed and the browser reaped and its profile removed, so nothing is left.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use headless_chrome::browser::tab::RequestPausedDecision;
use headless_chrome::protocol::cdp::{Emulation, Fetch, Network, Page};
use headless_chrome::types::PrintToPdfOptions;
use headless_chrome::{Browser, Tab};

/// Names Chromium goes by on PATH, in the order they are tried.
const NAMES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
];

/// Millimetres in an inch, and CSS pixels in an inch.
const MM_PER_INCH: f64 = 25.4;
const PX_PER_INCH: f64 = 96.0;
/// The page margin of every PDF, as the print stylesheet assumes.
const MARGIN_MM: f64 = 10.0;
/// Height added to a poster page beyond the measured content: print layout can round a
/// few pixels differently from the screen measure, and one pixel too few is a second page.
const POSTER_SLACK_PX: f64 = 48.0;
/// A PDF page may be at most 200 inches on a side (the PDF 1.7 implementation limit).
const MAX_PAGE_INCHES: f64 = 200.0;
/// Style that lays the grid out at its natural width, unzoomed, for [`GRID_WIDTH`].
const MEASURE_GRID: &str = "@media print { .grid-scroll { zoom: 1 !important; } \
    .grid-scroll > table { width: auto !important; } }";
/// The grid's natural width in CSS pixels (0 for a page without one: a custom template).
const GRID_WIDTH: &str = "(() => { const t = document.querySelector('.grid-scroll > table'); \
    return t ? t.getBoundingClientRect().width : 0; })()";
/// Where the page is served: a name that cannot resolve (`.invalid`, RFC 2606), answered
/// from memory by request interception.
const PAGE_URL: &str = "http://journeymap.invalid/page.html";
/// The policy the page is served with, whatever its own `<meta>` says: inline style, and
/// images and fonts written into the page; nothing fetched, no script, no frame.
const PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src 'none'; frame-src 'none'; child-src 'none'; object-src 'none'; form-action 'none'; base-uri 'none'";
/// The tallest PNG Chromium is asked for, in device pixels.
const MAX_PNG_HEIGHT: f64 = 32_000.0;

/// The paper a PDF is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// A3 landscape (420 × 297 mm), the grid zoomed to the page width.
    A3,
    /// A4 landscape (297 × 210 mm), the grid zoomed to the page width.
    A4,
    /// One page as tall as the whole map, `--width` CSS pixels wide: a poster.
    Poster,
}

impl Paper {
    /// Width and height in millimetres, landscape; none for the poster (measured).
    fn size_mm(self) -> Option<(f64, f64)> {
        match self {
            Paper::A3 => Some((420.0, 297.0)),
            Paper::A4 => Some((297.0, 210.0)),
            Paper::Poster => None,
        }
    }
}

/// What to make of a page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shot {
    Pdf { paper: Paper, width: u32 },
    Png { width: u32, scale: f64 },
}

/// Where Chromium is and how long it may take.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--chromium` or `JOURNEYMAP_CHROMIUM`.
    pub chromium: Option<PathBuf>,
    /// The longest any one page may take, start-up included.
    pub timeout: Duration,
    /// The folders Chromium is looked for in (the command's `PATH`).
    pub search: Vec<PathBuf>,
    /// The time a PDF is stamped with, in seconds since 1970 (`SOURCE_DATE_EPOCH`); none:
    /// 2000-01-01.
    pub stamp: Option<i64>,
}

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

fn on_path(name: &str, search: &[PathBuf]) -> Option<PathBuf> {
    search
        .iter()
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A running Chromium: killed with its whole process group, and reaped, when dropped.
struct Process {
    child: Child,
    path: PathBuf,
    /// Kept alive for the ws URL reader thread's last lines of stderr.
    stderr_tail: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    _profile: tempfile::TempDir,
    /// The profile, removed if journeymap is interrupted.
    _profile_live: crate::output::Live,
    _live: crate::output::LiveGroup,
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
fn reap_orphans() {
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
    fn what_it_said(&self) -> String {
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

/// Chromium, started once for every page of a run.
pub struct Chromium {
    /// The DevTools connection: the tab's calls go through it while it lives.
    _browser: Browser,
    tab: std::sync::Arc<Tab>,
    process: Process,
    timeout: Duration,
    /// The page the tab is shown next, served by the interceptor.
    page: std::sync::Arc<std::sync::Mutex<String>>,
    /// See [`Options::stamp`].
    stamp: Option<i64>,
}

impl Chromium {
    /// Start the user's Chromium headless and connect to it.
    pub fn start(options: &Options) -> Result<Chromium> {
        let path = find(options.chromium.as_deref(), &options.search)?;
        let deadline = Instant::now() + options.timeout;
        let profile = tempfile::Builder::new()
            .prefix("journeymap-chromium-")
            .tempdir()
            .context("cannot make a profile folder for Chromium")?;
        let profile_live = crate::output::Live::new(profile.path());
        let mut cmd = command(&path, profile.path())?;
        // Helpers Chromium forks off are reparented to journeymap, not to init, when their
        // parent ends, so that they are reaped before journeymap exits.
        #[cfg(target_os = "linux")]
        let _ = rustix::process::set_child_subreaper(Some(rustix::process::getpid()));
        use std::os::unix::process::CommandExt as _;
        let child = cmd
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start Chromium ({})", path.display()))?;
        let live = crate::output::LiveGroup::new(child.id());
        let tail = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut process = Process {
            child,
            path: path.clone(),
            stderr_tail: tail.clone(),
            _profile: profile,
            _profile_live: profile_live,
            _live: live,
        };
        let ws = wait_for_devtools(&mut process, tail, deadline, options.timeout)?;
        let left = deadline.saturating_duration_since(Instant::now());
        let browser = Browser::connect_with_timeout(ws, left.max(Duration::from_secs(1)))
            .map_err(|e| anyhow!("cannot connect to Chromium ({}): {e}", path.display()))?;
        browser.set_default_timeout(options.timeout);
        let tab = browser
            .new_tab()
            .map_err(|e| anyhow!("Chromium ({}) opened no page: {e}", path.display()))?;
        tab.set_default_timeout(options.timeout);
        let page = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        serve_only_the_page(&tab, std::sync::Arc::clone(&page))
            .map_err(|e| anyhow!("cannot set Chromium ({}) up: {e}", path.display()))?;
        Ok(Chromium {
            _browser: browser,
            tab,
            process,
            timeout: options.timeout,
            page,
            stamp: options.stamp,
        })
    }

    /// One page, as a PDF or a PNG.
    pub fn shoot(&self, html: &str, shot: Shot) -> Result<Vec<u8>> {
        let started = Instant::now();
        let (tx, rx) = mpsc::channel();
        // The DevTools calls have their own time limits, but a browser that stops answering
        // in the middle of one is caught here too.
        let result = std::thread::scope(|s| {
            s.spawn(|| {
                let _ = tx.send(self.shoot_now(html, shot));
            });
            match rx.recv_timeout(self.timeout) {
                Ok(r) => r,
                Err(_) => {
                    // Killing the browser ends the calls still waiting on it.
                    let pid = rustix::process::Pid::from_child(&self.process.child);
                    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
                    Err(anyhow!("no answer"))
                }
            }
        });
        result.map_err(|e| {
            let why = if started.elapsed() >= self.timeout {
                format!(
                    "it did not finish within {} s and was stopped (raise the limit with --timeout)",
                    self.timeout.as_secs()
                )
            } else {
                format!("{e:#}")
            };
            anyhow!(
                "Chromium ({}) could not make the {}: {why}{}",
                self.process.path.display(),
                match shot {
                    Shot::Pdf { .. } => "PDF",
                    Shot::Png { .. } => "PNG",
                },
                self.process.what_it_said()
            )
        })
    }

    fn shoot_now(&self, html: &str, shot: Shot) -> Result<Vec<u8>> {
        let tab = &self.tab;
        match shot {
            Shot::Png { width, scale } => {
                viewport(tab, width, 900, scale)?;
                media(tab, "")?;
                self.load(html)?;
                screenshot(tab, width, scale)
            }
            Shot::Pdf { paper, width } => {
                // The page's content box, in CSS pixels: the paper less its margins, or the
                // poster's width.
                let content = match paper.size_mm() {
                    Some((w, _)) => (w - 2.0 * MARGIN_MM) / MM_PER_INCH * PX_PER_INCH,
                    None => f64::from(width),
                };
                viewport(tab, content.floor() as u32, 900, 1.0)?;
                media(tab, "print")?;
                // Chromium evaluates print media queries against its default paper, not the
                // one asked for, so the grid's zoom is measured and set here: its natural
                // width (zoom 1, columns at their set widths) against the content box.
                self.load(&with_css(html, MEASURE_GRID))?;
                let natural = number(tab, GRID_WIDTH)?;
                let zoom = if natural > content {
                    // Rounded down, so that the zoomed grid never ends past the edge.
                    (content / natural * 10_000.0).floor() / 10_000.0
                } else {
                    1.0
                };
                let fit = format!("@media print {{ .grid-scroll {{ zoom: {zoom} !important; }} }}");
                let (w, h) = match paper.size_mm() {
                    Some(size) => size,
                    None => {
                        // Lay the page out as it will print, measure it, and make the page
                        // that tall.
                        self.load(&with_css(html, &fit))?;
                        let (_, height) = content_size(tab)?;
                        let w = content / PX_PER_INCH * MM_PER_INCH + 2.0 * MARGIN_MM;
                        let h = (height + POSTER_SLACK_PX) / PX_PER_INCH * MM_PER_INCH
                            + 2.0 * MARGIN_MM;
                        if h.max(w) > MAX_PAGE_INCHES * MM_PER_INCH {
                            bail!(
                                "the map is {height:.0} px tall: a one-page poster of it would be over {MAX_PAGE_INCHES:.0} inches, the most a PDF page can be; use --paper a3 or a4"
                            );
                        }
                        (w, h)
                    }
                };
                // The page's own `@page` rule names A3 for the browser's print dialog; this
                // one, later in the page, names the paper asked for.
                let page =
                    format!("{fit}\n@page {{ size: {w:.2}mm {h:.2}mm; margin: {MARGIN_MM}mm; }}");
                media(tab, "")?;
                self.load(&with_css(html, &page))?;
                print(tab, self.stamp)
            }
        }
    }

    /// Show `html` in the tab, handed over from memory (nothing is written to disk).
    fn load(&self, html: &str) -> Result<()> {
        if let Ok(mut page) = self.page.lock() {
            html.clone_into(&mut page);
        }
        self.tab.navigate_to(PAGE_URL)?.wait_until_navigated()?;
        Ok(())
    }
}

/// The command that starts Chromium headless with its profile in `profile`, its network
/// closed, and its own temporary files inside the profile.
fn command(path: &Path, profile: &Path) -> Result<Command> {
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

/// Every request of the tab is paused and answered here: the page's own address with the
/// page and its policy, anything else (a style sheet, an image, a frame, a file, the network)
/// with a failure.
fn serve_only_the_page(tab: &Tab, page: std::sync::Arc<std::sync::Mutex<String>>) -> Result<()> {
    use base64::Engine as _;
    tab.enable_request_interception(std::sync::Arc::new(
        move |_transport, _session, event: Fetch::events::RequestPausedEvent| {
            let p = event.params;
            if p.request.url == PAGE_URL && p.resource_Type == Network::ResourceType::Document {
                let html = page.lock().map(|h| h.clone()).unwrap_or_default();
                let header = |name: &str, value: &str| Fetch::HeaderEntry {
                    name: name.to_owned(),
                    value: value.to_owned(),
                };
                return RequestPausedDecision::Fulfill(Fetch::FulfillRequest {
                    request_id: p.request_id,
                    response_code: 200,
                    response_headers: Some(vec![
                        header("Content-Type", "text/html; charset=utf-8"),
                        header("Content-Security-Policy", PAGE_CSP),
                        header("Cache-Control", "no-store"),
                    ]),
                    binary_response_headers: None,
                    body: Some(base64::engine::general_purpose::STANDARD.encode(html)),
                    response_phrase: None,
                });
            }
            RequestPausedDecision::Fail(Fetch::FailRequest {
                request_id: p.request_id,
                error_reason: Network::ErrorReason::BlockedByClient,
            })
        },
    ))?;
    tab.enable_fetch(
        Some(&[Fetch::RequestPattern {
            url_pattern: Some("*".to_owned()),
            resource_Type: None,
            request_stage: Some(Fetch::RequestStage::Request),
        }]),
        None,
    )?;
    Ok(())
}

/// The page with one more style sheet, last in its head.
fn with_css(html: &str, css: &str) -> String {
    let style = format!("<style>{css}</style>\n");
    match html.find("</head>") {
        Some(at) => format!("{}{style}{}", &html[..at], &html[at..]),
        None => format!("{style}{html}"),
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // Close politely first; the process guard kills whatever is left.
        let _ = self.tab.close(false);
    }
}

/// Read Chromium's stderr until it says where DevTools listens; keep reading afterwards so
/// that a full pipe never blocks it.
fn wait_for_devtools(
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

fn viewport(tab: &Tab, width: u32, height: u32, scale: f64) -> Result<()> {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: scale,
        mobile: false,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })?;
    Ok(())
}

fn media(tab: &Tab, media: &str) -> Result<()> {
    tab.call_method(Emulation::SetEmulatedMedia {
        media: Some(media.to_owned()),
        features: None,
    })?;
    Ok(())
}

/// A number the page works out (DevTools evaluation is not bound by the page's CSP).
fn number(tab: &Tab, expression: &str) -> Result<f64> {
    let value = tab.evaluate(expression, false)?.value;
    Ok(value.and_then(|v| v.as_f64()).unwrap_or(0.0))
}

/// The laid-out size of the whole page, in CSS pixels.
fn content_size(tab: &Tab) -> Result<(f64, f64)> {
    let m = tab.call_method(Page::GetLayoutMetrics(None))?;
    Ok((m.css_content_size.width, m.css_content_size.height))
}

fn screenshot(tab: &Tab, width: u32, scale: f64) -> Result<Vec<u8>> {
    // Grow the viewport to the whole page, then measure again: a page can lay out a little
    // differently at its full height.
    let mut height = 0.0;
    for _ in 0..3 {
        let (_, h) = content_size(tab)?;
        if (h - height).abs() < 0.5 {
            break;
        }
        height = h;
        if height * scale > MAX_PNG_HEIGHT {
            bail!(
                "the page is {height:.0} px tall, and at --scale {scale} the picture would be taller than {MAX_PNG_HEIGHT:.0} px; lower --scale or use -f pdf --paper poster"
            );
        }
        viewport(tab, width, height.ceil() as u32, scale)?;
    }
    let clip = Page::Viewport {
        x: 0.0,
        y: 0.0,
        width: f64::from(width),
        height: height.ceil(),
        scale: 1.0,
    };
    tab.capture_screenshot(
        Page::CaptureScreenshotFormatOption::Png,
        None,
        Some(clip),
        true,
    )
}

fn print(tab: &Tab, stamp: Option<i64>) -> Result<Vec<u8>> {
    let mut pdf = tab.print_to_pdf(Some(PrintToPdfOptions {
        display_header_footer: Some(false),
        print_background: Some(true),
        scale: Some(1.0),
        prefer_css_page_size: Some(true),
        ..PrintToPdfOptions::default()
    }))?;
    fix_dates(&mut pdf, stamp);
    Ok(pdf)
}

/// Chromium stamps a PDF with the time it was made. The same map should give the same
/// bytes, so the stamp becomes `stamp` (`SOURCE_DATE_EPOCH`, the reproducible-builds
/// convention) or else 2000-01-01, written over the old one in place: same length, so the
/// file's cross-reference offsets stay right.
fn fix_dates(pdf: &mut [u8], stamp: Option<i64>) {
    let epoch = stamp
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .unwrap_or_else(|| jiff::Timestamp::from_second(946_684_800).unwrap_or_default());
    let digits = epoch.strftime("%Y%m%d%H%M%S").to_string();
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        let Some(at) = memchr::memmem::find(pdf, key) else {
            continue;
        };
        let start = at + key.len();
        let Some(len) = pdf[start..].iter().position(|&b| b == b')') else {
            continue;
        };
        // `YYYYMMDDHHmmSS` then `Z` or `+HH'mm'`.
        let stamp = match len {
            15 => format!("{digits}Z"),
            21 => format!("{digits}+00'00'"),
            _ => continue,
        };
        if stamp.len() == len {
            pdf[start..start + len].copy_from_slice(stamp.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_are_replaced_in_place_and_odd_ones_left_alone() {
        let mut pdf =
            b"<</CreationDate (D:20261203103853+00'00')\n/ModDate (D:20261203103853Z)/Title (x)>>"
                .to_vec();
        let len = pdf.len();
        fix_dates(&mut pdf, None);
        assert_eq!(pdf.len(), len);
        let text = String::from_utf8(pdf).unwrap();
        assert_eq!(
            text,
            "<</CreationDate (D:20000101000000+00'00')\n/ModDate (D:20000101000000Z)/Title (x)>>"
        );
        // A stamp of another shape is not touched.
        let mut odd = b"/CreationDate (D:2026)".to_vec();
        fix_dates(&mut odd, None);
        assert_eq!(odd, b"/CreationDate (D:2026)");
    }
}
