//! Survey: stream CSV exports into per-stage and overall aggregates (SPEC section 2).
//!
//! Invariants: each file is read once as a stream of reused `ByteRecord`s; column indexes
//! are resolved before the first row; numbers are parsed from bytes; nothing is dropped
//! silently: every skipped value is counted and reported (the first few at their CSV line
//! and column, the rest as a count), and rows naming unknown stages are counted per value.

pub mod input;
pub mod measure;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::load::Loaded;
use crate::model::{Layout, Measure, MeasureName, Measures, Pos, Source, Survey};
use measure::{Acc, Kind};

/// Measures with numbers, in a fixed order: index into per-stage accumulator arrays.
pub const NUMERIC: [MeasureName; 4] = [
    MeasureName::Nps,
    MeasureName::Csat,
    MeasureName::Ces,
    MeasureName::Score,
];
/// Verbatim comments kept per stage.
pub const VERBATIMS: usize = 5;
/// Skipped values reported one by one per column; the rest are counted.
const DETAILED_WARNINGS: usize = 3;
/// Distinct unknown stage values tracked per survey; the rest are counted together.
const MAX_UNKNOWN_VALUES: usize = 100;

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
    }
}

fn kind(m: MeasureName) -> Kind {
    match m {
        MeasureName::Nps => Kind::Nps,
        MeasureName::Csat => Kind::Csat,
        _ => Kind::Mean,
    }
}

fn default_scale(m: MeasureName) -> [f64; 2] {
    match m {
        MeasureName::Nps => [0.0, 10.0],
        MeasureName::Csat => [1.0, 5.0],
        MeasureName::Ces => [1.0, 7.0],
        MeasureName::Score | MeasureName::Comment => [0.0, 10.0],
    }
}

/// Aggregates of one stage (or of the whole journey), pooled over every survey.
#[derive(Debug, Clone, Default)]
pub struct Aggregate {
    pub accs: [Acc; 4],
    pub scales: [Option<[f64; 2]>; 4],
    pub comments: u64,
    pub verbatims: Vec<Verbatim>,
}

impl Aggregate {
    fn offer_verbatim(&mut self, text: &str, survey: &str, line: u64) {
        self.comments += 1;
        let hash = fnv1a(text.as_bytes());
        // The same words from several people are shown once.
        if self
            .verbatims
            .iter()
            .any(|v| v.hash == hash && v.text == text)
        {
            return;
        }
        let v = Verbatim {
            text: text.to_owned(),
            survey: survey.to_owned(),
            line,
            hash,
        };
        if self.verbatims.len() < VERBATIMS {
            self.verbatims.push(v);
        } else if let Some((i, worst)) = self
            .verbatims
            .iter()
            .enumerate()
            .max_by_key(|(_, w)| (w.hash, w.line))
            && (hash, line) < (worst.hash, worst.line)
        {
            self.verbatims[i] = v;
        }
    }

    /// The figures of every measure with answers, by name.
    pub fn figures(&self) -> Vec<(&'static str, measure::Figure)> {
        NUMERIC
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let scale = self.scales[i].unwrap_or(default_scale(*m));
                measure::figure(&self.accs[i], kind(*m), scale).map(|f| (measure_name(*m), f))
            })
            .collect()
    }

    /// Verbatims in file order (they were chosen by hash, so the choice does not depend on
    /// row order but the display does read naturally).
    pub fn verbatims_in_order(&self) -> Vec<&Verbatim> {
        let mut v: Vec<&Verbatim> = self.verbatims.iter().collect();
        v.sort_by(|a, b| (a.survey.as_str(), a.line).cmp(&(b.survey.as_str(), b.line)));
        v
    }
}

