//! `journeymap render`: the arguments become a [`Plan`] before any work; then every map goes
//! through the pipeline, and only when all are sound are pages rendered and written.

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::Outcome;
use crate::chromium::{Paper, Shot};
use crate::cli::{OutputFormat, RenderArgs};
use crate::diagnostic::{self, Format};
use crate::load::Loaded;
use crate::output::{self, Target};
use crate::pipeline::{self, Checked};
use crate::survey::SurveyData;

/// Where the pages go.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Destination {
    Stdout,
    File(PathBuf),
    /// One page per map, mirroring the scanned folders, plus an index page.
    Dir(PathBuf),
}

/// What a render will do, decided from the arguments alone.
struct Plan<'a> {
    maps: Vec<(PathBuf, Option<PathBuf>)>,
    format: OutputFormat,
    destination: Destination,
    /// `--templates` or `JOURNEYMAP_TEMPLATES`.
    templates: Option<PathBuf>,
    /// `--root` or `JOURNEYMAP_ROOT`.
    root: Option<PathBuf>,
    /// What Chromium makes of each page, for PDF and PNG.
    shot: Option<(crate::chromium::Shot, crate::chromium::Options)>,
    args: &'a RenderArgs,
}

impl<'a> Plan<'a> {
    fn new(args: &'a RenderArgs) -> Result<Plan<'a>> {
        let maps = pipeline::collect_maps(&args.maps)?;
        let destination = match args.output.as_deref() {
            None => Destination::Stdout,
            Some(o) if o == Path::new("-") => Destination::Stdout,
            Some(o) if o.as_os_str().to_string_lossy().ends_with(['/', '\\']) || o.is_dir() => {
                Destination::Dir(o.to_owned())
            }
            Some(o) => Destination::File(o.to_owned()),
        };
        let format = args
            .format
            .or_else(|| match &destination {
                Destination::File(f) => OutputFormat::from_path(f),
                _ => None,
            })
            .unwrap_or(OutputFormat::Html);
        if !matches!(destination, Destination::Dir(_)) && maps.len() > 1 {
            bail!(
                "{} maps to render: give a directory for them with `-o DIR/`",
                maps.len()
            );
        }
        if args.check && destination == Destination::Stdout {
            bail!("--check compares with files on disk: give the rendered file with -o");
        }
        let shot = picture(args, format, &destination)?;
        Ok(Plan {
            maps,
            format,
            destination,
            templates: crate::cli::dir_or_env(args.templates.as_deref(), "JOURNEYMAP_TEMPLATES"),
            root: crate::cli::dir_or_env(args.root.as_deref(), "JOURNEYMAP_ROOT"),
            shot,
            args,
        })
    }
}

/// The PDF or PNG asked for, and the flags that only they take.
fn picture(
    args: &RenderArgs,
    format: OutputFormat,
    destination: &Destination,
) -> Result<Option<(Shot, crate::chromium::Options)>> {
    let width = args.width.unwrap_or(1440);
    let shot = match format {
        OutputFormat::Pdf => Shot::Pdf {
            paper: args.paper.unwrap_or(Paper::A3),
            width,
        },
        OutputFormat::Png => {
            let scale = args.scale.unwrap_or(1.0);
            if !(0.25..=4.0).contains(&scale) {
                bail!("--scale {scale}: give a factor between 0.25 and 4 (2 for a sharp slide)");
            }
            Shot::Png { width, scale }
        }
        _ => {
            for (given, flag) in [
                (args.paper.is_some(), "--paper"),
                (args.width.is_some(), "--width"),
                (args.scale.is_some(), "--scale"),
                (args.chromium.is_some(), "--chromium"),
            ] {
                if given {
                    bail!(
                        "{flag} applies to -f pdf and -f png; this render makes {}",
                        format.extension()
                    );
                }
            }
            return Ok(None);
        }
    };
    if args.paper.is_some() && format == OutputFormat::Png {
        bail!("--paper applies to -f pdf; a PNG is sized with --width and --scale");
    }
    if args.scale.is_some() && format == OutputFormat::Pdf {
        bail!("--scale applies to -f png; a PDF is sized by --paper");
    }
    if args.width.is_some() && matches!(shot, Shot::Pdf { paper, .. } if paper != Paper::Poster) {
        bail!("--width applies to -f png and --paper poster; A3 and A4 pages have their own width");
    }
    if args.check {
        bail!(
            "--check compares text outputs; a {} is printed by Chromium, whose version changes its bytes: check the HTML instead",
            format.extension().to_uppercase()
        );
    }
    if *destination == Destination::Stdout && std::io::stdout().is_terminal() {
        bail!(
            "a {} is not text for a terminal: write it to a file with -o FILE.{}",
            format.extension().to_uppercase(),
            format.extension()
        );
    }
    let named = args
        .chromium
        .clone()
        .or_else(|| std::env::var_os("JOURNEYMAP_CHROMIUM").map(PathBuf::from))
        .filter(|p| !p.as_os_str().is_empty());
    let options = crate::chromium::Options {
        chromium: named,
        timeout: std::time::Duration::from_secs(args.timeout),
        search: std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default(),
        stamp: std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok()),
    };
    // Find the browser now: without one, nothing is rendered or written.
    crate::chromium::find(options.chromium.as_deref(), &options.search)?;
    Ok(Some((shot, options)))
}

