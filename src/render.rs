//! Render: the context becomes HTML or Markdown through minijinja templates (JSON is the
//! context itself).
//!
//! Invariants: templates are real files under `templates/`, embedded at build time and served
//! through the loader (so a user directory can later be put in front of them); undefined
//! variables are errors; HTML templates auto-escape, Markdown templates escape through the
//! `md` filters; every number shown to people is formatted here in Rust.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use minijinja::{AutoEscape, Environment, State, UndefinedBehavior, Value};
use serde::Serialize;

use crate::format::OutputFormat;

/// The built-in templates: (name, text). `templates export` will write these out.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "html/map.html.j2",
        include_str!("../templates/html/map.html.j2"),
    ),
    (
        "html/summary.html.j2",
        include_str!("../templates/html/summary.html.j2"),
    ),
    (
        "html/persona.html.j2",
        include_str!("../templates/html/persona.html.j2"),
    ),
    (
        "html/grid.html.j2",
        include_str!("../templates/html/grid.html.j2"),
    ),
    (
        "html/said.html.j2",
        include_str!("../templates/html/said.html.j2"),
    ),
    (
        "html/themes.html.j2",
        include_str!("../templates/html/themes.html.j2"),
    ),
    (
        "html/backlog.html.j2",
        include_str!("../templates/html/backlog.html.j2"),
    ),
    (
        "html/surveys.html.j2",
        include_str!("../templates/html/surveys.html.j2"),
    ),
    (
        "html/index.html.j2",
        include_str!("../templates/html/index.html.j2"),
    ),
    (
        "html/parts.html.j2",
        include_str!("../templates/html/parts.html.j2"),
    ),
    (
        "html/problems.html.j2",
        include_str!("../templates/html/problems.html.j2"),
    ),
    (
        "html/style.css",
        include_str!("../templates/html/style.css"),
    ),
    (
        "markdown/map.md.j2",
        include_str!("../templates/markdown/map.md.j2"),
    ),
    (
        "markdown/index.md.j2",
        include_str!("../templates/markdown/index.md.j2"),
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
                    _ => e.to_string(),
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

/// A control character that is not whitespace a reader expects (tab, newline, return).
pub fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Escape text for Markdown inline content: every character that could start markup is
/// backslash-escaped (CommonMark allows that for all ASCII punctuation), so the text reads
/// back exactly and never becomes HTML, a link, emphasis or a table border. Newlines become
/// spaces: the places this is used are single-line.
pub fn md_escape(s: &str) -> String {
    // Surrounding whitespace is trimmed: trailing spaces would make a hard line break, and
    // leading ones an indented code block.
    let s = s.trim_matches(|c: char| c.is_whitespace());
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '!' | '{'
            | '}' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            c if is_stray_control(c) => out.push('\u{FFFD}'),
            _ => out.push(c),
        }
    }
    // GitHub turns `www.…`, `https://…` and `a@b.example` into links and `@name` into a
    // ping of that person when a diff is posted: a word joiner (invisible) breaks each.
    if out.contains(['@', '.', ':']) {
        out = break_autolinks(&out);
    }
    // A leading `-`, `+`, `=` or `1.` would start a list, a heading underline or numbering.
    let first = out.chars().next();
    if matches!(first, Some('-' | '+' | '=')) {
        out.insert(0, '\\');
    } else if let Some(i) = out.find(['.', ')'])
        && i > 0
        && out[..i].chars().all(|c| c.is_ascii_digit())
    {
        out.insert(i, '\\');
    }
    out
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

/// The filters templates use: Markdown and Mermaid text, and numbers for people.
fn add_filters(env: &mut Environment<'static>) {
    // Text already made safe for Markdown (or for a Mermaid block) is not escaped again;
    // in an HTML template the same filters' output is HTML-escaped as usual.
    env.add_filter("md", |state: &State, s: String| {
        md_safe(state, md_escape(&s))
    });
    env.add_filter("mdcell", |state: &State, s: Option<String>| {
        md_safe(state, md_cell(s))
    });
    env.add_filter("mermaid", |state: &State, s: String| {
        md_safe(state, mermaid_text(s))
    });
    env.add_filter("mdurl", |state: &State, s: String| {
        md_safe(state, md_url(&s))
    });
    // Numbers for people hold digits, signs, `.`, `,` and `%` only: safe everywhere.
    env.add_filter("int", |v: u64| {
        Value::from_safe_string(crate::words::int(v))
    });
    env.add_filter("pct", |v: f64| {
        Value::from_safe_string(crate::words::pct(v))
    });
    env.add_filter("num", |v: f64, d: Option<usize>| {
        Value::from_safe_string(crate::words::number(v, d.unwrap_or(2)))
    });
    env.add_filter("score", |v: f64| {
        Value::from_safe_string(crate::words::score(v))
    });
    env.add_filter("anchor", |s: String| Value::from_safe_string(anchor(s)));
    env.add_filter("mermaid_score", mermaid_score);
    // A 0..1 score that counts a `Yes` (the third argument) reads as a share.
    env.add_filter("metric", |v: f64, m: String, yes: Option<String>| {
        Value::from_safe_string(match yes {
            Some(_) => crate::words::pct(v),
            None => crate::words::metric(v, &m),
        })
    });
    env.add_filter("duration", |v: f64| {
        Value::from_safe_string(crate::words::duration(v))
    });
    env.add_filter("delta", |v: f64, m: String| {
        Value::from_safe_string(crate::words::delta(v, &m))
    });
    // Soft hyphens in the words too wide for `width` px at `px` (stage names in the grid).
    env.add_filter("hyphenate", |s: String, width: f64, px: f64| {
        crate::textfit::hyphenate_long_words(&s, width, px)
    });
    env.add_filter("measure_label", |m: String| crate::words::measure_label(&m));
    env.add_filter("measured_from", |m: String| crate::words::measured_from(&m));
    env.add_filter("measured_from_all", |m: Vec<String>| {
        crate::words::measured_from_all(&m)
    });
    env.add_filter("initial", |s: String| crate::words::initial(&s));
    env.add_filter("words", |s: String| s.replace(['-', '_'], " "));
}

