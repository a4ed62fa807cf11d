//! One set of answers written every way real exports write files gives the same figures;
//! warehouse aggregates give the same figures as the answers they summarise.

use crate::util::{code, run_in, stderr, stdout, tempdir};

/// (stage, nps, csat, ces, comment): 12 answers, a missing code, a multi-line comment,
/// a comment with the delimiters in it, and non-ASCII text.
const ROWS: &[[&str; 5]] = &[
    ["search", "9", "5", "6", "Fast, simple; done"],
    ["search", "10", "4", "7", ""],
    ["search", "3", "2", "2", "Too many\nchoices"],
    ["search", "7", "N/A", "5", "Café crème"],
    ["research", "8", "4", "5", "Good reviews"],
    ["research", "6", "3", "4", ""],
    ["research", "0", "1", "1", "Fake \"reviews\""],
    ["purchase", "10", "5", "7", "One click!"],
    ["purchase", "9", "5", "6", ""],
    ["purchase", "9", "4", "6", "Déjà vu"],
    ["purchase", "-99", "5", "7", ""],
    ["purchase", "5", "2", "3", "Card declined"],
];

const MAP: &str = "journeymap: 1
title: Variants
persona: {name: P}
stages:
  - {id: search, name: Search, touchpoints: [{name: T}]}
  - {id: research, name: Research, touchpoints: [{name: T}]}
  - {id: purchase, name: Purchase, touchpoints: [{name: T}]}
surveys:
  - id: s
    file: answers.csv
    stage_column: stage
    measures: {nps: nps, csat: csat, ces: ces, comment: comment}
    emotion_from: csat
";

fn quote(cell: &str, delim: char) -> String {
    if cell.contains([delim, '"', '\n', ';', ',', '\t']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

fn csv_text(delim: char, eol: &str, mixed: bool, trailing: bool, final_newline: bool) -> String {
    let mut out = String::new();
    let header = ["stage", "nps", "csat", "ces", "comment"];
    let mut lines: Vec<String> = vec![header.join(&delim.to_string())];
    for r in ROWS {
        lines.push(
            r.iter()
                .map(|c| quote(c, delim))
                .collect::<Vec<_>>()
                .join(&delim.to_string()),
        );
    }
    for (i, l) in lines.iter().enumerate() {
        out.push_str(l);
        if trailing {
            out.push(delim);
        }
        if i + 1 < lines.len() || final_newline {
            out.push_str(if mixed && i % 2 == 0 { "\r\n" } else { eol });
        }
    }
    out
}

fn figures(dir: &std::path::Path, bytes: &[u8], extra: &str) -> serde_json::Value {
    std::fs::write(dir.join("answers.csv"), bytes).unwrap();
    std::fs::write(dir.join("m.journey.yaml"), format!("{MAP}{extra}")).unwrap();
    let o = run_in(dir, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let stages: Vec<serde_json::Value> = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| serde_json::json!({"metrics": s["metrics"], "emotion": s["emotion_measured"], "comments": s["comments"], "verbatims": s["verbatims"]}))
        .collect();
    serde_json::json!({"stages": stages, "values_used": v["survey_summary"][0]["values_used"], "values_missing": v["survey_summary"][0]["values_missing"]})
}

#[test]
fn every_way_of_writing_the_file_gives_the_same_figures() {
    let dir = tempdir();
    let reference = figures(
        dir.path(),
        csv_text(',', "\n", false, false, true).as_bytes(),
        "",
    );
    // 12 rows × 3 measures = 36 cells: one N/A and one -99 are missing.
    assert_eq!(reference["values_used"], 34);
    assert_eq!(reference["values_missing"], 2);

    let utf16 = |text: &str, le: bool| -> Vec<u8> {
        let mut out = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    };
    let cp1252 = |text: &str| -> Vec<u8> { encoding_rs::WINDOWS_1252.encode(text).0.into_owned() };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "CRLF",
            csv_text(',', "\r\n", false, false, true).into_bytes(),
            "",
        ),
        (
            "mixed line ends",
            csv_text(',', "\n", true, false, true).into_bytes(),
            "",
        ),
        (
            "no final newline",
            csv_text(',', "\r\n", false, false, false).into_bytes(),
            "",
        ),
        (
            "semicolons",
            csv_text(';', "\n", false, false, true).into_bytes(),
            "",
        ),
        (
            "tabs",
            csv_text('\t', "\r\n", false, false, true).into_bytes(),
            "",
        ),
        (
            "trailing delimiter",
            csv_text(',', "\n", false, true, true).into_bytes(),
            "",
        ),
        (
            "declared delimiter",
            csv_text(';', "\n", false, false, true).into_bytes(),
            "    delimiter: \";\"\n",
        ),
        (
            "UTF-8 BOM",
            [
                b"\xEF\xBB\xBF".as_slice(),
                csv_text(',', "\n", false, false, true).as_bytes(),
            ]
            .concat(),
            "",
        ),
        (
            "UTF-16LE BOM",
            utf16(&csv_text('\t', "\r\n", false, false, true), true),
            "",
        ),
        (
            "UTF-16BE BOM",
            utf16(&csv_text(',', "\n", false, false, true), false),
            "",
        ),
        (
            "Windows-1252 declared",
            cp1252(&csv_text(';', "\r\n", false, false, true)),
            "    encoding: windows-1252\n",
        ),
    ];
    for (name, bytes, extra) in cases {
        let got = figures(dir.path(), &bytes, extra);
        assert_eq!(got, reference, "{name}");
    }
}

