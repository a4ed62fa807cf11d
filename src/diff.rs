//! Diff: what changed between two versions of a map, by meaning rather than by line.
//!
//! Ids are the identity of things: a changed name with the same id is a rename. Both sides
//! go through the whole pipeline (load, validate, surveys, enrich), so measured emotions,
//! backlog ranks and survey figures are compared as readers see them. A side is a file or
//! `REV:path`, read with `git show` together with the persona and survey files it names.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use serde::Serialize;

use crate::Outcome;
use crate::cli::{DiffArgs, DiffFormat};
use crate::diagnostic::{Format, Severity, Sources};
use crate::enrich::{Context, enrich};
use crate::load::Loaded;
use crate::model::{PersonaRef, Severity as PainSeverity, Status};
use crate::survey::SurveyData;

/// One side of a diff, loaded and read.
struct Side {
    label: String,
    loaded: Loaded,
    data: SurveyData,
    _tmp: Option<(tempfile::TempDir, crate::output::Live)>,
}

#[derive(Debug, Default, Serialize)]
pub struct Changes {
    pub old: String,
    pub new: String,
    pub summary: String,
    pub title: Option<Change<String>>,
    pub stages_added: Vec<StageRef>,
    pub stages_removed: Vec<StageRef>,
    pub stages_renamed: Vec<Renamed>,
    pub stages_moved: Vec<Moved>,
    pub emotions: Vec<EmotionChange>,
    pub pain_points_added: Vec<PainRef>,
    pub pain_points_removed: Vec<PainRef>,
    pub severities: Vec<SeverityChange>,
    pub solutions_added: Vec<SolutionRef>,
    pub solutions_removed: Vec<SolutionRef>,
    pub solutions_changed: Vec<SolutionChange>,
    pub backlog: Vec<RankChange>,
    pub measures: Vec<MeasureChange>,
    /// Surveys whose file, rows or answers changed (a new wave, a re-export).
    pub surveys: Vec<SurveyChange>,
}

