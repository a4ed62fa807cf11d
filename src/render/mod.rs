//! Render: the context becomes HTML or Markdown through minijinja templates (JSON is the
//! context itself).
//!
//! Invariants: templates are real files under `templates/`, embedded at build time and served
//! through the loader (so a user directory can later be put in front of them); undefined
//! variables are errors; HTML templates auto-escape, Markdown templates escape through the
//! `md` filters; every number shown to people is formatted here in Rust.

mod filters;

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde::Serialize;

use crate::format::OutputFormat;
use filters::{MARKDOWN, add_filters, is_markdown};
pub use filters::{is_stray_control, md_escape};

/// The built-in templates: (name, text). `templates export` will write these out.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "html/map.html.j2",
        include_str!("../../templates/html/map.html.j2"),
    ),
    (
        "html/summary.html.j2",
        include_str!("../../templates/html/summary.html.j2"),
    ),
    (
        "html/persona.html.j2",
        include_str!("../../templates/html/persona.html.j2"),
    ),
    (
        "html/grid.html.j2",
        include_str!("../../templates/html/grid.html.j2"),
    ),
    (
        "html/said.html.j2",
        include_str!("../../templates/html/said.html.j2"),
    ),
    (
        "html/themes.html.j2",
        include_str!("../../templates/html/themes.html.j2"),
    ),
    (
        "html/backlog.html.j2",
        include_str!("../../templates/html/backlog.html.j2"),
    ),
    (
        "html/surveys.html.j2",
        include_str!("../../templates/html/surveys.html.j2"),
    ),
    (
        "html/index.html.j2",
        include_str!("../../templates/html/index.html.j2"),
    ),
    (
        "html/parts.html.j2",
        include_str!("../../templates/html/parts.html.j2"),
    ),
    (
        "html/problems.html.j2",
        include_str!("../../templates/html/problems.html.j2"),
    ),
    (
        "html/style.css",
        include_str!("../../templates/html/style.css"),
    ),
    (
        "markdown/map.md.j2",
        include_str!("../../templates/markdown/map.md.j2"),
    ),
    (
        "markdown/index.md.j2",
        include_str!("../../templates/markdown/index.md.j2"),
    ),
    (
        "markdown/parts.md.j2",
        include_str!("../../templates/markdown/parts.md.j2"),
    ),
];

/// Instructions a template may run for one page. A 240-stage map (310 KB of YAML, 1 MB of
/// HTML) needs between 100,000 and 300,000, so the largest map the 4 MiB limit allows fits
/// several times over; two nested `range(100000)` loops run out of it in under a second.
pub const FUEL: u64 = 16_000_000;
/// Bytes one rendered page may hold. The 60-stage map's HTML is about 0.5 MB.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024 * 1024;

/// Address space a child rendering a user's template may use.
pub const TEMPLATE_MEMORY: u64 = 1024 * 1024 * 1024;

/// `journeymap __render-template`: the child side of [`Renderer::template_in_child`].
pub fn child(templates: &Path, name: &str, live_reload: Option<u64>) -> Result<crate::Outcome> {
    use std::io::Read as _;
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::AS).unwrap_or((u64::MAX, u64::MAX));
    let limit = TEMPLATE_MEMORY.min(soft).min(hard);
    rlimit::setrlimit(rlimit::Resource::AS, limit, hard)
        .context("cannot limit the memory of the template process")?;
    let mut json = Vec::new();
    std::io::stdin()
        .read_to_end(&mut json)
        .context("cannot read the context")?;
    let ctx: serde_json::Value =
        serde_json::from_slice(&json).context("cannot read the context")?;
    let mut renderer = Renderer::new(Some(templates.to_owned()));
    renderer.live_reload(live_reload);
    let page = renderer.template_here(name, &ctx)?;
    crate::output::write_stdout(page.as_bytes())?;
    Ok(crate::Outcome::Ok)
}

