//! Scoring models for the backlog (the guide: "The opportunity backlog"): RICE, ICE, WSJF and
//! a formula the team writes, each ranked on one fixture whose scores are computed by hand:
//!
//! | solution | severity | impact | effort | ease | reach | confidence |
//! |---|---|---|---|---|---|---|
//! | sa (stage a) | high 3 | high 3 | small 1 | 3 | 1000 (funnel) | 0.8 (written evidence) |
//! | sb (stage b) | critical 5 | medium 2 | large 3 | 1 | 400 (funnel) | 0.5 (none) |
//! | sc (stage c) | medium 2 | low 1 | medium 2 | 2 | 25 (survey n) | 1.0 (a survey figure) |
//!
//! RICE = reach × impact × confidence ÷ effort: sa 2400, sb 133.33, sc 12.5.
//! ICE = impact × confidence × ease: sa 7.2, sb 1, sc 2.
//! WSJF = (severity + impact) ÷ effort: sa 6, sb 2.33, sc 1.5.
//! `severity * 10 - effort`: sa 29, sb 47, sc 18.

use serde_json::Value;

use crate::util::{code, run_in, stdout, tempdir};

fn map(score: &str) -> String {
    format!(
        "journeymap: 1
title: Scores
persona: {{name: Kim}}
backlog: {{score: \"{score}\"}}
stages:
  - id: a
    name: A
    funnel: 1000
    touchpoints: [{{name: Web}}]
    pain_points: [{{id: pa, text: Slow, severity: high, evidence: 12 of 20 interviews}}]
    solutions: [{{id: sa, text: Speed up, addresses: [pa], impact: high, effort: small}}]
  - id: b
    name: B
    funnel: 400
    touchpoints: [{{name: Web}}]
    pain_points: [{{id: pb, text: Broken, severity: critical}}]
    solutions: [{{id: sb, text: Fix, addresses: [pb], impact: medium, effort: large}}]
  - id: c
    name: C
    touchpoints: [{{name: Web}}]
    pain_points: [{{id: pc, text: Unclear, severity: medium}}]
    solutions: [{{id: sc, text: Explain, addresses: [pc], impact: low, effort: medium}}]
surveys:
  - id: s
    file: answers.csv
    stage_column: stage
    measures: {{csat: csat}}
"
    )
}

fn ranked(dir: &std::path::Path, score: &str) -> Vec<(String, f64)> {
    std::fs::write(dir.join("m.journey.yaml"), map(score)).unwrap();
    let o = run_in(dir, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    j["backlog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["id"].as_str().unwrap().to_owned(),
                b["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn rice_ice_wsjf_and_a_formula_rank_as_computed_by_hand() {
    let dir = tempdir();
    let mut csv = String::from("stage,csat\n");
    for i in 0..25 {
        csv.push_str(&format!("c,{}\n", 1 + i % 5));
    }
    std::fs::write(dir.path().join("answers.csv"), csv).unwrap();
    let close = |got: &[(String, f64)], want: &[(&str, f64)]| {
        assert_eq!(got.len(), want.len());
        for ((id, s), (wid, ws)) in got.iter().zip(want) {
            assert_eq!(id, wid, "{got:?}");
            assert!((s - ws).abs() < 1e-9, "{id}: {s} against {ws}");
        }
    };
    close(
        &ranked(dir.path(), "rice"),
        &[
            ("sa", 2400.0),
            ("sb", 400.0 * 2.0 * 0.5 / 3.0),
            ("sc", 12.5),
        ],
    );
    close(
        &ranked(dir.path(), "ice"),
        &[("sa", 7.2), ("sc", 2.0), ("sb", 1.0)],
    );
    close(
        &ranked(dir.path(), "wsjf"),
        &[("sa", 6.0), ("sb", 7.0 / 3.0), ("sc", 1.5)],
    );
    close(
        &ranked(dir.path(), "severity * 10 - effort"),
        &[("sb", 47.0), ("sa", 29.0), ("sc", 18.0)],
    );
    // The factors behind each score are in the JSON and on the page.
    std::fs::write(dir.path().join("m.journey.yaml"), map("rice")).unwrap();
    let j: Value = serde_json::from_str(&stdout(&run_in(
        dir.path(),
        &["render", "-f", "json", "m.journey.yaml"],
    )))
    .unwrap();
    let sc = &j["backlog"][2]["factors"];
    assert_eq!(
        (
            &sc["reach"],
            &sc["reach_from"],
            &sc["confidence"],
            &sc["confidence_from"]
        ),
        (
            &Value::from(25.0),
            &Value::from("survey n"),
            &Value::from(1.0),
            &Value::from("measured")
        )
    );
    let md = stdout(&run_in(
        dir.path(),
        &["render", "-f", "markdown", "m.journey.yaml"],
    ));
    assert!(
        md.contains("score = RICE = reach × impact × confidence ÷ effort"),
        "{md}"
    );
    assert!(
        md.contains("| 1000 (funnel) | 0.8 (written) | **2400** |"),
        "{md}"
    );
}

#[test]
fn a_formula_naming_an_unknown_factor_is_refused_at_its_line() {
    let dir = tempdir();
    std::fs::write(dir.path().join("answers.csv"), "stage,csat\nc,4\n").unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), map("reach * impcat")).unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("m.journey.yaml:4:18: error[JM027]: `impcat` is not a factor a score can use; use rice, ice, wsjf, or a formula over severity, impact, effort, ease, reach, confidence; did you mean `impact`?"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_impact_effort_matrix_places_each_open_solution_by_its_rank() {
    let dir = tempdir();
    std::fs::write(dir.path().join("answers.csv"), "stage,csat\nc,4\n").unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), map("wsjf")).unwrap();
    let page = stdout(&run_in(dir.path(), &["render", "m.journey.yaml"]));
    let doc = scraper::Html::parse_document(&page);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let matrix = doc
        .select(&sel("figure.matrix svg"))
        .next()
        .expect("a matrix");
    assert_eq!(matrix.value().attr("role"), Some("img"));
    // sa is high impact and small effort (quick wins), rank 1 under WSJF; sb medium and
    // large; sc low and medium. Each is a dot with its rank, in its cell's column and row.
    let ranks: Vec<(String, f64, f64)> = matrix
        .select(&sel("text.rank-num"))
        .map(|t| {
            (
                t.text().collect(),
                t.value().attr("x").unwrap().parse().unwrap(),
                t.value().attr("y").unwrap().parse().unwrap(),
            )
        })
        .collect();
    let at = |rank: &str| ranks.iter().find(|r| r.0 == rank).unwrap().clone();
    let col = |x: f64, y: f64| (((x - 88.0) / 132.0) as usize, ((y - 22.0) / 100.0) as usize);
    let (_, x1, y1) = at("1");
    let (_, x2, y2) = at("2");
    let (_, x3, y3) = at("3");
    assert_eq!(ranks.len(), 3);
    assert_eq!(
        (col(x1, y1), col(x2, y2), col(x3, y3)),
        ((0, 0), (2, 1), (1, 2))
    );
}
