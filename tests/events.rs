//! Reach from a raw event log, checked against an independent computation
//! (`fixtures/events/reference.py`: brute force over every entry of every actor, in Python)
//! on a REES46-shaped log (`fixtures/events/make_log.py`), in CSV and as JSON lines.

use std::process::Command;

use crate::util::{code, root, run_in, stdout, tempdir};

const STAGES: &str = "journeymap: 1\ntitle: Shop\npersona: {name: P}\nstages:\n  - {id: browse, name: Browse, touchpoints: [{name: Site}]}\n  - {id: cart, name: Cart, touchpoints: [{name: Cart}]}\n  - {id: pay, name: Pay, touchpoints: [{name: Checkout}]}\n";

fn reference(window_seconds: u64) -> serde_json::Value {
    reference_with(window_seconds, &[])
}

fn reference_with(window_seconds: u64, options: &[&str]) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(root().join("tests/fixtures/events/reference.py"))
        .args(options)
        .arg(root().join("tests/fixtures/events/rees46-sample.csv"))
        .args([
            "user_id",
            "event_type",
            "event_time",
            &window_seconds.to_string(),
            "view",
            "cart",
            "purchase",
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn render(dir: &std::path::Path, log: &str) -> serde_json::Value {
    std::fs::write(dir.join("m.journey.yaml"), format!("{STAGES}{log}")).unwrap();
    render_file(dir, "m.journey.yaml")
}

/// The JSON of the map `file` in `dir`, which must render.
fn render_file(dir: &std::path::Path, file: &str) -> serde_json::Value {
    let o = run_in(dir, &["render", "-f", "json", file]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// A figure against the reference's: both absent, or within 1e-6 s.
fn close(got: &serde_json::Value, expected: &serde_json::Value) {
    if expected.is_null() {
        assert!(got.is_null(), "{got} vs null");
    } else {
        assert!(
            (got.as_f64().unwrap() - expected.as_f64().unwrap()).abs() < 1e-6,
            "{got} vs {expected}"
        );
    }
}

fn check(j: &serde_json::Value, want: &serde_json::Value) {
    let stages = j["stages"].as_array().unwrap();
    for (k, s) in stages.iter().enumerate() {
        assert_eq!(s["reach"]["count"], want["reached"][k], "{}", s["id"]);
        close(
            &s["reach"]["median_seconds_from_previous"],
            &want["median"][k],
        );
        // Time to convert: quartile, median and 90th percentile, and the histogram.
        let t = &s["reach"]["time_to_convert"];
        for (p, w) in [("p25", "p25"), ("p50", "median"), ("p90", "p90")] {
            close(&t[p], &want[w][k]);
        }
        let bins: Vec<&serde_json::Value> = t["histogram"]
            .as_array()
            .map(|h| h.iter().map(|b| &b["count"]).collect())
            .unwrap_or_default();
        let expected: Vec<&serde_json::Value> =
            want["histogram"][k].as_array().unwrap().iter().collect();
        assert_eq!(bins, expected, "{}", s["id"]);
    }
    assert_eq!(j["reach_outside_path"][0]["actors"], want["outside"]);
    assert_eq!(j["reach_outside_path"][0]["stage"], "pay");
    paths_agree(j, want, "rees46");
}

/// Where the lost went next and the detours, per stage, as the brute force counts them (every
/// name: the lists are short enough to be shown whole), the lost's next events adding up to
/// the lost; and each event driver's kept and lost, the brute force's detours and events done
/// by the lost within the window.
fn paths_agree(j: &serde_json::Value, want: &serde_json::Value, label: &str) {
    let as_map = |list: &serde_json::Value| -> serde_json::Map<String, serde_json::Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| (e["event"].as_str().unwrap().to_owned(), e["count"].clone()))
            .collect()
    };
    let stages = j["stages"].as_array().unwrap();
    for (k, s) in stages.iter().enumerate().skip(1) {
        let r = &s["reach"];
        let next = as_map(&r["next_of_lost"]);
        assert_eq!(
            &serde_json::Value::Object(next.clone()),
            &want["next"][k],
            "{label}: next at {k}"
        );
        let lost = stages[k - 1]["reach"]["count"].as_u64().unwrap() - r["count"].as_u64().unwrap();
        assert_eq!(
            next.values().map(|c| c.as_u64().unwrap()).sum::<u64>(),
            lost,
            "{label}: {k}"
        );
        let detours = serde_json::Value::Object(as_map(&r["detours"]));
        assert_eq!(&detours, &want["detours"][k], "{label}: detours at {k}");
        for d in r["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["property"] == "event")
        {
            let e = d["value"].as_str().unwrap();
            let count = |of: &str| want[of][k][e].as_u64().unwrap_or(0);
            assert_eq!(
                d["kept"].as_u64(),
                Some(count("detours")),
                "{label}: {e} at {k}"
            );
            assert_eq!(
                d["lost"].as_u64(),
                Some(count("lost_did")),
                "{label}: {e} at {k}"
            );
        }
    }
}

#[test]
fn the_log_funnel_matches_an_independent_brute_force_for_two_windows() {
    let dir = tempdir();
    std::fs::copy(
        root().join("tests/fixtures/events/rees46-sample.csv"),
        dir.path().join("log.csv"),
    )
    .unwrap();
    for (window, seconds) in [("7d", 7 * 86_400), ("1h", 3_600)] {
        let j = render(
            dir.path(),
            &format!(
                "events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    window: {window}\n    steps: {{browse: view, cart: cart, pay: purchase}}\n"
            ),
        );
        let want = reference(seconds);
        check(&j, &want);
        let kept = j["stages"][1]["reach"]["kept"].as_f64().unwrap();
        let (a, b) = (
            want["reached"][0].as_f64().unwrap(),
            want["reached"][1].as_f64().unwrap(),
        );
        assert!((kept - b / a).abs() < 1e-12);
        assert_eq!(j["stages"][0]["reach"]["source"]["window"], window);
    }
}

#[test]
fn segments_of_a_log_match_the_brute_force() {
    let dir = tempdir();
    std::fs::copy(
        root().join("tests/fixtures/events/rees46-sample.csv"),
        dir.path().join("log.csv"),
    )
    .unwrap();
    let want = reference_with(7 * 86_400, &["--segment=brand"]);
    let j = render(
        dir.path(),
        "events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    segment_by: brand\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    );
    check(&j, &want);
    let segments = want["segments"].as_object().unwrap();
    assert!(segments.len() >= 4, "{segments:?}");
    for (k, stage) in j["stages"].as_array().unwrap().iter().enumerate() {
        let got = stage["reach"]["segments"].as_array().unwrap();
        let labels: Vec<&str> = got.iter().map(|g| g["segment"].as_str().unwrap()).collect();
        assert_eq!(
            labels,
            segments.keys().map(String::as_str).collect::<Vec<_>>()
        );
        for g in got {
            let w = &segments[g["segment"].as_str().unwrap()];
            assert_eq!(
                g["count"], w["reached"][k],
                "{} {}",
                stage["id"], g["segment"]
            );
            let (m, wm) = (&g["median_seconds_from_previous"], &w["median"][k]);
            assert!(
                m == wm || (m.as_f64().unwrap() - wm.as_f64().unwrap()).abs() < 1e-6,
                "{m} vs {wm}"
            );
            for p in ["p25", "p90"] {
                close(&g["time_to_convert"][p], &w[p][k]);
            }
            if k > 0 {
                let kept = g["kept"].as_f64().unwrap();
                let (a, b) = (
                    w["reached"][k - 1].as_f64().unwrap(),
                    w["reached"][k].as_f64().unwrap(),
                );
                assert!((kept - b / a).abs() < 1e-12);
            }
        }
        // Each actor is in one segment: the parts add up to the whole.
        let sum: u64 = got.iter().map(|g| g["count"].as_u64().unwrap()).sum();
        assert_eq!(sum, stage["reach"]["count"].as_u64().unwrap());
    }
    // Listed segments: in that order, and only those.
    let j = render(
        dir.path(),
        "events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    segment_by: brand\n    segments: [xiaomi, apple]\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    );
    let got = j["stages"][2]["reach"]["segments"].as_array().unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["segment"], "xiaomi");
    assert_eq!(got[0]["count"], segments["xiaomi"]["reached"][2]);
    assert_eq!(got[1]["segment"], "apple");
    // A listed segment no actor entered with, and a column of ids, are errors.
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        format!("{STAGES}events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    segment_by: brand\n    segments: [xiaomi, Samsnug]\n    steps: {{browse: view, cart: cart, pay: purchase}}\n"),
    )
    .unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 1);
    let err = crate::util::stderr(&o);
    assert!(err.contains("m.journey.yaml:13:24"), "{err}");
    assert!(
        err.contains(
            "segment `Samsnug`: no user entered the first stage with it in column `brand`"
        ),
        "{err}"
    );
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        format!("{STAGES}events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    segment_by: product_id\n    steps: {{browse: view, cart: cart, pay: purchase}}\n"),
    )
    .unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 1);
    let err = crate::util::stderr(&o);
    assert!(err.contains("segment column `product_id` has more than 50 different values; list the segments to show with `segments:`"), "{err}");
}

