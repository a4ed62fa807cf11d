//! Maps as one portfolio (the guide: "Portfolios"): `parent:` links a journey to the stage of
//! the map it details; a folder's index shows the tree, the coverage of every stage of a map
//! with detailed journeys, the personas, stale maps and one backlog across the maps. The
//! fixture (`fixtures/portfolio/`) is a lifecycle with two journeys, one of which has a
//! sub-journey; a persona file shared by three maps; one map reviewed 681 days before the
//! test's date; open solutions in every map. Every expected value is counted by hand from it.

use std::path::Path;

use serde_json::{Value, json};

use crate::util::{code, run, run_in, stdout, tempdir};

const DIR: &str = "tests/fixtures/portfolio";
const LIFECYCLE: &str = "lifecycle.journey.yaml";
const BUYING: &str = "journeys/buying.journey.yaml";
const USING: &str = "journeys/using.journey.yaml";
const PAYING: &str = "journeys/checkout/paying.journey.yaml";

fn render(format: &str, extra: &[&str]) -> tempfile::TempDir {
    let out = tempdir();
    let dest = format!("{}/", out.path().display());
    let mut args = vec!["render", DIR, "-f", format, "-o", &dest, "-q"];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    out
}

fn json_at(dir: &Path, file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_index_of_a_three_level_portfolio_equals_hand_counts() {
    let out = render("json", &[]);
    let index = json_at(out.path(), "index.json");
    let maps = index["maps"].as_array().unwrap();
    // The tree, depth first: the lifecycle, its buy journey and that one's sub-journey, then
    // its use journey.
    let path = |m: &Value| m["path"].as_str().unwrap().to_owned();
    assert_eq!(
        maps.iter().map(path).collect::<Vec<_>>(),
        [LIFECYCLE, BUYING, PAYING, USING]
    );
    let depth: Vec<u64> = maps.iter().map(|m| m["depth"].as_u64().unwrap()).collect();
    assert_eq!(depth, [0, 1, 2, 1]);
    assert_eq!(maps[0]["parent"], Value::Null);
    assert_eq!(
        maps[1]["parent"],
        json!({"path": LIFECYCLE, "stage": "buy", "stage_name": "Buy"})
    );
    assert_eq!(
        maps[2]["parent"],
        json!({"path": BUYING, "stage": "pay", "stage_name": "Pay"})
    );
    assert_eq!(maps[3]["parent"]["stage"], "use");
    assert_eq!(strings(&maps[0]["children"]), [BUYING, USING]);
    assert_eq!(strings(&maps[1]["children"]), [PAYING]);
    assert!(maps[2]["children"].as_array().unwrap().is_empty());
    // Reviewed 2026-11-01, 2026-10-01, 2026-06-01 and 2025-01-10; the test's date is
    // 2026-11-22 and stale is older than 180 days.
    let ages: Vec<i64> = maps
        .iter()
        .map(|m| m["age_days"].as_i64().unwrap())
        .collect();
    assert_eq!(ages, [21, 52, 174, 681]);
    let stale: Vec<bool> = maps.iter().map(|m| m["stale"].as_bool().unwrap()).collect();
    assert_eq!(stale, [false, false, false, true]);
    // Open solutions: one in the lifecycle, two in buying (the third is done), one each below.
    let open: Vec<u64> = maps
        .iter()
        .map(|m| m["open_opportunities"].as_u64().unwrap())
        .collect();
    assert_eq!(open, [1, 2, 1, 1]);
    // The buying journey's NPS: 9 10 10 8 7 6 3 9 10 5 → 5 promoters, 3 detractors of 10.
    let nps = &maps[1]["headline"]["metrics"]["nps"];
    assert_eq!(
        (nps["value"].as_f64(), nps["n"].as_u64()),
        (Some(20.0), Some(10))
    );
    assert_eq!(maps[1]["hurts_most"]["stage"], "checkout");

    // Coverage: every stage of the two maps that have detailed journeys.
    let coverage: Vec<(String, String, Vec<String>)> = index["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["map"].as_str().unwrap().to_owned(),
                c["stage"].as_str().unwrap().to_owned(),
                strings(&c["details"]),
            )
        })
        .collect();
    let row = |m: &str, s: &str, d: &[&str]| {
        (
            m.to_owned(),
            s.to_owned(),
            d.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        coverage,
        [
            row(LIFECYCLE, "discover", &[]),
            row(LIFECYCLE, "buy", &[BUYING]),
            row(LIFECYCLE, "use", &[USING]),
            row(LIFECYCLE, "renew", &[]),
            row(BUYING, "browse", &[]),
            row(BUYING, "checkout", &[]),
            row(BUYING, "pay", &[PAYING]),
        ]
    );

    // The persona file of three maps is one persona; the inline one is another.
    assert_eq!(
        index["personas"],
        json!([
            {"name": "Sam", "role": "Runs a small bakery, orders supplies weekly",
             "file": "personas/sam.yaml", "maps": [LIFECYCLE, BUYING, USING]},
            {"name": "Priya", "role": "Bookkeeper of the bakery", "file": null, "maps": [PAYING]},
        ])
    );

    // One backlog: severity weight × impact ÷ effort. remember-vat critical 5 × high 3 ÷
    // small 1 = 15; invoice-first 5 × 3 ÷ medium 2 = 7.5; delivery-window high 3 × medium 2
    // ÷ small 1 = 6; renewal-reminder 3 × 3 ÷ large 3 = 3; faster-basket medium 2 × 2 ÷ 2 = 2.
    let backlog: Vec<(u64, String, String, f64, u64)> = index["backlog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["rank"].as_u64().unwrap(),
                b["map"].as_str().unwrap().to_owned(),
                b["id"].as_str().unwrap().to_owned(),
                b["priority"].as_f64().unwrap(),
                b["map_rank"].as_u64().unwrap(),
            )
        })
        .collect();
    let item = |r: u64, m: &str, id: &str, p: f64, mr: u64| (r, m.to_owned(), id.to_owned(), p, mr);
    assert_eq!(
        backlog,
        [
            item(1, BUYING, "remember-vat", 15.0, 1),
            item(2, PAYING, "invoice-first", 7.5, 1),
            item(3, USING, "delivery-window", 6.0, 1),
            item(4, LIFECYCLE, "renewal-reminder", 3.0, 1),
            item(5, BUYING, "faster-basket", 2.0, 2),
        ]
    );

    // The parent's stages roll up their journeys; the child knows its place.
    let lifecycle = json_at(out.path(), "lifecycle.json");
    let details = |stage: usize| -> Vec<String> {
        lifecycle["stages"][stage]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        (details(0), details(1), details(2)),
        (
            vec![],
            vec!["Buying supplies online".to_owned()],
            vec!["Receiving and using supplies".to_owned()]
        )
    );
    let buy = &lifecycle["stages"][1]["details"][0];
    assert_eq!(buy["page"], "journeys/buying");
    assert_eq!(buy["open_opportunities"], 2);
    assert_eq!(buy["headline"]["metrics"]["nps"]["value"], 20.0);
    let paying = json_at(out.path(), "journeys/checkout/paying.json");
    assert_eq!(paying["parent"]["stage"], "pay");
    assert_eq!(paying["parent"]["page"], "../buying");
    let crumbs: Vec<(String, String)> = paying["breadcrumb"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["title"].as_str().unwrap().to_owned(),
                c["page"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        crumbs,
        [
            (
                "Supplier lifecycle".to_owned(),
                "../../lifecycle".to_owned()
            ),
            ("Buying supplies online".to_owned(), "../buying".to_owned()),
        ]
    );

    // --max-age moves the line: at 150 days the invoice journey (174) is stale too.
    let out = render("json", &["--max-age", "150"]);
    let index = json_at(out.path(), "index.json");
    let stale: Vec<bool> = index["maps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["stale"].as_bool().unwrap())
        .collect();
    assert_eq!(stale, [false, false, true, true]);
}

/// Every relative link of an HTML page, without its fragment.
fn html_links(page: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(page);
    doc.select(&scraper::Selector::parse("a[href]").unwrap())
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| !h.starts_with('#') && !h.contains("://"))
        .map(|h| h.split('#').next().unwrap().to_owned())
        .collect()
}

