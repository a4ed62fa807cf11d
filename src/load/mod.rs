//! Load: read a map file (and its persona file) into model types. The only module that knows
//! the YAML library (serde-saphyr), so that it can be swapped.
//!
//! Invariants: input size is capped before parsing; the parser runs with explicit depth, node
//! and alias budgets so that hostile input fails in milliseconds; every failure becomes a
//! diagnostic with file, line and column; when the typed parse fails the text is re-parsed
//! for syntax alone, so a bad indent is reported as a syntax error, not a missing key.

pub mod confine;
mod shape;

use crate::diagnostic::Code;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_saphyr::{Error as YamlError, Options, budget::BudgetBreach};

use crate::diagnostic::{Diagnostic, Sources};
use crate::model::{CodebookRef, Journey, Persona, PersonaRef, Pos, Spanned, ThemesFile};

/// Largest map or persona file we parse. A realistic 60-stage map is about 100 KB.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Deepest nesting of mappings and sequences; a map needs about eight.
pub const MAX_DEPTH: usize = 32;
/// Most YAML nodes (scalars, mappings, sequences) in one file.
pub const MAX_NODES: usize = 200_000;
/// Most events replayed from aliases in one file (alias bombs expand here). A map that
/// shares a few touchpoints through anchors replays a few hundred.
pub const MAX_ALIAS_REPLAY: usize = 10_000;

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Spanned {
            value: s.value,
            pos: Pos {
                line: usize::try_from(s.referenced.line()).unwrap_or(0),
                col: usize::try_from(s.referenced.column()).unwrap_or(0),
            },
        })
    }
}

/// Why a map could not be loaded.
#[derive(Debug)]
pub enum Failure {
    /// The map file itself cannot be read (missing, a folder, no permission): a failure of
    /// the run (exit 2), not a problem in the map.
    Unreadable(Vec<Diagnostic>),
    /// The map or its persona file has problems (exit 1).
    Problems(Vec<Diagnostic>),
}

impl Failure {
    pub fn is_unreadable(&self) -> bool {
        matches!(self, Failure::Unreadable(_))
    }

