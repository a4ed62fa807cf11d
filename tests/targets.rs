//! Targets judged with their intervals (the guide: "Targets"): met when the figure's whole
//! 95% interval is on the right side, missed when it is all on the wrong side (a warning at
//! the target's line), unclear when it straddles the target (with about how many more answers
//! would tell). The intervals expected here were computed independently with statsmodels:
//!
//! ```python
//! from statsmodels.stats.proportion import proportion_confint
//! proportion_confint(40, 50, method="wilson")  # (0.669629, 0.887562)
//! proportion_confint(10, 50, method="wilson")  # (0.112438, 0.330371)
//! proportion_confint(30, 50, method="wilson")  # (0.461814, 0.723916)
//! ```

use serde_json::Value;

use crate::util::{code, run_in, stdout, tempdir};

/// 50 CSAT answers per stage: `top` of them 4 or 5, the rest 2.
fn answers() -> String {
    let mut csv = String::from("stage,csat\n");
    for (stage, top) in [("a", 40), ("b", 10), ("c", 30)] {
        for i in 0..50 {
            csv.push_str(&format!("{stage},{}\n", if i < top { 5 } else { 2 }));
        }
    }
    csv
}

const MAP: &str = "journeymap: 1
title: Targets
persona: {name: Kim}
stages:
  - id: a
    name: A
    touchpoints: [{name: Web}]
    targets: {csat: \">= 60%\"}
  - id: b
    name: B
    touchpoints: [{name: Web}]
    targets: {csat: \">= 60%\"}
  - id: c
    name: C
    touchpoints: [{name: Web}]
    targets: {csat: \">= 55%\"}
surveys:
  - id: s
    file: answers.csv
    stage_column: stage
    measures: {csat: csat}
";

#[test]
fn a_target_met_missed_and_unclear_on_one_map() {
    let dir = tempdir();
    std::fs::write(dir.path().join("answers.csv"), answers()).unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), MAP).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0);
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let expected = [
        ("met", 80.0, 66.9629, 88.7562),
        ("missed", 20.0, 11.2438, 33.0371),
        ("unclear", 60.0, 46.1814, 72.3916),
    ];
    for (stage, (status, figure, low, high)) in j["stages"].as_array().unwrap().iter().zip(expected)
    {
        let t = &stage["targets"][0];
        assert_eq!(t["measure"], "csat");
        assert_eq!(t["op"], ">=");
        assert_eq!(t["status"], status, "{t}");
        assert!((t["figure"].as_f64().unwrap() - figure).abs() < 1e-9, "{t}");
        assert!((t["low"].as_f64().unwrap() - low).abs() < 1e-3, "{t}");
        assert!((t["high"].as_f64().unwrap() - high).abs() < 1e-3, "{t}");
    }
    // Unclear: the lower half of C's interval (60 − 46.18 = 13.82 points) must shrink to the
    // 5 points between figure and target: (13.82 / 5)² × 50 answers, 332 more than the 50.
    let c = &j["stages"][2]["targets"][0];
    let half = 60.0 - c["low"].as_f64().unwrap();
    let more = ((half / 5.0).powi(2) * 50.0 - 50.0).ceil();
    assert_eq!(c["needs"].as_f64(), Some(more));
    assert_eq!(more, 332.0);
    assert_eq!(j["target_tally"]["met"], 1);
    assert_eq!(j["target_tally"]["unclear"], 1);
    assert_eq!(j["target_tally"]["missed"][0]["stage"], "b");

    // The missed target is a warning at its line: `--strict` fails, plain validate passes.
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o),
        "m.journey.yaml:12:21: warning[JM056]: stage `b` misses its target csat >= 60%: 20% (95% interval 11.2% to 33%)\n"
    );
    let o = run_in(dir.path(), &["validate", "--strict", "m.journey.yaml"]);
    assert_eq!(code(&o), 1);
    // The page says it in words and shapes, not colour alone.
    let o = run_in(dir.path(), &["render", "m.journey.yaml"]);
    let page = stdout(&o);
    assert!(page.contains("✗</span> target ≥ 60%: missed"), "{page}");
    assert!(page.contains("◐</span> target ≥ 55%: unclear, about 332 more answers would tell"));
    assert!(page.contains("<b>Targets</b>"));
}

