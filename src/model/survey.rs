//! The survey binding as the map writes it (`surveys:`): layouts, measures and the
//! shorthand forms they take, and the mappings kept in document order with their positions.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::Spanned;

/// A survey export bound to the map.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    pub id: Spanned<String>,
    /// CSV file, relative to the map file (or `waves:`, one file per wave).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<Spanned<String>>,
    /// One file per survey wave, earliest first: `[{label: 2026-Q2, file: q2.csv}, ...]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waves: Vec<WaveFile>,
    /// The warehouse table that holds the answers, for `journeymap sql` (beside or instead of
    /// `file:`; a survey with only a table is aggregated in the warehouse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Spanned<String>>,
    /// The column that says which wave a row belongs to: labels, or dates bucketed by month,
    /// quarter or explicit ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave: Option<WaveColumn>,
    /// The column that dates each row, when the wave column does not (for the effect of a
    /// shipped solution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Spanned<String>>,
    /// Compute every figure per value of this column as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_by: Option<Spanned<String>>,
    /// The segments to show, in this order (default: every value, sorted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Spanned<String>>,
    /// Answers a segment's figure needs to be shown (default 10); smaller ones are marked
    /// too small.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_min_n: Option<Spanned<u64>>,
    #[serde(default)]
    pub source: Source,
    /// Header rows above the answers (default: the source's, 1 for `plain`); the first names
    /// the columns, the rest are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_rows: Option<Spanned<u64>>,
    #[serde(default)]
    pub layout: Layout,
    /// Character encoding of the file (utf-8, utf-16, windows-1252); detected when absent.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Workbooks (.xlsx, .xls, .ods): the sheet, by name or 1-based number (default: the
    /// first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<Spanned<Scalar>>,
    /// Field delimiter (",", ";" or "\t"); detected when absent.
    #[serde(default)]
    pub delimiter: Option<String>,
    /// Long layout: the column that holds a stage id.
    #[serde(default)]
    pub stage_column: Option<Spanned<String>>,
    /// Long layout: measure -> column.
    #[serde(default)]
    pub measures: Option<Measures>,
    /// Derive the emotion of stages that have none set by hand from this measure
    /// (`sentiment`: from the comments' sentiment, which it turns on).
    #[serde(default)]
    pub emotion_from: Option<Spanned<MeasureName>>,
    /// Score every substantive comment's sentiment (VADER, English only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<Spanned<bool>>,
    /// The language the comments are written in, as a language tag (`en`, `de`, `pt-BR`):
    /// declared, it is taken for every comment; absent, each comment's language is detected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Spanned<String>>,
    /// Keep rows whose column equals the value (or one of a list), or, with `{not: ...}`,
    /// does not (`{not: ""}`: rows where the column is not empty).
    #[serde(default, rename = "where")]
    pub filter: Pairs<Spanned<Wanted>>,
    /// Extra codes that mean "no answer".
    #[serde(default)]
    pub missing: Vec<Scalar>,
    /// Wide layout: measures about the whole journey.
    #[serde(default)]
    pub overall: Option<Measures>,
    /// Wide layout: stage id -> measures.
    #[serde(default)]
    pub stages: Pairs<Measures>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    #[default]
    Plain,
    Qualtrics,
    Surveymonkey,
    GoogleForms,
    MsForms,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    #[default]
    Long,
    Wide,
    Aggregated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MeasureName {
    Nps,
    Csat,
    Ces,
    Score,
    Comment,
    // The mean sentiment of the comments (`emotion_from: sentiment`), not a column. (A plain
    // comment: a doc comment would split the schema's list of allowed values.)
    Sentiment,
}

/// Measure -> column.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Measures {
    #[serde(default)]
    pub nps: Option<Spanned<Measure>>,
    #[serde(default)]
    pub csat: Option<Spanned<Measure>>,
    #[serde(default)]
    pub ces: Option<Spanned<Measure>>,
    #[serde(default)]
    pub score: Option<Spanned<Measure>>,
    #[serde(default)]
    pub comment: Option<Spanned<Measure>>,
}

/// One wave of a survey kept as its own file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveFile {
    pub label: Spanned<String>,
    /// CSV file, relative to the map file.
    pub file: Spanned<String>,
}

/// Waves read from a column.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveColumn {
    pub column: Spanned<String>,
    /// `label` (the cell is the wave), `month` or `quarter` (the cell is a date); `ranges`
    /// is implied by `ranges:`.
    #[serde(default)]
    pub by: Option<Spanned<WaveBy>>,
    /// Labels: their order, earliest first (default: sorted as text). Cells naming another
    /// label are errors.
    #[serde(default)]
    pub order: Vec<Spanned<String>>,
    /// Dates: named ranges of days, both ends included, earliest first.
    #[serde(default)]
    pub ranges: Vec<WaveRange>,
    /// Dates written with slashes: which comes first (detected from the file when absent).
    #[serde(default)]
    pub day_order: Option<DayOrder>,
    /// A row dated outside every range is in no wave and no fault (the reading around a
    /// ship date, whose two windows leave most rows out); never written in a map.
    #[serde(skip)]
    #[schemars(skip)]
    pub outside_ranges_unused: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WaveBy {
    Label,
    Month,
    Quarter,
    Ranges,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DayOrder {
    MonthFirst,
    DayFirst,
}

/// A wave as a range of days (`from` and `to` included, YYYY-MM-DD).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveRange {
    pub label: Spanned<String>,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
}

