//! Figures you can trust: a binding that cannot be right is refused where it is declared,
//! a figure that lost answers says so in every output, quotes are substantive, funnel shares
//! make sense, and `validate` reports every shape mistake of a map in one run.

use std::path::Path;

use crate::util::{code, run, stdout, tempdir};

/// `validate --format json` as (code, file, line, column) tuples.
fn diagnostics(map: &str) -> Vec<(String, String, u64, u64)> {
    stdout(&run(&["validate", "--format", "json", map]))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["code"].as_str().unwrap().to_owned(),
                v["file"].as_str().unwrap().to_owned(),
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A diagnostic expected: code, file (in the fixture's folder), line, column.
type Expected = (&'static str, &'static str, u64, u64);

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn ten_planted_mistakes_give_ten_diagnostics_in_one_run() {
    let dir = tempdir();
    let map = write(
        dir.path(),
        "ten.journey.yaml",
        "journeymap: 1
title: Ten planted mistakes
kind: current-stat
persona:
  name: Maya
  rol: Parent
stages:
  - id: browse
    name: Browse
    actions: Looks around
    touchpoints:
      - name: Site
        moment_of_truth: maybe
    pain_points:
      - id: slow
        text: Slow pages
        severity: hihg
    emotion: {score: 1, lable: Curious}
  - id: buy
    touchpoints: [{name: Checkout}]
    solutions:
      - id: fix
        text: Faster checkout
        status: planed
        effort: tiny
  - id: use
    name: Use
    tags: [x]
",
    );
    let found: Vec<(String, u64, u64)> = diagnostics(&map)
        .into_iter()
        .map(|(c, _, l, col)| (c, l, col))
        .collect();
    let want: Vec<(String, u64, u64)> = [
        ("JM002", 3, 7),   // kind: current-stat
        ("JM003", 6, 3),   // rol
        ("JM002", 10, 14), // actions: a string, not a list
        ("JM002", 13, 26), // moment_of_truth: maybe
        ("JM002", 17, 19), // severity: hihg
        ("JM003", 18, 25), // lable
        ("JM004", 19, 5),  // the stage `buy` has no name
        ("JM002", 24, 17), // status: planed
        ("JM002", 25, 17), // effort: tiny
        ("JM003", 28, 5),  // tags on a stage
    ]
    .iter()
    .map(|(c, l, col)| ((*c).to_owned(), *l, *col))
    .collect();
    assert_eq!(found, want);
    let human = stdout(&run(&["validate", &map]));
    assert!(human.contains("did you mean `current-state`?"), "{human}");
    assert!(human.contains("did you mean `planned`?"), "{human}");
    assert!(
        human.ends_with("10 errors, 0 warnings\nFor more on JM002, and how to fix it: journeymap explain JM002\n"),
        "{human}"
    );
}

#[test]
fn a_wrong_binding_on_a_real_export_is_refused_where_it_is_declared() {
    let invalid = "tests/fixtures/invalid";
    let real = "tests/fixtures/real";
    let cases: &[(&str, &[Expected])] = &[
        // A filter value the file lacks (Qualtrics `True` on an export that writes 1).
        (
            "JM108-where-keeps-nothing",
            &[("JM108", "map.journey.yaml", 11, 23)],
        ),
        // One word changed in a label: paired with the answers that use the right one.
        ("JM109-label-typo", &[("JM109", "map.journey.yaml", 24, 78)]),
        // A reversed scale, at the scale.
        (
            "JM111-reversed-scale",
            &[("JM111", "map.journey.yaml", 24, 18)],
        ),
        // An NPS question bound as CSAT: 157 of 184 answers off the 1..5 scale.
        (
            "JM110-mostly-unusable",
            &[("JM110", "map.journey.yaml", 12, 15)],
        ),
        // An unclosed quote inserted at line 51 of prep-air.csv.
        (
            "JM106-unclosed-quote",
            &[("JM106", "prep-air-broken.csv", 51, 2)],
        ),
    ];
    for (case, want) in cases {
        let map = format!("{invalid}/{case}/map.journey.yaml");
        let errors: Vec<(String, String, u64, u64)> = diagnostics(&map)
            .into_iter()
            .filter(|d| d.0 != "JM102")
            .collect();
        let want: Vec<(String, String, u64, u64)> = want
            .iter()
            .map(|(c, f, l, col)| ((*c).to_owned(), format!("{invalid}/{case}/{f}"), *l, *col))
            .collect();
        assert_eq!(errors, want, "{case}");
        assert_eq!(code(&run(&["validate", &map])), 1, "{case}");
        // render refuses too, and writes nothing.
        let o = run(&["render", &map]);
        assert_eq!(code(&o), 1, "{case}");
        assert_eq!(stdout(&o), "", "{case}");
    }
    let short = |case: &str| {
        let map = format!("{invalid}/{case}/map.journey.yaml");
        stdout(&run(&["validate", "--format", "short", &map]))
    };
    // The JM109 case names both spellings and the count.
    let short109 = short("JM109-label-typo");
    assert!(
        short109.contains("label `Some good, some no so good` matches no answer")
            && short109.contains("while 9 answers read `Some good, some not so good`"),
        "{short109}"
    );
    // The JM108 case lists what the column holds and suggests it.
    let short108 = short("JM108-where-keeps-nothing");
    assert!(
        short108.contains("keeps none of the 1 row of")
            && short108.contains("column `Finished` holds `1` (1); did you mean `1`?"),
        "{short108}"
    );
    // The correct binding of the same file is fine.
    assert_eq!(
        code(&run(&[
            "validate",
            &format!("{real}/maps/qualtrics.journey.yaml")
        ])),
        0
    );
}

#[test]
fn hostile_aggregated_numbers_are_refused_at_their_cell() {
    let dir = tempdir();
    let rows = [
        (
            "browse,nps,100,-5,60,45,,,",
            4,
            "a count cannot be negative",
        ),
        (
            "browse,nps,100,10.7,60,29,,,",
            4,
            "a count is a whole number",
        ),
        ("browse,nps,18446744073709551616,5,5,5,,,", 3, "too large"),
        ("browse,nps,\"1,000\",500,300,200,,,", 3, "thousands"),
        ("browse,ces,40,,,,,NaN,1", 8, "not a finite number"),
        ("browse,ces,40,,,,,inf,1", 8, "not a finite number"),
        ("browse,ces,40,,,,,9,1", 8, "outside 1..7"),
        ("browse,ces,40,,,,,4,-1", 9, "outside 0..∞"),
        ("browse,csat,10,,,,11,4,1", 7, "more than n"),
        ("browse,nps,10,5,4,2,,,", 3, "do not add up"),
        ("browse,nps,10,5,3,2,,11,", 8, "outside 0..10"),
        ("browse,ces,40,,,,,4,", 9, "`stddev` is empty"),
        // A mean of 1.199 on 1..7 cannot come with a standard deviation of 1.675: at most
        // sqrt(0.199 × 5.801 × 45/44) = sqrt(1.1806) = 1.087.
        (
            "browse,ces,45,,,,,1.199,1.675",
            9,
            "cannot spread more than 1.087",
        ),
    ];
    for (row, col, why) in rows {
        let csv =
            format!("stage,measure,n,promoters,passives,detractors,top_box,mean,stddev\n{row}\n");
        write(dir.path(), "agg.csv", &csv);
        let map = write(
            dir.path(),
            "agg.journey.yaml",
            "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - {id: browse, name: Browse, touchpoints: [{name: Site}]}\nsurveys:\n  - {id: w, file: agg.csv, layout: aggregated}\n",
        );
        let d = diagnostics(&map);
        assert_eq!(d.len(), 1, "{row}: {d:?}");
        assert_eq!(
            (d[0].0.as_str(), d[0].2, d[0].3),
            ("JM107", 2, col),
            "{row}"
        );
        let short = stdout(&run(&["validate", "--format", "short", &map]));
        assert!(short.contains(why), "{row}: {short}");
        assert_eq!(code(&run(&["render", "-f", "json", &map])), 1, "{row}");
    }
}

/// A long survey whose answers lose some values: NPS 9.5, CSAT 3.5, `1,000`, a filtered row.
const LOSSY: &str = "stage,keep,nps,csat,comment
buy,yes,9.5,4,Delivery took two weeks
buy,yes,10,3.5,ok
buy,yes,\"1,000\",5,n/a
buy,yes,8,4,The courier left it outside
buy,yes,9,5,The courier left it outside.
buy,no,0,1,Terrible service from start to end
";

fn lossy_map(dir: &Path, extra: &str) -> String {
    write(dir, "answers.csv", LOSSY);
    write(
        dir,
        "lossy.journey.yaml",
        &format!(
            "journeymap: 1
title: Lossy
persona: {{name: P}}
stages:
  - id: buy
    name: Buy
    touchpoints: [{{name: Shop}}]
{extra}surveys:
  - id: s
    file: answers.csv
    stage_column: stage
    where: {{keep: yes}}
    measures: {{nps: nps, csat: csat, comment: comment}}
    emotion_from: nps
"
        ),
    )
}

#[test]
fn a_figure_that_lost_answers_says_so_in_every_output() {
    let dir = tempdir();
    let map = lossy_map(dir.path(), "");
    // Warnings only: render still succeeds.
    let json = run(&["render", "-f", "json", &map]);
    assert_eq!(code(&json), 0);
    let ctx: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    let nps = &ctx["stages"][0]["metrics"]["nps"];
    // 10, 8, 9 are read: 2 promoters, 1 passive → NPS 66.67; 9.5 and `1,000` are not.
    assert_eq!(nps["n"], 3);
    assert!((nps["value"].as_f64().unwrap() - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(nps["skipped"], 2);
    assert_eq!(nps["filtered"], 1);
    assert_eq!(
        nps["skipped_why"],
        serde_json::json!([
            {"reason": "written with a thousands separator", "count": 1},
            {"reason": "not a whole number", "count": 1}
        ])
    );
    assert_eq!(
        nps["caveat"],
        "2 of 5 answers not used (1 written with a thousands separator; 1 not a whole number); 1 row left out by the where: filter"
    );
    let csat = &ctx["stages"][0]["metrics"]["csat"];
    assert_eq!(
        (csat["n"].as_u64(), csat["skipped"].as_u64()),
        (Some(4), Some(1))
    );
    // The measured emotion is NPS / 50.
    assert!((ctx["stages"][0]["emotion_measured"].as_f64().unwrap() - 4.0 / 3.0).abs() < 1e-9);

    // HTML: the mark sits next to the number, in the same list item, with the sentence.
    let html = stdout(&run(&["render", "-f", "html", &map]));
    let doc = scraper::Html::parse_document(&html);
    let item = scraper::Selector::parse("ul.metrics li").unwrap();
    let texts: Vec<String> = doc
        .select(&item)
        .map(|li| li.text().collect::<String>())
        .collect();
    let nps_item = texts.iter().find(|t| t.starts_with("NPS")).unwrap();
    assert!(nps_item.contains("+67"), "{nps_item}");
    assert!(nps_item.contains("⚠\u{fe0e} 2 not used"), "{nps_item}");
    assert!(nps_item.contains("2 of 5 answers not used"), "{nps_item}");
    assert!(
        nps_item.contains("1 row left out by the where: filter"),
        "{nps_item}"
    );

    // Markdown: read with a real parser, the table cell carries the mark.
    let md = stdout(&run(&["render", "-f", "markdown", &map]));
    let cells = crate::markdown::table_cells(&md);
    assert!(
        cells.iter().any(|c| c == "+67 ⚠\u{fe0e} 2 not used"),
        "{cells:?}"
    );
    assert!(cells.iter().any(|c| c.contains("2 of 5 answers not used")));
}

#[test]
fn quotes_are_substantive_pinned_first_and_hidden_never() {
    let dir = tempdir();
    let map = lossy_map(
        dir.path(),
        "    quotes:\n      pin: [\"ok\"]\n      hide: [\"Delivery took two weeks\"]\n",
    );
    let ctx: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["render", "-f", "json", &map]))).unwrap();
    let quotes: Vec<(&str, bool)> = ctx["stages"][0]["verbatims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["text"].as_str().unwrap(), v["pinned"].as_bool().unwrap()))
        .collect();
    // "ok" is no quote unless pinned (a team may pin what it likes), and then comes first;
    // the two "courier" comments are one (the spelling with the smaller XXH3-64 speaks for
    // both: Python's xxhash agrees that it is the one without the full stop); the hidden one
    // is gone; "n/a" is no comment.
    assert_eq!(
        quotes,
        [("ok", true), ("The courier left it outside", false)]
    );
    assert_eq!(ctx["stages"][0]["comments"], 4);
    // Pinning a missing code, which is no comment, is refused at the pin.
    let map = lossy_map(dir.path(), "    quotes:\n      pin: [\"n/a\"]\n");
    let d = diagnostics(&map);
    assert_eq!(
        d.iter()
            .filter(|x| x.0 != "JM102")
            .map(|x| (x.0.as_str(), x.2, x.3))
            .collect::<Vec<_>>(),
        [("JM113", 9, 13)]
    );
}

#[test]
fn journey_level_comments_are_shown_in_every_output() {
    let dir = tempdir();
    write(
        dir.path(),
        "wide.csv",
        "id,q1,anything_else\n1,9,ok\n2,10,The app kept logging me out\n3,6,-\n4,8,Support answered within minutes\n5,7,The app kept logging me out!\n",
    );
    let map = write(
        dir.path(),
        "wide.journey.yaml",
        "journeymap: 1\ntitle: Wide\npersona: {name: P}\nstages:\n  - {id: use, name: Use, touchpoints: [{name: App}]}\nsurveys:\n  - id: w\n    file: wide.csv\n    layout: wide\n    stages: {use: {nps: q1}}\n    overall: {comment: anything_else}\n",
    );
    let ctx: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["render", "-f", "json", &map]))).unwrap();
    let texts: Vec<&str> = ctx["verbatims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["text"].as_str().unwrap())
        .collect();
    // "ok" and "-" are no quotes; the two "logging me out" comments are one, shown in
    // file order before the support comment because the spelling without "!" has the
    // smaller XXH3-64 (Python's xxhash agrees) and speaks for both.
    assert_eq!(
        texts,
        [
            "The app kept logging me out",
            "Support answered within minutes"
        ]
    );
    assert_eq!(ctx["comments"], 5);
    let html = stdout(&run(&["render", "-f", "html", &map]));
    let doc = scraper::Html::parse_document(&html);
    let h2 = scraper::Selector::parse("section h2#said-h").unwrap();
    assert_eq!(doc.select(&h2).count(), 1);
    let q = scraper::Selector::parse("section[aria-labelledby=said-h] blockquote").unwrap();
    assert_eq!(doc.select(&q).count(), 2);
    let md = stdout(&run(&["render", "-f", "markdown", &map]));
    let headings = crate::markdown::headings(&md);
    assert!(
        headings.iter().any(|h| h == "What customers said"),
        "{headings:?}"
    );
    assert!(md.contains("> “Support answered within minutes”"));
}

