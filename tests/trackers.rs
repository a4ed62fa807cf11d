//! Tracker exports and tickets (the guide: "Tickets and trackers"), on real exports from
//! public repositories (`tests/fixtures/trackers/README.md` says where each came from): each
//! kind of drift at its solution's line, none where map and tracker agree, a ticket the
//! export lacks with the nearest key, and the bindings that cannot work refused at their
//! lines.

use serde_json::Value;

use crate::util::{code, run, run_in, stdout, tempdir};

const DRIFT: &str = "tests/fixtures/trackers/drift.journey.yaml";

/// `validate --format json` of a map: one diagnostic per line, as (code, line, message).
fn said(args: &[&str]) -> Vec<(String, u64, String)> {
    let mut all = vec!["validate", "--format", "json"];
    all.extend_from_slice(args);
    let out = run(&all);
    stdout(&out)
        .lines()
        .map(|l| {
            let d: Value = serde_json::from_str(l).unwrap();
            (
                d["code"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The lines of `drift.journey.yaml` where each solution begins (its `- id:` line).
fn solution_lines() -> Vec<(String, u64)> {
    let text = std::fs::read_to_string(crate::util::root().join(DRIFT)).unwrap();
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let id = l.trim().strip_prefix("- id: ")?;
            let n = u64::try_from(i + 1).unwrap();
            Some((id.to_owned(), n))
        })
        .filter(|(id, _)| id.contains('-'))
        .collect()
}

#[test]
fn each_kind_of_drift_is_said_at_its_solution_and_agreement_is_silent() {
    let diags = said(&[DRIFT]);
    let lines = solution_lines();
    let line_of = |id: &str| lines.iter().find(|(i, _)| i == id).unwrap().1;
    let at = |id: &str| -> Vec<&(String, u64, String)> {
        diags
            .iter()
            .filter(|(_, _, m)| m.starts_with(&format!("solution `{id}`:")))
            .collect()
    };
    // (solution, what the warning must say): the tracker done and the map not; the map done
    // and the ticket open; closed without the work while the map says done; the map dropped
    // and the ticket open; on Jira Cloud, Jira Server with `done:`, Linear and GitHub.
    let drifts = [
        (
            "jira-done-map-not",
            "ticket CS4483-12 was done in jira on 2026-02-15 (Done), but the solution is `in-progress`",
        ),
        (
            "jira-open-map-done",
            "the solution is `done` but ticket CS4483-42 is still open in jira (In Progress)",
        ),
        (
            "linear-canceled-map-done",
            "ticket CLA-2 was closed without the work in linear on 2023-02-11 (Canceled), but the solution is `done`: it was dropped, not done",
        ),
        (
            "linear-open-map-dropped",
            "the solution is `dropped` but ticket CLA-1 is still open in linear (In Progress)",
        ),
        (
            "gh-closed-map-idea",
            "ticket #1715 was closed in gh on 2026-01-29, but the solution is `idea`: set `status: done`, or `status: dropped` if it was closed as not planned",
        ),
        (
            "gh-not-planned-map-done",
            "ticket #154 was closed without the work in reasons on 2026-08-19 (Closed as not planned), but the solution is `done`",
        ),
        (
            "uat-reopened-map-done",
            "the solution is `done` but ticket HOINC-1485 is still open in uat (Reopened)",
        ),
    ];
    for (id, text) in drifts {
        let found = at(id);
        assert_eq!(found.len(), 1, "{id}: {diags:?}");
        let (code, line, message) = found[0];
        assert_eq!(code, "JM057");
        assert_eq!(*line, line_of(id), "{id} is said at the solution's line");
        assert!(message.contains(text), "{id}: {message}");
    }
    // The export lacks CS4438-12 (two digits swapped): said at its `ticket:` line, with
    // the key the export holds.
    let missing = at("jira-missing");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].1, line_of("jira-missing") + 4);
    assert!(
        missing[0].2.contains("did you mean `CS4483-12`?"),
        "{}",
        missing[0].2
    );
    // Agreement is silent: done and done (Jira's `Status Category`, Linear's `Completed`,
    // a `done:` status), open and planned (a key written in lower case is the same key),
    // dropped and canceled, in progress and open; dropped and closed where the GitHub list
    // cannot say as what (it has no `stateReason`).
    for id in [
        "jira-agree-done",
        "jira-agree-open",
        "linear-agree-done",
        "linear-agree-dropped",
        "gh-agree-open",
        "gh-closed-map-dropped",
        "uat-agree-done",
    ] {
        assert!(at(id).is_empty(), "{id}: {diags:?}");
    }
    assert_eq!(diags.len(), drifts.len() + 1, "{diags:?}");
}

#[test]
fn the_json_carries_each_ticket_with_its_tracker_status() {
    let out = run(&["render", "-f", "json", "-o", "-", DRIFT]);
    assert_eq!(code(&out), 0);
    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    let solutions: Vec<&Value> = page["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["solutions"].as_array().unwrap())
        .collect();
    let ticket = |id: &str| &solutions.iter().find(|s| s["id"] == id).unwrap()["ticket"];
    let t = ticket("jira-done-map-not");
    assert_eq!(t["tracker"], "jira");
    assert_eq!(t["key"], "CS4483-12");
    assert_eq!(t["status"], "Done");
    assert_eq!(t["done"], true);
    assert_eq!(t["resolved"], "2026-02-15");
    assert_eq!(t["url"], "https://cs4483.atlassian.net/browse/CS4483-12");
    assert!(t["drift"].as_str().unwrap().contains("set `status: done`"));
    // The export's own key is shown (`cs4483-13` in the map).
    assert_eq!(ticket("jira-agree-open")["key"], "CS4483-13");
    assert_eq!(ticket("jira-agree-open")["drift"], Value::Null);
    // Dropped is not done; a GitHub list's own URL comes first.
    let t = ticket("gh-not-planned-map-done");
    assert_eq!(
        (t["done"].clone(), t["state"].clone()),
        (Value::Bool(false), Value::from("dropped"))
    );
    assert_eq!(t["url"], "https://github.com/acme/shop/issues/154");
    // A Jira export without `Resolved` gives no day; no `url:`, no link.
    let t = ticket("uat-agree-done");
    assert_eq!(
        (t["resolved"].clone(), t["url"].clone()),
        (Value::Null, Value::Null)
    );
    let t = ticket("jira-missing");
    assert_eq!(
        (t["state"].clone(), t["status"].clone()),
        (Value::from("missing"), Value::Null)
    );
}

#[test]
fn the_page_links_each_ticket_and_says_its_drift() {
    let dir = tempdir();
    let html = dir.path().join("drift.html");
    let out = run(&["render", DRIFT, "-o", html.to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains(
        "Ticket <a href=\"https:&#x2f;&#x2f;cs4483.atlassian.net&#x2f;browse&#x2f;CS4483-12\""
    ));
    assert!(page.contains("CS4483-12</a>: Done in jira since <time datetime=\"2026-02-15\">"));
    assert_eq!(page.matches("class=\"small drift\"").count(), 8);
    let md = run(&["render", "-f", "markdown", "-o", "-", DRIFT]);
    let md = stdout(&md);
    assert!(md.contains("[CLA-2](<https://linear.app/claw/issue/CLA-2>) (Canceled, 2023-02-11)"));
    assert!(md.contains("HOINC-1485 (Reopened)"));
    assert_eq!(md.matches("⚠ **Drift**").count(), 8);
}

/// A map in a temporary folder with the real exports beside it.
fn with_exports(map: &str) -> tempfile::TempDir {
    let dir = tempdir();
    let from = crate::util::root().join("tests/fixtures/trackers");
    for f in std::fs::read_dir(&from).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|e| e == "csv" || e == "json") {
            std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    dir
}

fn one_solution(trackers: &str, ticket: &str, status: &str) -> String {
    format!(
        "journeymap: 1
title: T
persona: {{name: Sam}}
trackers:
{trackers}
stages:
  - id: a
    name: A
    touchpoints: [{{name: Web}}]
    pain_points: [{{id: p, text: P}}]
    solutions:
      - id: s
        text: S
        addresses: [p]
        status: {status}
        ticket: \"{ticket}\"
"
    )
}

/// What `validate` says of a map in a folder with the real exports beside it.
fn said_of(map: &str) -> String {
    short(&with_exports(map))
}

fn short(dir: &tempfile::TempDir) -> String {
    short_in(dir.path())
}

/// `validate --format short` of `m.journey.yaml` in `dir`, reading only that folder.
fn short_in(dir: &std::path::Path) -> String {
    let out = run_in(
        dir,
        &[
            "validate",
            "--root",
            ".",
            "--format",
            "short",
            "m.journey.yaml",
        ],
    );
    stdout(&out)
}

#[test]
fn bindings_that_cannot_work_are_refused_at_their_lines() {
    // A `done:` status the export lacks: every ticket would be judged open.
    let t = "  - {id: uat, file: jira-current-fields-hoinc.csv, format: jira, done: [Closed, Verifed - UAT]}";
    let s = said_of(&one_solution(t, "HOINC-1962", "done"));
    assert!(s.contains("m.journey.yaml:5:81: error[JM160]: tracker `uat` (jira-current-fields-hoinc.csv): `done:` names `Verifed - UAT`, which no ticket of the export has; did you mean `Verified - UAT`? It holds: Closed, Reopened, Test in UAT, Verified - UAT"), "{s}");
    // A tracker the map lacks, with the nearest id; a bare key among several trackers.
    let t = "  - {id: jira, file: jira-cloud-cs4483.csv, format: jira}\n  - {id: gh, file: github-etp-express.json, format: github}";
    let s = said_of(&one_solution(t, "jria:CS4483-7", "done"));
    assert!(s.contains(":17:17: error[JM028]: solution `s`: ticket `jria:CS4483-7` names tracker `jria`, which the map lacks (did you mean `jira`?); its trackers: jira, gh"), "{s}");
    let s = said_of(&one_solution(t, "CS4483-7", "done"));
    assert!(s.contains("error[JM028]: solution `s`: ticket `CS4483-7` does not say which tracker holds it: write `jira:CS4483-7`"), "{s}");
    assert!(
        said_of(&one_solution(t, "gh:latest", "done"))
            .contains("a GitHub issue is named by its number (`gh:#42`)")
    );
    // No trackers at all.
    assert!(
        said_of(&one_solution("  []", "CX-1", "done").replace("trackers:\n  []\n", ""))
            .contains("the map has no `trackers:` export to find it in")
    );
    // A `url:` without the key's place.
    let t = "  - {id: jira, file: jira-cloud-cs4483.csv, format: jira, url: \"https://x.atlassian.net/browse/\"}";
    assert!(said_of(&one_solution(t, "CS4483-7", "done")).contains("`url:` has no `{key}`"));
}

#[test]
fn an_export_in_another_language_is_told_how_to_read_it() {
    // Jira writes column names in the exporting user's language.
    let t = "  - {id: jira, file: jira-es-helpdesk.csv, format: jira}";
    let dir = with_exports(&one_solution(t, "IHS-5", "done"));
    let s = short(&dir);
    assert!(
        s.contains("error[JM160]")
            && s.contains("no `Issue key` column")
            && s.contains("its first columns: Resumen, Clave de incidencia"),
        "{s}"
    );
    assert!(s.contains("name the columns under `columns:`"));
    // Named, but without `done:`: the statuses are in Spanish too.
    let cols = "columns: {key: Clave de incidencia, title: Resumen, status: Estado, resolution: Resolución, resolved: Resuelta}";
    let t = format!("  - {{id: jira, file: jira-es-helpdesk.csv, format: jira, {cols}}}");
    assert!(
        said_of(&one_solution(&t, "IHS-5", "done"))
            .contains("list the statuses that mean done under `done:`")
    );
    // With both, the tickets are read: IHS-5 is `Completado`, done, as the map says.
    let t = format!(
        "  - {{id: jira, file: jira-es-helpdesk.csv, format: jira, done: [Completado, Resuelta], {cols}}}"
    );
    assert_eq!(said_of(&one_solution(&t, "IHS-5", "done")), "");
    let s = said_of(&one_solution(&t, "IHS-5", "planned"));
    assert!(
        s.contains("ticket IHS-5 was done in jira (Completado), but the solution is `planned`"),
        "{s}"
    );
}

#[test]
fn a_list_that_is_not_gh_json_is_refused_and_no_script_url_is_linked() {
    let t = "  - {id: gh, file: issues.json, format: github}";
    let dir = with_exports(&one_solution(t, "#1", "done"));
    std::fs::write(
        dir.path().join("issues.json"),
        "[{\"number\": 1, \"state\": \"CLOSED\",\n \"title\": oops}]",
    )
    .unwrap();
    let s = short(&dir);
    assert!(
        s.contains(
            "issues.json:2:11: error[JM160]: the export is not the JSON list `gh issue list"
        ),
        "{s}"
    );
    std::fs::write(
        dir.path().join("issues.json"),
        r#"[{"number":1,"state":"CLOSED","stateReason":"COMPLETED","url":"javascript:alert(1)","closedAt":"2026-01-02T00:00:00Z"}]"#,
    )
    .unwrap();
    assert_eq!(short(&dir), "");
    let out = run_in(
        dir.path(),
        &[
            "render",
            "--root",
            ".",
            "-f",
            "json",
            "-o",
            "-",
            "m.journey.yaml",
        ],
    );
    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &page["stages"][0]["solutions"][0]["ticket"];
    assert_eq!(t["url"], Value::Null, "{t}");
    assert_eq!(t["resolved"], "2026-01-02");
}

#[test]
fn diff_names_tickets_that_moved_and_drift_that_appeared() {
    let t = "  - {id: linear, file: linear-shortcut-repl.csv, format: linear}";
    let dir = with_exports(&one_solution(t, "CLA-1", "in-progress"));
    std::fs::copy(
        dir.path().join("m.journey.yaml"),
        dir.path().join("old.journey.yaml"),
    )
    .unwrap();
    // The ticket was completed in Linear; the map was not told.
    let csv = std::fs::read_to_string(dir.path().join("linear-shortcut-repl.csv")).unwrap();
    let moved = csv.replacen(
        "\"CLA-1\",\"Claw\",\"First Claw\",,\"In Progress\"",
        "\"CLA-1\",\"Claw\",\"First Claw\",,\"Done\"",
        1,
    );
    assert_ne!(moved, csv);
    // The `Completed` column (the 19th) gets the day.
    let mut rows: Vec<String> = moved.lines().map(str::to_owned).collect();
    let mut rdr = csv::ReaderBuilder::new().from_reader(moved.as_bytes());
    let mut rec: Vec<String> = rdr
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    rec[18] = "Mon Mar 06 2023 10:00:00 GMT+0000 (GMT)".to_owned();
    rows[1] = rec
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(",");
    let mut text = rows.join("\n");
    text.push('\n');
    std::fs::write(dir.path().join("linear-new.csv"), text).unwrap();
    let new = one_solution(
        "  - {id: linear, file: linear-new.csv, format: linear}",
        "CLA-1",
        "in-progress",
    );
    std::fs::write(dir.path().join("m.journey.yaml"), new).unwrap();
    let d = crate::util::diff_json(dir.path(), "old.journey.yaml", "m.journey.yaml");
    let tickets = d["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1, "{d}");
    assert_eq!(tickets[0]["solution"], "s");
    assert_eq!(tickets[0]["ticket"], "linear:CLA-1");
    assert_eq!(tickets[0]["status"]["old"], "In Progress");
    assert_eq!(tickets[0]["status"]["new"], "Done");
    assert_eq!(tickets[0]["drift"]["old"], Value::Null);
    assert!(
        tickets[0]["drift"]["new"]
            .as_str()
            .unwrap()
            .contains("was done in linear on 2023-03-06")
    );
}

#[test]
fn the_chapter_says_what_validate_says_of_its_map() {
    let chapter = std::fs::read_to_string(crate::util::root().join("docs/tickets.md")).unwrap();
    let map = chapter
        .split("```yaml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let dir = tempdir();
    for f in ["tickets-jira.csv", "tickets-github.json"] {
        std::fs::copy(
            crate::util::root().join("docs/examples").join(f),
            dir.path().join(f),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("m.journey.yaml"), map).unwrap();
    let said = short(&dir);
    let shown: Vec<&str> = chapter
        .lines()
        .filter(|l| l.starts_with("warning[JM057]"))
        .collect();
    assert_eq!(shown.len(), 3);
    for line in shown {
        let (_, message) = line.split_once(": ").unwrap();
        assert!(
            said.contains(message),
            "the chapter says `{message}`, validate says:\n{said}"
        );
    }
    assert_eq!(said.lines().count(), 3, "{said}");
}

#[test]
fn an_export_saved_again_with_semicolons_reads_the_same() {
    let t = "  - {id: uat, file: semi.csv, format: jira, done: [Closed, Verified - UAT]}";
    let dir = with_exports(&one_solution(t, "HOINC-1485", "done"));
    let text = std::fs::read_to_string(dir.path().join("jira-current-fields-hoinc.csv")).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    for r in rdr.records() {
        out.write_record(&r.unwrap()).unwrap();
    }
    std::fs::write(dir.path().join("semi.csv"), out.into_inner().unwrap()).unwrap();
    // The same drift as from the comma-separated export: HOINC-1485 was reopened.
    let s = short(&dir);
    assert!(
        s.contains("the solution is `done` but ticket HOINC-1485 is still open in uat (Reopened)"),
        "{s}"
    );
}

#[test]
fn an_export_outside_the_folder_the_map_may_read_is_refused_unread() {
    let outer = tempdir();
    std::fs::write(
        outer.path().join("secret.csv"),
        "Summary,Issue key,Status\nS,CX-1,Done\n",
    )
    .unwrap();
    let inner = outer.path().join("repo");
    std::fs::create_dir_all(&inner).unwrap();
    let t = "  - {id: jira, file: ../secret.csv, format: jira}";
    std::fs::write(
        inner.join("m.journey.yaml"),
        one_solution(t, "CX-1", "done"),
    )
    .unwrap();
    let s = short_in(&inner);
    assert!(s.contains("error[JM007]: tracker `jira`: file"), "{s}");
    assert!(!s.contains("CX-1 was") && !s.contains("Summary"), "{s}");
}

#[test]
fn a_key_twice_and_many_unreadable_dates_are_said_at_their_lines() {
    let t = "  - {id: jira, file: j.csv, format: jira}";
    let dir = with_exports(&one_solution(t, "CX-1", "done"));
    let mut csv = String::from("Summary,Issue key,Status,Resolved\n");
    for i in 1..=7 {
        csv.push_str(&format!("S,CX-{i},Done,sometime\n"));
    }
    std::fs::write(dir.path().join("j.csv"), &csv).unwrap();
    let s = short(&dir);
    // The first five at their line and column, then how many more; the ticket is still read.
    for line in 2..=6 {
        let want = format!("j.csv:{line}:4: warning[JM161]: ticket `CX-{}`", line - 1);
        assert!(s.contains(&want), "{want}\n{s}");
    }
    assert!(
        s.contains("j.csv:6:4: warning[JM161]: and 2 more dates that cannot be read"),
        "{s}"
    );
    assert!(!s.contains("JM057"), "{s}");
    csv.push_str("Again,CX-3,Done,\n");
    std::fs::write(dir.path().join("j.csv"), &csv).unwrap();
    let s = short(&dir);
    assert!(
        s.contains("j.csv:9:1: error[JM160]: ticket `CX-3` is in the export twice (first on line 4): export each ticket once"),
        "{s}"
    );
}