#[test]
fn json_lines_give_the_same_funnel_as_the_csv() {
    let dir = tempdir();
    let csv =
        std::fs::read_to_string(root().join("tests/fixtures/events/rees46-sample.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut out = String::new();
    for l in lines {
        let cells: Vec<&str> = l.split(',').collect();
        let mut obj = serde_json::Map::new();
        for (h, c) in header.iter().zip(&cells) {
            obj.insert((*h).to_owned(), serde_json::Value::String((*c).to_owned()));
        }
        // Nested, as exports nest properties.
        let user = obj.remove("user_id").unwrap();
        obj.insert("properties".to_owned(), serde_json::json!({"user": user}));
        out.push_str(&serde_json::Value::Object(obj).to_string());
        out.push('\n');
    }
    std::fs::write(dir.path().join("log.ndjson"), out).unwrap();
    let j = render(
        dir.path(),
        "events:\n  - id: log\n    file: log.ndjson\n    actor: properties.user\n    event: event_type\n    time: event_time\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    );
    check(&j, &reference(7 * 86_400));
}

#[test]
fn a_log_funnel_says_what_it_could_not_count() {
    let dir = tempdir();
    // Sessions: u1 views in one session and buys in another (not a conversion by session).
    std::fs::write(
        dir.path().join("log.csv"),
        "ts,who,what,sid\n1700000000,u1,view,a\n1700000060,u1,cart,a\n1700000100,u1,purchase,b\n1700000200,u2,view,c\n1700000200,u2,view,c\n",
    )
    .unwrap();
    let by = |b: &str| {
        render(
            dir.path(),
            &format!(
                "events:\n  - id: log\n    file: log.csv\n    actor: who\n    event: what\n    time: ts\n    session: sid\n    by: {b}\n    steps: {{browse: view, cart: cart, pay: purchase}}\n"
            ),
        )
    };
    let users = by("user");
    let counts = |j: &serde_json::Value| -> Vec<u64> {
        j["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["reach"]["count"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(counts(&users), [2, 1, 1]);
    assert_eq!(
        users["stages"][2]["reach"]["median_seconds_from_previous"],
        40.0
    );
    let sessions = by("session");
    assert_eq!(counts(&sessions), [2, 1, 0]);
    assert_eq!(sessions["reach_outside_path"][0]["actors"], 1);
    assert_eq!(sessions["stages"][0]["reach"]["source"]["unit"], "sessions");
    // A window of zero is refused at the map line.
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        format!("{STAGES}events:\n  - id: log\n    file: log.csv\n    actor: who\n    event: what\n    time: ts\n    window: 0d\n    steps: {{browse: view, cart: cart}}\n"),
    )
    .unwrap();
    let o = crate::util::validate_short(dir.path());
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("m.journey.yaml:14:13: error[JM145]: a window of zero lets no one go from one stage to the next"), "{}", stdout(&o));
}

/// Four actors, a 60 s window, worked by hand:
/// u1 view 100, scroll 110, cart 120, purchase 130; u2 view 100, cart 105, purchase 106;
/// u3 cart 200, view 210, purchase 220; u4 purchase 300, cart 301, view 5000.
/// - sequential: u1 and u2 go all the way; u3 and u4 only view (their cart comes before
///   the view). Reached 4, 2, 2; cart gaps 20 and 5 (median 12.5), purchase 10 and 1
///   (5.5); u3 and u4 bought outside the ordered path.
/// - strict: u1's scroll breaks view → cart; only u2 goes all the way: 4, 1, 1; gaps 5
///   and 1; u1, u3 and u4 bought outside the path.
/// - any: u3 does all three within 20 s in another order (first arrivals 210, 210, 220);
///   u4's view comes 4,700 s after its cart: 4, 3, 3; cart gaps 20, 5, 0 (median 5),
///   purchase 10, 1, 10 (median 10); only u4 is outside.
#[test]
fn strict_and_any_order_count_as_worked_by_hand() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("log.csv"),
        "ts,who,what\n100,u1,view\n110,u1,scroll\n120,u1,cart\n130,u1,purchase\n100,u2,view\n105,u2,cart\n106,u2,purchase\n200,u3,cart\n210,u3,view\n220,u3,purchase\n300,u4,purchase\n301,u4,cart\n5000,u4,view\n",
    )
    .unwrap();
    for (order, reached, medians, outside) in [
        ("sequential", [2, 2], [12.5, 5.5], 2),
        ("strict", [1, 1], [5.0, 1.0], 3),
        ("any", [3, 3], [5.0, 10.0], 1),
    ] {
        let j = render(
            dir.path(),
            &format!(
                "events:\n  - id: log\n    file: log.csv\n    actor: who\n    event: what\n    time: ts\n    time_unit: s\n    window: 60s\n    order: {order}\n    steps: {{browse: view, cart: cart, pay: purchase}}\n"
            ),
        );
        let s = j["stages"].as_array().unwrap();
        assert_eq!(s[0]["reach"]["count"], 4, "{order}");
        for k in 0..2 {
            assert_eq!(
                s[k + 1]["reach"]["count"],
                reached[k],
                "{order} step {}",
                k + 2
            );
            assert_eq!(
                s[k + 1]["reach"]["median_seconds_from_previous"],
                medians[k],
                "{order}"
            );
        }
        assert_eq!(j["reach_outside_path"][0]["actors"], outside, "{order}");
        assert_eq!(s[1]["reach"]["source"]["order"], order_words(order));
    }
}

/// Rows at the same instant are taken in step order whatever the file's order, and an exact
/// duplicate row counts once. Worked by hand, window 60 s, sequential:
/// - u1's cart is written before its view, both at 100: view → cart; purchase at 130.
/// - u2 views at 100, the same row twice: with a page bound to two stages (browse and cart
///   are both `view` here in the second map), the duplicate is not a second view; u2's
///   second, different view at 150 is.
#[test]
fn tied_rows_go_in_step_order_and_duplicates_count_once() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("log.csv"),
        "ts,who,what,page\n100,u1,cart,c\n100,u1,view,p\n130,u1,purchase,x\n100,u2,view,p\n100,u2,view,p\n150,u2,view,q\n",
    )
    .unwrap();
    let base = "events:\n  - id: log\n    file: log.csv\n    actor: who\n    event: what\n    time: ts\n    time_unit: s\n    window: 60s\n";
    let j = render(
        dir.path(),
        &format!("{base}    steps: {{browse: view, cart: cart, pay: purchase}}\n"),
    );
    let counts: Vec<_> = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reach"]["count"].clone())
        .collect();
    assert_eq!(counts, [2, 1, 1]);
    // The same file, with `view` meaning both browse and cart: u1 and u2 reach browse; u2's
    // two different views reach cart (the duplicate at 100 alone would not); u1's single view
    // does not.
    let j = render(
        dir.path(),
        &format!("{base}    steps: {{browse: view, cart: view, pay: purchase}}\n"),
    );
    let s = j["stages"].as_array().unwrap();
    assert_eq!(s[0]["reach"]["count"], 2);
    assert_eq!(s[1]["reach"]["count"], 1);
    assert_eq!(s[1]["reach"]["median_seconds_from_previous"], 50.0);
    assert_eq!(s[2]["reach"]["count"], 0);
}

