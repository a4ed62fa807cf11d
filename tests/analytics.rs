//! Measured reach from the real funnel exports in `fixtures/analytics/` (see its
//! ATTRIBUTION.md): every count is the file's, and every share journeymap recomputes agrees
//! with the rate the tool itself wrote into the file (GA4's completion rate, Mixpanel's
//! step_conv_ratio, Amplitude's cumulative), which journeymap does not read.

use crate::util::{code, run_in, stdout, tempdir};

const DIR: &str = "tests/fixtures/analytics";

/// Render a map binding `steps` of `file` to one stage each, with `extra` lines under the
/// export; the reach of every stage.
fn reach(file: &str, steps: &[&str], extra: &str) -> Vec<serde_json::Value> {
    let dir = tempdir();
    std::fs::copy(format!("{DIR}/{file}"), dir.path().join(file)).unwrap();
    let mut map = "journeymap: 1\ntitle: T\npersona: {name: P}\nstages:\n".to_owned();
    for (i, s) in steps.iter().enumerate() {
        map.push_str(&format!(
            "  - {{id: s{i}, name: S{i}, touchpoints: [{{name: T}}], reach: {{source: x, step: {s}}}}}\n"
        ));
    }
    map.push_str(&format!("analytics:\n  - id: x\n    file: {file}\n{extra}"));
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reach"].clone())
        .collect()
}

fn counts(r: &[serde_json::Value]) -> Vec<u64> {
    r.iter().map(|x| x["count"].as_u64().unwrap()).collect()
}

fn close(v: &serde_json::Value, want: f64) {
    let got = v.as_f64().unwrap();
    assert!((got - want).abs() < 1e-8, "{got} vs {want}");
}

#[test]
fn ga4_counts_and_kept_shares_match_the_files_own_completion_rates() {
    let r = reach(
        "ga4-funnel-exploration.csv",
        &["view_item", "\"2. add_to_cart\"", "3", "purchase"],
        "",
    );
    assert_eq!(counts(&r), [56696, 14618, 5091, 2668]);
    // The file's `Completion rate` of step N is the rate to step N + 1.
    for (i, rate) in [0.25783124, 0.348269257, 0.52406207].iter().enumerate() {
        close(&r[i + 1]["kept"], *rate);
        close(&r[i + 1]["lost"], 1.0 - rate);
    }
    close(&r[3]["share_of_first"], 2668.0 / 56696.0);
    assert!(r[0]["kept"].is_null());
    let src = &r[1]["source"];
    assert_eq!(src["tool"], "GA4 funnel exploration");
    assert_eq!(src["title"], "Checkout-Funnel exploration 1");
    assert_eq!(
        (src["date_from"].as_str(), src["date_to"].as_str()),
        (Some("2020-11-25"), Some("2021-01-31"))
    );
    assert_eq!(src["unit"], "users");
    assert_eq!(src["step"], "2. add_to_cart");
}

#[test]
fn a_ga4_breakdown_reads_its_total_or_the_segment_named() {
    let steps = ["view_item", "add_to_cart", "begin_checkout", "purchase"];
    let total = reach("ga4-funnel-exploration-by-device.csv", &steps, "");
    assert_eq!(counts(&total), [56696, 14618, 5091, 2668]);
    assert_eq!(total[0]["source"]["segment"], "Total");
    let mobile = reach(
        "ga4-funnel-exploration-by-device.csv",
        &steps,
        "    segment: mobile\n",
    );
    assert_eq!(counts(&mobile), [22358, 5838, 2064, 1103]);
    for (i, rate) in [0.26111459, 0.353545735, 0.534399225].iter().enumerate() {
        close(&mobile[i + 1]["kept"], *rate);
    }
}

