//! `render -f pdf` and `-f png`: the user's Chromium prints the HTML page. Without one, or
//! with one that fails or hangs, the run says so, exits 2, writes nothing and leaves no
//! process behind. The real prints (page counts, sizes) need Debian's chromium and
//! poppler's `pdfinfo`, which `.ci/run` installs.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::util::{cmd, code, stderr, tempdir};

const TOOTHBRUSH: &str = "examples/toothbrush/toothbrush.journey.yaml";

/// A folder whose only program is a fake `chromium` running `script`.
fn fake_chromium(dir: &Path, script: &str) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = bin.join("chromium");
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// A PATH that has `sh`, `sleep` and `echo` but no browser, with `first` in front.
fn path_with(first: Option<&Path>) -> String {
    let tools = tempfile::Builder::new()
        .prefix("journeymap-test-tools-")
        .tempdir()
        .unwrap()
        .keep();
    for t in ["sh", "sleep", "echo"] {
        std::os::unix::fs::symlink(Path::new("/bin").join(t), tools.join(t)).unwrap();
    }
    let mut dirs: Vec<String> = first.iter().map(|p| p.display().to_string()).collect();
    dirs.push(tools.display().to_string());
    dirs.join(":")
}

fn alive(pid: i32) -> bool {
    // A process that has ended and been reaped has no /proc entry; a zombie says `Z`.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| !s.split(") ").nth(1).unwrap_or("").starts_with('Z'))
}