fn order_words(order: &str) -> &'static str {
    match order {
        "strict" => "in order, nothing between",
        "any" => "in any order",
        _ => "in order, other events allowed between",
    }
}

/// A log of many short journeys whose events repeat (`a`, `b`, `c`, and `x` in no step), with
/// many rows at one instant (whole seconds; about half a row's gaps are 0) and some rows
/// written twice: a fixed pseudo-random sequence, so every run reads the same file. In time
/// order for each actor.
pub fn tied_log() -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |k: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % k
    };
    let mut out = String::from("ts,who,what,page\n");
    for actor in 0..400 {
        let mut t = 1_000 + next(50);
        for _ in 0..1 + next(8) {
            t += [0, 0, 0, 1, 2, 5, 30][next(7) as usize];
            let what = ["a", "b", "c", "x"][next(4) as usize];
            let page = ["p1", "p2"][next(2) as usize];
            let row = format!("{t},u{actor},{what},{page}\n");
            out.push_str(&row);
            if next(10) == 0 {
                out.push_str(&row);
            }
        }
    }
    out
}

/// Step lists in which one event is several steps, the case where the order of rows at one
/// instant matters.
pub const REPEATED: &[&[&str]] = &[
    &["a", "b", "a"],
    &["a", "a", "b"],
    &["a", "b", "a", "b"],
    &["b", "a", "b", "c", "a"],
    &["a", "a", "a"],
    &["a", "b", "c"],
];