/// A verbatim comment. Up to five distinct texts per stage are kept: those with the smallest
/// FNV-1a hash, a deterministic sample that does not depend on the order of rows.
#[derive(Debug, Clone, Serialize)]
pub struct Verbatim {
    pub text: String,
    pub survey: String,
    pub line: u64,
    #[serde(skip)]
    hash: u64,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What was read from one survey file: the "nothing dropped silently" ledger.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub id: String,
    pub file: String,
    pub source: Source,
    pub layout: Layout,
    pub encoding: String,
    pub delimiter: String,
    pub header_rows: usize,
    /// Data rows in the file.
    pub rows: u64,
    /// Rows left out by `where:`.
    pub rows_filtered: u64,
    /// Rows whose stage is not a stage of the map (long layout).
    pub rows_unknown_stage: u64,
    /// Values counted in a measure.
    pub values_used: u64,
    /// Empty cells and missing codes.
    pub values_missing: u64,
    /// Values that were not numbers or lay outside their scale (each reported).
    pub values_skipped: u64,
    /// Non-empty comments read.
    pub comments: u64,
}

/// Everything read from a map's surveys.
#[derive(Debug, Clone, Default)]
pub struct SurveyData {
    pub stages: Vec<Aggregate>,
    pub overall: Aggregate,
    pub summaries: Vec<Summary>,
}

/// One measure bound to one column.
#[derive(Debug, Clone)]
struct Binding {
    /// Stage index, or `None` for the whole journey (wide `overall:`), or the row's stage
    /// (long layout) when `per_row` is set.
    stage: Option<usize>,
    per_row: bool,
    measure: MeasureName,
    col: usize,
    column: String,
    scale: [f64; 2],
    top_from: f64,
    values: Vec<(Vec<u8>, f64)>,
    warned: usize,
    skipped: u64,
}

/// Read every survey of a map. Errors in a survey stop that survey only.
pub fn read_all(loaded: &Loaded) -> (SurveyData, Vec<Diagnostic>) {
    let stages = &loaded.journey.stages.value;
    let mut data = SurveyData {
        stages: vec![Aggregate::default(); stages.len()],
        ..SurveyData::default()
    };
    let mut diags = Vec::new();
    for survey in &loaded.journey.surveys {
        let path = crate::load::relative_to(&loaded.path, &survey.file.value);
        let file = crate::load::display(&path);
        let mut reader = Reader {
            loaded,
            survey,
            file: &file,
            diags: &mut diags,
            data: &mut data,
        };
        if let Some(summary) = reader.read(&path) {
            data.summaries.push(summary);
        }
    }
    (data, diags)
}

/// Read one survey of `loaded` from `bytes` instead of its file: the whole reading path,
/// for fuzzing.
pub fn read_bytes(loaded: &Loaded, survey: usize, bytes: &[u8]) -> (SurveyData, Vec<Diagnostic>) {
    let mut data = SurveyData {
        stages: vec![Aggregate::default(); loaded.journey.stages.value.len()],
        ..SurveyData::default()
    };
    let mut diags = Vec::new();
    if let Some(s) = loaded.journey.surveys.get(survey) {
        let mut reader = Reader {
            loaded,
            survey: s,
            file: "fuzz.csv",
            diags: &mut diags,
            data: &mut data,
        };
        let cursor = std::io::Cursor::new(bytes.to_vec());
        match input::from_reader(Box::new(cursor), s) {
            Ok(mut input) => {
                let mut summary = Summary::default();
                match s.layout {
                    Layout::Long | Layout::Wide => reader.read_answers(&mut input, &mut summary),
                    Layout::Aggregated => reader.read_aggregated(&mut input, &mut summary),
                };
            }
            Err(e) => reader.csv_error(e.code, e.line, 1, e.message),
        }
    }
    (data, diags)
}

struct Reader<'a> {
    loaded: &'a Loaded,
    survey: &'a Survey,
    file: &'a str,
    diags: &'a mut Vec<Diagnostic>,
    data: &'a mut SurveyData,
}

enum Value {
    Missing,
    Number(f64),
    Invalid(String),
}

