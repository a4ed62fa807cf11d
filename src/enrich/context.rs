//! The render context: the types templates see and `-f json` prints.
//!
//! Invariants: the map's fields appear as written, borrowed from the model; everything
//! computed sits beside them.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::parts::{SegmentFigures, Trend, WaveChange, WaveFigures};
use crate::model::{
    Effort, Emotion, Impact, Kind, Link, PainPoint, Persona, Severity, Solution, Status, Survey,
    Touchpoint,
};
use crate::survey::measure::Figure;
use crate::survey::{Summary, Verbatim};

#[derive(Debug, Serialize)]
pub struct Context<'a> {
    pub journeymap: u64,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub kind: Kind,
    pub kind_label: String,
    pub owner: Option<&'a str>,
    pub reviewed: Option<&'a str>,
    pub tags: &'a [String],
    pub persona: Option<&'a Persona>,
    pub links: &'a [Link],
    /// The stage of another map that this one details (`parent:`), when it could be read.
    pub parent: Option<super::ParentLink>,
    /// The maps above this one, the top first.
    pub breadcrumb: Vec<super::Crumb>,
    /// The journey-level targets, each judged against its figure and interval.
    pub targets: Vec<crate::targets::Judged>,
    /// Every target of the map counted: met, unclear, and the missed ones.
    pub target_tally: super::targets::Tally,
    /// What a reader needs first: headline figures, where it hurts most, what to do first.
    pub summary: super::MapSummary<'a>,
    pub stages: Vec<StageCtx<'a>>,
    pub surveys: &'a [Survey],
    /// Overall survey measures, by measure name.
    pub metrics: BTreeMap<&'static str, Figure>,
    /// Per event log: the actors who did its last stage's event without reaching that stage
    /// along the ordered path.
    pub reach_outside_path: &'a [crate::analytics::OutsidePath],
    /// Survey wave labels, earliest first; the figures shown are the last one's.
    pub wave_labels: &'a [String],
    /// The wave the headline figures come from.
    pub latest_wave: Option<&'a str>,
    /// Segment values, in the order shown.
    pub segment_labels: &'a [String],
    /// Answers a segment's figure needs to be shown.
    pub segment_min_n: u64,
    /// The overall figures per wave, their changes, and per segment.
    pub waves: Vec<WaveFigures<'a>>,
    pub changes: Vec<WaveChange<'a>>,
    pub segments: Vec<SegmentFigures<'a>>,
    /// What all the comments say: theme shares and sentiment over every stage's and the
    /// journey's comments; quotes and the count of the journey-level ones (`overall:
    /// {comment: …}`).
    #[serde(flatten)]
    pub said: Said<'a>,
    /// What was read from each survey file: rows, values used, missing and skipped.
    pub survey_summary: &'a [Summary],
    /// The measure that `emotion_from` derives emotions from, if any: the first stage's that
    /// has one (see `emotion_measures` for all of them).
    pub emotion_from: Option<&'static str>,
    /// Every measure a stage's emotion comes from, in stage order, each once.
    pub emotion_measures: Vec<&'static str>,
    pub backlog: Vec<BacklogItem<'a>>,
    pub backlog_formula: &'static str,
    /// The scoring model's formula and factors, when the map chooses one (`backlog.score`).
    pub score_formula: Option<String>,
    /// Which optional lanes have content in at least one stage.
    pub lanes: Lanes,
    pub emotion_curve: Curve,
}

/// What the comments of a place (the journey, or one stage) say.
#[derive(Debug, Serialize)]
pub struct Said<'a> {
    /// The share of the substantive comments in each theme of the codebook, and of those in
    /// none.
    pub themes: Vec<super::ThemeShare<'a>>,
    pub unthemed: Option<super::Unthemed>,
    /// With waves and a codebook: the theme shares per wave, and each theme's change from
    /// one wave to the next.
    pub theme_waves: Vec<super::themes::WaveThemes<'a>>,
    pub theme_changes: Vec<super::themes::ThemeChange<'a>>,
    /// The mean sentiment of the English comments scored, with those left out as not
    /// English counted; null when none was scored.
    pub sentiment: Option<Figure>,
    /// Quotes: pinned ones first, then a sample, in file order.
    pub verbatims: Vec<&'a Verbatim>,
    /// Non-empty comments read.
    pub comments: u64,
}

