//! Import: a Mermaid `journey` diagram becomes a map file.
//!
//! Sections become stages (ids slugged and made unique; empty sections kept), tasks become
//! actions, the mean of the tasks' 1..5 scores becomes the stage emotion (mean − 3), the
//! actors become the persona (the most frequent one; all of them are named in its
//! description), and `title`, `accTitle`, `accDescr` and front-matter `title:` are kept.
//! The map is written as YAML whose strings are all double-quoted, so no text can change
//! its structure.

use crate::diagnostic::Code;
use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::Outcome;
use crate::diagnostic::{Diagnostic, Sources};
use crate::model::Pos;

#[derive(Debug, Default, PartialEq)]
pub struct Diagram {
    pub title: Option<String>,
    pub acc_title: Option<String>,
    pub acc_descr: Option<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, PartialEq)]
pub struct Section {
    pub name: String,
    pub tasks: Vec<Task>,
}

#[derive(Debug, PartialEq)]
pub struct Task {
    pub name: String,
    /// The task's score, when its data starts with a number.
    pub score: Option<f64>,
    pub people: Vec<String>,
}

fn syntax(file: &str, line: usize, col: usize, msg: impl Into<String>) -> Box<Diagnostic> {
    Box::new(Diagnostic::new(Code::MermaidSyntax, file, Pos { line, col }, msg).with_label("here"))
}

/// Parse the text of a `.mmd` file holding one `journey` diagram.
pub fn parse(text: &str, file: &str) -> Result<Diagram, Box<Diagnostic>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut d = Diagram::default();
    let mut i = front_matter(&lines, file, &mut d)?;
    let mut seen_header = false;
    let mut current: Option<Section> = None;
    while i < lines.len() {
        let raw = lines[i];
        let line_no = i + 1;
        i += 1;
        let mut stmt = raw.trim();
        let col = raw.len() - raw.trim_start().len() + 1;
        if stmt.is_empty() || stmt.starts_with("%%") {
            continue;
        }
        if !seen_header {
            if stmt == "journey" || stmt.starts_with("journey ") {
                seen_header = true;
                continue;
            }
            return Err(syntax(
                file,
                line_no,
                col,
                format!("expected `journey` to open the diagram, found `{stmt}`"),
            ));
        }
        // `accDescr { ... }` spans lines; text after the closing brace is a statement too.
        if let Some(rest) = stmt.strip_prefix("accDescr")
            && rest.trim_start().starts_with('{')
        {
            let (body, tail) = acc_descr_block(rest, &lines, &mut i, file, line_no, col)?;
            let text: Vec<&str> = body
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            d.acc_descr = Some(text.join("\n"));
            // The rest of the closing line (`}title …`) is a statement of its own; `i` is now
            // the index after that line, so its 1-based number.
            if !tail.is_empty() {
                statement(&tail, file, i, 1, &mut d, &mut current)?;
            }
            continue;
        }
        if let Some(c) = stmt.find("%%") {
            stmt = stmt[..c].trim_end();
        }
        statement(stmt, file, line_no, col, &mut d, &mut current)?;
    }
    if !seen_header {
        return Err(syntax(file, 1, 1, "the file holds no `journey` diagram"));
    }
    d.sections.extend(current);
    Ok(d)
}

/// Front-matter (`---` … `---` before the diagram): only its `title:` matters. The index of
/// the first line after it.
fn front_matter(lines: &[&str], file: &str, d: &mut Diagram) -> Result<usize, Box<Diagnostic>> {
    let mut i = 0;
    while i < lines.len() && lines[i].trim().is_empty() {
        i += 1;
    }
    if i < lines.len() && lines[i].trim() == "---" {
        let start = i + 1;
        let end = (start..lines.len())
            .find(|&j| lines[j].trim() == "---")
            .ok_or_else(|| {
                syntax(
                    file,
                    i + 1,
                    1,
                    "front-matter opened with `---` is never closed",
                )
            })?;
        let block = dedent(&lines[start..end]);
        d.title = crate::load::front_matter_title(&block);
        i = end + 1;
    }
    Ok(i)
}

/// An `accDescr { … }` block from `rest` (the text after `accDescr`) over as many lines as it
/// takes, `i` moved past them: its body, and the text after the closing brace. Only the text
/// added since the last look is searched, so a block that is never closed costs its length
/// once, not once per line.
fn acc_descr_block(
    rest: &str,
    lines: &[&str],
    i: &mut usize,
    file: &str,
    line_no: usize,
    col: usize,
) -> Result<(String, String), Box<Diagnostic>> {
    let mut body = rest.trim_start()[1..].to_owned();
    let mut searched = 0;
    loop {
        if let Some(close) = body[searched..].find('}').map(|c| c + searched) {
            let tail = body[close + 1..].trim().to_owned();
            body.truncate(close);
            return Ok((body, tail));
        }
        searched = body.len();
        if *i >= lines.len() {
            return Err(syntax(
                file,
                line_no,
                col,
                "`accDescr {` is never closed with `}`",
            ));
        }
        body.push('\n');
        body.push_str(lines[*i]);
        *i += 1;
    }
}