impl Reader<'_> {
    fn map_error(&mut self, code: &'static str, msg: String) {
        self.diags.push(Diagnostic::error(
            code,
            &self.loaded.file,
            self.survey.file.pos,
            msg,
        ));
    }

    /// A problem at a CSV line and (1-based) column of the survey file.
    fn csv_diag(
        &mut self,
        severity: Severity,
        code: &'static str,
        line: u64,
        col: usize,
        msg: String,
    ) {
        let pos = Pos {
            line: usize::try_from(line).unwrap_or(usize::MAX),
            col,
        };
        let d = match severity {
            Severity::Error => Diagnostic::error(code, self.file, pos, msg),
            Severity::Warning => Diagnostic::warning(code, self.file, pos, msg),
        };
        self.diags.push(d);
    }

    fn csv_error(&mut self, code: &'static str, line: u64, col: usize, msg: String) {
        self.csv_diag(Severity::Error, code, line, col, msg);
    }

    fn csv_warning(&mut self, code: &'static str, line: u64, col: usize, msg: String) {
        self.csv_diag(Severity::Warning, code, line, col, msg);
    }

    fn read(&mut self, path: &Path) -> Option<Summary> {
        let mut input = match input::open(path, self.survey) {
            Ok(i) => i,
            Err(e) if e.line == 0 => {
                let msg = format!(
                    "survey `{}` ({}): {}",
                    self.survey.id.value, self.file, e.message
                );
                self.map_error(e.code, msg);
                return None;
            }
            Err(e) => {
                self.csv_error(e.code, e.line, 1, e.message);
                return None;
            }
        };
        if let Some(pb) = &input.progress {
            pb.set_message(format!("reading {}", self.file));
        }
        let mut summary = Summary {
            id: self.survey.id.value.clone(),
            file: self.survey.file.value.clone(),
            source: self.survey.source,
            layout: self.survey.layout,
            encoding: input.decoding.name().to_owned(),
            delimiter: match input.delimiter {
                b'\t' => "\\t".to_owned(),
                d => (d as char).to_string(),
            },
            header_rows: input.header_rows,
            ..Summary::default()
        };
        let ok = match self.survey.layout {
            Layout::Long | Layout::Wide => self.read_answers(&mut input, &mut summary),
            Layout::Aggregated => self.read_aggregated(&mut input, &mut summary),
        };
        if let Some(pb) = &input.progress {
            pb.finish_and_clear();
        }
        ok.then_some(summary)
    }

    /// Read the next record into `rec`: `Ok(false)` at the end of the file. A read error, or
    /// a record over the column or size limits, is reported and ends this survey (`Err`).
    fn next_record(
        &mut self,
        input: &mut input::Input,
        rec: &mut csv::ByteRecord,
    ) -> Result<bool, ()> {
        match input.reader.read_byte_record(rec) {
            Ok(false) => return Ok(false),
            Ok(true) => {}
            Err(e) => {
                let line = e
                    .position()
                    .map_or(input.reader.position().line(), |p| p.line());
                let why = input::csv_reason(&e);
                self.csv_error("JM106", line, 1, format!("cannot read the CSV: {why}"));
                return Err(());
            }
        }
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() > input::MAX_COLUMNS {
            let msg = format!(
                "a record of {} columns is over the limit of {}",
                rec.len(),
                input::MAX_COLUMNS
            );
            self.csv_error("JM106", line, 1, msg);
            return Err(());
        }
        if rec.as_slice().len() > input::MAX_RECORD_BYTES {
            let msg = format!(
                "a record of {} bytes is over the limit of {} bytes",
                rec.as_slice().len(),
                input::MAX_RECORD_BYTES
            );
            self.csv_error("JM106", line, 1, msg);
            return Err(());
        }
        Ok(true)
    }

    /// Resolve a column name (or `#N`) to its index, or report the nearest names.
    fn column(&mut self, names: &[String], wanted: &str, what: &str) -> Option<usize> {
        if let Some(n) = wanted.strip_prefix('#') {
            match n.parse::<usize>() {
                Ok(i) if i >= 1 && i <= names.len() => return Some(i - 1),
                _ => {
                    let msg = format!(
                        "survey `{}` maps {what} to column {wanted}, but {} has {} columns",
                        self.survey.id.value,
                        self.file,
                        names.len()
                    );
                    self.map_error("JM101", msg);
                    return None;
                }
            }
        }
        if let Some(i) = names.iter().position(|n| n == wanted) {
            return Some(i);
        }
        let norm = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let w = norm(wanted);
        if let Some(i) = names.iter().position(|n| norm(n) == w) {
            return Some(i);
        }
        let mut near: Vec<(f64, &String)> = names
            .iter()
            .filter(|n| !n.is_empty())
            .map(|n| (strsim::jaro_winkler(&w, &norm(n)), n))
            .collect();
        near.sort_by(|a, b| b.0.total_cmp(&a.0));
        let list: Vec<String> = near.iter().take(3).map(|(_, n)| format!("`{n}`")).collect();
        let msg = format!(
            "survey `{}` maps {what} to column `{wanted}`, which {} lacks; nearest: {}",
            self.survey.id.value,
            self.file,
            if list.is_empty() {
                "none".to_owned()
            } else {
                list.join(", ")
            }
        );
        self.map_error("JM101", msg);
        None
    }

    fn bindings(
        &mut self,
        names: &[String],
        measures: &Measures,
        stage: Option<usize>,
        per_row: bool,
        label: &str,
    ) -> Option<Vec<Binding>> {
        let mut out = Vec::new();
        let mut ok = true;
        let list = [
            (MeasureName::Nps, &measures.nps),
            (MeasureName::Csat, &measures.csat),
            (MeasureName::Ces, &measures.ces),
            (MeasureName::Score, &measures.score),
            (MeasureName::Comment, &measures.comment),
        ];
        for (m, spec) in list {
            let Some(spec) = spec else { continue };
            let (column, scale, values) = match spec {
                Measure::Column(c) => (c.as_str(), None, &[][..]),
                Measure::Detailed(d) => (d.column.as_str(), d.scale, &d.values.0[..]),
            };
            let what = if label.is_empty() {
                measure_name(m).to_owned()
            } else {
                format!("{} {label}", measure_name(m))
            };
            let Some(col) = self.column(names, column, &what) else {
                ok = false;
                continue;
            };
            let scale = scale.unwrap_or(default_scale(m));
            out.push(Binding {
                stage,
                per_row,
                measure: m,
                col,
                column: names[col].clone(),
                scale,
                // The top two boxes of an integer scale: its maximum and the one below.
                top_from: scale[1] - 1.0,
                values: values
                    .iter()
                    .map(|(k, v)| (k.value.trim().as_bytes().to_vec(), *v))
                    .collect(),
                warned: 0,
                skipped: 0,
            });
        }
        ok.then_some(out)
    }

    fn filters(&mut self, names: &[String]) -> Option<Vec<(usize, Vec<Vec<u8>>)>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (col, want) in &self.survey.filter.0 {
            let Some(i) = self.column(names, &col.value, "a `where:` filter") else {
                ok = false;
                continue;
            };
            let values = match want {
                crate::model::OneOrMany::One(v) => vec![v.0.as_bytes().to_vec()],
                crate::model::OneOrMany::Many(vs) => {
                    vs.iter().map(|v| v.0.as_bytes().to_vec()).collect()
                }
            };
            out.push((i, values));
        }
        ok.then_some(out)
    }

    fn read_answers(&mut self, input: &mut input::Input, summary: &mut Summary) -> bool {
        let names = input.names.clone();
        let stages = &self.loaded.journey.stages.value;
        let mut bindings = Vec::new();
        let mut stage_col = None;
        match self.survey.layout {
            Layout::Long => {
                let Some(sc) = self.survey.stage_column.as_deref() else {
                    let msg = format!(
                        "survey `{}` has `layout: long` but no `stage_column:`; name the column that holds stage ids",
                        self.survey.id.value
                    );
                    self.map_error("JM105", msg);
                    return false;
                };
                stage_col = self.column(&names, sc, "the stage column");
                let measures = self.survey.measures.clone().unwrap_or_default();
                match self.bindings(&names, &measures, None, true, "") {
                    Some(b) => bindings.extend(b),
                    None => return false,
                }
                if stage_col.is_none() {
                    return false;
                }
            }
            _ => {
                for (key, measures) in &self.survey.stages.0 {
                    // Unknown stage ids are reported by validation (JM018).
                    let Some(idx) = stages.iter().position(|s| s.id.value == key.value) else {
                        continue;
                    };
                    let label = format!("of stage `{}`", key.value);
                    match self.bindings(&names, measures, Some(idx), false, &label) {
                        Some(b) => bindings.extend(b),
                        None => return false,
                    }
                }
                if let Some(overall) = self.survey.overall.clone() {
                    match self.bindings(&names, &overall, None, false, "overall") {
                        Some(b) => bindings.extend(b),
                        None => return false,
                    }
                }
            }
        }
        if bindings.is_empty() {
            let msg = format!(
                "survey `{}` binds no measures; add `measures:` (long layout) or `stages:`/`overall:` (wide layout)",
                self.survey.id.value
            );
            self.map_error("JM105", msg);
            return false;
        }
        let Some(filters) = self.filters(&names) else {
            return false;
        };
        let missing: Vec<Vec<u8>> = ["", "NA", "N/A", "-99"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .chain(
                self.survey
                    .missing
                    .iter()
                    .map(|m| m.0.trim().as_bytes().to_vec()),
            )
            .collect();

        // Stage lookup by exact id first; other spellings (case, the stage's name) are
        // resolved once per distinct value and remembered.
        let mut by_id: HashMap<Vec<u8>, usize> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.value.as_bytes().to_vec(), i))
            .collect();
        let mut unknown: HashMap<Vec<u8>, (u64, u64)> = HashMap::new();
        let mut unknown_other = (0u64, 0u64);
        let survey_id = self.survey.id.value.clone();
        let mut not_utf8: Option<(u64, usize)> = input.not_utf8;

        let mut rec = input.pending.take().unwrap_or_default();
        let mut have = !rec.is_empty();
        loop {
            if !have {
                match self.next_record(input, &mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(()) => return false,
                }
            }
            have = false;
            let line = rec.position().map_or(0, |p| p.line());
            if rec.len() == 1 && input::cell(&rec, 0).is_empty() {
                continue; // a blank line
            }
            summary.rows += 1;
            if !filters.iter().all(|(c, vals)| {
                let cell = input::cell(&rec, *c);
                vals.iter().any(|v| v.as_slice() == cell)
            }) {
                summary.rows_filtered += 1;
                continue;
            }
            let row_stage = match stage_col {
                None => None,
                Some(sc) => {
                    let cell = input::cell(&rec, sc);
                    match by_id.get(cell) {
                        Some(i) => Some(*i),
                        None => match resolve_stage(stages, cell) {
                            Some(i) => {
                                if by_id.len() < 10_000 {
                                    by_id.insert(cell.to_vec(), i);
                                }
                                Some(i)
                            }
                            None => {
                                summary.rows_unknown_stage += 1;
                                if let Some(e) = unknown.get_mut(cell) {
                                    e.0 += 1;
                                } else if unknown.len() < MAX_UNKNOWN_VALUES {
                                    unknown.insert(cell.to_vec(), (1, line));
                                } else {
                                    unknown_other.0 += 1;
                                    if unknown_other.1 == 0 {
                                        unknown_other.1 = line;
                                    }
                                }
                                continue;
                            }
                        },
                    }
                }
            };
            for b in &mut bindings {
                let cell = input::cell(&rec, b.col);
                let target = if b.per_row { row_stage } else { b.stage };
                let agg = match target {
                    Some(i) => &mut self.data.stages[i],
                    None => &mut self.data.overall,
                };
                if b.measure == MeasureName::Comment {
                    if !cell.is_empty() && !is_missing(cell, &missing) {
                        let text = match std::str::from_utf8(cell) {
                            Ok(t) => std::borrow::Cow::Borrowed(t),
                            Err(_) => {
                                not_utf8.get_or_insert((line, b.col + 1));
                                input::cell_text(cell)
                            }
                        };
                        agg.offer_verbatim(&text, &survey_id, line);
                        summary.comments += 1;
                    }
                    continue;
                }
                let Some(s) = slot(b.measure) else { continue };
                match parse_value(cell, &missing, &b.values, b.scale) {
                    Value::Missing => summary.values_missing += 1,
                    Value::Number(x) => {
                        summary.values_used += 1;
                        match agg.scales[s] {
                            None => agg.scales[s] = Some(b.scale),
                            Some(sc) if sc != b.scale => {
                                // Pooled answers must share a scale; keep the first.
                                b.skipped += 1;
                                summary.values_skipped += 1;
                                summary.values_used -= 1;
                                continue;
                            }
                            Some(_) => {}
                        }
                        agg.accs[s].add(x, kind(b.measure), b.top_from);
                    }
                    Value::Invalid(why) => {
                        summary.values_skipped += 1;
                        b.skipped += 1;
                        if b.warned < DETAILED_WARNINGS {
                            b.warned += 1;
                            let shown = input::cell_text(cell);
                            let msg = format!(
                                "{} value `{}` in column `{}` skipped: {why}",
                                measure_name(b.measure),
                                shown,
                                b.column
                            );
                            self.csv_warning("JM102", line, b.col + 1, msg);
                        }
                    }
                }
            }
        }

        for b in &bindings {
            if b.skipped > b.warned as u64 {
                let first = self
                    .diags
                    .iter()
                    .rev()
                    .find(|d| d.code == "JM102" && d.file == self.file && d.pos.col == b.col + 1)
                    .map_or(Pos::default(), |d| d.pos);
                let msg = format!(
                    "{} more {} values in column `{}` were skipped ({} in all); the first are reported above",
                    b.skipped - b.warned as u64,
                    measure_name(b.measure),
                    b.column,
                    b.skipped
                );
                self.csv_warning("JM102", first.line as u64, b.col + 1, msg);
            }
        }
        let mut unknown: Vec<(Vec<u8>, (u64, u64))> = unknown.into_iter().collect();
        unknown.sort_by_key(|(_, (_, first_line))| *first_line);
        let col = stage_col.map_or(1, |c| c + 1);
        let ids: Vec<&str> = stages.iter().map(|s| s.id.value.as_str()).collect();
        for (value, (count, first)) in unknown {
            let shown = input::cell_text(&value).into_owned();
            let hint = crate::suggest::did_you_mean(&shown, ids.iter().copied());
            let msg = format!(
                "{count} {} stage `{shown}`, which the map lacks, and {} not counted{hint}",
                if count == 1 { "row names" } else { "rows name" },
                if count == 1 { "was" } else { "were" }
            );
            self.csv_warning("JM103", first, col, msg);
        }
        if unknown_other.0 > 0 {
            let msg = format!(
                "{} more rows name other stages the map lacks, and were not counted",
                unknown_other.0
            );
            self.csv_warning("JM103", unknown_other.1, col, msg);
        }
        if let Some((line, col)) = not_utf8.filter(|_| input.decoding == input::Decoding::Utf8) {
            let msg = "the file is not valid UTF-8 here; its text was read as Windows-1252 — add `encoding: windows-1252` to the survey if that is right".to_owned();
            self.csv_warning("JM104", line, col, msg);
        }
        true
    }

    fn read_aggregated(&mut self, input: &mut input::Input, summary: &mut Summary) -> bool {
        let names = input.names.clone();
        let mut cols = HashMap::new();
        for want in [
            "stage",
            "measure",
            "n",
            "promoters",
            "passives",
            "detractors",
            "top_box",
            "mean",
            "stddev",
        ] {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(want)) {
                cols.insert(want, i);
            } else if matches!(want, "stage" | "measure" | "n") {
                self.column(&names, want, "the aggregated layout");
                return false;
            }
        }
        let stages = &self.loaded.journey.stages.value;
        let score_scale = match self.survey.measures.as_ref().and_then(|m| m.score.as_ref()) {
            Some(Measure::Detailed(d)) => d.scale,
            _ => None,
        };
        let mut rec = csv::ByteRecord::new();
        loop {
            match self.next_record(input, &mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(()) => return false,
            }
            let line = rec.position().map_or(0, |p| p.line());
            summary.rows += 1;
            let text = |name: &str| -> &str {
                cols.get(name)
                    .map(|&i| input::cell(&rec, i))
                    .and_then(|c| std::str::from_utf8(c).ok())
                    .unwrap_or("")
            };
            let num = |name: &str| -> Option<f64> { text(name).parse::<f64>().ok() };
            let stage_text = text("stage");
            let target = if stage_text.is_empty() || stage_text.eq_ignore_ascii_case("overall") {
                None
            } else {
                match resolve_stage(stages, stage_text.as_bytes()) {
                    Some(i) => Some(i),
                    None => {
                        summary.rows_unknown_stage += 1;
                        let msg = format!(
                            "row names stage `{stage_text}`, which the map lacks; not counted"
                        );
                        self.csv_warning("JM103", line, cols["stage"] + 1, msg);
                        continue;
                    }
                }
            };
            let m = match text("measure").to_ascii_lowercase().as_str() {
                "nps" => MeasureName::Nps,
                "csat" => MeasureName::Csat,
                "ces" => MeasureName::Ces,
                "score" => MeasureName::Score,
                other => {
                    summary.values_skipped += 1;
                    let msg = format!(
                        "measure `{other}` is not one of nps, csat, ces, score; row skipped"
                    );
                    self.csv_warning("JM102", line, cols["measure"] + 1, msg);
                    continue;
                }
            };
            let n = text("n").parse::<u64>().ok();
            let acc = match (m, n) {
                (_, None) => None,
                (MeasureName::Nps, Some(n)) => {
                    let p = num("promoters").map(|v| v as u64);
                    let d = num("detractors").map(|v| v as u64);
                    match (p, d) {
                        (Some(p), Some(d)) if p + d <= n => {
                            let pas = num("passives").map_or(n - p - d, |v| v as u64);
                            (p + pas + d == n).then_some(Acc {
                                n,
                                promoters: p,
                                passives: pas,
                                detractors: d,
                                ..Acc::default()
                            })
                        }
                        _ => None,
                    }
                }
                (MeasureName::Csat, Some(n)) => match (num("top_box"), num("mean")) {
                    (Some(t), Some(mean)) if (t as u64) <= n => Some(Acc {
                        top_box: t as u64,
                        ..Acc::from_moments(n, mean, num("stddev").unwrap_or(0.0))
                    }),
                    _ => None,
                },
                (_, Some(n)) => {
                    num("mean").map(|mean| Acc::from_moments(n, mean, num("stddev").unwrap_or(0.0)))
                }
            };
            let Some(acc) = acc else {
                summary.values_skipped += 1;
                let msg = format!(
                    "{} row skipped: it needs n and {}, consistent with each other",
                    measure_name(m),
                    match m {
                        MeasureName::Nps => "promoters and detractors (passives optional)",
                        MeasureName::Csat => "top_box and mean",
                        _ => "mean (and stddev)",
                    }
                );
                self.csv_warning("JM102", line, 1, msg);
                continue;
            };
            summary.values_used += acc.n;
            let s = slot(m).unwrap_or(0);
            let scale = if m == MeasureName::Score {
                score_scale.unwrap_or(default_scale(m))
            } else {
                default_scale(m)
            };
            let agg = match target {
                Some(i) => &mut self.data.stages[i],
                None => &mut self.data.overall,
            };
            agg.scales[s].get_or_insert(scale);
            agg.accs[s].merge(&acc);
        }
        true
    }
}

