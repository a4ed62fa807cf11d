//! The persona as the map writes it (`persona:` inline, or a file of its own).

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

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
