//! `journeymap import mermaid FILE [-o MAP]`: a Mermaid journey diagram becomes a map.

use std::path::Path;

use anyhow::Result;

use crate::Outcome;

pub fn run(file: &Path, output: Option<&Path>) -> Result<Outcome> {
    crate::import::mermaid_command(file, output)
}
