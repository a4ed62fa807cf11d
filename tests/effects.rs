//! What a shipped solution changed: the figures of the stages it addresses in the window
//! before its ship date against the window after, with the change test the waves use. The
//! expected intervals were computed independently (Python 3, scipy 1.17, statsmodels 0.15):
//!
//! ```python
//! ces_before = [2,3,3,4,2,3,2,4,3,3]*3; ces_after = [4,5,5,6,4,5,3,6,5,4]*4
//! scipy.stats.ttest_ind(ces_after, ces_before, equal_var=False).confidence_interval(0.95)
//! # (1.412712, 2.187288), difference 1.8
//! confint_proportions_2indep(26, 40, 9, 30, method="newcomb", compare="diff")
//! # (0.113439, 0.535297), difference 0.35
//! # NPS, adjusted Wald (add 3 to n and 3/4 to promoters and detractors in each window):
//! def adj(P, D, n):
//!     na = n + 3; p = (P + .75) / na; d = (D + .75) / na; s = p - d
//!     return s, (p + d - s * s) / na
//! s1, v1 = adj(6, 15, 30); s2, v2 = adj(16, 10, 40)
//! s2 - s1 ± 1.959964 * sqrt(v1 + v2)   # (0.057150, 0.767375), difference 0.45
//! ```

use serde_json::Value;

use crate::util::{code, run_in, stdout, tempdir};

/// 30 answers in the 30 days before 2026-05-15, 40 in the 30 days from it, and 10 long
/// before, which no window takes.
fn answers() -> String {
    let ces_before = [2, 3, 3, 4, 2, 3, 2, 4, 3, 3];
    let ces_after = [4, 5, 5, 6, 4, 5, 3, 6, 5, 4];
    let mut csv = String::from("when,stage,nps,csat,ces\n");
    for i in 0..30 {
        // 6 promoters, 9 passives, 15 detractors; 9 of 30 in the top two boxes.
        let nps = if i < 6 {
            10
        } else if i < 15 {
            8
        } else {
            3
        };
        let csat = if i < 9 { 5 } else { 2 };
        let day = 15 + (i % 30);
        let date = if day <= 30 {
            format!("2026-04-{day:02}")
        } else {
            format!("2026-05-{:02}", day - 30)
        };
        csv.push_str(&format!(
            "{date} 10:00:00,refund,{nps},{csat},{}\n",
            ces_before[i % 10]
        ));
    }
    for i in 0..40 {
        // 16 promoters, 14 passives, 10 detractors; 26 of 40 in the top two boxes.
        let nps = if i < 16 {
            9
        } else if i < 30 {
            7
        } else {
            2
        };
        let csat = if i < 26 { 4 } else { 1 };
        let date = if i < 17 {
            format!("2026-05-{:02}", 15 + i)
        } else {
            format!("2026-06-{:02}", 1 + (i - 17) % 13)
        };
        csv.push_str(&format!(
            "{date} 10:00:00,refund,{nps},{csat},{}\n",
            ces_after[i % 10]
        ));
    }
    for _ in 0..10 {
        csv.push_str("2026-01-10 10:00:00,refund,0,1,1\n");
    }
    csv
}

const MAP: &str = "journeymap: 1
title: Effects
persona: {name: Kim}
stages:
  - id: refund
    name: Wait for the refund
    touchpoints: [{name: Email}]
    pain_points:
      - {id: slow-refund, text: The refund takes two weeks, severity: high}
    solutions:
      - id: refund-on-scan
        text: Refund when the parcel is scanned
        addresses: [slow-refund]
        status: done
        shipped: 2026-05-15
        effect_window: 30d
surveys:
  - id: pulse
    file: answers.csv
    stage_column: stage
    date: when
    measures: {nps: nps, csat: csat, ces: ces}
";

fn effect(j: &Value) -> Vec<(String, Value)> {
    j["stages"][0]["solutions"][0]["effect"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["measure"].as_str().unwrap().to_owned(), e.clone()))
        .collect()
}

#[test]
fn a_shipped_solution_shows_its_nps_csat_and_ces_effect_with_intervals() {
    let dir = tempdir();
    std::fs::write(dir.path().join("answers.csv"), answers()).unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), MAP).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let expected = [
        ("nps", 30, 40, 45.0, 5.714975, 76.737457),
        ("csat", 30, 40, 35.0, 11.343891, 53.529687),
        ("ces", 30, 40, 1.8, 1.412712, 2.187288),
    ];
    let got = effect(&j);
    assert_eq!(got.len(), 3, "{got:?}");
    for ((m, e), (want, n0, n1, delta, low, high)) in got.iter().zip(expected) {
        assert_eq!(m, want);
        assert_eq!(e["before"]["n"], n0, "{m}");
        assert_eq!(e["after"]["n"], n1, "{m}");
        let close = |k: &str, x: f64| (e[k].as_f64().unwrap() - x).abs() < 1e-5;
        assert!(
            close("delta", delta) && close("low", low) && close("high", high),
            "{m}: {e}"
        );
        assert_eq!(e["significant"], true, "{m}");
        assert_eq!(e["low_sample"], false, "{m}");
    }
    // The page says it in one sentence, with the caution that goes with it.
    let page = stdout(&run_in(dir.path(), &["render", "m.journey.yaml"]));
    assert!(
        page.contains("Since it shipped on <time datetime=\"2026-05-15\">2026-05-15</time>: NPS +45 pts (95% CI +6 pts to +77 pts, n=30 before and 40 after), a significant change"),
        "{page}"
    );
    assert!(page.contains("not a controlled experiment"), "{page}");
}