#[derive(Debug, Serialize)]
pub struct SurveyChange {
    pub id: String,
    pub file: Change<String>,
    pub rows: Change<u64>,
    pub values_used: Change<u64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change<T> {
    pub old: T,
    pub new: T,
}

fn change<T: PartialEq + Clone>(old: &T, new: &T) -> Option<Change<T>> {
    (old != new).then(|| Change {
        old: old.clone(),
        new: new.clone(),
    })
}

#[derive(Debug, Serialize)]
pub struct StageRef {
    pub id: String,
    pub name: String,
    pub position: usize,
}

#[derive(Debug, Serialize)]
pub struct Renamed {
    pub id: String,
    pub name: Change<String>,
}

#[derive(Debug, Serialize)]
pub struct Moved {
    pub id: String,
    pub name: String,
    pub position: Change<usize>,
}

#[derive(Debug, Serialize)]
pub struct EmotionChange {
    pub stage: String,
    pub name: String,
    pub hand_set: Option<Change<Option<f64>>>,
    pub measured: Option<Change<Option<f64>>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PainRef {
    pub id: String,
    pub text: String,
    pub severity: PainSeverity,
    pub stage: String,
}

#[derive(Debug, Serialize)]
pub struct SeverityChange {
    pub id: String,
    pub text: String,
    pub severity: Change<PainSeverity>,
}

#[derive(Debug, Serialize)]
pub struct SolutionRef {
    pub id: String,
    pub text: String,
    pub status: Status,
    pub stage: String,
}

#[derive(Debug, Serialize)]
pub struct SolutionChange {
    pub id: String,
    pub text: String,
    pub status: Option<Change<Status>>,
    pub owner: Option<Change<Option<String>>>,
    pub priority: Option<Change<Option<f64>>>,
}

#[derive(Debug, Serialize)]
pub struct RankChange {
    pub id: String,
    pub text: String,
    pub rank: Change<Option<usize>>,
}

#[derive(Debug, Serialize)]
pub struct MeasureChange {
    /// A stage id, or `overall`.
    pub stage: String,
    pub name: String,
    pub measure: String,
    pub old: Option<Figure>,
    pub new: Option<Figure>,
    /// Whether the two 95% intervals overlap (when both sides have the measure).
    pub intervals_overlap: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub value: f64,
    pub n: u64,
    pub low: f64,
    pub high: f64,
}

pub fn command(args: &DiffArgs) -> Result<Outcome> {
    let old = match side(&args.old)? {
        Ok(s) => s,
        Err(o) => return Ok(o),
    };
    let new = match side(&args.new)? {
        Ok(s) => s,
        Err(o) => return Ok(o),
    };
    let changes = compare(
        &old.label,
        &enrich(&old.loaded, &old.data),
        &new.label,
        &enrich(&new.loaded, &new.data),
    );
    let text = match args.format {
        DiffFormat::Json => serde_json::to_string_pretty(&changes)? + "\n",
        DiffFormat::Markdown => markdown(&changes),
        DiffFormat::Human => {
            let colour = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
            human(&changes, colour)
        }
    };
    crate::output::write_stdout(text.as_bytes())?;
    Ok(Outcome::Ok)
}

/// Load one side; a map with errors prints its diagnostics and ends the diff (exit 1).
fn side(spec: &str) -> Result<std::result::Result<Side, Outcome>> {
    let (path, tmp, label) = if Path::new(spec).exists() {
        (PathBuf::from(spec), None, spec.to_owned())
    } else if let Some((rev, path)) = spec.split_once(':').filter(|(r, _)| !r.is_empty()) {
        // A private (0700) folder, removed when the diff ends or is interrupted.
        let tmp = tempfile::tempdir().context("cannot make a temporary directory")?;
        let live = crate::output::Live::new(tmp.path());
        let local = from_git(rev, path, tmp.path())?;
        (local, Some((tmp, live)), spec.to_owned())
    } else {
        bail!("{spec}: no such file (write REV:path to read a version from git)");
    };
    let mut sources = Sources::default();
    let rev = spec.split_once(':').map_or("", |(r, _)| r);
    let copy = tmp.as_ref().map(|(t, _)| (t.path(), rev));
    // A version from git reads its files from the copy of the repository it was put in.
    let root = tmp.as_ref().map(|(t, _)| t.path().to_owned());
    let checks = crate::validate::Checks {
        max_age_days: None,
        today: crate::validate::today(),
    };
    let checked = crate::pipeline::check(&path, &mut sources, checks, root.as_deref());
    let errors = checked
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    let (loaded, data) = match checked.map {
        Some(map) if !errors => map,
        _ => {
            report(&checked.diagnostics, &sources, &label, &path, copy);
            return Ok(Err(if checked.unreadable {
                Outcome::Failure
            } else {
                Outcome::Problems
            }));
        }
    };
    Ok(Ok(Side {
        label,
        loaded,
        data,
        _tmp: tmp,
    }))
}

fn report(
    diags: &[crate::diagnostic::Diagnostic],
    sources: &Sources,
    label: &str,
    path: &Path,
    copy: Option<(&Path, &str)>,
) {
    let mut text = crate::diagnostic::format_all(diags, sources, Format::Human);
    // A version from git is named as the user named it (`HEAD:maps/m.journey.yaml`), never
    // by the temporary copy it was read from.
    if let Some((dir, rev)) = copy {
        text = text.replace(
            &format!("{}/", crate::load::display(dir)),
            &format!("{rev}:"),
        );
        eprint!("{text}");
        eprintln!("cannot compare: {label} has errors");
    } else {
        eprint!("{text}");
        eprintln!(
            "cannot compare: {label} ({}) has errors",
            crate::load::display(path)
        );
    }
}

/// The map at `rev:path` into `dir`, with the persona and survey files it names from the
/// same revision, so the old version is read exactly as it was. Paths are resolved as git
/// resolves `REV:path` (from the top of the repository, or from the current folder when
/// they start with `./` or `../`) and lexically: nothing is written outside `dir`, and a
/// path that leaves the repository is refused.
fn from_git(rev: &str, path: &str, dir: &Path) -> Result<PathBuf> {
    if rev.starts_with('-') {
        bail!("`{rev}` is not a revision: a revision cannot start with `-`");
    }
    let in_repo = repo_path(path)?;
    let text = cat_file(rev, &in_repo)?;
    let local = dir.join(&in_repo);
    write(&local, &text)?;
    // The files the map names, from the same revision, when they exist there. (Parsing the
    // text alone: loading would look for the persona file before it is fetched.)
    let text_str = String::from_utf8_lossy(&text);
    if let Ok(journey) = crate::load::parse::<crate::model::Journey>(&text_str, path) {
        let mut names: Vec<String> = journey
            .surveys
            .iter()
            .map(|s| s.file.value.clone())
            .collect();
        if let Some(p) = &journey.persona
            && let PersonaRef::Path(rel) = &p.value
        {
            names.push(rel.clone());
        }
        let base = in_repo.parent().unwrap_or(Path::new(""));
        for rel in names {
            // A file outside the repository stays unfetched; loading then reports it.
            let Some(named) = normalise(&base.join(&rel)) else {
                continue;
            };
            if let Ok(bytes) = cat_file(rev, &named) {
                write(&dir.join(&named), &bytes)?;
            }
        }
    }
    Ok(local)
}

/// `path` from `REV:path` as a path from the top of the repository, without `.` or `..`.
fn repo_path(path: &str) -> Result<PathBuf> {
    let relative_to_cwd = path.starts_with("./") || path.starts_with("../");
    let joined = if relative_to_cwd {
        let out = Command::new("git")
            .args(["rev-parse", "--show-prefix"])
            .output()
            .context("cannot run git (is it installed?)")?;
        if !out.status.success() {
            bail!("cannot read {path} from git: not inside a git repository");
        }
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join(path)
    } else {
        PathBuf::from(path)
    };
    normalise(&joined)
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| anyhow::anyhow!("{path} leads outside the repository"))
}

/// `.` and `dir/..` removed lexically; `None` when the path climbs above its start or is
/// absolute.
fn normalise(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The blob at `rev:path`, read into memory through `git cat-file --batch`: the object name
/// goes on standard input, so nothing in it can be taken for an option.
fn cat_file(rev: &str, path: &Path) -> Result<Vec<u8>> {
    use std::io::Write as _;
    let spec = format!("{rev}:{}", crate::load::display(path));
    if spec.contains('\n') {
        bail!("cannot read {spec} from git: a revision or path holds a line break");
    }
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("cannot run git (is it installed?)")?;
    if let Some(mut stdin) = child.stdin.take() {
        // Outside a repository git exits before reading: its own message says why.
        let _ = stdin.write_all(format!("{spec}\n").as_bytes());
    }
    let out = child.wait_with_output().context("cannot run git")?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr);
        bail!(
            "cannot read {spec} from git: {}",
            why.lines()
                .next()
                .unwrap_or("not a git repository")
                .trim_start_matches("fatal: ")
        );
    }
    // "<name> blob <size>\n<bytes>\n", or "<spec> missing\n".
    let header_end = out
        .stdout
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(out.stdout.len());
    let header = String::from_utf8_lossy(&out.stdout[..header_end]).into_owned();
    let mut parts = header.rsplitn(3, ' ');
    let size = parts.next().and_then(|s| s.parse::<usize>().ok());
    let kind = parts.next();
    match (kind, size) {
        (Some("blob"), Some(size)) if out.stdout.len() > header_end + size => {
            Ok(out.stdout[header_end + 1..header_end + 1 + size].to_vec())
        }
        (Some(other), Some(_)) if other != "blob" => {
            bail!("cannot read {spec} from git: it is a {other}, not a file")
        }
        _ => bail!("cannot read {spec} from git: no such file in that revision"),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// The longest common subsequence when ids are unique (stage ids are): the longest
/// increasing run of old positions taken in the new order, in O(n log n) time and O(n)
/// memory (patience sorting).
fn lcs_of_unique(a: &[&str], b: &[&str]) -> Vec<String> {
    let pos: std::collections::HashMap<&str, usize> =
        a.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let seq: Vec<(usize, &str)> = b
        .iter()
        .filter_map(|id| pos.get(id).map(|&i| (i, *id)))
        .collect();
    // tails[k]: index into seq of the smallest tail of an increasing run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (j, &(p, _)) in seq.iter().enumerate() {
        let k = tails.partition_point(|&t| seq[t].0 < p);
        prev[j] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(j);
        } else {
            tails[k] = j;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(j) = at {
        out.push(seq[j].1.to_owned());
        at = prev[j];
    }
    out.reverse();
    out
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

/// Above this many cells the table of [`lcs`] would not fit in memory (two 39,000-stage
/// maps would need 12 GB); [`lcs_of_unique`] is used instead.
const LCS_TABLE_LIMIT: usize = 4_000_000;

/// Longest common subsequence of two id lists: stages outside it have moved.
fn lcs(a: &[&str], b: &[&str]) -> Vec<String> {
    if a.len().saturating_mul(b.len()) > LCS_TABLE_LIMIT {
        return lcs_of_unique(a, b);
    }
    let (n, m) = (a.len(), b.len());
    let mut t = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if a[i] == b[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(a[i].to_owned());
            i += 1;
            j += 1;
        } else if t[i + 1][j] > t[i][j + 1] {
            i += 1;
        } else {
            // On a tie the stage that now comes earlier is the one that moved (swapping two
            // neighbours is reported as moving the one brought forward).
            j += 1;
        }
    }
    out
}

pub fn compare(old_label: &str, old: &Context, new_label: &str, new: &Context) -> Changes {
    let mut c = Changes {
        old: old_label.to_owned(),
        new: new_label.to_owned(),
        title: change(&old.title.to_owned(), &new.title.to_owned()),
        ..Changes::default()
    };
    // Everything is looked up by id through an index: two maps of 40,000 stages compare in
    // linear time.
    let index = |ctx: &'_ Context<'_>| -> std::collections::HashMap<String, usize> {
        ctx.stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.to_owned(), i))
            .collect()
    };
    let (old_ix, new_ix) = (index(old), index(new));
    let old_at = |id: &str| old_ix.get(id).copied();
    let stage_old = |id: &str| old_at(id).map(|i| &old.stages[i]);
    let stage_new = |id: &str| new_ix.get(id).map(|&i| &new.stages[i]);
    for (i, s) in new.stages.iter().enumerate() {
        match stage_old(s.id) {
            None => c.stages_added.push(StageRef {
                id: s.id.to_owned(),
                name: s.name.to_owned(),
                position: i + 1,
            }),
            Some(o) if o.name != s.name => c.stages_renamed.push(Renamed {
                id: s.id.to_owned(),
                name: Change {
                    old: o.name.to_owned(),
                    new: s.name.to_owned(),
                },
            }),
            Some(_) => {}
        }
    }
    for (i, s) in old.stages.iter().enumerate() {
        if stage_new(s.id).is_none() {
            c.stages_removed.push(StageRef {
                id: s.id.to_owned(),
                name: s.name.to_owned(),
                position: i + 1,
            });
        }
    }
    let common_old: Vec<&str> = old
        .stages
        .iter()
        .map(|s| s.id)
        .filter(|id| stage_new(id).is_some())
        .collect();
    let common_new: Vec<&str> = new
        .stages
        .iter()
        .map(|s| s.id)
        .filter(|id| stage_old(id).is_some())
        .collect();
    let kept: std::collections::HashSet<String> =
        lcs(&common_old, &common_new).into_iter().collect();
    for (i, s) in new.stages.iter().enumerate() {
        if let Some(j) = old_at(s.id)
            && !kept.contains(s.id)
        {
            c.stages_moved.push(Moved {
                id: s.id.to_owned(),
                name: s.name.to_owned(),
                position: Change {
                    old: j + 1,
                    new: i + 1,
                },
            });
        }
    }
    for s in &new.stages {
        let Some(o) = stage_old(s.id) else { continue };
        let (oh, nh) = (o.emotion.map(|e| e.score), s.emotion.map(|e| e.score));
        let hand_set = (!close(oh, nh)).then_some(Change { old: oh, new: nh });
        let measured = (!close(o.emotion_measured, s.emotion_measured)).then_some(Change {
            old: o.emotion_measured,
            new: s.emotion_measured,
        });
        if hand_set.is_some() || measured.is_some() {
            c.emotions.push(EmotionChange {
                stage: s.id.to_owned(),
                name: s.name.to_owned(),
                hand_set,
                measured,
            });
        }
    }

