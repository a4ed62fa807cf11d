//! Survey input: open a CSV export as a stream of UTF-8 records, whatever the vendor wrote.
//!
//! Invariants: the file is read once, as a stream; bytes are transcoded only when the file is
//! not UTF-8 (a UTF-16 BOM, or a declared single-byte encoding); the delimiter is sniffed
//! from the first line unless declared; the vendor's header rows are consumed here and turned
//! into one name per column, so the reader downstream sees only answers.

use crate::diagnostic::Code;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use encoding_rs::Encoding;

use crate::model::{Source, Survey};

pub use super::cells::{cell, cell_text};
use super::guard::csv_reader;
pub use super::guard::{
    LineGuard, MAX_COLUMNS, MAX_LINE_BYTES, MAX_QUOTED_BYTES, MAX_RECORD_BYTES, OverLimit,
};
pub use super::records::{Cells, Fields, Record};
use super::records::{Records, Reopen};

/// How the bytes of a file are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoding {
    /// UTF-8 (with or without a BOM). Cells that are not valid UTF-8 are read as
    /// Windows-1252 and reported once.
    Utf8,
    /// Transcoded to UTF-8 while streaming.
    Transcoded(&'static Encoding),
}

impl Decoding {
    pub fn name(self) -> &'static str {
        match self {
            Decoding::Utf8 => "UTF-8",
            Decoding::Transcoded(e) => e.name(),
        }
    }
}

/// A survey file opened for streaming, with its header rows read.
pub struct Input {
    pub reader: Records,
    pub decoding: Decoding,
    pub delimiter: u8,
    /// One name per column, from the first header row (SurveyMonkey: question / sub-option).
    pub names: Vec<String>,
    /// How many header rows the vendor wrote.
    pub header_rows: usize,
    /// The first header cell that was not valid UTF-8 (line, column), if any.
    pub not_utf8: Option<(u64, usize)>,
    /// A record read while looking for header rows that turned out to be an answer.
    pub pending: Option<Record>,
    /// Progress bar driven by bytes read, when stderr is a terminal.
    pub progress: Option<indicatif::ProgressBar>,
}

/// Problems opening a survey: a code, the message, and the CSV line it concerns (0: the
/// problem is with the file as a whole or with the binding in the map).
#[derive(Debug)]
pub struct OpenError {
    pub code: Code,
    pub message: String,
    pub line: u64,
}

/// The file cannot be read at all (JM000).
fn err(message: impl Into<String>) -> OpenError {
    OpenError {
        code: Code::Unreadable,
        message: message.into(),
        line: 0,
    }
}

/// The binding in the map cannot work (JM105).
fn binding(message: impl Into<String>) -> OpenError {
    OpenError {
        code: Code::BindingCannotWork,
        message: message.into(),
        line: 0,
    }
}

/// The export's content is not what its source promises (JM106), at a CSV line.
fn malformed(line: u64, message: impl Into<String>) -> OpenError {
    OpenError {
        code: Code::MalformedCsv,
        message: message.into(),
        line,
    }
}

/// Files larger than this get a progress bar on an interactive stderr.
const PROGRESS_FROM_BYTES: u64 = 32 * 1024 * 1024;

/// Open a survey file; `progress`: show a bar while a large one is read.
pub fn open(path: &Path, survey: &Survey, progress: bool) -> Result<Input, OpenError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| err(format!("cannot read: {}", crate::load::io_reason(&e))))?;
    if !meta.is_file() {
        return Err(err("cannot read: it is not a regular file"));
    }
    let file = File::open(path)
        .map_err(|e| err(format!("cannot read: {}", crate::load::io_reason(&e))))?;
    let progress = progress.then(|| progress_bar(meta.len())).flatten();
    let raw: Box<dyn Read> = match &progress {
        Some(pb) => Box::new(pb.wrap_read(file)),
        None => Box::new(file),
    };
    let reopen = reopen_file(path, 0, progress.clone());
    let mut input = from_reader_as(raw, survey, None, Some(reopen))?;
    input.progress = progress;
    Ok(input)
}

