//! Init: write a starter map, a sample survey and the JSON Schema, or a small portfolio of
//! three maps. Never overwrites: every target is checked before anything is written, and each
//! file is created exclusively.

use std::path::Path;

use anyhow::Result;

use crate::Outcome;

const STARTER_MAP: &str = include_str!("../templates/init/starter.journey.yaml");
const STARTER_SURVEY: &str = include_str!("../templates/init/survey.csv");

pub const MAP_NAME: &str = "starter.journey.yaml";
pub const SURVEY_NAME: &str = "surveys/starter-survey.csv";
pub const SCHEMA_NAME: &str = "journeymap.schema.json";

/// The portfolio `init --portfolio` writes: name in the folder, text.
const PORTFOLIO: [(&str, &str); 4] = [
    (
        "lifecycle.journey.yaml",
        include_str!("../templates/init/portfolio/lifecycle.journey.yaml"),
    ),
    (
        "journeys/onboarding.journey.yaml",
        include_str!("../templates/init/portfolio/onboarding.journey.yaml"),
    ),
    (
        "journeys/onboarding/first-invoice.journey.yaml",
        include_str!("../templates/init/portfolio/first-invoice.journey.yaml"),
    ),
    (
        "personas/customer.yaml",
        include_str!("../templates/init/portfolio/customer.yaml"),
    ),
];

fn schema() -> Result<String> {
    Ok(serde_json::to_string_pretty(&schemars::schema_for!(crate::model::Journey))? + "\n")
}

/// Create every file, or none when one exists; say what was created.
fn create(dir: &Path, files: &[(&str, String)]) -> Result<()> {
    let files: Vec<(std::path::PathBuf, &[u8])> = files
        .iter()
        .map(|(name, text)| (dir.join(name), text.as_bytes()))
        .collect();
    for path in crate::output::create_new(&files, "init")? {
        println!("created {}", crate::load::display(&path));
    }
    Ok(())
}

pub fn init(dir: &Path, today: jiff::civil::Date) -> Result<Outcome> {
    // The starter is reviewed today, so `validate --strict` passes on it.
    let map = STARTER_MAP.replace("REVIEWED_DATE", &today.to_string());
    create(
        dir,
        &[
            (MAP_NAME, map),
            (SURVEY_NAME, STARTER_SURVEY.to_owned()),
            (SCHEMA_NAME, schema()?),
        ],
    )?;
    println!(
        "next: journeymap render {} -o {}",
        crate::load::display(&dir.join(MAP_NAME)),
        crate::load::display(&dir.join("starter.html"))
    );
    Ok(Outcome::Ok)
}

/// A lifecycle, a journey that details its Join stage, a sub-journey that details the
/// journey's Set up stage, and the persona file all three use: the shape of a portfolio.
pub fn portfolio(dir: &Path, today: jiff::civil::Date) -> Result<Outcome> {
    let mut files: Vec<(&str, String)> = PORTFOLIO
        .iter()
        .map(|(name, text)| (*name, text.replace("REVIEWED_DATE", &today.to_string())))
        .collect();
    files.push((SCHEMA_NAME, schema()?));
    create(dir, &files)?;
    let shown = crate::load::display(dir);
    // Outside git a map reads files from its own folder only; the journeys read the maps
    // and the persona above them.
    let root = crate::load::confine::root_of(&dir.join(PORTFOLIO[0].0), None);
    if !root.join(".git").exists() {
        println!(
            "note: {shown} is not in a git work tree, so each map may read files from its own folder only; run `git init {shown}`, or give `--root {shown}` to validate and render"
        );
    }
    println!("next: journeymap render {shown} -o site/");
    Ok(Outcome::Ok)
}
