//! Render, for `-f pdf` and `-f png`: a rendered HTML page becomes a PDF or a PNG in the
//! Chromium the user already has, driven over the DevTools protocol (`cdp`).
//!
//! Invariants: the browser is found (flag, `JOURNEYMAP_CHROMIUM`, then PATH), never
//! downloaded; it runs with a fresh profile in a process group of its own, with its
//! network off; the page is handed to it from memory, by request interception, at an address
//! that cannot exist, with a Content-Security-Policy header that allows nothing to be fetched:
//! whatever a template says, every other request fails (no local file, no network); every
//! step has a deadline; whatever happens (an error, a hang, a crash, a signal) the whole
//! group is killed and the browser reaped and its profile removed, so nothing is left.

mod cdp;
mod page;
mod process;

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};

use cdp::Cdp;
use page::{content_size, media, number, print, screenshot, viewport};
pub use process::find;
use process::{Process, command, wait_for_devtools};

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

/// Chromium, started once for every page of a run.
pub struct Chromium {
    /// The DevTools connection to the one page every shot is taken in.
    cdp: std::sync::Mutex<Cdp>,
    process: Process,
    timeout: Duration,
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
        let cdp = Cdp::connect(&ws, left.max(Duration::from_secs(1)))
            .and_then(|mut cdp| cdp.set_timeout(options.timeout).map(|()| cdp))
            .map_err(|e| {
                anyhow!(
                    "cannot connect to Chromium ({}): {e:#}{}",
                    path.display(),
                    process.what_it_said()
                )
            })?;
        Ok(Chromium {
            cdp: std::sync::Mutex::new(cdp),
            process,
            timeout: options.timeout,
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
        let mut cdp = self
            .cdp
            .lock()
            .map_err(|_| anyhow!("an earlier page failed"))?;
        let tab = &mut *cdp;
        match shot {
            Shot::Png { width, scale } => {
                viewport(tab, width, 900, scale)?;
                media(tab, "")?;
                tab.load(html)?;
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
                tab.load(&with_css(html, MEASURE_GRID))?;
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
                        tab.load(&with_css(html, &fit))?;
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
                tab.load(&with_css(html, &page))?;
                print(tab, self.stamp)
            }
        }
    }
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
        if let Ok(cdp) = self.cdp.get_mut() {
            cdp.close();
        }
    }
}
