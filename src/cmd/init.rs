//! `journeymap init [DIR]`: a starter map, survey and schema that render without warnings.

use std::path::Path;

use anyhow::Result;

use crate::Outcome;

pub fn run(dir: &Path, today: jiff::civil::Date) -> Result<Outcome> {
    crate::init::init(dir, today)
}