impl Survey {
    /// The files of the survey, each with its wave label when the survey is kept one file
    /// per wave.
    pub fn files(&self) -> Vec<(Option<&Spanned<String>>, &Spanned<String>)> {
        match &self.file {
            Some(f) => vec![(None, f)],
            None => self
                .waves
                .iter()
                .map(|w| (Some(&w.label), &w.file))
                .collect(),
        }
    }

    /// How the survey's rows are put in waves, when they are.
    pub fn has_waves(&self) -> bool {
        self.wave.is_some() || !self.waves.is_empty()
    }
}

/// A column name (or `#N`, the Nth column counted from 1), or `{column, scale, values}`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Measure {
    Column(String),
    Detailed(MeasureDetail),
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureDetail {
    pub column: Spanned<String>,
    /// What the question asks, in short (`How easy was the download?`): shown beside the
    /// figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `[min, max]`, lowest first; whole numbers for nps, csat and ces.
    #[serde(default)]
    pub scale: Option<Spanned<[f64; 2]>>,
    /// Answer label (or vendor code) -> number.
    #[serde(default)]
    pub values: Pairs<f64>,
}

impl<'de> Deserialize<'de> for Measure {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Measure;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a column name, or {column, scale, values}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Measure, E> {
                Ok(Measure::Column(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Measure, E> {
                Ok(Measure::Column(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Measure, A::Error> {
                MeasureDetail::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Measure::Detailed)
            }
        }
        d.deserialize_any(V)
    }
}

/// A scalar from YAML kept as its text (`-1`, `"Unfamiliar (N/A)"`, `true`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Scalar(#[schemars(with = "serde_json::Value")] pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        // As written: `1.0` stays `1.0`, `.nan` stays `.nan` (a number's own text, not its
        // value printed again), so a `where:` value matches the cell that says the same.
        d.deserialize_str(V)
    }
}

/// A `where:` condition on a survey column: the values a kept row holds, or (`{not: ...}`)
/// the values it does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Wanted {
    Is(OneOrMany<Scalar>),
    Not { not: OneOrMany<Scalar> },
}

impl Wanted {
    /// The values named, and whether a row is kept for holding one (`false`: for holding
    /// none).
    pub fn values(&self) -> (Vec<&str>, bool) {
        let (values, keep) = match self {
            Wanted::Is(v) => (v, true),
            Wanted::Not { not } => (not, false),
        };
        let values = match values {
            OneOrMany::One(v) => vec![v.0.as_str()],
            OneOrMany::Many(vs) => vs.iter().map(|v| v.0.as_str()).collect(),
        };
        (values, keep)
    }
}

impl<'de> Deserialize<'de> for Wanted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Not {
            not: OneOrMany<Scalar>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Wanted;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value, a list of values, or `{not: value or list}`")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Wanted, A::Error> {
                Not::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|n| Wanted::Not { not: n.not })
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Wanted, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(|v| Wanted::Is(OneOrMany::Many(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Wanted, E> {
                Ok(one(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Wanted, E> {
                Ok(one(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Wanted, E> {
                Ok(one(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Wanted, E> {
                Ok(one(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Wanted, E> {
                Ok(one(v.to_string()))
            }
        }
        fn one(v: String) -> Wanted {
            Wanted::Is(OneOrMany::One(Scalar(v)))
        }
        d.deserialize_any(V)
    }
}

/// One value or a list of them.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(OneOrMany::Many)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(de::value::StrDeserializer::new(v)).map(OneOrMany::One)
            }
            // A whole number where text is wanted is its digits (an event named `1004`).
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(de::value::I64Deserializer::new(v))
                    .or_else(|_: E| {
                        T::deserialize(de::value::StringDeserializer::new(v.to_string()))
                    })
                    .map(OneOrMany::One)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(de::value::U64Deserializer::new(v))
                    .or_else(|_: E| {
                        T::deserialize(de::value::StringDeserializer::new(v.to_string()))
                    })
                    .map(OneOrMany::One)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::deserialize(de::value::F64Deserializer::new(v)).map(OneOrMany::One)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                T::deserialize(de::value::BoolDeserializer::new(v)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A YAML mapping kept in document order, with the position of every key.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for Pairs<V> {
    fn default() -> Self {
        Pairs(Vec::new())
    }
}

impl<V> Pairs<V> {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: Serialize> Serialize for Pairs<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(&k.value, v)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Pairs<V>
where
    Spanned<String>: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Vis<V>
        where
            Spanned<String>: Deserialize<'de>,
        {
            type Value = Pairs<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<V>, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Spanned<String>>()? {
                    out.push((k, map.next_value()?));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(Vis(std::marker::PhantomData))
    }
}

impl<V: JsonSchema> JsonSchema for Pairs<V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let inner = generator.subschema_for::<V>();
        schemars::json_schema!({"type": "object", "additionalProperties": inner})
    }
}