/// A map with one stage per step of `steps`, measured from `log.csv` (`tied_log`'s columns).
pub fn repeated_map(steps: &[&str], window: &str, extra: &str) -> String {
    let mut map = String::from("journeymap: 1\ntitle: Ties\npersona: {name: P}\nstages:\n");
    for k in 0..steps.len() {
        map.push_str(&format!(
            "  - {{id: s{k}, name: S{k}, touchpoints: [{{name: T}}]}}\n"
        ));
    }
    map.push_str(&format!(
        "events:\n  - id: log\n    file: log.csv\n    actor: who\n    event: what\n    time: ts\n    time_unit: s\n    window: {window}\n{extra}    steps:\n"
    ));
    for (k, e) in steps.iter().enumerate() {
        map.push_str(&format!("      s{k}: {e}\n"));
    }
    map
}

/// One event name as several steps, with rows at one instant: the counts, medians and
/// outside-path actors are the brute force's (which tries each entry and takes, for each step,
/// the earliest row not yet in the chain), for two windows. Worked by hand first: steps
/// `c, d, c` on rows `c@4, d@10, c@10` reach all three stages, whatever the file's order of
/// the two rows at 10; `d@10, c@10` alone reach two (the one `c` row is one step).
#[test]
fn repeated_step_events_at_one_instant_count_as_the_brute_force_does() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::write(
        d.join("log.csv"),
        "ts,who,what,page\n4,u1,c,p\n10,u1,d,p\n10,u1,c,p\n4,u2,c,p\n10,u2,c,p\n10,u2,d,p\n10,u3,d,p\n10,u3,c,p\n",
    )
    .unwrap();
    std::fs::write(
        d.join("m.journey.yaml"),
        repeated_map(&["c", "d", "c"], "60s", ""),
    )
    .unwrap();
    let o = run_in(d, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let counts: Vec<_> = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reach"]["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [3, 3, 2]);

    std::fs::write(d.join("log.csv"), tied_log()).unwrap();
    let mut compared = 0;
    for steps in REPEATED {
        for (window, seconds) in [("3s", 3), ("60s", 60)] {
            std::fs::write(d.join("m.journey.yaml"), repeated_map(steps, window, "")).unwrap();
            let o = run_in(d, &["render", "-f", "json", "m.journey.yaml"]);
            assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
            let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
            let out = Command::new("python3")
                .arg(root().join("tests/fixtures/events/reference.py"))
                .arg(d.join("log.csv"))
                .args(["who", "what", "ts", &seconds.to_string()])
                .args(steps.iter())
                .output()
                .expect("python3 runs");
            assert!(out.status.success());
            let want: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let stages = j["stages"].as_array().unwrap();
            for (k, s) in stages.iter().enumerate() {
                assert_eq!(
                    s["reach"]["count"], want["reached"][k],
                    "{steps:?} {window} stage {k}"
                );
                let (got, expected) = (
                    &s["reach"]["median_seconds_from_previous"],
                    &want["median"][k],
                );
                assert!(
                    got == expected
                        || (got.as_f64().unwrap() - expected.as_f64().unwrap()).abs() < 1e-6,
                    "{steps:?} {window} stage {k}: {got} vs {expected}"
                );
            }
            assert_eq!(
                j["reach_outside_path"][0]["actors"], want["outside"],
                "{steps:?} {window}"
            );
            paths_agree(&j, &want, &format!("{steps:?} {window}"));
            // Cases where the last stage is reached by some and missed by some.
            let last = want["reached"][steps.len() - 1].as_u64().unwrap();
            if last > 0 && last < 400 {
                compared += 1;
            }
        }
    }
    assert!(compared >= 10, "{compared}");
}

