//! The theme matcher against an independent reading of its rule (tests/fixtures/real/themes.py)
//! on the comments of real exports.

use journeymap::themes::{Matcher, ThemeTerms};

use serde_json::Value;

use crate::util::{code, python_json, root, run_in, stdout};

/// A small codebook written for the Sudzilla comments: words, phrases, word endings, an
/// exclude term, and a term with an apostrophe.
/// JSON, so that it is also the map's `themes:` (YAML reads JSON).
const CODEBOOK: &str = r#"[
  {"id": "soap", "label": "Soap", "terms": ["soap*", "lather", "bubbl*", "fizz*"]},
  {"id": "talks", "label": "Talks", "terms": ["talk*", "keynote", "speaker*", "session*"]},
  {"id": "harm", "label": "Harm", "terms": ["injur*", "slipp*", "danger*", "hurt"],
   "pain_points": ["hurt"]},
  {"id": "service", "label": "Service", "terms": ["service", "staff", "queue*"],
   "exclude": ["self service"]},
  {"id": "value", "label": "Value", "terms": ["price*", "expensive", "worth", "money"]},
  {"id": "letdown", "label": "Let down", "terms": ["wasn't", "not as good", "disappoint*"]}
]"#;

const SUDZILLA: &str = "tests/fixtures/real/google-forms/sudzilla.csv";
const WHY: &str = "...why?";
const GIVEAWAY: &str = "What was your favourite giveaway at Sudzilla?";

#[derive(serde::Deserialize)]
struct Theme {
    id: String,
    terms: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
}

fn python(csv: &str, column: &str, codebook: &std::path::Path, more: &[&str]) -> Value {
    let script = root().join("tests/fixtures/real/themes.py");
    let mut args = vec![
        script.as_os_str(),
        csv.as_ref(),
        column.as_ref(),
        codebook.as_os_str(),
    ];
    args.extend(more.iter().map(std::ffi::OsStr::new));
    python_json(&args)
}

fn by_python(csv: &str, column: &str, codebook: &std::path::Path) -> Vec<Vec<String>> {
    serde_json::from_value(python(csv, column, codebook, &[])).unwrap()
}

fn by_matcher(csv: &str, column: &str, themes: &[Theme]) -> Vec<Vec<String>> {
    let terms: Vec<ThemeTerms> = themes
        .iter()
        .map(|t| ThemeTerms {
            terms: t.terms.iter().map(String::as_str).collect(),
            exclude: t.exclude.iter().map(String::as_str).collect(),
        })
        .collect();
    let m = Matcher::new(&terms);
    let mut reader = csv::Reader::from_path(root().join(csv)).unwrap();
    let col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == column)
        .unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            m.themes_of(r.get(col).unwrap_or(""))
                .into_iter()
                .map(|t| themes[t].id.clone())
                .collect()
        })
        .collect()
}

#[test]
fn themes_of_real_comments_are_what_the_rule_gives_in_python() {
    let dir = tempfile::tempdir().unwrap();
    let codebook = dir.path().join("codebook.json");
    std::fs::write(&codebook, CODEBOOK).unwrap();
    let themes: Vec<Theme> = serde_json::from_str(CODEBOOK).unwrap();
    for (csv, column) in [(SUDZILLA, WHY), (SUDZILLA, GIVEAWAY)] {
        let mine = by_matcher(csv, column, &themes);
        let python = by_python(csv, column, &codebook);
        assert_eq!(mine, python, "{csv}: {column}");
        // The codebook must say something about these comments, or the test proves little.
        let matched = mine.iter().filter(|t| !t.is_empty()).count();
        assert!(
            matched >= 5,
            "{csv}: {column}: only {matched} comments matched"
        );
    }
}

fn close(a: &Value, b: &Value, what: &str) {
    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
    assert!((a - b).abs() < 1e-9, "{what}: {a} vs {b}");
}

