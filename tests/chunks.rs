//! Large exports are read on every core (`src/survey/chunks/`): cut at record boundaries,
//! each part read on its own thread, the parts taken in in file order. Whatever the number
//! of parts, every output is byte for byte what one thread gives. `JOURNEYMAP_THREADS=N`
//! cuts even small files into N parts and says on stderr how each was read.

use std::path::Path;
use std::process::Output;

use crate::util::{cmd, code, example_maps, root, tempdir, walk};

fn with_threads(threads: usize, dir: &Path, args: &[&str]) -> Output {
    cmd()
        .current_dir(dir)
        .env("JOURNEYMAP_THREADS", threads.to_string())
        .args(args)
        .output()
        .expect("journeymap runs")
}

/// What a run printed, without the lines that say how files were cut.
fn outputs(o: &Output) -> (i32, String, String) {
    let err: String = String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.starts_with("chunks: "))
        .map(|l| format!("{l}\n"))
        .collect();
    (
        code(o),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        err,
    )
}

/// How the parts of each cut file were read: (parts, taken in, read again).
fn reads(o: &Output) -> Vec<(usize, usize, usize)> {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("chunks: ")?;
            let nums: Vec<usize> = rest
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|w| w.parse().ok())
                .collect();
            let n = nums.len();
            (n >= 3).then(|| (nums[n - 3], nums[n - 2], nums[n - 1]))
        })
        .collect()
}

/// Render (JSON, Markdown) and validate `map` with one thread and with each of `parts`;
/// every output must be the same. Returns how the cut files were read.
fn same_on_any_threads(dir: &Path, map: &str, parts: &[usize]) -> Vec<(usize, usize, usize)> {
    let mut seen = Vec::new();
    for args in [
        &["render", "-f", "json", map][..],
        &["render", "-f", "markdown", map],
        &["validate", map],
    ] {
        let one = with_threads(1, dir, args);
        assert!(reads(&one).is_empty(), "one thread cuts nothing");
        for &n in parts {
            let many = with_threads(n, dir, args);
            assert_eq!(
                outputs(&one),
                outputs(&many),
                "{map}: `{}` with {n} threads differs from one thread",
                args.join(" ")
            );
            seen.extend(reads(&many));
        }
    }
    seen
}

#[test]
fn every_example_and_real_export_reads_the_same_on_any_number_of_threads() {
    let mut maps: Vec<String> = example_maps()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    maps.extend(
        walk(&root().join("tests/fixtures/real/maps"))
            .iter()
            .filter(|p| p.to_string_lossy().ends_with(".journey.yaml"))
            .map(|p| p.display().to_string()),
    );
    assert!(maps.len() >= 14, "{maps:?}");
    let mut taken = 0;
    for map in &maps {
        taken += same_on_any_threads(&root(), map, &[2, 3, 5])
            .iter()
            .map(|r| r.1)
            .sum::<usize>();
    }
    // The files were really cut and read on other threads, not read in one go.
    assert!(taken > 20, "only {taken} parts were taken in");
}

/// A long-layout export with what makes cutting hard: comments spanning lines, among them
/// a quoted cell of lines that look like whole records; values skipped for every reason;
/// unknown stages; a cell that is not UTF-8; the same comments again; CRLF line ends.
fn hard_export(rows: usize, fake_every: usize, crlf: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let stages = ["look", "buy", "use", "Buy", "lok"];
    let mut out = format!("id,when,stage,nps,csat,ces,comment{eol}").into_bytes();
    for i in 0..rows {
        let stage = stages[(i * 7 + i / 13) % stages.len()];
        let nps = match i % 97 {
            3 => "ten".to_owned(),
            5 => "9.5".to_owned(),
            8 => "11".to_owned(),
            9 => "NA".to_owned(),
            _ => ((i * 31) % 11).to_string(),
        };
        let csat = if i % 89 == 4 {
            "4,5".to_owned()
        } else {
            (1 + (i * 17) % 5).to_string()
        };
        // CES goes wrong only late in the file, so its warnings come from a later part.
        let ces = if i % 83 == 2 {
            String::new()
        } else if i > rows * 3 / 4 && i % 101 == 0 {
            "seven".to_owned()
        } else {
            (1 + (i * 13) % 7).to_string()
        };
        let comment = if i % fake_every == fake_every / 2 {
            // A cell whose lines each look like a record of this file.
            let fake: Vec<String> = (0..40)
                .map(|k| format!("R_{k},2026-01-01,buy,{},4,2,looks like a row", k % 11))
                .collect();
            format!("\"{}\"", fake.join(eol))
        } else if i % 5 == 0 {
            format!(
                "\"Row {} said: slow, \"\"really\"\" slow{eol}and then it broke\"",
                i % 40
            )
        } else if i % 7 == 0 {
            "Same words every time".to_owned()
        } else if i % 11 == 0 {
            "ok".to_owned()
        } else {
            String::new()
        };
        out.extend_from_slice(
            format!(
                "R_{i},2026-02-{:02} 10:00,{stage},{nps},{csat},{ces},",
                1 + i % 28
            )
            .as_bytes(),
        );
        out.extend_from_slice(comment.as_bytes());
        if i == rows * 2 / 3 {
            out.extend_from_slice(b"caf\xe9 ferm\xe9");
        }
        out.extend_from_slice(eol.as_bytes());
    }
    out
}

