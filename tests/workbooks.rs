//! Workbooks (`.xlsx`, `.ods`, `.xls`) through the real binary: each fixture in `fixtures/workbooks/`, made
//! with openpyxl by `make_workbooks.py` from a CSV export in the repository, gives figures
//! byte-identical to its CSV twin; diagnostics name the sheet, row and column a spreadsheet
//! shows; and what is not a readable workbook is refused with what to do.

use crate::util::{code, run, stdout};

const DIR: &str = "tests/fixtures/workbooks";

fn json(map: &str) -> serde_json::Value {
    let o = run(&["render", "-f", "json", map]);
    assert_eq!(code(&o), 0, "{map}: {}", crate::util::stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// Every figure of a render, serialised: overall, per wave, per segment, per stage, and
/// the quoted comments' text.
fn figures(j: &serde_json::Value) -> String {
    let stages: Vec<serde_json::Value> = j["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let quotes: Vec<&serde_json::Value> = s["verbatims"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| &v["text"])
                .collect();
            serde_json::json!([
                s["metrics"],
                s["waves"],
                s["changes"],
                s["segments"],
                s["emotion_measured"],
                quotes
            ])
        })
        .collect();
    serde_json::to_string(&serde_json::json!([
        j["metrics"],
        j["wave_labels"],
        j["waves"],
        j["changes"],
        j["segments"],
        stages
    ]))
    .unwrap()
}

#[test]
fn each_workbook_gives_the_figures_of_its_csv_twin_byte_for_byte() {
    for twin in [
        "toothbrush",
        "returns",
        "ms-forms",
        "qualtrics",
        "surveymonkey",
    ] {
        let csv = json(&format!("{DIR}/{twin}.csv.journey.yaml"));
        let xlsx = json(&format!("{DIR}/{twin}.xlsx.journey.yaml"));
        let (a, b) = (figures(&csv), figures(&xlsx));
        assert!(a.contains("\"n\":"), "{twin}: no figures at all");
        assert_eq!(a, b, "{twin}");
        let summary = |j: &serde_json::Value, k: &str| j["survey_summary"][0][k].clone();
        for k in [
            "rows",
            "rows_filtered",
            "values_used",
            "values_missing",
            "values_skipped",
            "comments",
            "header_rows",
        ] {
            assert_eq!(summary(&csv, k), summary(&xlsx, k), "{twin}: {k}");
        }
        assert!(summary(&xlsx, "sheet").is_string(), "{twin}");
    }
    // The returns twin has waves from dates the workbook typed as dates, and the Microsoft
    // Forms one from US dates typed as dates, where the CSV needs `day_order:`.
    let r = json(&format!("{DIR}/returns.xlsx.journey.yaml"));
    assert_eq!(
        r["wave_labels"],
        serde_json::json!(["2026-Q1", "2026-Q2", "2026-Q3"])
    );
    let m = json(&format!("{DIR}/ms-forms.xlsx.journey.yaml"));
    assert_eq!(m["wave_labels"], serde_json::json!(["2024-09"]));
    // Vendor header rows are read from the sheet as from the CSV.
    let q = json(&format!("{DIR}/qualtrics.xlsx.journey.yaml"));
    assert_eq!(q["survey_summary"][0]["header_rows"], 3);
}

#[test]
fn diagnostics_name_the_sheet_row_and_column() {
    // The same sheet written by openpyxl (.xlsx), odfpy (.ods) and xlwt (.xls).
    for ext in ["xlsx", "ods", "xls"] {
        let dir = crate::util::tempdir();
        let file = format!("pulse.{ext}");
        std::fs::copy(format!("{DIR}/row-numbers.{ext}"), dir.path().join(&file)).unwrap();
        std::fs::write(
            dir.path().join("m.journey.yaml"),
            format!("journeymap: 1\ntitle: W\npersona: {{name: P}}\nstages:\n  - {{id: pay, name: Pay, touchpoints: [{{name: T}}]}}\nsurveys:\n  - id: s\n    file: {file}\n    stage_column: stage\n    measures: {{csat: csat, comment: comment}}\n"),
        )
        .unwrap();
        let o = crate::util::validate_short(dir.path());
        // Row 3 holds a comment with a line break; the value off the scale is on row 6,
        // column B.
        assert_eq!(
            stdout(&o),
            format!(
                "{file}[Pulse]:6:2: warning[JM102]: csat value `9` in column `csat` skipped: outside the scale 1..5\n"
            )
        );
        // The quoted comments keep their line break and name their sheet row.
        let j: serde_json::Value = serde_json::from_str(&stdout(&crate::util::run_in(
            dir.path(),
            &["render", "-f", "json", "m.journey.yaml"],
        )))
        .unwrap();
        assert_eq!(j["stages"][0]["metrics"]["csat"]["n"], 5, "{ext}");
        let quotes = j["stages"][0]["verbatims"].as_array().unwrap();
        let line_of = |t: &str| quotes.iter().find(|v| v["text"] == t).unwrap()["line"].clone();
        assert_eq!(line_of("Quick,\nand no surprises"), 3, "{ext}");
        assert_eq!(line_of("off the scale"), 6, "{ext}");
    }
}

#[test]
fn what_is_not_a_readable_workbook_is_refused_with_what_to_do() {
    let dir = crate::util::tempdir();
    for f in [
        "renamed.xlsx",
        "damaged.xlsx",
        "protected.xlsx",
        "toothbrush.xlsx",
    ] {
        std::fs::copy(format!("{DIR}/{f}"), dir.path().join(f)).unwrap();
    }
    let cases = [
        (
            "renamed.xlsx",
            "",
            "the file is named .xlsx but holds text, not a workbook (a CSV export renamed?); give it the .csv name it should have",
        ),
        (
            "damaged.xlsx",
            "",
            "cannot read the workbook (invalid Zip archive: Could not find EOCD); it may be damaged",
        ),
        (
            "protected.xlsx",
            "",
            "the workbook is password-protected; remove the password",
        ),
        (
            "toothbrush.xlsx",
            "    sheet: Respones\n",
            "the workbook has no sheet `Respones`; its sheets are `About`, `Responses`; did you mean `Responses`?",
        ),
        (
            "toothbrush.xlsx",
            "    sheet: 3\n",
            "`sheet: 3` asks for sheet 3, but the workbook has 2 (`About`, `Responses`)",
        ),
    ];
    for (file, sheet, want) in cases {
        std::fs::write(
            dir.path().join("m.journey.yaml"),
            format!("journeymap: 1\ntitle: W\npersona: {{name: P}}\nstages:\n  - {{id: pay, name: Pay, touchpoints: [{{name: T}}]}}\nsurveys:\n  - id: s\n    file: {file}\n{sheet}    stage_column: stage\n    measures: {{csat: csat}}\n"),
        )
        .unwrap();
        let o = crate::util::validate_short(dir.path());
        assert_eq!(code(&o), 1, "{file}");
        let out = stdout(&o);
        assert!(
            out.starts_with(&format!(
                "m.journey.yaml:8:11: error[JM122]: survey `s` ({file}): {want}"
            )),
            "{out}"
        );
    }
    // The second sheet by number is the data sheet.
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        "journeymap: 1\ntitle: W\npersona: {name: P}\nstages:\n  - {id: pay, name: Pay, touchpoints: [{name: T}]}\nsurveys:\n  - id: s\n    file: toothbrush.xlsx\n    sheet: 2\n    stage_column: stage\n    measures: {csat: csat}\n",
    )
    .unwrap();
    let o = crate::util::run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
}