#[test]
fn a_solution_shipped_without_answers_after_says_so() {
    let dir = tempdir();
    let before_only: String = answers()
        .lines()
        .filter(|l| {
            !l.starts_with("2026-05-1")
                && !l.starts_with("2026-05-2")
                && !l.starts_with("2026-05-3")
                && !l.starts_with("2026-06")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("answers.csv"), before_only).unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), MAP).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let s = &j["stages"][0]["solutions"][0];
    assert!(s["effect"].as_array().unwrap().is_empty());
    assert_eq!(s["effect_note"], "no answers after the ship date yet");
}

/// An event log: 40 users who first viewed in the 30 days before 2026-05-15, 20 of whom
/// carted; 50 who first viewed in the 30 days from it, 40 of whom carted.
fn events() -> String {
    let mut csv = String::from("user_id,event_type,event_time\n");
    let mut row = |user: String, day: String, cart: bool| {
        csv.push_str(&format!("{user},view,{day} 09:00:00\n"));
        if cart {
            csv.push_str(&format!("{user},cart,{day} 09:05:00\n"));
        }
    };
    for u in 0..40 {
        row(
            format!("b{u}"),
            format!("2026-04-{:02}", 16 + u % 15),
            u < 20,
        );
    }
    for u in 0..50 {
        row(
            format!("a{u}"),
            format!("2026-05-{:02}", 15 + u % 16),
            u < 40,
        );
    }
    csv
}

#[test]
fn a_shipped_solution_on_a_funnel_stage_shows_the_kept_share_before_and_after() {
    // statsmodels: confint_proportions_2indep(40, 50, 20, 40, method="newcomb",
    // compare="diff") = (0.102764, 0.471967); the difference 0.8 - 0.5 = 0.3.
    let dir = tempdir();
    let mut log = events();
    // Sorted by time, as an event log must be per actor; rows of one actor are in order.
    let mut lines: Vec<&str> = log.lines().skip(1).collect();
    lines.sort_by_key(|l| l.split(',').nth(2).unwrap().to_owned());
    log = format!("user_id,event_type,event_time\n{}\n", lines.join("\n"));
    std::fs::write(dir.path().join("events.csv"), log).unwrap();
    let map = "journeymap: 1
title: Effects on a funnel
persona: {name: Kim}
stages:
  - id: browse
    name: Browse
    touchpoints: [{name: Web}]
  - id: cart
    name: Add to cart
    touchpoints: [{name: Web}]
    pain_points:
      - {id: button-hidden, text: The cart button is below the fold, severity: high}
    solutions:
      - id: sticky-button
        text: Keep the cart button in view
        addresses: [button-hidden]
        status: done
        shipped: 2026-05-15
        effect_window: 30d
events:
  - id: shop
    file: events.csv
    actor: user_id
    event: event_type
    time: event_time
    steps: {browse: view, cart: cart}
";
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let j: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let got = effect(&serde_json::json!({"stages": [j["stages"][1]]}));
    assert_eq!(got.len(), 1, "{got:?}");
    let (m, e) = &got[0];
    assert_eq!(m, "kept");
    assert_eq!(
        (&e["before"]["n"], &e["after"]["n"]),
        (&Value::from(40), &Value::from(50))
    );
    assert_eq!(
        (&e["before"]["value"], &e["after"]["value"]),
        (&Value::from(50.0), &Value::from(80.0))
    );
    let close = |k: &str, x: f64| (e[k].as_f64().unwrap() - x).abs() < 1e-5;
    assert!(
        close("delta", 30.0) && close("low", 10.276407) && close("high", 47.196683),
        "{e}"
    );
    assert_eq!(e["significant"], true);
}

#[test]
fn diff_names_the_effects_that_appeared() {
    let dir = tempdir();
    std::fs::write(dir.path().join("answers.csv"), answers()).unwrap();
    // Before: the solution was in progress; now it is done and shipped.
    let old = MAP.replace(
        "status: done\n        shipped: 2026-05-15\n        effect_window: 30d\n",
        "status: in-progress\n",
    );
    assert_ne!(old, MAP);
    std::fs::write(dir.path().join("old.journey.yaml"), old).unwrap();
    std::fs::write(dir.path().join("new.journey.yaml"), MAP).unwrap();
    let d = crate::util::diff_json(dir.path(), "old.journey.yaml", "new.journey.yaml");
    let measures: Vec<&str> = d["effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["measure"].as_str().unwrap())
        .collect();
    assert_eq!(measures, ["nps", "csat", "ces"], "{d}");
    assert!(
        d["summary"]
            .as_str()
            .unwrap()
            .contains("3 effects of shipped solutions appeared"),
        "{d}"
    );
}

#[test]
fn a_date_column_the_file_lacks_or_cannot_read_is_said_at_its_place() {
    let dir = tempdir();
    let mut csv = answers();
    // Line 82 of the file: a date no reader can place.
    csv.push_str("soon,refund,9,5,5\n");
    std::fs::write(dir.path().join("answers.csv"), csv).unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), MAP).unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
    assert_eq!(
        stdout(&o),
        "answers.csv:82:1: error[JM116]: `date:` column `when`: `soon` is not a date; the row counts in neither window around a ship date\n"
    );
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        MAP.replace("date: when", "date: wehn"),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
    assert!(
        stdout(&o).contains("m.journey.yaml:21:11: error[JM101]: survey `pulse` maps the `date:` of its rows to column `wehn`, which answers.csv lacks; nearest: `when`"),
        "{}",
        stdout(&o)
    );
}
