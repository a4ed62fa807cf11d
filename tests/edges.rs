//! Sharp edges found by hand, one test each: small wrong results, leftovers and surprises.

use std::path::Path;

use crate::util::{code, root, run_in, stderr, stdout, tempdir};

const MAP: &str = "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\n";

fn write(dir: &Path, name: &str, text: &str) {
    if let Some(parent) = dir.join(name).parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn one_map_into_an_existing_folder_writes_no_index() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "m.journey.yaml", MAP);
    write(p, "site/index.html", "<p>my own index</p>");
    let o = run_in(p, &["render", "m.journey.yaml", "-o", "site"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(p.join("site/m.html").is_file());
    assert_eq!(
        std::fs::read_to_string(p.join("site/index.html")).unwrap(),
        "<p>my own index</p>"
    );
}

#[test]
fn init_checks_every_path_before_writing_any() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "surveys", "a file where init wants a folder");
    let o = run_in(p, &["init", "."]);
    crate::util::exits_saying(
        &o,
        2,
        crate::util::stderr,
        "surveys is a file, not a folder",
    );
    assert!(!p.join("starter.journey.yaml").exists());
    assert!(!p.join("journeymap.schema.json").exists());
}

#[test]
fn an_empty_or_missing_templates_variable_breaks_nothing_that_needs_no_template() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "m.journey.yaml", MAP);
    let bin = env!("CARGO_BIN_EXE_journeymap");
    let run = |var: &str, format: &str| {
        std::process::Command::new(bin)
            .args(["render", "m.journey.yaml", "-f", format])
            .current_dir(p)
            .env("JOURNEYMAP_TEMPLATES", var)
            .env("JOURNEYMAP_TODAY", crate::util::TODAY)
            .output()
            .unwrap()
    };
    assert_eq!(code(&run("", "html")), 0, "set but empty: no templates");
    assert_eq!(
        code(&run("/nonexistent", "json")),
        0,
        "JSON uses no template"
    );
    let o = run("/nonexistent", "html");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no such directory"));
}

#[test]
fn scans_follow_symlinked_maps_and_a_map_named_twice_is_said_so() {
    let dir = tempdir();
    let p = dir.path();
    write(
        p,
        "elsewhere/broken.journey.yaml",
        "journeymap: 1\ntitle: t\nstages: []\n",
    );
    std::fs::create_dir(p.join("maps")).unwrap();
    std::os::unix::fs::symlink(
        p.join("elsewhere/broken.journey.yaml"),
        p.join("maps/linked.journey.yaml"),
    )
    .unwrap();
    let o = run_in(p, &["validate", "--format", "short", "maps"]);
    assert_eq!(code(&o), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("maps/linked.journey.yaml"),
        "{}",
        stdout(&o)
    );
    write(p, "m.journey.yaml", MAP);
    let o = run_in(
        p,
        &["render", "m.journey.yaml", "./m.journey.yaml", "-o", "out/"],
    );
    crate::util::exits_saying(&o, 2, crate::util::stderr, "is named more than once");
}

#[test]
fn an_unreadable_persona_is_an_error_in_the_map_and_the_readme_says_so() {
    let o = run_in(
        &root(),
        &[
            "validate",
            "--format",
            "short",
            "tests/fixtures/invalid/JM000-persona-file-missing/map.journey.yaml",
        ],
    );
    assert_eq!(code(&o), 1);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("a persona or survey file the map names"));
    assert!(readme.contains("that cannot be read is an error in the map: JM000"));
}

/// A map with one stage `a` (named "Überweisung") bound to `s.csv`, long layout.
fn survey_map(dir: &Path, csv: &[u8], binding: &str) {
    std::fs::write(dir.join("s.csv"), csv).unwrap();
    write(
        dir,
        "m.journey.yaml",
        &format!(
            "journeymap: 1\ntitle: t\npersona: {{name: P}}\nstages:\n  - {{id: a, name: Überweisung, touchpoints: [{{name: T}}]}}\nsurveys:\n  - {{id: s, file: s.csv, {binding}}}\n"
        ),
    );
}

