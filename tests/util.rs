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

/// `validate --format short m.journey.yaml` in `dir`.
pub fn validate_short(dir: &Path) -> Output {
    run_in(dir, &["validate", "--format", "short", "m.journey.yaml"])
}

/// Writes `csv` as `a.csv` and a one-stage map (stage `buy`) titled `title`, whose keys after
/// `stages:` are `rest`, as `m.journey.yaml` in `dir`; then `validate --format short` of it.
pub fn validate_buy_map(dir: &Path, title: &str, csv: &str, rest: &str) -> Output {
    std::fs::write(dir.join("a.csv"), csv).unwrap();
    let head =
        "persona: {name: Tester}\nstages:\n  - {id: buy, name: Buy, touchpoints: [{name: Web}]}";
    let map = format!("journeymap: 1\ntitle: {title}\n{head}\n{rest}");
    std::fs::write(dir.join("m.journey.yaml"), map).unwrap();
    validate_short(dir)
}

/// The `(stage, measure)` of every entry of a JSON array, in its order.
pub fn stage_measures(list: &serde_json::Value) -> Vec<(String, String)> {
    let text = |v: &serde_json::Value| v.as_str().expect("a string").to_owned();
    list.as_array()
        .expect("an array")
        .iter()
        .map(|m| (text(&m["stage"]), text(&m["measure"])))
        .collect()
}

/// Asserts that the run exited with `want` and that its `stream` (`stdout` or `stderr`)
/// contains `text`.
pub fn exits_saying(o: &Output, want: i32, stream: fn(&Output) -> String, text: &str) {
    let said = stream(o);
    assert_eq!(code(o), want, "{said}");
    assert!(said.contains(text), "wanted {text:?} in:\n{said}");
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

/// The wall time a run under [`limited`] may take. The work bound is the kernel's:
/// `prlimit --cpu=5` kills a run that uses more than 5 s of CPU, and its exit-code check then
/// fails. Wall time only catches a run that hangs without using CPU (a FIFO with no writer),
/// with room for a CI machine whose two cores are busy with the browser tests at once.
pub const WALL: std::time::Duration = std::time::Duration::from_secs(20);

/// The binary run in `dir` under the kernel's limits for hostile input (`prlimit --as=512M
/// --cpu=5`), with a scrubbed environment and `env`: its output and how long it took.
pub fn limited(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Output, std::time::Duration) {
    let start = std::time::Instant::now();
    let out = Command::new("prlimit")
        .arg("--as=536870912")
        .arg("--cpu=5")
        .arg(env!("CARGO_BIN_EXE_journeymap"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("JOURNEYMAP_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("prlimit runs");
    (out, start.elapsed())
}

/// Standard output and error together, as text.
pub fn all_text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The exit code, or minus the signal for a run the kernel or an abort ended.
pub fn exit(o: &Output) -> i32 {
    use std::os::unix::process::ExitStatusExt as _;
    o.status
        .code()
        .unwrap_or_else(|| -o.status.signal().unwrap_or(0))
}

/// `tests/fixtures/workbooks/row-numbers.xlsx` (a sheet of rows 1..=7, columns A..C) written
/// to `dest` with `rows` (whole `<row>` elements, numbered up to `last`) added after row 7.
pub fn row_numbers_xlsx_with(dest: &Path, rows: &str, last: usize) {
    let src =
        std::fs::File::open(root().join("tests/fixtures/workbooks/row-numbers.xlsx")).unwrap();
    let mut src = zip::ZipArchive::new(src).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(dest).unwrap());
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        if !f.name().starts_with("xl/worksheets/sheet") {
            out.raw_copy_file(f).unwrap();
            continue;
        }
        let name = f.name().to_owned();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut f, &mut xml).unwrap();
        drop(f);
        let xml = xml
            .replace(
                "<dimension ref=\"A1:C7\" />",
                &format!("<dimension ref=\"A1:C{last}\" />"),
            )
            .replace("</sheetData>", &format!("{rows}</sheetData>"));
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, xml.as_bytes()).unwrap();
    }
    out.finish().unwrap();
}

/// The toothbrush example copied into `to`, without its `parent:` line (the example details
/// a stage of the retail lifecycle, which is not copied): the map's path in `to`.
pub fn copy_toothbrush(to: &Path) -> PathBuf {
    let from = root().join("examples/toothbrush");
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(&from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
    let map = to.join("toothbrush.journey.yaml");
    without_parent(&map);
    map
}

/// Drop a map's `parent:` line, in place.
pub fn without_parent(map: &Path) {
    let text = std::fs::read_to_string(map).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.starts_with("parent:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(map, kept).unwrap();
}

/// `diff --format json OLD NEW` run in `dir`, which must succeed: the report.
pub fn diff_json(dir: &Path, old: &str, new: &str) -> serde_json::Value {
    let o = run_in(dir, &["diff", "--format", "json", old, new]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}