#[test]
fn funnel_shares_make_sense_from_zero_and_when_growing() {
    let dir = tempdir();
    let map = write(
        dir.path(),
        "funnel.journey.yaml",
        "journeymap: 1\ntitle: F\npersona: {name: P}\nstages:\n  - {id: a, name: A, touchpoints: [{name: x}], funnel: 0}\n  - {id: b, name: B, touchpoints: [{name: x}], funnel: 0}\n  - {id: c, name: C, touchpoints: [{name: x}], funnel: 100}\n  - {id: d, name: D, touchpoints: [{name: x}], funnel: 300}\n  - {id: e, name: E, touchpoints: [{name: x}], funnel: 120}\n",
    );
    let ctx: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["render", "-f", "json", &map]))).unwrap();
    let step = |i: usize| ctx["stages"][i]["funnel_step"].clone();
    // 0 -> 0 and 0 -> 100: no share at all.
    for i in [0, 1] {
        assert_eq!(step(i)["kept"], serde_json::Value::Null);
        assert_eq!(step(i)["lost"], serde_json::Value::Null);
        assert_eq!(step(i)["growth"], serde_json::Value::Null);
    }
    // 100 -> 300: growth of 200%, never a loss of -200%.
    assert_eq!(step(2)["growth"], 2.0);
    assert_eq!(step(2)["lost"], serde_json::Value::Null);
    // 300 -> 120: 40% kept, 60% lost.
    assert_eq!(step(3)["kept"], 0.4);
    assert!((step(3)["lost"].as_f64().unwrap() - 0.6).abs() < 1e-12);
    let md = stdout(&run(&["render", "-f", "markdown", &map]));
    assert!(md.contains("grows by 200% (to 300)"), "{md}");
    assert!(md.contains("nobody reached it, so no share is kept or lost"));
    assert!(!md.contains("-200"));
    let v = stdout(&run(&["validate", "--format", "short", &map]));
    assert!(v.contains("[JM053]"), "{v}");
}

