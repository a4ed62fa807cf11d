//! The README and the guide (`docs/`): every complete map they show is a real map that
//! validates, and every relative link leads to a file that exists, at a heading it has.

use std::path::{Path, PathBuf};

use crate::util::{code, root, run, stdout, tempdir};

/// README.md, CONTRIBUTING.md, ARCHITECTURE.md and every chapter of the guide.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = ["README.md", "CONTRIBUTING.md", "ARCHITECTURE.md"]
        .iter()
        .map(|p| root().join(p))
        .collect();
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    pages.extend(chapters);
    pages
}

/// The fenced blocks of a Markdown text: (language, first line number, text).
fn blocks(text: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => open = Some((lang.trim().to_owned(), i + 2, String::new())),
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some((_, _, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

#[test]
fn every_complete_map_in_the_readme_and_the_guide_validates() {
    let dir = tempdir();
    // A map may name the files of docs/examples/, as the chapter beside it does.
    for e in std::fs::read_dir(root().join("docs/examples")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let mut maps = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (lang, line, body) in blocks(&text) {
            let first = body
                .lines()
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
            let map = first.is_some_and(|l| l.starts_with("journeymap: 1"));
            if !matches!(lang.as_str(), "yaml" | "yml") || !map {
                continue;
            }
            maps += 1;
            let file = dir.path().join(format!("block-{maps}.journey.yaml"));
            std::fs::write(&file, &body).unwrap();
            let o = run(&["validate", "--format", "short", file.to_str().unwrap()]);
            assert_eq!(
                code(&o),
                0,
                "{}:{line}: the map does not validate:\n{}",
                page.display(),
                stdout(&o)
            );
        }
    }
    // The README's map and the map format's annotated one, at least.
    assert!(maps >= 2, "{maps} maps found");
}

/// A heading's anchor as GitHub makes it: lower case, spaces to `-`, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(page: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(page).unwrap();
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

#[test]
fn every_relative_link_leads_to_a_file_and_a_heading() {
    let link = |s: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = s;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                out.push(rest[..end].to_owned());
            }
        }
        out
    };
    let mut headings: std::collections::BTreeMap<PathBuf, Vec<String>> = Default::default();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let mut fenced = false;
        for line in text.lines() {
            if line.starts_with("```") {
                fenced = !fenced;
            }
            if fenced {
                continue;
            }
            for target in link(line) {
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, heading) = target.split_once('#').unwrap_or((&target, ""));
                let path = if file.is_empty() {
                    page.clone()
                } else {
                    page.parent().unwrap().join(file)
                };
                assert!(
                    path.exists(),
                    "{}: `{target}` leads to no file",
                    page.display()
                );
                if !heading.is_empty() {
                    let known = headings
                        .entry(path.clone())
                        .or_insert_with(|| anchors(&path));
                    assert!(
                        known.iter().any(|a| a == heading),
                        "{}: `{target}`: {} has no heading `#{heading}`",
                        page.display(),
                        path.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} links");
}

#[test]
fn the_readme_is_short_and_the_guide_has_its_chapters() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.lines().count() <= 300,
        "{} lines",
        readme.lines().count()
    );
    let summary = std::fs::read_to_string(root().join("docs/SUMMARY.md")).unwrap();
    let chapters: Vec<&str> = summary
        .lines()
        .filter_map(|l| l.strip_prefix("- [")?.split("](").nth(1)?.strip_suffix(')'))
        .collect();
    assert!(chapters.len() >= 8, "{chapters:?}");
    for c in &chapters {
        assert!(root().join("docs").join(c).is_file(), "{c}");
    }
    // Every subcommand of `--help` has its line in the reference.
    let reference = std::fs::read_to_string(root().join("docs/reference.md")).unwrap();
    let help = stdout(&run(&["--help"]));
    let commands = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help");
    for c in commands {
        assert!(
            reference.contains(&format!("`{c}")),
            "docs/reference.md lacks `{c}`"
        );
    }
}

/// The commands whose `--help` the reference holds, in its order.
const HELP_OF: &[&[&str]] = &[
    &["render"],
    &["serve"],
    &["validate"],
    &["init"],
    &["schema"],
    &["explain"],
    &["sql"],
    &["diff"],
    &["templates", "export"],
    &["import", "mermaid"],
    &["completions"],
    &["man"],
];

const HELP_START: &str = "<!-- Generated from `journeymap COMMAND --help` by tests/docs.rs; `JOURNEYMAP_UPDATE_DOCS=1 cargo test --test tests docs::` rewrites it. -->\n";
const HELP_END: &str = "<!-- End of the generated help. -->\n";

/// The reference's "Every flag" section holds each command's `--help` exactly as the binary
/// prints it (clap is the one definition); `JOURNEYMAP_UPDATE_DOCS=1` rewrites the section.
#[test]
fn the_reference_holds_every_commands_help_as_the_binary_prints_it() {
    let mut generated = String::from(HELP_START);
    for command in HELP_OF {
        let mut args = command.to_vec();
        args.push("--help");
        let o = run(&args);
        assert_eq!(code(&o), 0, "{command:?}");
        generated.push_str(&format!(
            "\n### `journeymap {}`\n\n```text\n{}```\n",
            command.join(" "),
            stdout(&o)
        ));
    }
    generated.push('\n');
    generated.push_str(HELP_END);
    let path = root().join("docs/reference.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text
        .find(HELP_START)
        .expect("the reference has the generated section");
    let end = text.find(HELP_END).expect("the generated section ends") + HELP_END.len();
    if std::env::var_os("JOURNEYMAP_UPDATE_DOCS").is_some() {
        let updated = format!("{}{generated}{}", &text[..start], &text[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        text[start..end] == generated,
        "docs/reference.md's help section is stale: run JOURNEYMAP_UPDATE_DOCS=1 cargo test --test tests docs::"
    );
}
