//! A pull request's review sees everything a map measures: a scratch repository holds a map
//! that binds a survey, a workbook, an event log, an analytics export and a codebook; a pull
//! request changes each binding and each file; `diff` at the base revision names every
//! change and every figure it moved (JSON by key, Markdown read back with a GFM parser), for
//! the map and for its folder, and the README's CI recipe runs unchanged on it.

use std::path::Path;

use crate::util::{code, root, run_in, stderr, stdout, tempdir};
use crate::workflow::git;

const MAP: &str = "journeymap: 1
title: Shop
persona: {name: Shopper}
themes: shop.themes.yaml
stages:
  - {id: browse, name: Browse, touchpoints: [{name: Site}], funnel: 400}
  - {id: cart, name: Cart, touchpoints: [{name: Cart}]}
  - {id: pay, name: Pay, touchpoints: [{name: Checkout}], reach: {source: export, step: pay}}
surveys:
  - id: pulse
    file: data/pulse.csv
    stage_column: stage
    where: {segment: smb}
    measures: {csat: csat, comment: comment}
  - id: book
    file: data/book.xlsx
    stage_column: stage
    measures: {csat: csat, comment: comment}
events:
  - id: log
    file: data/log.csv
    actor: who
    event: what
    time: ts
    time_unit: s
    window: 90m
    segment_by: device
    steps: {browse: view, cart: cart}
analytics:
  - id: export
    file: data/funnel.csv
    format: steps
";

const THEMES: &str = "themes:
  - {id: slow, label: Slow, terms: [slow, weeks]}
  - {id: lost, label: Lost work, terms: [lost]}
";

/// The workbook with `rows` more answers at stage `pay`, csat 5 (sheet rows 8 on).
fn workbook(path: &Path, rows: usize) {
    let mut more = String::new();
    for r in 8..8 + rows {
        more.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>pay</t></is></c><c r=\"B{r}\" t=\"n\"><v>5</v></c></row>"
        ));
    }
    crate::util::row_numbers_xlsx_with(path, &more, 7 + rows);
}

