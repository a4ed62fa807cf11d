//! `journeymap diff OLD NEW`: two versions of a map compared by meaning.

use std::io::IsTerminal;

use anyhow::Result;

use crate::Outcome;
use crate::cli::DiffArgs;

pub fn run(args: &DiffArgs) -> Result<Outcome> {
    // A terminal report is coloured unless NO_COLOR is set or stdout is not a terminal.
    let colour = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let options = crate::diff::Options {
        format: args.format,
        colour,
        checks: super::checks(None)?,
    };
    crate::diff::command(&args.old, &args.new, &options)
}