    let pains = |ctx: &Context| -> Vec<PainRef> {
        ctx.stages
            .iter()
            .flat_map(|s| {
                s.pain_points.iter().map(move |p| PainRef {
                    id: p.pain_point.id.value.clone(),
                    text: p.pain_point.text.clone(),
                    severity: p.pain_point.severity,
                    stage: s.name.to_owned(),
                })
            })
            .collect()
    };
    let (old_pains, new_pains) = (pains(old), pains(new));
    let old_pain: std::collections::HashMap<&str, &PainRef> =
        old_pains.iter().map(|o| (o.id.as_str(), o)).collect();
    for p in &new_pains {
        match old_pain.get(p.id.as_str()) {
            None => c.pain_points_added.push(p.clone()),
            Some(o) if o.severity != p.severity => c.severities.push(SeverityChange {
                id: p.id.clone(),
                text: p.text.clone(),
                severity: Change {
                    old: o.severity,
                    new: p.severity,
                },
            }),
            Some(_) => {}
        }
    }
    for p in &old_pains {
        if !new_pains.iter().any(|n| n.id == p.id) {
            c.pain_points_removed.push(p.clone());
        }
    }

    let solutions = |ctx: &'_ Context| -> Vec<SolutionState> {
        ctx.stages
            .iter()
            .flat_map(|s| {
                s.solutions.iter().map(move |o| {
                    (
                        SolutionRef {
                            id: o.solution.id.value.clone(),
                            text: o.solution.text.clone(),
                            status: o.solution.status,
                            stage: s.name.to_owned(),
                        },
                        o.solution.owner.clone(),
                        o.priority,
                        o.rank,
                    )
                })
            })
            .collect()
    };
    let (old_sol, new_sol) = (solutions(old), solutions(new));
    let old_sol_ix: std::collections::HashMap<&str, &SolutionState> =
        old_sol.iter().map(|x| (x.0.id.as_str(), x)).collect();
    for (s, owner, priority, rank) in &new_sol {
        let Some((o, o_owner, o_priority, o_rank)) = old_sol_ix.get(s.id.as_str()).copied() else {
            c.solutions_added.push(SolutionRef {
                id: s.id.clone(),
                text: s.text.clone(),
                status: s.status,
                stage: s.stage.clone(),
            });
            continue;
        };
        let status = change(&o.status, &s.status);
        let owner = change(o_owner, owner);
        let priority = (!close(*o_priority, *priority)).then_some(Change {
            old: *o_priority,
            new: *priority,
        });
        if status.is_some() || owner.is_some() || priority.is_some() {
            c.solutions_changed.push(SolutionChange {
                id: s.id.clone(),
                text: s.text.clone(),
                status,
                owner,
                priority,
            });
        }
        if o_rank != rank {
            c.backlog.push(RankChange {
                id: s.id.clone(),
                text: s.text.clone(),
                rank: Change {
                    old: *o_rank,
                    new: *rank,
                },
            });
        }
    }
    for (s, ..) in &old_sol {
        if !new_sol.iter().any(|(n, ..)| n.id == s.id) {
            c.solutions_removed.push(SolutionRef {
                id: s.id.clone(),
                text: s.text.clone(),
                status: s.status,
                stage: s.stage.clone(),
            });
        }
    }
    c.backlog.sort_by_key(|r| r.rank.new.unwrap_or(usize::MAX));

    // Survey measures, per stage and overall.
    let mut places: Vec<(String, String, &Metrics, Option<&Metrics>)> = Vec::new();
    places.push((
        "overall".into(),
        "Overall".into(),
        &new.metrics,
        Some(&old.metrics),
    ));
    for s in &new.stages {
        places.push((
            s.id.to_owned(),
            s.name.to_owned(),
            &s.metrics,
            stage_old(s.id).map(|o| &o.metrics),
        ));
    }
    for (id, name, new_m, old_m) in places {
        let Some(old_m) = old_m else { continue };
        let mut keys: Vec<&str> = new_m.keys().chain(old_m.keys()).copied().collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            let fig = |f: &crate::survey::measure::Figure| Figure {
                value: f.value,
                n: f.n,
                low: f.low,
                high: f.high,
            };
            let (o, n) = (old_m.get(k).map(fig), new_m.get(k).map(fig));
            let moved = match (&o, &n) {
                (Some(a), Some(b)) => (a.value - b.value).abs() > 1e-9 || a.n != b.n,
                (None, None) => false,
                _ => true,
            };
            if moved {
                let overlap = match (&o, &n) {
                    (Some(a), Some(b)) => Some(a.low <= b.high && b.low <= a.high),
                    _ => None,
                };
                c.measures.push(MeasureChange {
                    stage: id.clone(),
                    name: name.clone(),
                    measure: k.to_owned(),
                    old: o,
                    new: n,
                    intervals_overlap: overlap,
                });
            }
        }
    }
    for n in new.survey_summary {
        let Some(o) = old.survey_summary.iter().find(|o| o.id == n.id) else {
            continue;
        };
        if o.file != n.file || o.rows != n.rows || o.values_used != n.values_used {
            c.surveys.push(SurveyChange {
                id: n.id.clone(),
                file: Change {
                    old: o.file.clone(),
                    new: n.file.clone(),
                },
                rows: Change {
                    old: o.rows,
                    new: n.rows,
                },
                values_used: Change {
                    old: o.values_used,
                    new: n.values_used,
                },
            });
        }
    }
    c.summary = summary(&c);
    c
}

