//! journeymap: journey maps that live in git.
//!
//! The pipeline reads top to bottom, each stage using only the previous one's output:
//! `load` reads a YAML map into model types (syntax and type errors become diagnostics),
//! `validate` checks references, ranges and duplicates (collecting every problem),
//! `survey` streams the bound CSV exports into per-stage aggregates,
//! `enrich` turns the map and aggregates into the render context (backlog, funnel,
//! metrics, emotion curves), and
//! `render` feeds that context to minijinja templates embedded in the binary; `output`
//! writes the result atomically. `run` below dispatches the subcommands.

pub mod cli;
pub mod diagnostic;
pub mod diff;
pub mod enrich;
pub mod fuzzing;
pub mod import;
pub mod init;
pub mod load;
pub mod model;
pub mod output;
pub mod render;
pub mod suggest;
pub mod survey;
pub mod validate;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};

use crate::cli::{Cli, Command, OutputFormat, RenderArgs, ValidateArgs};
use crate::diagnostic::{Diagnostic, Format, Severity, Sources};
use crate::load::Loaded;
use crate::output::Target;

/// How a run ended; becomes the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// 0: success (warnings allowed).
    Ok = 0,
    /// 1: problems in the user's maps, warnings under `--strict`, or stale files under `--check`.
    Problems = 1,
    /// 2: usage errors, files that cannot be read or written.
    Failure = 2,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(o as u8)
    }
}

/// Run a parsed command line. Errors of the tool itself (I/O, templates) come back as `Err`
/// and mean exit 2; problems in the user's files are printed as diagnostics here.
pub fn run(cli: Cli) -> Result<Outcome> {
    output::clean_up_on_signals();
    match cli.command {
        Command::Render(args) => render(&args),
        Command::Validate(args) => validate(&args),
        Command::Init { dir } => init::init(&dir),
        Command::Templates(cli::TemplatesCommand::Export { dir }) => {
            for path in render::export(&dir)? {
                println!("wrote {}", load::display(&path));
            }
            Ok(Outcome::Ok)
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "journeymap", &mut out);
            output::write_stdout(&out)?;
            Ok(Outcome::Ok)
        }
        Command::RenderTemplate { templates, name } => render::child(&templates, &name),
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            output::write_stdout(&out)?;
            Ok(Outcome::Ok)
        }
        Command::Import(cli::ImportCommand::Mermaid { file, output }) => {
            import::mermaid_command(&file, output.as_deref())
        }
        Command::Diff(args) => diff::command(&args),
        Command::Schema => {
            let schema = schemars::schema_for!(model::Journey);
            let mut text = serde_json::to_string_pretty(&schema)?;
            text.push('\n');
            output::write_stdout(text.as_bytes())?;
            Ok(Outcome::Ok)
        }
    }
}

/// Every file a render reads: the maps, their persona and survey files, and the user's
/// templates. No output may be one of them.
fn inputs(
    maps: &[((Loaded, survey::SurveyData), Option<PathBuf>)],
    templates: Option<&Path>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for ((loaded, _), _) in maps {
        out.push(loaded.path.clone());
        if let Some(model::Spanned {
            value: model::PersonaRef::Path(rel),
            ..
        }) = &loaded.journey.persona
        {
            out.push(load::relative_to(&loaded.path, rel));
        }
        for s in &loaded.journey.surveys {
            out.push(load::relative_to(&loaded.path, &s.file.value));
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

/// Map files named by the user: files as given, directories scanned recursively for
/// `*.journey.yaml` / `*.journey.yml` in a stable (sorted) order. Each comes with the
/// directory it was found under, so that directory renders can mirror the tree.
pub fn collect_maps(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Option<PathBuf>)>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
                let entry = entry.with_context(|| format!("cannot scan {}", p.display()))?;
                let name = entry.file_name().to_string_lossy();
                if entry.file_type().is_file()
                    && (name.ends_with(".journey.yaml") || name.ends_with(".journey.yml"))
                {
                    out.push((entry.into_path(), Some(p.clone())));
                }
            }
            if out.len() == before {
                bail!(
                    "no maps in {}: directories are scanned for *.journey.yaml and *.journey.yml",
                    p.display()
                );
            }
        } else {
            out.push((p.clone(), None));
        }
    }
    Ok(out)
}

