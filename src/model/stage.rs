//! A stage as the map writes it (`stages:`): its emotion, funnel count, touchpoints, pain
//! points and solutions, with their shorthand forms.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::{Pairs, Quotes, ReachBinding, Scalar, Spanned};

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
    /// Where the team wants this stage's figures: measure -> comparison (`csat: ">= 70%"`,
    /// `ces: "<= 3"`, `kept: ">= 60%"`), judged with the figure's 95% interval.
    #[serde(default, skip_serializing_if = "Pairs::is_empty")]
    pub targets: Pairs<Spanned<Scalar>>,
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
    /// When a done solution reached customers (YYYY-MM-DD): its stages' figures in the
    /// window before are compared with the same window after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipped: Option<Spanned<String>>,
    /// The window on each side of `shipped`: days (`90d`, the default), weeks (`12w`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect_window: Option<Spanned<String>>,
    /// The tracker ticket that carries this solution: `jira:CX-12`, `gh:#42`, `linear:ENG-7`
    /// (a tracker's id, `:`, the ticket's key; the id may be left out when the map has one
    /// tracker). Its status is checked against the solution's (drift). Shown through the
    /// render context's `ticket` object, so not serialised here.
    #[serde(default, skip_serializing)]
    pub ticket: Option<Spanned<String>>,
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