#[test]
fn every_link_between_the_pages_leads_to_a_page_that_was_written() {
    for format in ["html", "markdown"] {
        let out = render(format, &[]);
        let mut followed = 0;
        for page in crate::util::walk(out.path()) {
            let text = std::fs::read_to_string(&page).unwrap();
            let links: Vec<String> = if format == "html" {
                html_links(&text)
            } else {
                text.match_indices("](<")
                    .map(|(i, _)| {
                        let rest = &text[i + 3..];
                        rest[..rest.find('>').unwrap()]
                            .split('#')
                            .next()
                            .unwrap()
                            .to_owned()
                    })
                    .collect()
            };
            for link in links {
                let target = page.parent().unwrap().join(&link);
                assert!(target.is_file(), "{}: {link} leads nowhere", page.display());
                followed += 1;
            }
        }
        // Index rows, tree cards, personas and backlog; breadcrumbs; detailed journeys.
        assert!(followed > 25, "{format}: only {followed} links");
    }
}

#[test]
fn the_index_page_shows_the_tree_the_gaps_and_the_stale_map() {
    let out = render("html", &[]);
    let page = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    let doc = scraper::Html::parse_document(&page);
    let texts = |sel: &str| -> Vec<String> {
        doc.select(&scraper::Selector::parse(sel).unwrap())
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    };
    // A row of stages for each map that has detailed journeys.
    assert_eq!(
        texts(".lifecycle .stage-name"),
        [
            "1. Discover",
            "2. Buy",
            "3. Use",
            "4. Renew",
            "1. Browse",
            "2. Check out",
            "3. Pay"
        ]
    );
    assert_eq!(
        texts(".lifecycle .gap").len(),
        4,
        "discover, renew, browse, check out"
    );
    assert_eq!(texts(".lifecycle .card.detail > p:first-child a").len(), 3);
    // The stale map is marked wherever it is named: its card and its row.
    assert_eq!(texts(".stale").len(), 2);
    // The Markdown index: every table keeps its columns, as a GFM parser reads it.
    let out = render("markdown", &[]);
    let md = std::fs::read_to_string(out.path().join("index.md")).unwrap();
    let headings = crate::markdown::headings(&md);
    assert_eq!(
        headings,
        [
            "Journey maps",
            "Supplier lifecycle",
            "Buying supplies online",
            "Every map",
            "Personas",
            "One backlog across the maps"
        ]
    );
    let cells = crate::markdown::table_cells(&md);
    assert!(cells.iter().any(|c| c == "4. Renew"), "{cells:?}");
    assert!(cells.iter().any(|c| c.contains("none yet")), "{cells:?}");
}

