//! Fuzz regressions: every input under `fixtures/fuzz/<target>/` (inputs the fuzzers in
//! `fuzz/` found interesting or that once crashed) goes through the same entry point as
//! its fuzz target. The property is that each returns: no panic, no hang.

use crate::util::root;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = root().join("tests/fixtures/fuzz").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|f| f == "README.md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "{} panics", path.display());
        n += 1;
    }
    n
}

#[test]
fn fuzz_regressions_return() {
    assert!(replay("map", journeymap::fuzzing::map) > 0);
    assert!(replay("survey", journeymap::fuzzing::survey) > 0);
    assert!(replay("render", journeymap::fuzzing::render) > 0);
}
