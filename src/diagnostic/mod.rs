//! Diagnostics: problems in the user's files, collected (never thrown) and printed in one of
//! four formats. Every diagnostic has a stable code, a file, a 1-based line and column, and a
//! one-sentence message; the human format adds the source line with a caret.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use serde::Serialize;

use crate::model::Pos;

mod code;
pub mod explain;
pub use code::Code;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary place that helps explain a diagnostic ("first defined here").
#[derive(Debug, Clone)]
pub struct Label {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub file: String,
    pub pos: Pos,
    /// Short text under the caret in the human format.
    pub label: String,
    pub secondary: Vec<Label>,
}

impl Diagnostic {
    /// A diagnostic with the severity its code carries.
    pub fn new(code: Code, file: &str, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: code.severity(),
            code,
            message: message.into(),
            file: file.to_owned(),
            pos,
            label: String::new(),
            secondary: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_secondary(mut self, file: &str, pos: Pos, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            file: file.to_owned(),
            pos,
            message: message.into(),
        });
        self
    }
}

/// Source texts by display name, so the human format can quote lines. Each text is made
/// inert once (control characters other than line breaks and tabs become U+FFFD, one
/// character for one, so columns stay right) and its line starts are indexed once, so
/// printing any number of diagnostics costs the size of the files once.
#[derive(Debug, Default)]
pub struct Sources(BTreeMap<String, Source>);

#[derive(Debug)]
struct Source {
    text: String,
    line_starts: Vec<usize>,
}

