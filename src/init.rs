//! Init: write a starter map, a sample survey and the JSON Schema. Never overwrites: every
//! target is checked before anything is written, and each file is created exclusively.

use std::path::Path;

use anyhow::Result;

use crate::Outcome;

const STARTER_MAP: &str = include_str!("../templates/init/starter.journey.yaml");
const STARTER_SURVEY: &str = include_str!("../templates/init/survey.csv");

pub const MAP_NAME: &str = "starter.journey.yaml";
pub const SURVEY_NAME: &str = "surveys/starter-survey.csv";
pub const SCHEMA_NAME: &str = "journeymap.schema.json";

pub fn init(dir: &Path, today: jiff::civil::Date) -> Result<Outcome> {
    let schema =
        serde_json::to_string_pretty(&schemars::schema_for!(crate::model::Journey))? + "\n";
    // The starter is reviewed today, so `validate --strict` passes on it.
    let map = STARTER_MAP.replace("REVIEWED_DATE", &today.to_string());
    let files = [
        (MAP_NAME, map.as_str()),
        (SURVEY_NAME, STARTER_SURVEY),
        (SCHEMA_NAME, schema.as_str()),
    ];
    let files: Vec<(std::path::PathBuf, &[u8])> = files
        .iter()
        .map(|(name, text)| (dir.join(name), text.as_bytes()))
        .collect();
    for path in crate::output::create_new(&files, "init")? {
        println!("created {}", crate::load::display(&path));
    }
    println!(
        "next: journeymap render {} -o {}",
        crate::load::display(&dir.join(MAP_NAME)),
        crate::load::display(&dir.join("starter.html"))
    );
    Ok(Outcome::Ok)
}
