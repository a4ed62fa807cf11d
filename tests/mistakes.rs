//! Binding mistakes a new user makes on a real export, each said at its line (the guide:
//! "Plausibility", "One `emotion_from` per stage"): labels short of the scale, a 1..5
//! question bound as NPS, a 0..10 question bound as CSAT, a top answer glued to its label,
//! several surveys each with `emotion_from`; and what the figures say once bound right.
//!
//! The export has the shape of LimeSurvey's "CSV, full answers" export
//! (`fixtures/limesurvey/make_fixtures.py`); every expected figure is computed here from the
//! file, independently of journeymap.

use std::collections::BTreeMap;

use crate::util::{code, root, run, stdout, tempdir};

const DIR: &str = "tests/fixtures/limesurvey";

/// `validate --format json` as (code, line, message) of the map's own diagnostics.
fn said(map: &str) -> Vec<(String, u64, String)> {
    stdout(&run(&["validate", "--format", "json", map]))
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["file"].as_str().unwrap().ends_with(".journey.yaml"))
        .map(|v| {
            (
                v["code"].as_str().unwrap().to_owned(),
                v["line"].as_u64().unwrap(),
                v["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The column's cells, by header, from the export.
fn column(name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(root().join(DIR).join("data-portal.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    let i = headers
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == name)
        .unwrap();
    r.records().map(|rec| rec.unwrap()[i].to_owned()).collect()
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// A mean on `[lo, hi]` as an emotion on -2..2.
fn emotion(m: f64, lo: f64, hi: f64) -> f64 {
    (m - lo) / (hi - lo) * 4.0 - 2.0
}

fn render_json(map: &str) -> serde_json::Value {
    let dir = tempdir();
    let out = dir.path().join("m.json");
    let o = run(&["render", map, "-f", "json", "-o", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn each_binding_mistake_is_said_at_its_line_with_its_fix() {
    let said = said(&format!("{DIR}/mistakes.journey.yaml"));
    let at = |c: &str, line: u64| {
        said.iter()
            .find(|(code, l, _)| code == c && *l == line)
            .map(|(_, _, m)| m.clone())
            .unwrap_or_else(|| panic!("no {c} at line {line}: {said:#?}"))
    };
    // 1. Six labels on a seven-point measure.
    assert!(at("JM125", 17).contains("add `scale: [1, 6]`"));
    // 2. A 1..5 question bound as NPS: 132 answers, none above 5.
    let nps = at("JM126", 25);
    assert!(nps.contains("all 132 answers") && nps.contains("bind it as `csat:`"));
    // A 0..10 question bound as CSAT.
    let csat = at("JM126", 32);
    assert!(csat.contains("0..10 question") && csat.contains("bind it as `nps:`"));
    // 4. The glued top answer, with the mapping that reads it.
    let glued_count = column("G03Q01[SQ001]")
        .iter()
        .filter(|c| *c == "Very helpful10")
        .count();
    let glued = at("JM127", 39);
    assert!(glued.contains(&format!("all {glued_count} skipped answers")));
    assert!(glued.contains(r#"add `values: {"Very helpful10": 10}`"#));
    // 3. Three surveys with `emotion_from` feed three stages: no clash, nothing dropped.
    assert!(said.iter().all(|(c, _, _)| c != "JM128"), "{said:#?}");
    // Nothing else on the map's lines: each mistake once.
    let mut codes: Vec<&str> = said.iter().map(|(c, _, _)| c.as_str()).collect();
    codes.sort();
    assert_eq!(codes, ["JM125", "JM126", "JM126", "JM127"]);
}

#[test]
fn bound_right_the_same_export_is_ok_and_each_stage_has_its_own_measure() {
    let map = format!("{DIR}/right.journey.yaml");
    assert_eq!(
        stdout(&run(&["validate", &map])).trim(),
        "ok: no problems found"
    );
    let j = render_json(&map);
    let stage = |id: &str| {
        j["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    // The six-point ease question on 1..6.
    let ease = [
        "Very difficult",
        "Difficult",
        "Somewhat difficult",
        "Somewhat easy",
        "Easy",
        "Very easy",
    ];
    let values: Vec<f64> = column("G02Q01[SQ001]")
        .iter()
        .map(|c| ease.iter().position(|e| e == c).unwrap() as f64 + 1.0)
        .collect();
    let download = stage("download");
    let ces = &download["metrics"]["ces"];
    assert!((ces["value"].as_f64().unwrap() - mean(&values)).abs() < 1e-9);
    assert_eq!(ces["scale"], serde_json::json!([1.0, 6.0]));
    assert_eq!(ces["question"], "How easy was the download?");
    let e = emotion(mean(&values), 1.0, 6.0);
    assert!((download["emotion_measured"].as_f64().unwrap() - e).abs() < 1e-9);
    assert_eq!(download["emotion_from"], "ces");
    // The glued answer read as 10: the mean of every answer, none skipped.
    let helpful: Vec<f64> = column("G03Q01[SQ001]")
        .iter()
        .map(|c| {
            if c == "Very helpful10" {
                10.0
            } else {
                c.parse().unwrap()
            }
        })
        .collect();
    let use_ = stage("use");
    assert!((use_["metrics"]["score"]["value"].as_f64().unwrap() - mean(&helpful)).abs() < 1e-9);
    assert_eq!(use_["metrics"]["score"]["skipped"], 0);
    assert_eq!(use_["emotion_from"], "score");
    // Each survey's measure drives the stage it binds.
    let from: BTreeMap<String, String> = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["emotion_from"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        from.into_iter().collect::<Vec<_>>(),
        [
            ("discover".into(), "csat".into()),
            ("download".into(), "ces".into()),
            ("recommend".into(), "nps".into()),
            ("use".into(), "score".into()),
        ]
    );
    assert_eq!(
        j["emotion_measures"],
        serde_json::json!(["csat", "ces", "score", "nps"])
    );
}

#[test]
fn a_figure_missing_one_answer_says_its_skips_are_not_a_random_sample() {
    let j = render_json(&format!("{DIR}/glued.journey.yaml"));
    let f = &j["stages"][0]["metrics"]["score"];
    assert_eq!(f["skipped_all_read"], "Very helpful10");
    let caveat = f["caveat"].as_str().unwrap();
    assert!(caveat.contains("not a random sample"), "{caveat}");
    // The biased mean is the mean without the tens, as the caveat warns.
    let kept: Vec<f64> = column("G03Q01[SQ001]")
        .iter()
        .filter_map(|c| c.parse().ok())
        .collect();
    assert!((f["value"].as_f64().unwrap() - mean(&kept)).abs() < 1e-9);
}

/// A map of three stages whose answers are written to a temporary folder.
fn small_map(csv: &str, surveys: &str, stages: &str) -> (tempfile::TempDir, String) {
    let dir = tempdir();
    std::fs::write(dir.path().join("a.csv"), csv).unwrap();
    let map = dir.path().join("m.journey.yaml");
    std::fs::write(
        &map,
        format!(
            "journeymap: 1\ntitle: T\npersona: {{name: P}}\nstages:\n{stages}surveys:\n{surveys}"
        ),
    )
    .unwrap();
    let m = map.to_string_lossy().into_owned();
    (dir, m)
}

const THREE: &str = "  - {id: a, name: A, touchpoints: [{name: W}]}\n  - {id: b, name: B, touchpoints: [{name: W}]}\n  - {id: c, name: C, touchpoints: [{name: W}]}\n";

#[test]
fn where_it_hurts_most_is_never_a_positive_or_lone_stage() {
    let long =
        "  - {id: s, file: a.csv, stage_column: stage, measures: {csat: x}, emotion_from: csat}\n";
    // Every measured stage above neutral: no alarm.
    let (_d, map) = small_map("stage,x\na,4\na,5\nb,4\nc,3\nc,4\n", long, THREE);
    let j = render_json(&map);
    assert!(
        j["summary"]["lowest"].is_null(),
        "{}",
        j["summary"]["lowest"]
    );
    // One measured stage, below neutral: nothing to compare it with, so no alarm either.
    let (_d, map) = small_map("stage,x\na,1\na,2\n", long, THREE);
    let j = render_json(&map);
    assert!(
        j["summary"]["lowest"].is_null(),
        "{}",
        j["summary"]["lowest"]
    );
    // Two measured stages, one below neutral: it.
    let (_d, map) = small_map("stage,x\na,1\na,2\nb,4\n", long, THREE);
    let j = render_json(&map);
    assert_eq!(j["summary"]["lowest"]["stage"], "a");
    assert_eq!(j["summary"]["lowest"]["measure"], "csat");
}

#[test]
fn a_map_measured_only_by_its_funnel_hurts_most_at_its_largest_drop() {
    let stages = "  - {id: a, name: Visit, funnel: 1000, touchpoints: [{name: W}]}\n  - {id: b, name: Sign up, funnel: 700, touchpoints: [{name: W}]}\n  - {id: c, name: Pay, funnel: 140, touchpoints: [{name: W}]}\n";
    let dir = tempdir();
    let map = dir.path().join("m.journey.yaml");
    std::fs::write(
        &map,
        format!("journeymap: 1\ntitle: T\npersona: {{name: P}}\nstages:\n{stages}"),
    )
    .unwrap();
    let j = render_json(map.to_str().unwrap());
    let l = &j["summary"]["lowest"];
    // 700 → 140 loses 80%, more than 1000 → 700 (30%).
    assert_eq!(l["stage"], "c");
    assert!((l["lost"].as_f64().unwrap() - 0.8).abs() < 1e-12);
    assert!(l["detail"].as_str().unwrap().contains("80%"), "{l}");
}

#[test]
fn a_figure_says_what_it_measures_and_a_yes_no_score_reads_as_a_share() {
    let surveys = "  - id: s\n    file: a.csv\n    stage_column: stage\n    measures:\n      score: {column: found, scale: [0, 1], values: {\"Yes\": 1, \"No\": 0}, label: Did you find it?}\n      ces: \"#3\"\n";
    let (dir, map) = small_map(
        "stage,found,How easy was it?\na,Yes,4\na,No,5\na,Yes,2\nb,Yes,3\n",
        surveys,
        THREE,
    );
    let j = render_json(&map);
    let a = &j["stages"][0]["metrics"];
    assert_eq!(a["score"]["question"], "Did you find it?");
    assert_eq!(a["score"]["yes"], "Yes");
    assert_eq!(a["ces"]["question"], "How easy was it?");
    // Two yes of three, with Wilson's interval (by hand: 0.2077 to 0.9385).
    assert!((a["score"]["value"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert!((a["score"]["low"].as_f64().unwrap() - 0.2077).abs() < 1e-4);
    assert!((a["score"]["high"].as_f64().unwrap() - 0.9385).abs() < 1e-4);
    let md = dir.path().join("m.md");
    run(&["render", &map, "-f", "markdown", "-o", md.to_str().unwrap()]);
    let md = std::fs::read_to_string(md).unwrap();
    assert!(
        md.contains("| Score (“Did you find it?”) | 66.7% Yes |"),
        "{md}"
    );
    // A mean says the scale it is on (CES: 1..7 unless `scale:` says otherwise); a share
    // does not need one.
    assert!(
        md.contains("| CES (“How easy was it?”) | 3.67 on 1–7 |"),
        "{md}"
    );
}

#[test]
fn validate_lists_shape_and_meaning_mistakes_in_one_run() {
    let dir = tempdir();
    let map = dir.path().join("m.journey.yaml");
    std::fs::write(
        &map,
        "journeymap: 1\ntitle: One run\npersona: {name: P, colour: blue}\nstages:\n  - id: find\n    name: Find\n    emotion: 5\n    funnel: many\n    touchpoints: [{name: Download (Zenodo, GitHub)}]\n    pain_points:\n      - {id: slow, text: Slow, severity: high}\n    solutions:\n      - {id: fix, text: Fix, addresses: [nope]}\n    bogus:\n      nested: 1\n    goal: [1, 2]\n",
    )
    .unwrap();
    let o = run(&["validate", "--format", "short", map.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    let found: Vec<(u64, &str)> = out
        .lines()
        .map(|l| {
            let mut parts = l.rsplit(".journey.yaml:").next().unwrap().split(':');
            let line = parts.next().unwrap().parse().unwrap();
            (line, &l[l.find('[').unwrap() + 1..l.find(']').unwrap()])
        })
        .collect();
    // Shape (JM003, JM002) and meaning (JM012, JM013, JM011, JM051) together.
    assert_eq!(
        found,
        [
            (3, "JM003"),
            (7, "JM012"),
            (8, "JM013"),
            (9, "JM003"),
            (11, "JM051"),
            (13, "JM011"),
            (14, "JM003"),
            (16, "JM002"),
        ],
        "{out}"
    );
    // A comma in a flow mapping: quote the text.
    assert!(
        out.contains(r#"quote it, `name: "Download (Zenodo, GitHub)"`"#),
        "{out}"
    );
}

#[test]
fn measures_under_stages_without_the_wide_layout_say_add_layout_wide_once() {
    let (_d, map) = small_map(
        "x\n4\n",
        "  - id: s\n    file: a.csv\n    stages:\n      a: {csat: x}\n    emotion_from: csat\n",
        THREE,
    );
    let out = stdout(&run(&["validate", "--format", "short", &map]));
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("error[JM105]") && out.contains("add `layout: wide`"),
        "{out}"
    );
}

#[test]
fn a_long_cell_is_shortened_in_its_diagnostic() {
    let long = "x".repeat(500);
    let (_d, map) = small_map(
        &format!("stage,v\na,4\na,{long}\na,5\n"),
        "  - {id: s, file: a.csv, stage_column: stage, measures: {csat: v}}\n",
        THREE,
    );
    let out = stdout(&run(&["validate", "--format", "short", &map]));
    let line = out.lines().find(|l| l.contains("JM102")).unwrap();
    assert!(line.contains(&format!("`{}…`", "x".repeat(60))), "{line}");
    assert!(line.len() < 300, "{line}");
}

#[test]
fn numeric_event_names_are_names_in_every_form() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("e.csv"),
        "user,event,time\nu1,1003,2026-01-01 10:00:00\nu1,1004,2026-01-01 10:01:00\nu2,1003,2026-01-01 11:00:00\nu1,1005,2026-01-01 10:02:00\n",
    )
    .unwrap();
    let map = dir.path().join("m.journey.yaml");
    std::fs::write(
        &map,
        format!(
            "journeymap: 1\ntitle: T\npersona: {{name: P}}\nstages:\n{THREE}events:\n  - id: log\n    file: e.csv\n    actor: user\n    event: event\n    time: time\n    steps:\n      a: 1003\n      b: {{event: 1004}}\n      c: {{event: [1005]}}\n"
        ),
    )
    .unwrap();
    let j = render_json(map.to_str().unwrap());
    let counts: Vec<u64> = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reach"]["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [2, 1, 1]);
}
