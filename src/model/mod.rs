//! Model: serde types that mirror the map file (README: "The map format, by example" and "Surveys"), and nothing else.
//!
//! Invariants: no logic lives here beyond parsing shorthand forms; every struct denies
//! unknown fields so that typos are errors; values that validation points at are wrapped in
//! [`Spanned`] so a diagnostic can name their line and column. Deserialising `Spanned` is
//! implemented in `load.rs`, the only module that knows the YAML library.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

mod survey;
pub use survey::*;

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
    /// Journey-level comments (`overall: {comment: …}`) to pin or hide.
    #[serde(default)]
    pub quotes: Option<Quotes>,
    /// How the opportunity backlog is ranked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backlog: Option<BacklogOptions>,
    /// The comment codebook: themes counted in the surveys' comments, per stage; written
    /// inline, or a path to a `*.themes.yaml` file that holds `themes:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub themes: Option<Spanned<CodebookRef>>,
}

impl Journey {
    /// The codebook's themes: inline, or read from its file when the map was loaded (a path
    /// not yet read gives none).
    pub fn codebook(&self) -> &[Theme] {
        match self.themes.as_ref().map(|t| &t.value) {
            Some(CodebookRef::Inline(list)) => list,
            _ => &[],
        }
    }
}

/// `themes:` is either the codebook written inline or a path to a file that holds one.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CodebookRef {
    Inline(Vec<Theme>),
    Path(String),
}

impl<'de> Deserialize<'de> for CodebookRef {
    // Hand-written rather than `untagged`, as `PersonaRef`: a typo inside an inline theme is
    // reported at its line.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CodebookRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of themes or a path to a themes file")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CodebookRef, E> {
                Ok(CodebookRef::Path(v.to_owned()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<CodebookRef, A::Error> {
                Vec::<Theme>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(CodebookRef::Inline)
            }
        }
        d.deserialize_any(V)
    }
}

/// A codebook kept in its own file (`*.themes.yaml`), named by a map's `themes:`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "journeymap themes file")]
pub struct ThemesFile {
    pub themes: Vec<Theme>,
}

/// A theme of the comment codebook: a comment belongs to it when one of its terms matches
/// and none of its `exclude` terms does (README: "Themes").
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: Spanned<String>,
    pub label: String,
    /// Words or phrases, matched as whole words; a `*` at the end matches any word ending.
    pub terms: Vec<Spanned<String>>,
    /// Terms that keep a comment out of the theme.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Ids of the pain points this theme is evidence for.
    #[serde(default)]
    pub pain_points: Vec<Spanned<String>>,
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

/// `persona:` is either a persona written inline or a path to a file that holds one.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PersonaRef {
    Inline(Persona),
    Path(String),
}