fn figures(dir: &Path) -> serde_json::Value {
    let o = run_in(dir, &["render", "-f", "json", "m.journey.yaml"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn a_bom_or_no_break_space_around_a_cell_is_not_part_of_it() {
    let dir = tempdir();
    let csv = "stage,nps\n\u{feff}a,9\n\u{a0}a\u{a0},10\na, 3\n".as_bytes();
    survey_map(dir.path(), csv, "stage_column: stage, measures: {nps: nps}");
    let ctx = figures(dir.path());
    assert_eq!(ctx["stages"][0]["metrics"]["nps"]["n"], 3);
    assert_eq!(ctx["survey_summary"][0]["rows_unknown_stage"], 0);
}

#[test]
fn classic_mac_line_ends_are_refused_not_merged() {
    let dir = tempdir();
    survey_map(
        dir.path(),
        b"stage,nps\ra,9\ra,10\ra,3\r",
        "stage_column: stage, measures: {nps: nps}",
    );
    let o = crate::util::validate_short(dir.path());
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains(
            "s.csv:1:1: error[JM106]: the lines of this file end with a carriage return alone"
        ),
        "{}",
        stdout(&o)
    );
}

#[test]
fn names_match_without_regard_to_unicode_case_and_composition() {
    let dir = tempdir();
    // Labels in capitals with an accent, a stage by its name in lower case, a `where:`
    // value in another case, and an accent written as a combining mark.
    let csv =
        "stage,sat,keep\nüberweisung,TRÈS SATISFAIT,ÉTÉ\nÜBERWEISUNG,Satisfait,e\u{301}te\u{301}\n";
    survey_map(
        dir.path(),
        csv.as_bytes(),
        "stage_column: stage, where: {keep: été}, measures: {csat: {column: sat, values: {Très satisfait: 5, Satisfait: 4, Insatisfait: 2}}}",
    );
    let ctx = figures(dir.path());
    let csat = &ctx["stages"][0]["metrics"]["csat"];
    assert_eq!(csat["n"], 2, "{csat}");
    assert_eq!(csat["skipped"], 0);
    assert_eq!(ctx["survey_summary"][0]["rows_filtered"], 0);
}

#[test]
fn yaml_tags_are_refused() {
    let dir = tempdir();
    for (tagged, col) in [("!!binary aGVsbG8=", 8), ("!custom value", 8)] {
        write(
            dir.path(),
            "m.journey.yaml",
            &MAP.replace("title: t", &format!("title: {tagged}")),
        );
        let o = crate::util::validate_short(dir.path());
        assert_eq!(code(&o), 1);
        assert!(
            stdout(&o).starts_with(&format!("m.journey.yaml:2:{col}: error[JM002]: YAML tags")),
            "{}",
            stdout(&o)
        );
    }
}

#[test]
fn messages_speak_of_the_map_not_the_yaml_library() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.journey.yaml",
        &MAP.replace("title: t\n", "title: t\ntitle: u\n"),
    );
    let out = stdout(&crate::util::validate_short(dir.path()));
    assert!(
        out.contains("the key `title` appears twice in the same mapping"),
        "{out}"
    );
    assert!(!out.contains("DuplicateKeyPolicy"));
    write(
        dir.path(),
        "m.journey.yaml",
        &MAP.replace("title: t", "title: ~"),
    );
    let out = stdout(&crate::util::validate_short(dir.path()));
    assert!(out.contains("expected text here, found nothing"), "{out}");
    assert!(!out.contains("Option<"));
}

#[test]
fn a_date_override_that_is_not_a_date_is_an_error() {
    let dir = tempdir();
    write(dir.path(), "m.journey.yaml", MAP);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_journeymap"))
        .args(["validate", "m.journey.yaml"])
        .current_dir(dir.path())
        .env("JOURNEYMAP_TODAY", "garbage")
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("JOURNEYMAP_TODAY is `garbage`, not a date"));
}

