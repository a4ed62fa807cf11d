//! The pipeline, once: a map file becomes a checked map (load → validate → surveys), with
//! every diagnostic and whether the file could be read at all. `render`, `validate` and
//! `diff` all go through [`check`].
//!
//! Invariants: surveys are read only when the map itself has no errors; maps are checked in
//! parallel but results and diagnostics keep the order the maps were named in.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::Outcome;
use crate::diagnostic::{Diagnostic, Severity, Sources};
use crate::load::Loaded;
use crate::survey::SurveyData;
use crate::validate::Checks;

/// One map after the pipeline.
pub struct Checked {
    /// The map and its survey figures, when the map could be loaded.
    pub map: Option<(Loaded, SurveyData)>,
    pub diagnostics: Vec<Diagnostic>,
    /// The map file itself could not be read: a failure of the run, not of the map.
    pub unreadable: bool,
}

impl Checked {
    /// Exit outcome: an unreadable map is a failure (2); any error, or a warning under
    /// `--strict`, is a problem (1).
    pub fn outcome(&self, strict: bool) -> Outcome {
        if self.unreadable {
            Outcome::Failure
        } else if self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error || strict)
        {
            Outcome::Problems
        } else {
            Outcome::Ok
        }
    }
}

/// Load and validate one map, then read its surveys when the map itself is sound.
/// `root` widens the folder the map may read files from (`--root`).
pub fn check(path: &Path, sources: &mut Sources, checks: Checks, root: Option<&Path>) -> Checked {
    match crate::load::load(path, sources, root) {
        Ok(mut loaded) => {
            let mut diagnostics = crate::validate::validate(&loaded, checks);
            let (said, ancestors) = crate::load::lineage(&loaded);
            diagnostics.extend(said);
            loaded.ancestors = ancestors;
            let data = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
                SurveyData::default()
            } else {
                let (mut data, survey_diags) = crate::survey::read_all(&loaded, checks.reading);
                diagnostics.extend(survey_diags);
                let (funnels, funnel_diags) = crate::analytics::read_all(&loaded);
                diagnostics.extend(funnel_diags);
                data.funnels = funnels;
                let (tickets, said) = crate::trackers::read_all(&loaded);
                diagnostics.extend(said);
                diagnostics.extend(crate::trackers::drift::diagnostics(&loaded, &tickets));
                data.tickets = tickets;
                // What shipped solutions changed: the dated surveys read again around each.
                if loaded.journey.solutions().any(|s| s.shipped.is_some()) {
                    let (effects, said) = crate::survey::effects::read(&loaded, checks.reading);
                    data.effects = effects;
                    diagnostics.extend(said);
                }
                // Targets are judged against the figures, once they are known.
                if !loaded.journey.targets.is_empty()
                    || loaded
                        .journey
                        .stages
                        .value
                        .iter()
                        .any(|s| !s.targets.is_empty())
                {
                    let ctx = crate::enrich::enrich(&loaded, &data);
                    diagnostics.extend(crate::enrich::targets::diagnostics(&loaded, &ctx));
                }
                data
            };
            Checked {
                map: Some((loaded, data)),
                diagnostics,
                unreadable: false,
            }
        }
        Err(failure) => Checked {
            unreadable: failure.is_unreadable(),
            diagnostics: failure.diagnostics(),
            map: None,
        },
    }
}

/// Every file a loaded map reads: the map, its persona, themes, survey, analytics and
/// event-log files (each resolved against the map's folder), and the maps above it.
pub fn inputs(loaded: &Loaded) -> Vec<PathBuf> {
    let mut out = named(&loaded.path, &loaded.journey);
    if let Some((themes, _)) = &loaded.themes_file {
        out.push(themes.clone());
    }
    // The maps above it: their titles and stages are on its page.
    out.extend(loaded.ancestors.iter().map(|a| PathBuf::from(&a.path)));
    out
}

/// The files a map that could not be loaded names, as far as its text can be read: so that
/// `serve` follows a broken persona or themes file and sees it mended.
pub fn inputs_of_text(map: &Path) -> Vec<PathBuf> {
    let Ok(real) = crate::load::confine::named(map) else {
        return vec![map.to_owned()];
    };
    let text = crate::load::read_limited(&real, crate::load::MAX_FILE_BYTES)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    match crate::load::parse::<crate::model::Journey>(&text, &crate::load::display(map)) {
        Ok(j) => named(map, &j),
        Err(_) => vec![map.to_owned()],
    }
}

/// The map and the files it names by path: persona, themes, surveys, analytics, event logs.
fn named(path: &Path, j: &crate::model::Journey) -> Vec<PathBuf> {
    let mut out = vec![path.to_owned()];
    out.extend(
        named_in(j)
            .into_iter()
            .map(|f| crate::load::relative_to(path, f)),
    );
    out
}

/// Every file a map names, as it names them (relative to the map's folder): persona, themes
/// (while it is still a path), survey files and waves, analytics exports, event logs, tracker
/// exports. The one
/// list `serve` follows and `diff` reads from a revision.
pub fn named_in(j: &crate::model::Journey) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(crate::model::Spanned {
        value: crate::model::PersonaRef::Path(rel),
        ..
    }) = &j.persona
    {
        out.push(rel.as_str());
    }
    if let Some(crate::model::Spanned {
        value: crate::model::CodebookRef::Path(rel),
        ..
    }) = &j.themes
    {
        out.push(rel.as_str());
    }
    let files = j
        .surveys
        .iter()
        .flat_map(|s| s.files().into_iter().map(|(_, f)| f.value.as_str()))
        .chain(j.analytics.iter().map(|a| a.file.value.as_str()))
        .chain(
            j.events
                .iter()
                .filter_map(|e| e.file.as_ref().map(|f| f.value.as_str())),
        )
        .chain(j.trackers.iter().map(|t| t.file.value.as_str()));
    out.extend(files);
    out
}

/// Check every map (in parallel), keeping the order they were named in.
pub fn check_all(
    maps: &[(PathBuf, Option<PathBuf>)],
    checks: Checks,
    root: Option<&Path>,
) -> (Vec<Checked>, Sources) {
    let results = parallel_map(maps, |(path, _)| {
        let mut sources = Sources::default();
        let checked = check(path, &mut sources, checks, root);
        (checked, sources)
    });
    let mut all_sources = Sources::default();
    let mut out = Vec::new();
    for (checked, sources) in results {
        all_sources.extend(sources);
        out.push(checked);
    }
    (out, all_sources)
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
                // A symlinked map is a map too (its target must be a file).
                let is_file = entry.file_type().is_file()
                    || (entry.file_type().is_symlink() && entry.path().is_file());
                if is_file && (name.ends_with(".journey.yaml") || name.ends_with(".journey.yml")) {
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
    // The same map named twice (or found twice) would be checked and written twice.
    let mut seen: Vec<PathBuf> = Vec::new();
    for (path, _) in &out {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        if seen.contains(&real) {
            bail!(
                "{} is named more than once; name each map once",
                crate::load::display(path)
            );
        }
        seen.push(real);
    }
    Ok(out)
}

/// `f` over `items` on every core, results in the order of `items`. Maps are independent,
/// and reading a large survey is the slow part of a render.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Cores are counted only when there is more than one map to share out.
    let workers = match items.len() {
        0 | 1 => 1,
        n => std::thread::available_parallelism().map_or(1, |c| c.get().min(n)),
    };
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
