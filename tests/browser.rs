//! The HTML is loaded in a real headless browser (Debian's chromium, which `.ci/run`
//! installs): the DOM it builds must hold the whole map. Issue-level checks (axe, layout,
//! print) live in the browser harness; this is the always-on smoke test.

use std::process::Command;

use crate::util::{code, example_maps, rel, run, stdout, tempdir};

fn chromium() -> Option<&'static str> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
}

/// The DOM Chromium builds from a page (scripts run, layout done).
fn dump_dom(browser: &str, html: &std::path::Path) -> scraper::Html {
    let profile = tempdir();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
        ])
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    scraper::Html::parse_document(&String::from_utf8_lossy(&out.stdout))
}

#[test]
#[ignore = "real browser: needs Debian's chromium; run with --include-ignored (CI does)"]
fn chromium_builds_the_whole_grid_for_every_example() {
    let browser = chromium().expect("chromium is not installed (apt-get install chromium)");
    let dir = tempdir();
    for map in example_maps() {
        let json: serde_json::Value =
            serde_json::from_str(&stdout(&run(&["render", "-f", "json", &rel(&map)]))).unwrap();
        let stages = json["stages"].as_array().unwrap().len();
        let html = dir.path().join("page.html");
        let o = run(&["render", &rel(&map), "-o", html.to_str().unwrap()]);
        assert_eq!(code(&o), 0);
        let dom = dump_dom(browser, &html);
        let sel = |s: &str| scraper::Selector::parse(s).unwrap();
        // One column header per stage, plus the lane-header corner.
        assert_eq!(
            dom.select(&sel("table.grid > thead > tr > th")).count(),
            stages + 1,
            "{}",
            rel(&map)
        );
        assert_eq!(dom.select(&sel("table.grid col.stage-col")).count(), stages);
        // The emotion curve is drawn, with a text alternative naming every stage.
        let desc: String = dom
            .select(&sel("#curve-desc"))
            .next()
            .unwrap()
            .text()
            .collect();
        for s in json["stages"].as_array().unwrap() {
            assert!(desc.contains(s["name"].as_str().unwrap()));
        }
        // One line through the hand-set emotions; a dashed one through measured ones, and
        // one through the comments' sentiment where the JSON has it.
        assert_eq!(
            dom.select(&sel(
                "svg path.line:not(.measured, .previous, .seg, .sentiment)"
            ))
            .count(),
            1
        );
        let sentiment = json["emotion_curve"]["sentiment"]["points"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(
            dom.select(&sel("svg path.dot.sentiment")).count(),
            sentiment
        );
        let measured = json["stages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| !s["emotion_measured"].is_null())
            .count();
        assert_eq!(dom.select(&sel("svg path.dot.measured")).count(), measured);
        assert_eq!(dom.select(&sel("script")).count(), 0);
    }
}

/// Waves and segments as Chromium builds them, for the returns example: the earlier wave's
/// curve behind the latest, one curve and marker set per segment, one trend chart per stage
/// and measure, every significant change said in words, and the segment tables holding the
/// figures `-f json` gives.
/// A map's JSON, and its HTML page as Chromium builds it.
fn page(map: &str) -> (serde_json::Value, scraper::Html) {
    let browser = chromium().expect("chromium is not installed (apt-get install chromium)");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["render", "-f", "json", map]))).unwrap();
    let dir = tempdir();
    let html = dir.path().join("page.html");
    assert_eq!(
        code(&run(&["render", map, "-o", html.to_str().unwrap()])),
        0
    );
    (json, dump_dom(browser, &html))
}

#[test]
#[ignore = "real browser: needs Debian's chromium; run with --include-ignored (CI does)"]
fn chromium_shows_waves_and_segments_as_the_json_has_them() {
    let (json, dom) = page("examples/returns-over-time/returns.journey.yaml");
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let text = |e: scraper::ElementRef| e.text().collect::<String>();
    let stages = json["stages"].as_array().unwrap();
    assert_eq!(json["wave_labels"].as_array().unwrap().len(), 3);
    assert_eq!(json["segment_labels"].as_array().unwrap().len(), 2);

    // The wave before, faint, and one line and marker set per segment.
    assert_eq!(dom.select(&sel("svg path.line.previous")).count(), 1);
    assert_eq!(dom.select(&sel("svg path.line.seg")).count(), 2);
    let points: usize = json["emotion_curve"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["series"]["points"].as_array().unwrap().len())
        .sum();
    assert_eq!(points, 10);
    assert_eq!(dom.select(&sel(".curve .plot > .seg-mark")).count(), points);
    let legend = text(dom.select(&sel(".curve .legend")).next().unwrap());
    for label in ["Online", "In store", "2026-Q2", "2026-Q3"] {
        assert!(legend.contains(label), "{legend}");
    }

    // A trend per stage and measure, and every significant change in words.
    let trends: usize = stages
        .iter()
        .map(|s| s["trends"].as_array().unwrap().len())
        .sum();
    // Five stages, four measures each: NPS, CSAT, CES and the comments' sentiment.
    assert_eq!(trends, 20);
    assert_eq!(dom.select(&sel("svg.spark")).count(), trends);
    let significant: Vec<&serde_json::Value> = stages
        .iter()
        .flat_map(|s| s["changes"].as_array().unwrap())
        .filter(|c| c["significant"] == true)
        .collect();
    let moved: Vec<String> = dom.select(&sel(".moved")).map(text).collect();
    assert_eq!(moved.len(), significant.len());
    assert!(!moved.is_empty());
    for (m, c) in moved.iter().zip(&significant) {
        assert!(m.contains("significant"), "{m}");
        assert!(m.contains(c["to"].as_str().unwrap()), "{m}");
    }

    // Segment tables: one per stage, each segment figure as the JSON has it.
    let tables: Vec<scraper::ElementRef> = dom.select(&sel("table.seg-table")).collect();
    assert_eq!(tables.len(), stages.len());
    for (table, stage) in tables.iter().zip(stages) {
        let cells: Vec<String> = table.select(&sel("tbody td b")).map(text).collect();
        let mut want = Vec::new();
        // A row per segment, a column per measure.
        for g in stage["segments"].as_array().unwrap() {
            for m in stage["metrics"].as_object().unwrap().keys() {
                if let Some(f) = g["metrics"].get(m) {
                    want.push(journeymap::words::metric(f["value"].as_f64().unwrap(), m));
                }
            }
        }
        assert_eq!(cells, want, "{}", stage["id"]);
    }
}