#[test]
fn index_links_stay_relative_and_markdown_links_stay_whole() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "maps/javascript:alert(1).journey.yaml", MAP);
    write(p, "maps/a|b.journey.yaml", MAP);
    for (format, out) in [("html", "site/"), ("markdown", "md/")] {
        let o = run_in(p, &["render", "maps", "-f", format, "-o", out]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let html = std::fs::read_to_string(p.join("site/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    let a = scraper::Selector::parse("a[href]").unwrap();
    let hrefs: Vec<&str> = doc
        .select(&a)
        .filter_map(|e| e.value().attr("href"))
        .collect();
    assert!(hrefs.contains(&"./javascript:alert(1).html"), "{hrefs:?}");
    assert!(
        hrefs.iter().all(|h| !h.starts_with("javascript:")),
        "{hrefs:?}"
    );
    let md = std::fs::read_to_string(p.join("md/index.md")).unwrap();
    assert!(md.contains("(<./javascript:alert(1).md>)"), "{md}");
    assert!(md.contains("(<a%7Cb.md>)"), "{md}");
    // Every row keeps its cells: the `|` in a file name does not split one.
    let table = md.split("## Every map").nth(1).unwrap();
    let table = table.split("\n## ").next().unwrap();
    let rows: Vec<usize> = table
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| l.matches(" | ").count())
        .collect();
    assert!(rows.windows(2).all(|w| w[0] == w[1]), "{md}");
}

#[test]
fn bidi_controls_cannot_reorder_a_diff_comment() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "old.journey.yaml", MAP);
    write(
        p,
        "new.journey.yaml",
        &MAP.replace("name: A,", "name: \"A \u{202e}lanigiro\u{202c}\","),
    );
    let o = run_in(p, &["diff", "old.journey.yaml", "new.journey.yaml"]);
    let md = stdout(&o);
    assert!(md.contains("renamed"), "{md}");
    assert!(!md.contains('\u{202e}'), "{md:?}");
}

#[test]
fn a_file_size_limit_is_a_clean_error_and_leaves_no_temporary_file() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "m.journey.yaml", MAP);
    let bin = env!("CARGO_BIN_EXE_journeymap");
    // 10 blocks of 512 bytes: the page does not fit. Without the signal caught, SIGXFSZ
    // killed the process (exit 153) and left the temporary file behind.
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 10; exec '{bin}' render m.journey.yaml -o out.html"
        ))
        .current_dir(p)
        .env("JOURNEYMAP_TODAY", crate::util::TODAY)
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot write out.html: file too large\n"),
        "{}",
        stderr(&o)
    );
    let left: Vec<_> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".journeymap-") || n == "out.html")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn templates_export_never_follows_a_dangling_symlink() {
    let dir = tempdir();
    let p = dir.path();
    std::fs::create_dir_all(p.join("tpl/html")).unwrap();
    std::os::unix::fs::symlink(p.join("outside.j2"), p.join("tpl/html/map.html.j2")).unwrap();
    let o = run_in(p, &["templates", "export", "tpl"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("never overwrites"), "{}", stderr(&o));
    assert!(!p.join("outside.j2").exists());
}

#[test]
fn an_output_that_is_a_symlink_is_written_through() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "m.journey.yaml", MAP);
    write(p, "pages/real.html", "old");
    std::os::unix::fs::symlink("pages/real.html", p.join("link.html")).unwrap();
    let o = run_in(p, &["render", "m.journey.yaml", "-o", "link.html"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(p.join("link.html"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(p.join("pages/real.html"))
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    let guide = std::fs::read_to_string(root().join("docs/reviewing-changes.md")).unwrap();
    assert!(guide.contains("a symlink is written through to its target"));
}

#[test]
fn the_avatar_shows_a_whole_first_letter() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.journey.yaml",
        &MAP.replace("{name: P}", "{name: \"👩\u{200d}👩\u{200d}👧 Family\"}"),
    );
    let html = stdout(&run_in(dir.path(), &["render", "m.journey.yaml"]));
    let doc = scraper::Html::parse_document(&html);
    let avatar = scraper::Selector::parse(".avatar").unwrap();
    let text: String = doc.select(&avatar).next().unwrap().text().collect();
    assert_eq!(text, "👩\u{200d}👩\u{200d}👧");
}

#[test]
fn a_carriage_return_in_a_header_is_shown_not_sent_to_the_terminal() {
    let dir = tempdir();
    survey_map(
        dir.path(),
        b"stage,\"n\rps\"\na,9\n",
        "stage_column: stage, measures: {nps: score}",
    );
    let o = crate::util::validate_short(dir.path());
    let out = stdout(&o);
    assert!(out.contains("`n\\rps`"), "{out:?}");
    assert!(!out.contains('\r'), "{out:?}");
}

#[test]
fn markdown_neither_autolinks_nor_pings() {
    let dir = tempdir();
    let p = dir.path();
    write(p, "old.journey.yaml", MAP);
    write(
        p,
        "new.journey.yaml",
        &MAP.replace(
            "name: A,",
            "name: \"Ask @maya at www.example.com or a@b.example\",",
        ),
    );
    let md = stdout(&run_in(
        p,
        &["diff", "old.journey.yaml", "new.journey.yaml"],
    ));
    assert!(md.contains("renamed"), "{md}");
    for linked in ["@maya", "www.example", "a@b"] {
        assert!(!md.contains(linked), "{linked} in {md}");
    }
    // Read back with a real parser, the text is what the map says and no link is made.
    let parser = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::all());
    let mut text = String::new();
    for e in parser {
        match e {
            pulldown_cmark::Event::Text(t) => text.push_str(&t),
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { .. }) => {
                panic!("a link in {md}")
            }
            _ => {}
        }
    }
    assert!(
        text.replace('\u{2060}', "")
            .contains("Ask @maya at www.example.com or a@b.example")
    );
}