/// A solution as the diff compares it: what it is, its owner, priority and backlog rank.
type SolutionState = (SolutionRef, Option<String>, Option<f64>, Option<usize>);

/// Survey figures of one place (a stage, or the whole journey), by measure.
type Metrics = std::collections::BTreeMap<&'static str, crate::survey::measure::Figure>;

fn count(n: usize, one: &str, many: &str, what: &str) -> Option<String> {
    (n > 0).then(|| format!("{n} {} {what}", if n == 1 { one } else { many }))
}

fn summary(c: &Changes) -> String {
    let parts: Vec<String> = [
        count(c.stages_added.len(), "stage", "stages", "added"),
        count(c.stages_removed.len(), "stage", "stages", "removed"),
        count(c.stages_renamed.len(), "stage", "stages", "renamed"),
        count(c.stages_moved.len(), "stage", "stages", "moved"),
        count(c.emotions.len(), "emotion", "emotions", "changed"),
        count(
            c.pain_points_added.len(),
            "pain point",
            "pain points",
            "added",
        ),
        count(
            c.pain_points_removed.len(),
            "pain point",
            "pain points",
            "removed",
        ),
        count(c.severities.len(), "severity", "severities", "changed"),
        count(c.solutions_added.len(), "solution", "solutions", "added"),
        count(
            c.solutions_removed.len(),
            "solution",
            "solutions",
            "removed",
        ),
        count(
            c.solutions_changed.len(),
            "solution",
            "solutions",
            "changed",
        ),
        count(c.backlog.len(), "backlog rank", "backlog ranks", "changed"),
        count(
            c.measures.len(),
            "survey measure",
            "survey measures",
            "moved",
        ),
        count(c.surveys.len(), "survey file", "survey files", "changed"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() && c.title.is_none() {
        "no changes".to_owned()
    } else if parts.is_empty() {
        "title changed".to_owned()
    } else {
        parts.join(", ")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("none".to_owned(), crate::enrich::fmt_score)
}

fn fig(f: &Option<Figure>, measure: &str) -> String {
    let fmt = |v: f64| crate::render::fmt_metric(v, measure);
    f.as_ref().map_or("–".to_owned(), |f| {
        format!(
            "{} (n={}, 95% CI {} to {})",
            fmt(f.value),
            f.n,
            fmt(f.low),
            fmt(f.high)
        )
    })
}

fn status(s: Status) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('-', " ")))
        .unwrap_or_default()
}