/// A stage named by a survey cell: its id in any case, or its name.
fn resolve_stage(stages: &[crate::model::Stage], cell: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(cell).ok()?.trim();
    stages
        .iter()
        .position(|s| s.id.value.eq_ignore_ascii_case(text))
        .or_else(|| {
            stages
                .iter()
                .position(|s| s.name.trim().eq_ignore_ascii_case(text))
        })
}

fn is_missing(cell: &[u8], missing: &[Vec<u8>]) -> bool {
    missing.iter().any(|m| m.eq_ignore_ascii_case(cell))
}

/// A cell as a number on `scale`: missing codes first, then `values:` labels, then digits.
fn parse_value(
    cell: &[u8],
    missing: &[Vec<u8>],
    values: &[(Vec<u8>, f64)],
    scale: [f64; 2],
) -> Value {
    if is_missing(cell, missing) {
        return Value::Missing;
    }
    let x = if let Some((_, v)) = values
        .iter()
        .find(|(k, _)| k == cell)
        .or_else(|| values.iter().find(|(k, _)| k.eq_ignore_ascii_case(cell)))
    {
        *v
    } else {
        match parse_number(cell) {
            Some(x) => x,
            None if values.is_empty() => return Value::Invalid("not a number".into()),
            None => {
                return Value::Invalid("not a number nor one of the labels under `values:`".into());
            }
        }
    };
    if !(scale[0]..=scale[1]).contains(&x) {
        return Value::Invalid(format!("outside the scale {}..{}", scale[0], scale[1]));
    }
    Value::Number(x)
}