#[test]
fn posthog_amplitude_and_mixpanel_counts_are_read_as_their_tools_define_them() {
    // PostHog: `count` is already cumulative; steps by number (both are named `$pageview`).
    let p = reach("posthog-funnel-export.csv", &["1", "2"], "");
    assert_eq!(counts(&p), [1, 1]);
    assert_eq!(p[0]["source"]["segment"], "test'123");
    assert_eq!(p[0]["source"]["unit"], "persons");
    // Amplitude: cumulativeRaw; the file's `cumulative` is the share of the first step.
    let a = reach(
        "amplitude-funnels-api.json",
        &[
            "\"Search Song or Video\"",
            "\"Select Song or Video\"",
            "\"Play Song or Video\"",
        ],
        "",
    );
    assert_eq!(counts(&a), [163054, 161670, 157485]);
    close(&a[1]["share_of_first"], 0.9915120144246691);
    close(&a[2]["share_of_first"], 0.9658456707593803);
    // Mixpanel: one date bucket, named; step_conv_ratio is the share kept.
    let m = reach(
        "mixpanel-funnels-api.json",
        &["\"App Open\"", "\"Game Played\""],
        "    bucket: 2016-09-26\n",
    );
    assert_eq!(counts(&m), [16103, 12679]);
    close(&m[1]["kept"], 0.7873688132646091);
}

#[test]
fn exports_that_cannot_be_right_are_refused_at_their_line() {
    let dir = tempdir();
    for f in ["mixpanel-funnels-api.json", "posthog-funnel-export.csv"] {
        std::fs::copy(format!("{DIR}/{f}"), dir.path().join(f)).unwrap();
    }
    let validate = |file: &str, extra: &str| {
        std::fs::write(
            dir.path().join("m.journey.yaml"),
            format!("journeymap: 1\ntitle: T\npersona: {{name: P}}\nstages:\n  - {{id: a, name: A, touchpoints: [{{name: T}}], reach: {{source: x, step: 1}}}}\nanalytics:\n  - id: x\n    file: {file}\n{extra}"),
        )
        .unwrap();
        let o = crate::util::validate_short(dir.path());
        (code(&o), stdout(&o))
    };
    let (c, out) = validate("mixpanel-funnels-api.json", "");
    assert_eq!(c, 1);
    assert!(out.starts_with("mixpanel-funnels-api.json:9:3: error[JM140]: the answer holds one funnel per date bucket (`2016-09-12`, `2016-09-19`, `2016-09-26`); say which with `bucket:`"), "{out}");
    let (c, out) = validate("posthog-funnel-export.csv", "    segment: prod\n");
    assert_eq!(c, 1);
    assert!(
        out.contains("error[JM140]: no row is of segment `prod`; the file holds `test'123`"),
        "{out}"
    );
    // Counts a spreadsheet would write, or that are no counts.
    for (cell, why) in [
        ("1.2E+4", "is in scientific notation"),
        ("12.5", "is not a whole number"),
        ("-3", "is negative"),
    ] {
        std::fs::write(
            dir.path().join("s.csv"),
            format!("step,count\nsign up,100\npay,{cell}\n"),
        )
        .unwrap();
        let (c, out) = validate("s.csv", "");
        assert_eq!(c, 1, "{cell}");
        assert!(
            out.starts_with(&format!(
                "s.csv:3:2: error[JM141]: the count `{cell}` {why}"
            )),
            "{out}"
        );
    }
    // Rows on where actors went (`journeymap sql`'s `detail`): a detail it never writes, a
    // stage the file lacks and a count that is no count, each at its line and column.
    std::fs::write(
        dir.path().join("s.csv"),
        "step,count,detail,event,property\nsign up,100,,,\npay,60,,,\npay,30,next,(none),\npay,10,nxt,view,\nbasket,5,detour,view,\npay,1.5,property,web,platform\n",
    )
    .unwrap();
    let (c, out) = validate("s.csv", "");
    assert_eq!(c, 1);
    for said in [
        "s.csv:5:3: error[JM140]: `detail` is `nxt`; journeymap sql writes `next`, `lost_did`, `detour` or `property`",
        "s.csv:6:1: error[JM140]: no stage row is `basket`",
        "s.csv:7:2: error[JM141]: the count `1.5` is not a whole number",
    ] {
        assert!(out.contains(said), "{said}\n{out}");
    }
    // Thousands separators are read.
    std::fs::write(
        dir.path().join("s.csv"),
        "step,count\nsign up,\"12,000\"\npay,9 500\n",
    )
    .unwrap();
    assert_eq!(validate("s.csv", "").0, 0);
}
