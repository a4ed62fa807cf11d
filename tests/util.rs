//! Helpers: run the binary, make temporary directories, read fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The date every test runs on, so `--max-age` and `init` are reproducible.
pub const TODAY: &str = "2026-11-22";

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `journeymap` command run from the repository root with a scrubbed environment.
pub fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_journeymap"));
    c.current_dir(root())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("JOURNEYMAP_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    c
}

pub fn run(args: &[&str]) -> Output {
    cmd().args(args).output().expect("journeymap runs")
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    cmd()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("journeymap runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// A Python oracle under `tests/` run with `args`: the JSON it prints.
pub fn python_json(args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let out = Command::new("python3")
        .current_dir(root())
        .args(args)
        .output()
        .expect("python3 runs (it is on every machine this project uses)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally, not by a signal")
}

/// Every example map shipped under `examples/`, in a stable order.
pub fn example_maps() -> Vec<PathBuf> {
    let mut maps = Vec::new();
    for entry in walk(&root().join("examples")) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".journey.yaml") {
            maps.push(entry);
        }
    }
    maps.sort();
    assert!(maps.len() >= 4, "the examples are there");
    maps
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A path relative to the repository root, with `/` separators, for command lines.
pub fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("journeymap-test-")
        .tempdir()
        .unwrap()
}
