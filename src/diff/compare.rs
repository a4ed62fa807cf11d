//! How two maps are compared: things are matched by id (one generic matcher serves stages,
//! pain points and solutions), stage moves are what falls outside the longest common
//! subsequence, and figures are compared with their intervals.
//!
//! Invariants: every lookup goes through an index, so two maps of 40,000 stages compare in
//! linear time; the order of changes follows the new map (removals, the old one).

use std::collections::{HashMap, HashSet};

use crate::enrich::{Context, StageCtx};

use super::changes::*;
use super::lcs::lcs;

/// Things with the same id in two lists: each new one with its old self (if any), and the
/// old ones no new one matched, in their order.
pub(super) struct Matched<'a, T> {
    pub pairs: Vec<(&'a T, Option<&'a T>)>,
    pub removed: Vec<&'a T>,
}

pub(super) fn by_id<'a, T>(old: &'a [T], new: &'a [T], id: impl Fn(&T) -> &str) -> Matched<'a, T> {
    let old_ix: HashMap<&str, &T> = old.iter().map(|o| (id(o), o)).collect();
    let new_ids: HashSet<&str> = new.iter().map(&id).collect();
    Matched {
        pairs: new
            .iter()
            .map(|n| (n, old_ix.get(id(n)).copied()))
            .collect(),
        removed: old.iter().filter(|o| !new_ids.contains(id(o))).collect(),
    }
}

pub fn compare(old_label: &str, old: &Context, new_label: &str, new: &Context) -> Changes {
    let mut c = Changes {
        old: old_label.to_owned(),
        new: new_label.to_owned(),
        title: change(&old.title.to_owned(), &new.title.to_owned()),
        parent: change(&parent(old), &parent(new)),
        ..Changes::default()
    };
    stages(&mut c, old, new);
    pain_points(&mut c, old, new);
    solutions(&mut c, old, new);
    measures(&mut c, old, new);
    themes(&mut c, old, new);
    surveys(&mut c, old, new);
    super::improvement::targets(&mut c, old, new);
    super::improvement::effects(&mut c, old, new);
    super::tickets::compare(&mut c, old, new);
    waves(&mut c, old, new);
    c.summary = summary(&c);
    c
}

/// Where a map sits: `path#stage` of its parent, or `none`.
fn parent(c: &Context) -> String {
    c.parent
        .as_ref()
        .map_or_else(|| "none".to_owned(), |p| format!("{}#{}", p.path, p.stage))
}

fn stage_ref(s: &StageCtx, position: usize) -> StageRef {
    StageRef {
        id: s.id.to_owned(),
        name: s.name.to_owned(),
        position,
    }
}

