//! Escaping as a property: arbitrary text (HTML, Markdown and template syntax, bidi
//! controls, NUL, line breaks) in every text field of a map renders to HTML and Markdown in
//! which (1) the text reads back as written, through a real HTML parser and a real
//! CommonMark parser, and (2) no element or attribute came from map text: the structure is
//! exactly that of the same map with every text replaced by `x`.

use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag};
use scraper::Html;

use journeymap::cli::OutputFormat;
use journeymap::render::Renderer;

/// Fragments that would be markup somewhere, mixed with arbitrary text.
fn text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("<script>alert(1)</script>".to_owned()),
        Just("\"><img src=x onerror=alert(1)>".to_owned()),
        Just("' onmouseover='x".to_owned()),
        Just("|".to_owned()),
        Just("`code`".to_owned()),
        Just("```".to_owned()),
        Just("{{ 7*7 }}".to_owned()),
        Just("{% for x in y %}".to_owned()),
        Just("[link](javascript:alert(1))".to_owned()),
        Just("**bold** _em_ ~~s~~".to_owned()),
        Just("# heading".to_owned()),
        Just("- item".to_owned()),
        Just("1. item".to_owned()),
        Just("> quote".to_owned()),
        Just("&amp; &#x41;".to_owned()),
        Just("\\".to_owned()),
        Just("\u{202E}evil\u{202C}".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{7}\u{1b}[31m".to_owned()),
        Just("line\nbreak".to_owned()),
        Just("cr\r\nlf".to_owned()),
        Just("  ".to_owned()),
        Just("<!-- c -->".to_owned()),
        Just("<https://example.com>".to_owned()),
        Just(": # ;".to_owned()),
        "[a-zA-Z0-9 ]{1,8}",
        any::<String>(),
    ];
    prop::collection::vec(fragment, 1..5)
        .prop_map(|parts| parts.concat())
        // Templates test text for truthiness; keep every field present.
        .prop_filter("non-empty", |s| !s.is_empty())
}

const FIELDS: usize = 24;
/// The pain point's id: an identifier, used in anchors but never shown as text.
const ID_FIELD: usize = 18;

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// A map using `t[i]` for every text field (ids too, where the format allows any text).
fn map(t: &[String]) -> String {
    format!(
        r#"journeymap: 1
title: {}
description: {}
owner: {}
tags: [{}]
persona: {{name: {}, role: {}, quote: {}, description: {}, goals: [{}], frustrations: [{}]}}
stages:
  - id: one
    name: {}
    description: {}
    goal: {}
    actions: [{}]
    thoughts: [{}]
    emotion: {{score: 1, label: {}}}
    touchpoints: [{{name: {}, channel: other, owner: {}}}]
    pain_points: [{{id: {}, text: {}, evidence: {}, severity: high}}]
    solutions: [{{id: sol, text: {}, owner: {}, addresses: [{}]}}]
    frontstage: [{}]
    funnel: 10
"#,
        q(&t[0]),
        q(&t[1]),
        q(&t[2]),
        q(&t[3]),
        q(&t[4]),
        q(&t[5]),
        q(&t[6]),
        q(&t[7]),
        q(&t[8]),
        q(&t[9]),
        q(&t[10]),
        q(&t[11]),
        q(&t[12]),
        q(&t[13]),
        q(&t[14]),
        q(&t[15]),
        q(&t[16]),
        q(&t[17]),
        q(&t[18]),
        q(&t[19]),
        q(&t[20]),
        q(&t[21]),
        q(&t[22]),
        q(&t[18]),
        q(&t[23]),
    )
}

fn render(yaml: &str, format: OutputFormat) -> String {
    let loaded = journeymap::load::from_text(yaml, "p.journey.yaml").expect("the map parses");
    let data = journeymap::survey::SurveyData::without_surveys(1);
    let ctx = journeymap::enrich::enrich(&loaded, &data);
    Renderer::new(None).map(&ctx, format).expect("renders")
}

/// Tag names and sorted attribute names of every element, in document order.
fn structure(html: &str) -> Vec<(String, Vec<String>)> {
    let doc = Html::parse_document(html);
    doc.root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .map(|e| {
            let mut attrs: Vec<String> = e.value().attrs().map(|(n, _)| n.to_owned()).collect();
            attrs.sort();
            (e.value().name().to_owned(), attrs)
        })
        .collect()
}

