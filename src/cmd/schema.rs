//! `journeymap schema`: the JSON Schema of the map format, generated from the model types.

use anyhow::Result;

use crate::Outcome;

pub fn run() -> Result<Outcome> {
    let schema = schemars::schema_for!(crate::model::Journey);
    let mut text = serde_json::to_string_pretty(&schema)?;
    text.push('\n');
    crate::output::write_stdout(text.as_bytes())?;
    Ok(Outcome::Ok)
}
