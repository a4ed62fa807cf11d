//! Everything measured for a map ([`SurveyData`]: its stages' aggregates, the overall one,
//! waves and segments) and what was read from each survey file ([`Summary`]).
//!
//! Invariants: nothing read is dropped silently: every row and value is counted in a file's
//! summary as used, missing, skipped or filtered.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::load::Loaded;
use crate::model::{Layout, MeasureName, Pos, Source};

use super::quotes::Sample;
use super::{Aggregate, split};

/// What was read from one survey file: the "nothing dropped silently" ledger.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub id: String,
    pub file: String,
    pub source: Source,
    pub layout: Layout,
    pub encoding: String,
    pub delimiter: String,
    pub header_rows: usize,
    /// Data rows in the file.
    pub rows: u64,
    /// Rows left out by `where:`.
    pub rows_filtered: u64,
    /// Rows whose stage is not a stage of the map (long layout).
    pub rows_unknown_stage: u64,
    /// Values counted in a measure.
    pub values_used: u64,
    /// Empty cells and missing codes.
    pub values_missing: u64,
    /// Values that were not numbers or lay outside their scale (each reported).
    pub values_skipped: u64,
    /// Non-empty comments read.
    pub comments: u64,
    /// Substantive comments scored for sentiment (a survey with `sentiment: true`).
    #[serde(skip_serializing_if = "is_zero")]
    pub comments_scored: u64,
    /// Substantive comments left out of the sentiment as not English, by why.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub comments_not_english: BTreeMap<&'static str, u64>,
    /// The CSV line and column of the first of them.
    #[serde(skip)]
    pub first_not_english: Option<(u64, usize)>,
    /// The wave of every row of this file, when the survey is kept one file per wave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wave: Option<String>,
    /// Kept rows whose wave cell named no wave (each reported).
    pub rows_without_wave: u64,
    /// The sheet read, for a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Everything measured for a map: its surveys, and the reach its analytics exports give.
#[derive(Debug, Clone, Default)]
pub struct SurveyData {
    /// Measured reach per stage, from `analytics:` exports.
    pub funnels: crate::analytics::FunnelData,
    /// The tickets of the map's tracker exports.
    pub tickets: crate::trackers::TicketData,
    pub stages: Vec<Aggregate>,
    pub overall: Aggregate,
    pub summaries: Vec<Summary>,
    /// The measure each stage's emotion comes from: that of the survey whose `emotion_from`
    /// measure fed the stage (`emotion.rs`).
    pub emotion_from: Vec<Option<MeasureName>>,
    /// Wave labels, earliest first (once read: [`SurveyData::settle`]); the last is the
    /// headline.
    pub waves: Vec<String>,
    /// Segment values, in the order shown.
    pub segments: Vec<String>,
    /// Answers a segment's figure needs to be shown.
    pub segment_min_n: u64,
    /// For each shipped solution (by id), its stages' answers read again in two waves: the
    /// window `before` the ship date and the window `after` ([`super::effects`]).
    pub effects: Vec<(String, SurveyData)>,
    /// Rows kept per wave, and where the map first binds a wave.
    pub(super) wave_rows: Vec<u64>,
    pub(super) wave_pos: Option<Pos>,
    pub(super) declared_waves: Vec<u16>,
    pub(super) declared_segments: Vec<u16>,
}

impl SurveyData {
    /// No figures for a map of `stages` stages.
    pub fn without_surveys(stages: usize) -> SurveyData {
        SurveyData {
            stages: vec![Aggregate::default(); stages],
            segment_min_n: split::DEFAULT_MIN_N,
            ..SurveyData::default()
        }
    }

    /// Empty aggregates for a map, with the quotes it pins and hides.
    pub(super) fn for_map(loaded: &Loaded) -> SurveyData {
        let sample = |q: &Option<crate::model::Quotes>| match q {
            None => Sample::default(),
            Some(q) => Sample::with_choices(
                q.pin.iter().map(|p| p.value.clone()).collect(),
                q.hide.iter().map(|p| p.value.clone()).collect(),
            ),
        };
        SurveyData {
            tickets: crate::trackers::TicketData::default(),
            stages: loaded
                .journey
                .stages
                .value
                .iter()
                .map(|s| Aggregate {
                    quotes: sample(&s.quotes),
                    ..Aggregate::default()
                })
                .collect(),
            overall: Aggregate {
                quotes: sample(&loaded.journey.quotes),
                ..Aggregate::default()
            },
            summaries: Vec::new(),
            emotion_from: Vec::new(),
            waves: Vec::new(),
            segments: Vec::new(),
            segment_min_n: split::DEFAULT_MIN_N,
            funnels: crate::analytics::FunnelData::default(),
            effects: Vec::new(),
            wave_rows: Vec::new(),
            wave_pos: None,
            declared_waves: Vec::new(),
            declared_segments: Vec::new(),
        }
    }

    /// The aggregate a binding writes to: a stage, or the journey (`None`).
    pub(super) fn target(&mut self, stage: Option<usize>) -> &mut Aggregate {
        match stage.and_then(|i| self.stages.get_mut(i)) {
            Some(a) => a,
            None => &mut self.overall,
        }
    }

    /// Apply `f` to the aggregate a binding writes to and to the parts (wave, segment) of
    /// the row's key.
    pub(super) fn each(
        &mut self,
        stage: Option<usize>,
        key: split::Key,
        mut f: impl FnMut(&mut Aggregate),
    ) {
        let agg = self.target(stage);
        f(agg);
        for k in key.parts() {
            f(agg.part(k));
        }
    }

    /// The aggregate a comment (its quote, its themes) goes to: its stage's or the
    /// journey's, in the wave's part when the row has a wave (the headline quotes and
    /// themes become the latest wave's), else the pooled aggregate.
    pub(super) fn commented(&mut self, stage: Option<usize>, key: split::Key) -> &mut Aggregate {
        let agg = self.target(stage);
        match key.wave {
            Some(w) => agg.part(split::Key::wave(w)),
            None => agg,
        }
    }
}
