//! `journeymap serve`: a local preview. Each request runs the whole pipeline (load →
//! validate → surveys → enrich → render) on the files as they are now; a watcher bumps a
//! generation number whenever a map, persona, survey, analytics file or template changes,
//! and the page's small script (allowed by its CSP only here) reloads when it moves.
//!
//! Invariants: a page is served only from a render during which none of its files changed
//! (else it is rendered again), so a file caught half-written never shows as a figure; a
//! map with errors shows its diagnostics instead of a stale map; nothing is written to disk;
//! requests are answered by `http`, which answers only for this machine and in bounded
//! memory and threads.

mod http;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result, anyhow};

use crate::Outcome;
use crate::diagnostic;
use crate::format::OutputFormat;

/// The path of the reload script and of the generation it polls.
pub const LIVE_SCRIPT: &str = "/__journeymap/live.js";
const GENERATION: &str = "/__journeymap/generation";

/// The reload script: poll the generation, reload the page when it moves.
const LIVE_JS: &str = r#"// journeymap serve: reload this page when its map, surveys or templates change.
(() => {
  const me = document.currentScript;
  const shown = me ? me.dataset.generation : "";
  const poll = async () => {
    try {
      const r = await fetch("/__journeymap/generation", { cache: "no-store" });
      if (r.ok && (await r.text()).trim() !== shown) {
        location.reload();
        return;
      }
    } catch (e) {
      // The server is restarting or stopped: keep asking.
    }
    setTimeout(poll, 250);
  };
  setTimeout(poll, 250);
})();
"#;

/// How long a file must have gone unwritten before a page is made from it.
const QUIET: Duration = Duration::from_millis(300);
/// How long a request waits for its files to settle.
const SETTLE_FOR: Duration = Duration::from_secs(10);

/// What is served, and how.
pub struct Config {
    /// A map file, or a folder scanned for maps.
    pub path: PathBuf,
    pub bind: std::net::IpAddr,
    pub port: u16,
    /// Templates that replace the built-in ones (`--templates`, or `JOURNEYMAP_TEMPLATES`).
    pub templates: Option<PathBuf>,
    /// The folder maps may read files from (`--root`, or `JOURNEYMAP_ROOT`).
    pub root: Option<PathBuf>,
    /// Today's date, read again for each page.
    pub clock: crate::validate::Clock,
    /// How the surveys are read.
    pub reading: crate::survey::Reading,
}

/// One page's answer.
struct Page {
    status: u16,
    html: String,
}

struct Site {
    /// The served path as given: diagnostics name files as the user does.
    config: Config,
    is_dir: bool,
    watch: watch::Watch,
    /// One render at a time: the machine's cores go to the pipeline's own threads.
    rendering: std::sync::Mutex<()>,
}

/// Serve until interrupted.
pub fn serve(config: Config) -> Result<Outcome> {
    let path = std::path::absolute(&config.path)
        .with_context(|| format!("cannot resolve {}", config.path.display()))?;
    if !path.exists() {
        anyhow::bail!(
            "{}: no such file or directory; name a map file or a folder of maps",
            config.path.display()
        );
    }
    if let Some(dir) = &config.templates
        && !dir.is_dir()
    {
        anyhow::bail!("--templates {}: no such directory", dir.display());
    }
    let is_dir = path.is_dir();
    let templates = config
        .templates
        .as_deref()
        .map(std::path::absolute)
        .transpose()
        .context("cannot resolve the templates folder")?;
    let watch = watch::Watch::start(&path, is_dir, templates.as_deref())?;
    let addr = std::net::SocketAddr::new(config.bind, config.port);
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow!(
                "cannot listen on {addr}: the port is in use by another program; pick another with --port (or --port 0 for any free port)"
            )
        } else {
            anyhow!("cannot listen on {addr}: {e}")
        }
    })?;
    let bound = listener
        .local_addr()
        .with_context(|| format!("cannot listen on {addr}"))?;
    let url = format!("http://{bound}/");
    let hosts = http::Hosts::new(config.bind, bound.port());
    let site = Arc::new(Site {
        config,
        is_dir,
        watch,
        rendering: std::sync::Mutex::new(()),
    });
    eprintln!(
        "serving {} at {url} (it reloads on every change; Ctrl-C stops it)",
        crate::load::display(&site.config.path)
    );
    // The URL alone on stdout, for scripts and tests that start the server.
    println!("{url}");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    http::run(
        listener,
        hosts,
        Arc::new(move |request: &http::Request| site.answer(request)),
    );
    Ok(Outcome::Ok)
}

