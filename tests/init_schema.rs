//! `init` writes a starter that passes `validate --strict` and never overwrites; `schema` is
//! generated from the model types, and every example validates against it.

use crate::util::{TODAY, code, example_maps, rel, run, run_in, stderr, stdout, tempdir};

#[test]
fn init_writes_a_strictly_valid_starter_and_never_overwrites() {
    let dir = tempdir();
    let o = run_in(dir.path(), &["init", "."]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let map = std::fs::read_to_string(dir.path().join("starter.journey.yaml")).unwrap();
    assert_eq!(
        map.lines().next().unwrap(),
        "# yaml-language-server: $schema=./journeymap.schema.json"
    );
    assert!(map.contains(&format!("reviewed: {TODAY}")));
    assert!(dir.path().join("surveys/starter-survey.csv").is_file());
    assert!(dir.path().join("journeymap.schema.json").is_file());
    let o = run_in(
        dir.path(),
        &["validate", "--strict", "starter.journey.yaml"],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let o = run_in(
        dir.path(),
        &[
            "render",
            "--strict",
            "starter.journey.yaml",
            "-o",
            "starter.html",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    std::fs::write(dir.path().join("starter.journey.yaml"), "mine\n").unwrap();
    let o = run_in(dir.path(), &["init", "."]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("init never overwrites"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("starter.journey.yaml")).unwrap(),
        "mine\n"
    );
}

#[test]
fn init_portfolio_writes_three_levels_that_share_a_persona() {
    let dir = tempdir();
    let o = run_in(dir.path(), &["init", "--portfolio", "."]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A temporary folder is no git work tree: init says how to let the maps read upwards.
    assert!(
        stdout(&o).contains("give `--root .` to validate and render"),
        "{}",
        stdout(&o)
    );
    let o = run_in(dir.path(), &["validate", "--strict", "--root", ".", "."]);
    assert_eq!(stdout(&o), "ok: no problems found\n");
    let o = run_in(
        dir.path(),
        &[
            "render", "--root", ".", ".", "-f", "json", "-o", "site/", "-q",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("site/index.json")).unwrap())
            .unwrap();
    let tree: Vec<(String, u64)> = index["maps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["path"].as_str().unwrap().to_owned(),
                m["depth"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tree,
        [
            ("lifecycle.journey.yaml".to_owned(), 0),
            ("journeys/onboarding.journey.yaml".to_owned(), 1),
            (
                "journeys/onboarding/first-invoice.journey.yaml".to_owned(),
                2
            ),
        ]
    );
    let personas = index["personas"].as_array().unwrap();
    assert_eq!(personas.len(), 1);
    assert_eq!(personas[0]["maps"].as_array().unwrap().len(), 3);
    // Never overwrites, and writes nothing when one file is in the way.
    std::fs::remove_file(dir.path().join("journeymap.schema.json")).unwrap();
    let o = run_in(dir.path(), &["init", "--portfolio", "."]);
    assert_eq!(code(&o), 2);
    assert!(!dir.path().join("journeymap.schema.json").exists());
}

fn schema() -> serde_json::Value {
    let o = run(&["schema"]);
    assert_eq!(code(&o), 0);
    serde_json::from_str(&stdout(&o)).unwrap()
}

fn yaml_as_json(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn every_example_validates_against_the_schema() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    for map in example_maps() {
        let doc = yaml_as_json(&std::fs::read_to_string(&map).unwrap());
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", rel(&map));
    }
}

#[test]
fn the_schema_rejects_what_validation_rejects() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    for case in [
        "JM003-unknown-key",
        "JM004-missing-key",
        "JM002-wrong-value",
        "JM012-emotion-range",
    ] {
        let text = std::fs::read_to_string(format!(
            "{}/tests/fixtures/invalid/{case}/map.journey.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(!validator.is_valid(&yaml_as_json(&text)), "{case}");
    }
}