/// A tree of maps in a temporary folder, read with `--root` there.
fn validate_here(dir: &Path, files: &[(&str, &str)]) -> String {
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let root = dir.display().to_string();
    let o = run_in(
        dir,
        &["validate", "--format", "short", "--root", &root, "maps"],
    );
    stdout(&o)
}

const TOP: &str = "journeymap: 1\ntitle: Top\npersona: {name: P}\nstages:\n  - {id: buy, name: Buy, touchpoints: [{name: Web}]}\n";

fn child(parent: &str) -> String {
    format!(
        "journeymap: 1\ntitle: Child\npersona: {{name: P}}\nparent: {parent}\nstages:\n  - {{id: a, name: A, touchpoints: [{{name: Web}}]}}\n"
    )
}

#[test]
fn a_broken_parent_is_refused_at_its_line() {
    let dir = tempdir();
    let outside = tempdir();
    std::fs::write(outside.path().join("top.journey.yaml"), TOP).unwrap();
    let far = format!("{}/top.journey.yaml#buy", outside.path().display());
    let said = validate_here(
        dir.path(),
        &[
            ("maps/top.journey.yaml", TOP),
            ("maps/persona.yaml", "name: P\n"),
            ("maps/missing.journey.yaml", &child("gone.journey.yaml#buy")),
            ("maps/outside.journey.yaml", &child(&far)),
            (
                "maps/persona-as-parent.journey.yaml",
                &child("persona.yaml#buy"),
            ),
            ("maps/typo.journey.yaml", &child("top.journey.yaml#buyy")),
            ("maps/loop-a.journey.yaml", &child("loop-b.journey.yaml#a")),
            ("maps/loop-b.journey.yaml", &child("loop-a.journey.yaml#a")),
        ],
    );
    for want in [
        "maps/missing.journey.yaml:4:9: error[JM000]: cannot read maps/gone.journey.yaml: no such file",
        "maps/outside.journey.yaml:4:9: error[JM007]: parent map ",
        "maps/persona-as-parent.journey.yaml:4:9: error[JM022]: the parent maps/persona.yaml has no `journeymap:` key",
        "maps/typo.journey.yaml:4:9: error[JM023]: the parent maps/top.journey.yaml has no stage `buyy`; did you mean `buy`?",
        "maps/loop-a.journey.yaml:4:9: error[JM024]: the parents of this map lead back to it (maps/loop-a.journey.yaml → maps/loop-b.journey.yaml → maps/loop-a.journey.yaml)",
        "maps/loop-b.journey.yaml:4:9: error[JM024]: the parents of this map lead back to it",
    ] {
        assert!(said.contains(want), "wanted {want:?} in:\n{said}");
    }
    assert_eq!(said.lines().count(), 6, "{said}");
    // The folder renders nothing while a parent is broken.
    let o = run_in(
        dir.path(),
        &["render", "--root", ".", "maps", "-o", "site/"],
    );
    assert_eq!(code(&o), 1);
    assert!(!dir.path().join("site").exists());
}