/// The count of the skipped values not reported one by one stands at a row that holds one
/// of them: a sheet row, not mapped again as if it were a CSV line (it pointed at row 54 of a
/// workbook whose skipped values start at row 79).
#[test]
fn the_count_of_more_skipped_values_stands_at_a_row_that_holds_one() {
    let dir = crate::util::tempdir();
    // After row 7: an empty row 8, then rows 20..=29 with an answer off the scale, each
    // under a comment of three lines.
    let mut rows = String::new();
    for r in 20..30 {
        rows.push_str(&format!(
            "<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>pay</t></is></c><c r=\"B{r}\" t=\"n\"><v>7</v></c><c r=\"C{r}\" t=\"inlineStr\"><is><t>one\ntwo\nthree</t></is></c></row>"
        ));
    }
    crate::util::row_numbers_xlsx_with(&dir.path().join("p.xlsx"), &rows, 29);
    std::fs::write(
        dir.path().join("m.journey.yaml"),
        "journeymap: 1\ntitle: W\npersona: {name: P}\nstages:\n  - {id: pay, name: Pay, touchpoints: [{name: T}]}\nsurveys:\n  - id: s\n    file: p.xlsx\n    stage_column: stage\n    measures: {csat: csat, comment: comment}\n",
    )
    .unwrap();
    let o = crate::util::validate_short(dir.path());
    let text = stdout(&o);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("warning[JM102]"))
        .map(|l| l.split(':').nth(1).unwrap())
        .collect();
    // Row 6 (a 9), then 20 and 21 one by one, then the count at the last of them.
    assert_eq!(rows, ["6", "20", "21", "21"], "{text}");
    assert!(
        text.contains("8 more csat values in column `csat` were skipped (11 in all)"),
        "{text}"
    );
}