impl Sources {
    pub fn add(&mut self, name: &str, text: &str) {
        let text: String = text
            .chars()
            .map(|c| {
                if is_unsafe_in_terminal(c) {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        self.0.insert(name.to_owned(), Source { text, line_starts });
    }
    pub fn extend(&mut self, other: Sources) {
        self.0.extend(other.0);
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|s| s.text.as_str())
    }
    fn line_start(&self, name: &str, line: usize) -> Option<usize> {
        self.0.get(name)?.line_starts.get(line.max(1) - 1).copied()
    }
}

/// Characters a terminal or a CI log would act on rather than show: C0 and C1 controls other
/// than line feed and tab (ESC starts terminal sequences, a lone CR rewrites the line), and
/// the bidirectional overrides that reorder what is shown.
fn is_unsafe_in_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from a user's file as one inert line: line breaks, controls and bidi overrides are
/// shown as escapes, so a message can neither start a new line (a forged `::error` for CI)
/// nor drive the terminal.
pub fn inert(s: &str) -> std::borrow::Cow<'_, str> {
    if !s
        .chars()
        .any(|c| c == '\n' || c == '\t' || is_unsafe_in_terminal(c))
    {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_in_terminal(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Short,
    Json,
    Github,
}

/// Print diagnostics in `format` to a string, in the order given.
pub fn format_all(diags: &[Diagnostic], sources: &Sources, format: Format) -> String {
    let mut out = String::new();
    // Each file is handed to the renderer once, however many diagnostics quote it.
    let mut files = Files::default();
    for d in diags {
        match format {
            Format::Human => out.push_str(&human(d, sources, &mut files)),
            Format::Short => {
                let _ = writeln!(
                    out,
                    "{}:{}:{}: {}[{}]: {}",
                    inert(&d.file),
                    d.pos.line,
                    d.pos.col,
                    d.severity.as_str(),
                    d.code.id(),
                    inert(&d.message)
                );
            }
            Format::Json => {
                #[derive(Serialize)]
                struct Line<'a> {
                    severity: Severity,
                    file: &'a str,
                    line: usize,
                    column: usize,
                    code: &'a str,
                    message: &'a str,
                }
                let line = Line {
                    severity: d.severity,
                    file: &d.file,
                    line: d.pos.line,
                    column: d.pos.col,
                    code: d.code.id(),
                    message: &d.message,
                };
                // Serialising a struct of strings and integers cannot fail.
                out.push_str(&serde_json::to_string(&line).unwrap_or_default());
                out.push('\n');
            }
            Format::Github => {
                let _ = writeln!(
                    out,
                    "::{} file={},line={},col={}::[{}] {}",
                    d.severity.as_str(),
                    gh_property(&d.file),
                    d.pos.line,
                    d.pos.col,
                    d.code.id(),
                    gh_data(&d.message)
                );
            }
        }
    }
    out
}

/// A one-line count for the end of a human report: "2 errors, 1 warning".
pub fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// The last line of a human report with diagnostics: where to read more about the first
/// error's code (or the first warning's).
pub fn explain_hint(diags: &[Diagnostic]) -> String {
    let first = diags
        .iter()
        .find(|d| d.severity == Severity::Error)
        .or(diags.first());
    first.map_or_else(String::new, |d| {
        format!(
            "For more on {0}, and how to fix it: journeymap explain {0}\n",
            d.code.id()
        )
    })
}

// GitHub workflow commands: https://docs.github.com/actions (escaping rules for data and
// properties of `::error` commands).
fn gh_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    // Other controls (ESC) and bidi overrides are shown, not acted on.
    inert(&s).into_owned()
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The files the human format has handed to the renderer, by name.
#[derive(Default)]
struct Files {
    files: SimpleFiles<String, String>,
    ids: BTreeMap<String, usize>,
}

impl Files {
    fn id(&mut self, sources: &Sources, name: &str) -> Option<usize> {
        if let Some(id) = self.ids.get(name) {
            return Some(*id);
        }
        let text = sources.get(name)?;
        let id = self.files.add(inert(name).into_owned(), text.to_owned());
        self.ids.insert(name.to_owned(), id);
        Some(id)
    }
}

fn human(d: &Diagnostic, sources: &Sources, files: &mut Files) -> String {
    let message = inert(&d.message);
    // Survey CSV files are not kept in memory to be quoted: name the place only.
    if sources.get(&d.file).is_none() && d.secondary.is_empty() {
        return format!(
            "{}[{}]: {}\n  --> {}\n\n",
            d.severity.as_str(),
            d.code.id(),
            message,
            location(&d.file, d.pos)
        );
    }
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut diag = cs::Diagnostic::new(severity)
        .with_code(d.code.id())
        .with_message(message);
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    match (files.id(sources, &d.file), sources.get(&d.file)) {
        (Some(id), Some(text)) if d.pos.line > 0 => {
            let range = token_range(text, sources.line_start(&d.file, d.pos.line), d.pos);
            labels.push(cs::Label::primary(id, range).with_message(inert(&d.label)));
        }
        _ => notes.push(format!("in {}", location(&d.file, d.pos))),
    }
    for l in &d.secondary {
        match (files.id(sources, &l.file), sources.get(&l.file)) {
            (Some(id), Some(text)) if l.pos.line > 0 => {
                let range = token_range(text, sources.line_start(&l.file, l.pos.line), l.pos);
                labels.push(cs::Label::secondary(id, range).with_message(inert(&l.message)));
            }
            _ => notes.push(format!(
                "{}: {}",
                location(&l.file, l.pos),
                inert(&l.message)
            )),
        }
    }
    diag = diag.with_labels(labels).with_notes(notes);
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    term::emit_into_string(&config, &files.files, &diag)
        .unwrap_or_else(|_| format!("{}\n", location(&d.file, d.pos)))
}

fn location(file: &str, pos: Pos) -> String {
    let file = inert(file);
    if pos.line == 0 {
        file.into_owned()
    } else {
        format!("{file}:{}:{}", pos.line, pos.col)
    }
}

/// Byte range of the token that starts at `pos`: a quoted string to its closing quote, a
/// plain scalar to the end of the line (or of the flow item), one character otherwise.
pub fn token_range(text: &str, line_start: Option<usize>, pos: Pos) -> std::ops::Range<usize> {
    let Some(line_start) = line_start.filter(|s| *s <= text.len()) else {
        return text.len()..text.len();
    };
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let start_in_line = line
        .char_indices()
        .nth(pos.col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start_in_line..];
    let before = &line[..start_in_line];
    let in_flow = before.matches(['[', '{']).count() > before.matches([']', '}']).count();
    let len = match rest.chars().next() {
        None => 0,
        Some(q @ ('"' | '\'')) => rest[1..]
            .find(q)
            .map_or(rest.len(), |i| i + 2)
            .min(rest.len()),
        Some(c @ ('[' | '{' | '-' | '|' | '>')) => c.len_utf8(),
        Some(_) => {
            let mut end = rest.find(" #").unwrap_or(rest.len());
            if in_flow {
                end = end.min(rest.find([',', ']', '}']).unwrap_or(rest.len()));
            }
            // A key's position covers the key only.
            if let Some(colon) = rest[..end].find(": ") {
                end = colon;
            }
            rest[..end].trim_end().len()
        }
    };
    let start = line_start + start_in_line;
    start..start + len.max(usize::from(!rest.is_empty()))
}

#[cfg(test)]
fn line_offset(text: &str, line: usize) -> Option<usize> {
    if line <= 1 {
        return Some(0);
    }
    text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_range_covers_plain_quoted_and_flow_scalars() {
        let text = "a: hello world # c\nb: \"q x\" \nc: [one, two]\n";
        assert_eq!(
            &text[token_range(text, line_offset(text, 1), Pos { line: 1, col: 4 })],
            "hello world"
        );
        let at = |line, col| token_range(text, line_offset(text, line), Pos { line, col });
        assert_eq!(&text[at(2, 4)], "\"q x\"");
        assert_eq!(&text[at(3, 10)], "two");
        assert_eq!(&text[at(1, 1)], "a");
    }

    #[test]
    fn github_format_escapes_properties_and_data() {
        let d = Diagnostic::new(
            Code::Syntax,
            "a,b:c.yaml",
            Pos { line: 2, col: 3 },
            "50%\nbad",
        );
        let out = format_all(&[d], &Sources::default(), Format::Github);
        assert_eq!(
            out,
            "::error file=a%2Cb%3Ac.yaml,line=2,col=3::[JM001] 50%25%0Abad\n"
        );
    }
}