mod aggregated_rows {
    //! No figure outside its range ever reaches an output, whatever aggregated rows hold.

    use proptest::prelude::*;

    use journeymap::cli::OutputFormat;
    use journeymap::render::Renderer;

    /// Cells that are counts, near-counts and hostile numbers.
    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..200).prop_map(|n| n.to_string()),
            (0u64..200).prop_map(|n| format!("{n}.0")),
            Just(String::new()),
            Just("-5".to_owned()),
            Just("10.7".to_owned()),
            Just("\"1,000\"".to_owned()),
            Just("1 000".to_owned()),
            Just("18446744073709551616".to_owned()),
            Just("9007199254740993".to_owned()),
            Just("NaN".to_owned()),
            Just("inf".to_owned()),
            Just("-inf".to_owned()),
            Just("1e308".to_owned()),
            Just("-0".to_owned()),
            (-20.0f64..20.0).prop_map(|x| format!("{x:.3}")),
            "[a-z]{1,4}",
        ]
    }

    /// A row that is right, so that figures exist to be checked, pooled with the others.
    fn valid_row() -> impl Strategy<Value = String> {
        let stage = prop_oneof![Just("a"), Just("b"), Just("")];
        prop_oneof![
            (
                stage.clone(),
                0u64..50,
                0u64..50,
                0u64..50,
                prop::option::of(0.0f64..=10.0)
            )
                .prop_map(|(s, p, pas, d, mean)| format!(
                    "{s},nps,{},{p},{pas},{d},,{},",
                    p + pas + d,
                    mean.map(|m| format!("{m:.2}")).unwrap_or_default()
                )),
            (stage.clone(), 1u64..80, 0.0f64..=1.0, 1.0f64..=5.0).prop_map(
                |(s, n, share, mean)| {
                    let top = (n as f64 * share).floor() as u64;
                    format!("{s},csat,{n},,,,{top},{mean:.2},0.9")
                }
            ),
            (stage, 1u64..80, 1.0f64..=7.0, 0.0f64..3.0)
                .prop_map(|(s, n, mean, sd)| format!("{s},ces,{n},,,,,{mean:.3},{sd:.3}")),
        ]
    }

    fn row() -> impl Strategy<Value = String> {
        prop_oneof![valid_row(), hostile_row()]
    }

    fn hostile_row() -> impl Strategy<Value = String> {
        (
            prop_oneof![Just("a"), Just("b"), Just(""), Just("overall"), Just("zz")],
            prop_oneof![
                Just("nps"),
                Just("csat"),
                Just("ces"),
                Just("score"),
                Just("x")
            ],
            prop::collection::vec(number(), 7),
        )
            .prop_map(|(stage, measure, cells)| format!("{stage},{measure},{}", cells.join(",")))
    }

    /// Every figure in `metrics` maps: finite, value and interval in the measure's range.
    fn check_figures(ctx: &serde_json::Value) {
        let mut maps = vec![&ctx["metrics"]];
        for s in ctx["stages"].as_array().unwrap() {
            maps.push(&s["metrics"]);
            if let Some(e) = s["emotion_measured"].as_f64() {
                assert!((-2.0..=2.0).contains(&e), "emotion {e}");
            }
        }
        let all = maps.into_iter().flat_map(|m| m.as_object().unwrap().iter());
        for (name, f) in all {
            let name = name.as_str();
            let get = |k: &str| f[k].as_f64().unwrap_or_else(|| panic!("{name}.{k}: {f}"));
            let (value, low, high) = (get("value"), get("low"), get("high"));
            let (lo, hi) = match name {
                "nps" => (-100.0, 100.0),
                "csat" => (0.0, 100.0),
                _ => (get_scale(f, 0), get_scale(f, 1)),
            };
            for x in [value, low, high] {
                assert!(
                    x.is_finite() && x >= lo - 1e-9 && x <= hi + 1e-9,
                    "{name}: {f}"
                );
            }
            assert!(low <= value + 1e-9 && value <= high + 1e-9, "{name}: {f}");
            if let Some(m) = f["mean"].as_f64() {
                assert!(
                    m >= get_scale(f, 0) - 1e-9 && m <= get_scale(f, 1) + 1e-9,
                    "{name}: {f}"
                );
            }
            assert!(f["n"].as_u64().unwrap() > 0);
        }
    }

    fn get_scale(f: &serde_json::Value, i: usize) -> f64 {
        f["scale"][i].as_f64().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn no_figure_outside_its_range_reaches_any_output(rows in prop::collection::vec(row(), 1..12)) {
            let csv = format!(
                "stage,measure,n,promoters,passives,detractors,top_box,mean,stddev\n{}\n",
                rows.join("\n")
            );
            let map = "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - {id: a, name: A, touchpoints: [{name: x}]}\n  - {id: b, name: B, touchpoints: [{name: x}]}\nsurveys:\n  - {id: w, file: w.csv, layout: aggregated, emotion_from: csat, measures: {score: {column: s, scale: [1, 10]}}}\n";
            let loaded = journeymap::load::from_text(map, "p.journey.yaml").unwrap();
            let (data, _, _) = journeymap::survey::read_bytes(&loaded, 0, csv.as_bytes());
            let ctx = journeymap::enrich::enrich(&loaded, &data);
            let json: serde_json::Value = serde_json::to_value(&ctx).unwrap();
            check_figures(&json);
            for format in [OutputFormat::Html, OutputFormat::Markdown] {
                let out = Renderer::new(None).map(&ctx, format).unwrap();
                for bad in ["NaN", "Infinity", " inf", "-inf", "e+3"] {
                    prop_assert!(!out.contains(bad), "{bad} in {format:?}");
                }
            }
        }
    }
}

