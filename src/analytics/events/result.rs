//! From the counted state to what a log gives: per stage the actors that reached it and the
//! median time from the stage before, in all and per segment; the actors outside the path;
//! and every problem the reading found, said once it is over.
//!
//! Invariants: a log with a problem gives no figures (a figure from half a log would be
//! wrong); listed segments keep their order and each must occur; otherwise segments are
//! sorted as text.

use crate::analytics::reach::{BINS, Gaps};
use crate::model::StepOrder;

use super::count::Counted;
use super::model::{
    DETAILED, Kind, LogResult, MAX_SEGMENTS, Problem, SegmentResult, StepResult, bad,
};
use super::plan::Plan;
use super::state::State;
use super::time::NONE;

/// The figures of a counted log, or its problems.
pub(super) fn finish(
    plan: &Plan,
    c: Counted,
    stage_ids: &[String],
) -> Result<LogResult, Vec<Problem>> {
    let mut problems = c.problems;
    reading_problems(plan, c.time_errors, c.unsorted.as_ref(), &mut problems);
    unused_steps(plan, &c.matched_per_step, stage_ids, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    if c.too_many_segments
        && let Some(by) = &plan.log.segment_by
    {
        return Err(vec![bad(
            format!(
                "segment column `{}` has more than {MAX_SEGMENTS} different values; list the segments to show with `segments:`",
                by.value
            ),
            Some(by.pos),
        )]);
    }
    let n = plan.rules.len();
    let mut t = Tallies::of(&c.state, n, c.segment_names.len());
    let segments = segments(plan, &c.segment_names, &mut t.parts)?;
    let day = |us: i64| {
        jiff::Timestamp::from_microsecond(us)
            .ok()
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
    };
    let (lo, hi) = (c.lo, c.hi);
    let mut paths = c.state.went();
    Ok(LogResult {
        tool: plan.tool,
        order: match plan.mode {
            StepOrder::Sequential => "in order, other events allowed between",
            StepOrder::Strict => "in order, nothing between",
            StepOrder::Any => "in any order",
        },
        unit: if plan.by_session { "sessions" } else { "users" },
        window: plan.window_text.clone(),
        date_from: (lo <= hi).then(|| day(lo)).flatten(),
        date_to: (lo <= hi).then(|| day(hi)).flatten(),
        steps: plan
            .rules
            .iter()
            .enumerate()
            .map(|(k, r)| StepResult {
                stage: r.stage,
                events: r.events.join(" or "),
                actors: t.counts[k],
                gaps: gaps(&mut t.gaps[k]),
                paths: std::mem::take(&mut paths[k]),
                properties: c
                    .properties
                    .iter()
                    .map(|(p, values)| {
                        let at = values.iter().map(|(v, counts)| (v.clone(), counts[k]));
                        (p.clone(), at.collect())
                    })
                    .collect(),
            })
            .collect(),
        outside_path: t.outside,
        segments,
        rows: c.rows,
        duplicates: c.state.duplicates,
        by_entry_day: by_entry_day(&c.state, n),
    })
}

/// Per day of entry, the actors that reached each step.
fn by_entry_day(state: &State, n: usize) -> std::collections::BTreeMap<i64, Vec<u64>> {
    const DAY_US: i64 = 86_400_000_000;
    let mut out = std::collections::BTreeMap::new();
    for (first, _, _) in state.firsts() {
        if first[0] == NONE {
            continue;
        }
        let counts = out
            .entry(first[0].div_euclid(DAY_US))
            .or_insert_with(|| vec![0u64; n]);
        for k in (0..n).filter(|k| first[*k] != NONE) {
            counts[k] += 1;
        }
    }
    out
}

/// The count of unreadable times beyond the first few, and the first row out of time order.
fn reading_problems(
    plan: &Plan,
    time_errors: u64,
    unsorted: Option<&(u64, u64, String)>,
    problems: &mut Vec<Problem>,
) {
    if time_errors > DETAILED as u64 {
        problems.push(Problem {
            kind: Kind::Time,
            line: 1,
            col: plan.time_col,
            pos: None,
            message: format!(
                "{time_errors} rows in all have a time that cannot be read (the first {DETAILED} are reported above); they are in no count"
            ),
        });
    }
    if let Some((line, before, who)) = unsorted {
        problems.push(Problem {
            kind: Kind::Unsorted,
            line: *line,
            col: plan.time_col,
            pos: None,
            message: format!(
                "the event log is not in time order: this event of `{who}` is earlier than the one at line {before}; journeymap streams a log once, so sort it by time first (e.g. ORDER BY the time column when exporting)"
            ),
        });
    }
}

/// A step no row matched, said at the step with the events the log has most often.
fn unused_steps(
    plan: &Plan,
    matched_per_step: &[u64],
    stage_ids: &[String],
    problems: &mut Vec<Problem>,
) {
    for (k, r) in plan.rules.iter().enumerate() {
        if matched_per_step[k] > 0 {
            continue;
        }
        let mut seen: Vec<(String, u64)> = plan
            .names
            .iter()
            .filter(|(_, name)| name.rows > 0)
            .map(|(e, name)| (String::from_utf8_lossy(e).into_owned(), name.rows))
            .collect();
        seen.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let listed: Vec<String> = seen
            .iter()
            .take(10)
            .map(|(e, c)| format!("`{e}` ({c})"))
            .collect();
        let hint = crate::suggest::did_you_mean(
            &r.events.join(", "),
            seen.iter().map(|(e, _)| e.as_str()),
        );
        let events = r
            .events
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let with = if r.filters.is_empty() {
            ""
        } else {
            " with the `where:` values"
        };
        problems.push(Problem {
            kind: Kind::StepUnused,
            line: 0,
            col: 0,
            pos: plan.binding.steps.get(k).map(|(_, _, pos)| *pos),
            message: format!(
                "stage `{}`: no row of event log `{}` is {events}{with}; its events are {}{hint}",
                stage_ids[r.stage],
                plan.log.id.value,
                listed.join(", ")
            ),
        });
    }
}

/// Per stage: the actors that reached it and the gaps (µs) from the stage before, in all and
/// per segment; the actors with the last stage's event who did not reach it.
struct Tallies {
    counts: Vec<u64>,
    gaps: Vec<Vec<i64>>,
    parts: Vec<(Vec<u64>, Vec<Vec<i64>>)>,
    outside: u64,
}

impl Tallies {
    fn of(state: &State, n: usize, segments: usize) -> Tallies {
        let empty = || (vec![0u64; n], vec![Vec::<i64>::new(); n]);
        let (counts, gaps) = empty();
        let mut t = Tallies {
            counts,
            gaps,
            parts: (0..segments).map(|_| empty()).collect(),
            outside: 0,
        };
        for (first, saw_last, segment) in state.firsts() {
            let mut part = segment.and_then(|s| t.parts.get_mut(s as usize));
            for k in (0..n).filter(|k| first[*k] != NONE) {
                t.counts[k] += 1;
                let gap = (k > 0 && first[k - 1] != NONE)
                    .then(|| first[k].checked_sub(first[k - 1]))
                    .flatten();
                if let Some(g) = gap {
                    t.gaps[k].push(g);
                }
                if let Some((c, g)) = part.as_mut() {
                    c[k] += 1;
                    if let Some(gap) = gap {
                        g[k].push(gap);
                    }
                }
            }
            if saw_last && first[n - 1] == NONE {
                t.outside += 1;
            }
        }
        t
    }
}

/// Each segment's figures in the order shown: the listed ones in their order (each must have
/// an actor at the first stage), else every one sorted as text.
fn segments(
    plan: &Plan,
    names: &[Box<[u8]>],
    parts: &mut [(Vec<u64>, Vec<Vec<i64>>)],
) -> Result<Vec<SegmentResult>, Vec<Problem>> {
    let log = plan.log;
    let mut order: Vec<usize> = (0..names.len()).collect();
    if plan.segments.listed {
        let missing: Vec<Problem> = log
            .segments
            .iter()
            .enumerate()
            .filter(|(i, _)| parts.get(*i).is_none_or(|(c, _)| c[0] == 0))
            .map(|(_, seg)| {
                bad(
                    format!(
                        "segment `{}`: no {} entered the first stage with it in column `{}`",
                        seg.value,
                        if plan.by_session { "session" } else { "user" },
                        log.segment_by.as_ref().map_or("", |b| b.value.as_str())
                    ),
                    Some(seg.pos),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
    } else {
        order.sort_by(|a, b| names[*a].cmp(&names[*b]));
    }
    let n = plan.rules.len();
    Ok(order
        .into_iter()
        .map(|i| {
            let (c, g) = &mut parts[i];
            SegmentResult {
                label: String::from_utf8_lossy(&names[i]).into_owned(),
                steps: (0..n).map(|k| (c[k], gaps(&mut g[k]))).collect(),
            }
        })
        .collect())
}

/// Times in µs as seconds: percentiles and the histogram over [`BINS`].
fn gaps(v: &mut [i64]) -> Gaps {
    v.sort_unstable();
    let at = |p: f64| percentile(v, p).map(|us| us / 1e6);
    let mut histogram = vec![0u64; BINS.len() + 1];
    for &us in v.iter() {
        let bin = BINS
            .iter()
            .position(|&b| i128::from(us) <= i128::from(b) * 1_000_000)
            .unwrap_or(BINS.len());
        histogram[bin] += 1;
    }
    Gaps {
        p25: at(0.25),
        p50: at(0.5),
        p90: at(0.9),
        histogram: if v.is_empty() { Vec::new() } else { histogram },
    }
}

/// The `p` percentile of sorted whole numbers, by linear interpolation between the two
/// nearest ranks (the median is the mean of the middle two for an even count).
fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(last);
    let (a, b) = (sorted[lo] as f64, sorted[hi] as f64);
    let f = h - lo as f64;
    Some(if f == 0.5 {
        (a + b) / 2.0
    } else {
        a + f * (b - a)
    })
}

#[cfg(test)]
mod tests {
    use super::{gaps, percentile};

    #[test]
    fn percentiles_interpolate_between_the_nearest_ranks() {
        assert_eq!(percentile(&[1, 2, 3], 0.5), Some(2.0));
        assert_eq!(percentile(&[1, 2, 3, 4], 0.5), Some(2.5));
        assert_eq!(percentile(&[], 0.5), None);
        // numpy.percentile([10, 20, 30, 40, 50], [25, 90]) == [20.0, 46.0]
        assert_eq!(percentile(&[10, 20, 30, 40, 50], 0.25), Some(20.0));
        assert_eq!(percentile(&[10, 20, 30, 40, 50], 0.9), Some(46.0));
        // numpy.percentile([0, 7], 25) == 1.75
        assert_eq!(percentile(&[0, 7], 0.25), Some(1.75));
    }

    #[test]
    fn the_histogram_puts_each_time_in_its_bin() {
        // 30 s, exactly a minute, 61 s, two hours, eight days (µs).
        let mut v = [
            30_000_000,
            60_000_000,
            61_000_000,
            7_200_000_000,
            691_200_000_000,
        ];
        let g = gaps(&mut v);
        assert_eq!(g.histogram, vec![2, 1, 0, 1, 0, 0, 1]);
        assert_eq!(g.p50, Some(61.0));
    }
}