#[test]
fn where_values_are_matched_as_written() {
    let dir = tempdir();
    survey_map(
        dir.path(),
        b"stage,nps,keep\na,9,1.0\na,10,.nan\na,3,1\n",
        "stage_column: stage, where: {keep: [1.0, .nan]}, measures: {nps: nps}",
    );
    let ctx = figures(dir.path());
    // `1.0` and `.nan` are kept as they are written; `1` is another value.
    assert_eq!(ctx["survey_summary"][0]["rows_filtered"], 1);
    assert_eq!(ctx["stages"][0]["metrics"]["nps"]["n"], 2);
}

#[test]
fn a_write_error_is_said_once_without_temporary_names() {
    let dir = tempdir();
    write(dir.path(), "m.journey.yaml", MAP);
    let o = run_in(
        dir.path(),
        &["render", "m.journey.yaml", "-o", "/proc/none/x.html"],
    );
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert_eq!(err.matches("no such file").count(), 1, "{err}");
    assert!(
        !err.contains(".journeymap-") && !err.contains("os error"),
        "{err}"
    );
}

#[test]
fn a_non_finite_number_is_refused_with_a_way_out() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.journey.yaml",
        &MAP.replace("name: A,", "name: A, emotion: .nan,"),
    );
    let out = stdout(&crate::util::validate_short(dir.path()));
    assert!(
        out.starts_with("m.journey.yaml:5:22: error[JM002]: invalid type: string \".nan\", expected a number from -2 to 2, or {score, label}; `.nan` and `.inf` are not numbers a map can use"),
        "{out}"
    );
    // Where the map wants text, `.nan` and `.inf` are the text they read as, at the top
    // level and inside a stage alike.
    write(
        dir.path(),
        "m.journey.yaml",
        &MAP.replace("title: t", "title: .nan")
            .replace("name: A,", "name: .inf,"),
    );
    let o = run_in(dir.path(), &["render", "-f", "json", "m.journey.yaml"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["title"], ".nan");
    assert_eq!(json["stages"][0]["name"], ".inf");
    assert_eq!(
        code(&run_in(dir.path(), &["validate", "m.journey.yaml"])),
        0
    );
}