#[test]
fn a_label_nobody_chose_is_not_a_typo_but_a_misspelt_one_is() {
    let dir = tempdir();
    // Nobody found it "Very easy"; "Neither easy nor difficult" is misspelt in the map.
    write(
        dir.path(),
        "ease.csv",
        "id,q2\n1,Difficult\n2,Neither easy nor difficult\n3,Easy\n4,Neither easy nor difficult\n5,Very difficult\n",
    );
    let map = write(
        dir.path(),
        "ease.journey.yaml",
        "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - {id: import, name: Import, touchpoints: [{name: x}]}\nsurveys:\n  - id: s\n    file: ease.csv\n    layout: wide\n    stages:\n      import:\n        ces: {column: q2, scale: [1, 5], values: {\"Very difficult\": 1, \"Difficult\": 2, \"Neither easy or difficult\": 3, \"Easy\": 4, \"Very easy\": 5}}\n",
    );
    let d: Vec<(String, u64, u64)> = diagnostics(&map)
        .into_iter()
        .filter(|d| d.0 != "JM102")
        .map(|(c, _, l, col)| (c, l, col))
        .collect();
    assert_eq!(d, [("JM109".to_owned(), 12, 88)]);
    // Spelt right, the unused "Very easy" is no problem.
    let fixed = std::fs::read_to_string(&map)
        .unwrap()
        .replace("easy or difficult", "easy nor difficult");
    std::fs::write(&map, fixed).unwrap();
    assert_eq!(diagnostics(&map), []);
}