/// `order: strict` is PostHog's strict order, not ClickHouse's `strict_order`, whose
/// documentation reads: "Don't allow interventions of other events. E.g. in the case of
/// A->B->D->C, it stops finding A->B->C at the D and the max event level is 2." The level
/// ClickHouse gives each journey below follows that rule as its documentation states it (and
/// as its source applies it: an event that matches no step stops the search once the chain has
/// begun, and so does a step whose previous step was never reached; an event of a step already
/// reached is no intervention). journeymap's strict order breaks a chain on any other row
/// between two steps and starts again at the next entry. Steps A, B, C, window 60 s, one
/// actor per journey; the guide's table says the same.
#[test]
fn strict_order_against_clickhouses_documented_strict_order() {
    let dir = tempdir();
    // journey, ClickHouse's level, journeymap's.
    let cases: [(&str, usize, usize); 5] = [
        // The documentation's own example: both stop at D.
        ("A B D C", 2, 2),
        // D before the chain begins: no intervention for either.
        ("D A B C", 3, 3),
        // B again: a step event, so no intervention for ClickHouse; for journeymap the
        // second B is a row between B and C.
        ("A B B C", 3, 2),
        // ClickHouse stops at the first intervention for good; journeymap starts again at
        // the second A.
        ("A D A B C", 1, 3),
        // C before B: ClickHouse stops there (C's previous step was not reached); journeymap's
        // chain A, B, C comes later, uninterrupted.
        ("A C A B C", 1, 3),
    ];
    let mut log = String::from("ts,who,what\n");
    for (i, (journey, _, _)) in cases.iter().enumerate() {
        for (k, e) in journey.split(' ').enumerate() {
            log.push_str(&format!("{},u{i},{e}\n", 100 + k));
        }
    }
    std::fs::write(dir.path().join("log.csv"), log).unwrap();
    for (i, (journey, clickhouse, ours)) in cases.iter().enumerate() {
        // Only this actor's rows are steps (a `where:` on the actor column), so the counts are
        // its level.
        let j = render(
            dir.path(),
            &format!(
                "events:\n  - id: log\n    file: log.csv\n    actor: who\n    event: what\n    time: ts\n    time_unit: s\n    window: 60s\n    order: strict\n    steps: {{browse: {{event: A, where: {{who: u{i}}}}}, cart: {{event: B, where: {{who: u{i}}}}}, pay: {{event: C, where: {{who: u{i}}}}}}}\n"
            ),
        );
        let level = j["stages"]
            .as_array()
            .unwrap()
            .iter()
            .take_while(|s| s["reach"]["count"] == 1)
            .count();
        assert_eq!(
            level, *ours,
            "{journey}: ClickHouse's strict_order gives {clickhouse}"
        );
    }
}

