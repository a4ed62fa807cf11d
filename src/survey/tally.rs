//! What one pass over a survey file's rows carries: the binding plan and its counters
//! ([`Tally`], merged across the parts a large file is read in, `chunks.rs`), what the pass
//! keeps besides the aggregates ([`Pass`]), and how reading ended ([`Ended`]).
//!
//! Invariants: data only; the rows are read in `answers.rs` and the parts in `chunks.rs`.

use crate::model::MeasureName;

use super::Reader;
use super::plan::{Binding, Filter};
use super::split::Split;
use super::stages::StageLookup;
use super::value::Missing;
use super::wholes::Wholes;

/// What one pass over the rows keeps besides the aggregates.
pub(super) struct Pass {
    pub(super) stages: StageLookup,
    pub(super) missing: Missing,
    pub(super) survey_id: String,
    pub(super) not_utf8: Option<(u64, usize)>,
    /// The map's codebook, when it has one, and the buffers its matching reuses.
    pub(super) themes: Option<crate::themes::Matcher>,
    pub(super) scratch: crate::themes::Scratch,
    /// Whether this survey's comments are scored for sentiment, and which are English.
    pub(super) sentiment: Option<crate::sentiment::Language>,
    /// Which aggregates (the stages, then the journey) and measures this survey fed.
    pub(super) touched: Vec<[bool; 4]>,
}

impl Pass {
    pub(super) fn new(reader: &Reader, not_utf8: Option<(u64, usize)>) -> Pass {
        let stages = &reader.loaded.journey.stages.value;
        let missing = Missing::new(reader.survey.missing.iter().map(|m| m.0.as_str()));
        let themes = crate::themes::Matcher::for_codebook(reader.loaded.journey.codebook());
        let survey = reader.survey;
        let sentiment = (survey.sentiment.as_ref().is_some_and(|s| s.value)
            || survey
                .emotion_from
                .as_ref()
                .is_some_and(|m| m.value == MeasureName::Sentiment))
        .then(|| {
            crate::sentiment::Language::of(survey.language.as_ref().map(|l| l.value.as_str()))
        });
        Pass {
            themes,
            sentiment,
            scratch: crate::themes::Scratch::default(),
            stages: StageLookup::new(stages),
            missing,
            survey_id: reader.survey.id.value.clone(),
            not_utf8,
            touched: vec![[false; 4]; stages.len() + 1],
        }
    }
}

/// The binding plan and the counters of one pass over the rows of a file (or of one part of
/// it, `chunks.rs`).
pub(super) struct Tally {
    pub(super) bindings: Vec<Binding>,
    pub(super) filters: Vec<Filter>,
    pub(super) split: Split,
    pub(super) pass: Pass,
    pub(super) stage_col: Option<usize>,
    pub(super) wholes: Wholes,
}

/// How reading rows ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ended {
    /// At the end of the file.
    End,
    /// The file cannot be read further, or the reading was called off.
    Stopped,
    /// At a record that starts at `edges[edge]`, not yet read into the tally; `line` is
    /// its CSV line.
    At { edge: usize, line: u64 },
}

impl Ended {
    /// The same end, its line counted `offset` lines further on (a part's end, in the file).
    pub(super) fn shifted(self, offset: u64) -> Ended {
        match self {
            Ended::At { edge, line } => Ended::At {
                edge,
                line: line + offset,
            },
            other => other,
        }
    }
}