    pub fn diagnostics(self) -> Vec<Diagnostic> {
        match self {
            Failure::Unreadable(d) | Failure::Problems(d) => d,
        }
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(d: Vec<Diagnostic>) -> Failure {
        Failure::Problems(d)
    }
}

/// A map as loaded: the journey with its persona resolved, and the display name of its file.
#[derive(Debug)]
pub struct Loaded {
    pub file: String,
    pub path: PathBuf,
    pub journey: Journey,
    /// The persona, inline or read from its file.
    pub persona: Option<Persona>,
    /// Where the top-level mapping starts (the first line that is not blank or a comment),
    /// for diagnostics about a key the map lacks.
    pub root: Pos,
    /// The folder this map may read files from (see [`confinement`]).
    pub confine: PathBuf,
    /// The themes file the codebook was read from (`themes: x.themes.yaml`), and its display
    /// name; `None` when the codebook is inline or absent.
    pub themes_file: Option<(PathBuf, String)>,
    /// The map's shape problems, when the rest of it could be read without the entries
    /// they concern: reported first by validation, which checks the rest.
    pub shape: Vec<Diagnostic>,
}

impl Loaded {
    /// The file that holds the codebook, for diagnostics about it.
    pub fn codebook_file(&self) -> &str {
        self.themes_file.as_ref().map_or(&self.file, |(_, f)| f)
    }
}

/// Read and parse one map. I/O failure of the map itself is a diagnostic too (JM000); the
/// caller decides the exit code from it.
pub fn load(
    path: &Path,
    sources: &mut Sources,
    explicit_root: Option<&Path>,
) -> Result<Loaded, Failure> {
    let file = display(path);
    let confine = confine::root_of(path, explicit_root);
    let real = confine::named(path).map_err(|refusal| {
        let (code, message) = match refusal {
            confine::Refusal::Refused(why) => (Code::OutsideRoot, why),
            confine::Refusal::Unreadable(why) => {
                (Code::Unreadable, format!("cannot read {file}: {why}"))
            }
        };
        let d = Diagnostic::new(code, &file, Pos::default(), message);
        if code == Code::Unreadable {
            Failure::Unreadable(vec![d])
        } else {
            Failure::Problems(vec![d])
        }
    })?;
    let text = read_text(&real, &file, None).map_err(|(d, unreadable)| {
        if unreadable {
            Failure::Unreadable(vec![*d])
        } else {
            Failure::Problems(vec![*d])
        }
    })?;
    sources.add(&file, &text);
    let (mut journey, shape): (Journey, _) =
        parse_salvaged(&text, &file).map_err(Failure::Problems)?;
    let themes_file = read_codebook(path, &file, &confine, &mut journey, sources)?;
    let persona = match &journey.persona {
        None => None,
        Some(Spanned {
            value: PersonaRef::Inline(p),
            ..
        }) => Some(p.clone()),
        Some(Spanned {
            value: PersonaRef::Path(rel),
            pos,
        }) => {
            let ppath = relative_to(path, rel);
            let pfile = display(&ppath);
            let real = confined(&ppath, &confine, "persona file", &file, *pos)?;
            // A persona file that cannot be read is a problem in the map, reported there.
            let ptext = read_text(&real, &pfile, Some((&file, *pos)))
                .map_err(|(d, _)| Failure::Problems(vec![*d]))?;
            sources.add(&pfile, &ptext);
            Some(parse::<Persona>(&ptext, &pfile).map_err(Failure::Problems)?)
        }
    };
    let root = text
        .lines()
        .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map_or(Pos { line: 1, col: 1 }, |i| Pos {
            line: i + 1,
            col: 1,
        });
    Ok(Loaded {
        file,
        path: path.to_owned(),
        journey,
        persona,
        root,
        confine,
        themes_file,
        shape,
    })
}

/// The real path of a file the map names at `pos`, or the diagnostic that refuses it: JM007
/// outside the folder, JM000 when it cannot be read.
fn confined(
    path: &Path,
    root: &Path,
    what: &str,
    file: &str,
    pos: Pos,
) -> Result<PathBuf, Failure> {
    confine::resolve(path, root).map_err(|refusal| {
        let (code, message) = refusal.said(what, &display(path));
        Failure::Problems(vec![Diagnostic::new(code, file, pos, message)])
    })
}

/// A codebook the map names by path (`themes: x.themes.yaml`): read from inside the map's
/// folder and put in the journey, as if written inline. Its file and display name are
/// returned, for diagnostics and for the files a render depends on.
fn read_codebook(
    path: &Path,
    file: &str,
    confine: &Path,
    journey: &mut Journey,
    sources: &mut Sources,
) -> Result<Option<(PathBuf, String)>, Failure> {
    let Some(Spanned {
        value: CodebookRef::Path(rel),
        pos,
    }) = &journey.themes
    else {
        return Ok(None);
    };
    let pos = *pos;
    let tpath = relative_to(path, rel);
    let tfile = display(&tpath);
    let real = confined(&tpath, confine, "themes file", file, pos)?;
    let ttext = read_text(&real, &tfile, Some((file, pos)))
        .map_err(|(d, _)| Failure::Problems(vec![*d]))?;
    sources.add(&tfile, &ttext);
    let book: ThemesFile = parse(&ttext, &tfile).map_err(Failure::Problems)?;
    journey.themes = Some(Spanned {
        value: CodebookRef::Inline(book.themes),
        pos,
    });
    Ok(Some((tpath, tfile)))
}

/// The `title:` of a Mermaid front-matter block (other keys are ignored), parsed with the
/// same budgets as maps.
pub fn front_matter_title(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct FrontMatter {
        title: Option<String>,
    }
    serde_saphyr::from_str_with_options::<FrontMatter>(text, options())
        .ok()?
        .title
}

/// A path named inside a map (persona, survey), relative to the map's directory, with `.`
/// and `dir/..` removed lexically so that messages read `surveys/a.csv`, not
/// `maps/../surveys/a.csv`.
pub fn relative_to(map: &Path, rel: &str) -> PathBuf {
    use std::path::Component;
    let joined = map.parent().unwrap_or(Path::new("")).join(rel);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A map from text alone (no files around it: a persona path is left unresolved). For
/// fuzzing and for tools that hold a map in memory.
pub fn from_text(text: &str, file: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let journey: Journey = parse(text, file)?;
    let persona = match &journey.persona {
        Some(Spanned {
            value: PersonaRef::Inline(p),
            ..
        }) => Some(p.clone()),
        _ => None,
    };
    Ok(Loaded {
        file: file.to_owned(),
        path: PathBuf::from(file),
        journey,
        persona,
        root: Pos { line: 1, col: 1 },
        confine: PathBuf::from("."),
        themes_file: None,
        shape: Vec::new(),
    })
}

/// A path as the user wrote it, with `/` separators, for diagnostics and outputs.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The bytes of a regular file no larger than `limit`, enforced while reading (a pseudo-file
/// may claim any size), for every file journeymap reads whole.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is larger than {limit} bytes, the limit"),
        ));
    }
    Ok(bytes)
}

