//! `journeymap sql` for surveys: the warehouse SQL of a survey binding, run on DuckDB and on
//! Apache Spark in local mode, gives aggregated rows that, bound with `layout: aggregated`,
//! render the figures the local reader gives from the file itself: every stage's measures,
//! per wave and per segment, their intervals, skipped answers and the emotion derived from
//! them. The cases are an edge-case file written for this test (labels, missing codes, a
//! decimal comma, thousands separators, answers off the scale or not whole, stages by name and
//! in any case, unknown and empty stages, `where:` in any case, quoted newlines, semicolons)
//! and real exports (`fixtures/real`) and examples.

use std::path::{Path, PathBuf};

use crate::sql::{parses_with_sqlglot, run_py};
use crate::util::{code, root, run_in, stderr, stdout, tempdir};

/// A case: the map (from the repository root), and the aggregated bindings that replace its
/// `surveys:` when reading the results back (`RESULT-<id>` is the result of survey `<id>`).
struct Case {
    name: &'static str,
    map: &'static str,
    surveys: &'static [&'static str],
    readback: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "edge",
        map: "tests/fixtures/sql/surveys/edge/map.journey.yaml",
        surveys: &["edge"],
        readback: "  - id: edge\n    file: RESULT-edge\n    layout: aggregated\n    wave: {column: when, by: label}\n    segment_by: plan\n    emotion_from: csat\n",
    },
    Case {
        name: "returns",
        map: "examples/returns-over-time/returns.journey.yaml",
        surveys: &["pulse"],
        readback: "  - id: pulse\n    file: RESULT-pulse\n    layout: aggregated\n    emotion_from: csat\n    wave: {column: EndDate, by: quarter}\n    segment_by: Channel\n    segments: [Online, In store]\n",
    },
    Case {
        name: "toothbrush",
        map: "examples/toothbrush/toothbrush.journey.yaml",
        surveys: &["post-purchase-q3"],
        readback: "  - id: post-purchase-q3\n    file: RESULT-post-purchase-q3\n    layout: aggregated\n    emotion_from: csat\n",
    },
    Case {
        name: "airlines",
        map: "tests/fixtures/real/maps/airlines.journey.yaml",
        surveys: &["prep-air", "airlines"],
        readback: "  - id: prep-air\n    file: RESULT-prep-air\n    layout: aggregated\n    emotion_from: nps\n  - id: airlines\n    file: RESULT-airlines\n    layout: aggregated\n",
    },
    Case {
        name: "sudzilla",
        map: "tests/fixtures/real/maps/sudzilla.journey.yaml",
        surveys: &["sudzilla"],
        readback: "  - id: sudzilla\n    file: RESULT-sudzilla\n    layout: aggregated\n    emotion_from: nps\n",
    },
    Case {
        name: "cbsco",
        map: "tests/fixtures/real/maps/cbsco.journey.yaml",
        surveys: &["cbsco"],
        readback: "  - id: cbsco\n    file: RESULT-cbsco\n    layout: aggregated\n",
    },
];