#[test]
fn a_diff_of_the_folder_names_added_removed_and_reparented_maps() {
    use crate::workflow::git;
    let dir = tempdir();
    let maps = dir.path().join("maps");
    for entry in walkdir::WalkDir::new(crate::util::root().join(DIR)) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(crate::util::root().join(DIR))
            .unwrap();
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(maps.join(rel)).unwrap();
        } else {
            std::fs::copy(entry.path(), maps.join(rel)).unwrap();
        }
    }
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "v1"]);
    // The use journey now details the renew stage; a journey is added under discover; the
    // invoice sub-journey is gone.
    let using = maps.join(USING);
    let text = std::fs::read_to_string(&using).unwrap();
    std::fs::write(&using, text.replace("#use", "#renew")).unwrap();
    std::fs::write(
        maps.join("finding.journey.yaml"),
        child("lifecycle.journey.yaml#discover"),
    )
    .unwrap();
    std::fs::remove_file(maps.join(PAYING)).unwrap();
    let d = crate::util::diff_json(dir.path(), "HEAD:maps/", "maps/");
    assert_eq!(
        d["added"],
        json!([{"path": "finding.journey.yaml", "title": "Child"}])
    );
    assert_eq!(
        d["removed"],
        json!([{"path": PAYING, "title": "Paying by invoice"}])
    );
    assert_eq!(
        d["reparented"],
        json!([{"path": USING, "title": "Receiving and using supplies",
                "parent": {"old": "../lifecycle.journey.yaml#use", "new": "../lifecycle.journey.yaml#renew"}}])
    );
    // The buying journey lost its sub-journey, which is not a change of the buying map.
    assert!(strings(&d["unchanged"]).contains(&BUYING.to_owned()), "{d}");
    assert!(
        d["summary"].as_str().unwrap().contains("1 map re-parented"),
        "{}",
        d["summary"]
    );
}

#[test]
fn a_journeys_headline_carries_its_moves_into_the_latest_wave() {
    let dir = tempdir();
    // Wave A: 40 answers of 3 (NPS −100); wave B: 40 answers of 10 (NPS +100).
    let mut csv = String::from("wave,nps\n");
    for _ in 0..40 {
        csv.push_str("A,3\n");
    }
    for _ in 0..40 {
        csv.push_str("B,10\n");
    }
    let journey = format!(
        "{}surveys:\n  - id: pulse\n    file: pulse.csv\n    layout: wide\n    wave: {{column: wave, by: label}}\n    overall: {{nps: nps}}\n",
        child("top.journey.yaml#buy")
    );
    validate_here(
        dir.path(),
        &[
            ("maps/top.journey.yaml", TOP),
            ("maps/pulse.csv", &csv),
            ("maps/journey.journey.yaml", &journey),
        ],
    );
    let o = run_in(
        dir.path(),
        &[
            "render", "--root", ".", "maps", "-f", "json", "-o", "site/", "-q",
        ],
    );
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let index = json_at(&dir.path().join("site"), "index.json");
    let headline = &index["maps"][1]["headline"];
    assert_eq!(headline["metrics"]["nps"]["value"], 100.0, "{headline}");
    let moves = headline["moves"].as_array().unwrap();
    assert_eq!(moves.len(), 1, "{headline}");
    assert_eq!(
        (
            &moves[0]["measure"],
            &moves[0]["from"],
            &moves[0]["to"],
            &moves[0]["delta"]
        ),
        (&json!("nps"), &json!("A"), &json!("B"), &json!(200.0))
    );
    // The parent's stage shows the same move.
    let top = json_at(&dir.path().join("site"), "top.json");
    assert_eq!(
        top["stages"][0]["details"][0]["headline"]["moves"],
        headline["moves"]
    );
    let o = run_in(
        dir.path(),
        &["render", "--root", ".", "maps", "-o", "html/", "-q"],
    );
    assert_eq!(code(&o), 0);
    let page = std::fs::read_to_string(dir.path().join("html/top.html")).unwrap();
    assert!(page.contains("from A to B, beyond noise"), "{page}");
}
