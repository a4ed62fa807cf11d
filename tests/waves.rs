//! Waves and segments through the real binary: per-wave figures, the change between waves
//! with intervals checked against values computed by hand or by SciPy, the latest wave as
//! headline, segments too small to show, and every way a wave binding goes wrong.

use std::fmt::Write as _;
use std::path::Path;

use crate::util::{code, run_in, stdout, tempdir};

const STAGES: &str = "journeymap: 1\ntitle: Waves\npersona: {name: P}\nstages:\n  - {id: refund, name: Refund, touchpoints: [{name: T}]}\n  - {id: pay, name: Pay, touchpoints: [{name: T}]}\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// `n` rows of `stage` with the answer `value` in column `measure` (the others empty).
fn rows(out: &mut String, stage: &str, measure: &str, value: u32, n: usize, segment: &str) {
    for _ in 0..n {
        let (nps, csat, ces) = match measure {
            "nps" => (value.to_string(), String::new(), String::new()),
            "csat" => (String::new(), value.to_string(), String::new()),
            _ => (String::new(), String::new(), value.to_string()),
        };
        writeln!(out, "{stage},{nps},{csat},{ces},{segment}").unwrap();
    }
}

/// A wave file: the header, `runs` of rows, then one `Free` row at stage `pay` per CES answer.
fn wave(runs: &[(&str, &str, u32, usize, &str)], ces: &[u32]) -> String {
    let mut out = "stage,nps,csat,ces,plan\n".to_owned();
    for &(stage, measure, value, n, plan) in runs {
        rows(&mut out, stage, measure, value, n, plan);
    }
    for &v in ces {
        rows(&mut out, "pay", "ces", v, 1, "Free");
    }
    out
}

/// Two waves, one file each. Refund NPS: 50 promoters, 30 passives, 20 detractors, then
/// 70, 20, 10 (the guide's worked example). Pay CSAT: 48 of 80 in the top two boxes, then
/// 56 of 70 (Newcombe 1998). Pay CES: ten answers, then twelve.
fn two_waves(dir: &Path) {
    // (stage, measure, answer, rows, plan) of each file, then the CES answers one by one.
    let q2 = wave(
        &[
            ("refund", "nps", 10, 50, "Pro"),
            ("refund", "nps", 8, 30, "Free"),
            ("refund", "nps", 3, 20, "Free"),
            ("pay", "csat", 5, 48, "Pro"),
            ("pay", "csat", 2, 32, "Free"),
        ],
        &[3, 4, 4, 5, 2, 3, 4, 5, 3, 4],
    );
    let mut q3 = wave(
        &[
            ("refund", "nps", 9, 70, "Pro"),
            ("refund", "nps", 7, 20, "Free"),
            ("refund", "nps", 0, 10, "Free"),
            ("pay", "csat", 4, 56, "Pro"),
            ("pay", "csat", 1, 14, "Free"),
        ],
        &[5, 6, 4, 6, 5, 7, 5, 6, 4, 5, 6, 5],
    );
    // Four NPS answers of a third plan: a segment too small to show.
    rows(&mut q3, "pay", "nps", 10, 4, "Enterprise");
    write(dir, "q2.csv", &q2);
    write(dir, "q3.csv", &q3);
    pulse(
        dir,
        "    waves:
      - {label: 2026-Q2, file: q2.csv}
      - {label: 2026-Q3, file: q3.csv}
    stage_column: stage
    measures: {nps: nps, csat: csat, ces: ces}
    segment_by: plan
",
    );
}

/// The map in `dir`: the stages and one survey, `pulse`, whose other keys are `binding`.
fn pulse(dir: &Path, binding: &str) {
    write(
        dir,
        "m.journey.yaml",
        &format!("{STAGES}surveys:\n  - id: pulse\n{binding}"),
    );
}

/// `validate --format short` of the map in `dir`.
fn validate_run(dir: &Path) -> std::process::Output {
    crate::util::validate_short(dir)
}

/// What `validate --format short` of the map in `dir` prints.
fn validate(dir: &Path) -> String {
    stdout(&validate_run(dir))
}

