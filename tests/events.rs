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
    let o = run_in(dir, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn check(j: &serde_json::Value, want: &serde_json::Value) {
    let stages = j["stages"].as_array().unwrap();
    for (k, s) in stages.iter().enumerate() {
        assert_eq!(s["reach"]["count"], want["reached"][k], "{}", s["id"]);
        let (got, expected) = (
            &s["reach"]["median_seconds_from_previous"],
            &want["median"][k],
        );
        if expected.is_null() {
            assert!(got.is_null());
        } else {
            assert!(
                (got.as_f64().unwrap() - expected.as_f64().unwrap()).abs() < 1e-6,
                "{got} vs {expected}"
            );
        }
    }
    assert_eq!(j["reach_outside_path"][0]["actors"], want["outside"]);
    assert_eq!(j["reach_outside_path"][0]["stage"], "pay");
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
    let o = run_in(
        dir.path(),
        &["validate", "--format", "short", "m.journey.yaml"],
    );
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