/// `f` over `items` on every core, results in the order of `items`. Maps are independent,
/// and reading a large survey is the slow part of a render.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Check every map (in parallel), keeping document order in results and diagnostics.
#[allow(clippy::type_complexity)]
fn check_all(
    maps: &[(PathBuf, Option<PathBuf>)],
    checks: validate::Checks,
    root: Option<&Path>,
) -> (
    Vec<(Option<(Loaded, survey::SurveyData)>, Vec<Diagnostic>, bool)>,
    Sources,
) {
    let results = parallel_map(maps, |(path, _)| {
        let mut sources = Sources::default();
        let (loaded, diags, unreadable) = check_one(path, &mut sources, checks, root);
        (loaded, diags, unreadable, sources)
    });
    let mut all_sources = Sources::default();
    let mut out = Vec::new();
    for (loaded, diags, unreadable, sources) in results {
        all_sources.extend(sources);
        out.push((loaded, diags, unreadable));
    }
    (out, all_sources)
}

/// Load and validate one map, then read its surveys when the map itself is sound; returns
/// the map (when it loaded), its survey data, every diagnostic, and whether the map file
/// could not be read at all.
fn check_one(
    path: &Path,
    sources: &mut Sources,
    checks: validate::Checks,
    root: Option<&Path>,
) -> (Option<(Loaded, survey::SurveyData)>, Vec<Diagnostic>, bool) {
    match load::load(path, sources, root) {
        Ok(loaded) => {
            let mut diags = validate::validate(&loaded, checks);
            let data = if diags.iter().any(|d| d.severity == Severity::Error) {
                survey::SurveyData::default()
            } else {
                let (data, survey_diags) = survey::read_all(&loaded);
                diags.extend(survey_diags);
                data
            };
            (Some((loaded, data)), diags, false)
        }
        Err(failure) => {
            let unreadable = failure.is_unreadable();
            (None, failure.diagnostics(), unreadable)
        }
    }
}

/// Exit outcome for a set of diagnostics: a map that could not be read at all is a failure
/// of I/O (2); any other error, or a warning under `--strict`, is a problem (1).
fn outcome_of(diags: &[Diagnostic], unreadable: bool, strict: bool) -> Outcome {
    if unreadable {
        Outcome::Failure
    } else if diags
        .iter()
        .any(|d| d.severity == Severity::Error || strict)
    {
        Outcome::Problems
    } else {
        Outcome::Ok
    }
}

fn validate(args: &ValidateArgs) -> Result<Outcome> {
    let checks = validate::Checks {
        max_age_days: Some(args.max_age),
        today: validate::today(),
    };
    let mut all = Vec::new();
    let mut outcome = Outcome::Ok;
    let (results, sources) = check_all(&collect_maps(&args.paths)?, checks, args.root.as_deref());
    for (_, diags, unreadable) in results {
        outcome = outcome.max(outcome_of(&diags, unreadable, args.strict));
        all.extend(diags);
    }
    let mut text = diagnostic::format_all(&all, &sources, args.format);
    if args.format == Format::Human {
        if !all.is_empty() {
            text.push_str(&format!("{}\n", diagnostic::summary(&all)));
        } else {
            text.push_str("ok: no problems found\n");
        }
    }
    output::write_stdout(text.as_bytes())?;
    Ok(outcome)
}