/// The file at `path` opened again from `offset + at`, for a reader to read on at `at`.
fn reopen_file(path: &Path, offset: u64, progress: Option<indicatif::ProgressBar>) -> Reopen {
    let path = path.to_path_buf();
    Box::new(move |at| {
        use std::io::Seek;
        let mut file = File::open(&path)?;
        file.seek(std::io::SeekFrom::Start(offset + at))?;
        Ok(match &progress {
            Some(pb) => Box::new(pb.wrap_read(file)),
            None => Box::new(file),
        })
    })
}

/// A survey export held in memory (fuzzing, tests).
pub fn from_bytes(bytes: std::sync::Arc<[u8]>, survey: &Survey) -> Result<Input, OpenError> {
    let raw = Box::new(std::io::Cursor::new(bytes.clone()));
    let reopen: Reopen = Box::new(move |at| {
        let mut c = std::io::Cursor::new(bytes.clone());
        c.set_position(at);
        Ok(Box::new(c))
    });
    from_reader_as(raw, survey, None, Some(reopen))
}

/// The encoding of a file from its head: a byte-order mark's, else the one `encoding:`
/// declares, else UTF-8; and whether there was a mark. Line ends of CR alone are refused.
fn encoding_of(
    head: &[u8],
    survey: &Survey,
) -> Result<(&'static Encoding, Option<&'static Encoding>), OpenError> {
    let declared = match survey.encoding.as_deref() {
        None => None,
        Some(label) => Some(Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
            binding(format!(
                "unknown encoding `{label}`; use utf-8, utf-16, windows-1252 or another WHATWG label"
            ))
        })?),
    };
    // Classic Mac files end lines with CR alone: csv would read the whole file as one row.
    if memchr::memchr(b'\n', head).is_none() && memchr::memchr_iter(b'\r', head).count() > 1 {
        return Err(malformed(
            1,
            "the lines of this file end with a carriage return alone (classic Mac OS); save it with LF or CRLF line ends",
        ));
    }
    let bom = Encoding::for_bom(head).map(|(e, _)| e);
    Ok((bom.or(declared).unwrap_or(encoding_rs::UTF_8), bom))
}

/// A survey export from a reader, with the delimiter fixed when it is given (a workbook's
/// rows handed over as CSV). `reopen` opens the same bytes again at an offset; without it
/// the rows are read by csv alone (`records.rs`).
pub fn from_reader_as(
    raw: Box<dyn Read>,
    survey: &Survey,
    delimiter: Option<u8>,
    reopen: Option<Reopen>,
) -> Result<Input, OpenError> {
    let mut buffered = BufReader::with_capacity(64 * 1024, raw);
    let head = buffered
        .fill_buf()
        .map_err(|e| err(format!("cannot read: {}", crate::load::io_reason(&e))))?;

    let (encoding, bom) = encoding_of(head, survey)?;
    // Sniff the delimiter from the raw head of the file: delimiters are ASCII, so only UTF-16
    // needs decoding first.
    let delimiter = match survey.delimiter.as_deref() {
        _ if delimiter.is_some() => delimiter.unwrap_or(b','),
        Some(d) => parse_delimiter(d)?,
        None if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE => {
            let (text, _) = encoding.decode_with_bom_removal(head);
            sniff_delimiter(text.as_bytes())
        }
        None => sniff_delimiter(head),
    };
    let skipped: usize = if encoding == encoding_rs::UTF_8 && bom.is_some() {
        3
    } else {
        0
    };
    let (decoding, stream): (Decoding, Box<dyn Read>) = if encoding == encoding_rs::UTF_8 {
        buffered.consume(skipped);
        (Decoding::Utf8, Box::new(buffered))
    } else {
        // UTF-16 or a legacy single-byte encoding: transcode while streaming.
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(true)
            .build(buffered);
        (Decoding::Transcoded(encoding), Box::new(decoder))
    };
    let mut reader = csv_reader(stream, delimiter);
    let mut pending = None;
    let mut not_utf8 = None;
    let rows = survey.header_rows.as_ref().map(|h| h.value);
    let (names, header_rows) = read_headers(
        &mut reader,
        survey.source,
        rows,
        &mut pending,
        &mut not_utf8,
    )?;
    if names.len() > MAX_COLUMNS {
        return Err(malformed(
            1,
            format!(
                "the header has {} columns, over the limit of {MAX_COLUMNS}",
                names.len()
            ),
        ));
    }
    // Plain UTF-8 rows are split by simd-csv from here, on a stream of their own.
    let fast = match reopen.filter(|_| decoding == Decoding::Utf8) {
        Some(reopen) => {
            let from_bom: Reopen = Box::new(move |at| reopen(at + skipped as u64));
            Records::start(from_bom, delimiter, reader.position().clone())
                .map_err(|e| err(format!("cannot read: {}", crate::load::io_reason(&e))))?
        }
        None => None,
    };
    let reader = fast.unwrap_or_else(|| Records::csv(reader, delimiter));
    Ok(Input {
        reader,
        decoding,
        delimiter,
        names,
        header_rows,
        not_utf8,
        pending: pending.as_ref().map(Record::from_csv),
        progress: None,
    })
}