/// A writer that refuses to grow past [`MAX_OUTPUT_BYTES`].
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT_BYTES {
            return Err(std::io::Error::other(format!(
                "the page would be larger than {} MiB, the limit for one rendered page",
                MAX_OUTPUT_BYTES / (1024 * 1024)
            )));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct Renderer {
    env: Environment<'static>,
    user_dir: Option<PathBuf>,
    /// `serve`'s generation number, for the reload script; none in files written to disk.
    live_reload: Option<u64>,
}

impl Renderer {
    /// The built-in templates, overridden file by file by those in `user_dir`.
    pub fn new(user_dir: Option<PathBuf>) -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Templates may come from someone else's pull request: bound their work.
        env.set_fuel(Some(FUEL));
        env.set_recursion_limit(100);
        // Block tags on their own lines leave no blank lines behind; files end in a newline.
        if let Ok(syntax) = env
            .syntax()
            .to_builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        // HTML templates escape for HTML; Markdown templates escape for Markdown, so a value
        // a custom template prints without `|md` is still inert.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html.j2") {
                AutoEscape::Html
            } else if name.ends_with(".md.j2") {
                MARKDOWN
            } else {
                AutoEscape::None
            }
        });
        set_loader(&mut env, user_dir.clone());
        set_formatter(&mut env);
        add_filters(&mut env);
        // A global, not part of the context (and of the JSON): set only by `serve`.
        env.add_global("live_reload", Value::from(()));
        Renderer {
            env,
            user_dir,
            live_reload: None,
        }
    }

    /// Pages for `journeymap serve`: the global `live_reload` holds the generation they
    /// show, and the page head loads the reload script that polls it.
    pub fn live_reload(&mut self, generation: Option<u64>) {
        self.live_reload = generation;
        self.env.add_global(
            "live_reload",
            generation.map_or(Value::from(()), |g| Value::from(g.to_string())),
        );
    }

    /// The page `serve` shows instead of a map that has errors (always the built-in
    /// template: it must show even when the user's templates are what is broken).
    pub fn problems(&self, title: &str, text: &str, generation: u64) -> Result<String> {
        let mut env = self.env.clone();
        env.add_global("live_reload", Value::from(generation.to_string()));
        set_loader(&mut env, None);
        let tmpl = env.get_template("html/problems.html.j2")?;
        Ok(tmpl.render(minijinja::context! { title => title, text => text })?)
    }

    /// Render one map's context in `format`.
    /// Compile the built-in templates of `format` ahead of the render, so that a command can
    /// do it on a second thread while its maps load. A template that fails to compile is
    /// left for the render to report; a user's templates are compiled in the render's child.
    pub fn prepare(&self, format: OutputFormat) {
        let folder = match format {
            OutputFormat::Json => return,
            OutputFormat::Markdown => "markdown/",
            OutputFormat::Html | OutputFormat::Pdf | OutputFormat::Png => "html/",
        };
        if self.user_dir.is_some() {
            return;
        }
        for (name, _) in BUILTIN
            .iter()
            .filter(|(n, _)| n.starts_with(folder) && n.ends_with(".j2"))
        {
            let _ = self.env.get_template(name);
        }
    }

    pub fn map<C: Serialize>(&self, ctx: &C, format: OutputFormat) -> Result<String> {
        match format {
            OutputFormat::Json => json(ctx),
            // PDF and PNG are printed from the HTML page (see `chromium`).
            OutputFormat::Html | OutputFormat::Pdf | OutputFormat::Png => {
                self.template("html/map.html.j2", ctx)
            }
            OutputFormat::Markdown => self.template("markdown/map.md.j2", ctx),
        }
    }

    /// Render the index page of several maps.
    pub fn index<C: Serialize>(&self, ctx: &C, format: OutputFormat) -> Result<String> {
        match format {
            OutputFormat::Json => json(ctx),
            OutputFormat::Html | OutputFormat::Pdf | OutputFormat::Png => {
                self.template("html/index.html.j2", ctx)
            }
            OutputFormat::Markdown => self.template("markdown/index.md.j2", ctx),
        }
    }

    fn template<C: Serialize>(&self, name: &str, ctx: &C) -> Result<String> {
        // A user's templates may come from someone else's pull request. Fuel bounds their
        // work, but not their memory (doubling a string forty times asks for a terabyte, and
        // Rust aborts when an allocation fails), so they run in a child process under an
        // address-space limit, and a child that dies says so here.
        if self.user_dir.is_some() {
            return self.template_in_child(name, ctx);
        }
        self.template_here(name, ctx)
    }

    fn template_in_child<C: Serialize>(&self, name: &str, ctx: &C) -> Result<String> {
        use std::io::Write as _;
        let Some(dir) = &self.user_dir else {
            return self.template_here(name, ctx);
        };
        let exe = std::env::current_exe().context("cannot find the journeymap executable")?;
        let mut child = std::process::Command::new(exe)
            .arg("__render-template")
            .arg("--templates")
            .arg(dir)
            .arg("--name")
            .arg(name)
            .args(
                self.live_reload
                    .map(|g| vec!["--live-reload".to_owned(), g.to_string()])
                    .unwrap_or_default(),
            )
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .context("cannot start a process to render the template")?;
        let json = serde_json::to_vec(ctx)?;
        if let Some(mut stdin) = child.stdin.take() {
            // A child that fails early stops reading; its own message says why.
            let _ = stdin.write_all(&json);
        }
        let out = child
            .wait_with_output()
            .context("cannot render the template")?;
        if out.status.success() {
            return String::from_utf8(out.stdout)
                .context("a template wrote text that is not UTF-8");
        }
        let said = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(2) if !said.trim().is_empty() => {
                anyhow::bail!("{}", said.trim().trim_start_matches("error: "))
            }
            _ => anyhow::bail!(
                "template {}: it used more than {} MiB of memory, the limit for one page, and was stopped",
                self.describe(name),
                TEMPLATE_MEMORY / (1024 * 1024)
            ),
        }
    }

    fn template_here<C: Serialize>(&self, name: &str, ctx: &C) -> Result<String> {
        let tmpl = self.env.get_template(name).map_err(|e| {
            anyhow::anyhow!("template {}: {e}", self.describe(e.name().unwrap_or(name)))
        })?;
        let mut out = Bounded(Vec::new());
        tmpl.render_captured_to(Value::from(minijinja::value::Serde(ctx)), &mut out)
            .map_err(|e| {
                let why = match e.kind() {
                    minijinja::ErrorKind::WriteFailure => format!(
                        "the page would be larger than {} MiB, the limit for one rendered page",
                        MAX_OUTPUT_BYTES / (1024 * 1024)
                    ),
                    minijinja::ErrorKind::OutOfFuel => format!(
                        "it ran more than {FUEL} instructions, the limit for one page (a loop that does not end, or one far too large)"
                    ),
                    // An error inside an included or imported template is its source:
                    // say each, down to the line that failed.
                    _ => {
                        let mut why = e.to_string();
                        let mut at: Option<&dyn std::error::Error> = std::error::Error::source(&e);
                        while let Some(inner) = at {
                            why.push_str(&format!(": {inner}"));
                            at = inner.source();
                        }
                        why
                    }
                };
                anyhow::anyhow!("template {}: {why}", self.describe(e.name().unwrap_or(name)))
            })?;
        String::from_utf8(out.0).context("a template wrote text that is not UTF-8")
    }
}

