//! Safe to run on a stranger's map: an output is never an input, files a map names stay
//! inside its repository, templates are bounded, and map text cannot forge CI output. Every
//! run here is under the kernel's CPU and memory limits (prlimit), as the hostile corpus is.

use std::time::{Duration, Instant};

use crate::util::{WALL, all_text, exit, limited, tempdir};

const PERSONA_MAP: &str = "journeymap: 1\ntitle: t\npersona: personas/p.yaml\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\nsurveys:\n  - {id: s, file: s.csv, stage_column: stage, measures: {nps: nps}}\n";

/// A map with a persona file and a survey, in a fresh folder.
fn project() -> tempfile::TempDir {
    let dir = tempdir();
    let p = dir.path();
    std::fs::create_dir(p.join("personas")).unwrap();
    std::fs::write(p.join("personas/p.yaml"), "name: Pat\n").unwrap();
    std::fs::write(p.join("s.csv"), "stage,nps\na,9\na,3\n").unwrap();
    std::fs::write(p.join("m.journey.yaml"), PERSONA_MAP).unwrap();
    dir
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_is_unchanged() {
    let dir = project();
    let p = dir.path();
    std::fs::create_dir(p.join("tpl")).unwrap();
    std::fs::write(p.join("tpl/note.txt"), "mine").unwrap();
    std::os::unix::fs::symlink("m.journey.yaml", p.join("link.html")).unwrap();
    std::fs::hard_link(p.join("s.csv"), p.join("hard.json")).unwrap();
    let before: Vec<Vec<u8>> = ["m.journey.yaml", "personas/p.yaml", "s.csv", "tpl/note.txt"]
        .iter()
        .map(|f| std::fs::read(p.join(f)).unwrap())
        .collect();
    let cases: &[&[&str]] = &[
        &[
            "render",
            "m.journey.yaml",
            "-o",
            "m.journey.yaml",
            "-f",
            "html",
        ],
        &[
            "render",
            "m.journey.yaml",
            "-o",
            "personas/p.yaml",
            "-f",
            "markdown",
        ],
        &["render", "m.journey.yaml", "-o", "s.csv", "-f", "json"],
        &["render", "m.journey.yaml", "-o", "link.html"],
        &["render", "m.journey.yaml", "-o", "hard.json"],
        &[
            "render",
            "m.journey.yaml",
            "--templates",
            "tpl",
            "-f",
            "html",
            "-o",
            "tpl/note.txt",
        ],
    ];
    for args in cases {
        let (o, _) = limited(p, args, &[]);
        assert_eq!(exit(&o), 2, "{args:?}: {}", all_text(&o));
        assert!(all_text(&o).contains("an input of this run"), "{args:?}");
    }
    let after: Vec<Vec<u8>> = ["m.journey.yaml", "personas/p.yaml", "s.csv", "tpl/note.txt"]
        .iter()
        .map(|f| std::fs::read(p.join(f)).unwrap())
        .collect();
    assert_eq!(before, after);
    // No temporary file was left behind.
    let left: Vec<String> = crate::util::walk(p)
        .iter()
        .map(|f| f.display().to_string())
        .filter(|f| f.contains(".journeymap-"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
}

#[test]
fn a_map_whose_output_is_the_index_page_is_a_collision() {
    let dir = project();
    let p = dir.path();
    // A repository: the maps read the persona and survey beside their folder.
    std::fs::create_dir(p.join(".git")).unwrap();
    std::fs::create_dir(p.join("maps")).unwrap();
    for name in ["index.journey.yaml", "other.journey.yaml"] {
        let text = PERSONA_MAP
            .replace("personas/p.yaml", "../personas/p.yaml")
            .replace("s.csv", "../s.csv");
        std::fs::write(p.join("maps").join(name), text).unwrap();
    }
    let (o, _) = limited(p, &["render", "maps", "-o", "site/"], &[]);
    assert_eq!(exit(&o), 2, "{}", all_text(&o));
    assert!(
        all_text(&o).contains("the map maps/index.journey.yaml and the index page"),
        "{}",
        all_text(&o)
    );
    assert!(!p.join("site").exists());
}

#[test]
fn devices_are_written_through_and_files_get_the_umask() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = project();
    let p = dir.path();
    let (o, _) = limited(
        p,
        &["render", "m.journey.yaml", "-f", "json", "-o", "/dev/null"],
        &[],
    );
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A new file: 0666 less the umask, as for any program.
    let bin = env!("CARGO_BIN_EXE_journeymap");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 027; exec '{bin}' render m.journey.yaml -o new.html"
        ))
        .current_dir(p)
        .output()
        .unwrap();
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    let mode = |f: &str| std::fs::metadata(p.join(f)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("new.html"), 0o640);
    // An existing file keeps its mode.
    std::fs::set_permissions(p.join("new.html"), std::fs::Permissions::from_mode(0o664)).unwrap();
    let (o, _) = limited(p, &["render", "m.journey.yaml", "-o", "new.html"], &[]);
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    assert_eq!(mode("new.html"), 0o664);
}

