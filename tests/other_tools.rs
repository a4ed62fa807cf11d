//! Exports of tools that have no `source:` of their own (the guide: "Surveys from other
//! tools"): `header_rows:` for a header of several rows, `where: {column: {not: ...}}` for
//! rows to leave out, each refused or reported where it is wrong; and the chapter's three
//! worked examples, whose figures are computed here from their files, independently of
//! journeymap, and must be the ones the chapter states.

use std::path::Path;

use crate::util::{code, root, run_in, stdout, tempdir, validate_buy_map};

const CHAPTER: &str = "docs/other-survey-tools.md";

/// The chapter's complete maps, in order.
fn chapter_maps() -> Vec<String> {
    let text = std::fs::read_to_string(root().join(CHAPTER)).unwrap();
    let mut maps = Vec::new();
    let mut open: Option<String> = None;
    for line in text.lines() {
        match (&mut open, line) {
            (None, "```yaml") => open = Some(String::new()),
            (Some(body), "```") => {
                if body.starts_with("journeymap: 1") {
                    maps.push(body.clone());
                }
                open = None;
            }
            (Some(body), l) => {
                body.push_str(l);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    maps
}

/// The JSON render of `map`, written into `dir` beside the chapter's files.
fn render(dir: &Path, map: &str) -> serde_json::Value {
    std::fs::write(dir.join("m.journey.yaml"), map).unwrap();
    let o = run_in(dir, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", crate::util::stderr(&o));
    let v = run_in(dir, &["validate", "--format", "short", "m.journey.yaml"]);
    assert_eq!(
        stdout(&v),
        "",
        "the worked example validates without a word"
    );
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// The rows of a CSV file under the header rows, with its first header row.
fn rows(file: &str, header_rows: usize) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(root().join("docs/examples").join(file)).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let all: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (all[0].clone(), all[header_rows..].to_vec())
}

/// NPS from 0..10 answers: % promoters − % detractors.
fn nps(answers: &[u32]) -> f64 {
    let n = answers.len() as f64;
    let p = answers.iter().filter(|a| **a >= 9).count() as f64;
    let d = answers.iter().filter(|a| **a <= 6).count() as f64;
    100.0 * (p - d) / n
}

/// The share of answers that `top` admits, in percent.
fn share(answers: &[u32], top: impl Fn(u32) -> bool) -> f64 {
    100.0 * answers.iter().filter(|a| top(**a)).count() as f64 / answers.len() as f64
}

fn close(got: &serde_json::Value, want: f64, n: usize, what: &str) {
    assert_eq!(got["n"].as_u64(), Some(n as u64), "{what}: n");
    let v = got["value"].as_f64().unwrap();
    assert!((v - want).abs() < 1e-9, "{what}: {v} against {want}");
}

#[test]
fn the_worked_examples_give_the_figures_the_chapter_states() {
    // The chapter's words, whatever its line breaks.
    let chapter = std::fs::read_to_string(root().join(CHAPTER))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let maps = chapter_maps();
    assert_eq!(maps.len(), 3, "LimeSurvey, Typeform and SPSS-style maps");
    let dir = tempdir();
    for f in [
        "results-survey482917.csv",
        "typeform-responses.csv",
        "spss-export.csv",
    ] {
        std::fs::copy(root().join("docs/examples").join(f), dir.path().join(f)).unwrap();
    }
    let col = |names: &[String], name: &str| names.iter().position(|n| n == name).unwrap();
    let numbers = |rows: &[&Vec<String>], i: usize, skip: &[&str]| -> Vec<u32> {
        rows.iter()
            .map(|r| r[i].as_str())
            .filter(|c| !c.is_empty() && !skip.contains(c))
            .map(|c| c.parse().unwrap())
            .collect()
    };

    // LimeSurvey: completed responses are the ones with a submit date.
    let (names, all) = rows("results-survey482917.csv", 1);
    let done: Vec<&Vec<String>> = all
        .iter()
        .filter(|r| !r[col(&names, "submitdate")].is_empty())
        .collect();
    assert_eq!((all.len(), done.len()), (24, 20));
    let j = render(dir.path(), &maps[0]);
    let rec = numbers(&done, col(&names, "REC"), &[]);
    close(&j["metrics"]["nps"], nps(&rec), rec.len(), "LimeSurvey NPS");
    assert_eq!(j["metrics"]["nps"]["filtered"], 4);
    let buy = numbers(&done, col(&names, "SAT[BUY]"), &[]);
    let buy_csat = share(&buy, |a| a >= 4);
    close(
        &j["stages"][1]["metrics"]["csat"],
        buy_csat,
        buy.len(),
        "buy CSAT",
    );
    let ease: Vec<u32> = done
        .iter()
        .map(|r| r[col(&names, "EASE")].as_str())
        .filter(|c| !c.is_empty())
        .map(|c| c.trim_start_matches("AO").parse().unwrap())
        .collect();
    let mean = ease.iter().sum::<u32>() as f64 / ease.len() as f64;
    close(
        &j["stages"][1]["metrics"]["ces"],
        mean,
        ease.len(),
        "buy CES",
    );
    assert!(chapter.contains(&format!("**{:.0}** on {} answers", nps(&rec), rec.len())));
    assert!(chapter.contains(&format!("{buy_csat:.1}% on {} answers", buy.len())));

    // Typeform: partial responses have no submit date; columns by title and by position.
    let (names, all) = rows("typeform-responses.csv", 1);
    let done: Vec<&Vec<String>> = all
        .iter()
        .filter(|r| !r[col(&names, "Submit Date (UTC)")].is_empty())
        .collect();
    let j = render(dir.path(), &maps[1]);
    let rec = numbers(&done, 1, &[]);
    close(&j["metrics"]["nps"], nps(&rec), rec.len(), "Typeform NPS");
    let stars = numbers(&done, 3, &[]);
    let csat = share(&stars, |a| a >= 4);
    close(
        &j["stages"][1]["metrics"]["csat"],
        csat,
        stars.len(),
        "Typeform CSAT",
    );
    assert_eq!(
        j["stages"][1]["metrics"]["csat"]["question"],
        "Buying in the app"
    );
    let comments = done.iter().filter(|r| !r[4].is_empty()).count();
    assert_eq!(j["comments"].as_u64(), Some(comments as u64));
    assert!(chapter.contains(&format!("**{:.0}** on {} answers", nps(&rec), rec.len())));
    assert!(chapter.contains(&format!("CSAT {csat:.1}%")));

    // SPSS-style: two header rows, 98 and 99 mean no answer, Q2 runs the other way.
    let (names, all) = rows("spss-export.csv", 2);
    let every: Vec<&Vec<String>> = all.iter().collect();
    let j = render(dir.path(), &maps[2]);
    assert_eq!(j["survey_summary"][0]["header_rows"], 2);
    assert_eq!(j["survey_summary"][0]["rows"], 20);
    let rec = numbers(&every, col(&names, "Q1"), &["98", "99"]);
    close(&j["metrics"]["nps"], nps(&rec), rec.len(), "SPSS NPS");
    let q2 = numbers(&every, col(&names, "Q2"), &["98", "99"]);
    let csat = share(&q2, |code| code <= 2);
    close(
        &j["stages"][1]["metrics"]["csat"],
        csat,
        q2.len(),
        "SPSS CSAT",
    );
    assert!(chapter.contains(&format!("**{:.0}** on {} answers", nps(&rec), rec.len())));
    assert!(chapter.contains(&format!("{csat:.1}% on {}", q2.len())));
    let unturned = share(&q2, |code| code >= 4);
    assert!(chapter.contains(&format!("would read {unturned:.1}%")));
}

const ANSWERS: &str =
    "id,submitdate,status,nps\r\n1,2026-10-01,ok,9\r\n2,,ok,10\r\n3,2026-10-02,Preview,3\r\n";

fn survey(extra: &str) -> String {
    format!(
        "surveys:\n  - id: s\n    file: a.csv\n    layout: wide\n{extra}    overall: {{nps: nps}}\n"
    )
}

#[test]
fn not_leaves_out_the_rows_that_hold_a_value() {
    let dir = tempdir();
    let o = validate_buy_map(
        dir.path(),
        "Not",
        ANSWERS,
        &survey("    where: {submitdate: {not: \"\"}, status: {not: [preview]}}\n"),
    );
    assert_eq!(stdout(&o), "", "both values matched rows");
    let j: serde_json::Value = serde_json::from_str(&stdout(&run_in(
        dir.path(),
        &["render", "-f", "json", "m.journey.yaml"],
    )))
    .unwrap();
    // Row 2 has no submit date and row 3 is a preview: only the 9 is left.
    assert_eq!(j["metrics"]["nps"]["n"], 1);
    assert_eq!(j["metrics"]["nps"]["value"], 100.0);
    assert_eq!(j["survey_summary"][0]["rows_filtered"], 2);
    // The binding is shown as written: `diff` compares it.
    assert_eq!(
        j["surveys"][0]["where"],
        serde_json::json!({"submitdate": {"not": ""}, "status": {"not": ["preview"]}})
    );
}

#[test]
fn a_not_that_keeps_nothing_or_names_no_row_is_said() {
    let dir = tempdir();
    let cases = [
        (
            "    where: {status: {not: [OK, preview]}}\n",
            1,
            "m.journey.yaml:10:21: error[JM108]: `where: {status: {not: [\"OK\", \"preview\"]}}` keeps none of the 3 rows of a.csv: every row's `status` is one of the values left out: `OK` (2), `preview` (1)",
        ),
        (
            "    where: {status: {not: [Preveiw]}}\n",
            0,
            "m.journey.yaml:10:21: warning[JM114]: `where:` value `Preveiw` (under `not:`) matches no row of column `status` in a.csv; did you mean `Preview`?",
        ),
        (
            "    where: {status: {nott: ok}}\n",
            1,
            "m.journey.yaml:10:22: error[JM003]: unknown key `nott`; did you mean `not`?",
        ),
    ];
    for (extra, exit, says) in cases {
        let o = validate_buy_map(dir.path(), "Not", ANSWERS, &survey(extra));
        assert_eq!(code(&o), exit, "{extra}: {}", stdout(&o));
        assert!(stdout(&o).contains(says), "{extra}:\n{}", stdout(&o));
    }
}

#[test]
fn header_rows_is_refused_where_it_cannot_be_right() {
    let dir = tempdir();
    let cases = [
        (
            "    header_rows: 0\n",
            "m.journey.yaml:10:18: error[JM105]: `header_rows: 0` is not a number of header rows; write 1 to 20",
        ),
        (
            "    header_rows: 21\n",
            "error[JM105]: `header_rows: 21` is not a number of header rows",
        ),
        (
            "    source: qualtrics\n    header_rows: 2\n",
            "m.journey.yaml:11:18: error[JM105]: `source: qualtrics` reads its own header rows (3, or 2 in exports before 2017); remove `header_rows:`",
        ),
        (
            "    header_rows: 5\n",
            "a.csv:1:1: error[JM106]: the file has 4 rows but `header_rows: 5` says the header alone has 5; lower `header_rows:`",
        ),
    ];
    for (extra, says) in cases {
        let o = validate_buy_map(dir.path(), "Header", ANSWERS, &survey(extra));
        assert_eq!(code(&o), 1, "{extra}: {}", stdout(&o));
        assert!(stdout(&o).contains(says), "{extra}:\n{}", stdout(&o));
    }
    // Three header rows: the answers start at line 4, and lines are counted in the file.
    let o = validate_buy_map(
        dir.path(),
        "Header",
        "id,nps\r\nId,Recommend?\r\n,(0-10)\r\n1,9\r\n2,eleven\r\n",
        &survey("    header_rows: 3\n"),
    );
    assert_eq!(
        stdout(&o),
        "a.csv:5:2: warning[JM102]: nps value `eleven` in column `nps` skipped: not a number\n",
        "the last column is named without the carriage return of its CRLF line end"
    );
}
