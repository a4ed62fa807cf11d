//! `journeymap diff OLD NEW`: two versions of a map compared by meaning.

use anyhow::Result;

use crate::Outcome;
use crate::cli::DiffArgs;

pub fn run(args: &DiffArgs) -> Result<Outcome> {
    crate::diff::command(args)
}
