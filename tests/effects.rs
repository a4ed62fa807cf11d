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