/// A UTF-8 export read on from `offset`, a record boundary past its header rows: the rows
/// from there, as `open` would have handed them over (`chunks.rs`). Its lines count from 1.
/// Bytes read move `progress`, the bar of the whole file, when there is one.
pub fn resume(
    path: &Path,
    offset: u64,
    delimiter: u8,
    names: &[String],
    progress: Option<&indicatif::ProgressBar>,
) -> std::io::Result<Input> {
    let reopen = reopen_file(path, offset, progress.cloned());
    let reader = match Records::start(reopen, delimiter, csv::Position::new())? {
        Some(fast) => fast,
        None => Records::csv_from(
            &reopen_file(path, offset, progress.cloned()),
            delimiter,
            &csv::Position::new(),
        )?,
    };
    Ok(Input {
        reader,
        decoding: Decoding::Utf8,
        delimiter,
        names: names.to_vec(),
        header_rows: 0,
        not_utf8: None,
        pending: None,
        progress: None,
    })
}

/// The records of `bytes` (a slice of an export from a line start) as csv reads them: the
/// number of fields of each whole record, for judging whether a slice starts at a record.
pub fn field_counts(bytes: &[u8], delimiter: u8, most: usize) -> Vec<usize> {
    let mut reader = csv_reader(bytes, delimiter);
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    while out.len() <= most && matches!(reader.read_byte_record(&mut rec), Ok(true)) {
        out.push(rec.len());
    }
    // The last record may be cut off by the end of the slice.
    out.pop();
    out
}

fn progress_bar(len: u64) -> Option<indicatif::ProgressBar> {
    if len < PROGRESS_FROM_BYTES {
        return None;
    }
    let pb = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
    ) {
        pb.set_style(style);
    }
    Some(pb)
}

fn parse_delimiter(d: &str) -> Result<u8, OpenError> {
    match d {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\t" | "\\t" | "tab" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        other => Err(binding(format!(
            "delimiter `{other}` is not supported; use \",\", \";\", \"\\t\" or \"|\""
        ))),
    }
}

/// The delimiter that occurs most often, outside quotes, in the first line; comma on a tie.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// A csv error in words, without the library's "I/O error:" prefixes.
pub fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => e.to_string(),
    }
}

