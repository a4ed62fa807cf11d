//! `journeymap sql`: the warehouse SQL gives the figures the local engine gives. The same
//! REES46-shaped log (`fixtures/events/rees46-sample.csv`, and a copy with every group of
//! tied rows reversed) is counted by `journeymap render`, by DuckDB and by Apache Spark in
//! local mode running the SQL `journeymap sql` writes (`fixtures/sql/run.py`), for each order
//! rule, per user and per session, with a `where:` filter, and so is a generated log whose
//! steps repeat event names at one instant (`events::tied_log`); the DuckDB result, bound under
//! `analytics:`, renders the same reach, and each engine's where actors went and drivers
//! (segments, `properties:`, events on the way); the BigQuery and Snowflake SQL parses with
//! sqlglot.

use std::path::Path;
use std::process::Command;

use crate::util::{code, root, run_in, stderr, stdout, tempdir};

const STAGES: &str = "journeymap: 1\ntitle: Shop\npersona: {name: P}\nstages:\n  - {id: browse, name: Browse, touchpoints: [{name: Site}]}\n  - {id: cart, name: Cart, touchpoints: [{name: Cart}]}\n  - {id: pay, name: Pay, touchpoints: [{name: Checkout}]}\n";

/// Name, and the binding after `file:`.
const CASES: &[(&str, &str)] = &[
    (
        "sequential",
        "    preset: rees46\n    properties: [brand]\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    ),
    (
        "sessions",
        "    preset: rees46\n    by: session\n    window: 1h\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    ),
    (
        "strict",
        "    preset: rees46\n    order: strict\n    window: 2d\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    ),
    (
        "any",
        "    preset: rees46\n    order: any\n    window: 1d\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    ),
    (
        "segmented",
        "    preset: rees46\n    window: 2d\n    segment_by: brand\n    properties: [\"price\", category_code]\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    ),
    (
        "listed",
        "    preset: rees46\n    order: any\n    segment_by: brand\n    segments: [xiaomi, \"(blank)\", apple]\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    ),
    (
        "filtered",
        "    actor: user_id\n    event: event_type\n    time: event_time\n    window: 3d\n    steps: {browse: view, cart: {event: cart, where: {brand: [Samsung, apple]}}, pay: purchase}\n",
    ),
];

/// The sample log with each run of rows at the same second reversed: still in time order.
fn reversed_ties(dir: &Path) {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/events/rees46-sample.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    let rows: Vec<&str> = lines.collect();
    let mut i = 0;
    while i < rows.len() {
        let t = &rows[i][..23];
        let mut j = i;
        while j < rows.len() && &rows[j][..23] == t {
            j += 1;
        }
        for r in rows[i..j].iter().rev() {
            out.push_str(r);
            out.push('\n');
        }
        i = j;
    }
    assert_ne!(out, text, "the sample has ties to reverse");
    std::fs::write(dir.join("reversed.csv"), out).unwrap();
}

fn render(dir: &Path, map: &str) -> serde_json::Value {
    let o = run_in(dir, &["render", "-f", "json", map]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// Seconds to six decimals (the engines interpolate percentiles in their own arithmetic),
/// or `null`.
fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "null".to_owned(), |x| format!("{x:.6}"))
}

/// The 25th and 90th percentiles of a reach (or a segment's), from the JSON.
fn spread(r: &serde_json::Value) -> String {
    let t = &r["time_to_convert"];
    format!("{} {}", secs(t["p25"].as_f64()), secs(t["p90"].as_f64()))
}

/// Per stage: count, median seconds from the previous stage, its 25th and 90th percentiles;
/// then the actors outside the path and the date range.
fn local_figures(j: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let r = &s["reach"];
            format!(
                "{} {} {} {}",
                s["id"].as_str().unwrap(),
                r["count"],
                r["median_seconds_from_previous"],
                spread(r)
            )
        })
        .collect();
    out.push(format!("outside {}", j["reach_outside_path"][0]["actors"]));
    let src = &j["stages"][0]["reach"]["source"];
    out.push(format!(
        "{} {} {}",
        src["unit"], src["date_from"], src["date_to"]
    ));
    // Then each segment's stages, segment by segment in the order shown.
    let stages = j["stages"].as_array().unwrap();
    for (i, seg) in stages[0]["reach"]["segments"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        for s in stages {
            let part = &s["reach"]["segments"][i];
            assert_eq!(part["segment"], seg["segment"]);
            out.push(format!(
                "{} {} {} {} {}",
                seg["segment"].as_str().unwrap(),
                s["id"].as_str().unwrap(),
                part["count"],
                part["median_seconds_from_previous"],
                spread(part)
            ));
        }
    }
    out
}

/// The same figures from a result CSV.
fn result_figures(csv_path: &Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(csv_path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let segment = |row: &csv::StringRecord| {
        h.iter()
            .position(|c| c == "segment")
            .map_or(String::new(), |i| row[i].to_owned())
    };
    // Rows on where actors went are compared once read back (`paths_figures`).
    let rows: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| r[col("detail")].is_empty())
        .collect();
    let (total, parts): (Vec<&csv::StringRecord>, Vec<&csv::StringRecord>) =
        rows.iter().partition(|r| segment(r).is_empty());
    let median = |row: &csv::StringRecord| match &row[col("median_seconds")] {
        "" => "null".to_owned(),
        m => serde_json::json!(m.parse::<f64>().unwrap()).to_string(),
    };
    let spread = |row: &csv::StringRecord| {
        let at = |name: &str| row[col(name)].parse::<f64>().ok();
        format!("{} {}", secs(at("p25_seconds")), secs(at("p90_seconds")))
    };
    let mut out: Vec<String> = total
        .iter()
        .map(|row| {
            format!(
                "{} {} {} {}",
                &row[col("step")],
                &row[col("count")],
                median(row),
                spread(row)
            )
        })
        .collect();
    let last = total.last().unwrap();
    out.push(format!("outside {}", &last[col("outside_path")]));
    out.push(format!(
        "\"{}\" \"{}\" \"{}\"",
        &last[col("unit")],
        &last[col("date_from")],
        &last[col("date_to")]
    ));
    for row in parts {
        out.push(format!(
            "{} {} {} {} {}",
            segment(row),
            &row[col("step")],
            &row[col("count")],
            median(row),
            spread(row)
        ));
    }
    out
}

/// Per stage after the first: the lost's next events, the detours, and each event driver's
/// kept, lost and odds ratio (to nine digits).
fn paths_figures(j: &serde_json::Value) -> Vec<String> {
    let list = |v: &serde_json::Value| -> String {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}={}", e["event"].as_str().unwrap(), e["count"]))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = Vec::new();
    for s in j["stages"].as_array().unwrap().iter().skip(1) {
        let r = &s["reach"];
        out.push(format!(
            "{} next {} detours {}",
            s["id"],
            list(&r["next_of_lost"]),
            list(&r["detours"])
        ));
        for d in r["drivers"].as_array().unwrap() {
            out.push(format!(
                "{} {} {} kept {} lost {} ×{:.9}",
                s["id"],
                d["property"],
                d["value"],
                d["kept"],
                d["lost"],
                d["odds_ratio"].as_f64().unwrap()
            ));
        }
    }
    out
}

/// The map in `file` with its event log's stages bound to `result`, a `steps` export.
fn read_back_map(dir: &Path, file: &str, result: &str) -> String {
    let map = std::fs::read_to_string(dir.join(file)).unwrap();
    let mut out = String::new();
    for line in map[..map.find("events:\n").unwrap()].lines() {
        match line
            .strip_prefix("  - {id: ")
            .and_then(|l| l.split_once(','))
        {
            Some((id, _)) => out.push_str(&format!(
                "{}, reach: {{source: wh, step: {id}}}}}\n",
                line.strip_suffix('}').unwrap()
            )),
            None => out.push_str(&format!("{line}\n")),
        }
    }
    out.push_str(&format!(
        "analytics:\n  - id: wh\n    file: {result}\n    format: steps\n"
    ));
    out
}

/// Run `run.py` in `dir` (the SQL names files relative to where `journeymap sql` ran).
pub fn run_py(dir: &Path, engine: &str, jobs: &[(std::path::PathBuf, std::path::PathBuf)]) {
    let mut c = Command::new("python3");
    c.current_dir(dir)
        .arg(root().join("tests/fixtures/sql/run.py"))
        .arg(engine);
    for (sql, out) in jobs {
        c.arg(sql).arg(out);
    }
    let o = c.output().expect("python3 runs");
    assert!(
        o.status.success(),
        "{engine}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
#[ignore = "needs the duckdb, pyspark and sqlglot Python packages and Java (.ci/run installs them)"]
fn warehouse_sql_counts_what_the_local_engine_counts_on_duckdb_and_spark() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::copy(
        root().join("tests/fixtures/events/rees46-sample.csv"),
        d.join("events.csv"),
    )
    .unwrap();
    reversed_ties(d);
    let mut duck = Vec::new();
    let mut spark = Vec::new();
    let mut expected = Vec::new();
    // Each map, and where actors went as `render` counts it.
    let mut went = Vec::new();
    for (name, binding) in CASES {
        for file in ["events.csv", "reversed.csv"] {
            let tag = format!("{name}-{}", &file[..file.len() - 4]);
            let map = format!("{tag}.journey.yaml");
            std::fs::write(
                d.join(&map),
                format!("{STAGES}events:\n  - id: log\n    file: {file}\n{binding}"),
            )
            .unwrap();
            let j = render(d, &map);
            went.push((map.clone(), paths_figures(&j)));
            let figures = local_figures(&j);
            if file == "reversed.csv" {
                assert_eq!(
                    figures,
                    expected
                        .last()
                        .map(|(_, f): &(String, Vec<String>)| f.clone())
                        .unwrap(),
                    "{tag}: the order of tied rows changed a count"
                );
            }
            for (dialect, jobs) in [("duckdb", &mut duck), ("spark", &mut spark)] {
                let o = run_in(d, &["sql", "--dialect", dialect, &map]);
                assert_eq!(code(&o), 0, "{}", stderr(&o));
                let sql = d.join(format!("{tag}.{dialect}.sql"));
                std::fs::write(&sql, stdout(&o)).unwrap();
                jobs.push((sql, d.join(format!("{tag}.{dialect}.csv"))));
            }
            expected.push((tag, figures));
        }
    }
    // The figures differ between cases, so agreeing is not agreeing on one answer.
    let distinct: std::collections::BTreeSet<_> = expected.iter().map(|e| &e.1).collect();
    assert!(distinct.len() >= CASES.len(), "{expected:?}");
    // One event name as several steps, in the same engine sessions.
    std::fs::write(d.join("log.csv"), crate::events::tied_log()).unwrap();
    let mut repeated = Vec::new();
    for (name, map) in repeated_maps(false) {
        let file = format!("{name}.journey.yaml");
        std::fs::write(d.join(&file), map).unwrap();
        let j = render(d, &file);
        went.push((file.clone(), paths_figures(&j)));
        repeated.push((name.clone(), local_figures(&j)));
        for (dialect, jobs) in [("duckdb", &mut duck), ("spark", &mut spark)] {
            let o = run_in(d, &["sql", "--dialect", dialect, &file]);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            let sql = d.join(format!("{name}.{dialect}.sql"));
            std::fs::write(&sql, stdout(&o)).unwrap();
            jobs.push((sql, d.join(format!("{name}.{dialect}.csv"))));
        }
    }
    run_py(d, "duckdb", &duck);
    run_py(d, "spark", &spark);
    for (k, (tag, figures)) in expected.iter().chain(&repeated).enumerate() {
        assert_eq!(&result_figures(&duck[k].1), figures, "{tag} on DuckDB");
        assert_eq!(&result_figures(&spark[k].1), figures, "{tag} on Spark");
    }
    // Read back, each engine's result gives where actors went as `render` counts it.
    let mut shown = 0;
    for (k, (map, figures)) in went.iter().enumerate() {
        for (engine, jobs) in [("duckdb", &duck), ("spark", &spark)] {
            let result = jobs[k].1.file_name().unwrap().to_str().unwrap();
            let back = format!("back-{engine}-{map}");
            std::fs::write(d.join(&back), read_back_map(d, map, result)).unwrap();
            assert_eq!(
                &paths_figures(&render(d, &back)),
                figures,
                "{map} on {engine}, read back"
            );
        }
        shown += figures.len();
    }
    assert!(shown > 3 * went.len(), "{went:?}");
    // Read back: the DuckDB result bound as a `steps` export renders the same reach.
    for (k, (tag, figures)) in expected.iter().enumerate() {
        let map = format!("{tag}-back.journey.yaml");
        let result = duck[k].1.file_name().unwrap().to_str().unwrap().to_owned();
        let stages = STAGES
            .replace(
                "touchpoints: [{name: Site}]}",
                "touchpoints: [{name: Site}], reach: {source: wh, step: browse}}",
            )
            .replace(
                "touchpoints: [{name: Cart}]}",
                "touchpoints: [{name: Cart}], reach: {source: wh, step: cart}}",
            )
            .replace(
                "touchpoints: [{name: Checkout}]}",
                "touchpoints: [{name: Checkout}], reach: {source: wh, step: pay}}",
            );
        std::fs::write(
            d.join(&map),
            format!("{stages}analytics:\n  - id: wh\n    file: {result}\n    format: steps\n"),
        )
        .unwrap();
        let j = render(d, &map);
        let back = local_figures(&j);
        // Same counts, medians and outside-path actors, per segment too; the source is the
        // export now.
        assert_eq!(back[..4], figures[..4], "{tag} read back");
        assert_eq!(back[5..], figures[5..], "{tag} segments read back");
        assert_eq!(
            back[4].split(' ').skip(1).collect::<Vec<_>>(),
            figures[4].split(' ').skip(1).collect::<Vec<_>>(),
            "{tag} dates read back"
        );
    }
}

#[test]
#[ignore = "needs the sqlglot Python package (.ci/run installs it)"]
fn bigquery_and_snowflake_sql_parses() {
    let dir = tempdir();
    let d = dir.path();
    let maps: Vec<(String, String)> = CASES
        .iter()
        .map(|(name, binding)| {
            (
                (*name).to_owned(),
                format!("{STAGES}events:\n  - id: log\n    table: shop.events\n{binding}"),
            )
        })
        .chain(repeated_maps(true))
        .collect();
    // Snowflake's SQL sets the session's time zone, then queries.
    parses_with_sqlglot(
        d,
        &maps,
        |dialect| {
            if dialect == "snowflake" { 2 } else { 1 }
        },
    );
}

/// Write each `(name, map)`, and check that the BigQuery and Snowflake SQL `journeymap sql`
/// writes for it parses with sqlglot into `statements(dialect)` statements.
pub fn parses_with_sqlglot(d: &Path, maps: &[(String, String)], statements: fn(&str) -> usize) {
    let mut jobs = Vec::new();
    for (name, text) in maps {
        let map = format!("{name}.journey.yaml");
        std::fs::write(d.join(&map), text).unwrap();
        for dialect in ["bigquery", "snowflake"] {
            let o = run_in(d, &["sql", "--dialect", dialect, &map]);
            assert_eq!(code(&o), 0, "{}", stderr(&o));
            let sql = d.join(format!("{name}.{dialect}.sql"));
            std::fs::write(&sql, stdout(&o)).unwrap();
            jobs.push((dialect, sql, d.join(format!("{name}.{dialect}.n"))));
        }
    }
    for dialect in ["bigquery", "snowflake"] {
        let mine: Vec<_> = jobs
            .iter()
            .filter(|j| j.0 == dialect)
            .map(|j| (j.1.clone(), j.2.clone()))
            .collect();
        run_py(d, &format!("parse-{dialect}"), &mine);
        for (sql, n) in &mine {
            let count = std::fs::read_to_string(n).unwrap();
            assert_eq!(
                count,
                format!("{}\n", statements(dialect)),
                "{dialect}: {}",
                sql.display()
            );
        }
    }
}

/// The SQL itself, per dialect (a golden file: a change to it is reviewed like code).
#[test]
fn the_sql_for_each_dialect() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(
        d.join("m.journey.yaml"),
        format!(
            "{STAGES}events:\n  - id: log\n    table: shop.events\n    file: events.csv\n    actor: user_id\n    event: event_type\n    time: event_time\n    window: 3d\n    steps: {{browse: view, cart: {{event: cart, where: {{brand: [Samsung, \"it's\"]}}}}, pay: purchase}}\n"
        ),
    )
    .unwrap();
    for dialect in ["duckdb", "bigquery", "snowflake", "spark"] {
        let o = run_in(d, &["sql", "--dialect", dialect, "m.journey.yaml"]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        insta::assert_snapshot!(format!("sql-{dialect}"), stdout(&o));
    }
}

#[test]
fn sql_says_what_it_cannot_write() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(
        d.join("m.journey.yaml"),
        format!("{STAGES}events:\n  - id: log\n    file: events.csv\n    preset: rees46\n    steps: {{browse: view, pay: purchase}}\n"),
    )
    .unwrap();
    // A warehouse cannot read a local file: name the table. A problem in the map is a
    // diagnostic at its line, with its code (exit 1), as `validate` would give it.
    let o = run_in(d, &["sql", "--dialect", "bigquery", "m.journey.yaml"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("error[JM145]: event log `log` has no `table:`")
            && stderr(&o).contains("--> m.journey.yaml:9:9"),
        "{}",
        stderr(&o)
    );
    let o = run_in(d, &["sql", "--log", "lgo", "m.journey.yaml"]);
    crate::util::exits_saying(
        &o,
        2,
        crate::util::stderr,
        "no event log `lgo`; it has `log`",
    );
    // A stage id the map lacks is an error at its place, not a step left out.
    std::fs::write(
        d.join("typo.journey.yaml"),
        format!("{STAGES}events:\n  - id: log\n    table: t\n    preset: rees46\n    steps: {{browse: view, payy: purchase}}\n"),
    )
    .unwrap();
    let o = run_in(d, &["sql", "typo.journey.yaml"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(
            "event log `log` binds stage `payy`, which the map lacks; did you mean `pay`?"
        ),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
    let o = run_in(d, &["render", "-f", "json", "typo.journey.yaml"]);
    assert_eq!(code(&o), 1, "render refuses it too");
    // DuckDB and Spark read the file where it is, once it is there.
    let o = run_in(d, &["sql", "--dialect", "spark", "m.journey.yaml"]);
    crate::util::exits_saying(
        &o,
        1,
        crate::util::stderr,
        "error[JM000]: event log `log`: cannot read events.csv: no such file",
    );
    std::fs::write(d.join("events.csv"), "user_id,event_type,event_time\n").unwrap();
    let o = run_in(d, &["sql", "--dialect", "spark", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("create or replace temporary view `journeymap_log` using csv options (path 'events.csv', header 'true', escape '\"', multiLine 'true');"));
    // Ten stages of one event: which rows of an instant can take which stages would need a
    // check per set of stages (1013 of them); the SQL says so rather than write them.
    let steps: Vec<String> = (0..10).map(|k| format!("s{k}: view")).collect();
    let map =
        crate::events::repeated_map(&["view"; 10], "1h", "").replace("file: log.csv", "table: t");
    assert!(map.contains(&steps.join("\n      ")));
    std::fs::write(d.join("ten.journey.yaml"), map).unwrap();
    let o = run_in(d, &["sql", "ten.journey.yaml"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the stages share event names in more than 256 combinations, too many for the SQL to decide which rows at one instant can take which stages; count this log with `journeymap render`"),
        "{}",
        stderr(&o)
    );
    // Five are fine: 26 sets.
    let map =
        crate::events::repeated_map(&["view"; 5], "1h", "").replace("file: log.csv", "table: t");
    std::fs::write(d.join("five.journey.yaml"), map).unwrap();
    let o = run_in(d, &["sql", "five.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("as h25\n") && !stdout(&o).contains("as h26"));
}

/// Maps with one event name as several steps, over `events::tied_log` (many rows at one
/// instant): the SQL decides which rows of an instant can take which stages by Hall's
/// condition, the local engine by a matching. Also with a `where:` that makes one row two
/// steps (an `a` on page `p2` is both `s0` and `s1`), and with segments.
fn repeated_maps(table: bool) -> Vec<(String, String)> {
    use crate::events::{REPEATED, repeated_map};
    let mut maps: Vec<(String, String)> = REPEATED
        .iter()
        .enumerate()
        .map(|(i, steps)| (format!("repeated{i}"), repeated_map(steps, "60s", "")))
        .collect();
    maps.push((
        "repeated-filtered".to_owned(),
        repeated_map(&["a", "a", "b"], "20s", "")
            .replace("      s1: a\n", "      s1: {event: a, where: {page: p2}}\n"),
    ));
    maps.push((
        "repeated-segmented".to_owned(),
        repeated_map(&["a", "b", "a"], "60s", "    segment_by: page\n"),
    ));
    if table {
        for (_, map) in &mut maps {
            *map = map.replace("file: log.csv", "table: shop.events");
        }
    }
    maps
}