/// What goes with dropping off, on the shop-checkout example: of the users who paid, by
/// platform (first touch), `web` 853 → 711 opened the app (142 lost) against the others'
/// 1,815 → 1,442 (373 lost). statsmodels and scipy on that table:
///
/// ```python
/// from statsmodels.stats.contingency_tables import Table2x2
/// from scipy.stats import fisher_exact
/// t = Table2x2([[142, 711], [373, 1442]])
/// t.oddsratio, t.oddsratio_confint()   # 0.7721028796808482, (0.623907610581555, 0.9554986134177523)
/// fisher_exact([[142, 711], [373, 1442]]).pvalue   # 0.01791628548384058
/// ```
#[test]
fn drivers_of_dropping_off_match_statsmodels_and_scipy() {
    let o = crate::util::run(&[
        "render",
        "-f",
        "json",
        "-o",
        "-",
        "examples/shop-checkout/shop-checkout.journey.yaml",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let stage = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "open-app")
        .unwrap();
    let all = stage["reach"]["drivers"].as_array().unwrap();
    let drivers: Vec<&serde_json::Value> =
        all.iter().filter(|d| d["property"] == "platform").collect();
    // Sorted by how far the interval lies from 1: only web's leaves 1 out.
    let values: Vec<&str> = drivers
        .iter()
        .map(|d| d["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["web", "android", "ios"]);
    let web = &drivers[0];
    assert_eq!(
        (web["kept"].as_u64(), web["lost"].as_u64()),
        (Some(711), Some(142))
    );
    for (key, want) in [
        ("odds_ratio", 0.772_102_879_680_848_2),
        ("low", 0.623_907_610_581_555),
        ("high", 0.955_498_613_417_752_3),
        ("p", 0.017_916_285_483_840_58),
    ] {
        let got = web[key].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9, "{key}: {got} vs {want}");
    }
    assert_eq!(web["significant"], true);
    assert_eq!(drivers[1]["significant"], false);
    // Events done on the way: of 2,153 who opened the app and 515 lost, 241 and 224 tracked
    // their order first. statsmodels Table2x2([[224, 241], [291, 1912]]): odds ratio
    // 6.106971239537437, interval (4.902084331450448, 7.608008185673612); scipy's
    // fisher_exact p 4.1815366369718236e-57. support_chat: 38 lost, 0 kept, so 0.5 in every
    // cell: Table2x2([[38.5, 0.5], [477.5, 2153.5]]) 347.26596858638743, (21.29732755761775,
    // 5662.384287981106).
    let event = |e: &str| {
        all.iter()
            .find(|d| d["property"] == "event" && d["value"] == e)
            .unwrap()
    };
    let tracked = event("order_tracked");
    assert_eq!(
        (tracked["kept"].as_u64(), tracked["lost"].as_u64()),
        (Some(241), Some(224))
    );
    for (d, key, want) in [
        (tracked, "odds_ratio", 6.106_971_239_537_437),
        (tracked, "low", 4.902_084_331_450_448),
        (tracked, "high", 7.608_008_185_673_612),
        (event("support_chat"), "odds_ratio", 347.265_968_586_387_43),
        (event("support_chat"), "low", 21.297_327_557_617_75),
        (event("support_chat"), "high", 5_662.384_287_981_106),
    ] {
        let got = d[key].as_f64().unwrap();
        assert!((got / want - 1.0).abs() < 1e-9, "{key}: {got} vs {want}");
    }
    assert!((tracked["p"].as_f64().unwrap() / 4.181_536_636_971_823_6e-57 - 1.0).abs() < 1e-6);
    assert_eq!(event("support_chat")["method"], "woolf+0.5");
    // Where the 515 lost went next: nothing within the window, the tracking page, a failed
    // delivery; adding up to the lost.
    let next: Vec<(&str, u64)> = stage["reach"]["next_of_lost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        next,
        [
            ("(none)", 258),
            ("order_tracked", 224),
            ("delivery_failed", 33)
        ]
    );
    // The first stage of a log has no stage before it: no drivers.
    let pay = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "pay")
        .unwrap();
    assert_eq!(pay["reach"]["drivers"], serde_json::json!([]));
}

/// `properties:` beside `segment_by:`: each property's values, first touch, judged like a
/// segment's: the kept and lost of every judged value are the brute force's counts per value,
/// and `brand` as a property gives the drivers `brand` as the segment column gives. A column
/// of more than 50 values tells the first 50 apart and counts the rest together, never judged.
#[test]
fn properties_are_judged_from_first_touch_counts_like_segments() {
    let dir = tempdir();
    std::fs::copy(
        root().join("tests/fixtures/events/rees46-sample.csv"),
        dir.path().join("log.csv"),
    )
    .unwrap();
    let want = reference_with(7 * 86_400, &["--property=brand", "--property=user_session"]);
    let j = render(
        dir.path(),
        "events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    properties: [brand, user_session]\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    );
    check(&j, &want);
    let by_segment = render(
        dir.path(),
        "events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    segment_by: brand\n    steps: {browse: view, cart: cart, pay: purchase}\n",
    );
    let stages = j["stages"].as_array().unwrap();
    let mut judged = 0;
    for (k, s) in stages.iter().enumerate().skip(1) {
        let drivers: Vec<&serde_json::Value> = s["reach"]["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["property"] == "brand")
            .collect();
        for d in &drivers {
            let counts = &want["properties"]["brand"][d["value"].as_str().unwrap()];
            let (before, here) = (counts[k - 1].as_u64().unwrap(), counts[k].as_u64().unwrap());
            assert_eq!(d["kept"].as_u64(), Some(here), "{d}");
            assert_eq!(d["lost"].as_u64(), Some(before - here), "{d}");
            judged += 1;
        }
        let segments: Vec<&serde_json::Value> = by_segment["stages"][k]["reach"]["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["property"] == "brand")
            .collect();
        assert_eq!(drivers, segments, "stage {k}");
        // Sessions are nearly one per actor: too few at any value to be judged.
        assert!(
            s["reach"]["drivers"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["property"] != "user_session"),
            "{}",
            s["reach"]["drivers"]
        );
    }
    assert!(judged >= 8, "{judged}");

    // 60 values of 40 actors each, in value order; those of the first 30 all buy.
    let mut log = String::from("ts,who,what,plan\n");
    for v in 0..60 {
        for a in 0..40 {
            log.push_str(&format!("{},u{v}-{a},view,v{v:02}\n", 1000 + v * 100 + a));
        }
    }
    for v in 0..30 {
        for a in 0..40 {
            log.push_str(&format!("{},u{v}-{a},buy,v{v:02}\n", 9000 + v * 100 + a));
        }
    }
    std::fs::write(dir.path().join("plans.csv"), log).unwrap();
    let two = "journeymap: 1\ntitle: Plans\npersona: {name: P}\nstages:\n  - {id: look, name: Look, touchpoints: [{name: Site}]}\n  - {id: buy, name: Buy, touchpoints: [{name: Checkout}]}\n";
    std::fs::write(
        dir.path().join("p.journey.yaml"),
        format!("{two}events:\n  - id: log\n    file: plans.csv\n    actor: who\n    event: what\n    time: ts\n    time_unit: s\n    window: 1d\n    properties: [plan]\n    steps: {{look: view, buy: buy}}\n"),
    )
    .unwrap();
    let p = render_file(dir.path(), "p.journey.yaml");
    let drivers = p["stages"][1]["reach"]["drivers"].as_array().unwrap();
    let values: Vec<&str> = drivers
        .iter()
        .map(|d| d["value"].as_str().unwrap())
        .collect();
    assert_eq!(values.len(), 50, "{values:?}");
    assert!(
        values
            .iter()
            .all(|v| v.starts_with('v') && v[1..].parse::<u32>().unwrap() < 50)
    );
    // v00: kept 40, lost 0; the rest: kept 29 × 40, lost 30 × 40 (v50 to v59 among them).
    let v00 = drivers.iter().find(|d| d["value"] == "v00").unwrap();
    assert_eq!(
        (v00["kept"].as_u64(), v00["lost"].as_u64()),
        (Some(40), Some(0))
    );
    assert_eq!(v00["method"], "woolf+0.5");
    let or = v00["odds_ratio"].as_f64().unwrap();
    let want_or = (0.5 * (29.0 * 40.0 + 0.5)) / (40.5 * (30.0 * 40.0 + 0.5));
    assert!((or - want_or).abs() < 1e-12, "{or} vs {want_or}");

    // Mistakes said at their line: a column the log lacks, one listed twice, the segment
    // column again.
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        format!("{STAGES}events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    segment_by: brand\n    properties: [brnad, price, price, brand]\n    steps: {{browse: view, cart: cart, pay: purchase}}\n"),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains(":13:18: error[JM145]: the property column `brnad` is not in the event log's header; did you mean `brand`?"), "{out}");
    assert!(
        out.contains(":13:32: error[JM145]: property `price` is listed twice; keep one"),
        "{out}"
    );
    assert!(
        out.contains(":13:39: error[JM145]: property `brand` is the `segment_by:` column"),
        "{out}"
    );
    // `min_n:` raises the actors a value needs: at 140 only samsung and xiaomi (146 and 147
    // at the first stage) are judged at the cart; 0 is refused at its line.
    for (min_n, want) in [("140", vec!["samsung", "xiaomi"]), ("0", vec![])] {
        std::fs::write(
            dir.path().join("m.journey.yaml"),
            format!("{STAGES}events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    properties: [brand]\n    min_n: {min_n}\n    steps: {{browse: view, cart: cart, pay: purchase}}\n"),
        )
        .unwrap();
        let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
        if min_n == "0" {
            assert_eq!(code(&o), 1);
            let said = crate::util::stderr(&o);
            assert!(
                said.contains("0 is too small here: the least this key takes is 1"),
                "{said}"
            );
            assert!(said.contains("m.journey.yaml:13:12"), "{said}");
            continue;
        }
        let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        let mut got: Vec<&str> = j["stages"][1]["reach"]["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["property"] == "brand")
            .map(|d| d["value"].as_str().unwrap())
            .collect();
        got.sort_unstable();
        assert_eq!(got, want);
    }
    // Nine properties: the ninth is one too many, said at its place.
    let nine = "[event_time, product_id, category_id, category_code, brand, price, user_id, user_session, event_type]";
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        format!("{STAGES}events:\n  - id: log\n    file: log.csv\n    preset: rees46\n    properties: {nine}\n    steps: {{browse: view, cart: cart, pay: purchase}}\n"),
    )
    .unwrap();
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
    assert_eq!(code(&o), 1);
    let at = 17 + nine.find("event_type").unwrap();
    assert!(
        stdout(&o).contains(&format!(
            ":12:{at}: error[JM145]: event log `log` judges at most 8 `properties:`"
        )),
        "{}",
        stdout(&o)
    );
}

/// A log with more distinct event names than a reading remembers (1,000 beside the steps'):
/// the rest are counted together as `(other names)`, in the lost's next events and in the
/// detours, and the lists still add up. Actor i views at 10·i, does its own event `e{i}` a
/// second later, and (even i) adds to cart a second after that: 600 come, 600 are lost, and
/// the names of the last 200 actors are beyond the ones remembered.
#[test]
fn event_names_beyond_the_ones_remembered_are_counted_together() {
    let dir = tempdir();
    let mut log = String::from("ts,who,what\n");
    for i in 0..1200 {
        log.push_str(&format!(
            "{},u{i},view\n{},u{i},e{i:04}\n",
            10 * i,
            10 * i + 1
        ));
        if i % 2 == 0 {
            log.push_str(&format!("{},u{i},cart\n", 10 * i + 2));
        }
    }
    std::fs::write(dir.path().join("log.csv"), log).unwrap();
    let two = "journeymap: 1\ntitle: Names\npersona: {name: P}\nstages:\n  - {id: look, name: Look, touchpoints: [{name: Site}]}\n  - {id: cart, name: Cart, touchpoints: [{name: Cart}]}\n";
    std::fs::write(
        dir.path().join("n.journey.yaml"),
        format!("{two}events:\n  - id: log\n    file: log.csv\n    actor: who\n    event: what\n    time: ts\n    time_unit: s\n    steps: {{look: view, cart: cart}}\n"),
    )
    .unwrap();
    let j = render_file(dir.path(), "n.journey.yaml");
    let r = &j["stages"][1]["reach"];
    let pairs = |v: &serde_json::Value| -> Vec<(String, u64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["event"].as_str().unwrap().to_owned(),
                    e["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let want = |list: &[(&str, u64)]| -> Vec<(String, u64)> {
        list.iter().map(|(e, c)| ((*e).to_owned(), *c)).collect()
    };
    assert_eq!(
        pairs(&r["detours"]),
        want(&[
            ("(other names)", 100),
            ("e0000", 1),
            ("e0002", 1),
            ("e0004", 1),
            ("e0006", 1)
        ])
    );
    assert_eq!(
        pairs(&r["next_of_lost"]),
        want(&[
            ("(other names)", 100),
            ("e0001", 1),
            ("e0003", 1),
            ("e0005", 1),
            ("e0007", 1),
            ("(other events)", 496)
        ])
    );
}