#[test]
fn files_outside_the_repository_are_not_read_and_never_quoted() {
    let dir = tempdir();
    let p = dir.path();
    let secret = "JOURNEYMAP_TEST_SECRET=hunter2";
    let cases: &[(&str, &str)] = &[
        (
            "persona: /proc/self/environ",
            "journeymap: 1\ntitle: t\npersona: /proc/self/environ\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\n",
        ),
        (
            "persona: ../../../../../../etc/passwd",
            "journeymap: 1\ntitle: t\npersona: ../../../../../../etc/passwd\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\n",
        ),
        (
            "persona: a link to /proc/kmsg",
            "journeymap: 1\ntitle: t\npersona: kmsg.yaml\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\n",
        ),
        (
            "a survey linked to /etc/passwd",
            "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\nsurveys:\n  - {id: s, file: passwd.csv, layout: wide, overall: {comment: \"#1\"}}\n",
        ),
    ];
    std::os::unix::fs::symlink("/proc/kmsg", p.join("kmsg.yaml")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", p.join("passwd.csv")).unwrap();
    for (name, map) in cases {
        std::fs::write(p.join("m.journey.yaml"), map).unwrap();
        for args in [
            &["validate", "m.journey.yaml"][..],
            &["render", "m.journey.yaml", "-f", "html"][..],
        ] {
            let (o, took) = limited(p, args, &[("JOURNEYMAP_TEST_SECRET", "hunter2")]);
            let text = all_text(&o);
            assert_eq!(exit(&o), 1, "{name}: {text}");
            assert!(text.contains("[JM007]"), "{name}: {text}");
            assert!(
                !text.contains(secret) && !text.contains("root:x:0"),
                "{name}: {text}"
            );
            assert!(took < WALL, "{name} took {took:?}");
        }
    }
}

#[test]
fn root_widens_the_folder_a_map_may_read_from() {
    let dir = tempdir();
    let p = dir.path();
    std::fs::create_dir_all(p.join("maps")).unwrap();
    std::fs::create_dir_all(p.join("shared")).unwrap();
    std::fs::write(p.join("shared/p.yaml"), "name: Pat\n").unwrap();
    std::fs::write(
        p.join("maps/m.journey.yaml"),
        "journeymap: 1\ntitle: t\npersona: ../shared/p.yaml\nstages:\n  - {id: a, name: A, touchpoints: [{name: T}]}\n",
    )
    .unwrap();
    // Outside git the map's own folder is the root.
    let (o, _) = limited(
        p,
        &["validate", "--format", "short", "maps/m.journey.yaml"],
        &[],
    );
    assert_eq!(exit(&o), 1);
    assert!(all_text(&o).contains("maps/m.journey.yaml:3:10: error[JM007]"));
    let (o, _) = limited(p, &["validate", "--root", ".", "maps/m.journey.yaml"], &[]);
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    let (o, _) = limited(
        p,
        &["validate", "maps/m.journey.yaml"],
        &[("JOURNEYMAP_ROOT", ".")],
    );
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    // Inside a git work tree, its top is the root.
    std::fs::create_dir(p.join(".git")).unwrap();
    let (o, _) = limited(p, &["validate", "maps/m.journey.yaml"], &[]);
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
}

#[test]
fn templates_read_only_their_folder_and_run_within_bounds() {
    let dir = project();
    let p = dir.path();
    std::fs::create_dir_all(p.join("tpl/html")).unwrap();
    let cases: &[(&str, &str)] = &[
        ("{% include \"/etc/passwd\" %}", "template not found"),
        (
            "{% include \"../../../../../../etc/passwd\" %}",
            "template not found",
        ),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "instructions, the limit for one page",
        ),
        (
            "{% for i in range(70000) %}{{ \"x\" * 1000 }}{% endfor %}",
            "larger than 64 MiB",
        ),
        (
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
            "recursion",
        ),
        // Doubling a string forty times asks for a terabyte.
        (
            "{% set ns = namespace(s=\"x\") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
            "the limit for one page",
        ),
        (
            "{% set a = \"x\" * 100000000 %}{% set b = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}{{ b|length }}",
            "of memory, the limit for one page",
        ),
    ];
    for (template, why) in cases {
        std::fs::write(p.join("tpl/html/map.html.j2"), template).unwrap();
        let (o, took) = limited(
            p,
            &[
                "render",
                "m.journey.yaml",
                "--templates",
                "tpl",
                "-o",
                "out.html",
            ],
            &[],
        );
        let text = all_text(&o);
        assert_eq!(exit(&o), 2, "{template}: {text}");
        assert!(
            text.contains("template tpl/html/map.html.j2"),
            "{template}: {text}"
        );
        assert!(text.contains(why), "{template}: {text}");
        assert!(!text.contains("root:x:0"));
        assert!(!p.join("out.html").exists());
        assert!(took < WALL, "{template} took {took:?}");
    }
}

