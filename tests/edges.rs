//! Sharp edges found by hand, one test each: small wrong results, leftovers and surprises.

use std::path::Path;

use crate::util::{code, root, run_in, stderr, stdout, tempdir};

const MAP: &str = "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\n";

fn write(dir: &Path, name: &str, text: &str) {
    if let Some(parent) = dir.join(name).parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn one_map_into_an_existing_folder_writes_no_index() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "m.journey.yaml", MAP);
    write(p, "site/index.html", "<p>my own index</p>");
    let o = run_in(p, &["render", "m.journey.yaml", "-o", "site"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(p.join("site/m.html").is_file());
    assert_eq!(
        std::fs::read_to_string(p.join("site/index.html")).unwrap(),
        "<p>my own index</p>"
    );
}

#[test]
fn init_checks_every_path_before_writing_any() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "surveys", "a file where init wants a folder");
    let o = run_in(p, &["init", "."]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("surveys is a file, not a folder"),
        "{}",
        stderr(&o)
    );
    assert!(!p.join("starter.journey.yaml").exists());
    assert!(!p.join("journeymap.schema.json").exists());
}

#[test]
fn an_empty_or_missing_templates_variable_breaks_nothing_that_needs_no_template() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "m.journey.yaml", MAP);
    let bin = env!("CARGO_BIN_EXE_journeymap");
    let run = |var: &str, format: &str| {
        std::process::Command::new(bin)
            .args(["render", "m.journey.yaml", "-f", format])
            .current_dir(p)
            .env("JOURNEYMAP_TEMPLATES", var)
            .env("JOURNEYMAP_TODAY", crate::util::TODAY)
            .output()
            .unwrap()
    };
    assert_eq!(code(&run("", "html")), 0, "set but empty: no templates");
    assert_eq!(
        code(&run("/nonexistent", "json")),
        0,
        "JSON uses no template"
    );
    let o = run("/nonexistent", "html");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no such directory"));
}

#[test]
fn scans_follow_symlinked_maps_and_a_map_named_twice_is_said_so() {
    let dir = tempdir();
    let p = dir.path();
    write(
        p,
        "elsewhere/broken.journey.yaml",
        "journeymap: 1\ntitle: t\nstages: []\n",
    );
    std::fs::create_dir(p.join("maps")).unwrap();
    std::os::unix::fs::symlink(
        p.join("elsewhere/broken.journey.yaml"),
        p.join("maps/linked.journey.yaml"),
    )
    .unwrap();
    let o = run_in(p, &["validate", "--format", "short", "maps"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("maps/linked.journey.yaml"),
        "{}",
        stdout(&o)
    );
    write(p, "m.journey.yaml", MAP);
    let o = run_in(
        p,
        &["render", "m.journey.yaml", "./m.journey.yaml", "-o", "out/"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("is named more than once"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unreadable_persona_is_an_error_in_the_map_and_the_readme_says_so() {
    let o = run_in(
        &root(),
        &[
            "validate",
            "--format",
            "short",
            "tests/fixtures/invalid/JM000-persona-file-missing/map.journey.yaml",
        ],
    );
    assert_eq!(code(&o), 1);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("a persona or survey file the map names"));
    assert!(readme.contains("that cannot be read is an error in the map: JM000"));
}