/// The base: the map and its five sources, committed on `main`, with `origin/main` at it.
fn base() -> tempfile::TempDir {
    let dir = tempdir();
    let d = dir.path();
    std::fs::create_dir_all(d.join("maps/data")).unwrap();
    std::fs::write(d.join("maps/shop.journey.yaml"), MAP).unwrap();
    std::fs::write(d.join("maps/shop.themes.yaml"), THEMES).unwrap();
    std::fs::write(
        d.join("maps/data/pulse.csv"),
        "stage,csat,segment,comment\nbrowse,4,smb,The site was slow\nbrowse,5,enterprise,Quick\nbrowse,2,smb,Lost my basket\ncart,3,smb,Waiting for weeks\ncart,4,enterprise,Fine\ncart,1,smb,No news\n",
    )
    .unwrap();
    workbook(&d.join("maps/data/book.xlsx"), 0);
    let mut log = String::from("ts,who,what,device\n");
    for u in 0..6 {
        log.push_str(&format!(
            "{},u{u},view,{}\n",
            100 + u,
            ["ios", "web"][u % 2]
        ));
        if u < 4 {
            log.push_str(&format!("{},u{u},cart,x\n", 200 + 60 * u));
        }
    }
    std::fs::write(d.join("maps/data/log.csv"), log).unwrap();
    std::fs::write(
        d.join("maps/data/funnel.csv"),
        "step,count\nbrowse,400\ncart,250\npay,120\n",
    )
    .unwrap();
    let o = run_in(d, &["validate", "maps/shop.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["update-ref", "refs/remotes/origin/main", "main"]);
    dir
}

/// The pull request: every binding and every file changed, not committed.
fn pull_request(d: &Path) {
    let map = MAP
        .replace(
            "where: {segment: smb}",
            "where: {segment: [smb, enterprise]}",
        )
        .replace(
            "    file: data/book.xlsx\n    stage_column: stage\n",
            "    file: data/book.xlsx\n    stage_column: stage\n    where: {stage: pay}\n",
        )
        .replace("window: 90m", "window: 2m\n    order: strict")
        .replace("funnel: 400", "funnel: 200")
        .replace("file: data/funnel.csv", "file: data/funnel-dec.csv");
    std::fs::write(d.join("maps/shop.journey.yaml"), map).unwrap();
    std::fs::write(
        d.join("maps/shop.themes.yaml"),
        THEMES.replace("[slow, weeks]", "[slow, weeks, waiting]"),
    )
    .unwrap();
    let mut pulse = std::fs::read_to_string(d.join("maps/data/pulse.csv")).unwrap();
    pulse.push_str("cart,2,smb,Still waiting\n");
    std::fs::write(d.join("maps/data/pulse.csv"), pulse).unwrap();
    workbook(&d.join("maps/data/book.xlsx"), 3);
    let mut log = std::fs::read_to_string(d.join("maps/data/log.csv")).unwrap();
    log.push_str("500,u9,view,ios\n530,u9,cart,x\n");
    std::fs::write(d.join("maps/data/log.csv"), log).unwrap();
    // The export re-exported under a new name.
    std::fs::write(
        d.join("maps/data/funnel-dec.csv"),
        "step,count\nbrowse,400\ncart,250\npay,90\n",
    )
    .unwrap();
}

/// The text of each list item and heading of a GFM document, in order.
fn gfm_blocks(md: &str) -> Vec<(String, String)> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut out: Vec<(String, String)> = Vec::new();
    let mut kind: Option<String> = None;
    let mut text = String::new();
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                kind = Some(format!("{level}"));
                text.clear();
            }
            Event::Start(Tag::Item) => {
                kind = Some("li".to_owned());
                text.clear();
            }
            Event::End(TagEnd::Heading(_) | TagEnd::Item) => {
                if let Some(k) = kind.take() {
                    out.push((k, text.trim().to_owned()));
                }
            }
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            _ => {}
        }
    }
    out
}

/// `diff -f json` of the shop map against `HEAD`, which must succeed.
fn diff_json(d: &Path) -> serde_json::Value {
    crate::util::diff_json(d, "HEAD:maps/shop.journey.yaml", "maps/shop.journey.yaml")
}