#[test]
fn map_text_cannot_forge_ci_annotations_or_drive_the_terminal() {
    let dir = tempdir();
    let p = dir.path();
    std::fs::write(
        p.join("m.journey.yaml"),
        "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - id: a\n    name: A\n    touchpoints: [{name: x}]\n    pain_points: [{id: \"p\\n::error file=x.yaml::forged\\r\\u001b[31mred\\u202e\", text: T}]\n",
    )
    .unwrap();
    for format in ["human", "short", "github", "json"] {
        let (o, _) = limited(p, &["validate", "--format", format, "m.journey.yaml"], &[]);
        // The id holds a line break and controls: refused (JM020), and shown inert.
        assert_eq!(exit(&o), 1, "{format}");
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(
            !out.lines().any(|l| l.starts_with("::error file=x.yaml")),
            "{format}: {out}"
        );
        if format == "json" {
            // JSON carries the text exactly, escaped as JSON: data for programs.
            let forged = out.lines().any(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["message"].as_str().unwrap().contains("p\n::error")
            });
            assert!(forged, "{out}");
        } else {
            assert!(
                !out.contains('\u{1b}') && !out.contains('\r') && !out.contains('\u{202e}'),
                "{format}: {out:?}"
            );
        }
        assert!(
            out.contains("JM020") && out.contains("JM051"),
            "{format}: {out}"
        );
    }
}

#[test]
fn diagnostics_cost_the_file_once_not_once_per_diagnostic() {
    // 30,000 pain points, none addressed, and 20,000 references to ids the map lacks: a
    // diagnostic each, with "did you mean" over the pain points; 2.3 MB of YAML. (This took
    // 115 s in a release build before; 0.5 s now.)
    let dir = tempdir();
    let p = dir.path();
    let mut map = String::from(
        "journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n  - id: a\n    name: A\n    touchpoints: [{name: x}]\n    pain_points:\n",
    );
    for i in 0..30_000 {
        map.push_str(&format!(
            "      - {{id: pain-point-{i:05}, text: Something slow {i}}}\n"
        ));
    }
    map.push_str("    solutions:\n      - id: s\n        text: S\n        addresses:\n");
    for i in 0..20_000 {
        map.push_str(&format!("          - pain-pont-{i:05}\n"));
    }
    assert!(map.len() < 4 * 1024 * 1024);
    std::fs::write(p.join("m.journey.yaml"), &map).unwrap();
    let (o, took) = limited(p, &["validate", "m.journey.yaml"], &[]);
    let text = all_text(&o);
    assert_eq!(exit(&o), 1, "{}", &text[..text.len().min(600)]);
    assert!(String::from_utf8_lossy(&o.stdout).ends_with(
        "20000 errors, 30000 warnings\nFor more on JM011, and how to fix it: journeymap explain JM011\n"
    ));
    assert!(took < WALL, "took {took:?}");
}