pub fn run(args: &RenderArgs) -> Result<Outcome> {
    let plan = Plan::new(args)?;
    // Load and validate everything first: nothing is written unless every map is fine.
    let checks = super::checks(None)?;
    // The templates compile on a second thread while the maps load and their files are read.
    let renderer = crate::render::Renderer::new(plan.templates.clone());
    let (results, sources) = std::thread::scope(|s| {
        s.spawn(|| renderer.prepare(plan.format));
        pipeline::check_all(&plan.maps, checks, plan.root.as_deref())
    });
    let outcome = report(&results, &sources, args);
    if outcome != Outcome::Ok {
        if args.diagnostics == Format::Human {
            eprintln!("nothing written: fix the errors above");
        }
        return Ok(outcome);
    }
    // A template folder is needed only by a format that uses templates.
    if let Some(dir) = &plan.templates
        && plan.format != OutputFormat::Json
        && !dir.is_dir()
    {
        bail!("--templates {}: no such directory", dir.display());
    }
    let maps: Vec<((Loaded, SurveyData), Option<PathBuf>)> = results
        .into_iter()
        .zip(&plan.maps)
        .filter_map(|(c, (_, root))| c.map.map(|m| (m, root.clone())))
        .collect();
    let ages = crate::portfolio::Ages {
        today: checks.today,
        max_age_days: args.max_age,
    };
    let targets = pages(&plan, &renderer, &maps, ages)?;
    if plan.destination != Destination::Stdout && !args.check {
        let templates = args
            .templates
            .as_deref()
            .filter(|d| !d.as_os_str().is_empty());
        output::refuse_inputs(&targets, &inputs(&maps, templates))?;
    }
    deliver(&plan, &targets)
}