/// `@name`, `www.` and `://` with U+2060 WORD JOINER inside, so GitHub neither links nor
/// pings; readers see the same text.
fn break_autolinks(s: &str) -> String {
    const JOIN: char = '\u{2060}';
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let next = chars.get(i + 1).copied();
        let www = c == '.'
            && i >= 3
            && chars[i - 3..i]
                .iter()
                .collect::<String>()
                .eq_ignore_ascii_case("www");
        if www {
            // Put the joiner before the dot: `www` + joiner + `.`
            out.pop();
            out.push(JOIN);
            out.push('.');
        } else if (c == '@' && next.is_some_and(char::is_alphanumeric))
            || (c == ':' && next == Some('/') && chars.get(i + 2) == Some(&'/'))
        {
            out.push(JOIN);
        }
    }
    out
}

/// The auto-escape of Markdown templates.
const MARKDOWN: AutoEscape = AutoEscape::Custom(std::borrow::Cow::Borrowed("markdown"));

fn is_markdown(state: &State) -> bool {
    matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "markdown")
}

/// A filter's Markdown output: safe in a Markdown template, plain (so HTML-escaped) in an
/// HTML one.
fn md_safe(state: &State, s: String) -> Value {
    if is_markdown(state) {
        Value::from_safe_string(s)
    } else {
        Value::from(s)
    }
}

/// A URL inside Markdown's `<…>` link destination: the characters that would end it or
/// break it are percent-encoded.
fn md_url(s: &str) -> String {
    s.replace('<', "%3C")
        .replace('>', "%3E")
        .replace(' ', "%20")
        .replace('|', "%7C")
        .replace('\\', "%5C")
}

/// Like `md`, for table cells: empty text becomes a dash so the column stays visible.
fn md_cell(s: Option<String>) -> String {
    match s.as_deref().map(str::trim) {
        None | Some("") => "–".to_owned(),
        Some(t) => md_escape(t),
    }
}

/// Text safe inside a Mermaid `journey` line: Mermaid ends a task name at `:` and reads `#`
/// and `;` as entity and statement markers, so those become look-alike full-width forms;
/// line breaks become spaces.
fn mermaid_text(s: String) -> String {
    let t: String = s
        .chars()
        .map(|c| match c {
            ':' => '：',
            '#' => '＃',
            ';' => '；',
            '`' => 'ˋ',
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        return "–".to_owned();
    }
    // Mermaid's journey lexer reads a keyword at the start of a token whatever follows, so a
    // task called "Title page" would become the diagram's title and "Journey planning" a
    // syntax error. A zero-width space (not whitespace to the lexer, invisible to readers)
    // keeps such a name a name.
    let lower = t.to_lowercase();
    if ["journey", "title", "section", "acctitle", "accdescr"]
        .iter()
        .any(|k| lower.starts_with(k))
    {
        format!("\u{200B}{t}")
    } else {
        t
    }
}

/// Mermaid journey scores run 1..5; a map's emotion runs -2..2, so the score is emotion + 3,
/// rounded to the nearest whole number.
fn mermaid_score(score: f64) -> i64 {
    ((score + 3.0).round() as i64).clamp(1, 5)
}

/// An id as a fragment identifier: ids are arbitrary text except for stages, so anything
/// outside [A-Za-z0-9_-] is percent-encoded.
fn anchor(s: String) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_does_not_autolink_or_ping() {
        assert_eq!(md_escape("ask @maya"), "ask @\u{2060}maya");
        assert_eq!(
            md_escape("see www.example.com"),
            "see www\u{2060}.example.com"
        );
        assert_eq!(md_escape("https://x.example"), "https:\u{2060}//x.example");
        assert_eq!(md_escape("a@b.example"), "a@\u{2060}b.example");
        assert_eq!(md_escape("2 @ 3 € each"), "2 @ 3 € each");
    }

    #[test]
    fn markdown_escaping_neutralises_markup() {
        assert_eq!(md_escape("a|b"), "a\\|b");
        assert_eq!(md_escape("<script>"), "\\<script\\>");
        assert_eq!(md_escape("line1\nline2"), "line1 line2");
        assert_eq!(md_escape("- item"), "\\- item");
        assert_eq!(md_escape("1. first"), "1\\. first");
        assert_eq!(md_escape("`code`"), "\\`code\\`");
        assert_eq!(md_escape("{{ x }}"), "\\{\\{ x \\}\\}");
    }

    #[test]
    fn mermaid_text_has_no_separators() {
        assert_eq!(
            mermaid_text("Pay: card #2; done".into()),
            "Pay： card ＃2； done"
        );
        assert_eq!(mermaid_text(" \n ".into()), "–");
        assert_eq!(mermaid_text("Title page".into()), "\u{200B}Title page");
        assert_eq!(
            mermaid_text("Journey planning".into()),
            "\u{200B}Journey planning"
        );
        assert_eq!(mermaid_text("Planning".into()), "Planning");
    }
}
