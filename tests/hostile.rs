//! Hostile input ends in a diagnostic, never a panic or a hang; text never becomes markup.

use scraper::{Html, Selector};

use crate::util::{code, run_in, stderr, stdout, tempdir};

/// Text that would be markup, a table border or a template if it were not escaped.
const HOSTILE: &str = r#"<script>alert(1)</script>"><img src=x onerror=alert(2)> | pipe | {{ 7*7 }} {% raw %} `tick` [link](javascript:x) **bold** &amp; # head"#;

fn hostile_map() -> String {
    let h = serde_json::to_string(HOSTILE).unwrap(); // a valid YAML double-quoted scalar
    format!(
        r#"journeymap: 1
title: {h}
description: {h}
kind: service-blueprint
owner: {h}
tags: [{h}]
persona: {{name: {h}, role: {h}, quote: {h}, description: {h}, goals: [{h}], frustrations: [{h}]}}
links: [{{title: {h}, url: "https://example.com/?q=%3Cscript%3E"}}]
stages:
  - id: one
    name: {h}
    description: {h}
    goal: {h}
    actions: [{h}]
    thoughts: [{h}]
    emotion: {{score: 1, label: {h}}}
    touchpoints:
      - {{name: {h}, channel: {h}, owner: {h}, description: {h}, moment_of_truth: true, links: [{{title: {h}, url: "/a"}}]}}
    pain_points:
      - {{id: {h}, text: {h}, evidence: {h}, severity: high}}
    solutions:
      - {{id: {h}, text: {h}, owner: {h}, addresses: [{h}]}}
    frontstage: [{h}]
    backstage: [{h}]
    support: [{h}]
    funnel: 10
  - id: two
    name: {h}
    emotion: -1
    touchpoints: [{{name: {h}}}]
    funnel: 5
"#
    )
}

#[test]
fn hostile_text_is_inert_in_html() {
    let dir = tempdir();
    std::fs::write(dir.path().join("h.journey.yaml"), hostile_map()).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "html", "h.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let html = stdout(&o);
    let doc = Html::parse_document(&html);
    for tag in ["script", "img", "iframe", "object"] {
        let sel = Selector::parse(tag).unwrap();
        assert_eq!(doc.select(&sel).count(), 0, "a <{tag}> came from map text");
    }
    let all = Selector::parse("*").unwrap();
    for el in doc.select(&all) {
        for (name, value) in el.value().attrs() {
            assert!(!name.starts_with("on"), "event handler attribute {name}");
            if name == "href" {
                assert!(!value.to_ascii_lowercase().starts_with("javascript:"));
            }
        }
    }
    // The text reads back exactly, template syntax included, and was not evaluated.
    let body_text: String = doc.root_element().text().collect();
    assert!(body_text.contains(HOSTILE));
    assert!(!body_text.contains("49"));
}

#[test]
fn hostile_text_is_inert_in_markdown() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let dir = tempdir();
    std::fs::write(dir.path().join("h.journey.yaml"), hostile_map()).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "markdown", "h.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = stdout(&o);
    let mut text = String::new();
    for event in Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                // Only the anchors the template writes, with percent-encoded ids.
                let h = h.trim();
                assert!(
                    h == "</a>"
                        || (h.starts_with("<a id=\"")
                            && h.ends_with("\">")
                            && h[7..h.len() - 2]
                                .chars()
                                .all(|c| c.is_ascii_alphanumeric() || "-_%".contains(c))),
                    "raw HTML from map text: {h}"
                );
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                assert!(!dest_url.to_ascii_lowercase().starts_with("javascript:"));
            }
            Event::Start(Tag::Emphasis | Tag::Strong) => {}
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    assert!(text.contains(HOSTILE), "text does not read back");
}

#[test]
fn deeply_nested_flow_sequences_are_refused_quickly() {
    let dir = tempdir();
    let depth = 100_000; // 200 KB of brackets
    let text = format!(
        "journeymap: 1\ntitle: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    std::fs::write(dir.path().join("deep.journey.yaml"), text).unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "deep.journey.yaml"],
    );
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("error[JM006]: nesting is deeper than 32 levels"));
}

#[test]
fn deep_block_nesting_is_refused() {
    let dir = tempdir();
    let mut text = String::from("journeymap: 1\ntitle: x\nstages:\n");
    for i in 0..200 {
        text.push_str(&format!("{}- \n", "  ".repeat(i + 1)));
    }
    std::fs::write(dir.path().join("deep.journey.yaml"), text).unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "deep.journey.yaml"],
    );
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn oversized_empty_binary_and_non_utf8_files_are_diagnosed() {
    let dir = tempdir();
    let p = dir.path();
    std::fs::write(p.join("big.journey.yaml"), vec![b'#'; 5 * 1024 * 1024]).unwrap();
    std::fs::write(p.join("empty.journey.yaml"), "").unwrap();
    std::fs::write(
        p.join("latin1.journey.yaml"),
        b"journeymap: 1\ntitle: Caf\xe9\n",
    )
    .unwrap();
    std::fs::write(p.join("nul.journey.yaml"), b"journeymap: 1\0\0\0\n").unwrap();
    let cases = [
        (
            "big.journey.yaml",
            "error[JM006]: the file is 5242880 bytes, over the limit of 4194304 bytes",
        ),
        ("empty.journey.yaml", "error[JM004]: the file is empty"),
        (
            "latin1.journey.yaml",
            "latin1.journey.yaml:2:11: error[JM001]: the file is not valid UTF-8",
        ),
        ("nul.journey.yaml", "error[JM001]"),
    ];
    for (file, expected) in cases {
        let o = run_in(p, &["validate", "--format", "short", file]);
        assert_eq!(code(&o), 1, "{file}");
        assert!(stdout(&o).contains(expected), "{file}: {}", stdout(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
}

#[test]
fn a_persona_path_that_is_a_directory_is_an_error_at_the_persona() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("people")).unwrap();
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        "journeymap: 1\ntitle: x\npersona: people\nstages:\n  - {id: a, name: A, touchpoints: [{name: t}]}\n",
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        "m.journey.yaml:3:10: error[JM000]: cannot read people: it is not a regular file\n"
    );
}
