//! The theme codebook as the map writes it (`themes:` inline, or a file of its own).

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use super::Spanned;

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
/// and none of its `exclude` terms does (the guide: "Themes").
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