#[test]
fn without_chromium_a_pdf_is_refused_naming_the_package_and_nothing_is_written() {
    let dir = tempdir();
    let out = dir.path().join("map.pdf");
    let o = cmd()
        .env("PATH", path_with(None))
        .args(["render", TOOTHBRUSH, "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("none was found on PATH"), "{e}");
    assert!(e.contains("apt-get install chromium"), "{e}");
    assert!(e.contains("--chromium PATH or JOURNEYMAP_CHROMIUM"), "{e}");
    assert!(!out.exists());
    // A named browser that is not there is said as such.
    let o = cmd()
        .args([
            "render",
            TOOTHBRUSH,
            "-f",
            "png",
            "-o",
            out.to_str().unwrap(),
        ])
        .args(["--chromium", "/nowhere/chromium"])
        .output()
        .unwrap();
    crate::util::exits_saying(
        &o,
        2,
        crate::util::stderr,
        "/nowhere/chromium, is not a file",
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_chromium_that_dies_at_start_is_reported_with_what_it_said() {
    let dir = tempdir();
    let bin = fake_chromium(
        dir.path(),
        "echo 'cannot open display: no such thing' >&2; exit 3",
    );
    let out = dir.path().join("map.png");
    let o = cmd()
        .env("PATH", path_with(Some(&bin)))
        .args(["render", TOOTHBRUSH, "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("stopped before it was ready (exit status: 3)"),
        "{e}"
    );
    assert!(e.contains("cannot open display: no such thing"), "{e}");
    assert!(!out.exists());
}

#[test]
fn a_chromium_that_hangs_is_stopped_at_the_time_limit_and_leaves_no_process() {
    let dir = tempdir();
    let pids = dir.path().join("pids");
    // The browser and a helper it forks both hang, saying nothing.
    let bin = fake_chromium(
        dir.path(),
        &format!(
            "sleep 600 & echo $! >> {p}; echo $$ >> {p}; exec sleep 600",
            p = pids.display()
        ),
    );
    let out = dir.path().join("map.pdf");
    let started = Instant::now();
    let o = cmd()
        .env("PATH", path_with(Some(&bin)))
        .args([
            "render",
            TOOTHBRUSH,
            "--timeout",
            "2",
            "-o",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("did not start within 2 s and was stopped"),
        "{}",
        stderr(&o)
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(!out.exists());
    let pids: Vec<i32> = std::fs::read_to_string(&pids)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2);
    for pid in pids {
        assert!(!alive(pid), "process {pid} is still running");
    }
}

#[test]
fn picture_flags_are_checked_before_any_work() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["-f", "html", "--scale", "2"],
            "--scale applies to -f pdf and -f png",
        ),
        (&["-f", "png", "--paper", "a4"], "--paper applies to -f pdf"),
        (&["-f", "pdf", "--scale", "2"], "--scale applies to -f png"),
        (
            &["-f", "pdf", "--width", "900"],
            "--width applies to -f png and --paper poster",
        ),
        (&["-f", "png", "--scale", "9"], "between 0.25 and 4"),
        (
            &["-f", "pdf", "--check", "-o", "x.pdf"],
            "--check compares text outputs",
        ),
    ];
    for (args, said) in cases {
        let o = cmd()
            .args(["render", TOOTHBRUSH])
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(stderr(&o).contains(said), "{args:?}: {}", stderr(&o));
    }
}

fn chromium_and_pdfinfo() -> bool {
    Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/pdfinfo").exists()
}

fn pdfinfo(pdf: &Path) -> (u32, String) {
    let o = std::process::Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&o.stdout).into_owned();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| panic!("no {name} in {info}"))
    };
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// Width and height from a PNG's header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
#[ignore = "real browser: needs Debian's chromium and poppler-utils; run with --include-ignored (CI does)"]
fn the_toothbrush_poster_is_exactly_one_page_and_paper_sizes_are_kept() {
    assert!(
        chromium_and_pdfinfo(),
        "apt-get install chromium poppler-utils"
    );
    let dir = tempdir();
    let file = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let o = cmd()
        .args([
            "render",
            TOOTHBRUSH,
            "-f",
            "pdf",
            "--paper",
            "poster",
            "-o",
            &file("poster.pdf"),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (pages, size) = pdfinfo(&dir.path().join("poster.pdf"));
    assert_eq!(pages, 1, "{size}");
    // 1440 CSS px + two 10 mm margins wide = 1137 pt; taller than any paper.
    let dims: Vec<f64> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!((dims[0] - 1136.7).abs() < 1.0, "{size}");
    assert!(dims[1] > 2.0 * dims[0], "{size}");
    // A3 and A4 landscape, several pages each; A4 needs more of them.
    let mut counts = Vec::new();
    for (paper, want) in [("a3", "(A3)"), ("a4", "(A4)")] {
        let out = file(&format!("{paper}.pdf"));
        let o = cmd()
            .args([
                "render", TOOTHBRUSH, "-f", "pdf", "--paper", paper, "-o", &out,
            ])
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let (pages, size) = pdfinfo(Path::new(&out));
        // Landscape: wider than tall.
        let dims: Vec<f64> = size
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        assert!(size.ends_with(want) && dims[0] > dims[1], "{paper}: {size}");
        assert!(pages >= 2, "{paper}: {pages} pages");
        counts.push(pages);
    }
    assert!(counts[1] >= counts[0], "{counts:?}");
    // Same map, same bytes: a second print a second later is identical (the PDF's date is
    // fixed, not the time it was made).
    std::thread::sleep(Duration::from_millis(1100));
    let again = file("again.pdf");
    let o = cmd()
        .args([
            "render", TOOTHBRUSH, "-f", "pdf", "--paper", "a3", "-o", &again,
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    assert!(std::fs::read(&again).unwrap() == std::fs::read(file("a3.pdf")).unwrap());
}

#[test]
#[ignore = "real browser: needs Debian's chromium; run with --include-ignored (CI does)"]
fn a_png_is_as_wide_as_asked_times_its_scale_and_as_tall_as_the_map() {
    assert!(
        Path::new("/usr/bin/chromium").exists(),
        "apt-get install chromium"
    );
    let dir = tempdir();
    let mut heights = Vec::new();
    for (width, scale) in [("1440", "1"), ("1000", "2")] {
        let out = dir.path().join(format!("{width}.png"));
        let o = cmd()
            .args([
                "render", TOOTHBRUSH, "--width", width, "--scale", scale, "-o",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let (w, h) = png_size(&std::fs::read(&out).unwrap());
        let (width, scale): (u32, u32) = (width.parse().unwrap(), scale.parse().unwrap());
        assert_eq!(w, width * scale);
        assert_eq!(h % scale, 0);
        heights.push(h / scale);
    }
    // The same picture twice is the same bytes.
    let again = dir.path().join("again.png");
    let o = cmd()
        .args(["render", TOOTHBRUSH, "-o"])
        .arg(&again)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    assert!(std::fs::read(&again).unwrap() == std::fs::read(dir.path().join("1440.png")).unwrap());
    // The whole map is several screens tall, and taller in the narrower picture.
    assert!(heights[0] > 3000, "{heights:?}");
    assert!(heights[1] > heights[0], "{heights:?}");
}

/// Every word of a PDF with its page: `(page, x_max, page_width, text)`, from poppler's
/// `pdftotext -bbox`.
fn pdf_words(pdf: &Path) -> Vec<(usize, f64, f64, String)> {
    let o = std::process::Command::new("pdftotext")
        .args(["-bbox"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let (mut page, mut width, mut words) = (0, 0.0, Vec::new());
    for tag in text.split('<').skip(1) {
        if tag.starts_with("page ") {
            page += 1;
            width = attr(tag, "width");
        } else if tag.starts_with("word ") {
            let word = tag.split_once('>').unwrap().1.to_owned();
            words.push((page, attr(tag, "xMax"), width, word));
        }
    }
    words
}

#[test]
#[ignore = "real browser: needs Debian's chromium and poppler-utils; run with --include-ignored (CI does)"]
fn twelve_stages_fit_the_width_of_a4_and_a3_and_fill_it() {
    assert!(
        chromium_and_pdfinfo(),
        "apt-get install chromium poppler-utils"
    );
    let dir = tempdir();
    let stages: String = (1..=12)
        .map(|i| format!("  - id: s{i}\n    name: Stagename{i}\n    emotion: 0\n    touchpoints: [{{name: Web}}]\n"))
        .collect();
    let map = dir.path().join("wide.journey.yaml");
    std::fs::write(
        &map,
        format!("journeymap: 1\ntitle: Wide\npersona: {{name: Kim}}\nstages:\n{stages}"),
    )
    .unwrap();
    for paper in ["a4", "a3"] {
        let pdf = dir.path().join(format!("{paper}.pdf"));
        let o = cmd()
            .args(["render", "-f", "pdf", "--paper", paper, "-o"])
            .arg(&pdf)
            .arg(&map)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let words = pdf_words(&pdf);
        // No word runs past the right margin (10 mm = 28.3 pt) of its page.
        let past: Vec<_> = words.iter().filter(|(_, x, w, _)| *x > w - 28.0).collect();
        assert!(past.is_empty(), "{paper}: {past:?}");
        // The last stage is on the page, near its right edge: the grid was zoomed to fit
        // the width, not shrunk below it.
        let last = words
            .iter()
            .find(|(_, _, _, t)| t == "Stagename12")
            .unwrap_or_else(|| panic!("{paper}: the 12th stage is missing"));
        let right = words
            .iter()
            .filter(|(p, _, _, _)| *p == last.0)
            .map(|(_, x, _, _)| *x)
            .fold(0.0, f64::max);
        assert!(
            right > 0.85 * (last.2 - 56.7),
            "{paper}: the grid ends at {right} of {}",
            last.2
        );
    }
}
