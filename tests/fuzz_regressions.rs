//! Fuzz regressions: every input under `fixtures/fuzz/<target>/` (inputs the fuzzers in
//! `fuzz/` found interesting or that once crashed) goes through the same entry point as
//! its fuzz target, and its outcome is checked: the map and render targets end as the
//! binary ends on the same bytes, and a survey that stops early always says why.

use journeymap::Outcome;

use crate::util::{code, root, run_in, tempdir};

/// Every input of a target, with its bytes.
fn inputs(target: &str) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let dir = root().join("tests/fixtures/fuzz").join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_none_or(|f| f != "README.md"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs for {target}");
    out
}

fn no_panic<T>(path: &std::path::Path, f: impl FnOnce() -> T + std::panic::UnwindSafe) -> T {
    std::panic::catch_unwind(f).unwrap_or_else(|_| panic!("{} panics", path.display()))
}

/// The exit code the binary gives for `args` on the map `bytes`.
fn binary(bytes: &[u8], args: &[&str]) -> i32 {
    let dir = tempdir();
    std::fs::write(dir.path().join("m.journey.yaml"), bytes).unwrap();
    let mut all = args.to_vec();
    all.push("m.journey.yaml");
    code(&run_in(dir.path(), &all))
}

#[test]
fn map_inputs_end_as_validate_does() {
    for (path, bytes) in inputs("map") {
        let outcome = no_panic(&path, || journeymap::fuzzing::map(&bytes));
        assert_ne!(outcome, Outcome::Failure, "{}", path.display());
        assert_eq!(
            outcome as i32,
            binary(&bytes, &["validate", "--format", "short"]),
            "{}",
            path.display()
        );
    }
}

#[test]
fn render_inputs_render_or_are_refused_as_the_binary_does() {
    for (path, bytes) in inputs("render") {
        let outcome = no_panic(&path, || journeymap::fuzzing::render(&bytes));
        assert_ne!(
            outcome,
            Outcome::Failure,
            "{}: a page failed",
            path.display()
        );
        assert_eq!(
            outcome as i32,
            binary(&bytes, &["render", "-f", "html", "-q"]),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_survey_that_stops_early_says_why() {
    for (path, bytes) in inputs("survey") {
        let runs = no_panic(&path, || journeymap::fuzzing::survey(&bytes));
        assert!(!runs.is_empty());
        for (i, (read, errors)) in runs.iter().enumerate() {
            assert!(
                *read || *errors > 0,
                "{} with binding {i}: stopped without an error",
                path.display()
            );
        }
    }
}
