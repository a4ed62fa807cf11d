//! Entry points for the fuzz targets in `fuzz/` and their regression tests: each runs one
//! part of the pipeline on arbitrary bytes and says how it ended, so a regression test can
//! check the outcome as well as that it returned (no panic, no hang, bounded memory).

use crate::render::Renderer;

const TODAY: jiff::civil::Date = jiff::civil::date(2026, 11, 22);

fn checks() -> crate::validate::Checks {
    crate::validate::Checks {
        max_age_days: Some(180),
        today: TODAY,
        reading: crate::survey::Reading::on_every_core(),
    }
}

/// Load and validate a map from bytes: `Ok` for a map without errors (warnings allowed),
/// `Problems` otherwise, as `journeymap validate` would exit.
pub fn map(data: &[u8]) -> crate::Outcome {
    let Ok(text) = std::str::from_utf8(data) else {
        return crate::Outcome::Problems;
    };
    match crate::load::from_text(text, "fuzz.journey.yaml") {
        Ok(loaded) => outcome(&crate::validate::validate(&loaded, checks())),
        Err(_) => crate::Outcome::Problems,
    }
}

fn outcome(diags: &[crate::diagnostic::Diagnostic]) -> crate::Outcome {
    if diags
        .iter()
        .any(|d| d.severity == crate::diagnostic::Severity::Error)
    {
        crate::Outcome::Problems
    } else {
        crate::Outcome::Ok
    }
}

/// The maps a survey fuzz input is read with: one per source and layout.
const SURVEY_MAPS: &[&str] = &[
    "{id: s, file: f.csv, stage_column: stage, measures: {nps: nps, csat: {column: csat, values: {Good: 5, Bad: 1}}, ces: '#4', comment: comment}, where: {keep: ['1', 'yes']}, missing: ['-1']}",
    "{id: s, file: f.csv, source: qualtrics, layout: wide, overall: {nps: Q1}, stages: {a: {csat: Q2, comment: Q3}, b: {score: {column: Q4, scale: [1, 10]}}}}",
    "{id: s, file: f.csv, source: surveymonkey, layout: wide, stages: {a: {csat: 'Q / Sub'}}}",
    "{id: s, file: f.csv, layout: aggregated}",
    "{id: s, file: f.csv, encoding: utf-16, delimiter: ';', stage_column: stage, measures: {nps: nps}}",
];

/// Read a survey from bytes with every source and layout. Returns, per binding, whether the
/// survey was read to the end and how many errors it reported: a survey that stops early
/// must say why.
pub fn survey(data: &[u8]) -> Vec<(bool, usize)> {
    let mut out = Vec::new();
    for binding in SURVEY_MAPS {
        let text = format!(
            "journeymap: 1\ntitle: t\nstages:\n  - {{id: a, name: A}}\n  - {{id: b, name: B}}\nsurveys:\n  - {binding}\n"
        );
        let Ok(loaded) = crate::load::from_text(&text, "fuzz.journey.yaml") else {
            continue;
        };
        let (data, diags, read) = crate::survey::read_bytes(&loaded, 0, data);
        let errors = diags
            .iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .count();
        out.push((read, errors));
        let ctx = crate::enrich::enrich(&loaded, &data);
        let _ = serde_json::to_string(&ctx);
    }
    out
}

/// Load, validate and render a map from bytes in every format: `Ok` when every format
/// rendered, `Problems` for a map with errors, `Failure` when a page could not be rendered.
pub fn render(data: &[u8]) -> crate::Outcome {
    let Ok(text) = std::str::from_utf8(data) else {
        return crate::Outcome::Problems;
    };
    let Ok(loaded) = crate::load::from_text(text, "fuzz.journey.yaml") else {
        return crate::Outcome::Problems;
    };
    let diags = crate::validate::validate(&loaded, checks());
    if outcome(&diags) != crate::Outcome::Ok {
        return crate::Outcome::Problems;
    }
    let data = crate::survey::SurveyData::without_surveys(loaded.journey.stages.value.len());
    let ctx = crate::enrich::enrich(&loaded, &data);
    let renderer = Renderer::new(None);
    for format in [
        crate::format::OutputFormat::Html,
        crate::format::OutputFormat::Markdown,
        crate::format::OutputFormat::Json,
    ] {
        if renderer.map(&ctx, format).is_err() {
            return crate::Outcome::Failure;
        }
    }
    crate::Outcome::Ok
}

/// Read a tracker export from bytes in every format (Jira, with and without `done:`, Linear,
/// GitHub). Returns, per format, the tickets read (none when the export was refused) and
/// whether every ticket kept (those a map names) is found again by its key.
pub fn tracker(data: &[u8]) -> Vec<(usize, bool)> {
    let bindings = [
        "{id: t, file: f, format: jira}",
        "{id: t, file: f, format: jira, done: [Closed], dropped: [Rejected]}",
        "{id: t, file: f, format: linear}",
        "{id: t, file: f, format: github}",
    ];
    let mut out = Vec::new();
    for b in bindings {
        let text =
            format!("journeymap: 1\ntitle: t\nstages: [{{id: a, name: A}}]\ntrackers: [{b}]\n");
        let Ok(loaded) = crate::load::from_text(&text, "fuzz.journey.yaml") else {
            continue;
        };
        let t = &loaded.journey.trackers[0];
        let wanted = ["CX-1", "#1", "CLA-1", "HOINC-1485"]
            .iter()
            .map(|k| (k.trim_start_matches('#').to_lowercase(), (*k).to_owned()))
            .collect();
        let (tickets, _) = crate::trackers::read_bytes(t, data, wanted);
        let found = tickets
            .as_ref()
            .is_none_or(|k| k.kept().all(|x| k.get(&x.key).is_some()));
        out.push((tickets.map_or(0, |k| k.count), found));
    }
    out
}
