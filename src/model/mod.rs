//! Model: serde types that mirror the map file (the guide: "The map format, by example" and "Surveys"), and nothing else.
//!
//! Invariants: no logic lives here beyond parsing shorthand forms; every struct denies
//! unknown fields so that typos are errors; values that validation points at are wrapped in
//! [`Spanned`] so a diagnostic can name their line and column. Deserialising `Spanned` is
//! implemented in `load.rs`, the only module that knows the YAML library.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod analytics;
mod persona;
mod stage;
mod survey;
mod themes;
mod trackers;
pub use analytics::*;
pub use persona::*;
pub use stage::*;
pub use survey::*;
pub use themes::*;
pub use trackers::*;

/// A position in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// A value with the position of the YAML node it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<T: JsonSchema> JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// One journey map file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "journeymap map file")]
pub struct Journey {
    /// Format version; must be 1.
    pub journeymap: Spanned<u64>,
    /// The map's title.
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub owner: Option<String>,
    /// Last time the team checked the map against reality (YYYY-MM-DD).
    #[serde(default)]
    pub reviewed: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The stage of another map that this one details: `../lifecycle.journey.yaml#onboard`
    /// (a path relative to this map, `#`, a stage id of that map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Spanned<String>>,
    /// Inline persona, or a path to a YAML file holding one.
    #[serde(default)]
    pub persona: Option<Spanned<PersonaRef>>,
    #[serde(default)]
    pub links: Vec<Link>,
    /// The stages of the journey, in order; at least one.
    pub stages: Spanned<Vec<Stage>>,
    #[serde(default)]
    pub surveys: Vec<Survey>,
    /// Funnel exports from analytics tools, bound to stages by `reach:`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analytics: Vec<Analytics>,
    /// Raw event logs: the reach of the stages they bind, measured per actor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventLog>,
    /// Tracker exports (Jira, Linear, GitHub) that solutions' `ticket:` keys are found in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trackers: Vec<Tracker>,
    /// Journey-level comments (`overall: {comment: …}`) to pin or hide.
    #[serde(default)]
    pub quotes: Option<Quotes>,
    /// How the opportunity backlog is ranked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backlog: Option<BacklogOptions>,
    /// Where the team wants the journey-level figures: measure -> comparison (`nps: ">= 30"`).
    #[serde(default, skip_serializing_if = "Pairs::is_empty")]
    pub targets: Pairs<Spanned<Scalar>>,
    /// The comment codebook: themes counted in the surveys' comments, per stage; written
    /// inline, or a path to a `*.themes.yaml` file that holds `themes:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub themes: Option<Spanned<CodebookRef>>,
}

impl Journey {
    /// Every solution of the map, stage by stage.
    pub fn solutions(&self) -> impl Iterator<Item = &Solution> {
        self.stages.value.iter().flat_map(|st| &st.solutions)
    }

    /// The codebook's themes: inline, or read from its file when the map was loaded (a path
    /// not yet read gives none).
    pub fn codebook(&self) -> &[Theme] {
        match self.themes.as_ref().map(|t| &t.value) {
            Some(CodebookRef::Inline(list)) => list,
            _ => &[],
        }
    }
}

/// How the opportunity backlog is ranked.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BacklogOptions {
    /// Weight each pain point's severity by its measured evidence: × (1 + the lower 95%
    /// bound of the share of its stage's comments about the themes that name it). Off by
    /// default.
    #[serde(default)]
    pub weight_by_evidence: bool,
    /// How solutions are scored: `rice`, `ice`, `wsjf`, or a formula over `severity`,
    /// `impact`, `effort`, `ease`, `reach` and `confidence` (default: severity × impact ÷
    /// effort).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Spanned<String>>,
}

/// Quotes a map pins to (or hides from) the verbatim comments it shows.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quotes {
    /// Exact texts of comments to show first; each must be among the comments read.
    #[serde(default)]
    pub pin: Vec<Spanned<String>>,
    /// Exact texts of comments never to show.
    #[serde(default)]
    pub hide: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    #[default]
    CurrentState,
    FutureState,
    DayInTheLife,
    ServiceBlueprint,
}

impl Kind {
    pub const ALL: [&'static str; 4] = [
        "current-state",
        "future-state",
        "day-in-the-life",
        "service-blueprint",
    ];
}
