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
    // (The body's text: the style sheet's numbers in the head are not map text.)
    let body = doc
        .select(&Selector::parse("body").unwrap())
        .next()
        .unwrap();
    let body_text: String = body.text().collect();
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
    let o = crate::util::validate_short(dir.path());
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        "m.journey.yaml:3:10: error[JM000]: cannot read people: it is not a regular file\n"
    );
}

/// One hostile case: files to write, the command, and the exit codes that are right.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<&'static str>,
    exits: &'static [i32],
    /// A diagnostic code the output must name, when the run fails.
    code: Option<&'static str>,
}

const SURVEY_MAP: &str = "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\nsurveys:\n  - {id: s, file: s.csv, stage_column: stage, measures: {nps: nps, comment: comment}}\n";

fn survey_case(
    name: &'static str,
    csv: Vec<u8>,
    exits: &'static [i32],
    code: Option<&'static str>,
) -> Case {
    Case {
        name,
        files: vec![
            ("m.journey.yaml", SURVEY_MAP.as_bytes().to_vec()),
            ("s.csv", csv),
        ],
        args: vec!["validate", "--format", "short", "m.journey.yaml"],
        exits,
        code,
    }
}

fn map_case(name: &'static str, text: Vec<u8>, code: &'static str) -> Case {
    Case {
        name,
        files: vec![("m.journey.yaml", text)],
        args: vec!["validate", "--format", "short", "m.journey.yaml"],
        exits: &[1],
        code: Some(code),
    }
}

fn corpus() -> Vec<Case> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let random: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let laughs = |depth: usize, width: usize| {
        let mut s = String::from("a0: &a0 [lol]\n");
        for i in 1..depth {
            let refs = vec![format!("*a{}", i - 1); width].join(", ");
            s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        s.into_bytes()
    };
    let merge_bomb = {
        let mut s = String::from("m0: &m0 {k: v}\n");
        for i in 1..40 {
            s.push_str(&format!(
                "m{i}: &m{i}\n  <<: [*m{}, *m{}]\n  k{i}: v\n",
                i - 1,
                i - 1
            ));
        }
        s.into_bytes()
    };
    let mapping_nesting = {
        let mut s = String::new();
        for _ in 0..5000 {
            s.push_str("{a: ");
        }
        s.push('1');
        for _ in 0..5000 {
            s.push('}');
        }
        format!("journeymap: 1\ntitle: {s}\n").into_bytes()
    };
    let mut long_line = b"journeymap: 1\ntitle: ".to_vec();
    long_line.extend(std::iter::repeat_n(b'x', 20 * 1024 * 1024));
    let mut csv_line = b"stage,nps,comment\na,9,".to_vec();
    csv_line.extend(std::iter::repeat_n(b'y', 100 * 1024 * 1024));
    csv_line.push(b'\n');
    // simd-csv reads this as one record to the end of the file; csv reads it again and
    // names the quote.
    let mut open_quote = b"stage,nps,comment\na,9,\"never closed\n".to_vec();
    for _ in 0..200_000 {
        open_quote.extend_from_slice(b"a,10,some text\n");
    }
    let wide: Vec<u8> = {
        let header: Vec<String> = (0..200_000).map(|i| format!("c{i}")).collect();
        format!("{}\n", header.join(",")).into_bytes()
    };
    vec![
        map_case("billion laughs, nine by nine", laughs(9, 9), "JM006"),
        map_case("alias chain, thirty by two", laughs(30, 2), "JM006"),
        map_case("merge-key bomb", merge_bomb, "JM006"),
        map_case("deep flow mappings", mapping_nesting, "JM006"),
        map_case("random binary", random.clone(), "JM001"),
        map_case("a 20 MB single line", long_line, "JM006"),
        map_case(
            "unknown format version",
            b"journeymap: 99\ntitle: t\nstages: [{id: a, name: A}]\n".to_vec(),
            "JM005",
        ),
        map_case(
            "NUL bytes",
            b"journeymap: 1\ntitle: \0\0\nstages: [{id: a, name: A}]\n".to_vec(),
            "JM001",
        ),
        survey_case("a 100 MB CSV line", csv_line, &[1], Some("JM106")),
        survey_case("a quote left open over 3 MiB of lines", open_quote, &[1], Some("JM106")),
        survey_case("200,000 columns", wide, &[1], Some("JM106")),
        survey_case("random binary CSV", random, &[0, 1], None),
        survey_case(
            "ragged rows",
            b"stage,nps,comment\na,9\na,10,too,many,cells\na\n".to_vec(),
            &[0],
            None,
        ),
        survey_case(
            "an unterminated quote",
            b"stage,nps,comment\na,9,\"never closed\na,10,x\n".to_vec(),
            &[0, 1],
            None,
        ),
        survey_case("an empty CSV", Vec::new(), &[1], Some("JM106")),
        Case {
            name: "a survey that is /dev/zero, outside the map's folder",
            files: vec![(
                "m.journey.yaml",
                SURVEY_MAP
                    .replace("file: s.csv", "file: /dev/zero")
                    .into_bytes(),
            )],
            args: vec!["validate", "--format", "short", "m.journey.yaml"],
            exits: &[1],
            code: Some("JM007"),
        },
        Case {
            name: "a persona that is /proc/self/environ",
            files: vec![(
                "m.journey.yaml",
                b"journeymap: 1\ntitle: t\npersona: /proc/self/environ\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\n".to_vec(),
            )],
            args: vec!["validate", "--format", "short", "m.journey.yaml"],
            exits: &[1],
            code: Some("JM007"),
        },
        Case {
            name: "a Mermaid diagram that is /dev/zero",
            files: vec![],
            args: vec!["import", "mermaid", "/dev/zero"],
            exits: &[2],
            code: None,
        },
        Case {
            name: "a map that is /dev/zero",
            files: vec![],
            args: vec!["validate", "--format", "short", "/dev/zero"],
            exits: &[2],
            code: Some("JM000"),
        },
    ]
}

/// Every case ends in a diagnostic and the right exit code, within five seconds of CPU time
/// and 512 MB of address space (both enforced by the kernel through prlimit, so a loaded
/// machine does not make the test flaky), and never prints a panic.
#[test]
fn the_hostile_corpus_ends_in_diagnostics_within_limits() {
    for case in corpus() {
        let dir = tempdir();
        for (name, bytes) in &case.files {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
        let start = std::time::Instant::now();
        let out = std::process::Command::new("prlimit")
            .arg("--as=536870912")
            .arg("--cpu=5")
            .arg(env!("CARGO_BIN_EXE_journeymap"))
            .args(&case.args)
            .current_dir(dir.path())
            .env("JOURNEYMAP_TODAY", crate::util::TODAY)
            .output()
            .expect("prlimit runs");
        let took = start.elapsed();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("panicked"), "{}: {all}", case.name);
        // Killed by the CPU limit (SIGXCPU) or the memory limit shows as no exit code.
        let code = out.status.code().unwrap_or(-1);
        assert!(
            case.exits.contains(&code),
            "{}: exit {code}: {}",
            case.name,
            &all[..all.len().min(600)]
        );
        if let Some(c) = case.code {
            assert!(
                all.contains(&format!("[{c}]")),
                "{}: {}",
                case.name,
                &all[..all.len().min(600)]
            );
        }
        // CPU is bounded by the kernel above; wall time only catches a hang, with room for
        // a CI machine busy with the browser tests.
        assert!(
            took < std::time::Duration::from_secs(20),
            "{} took {took:?}",
            case.name
        );
    }
}