fn severity(s: PainSeverity) -> &'static str {
    match s {
        PainSeverity::Low => "low",
        PainSeverity::Medium => "medium",
        PainSeverity::High => "high",
        PainSeverity::Critical => "critical",
    }
}

/// The changes as lines of (kind, text), kind one of `+`, `-`, `~`, grouped by heading.
fn sections(c: &Changes, md: bool) -> Vec<(&'static str, Vec<(char, String)>)> {
    let t = |s: &str| {
        if md {
            crate::render::md_escape(s)
        } else {
            s.to_owned()
        }
    };
    let code = |s: &str| {
        if md {
            format!("`{}`", s.replace('`', "'"))
        } else {
            s.to_owned()
        }
    };
    let mut out = Vec::new();
    let mut stages = Vec::new();
    for s in &c.stages_added {
        stages.push((
            '+',
            format!(
                "added {} ({}) at position {}",
                t(&s.name),
                code(&s.id),
                s.position
            ),
        ));
    }
    for s in &c.stages_removed {
        stages.push((
            '-',
            format!(
                "removed {} ({}), was at position {}",
                t(&s.name),
                code(&s.id),
                s.position
            ),
        ));
    }
    for s in &c.stages_renamed {
        stages.push((
            '~',
            format!(
                "renamed {}: {} → {}",
                code(&s.id),
                t(&s.name.old),
                t(&s.name.new)
            ),
        ));
    }
    for s in &c.stages_moved {
        stages.push((
            '~',
            format!(
                "moved {} ({}): position {} → {}",
                t(&s.name),
                code(&s.id),
                s.position.old,
                s.position.new
            ),
        ));
    }
    out.push(("Stages", stages));
    let mut emotions = Vec::new();
    for e in &c.emotions {
        let mut parts = Vec::new();
        if let Some(h) = &e.hand_set {
            parts.push(format!("set by the team {} → {}", opt(h.old), opt(h.new)));
        }
        if let Some(m) = &e.measured {
            parts.push(format!("measured {} → {}", opt(m.old), opt(m.new)));
        }
        emotions.push(('~', format!("{}: {}", t(&e.name), parts.join("; "))));
    }
    out.push(("Emotions", emotions));
    let mut pains = Vec::new();
    for p in &c.pain_points_added {
        pains.push((
            '+',
            format!(
                "added {} {} in {}",
                severity(p.severity),
                t(&p.text),
                t(&p.stage)
            ),
        ));
    }
    for p in &c.pain_points_removed {
        pains.push((
            '-',
            format!(
                "removed {} {} from {}",
                severity(p.severity),
                t(&p.text),
                t(&p.stage)
            ),
        ));
    }
    for p in &c.severities {
        pains.push((
            '~',
            format!(
                "{}: severity {} → {}",
                t(&p.text),
                severity(p.severity.old),
                severity(p.severity.new)
            ),
        ));
    }
    out.push(("Pain points", pains));
    let mut sols = Vec::new();
    for s in &c.solutions_added {
        sols.push((
            '+',
            format!(
                "added {} ({}) in {}",
                t(&s.text),
                status(s.status),
                t(&s.stage)
            ),
        ));
    }
    for s in &c.solutions_removed {
        sols.push((
            '-',
            format!(
                "removed {} ({}) from {}",
                t(&s.text),
                status(s.status),
                t(&s.stage)
            ),
        ));
    }
    for s in &c.solutions_changed {
        let mut parts = Vec::new();
        if let Some(x) = &s.status {
            parts.push(format!("status {} → {}", status(x.old), status(x.new)));
        }
        if let Some(x) = &s.owner {
            let o = |v: &Option<String>| v.as_deref().map_or("nobody".to_owned(), t);
            parts.push(format!("owner {} → {}", o(&x.old), o(&x.new)));
        }
        if let Some(x) = &s.priority {
            let p = |v: Option<f64>| {
                v.map_or("none (not in the backlog)".to_owned(), |p| {
                    crate::render::fmt_metric(p, "score")
                })
            };
            parts.push(format!("priority {} → {}", p(x.old), p(x.new)));
        }
        sols.push(('~', format!("{}: {}", t(&s.text), parts.join("; "))));
    }
    out.push(("Solutions", sols));
    let mut ranks = Vec::new();
    for r in &c.backlog {
        let p = |v: Option<usize>| v.map_or("out".to_owned(), |r| format!("#{r}"));
        ranks.push((
            '~',
            format!("{}: {} → {}", t(&r.text), p(r.rank.old), p(r.rank.new)),
        ));
    }
    out.push(("Backlog", ranks));
    let mut measures = Vec::new();
    for m in &c.measures {
        let label = crate::render::measure_label(&m.measure);
        let overlap = match m.intervals_overlap {
            Some(true) => "; the intervals overlap, so the change may be noise",
            Some(false) => "; the intervals do not overlap",
            None => "",
        };
        measures.push((
            '~',
            format!(
                "{} {}: {} → {}{overlap}",
                t(&m.name),
                label,
                fig(&m.old, &m.measure),
                fig(&m.new, &m.measure)
            ),
        ));
    }
    out.push(("Survey measures", measures));
    let surveys = c
        .surveys
        .iter()
        .map(|v| {
            let file = if v.file.old == v.file.new {
                code(&v.file.new)
            } else {
                format!("{} → {}", code(&v.file.old), code(&v.file.new))
            };
            (
                '~',
                format!(
                    "survey {} ({file}): {} → {} rows, {} → {} answers used",
                    code(&v.id),
                    v.rows.old,
                    v.rows.new,
                    v.values_used.old,
                    v.values_used.new
                ),
            )
        })
        .collect();
    out.push(("Survey files", surveys));
    out.retain(|(_, lines)| !lines.is_empty());
    out
}