/// Stages added, removed, renamed and moved, and emotions that changed.
fn stages(c: &mut Changes, old: &Context, new: &Context) {
    let position: HashMap<&str, usize> = old
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i + 1))
        .collect();
    let m = by_id(&old.stages, &new.stages, |s| s.id);
    for (i, (s, o)) in m.pairs.iter().enumerate() {
        match o {
            None => c.stages_added.push(stage_ref(s, i + 1)),
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
    for o in &m.removed {
        c.stages_removed.push(stage_ref(o, position[o.id]));
    }
    let removed: HashSet<&str> = m.removed.iter().map(|o| o.id).collect();
    let common_old: Vec<&str> = old
        .stages
        .iter()
        .map(|s| s.id)
        .filter(|id| !removed.contains(id))
        .collect();
    let common_new: Vec<&str> = m
        .pairs
        .iter()
        .filter(|(_, o)| o.is_some())
        .map(|(s, _)| s.id)
        .collect();
    let kept: HashSet<String> = lcs(&common_old, &common_new).into_iter().collect();
    for (i, (s, o)) in m.pairs.iter().enumerate() {
        if o.is_some() && !kept.contains(s.id) {
            c.stages_moved.push(Moved {
                id: s.id.to_owned(),
                name: s.name.to_owned(),
                position: Change {
                    old: position[s.id],
                    new: i + 1,
                },
            });
        }
    }
    for (s, o) in &m.pairs {
        let Some(o) = o else { continue };
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
}

fn pains(ctx: &Context) -> Vec<PainRef> {
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
}

/// Pain points added and removed, and severities that changed.
fn pain_points(c: &mut Changes, old: &Context, new: &Context) {
    let (old_pains, new_pains) = (pains(old), pains(new));
    let m = by_id(&old_pains, &new_pains, |p| &p.id);
    for (p, o) in m.pairs {
        match o {
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
    c.pain_points_removed.extend(m.removed.into_iter().cloned());
}

/// A solution as the diff compares it: what it is, its owner, priority and backlog rank.
struct SolutionState {
    solution: SolutionRef,
    owner: Option<String>,
    priority: Option<f64>,
    rank: Option<usize>,
}

fn solution_states(ctx: &Context) -> Vec<SolutionState> {
    ctx.stages
        .iter()
        .flat_map(|s| {
            s.solutions.iter().map(move |o| SolutionState {
                solution: SolutionRef {
                    id: o.solution.id.value.clone(),
                    text: o.solution.text.clone(),
                    status: o.solution.status,
                    stage: s.name.to_owned(),
                },
                owner: o.solution.owner.clone(),
                priority: o.priority,
                rank: o.rank,
            })
        })
        .collect()
}

/// Solutions added, removed and changed, and backlog ranks that moved.
fn solutions(c: &mut Changes, old: &Context, new: &Context) {
    let (old_sol, new_sol) = (solution_states(old), solution_states(new));
    let m = by_id(&old_sol, &new_sol, |s| &s.solution.id);
    for (n, o) in m.pairs {
        let Some(o) = o else {
            c.solutions_added.push(n.solution.clone());
            continue;
        };
        let status = change(&o.solution.status, &n.solution.status);
        let owner = change(&o.owner, &n.owner);
        let priority = (!close(o.priority, n.priority)).then_some(Change {
            old: o.priority,
            new: n.priority,
        });
        if status.is_some() || owner.is_some() || priority.is_some() {
            c.solutions_changed.push(SolutionChange {
                id: n.solution.id.clone(),
                text: n.solution.text.clone(),
                status,
                owner,
                priority,
            });
        }
        if o.rank != n.rank {
            c.backlog.push(RankChange {
                id: n.solution.id.clone(),
                text: n.solution.text.clone(),
                rank: Change {
                    old: o.rank,
                    new: n.rank,
                },
            });
        }
    }
    c.solutions_removed
        .extend(m.removed.into_iter().map(|o| o.solution.clone()));
    c.backlog.sort_by_key(|r| r.rank.new.unwrap_or(usize::MAX));
}

/// Survey figures of one place (a stage, or the whole journey), by measure.
type Metrics = std::collections::BTreeMap<&'static str, crate::survey::measure::Figure>;

/// Survey measures that moved, per stage and overall, with whether their intervals overlap.
fn measures(c: &mut Changes, old: &Context, new: &Context) {
    let mut places: Vec<(String, String, &Metrics, Option<&Metrics>)> = vec![(
        "overall".into(),
        "Overall".into(),
        &new.metrics,
        Some(&old.metrics),
    )];
    let m = by_id(&old.stages, &new.stages, |s| s.id);
    for (s, o) in &m.pairs {
        places.push((
            s.id.to_owned(),
            s.name.to_owned(),
            &s.metrics,
            o.map(|o| &o.metrics),
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
            let Some(intervals_overlap) = moved(&o, &n) else {
                continue;
            };
            c.measures.push(MeasureChange {
                stage: id.clone(),
                name: name.clone(),
                measure: k.to_owned(),
                old: o,
                new: n,
                intervals_overlap,
            });
        }
    }
}

/// Whether a figure moved from `old` to `new` (its value or n, or it came or went): `None`
/// when it did not, else whether the two 95% intervals overlap (when both sides have it).
fn moved(old: &Option<Figure>, new: &Option<Figure>) -> Option<Option<bool>> {
    match (old, new) {
        (Some(a), Some(b)) if (a.value - b.value).abs() <= 1e-9 && a.n == b.n => None,
        (Some(a), Some(b)) => Some(Some(a.low <= b.high && b.low <= a.high)),
        (None, None) => None,
        _ => Some(None),
    }
}

/// Theme shares that changed, per stage and overall, with whether their intervals overlap:
/// what an edit to the codebook did to the figures.
fn themes(c: &mut Changes, old: &Context, new: &Context) {
    let mut places = vec![(
        "overall",
        "Overall",
        &new.said.themes,
        Some(&old.said.themes),
    )];
    let m = by_id(&old.stages, &new.stages, |s| s.id);
    for (s, o) in &m.pairs {
        places.push((s.id, s.name, &s.said.themes, o.map(|o| &o.said.themes)));
    }
    for (id, name, new_t, old_t) in places {
        let Some(old_t) = old_t else { continue };
        let fig = |t: &crate::enrich::ThemeShare| Figure {
            value: t.share,
            n: t.n,
            low: t.low,
            high: t.high,
        };
        // The new codebook's order, then themes only the old one had.
        let mut ids: Vec<(&str, &str)> = new_t.iter().map(|t| (t.id, t.label)).collect();
        ids.extend(
            old_t
                .iter()
                .filter(|t| !new_t.iter().any(|n| n.id == t.id))
                .map(|t| (t.id, t.label)),
        );
        for (theme, label) in ids {
            let o = old_t.iter().find(|t| t.id == theme).map(fig);
            let n = new_t.iter().find(|t| t.id == theme).map(fig);
            let Some(intervals_overlap) = moved(&o, &n) else {
                continue;
            };
            c.themes.push(super::changes::ThemeShareChange {
                stage: id.to_owned(),
                name: name.to_owned(),
                theme: theme.to_owned(),
                label: label.to_owned(),
                old: o,
                new: n,
                intervals_overlap,
            });
        }
    }
}

/// Waves the new map gained, and which figures moved into them significantly and which within
/// noise, per stage and overall.
fn waves(c: &mut Changes, old: &Context, new: &Context) {
    c.waves_added = new
        .wave_labels
        .iter()
        .filter(|w| !old.wave_labels.contains(w))
        .cloned()
        .collect();
    if c.waves_added.is_empty() {
        return;
    }
    let places = std::iter::once(("overall", "Overall", &new.changes, &new.said.theme_changes))
        .chain(
            new.stages
                .iter()
                .map(|s| (s.id, s.name, &s.changes, &s.said.theme_changes)),
        );
    for (id, name, changes, theme_changes) in places {
        let added = |to: &str| c.waves_added.iter().any(|w| w == to);
        let moves: Vec<(super::changes::WaveMove, bool)> = changes
            .iter()
            .filter(|ch| added(ch.to))
            .map(|ch| (ch.measure.to_owned(), None, ch.from, ch.to, &ch.change))
            .chain(theme_changes.iter().filter(|ch| added(ch.to)).map(|ch| {
                (
                    "theme".to_owned(),
                    Some(ch.label.to_owned()),
                    ch.from,
                    ch.to,
                    &ch.change,
                )
            }))
            .map(|(measure, theme, from, to, change)| {
                let m = super::changes::WaveMove {
                    stage: id.to_owned(),
                    name: name.to_owned(),
                    measure,
                    theme,
                    from: from.to_owned(),
                    to: to.to_owned(),
                    delta: change.delta,
                    low: change.low,
                    high: change.high,
                };
                (m, change.significant)
            })
            .collect();
        for (m, significant) in moves {
            if significant {
                c.moved_significantly.push(m);
            } else {
                c.within_noise.push(m);
            }
        }
    }
}

/// Survey files whose name, rows or answers changed (a new wave, a re-export).
fn surveys(c: &mut Changes, old: &Context, new: &Context) {
    let m = by_id(old.survey_summary, new.survey_summary, |s| &s.id);
    for (n, o) in m.pairs {
        let Some(o) = o else { continue };
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
}

pub(super) fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}