/// journeymap's shares of one stage (or of the map) against Python's.
fn same_shares(mine: &Value, python: &Value, what: &str) {
    let list = mine.as_array().unwrap();
    let themes = python["themes"].as_object().unwrap();
    assert_eq!(list.len(), themes.len(), "{what}");
    for t in list {
        let id = t["id"].as_str().unwrap();
        let p = &themes[id];
        assert_eq!(t["n"], python["n"], "{what} {id}");
        assert_eq!(t["matched"], p[0], "{what} {id}");
        close(&t["share"], &p[1], &format!("{what} {id} share"));
        close(&t["low"], &p[2], &format!("{what} {id} low"));
        close(&t["high"], &p[3], &format!("{what} {id} high"));
    }
}

#[test]
fn a_map_with_a_codebook_shows_each_stages_theme_shares_as_the_rule_computes_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(SUDZILLA), dir.path().join("sudzilla.csv")).unwrap();
    let codebook = dir.path().join("codebook.json");
    std::fs::write(&codebook, CODEBOOK).unwrap();
    let map = format!(
        "journeymap: 1
title: Sudzilla themes
persona: {{name: Tester}}
stages:
  - id: event
    name: Sudzilla
    touchpoints: [{{name: Survey}}]
    pain_points: [{{id: hurt, text: People got hurt}}]
    solutions: [{{id: mats, text: Non-slip mats, addresses: [hurt]}}]
  - {{id: giveaways, name: Giveaways, touchpoints: [{{name: Survey}}]}}
surveys:
  - id: sudzilla
    file: sudzilla.csv
    layout: wide
    stages:
      event: {{comment: \"{WHY}\"}}
      giveaways: {{comment: \"{GIVEAWAY}\"}}
themes: {CODEBOOK}
"
    );
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let csv = root().join(SUDZILLA);
    let csv = csv.to_str().unwrap();
    let why = python(csv, WHY, &codebook, &["--shares"]);
    let giveaway = python(csv, GIVEAWAY, &codebook, &["--shares"]);
    same_shares(&got["stages"][0]["themes"], &why, "event");
    same_shares(&got["stages"][1]["themes"], &giveaway, "giveaways");
    // The pain point the harm theme is evidence for carries the harm share of its stage.
    let evidence = &got["stages"][0]["pain_points"][0]["themes"];
    assert_eq!(evidence.as_array().unwrap().len(), 1);
    assert_eq!(evidence[0]["id"], "harm");
    assert_eq!(evidence[0]["matched"], why["themes"]["harm"][0]);
    // Over the journey: both stages' comments together.
    let n = why["n"].as_u64().unwrap() + giveaway["n"].as_u64().unwrap();
    for t in got["themes"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        let k =
            why["themes"][id][0].as_u64().unwrap() + giveaway["themes"][id][0].as_u64().unwrap();
        assert_eq!(
            (t["n"].as_u64(), t["matched"].as_u64()),
            (Some(n), Some(k)),
            "{id}"
        );
    }
    // Markdown, read back with a GFM parser: each stage's table gives each theme's count.
    let o = run_in(dir.path(), &["render", "-f", "markdown", "m.journey.yaml"]);
    assert_eq!(code(&o), 0);
    let md = stdout(&o);
    let cells = crate::markdown::table_cells(&md);
    for (i, stage) in got["stages"].as_array().unwrap().iter().enumerate() {
        // Themes no comment of the stage is about are left out of its table.
        for t in stage["themes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["matched"] != 0)
        {
            let label = t["label"].as_str().unwrap();
            let matched = t["matched"].to_string();
            let rows = cells
                .windows(2)
                .filter(|w| w[0] == label && w[1] == matched);
            // The stage's table, then the journey's (whose counts may differ).
            assert!(rows.count() >= 1, "stage {i}: no row `{label} | {matched}`");
        }
    }
    assert!(
        crate::markdown::headings(&md)
            .iter()
            .any(|h| h == "What the comments are about")
    );
    assert!(
        cells.iter().any(|c| c.contains("measured: 8.1% of 37 comments are about Harm (95% CI 2.8%–21.3%)")),
        "{cells:?}"
    );
    // The words said to be most frequent in the comments in no theme come from those
    // comments, and none of them is a comment a theme matched.
    let unthemed = &got["stages"][0]["unthemed"];
    let words: Vec<&str> = unthemed["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(!words.is_empty());
    let rows = {
        let mut r = csv::Reader::from_path(csv).unwrap();
        let col = r.headers().unwrap().iter().position(|h| h == WHY).unwrap();
        r.records()
            .map(|x| x.unwrap().get(col).unwrap_or("").to_lowercase())
            .collect::<Vec<String>>()
    };
    let themed_rows = by_python(csv, WHY, &codebook);
    for w in &words {
        let in_missed = rows
            .iter()
            .zip(&themed_rows)
            .any(|(text, themes)| themes.is_empty() && text.contains(w));
        assert!(in_missed, "`{w}` is in no comment outside the themes");
    }
    // Counted over the substantive comments, as the shares are.
    assert_eq!(unthemed["unthemed"], why["unthemed"]);
    assert_eq!(
        got["stages"][1]["unthemed"]["unthemed"],
        giveaway["unthemed"]
    );
    assert_eq!(
        got["unthemed"]["unthemed"].as_u64(),
        Some(why["unthemed"].as_u64().unwrap() + giveaway["unthemed"].as_u64().unwrap())
    );
}

#[test]
fn a_codebook_that_cannot_match_is_refused_at_each_term() {
    let dir = tempfile::tempdir().unwrap();
    let map = "journeymap: 1
title: Bad themes
persona: {name: Tester}
stages:
  - id: event
    name: Event
    touchpoints: [{name: Survey}]
    pain_points: [{id: hurt, text: People got hurt}]
    solutions: [{id: mats, text: Non-slip mats, addresses: [hurt]}]
themes:
  - {id: soap, label: Soap, terms: [\"soap*\", \"?!\", \"re*und\", \"  \"]}
  - {id: soap, label: Again, terms: [lather]}
  - {id: empty, label: Empty, terms: []}
  - {id: harm, label: Harm, terms: [hurt], exclude: [\"*\"], pain_points: [hrut]}
";
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let o = crate::util::validate_short(dir.path());
    assert_eq!(code(&o), 1);
    let lines: Vec<String> = stdout(&o)
        .lines()
        .chain(crate::util::stderr(&o).lines())
        .filter(|l| l.contains("error["))
        .map(str::to_owned)
        .collect();
    let expect = [
        (
            "m.journey.yaml:11:46: error[JM021]",
            "`?!` of theme `soap` cannot match: it has no word",
        ),
        (
            "m.journey.yaml:11:52: error[JM021]",
            "`re*und` of theme `soap` cannot match: a `*` may only end",
        ),
        ("m.journey.yaml:11:62: error[JM021]", "has no word"),
        (
            "m.journey.yaml:12:10: error[JM010]",
            "duplicate theme id `soap`",
        ),
        (
            "m.journey.yaml:13:10: error[JM021]",
            "theme `empty` has no terms",
        ),
        ("m.journey.yaml:14:54: error[JM021]", "has no word"),
        (
            "m.journey.yaml:14:74: error[JM021]",
            "`hrut`, which is not a pain point id in this map; did you mean `hurt`?",
        ),
    ];
    assert_eq!(lines.len(), expect.len(), "{lines:#?}");
    for (line, (at, says)) in lines.iter().zip(expect) {
        assert!(
            line.starts_with(at) && line.contains(says),
            "{line}\nwanted {at} … {says}"
        );
    }
}

#[test]
fn a_codebook_without_comments_to_count_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let rest = "surveys:
  - {id: s, file: a.csv, stage_column: stage, measures: {csat: csat}}
themes:
  - {id: price, label: Price, terms: [price*]}
";
    let csv = "stage,csat\nbuy,4\nbuy,5\n";
    let o = crate::util::validate_buy_map(dir.path(), "No comments", csv, rest);
    assert_eq!(code(&o), 0, "a warning, not an error");
    assert!(
        stdout(&o).contains("m.journey.yaml:9:10: warning[JM123]: the map has a theme codebook, but no substantive comment was read"),
        "{}",
        stdout(&o)
    );
}

/// Wilson 95% bounds of k in n, written again here for the wave test.
fn wilson(k: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    (centre - half, centre + half)
}

#[test]
fn theme_shares_per_wave_show_their_change_and_diff_reports_the_significant_ones() {
    let dir = tempfile::tempdir().unwrap();
    // 10 of 60 comments about late parcels in Q1, 40 of 60 in Q2.
    for (file, late) in [("q1.csv", 10), ("q2.csv", 40)] {
        let mut csv = String::from("stage,comment\n");
        for i in 0..60 {
            csv.push_str(if i < late {
                "delivery,The parcel came late again this week\n"
            } else {
                "delivery,Friendly courier and the box was fine\n"
            });
        }
        std::fs::write(dir.path().join(file), csv).unwrap();
    }
    let map = |waves: &str| {
        format!(
            "journeymap: 1
title: Waves of themes
persona: {{name: Tester}}
stages:
  - {{id: delivery, name: Delivery, touchpoints: [{{name: Courier}}]}}
surveys:
  - id: pulse
    waves:
{waves}    stage_column: stage
    measures: {{comment: comment}}
themes:
  - {{id: late, label: Late parcels, terms: [late]}}
  - {{id: courier, label: Courier, terms: [courier*]}}
"
        )
    };
    let q1 = "      - {label: 2026-Q1, file: q1.csv}\n";
    let q2 = "      - {label: 2026-Q2, file: q2.csv}\n";
    std::fs::write(dir.path().join("old.journey.yaml"), map(q1)).unwrap();
    std::fs::write(
        dir.path().join("new.journey.yaml"),
        map(&format!("{q1}{q2}")),
    )
    .unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "new.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let stage = &got["stages"][0];
    let matched: Vec<Vec<u64>> = stage["theme_waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            w["themes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["matched"].as_u64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(matched, [[10, 50], [40, 20]]);
    // Newcombe's interval for 40/60 − 10/60, from the two Wilson intervals.
    let (p1, p2) = (10.0 / 60.0, 40.0 / 60.0);
    let ((l1, u1), (l2, u2)) = (wilson(10.0, 60.0), wilson(40.0, 60.0));
    let low = (p2 - p1) - ((p2 - l2).powi(2) + (u1 - p1).powi(2)).sqrt();
    let high = (p2 - p1) + ((u2 - p2).powi(2) + (p1 - l1).powi(2)).sqrt();
    let late = &stage["theme_changes"][0];
    assert_eq!(
        (late["id"].as_str(), late["to"].as_str()),
        (Some("late"), Some("2026-Q2"))
    );
    close(&late["delta"], &Value::from(50.0), "delta");
    close(&late["low"], &Value::from(low * 100.0), "low");
    close(&late["high"], &Value::from(high * 100.0), "high");
    assert_eq!(late["significant"], true);
    // The headline shares are the latest wave's.
    assert_eq!(stage["themes"][0]["matched"], 40);

    // Markdown: the per-wave table and the change, read back with a GFM parser.
    let o = run_in(
        dir.path(),
        &["render", "-f", "markdown", "new.journey.yaml"],
    );
    let md = stdout(&o);
    let cells = crate::markdown::table_cells(&md);
    assert!(
        cells
            .windows(3)
            .any(|w| w == ["Late parcels", "16.7%", "66.7%"]),
        "{cells:?}"
    );
    assert!(md.contains("- Late parcels, 2026-Q1 → 2026-Q2: ▲ rose +50 pts, a significant change (95% CI +33 pts to +62.9 pts)"), "{md}");

    // diff: the new wave moved both themes' shares significantly.
    let o = run_in(
        dir.path(),
        &["diff", "-f", "json", "old.journey.yaml", "new.journey.yaml"],
    );
    let d: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let moved: Vec<(String, String)> = d["moved_significantly"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["measure"] == "theme")
        .map(|m| {
            (
                m["stage"].as_str().unwrap().to_owned(),
                m["theme"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        moved,
        [
            ("overall".to_owned(), "Late parcels".to_owned()),
            ("overall".to_owned(), "Courier".to_owned()),
            ("delivery".to_owned(), "Late parcels".to_owned()),
            ("delivery".to_owned(), "Courier".to_owned())
        ]
    );
}

#[test]
fn a_codebook_in_its_own_file_is_read_from_inside_the_map_folder_and_checked_at_its_lines() {
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("repo");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(
        dir.join("a.csv"),
        "stage,comment\nbuy,The parcel came late again\nbuy,Refund took ages to arrive\n",
    )
    .unwrap();
    let write_map = |themes: &str| {
        let map = format!(
            "journeymap: 1
title: Codebook file
persona: {{name: Tester}}
stages:
  - {{id: buy, name: Buy, touchpoints: [{{name: Web}}]}}
surveys:
  - {{id: s, file: a.csv, stage_column: stage, measures: {{comment: comment}}}}
themes: {themes}
"
        );
        std::fs::write(dir.join("m.journey.yaml"), map).unwrap();
    };
    let book = "# The codebook
themes:
  - {id: late, label: Late, terms: [late]}
  - {id: refunds, label: Refunds, terms: [refund*, \"?!\"], pain_points: [nope]}
";
    std::fs::write(dir.join("m.themes.yaml"), book).unwrap();
    write_map("m.themes.yaml");
    let o = run_in(&dir, &["validate", "--format", "short", "m.journey.yaml"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(
        out.contains("m.themes.yaml:4:52: error[JM021]: term `?!` of theme `refunds` cannot match")
            && out.contains(
                "m.themes.yaml:4:73: error[JM021]: theme `refunds` is evidence for `nope`"
            ),
        "{out}"
    );
    // Fixed, its shares are counted as an inline codebook's would be.
    std::fs::write(
        dir.join("m.themes.yaml"),
        book.replace(", \"?!\"], pain_points: [nope]", "]"),
    )
    .unwrap();
    let o = run_in(&dir, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let matched: Vec<u64> = got["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["matched"].as_u64().unwrap())
        .collect();
    assert_eq!(matched, [1, 1]);
    // A file outside the repository, and one that is not there, are refused at the map line.
    std::fs::write(top.path().join("outside.themes.yaml"), book).unwrap();
    write_map("../outside.themes.yaml");
    let o = run_in(&dir, &["validate", "--format", "short", "m.journey.yaml"]);
    assert!(
        stdout(&o).contains("m.journey.yaml:8:9: error[JM007]: themes file ../outside.themes.yaml is outside the folder"),
        "{}",
        stdout(&o)
    );
    write_map("missing.themes.yaml");
    let o = run_in(&dir, &["validate", "--format", "short", "m.journey.yaml"]);
    assert!(
        stdout(&o).contains("m.journey.yaml:8:9: error[JM000]: cannot read missing.themes.yaml"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_backlog_weighs_severity_by_measured_evidence_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    crate::util::copy_toothbrush(dir.path());
    let render = || {
        let o = run_in(
            dir.path(),
            &["render", "-f", "json", "toothbrush.journey.yaml"],
        );
        assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
        serde_json::from_str::<Value>(&stdout(&o)).unwrap()
    };
    let item = |d: &Value, id: &str| {
        d["backlog"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["id"] == id)
            .unwrap()
            .clone()
    };
    // Off by default: the plain rule, medium 2 + medium 2, × impact 3 ÷ effort 1.
    let plain = render();
    let b = item(&plain, "compat-table");
    assert_eq!(b["severity_sum"], 4);
    assert_eq!(b["weighted_sum"], Value::Null);
    close(&b["priority"], &Value::from(12.0), "plain priority");

    let map = dir.path().join("toothbrush.journey.yaml");
    let text = std::fs::read_to_string(&map).unwrap();
    std::fs::write(
        &map,
        format!("{text}backlog: {{weight_by_evidence: true}}\n"),
    )
    .unwrap();
    let weighted = render();
    let b = item(&weighted, "compat-table");
    // It addresses `unanswered-questions` (research: 10 of 33 comments about Unanswered
    // questions) and `battery-not-replaceable` (trigger: 31 of 31 about Battery), both medium.
    let (research, trigger) = (wilson(10.0, 33.0).0, wilson(31.0, 31.0).0);
    let sum = 2.0 * (1.0 + research) + 2.0 * (1.0 + trigger);
    close(&b["weighted_sum"], &Value::from(sum), "weighted sum");
    close(
        &b["priority"],
        &Value::from(sum * 3.0 / 1.0),
        "weighted priority",
    );
    let factors: Vec<f64> = b["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["evidence"].as_f64().unwrap())
        .collect();
    assert!((factors[0] - (1.0 + research)).abs() < 1e-9, "{factors:?}");
    assert!(
        weighted["backlog_formula"]
            .as_str()
            .unwrap()
            .contains("× (1 + the lower 95% bound")
    );
    // Every pain point addressed has its factor, at least 1.
    for b in weighted["backlog"].as_array().unwrap() {
        for p in b["addresses"].as_array().unwrap() {
            assert!(p["evidence"].as_f64().unwrap() >= 1.0, "{p}");
        }
    }
}

#[test]
fn a_hidden_comment_is_counted_but_never_quoted_for_a_theme_or_listed_among_missed_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("stage,comment\n");
    // Two others only: three are kept per theme, so the hidden one would be among them.
    for i in 0..2 {
        csv.push_str(&format!("buy,The service was slow on day {i}\n"));
    }
    csv.push_str("buy,Terrible service from Bob Smith at the desk\n");
    csv.push_str("buy,Zanzibar Quixotic Flummox happened again\n");
    std::fs::write(dir.path().join("a.csv"), csv).unwrap();
    let map = "journeymap: 1
title: Hidden
persona: {name: Tester}
stages:
  - id: buy
    name: Buy
    touchpoints: [{name: Web}]
    quotes:
      hide: [\"Terrible service from Bob Smith at the desk\", \"Zanzibar Quixotic Flummox happened again\"]
surveys:
  - {id: s, file: a.csv, stage_column: stage, measures: {comment: comment}}
themes:
  - {id: service, label: Service, terms: [service]}
";
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let stage = &got["stages"][0];
    // Counted: 3 of 4 comments are about service, 1 in no theme.
    assert_eq!(stage["themes"][0]["matched"], 3);
    assert_eq!(stage["unthemed"]["unthemed"], 1);
    let all = stdout(&o);
    assert!(!all.contains("Bob Smith"), "{all}");
    assert!(!all.to_lowercase().contains("zanzibar"), "{all}");
    assert_eq!(stage["themes"][0]["quotes"].as_array().unwrap().len(), 2);
    for format in ["markdown", "html"] {
        let o = run_in(dir.path(), &["render", "-f", format, "m.journey.yaml"]);
        assert!(!stdout(&o).contains("Bob Smith"), "{format}");
        assert!(!stdout(&o).to_lowercase().contains("zanzibar"), "{format}");
    }
}