#[test]
fn a_target_that_cannot_be_judged_is_an_error_at_its_line() {
    let dir = tempdir();
    std::fs::write(dir.path().join("answers.csv"), answers()).unwrap();
    for (edit, line, says) in [
        (
            "csat: \">= 60%\"}\n  - id: b",
            8,
            "`cast` is not a measure a target can name; name one of nps, csat, ces, score, sentiment, kept; did you mean `csat`?",
        ),
        (
            "nps: \">= 30%\"}\n  - id: b",
            8,
            "a nps target is not a percentage; write it without `%`, as `>= 30`",
        ),
        ("csat: \"70%\"}\n  - id: b", 8, "`70%` says no comparison"),
        (
            "csat: \">= 170%\"}\n  - id: b",
            8,
            "outside the range of csat",
        ),
        (
            "nps: \">= 10\"}\n  - id: b",
            8,
            "stage `a` has no nps figure to judge the target by: no survey binds that measure to it",
        ),
        (
            "kept: \">= 50%\"}\n  - id: b",
            8,
            "stage `a` has no kept figure to judge the target by",
        ),
    ] {
        let first = if edit.starts_with("csat: \">= 60%\"") {
            MAP.replacen(
                "targets: {csat: \">= 60%\"}\n  - id: b",
                "targets: {cast: \">= 60%\"}\n  - id: b",
                1,
            )
        } else {
            MAP.replacen("csat: \">= 60%\"}\n  - id: b", edit, 1)
        };
        std::fs::write(dir.path().join("m.journey.yaml"), &first).unwrap();
        let o = run_in(
            dir.path(),
            &["validate", "--format", "short", "m.journey.yaml"],
        );
        let out = stdout(&o);
        assert_eq!(code(&o), 1, "{edit}: {out}");
        assert!(
            out.contains(&format!("m.journey.yaml:{line}:"))
                && out.contains("error[JM025]")
                && out.contains(says),
            "{edit}:\n{out}"
        );
    }
}

#[test]
fn diff_names_the_targets_judged_otherwise() {
    let dir = tempdir();
    std::fs::write(dir.path().join("answers.csv"), answers()).unwrap();
    // B now has 45 of 50 answers in the top two boxes: its target is met.
    let better = answers()
        .lines()
        .map(|l| {
            if l == "b,2" {
                "b,5".to_owned()
            } else {
                l.to_owned()
            }
        })
        .enumerate()
        .map(|(i, l)| {
            if (l == "b,5") && i > 95 {
                "b,2".to_owned()
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let top_b = better.lines().filter(|l| *l == "b,5").count();
    assert_eq!(top_b, 45);
    std::fs::write(dir.path().join("later.csv"), better + "\n").unwrap();
    std::fs::write(dir.path().join("old.journey.yaml"), MAP).unwrap();
    std::fs::write(
        dir.path().join("new.journey.yaml"),
        MAP.replace("answers.csv", "later.csv"),
    )
    .unwrap();
    let d = crate::util::diff_json(dir.path(), "old.journey.yaml", "new.journey.yaml");
    assert_eq!(
        d["targets"],
        serde_json::json!([{"stage": "B", "target": "csat >= 60%", "status": {"old": "missed", "new": "met"}}])
    );
}

#[test]
fn the_guides_worked_example_says_what_the_render_says() {
    let chapter = std::fs::read_to_string(crate::util::root().join("docs/targets.md")).unwrap();
    let map: String = chapter
        .split("```yaml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap()
        .to_owned();
    let dir = tempdir();
    std::fs::copy(
        crate::util::root().join("docs/examples/results-survey482917.csv"),
        dir.path().join("results-survey482917.csv"),
    )
    .unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let words = chapter.split_whitespace().collect::<Vec<_>>().join(" ");
    let plan = &j["stages"][0]["targets"][0];
    let buy = j["stages"][1]["targets"].as_array().unwrap();
    assert_eq!(
        (&plan["status"], &buy[0]["status"], &buy[1]["status"]),
        (
            &Value::from("unclear"),
            &Value::from("missed"),
            &Value::from("unclear")
        )
    );
    for needs in [&plan["needs"], &buy[1]["needs"]] {
        let n = needs.as_u64().unwrap();
        assert!(words.contains(&format!("about {n} more answers")), "{n}");
    }
}

#[test]
fn a_target_on_a_yes_share_is_a_percentage() {
    // A score on [0, 1] whose `values:` name its 1 is shown as the share that said yes
    // (2 of 3 here): its target is written as a percentage, and judged as one.
    let dir = tempdir();
    std::fs::write(
        dir.path().join("a.csv"),
        "stage,ok\nbuy,Yes\nbuy,No\nbuy,Yes\n",
    )
    .unwrap();
    let map = |target: &str| {
        format!(
            "journeymap: 1\ntitle: Y\npersona: {{name: K}}\nstages:\n  - id: buy\n    name: Buy\n    touchpoints: [{{name: Web}}]\n    targets: {{score: \"{target}\"}}\nsurveys:\n  - id: s\n    file: a.csv\n    stage_column: stage\n    measures: {{score: {{column: ok, scale: [0, 1], values: {{\"Yes\": 1, \"No\": 0}}}}}}\n"
        )
    };
    std::fs::write(dir.path().join("m.journey.yaml"), map(">= 0.5")).unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
    assert!(
        stdout(&o).contains("error[JM025]: this score is shown as the share of answers that said yes; write its target as a percentage, `>= 50%`"),
        "{}",
        stdout(&o)
    );
    std::fs::write(dir.path().join("m.journey.yaml"), map("<= 20%")).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let t = &j["stages"][0]["targets"][0];
    assert_eq!(
        (&t["value"], &t["percent"]),
        (&Value::from(0.2), &Value::from(true))
    );
    // 2 of 3 said yes; Wilson's interval (0.208, 0.939) lies above 20%: missed.
    assert_eq!(t["status"], "missed", "{t}");
}