/// A repository with `maps/m.journey.yaml` reading `maps/s.csv` (`rows` answers), committed.
fn repository(rows: usize) -> tempfile::TempDir {
    let dir = tempdir();
    let p = dir.path();
    std::fs::create_dir_all(p.join("maps/sub/deeper")).unwrap();
    std::fs::write(
        p.join("maps/m.journey.yaml"),
        PERSONA_MAP.replace("personas/p.yaml", "{name: Pat}"),
    )
    .unwrap();
    let mut csv = String::from("stage,nps\n");
    for i in 0..rows {
        csv.push_str(&format!("a,{}\n", i % 11));
    }
    std::fs::write(p.join("maps/s.csv"), csv).unwrap();
    std::fs::write(p.join("maps/sub/deeper/keep"), "").unwrap();
    crate::workflow::git(p, &["init", "-q"]);
    crate::workflow::git(p, &["add", "."]);
    crate::workflow::git(p, &["commit", "-q", "-m", "maps"]);
    dir
}

#[test]
fn diff_takes_no_options_from_its_arguments_and_writes_nowhere_else() {
    let repo = repository(20);
    let p = repo.path();
    let victim = tempdir();
    let target = victim.path().join("f");
    std::fs::write(&target, "precious").unwrap();
    let forged = format!("--output={}:x", target.display());
    let (o, _) = limited(p, &["diff", "--", &forged, "maps/m.journey.yaml"], &[]);
    assert_eq!(exit(&o), 2, "{}", all_text(&o));
    assert!(
        all_text(&o).contains("cannot start with `-`"),
        "{}",
        all_text(&o)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    // From a subfolder, `../` is resolved as git resolves it, inside the repository.
    let deeper = p.join("maps/sub/deeper");
    let (o, _) = limited(
        &deeper,
        &["diff", "HEAD:../../m.journey.yaml", "../../m.journey.yaml"],
        &[],
    );
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    assert!(all_text(&o).contains("no changes"), "{}", all_text(&o));
    let (o, _) = limited(
        &deeper,
        &[
            "diff",
            "HEAD:../../../../../maps/m.journey.yaml",
            "../../m.journey.yaml",
        ],
        &[],
    );
    assert_eq!(exit(&o), 2, "{}", all_text(&o));
    assert!(all_text(&o).contains("leads outside the repository"));
    // `./` from the map's folder finds the map and the survey it names.
    let (o, _) = limited(
        &p.join("maps"),
        &["diff", "HEAD:./m.journey.yaml", "m.journey.yaml"],
        &[],
    );
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    assert!(all_text(&o).contains("no changes"), "{}", all_text(&o));
}

#[test]
fn diff_says_when_a_survey_file_changed() {
    let repo = repository(20);
    let p = repo.path();
    let mut csv = std::fs::read_to_string(p.join("maps/s.csv")).unwrap();
    csv.push_str("a,10\na,10\n");
    std::fs::write(p.join("maps/s.csv"), csv).unwrap();
    let (o, _) = limited(
        p,
        &["diff", "HEAD:maps/m.journey.yaml", "maps/m.journey.yaml"],
        &[],
    );
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(exit(&o), 0, "{text}");
    assert!(text.contains("1 survey file changed"), "{text}");
    assert!(
        text.contains("survey `s` (`s.csv`): 20 → 22 rows, 20 → 22 answers used"),
        "{text}"
    );
}

#[test]
fn an_interrupted_diff_leaves_no_copy_of_the_survey_behind() {
    let repo = repository(1_500_000);
    let p = repo.path();
    let tmp = tempdir();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_journeymap"))
        .args(["diff", "HEAD:maps/m.journey.yaml", "maps/m.journey.yaml"])
        .current_dir(p)
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the copy of the repository exists, then interrupt.
    let start = Instant::now();
    while std::fs::read_dir(tmp.path()).unwrap().next().is_none()
        && start.elapsed() < Duration::from_secs(10)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(50));
    // The shell's own `kill`, so the test needs no procps.
    let kill = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("kill -INT {}", child.id()))
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "interrupted while reading");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn import_mermaid_reads_regular_files_only_in_linear_time_and_writes_valid_maps() {
    let dir = tempdir();
    let p = dir.path();
    // Not a regular file: refused at once.
    let (o, took) = limited(p, &["import", "mermaid", "/dev/zero"], &[]);
    assert_eq!(exit(&o), 2, "{}", all_text(&o));
    assert!(all_text(&o).contains("not a regular file"));
    assert!(took < WALL);
    let fifo = p.join("pipe.mmd");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let (o, took) = limited(p, &["import", "mermaid", "pipe.mmd"], &[]);
    assert_eq!(exit(&o), 2, "{}", all_text(&o));
    assert!(took < WALL);
    // An `accDescr {` never closed, 3 MB long: one pass, not one per line.
    let mut open = String::from("journey\n  accDescr {\n");
    while open.len() < 3_000_000 {
        open.push_str("    a line of description that goes on and on\n");
    }
    std::fs::write(p.join("open.mmd"), &open).unwrap();
    let (o, took) = limited(p, &["import", "mermaid", "open.mmd"], &[]);
    assert_eq!(exit(&o), 1, "{}", all_text(&o));
    assert!(all_text(&o).contains("[JM200]"));
    assert!(took < WALL, "took {took:?}");
    // 60,000 tasks with distinct actors.
    let mut actors = String::from("journey\n  section Use\n");
    for i in 0..60_000 {
        actors.push_str(&format!("    task {i}: 3: person {i}\n"));
    }
    std::fs::write(p.join("actors.mmd"), &actors).unwrap();
    let (o, took) = limited(
        p,
        &[
            "import",
            "mermaid",
            "actors.mmd",
            "-o",
            "actors.journey.yaml",
        ],
        &[],
    );
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    assert!(took < WALL, "took {took:?}");
    // Sections whose ids would collide, and text with DEL and a C1 control: the map
    // written validates.
    std::fs::write(
        p.join("names.mmd"),
        "journey\n  title Odd\u{7f} names\n  section A\n    one: 3: Me\n  section A-2\n    two\u{85}: 4: Me\n  section A\n    three: 5: Me\n",
    )
    .unwrap();
    let (o, _) = limited(
        p,
        &["import", "mermaid", "names.mmd", "-o", "names.journey.yaml"],
        &[],
    );
    assert_eq!(exit(&o), 0, "{}", all_text(&o));
    let (o, _) = limited(
        p,
        &["validate", "--format", "short", "names.journey.yaml"],
        &[],
    );
    let text = all_text(&o);
    assert!(!text.contains("error["), "{text}");
    let map = std::fs::read_to_string(p.join("names.journey.yaml")).unwrap();
    for id in ["id: \"a\"", "id: \"a-2\"", "id: \"a-3\""] {
        assert!(map.contains(id), "{id}: {map}");
    }
}

