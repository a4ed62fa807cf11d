//! One folder per diagnostic under `fixtures/invalid/`, named after its code: each is
//! validated in the human and short formats and compared with its snapshot (exit code
//! included). Adding a case means adding a folder.

use std::collections::BTreeSet;

use journeymap::diagnostic::Code;

use crate::util::{code, rel, root, run, stdout};

#[test]
fn each_invalid_fixture_reports_exactly_what_its_snapshot_says() {
    insta::glob!("fixtures/invalid/*/map.journey.yaml", |path| {
        let map = rel(path);
        let human = run(&["validate", &map]);
        let short = run(&["validate", "--format", "short", &map]);
        assert_eq!(code(&human), code(&short));
        // The folder name starts with the code the fixture is about.
        let case = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        if let Some(expected) = case.split('-').next().filter(|c| c.starts_with("JM")) {
            assert!(
                stdout(&short).contains(&format!("[{expected}]")),
                "{case}: {}",
                stdout(&short)
            );
            let warning = Code::ALL.iter().any(|c| {
                c.id() == expected && c.severity() == journeymap::diagnostic::Severity::Warning
            });
            let want = i32::from(!warning);
            assert_eq!(code(&short), want, "{case}");
        }
        insta::assert_snapshot!(format!(
            "exit {}\n--- short\n{}--- human\n{}",
            code(&short),
            stdout(&short),
            stdout(&human)
        ));
    });
}

#[test]
fn every_diagnostic_code_has_a_fixture_and_an_entry_in_the_guide() {
    let cases: BTreeSet<String> = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy()[..5].to_owned())
        .collect();
    let readme = std::fs::read_to_string(root().join("docs/validation.md")).unwrap();
    for code in Code::ALL {
        let id = code.id();
        assert!(
            cases.contains(id),
            "no fixture for {id} ({})",
            code.summary()
        );
        assert!(
            readme.contains(&format!("| {id} |")),
            "docs/validation.md does not list {id}"
        );
    }
    // And the other way: every code the guide's table lists is a code journeymap has,
    // and warnings are marked as such there.
    for line in readme.lines() {
        let Some(rest) = line.strip_prefix("| JM") else {
            continue;
        };
        let id = format!("JM{}", &rest[..3]);
        let code = Code::ALL
            .iter()
            .find(|c| c.id() == id)
            .unwrap_or_else(|| panic!("docs/validation.md lists {id}, which is no code"));
        let says_warning = rest[3..]
            .trim_start_matches(" |")
            .trim()
            .starts_with("warning:");
        assert_eq!(
            says_warning,
            code.severity() == journeymap::diagnostic::Severity::Warning,
            "The guide and the registry disagree on {id}'s severity"
        );
    }
}

#[test]
fn warnings_fail_under_strict() {
    for case in ["JM050-stage-without-touchpoints", "JM052-no-persona"] {
        let map = format!("tests/fixtures/invalid/{case}/map.journey.yaml");
        assert_eq!(code(&run(&["validate", &map])), 0);
        assert_eq!(code(&run(&["validate", "--strict", &map])), 1);
        assert_eq!(code(&run(&["render", "--strict", &map])), 1);
        // Without --strict a map with warnings renders.
        assert_eq!(code(&run(&["render", &map])), 0);
    }
}

#[test]
fn max_age_sets_how_old_a_review_may_be() {
    let map = "tests/fixtures/invalid/JM054-review-overdue/map.journey.yaml";
    // Reviewed 2025-01-31; the tests run on 2026-11-22: 660 days earlier.
    let o = run(&["validate", "--format", "short", "--max-age", "659", map]);
    assert!(stdout(&o).contains("660 days ago"));
    let o = run(&["validate", "--format", "short", "--max-age", "660", map]);
    assert_eq!(stdout(&o), "");
    // render does not judge age.
    let o = run(&["render", "--strict", map]);
    assert_eq!(code(&o), 0);
}

#[test]
fn json_and_github_formats_carry_the_same_diagnostics() {
    let map = "tests/fixtures/invalid/combined-three-errors/map.journey.yaml";
    let json = stdout(&run(&["validate", "--format", "json", map]));
    let lines: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let codes: Vec<&str> = lines.iter().map(|l| l["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["JM012", "JM011", "JM010"]);
    for l in &lines {
        let keys: Vec<&String> = l.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["code", "column", "file", "line", "message", "severity"]
        );
    }
    assert_eq!(lines[2]["line"], 13);
    assert_eq!(lines[2]["column"], 9);
    let gh = stdout(&run(&["validate", "--format", "github", map]));
    assert_eq!(gh.lines().count(), 3);
    assert!(
        gh.lines()
            .all(|l| l.starts_with(&format!("::error file={map},line=")))
    );
    assert!(gh.contains(",line=13,col=9::[JM010] duplicate stage id `browse`"));
}

#[test]
fn the_architecture_layout_lists_every_source_file_and_no_other() {
    let readme = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let listed: BTreeSet<String> = readme
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.starts_with("src/") && w.ends_with(".rs"))
        .map(str::to_owned)
        .collect();
    let files: BTreeSet<String> = crate::util::walk(&root().join("src"))
        .iter()
        .map(|p| rel(p))
        .filter(|p| p.ends_with(".rs"))
        .collect();
    assert_eq!(listed, files);
}

/// `journeymap explain` answers for every code of the registry: its summary, a fix, and the
/// code's fixture with the report that names the code; an unknown code is refused (exit 2)
/// with the nearest one.
#[test]
fn explain_answers_for_every_code_with_a_map_that_gets_it() {
    for c in Code::ALL {
        let o = run(&["explain", c.id()]);
        assert_eq!(code(&o), 0, "{}", c.id());
        let text = stdout(&o);
        assert!(text.starts_with(&format!("{} (", c.id())), "{text}");
        assert!(text.contains(c.summary()), "{text}");
        assert!(text.contains("How to fix it: "), "{text}");
        assert!(
            text.contains(&format!("[{}]", c.id())),
            "{}: the example's report does not name the code:\n{text}",
            c.id()
        );
    }
    // Lower case and bare numbers are the same code.
    assert_eq!(
        stdout(&run(&["explain", "jm108"])),
        stdout(&run(&["explain", "108"]))
    );
    let o = run(&["explain", "JM10"]);
    assert_eq!(code(&o), 2);
    let err = crate::util::stderr(&o);
    assert!(
        err.contains("there is no diagnostic code `JM10`; did you mean JM101?"),
        "{err}"
    );
}
