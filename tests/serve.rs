//! `journeymap serve`: pages rendered on request from the files as they are, a generation
//! that moves when any of them changes, diagnostics instead of a stale map, an index for a
//! folder, and a clear refusal of a port in use. (The browser harness checks that an open
//! page reloads by itself.)

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::util::{cmd, code, stderr, tempdir};

/// A running server, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Start `serve` as `command` says (its stdout is read for the address it prints).
    pub fn start(command: &mut std::process::Command) -> Server {
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("http://")
            .and_then(|a| a.strip_suffix('/'))
            .unwrap_or_else(|| panic!("serve printed {line:?}"))
            .to_owned();
        Server { child, addr }
    }
}

fn serve(args: &[&str]) -> Server {
    Server::start(
        cmd()
            .args(["serve", "--port", "0"])
            .args(args)
            .stderr(Stdio::piped()),
    )
}

/// GET `path`: the status and the body.
fn get(server: &Server, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// Wait (at most two seconds) until the page at `path` says `want`.
fn eventually(server: &Server, path: &str, want: &str) -> (u16, String) {
    let started = Instant::now();
    loop {
        let (status, body) = get(server, path);
        if body.contains(want) {
            return (status, body);
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "after 2 s {path} still lacks {want:?}:\n{body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn copy_example(to: &Path) -> std::path::PathBuf {
    crate::util::copy_toothbrush(to)
}

#[test]
fn a_served_map_follows_its_files_shows_errors_and_recovers() {
    let dir = tempdir();
    let map = copy_example(dir.path());
    let server = serve(&[map.to_str().unwrap()]);
    let (status, page) = get(&server, "/");
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Replacing an electric toothbrush</h1>"));
    // The page may run the reload script, and only from the server.
    assert!(page.contains("script-src 'self'; connect-src 'self'"));
    let (_, generation) = get(&server, "/__journeymap/generation");
    assert!(page.contains(&format!("data-generation=\"{}\"", generation.trim())));
    let (status, js) = get(&server, "/__journeymap/live.js");
    assert_eq!(status, 200);
    assert!(js.contains("location.reload()"));

    // A new title: the generation moves and the page shows it.
    let text = std::fs::read_to_string(&map).unwrap();
    std::fs::write(
        &map,
        text.replace(
            "title: Replacing an electric toothbrush",
            "title: A new title",
        ),
    )
    .unwrap();
    eventually(&server, "/", "<h1>A new title</h1>");
    let (_, moved) = get(&server, "/__journeymap/generation");
    assert_ne!(moved.trim(), generation.trim());

    // The codebook in its own file is watched too: a theme renamed there is on the page.
    let book = dir.path().join("toothbrush.themes.yaml");
    let themes = std::fs::read_to_string(&book).unwrap();
    std::fs::write(
        &book,
        themes.replace("label: Choice overload", "label: Too much choice"),
    )
    .unwrap();
    eventually(&server, "/", "Too much choice");
    // Broken, the themes file is reported at its line; mended, the map is back: it is
    // followed even while the map cannot be loaded.
    std::fs::write(&book, "themes: [unclosed\n").unwrap();
    let (status, page) = eventually(&server, "/", "class=\"diagnostics\"");
    assert_eq!(status, 422);
    assert!(page.contains("toothbrush.themes.yaml:"), "{page}");
    std::fs::write(&book, &themes).unwrap();
    eventually(&server, "/", "Choice overload");

    // A survey file rewritten: its figures change on the page.
    let survey = dir.path().join("surveys/post-purchase-2026-q3.csv");
    let before = get(&server, "/").1;
    let csv = std::fs::read_to_string(&survey).unwrap();
    let header = csv.lines().next().unwrap();
    let first = csv.lines().nth(1).unwrap();
    std::fs::write(&survey, format!("{header}\n{first}\n")).unwrap();
    let started = Instant::now();
    while get(&server, "/").1 == before {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the survey change was not seen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // A broken map shows its diagnostic, with file, line and column, instead of the map.
    std::fs::write(&map, "journeymap: 1\ntitle: [unclosed\n").unwrap();
    let (status, page) = eventually(&server, "/", "class=\"diagnostics\"");
    assert_eq!(status, 422);
    assert!(page.contains("JM001"), "{page}");
    assert!(page.contains("toothbrush.journey.yaml:"), "{page}");
    assert!(!page.contains("A new title"));

    // Fixed, the map is back; deleted, the page says the file is gone.
    std::fs::write(
        &map,
        text.replace(
            "title: Replacing an electric toothbrush",
            "title: Fixed again",
        ),
    )
    .unwrap();
    let (status, _) = eventually(&server, "/", "<h1>Fixed again</h1>");
    assert_eq!(status, 200);
    std::fs::remove_file(&map).unwrap();
    let (status, page) = eventually(&server, "/", "class=\"diagnostics\"");
    assert_ne!(status, 200);
    assert!(page.contains("cannot read"), "{page}");

    let (status, _) = get(&server, "/elsewhere.html");
    assert_eq!(status, 404);
}

#[test]
fn a_served_folder_lists_its_maps_and_serves_each() {
    let dir = tempdir();
    copy_example(&dir.path().join("a"));
    std::fs::create_dir_all(dir.path().join("b")).unwrap();
    std::fs::write(
        dir.path().join("b/broken.journey.yaml"),
        "journeymap: 1\ntitle: Broken\nstages: []\n",
    )
    .unwrap();
    let server = serve(&[dir.path().to_str().unwrap()]);
    let (status, index) = get(&server, "/");
    assert_eq!(status, 200);
    // (`/` is escaped as `&#x2f;` in attributes and text.)
    let index = index.replace("&#x2f;", "/");
    assert!(
        index.contains("href=\"a/toothbrush.html\">Replacing an electric toothbrush</a>"),
        "{index}"
    );
    assert!(
        index.contains("href=\"b/broken.html\">b/broken.journey.yaml (has errors)</a>"),
        "{index}"
    );
    let (status, page) = get(&server, "/a/toothbrush.html");
    assert_eq!(status, 200);
    assert!(page.contains("<h1>Replacing an electric toothbrush</h1>"));
    let (status, page) = get(&server, "/b/broken.html");
    assert_eq!(status, 422);
    assert!(page.contains("JM017"), "{page}");
    // A new map in the folder appears on the index.
    std::fs::write(
        dir.path().join("b/new.journey.yaml"),
        "journeymap: 1\ntitle: Brand new\npersona: {name: Kim}\nstages:\n  - id: one\n    name: One\n    emotion: 1\n    touchpoints: [{name: Web}]\n",
    )
    .unwrap();
    eventually(&server, "/", "Brand new");
}

#[test]
fn a_port_in_use_is_refused_with_a_way_out() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let o = cmd()
        .args([
            "serve",
            "examples/toothbrush/toothbrush.journey.yaml",
            "--port",
            &port,
        ])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{e}"
    );
    assert!(e.contains("--port 0 for any free port"), "{e}");
    let o = cmd()
        .args(["serve", "no/such/map.journey.yaml"])
        .output()
        .unwrap();
    crate::util::exits_saying(&o, 2, crate::util::stderr, "no such file or directory");
}

#[test]
fn files_rendered_to_disk_run_no_script() {
    for map in crate::util::example_maps() {
        let o = crate::util::run(&["render", &crate::util::rel(&map)]);
        let page = String::from_utf8_lossy(&o.stdout);
        assert!(!page.contains("<script"), "{}", map.display());
        assert!(page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:\""));
    }
}

#[test]
fn a_survey_caught_half_written_never_shows_as_a_figure() {
    let dir = tempdir();
    let map = dir.path().join("m.journey.yaml");
    std::fs::write(
        &map,
        "journeymap: 1\ntitle: Rewrite\npersona: {name: Kim}\nstages:\n  - id: one\n    name: One\n    emotion: 1\n    touchpoints: [{name: Web}]\nsurveys:\n  - id: pulse\n    file: pulse.csv\n    layout: long\n    stage_column: Stage\n    measures: {csat: CSAT}\n",
    )
    .unwrap();
    let survey = dir.path().join("pulse.csv");
    let write = move |score: &str, pause: Duration| {
        // Written as an export might: the first half, a pause, then the rest.
        let mut f = std::fs::File::create(&survey).unwrap();
        f.write_all(b"Stage,CSAT\n").unwrap();
        for _ in 0..50 {
            writeln!(f, "one,{score}").unwrap();
        }
        f.flush().unwrap();
        std::thread::sleep(pause);
        for _ in 0..50 {
            writeln!(f, "one,{score}").unwrap();
        }
    };
    let write_now = write.clone();
    write_now("5", Duration::ZERO);
    std::thread::sleep(Duration::from_millis(400));
    let server = serve(&[map.to_str().unwrap()]);
    assert!(
        get(&server, "/")
            .1
            .contains("<b>100%</b><br><span class=\"small\">n=100 ")
    );
    // While the survey is rewritten (score 1, a 150 ms pause half way), every map page
    // served shows all 100 answers, old or new: never the 50 of half a file.
    let writer = std::thread::spawn(move || write("1", Duration::from_millis(150)));
    let started = Instant::now();
    let mut seen = std::collections::BTreeSet::new();
    while started.elapsed() < Duration::from_millis(1500) {
        let (status, page) = get(&server, "/");
        if status == 200 {
            let n = page
                .split("<span class=\"small\">n=")
                .nth(1)
                .and_then(|t| t.split(' ').next())
                .unwrap_or("none")
                .to_owned();
            assert_eq!(n, "100", "a page showed n={n}");
            seen.insert(page.contains("<b>0%</b>"));
        }
    }
    writer.join().unwrap();
    // Once quiet, the new figures show.
    eventually(&server, "/", "<b>0%</b>");
    assert!(!seen.is_empty());
}

#[test]
fn a_served_portfolio_shows_detailed_journeys_and_breadcrumbs() {
    let server = serve(&["tests/fixtures/portfolio"]);
    let (status, page) = get(&server, "/lifecycle.html");
    assert_eq!(status, 200, "{page}");
    let page = page.replace("&#x2f;", "/");
    assert!(page.contains("Detailed journeys"), "{page}");
    assert!(
        page.contains("<a href=\"journeys/buying.html\">Buying supplies online</a>"),
        "{page}"
    );
    assert!(page.contains("NPS <b>+20</b>"), "{page}");
    let (status, page) = get(&server, "/journeys/checkout/paying.html");
    assert_eq!(status, 200);
    let page = page.replace("&#x2f;", "/");
    assert!(
        page.contains("<a href=\"../../lifecycle.html\">Supplier lifecycle</a>"),
        "{page}"
    );
}
