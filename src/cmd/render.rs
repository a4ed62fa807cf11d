//! `journeymap render`: the arguments become a [`Plan`] before any work; then every map goes
//! through the pipeline, and only when all are sound are pages rendered and written.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::Outcome;
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
        Ok(Plan {
            maps,
            format,
            destination,
            templates: crate::cli::dir_or_env(args.templates.as_deref(), "JOURNEYMAP_TEMPLATES"),
            root: crate::cli::dir_or_env(args.root.as_deref(), "JOURNEYMAP_ROOT"),
            args,
        })
    }
}

pub fn run(args: &RenderArgs) -> Result<Outcome> {
    let plan = Plan::new(args)?;
    // Load and validate everything first: nothing is written unless every map is fine.
    let checks = crate::validate::Checks {
        max_age_days: None,
        today: crate::validate::today()?,
    };
    let (results, sources) = pipeline::check_all(&plan.maps, checks, plan.root.as_deref());
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
    let targets = pages(&plan, &maps)?;
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
        }
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    results
        .iter()
        .map(|c| c.outcome(args.strict))
        .max()
        .unwrap_or(Outcome::Ok)
}

/// The pages to write: one per map, and the index page of a directory render.
fn pages(plan: &Plan, maps: &[((Loaded, SurveyData), Option<PathBuf>)]) -> Result<Vec<Target>> {
    let renderer = crate::render::Renderer::new(plan.templates.clone());
    let mut targets = Vec::new();
    let mut entries = Vec::new();
    for ((loaded, data), root) in maps {
        let ctx = crate::enrich::enrich(loaded, data);
        let bytes = renderer.map(&ctx, plan.format)?.into_bytes();
        let path = match &plan.destination {
            Destination::Dir(dir) => {
                let rel = output::output_name(&loaded.path, root.as_deref(), plan.format);
                entries.push(crate::enrich::IndexEntry::new(&ctx, &rel));
                dir.join(&rel)
            }
            Destination::File(f) => f.clone(),
            Destination::Stdout => PathBuf::new(),
        };
        targets.push(Target { path, bytes });
    }
    // An index is written for several maps or a scanned folder, never for one map named on
    // its own (it would replace an index.html the user keeps in that folder).
    let scanned = plan.maps.len() > 1 || plan.maps.iter().any(|(_, root)| root.is_some());
    if let Destination::Dir(dir) = &plan.destination
        && scanned
    {
        let mut names: Vec<String> = maps
            .iter()
            .map(|((l, _), _)| format!("the map {}", l.file))
            .collect();
        let index = crate::enrich::Index { maps: entries };
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

/// Every file a render reads: the maps, their persona and survey files, and the user's
/// templates. No output may be one of them.
fn inputs(
    maps: &[((Loaded, SurveyData), Option<PathBuf>)],
    templates: Option<&Path>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for ((loaded, _), _) in maps {
        out.push(loaded.path.clone());
        if let Some(crate::model::Spanned {
            value: crate::model::PersonaRef::Path(rel),
            ..
        }) = &loaded.journey.persona
        {
            out.push(crate::load::relative_to(&loaded.path, rel));
        }
        for s in &loaded.journey.surveys {
            for (_, f) in s.files() {
                out.push(crate::load::relative_to(&loaded.path, &f.value));
            }
        }
    }
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
