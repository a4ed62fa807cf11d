//! How a diff is written: Markdown for a pull-request comment, or human text for a terminal
//! (`-f json` is the [`Changes`] themselves).
//!
//! Invariants: map text is escaped for Markdown, or made inert for a terminal; every section
//! lists its lines in the order the changes were found.

use super::changes::*;
use super::lines::*;

/// The changes as marked lines, grouped by heading; empty sections are left out.
fn sections(c: &Changes, style: Style) -> Vec<(&'static str, Lines)> {
    let mut out = vec![
        ("Bindings", binding_lines(c, style)),
        ("Source files", file_lines(c, style)),
        ("Stages", stage_lines(c, style)),
        ("Emotions", emotion_lines(c, style)),
        ("Pain points", pain_lines(c, style)),
        ("Solutions", solution_lines(c, style)),
        ("Backlog", backlog_lines(c, style)),
        ("Survey measures", measure_lines(c, style)),
        ("Themes", theme_lines(c, style)),
        ("Survey files", survey_lines(c, style)),
        ("Funnel", funnel_lines(c, style)),
        ("Measured reach", reach_lines(c, style)),
        ("Targets", super::improvement::target_lines(c, style)),
        (
            "Effects of shipped solutions",
            super::improvement::effect_lines(c, style),
        ),
        ("Tickets", super::tickets::lines(c, style)),
        ("Survey waves", wave_lines(c, style)),
    ];
    out.retain(|(_, lines)| !lines.is_empty());
    out
}

/// The diff as a pull-request comment.
pub fn markdown(c: &Changes) -> String {
    let mut s = format!(
        "**journeymap diff**: {} (`{}` → `{}`)\n",
        c.summary,
        c.old.replace('`', "'"),
        c.new.replace('`', "'")
    );
    s.push_str(&markdown_body(c, "###"));
    s
}

/// Sections of figures; the others say what was edited (bindings, files, the map itself).
const FIGURES: &[&str] = &[
    "Targets",
    "Effects of shipped solutions",
    "Survey measures",
    "Themes",
    "Survey files",
    "Survey waves",
    "Funnel",
    "Measured reach",
];

/// More lines of figures than this are folded into a `<details>` element, so a comment reads
/// in a minute: what was edited stays open above them.
const FOLD_AFTER: usize = 12;

/// The title change and the sections, with headings at `level` (`###`); the figure sections
/// folded when they run long.
pub(super) fn markdown_body(c: &Changes, level: &str) -> String {
    let mut s = String::new();
    if let Some(t) = &c.title {
        s.push_str(&format!(
            "\nTitle: {} → {}\n",
            crate::render::md_escape(&t.old),
            crate::render::md_escape(&t.new)
        ));
    }
    if let Some(p) = &c.parent {
        s.push_str(&format!(
            "\nParent: {} → {}\n",
            crate::render::md_escape(&p.old),
            crate::render::md_escape(&p.new)
        ));
    }
    let all = sections(c, Style { md: true });
    let figure_lines: usize = all
        .iter()
        .filter(|(h, _)| FIGURES.contains(h))
        .map(|(_, l)| l.len())
        .sum();
    let fold = figure_lines > FOLD_AFTER;
    let mut folded = false;
    for (heading, lines) in all {
        if fold && !folded && FIGURES.contains(&heading) {
            s.push_str(&format!(
                "\n<details><summary>{figure_lines} figures moved</summary>\n"
            ));
            folded = true;
        }
        s.push_str(&format!("\n{level} {heading}\n\n"));
        for (mark, line) in lines {
            s.push_str(&format!("- {} {line}\n", mark.emoji()));
        }
    }
    if folded {
        s.push_str("\n</details>\n");
    }
    s
}

/// The diff for a terminal, coloured when `colour` is set. Map text is shown, never acted
/// on: no line breaks, ESC or bidi overrides from a map reach the terminal.
pub fn human(c: &Changes, colour: bool) -> String {
    let paint = |mark: Mark| {
        if colour {
            format!("\x1b[{}m{}\x1b[0m", mark.colour(), mark.sign())
        } else {
            mark.sign().to_owned()
        }
    };
    let inert = crate::diagnostic::inert;
    let mut s = format!(
        "{} → {}: {}\n",
        inert(&c.old),
        inert(&c.new),
        inert(&c.summary)
    );
    if let Some(t) = &c.title {
        s.push_str(&format!("title: {} → {}\n", inert(&t.old), inert(&t.new)));
    }
    if let Some(p) = &c.parent {
        s.push_str(&format!("parent: {} → {}\n", inert(&p.old), inert(&p.new)));
    }
    for (heading, lines) in sections(c, Style { md: false }) {
        s.push_str(&format!("\n{heading}\n"));
        for (mark, line) in lines {
            s.push_str(&format!("  {} {}\n", paint(mark), inert(&line)));
        }
    }
    s
}