#[derive(Debug, Serialize)]
pub struct StageCtx<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub goal: Option<&'a str>,
    pub actions: &'a [String],
    pub thoughts: &'a [String],
    pub emotion: Option<&'a Emotion>,
    /// The emotion derived from survey data (`emotion_from`), on -2..2.
    pub emotion_measured: Option<f64>,
    /// The measure it is derived from: the one of the survey whose `emotion_from` fed this
    /// stage.
    pub emotion_from: Option<&'static str>,
    pub touchpoints: Vec<TouchpointCtx<'a>>,
    pub pain_points: Vec<PainPointCtx<'a>>,
    pub solutions: Vec<SolutionCtx<'a>>,
    pub funnel: Option<u64>,
    /// From this stage to the next one with a funnel count.
    pub funnel_step: Option<FunnelStep<'a>>,
    pub frontstage: &'a [String],
    pub backstage: &'a [String],
    pub support: &'a [String],
    pub links: &'a [Link],
    /// Survey measures of this stage, by measure name.
    pub metrics: BTreeMap<&'static str, Figure>,
    /// What this stage's comments say (its `sentiment` is also `metrics.sentiment`).
    #[serde(flatten)]
    pub said: Said<'a>,
    /// The figures of each survey wave, earliest first (`metrics` are the latest wave's).
    pub waves: Vec<WaveFigures<'a>>,
    /// Each figure's change from one wave to the next, with its 95% interval.
    pub changes: Vec<WaveChange<'a>>,
    /// The figures of each segment (in the latest wave when there are waves).
    pub segments: Vec<SegmentFigures<'a>>,
    /// One small chart per measure over the waves, on axes shared by every stage.
    pub trends: Vec<Trend<'a>>,
    /// The reach an analytics export measured for this stage, beside the hand-set `funnel`.
    pub reach: Option<&'a crate::analytics::Reach>,
    /// The journeys that detail this stage (their `parent:` names it), among the maps
    /// rendered together, in file order.
    pub details: Vec<super::Detail>,
    /// The stage's targets, each judged against its figure and interval.
    pub targets: Vec<crate::targets::Judged>,
}

#[derive(Debug, Serialize)]
pub struct TouchpointCtx<'a> {
    #[serde(flatten)]
    pub touchpoint: &'a Touchpoint,
    /// The channel's icon name when the channel is one of [`CHANNELS`].
    pub icon: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct PainPointCtx<'a> {
    #[serde(flatten)]
    pub pain_point: &'a PainPoint,
    pub severity_weight: u32,
    /// Ids of the solutions that address this pain point, in document order.
    pub addressed_by: Vec<&'a str>,
    /// Measured evidence: the shares, in this stage, of the themes that name this pain point.
    pub themes: Vec<super::ThemeShare<'a>>,
}

#[derive(Debug, Serialize)]
pub struct SolutionCtx<'a> {
    #[serde(flatten)]
    pub solution: &'a Solution,
    /// The addressed pain points with their text, for links that read well.
    pub addresses_detail: Vec<PainRef<'a>>,
    /// Priority by the backlog formula; present when the solution is in the backlog.
    pub priority: Option<f64>,
    /// 1-based rank in the backlog.
    pub rank: Option<usize>,
    /// Shipped solutions: each measure of the stages it addresses, in the window before the
    /// ship date against the window after.
    pub effect: Vec<super::effects::Effect>,
    /// Why a shipped solution shows no effect, when it shows none.
    pub effect_note: Option<String>,
    /// The tracker ticket it names (`ticket:`), with the tracker's status and any drift.
    pub ticket: Option<super::tickets::TicketCtx>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PainRef<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub severity: Severity,
    pub stage: &'a str,
    /// With `backlog: {weight_by_evidence: true}`: the factor its severity weight is
    /// multiplied by, 1 + the lower 95% bound of its measured share (1 without evidence);
    /// null otherwise.
    pub evidence: Option<f64>,
}

/// From one stage's funnel count to the next. Shares exist only where they mean something:
/// from 0 people nothing is kept or lost, and a count that grows is growth, not a negative
/// loss.
#[derive(Debug, Serialize)]
pub struct FunnelStep<'a> {
    pub to: &'a str,
    pub from_count: u64,
    pub to_count: u64,
    /// Share of people kept, 0..1; null when the count is 0 or grows.
    pub kept: Option<f64>,
    /// Share lost, 1 - kept; null when the count is 0 or grows.
    pub lost: Option<f64>,
    /// Growth as a share of the first count (0.5 = 50% more); null unless the count grows.
    pub growth: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BacklogItem<'a> {
    pub rank: usize,
    pub id: &'a str,
    pub text: &'a str,
    pub stage: &'a str,
    pub stage_name: &'a str,
    pub owner: Option<&'a str>,
    pub status: Status,
    pub effort: Option<Effort>,
    pub impact: Option<Impact>,
    pub severity_sum: u32,
    /// With `backlog: {weight_by_evidence: true}`: the sum of the severity weights each
    /// multiplied by its pain point's evidence factor, which the priority is computed from;
    /// null otherwise.
    pub weighted_sum: Option<f64>,
    pub impact_weight: u32,
    pub effort_weight: u32,
    pub priority: f64,
    /// The score the backlog is ranked by (the priority, under the default model).
    pub score: f64,
    pub factors: super::scoring::Factors,
    pub addresses: Vec<PainRef<'a>>,
}

