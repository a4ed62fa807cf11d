//! `journeymap templates export DIR`: the built-in templates, to start a custom look from.

use std::path::Path;

use anyhow::Result;

use crate::Outcome;

pub fn export(dir: &Path) -> Result<Outcome> {
    for path in crate::render::export(dir)? {
        println!("wrote {}", crate::load::display(&path));
    }
    Ok(Outcome::Ok)
}