/// The map with its `surveys:` section replaced by `surveys`.
fn with_surveys(map: &str, surveys: &str) -> String {
    let lines: Vec<&str> = map.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("surveys:"))
        .expect("the map has surveys");
    let end = lines[start + 1..]
        .iter()
        .position(|l| {
            !l.is_empty() && !l.starts_with(' ') && !l.starts_with('-') && !l.starts_with('#')
        })
        .map_or(lines.len(), |i| start + 1 + i);
    let mut out: String = lines[..start].iter().map(|l| format!("{l}\n")).collect();
    out.push_str("surveys:\n");
    out.push_str(surveys);
    for l in &lines[end..] {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// A map's text without comment sentiment (`sentiment:`, `language:` and the comment before
/// them), and without its `parent:` (the copy does not hold the maps above it).
fn without_sentiment(map: &str) -> String {
    map.lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("sentiment:")
                || l.starts_with("parent:")
                || t.starts_with("language:")
                || t.starts_with("# Score each comment's sentiment"))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Files written next to a map for the time of a test, removed even when it fails.
struct Beside(Vec<PathBuf>);

impl Drop for Beside {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The JSON render of `map`, which may read files from `folder`.
fn render_json(map: &Path, folder: &Path) -> serde_json::Value {
    let o = run_in(
        &root(),
        &[
            "render",
            "-f",
            "json",
            "--root",
            folder.to_str().unwrap(),
            map.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}: {}", map.display(), stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// Keys that describe where figures came from rather than the figures: the reasons answers
/// were skipped (the warehouse counts them without a reason), rows left out by `where:` (the
/// result holds only rows it kept), the one text all skipped answers read (the warehouse
/// counts them without their text), and the comments (not aggregated).
const NOT_FIGURES: &[&str] = &[
    "skipped_why",
    "skipped_all_read",
    "caveat",
    "filtered",
    "verbatims",
    "comments",
];

/// Compare two figure trees: numbers to 1e-9 (relative) — the local reader's running mean
/// and a warehouse's sum differ in the last bits — and everything else exactly. Returns the
/// number of numbers compared.
fn same(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> usize {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
                "{path}: {x} locally, {y} from the warehouse"
            );
            1
        }
        (Value::Array(xs), Value::Array(ys)) => {
            assert_eq!(xs.len(), ys.len(), "{path}: lengths");
            xs.iter()
                .zip(ys)
                .enumerate()
                .map(|(i, (x, y))| same(x, y, &format!("{path}[{i}]")))
                .sum()
        }
        (Value::Object(xs), Value::Object(ys)) => {
            let keys: std::collections::BTreeSet<&String> = xs.keys().chain(ys.keys()).collect();
            keys.into_iter()
                .filter(|k| !NOT_FIGURES.contains(&k.as_str()))
                .map(|k| {
                    same(
                        xs.get(k).unwrap_or(&Value::Null),
                        ys.get(k).unwrap_or(&Value::Null),
                        &format!("{path}.{k}"),
                    )
                })
                .sum()
        }
        _ => {
            assert_eq!(a, b, "{path}");
            0
        }
    }
}

/// What a map's figures are: per stage the measures, the measured emotion, and the same per
/// wave and segment with their changes; for the journey the same.
fn figures(j: &serde_json::Value) -> serde_json::Value {
    let pick = |v: &serde_json::Value, keys: &[&str]| {
        serde_json::Value::Object(
            keys.iter()
                .map(|k| ((*k).to_owned(), v[*k].clone()))
                .collect(),
        )
    };
    let stage_keys = [
        "id",
        "metrics",
        "emotion_measured",
        "waves",
        "changes",
        "segments",
        "trends",
    ];
    serde_json::json!({
        "stages": j["stages"].as_array().unwrap().iter().map(|s| pick(s, &stage_keys)).collect::<Vec<_>>(),
        "journey": pick(j, &["metrics", "wave_labels", "segment_labels", "waves", "changes", "segments", "emotion_curve"]),
    })
}

#[test]
#[ignore = "needs the duckdb and pyspark Python packages and Java (.ci/run installs them)"]
fn survey_sql_gives_the_local_figures_on_duckdb_and_spark() {
    let dir = tempdir();
    let d = dir.path();
    let mut jobs: Vec<(&str, Vec<(PathBuf, PathBuf)>)> =
        vec![("duckdb", vec![]), ("spark", vec![])];
    for case in CASES {
        for id in case.surveys {
            for (dialect, list) in &mut jobs {
                let o = run_in(
                    &root(),
                    &["sql", "--dialect", dialect, "--survey", id, case.map],
                );
                assert_eq!(code(&o), 0, "{}: {}", case.name, stderr(&o));
                let sql = d.join(format!("{}-{id}.{dialect}.sql", case.name));
                std::fs::write(&sql, stdout(&o)).unwrap();
                list.push((sql, d.join(format!("{}-{id}.{dialect}.csv", case.name))));
            }
        }
    }
    // The SQL names files relative to where `journeymap sql` ran: the repository root.
    for (engine, list) in &jobs {
        run_py(&root(), engine, list);
    }
    let mut edge_checked = false;
    for case in CASES {
        // The maps written for reading back go into a copy of the map's folder (with the
        // folders its files are in), never into the repository, where a test that renders
        // every example would find them half-written.
        let original = root().join(case.map);
        let base = match original.parent().unwrap() {
            p if p.ends_with("real/maps") => p.parent().unwrap().to_owned(),
            p => p.to_owned(),
        };
        let copy = d.join(format!("copy-{}", case.name));
        for entry in walkdir::WalkDir::new(&base) {
            let entry = entry.unwrap();
            let to = copy.join(entry.path().strip_prefix(&base).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        let map = copy.join(original.strip_prefix(&base).unwrap());
        // Comment sentiment is scored by journeymap alone, never in the warehouse: the local
        // figures are those of the map without it.
        let text = without_sentiment(&std::fs::read_to_string(&map).unwrap());
        let local_map = map.with_file_name(format!("jm-local-{}.journey.yaml", case.name));
        std::fs::write(&local_map, &text).unwrap();
        let _local_written = Beside(vec![local_map.clone()]);
        let local = figures(&render_json(&local_map, &copy));
        for (engine, _) in &jobs {
            let tag = format!("jm-readback-{}-{engine}", case.name);
            let folder = map.parent().unwrap();
            let mut written = Beside(Vec::new());
            let mut bindings = case.readback.to_owned();
            for id in case.surveys {
                let result = format!("{tag}-{id}.csv");
                std::fs::copy(
                    d.join(format!("{}-{id}.{engine}.csv", case.name)),
                    folder.join(&result),
                )
                .unwrap();
                written.0.push(folder.join(&result));
                bindings = bindings.replace(&format!("RESULT-{id}\n"), &format!("{result}\n"));
            }
            let back_map = folder.join(format!("{tag}.journey.yaml"));
            std::fs::write(&back_map, with_surveys(&text, &bindings)).unwrap();
            written.0.push(back_map.clone());
            let back = figures(&render_json(&back_map, &copy));
            let compared = same(&local, &back, &format!("{} on {engine}", case.name));
            assert!(
                compared > 20,
                "{}: only {compared} numbers compared",
                case.name
            );
            if case.name == "edge" {
                // The case is one that tests something: answers were skipped, and the
                // figures are split by wave and by segment.
                let stages = local["stages"].as_array().unwrap();
                let skipped: u64 = stages
                    .iter()
                    .flat_map(|s| s["metrics"].as_object().unwrap().values())
                    .map(|f| f["skipped"].as_u64().unwrap())
                    .sum();
                assert!(skipped > 50, "{skipped} answers skipped");
                assert!(stages[0]["segments"].as_array().unwrap().len() >= 2);
                assert!(stages[0]["waves"].as_array().unwrap().len() >= 2);
                edge_checked = true;
            }
        }
    }
    assert!(edge_checked);
}

const SMALL: &str = "journeymap: 1\ntitle: Shop\npersona: {name: P}\nstages:\n  - {id: search, name: Search, touchpoints: [{name: Site}]}\n  - {id: pay, name: Pay, touchpoints: [{name: Checkout}]}\nsurveys:\n  - id: pulse\n";

const SMALL_BINDING: &str = "    layout: long\n    stage_column: Stage\n    where: {Finished: [\"True\", \"it's\"]}\n    missing: [-1, DK]\n    wave: {column: EndDate, by: quarter}\n    segment_by: Channel\n    measures:\n      nps: NPS\n      csat: {column: CSAT, values: {\"Very satisfied\": 5, \"Satisfied\": 4}}\n      ces: Effort\n      comment: Comment\n";

const SMALL_CSV: &str = "ResponseId,EndDate,Channel,Stage,Finished,NPS,CSAT,Effort,Comment\nR1,2026-01-03,Online,search,True,9,Very satisfied,2,fine\nR2,2026-04-03,In store,pay,True,4,2,6,\"slow,\nvery\"\n";

/// The SQL of a survey, per dialect (a golden file: a change to it is reviewed like code).
#[test]
fn the_survey_sql_for_each_dialect() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(
        d.join("m.journey.yaml"),
        format!("{SMALL}    table: shop.pulse\n{SMALL_BINDING}"),
    )
    .unwrap();
    for dialect in ["duckdb", "bigquery", "snowflake", "spark"] {
        let o = run_in(d, &["sql", "--dialect", dialect, "m.journey.yaml"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        insta::assert_snapshot!(format!("survey-sql-{dialect}"), stdout(&o));
    }
}

#[test]
#[ignore = "needs the sqlglot Python package (.ci/run installs it)"]
fn survey_sql_parses_for_bigquery_and_snowflake() {
    let dir = tempdir();
    let d = dir.path();
    let maps: Vec<(String, String)> = [
        ("long", SMALL_BINDING.to_owned()),
        (
            "wide",
            "    layout: wide\n    overall: {nps: NPS}\n    stages:\n      search: {csat: {column: CSAT, scale: [1, 7]}, score: {column: Effort, scale: [0, 100]}}\n      pay: {ces: Effort}\n".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(name, binding)| {
        (
            name.to_owned(),
            format!("{SMALL}    table: shop.pulse\n{binding}"),
        )
    })
    .collect();
    // One query each: a survey's SQL sets nothing up.
    parses_with_sqlglot(d, &maps, |_| 1);
}

#[test]
fn survey_sql_says_what_it_cannot_write() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(d.join("pulse.csv"), SMALL_CSV).unwrap();
    let write = |name: &str, binding: &str| {
        std::fs::write(d.join(name), format!("{SMALL}{binding}")).unwrap();
    };
    // A problem in the map: a diagnostic (its code, then the message), exit 1, at `at`.
    let fails = |args: &[&str], want: &str, at: &str| {
        let o = run_in(d, args);
        assert_eq!(code(&o), 1, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("--> {at}")),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stdout(&o).is_empty());
    };
    write(
        "m.journey.yaml",
        &format!("    file: pulse.csv\n{SMALL_BINDING}"),
    );
    // The file reads on DuckDB and Spark; a warehouse needs the table.
    let o = run_in(d, &["sql", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o)
            .contains("from read_csv('pulse.csv', header = true, all_varchar = true, delim = ',')")
    );
    fails(
        &["sql", "--dialect", "snowflake", "m.journey.yaml"],
        "error[JM105]: survey `pulse` has no `table:`; load pulse.csv into a table",
        "m.journey.yaml:9:11",
    );
    // Naming a survey the map lacks is a usage error (exit 2).
    let o = run_in(d, &["sql", "--survey", "plse", "m.journey.yaml"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("the map has no survey `plse`; it has `pulse`"));
    // A column the file lacks: the nearest names, at the map line.
    write(
        "typo.journey.yaml",
        &format!(
            "    file: pulse.csv\n{}",
            SMALL_BINDING.replace("nps: NPS", "nps: NSP")
        ),
    );
    fails(
        &["sql", "typo.journey.yaml"],
        "survey `pulse` names column `NSP`, which pulse.csv lacks; nearest: ",
        "typo.journey.yaml:17:12",
    );
    // A table's columns have names, not positions.
    write(
        "pos.journey.yaml",
        &format!(
            "    table: t\n{}",
            SMALL_BINDING.replace("nps: NPS", "nps: \"#6\"")
        ),
    );
    fails(
        &["sql", "pos.journey.yaml"],
        "a table's columns are named, not numbered; name the column `#6` stands for",
        "pos.journey.yaml:",
    );
    // A file with several header rows is loaded into a table first.
    write(
        "q.journey.yaml",
        &format!("    file: q.csv\n    source: qualtrics\n{SMALL_BINDING}"),
    );
    std::fs::write(d.join("q.csv"), "Stage,Finished,NPS,CSAT,Effort,Comment,EndDate,Channel\nStage?,Done?,Recommend?,Satisfied?,Effort?,Why?,End,Channel\n{\"ImportId\":\"a\"},{\"ImportId\":\"b\"},{\"ImportId\":\"c\"},{\"ImportId\":\"d\"},{\"ImportId\":\"e\"},{\"ImportId\":\"f\"},{\"ImportId\":\"g\"},{\"ImportId\":\"h\"}\nsearch,True,9,4,2,ok,2026-01-02,Online\n").unwrap();
    fails(
        &["sql", "q.journey.yaml"],
        "q.csv has 3 header rows; load its answers (without the rows under the first) into a table",
        "q.journey.yaml:9:11",
    );
    // Aggregated rows are aggregated already.
    write(
        "agg.journey.yaml",
        "    file: pulse.csv\n    layout: aggregated\n",
    );
    fails(
        &["sql", "agg.journey.yaml"],
        "survey `pulse` is aggregated already (`layout: aggregated`)",
        "agg.journey.yaml:",
    );
    // A survey kept only in the warehouse is not read locally, and says so.
    write(
        "wh.journey.yaml",
        &format!("    table: shop.pulse\n{SMALL_BINDING}"),
    );
    let o = run_in(d, &["render", "-f", "json", "wh.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[JM150]"), "{}", stderr(&o));
    let o = run_in(d, &["sql", "--dialect", "bigquery", "wh.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("from `shop`.`pulse`"), "{}", stdout(&o));
}

/// The columns `journeymap sql` adds to the aggregated layout: the scale is checked like a
/// binding's, and skipped answers are shown on the figure.
#[test]
fn aggregated_rows_carry_their_scale_and_skipped_answers() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(
        d.join("m.journey.yaml"),
        format!("{SMALL}    file: agg.csv\n    layout: aggregated\n"),
    )
    .unwrap();
    // CSAT on 1..7: the top two boxes are 6 and 7; 12 answers were not usable.
    std::fs::write(
        d.join("agg.csv"),
        "stage,measure,n,promoters,passives,detractors,top_box,mean,stddev,skipped,scale_min,scale_max\nsearch,csat,40,,,,10,5.5,1.2,12,1.0,7.0\npay,ces,0,,,,,,,3,1,7\n",
    )
    .unwrap();
    let o = run_in(d, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let csat = &j["stages"][0]["metrics"]["csat"];
    assert_eq!(csat["scale"], serde_json::json!([1.0, 7.0]));
    assert_eq!(csat["n"], 40);
    assert_eq!(csat["value"], 25.0, "10 of 40 in the top two boxes");
    assert_eq!(csat["skipped"], 12);
    assert_eq!(
        csat["caveat"],
        "12 of 52 answers not used (12 not a number, label or value on the scale, counted by the warehouse)"
    );
    // A group whose answers were all skipped has no figure, and is no error.
    assert!(j["stages"][1]["metrics"].get("ces").is_none());
    // A scale that cannot be right is refused at its cell.
    std::fs::write(
        d.join("agg.csv"),
        "stage,measure,n,promoters,passives,detractors,top_box,mean,stddev,skipped,scale_min,scale_max\nsearch,csat,40,,,,10,5.5,1.2,0,7,1\nsearch,nps,10,5,3,2,,,,0,1,10\nsearch,ces,10,,,,,3,1,0,1,\n",
    )
    .unwrap();
    let o = crate::util::validate_short(d);
    let err = stdout(&o) + &stderr(&o);
    assert!(err.contains("agg.csv:2:11: error[JM107]: csat row: the scale 7..1 cannot be right: it is reversed or empty"), "{err}");
    assert!(err.contains("agg.csv:3:11: error[JM107]: nps row: the scale 1..10 cannot be right: NPS is answered on 0..10"), "{err}");
    assert!(
        err.contains(
            "agg.csv:4:12: error[JM107]: ces row: give both `scale_min` and `scale_max`, or neither"
        ),
        "{err}"
    );
}
