//! Measured reach as the map writes it: analytics exports (`analytics:`) and raw event logs
//! (`events:`), with the steps' shorthand forms.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::{OneOrMany, Pairs, Scalar, Spanned};

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
    /// Actors a value or event needs at the stage before to be judged for what goes with
    /// dropping off (default 30), as the event log's `min_n:` (a `journeymap sql` result).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_n: Option<Spanned<std::num::NonZeroU64>>,
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
    /// Columns (or dotted JSON keys) whose values are judged for what goes with dropping
    /// off, beside `segment_by:`: an actor has the value of its first row that reached the
    /// first stage (at most 8 columns; the first 50 values of each told apart).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Spanned<String>>,
    /// Actors a value or event needs at the stage before to be judged for what goes with
    /// dropping off (default 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_n: Option<Spanned<std::num::NonZeroU64>>,
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