fn memmem(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn read_row(
    reader: &mut csv::Reader<LineGuard<Box<dyn Read>>>,
    not_utf8: &mut Option<(u64, usize)>,
) -> Result<Option<Vec<String>>, OpenError> {
    let mut rec = csv::ByteRecord::new();
    match reader.read_byte_record(&mut rec) {
        Ok(true) => {
            if let Some(col) = rec.iter().position(|c| std::str::from_utf8(c).is_err()) {
                let line = rec.position().map_or(0, csv::Position::line);
                not_utf8.get_or_insert((line, col + 1));
            }
            // Records end at `\n` (`csv_reader`): the `\r` of a CRLF line end is not part of
            // the last column's name.
            Ok(Some(
                rec.iter()
                    .map(|c| cell_text(c.strip_suffix(b"\r").unwrap_or(c)).into_owned())
                    .collect(),
            ))
        }
        Ok(false) => Ok(None),
        Err(e) => Err(malformed(
            e.position().map_or(reader.position().line(), |p| p.line()),
            format!("cannot read the header: {}", csv_reason(&e)),
        )),
    }
}

/// Read the vendor's header rows and name every column by its first header row (for
/// SurveyMonkey, question text then ` / ` and the sub-option when a question spans columns).
fn read_headers(
    reader: &mut csv::Reader<LineGuard<Box<dyn Read>>>,
    source: Source,
    rows: Option<u64>,
    pending: &mut Option<csv::ByteRecord>,
    not_utf8: &mut Option<(u64, usize)>,
) -> Result<(Vec<String>, usize), OpenError> {
    let Some(first) = read_row(reader, not_utf8)? else {
        return Err(malformed(1, "the file is empty; it needs a header row"));
    };
    match source {
        Source::Plain | Source::GoogleForms | Source::MsForms => {
            // `header_rows:` (checked against the map before any file is read): the first
            // names the columns, the others are passed over.
            let rows = rows.unwrap_or(1).max(1);
            for line in 2..=rows {
                if read_row(reader, not_utf8)?.is_none() {
                    return Err(malformed(
                        1,
                        format!(
                            "the file has {} {} but `header_rows: {rows}` says the header alone has {rows}; lower `header_rows:`",
                            line - 1,
                            if line == 2 { "row" } else { "rows" }
                        ),
                    ));
                }
            }
            Ok((first, rows as usize))
        }
        Source::Qualtrics => {
            // Row 2 is the question text. Exports since 2017 add a row of ImportIds
            // (`{"ImportId":"QID1"}`); older ones start their answers at row 3.
            if read_row(reader, not_utf8)?.is_none() {
                return Err(malformed(
                    2,
                    "a Qualtrics export has at least two header rows (column ids, then question text)",
                ));
            }
            let mut third = csv::ByteRecord::new();
            let more = reader.read_byte_record(&mut third).map_err(|e| {
                malformed(
                    e.position().map_or(3, |p| p.line()),
                    format!("cannot read the header: {e}"),
                )
            })?;
            if more && !third.iter().any(|c| memmem(c, b"ImportId")) {
                // A 2016-17 export: this row is the first answer, not a header.
                *pending = Some(third);
                Ok((first, 2))
            } else if more {
                Ok((first, 3))
            } else {
                Ok((first, 2))
            }
        }
        Source::Surveymonkey => {
            let Some(second) = read_row(reader, not_utf8)? else {
                return Err(malformed(
                    2,
                    "a SurveyMonkey export has two header rows (questions, then sub-options)",
                ));
            };
            Ok((surveymonkey_names(&first, &second), 2))
        }
    }
}

/// SurveyMonkey writes a question's text over its first column only, and the sub-option
/// (or "Response") in row 2: a column is named `question / sub-option` when its question
/// spans several columns, and by the question alone otherwise.
pub fn surveymonkey_names(first: &[String], second: &[String]) -> Vec<String> {
    let width = first.len().max(second.len());
    let mut question_of = Vec::with_capacity(width);
    let mut current = String::new();
    for i in 0..width {
        let q = first.get(i).map_or("", String::as_str);
        if !q.is_empty() || i == 0 {
            current = q.to_owned();
        }
        question_of.push(current.clone());
    }
    let spans = |i: usize| {
        let q = &question_of[i];
        question_of.iter().filter(|other| *other == q).count() > 1
    };
    (0..width)
        .map(|i| {
            let sub = second.get(i).map_or("", String::as_str);
            let q = &question_of[i];
            if q.is_empty() {
                sub.to_owned()
            } else if spans(i) && !sub.is_empty() {
                format!("{q} / {sub}")
            } else {
                q.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_sniffing_ignores_quoted_text() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1;2;3;4;5;6"), b',');
        assert_eq!(sniff_delimiter(b"a;b;\"x,y,z\"\n"), b';');
        assert_eq!(sniff_delimiter(b"a\tb\tc,d\r\n"), b'\t');
        assert_eq!(sniff_delimiter(b"single"), b',');
    }

    #[test]
    fn surveymonkey_columns_take_question_and_sub_option() {
        let first: Vec<String> = ["RespondentID", "Seen?", "Which films?", "", "", "Gender"]
            .map(String::from)
            .to_vec();
        let second: Vec<String> = ["", "Response", "Ep I", "Ep II", "Ep III", "Response"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            surveymonkey_names(&first, &second),
            [
                "RespondentID",
                "Seen?",
                "Which films? / Ep I",
                "Which films? / Ep II",
                "Which films? / Ep III",
                "Gender"
            ]
        );
    }

    #[test]
    fn invalid_utf8_header_cells_read_as_windows_1252() {
        assert_eq!(cell_text(b"fan?\x8c\xe6"), "fan?Œæ");
        assert_eq!(cell_text("Café".as_bytes()), "Café");
    }
}
