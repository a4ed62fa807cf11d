//! Embeds the example of every diagnostic code for `journeymap explain`: the first folder of
//! `tests/fixtures/invalid/` named after the code (its map), with the short report its
//! snapshot pins; for `import mermaid` (JM200) the diagram and its `expected.txt`. The tests
//! check both, so `explain` shows what they hold.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let fixtures = Path::new("tests/fixtures/invalid");
    let snapshots = Path::new("tests/snapshots");
    println!("cargo:rerun-if-changed={}", fixtures.display());
    println!("cargo:rerun-if-changed={}", snapshots.display());
    let mut folders: Vec<String> = std::fs::read_dir(fixtures)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("JM"))
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    let mut out = String::from(
        "/// Every code's example, in code order.\npub static EXAMPLES: &[Example] = &[\n",
    );
    let mut seen = Vec::new();
    for folder in folders {
        let code = folder.split('-').next().unwrap_or_default().to_owned();
        if seen.contains(&code) {
            continue;
        }
        let dir = fixtures.join(&folder);
        let example = if dir.join("diagram.mmd").is_file() {
            let diagram = std::fs::read_to_string(dir.join("diagram.mmd")).ok();
            let report = std::fs::read_to_string(dir.join("expected.txt")).ok();
            diagram
                .zip(report)
                .map(|(d, r)| ("diagram.mmd", "journeymap import mermaid", d, r))
        } else {
            let map = std::fs::read_to_string(dir.join("map.journey.yaml")).ok();
            let snap = snapshots.join(format!(
                "tests__invalid__each_invalid_fixture_reports_exactly_what_its_snapshot_says@{folder}__map.journey.yaml.snap"
            ));
            let report = std::fs::read_to_string(&snap).ok().and_then(|s| {
                let start = s.find("--- short\n")? + "--- short\n".len();
                let end = s[start..].find("--- human\n")? + start;
                Some(s[start..end].to_owned())
            });
            map.zip(report).map(|(m, r)| {
                (
                    "map.journey.yaml",
                    "journeymap validate --format short",
                    m,
                    r,
                )
            })
        };
        let Some((file, command, text, report)) = example else {
            continue;
        };
        let _ = writeln!(
            out,
            "    Example {{ code: {code:?}, folder: {folder:?}, file: {file:?}, command: {command:?}, text: {text:?}, report: {report:?} }},"
        );
        seen.push(code);
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("examples.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
