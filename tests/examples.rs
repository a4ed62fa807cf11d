//! Every shipped example validates cleanly and renders in every format; each output is a
//! snapshot, so any change to what users see shows up in review.

use crate::util::{code, example_maps, rel, run, stdout};

#[test]
fn every_example_validates_strictly() {
    for map in example_maps() {
        let o = run(&["validate", "--strict", &rel(&map)]);
        assert_eq!(code(&o), 0, "{}: {}", rel(&map), stdout(&o));
        assert_eq!(stdout(&o), "ok: no problems found\n");
    }
}

#[test]
fn every_example_renders_in_every_format() {
    for map in example_maps() {
        let name = map
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".journey.yaml")
            .to_owned();
        for format in ["html", "markdown", "json"] {
            let o = run(&["render", "-f", format, &rel(&map)]);
            assert_eq!(code(&o), 0, "{name} {format}");
            insta::assert_snapshot!(format!("{name}.{format}"), stdout(&o));
        }
    }
}

#[test]
fn output_is_byte_identical_for_identical_input() {
    for map in example_maps() {
        for format in ["html", "markdown", "json"] {
            let a = run(&["render", "-f", format, &rel(&map)]);
            let b = run(&["render", "-f", format, map.to_str().unwrap()]);
            assert_eq!(code(&a), 0);
            assert!(a.stdout == b.stdout, "{} {format}", rel(&map));
        }
    }
}

/// The JSON output is the contract for scripts (the guide: "Template context"): check its shape, and
/// recompute every backlog priority from the map's own fields with the guide's formula.
#[test]
fn json_context_has_the_contract_shape_and_right_priorities() {
    for map in example_maps() {
        let o = run(&["render", "-f", "json", &rel(&map)]);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(v["metrics"].is_object());
        let stages = v["stages"].as_array().unwrap();
        let mut severity = std::collections::BTreeMap::new();
        for s in stages {
            assert!(s["metrics"].is_object());
            assert!(s.get("emotion_measured").is_some());
            for p in s["pain_points"].as_array().unwrap() {
                let w = match p["severity"].as_str().unwrap() {
                    "low" => 1.0,
                    "medium" => 2.0,
                    "high" => 3.0,
                    "critical" => 5.0,
                    other => panic!("severity {other}"),
                };
                severity.insert(p["id"].as_str().unwrap().to_owned(), w);
            }
        }
        let mut expected = Vec::new();
        for s in stages {
            for sol in s["solutions"].as_array().unwrap() {
                let status = sol["status"].as_str().unwrap();
                if status == "done" || status == "dropped" {
                    assert!(sol["rank"].is_null());
                    continue;
                }
                let sum: f64 = sol["addresses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| severity[id.as_str().unwrap()])
                    .sum();
                let impact = match sol["impact"].as_str() {
                    Some("low") => 1.0,
                    Some("high") => 3.0,
                    _ => 2.0,
                };
                let effort = match sol["effort"].as_str() {
                    Some("small") => 1.0,
                    Some("large") => 3.0,
                    _ => 2.0,
                };
                expected.push((
                    sol["id"].as_str().unwrap().to_owned(),
                    sum * impact / effort,
                ));
            }
        }
        expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let backlog: Vec<(String, f64)> = v["backlog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["id"].as_str().unwrap().to_owned(),
                    b["priority"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(backlog, expected, "{}", rel(&map));
        for (i, b) in v["backlog"].as_array().unwrap().iter().enumerate() {
            assert_eq!(b["rank"].as_u64().unwrap() as usize, i + 1);
        }
    }
}

/// The toothbrush funnel, worked by hand: 12,000 -> 7,500 keeps 62.5% and loses 37.5%;
/// 7,500 -> 3,100 keeps 41.33…%.
#[test]
fn funnel_shares_are_computed_between_stages() {
    let o = run(&[
        "render",
        "-f",
        "json",
        "examples/toothbrush/toothbrush.journey.yaml",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let search = &v["stages"][1];
    assert_eq!(search["funnel"], 12000);
    assert_eq!(search["funnel_step"]["to"], "research");
    assert_eq!(search["funnel_step"]["kept"].as_f64().unwrap(), 0.625);
    assert_eq!(search["funnel_step"]["lost"].as_f64().unwrap(), 0.375);
    let kept = v["stages"][2]["funnel_step"]["kept"].as_f64().unwrap();
    assert!((kept - 3100.0 / 7500.0).abs() < 1e-12);
    // The first stage has no count, and the last has no next stage.
    assert!(v["stages"][0]["funnel_step"].is_null());
    assert!(v["stages"][5]["funnel_step"].is_null());
    let md = stdout(&run(&[
        "render",
        "-f",
        "markdown",
        "examples/toothbrush/toothbrush.journey.yaml",
    ]));
    assert!(md.contains("12,000 reached this stage; 62.5% kept (7,500) and 37.5% lost"));
}
