//! What changed between two maps: the data model of a diff (what `-f json` prints), and its
//! one-line summary.

use serde::Serialize;

use crate::model::{Severity as PainSeverity, Status};

/// Everything that changed, by kind; each list in the new map's order.
#[derive(Debug, Default, Serialize)]
pub struct Changes {
    pub old: String,
    pub new: String,
    pub summary: String,
    pub title: Option<Change<String>>,
    /// The stage of another map this one details (`path#stage`, `none` for a top map).
    pub parent: Option<Change<String>>,
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
    /// Theme shares that changed, per stage and overall: a codebook edited, or comments
    /// re-exported.
    pub themes: Vec<ThemeShareChange>,
    /// Surveys whose file, rows or answers changed (a new wave, a re-export).
    pub surveys: Vec<SurveyChange>,
    /// Bindings that changed (how the map reads a source), key by key: named before the
    /// figures they move.
    pub bindings: Vec<BindingChange>,
    /// Files the map reads, under the same name on both sides, whose bytes differ.
    pub files_changed: Vec<String>,
    /// Hand-set `funnel:` counts that changed.
    pub funnels: Vec<FunnelChange>,
    /// Measured reach that moved, per stage and per segment: counts of actors, not samples,
    /// so compared as before → after.
    pub reach: Vec<ReachChange>,
    /// Targets whose judgement changed (met, missed, unclear), or that appeared or went.
    pub targets: Vec<TargetChange>,
    /// Effects of shipped solutions the new map shows and the old one did not (a solution
    /// shipped, or answers after its ship date arrived).
    pub effects: Vec<EffectAppeared>,
    /// Solutions whose ticket moved in its tracker, whose `ticket:` changed, or whose drift
    /// appeared or went.
    pub tickets: Vec<TicketChange>,
    /// Survey waves the new map has and the old one lacks.
    pub waves_added: Vec<String>,
    /// Into each added wave: the figures whose change from the wave before is significant
    /// (its 95% interval leaves zero out), per stage and overall.
    pub moved_significantly: Vec<WaveMove>,
    /// Into each added wave: the figures whose change is within noise.
    pub within_noise: Vec<WaveMove>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaveMove {
    /// A stage id, or `overall`.
    pub stage: String,
    pub name: String,
    /// A measure (`nps`, `sentiment`), or `theme` for a theme's share of the comments.
    pub measure: String,
    /// The theme's label, when `measure` is `theme`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    pub from: String,
    pub to: String,
    pub delta: f64,
    pub low: f64,
    pub high: f64,
}

/// One binding change: `kind` (`survey`, `event log`, `analytics export`, `reach of stage`,
/// `theme`), the binding's `id` (a stage id for `reach of stage`), the `key` that changed as
/// a dotted path (`stages.download.ces.scale`; empty when the whole binding was added or
/// removed), and its values (`null`: absent).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BindingChange {
    pub kind: String,
    pub id: String,
    pub key: String,
    pub old: Option<serde_json::Value>,
    pub new: Option<serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct FunnelChange {
    pub stage: String,
    pub name: String,
    pub count: Change<Option<u64>>,
}

/// Measured reach at a stage (and segment) before and after.
#[derive(Debug, Serialize)]
pub struct ReachChange {
    pub stage: String,
    pub name: String,
    /// The segment, or `null` for all actors.
    pub segment: Option<String>,
    pub count: Change<Option<u64>>,
    pub kept: Change<Option<f64>>,
    pub share_of_first: Change<Option<f64>>,
    pub median_seconds_from_previous: Change<Option<f64>>,
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

pub(super) fn change<T: PartialEq + Clone>(old: &T, new: &T) -> Option<Change<T>> {
    (old != new).then(|| Change {
        old: old.clone(),
        new: new.clone(),
    })
}

/// A shipped solution's effect on one measure of one stage, new in this version.
#[derive(Debug, Clone, Serialize)]
pub struct EffectAppeared {
    pub solution: String,
    pub text: String,
    pub stage: String,
    pub measure: &'static str,
    pub delta: f64,
    pub low: f64,
    pub high: f64,
    pub significant: bool,
}

/// A solution's ticket that moved: the tracker's status and the drift before and after
/// (`null` where that side has none).
#[derive(Debug, Clone, Serialize)]
pub struct TicketChange {
    pub solution: String,
    pub text: String,
    /// `tracker:key`, as on the new side (or the old, for one that went).
    pub ticket: String,
    /// The ticket the old map named, when it named another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was: Option<String>,
    pub status: Change<Option<String>>,
    pub drift: Change<Option<String>>,
}

/// A target whose status changed: `none` on the side that does not have it.
#[derive(Debug, Clone, Serialize)]
pub struct TargetChange {
    /// The stage's name; none for a journey-level target.
    pub stage: Option<String>,
    /// `csat >= 70%`, as on the new side (or the old, for one that went).
    pub target: String,
    pub status: Change<String>,
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

#[derive(Debug, Clone, Serialize)]
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

#[derive(Debug, Serialize)]
pub struct ThemeShareChange {
    /// A stage id, or `overall`.
    pub stage: String,
    pub name: String,
    pub theme: String,
    pub label: String,
    /// The share in percent with its Wilson interval and `n` (`value` is the share); none
    /// when the theme is not in that version's codebook.
    pub old: Option<Figure>,
    pub new: Option<Figure>,
    pub intervals_overlap: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub value: f64,
    pub n: u64,
    pub low: f64,
    pub high: f64,
}

fn count(n: usize, one: &str, many: &str, what: &str) -> Option<String> {
    (n > 0).then(|| format!("{n} {} {what}", if n == 1 { one } else { many }))
}

/// What the summary names, in its order: (one, many, what happened); `counts` gives how many.
const SUMMARY: [(&str, &str, &str); 24] = [
    ("binding", "bindings", "changed"),
    ("source file", "source files", "changed"),
    ("stage", "stages", "added"),
    ("stage", "stages", "removed"),
    ("stage", "stages", "renamed"),
    ("stage", "stages", "moved"),
    ("emotion", "emotions", "changed"),
    ("pain point", "pain points", "added"),
    ("pain point", "pain points", "removed"),
    ("severity", "severities", "changed"),
    ("solution", "solutions", "added"),
    ("solution", "solutions", "removed"),
    ("solution", "solutions", "changed"),
    ("backlog rank", "backlog ranks", "changed"),
    ("survey measure", "survey measures", "moved"),
    ("theme share", "theme shares", "changed"),
    ("funnel count", "funnel counts", "changed"),
    ("measured reach", "measured reaches", "moved"),
    ("survey file", "survey files", "changed"),
    ("target", "targets", "judged otherwise"),
    (
        "effect of a shipped solution",
        "effects of shipped solutions",
        "appeared",
    ),
    ("ticket", "tickets", "changed"),
    ("survey wave", "survey waves", "added"),
    ("figure", "figures", "moved significantly"),
];

fn counts(c: &Changes) -> [usize; 24] {
    [
        c.bindings.len(),
        c.files_changed.len(),
        c.stages_added.len(),
        c.stages_removed.len(),
        c.stages_renamed.len(),
        c.stages_moved.len(),
        c.emotions.len(),
        c.pain_points_added.len(),
        c.pain_points_removed.len(),
        c.severities.len(),
        c.solutions_added.len(),
        c.solutions_removed.len(),
        c.solutions_changed.len(),
        c.backlog.len(),
        c.measures.len(),
        c.themes.len(),
        c.funnels.len(),
        c.reach.len(),
        c.surveys.len(),
        c.targets.len(),
        c.effects.len(),
        c.tickets.len(),
        c.waves_added.len(),
        c.moved_significantly.len(),
    ]
}

pub(super) fn summary(c: &Changes) -> String {
    let parts: Vec<String> = counts(c)
        .into_iter()
        .zip(SUMMARY)
        .filter_map(|(n, (one, many, what))| count(n, one, many, what))
        .collect();
    let mut head: Vec<String> = Vec::new();
    if c.title.is_some() {
        head.push("title changed".to_owned());
    }
    if c.parent.is_some() {
        head.push("parent changed".to_owned());
    }
    head.extend(parts);
    if head.is_empty() {
        "no changes".to_owned()
    } else {
        head.join(", ")
    }
}
