//! The summary at the top of a map: which stage, pain points and backlog items it names,
//! by the written rules, in the JSON, the HTML and the Markdown.

use crate::util::{code, run_in, stdout, tempdir};

const MAP: &str = r#"journeymap: 1
title: Summary rules
persona: {name: Kim}
stages:
  - id: a
    name: Arrive
    emotion: {score: -1, label: Unsure}
    touchpoints: [{name: t}]
    pain_points:
      - {id: p1, text: High without evidence, severity: high}
      - {id: p5, text: Low one, severity: low, evidence: a lot}
  - id: b
    name: Browse
    emotion: {score: -2, label: Lost}
    touchpoints: [{name: t}]
  - id: c
    name: Choose
    emotion: {score: -2, label: Torn}
    touchpoints: [{name: t}]
    pain_points:
      - {id: p2, text: High with evidence and a fix, severity: high, evidence: 12 tickets}
    solutions:
      - {id: s1, text: Fix it, addresses: [p2], impact: high, effort: small}
      - {id: s2, text: Smaller fix, addresses: [p5]}
  - id: d
    name: Done
    emotion: 0
    touchpoints: [{name: t}]
    pain_points:
      - {id: p3, text: High with evidence and no fix, severity: high, evidence: 3 calls}
      - {id: p4, text: Critical without evidence, severity: critical}
"#;

fn json(dir: &std::path::Path) -> serde_json::Value {
    let o = run_in(dir, &["render", "-f", "json", "map.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn the_summary_follows_its_rules_and_every_output_shows_it() {
    let dir = tempdir();
    std::fs::write(dir.path().join("map.journey.yaml"), MAP).unwrap();
    let j = json(dir.path());
    let s = &j["summary"];
    // Nothing measured: the lowest the team set, and of two at -2 the first.
    assert_eq!(s["lowest"]["stage"], "b");
    assert_eq!(s["lowest"]["measured"], false);
    assert_eq!(s["lowest"]["label"], "Lost");
    assert_eq!(s["lowest"]["position"], 2);
    // Critical first; then of the highs, evidence before none, and no open fix before one.
    let ids: Vec<&str> = s["top_pains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["p4", "p3", "p2"]);
    assert_eq!(s["top_pains"][2]["best_rank"], 1);
    assert!(s["top_pains"][1]["best_rank"].is_null());
    // The backlog: s1 = 3 (high) × 3 (impact high) ÷ 1 (effort small) = 9, s2 = 1 × 2 ÷ 2 = 1.
    let backlog: Vec<&str> = s["top_backlog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(backlog, ["s1", "s2"]);
    assert_eq!(s["headlines"].as_array().unwrap().len(), 0);

    let o = run_in(dir.path(), &["render", "map.journey.yaml"]);
    let html = scraper::Html::parse_document(&stdout(&o));
    let sel = |q: &str| scraper::Selector::parse(q).unwrap();
    let text = |q: &str| -> Vec<String> {
        html.select(&sel(q))
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    };
    assert_eq!(text(".summary .hurts .big"), ["Browse"]);
    assert_eq!(
        text(".glance-lists ol")[0]
            .lines()
            .filter(|l| l.contains("■") || l.contains("▲"))
            .count(),
        3
    );
    assert!(text(".glance-lists li")[0].contains("Critical without evidence"));
    assert!(text(".glance-lists li")[1].contains("no open solution"));

    let o = run_in(
        dir.path(),
        &["render", "-f", "markdown", "map.journey.yaml"],
    );
    let md = stdout(&o);
    let glance = &md[md.find("## At a glance").unwrap()..md.find("## Persona").unwrap()];
    assert!(glance.contains("**Where it hurts most: [Browse](#stage-b)**, stage 2 of 4"));
    assert!(glance.contains("1. ■ critical: [Critical without evidence](#pain-p4)"));
    assert!(glance.contains("1. [Fix it](#solution-s1) (Choose, priority 9"));
}

#[test]
fn a_measured_emotion_outranks_the_teams_and_says_its_sample() {
    let dir = tempdir();
    // Arrive: 4, 4, 5 (mean 4.33); Choose: 1, 2, 1 (mean 1.33, emotion -1.67); Browse none.
    std::fs::write(
        dir.path().join("answers.csv"),
        "stage,csat\na,4\na,4\na,5\nc,1\nc,2\nc,1\n",
    )
    .unwrap();
    let map = format!(
        "{MAP}surveys:\n  - {{id: s, file: answers.csv, layout: long, stage_column: stage, measures: {{csat: csat}}, emotion_from: csat}}\n"
    );
    std::fs::write(dir.path().join("map.journey.yaml"), map).unwrap();
    let j = json(dir.path());
    let l = &j["summary"]["lowest"];
    assert_eq!(l["stage"], "c");
    assert_eq!(l["measured"], true);
    // (4/3 - 1) / (5 - 1) × 4 - 2 = -5/3.
    assert!((l["score"].as_f64().unwrap() + 5.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        l["reading"],
        "From 3 CSAT answers, mean answer 1.33 on 1–5 (CSAT 0%, 95% interval 0% to 56.1%). \
         A low sample: read it as a direction, not a number."
    );
}

#[test]
fn a_lowest_stage_the_team_scored_says_whether_survey_answers_measure_it() {
    let dir = tempdir();
    // Answers for Browse (the lowest, -2 set by the team) and Arrive, none setting the curve.
    let answers = "stage,csat\nb,1\nb,2\na,5\n";
    std::fs::write(dir.path().join("answers.csv"), answers).unwrap();
    let survey =
        "surveys:\n  - {id: s, file: answers.csv, stage_column: stage, measures: {csat: csat}}\n";
    std::fs::write(
        dir.path().join("map.journey.yaml"),
        format!("{MAP}{survey}"),
    )
    .unwrap();
    let l = &json(dir.path())["summary"]["lowest"];
    assert_eq!(
        (l["stage"].as_str(), l["measured"].as_bool()),
        (Some("b"), Some(false))
    );
    assert_eq!(
        l["reading"],
        "Survey answers measure it, but they do not set its emotion: a survey's emotion_from would."
    );
    // The same survey with no answer for Browse: nothing measures it.
    std::fs::write(dir.path().join("answers.csv"), "stage,csat\na,5\nc,1\n").unwrap();
    let l = &json(dir.path())["summary"]["lowest"];
    assert_eq!(l["stage"], "b");
    assert_eq!(l["reading"], "No survey answer measures it.");
}
