//! The persona library of a portfolio: each persona once, with the maps that use it. A
//! persona file used by several maps is one persona (by the file's real path); personas
//! written inline are one when they are written alike.

use std::path::{Path, PathBuf};

use super::Member;
use crate::enrich::PersonaUse;
use crate::model::{PersonaRef, Spanned};

/// Every persona of the members, in the order they are first used in the tree.
pub(super) fn personas(members: &[Member], order: &[(usize, usize)]) -> Vec<PersonaUse> {
    let mut out: Vec<(Key, PersonaUse)> = Vec::new();
    for &(i, _) in order {
        let m = &members[i];
        let Some(persona) = &m.loaded.persona else {
            continue;
        };
        let (key, file) = match &m.loaded.journey.persona {
            Some(Spanned {
                value: PersonaRef::Path(rel),
                ..
            }) => {
                let path = crate::load::relative_to(&m.loaded.path, rel);
                let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                // Relative to the folder rendered, as the map's own path is.
                let shown = crate::load::relative_to(Path::new(&m.path), rel);
                (Key::File(real), Some(crate::load::display(&shown)))
            }
            _ => (
                Key::Inline(serde_json::to_string(persona).unwrap_or_default()),
                None,
            ),
        };
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, used)) => used.maps.push(m.path.clone()),
            None => out.push((
                key,
                PersonaUse {
                    name: persona.name.clone(),
                    role: persona.role.clone(),
                    file,
                    maps: vec![m.path.clone()],
                },
            )),
        }
    }
    out.into_iter().map(|(_, p)| p).collect()
}

#[derive(PartialEq)]
enum Key {
    File(PathBuf),
    Inline(String),
}