fn statement(
    stmt: &str,
    file: &str,
    line: usize,
    col: usize,
    d: &mut Diagram,
    current: &mut Option<Section>,
) -> Result<(), Box<Diagnostic>> {
    let keyword = |k: &str| -> Option<String> {
        let rest = stmt.strip_prefix(k)?;
        (rest.is_empty() || rest.starts_with([' ', '\t', ':'])).then(|| {
            rest.trim_start()
                .strip_prefix(':')
                .unwrap_or(rest)
                .trim()
                .to_owned()
        })
    };
    if let Some(t) = keyword("title") {
        d.title = Some(t);
    } else if let Some(t) = keyword("accTitle") {
        d.acc_title = Some(t);
    } else if let Some(t) = keyword("accDescr") {
        d.acc_descr = Some(t);
    } else if let Some(name) = keyword("section") {
        if let Some(done) = current.take() {
            d.sections.push(done);
        }
        *current = Some(Section {
            name: clean_breaks(&name),
            tasks: Vec::new(),
        });
    } else {
        let Some((name, data)) = stmt.split_once(':') else {
            return Err(syntax(
                file,
                line,
                col,
                format!(
                    "`{stmt}` is not a task: write `Task name: score: actors`, with a score from 1 to 5"
                ),
            ));
        };
        let mut parts = data.splitn(2, ':');
        let score_text = parts.next().unwrap_or("").trim();
        let people = parts
            .next()
            .map(|p| {
                p.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let task = Task {
            name: name.trim().to_owned(),
            score: score_text.parse::<f64>().ok().filter(|s| s.is_finite()),
            people,
        };
        current
            .get_or_insert_with(|| Section {
                name: String::new(),
                tasks: Vec::new(),
            })
            .tasks
            .push(task);
    }
    Ok(())
}

/// `<br>`, `<br/>`, `</br />` and friends, which Mermaid draws as line breaks, become spaces.
fn clean_breaks(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        let tag_end = rest[start..].find('>').map(|e| start + e + 1);
        let tag = tag_end.map(|e| rest[start + 1..e - 1].replace([' ', '\t', '/'], ""));
        match (tag_end, tag) {
            (Some(end), Some(t)) if t.eq_ignore_ascii_case("br") => {
                out.push_str(&rest[..start]);
                out.push(' ');
                rest = &rest[end..];
            }
            _ => {
                out.push_str(&rest[..=start]);
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A stage id from a section name: lower-case ASCII letters and digits, `-` between words.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_owned()
}

fn q(s: &str) -> String {
    // A JSON string is a YAML double-quoted scalar once the characters YAML does not allow
    // printed (DEL, the C1 controls, BOM and the two non-characters) are escaped too.
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(
            c,
            '\u{7f}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        ) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The map file for a diagram, as YAML text.
pub fn to_map(d: &Diagram, source_name: &str) -> String {
    let title = d
        .title
        .clone()
        .or_else(|| d.acc_title.clone())
        .unwrap_or_else(|| format!("Imported from {source_name}"));
    let mut out = String::new();
    out.push_str("# yaml-language-server: $schema=./journeymap.schema.json\n");
    out.push_str(&format!(
        "# Imported from the Mermaid journey diagram {source_name}.\n"
    ));
    out.push_str("journeymap: 1\n");
    out.push_str(&format!("title: {}\n", q(&title)));
    if let Some(desc) = &d.acc_descr {
        out.push_str(&format!("description: {}\n", q(desc)));
    }
    out.push_str(&persona(d));
    out.push_str("stages:\n");
    // Ids are unique whatever the names: `A`, `A-2`, `A` give a, a-2, a-3.
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut next: BTreeMap<String, usize> = BTreeMap::new();
    for (i, s) in d.sections.iter().enumerate() {
        let base = match slug(&s.name) {
            b if b.is_empty() => format!("stage-{}", i + 1),
            b => b,
        };
        let mut id = base.clone();
        let n = next.entry(base.clone()).or_insert(1);
        while taken.contains(&id) {
            *n += 1;
            id = format!("{base}-{n}");
        }
        taken.insert(id.clone());
        let name = if s.name.is_empty() {
            format!("Stage {}", i + 1)
        } else {
            s.name.clone()
        };
        out.push_str(&format!("  - id: {}\n    name: {}\n", q(&id), q(&name)));
        if !s.tasks.is_empty() {
            out.push_str("    actions:\n");
            for t in &s.tasks {
                out.push_str(&format!("      - {}\n", q(&t.name)));
            }
        }
        let scores: Vec<f64> = s.tasks.iter().filter_map(|t| t.score).collect();
        if !scores.is_empty() {
            let mean = scores.iter().sum::<f64>() / scores.len() as f64;
            let emotion = ((mean - 3.0).clamp(-2.0, 2.0) * 100.0).round() / 100.0;
            out.push_str(&format!("    emotion: {emotion}\n"));
        }
    }
    if d.sections.is_empty() {
        // A map needs a stage; an empty diagram still imports into something valid.
        out.push_str("  - id: \"journey\"\n    name: \"Journey\"\n");
    }
    out
}

/// The persona: the most frequent actor, with every actor named in its description. Actors
/// in order of first appearance, counted through an index (a diagram may name thousands).
fn persona(d: &Diagram) -> String {
    let mut out = String::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for p in d
        .sections
        .iter()
        .flat_map(|s| &s.tasks)
        .flat_map(|t| &t.people)
    {
        match index.get(p.as_str()) {
            Some(&i) => counts[i].1 += 1,
            None => {
                index.insert(p, counts.len());
                counts.push((p.clone(), 1));
            }
        }
    }
    if let Some((name, _)) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    {
        out.push_str(&format!("persona:\n  name: {}\n", q(name)));
        if counts.len() > 1 {
            let all: Vec<&str> = counts.iter().map(|(n, _)| n.as_str()).collect();
            out.push_str(&format!(
                "  description: {}\n",
                q(&format!("Actors in the diagram: {}.", all.join(", ")))
            ));
        }
    }
    out
}

/// `journeymap import mermaid FILE [-o MAP]`.
pub fn mermaid_command(file: &Path, output: Option<&Path>) -> Result<Outcome> {
    let name = crate::load::display(file);
    // A diagram in a repository is read only from inside it: a link to a file elsewhere is
    // refused (JM007) before anything is read or quoted.
    let real = match crate::load::confine::named(file) {
        Ok(real) => real,
        Err(crate::load::confine::Refusal::Unreadable(why)) => {
            anyhow::bail!("cannot read {name}: {why}")
        }
        Err(crate::load::confine::Refusal::Refused(why)) => {
            let d = Diagnostic::new(Code::OutsideRoot, &name, Pos::default(), why);
            let report = crate::diagnostic::format_all(
                &[d],
                &Sources::default(),
                crate::diagnostic::Format::Human,
            );
            eprint!("{report}");
            return Ok(Outcome::Problems);
        }
    };
    let bytes = crate::load::read_limited(&real, crate::load::MAX_FILE_BYTES)
        .with_context(|| format!("cannot read {name}"))?;
    let text = String::from_utf8(bytes).with_context(|| format!("{name} is not UTF-8 text"))?;
    let diagram = match parse(&text, &name) {
        Ok(d) => d,
        Err(diag) => {
            let mut sources = Sources::default();
            sources.add(&name, &text);
            let report =
                crate::diagnostic::format_all(&[*diag], &sources, crate::diagnostic::Format::Human);
            eprint!("{report}");
            return Ok(Outcome::Problems);
        }
    };
    let source_name = file
        .file_name()
        .map_or(name.clone(), |n| n.to_string_lossy().into_owned());
    let map = to_map(&diagram, &source_name);
    match output {
        None => crate::output::write_stdout(map.as_bytes())?,
        Some(p) if p == Path::new("-") => crate::output::write_stdout(map.as_bytes())?,
        Some(p) => {
            if p.exists() {
                anyhow::bail!("{} exists; import never overwrites", p.display());
            }
            crate::output::write_atomic(p, map.as_bytes())?;
        }
    }
    Ok(Outcome::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_scores_and_people() {
        let d = parse(
            "journey\ntitle T\nsection A\nx: 5: Al, Bo\ny: 3:Bo\nz: 5\nw: 5:\n",
            "f",
        )
        .unwrap();
        assert_eq!(d.title.as_deref(), Some("T"));
        let t = &d.sections[0].tasks;
        assert_eq!(t[0].people, ["Al", "Bo"]);
        assert_eq!(t[1].people, ["Bo"]);
        assert!(t[2].people.is_empty() && t[3].people.is_empty());
        assert_eq!(
            t.iter().map(|t| t.score).collect::<Vec<_>>(),
            [Some(5.0), Some(3.0), Some(5.0), Some(5.0)]
        );
    }

    #[test]
    fn breaks_and_slugs() {
        assert_eq!(
            clean_breaks("Line1<br>Line2<br/>Line3</br />Line4<br\t/>Line5"),
            "Line1 Line2 Line3 Line4 Line5"
        );
        assert_eq!(clean_breaks("a <b> c"), "a <b> c");
        assert_eq!(slug("Go to work!"), "go-to-work");
        assert_eq!(slug("要件定義"), "");
    }

    #[test]
    fn a_line_that_is_not_a_task_is_a_syntax_error_at_its_place() {
        let e = parse("journey\n  section A\n    task with no score\n", "f.mmd").unwrap_err();
        assert_eq!((e.code, e.pos.line, e.pos.col), (Code::MermaidSyntax, 3, 5));
        let e = parse("graph TD\n", "f.mmd").unwrap_err();
        assert_eq!(e.pos.line, 1);
    }
}