/// The real-client harness in `tests/browser/` (playwright-core with axe-core, the Nu HTML
/// checker, Mermaid's parser): `.ci/run` installs it with `npm ci` and runs it with
/// `--include-ignored`; a plain `cargo test` lists it as ignored, never as passed.
#[test]
#[ignore = "real clients: needs chromium, Java and `npm ci` in tests/browser; run with --include-ignored (CI does)"]
fn real_clients_accept_every_output() {
    let dir = crate::util::root().join("tests/browser");
    assert!(
        dir.join("node_modules").is_dir() && chromium().is_some(),
        "the real-client harness is not installed: apt-get install chromium default-jre-headless, then npm ci in tests/browser"
    );
    let out = Command::new("node")
        .arg("--test")
        .current_dir(&dir)
        .env("JOURNEYMAP_BIN", env!("CARGO_BIN_EXE_journeymap"))
        .output()
        .expect("node runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{}",
        report
            .lines()
            .filter(|l| !l.trim_start().starts_with("# Subtest"))
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("# fail 0"), "{report}");
    // Say which checks ran (shown with --nocapture), and that there were as many as pages
    // times checks: a harness that found no pages would otherwise pass.
    let ran: Vec<&str> = report.lines().filter(|l| l.starts_with("ok ")).collect();
    println!("{}", ran.join("\n"));
    assert!(ran.len() >= 20, "only {} checks ran:\n{report}", ran.len());
}

/// The shop-checkout example's event log in Chromium's DOM: per stage, one flow entry per
/// event the lost went to, with the JSON's count and a bar as wide as its share, and one
/// driver per JSON driver, its odds ratio in the words.
#[test]
#[ignore = "real browser: needs Debian's chromium; run with --include-ignored (CI does)"]
fn chromium_shows_where_the_lost_went_as_the_json_has_them() {
    let (json, dom) = page("examples/shop-checkout/shop-checkout.journey.yaml");
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let text = |e: scraper::ElementRef| e.text().collect::<String>();
    let flows: Vec<scraper::ElementRef> = dom.select(&sel("div.flow")).collect();
    let drivers: Vec<scraper::ElementRef> = dom.select(&sel("div.drivers")).collect();
    let stages: Vec<&serde_json::Value> = json["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["reach"]["next_of_lost"]
                .as_array()
                .is_some_and(|l| !l.is_empty())
        })
        .collect();
    assert_eq!(stages.len(), 2, "open-app and reorder");
    assert_eq!((flows.len(), drivers.len()), (2, 2));
    for ((flow, list), s) in flows.iter().zip(&drivers).zip(&stages) {
        let next = s["reach"]["next_of_lost"].as_array().unwrap();
        let lost: u64 = next.iter().map(|e| e["count"].as_u64().unwrap()).sum();
        assert!(text(*flow).contains(&format!("Where the {lost} lost went next")));
        let items: Vec<scraper::ElementRef> = flow.select(&sel("li")).collect();
        assert_eq!(items.len(), next.len());
        for (li, e) in items.iter().zip(next) {
            let count = e["count"].as_u64().unwrap();
            let words = text(*li);
            assert!(words.contains(&count.to_string()), "{words}");
            let bar = li.select(&sel(".flow-track span")).next().unwrap();
            let width = bar.value().attr("style").unwrap();
            let share = journeymap::words::number(100.0 * count as f64 / lost as f64, 1);
            assert_eq!(width, format!("width: {share}%"), "{words}");
        }
        let want = s["reach"]["drivers"].as_array().unwrap();
        let said: Vec<String> = list.select(&sel("li")).map(text).collect();
        assert_eq!(said.len(), want.len());
        for (words, d) in said.iter().zip(want) {
            assert!(words.contains(d["value"].as_str().unwrap()), "{words}");
            let or = journeymap::words::number(d["odds_ratio"].as_f64().unwrap(), 2);
            assert!(words.contains(&format!("×{or}")), "{words} vs {or}");
        }
    }
}