pub fn markdown(c: &Changes) -> String {
    let mut s = format!(
        "**journeymap diff**: {} (`{}` → `{}`)\n",
        c.summary,
        c.old.replace('`', "'"),
        c.new.replace('`', "'")
    );
    if let Some(t) = &c.title {
        s.push_str(&format!(
            "\nTitle: {} → {}\n",
            crate::render::md_escape(&t.old),
            crate::render::md_escape(&t.new)
        ));
    }
    for (heading, lines) in sections(c, true) {
        s.push_str(&format!("\n### {heading}\n\n"));
        for (kind, line) in lines {
            let mark = match kind {
                '+' => "➕",
                '-' => "➖",
                _ => "✏️",
            };
            s.push_str(&format!("- {mark} {line}\n"));
        }
    }
    s
}

pub fn human(c: &Changes, colour: bool) -> String {
    let paint = |kind: char, text: &str| {
        if !colour {
            return text.to_owned();
        }
        let code = match kind {
            '+' => "32",
            '-' => "31",
            _ => "33",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    // Map text is shown, never acted on: no line breaks, ESC or bidi overrides from a map
    // reach the terminal.
    let inert = crate::diagnostic::inert;
    let mut s = format!(
        "{} → {}: {}\n",
        inert(&c.old),
        inert(&c.new),
        inert(&c.summary)
    );
    if let Some(t) = &c.title {
        s.push_str(&format!("title: {} → {}\n", inert(&t.old), inert(&t.new)));
    }
    for (heading, lines) in sections(c, false) {
        s.push_str(&format!("\n{heading}\n"));
        for (kind, line) in lines {
            s.push_str(&format!(
                "  {} {}\n",
                paint(kind, &kind.to_string()),
                inert(&line)
            ));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_linear_lcs_is_as_long_as_the_table_one() {
        let a = ["a", "b", "c", "d", "e", "f", "g"];
        for b in [
            &["a", "c", "b", "d", "g", "e", "f"][..],
            &["g", "f", "e", "d", "c", "b", "a"][..],
            &["x", "a", "y", "b", "z"][..],
            &["b", "d", "f", "a", "c", "e", "g"][..],
        ] {
            let fast = lcs_of_unique(&a, b);
            assert_eq!(fast.len(), lcs(&a, b).len(), "{b:?}");
            // It is a common subsequence of both.
            let sub = |s: &[&str]| {
                let mut it = s.iter();
                fast.iter().all(|f| it.any(|x| x == f))
            };
            assert!(sub(&a) && sub(b), "{fast:?}");
        }
    }
}
