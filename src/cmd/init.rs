//! `journeymap init [--portfolio] [DIR]`: a starter map, survey and schema (or a small
//! portfolio) that render without warnings.

use std::path::Path;

use anyhow::Result;

use crate::Outcome;

pub fn run(dir: &Path, portfolio: bool, today: jiff::civil::Date) -> Result<Outcome> {
    if portfolio {
        crate::init::portfolio(dir, today)
    } else {
        crate::init::init(dir, today)
    }
}