#[test]
fn a_pull_request_diff_names_every_binding_file_and_figure_it_changed() {
    let dir = base();
    let d = dir.path();
    pull_request(d);
    let j = diff_json(d);
    let bindings: Vec<(String, String, String, String, String)> = j["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["kind"].as_str().unwrap().to_owned(),
                b["id"].as_str().unwrap().to_owned(),
                b["key"].as_str().unwrap().to_owned(),
                b["old"].to_string(),
                b["new"].to_string(),
            )
        })
        .collect();
    let want = |kind: &str, id: &str, key: &str, old: &str, new: &str| {
        (
            kind.to_owned(),
            id.to_owned(),
            key.to_owned(),
            old.to_owned(),
            new.to_owned(),
        )
    };
    assert_eq!(
        bindings,
        vec![
            want(
                "survey",
                "pulse",
                "where.segment",
                "\"smb\"",
                "[\"smb\",\"enterprise\"]"
            ),
            // A map with no `where:` holds an empty one: the key added is its `stage`.
            want("survey", "book", "where.stage", "null", "\"pay\""),
            want("event log", "log", "order", "null", "\"strict\""),
            want("event log", "log", "window", "\"90m\"", "\"2m\""),
            want(
                "analytics export",
                "export",
                "file",
                "\"data/funnel.csv\"",
                "\"data/funnel-dec.csv\""
            ),
            want(
                "theme",
                "slow",
                "terms",
                "[\"slow\",\"weeks\"]",
                "[\"slow\",\"weeks\",\"waiting\"]"
            ),
        ]
    );
    // Every source file read under the same name on both sides, by the name the map gives
    // it (the codebook is compared by its themes above; the export's new name is a binding
    // change).
    assert_eq!(
        j["files_changed"],
        serde_json::json!(["data/pulse.csv", "data/book.xlsx", "data/log.csv"])
    );
    assert_eq!(
        j["funnels"],
        serde_json::json!([{"stage": "browse", "name": "Browse", "count": {"old": 400, "new": 200}}])
    );
    // Measured reach, worked by hand. Before (window 90 min, sequential): u0..u5 view at
    // 100 + u, u0..u3 cart at 200 + 60u, all within the window: browse 6, cart 4. After
    // (window 2 min, strict): u9 joins (view 500, cart 530); the carts of u1, u2, u3 come
    // 159, 218 and 277 s after their views, outside 120 s: cart is u0 (100 s) and u9 (30 s):
    // browse 7, cart 2.
    let reach = j["reach"].as_array().unwrap();
    let all: Vec<_> = reach.iter().filter(|r| r["segment"].is_null()).collect();
    assert_eq!(all[0]["stage"], "browse");
    assert_eq!(all[0]["count"], serde_json::json!({"old": 6, "new": 7}));
    assert_eq!(all[1]["stage"], "cart");
    assert_eq!(all[1]["count"], serde_json::json!({"old": 4, "new": 2}));
    assert_eq!(all[2]["stage"], "pay");
    assert_eq!(all[2]["count"], serde_json::json!({"old": 120, "new": 90}));
    // Per segment too: ios is u0, u2, u4 (and u9 after); its cart is u0, u2 before and u0, u9
    // after: the same count, kept 2 of 3 → 2 of 4.
    let ios_cart = reach
        .iter()
        .find(|r| r["stage"] == "cart" && r["segment"] == "ios")
        .unwrap();
    assert_eq!(ios_cart["count"], serde_json::json!({"old": 2, "new": 2}));
    assert_ne!(ios_cart["kept"]["old"], ios_cart["kept"]["new"]);
    // The survey figures the bindings and files moved: browse CSAT now counts enterprise
    // answers, pay CSAT only the book's pay rows plus three new ones.
    let measures = crate::util::stage_measures(&j["measures"]);
    for place in ["browse", "cart", "pay"] {
        assert!(
            measures.contains(&(place.to_owned(), "csat".to_owned())),
            "{measures:?}"
        );
    }
    assert!(
        j["themes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["theme"] == "slow" && t["stage"] == "cart"),
        "{}",
        j["themes"]
    );
    let summary = j["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("6 bindings changed, 3 source files changed"),
        "{summary}"
    );

    // The Markdown, as a pull-request comment: the summary first; the bindings and files
    // before the figures they moved; every binding named.
    let o = run_in(
        d,
        &[
            "diff",
            "HEAD:maps/shop.journey.yaml",
            "maps/shop.journey.yaml",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = stdout(&o);
    assert!(
        md.starts_with(&format!("**journeymap diff**: {summary} ")),
        "{md}"
    );
    let blocks = gfm_blocks(&md);
    let at = |text: &str| {
        blocks
            .iter()
            .position(|(_, t)| t.contains(text))
            .unwrap_or_else(|| panic!("no `{text}` in {blocks:?}"))
    };
    assert!(at("Bindings") < at("Source files"));
    assert!(at("Source files") < at("Survey measures"));
    assert!(at("Survey measures") < at("Measured reach"));
    for line in [
        "survey pulse: where.segment smb → [smb, enterprise]",
        "survey book: where.stage none → pay",
        "event log log: order none → strict",
        "event log log: window 90m → 2m",
        "theme slow: terms [slow, weeks] → [slow, weeks, waiting]",
        "analytics export export: file data/funnel.csv → data/funnel-dec.csv",
        "data/book.xlsx changed",
        "Browse: funnel 400 → 200",
        "Cart: reached by 4 → 2",
        "Pay: reached by 120 → 90",
    ] {
        let i = at(line);
        assert_eq!(blocks[i].0, "li", "{line}");
    }
    // Long: the figures are folded under the edits.
    assert!(md.contains("<details><summary>"), "{md}");

    // The folder, as the CI recipe compares it.
    let o = run_in(d, &["diff", "HEAD:maps/", "maps/", "-f", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let f: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(f["changed"].as_array().unwrap().len(), 1);
    assert_eq!(f["changed"][0]["summary"], summary);
    assert_eq!(
        f["summary"], "1 map changed (0 maps unchanged)",
        "{}",
        f["summary"]
    );
}

/// The README's CI recipe, run by bash as the workflow runs it, on the pull request above:
/// the comment names the binding changes, a re-exported file and the figures.
#[test]
fn the_readme_ci_recipe_reviews_sources_and_bindings() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let workflow = std::fs::read_to_string(root().join("examples/ci/journeymap.yml")).unwrap();
    let step =
        "journeymap diff \"origin/${{ github.base_ref }}:maps/\" maps/ -f markdown > diff.md";
    assert!(readme.contains(step) && workflow.contains(step));
    let dir = base();
    let d = dir.path();
    git(d, &["checkout", "-q", "-b", "pr"]);
    // A pull request that touches no map: only a re-exported survey.
    let mut pulse = std::fs::read_to_string(d.join("maps/data/pulse.csv")).unwrap();
    pulse.push_str("cart,2,smb,Still waiting\n");
    std::fs::write(d.join("maps/data/pulse.csv"), pulse).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_journeymap"))
        .parent()
        .unwrap()
        .to_owned();
    let run_step = |dir: &Path| {
        let o = std::process::Command::new("bash")
            .arg("-euc")
            .arg(step.replace("${{ github.base_ref }}", "main"))
            .current_dir(dir)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("JOURNEYMAP_TODAY", crate::util::TODAY)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(dir.join("diff.md")).unwrap()
    };
    let md = run_step(d);
    assert!(
        md.starts_with("**journeymap diff** of `origin/main:maps/` → `maps/`: 1 map changed"),
        "{md}"
    );
    assert!(md.contains("- ✏️ `data/pulse.csv` changed"), "{md}");
    assert!(md.contains("Cart CSAT"), "{md}");
    // Then the whole pull request.
    pull_request(d);
    let md = run_step(d);
    assert!(md.contains("`window` `90m` → `2m`"), "{md}");
    assert!(md.contains("- ✏️ Pay: reached by 120 → 90"), "{md}");
}

/// A source larger than a map may be (an event log of over 7 MB, beyond the 4 MB a map's text may
/// have) is streamed out of git, not refused or held in memory: the diff at the revision
/// counts it.
#[test]
fn a_large_event_log_is_read_at_the_revision() {
    let dir = base();
    let d = dir.path();
    let mut log = String::from("ts,who,what,device\n");
    for u in 0..200_000u32 {
        log.push_str(&format!("{},user-{u:08},view,ios\n", 1000 + u));
        if u % 4 == 0 {
            log.push_str(&format!("{},user-{u:08},cart,ios\n", 1060 + u));
        }
    }
    assert!(log.len() > 4 * 1024 * 1024 + 1024 * 1024);
    std::fs::write(d.join("maps/data/log.csv"), &log).unwrap();
    git(d, &["commit", "-qam", "a large log"]);
    std::fs::write(
        d.join("maps/shop.journey.yaml"),
        MAP.replace("window: 90m", "window: 30s"),
    )
    .unwrap();
    let j = diff_json(d);
    // Every fourth user carts 60 s after viewing: inside 90 min, outside 30 s.
    let cart = j["reach"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["stage"] == "cart" && r["segment"].is_null())
        .unwrap();
    assert_eq!(cart["count"], serde_json::json!({"old": 50_000, "new": 0}));
}
