//! Comment sentiment against the reference VADER (Python's vaderSentiment 3.3.2, run by
//! tests/fixtures/real/sentiment.py) on every comment of real exports, and the figures a
//! map shows from it.

use journeymap::sentiment::{Language, Scored, score};
use serde_json::Value;

use crate::util::{code, python_json, root, run_in, stderr, stdout};

const SUDZILLA: &str = "tests/fixtures/real/google-forms/sudzilla.csv";
const HOT_DOG: &str = "tests/fixtures/real/google-forms/hot-dog-form-responses.csv";
const WHY: &str = "...why?";
const GIVEAWAY: &str = "What was your favourite giveaway at Sudzilla?";

fn python(args: &[&str]) -> Value {
    let script = root().join("tests/fixtures/real/sentiment.py");
    let mut all = vec![script.as_os_str()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    python_json(&all)
}

#[test]
fn every_comment_of_real_exports_scores_as_the_reference_vader() {
    let columns: [(&str, &[&str]); 2] = [
        (
            SUDZILLA,
            &[
                WHY,
                GIVEAWAY,
                "Which three words would you use describe to Sudzilla? (separate with a comma)",
                "What was your favourite 'Soap Box' (breakout / customer speaker) session?",
            ],
        ),
        (HOT_DOG, &["What is the rationale behind your opinion?"]),
    ];
    let analyzer = vader_parity::SentimentIntensityAnalyzer::new();
    let mut compared = 0;
    let mut nonzero = 0;
    for (csv, cols) in columns {
        let mut args = vec!["scores", csv];
        args.extend_from_slice(cols);
        let reference = python(&args);
        for col in cols {
            let list = reference[col].as_array().unwrap();
            assert!(list.len() >= 30, "{csv}: {col}: {} comments", list.len());
            for row in list {
                let text = row[0].as_str().unwrap();
                let want: Vec<f64> = (1..5).map(|i| row[i].as_f64().unwrap()).collect();
                let s = analyzer.polarity_scores(text);
                for (got, want, what) in [
                    (s.neg, want[0], "neg"),
                    (s.neu, want[1], "neu"),
                    (s.pos, want[2], "pos"),
                    (s.compound, want[3], "compound"),
                ] {
                    assert!(
                        (got - want).abs() < 0.001,
                        "{col}: {text:?}: {what} {got} vs {want}"
                    );
                }
                // journeymap's own scoring, as a map with `language: en` uses it.
                let Scored::Score(mine) = score(text, Language::Declared { english: true }) else {
                    panic!("{text:?} was not scored");
                };
                assert!(
                    (mine - want[3]).abs() < 0.001,
                    "{text:?}: {mine} vs {}",
                    want[3]
                );
                compared += 1;
                nonzero += usize::from(want[3] != 0.0);
            }
        }
    }
    // Enough comments, and enough of them with a sentiment, for the comparison to mean something.
    assert!(
        compared >= 200 && nonzero >= 80,
        "{compared} compared, {nonzero} non-zero"
    );
}

fn map(extra: &str) -> String {
    format!(
        "journeymap: 1
title: Sudzilla sentiment
persona: {{name: Tester}}
stages:
  - {{id: event, name: Sudzilla, touchpoints: [{{name: Survey}}]}}
  - {{id: giveaways, name: Giveaways, touchpoints: [{{name: Survey}}]}}
surveys:
  - id: sudzilla
    file: sudzilla.csv
    layout: wide
{extra}    stages:
      event: {{comment: \"{WHY}\"}}
      giveaways: {{comment: \"{GIVEAWAY}\"}}
"
    )
}

fn close(a: &Value, b: &Value, what: &str) {
    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
    assert!((a - b).abs() < 1e-9, "{what}: {a} vs {b}");
}

#[test]
fn each_stages_sentiment_is_the_mean_the_reference_gives_with_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(SUDZILLA), dir.path().join("sudzilla.csv")).unwrap();
    let text = map("    language: en\n    emotion_from: sentiment\n");
    std::fs::write(dir.path().join("m.journey.yaml"), text).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("JM124"), "{}", stderr(&o));
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let csv = root().join(SUDZILLA);
    let csv = csv.to_str().unwrap();
    let mut n_all = 0;
    for (i, column) in [WHY, GIVEAWAY].into_iter().enumerate() {
        let want = python(&["figure", csv, column]);
        let stage = &got["stages"][i];
        let f = &stage["sentiment"];
        assert_eq!(f["n"], want["n"], "stage {i}");
        close(&f["value"], &want["mean"], "mean");
        close(&f["stddev"], &want["stddev"], "stddev");
        close(&f["low"], &want["low"], "low");
        close(&f["high"], &want["high"], "high");
        assert_eq!(f["skipped"], 0);
        // The same figure among the stage's measures, and as its measured emotion: -1..1
        // onto -2..2.
        assert_eq!(&stage["metrics"]["sentiment"], f);
        close(
            &stage["emotion_measured"],
            &Value::from(2.0 * want["mean"].as_f64().unwrap()),
            "emotion",
        );
        n_all += want["n"].as_u64().unwrap();
    }
    assert_eq!(got["sentiment"]["n"].as_u64(), Some(n_all));
    // The sentiment is the measured curve here, so it is not drawn a second time.
    assert_eq!(
        got["emotion_curve"]["sentiment"]["points"],
        serde_json::json!([])
    );

    // Markdown, read back with a GFM parser: the measures table has the sentiment row.
    let o = run_in(dir.path(), &["render", "-f", "markdown", "m.journey.yaml"]);
    let md = stdout(&o);
    let cells = crate::markdown::table_cells(&md);
    let why = python(&["figure", csv, WHY]);
    let shown = journeymap::words::metric(why["mean"].as_f64().unwrap(), "sentiment");
    let n = why["n"].as_u64().unwrap().to_string();
    let row = cells.windows(3).find(|w| w[0] == "Sentiment" && w[2] == n);
    assert_eq!(
        row.map(|w| w[1].as_str()),
        Some(shown.as_str()),
        "{cells:?}"
    );
    assert!(md.contains("measured from comment sentiment"), "{md}");
}

#[test]
fn comments_in_other_languages_are_left_out_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        "stage,comment
buy,The parcel arrived a day early and the courier was friendly
buy,Das Paket kam leider viel zu spät an und war beschädigt
buy,送货太慢了，包装也坏了
buy,The box was crushed and nobody answered my emails for a week
buy,Sehr gut
",
    )
    .unwrap();
    let write = |extra: &str| {
        let text = format!(
            "journeymap: 1
title: Languages
persona: {{name: Tester}}
stages:
  - {{id: buy, name: Buy, touchpoints: [{{name: Web}}]}}
surveys:
  - id: s
    file: a.csv
    stage_column: stage
    measures: {{comment: comment}}
    sentiment: true
{extra}"
        );
        std::fs::write(dir.path().join("m.journey.yaml"), text).unwrap();
    };
    write("");
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning[JM124]: 2 of 5 substantive comments were left out of the sentiment as not English (1 detected as Chinese, 1 detected as German; the first is here)"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("a.csv:3:2"), "{}", stderr(&o));
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let f = &got["stages"][0]["sentiment"];
    // Two English sentences, and `Sehr gut`: too short to tell, taken as English.
    assert_eq!(f["n"], 3);
    assert_eq!(f["skipped"], 2);
    assert_eq!(
        f["skipped_why"],
        serde_json::json!([
            {"reason": "detected as Chinese", "count": 1},
            {"reason": "detected as German", "count": 1}
        ])
    );
    assert!(
        f["caveat"]
            .as_str()
            .unwrap()
            .contains("sentiment is English only")
    );
    let scores: Vec<f64> = [
        "The parcel arrived a day early and the courier was friendly",
        "The box was crushed and nobody answered my emails for a week",
        "Sehr gut",
    ]
    .iter()
    .map(|t| match score(t, Language::Declared { english: true }) {
        Scored::Score(x) => x,
        Scored::Left(_) => unreachable!(),
    })
    .collect();
    close(
        &f["value"],
        &Value::from(scores.iter().sum::<f64>() / 3.0),
        "mean of the three",
    );
    assert_eq!(got["survey_summary"][0]["comments_scored"], 3);
    // Without `emotion_from: sentiment`, the emotion chart has a sentiment curve of its own,
    // the mean mapped from -1..1 onto -2..2.
    let point = &got["emotion_curve"]["sentiment"]["points"][0];
    assert_eq!(point["stage"], "buy");
    close(
        &point["score"],
        &Value::from(2.0 * scores.iter().sum::<f64>() / 3.0),
        "curve score",
    );
    assert!(
        got["emotion_curve"]["description"]
            .as_str()
            .unwrap()
            .contains("Comment sentiment, from -1..1 onto -2..2: Buy")
    );

    // Declared English: all five are scored, no warning.
    write("    language: en\n");
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert!(!stderr(&o).contains("JM124"), "{}", stderr(&o));
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(got["stages"][0]["sentiment"]["n"], 5);

    // Declared German: none is scored, said at the map's line, and no figure is shown.
    write("    language: de\n");
    let o = crate::util::validate_short(dir.path());
    crate::util::exits_saying(
        &o,
        0,
        crate::util::stdout,
        "m.journey.yaml:12:15: warning[JM124]: survey `s` declares `language: de`, and sentiment is English only (VADER): none of its comments will be scored",
    );
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    let got: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(got["stages"][0]["sentiment"], Value::Null);
    assert_eq!(
        got["survey_summary"][0]["comments_not_english"]["in a survey declared not English"],
        5
    );
}

#[test]
fn a_sentiment_binding_that_cannot_work_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let surveys = "surveys:
  - id: s
    file: a.csv
    stage_column: stage
    measures: {csat: csat}
    sentiment: true
  - id: t
    file: a.csv
    stage_column: stage
    measures: {csat: csat}
    emotion_from: sentiment
  - id: u
    file: a.csv
    stage_column: stage
    measures: {csat: csat}
    language: english
";
    let csv = "stage,csat\nbuy,4\n";
    let o = crate::util::validate_buy_map(dir.path(), "Bad sentiment", csv, surveys);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    for want in [
        "m.journey.yaml:11:16: error[JM105]: `sentiment: true`, but survey `s` binds no comment column; bind one with `comment:`",
        "m.journey.yaml:16:19: error[JM112]: `emotion_from: sentiment`, but survey `t` binds no comment per stage",
        "m.journey.yaml:21:15: error[JM105]: `language: english` is not a language tag",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
}
