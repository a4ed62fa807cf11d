//! What measured reach is: per stage a count, kept and lost from the stage before, a share of
//! the first, a median time, per segment too; where it came from; the actors outside the path.
//!
//! Invariants: shares are computed from counts of one source, never across two.

use serde::Serialize;

/// Where a stage's measured reach comes from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReachSource {
    /// The export's id in the map.
    pub id: String,
    pub tool: &'static str,
    pub file: String,
    /// The report's own title, when the file gives one.
    pub title: Option<String>,
    /// What is counted: users, persons.
    pub unit: &'static str,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    /// The breakdown value or date bucket read.
    pub segment: Option<String>,
    /// The column whose values the reach is also given per (`segments`).
    pub segment_by: Option<String>,
    /// Event logs: the conversion window and the order rule.
    pub window: Option<String>,
    pub order: Option<&'static str>,
    /// The step, as the file writes it, and its position in the funnel.
    pub step: String,
    pub step_order: usize,
}

/// Reach figures at one place (a stage, or one segment at a stage).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReachFigures {
    /// Actors that reached at least this step.
    pub count: u64,
    /// From the previous stage bound to the same export: the share kept and lost (0..1),
    /// when the count does not grow; `growth` ((this − previous) ÷ previous) when it does.
    pub kept: Option<f64>,
    pub lost: Option<f64>,
    pub growth: Option<f64>,
    /// The count over that of the first stage bound to the same export (0..1).
    pub share_of_first: Option<f64>,
    /// Median seconds from the stage before, over the actors that reached this one (event
    /// logs only: exports do not give a time journeymap can vouch for).
    pub median_seconds_from_previous: Option<f64>,
    /// How long converting from the stage before takes: quartiles and 90th percentile in
    /// seconds (an event log, or a `steps` result of `journeymap sql`), and a histogram
    /// (an event log read here).
    pub time_to_convert: Option<TimeToConvert>,
}

/// The times from the stage before, over the actors that reached a stage: what a reader
/// found (each may be absent), in seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gaps {
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    /// Actors per bin of [`BINS`], when the times themselves were read.
    pub histogram: Vec<u64>,
}

/// The upper ends of the histogram's bins, in seconds (a minute, ten minutes, an hour, six
/// hours, a day, a week); the last bin holds what is longer.
pub const BINS: [u64; 6] = [60, 600, 3_600, 21_600, 86_400, 604_800];

/// `stages[].reach.time_to_convert`: percentiles by linear interpolation between the two
/// nearest ranks (as DuckDB's `quantile_cont`, Spark's `percentile`, Snowflake's and
/// BigQuery's `percentile_cont`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimeToConvert {
    pub p25: f64,
    pub p50: f64,
    pub p90: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub histogram: Vec<Bin>,
}

/// Actors who converted in at most `upto_seconds` (more than the bin before); `null` for the
/// last bin, which has no upper end.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bin {
    pub upto_seconds: Option<u64>,
    pub count: u64,
}

impl Gaps {
    /// The figures for the page: all three percentiles known, else none.
    fn figures(&self) -> Option<TimeToConvert> {
        let histogram = self
            .histogram
            .iter()
            .enumerate()
            .map(|(i, &count)| Bin {
                upto_seconds: BINS.get(i).copied(),
                count,
            })
            .collect();
        Some(TimeToConvert {
            p25: self.p25?,
            p50: self.p50?,
            p90: self.p90?,
            histogram,
        })
    }
}

/// Where actors went around a stage (event logs, and a `journeymap sql` result of one): per
/// event name, actors, the most first. `(none)`: nothing; `(other names)`: names beyond the
/// ones a log's reading remembers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paths {
    /// Those who reached the stage before but not this one: the first event after their
    /// arrival there, within the window; each actor once, so they add up to the lost.
    pub next: Vec<(String, u64)>,
    /// Those who reached this stage: each event they did between their first arrival at the
    /// stage before and here.
    pub detours: Vec<(String, u64)>,
    /// The lost: each event they did after their arrival at the stage before, within the
    /// window.
    pub lost_did: Vec<(String, u64)>,
}

/// Per property (`properties:` of a log), per value, the actors who reached a stage.
pub type Properties = Vec<(String, Vec<(String, u64)>)>;