/// Print every diagnostic on stderr; the worst outcome of the maps.
fn report(results: &[Checked], sources: &diagnostic::Sources, args: &RenderArgs) -> Outcome {
    let all: Vec<diagnostic::Diagnostic> = results
        .iter()
        .flat_map(|c| c.diagnostics.iter().cloned())
        .collect();
    if !all.is_empty() {
        let mut text = diagnostic::format_all(&all, sources, args.diagnostics);
        if args.diagnostics == Format::Human {
            text.push_str(&format!("{}\n", diagnostic::summary(&all)));
            text.push_str(&diagnostic::explain_hint(&all));
        }
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    results
        .iter()
        .map(|c| c.outcome(args.strict))
        .max()
        .unwrap_or(Outcome::Ok)
}

/// The pages to write: one per map, and the index page of a directory render. Maps
/// rendered together are linked first, so that a stage shows the journeys that detail it.
fn pages(
    plan: &Plan,
    renderer: &crate::render::Renderer,
    maps: &[((Loaded, SurveyData), Option<PathBuf>)],
    ages: crate::portfolio::Ages,
) -> Result<Vec<Target>> {
    let mut members: Vec<crate::portfolio::Member> = maps
        .iter()
        .map(|((loaded, data), root)| crate::portfolio::Member {
            loaded,
            ctx: crate::enrich::enrich(loaded, data),
            path: crate::portfolio::map_path(&loaded.path, root.as_deref()),
            page: output::output_name(&loaded.path, root.as_deref(), plan.format),
        })
        .collect();
    let index = crate::portfolio::link(&mut members, ages);
    let mut targets = Vec::new();
    // One Chromium prints every page of the run.
    let chromium = match &plan.shot {
        Some((_, options)) => Some(crate::chromium::Chromium::start(options)?),
        None => None,
    };
    for m in &members {
        let page = renderer.map(&m.ctx, plan.format)?;
        let bytes = match (&chromium, &plan.shot) {
            (Some(c), Some((shot, _))) => c
                .shoot(&page, *shot)
                .with_context(|| format!("the map {}", m.loaded.file))?,
            _ => page.into_bytes(),
        };
        let path = match &plan.destination {
            Destination::Dir(dir) => dir.join(&m.page),
            Destination::File(f) => f.clone(),
            Destination::Stdout => PathBuf::new(),
        };
        targets.push(Target { path, bytes });
    }
    // An index is written for several maps or a scanned folder, never for one map named on
    // its own (it would replace an index.html the user keeps in that folder).
    // PDFs and PNGs get no index: it would be a page of links that cannot be followed.
    let scanned = plan.maps.len() > 1 || plan.maps.iter().any(|(_, root)| root.is_some());
    if let Destination::Dir(dir) = &plan.destination
        && scanned
        && !plan.format.is_picture()
    {
        let mut names: Vec<String> = members
            .iter()
            .map(|m| format!("the map {}", m.loaded.file))
            .collect();
        targets.push(Target {
            path: dir.join(format!("index.{}", plan.format.extension())),
            bytes: renderer.index(&index, plan.format)?.into_bytes(),
        });
        names.push("the index page".to_owned());
        output::check_collisions(&targets, &names)?;
    }
    Ok(targets)
}

/// Write the pages (or compare them, under `--check`).
fn deliver(plan: &Plan, targets: &[Target]) -> Result<Outcome> {
    if plan.destination == Destination::Stdout {
        for t in targets {
            output::write_stdout(&t.bytes)?;
        }
        return Ok(Outcome::Ok);
    }
    if plan.args.check {
        let mut stale = output::check(targets)?;
        if let Destination::Dir(dir) = &plan.destination {
            stale.extend(output::orphans(dir, targets, plan.format));
        }
        for (path, why) in &stale {
            eprintln!("{why}: {}", crate::load::display(path));
        }
        if stale.is_empty() {
            eprintln!("up to date: {} file(s)", targets.len());
            return Ok(Outcome::Ok);
        }
        return Ok(Outcome::Problems);
    }
    for t in targets {
        output::write_atomic(&t.path, &t.bytes)?;
    }
    if !plan.args.quiet {
        for t in targets {
            eprintln!("wrote {}", crate::load::display(&t.path));
        }
    }
    Ok(Outcome::Ok)
}

/// Every file a render reads: the maps, their persona, survey, analytics and event files,
/// and the user's templates. No output may be one of them.
fn inputs(
    maps: &[((Loaded, SurveyData), Option<PathBuf>)],
    templates: Option<&Path>,
) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = maps
        .iter()
        .flat_map(|((loaded, _), _)| pipeline::inputs(loaded))
        .collect();
    if let Some(dir) = templates {
        out.extend(
            walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(walkdir::DirEntry::into_path),
        );
    }
    out
}