/// Asserts that `validate` of the map in `dir` prints `line`.
fn validate_says(dir: &Path, line: &str) {
    let v = validate(dir);
    assert!(v.contains(line), "wanted {line:?} in:\n{v}");
}

fn json(dir: &Path) -> serde_json::Value {
    let o = run_in(dir, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn close(v: &serde_json::Value, want: f64, tol: f64) {
    let got = v.as_f64().unwrap();
    assert!((got - want).abs() < tol, "{got} vs {want}");
}

fn change<'a>(stage: &'a serde_json::Value, measure: &str) -> &'a serde_json::Value {
    stage["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["measure"] == measure)
        .unwrap_or_else(|| panic!("no {measure} change in {stage}"))
}

#[test]
fn each_wave_has_its_figures_and_each_change_its_interval() {
    let dir = tempdir();
    two_waves(dir.path());
    let j = json(dir.path());
    assert_eq!(j["wave_labels"], serde_json::json!(["2026-Q2", "2026-Q3"]));
    assert_eq!(j["latest_wave"], "2026-Q3");
    let refund = &j["stages"][0];
    let pay = &j["stages"][1];

    // Per wave, in order: NPS +30 then +60 (by hand: (50 - 20) / 100, (70 - 10) / 100).
    let waves = refund["waves"].as_array().unwrap();
    assert_eq!(waves.len(), 2);
    assert_eq!(waves[0]["wave"], "2026-Q2");
    close(&waves[0]["metrics"]["nps"]["value"], 30.0, 1e-9);
    close(&waves[1]["metrics"]["nps"]["value"], 60.0, 1e-9);
    // The headline is the latest wave.
    assert_eq!(refund["metrics"], waves[1]["metrics"]);

    // NPS: the guide's worked example, by hand: +30, [+9.23, +49.02].
    let c = change(refund, "nps");
    assert_eq!(
        (c["from"].as_str(), c["to"].as_str()),
        (Some("2026-Q2"), Some("2026-Q3"))
    );
    close(&c["delta"], 30.0, 1e-9);
    close(&c["low"], 9.2313, 1e-3);
    close(&c["high"], 49.0211, 1e-3);
    assert_eq!(c["significant"], true);

    // CSAT: Newcombe (1998), method 10, 56/70 against 48/80: +20, [+5.24, +33.39].
    let c = change(pay, "csat");
    close(&c["delta"], 20.0, 1e-9);
    close(&c["low"], 5.24, 0.01);
    close(&c["high"], 33.39, 0.01);
    assert_eq!(c["significant"], true);

    // CES: Welch, checked with scipy.stats.ttest_ind(q3, q2, equal_var=False)
    // .confidence_interval(): +1.6333, [0.80683, 2.45983]. Ten and twelve answers: under
    // 30, so the change is shown but never called significant.
    let c = change(pay, "ces");
    close(&c["delta"], 1.633_333, 1e-5);
    close(&c["low"], 0.806_834, 1e-5);
    close(&c["high"], 2.459_833, 1e-5);
    assert_eq!(c["low_sample"], true);
    assert_eq!(c["significant"], false);
}

#[test]
fn segments_are_figured_per_wave_and_too_small_ones_are_never_figures() {
    let dir = tempdir();
    two_waves(dir.path());
    let j = json(dir.path());
    assert_eq!(
        j["segment_labels"],
        serde_json::json!(["Enterprise", "Free", "Pro"])
    );
    let pay = &j["stages"][1];
    let seg = |name: &str| {
        pay["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["segment"] == name)
            .unwrap()
            .clone()
    };
    // Enterprise: 4 answers, under the default minimum of 10.
    let ent = seg("Enterprise");
    assert!(ent["metrics"].get("nps").is_none());
    assert_eq!(ent["too_small"]["nps"], 4);
    // Pro in the latest wave: 56 answers of 4 (top two boxes of 1..5): 100%.
    let pro = seg("Pro");
    assert_eq!(pro["metrics"]["csat"]["n"], 56);
    close(&pro["metrics"]["csat"]["value"], 100.0, 1e-9);
    // Segment x wave: Pro had 48 answers of 5 in Q2.
    assert_eq!(pro["waves"][0]["wave"], "2026-Q2");
    assert_eq!(pro["waves"][0]["metrics"]["csat"]["n"], 48);
    // The small segment is a warning that names it.
    assert_eq!(code(&validate_run(dir.path())), 0);
    validate_says(
        dir.path(),
        "warning[JM118]: segment `Enterprise` of column `plan` has 4 rows",
    );
    // In Markdown, as a GFM parser reads it: "too small (n=4)" in the Pay segment table.
    let o = run_in(dir.path(), &["render", "-f", "markdown", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let md = stdout(&o);
    let cells = crate::markdown::table_cells(&md);
    assert!(cells.iter().any(|c| c == "too small (n=4)"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "2026-Q2"), "{cells:?}");
}

#[test]
fn wave_files_must_have_the_same_columns() {
    let dir = tempdir();
    two_waves(dir.path());
    let q3 = std::fs::read_to_string(dir.path().join("q3.csv")).unwrap();
    write(dir.path(), "q3.csv", &q3.replacen("plan", "tier", 1));
    assert_eq!(code(&validate_run(dir.path())), 1);
    validate_says(
        dir.path(),
        "m.journey.yaml:11:32: error[JM115]: survey `pulse`: wave file q3.csv does not have the columns of the first wave file (q2.csv): it lacks `plan` and adds `tier`",
    );
}

fn dated(dir: &Path, dates: &[&str], wave: &str) -> std::process::Output {
    let mut csv = "ended,stage,csat\n".to_owned();
    for (i, d) in dates.iter().enumerate() {
        writeln!(csv, "{d},pay,{}", 1 + i % 5).unwrap();
    }
    write(dir, "dated.csv", &csv);
    pulse(
        dir,
        &format!(
            "    file: dated.csv
    stage_column: stage
    measures: {{csat: csat}}
    wave: {wave}
"
        ),
    );
    run_in(dir, &["render", "-f", "json", "m.journey.yaml"])
}

#[test]
fn slashed_dates_show_their_order_or_the_map_must_say_it() {
    let dir = tempdir();
    // 9/13 can only be month first: so 9/1 is 1 September.
    let o = dated(
        dir.path(),
        &["9/1/2024 11:27", "10/2/2024 8:00", "9/13/2024 9:00"],
        "{column: ended, by: month}",
    );
    assert_eq!(code(&o), 0);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["wave_labels"], serde_json::json!(["2024-09", "2024-10"]));
    // Nothing past 12: the map must say which comes first.
    let o = dated(
        dir.path(),
        &["9/1/2024 11:27", "10/2/2024 8:00"],
        "{column: ended, by: month}",
    );
    assert_eq!(code(&o), 1);
    assert!(validate(dir.path())
        .contains("error[JM115]: survey `pulse`: the dates in the wave column are written with slashes and none shows whether the day or the month comes first"));
    // ... and once it does, the answer is used.
    let o = dated(
        dir.path(),
        &["9/1/2024 11:27", "10/2/2024 8:00"],
        "{column: ended, by: month, day_order: day-first}",
    );
    assert_eq!(code(&o), 0);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["wave_labels"], serde_json::json!(["2024-01", "2024-02"]));
    // Dates that contradict each other are an error at the row that breaks the order.
    dated(
        dir.path(),
        &["13/1/2024", "1/2/2024", "1/13/2024"],
        "{column: ended, by: month}",
    );
    validate_says(
        dir.path(),
        "dated.csv:4:1: error[JM116]: the dates in wave column `ended` disagree: `13/1/2024` at line 2 can only be day first, and `1/13/2024` here can only be month first",
    );
}

#[test]
fn ranges_name_periods_and_a_day_outside_them_is_reported() {
    let dir = tempdir();
    let ranges = "{column: ended, ranges: [{label: Before, from: 2026-01-01, to: 2026-03-31}, {label: After, from: 2026-04-01, to: 2026-06-30}]}";
    let days = [
        "2026-01-05",
        "2026-03-31 23:59:59",
        "2026-04-01",
        "2026-05-20",
    ];
    let o = dated(dir.path(), &days, ranges);
    assert_eq!(code(&o), 0);
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["wave_labels"], serde_json::json!(["Before", "After"]));
    assert_eq!(j["stages"][1]["waves"][0]["metrics"]["csat"]["n"], 2);
    assert_eq!(j["stages"][1]["waves"][1]["metrics"]["csat"]["n"], 2);
    // A day outside every range is an error at its row, and the render refuses.
    let o = dated(dir.path(), &[&days[..], &["2026-07-01"]].concat(), ranges);
    assert_eq!(code(&o), 1);
    validate_says(
        dir.path(),
        "dated.csv:6:1: error[JM116]: wave column `ended`: 2026-07-01 is in none of the wave `ranges:`; the row is in no figure",
    );
    // Overlapping ranges are refused before any file is read.
    dated(
        dir.path(),
        &["2026-01-05"],
        "{column: ended, ranges: [{label: A, from: 2026-01-01, to: 2026-03-31}, {label: B, from: 2026-03-01, to: 2026-06-30}]}",
    );
    validate_says(dir.path(), "error[JM115]: wave `B` overlaps wave `A`");
}

#[test]
fn a_survey_without_waves_beside_one_with_is_refused() {
    let dir = tempdir();
    two_waves(dir.path());
    let map = std::fs::read_to_string(dir.path().join("m.journey.yaml")).unwrap();
    write(
        dir.path(),
        "m.journey.yaml",
        &format!(
            "{map}  - id: old\n    file: q2.csv\n    stage_column: stage\n    measures: {{csat: csat}}\n"
        ),
    );
    validate_says(
        dir.path(),
        "error[JM115]: survey `old` has no waves while survey `pulse` has",
    );
}

#[test]
fn diff_says_which_stages_moved_significantly_into_a_new_wave() {
    use crate::workflow::git;
    let dir = tempdir();
    two_waves(dir.path());
    let map = std::fs::read_to_string(dir.path().join("m.journey.yaml")).unwrap();
    // Version 1 has only the Q2 wave.
    let one_wave = map.replace("      - {label: 2026-Q3, file: q3.csv}\n", "");
    write(dir.path(), "m.journey.yaml", &one_wave);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "q2"]);
    write(dir.path(), "m.journey.yaml", &map);
    let o = run_in(
        dir.path(),
        &[
            "diff",
            "-f",
            "json",
            "HEAD:m.journey.yaml",
            "m.journey.yaml",
        ],
    );
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["waves_added"], serde_json::json!(["2026-Q3"]));
    let moved = crate::util::stage_measures(&d["moved_significantly"]);
    assert_eq!(
        moved,
        [
            ("refund".to_owned(), "nps".to_owned()),
            ("pay".to_owned(), "csat".to_owned())
        ]
    );
    // The CES change rests on 10 and 12 answers: within noise, never significant.
    assert!(
        d["within_noise"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["stage"] == "pay" && m["measure"] == "ces")
    );
    let text = stdout(&run_in(
        dir.path(),
        &["diff", "HEAD:m.journey.yaml", "m.journey.yaml"],
    ));
    assert!(
        text.contains("Refund NPS moved significantly from `2026-Q2` to `2026-Q3`: +30 pts (95% CI +9 pts to +49 pts)"),
        "{text}"
    );
}

#[test]
fn the_curve_draws_four_segments_and_leaves_the_rest_to_the_tables() {
    let dir = tempdir();
    let mut csv = "stage,nps,csat,ces,plan\n".to_owned();
    for plan in ["A", "B", "C", "D", "E"] {
        rows(&mut csv, "pay", "csat", 4, 12, plan);
    }
    write(dir.path(), "s.csv", &csv);
    write(
        dir.path(),
        "m.journey.yaml",
        &format!(
            "{STAGES}surveys:
  - id: s
    file: s.csv
    stage_column: stage
    measures: {{csat: csat}}
    emotion_from: csat
    segment_by: plan
"
        ),
    );
    let j = json(dir.path());
    assert_eq!(j["stages"][1]["segments"].as_array().unwrap().len(), 5);
    let drawn: Vec<&str> = j["emotion_curve"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment"].as_str().unwrap())
        .collect();
    assert_eq!(drawn, ["A", "B", "C", "D"]);
    let html = stdout(&run_in(dir.path(), &["render", "m.journey.yaml"]));
    assert!(html.contains("other segments in the tables"));
}
