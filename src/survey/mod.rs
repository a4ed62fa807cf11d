//! Survey: stream CSV exports into per-stage and overall aggregates (the guide: "Surveys").
//!
//! Invariants: each file is read once as a stream of reused records; column indexes
//! are resolved before the first row; numbers are parsed from bytes; nothing is dropped
//! silently: every skipped value is counted and reported (the first few at their CSV line
//! and column, the rest as a count) and carried on the figure it was meant for, and rows
//! naming unknown stages are counted per value. A binding that cannot be right (a filter
//! that keeps nothing, a label no answer uses, a measure most of whose answers are
//! unusable) is an error, not a quiet figure.

mod aggregate;
mod aggregated;
pub use aggregated::COLUMNS as AGGREGATED_COLUMNS;
mod answers;
pub mod binding;
mod cells;
pub mod change;
mod chunks;
mod data;
pub mod effects;
mod emotion;
mod guard;
pub mod input;
mod interval;
mod judge;
pub mod measure;
mod plan;
pub mod plausible;
pub mod quotes;
mod reader;
mod records;
pub mod split;
mod stages;
mod tally;
pub mod value;
pub mod wave;
mod wholes;
pub mod workbook;

use crate::diagnostic::Code;
use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::load::Loaded;
use crate::model::{MeasureName, Survey};
pub use aggregate::Aggregate;
pub use data::{Summary, SurveyData};
use measure::{Acc, Kind};
pub use quotes::Verbatim;
use reader::{Finished, Last, Next, Reader};

/// Measures with numbers, in a fixed order: index into per-stage accumulator arrays.
pub const NUMERIC: [MeasureName; 4] = [
    MeasureName::Nps,
    MeasureName::Csat,
    MeasureName::Ces,
    MeasureName::Score,
];
pub use quotes::VERBATIMS;

/// Every figure a stage can have, in the order outputs list them: the numeric measures,
/// then the comments' sentiment.
pub const FIGURES: [&str; 5] = ["nps", "csat", "ces", "score", "sentiment"];

/// Skipped values reported one by one per column; the rest are counted.
const DETAILED_WARNINGS: usize = 3;
/// Distinct unknown stage values tracked per survey; the rest are counted together.
const MAX_UNKNOWN_VALUES: usize = 100;
/// Distinct cell texts remembered per filter and per labelled measure, for the messages
/// that list what a column holds.
const MAX_DISTINCT: usize = 1000;
/// A cell's text in a diagnostic is cut after this many characters.
const MAX_SHOWN: usize = 60;
/// Values a `where:` error lists.
const MAX_LISTED: usize = 10;

fn slot(m: MeasureName) -> Option<usize> {
    NUMERIC.iter().position(|n| *n == m)
}

pub fn measure_name(m: MeasureName) -> &'static str {
    match m {
        MeasureName::Nps => "nps",
        MeasureName::Csat => "csat",
        MeasureName::Ces => "ces",
        MeasureName::Score => "score",
        MeasureName::Comment => "comment",
        MeasureName::Sentiment => "sentiment",
    }
}

fn kind(m: MeasureName) -> Kind {
    match m {
        MeasureName::Nps => Kind::Nps,
        MeasureName::Csat => Kind::Csat,
        _ => Kind::Mean,
    }
}

/// How surveys are read: the command sets it from its flags and environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Threads that may read parts of one large CSV file (1 to [`chunks::MAX_PARTS`]); none:
    /// one per core, counted only when a file is large enough to be cut.
    pub threads: Option<usize>,
    /// Cut every file into `threads` parts whatever its size, and say on stderr how the
    /// parts were read (the tests' setting, `JOURNEYMAP_THREADS`).
    pub cut_always: bool,
    /// Show a progress bar while a large file is read (an interactive stderr).
    pub progress: bool,
}

impl Reading {
    /// Every core, files cut only when large, no progress bar.
    pub fn on_every_core() -> Self {
        Reading {
            threads: None,
            cut_always: false,
            progress: false,
        }
    }

    /// The threads a file may be read on: as set, or one per core.
    pub fn threads(&self) -> usize {
        self.threads.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, usize::from);
            cores.min(chunks::MAX_PARTS)
        })
    }

    /// `n` threads (clamped to 1 to [`chunks::MAX_PARTS`]), every file cut.
    pub fn cut_into(n: usize) -> Self {
        Reading {
            threads: Some(n.clamp(1, chunks::MAX_PARTS)),
            cut_always: true,
            progress: false,
        }
    }
}

/// Read every survey of a map. Errors in a survey stop that survey only.
pub fn read_all(loaded: &Loaded, reading: Reading) -> (SurveyData, Vec<Diagnostic>) {
    let mut data = SurveyData::for_map(loaded);
    let mut diags = Vec::new();
    let mut emotion = emotion::Claims::new(loaded);
    for survey in &loaded.journey.surveys {
        let before = emotion.before(survey, &data);
        let mut first_names = None;
        for (wave, spec) in survey.files() {
            let path = crate::load::relative_to(&loaded.path, &spec.value);
            let file = crate::load::display(&path);
            let mut reader = Reader {
                loaded,
                survey,
                reading,
                file,
                rows: None,
                spec,
                path: Some(&path),
                fixed_wave: wave,
                first_names: &mut first_names,
                diags: &mut diags,
                data: &mut data,
                line_base: 0,
            };
            if let Some(summary) = reader.read(&path) {
                data.summaries.push(summary);
            }
        }
        emotion.after(survey, before, &data, &mut diags);
    }
    data.emotion_from = emotion.into_stages();
    data.settle();
    if let Some(d) = data.unfinished_wave(&loaded.file) {
        diags.push(d);
    }
    check_pins(loaded, &data, &mut diags);
    judge::check_themes(loaded, &data, &mut diags);
    (data, diags)
}