#[derive(Debug, Default, Serialize)]
pub struct Lanes {
    pub goal: bool,
    pub actions: bool,
    pub thoughts: bool,
    pub touchpoints: bool,
    pub emotion: bool,
    pub pain_points: bool,
    pub solutions: bool,
    pub metrics: bool,
    /// Figures over more than one survey wave.
    pub waves: bool,
    /// Figures per segment.
    pub segments: bool,
    pub verbatims: bool,
    pub funnel: bool,
    pub frontstage: bool,
    pub backstage: bool,
    pub support: bool,
    /// Any blueprint lane (frontstage, backstage, support) is present.
    pub blueprint: bool,
}

/// Geometry of the emotion curve for a drawing `100 × stages` wide and 320 high (px), where
/// stage `i` is centred at `x = 100 i + 50`; `y = 160 - 56 × score`, so 2 is at 48 and -2 at
/// 272.
#[derive(Debug, Default, Serialize)]
pub struct Curve {
    pub width: usize,
    pub height: f64,
    pub zero_y: f64,
    /// Every label (the team's and the measured score of each stage), placed so that no two
    /// meet and none covers a point.
    pub labels: Vec<super::labels::CurveLabel>,
    /// The emotions the team set by hand.
    pub hand_set: Series,
    /// The emotions derived from survey data (`emotion_from`), in the latest wave.
    pub measured: Series,
    /// The comments' mean sentiment mapped from -1..1 onto -2..2, when surveys score it and
    /// it is not the measured curve already (`emotion_from: sentiment`).
    pub sentiment: Series,
    /// The measured emotions of the wave before the latest, drawn faint behind it.
    pub previous: Option<Series>,
    pub previous_wave: Option<String>,
    /// The measured emotions of each segment (latest wave), each drawn with its own line
    /// style and marker: the first four segments with a measured emotion.
    pub segments: Vec<SegmentSeries>,
    /// Text alternative stating each stage's score(s).
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct SegmentSeries {
    pub segment: String,
    /// 0-based style: line dashes and marker shape (circle, triangle, square, diamond, ...).
    pub style: usize,
    pub series: Series,
}

#[derive(Debug, Default, Serialize)]
pub struct Series {
    pub points: Vec<CurvePoint>,
    /// SVG path data: smooth segments through runs of neighbouring stages with a value.
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct CurvePoint {
    pub stage: String,
    pub stage_name: String,
    pub x: f64,
    pub y: f64,
    pub score: f64,
    pub label: Option<String>,
    /// Horizontal position as a percentage of the drawing's width, for HTML labels.
    pub left_pct: f64,
    pub top_pct: f64,
}

impl Lanes {
    /// Mark the lanes a stage has content in.
    pub(super) fn note(&mut self, st: &StageCtx) {
        self.goal |= st.goal.is_some();
        self.actions |= !st.actions.is_empty();
        self.thoughts |= !st.thoughts.is_empty();
        self.touchpoints |= !st.touchpoints.is_empty();
        self.emotion |= st.emotion.is_some()
            || st.emotion_measured.is_some()
            || st
                .said
                .sentiment
                .as_ref()
                .is_some_and(|f| f.emotion.is_some());
        self.pain_points |= !st.pain_points.is_empty();
        self.solutions |= !st.solutions.is_empty();
        self.metrics |= !st.metrics.is_empty();
        self.waves |= !st.trends.is_empty();
        self.segments |= !st.segments.is_empty();
        self.verbatims |= !st.said.verbatims.is_empty();
        self.funnel |= st.funnel.is_some() || st.reach.is_some();
        self.frontstage |= !st.frontstage.is_empty();
        self.backstage |= !st.backstage.is_empty();
        self.support |= !st.support.is_empty();
        self.blueprint = self.frontstage || self.backstage || self.support;
    }
}
