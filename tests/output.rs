//! Where output goes: files, directories with an index, stdout, `--check`, atomic writes.

use std::io::Read;
use std::process::Stdio;

use crate::util::{cmd, code, root, run, run_in, stderr, stdout, tempdir};

const TOOTHBRUSH: &str = "examples/toothbrush/toothbrush.journey.yaml";

#[test]
fn format_follows_the_output_extension() {
    let dir = tempdir();
    for (name, starts) in [
        ("map.html", "<!DOCTYPE html>"),
        // The breadcrumb first: the toothbrush details a stage of the retail lifecycle.
        (
            "map.md",
            "[A shopper's lifecycle with the store](<../retail-lifecycle/lifecycle.md>)",
        ),
        ("map.json", "{\n  \"journeymap\": 1,"),
    ] {
        let out = dir.path().join(name);
        let o = run(&["render", TOOTHBRUSH, "-o", out.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with(starts), "{name}");
    }
    // -f wins over the extension.
    let out = dir.path().join("forced.html");
    run(&[
        "render",
        TOOTHBRUSH,
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(std::fs::read_to_string(&out).unwrap().starts_with('{'));
}

#[test]
fn stdout_is_the_default_and_matches_the_file() {
    let dir = tempdir();
    let out = dir.path().join("m.html");
    let to_stdout = run(&["render", TOOTHBRUSH]);
    let dash = run(&["render", TOOTHBRUSH, "-o", "-"]);
    run(&["render", TOOTHBRUSH, "-o", out.to_str().unwrap()]);
    assert_eq!(to_stdout.stdout, dash.stdout);
    assert_eq!(to_stdout.stdout, std::fs::read(&out).unwrap());
}

#[test]
fn several_maps_go_to_a_directory_with_an_index() {
    let dir = tempdir();
    let out = format!("{}/site/", dir.path().display());
    let o = run(&["render", "examples", "-o", &out]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let site = dir.path().join("site");
    for f in [
        "toothbrush/toothbrush.html",
        "saas-onboarding/saas-onboarding.html",
        "first-investment/first-investment.html",
        "car-service-blueprint/car-service.html",
        "returns-over-time/returns.html",
        "shop-checkout/shop-checkout.html",
        "retail-lifecycle/lifecycle.html",
    ] {
        assert!(site.join(f).is_file(), "{f}");
    }
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let doc = scraper::Html::parse_document(&index);
    let links: Vec<String> = doc
        .select(
            &scraper::Selector::parse("section[aria-labelledby=maps-h] td:first-child a").unwrap(),
        )
        .map(|a| a.value().attr("href").unwrap().to_owned())
        .collect();
    // The examples' portfolio: the retail lifecycle, its toothbrush journey with the shop's
    // checkout below it, and its returns journey; the other maps stand alone, in file order.
    assert_eq!(
        links,
        [
            "car-service-blueprint/car-service.html",
            "first-investment/first-investment.html",
            "retail-lifecycle/lifecycle.html",
            "toothbrush/toothbrush.html",
            "shop-checkout/shop-checkout.html",
            "returns-over-time/returns.html",
            "saas-onboarding/saas-onboarding.html",
        ]
    );
    let stages: Vec<String> = doc
        .select(&scraper::Selector::parse(".lifecycle .stage-name").unwrap())
        .map(|h| h.text().collect::<String>())
        .collect();
    assert_eq!(
        stages.len(),
        5 + 6,
        "the lifecycle's stages, then the toothbrush's"
    );
    // Markdown directory renders get an index.md.
    let o = run(&[
        "render",
        "examples",
        "-f",
        "markdown",
        "-o",
        &format!("{}/md/", dir.path().display()),
    ]);
    assert_eq!(code(&o), 0);
    let index = std::fs::read_to_string(dir.path().join("md/index.md")).unwrap();
    assert!(index.contains("[Replacing an electric toothbrush](<toothbrush/toothbrush.md>)"));
}

#[test]
fn several_maps_without_a_directory_is_a_usage_error() {
    let o = run(&[
        "render",
        TOOTHBRUSH,
        "examples/saas-onboarding/saas-onboarding.journey.yaml",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("give a directory for them with `-o DIR/`"));
}

#[test]
fn check_reports_stale_and_missing_files_and_writes_nothing() {
    let dir = tempdir();
    let out = dir.path().join("m.md");
    let out_s = out.to_str().unwrap();
    let o = run(&["render", TOOTHBRUSH, "-o", out_s, "--check"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("missing:"));
    assert!(!out.exists(), "--check wrote a file");
    run(&["render", TOOTHBRUSH, "-o", out_s]);
    let o = run(&["render", TOOTHBRUSH, "-o", out_s, "--check"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(&out, "edited by hand\n").unwrap();
    let o = run(&["render", TOOTHBRUSH, "-o", out_s, "--check"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("stale:"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "edited by hand\n");
}

#[test]
fn a_failed_render_leaves_the_earlier_file_untouched() {
    let dir = tempdir();
    let out = dir.path().join("m.html");
    std::fs::write(&out, "earlier render\n").unwrap();
    let bad = "tests/fixtures/invalid/combined-three-errors/map.journey.yaml";
    let o = run(&["render", bad, "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[JM010]"));
    assert!(stderr(&o).contains("nothing written"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier render\n");
    // No temporary files are left behind either.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn unreadable_maps_and_unwritable_outputs_exit_2() {
    let o = run(&["validate", "--format", "short", "no/such.journey.yaml"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stdout(&o),
        "no/such.journey.yaml:0:0: error[JM000]: cannot read no/such.journey.yaml: no such file\n"
    );
    let dir = tempdir();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "").unwrap();
    let target = blocker.join("out.html");
    let o = run(&["render", TOOTHBRUSH, "-o", target.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("error: cannot create"),
        "{}",
        stderr(&o)
    );
    let o = run(&["validate", "empty-dir-that-does-not-exist/"]);
    assert_eq!(code(&o), 2);
    let empty = tempdir();
    let o = run(&["validate", empty.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no maps in"));
    let o = run(&["render", "--bogus-flag", TOOTHBRUSH]);
    assert_eq!(code(&o), 2);
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    // A map big enough that its JSON overflows the pipe buffer, so the write must fail.
    let dir = tempdir();
    let mut text = String::from("journeymap: 1\ntitle: Big\npersona: {name: P}\nstages:\n");
    for i in 0..400 {
        text.push_str(&format!(
            "  - {{id: s{i}, name: Stage {i}, goal: {g}, touchpoints: [{{name: T}}]}}\n",
            g = "a long goal ".repeat(20)
        ));
    }
    std::fs::write(dir.path().join("big.journey.yaml"), text).unwrap();
    let mut child = cmd()
        .current_dir(dir.path())
        .args(["render", "-f", "json", "big.journey.yaml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(err, "");
}

#[test]
fn input_files_are_never_modified() {
    let before = std::fs::read(root().join(TOOTHBRUSH)).unwrap();
    let dir = tempdir();
    let o = run_in(
        dir.path(),
        &[
            "render",
            &root().join(TOOTHBRUSH).to_string_lossy(),
            "-o",
            "x.html",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(dir.path().join("x.html").is_file());
    assert_eq!(before, std::fs::read(root().join(TOOTHBRUSH)).unwrap());
}

/// A map bound to a survey big enough that reading it takes a while.
fn slow_map(dir: &std::path::Path) {
    let mut csv = String::from("stage,nps,comment\n");
    for i in 0..1_500_000 {
        csv.push_str(if i % 2 == 0 {
            "a,9,fine\n"
        } else {
            "a,3,\"slow, really\"\n"
        });
    }
    std::fs::write(dir.join("s.csv"), csv).unwrap();
    std::fs::write(
        dir.join("m.journey.yaml"),
        "journeymap: 1\ntitle: t\npersona: {name: P}\nstages: [{id: a, name: A, touchpoints: [{name: T}]}]\nsurveys: [{id: s, file: s.csv, stage_column: stage, measures: {nps: nps, comment: comment}}]\n",
    )
    .unwrap();
}

#[test]
fn a_render_killed_midway_leaves_the_earlier_output_intact() {
    let dir = tempdir();
    slow_map(dir.path());
    std::fs::write(dir.path().join("out.html"), "earlier render\n").unwrap();
    let mut child = cmd()
        .current_dir(dir.path())
        .args(["render", "m.journey.yaml", "-o", "out.html"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the render finished before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.html")).unwrap(),
        "earlier render\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".journeymap-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn two_renders_racing_to_one_output_leave_one_complete_file() {
    let dir = tempdir();
    let spawn = |format: &str| {
        cmd()
            .args(["render", "-f", format, TOOTHBRUSH, "-o"])
            .arg(dir.path().join("out"))
            .spawn()
            .unwrap()
    };
    for _ in 0..5 {
        let (mut a, mut b) = (spawn("html"), spawn("json"));
        assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
        let got = std::fs::read(dir.path().join("out")).unwrap();
        let html = run(&["render", "-f", "html", TOOTHBRUSH]).stdout;
        let json = run(&["render", "-f", "json", TOOTHBRUSH]).stdout;
        assert!(got == html || got == json, "a mixed or partial file");
    }
}