impl<'de> Deserialize<'de> for PersonaRef {
    // Hand-written rather than `untagged` so that a typo inside an inline persona is
    // reported as an unknown key at its line, not as "did not match any variant".
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PersonaRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a persona mapping or a path to a persona file")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PersonaRef, E> {
                Ok(PersonaRef::Path(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PersonaRef, A::Error> {
                Persona::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(PersonaRef::Inline)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub quote: Option<String>,
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub frustrations: Vec<String>,
}

/// A stage of the journey: one column of the map.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Slug, unique in the map: [a-z0-9][a-z0-9_-]*
    pub id: Spanned<String>,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub goal: Option<String>,
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub thoughts: Vec<String>,
    /// -2..2 (decimals allowed), or {score, label}.
    #[serde(default)]
    pub emotion: Option<Spanned<Emotion>>,
    #[serde(default)]
    pub touchpoints: Vec<Touchpoint>,
    #[serde(default)]
    pub pain_points: Vec<PainPoint>,
    #[serde(default)]
    pub solutions: Vec<Solution>,
    /// People who reached this stage (a non-negative integer).
    #[serde(default)]
    pub funnel: Option<Spanned<Funnel>>,
    /// Measured reach: a step of one of the map's `analytics:` exports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<ReachBinding>,
    #[serde(default)]
    pub frontstage: Vec<String>,
    #[serde(default)]
    pub backstage: Vec<String>,
    #[serde(default)]
    pub support: Vec<String>,
    #[serde(default)]
    pub links: Vec<Link>,
    /// This stage's comments to pin or hide.
    #[serde(default)]
    pub quotes: Option<Quotes>,
}

/// How the customer feels in a stage: a score on -2..2 and an optional label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Emotion {
    pub score: f64,
    pub label: Option<String>,
}

impl<'de> Deserialize<'de> for Emotion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            score: f64,
            #[serde(default)]
            label: Option<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Emotion;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number from -2 to 2, or {score, label}")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Emotion, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Emotion, E> {
                self.visit_f64(v as f64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Emotion, E> {
                Ok(Emotion {
                    score: v,
                    label: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Emotion, A::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Emotion {
                    score: full.score,
                    label: full.label,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Emotion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Emotion".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "How the customer feels: -2 (very negative) .. 2 (very positive).",
            "oneOf": [
                {"type": "number", "minimum": -2, "maximum": 2},
                {"type": "object", "additionalProperties": false, "required": ["score"],
                 "properties": {
                    "score": {"type": "number", "minimum": -2, "maximum": 2},
                    "label": {"type": "string"}
                 }}
            ]
        })
    }
}

/// A funnel count as written: validation accepts only non-negative integers, and reports
/// anything else at its position rather than failing the whole parse with a type error.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Funnel {
    Count(u64),
    Invalid(String),
}

impl<'de> Deserialize<'de> for Funnel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Funnel;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a non-negative integer")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Funnel, E> {
                Ok(Funnel::Count(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Funnel, E> {
                Ok(u64::try_from(v).map_or_else(|_| Funnel::Invalid(v.to_string()), Funnel::Count))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Funnel, E> {
                Ok(Funnel::Invalid(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Funnel, E> {
                Ok(Funnel::Invalid(format!("{v:?}")))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Funnel, E> {
                Ok(Funnel::Invalid(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Funnel {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Funnel".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "People who reached this stage (analytics).",
            "type": "integer", "minimum": 0
        })
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Touchpoint {
    pub name: String,
    /// Free text; web, mobile-app, email, phone, chat, social, store, ads, word-of-mouth,
    /// mail, sms and in-product get icons.
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// A touchpoint with outsized influence on the journey.
    #[serde(default)]
    pub moment_of_truth: bool,
    #[serde(default)]
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PainPoint {
    pub id: Spanned<String>,
    pub text: String,
    #[serde(default)]
    pub severity: Severity,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub links: Vec<Link>,
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

/// An idea or planned fix ("opportunity").
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    pub id: Spanned<String>,
    pub text: String,
    /// Ids of the pain points this solution addresses, from any stage.
    #[serde(default)]
    pub addresses: Vec<Spanned<String>>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub effort: Option<Effort>,
    #[serde(default)]
    pub impact: Option<Impact>,
    #[serde(default)]
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    #[default]
    Idea,
    Planned,
    InProgress,
    Done,
    Dropped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    Small,
    Medium,
    Large,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Low,
    Medium,
    High,
}

/// A link; only http, https, mailto and relative URLs are accepted.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub title: String,
    pub url: Spanned<String>,
}

/// A funnel export from an analytics tool.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Analytics {
    pub id: Spanned<String>,
    /// The export, relative to the map file.
    pub file: Spanned<String>,
    /// Detected from the content when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Spanned<FunnelFormat>>,
    /// The breakdown value to read (GA4: `Total` by default; PostHog: its only one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<Spanned<Scalar>>,
    /// Mixpanel: the date bucket to read, when the answer has several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<Spanned<Scalar>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FunnelFormat {
    Ga4,
    Posthog,
    Amplitude,
    Mixpanel,
    Steps,
}

/// A stage's measured reach: a step of an export, by its name or number.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReachBinding {
    /// The id of one of the map's `analytics:` exports.
    pub source: Spanned<String>,
    /// The step's name (`add_to_cart`, or `2. add_to_cart` as the file writes it) or its
    /// number (`2`).
    pub step: Spanned<Scalar>,
}

/// A raw event log (CSV, or JSON lines in `.ndjson`/`.jsonl`), and the events that mean
/// "reached this stage".
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventLog {
    pub id: Spanned<String>,
    /// The log, relative to the map file (CSV or JSON lines), counted locally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Spanned<String>>,
    /// The warehouse table that holds the log, for `journeymap sql` (beside or instead of
    /// `file:`; a log with only a table is counted in the warehouse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Spanned<String>>,
    /// Column names of a known layout (each can still be given below).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<Spanned<EventPreset>>,
    /// The column (or dotted JSON key) that says who: a user or device id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Spanned<String>>,
    /// The column that holds the event name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Spanned<String>>,
    /// The column that holds the time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Spanned<String>>,
    /// Epoch times: s, ms or us (told from their length when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<Spanned<TimeUnit>>,
    /// The column that holds a session id (for `by: session`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<Spanned<String>>,
    /// Count users (the default) or sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Spanned<CountBy>>,
    /// The conversion window from the entry event: `7d` (the default), `24h`, `30m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Spanned<String>>,
    /// `sequential` (the default: in order, other events allowed between), `strict` (in
    /// order, nothing between), `any` (in any order, all within the window).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Spanned<StepOrder>>,
    /// Count every stage per value of this column as well: an actor (or session) is in the
    /// segment of its first row that reached the first stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_by: Option<Spanned<String>>,
    /// The segments to show, in this order (default: every value, sorted; at most 50).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Spanned<String>>,
    /// Stage id -> the event (or `{event, where}`) that means reaching it; stages are
    /// taken in map order.
    pub steps: Pairs<StepMatch>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventPreset {
    Rees46,
    Ga4,
    Segment,
    Amplitude,
    Mixpanel,
    Posthog,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    S,
    Ms,
    Us,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StepOrder {
    Sequential,
    Strict,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CountBy {
    User,
    Session,
}

/// An event name, or `{event: name or [names], where: {column: value}}`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum StepMatch {
    Event(String),
    Detailed(StepDetail),
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepDetail {
    pub event: OneOrMany<String>,
    /// Keep events whose column equals the value (or one of a list).
    #[serde(default, rename = "where")]
    pub filter: Pairs<Spanned<OneOrMany<Scalar>>>,
}

impl StepMatch {
    /// The event names that mean this step.
    pub fn events(&self) -> Vec<&str> {
        match self {
            StepMatch::Event(e) => vec![e.as_str()],
            StepMatch::Detailed(d) => match &d.event {
                OneOrMany::One(e) => vec![e.as_str()],
                OneOrMany::Many(es) => es.iter().map(String::as_str).collect(),
            },
        }
    }

    /// The property values an event must have.
    pub fn filter(&self) -> &[(Spanned<String>, Spanned<OneOrMany<Scalar>>)] {
        match self {
            StepMatch::Event(_) => &[],
            StepMatch::Detailed(d) => &d.filter.0,
        }
    }
}

impl<'de> Deserialize<'de> for StepMatch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StepMatch;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an event name, or {event, where}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StepMatch, E> {
                Ok(StepMatch::Event(v.to_owned()))
            }
            // Numeric event names (`1004`) are names.
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StepMatch, E> {
                Ok(StepMatch::Event(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StepMatch, E> {
                Ok(StepMatch::Event(v.to_string()))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<StepMatch, A::Error> {
                StepDetail::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(StepMatch::Detailed)
            }
        }
        d.deserialize_any(V)
    }
}