#[test]
fn aggregated_rows_give_the_figures_of_the_answers_they_summarise() {
    let dir = tempdir();
    let long = figures(
        dir.path(),
        csv_text(',', "\n", false, false, true).as_bytes(),
        "",
    );
    // The same answers, aggregated by hand per stage (missing codes left out):
    // search   nps 9,10,3,7     -> 2 promoters, 1 passive, 1 detractor
    //          csat 5,4,2       -> n 3, top box 2, mean 11/3
    //          ces 6,7,2,5      -> mean 5, sample sd sqrt(14/3)
    // research nps 8,6,0        -> 0, 1, 2;   csat 4,3,1 -> top 1, mean 8/3;
    //          ces 5,4,1        -> mean 10/3, sd sqrt(13/3)
    // purchase nps 10,9,9,5     -> 3, 0, 1;   csat 5,5,4,5,2 -> top 4, mean 21/5;
    //          ces 7,6,6,7,3    -> mean 29/5, squares 1.44+.04+.04+1.44+7.84 = 10.8, sd sqrt(10.8/4)
    let agg = "stage,measure,n,promoters,passives,detractors,top_box,mean,stddev
search,nps,4,2,1,1,,,
search,csat,3,,,,2,3.6666666666666665,
search,ces,4,,,,,5,2.160246899469287
research,nps,3,0,1,2,,,
research,csat,3,,,,1,2.6666666666666665,
research,ces,3,,,,,3.3333333333333335,2.0816659994661326
purchase,nps,4,3,0,1,,,
purchase,csat,5,,,,4,4.2,
purchase,ces,5,,,,,5.8,1.6431676725154984
";
    std::fs::write(dir.path().join("agg.csv"), agg).unwrap();
    let map = MAP
        .replace("file: answers.csv", "file: agg.csv\n    layout: aggregated")
        .replace("    stage_column: stage\n    measures: {nps: nps, csat: csat, ces: ces, comment: comment}\n", "");
    std::fs::write(dir.path().join("a.journey.yaml"), map).unwrap();
    let o = run_in(dir.path(), &["render", "-f", "json", "a.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for (i, stage) in v["stages"].as_array().unwrap().iter().enumerate() {
        for m in ["nps", "csat", "ces"] {
            let (a, b) = (&stage["metrics"][m], &long["stages"][i]["metrics"][m]);
            assert_eq!(a["n"], b["n"], "{i} {m}");
            for k in ["value", "low", "high"] {
                let (x, y) = (a[k].as_f64().unwrap(), b[k].as_f64().unwrap());
                assert!((x - y).abs() < 1e-9, "stage {i} {m} {k}: {x} vs {y}");
            }
        }
        assert_eq!(stage["emotion_measured"], long["stages"][i]["emotion"]);
    }
}

#[test]
fn a_survey_path_that_is_a_directory_or_a_fifo_fails_fast() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("answers.csv")).unwrap();
    std::fs::write(dir.path().join("m.journey.yaml"), MAP).unwrap();
    let o = crate::util::validate_short(dir.path());
    crate::util::exits_saying(
        &o,
        1,
        crate::util::stdout,
        "error[JM000]: survey file answers.csv is not a regular file",
    );
    #[cfg(unix)]
    {
        let fifo = tempdir();
        let status = std::process::Command::new("mkfifo")
            .arg(fifo.path().join("answers.csv"))
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::write(fifo.path().join("m.journey.yaml"), MAP).unwrap();
        let o = run_in(fifo.path(), &["render", "m.journey.yaml"]);
        assert_eq!(code(&o), 1, "a FIFO is refused, not read forever");
    }
}

#[test]
fn an_unknown_encoding_or_delimiter_is_reported_at_the_binding() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("answers.csv"),
        csv_text(',', "\n", false, false, true),
    )
    .unwrap();
    for (extra, says) in [
        ("    encoding: klingon\n", "unknown encoding `klingon`"),
        ("    delimiter: \"#\"\n", "delimiter `#` is not supported"),
    ] {
        std::fs::write(dir.path().join("m.journey.yaml"), format!("{MAP}{extra}")).unwrap();
        let o = crate::util::validate_short(dir.path());
        assert_eq!(code(&o), 1, "{extra}");
        let out = stdout(&o);
        assert!(
            out.starts_with("m.journey.yaml:10:11: error[JM105]: survey `s` (answers.csv): "),
            "{out}"
        );
        assert!(out.contains(says), "{out}");
    }
}