#[test]
fn diff_of_two_very_long_maps_stays_within_memory() {
    let dir = tempdir();
    let p = dir.path();
    let stages = |order: &mut dyn Iterator<Item = usize>| {
        let mut m = String::from("journeymap: 1\ntitle: t\npersona: {name: P}\nstages:\n");
        for i in order {
            m.push_str(&format!("  - {{id: s{i}, name: S{i}}}\n"));
        }
        m
    };
    std::fs::write(p.join("old.journey.yaml"), stages(&mut (0..39_000))).unwrap();
    // The new version moves every tenth stage to the end.
    let mut order: Vec<usize> = (0..39_000).filter(|i| i % 10 != 0).collect();
    order.extend((0..39_000).filter(|i| i % 10 == 0));
    std::fs::write(p.join("new.journey.yaml"), stages(&mut order.into_iter())).unwrap();
    let (o, took) = limited(
        p,
        &["diff", "-f", "json", "old.journey.yaml", "new.journey.yaml"],
        &[],
    );
    assert_eq!(
        exit(&o),
        0,
        "{}",
        &all_text(&o)[..all_text(&o).len().min(600)]
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stages_moved"].as_array().unwrap().len(), 3_900);
    assert!(took < WALL, "took {took:?}");
}

#[test]
fn a_version_from_git_is_named_as_the_user_named_it() {
    let repo = repository(5);
    let p = repo.path();
    let broken = PERSONA_MAP
        .replace("personas/p.yaml", "{name: Pat}")
        .replace("file: s.csv", "file: gone.csv");
    std::fs::write(p.join("maps/m.journey.yaml"), broken).unwrap();
    crate::workflow::git(p, &["commit", "-qam", "broken"]);
    let (o, _) = limited(
        &p.join("maps"),
        &["diff", "HEAD:./m.journey.yaml", "m.journey.yaml"],
        &[],
    );
    let text = all_text(&o);
    assert_eq!(exit(&o), 1, "{text}");
    assert!(text.contains("--> HEAD:maps/m.journey.yaml:7:"), "{text}");
    assert!(!text.contains(".tmp"), "{text}");
}