impl Renderer {
    /// Where a template comes from, for messages: the user's file or the built-in one.
    fn describe(&self, name: &str) -> String {
        match &self.user_dir {
            Some(dir) if dir.join(name).is_file() => dir.join(name).display().to_string(),
            _ => format!("{name} (built in)"),
        }
    }
}

/// Write the built-in templates into `dir` to start a custom look from; refuses to
/// overwrite anything.
pub fn export(dir: &Path) -> Result<Vec<PathBuf>> {
    let files: Vec<(PathBuf, &[u8])> = BUILTIN
        .iter()
        .map(|(name, text)| (dir.join(name), text.as_bytes()))
        .collect();
    crate::output::create_new(&files, "templates export")
}

fn json<C: Serialize>(ctx: &C) -> Result<String> {
    let mut s = serde_json::to_string_pretty(ctx).context("cannot serialise the map as JSON")?;
    s.push('\n');
    Ok(s)
}

/// One loader serves the built-in templates and the user's, user files first, so an
/// override always wins (templates added with add_template would beat any loader).
fn set_loader(env: &mut Environment<'static>, user_dir: Option<PathBuf>) {
    let dir = user_dir;
    env.set_loader(move |name| {
            // Includes resolve inside the template folders only: no absolute names, no `..`,
            // no symlink out of the user's folder.
            let relative = Path::new(name)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if !relative {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::TemplateNotFound,
                    format!("`{name}` is not a template name: templates include others by a path inside the template folder, without `..`"),
                ));
            }
            if let Some(dir) = &dir {
                let path = dir.join(name);
                if path.is_file() {
                    let inside = match (std::fs::canonicalize(&path), std::fs::canonicalize(dir)) {
                        (Ok(p), Ok(d)) => p.starts_with(d),
                        _ => false,
                    };
                    if !inside {
                        return Err(minijinja::Error::new(
                            minijinja::ErrorKind::TemplateNotFound,
                            format!("{} leads outside the template folder {}", path.display(), dir.display()),
                        ));
                    }
                    return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::TemplateNotFound,
                            format!("cannot read {}: {e}", path.display()),
                        )
                    });
                }
            }
            Ok(BUILTIN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_owned()))
        });
}

/// Every value printed goes through one formatter.
fn set_formatter(env: &mut Environment<'static>) {
    // Every value printed goes through here: control characters other than tab and line
    // breaks become U+FFFD (HTML parsers drop or replace them anyway, so the text would
    // not read back as written), then the usual auto-escaping applies.
    env.set_formatter(|out, state, value| {
        let clean;
        let value = match value.as_str() {
            Some(s) if s.chars().any(is_stray_control) => {
                clean = Value::from(
                    s.chars()
                        .map(|c| if is_stray_control(c) { '\u{FFFD}' } else { c })
                        .collect::<String>(),
                );
                &clean
            }
            _ => value,
        };
        if is_markdown(state) {
            return match value.as_str() {
                Some(s) if !value.is_safe() => out.write_str(&md_escape(s)),
                _ => write!(out, "{value}"),
            }
            .map_err(|_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure));
        }
        minijinja::escape_formatter(out, state, value)
    });
}