/// Read a UTF-8 text file no larger than [`MAX_FILE_BYTES`]. `from` is where the file was
/// named (a persona path inside a map), so an unreadable file is reported there.
/// A problem with a file's content, as [`read_text`] reports it.
fn problem(d: Diagnostic) -> (Box<Diagnostic>, bool) {
    (Box::new(d), false)
}

fn read_text(
    path: &Path,
    file: &str,
    from: Option<(&str, Pos)>,
) -> Result<String, (Box<Diagnostic>, bool)> {
    // The second half says whether the file could not be read at all.
    let at = |msg: String| -> (Box<Diagnostic>, bool) {
        let d = match from {
            Some((f, pos)) => Diagnostic::new(Code::Unreadable, f, pos, msg),
            None => Diagnostic::new(Code::Unreadable, file, Pos::default(), msg),
        };
        (Box::new(d), true)
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| at(format!("cannot read {file}: {}", io_reason(&e))))?;
    if !meta.is_file() {
        return Err(at(format!("cannot read {file}: it is not a regular file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(problem(Diagnostic::new(
            Code::OverBudget,
            file,
            Pos { line: 1, col: 1 },
            format!(
                "the file is {} bytes, over the limit of {MAX_FILE_BYTES} bytes for a map",
                meta.len()
            ),
        )));
    }
    // The size is enforced while reading too: /proc files say 0 bytes and go on forever.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES + 1), &mut bytes)
        })
        .map_err(|e| at(format!("cannot read {file}: {}", io_reason(&e))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(problem(Diagnostic::new(
            Code::OverBudget,
            file,
            Pos { line: 1, col: 1 },
            format!("the file holds more than {MAX_FILE_BYTES} bytes, the limit for a map"),
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            // Safe: `good` is the valid prefix reported by from_utf8.
            let good = std::str::from_utf8(good).unwrap_or("");
            let line = good.matches('\n').count() + 1;
            let col = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(problem(Diagnostic::new(
                Code::Syntax,
                file,
                Pos { line, col },
                "the file is not valid UTF-8; save it as UTF-8",
            )))
        }
    }
}

fn options() -> Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_nodes: MAX_NODES,
            max_events: 4 * MAX_NODES,
            max_aliases: 10_000,
            max_anchors: 10_000,
            max_documents: 1,
            max_total_scalar_bytes: MAX_FILE_BYTES as usize,
            max_recorded_anchor_events: MAX_ALIAS_REPLAY,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_ALIAS_REPLAY,
            max_replay_stack_depth: 16,
            max_alias_expansions_per_anchor: 1_000,
        },
        with_snippet: false,
        // YAML 1.2: `yes`, `no`, `on` and `off` are text. A `where: {keep: yes}` must keep
        // the rows that say `yes`, not the ones that say `true`.
        strict_booleans: true,
        // `.nan` and `.inf` are text wherever a map wants text, buffered or not; where it
        // wants a number they are refused as not numbers (a curve cannot plot them).
        non_finite_float_policy: serde_saphyr::NonFiniteFloatPolicy::AsString,
    }
}

/// Parse `text` as `T`. On failure, every problem of the file's shape (types, unknown keys,
/// words, missing keys) is reported in one go by [`shape::check`]; a syntax error or a
/// budget breach is reported alone, since nothing after it can be trusted.
pub fn parse<T: DeserializeOwned + JsonSchema>(
    text: &str,
    file: &str,
) -> Result<T, Vec<Diagnostic>> {
    parse_salvaged(text, file).and_then(
        |(v, shape)| {
            if shape.is_empty() { Ok(v) } else { Err(shape) }
        },
    )
}

