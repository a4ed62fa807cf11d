//! Markdown output read back with a real CommonMark/GFM parser (pulldown-cmark).

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::util::{code, example_maps, rel, run, stdout};

fn markdown(map: &str) -> String {
    let o = run(&["render", "-f", "markdown", map]);
    assert_eq!(code(&o), 0);
    stdout(&o)
}

/// Cell counts of every row of every table, header first.
fn tables(md: &str) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut cells = 0;
    for e in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match e {
            Event::Start(Tag::Table(_)) => out.push(Vec::new()),
            Event::Start(Tag::TableHead | Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                out.last_mut().unwrap().push(cells);
            }
            _ => {}
        }
    }
    out
}

/// The text inside every element that `opens` starts and `closes` ends, as a GFM parser
/// reads it.
fn texts(md: &str, opens: fn(&Tag) -> bool, closes: fn(&TagEnd) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for e in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match e {
            Event::Start(t) if opens(&t) => current = Some(String::new()),
            Event::End(t) if closes(&t) => out.extend(current.take()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out
}

/// The text of every table cell.
pub fn table_cells(md: &str) -> Vec<String> {
    texts(
        md,
        |t| matches!(t, Tag::TableCell),
        |t| matches!(t, TagEnd::TableCell),
    )
}

/// The text of every heading.
pub fn headings(md: &str) -> Vec<String> {
    texts(
        md,
        |t| matches!(t, Tag::Heading { .. }),
        |t| matches!(t, TagEnd::Heading(_)),
    )
}

#[test]
fn every_table_keeps_its_column_count() {
    for map in example_maps() {
        let md = markdown(&rel(&map));
        let tables = tables(&md);
        assert!(tables.len() >= 3, "{}", rel(&map));
        for rows in tables {
            assert!(rows.len() >= 2);
            assert!(
                rows.iter().all(|&n| n == rows[0]),
                "{}: {rows:?}",
                rel(&map)
            );
        }
    }
}

#[test]
fn the_mermaid_block_has_a_section_per_stage_and_scores_on_one_to_five() {
    for map in example_maps() {
        let md = markdown(&rel(&map));
        let json: serde_json::Value =
            serde_json::from_str(&stdout(&run(&["render", "-f", "json", &rel(&map)]))).unwrap();
        let stages = json["stages"].as_array().unwrap();
        let mut block = None;
        let mut in_mermaid = false;
        for e in Parser::new(&md) {
            match e {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                    in_mermaid = &*lang == "mermaid";
                }
                Event::Text(t) if in_mermaid => block = Some(t.to_string()),
                Event::End(TagEnd::CodeBlock) => in_mermaid = false,
                _ => {}
            }
        }
        let block = block.expect("a mermaid block");
        let lines: Vec<&str> = block.lines().map(str::trim).collect();
        assert_eq!(lines[0], "journey");
        assert!(lines[1].starts_with("title "));
        let sections = lines.iter().filter(|l| l.starts_with("section ")).count();
        assert_eq!(sections, stages.len());
        // Each task's score is the stage emotion + 3, rounded (Mermaid scores run 1..5).
        let scores: Vec<i64> = lines[2..]
            .iter()
            .filter(|l| !l.starts_with("section "))
            .map(|l| l.split(':').nth(1).unwrap().trim().parse().unwrap())
            .collect();
        let expected: Vec<i64> = stages
            .iter()
            .filter_map(|s| s["emotion"]["score"].as_f64())
            .map(|e| (e + 3.0).round() as i64)
            .collect();
        assert_eq!(scores, expected, "{}", rel(&map));
    }
}

#[test]
fn a_custom_markdown_template_escapes_what_it_prints_without_md() {
    let dir = crate::util::tempdir();
    let p = dir.path();
    std::fs::create_dir_all(p.join("tpl/markdown")).unwrap();
    // `title` printed bare, `title|md` printed explicitly: the same text either way.
    std::fs::write(
        p.join("tpl/markdown/map.md.j2"),
        "{{ title }}\n{{ title|md }}\n{{ stages|length|int }}\n",
    )
    .unwrap();
    std::fs::write(
        p.join("m.journey.yaml"),
        "journeymap: 1\ntitle: \"- <b>bold</b> | [x](javascript:y) *z*\"\npersona: {name: P}\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\n",
    )
    .unwrap();
    let o = crate::util::run_in(
        p,
        &[
            "render",
            "m.journey.yaml",
            "-f",
            "markdown",
            "--templates",
            "tpl",
        ],
    );
    assert_eq!(code(&o), 0);
    let escaped = r"\- \<b\>bold\</b\> \| \[x\](javascript:y) \*z\*";
    assert_eq!(stdout(&o), format!("{escaped}\n{escaped}\n1\n"));
}