const HARD_MAP: &str = "journeymap: 1
title: Cut anywhere
persona: {name: Tester}
stages:
  - {id: look, name: Look, emotion: 0, touchpoints: [{name: Web}]}
  - id: buy
    name: Buy
    emotion: 0
    touchpoints: [{name: Web}]
    quotes: {pin: [\"Same words every time\"]}
  - {id: use, name: Use, emotion: 0, touchpoints: [{name: Web}]}
surveys:
  - id: answers
    file: answers.csv
    stage_column: stage
    measures: {nps: nps, csat: csat, ces: ces, comment: comment}
";

#[test]
fn cuts_in_quoted_lines_are_caught_and_every_figure_line_and_quote_is_the_same() {
    let mut read = Vec::new();
    for (fake_every, crlf, bom) in [(50, false, false), (23, true, false), (200, false, true)] {
        let dir = tempdir();
        let mut csv = if bom {
            b"\xef\xbb\xbf".to_vec()
        } else {
            Vec::new()
        };
        csv.extend(hard_export(3000, fake_every, crlf));
        std::fs::write(dir.path().join("answers.csv"), csv).unwrap();
        std::fs::write(dir.path().join("m.journey.yaml"), HARD_MAP).unwrap();
        let these = same_on_any_threads(dir.path(), "m.journey.yaml", &[2, 3, 4, 6, 9, 16]);
        // Each kind of file (a byte-order mark moves every offset by 3) had parts taken in.
        assert!(
            these.iter().any(|r| r.1 > 0),
            "no part was taken in ({fake_every}, {crlf}, {bom}): {these:?}"
        );
        read.extend(these);
    }
    let missed: usize = read.iter().map(|r| r.0 - 1 - r.1).sum();
    // Some guessed cuts fell inside the quoted lines: the reader before them did not arrive
    // there, so they were not used, and the figures above are still the same.
    assert!(missed > 0, "every guessed cut was right: {read:?}");
}

#[test]
fn a_broken_quote_late_in_the_file_is_reported_at_the_same_line() {
    let dir = tempdir();
    let mut csv = hard_export(2000, 50, false);
    csv.extend_from_slice(
        b"R_x,2026-03-01 10:00,buy,9,5,1,\"never closed\nR_y,2026-03-01,buy,9,5,1,\n",
    );
    std::fs::write(dir.path().join("answers.csv"), csv).unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), HARD_MAP).unwrap();
    same_on_any_threads(dir.path(), "m.journey.yaml", &[2, 5]);
    let o = with_threads(5, dir.path(), &["validate", "m.journey.yaml"]);
    let (status, out, err) = outputs(&o);
    let text = format!("{out}{err}");
    assert_ne!(status, 0);
    assert!(text.contains("unclosed quote"), "{text}");
}

#[test]
fn many_unknown_stage_values_are_counted_as_one_thread_counts_them() {
    // More distinct unknown stages than the list keeps: parts cannot merge the list
    // exactly, so they are read again in order, and say so.
    let dir = tempdir();
    let mut csv = String::from("stage,nps\n");
    for i in 0..5000 {
        if i % 3 == 0 {
            csv.push_str(&format!("nowhere-{i},5\n"));
        } else {
            csv.push_str(&format!("look,{}\n", i % 11));
        }
    }
    std::fs::write(dir.path().join("answers.csv"), csv).unwrap();
    let map = "journeymap: 1\ntitle: T\npersona: {name: P}\nstages:\n  - {id: look, name: Look, emotion: 0, touchpoints: [{name: Web}]}\nsurveys:\n  - id: s\n    file: answers.csv\n    stage_column: stage\n    measures: {nps: nps}\n";
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let read = same_on_any_threads(dir.path(), "m.journey.yaml", &[2, 4]);
    assert!(read.iter().any(|r| r.2 > 0), "{read:?}");
}

#[test]
fn header_rows_and_rows_left_out_read_the_same_on_any_threads() {
    // A header of three rows and a `not:` filter: parts start past the header, and the rows
    // each part leaves out add up to what one thread leaves out.
    let dir = tempdir();
    let mut csv = String::from("stage,done,nps\nStage,Completed,Recommend\n,,(0-10)\n");
    for i in 0..6000 {
        let done = if i % 7 == 0 { "" } else { "2026-10-01" };
        csv.push_str(&format!("look,{done},{}\n", i % 11));
    }
    std::fs::write(dir.path().join("answers.csv"), csv).unwrap();
    let map = "journeymap: 1\ntitle: T\npersona: {name: P}\nstages:\n  - {id: look, name: Look, emotion: 0, touchpoints: [{name: Web}]}\nsurveys:\n  - id: s\n    file: answers.csv\n    header_rows: 3\n    where: {done: {not: \"\"}}\n    stage_column: stage\n    measures: {nps: nps}\n";
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let read = same_on_any_threads(dir.path(), "m.journey.yaml", &[2, 4]);
    assert!(
        read.iter().any(|r| r.1 > 1),
        "the parts were taken in: {read:?}"
    );
    let one = with_threads(1, dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    let j: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    // 6000 rows, every seventh (0, 7, .. 5999: 858 of them) without a completion date.
    assert_eq!(j["survey_summary"][0]["rows"], 6000);
    assert_eq!(j["survey_summary"][0]["rows_filtered"], 858);
    assert_eq!(j["stages"][0]["metrics"]["nps"]["n"], 6000 - 858);
}

#[test]
fn a_thread_count_that_is_no_number_is_said_and_ignored() {
    let o = cmd()
        .env("JOURNEYMAP_THREADS", "two")
        .args([
            "render",
            "-f",
            "json",
            "examples/toothbrush/toothbrush.journey.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("JOURNEYMAP_THREADS=two is not a number of threads")
            .count(),
        1,
        "{err}"
    );
    let plain = crate::util::run(&[
        "render",
        "-f",
        "json",
        "examples/toothbrush/toothbrush.journey.yaml",
    ]);
    assert_eq!(o.stdout, plain.stdout);
}
