//! Parsing a YAML document into a map, a persona or a codebook, with the budgets every
//! document is parsed under, and serde-saphyr's errors turned into diagnostics a map's author
//! can act on.
//!
//! Invariants: every parse goes through [`options`] (depth, nodes, aliases, one document,
//! YAML 1.2 booleans); a syntax error or a budget breach is reported alone, since nothing after
//! it can be trusted; shape problems are all reported in one go (`shape.rs`).

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_saphyr::{Error as YamlError, Options, budget::BudgetBreach};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Pos;

use super::shape;

/// Largest map or persona file we parse. A realistic 60-stage map is about 100 KB.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Deepest nesting of mappings and sequences; a map needs about eight.
pub const MAX_DEPTH: usize = 32;
/// Most YAML nodes (scalars, mappings, sequences) in one file.
pub const MAX_NODES: usize = 200_000;
/// Most events replayed from aliases in one file (alias bombs expand here). A map that
/// shares a few touchpoints through anchors replays a few hundred.
pub const MAX_ALIAS_REPLAY: usize = 10_000;

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

/// Parse `text` as `T` within the same budgets, taking only the keys `T` names (another
/// map read for its title and stage ids): the first problem, as one diagnostic.
pub fn parse_part<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, Diagnostic> {
    serde_saphyr::from_str_with_options::<T>(text, options())
        .map_err(|e| to_diagnostic(&e, file, text))
}

/// Parse `text` as `T`, as [`parse`] does; but when every shape problem is an entry that can
/// be left out (an unknown key, a value of the wrong type under a key), the file is parsed
/// again without those entries, and that value is returned with the shape problems, so that
/// the checks of meaning run in the same pass (the guide: "validate reports every mistake in
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
    if let YamlError::SerdeMissingField { field, .. } = inner {
        return Diagnostic::new(
            Code::MissingKey,
            file,
            mapping_start(text, pos),
            format!("missing required key `{field}`"),
        )
        .with_label("this mapping lacks it");
    }
    let (code, message, label) = classify(inner);
    Diagnostic::new(code, file, pos, message).with_label(label)
}

/// A parse error's code, message and label (a missing key is placed apart, at its mapping).
fn classify(inner: &YamlError) -> (Code, String, &'static str) {
    match inner {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (
            Code::UnknownKey,
            format!("unknown key `{field}`{}", shape::hint(field, expected)),
            "unknown key",
        ),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (
            Code::WrongType,
            format!(
                "`{variant}` is not allowed here{}",
                shape::hint(variant, expected)
            ),
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
    }
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
