//! Init: write a starter map, a sample survey and the JSON Schema. Never overwrites: every
//! target is checked before anything is written, and each file is created exclusively.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result, bail};

use crate::Outcome;

const STARTER_MAP: &str = include_str!("../templates/init/starter.journey.yaml");
const STARTER_SURVEY: &str = include_str!("../templates/init/survey.csv");

pub const MAP_NAME: &str = "starter.journey.yaml";
pub const SURVEY_NAME: &str = "surveys/starter-survey.csv";
pub const SCHEMA_NAME: &str = "journeymap.schema.json";

pub fn init(dir: &Path) -> Result<Outcome> {
    let schema =
        serde_json::to_string_pretty(&schemars::schema_for!(crate::model::Journey))? + "\n";
    // The starter is reviewed today, so `validate --strict` passes on it.
    let map = STARTER_MAP.replace("REVIEWED_DATE", &crate::validate::today().to_string());
    let files = [
        (MAP_NAME, map.as_str()),
        (SURVEY_NAME, STARTER_SURVEY),
        (SCHEMA_NAME, schema.as_str()),
    ];
    let existing: Vec<String> = files
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|p| p.exists())
        .map(|p| crate::load::display(&p))
        .collect();
    if !existing.is_empty() {
        bail!(
            "init never overwrites, and these files exist: {}",
            existing.join(", ")
        );
    }
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        f.write_all(text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("created {}", crate::load::display(&path));
    }
    println!(
        "next: journeymap render {} -o {}",
        crate::load::display(&dir.join(MAP_NAME)),
        crate::load::display(&dir.join("starter.html"))
    );
    Ok(Outcome::Ok)
}
