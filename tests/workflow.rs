//! Maps that live in git: semantic diff (files and REV:path), directory renders with
//! --check, template export and overrides, Mermaid import, completions and the CI recipe.

use std::path::Path;
use std::process::Command;

use crate::util::{code, root, run, run_in, stderr, stdout, tempdir};

pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A repository holding the toothbrush example (map, themes, persona, survey, tracker
/// exports) at one commit.
fn repo() -> tempfile::TempDir {
    let dir = tempdir();
    let src = root().join("examples/toothbrush");
    let dst = dir.path().join("maps");
    for sub in ["personas", "surveys", "exports"] {
        std::fs::create_dir_all(dst.join(sub)).unwrap();
    }
    for f in [
        "toothbrush.journey.yaml",
        "toothbrush.themes.yaml",
        "personas/maya.yaml",
        "surveys/post-purchase-2026-q3.csv",
        "exports/jira.csv",
        "exports/github.json",
    ] {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    crate::util::without_parent(&dst.join("toothbrush.journey.yaml"));
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "v1"]);
    dir
}

/// `journeymap diff HEAD:maps/toothbrush.journey.yaml maps/toothbrush.journey.yaml ARGS`.
fn diff_head(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec![
        "diff",
        "HEAD:maps/toothbrush.journey.yaml",
        "maps/toothbrush.journey.yaml",
    ];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

/// The toothbrush example rendered as `format`, with the templates of `templates` (a folder)
/// over the built-in ones when given.
fn toothbrush(format: &str, templates: Option<&str>) -> std::process::Output {
    let mut args = vec![
        "render",
        "-f",
        format,
        "examples/toothbrush/toothbrush.journey.yaml",
    ];
    args.extend(templates.iter().flat_map(|t| ["--templates", *t]));
    run(&args)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn diff_against_a_git_revision_reads_the_codebook_of_that_revision() {
    let dir = repo();
    // A term added to the codebook file only: the map itself is unchanged.
    edit(
        &dir.path().join("maps/toothbrush.themes.yaml"),
        "terms: [refund*]",
        "terms: [refund*, printer]",
    );
    let o = diff_head(dir.path(), &["-f", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let changed: Vec<(&str, &str, u64, u64)> = d["themes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let matched = |side: &str| {
                (t[side]["value"].as_f64().unwrap() / 100.0 * t[side]["n"].as_f64().unwrap())
                    .round() as u64
            };
            (
                t["stage"].as_str().unwrap(),
                t["theme"].as_str().unwrap(),
                matched("old"),
                matched("new"),
            )
        })
        .collect();
    // From the survey: 5 comments mention a refund (all in returns), and 7 returns comments
    // mention the printer without one. The old side is HEAD's codebook, read from git.
    assert_eq!(
        changed,
        [("overall", "refund", 5, 12), ("returns", "refund", 5, 12)]
    );
    let o = diff_head(dir.path(), &[]);
    assert!(
        stdout(&o).contains(
            "Returns comments about Refund speed: 18.5% of 27 (95% CI 8.2%–36.7%) → 44.4% of 27"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn diff_against_a_git_revision_reports_changes_by_meaning() {
    let dir = repo();
    let map = dir.path().join("maps/toothbrush.journey.yaml");
    edit(
        &map,
        "    name: Next-day delivery",
        "    name: Next-day delivery and tracking",
    );
    edit(
        &map,
        "    emotion: {score: 0, label: Cautious}",
        "    emotion: {score: -0.5, label: Wary}",
    );
    edit(
        &map,
        "        text: The refund takes up to 10 days\n        severity: high",
        "        text: The refund takes up to 10 days\n        severity: critical",
    );
    // Move "delivery" before "purchase": cut the delivery stage and paste it earlier.
    let text = std::fs::read_to_string(&map).unwrap();
    let start = text.find("\n  - id: delivery\n").unwrap() + 1;
    let end = text.find("\n  - id: returns\n").unwrap() + 1;
    let stage = text[start..end].to_owned();
    let mut moved = text.replacen(&stage, "", 1);
    let at = moved.find("\n  - id: purchase\n").unwrap() + 1;
    moved.insert_str(at, &stage);
    // And a new stage at the end.
    moved = moved.replacen(
        "\nsurveys:",
        "  - id: reorder\n    name: Reorder heads\n    touchpoints: [{name: Subscription email, channel: email}]\n\nsurveys:",
        1,
    );
    std::fs::write(&map, moved).unwrap();
    let o = diff_head(dir.path(), &["-f", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(d["stages_added"][0]["id"], "reorder");
    assert_eq!(d["stages_renamed"][0]["id"], "delivery");
    assert_eq!(
        d["stages_renamed"][0]["name"]["new"],
        "Next-day delivery and tracking"
    );
    assert_eq!(d["stages_moved"][0]["id"], "delivery");
    assert_eq!(d["stages_moved"][0]["position"]["old"], 5);
    assert_eq!(d["stages_moved"][0]["position"]["new"], 4);
    assert_eq!(d["emotions"][0]["stage"], "research");
    assert_eq!(d["emotions"][0]["hand_set"]["new"], -0.5);
    assert_eq!(d["severities"][0]["severity"]["new"], "critical");
    // slow-refund became critical: instant-refund's priority goes from 3×3÷3 = 3 to 5×3÷3 = 5.
    let changed = d["solutions_changed"].as_array().unwrap();
    let refund = changed
        .iter()
        .find(|s| s["id"] == "instant-refund")
        .unwrap();
    assert_eq!(refund["priority"]["old"], 3.0);
    assert_eq!(refund["priority"]["new"], 5.0);
    assert!(
        d["backlog"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "instant-refund")
    );
    // Markdown: a summary line first, then sections.
    let o = diff_head(dir.path(), &[]);
    let md = stdout(&o);
    assert!(
        md.starts_with("**journeymap diff**: 1 stage added, 1 stage renamed, 1 stage moved,"),
        "{md}"
    );
    assert!(md.contains("\n### Stages\n"));
    assert!(md.contains("renamed `delivery`: Next-day delivery → Next-day delivery and tracking"));
    // Human format, no colour when stdout is not a terminal.
    let o = diff_head(dir.path(), &["-f", "human"]);
    assert!(!stdout(&o).contains('\x1b'));
    assert!(stdout(&o).contains("  ~ renamed delivery"));
}

#[test]
fn diff_reports_survey_measures_that_moved_with_their_intervals() {
    let dir = repo();
    let csv = dir.path().join("maps/surveys/post-purchase-2026-q3.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    // Every returns answer becomes delighted: CSAT there moves far outside its interval.
    let happier: String = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            if f.len() > 3 && f[1] == "returns" && f[3] != "N/A" {
                let mut f: Vec<String> = f.iter().map(|s| s.to_string()).collect();
                f[3] = "5".into();
                f.join(",")
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(&csv, happier).unwrap();
    let o = diff_head(dir.path(), &["-f", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let d: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let m = d["measures"].as_array().unwrap();
    let csat = m
        .iter()
        .find(|m| m["stage"] == "returns" && m["measure"] == "csat")
        .unwrap();
    assert_eq!(csat["new"]["value"], 100.0);
    assert_eq!(csat["intervals_overlap"], false);
    assert_eq!(csat["old"]["n"], csat["new"]["n"]);
    // The measured emotion of the stage moved with it.
    let e = d["emotions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["stage"] == "returns")
        .unwrap();
    assert_eq!(e["measured"]["new"], 2.0);
}

#[test]
fn diff_errors_name_the_revision_and_exit_2() {
    let dir = repo();
    let outside = tempdir();
    std::fs::copy(
        dir.path().join("maps/toothbrush.journey.yaml"),
        outside.path().join("m.yaml"),
    )
    .unwrap();
    let map = "maps/toothbrush.journey.yaml";
    // (where, old, new, what stderr says): a revision git lacks (a short history's too, for
    // a file and a folder), a file the revision lacks, and a map outside any repository.
    let cases = [
        (
            dir.path(),
            "nosuch:maps/toothbrush.journey.yaml",
            map,
            "git does not know revision `nosuch`",
        ),
        (
            dir.path(),
            "HEAD~5:maps/toothbrush.journey.yaml",
            "maps/",
            "error: git does not know revision `HEAD~5`",
        ),
        (
            dir.path(),
            "HEAD~5:maps/",
            "maps/",
            "error: git does not know revision `HEAD~5`",
        ),
        (
            dir.path(),
            "HEAD:maps/missing.journey.yaml",
            map,
            "error: cannot read HEAD:maps/missing.journey.yaml from git: no such file in that revision",
        ),
        (
            outside.path(),
            "HEAD:m.yaml",
            "m.yaml",
            "cannot read HEAD:m.yaml from git",
        ),
    ];
    for (at, old, new, says) in cases {
        let o = run_in(at, &["diff", old, new]);
        assert_eq!(code(&o), 2, "{old}");
        assert!(stderr(&o).contains(says), "{old}: {}", stderr(&o));
    }
    // Identical versions: nothing to report.
    let o = diff_head(dir.path(), &[]);
    assert_eq!(
        stdout(&o).lines().next().unwrap(),
        "**journeymap diff**: no changes (`HEAD:maps/toothbrush.journey.yaml` → `maps/toothbrush.journey.yaml`)"
    );
}

#[test]
fn directory_check_reports_stale_missing_and_orphaned_files() {
    let dir = tempdir();
    let site = format!("{}/site/", dir.path().display());
    let o = run(&["render", "examples", "-o", &site]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        code(&run(&["render", "examples", "-o", &site, "--check"])),
        0
    );
    let site = dir.path().join("site");
    std::fs::write(site.join("old-map.html"), "a map that was deleted").unwrap();
    std::fs::remove_file(site.join("toothbrush/toothbrush.html")).unwrap();
    std::fs::write(site.join("saas-onboarding/saas-onboarding.html"), "edited").unwrap();
    std::fs::write(site.join("notes.txt"), "not ours").unwrap();
    let o = run(&[
        "render",
        "examples",
        "-o",
        &format!("{}/", site.display()),
        "--check",
    ]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("missing: ") && err.contains("toothbrush/toothbrush.html"),
        "{err}"
    );
    assert!(
        err.contains("stale: ") && err.contains("saas-onboarding/saas-onboarding.html"),
        "{err}"
    );
    assert!(
        err.contains("orphan (no map renders it): ") && err.contains("old-map.html"),
        "{err}"
    );
    assert!(!err.contains("notes.txt"));
}

#[test]
fn exported_templates_reproduce_the_built_in_output_byte_for_byte() {
    let dir = tempdir();
    let t = dir.path().join("t");
    let o = run(&["templates", "export", t.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for f in [
        "html/map.html.j2",
        "html/summary.html.j2",
        "html/persona.html.j2",
        "html/grid.html.j2",
        "html/said.html.j2",
        "html/themes.html.j2",
        "html/backlog.html.j2",
        "html/surveys.html.j2",
        "html/style.css",
        "markdown/map.md.j2",
        "html/index.html.j2",
        "markdown/index.md.j2",
    ] {
        assert!(t.join(f).is_file(), "{f}");
    }
    let o = run(&["templates", "export", t.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("never overwrites"));
    for format in ["html", "markdown"] {
        let builtin = toothbrush(format, None);
        let exported = toothbrush(format, t.to_str());
        assert!(builtin.stdout == exported.stdout, "{format}");
    }
    // A changed file wins, through the flag or the environment; the others stay built in.
    edit(&t.join("html/style.css"), ":root {", ":root { --custom: 1;");
    let o = crate::util::cmd()
        .args(["render", "examples/toothbrush/toothbrush.journey.yaml"])
        .env("JOURNEYMAP_TEMPLATES", &t)
        .output()
        .unwrap();
    assert!(stdout(&o).contains("--custom: 1;"));
}

/// The page is a skeleton and its parts: a folder holding one part alone (here the backlog)
/// replaces that part, and every other part stays built in.
#[test]
fn one_part_of_the_page_is_overridden_alone() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("html")).unwrap();
    std::fs::write(
        dir.path().join("html/backlog.html.j2"),
        "<section id=\"our-backlog\"><h2>Our {{ backlog|length }} ideas</h2></section>\n",
    )
    .unwrap();
    let builtin = stdout(&toothbrush("html", None));
    let o = toothbrush("html", dir.path().to_str());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.contains("<section id=\"our-backlog\"><h2>Our "),
        "{page}"
    );
    assert!(!page.contains("<h2 id=\"backlog-h\">Opportunity backlog</h2>"));
    // The rest is the built-in page: the same text before and after the backlog.
    let cut = |p: &str| {
        let start = p
            .find("<section aria-labelledby=\"backlog-h\">")
            .or_else(|| p.find("<section id=\"our-backlog\">"))
            .unwrap();
        let end = p[start..].find("</section>").unwrap() + start + "</section>".len();
        (p[..start].to_owned(), p[end..].to_owned())
    };
    assert_eq!(cut(&builtin), cut(&page));
    assert!(page.contains("<h2 id=\"journey-h\">The journey</h2>"));
}

#[test]
fn a_broken_template_names_its_file_and_line_and_exits_2() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("markdown")).unwrap();
    std::fs::write(
        dir.path().join("markdown/map.md.j2"),
        "# {{ title }}\n{% for s in stages %}\n{{ s.name }\n",
    )
    .unwrap();
    let o = toothbrush("markdown", dir.path().to_str());
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}",
            dir.path().join("markdown/map.md.j2").display()
        )),
        "{err}"
    );
    assert!(err.contains(":3)"), "the line: {err}");
    let o = toothbrush("html", Some("no/such/dir"));
    assert_eq!(code(&o), 2);
}

#[test]
fn the_custom_template_example_renders() {
    let o = toothbrush("markdown", Some("examples/custom-template"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = stdout(&o);
    assert!(md.starts_with("# Replacing an electric toothbrush: one-page summary\n"));
    // The backlog's first entry, computed by hand in the guide: (2 + 2) × 3 ÷ 1 = 12.
    assert!(md.contains("1. **A charger and head compatibility table on every brush page** (Reviews and Q\\&A), priority 12, Content team"));
}

#[test]
fn every_mermaid_diagram_imports_into_a_valid_map() {
    let dir = tempdir();
    let mut n = 0;
    for entry in std::fs::read_dir(root().join("tests/fixtures/mermaid")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|e| e != "mmd") {
            continue;
        }
        n += 1;
        let out = dir.path().join(format!(
            "{}.journey.yaml",
            p.file_stem().unwrap().to_string_lossy()
        ));
        let o = run(&[
            "import",
            "mermaid",
            p.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}: {}", p.display(), stderr(&o));
        let o = run(&["validate", "--format", "short", out.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}: {}", p.display(), stdout(&o));
        assert!(!stdout(&o).contains("error"));
    }
    assert_eq!(n, 11);
}

#[test]
fn imports_match_mermaids_own_parse_results() {
    let json = |name: &str| -> serde_json::Value {
        let o = run(&[
            "import",
            "mermaid",
            &format!("tests/fixtures/mermaid/{name}.mmd"),
        ]);
        assert_eq!(code(&o), 0);
        let dir = tempdir();
        let map = dir.path().join("m.journey.yaml");
        std::fs::write(&map, stdout(&o)).unwrap();
        serde_json::from_str(&stdout(&run(&[
            "render",
            "-f",
            "json",
            map.to_str().unwrap(),
        ])))
        .unwrap()
    };
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/fixtures/mermaid/parser_spec_task_definitions.expected.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let map = json("parser_spec_task_definitions");
    let stages = map["stages"].as_array().unwrap();
    for task in expected["tasks"].as_array().unwrap() {
        let stage = stages
            .iter()
            .find(|s| s["name"] == task["section"])
            .unwrap();
        assert!(
            stage["actions"].as_array().unwrap().contains(&task["task"]),
            "{task}"
        );
    }
    // Emotion = mean score − 3, from Mermaid's own scores for each section.
    for stage in stages {
        let scores: Vec<f64> = expected["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["section"] == stage["name"])
            .map(|t| t["score"].as_f64().unwrap())
            .collect();
        let want =
            ((scores.iter().sum::<f64>() / scores.len() as f64 - 3.0) * 100.0).round() / 100.0;
        assert_eq!(
            stage["emotion"]["score"].as_f64().unwrap(),
            want,
            "{}",
            stage["name"]
        );
    }
    // The persona is the actor Mermaid lists most often (Charlie: tasks A, B and D).
    assert_eq!(map["persona"]["name"], "Charlie");

    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("tests/fixtures/mermaid/parser_spec_accdescr_multiline.expected.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let map = json("parser_spec_accdescr_multiline");
    assert_eq!(map["title"], expected["diagramTitle"]);
    assert_eq!(map["description"], expected["accDescription"]);
    // Sections with <br> keep their words; front-matter titles are used.
    assert_eq!(
        json("parser_spec_section_br")["stages"][0]["name"],
        "Line1 Line2 Line3 Line4 Line5"
    );
    assert_eq!(
        json("demos_journey_frontmatter_acc")["title"],
        "My working day"
    );
    assert_eq!(
        json("cypress_empty_section")["stages"][0]["actions"],
        serde_json::json!([])
    );
}

#[test]
fn a_mermaid_syntax_error_is_reported_where_it_is() {
    let o = run(&[
        "import",
        "mermaid",
        "tests/fixtures/invalid/JM200-mermaid-syntax/diagram.mmd",
    ]);
    assert_eq!(code(&o), 1);
    // The first lines are the fixture's `expected.txt` (what `journeymap explain JM200` shows).
    let expected = std::fs::read_to_string(
        root().join("tests/fixtures/invalid/JM200-mermaid-syntax/expected.txt"),
    )
    .unwrap();
    assert_eq!(
        stderr(&o).lines().take(2).collect::<Vec<_>>(),
        expected.lines().collect::<Vec<_>>()
    );
    assert_eq!(stdout(&o), "");
    let o = run(&["import", "mermaid", "no/such.mmd"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = run(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}");
        let text = stdout(&o);
        assert!(
            text.contains("journeymap") && text.contains("render") && text.contains("diff"),
            "{shell}"
        );
    }
    let o = run(&["man"]);
    assert!(
        stdout(&o).starts_with(".ie \\n(.g .ds Aq \\(aq") || stdout(&o).contains(".TH journeymap")
    );
    assert!(stdout(&o).contains("render"));
}

#[test]
fn the_ci_recipe_runs_commands_that_work() {
    let workflow = std::fs::read_to_string(root().join("examples/ci/journeymap.yml")).unwrap();
    let dir = repo();
    // The workflow's commands, on a repository laid out as it expects.
    assert!(workflow.contains("journeymap validate maps/ --format github --strict"));
    let o = run_in(
        dir.path(),
        &["validate", "maps/", "--format", "github", "--strict"],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(workflow.contains("journeymap render maps/ -o docs/maps/ --check"));
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["render", "maps/", "-o", "docs/maps/", "--check"]
        )),
        1,
        "nothing rendered yet"
    );
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["render", "maps/", "-o", "docs/maps/"]
        )),
        0
    );
    assert_eq!(
        code(&run_in(
            dir.path(),
            &["render", "maps/", "-o", "docs/maps/", "--check"]
        )),
        0
    );
    // The diff step itself, run by bash on a pull request that edits one map, adds one and
    // deletes another (the base branch as the remote-tracking ref the step reads).
    let step = workflow
        .split("- name: Diff the maps")
        .nth(1)
        .and_then(|s| s.split("- name: Comment").next())
        .unwrap();
    let script = step
        .trim()
        .strip_prefix("run: ")
        .unwrap()
        .replace("${{ github.base_ref }}", "main");
    git(dir.path(), &["branch", "-f", "main"]);
    git(
        dir.path(),
        &["update-ref", "refs/remotes/origin/main", "main"],
    );
    git(dir.path(), &["checkout", "-q", "-b", "pr"]);
    std::fs::copy(
        dir.path().join("maps/toothbrush.journey.yaml"),
        dir.path().join("maps/second.journey.yaml"),
    )
    .unwrap();
    let second = std::fs::read_to_string(dir.path().join("maps/second.journey.yaml"))
        .unwrap()
        .replacen("title: ", "title: Second ", 1);
    std::fs::write(dir.path().join("maps/second.journey.yaml"), second).unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "second"]);
    git(
        dir.path(),
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
    );
    std::fs::remove_file(dir.path().join("maps/second.journey.yaml")).unwrap();
    let mut edited =
        std::fs::read_to_string(dir.path().join("maps/toothbrush.journey.yaml")).unwrap();
    edited = edited.replacen("title: ", "title: Edited ", 1);
    std::fs::write(dir.path().join("maps/toothbrush.journey.yaml"), &edited).unwrap();
    std::fs::write(
        dir.path().join("maps/third.journey.yaml"),
        edited.replacen("title: ", "title: Third ", 1),
    )
    .unwrap();
    git(dir.path(), &["add", "."]);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_journeymap"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = std::process::Command::new("bash")
        .arg("-euc")
        .arg(&script)
        .current_dir(dir.path())
        .env("PATH", path)
        .env("JOURNEYMAP_TODAY", crate::util::TODAY)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(dir.path().join("diff.md")).unwrap();
    assert!(
        md.starts_with("**journeymap diff** of `origin/main:maps/` → `maps/`: 1 map changed, 1 map added, 1 map removed (0 maps unchanged)"),
        "{md}"
    );
    assert!(md.contains("- ➖ `second.journey.yaml` removed"), "{md}");
    assert!(md.contains("- ➕ `third.journey.yaml` added"), "{md}");
    assert!(
        md.contains("- ✏️ `toothbrush.journey.yaml`: title changed"),
        "{md}"
    );
    let hook = std::fs::read_to_string(root().join("examples/ci/pre-commit-config.yaml")).unwrap();
    assert!(hook.contains("entry: journeymap validate --strict"));
}
