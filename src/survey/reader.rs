//! The reader of one survey file: where its problems are reported (the map's line, the
//! file's CSV line and column, a workbook's row), how the file is opened and checked against
//! the survey's earlier waves, and the record loop's limits. Reading the rows is
//! `answers.rs`; the binding's plan, `plan.rs`; waves and segments, `split.rs`.
//!
//! Invariants: a reader writes only to the survey data and diagnostics it was handed; every
//! problem names the file, line and column it was found at.

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Layout, Pos, Survey};

use super::{Reading, Summary, SurveyData, find_column, input, open, workbook};

pub(super) struct Reader<'a> {
    pub(super) loaded: &'a Loaded,
    pub(super) survey: &'a Survey,
    pub(super) reading: Reading,
    /// The file as shown in diagnostics (`file.xlsx[Sheet]` for a workbook), and as the
    /// map names it.
    pub(super) file: String,
    /// A workbook's sheet rows, for the CSV lines it was handed over as.
    pub(super) rows: Option<std::sync::Arc<workbook::RowMap>>,
    pub(super) spec: &'a crate::model::Spanned<String>,
    /// The file on disk, for a second look at the wave column (none when fuzzing).
    pub(super) path: Option<&'a Path>,
    /// The wave of every row of this file (`waves:`).
    pub(super) fixed_wave: Option<&'a crate::model::Spanned<String>>,
    /// The columns of the survey's first wave file, which every later one must have.
    pub(super) first_names: &'a mut Option<Vec<String>>,
    pub(super) diags: &'a mut Vec<Diagnostic>,
    pub(super) data: &'a mut SurveyData,
    /// Lines of the file before the stream being read: 0, unless a part of the file is
    /// read from one of its record boundaries (`chunks.rs`).
    pub(super) line_base: u64,
}

/// What reading the next record gave.
pub(super) enum Next {
    Record,
    End,
    /// The file cannot be read further (reported): this survey ends here.
    Stop,
}

/// How reading a survey ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Finished {
    /// Every row was read (problems in it were reported).
    Read,
    /// The survey could not be read to the end, or its binding cannot work (reported).
    Stopped,
}

/// The last record read, for problems found at the end of the file.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Last {
    pub(super) line: u64,
    pub(super) fields: usize,
}