impl Site {
    fn answer(&self, request: &http::Request) -> http::Response {
        let path = request.target.split(['?', '#']).next().unwrap_or("/");
        let get = matches!(request.method.as_str(), "GET" | "HEAD");
        let (status, content_type, body) = match path {
            _ if !get => (405, "text/plain", "only GET is served\n".to_owned()),
            GENERATION => (200, "text/plain", self.watch.generation().to_string()),
            LIVE_SCRIPT => (200, "text/javascript", LIVE_JS.to_owned()),
            _ => {
                let page = self.page(path);
                (page.status, "text/html", page.html)
            }
        };
        http::Response {
            status,
            content_type,
            body: body.into_bytes(),
        }
    }

    /// The page at `path`: the map, or in a folder the index and each map by its name.
    fn page(&self, path: &str) -> Page {
        let Ok(_one) = self.rendering.lock() else {
            return self.problem("journeymap", "a render failed earlier; restart serve", 500);
        };
        let decoded = percent_decode(path);
        if !self.is_dir {
            return match decoded.as_str() {
                "/" | "/index.html" => self.settled(|| self.map_page(&self.config.path)),
                _ => self.not_found(&decoded),
            };
        }
        let maps = match crate::pipeline::collect_maps(std::slice::from_ref(&self.config.path)) {
            Ok(m) => m,
            Err(e) => return self.problem("no maps to show", &format!("{e:#}"), 404),
        };
        if decoded == "/" || decoded == "/index.html" {
            return self.settled(|| self.index_page(&maps));
        }
        let want = decoded.trim_start_matches('/');
        for (map, root) in &maps {
            let name = crate::output::output_name(map, root.as_deref(), OutputFormat::Html);
            if name.to_string_lossy().replace('\\', "/") == want {
                return self.settled(|| self.map_page(map));
            }
        }
        self.not_found(&decoded)
    }

