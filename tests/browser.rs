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
        let dom = scraper::Html::parse_document(&String::from_utf8_lossy(&out.stdout));
        let sel = |s: &str| scraper::Selector::parse(s).unwrap();
        // One column header per stage, plus the lane-header corner.
        assert_eq!(
            dom.select(&sel("table.grid thead th")).count(),
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
        // One line through the hand-set emotions; a dashed one through measured ones.
        assert_eq!(dom.select(&sel("svg path.line:not(.measured)")).count(), 1);
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