/// Parse `text` as `T`, as [`parse`] does; but when every shape problem is an entry that can
/// be left out (an unknown key, a value of the wrong type under a key), the file is parsed
/// again without those entries, and that value is returned with the shape problems, so that
/// the checks of meaning run in the same pass (README: "validate reports every mistake in
/// one run").
pub fn parse_salvaged<T: DeserializeOwned + JsonSchema>(
    text: &str,
    file: &str,
) -> Result<(T, Vec<Diagnostic>), Vec<Diagnostic>> {
    if text.trim().is_empty() || text.lines().all(|l| l.trim_start().starts_with('#')) {
        return Err(vec![Diagnostic::new(
            Code::MissingKey,
            file,
            Pos { line: 1, col: 1 },
            "the file is empty; a map needs at least `journeymap: 1`, `title:` and `stages:`",
        )]);
    }
    // Tags are rare in text (a `!` then a name): only a file with a `!` is scanned for them.
    if text.contains('!')
        && let Some(pos) = shape::first_tag(text)
    {
        return Err(vec![
            Diagnostic::new(
                Code::WrongType,
                file,
                pos,
                "YAML tags (`!!binary`, `!name`) are not used in maps; write the value plainly",
            )
            .with_label("a tag"),
        ]);
    }
    match serde_saphyr::from_str_with_options::<T>(text, options()) {
        Ok(v) => Ok((v, Vec::new())),
        Err(typed) if is_limit(&typed) => Err(vec![to_diagnostic(&typed, file, text)]),
        Err(typed) => {
            // A type error may really be a syntax error further down (a bad indent turns
            // a key into part of a scalar): the syntax-only parse tells them apart. (Not
            // after a budget breach: that would do the expensive part twice.)
            match serde_saphyr::from_str_with_options::<IgnoredAny>(text, options()) {
                Err(syntax) => Err(vec![to_diagnostic(&syntax, file, text)]),
                Ok(_) => {
                    let first = to_diagnostic(&typed, file, text);
                    let schema = serde_json::to_value(schemars::schema_for!(T))
                        .unwrap_or(serde_json::Value::Null);
                    let (mut all, repaired) = shape::salvage(text, file, &schema);
                    // The typed parse's own finding stays unless the pass found the same
                    // line (where its message is the more precise one).
                    if !all.iter().any(|d| d.pos.line == first.pos.line) {
                        all.push(first);
                        all.sort_by_key(|d| d.pos);
                        return Err(all);
                    }
                    match repaired
                        .and_then(|t| serde_saphyr::from_str_with_options::<T>(&t, options()).ok())
                    {
                        Some(v) => Ok((v, all)),
                        None => Err(all),
                    }
                }
            }
        }
    }
}

/// Whether the parse stopped at one of our budgets (depth, nodes, aliases).
fn is_limit(err: &YamlError) -> bool {
    let mut inner = err.without_snippet();
    while let YamlError::AliasError { error, .. } = inner {
        inner = error;
    }
    matches!(
        inner,
        YamlError::Budget { .. }
            | YamlError::AliasReplayLimitExceeded { .. }
            | YamlError::AliasExpansionLimitExceeded { .. }
            | YamlError::AliasReplayStackDepthExceeded { .. }
            | YamlError::AliasReplayCounterOverflow { .. }
    )
}

fn to_diagnostic(err: &YamlError, file: &str, text: &str) -> Diagnostic {
    let err = err.without_snippet();
    let pos = err
        .location()
        .map(|l| Pos {
            line: usize::try_from(l.line()).unwrap_or(0),
            col: usize::try_from(l.column()).unwrap_or(0),
        })
        .unwrap_or_default();
    let mut inner = err;
    while let YamlError::AliasError { error, .. } = inner {
        inner = error;
    }
    let (code, message, label) = match inner {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (
            Code::UnknownKey,
            format!("unknown key `{field}`{}", hint(field, expected)),
            "unknown key",
        ),
        YamlError::SerdeMissingField { field, .. } => {
            return Diagnostic::new(
                Code::MissingKey,
                file,
                mapping_start(text, pos),
                format!("missing required key `{field}`"),
            )
            .with_label("this mapping lacks it");
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            Code::WrongType,
            format!("`{variant}` is not allowed here{}", hint(variant, expected)),
            "not an allowed value",
        ),
        YamlError::SerdeInvalidType { .. }
        | YamlError::SerdeInvalidValue { .. }
        | YamlError::SerdeInvalidLength { .. }
        | YamlError::InvalidScalar { .. }
        | YamlError::NullIntoString { .. }
        | YamlError::InvalidBooleanStrict { .. }
        | YamlError::Message { .. } => {
            let mut m = message_of(inner);
            if [".nan\"", ".inf\""].iter().any(|v| m.contains(v)) {
                m.push_str("; `.nan` and `.inf` are not numbers a map can use");
            }
            (Code::WrongType, m, "wrong type")
        }
        YamlError::Unexpected { expected, .. } => {
            let what = match *expected {
                "sequence start" => "a list",
                "mapping start" => "a mapping of keys to values",
                other => other,
            };
            (
                Code::WrongType,
                format!("expected {what} here"),
                "wrong type",
            )
        }
        YamlError::Budget { breach, .. } => {
            (Code::OverBudget, budget_message(breach), "limit reached")
        }
        YamlError::AliasReplayLimitExceeded { .. }
        | YamlError::AliasExpansionLimitExceeded { .. }
        | YamlError::AliasReplayStackDepthExceeded { .. }
        | YamlError::AliasReplayCounterOverflow { .. } => (
            Code::OverBudget,
            format!(
                "aliases expand to too much YAML (limit: {MAX_ALIAS_REPLAY} replayed nodes); write the values out or use fewer aliases"
            ),
            "limit reached",
        ),
        _ => {
            let message = message_of(inner);
            if message.contains("recursion limit") {
                (Code::OverBudget, limit_message(&nesting()), "limit reached")
            } else {
                (Code::Syntax, message, "syntax error")
            }
        }
    };
    Diagnostic::new(code, file, pos, message).with_label(label)
}