/// Events shown of a list: the most done; the rest of the lost's next events are added up
/// as `(other events)`.
pub const TOP_EVENTS: usize = 5;

/// `stages[].reach.next_of_lost[]` and `detours[]`: an event and the actors who did it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EventCount {
    pub event: String,
    pub count: u64,
}

impl Paths {
    /// The lost's next events shown: the top ones and the rest as `(other events)`, adding
    /// up to the lost.
    pub fn next_of_lost(&self) -> Vec<EventCount> {
        let mut out: Vec<EventCount> = self
            .next
            .iter()
            .take(TOP_EVENTS)
            .map(|(e, c)| EventCount {
                event: e.clone(),
                count: *c,
            })
            .collect();
        let rest: u64 = self.next.iter().skip(TOP_EVENTS).map(|(_, c)| c).sum();
        if rest > 0 {
            out.push(EventCount {
                event: "(other events)".to_owned(),
                count: rest,
            });
        }
        out
    }

    /// The detours shown: the most done.
    pub fn detours(&self) -> Vec<EventCount> {
        self.detours
            .iter()
            .take(TOP_EVENTS)
            .map(|(e, c)| EventCount {
                event: e.clone(),
                count: *c,
            })
            .collect()
    }
}

/// A stage's measured reach.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reach {
    #[serde(flatten)]
    pub figures: ReachFigures,
    pub source: ReachSource,
    /// The same figures per segment (event logs with `segment_by:`, and `steps` exports with
    /// segment rows beside the total), in the order shown.
    pub segments: Vec<SegmentReach>,
    /// What goes with dropping off since the stage before bound to the same source: each
    /// segment value's odds of dropping off against the rest, and each event's done on the
    /// way (`drivers.rs`).
    pub drivers: Vec<super::drivers::Driver>,
    /// Where the lost went next, and the detours of those who came (event logs).
    pub next_of_lost: Vec<EventCount>,
    pub detours: Vec<EventCount>,
    /// Every event name's counts, for the drivers.
    #[serde(skip)]
    pub paths: Paths,
    /// Per property, per value, the actors here, for the drivers.
    #[serde(skip)]
    pub properties: Properties,
    /// Actors a value or event needs at the stage before to be judged (`min_n:`).
    #[serde(skip)]
    pub min_n: u64,
}

/// One segment's reach at a stage: shares from the same segment's counts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SegmentReach {
    pub segment: String,
    #[serde(flatten)]
    pub figures: ReachFigures,
}

/// Kept (and so lost) and growth from the previous count, and a share of the first.
fn shares(
    count: u64,
    previous: Option<u64>,
    first: u64,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let share = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
    let (kept, growth) = match previous {
        None | Some(0) => (None, None),
        Some(p) if count > p => (None, Some((count - p) as f64 / p as f64)),
        Some(p) => (share(count, p), None),
    };
    (kept, growth, share(count, first))
}

impl ReachFigures {
    /// The figures from a count, the count of the previous stage bound to the same source
    /// (if any) and that of the first: kept and lost when the count does not grow, growth
    /// when it does, no share from a count of 0.
    pub(super) fn new(count: u64, previous: Option<u64>, first: u64, gaps: &Gaps) -> ReachFigures {
        let (kept, growth, share_of_first) = shares(count, previous, first);
        ReachFigures {
            count,
            kept,
            lost: kept.map(|k| 1.0 - k),
            growth,
            share_of_first,
            median_seconds_from_previous: gaps.p50,
            time_to_convert: gaps.figures(),
        }
    }
}

/// Actors who did a log's last stage event without reaching it along the ordered path
/// (a log that starts mid-journey, or steps skipped).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutsidePath {
    pub source: String,
    pub stage: String,
    pub actors: u64,
}

/// The reach of every stage (in map order), and the exports read.
#[derive(Debug, Clone, Default)]
pub struct FunnelData {
    pub stages: Vec<Option<Reach>>,
    pub outside_path: Vec<OutsidePath>,
    /// Each event log's stages (by index, in step order) and, per day of entry, the actors
    /// that reached each step.
    pub entries: Vec<LogEntries>,
}

/// One event log's actors by the day they entered the funnel.
#[derive(Debug, Clone, Default)]
pub struct LogEntries {
    pub stages: Vec<usize>,
    pub unit: &'static str,
    pub by_day: std::collections::BTreeMap<i64, Vec<u64>>,
}