/// What an HTML reader gets back: stray controls became U+FFFD, line ends became `\n`.
fn as_html_reads(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    s.chars()
        .map(|c| {
            if journeymap::render::is_stray_control(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// Markdown text is compared with whitespace collapsed: it is one line wherever it stands.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn map_text_never_becomes_markup(t in prop::collection::vec(text(), FIELDS)) {
        // Whitespace-only text stays as it is (Markdown has no empty paragraph to show it).
        let neutral: Vec<String> = t
            .iter()
            .map(|s| if s.trim().is_empty() { s.clone() } else { "x".to_owned() })
            .collect();
        let html = render(&map(&t), OutputFormat::Html);
        prop_assert_eq!(structure(&html), structure(&render(&map(&neutral), OutputFormat::Html)));
        let doc = Html::parse_document(&html);
        let text: String = doc.root_element().text().collect();
        for (i, field) in t.iter().enumerate().filter(|(i, _)| *i != ID_FIELD) {
            prop_assert!(text.contains(&as_html_reads(field)), "field {} does not read back: {:?}", i, field);
        }

        let md = render(&map(&t), OutputFormat::Markdown);
        let mut read = String::new();
        for event in Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
            match event {
                Event::Html(h) | Event::InlineHtml(h) => {
                    let h = h.trim();
                    prop_assert!(
                        h == "</a>" || (h.starts_with("<a id=\"") && h[7..h.len() - 2].chars().all(|c| c.is_ascii_alphanumeric() || "-_%".contains(c))),
                        "raw HTML from map text: {}", h
                    );
                }
                Event::Start(Tag::Link { dest_url, .. }) => prop_assert!(dest_url.starts_with('#'), "link to {}", dest_url),
                Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Image { .. }) => {
                    // The template's own bold labels are fine; map text is checked below.
                }
                // The parser splits text at every escape: join pieces as they come, and
                // separate only where a block or cell ends.
                Event::Text(s) | Event::Code(s) => read.push_str(&s),
                Event::SoftBreak | Event::HardBreak | Event::End(_) => read.push(' '),
                _ => {}
            }
        }
        // Word joiners that keep GitHub from autolinking or pinging are invisible.
        let read = collapse(&read.replace('\u{2060}', ""));
        for (i, field) in t.iter().enumerate().filter(|(i, _)| *i != ID_FIELD) {
            let want = collapse(&as_html_reads(field).replace('\n', " "));
            if !want.is_empty() {
                prop_assert!(read.contains(&want), "markdown field {} does not read back: {:?}", i, want);
            }
        }
        // Same structure as the neutral map: the same headings, lists and tables.
        let shape = |md: &str| -> Vec<String> {
            Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH)
                .filter_map(|e| match e {
                    Event::Start(tag) => Some(format!("{tag:?}").split(['(', ' ', '{']).next().unwrap_or("").to_owned()),
                    _ => None,
                })
                .collect()
        };
        prop_assert_eq!(shape(&md), shape(&render(&map(&neutral), OutputFormat::Markdown)));
    }

    #[test]
    fn only_allowed_schemes_ever_become_links(scheme in prop_oneof![
        Just("http"), Just("https"), Just("mailto"), Just("javascript"), Just("JaVaScRiPt"),
        Just("data"), Just("vbscript"), Just("file"), Just(""), Just("java\tscript"), Just(" javascript")
    ], rest in "[a-z0-9/.:()]{0,12}") {
        let url = if scheme.is_empty() { format!("docs/{rest}") } else { format!("{scheme}:{rest}") };
        let yaml = format!("journeymap: 1\ntitle: t\nlinks: [{{title: L, url: {}}}]\nstages: [{{id: a, name: A}}]\n", q(&url));
        let loaded = journeymap::load::from_text(&yaml, "p.journey.yaml").unwrap();
        let checks = journeymap::validate::Checks { max_age_days: None, today: jiff::civil::date(2026, 11, 22), reading: journeymap::survey::Reading::on_every_core() };
        let errors = journeymap::validate::validate(&loaded, checks)
            .into_iter()
            .filter(|d| d.code == journeymap::diagnostic::Code::LinkScheme)
            .count();
        let allowed = ["http", "https", "mailto", ""].contains(&scheme);
        prop_assert_eq!(errors == 0, allowed, "{}", url);
        if allowed {
            let html = render(&yaml, OutputFormat::Html);
            let doc = Html::parse_document(&html);
            let sel = scraper::Selector::parse("a[href]").unwrap();
            for a in doc.select(&sel) {
                let href = a.value().attr("href").unwrap().to_ascii_lowercase();
                prop_assert!(!href.starts_with("javascript:") && !href.starts_with("data:") && !href.starts_with("vbscript:"));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any bytes, and real exports with bytes changed, end as tickets or as a refusal in every
    /// tracker format: never a panic, and every ticket read is found again by its key.
    #[test]
    fn tracker_exports_end_as_tickets_or_a_refusal(
        noise in prop::collection::vec(any::<u8>(), 0..400),
        at in any::<prop::sample::Index>(),
        with in any::<u8>(),
        which in 0usize..3,
    ) {
        for (_, found) in journeymap::fuzzing::tracker(&noise) {
            prop_assert!(found);
        }
        let file = ["jira-current-fields-hoinc.csv", "linear-shortcut-repl.csv", "github-reasons.json"][which];
        let mut real = std::fs::read(crate::util::root().join("tests/fixtures/trackers").join(file)).unwrap();
        let i = at.index(real.len());
        real[i] = with;
        for (_, found) in journeymap::fuzzing::tracker(&real) {
            prop_assert!(found);
        }
    }
}