impl Reader<'_> {
    /// A problem with the binding, at the map line that declares it.
    pub(super) fn at_map(&mut self, code: Code, pos: Pos, msg: String) {
        self.diags.push(self.loaded.at(code, pos, msg));
    }

    /// A problem at a CSV line and (1-based) column of the survey file; its code says
    /// whether it is an error or a warning.
    pub(super) fn at_csv(&mut self, code: Code, line: u64, col: usize, msg: String) {
        let line = self.row_of(line);
        self.at_row(code, line, col, msg);
    }

    /// The row a spreadsheet shows for a CSV line (the line itself for a CSV file).
    pub(super) fn row_of(&self, line: u64) -> u64 {
        self.rows.as_ref().map_or(line, |r| r.row_of(line))
    }

    /// A problem at a row and column already in the file's own numbering.
    pub(super) fn at_row(&mut self, code: Code, line: u64, col: usize, msg: String) {
        let pos = Pos {
            line: usize::try_from(line).unwrap_or(usize::MAX),
            col,
        };
        self.diags.push(Diagnostic::new(code, &self.file, pos, msg));
    }

    pub(super) fn read(&mut self, path: &Path) -> Option<Summary> {
        match crate::load::confine::resolve(path, &self.loaded.confine) {
            Ok(_) => {}
            Err(crate::load::confine::Refusal::Refused(why)) => {
                let msg = format!("survey `{}`: file {why}", self.survey.id.value);
                self.at_map(Code::OutsideRoot, self.spec.pos, msg);
                return None;
            }
            Err(crate::load::confine::Refusal::Unreadable(why)) => {
                let msg = format!(
                    "survey `{}` ({}): cannot read: {why}",
                    self.survey.id.value, self.file
                );
                self.at_map(Code::Unreadable, self.spec.pos, msg);
                return None;
            }
        }
        let mut sheet_name = None;
        let mut input = match open(path, self.survey, self.reading) {
            Ok((i, sheet)) => {
                if let Some((name, rows)) = sheet {
                    self.file = format!("{}[{name}]", self.file);
                    self.rows = Some(rows);
                    sheet_name = Some(name);
                }
                i
            }
            Err(e) if e.line == 0 => {
                let msg = format!(
                    "survey `{}` ({}): {}",
                    self.survey.id.value, self.file, e.message
                );
                self.at_map(e.code, self.spec.pos, msg);
                return None;
            }
            Err(e) => {
                self.at_csv(e.code, e.line, 1, e.message);
                return None;
            }
        };
        if let Some(pb) = &input.progress {
            pb.set_message(format!("reading {}", self.file));
        }
        let mut summary = Summary {
            id: self.survey.id.value.clone(),
            file: self.spec.value.clone(),
            wave: self.fixed_wave.map(|w| w.value.clone()),
            source: self.survey.source,
            layout: self.survey.layout,
            encoding: input.decoding.name().to_owned(),
            delimiter: match input.delimiter {
                b'\t' => "\\t".to_owned(),
                d => (d as char).to_string(),
            },
            header_rows: input.header_rows,
            sheet: sheet_name,
            ..Summary::default()
        };
        if !self.same_columns(&input.names) {
            return None;
        }
        let finished = self.read_layout(&mut input, &mut summary);
        if let Some(pb) = &input.progress {
            pb.finish_and_clear();
        }
        (finished == Finished::Read).then_some(summary)
    }

    /// A survey kept one file per wave: every file has the first one's columns, so one
    /// binding means the same in each.
    pub(super) fn same_columns(&mut self, names: &[String]) -> bool {
        let Some(first) = self.first_names.as_ref() else {
            *self.first_names = Some(names.to_vec());
            return true;
        };
        // By name: the same questions in another order bind the same way.
        if first.len() == names.len() && first.iter().all(|n| names.contains(n)) {
            return true;
        }
        let lacks: Vec<String> = first
            .iter()
            .filter(|n| !names.contains(n))
            .take(5)
            .map(|n| format!("`{n}`"))
            .collect();
        let adds: Vec<String> = names
            .iter()
            .filter(|n| !first.contains(n))
            .take(5)
            .map(|n| format!("`{n}`"))
            .collect();
        let mut diff = Vec::new();
        if !lacks.is_empty() {
            diff.push(format!("lacks {}", lacks.join(", ")));
        }
        if !adds.is_empty() {
            diff.push(format!("adds {}", adds.join(", ")));
        }
        if diff.is_empty() {
            diff.push("has them in another order".to_owned());
        }
        let first_file = self
            .survey
            .files()
            .first()
            .map_or("", |f| f.1.value.as_str())
            .to_owned();
        let msg = format!(
            "survey `{}`: wave file {} does not have the columns of the first wave file ({first_file}): it {}; export every wave with the same questions",
            self.survey.id.value,
            self.file,
            diff.join(" and ")
        );
        self.at_map(Code::WaveBinding, self.spec.pos, msg);
        false
    }

    pub(super) fn read_layout(
        &mut self,
        input: &mut input::Input,
        summary: &mut Summary,
    ) -> Finished {
        match self.survey.layout {
            Layout::Long | Layout::Wide => self.read_answers(input, summary),
            Layout::Aggregated => self.read_aggregated(input, summary),
        }
    }

    /// Read the next record into `rec`: `Ok(false)` at the end of the file. A read error, a
    /// record over the column or size limits, or a quote still open at the end of the file
    /// is reported and ends this survey (`Err`).
    pub(super) fn next_record(
        &mut self,
        input: &mut input::Input,
        rec: &mut input::Record,
        last: &mut Last,
    ) -> Next {
        match input.reader.read(rec) {
            Ok(true) if self.within_limits(&input::Cells::Copied(rec), last) => Next::Record,
            Ok(true) => Next::Stop,
            Ok(false) => self.no_record(input, Ok(()), last),
            Err(e) => self.no_record(input, Err(e), last),
        }
    }

    /// Why no record came: the end of the file, or a read error or a quote still open at
    /// the end (reported: `Stop`).
    pub(super) fn no_record(
        &mut self,
        input: &input::Input,
        read: csv::Result<()>,
        last: &Last,
    ) -> Next {
        let records = &input.reader;
        match read {
            Ok(()) => {
                if records.open_quote() && last.line > 0 {
                    let end = records.position().line() + self.line_base;
                    let msg = format!(
                        "unclosed quote: the cell that opens here runs to the end of the file (line {end}), so the rest of the file was read as one cell; close the quote"
                    );
                    let line = (records.quote_line() + self.line_base).max(last.line);
                    self.at_csv(Code::MalformedCsv, line, last.fields.max(1), msg);
                    return Next::Stop;
                }
                Next::End
            }
            Err(_) if records.quote_overflow() => {
                let line = records.quote_line() + self.line_base;
                let msg = format!(
                    "unclosed quote: the cell that opens here runs on for more than {} MiB (past the end of any real comment), so the rows after it were being read as one cell; close the quote",
                    input::MAX_QUOTED_BYTES / (1024 * 1024)
                );
                self.at_csv(Code::MalformedCsv, line, 1, msg);
                Next::Stop
            }
            Err(e) => {
                let line = records.error_line(&e) + self.line_base;
                let why = input::csv_reason(&e);
                self.at_csv(
                    Code::MalformedCsv,
                    line,
                    1,
                    format!("cannot read the CSV: {why}"),
                );
                Next::Stop
            }
        }
    }

    /// Whether a record is within the column and size limits (reported when not); notes it
    /// as the last one read.
    #[inline]
    pub(super) fn within_limits(&mut self, rec: &input::Cells, last: &mut Last) -> bool {
        let line = rec.line() + self.line_base;
        *last = Last {
            line,
            fields: rec.len(),
        };
        if rec.len() > input::MAX_COLUMNS || rec.size() > input::MAX_RECORD_BYTES {
            self.over_limits(rec, line);
            return false;
        }
        true
    }

    #[cold]
    pub(super) fn over_limits(&mut self, rec: &input::Cells, line: u64) {
        let msg = if rec.len() > input::MAX_COLUMNS {
            format!(
                "a record of {} columns is over the limit of {}",
                rec.len(),
                input::MAX_COLUMNS
            )
        } else {
            format!(
                "a record of {} bytes is over the limit of {} bytes",
                rec.size(),
                input::MAX_RECORD_BYTES
            )
        };
        self.at_csv(Code::MalformedCsv, line, 1, msg);
    }

    /// Resolve a column name (or `#N`) to its index, or report the nearest names at `pos`,
    /// the map line that names the column.
    pub(super) fn column(
        &mut self,
        names: &[String],
        wanted: &str,
        pos: Pos,
        what: &str,
    ) -> Option<usize> {
        match find_column(names, wanted) {
            Ok(i) => Some(i),
            Err(near) => {
                let id = &self.survey.id.value;
                let msg = match near {
                    None => format!(
                        "survey `{id}` maps {what} to column {wanted}, but {} has {} columns",
                        self.file,
                        names.len()
                    ),
                    Some(list) => format!(
                        "survey `{id}` maps {what} to column `{wanted}`, which {} lacks; nearest: {list}",
                        self.file
                    ),
                };
                self.at_map(Code::ColumnMissing, pos, msg);
                None
            }
        }
    }
}