    /// Render until a render finds all its files quiet: none written during it, nor in the
    /// [`QUIET`] before it (a file still being written by an export that pauses between
    /// chunks). Files that never settle give a page that says so, not a half-read figure.
    fn settled(&self, render: impl Fn() -> (Page, Vec<PathBuf>)) -> Page {
        let started_all = std::time::Instant::now();
        while started_all.elapsed() < SETTLE_FOR {
            let generation = self.watch.generation();
            let started = SystemTime::now();
            let (page, inputs) = render();
            self.watch.follow(&inputs);
            let quiet = inputs.iter().all(|p| quiet_before(p, started));
            if quiet && self.watch.settled(generation) {
                return page;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.problem(
            "files still being written",
            &format!(
                "A file this page is made from kept changing for {} s; the page reloads when it is quiet.",
                SETTLE_FOR.as_secs()
            ),
            503,
        )
    }

    /// The checks `render` runs (no review-age warning), and the folder maps may read from.
    fn checks(&self) -> Result<(crate::validate::Checks, Option<PathBuf>), Page> {
        let checks = crate::validate::Checks {
            max_age_days: None,
            today: self.config.clock.today(),
            reading: self.config.reading,
        };
        let root = self.config.root.clone();
        Ok((checks, root))
    }

    /// One map: its page, or its diagnostics when it has errors.
    fn map_page(&self, map: &Path) -> (Page, Vec<PathBuf>) {
        let generation = self.watch.generation();
        let mut sources = diagnostic::Sources::default();
        let (checks, root) = match self.checks() {
            Ok(c) => c,
            Err(page) => return (page, vec![]),
        };
        let checked = crate::pipeline::check(map, &mut sources, checks, root.as_deref());
        let inputs = match &checked.map {
            Some((loaded, _)) => crate::pipeline::inputs(loaded),
            None => crate::pipeline::inputs_of_text(map),
        };
        let title = crate::load::display(map);
        if !checked.diagnostics.is_empty() {
            let text =
                diagnostic::format_all(&checked.diagnostics, &sources, diagnostic::Format::Short);
            eprint!("{text}");
        }
        let (Some((loaded, data)), Outcome::Ok) = (&checked.map, checked.outcome(false)) else {
            let text =
                diagnostic::format_all(&checked.diagnostics, &sources, diagnostic::Format::Human);
            let summary = diagnostic::summary(&checked.diagnostics);
            return (
                self.problem(&title, &format!("{text}{summary}\n"), 422),
                inputs,
            );
        };
        let mut inputs = inputs;
        let renderer = self.renderer(generation);
        match self.page_of(loaded, data, checks, &mut inputs, &renderer) {
            Ok(html) => (Page { status: 200, html }, inputs),
            Err(e) => (self.problem(&title, &format!("{e:#}"), 500), inputs),
        }
    }

    /// A map's page; in a served folder, with the journeys of the folder that detail its
    /// stages (whose files the page then follows too).
    fn page_of(
        &self,
        loaded: &crate::load::Loaded,
        data: &crate::survey::SurveyData,
        checks: crate::validate::Checks,
        inputs: &mut Vec<PathBuf>,
        renderer: &crate::render::Renderer,
    ) -> anyhow::Result<String> {
        let ctx = crate::enrich::enrich(loaded, data);
        let children = if self.config.path.is_dir() {
            crate::portfolio::children_in(&self.config.path, &loaded.path)
        } else {
            Vec::new()
        };
        if children.is_empty() {
            return renderer.map(&ctx, OutputFormat::Html);
        }
        let (results, _) =
            crate::pipeline::check_all(&children, checks, self.config.root.as_deref());
        let mut members = vec![crate::portfolio::Member {
            loaded,
            ctx,
            path: crate::load::display(&loaded.path),
            page: PathBuf::new(),
        }];
        for (checked, (path, _)) in results.iter().zip(&children) {
            inputs.push(path.clone());
            if let (Some((l, d)), Outcome::Ok) = (&checked.map, checked.outcome(false)) {
                inputs.extend(crate::pipeline::inputs(l));
                members.push(crate::portfolio::Member {
                    loaded: l,
                    ctx: crate::enrich::enrich(l, d),
                    path: crate::load::display(path),
                    page: PathBuf::new(),
                });
            }
        }
        let ages = crate::portfolio::Ages {
            today: checks.today,
            max_age_days: crate::portfolio::DEFAULT_MAX_AGE_DAYS,
        };
        crate::portfolio::link(&mut members, ages);
        renderer.map(&members[0].ctx, OutputFormat::Html)
    }

    /// The folder's index: a row per map; a map with errors links to its diagnostics.
    fn index_page(&self, maps: &[(PathBuf, Option<PathBuf>)]) -> (Page, Vec<PathBuf>) {
        let generation = self.watch.generation();
        let (checks, root) = match self.checks() {
            Ok(c) => c,
            Err(page) => return (page, vec![]),
        };
        let (results, _) = crate::pipeline::check_all(maps, checks, root.as_deref());
        let mut members = Vec::new();
        let mut broken = Vec::new();
        let mut inputs = Vec::new();
        for (checked, (path, scan_root)) in results.iter().zip(maps) {
            let rel = crate::output::output_name(path, scan_root.as_deref(), OutputFormat::Html);
            inputs.push(path.clone());
            let sound = checked.outcome(false) == Outcome::Ok;
            match &checked.map {
                Some((loaded, data)) if sound => {
                    inputs.extend(crate::pipeline::inputs(loaded));
                    members.push(crate::portfolio::Member {
                        loaded,
                        ctx: crate::enrich::enrich(loaded, data),
                        path: crate::portfolio::map_path(path, scan_root.as_deref()),
                        page: rel,
                    });
                }
                _ => {
                    let name = scan_root
                        .as_deref()
                        .and_then(|r| path.strip_prefix(r).ok())
                        .unwrap_or(path);
                    broken.push(crate::enrich::IndexEntry::broken(name, &rel));
                }
            }
        }
        let ages = crate::portfolio::Ages {
            today: checks.today,
            max_age_days: crate::portfolio::DEFAULT_MAX_AGE_DAYS,
        };
        let mut index = crate::portfolio::link(&mut members, ages);
        index.maps.extend(broken);
        match self.renderer(generation).index(&index, OutputFormat::Html) {
            Ok(html) => (Page { status: 200, html }, inputs),
            Err(e) => (self.problem("journey maps", &format!("{e:#}"), 500), inputs),
        }
    }

    fn renderer(&self, generation: u64) -> crate::render::Renderer {
        let templates = self.config.templates.clone();
        let mut renderer = crate::render::Renderer::new(templates);
        renderer.live_reload(Some(generation));
        renderer
    }

    /// A page that says what is wrong, and reloads like a map when it is fixed.
    fn problem(&self, title: &str, text: &str, status: u16) -> Page {
        let renderer = crate::render::Renderer::new(None);
        let html = renderer
            .problems(title, text, self.watch.generation())
            .unwrap_or_else(|e| format!("{title}: {text}\n{e:#}"));
        Page { status, html }
    }

    fn not_found(&self, path: &str) -> Page {
        self.problem(
            "not found",
            &format!("{path} is not one of the maps served here; the index at / lists them."),
            404,
        )
    }
}

/// The file was last written at least [`QUIET`] before `t`, or is gone (a deleted file is
/// reported by the map's own diagnostics).
fn quiet_before(path: &Path, t: SystemTime) -> bool {
    match std::fs::metadata(path).and_then(|m| m.modified()) {
        Ok(m) => m + QUIET < t,
        Err(_) => true,
    }
}

/// `%20` and friends in a request path; invalid UTF-8 becomes U+FFFD.
fn percent_decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}