/// Parse a number from bytes without allocating: small integers directly, anything else
/// through the standard float parser; a decimal comma is accepted when there is no point.
#[inline]
pub fn parse_number(cell: &[u8]) -> Option<f64> {
    let (neg, digits) = match cell.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, cell),
    };
    if !digits.is_empty() && digits.len() <= 9 && digits.iter().all(u8::is_ascii_digit) {
        let mut v: u32 = 0;
        for d in digits {
            v = v * 10 + u32::from(d - b'0');
        }
        let v = f64::from(v);
        return Some(if neg { -v } else { v });
    }
    let text = std::str::from_utf8(cell).ok()?;
    let parsed = match text.parse::<f64>() {
        Ok(v) => v,
        Err(_) if text.contains(',') && !text.contains('.') => {
            text.replace(',', ".").parse::<f64>().ok()?
        }
        Err(_) => return None,
    };
    parsed.is_finite().then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_from_bytes() {
        assert_eq!(parse_number(b"7"), Some(7.0));
        assert_eq!(parse_number(b"-2"), Some(-2.0));
        assert_eq!(parse_number(b"4.5"), Some(4.5));
        assert_eq!(parse_number(b"4,5"), Some(4.5));
        assert_eq!(parse_number(b"1e1"), Some(10.0));
        assert_eq!(parse_number(b"NaN"), None);
        assert_eq!(parse_number(b"inf"), None);
        assert_eq!(parse_number(b"seven"), None);
        assert_eq!(parse_number(b""), None);
    }

    #[test]
    fn values_missing_labels_and_scale() {
        let missing: Vec<Vec<u8>> =
            vec![b"".to_vec(), b"N/A".to_vec(), b"Unfamiliar (N/A)".to_vec()];
        let labels = vec![
            (b"Very satisfied".to_vec(), 5.0),
            (b"Satisfied".to_vec(), 4.0),
        ];
        let scale = [1.0, 5.0];
        assert!(matches!(
            parse_value(b"", &missing, &labels, scale),
            Value::Missing
        ));
        assert!(matches!(
            parse_value(b"n/a", &missing, &labels, scale),
            Value::Missing
        ));
        assert!(matches!(
            parse_value(b"Unfamiliar (N/A)", &missing, &labels, scale),
            Value::Missing
        ));
        assert!(
            matches!(parse_value(b"very satisfied", &missing, &labels, scale), Value::Number(x) if x == 5.0)
        );
        assert!(
            matches!(parse_value(b"3", &missing, &labels, scale), Value::Number(x) if x == 3.0)
        );
        assert!(matches!(
            parse_value(b"6", &missing, &labels, scale),
            Value::Invalid(_)
        ));
        assert!(matches!(
            parse_value(b"meh", &missing, &labels, scale),
            Value::Invalid(_)
        ));
    }

    #[test]
    fn verbatims_are_a_sample_that_does_not_depend_on_row_order() {
        let texts: Vec<String> = (0..40).map(|i| format!("comment number {i}")).collect();
        let mut a = Aggregate::default();
        let mut b = Aggregate::default();
        for (i, t) in texts.iter().enumerate() {
            a.offer_verbatim(t, "s", i as u64);
        }
        for (i, t) in texts.iter().enumerate().rev() {
            b.offer_verbatim(t, "s", i as u64);
        }
        let pick = |x: &Aggregate| {
            let mut v: Vec<String> = x.verbatims.iter().map(|v| v.text.clone()).collect();
            v.sort();
            v
        };
        assert_eq!(a.verbatims.len(), VERBATIMS);
        assert_eq!(pick(&a), pick(&b));
        assert_eq!(a.comments, 40);
        // Repeated words are shown once, and still counted.
        let mut c = Aggregate::default();
        for i in 0..10 {
            c.offer_verbatim("same words", "s", i);
        }
        assert_eq!(c.verbatims.len(), 1);
        assert_eq!(c.comments, 10);
    }
}