/// The first key of the block mapping around `pos`: serde reports a missing key where the
/// mapping ends, but the mapping that lacks it is easier to find by its first line. Walks up
/// over keys at the same indentation to the line that opens the mapping (`- key:` in a list,
/// or the first key after a less-indented parent).
fn mapping_start(text: &str, pos: Pos) -> Pos {
    let lines: Vec<&str> = text.lines().collect();
    let indent = pos.col.saturating_sub(1);
    let mut best = pos;
    for l in (1..=pos.line.min(lines.len())).rev() {
        let line = lines[l - 1];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some(head) = line.get(..indent) else {
            break;
        };
        if head.chars().all(|c| c == ' ') && !line[indent..].starts_with(' ') {
            best = Pos {
                line: l,
                col: pos.col,
            };
        } else if head.ends_with("- ") && head[..indent - 2].chars().all(|c| c == ' ') {
            return Pos {
                line: l,
                col: pos.col,
            };
        } else {
            break;
        }
    }
    best
}

/// Why a file could not be read, in words.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => {
            // The OS's words ("File too large (os error 27)") as the rest of a sentence.
            let t = e.to_string();
            let t = t.find(" (os error").map_or(t.as_str(), |i| &t[..i]);
            let mut c = t.chars();
            c.next()
                .map_or_else(String::new, |first| first.to_lowercase().chain(c).collect())
        }
    }
}

/// The library's message without its own location suffix, as one sentence.
fn message_of(err: &YamlError) -> String {
    let text = err.render_with_options(serde_saphyr::render_options! {
        snippets: serde_saphyr::SnippetMode::Off,
    });
    let first = text.lines().next().unwrap_or("").trim();
    let first = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    let first = first.strip_prefix("error: ").unwrap_or(first);
    in_map_terms(first.trim_end_matches('.'))
}

/// The YAML library's words for its own options and types said in the map's terms.
fn in_map_terms(message: &str) -> String {
    if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(',').next().unwrap_or(key).trim();
        return format!("the key `{key}` appears twice in the same mapping; keep one");
    }
    let mut m = message.to_owned();
    for (theirs, ours) in [
        ("; use Option<String>", ""),
        (" into string", " where text is expected"),
        (", set DuplicateKeyPolicy in Options if acceptable", ""),
        (" rejected by the configured policy", " not allowed in maps"),
    ] {
        m = m.replace(theirs, ours);
    }
    m
}

fn nesting() -> String {
    format!("nesting is deeper than {MAX_DEPTH} levels")
}

fn limit_message(what: &str) -> String {
    format!("{what}; this is a limit that keeps journeymap safe on hostile input")
}

fn budget_message(breach: &BudgetBreach) -> String {
    let what = match breach {
        BudgetBreach::Depth { .. } => nesting(),
        BudgetBreach::Nodes { .. } | BudgetBreach::Events { .. } => {
            format!("the file has more than {MAX_NODES} YAML nodes")
        }
        BudgetBreach::Documents { .. } => {
            "the file holds more than one YAML document; put one map in each file".to_owned()
        }
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. } => {
            format!("aliases expand to too much YAML (limit: {MAX_ALIAS_REPLAY} replayed nodes)")
        }
        BudgetBreach::ScalarBytes { .. } | BudgetBreach::InputBytes { .. } => {
            format!("the file holds more than {MAX_FILE_BYTES} bytes of text")
        }
        other => format!("a YAML budget was exceeded ({other:?})"),
    };
    limit_message(&what)
}

/// ", did you mean `x`?" when one of `expected` is close to `got`, else the allowed list.
fn hint(got: &str, expected: &[&str]) -> String {
    match crate::suggest::did_you_mean(got, expected.iter().copied()) {
        hint if !hint.is_empty() => hint,
        _ if expected.is_empty() => String::new(),
        _ => format!("; expected one of: {}", expected.join(", ")),
    }
}
