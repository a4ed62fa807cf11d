//! The filters templates use, and the escaping behind them: Markdown text that renders as
//! written (no markup, no autolinks, no pings), Mermaid text without separators, anchors.
//!
//! Invariants: every string a Markdown template prints goes through one escaping function;
//! a filter never fails on text, whatever it holds.

use minijinja::{AutoEscape, Environment, State, Value};

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

/// The filters templates use: Markdown and Mermaid text, and numbers for people.
pub(super) fn add_filters(env: &mut Environment<'static>) {
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
pub(super) fn break_autolinks(s: &str) -> String {
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
pub(super) const MARKDOWN: AutoEscape = AutoEscape::Custom(std::borrow::Cow::Borrowed("markdown"));

pub(super) fn is_markdown(state: &State) -> bool {
    matches!(state.auto_escape(), AutoEscape::Custom(name) if name == "markdown")
}

/// A filter's Markdown output: safe in a Markdown template, plain (so HTML-escaped) in an
/// HTML one.
pub(super) fn md_safe(state: &State, s: String) -> Value {
    if is_markdown(state) {
        Value::from_safe_string(s)
    } else {
        Value::from(s)
    }
}

/// A URL inside Markdown's `<…>` link destination: the characters that would end it or
/// break it are percent-encoded.
pub(super) fn md_url(s: &str) -> String {
    s.replace('<', "%3C")
        .replace('>', "%3E")
        .replace(' ', "%20")
        .replace('|', "%7C")
        .replace('\\', "%5C")
}

/// Like `md`, for table cells: empty text becomes a dash so the column stays visible.
pub(super) fn md_cell(s: Option<String>) -> String {
    match s.as_deref().map(str::trim) {
        None | Some("") => "–".to_owned(),
        Some(t) => md_escape(t),
    }
}

/// Text safe inside a Mermaid `journey` line: Mermaid ends a task name at `:` and reads `#`
/// and `;` as entity and statement markers, so those become look-alike full-width forms;
/// line breaks become spaces.
pub(super) fn mermaid_text(s: String) -> String {
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
pub(super) fn mermaid_score(score: f64) -> i64 {
    ((score + 3.0).round() as i64).clamp(1, 5)
}

/// An id as a fragment identifier: ids are arbitrary text except for stages, so anything
/// outside [A-Za-z0-9_-] is percent-encoded.
pub(super) fn anchor(s: String) -> String {
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
