//! Real survey exports from `fixtures/real/` (see its ATTRIBUTION.md): every file loads,
//! and every figure matches an independent computation (`fixtures/real/expected.py`:
//! Python's csv module and the guide's formulas written out again, columns picked by hand).

use crate::util::{code, python_json, root, run, stdout};

fn expected() -> serde_json::Value {
    python_json(&[root().join("tests/fixtures/real/expected.py").as_os_str()])
}

fn render(name: &str) -> serde_json::Value {
    let o = run(&[
        "render",
        "-f",
        "json",
        &format!("tests/fixtures/real/maps/{name}.journey.yaml"),
    ]);
    assert_eq!(code(&o), 0, "{name}");
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn same(got: &serde_json::Value, want: &serde_json::Value, what: &str) {
    assert_eq!(got["n"], want["n"], "{what}: n");
    for k in ["value", "low", "high"] {
        let (g, w) = (got[k].as_f64().unwrap(), want[k].as_f64().unwrap());
        assert!((g - w).abs() < 1e-9, "{what}: {k} {g} != {w}");
    }
    let low_sample = want["n"].as_u64().unwrap() < 30;
    assert_eq!(got["low_sample"], low_sample, "{what}: low_sample");
}

#[test]
fn every_real_export_matches_the_independent_computation() {
    let expected = expected();
    let maps = expected.as_object().unwrap();
    assert_eq!(maps.len(), 8);
    for (name, want) in maps {
        let got = render(name);
        for (stage, measures) in want["stages"].as_object().unwrap() {
            let st = got["stages"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == stage.as_str())
                .unwrap();
            for (m, fig) in measures.as_object().unwrap() {
                same(&st["metrics"][m], fig, &format!("{name} {stage} {m}"));
            }
        }
        if let Some(overall) = want.get("overall") {
            for (m, fig) in overall.as_object().unwrap() {
                same(&got["metrics"][m], fig, &format!("{name} overall {m}"));
            }
        }
        for (survey, rows) in want["rows"].as_object().unwrap() {
            let s = got["survey_summary"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == survey.as_str())
                .unwrap();
            assert_eq!(&s["rows"], rows, "{name} {survey} rows");
        }
    }
}

#[test]
fn the_ledger_counts_what_was_skipped_filtered_and_missing() {
    // Google Forms hot dogs: 64 rows; 56 Yes/No answers in any case; 8 others
    // (Yesss, Nope, Yeah, Noooo, Yesssssss, Y, N, N) skipped and counted.
    let d = render("hotdog");
    let spring = &d["survey_summary"][0];
    assert_eq!(spring["rows"], 64);
    assert_eq!(spring["values_skipped"], 8);
    assert_eq!(spring["values_used"], 56);
    // Star Wars: 1,186 respondents, 250 who have not seen a film filtered out.
    let d = render("starwars");
    let s = &d["survey_summary"][0];
    assert_eq!(s["rows"], 1186);
    assert_eq!(s["rows_filtered"], 1186 - 936);
    assert_eq!(s["header_rows"], 2);
    // Qualtrics: three header rows in the current export, two in the legacy one.
    let d = render("qualtrics");
    assert_eq!(d["survey_summary"][0]["header_rows"], 3);
    assert_eq!(d["survey_summary"][1]["header_rows"], 2);
    let verbatims: Vec<&str> = d["stages"][0]["verbatims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["text"].as_str().unwrap())
        .collect();
    // The same words in both exports are shown once and counted twice.
    assert_eq!(verbatims, ["Hello World!"]);
    assert_eq!(d["stages"][0]["comments"], 2);
    // Sudzilla's emotion is measured from NPS: -35.897… / 50.
    let d = render("sudzilla");
    let e = d["stages"][0]["emotion_measured"].as_f64().unwrap();
    assert!((e - (-14.0 / 39.0 * 100.0) / 50.0).abs() < 1e-12);
}

#[test]
fn files_that_are_not_utf8_are_read_and_reported_once() {
    let o = run(&[
        "validate",
        "--format",
        "short",
        "tests/fixtures/real/maps/starwars.journey.yaml",
    ]);
    assert_eq!(
        stdout(&o),
        "tests/fixtures/real/surveymonkey/StarWars.csv:1:32: warning[JM104]: the file is not valid UTF-8 here; its text was read as Windows-1252 — add `encoding: windows-1252` to the survey if that is right\n"
    );
    let o = run(&[
        "validate",
        "--format",
        "short",
        "tests/fixtures/real/maps/hotdog-declared.journey.yaml",
    ]);
    assert_eq!(stdout(&o), "", "declared Windows-1252 is not a surprise");
    // The declared and the detected reading give the same text: 0x92 is a right quote.
    let declared = render("hotdog-declared");
    let texts = |d: &serde_json::Value| d["stages"][0]["verbatims"].to_string();
    assert!(!texts(&declared).contains('\u{fffd}'));
    assert_eq!(declared["survey_summary"][0]["encoding"], "windows-1252");
    // --strict makes the warning fail the run.
    let o = run(&[
        "validate",
        "--strict",
        "tests/fixtures/real/maps/starwars.journey.yaml",
    ]);
    assert_eq!(code(&o), 1);
}