/// A pinned quote must be among the comments read for its stage (or the journey).
fn check_pins(loaded: &Loaded, data: &SurveyData, diags: &mut Vec<Diagnostic>) {
    let stages = &loaded.journey.stages.value;
    let places = stages
        .iter()
        .zip(&data.stages)
        .map(|(s, a)| (s.quotes.as_ref(), a, format!("stage `{}`", s.id.value)))
        .chain(std::iter::once((
            loaded.journey.quotes.as_ref(),
            &data.overall,
            "the whole journey".to_owned(),
        )));
    for (quotes, agg, place) in places {
        let Some(q) = quotes else { continue };
        for i in agg.quotes.missing_pins() {
            let pin = &q.pin[i];
            let msg = format!(
                "the pinned quote `{}` is not among the {} comments read for {place}; copy its exact text from the survey file",
                pin.value,
                agg.comments()
            );
            diags.push(loaded.at(Code::PinNotFound, pin.pos, msg));
        }
    }
}

/// Read one survey of `loaded` from `bytes` instead of its file: the whole reading path,
/// for fuzzing. The flag says whether the survey was read to the end.
pub fn read_bytes(
    loaded: &Loaded,
    survey: usize,
    bytes: &[u8],
) -> (SurveyData, Vec<Diagnostic>, bool) {
    let mut data = SurveyData::for_map(loaded);
    let mut diags = Vec::new();
    let mut read = false;
    let mut first_names = None;
    if let Some(s) = loaded.journey.surveys.get(survey) {
        let files = s.files();
        let Some((wave, spec)) = files.first() else {
            return (data, diags, false);
        };
        let mut reader = Reader {
            loaded,
            survey: s,
            reading: Reading::on_every_core(),
            file: "fuzz.csv".to_owned(),
            rows: None,
            spec,
            path: None,
            fixed_wave: *wave,
            first_names: &mut first_names,
            diags: &mut diags,
            data: &mut data,
            line_base: 0,
        };
        match input::from_bytes(bytes.into(), s) {
            Ok(mut input) => {
                let mut summary = Summary::default();
                read = reader.read_layout(&mut input, &mut summary) == Finished::Read;
            }
            Err(e) => reader.at_csv(e.code, e.line, 1, e.message),
        }
    }
    data.settle();
    (data, diags, read)
}

/// A column named by the map (or `#N`, the Nth from 1) among a file's column names: exactly,
/// then with case, composition and runs of spaces ignored. Otherwise `Err(None)` for a
/// position past the last column, or `Err(Some(the nearest names))`.
pub fn find_column(names: &[String], wanted: &str) -> Result<usize, Option<String>> {
    if let Some(n) = wanted.strip_prefix('#') {
        return match n.parse::<usize>() {
            Ok(i) if i >= 1 && i <= names.len() => Ok(i - 1),
            _ => Err(None),
        };
    }
    if let Some(i) = names.iter().position(|n| n == wanted) {
        return Ok(i);
    }
    let norm = |s: &str| crate::words::fold(&s.split_whitespace().collect::<Vec<_>>().join(" "));
    let w = norm(wanted);
    if let Some(i) = names.iter().position(|n| norm(n) == w) {
        return Ok(i);
    }
    let mut near: Vec<(f64, &String)> = names
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| (strsim::jaro_winkler(&w, &norm(n)), n))
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    let list: Vec<String> = near.iter().take(3).map(|(_, n)| format!("`{n}`")).collect();
    Err(Some(if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }))
}

/// A workbook's sheet: its name, and its rows for the CSV lines it was handed over as.
type Sheet = (String, std::sync::Arc<workbook::RowMap>);

/// A survey file opened for reading: a CSV export, or a workbook's sheet handed over as CSV
/// (with the sheet's name and its rows).
fn open(
    path: &Path,
    survey: &Survey,
    reading: Reading,
) -> Result<(input::Input, Option<Sheet>), input::OpenError> {
    if workbook::is_workbook(path) {
        let w = workbook::open(path, survey)?;
        return Ok((w.input, Some((w.sheet, w.rows))));
    }
    input::open(path, survey, reading.progress).map(|i| (i, None))
}

/// A stage named by a survey cell: its id in any case, or its name.
fn resolve_stage(stages: &[crate::model::Stage], cell: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(cell).ok()?.trim();
    stages
        .iter()
        .position(|s| crate::words::same_name(&s.id.value, text))
        .or_else(|| {
            stages
                .iter()
                .position(|s| crate::words::same_name(s.name.trim(), text))
        })
}
