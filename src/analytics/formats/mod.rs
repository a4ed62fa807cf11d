//! Funnel exports as analytics tools write them, read into one shape: the actors that
//! reached at least each step, in step order (the guide: "Measured reach").
//!
//! Invariants: only counts are taken from a file; every rate is recomputed from them (a rate
//! the file reports is only checked against them); a count is a whole, non-negative number
//! written out in full (a count in scientific notation may have been rounded by a
//! spreadsheet, so it is refused); unique counts of different date buckets or breakdown
//! values are never added together.

mod funnel;
mod ga4;
mod json;
mod table;

use serde_json::Value;

pub use funnel::{Choice, Funnel, Problem, Step, count};

use funnel::problem;

use ga4::ga4;
use json::{amplitude, mixpanel};
use table::{Table, table};

/// The formats journeymap reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ga4,
    Posthog,
    Amplitude,
    Mixpanel,
    Steps,
}

/// The format of a file, from its content.
pub fn detect(text: &str) -> Result<Format, Problem> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        let v: Value = serde_json::from_str(trimmed).map_err(|e| {
            problem(
                e.line() as u64,
                e.column(),
                format!("the file starts like JSON but is not: {e}"),
            )
        })?;
        if v["data"].as_array().is_some_and(|d| {
            d.iter()
                .any(|s| s.get("cumulativeRaw").is_some() && s.get("events").is_some())
        }) {
            return Ok(Format::Amplitude);
        }
        if v["data"]
            .as_object()
            .is_some_and(|d| d.values().any(|b| b.get("steps").is_some()))
        {
            return Ok(Format::Mixpanel);
        }
        return Err(problem(
            1,
            1,
            "a JSON file that is neither Amplitude's funnels API answer (`data[].events` and `cumulativeRaw`) nor Mixpanel's (`data.<date>.steps`)",
        ));
    }
    let header = trimmed
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let cells: Vec<String> = header
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    let has = |c: &str| cells.iter().any(|h| h == c);
    if has("step") && has("active users") {
        return Ok(Format::Ga4);
    }
    if cells.starts_with(&[
        "name".to_owned(),
        "breakdown_value".to_owned(),
        "action_id".to_owned(),
        "count".to_owned(),
    ]) {
        return Ok(Format::Posthog);
    }
    if has("step") && has("count") {
        return Ok(Format::Steps);
    }
    if text.contains("# Start date:") || text.contains("# Account:") {
        return Err(problem(
            0,
            0,
            "this is a GA4 standard report (its header has no `Step` column), which counts events or users per row, not a funnel; export a Funnel exploration (Explore › Funnel exploration › Download › CSV) instead",
        ));
    }
    Err(problem(
        0,
        0,
        format!(
            "not a funnel export journeymap reads (header `{}`); it reads GA4 funnel explorations, PostHog funnel CSVs, Amplitude's and Mixpanel's funnels API JSON, and a plain CSV with `step` and `count` columns",
            header.chars().take(80).collect::<String>()
        ),
    ))
}

/// Read a funnel in a known format.
pub fn read(text: &str, format: Format, choice: &Choice) -> Result<Funnel, Vec<Problem>> {
    let text = text.trim_start_matches('\u{feff}');
    match format {
        Format::Ga4 => ga4(text, choice),
        Format::Posthog => table(text, choice, Table::Posthog),
        Format::Steps => table(text, choice, Table::Steps),
        Format::Amplitude => amplitude(text, choice).map_err(|p| vec![p]),
        Format::Mixpanel => mixpanel(text, choice).map_err(|p| vec![p]),
    }
}