fn render(args: &RenderArgs) -> Result<Outcome> {
    let maps = collect_maps(&args.maps)?;
    let to_stdout = args.output.as_deref().is_none_or(|o| o == Path::new("-"));
    let to_dir = !to_stdout
        && args
            .output
            .as_deref()
            .is_some_and(|o| o.as_os_str().to_string_lossy().ends_with(['/', '\\']) || o.is_dir());
    let format = args
        .format
        .or_else(|| {
            args.output
                .as_deref()
                .filter(|_| !to_stdout && !to_dir)
                .and_then(OutputFormat::from_path)
        })
        .unwrap_or(OutputFormat::Html);
    if !to_dir && maps.len() > 1 {
        bail!(
            "{} maps to render: give a directory for them with `-o DIR/`",
            maps.len()
        );
    }
    if args.check && to_stdout {
        bail!("--check compares with files on disk: give the rendered file with -o");
    }

    // Load and validate everything first: nothing is written unless every map is fine.
    let checks = validate::Checks {
        max_age_days: None,
        today: validate::today(),
    };
    let mut all = Vec::new();
    let mut loaded_maps = Vec::new();
    let mut outcome = Outcome::Ok;
    let (results, sources) = check_all(&maps, checks, args.root.as_deref());
    for ((loaded, diags, unreadable), (_, root)) in results.into_iter().zip(&maps) {
        outcome = outcome.max(outcome_of(&diags, unreadable, args.strict));
        all.extend(diags);
        if let Some(l) = loaded {
            loaded_maps.push((l, root.clone()));
        }
    }
    if !all.is_empty() {
        let mut text = diagnostic::format_all(&all, &sources, args.diagnostics);
        if args.diagnostics == Format::Human {
            text.push_str(&format!("{}\n", diagnostic::summary(&all)));
        }
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    if outcome != Outcome::Ok {
        if args.diagnostics == Format::Human {
            eprintln!("nothing written: fix the errors above");
        }
        return Ok(outcome);
    }

    if let Some(dir) = &args.templates
        && !dir.is_dir()
    {
        bail!("--templates {}: no such directory", dir.display());
    }
    let renderer = render::Renderer::new(args.templates.clone());
    let mut targets = Vec::new();
    let mut entries = Vec::new();
    for ((loaded, data), root) in &loaded_maps {
        let ctx = enrich::enrich(loaded, data);
        let bytes = renderer.map(&ctx, format)?.into_bytes();
        if to_dir {
            let rel = output::output_name(&loaded.path, root.as_deref(), format);
            entries.push(output::IndexEntry::new(&ctx, &rel));
            targets.push(Target {
                path: args.output.clone().unwrap_or_default().join(&rel),
                bytes,
            });
        } else {
            targets.push(Target {
                path: args.output.clone().unwrap_or_default(),
                bytes,
            });
        }
    }
    if to_dir {
        let mut names: Vec<String> = loaded_maps
            .iter()
            .map(|((l, _), _)| format!("the map {}", l.file))
            .collect();
        let index = output::Index { maps: entries };
        targets.push(Target {
            path: args
                .output
                .clone()
                .unwrap_or_default()
                .join(format!("index.{}", format.extension())),
            bytes: renderer.index(&index, format)?.into_bytes(),
        });
        names.push("the index page".to_owned());
        output::check_collisions(&targets, &names)?;
    }
    if !to_stdout && !args.check {
        output::refuse_inputs(&targets, &inputs(&loaded_maps, args.templates.as_deref()))?;
    }

    if to_stdout {
        for t in &targets {
            output::write_stdout(&t.bytes)?;
        }
        return Ok(Outcome::Ok);
    }
    if args.check {
        let mut stale = output::check(&targets)?;
        if to_dir && let Some(dir) = &args.output {
            stale.extend(output::orphans(dir, &targets, format));
        }
        for (path, why) in &stale {
            eprintln!("{why}: {}", load::display(path));
        }
        if stale.is_empty() {
            eprintln!("up to date: {} file(s)", targets.len());
            return Ok(Outcome::Ok);
        }
        return Ok(Outcome::Problems);
    }
    for t in &targets {
        output::write_atomic(&t.path, &t.bytes)?;
    }
    if std::io::stderr().is_terminal() {
        for t in &targets {
            eprintln!("wrote {}", load::display(&t.path));
        }
    }
    Ok(Outcome::Ok)
}
