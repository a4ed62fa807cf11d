//! Spreadsheet exports (`.xlsx`, `.xlsm`, `.xls`, `.ods`), read with calamine and handed to
//! the CSV reader as CSV text, so that every rule of the survey binding (vendor header rows,
//! filters, labels, waves) applies to a workbook exactly as to its CSV twin.
//!
//! Invariants: calamine opens a workbook only after `budget` has checked what calamine would
//! allocate for it (cells, inflated parts, the longest cell), and a panic inside calamine is
//! a damaged workbook, never a crash or a sheet cut short; an `.xlsx` sheet is streamed row by
//! row (a producer thread and a bounded channel; `.xls` and `.ods` are read whole); a cell
//! becomes the text its CSV export would hold: whole numbers without a decimal point, dates
//! as `YYYY-MM-DD HH:MM:SS`, TRUE/FALSE; CSV lines are mapped back to sheet rows so that
//! every diagnostic names the row and column a spreadsheet shows. A file that is not a
//! workbook (a CSV renamed), a password-protected or corrupt one, and a sheet the workbook
//! lacks are refused with what to do.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use calamine::{Data, DataRef, Ods, Reader as _, Xls, Xlsx};

use crate::diagnostic::Code;
use crate::model::Survey;

use super::input::{self, Input, OpenError};

mod budget;

pub use budget::{MAX_WHOLE_CELLS, MAX_WORKBOOK_BYTES};

/// Rows in flight between the thread that reads the sheet and the CSV reader.
const ROWS_IN_FLIGHT: usize = 256;

/// Whether a file is read as a workbook: by its name, as spreadsheet tools name them.
pub fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["xlsx", "xlsm", "xls", "ods"]
            .iter()
            .any(|w| e.eq_ignore_ascii_case(w))
    })
}

/// Where each CSV line handed to the reader lies in the sheet: `(csv line, sheet row)` at
/// every point where the two stop moving together (a skipped empty row, a cell with a line
/// break). Excel's row limit bounds it.
#[derive(Debug, Default)]
pub struct RowMap {
    breaks: Mutex<Vec<(u64, u64)>>,
}

impl RowMap {
    /// The sheet row of a CSV line.
    pub fn row_of(&self, line: u64) -> u64 {
        let Ok(breaks) = self.breaks.lock() else {
            return line;
        };
        let i = breaks.partition_point(|(l, _)| *l <= line);
        match i.checked_sub(1).map(|i| breaks[i]) {
            Some((l, row)) => row + (line - l),
            None => line,
        }
    }

    fn note(&self, line: u64, row: u64) {
        if let Ok(mut b) = self.breaks.lock() {
            b.push((line, row));
        }
    }
}

/// One sheet row: its 1-based number and its cells as text, from column A.
type Row = (u64, Vec<String>);

/// An opened sheet, as CSV for the survey reader.
pub struct Opened {
    pub input: Input,
    pub sheet: String,
    pub rows: Arc<RowMap>,
}

fn refuse(msg: impl Into<String>) -> OpenError {
    OpenError {
        code: Code::Workbook,
        message: msg.into(),
        line: 0,
    }
}

/// The kinds of workbook, told by the file's first bytes (its name can lie).
enum Kind {
    Xlsx,
    Ods,
    Xls,
}

fn kind(path: &Path) -> Result<Kind, OpenError> {
    let mut head = [0u8; 8];
    let read = File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| refuse(format!("cannot read: {}", crate::load::io_reason(&e))))?;
    let head = &head[..read];
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if head.starts_with(b"PK\x03\x04") {
        return Ok(if ext == "ods" { Kind::Ods } else { Kind::Xlsx });
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An OLE file: a real .xls, or an encrypted .xlsx (Excel wraps a password-protected
        // workbook in one), which calamine's Xlsx reader recognises.
        return Ok(if ext == "xls" { Kind::Xls } else { Kind::Xlsx });
    }
    if read == 0 {
        return Err(refuse("the file is empty, not a workbook"));
    }
    let text = head
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || *b >= 0x80);
    Err(refuse(if text {
        format!(
            "the file is named .{ext} but holds text, not a workbook (a CSV export renamed?); give it the .csv name it should have"
        )
    } else {
        format!("the file is named .{ext} but is not a workbook Excel or LibreOffice writes")
    }))
}

/// Why calamine could not open a workbook, said for people.
fn why(e: &dyn std::fmt::Display, password: bool) -> OpenError {
    if password {
        return refuse(
            "the workbook is password-protected; remove the password (Excel: File › Info › Protect Workbook › Encrypt with Password, then clear it) and save it again, or export it as CSV",
        );
    }
    refuse(format!(
        "cannot read the workbook ({e}); it may be damaged: open it in a spreadsheet and save it again, or export it as CSV"
    ))
}

/// Open a workbook's sheet (`sheet:` by name or 1-based number; the first by default) as
/// CSV for the survey reader.
pub fn open(path: &Path, survey: &Survey) -> Result<Opened, OpenError> {
    let wanted = survey.sheet.as_ref().map(|s| s.value.0.trim().to_owned());
    let (tx, rx) = sync_channel::<Result<Row, String>>(ROWS_IN_FLIGHT);
    let file = || {
        File::open(path)
            .map(BufReader::new)
            .map_err(|e| refuse(format!("cannot read: {}", crate::load::io_reason(&e))))
    };
    let format = kind(path)?;
    let checked = budget::check(
        path,
        match format {
            Kind::Xlsx => budget::Format::Xlsx,
            Kind::Ods => budget::Format::Ods,
            Kind::Xls => budget::Format::Xls,
        },
    );
    match checked {
        Ok(()) => {}
        Err(budget::Refusal::Limit(why)) => {
            return Err(OpenError {
                code: Code::OverBudget,
                message: why,
                line: 0,
            });
        }
        Err(budget::Refusal::Damaged(why)) => return Err(refuse(why)),
    }
    let sheet = match format {
        Kind::Xlsx => {
            let f = file()?;
            let mut wb = guarded(|| Xlsx::new(f))?.map_err(|e| {
                let password = matches!(e, calamine::XlsxError::Password);
                why(&e, password)
            })?;
            let sheet = pick(&wb.sheet_names(), wanted.as_deref())?;
            let name = sheet.clone();
            std::thread::spawn(move || {
                let sent = tx.clone();
                if guarded(|| stream_xlsx(&mut wb, &name, &sent)).is_err() {
                    let _ = tx.send(Err("calamine stopped on it".to_owned()));
                }
            });
            sheet
        }
        Kind::Xls => {
            let f = file()?;
            let wb = guarded(|| Xls::new(f))?
                .map_err(|e| why(&e, matches!(e, calamine::XlsError::Password)))?;
            read_whole(wb, wanted.as_deref(), tx)?
        }
        Kind::Ods => {
            let f = file()?;
            let wb = guarded(|| Ods::new(f))?
                .map_err(|e| why(&e, matches!(e, calamine::OdsError::Password)))?;
            read_whole(wb, wanted.as_deref(), tx)?
        }
    };
    let rows = Arc::new(RowMap::default());
    let csv = SheetCsv {
        rx,
        buf: Vec::new(),
        at: 0,
        line: 1,
        rows: Arc::clone(&rows),
    };
    let input = input::from_reader_as(Box::new(csv), survey, Some(b','), None)?;
    Ok(Opened { input, sheet, rows })
}

/// A sheet of a workbook calamine reads whole (`.xls`, `.ods`), sent row by row; its name.
fn read_whole<W>(
    mut wb: W,
    wanted: Option<&str>,
    tx: SyncSender<Result<Row, String>>,
) -> Result<String, OpenError>
where
    W: calamine::Reader<BufReader<File>>,
    W::Error: std::fmt::Display,
{
    let sheet = pick(&wb.sheet_names(), wanted)?;
    let range = guarded(|| wb.worksheet_range(&sheet))?.map_err(|e| why(&e, false))?;
    std::thread::spawn(move || send_range(&range, &tx));
    Ok(sheet)
}

/// `f`, a call into calamine: a panic in it (a file it did not expect) is a damaged workbook,
/// not a crash, and never a sheet cut short.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, OpenError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
        refuse("cannot read the workbook (calamine stopped on it); it may be damaged: open it in a spreadsheet and save it again, or export it as CSV")
    })
}

/// The sheet the binding names, or the first; an unknown name lists the ones there are.
fn pick(names: &[String], wanted: Option<&str>) -> Result<String, OpenError> {
    let listed = || {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(wanted) = wanted else {
        return names
            .first()
            .cloned()
            .ok_or_else(|| refuse("the workbook has no sheets"));
    };
    if let Some(n) = names.iter().find(|n| n.as_str() == wanted) {
        return Ok(n.clone());
    }
    if let Some(n) = names.iter().find(|n| crate::words::same_name(n, wanted)) {
        return Ok(n.clone());
    }
    if let Ok(i) = wanted.parse::<usize>() {
        return match i.checked_sub(1).and_then(|i| names.get(i)) {
            Some(n) => Ok(n.clone()),
            None => Err(refuse(format!(
                "`sheet: {i}` asks for sheet {i}, but the workbook has {} ({})",
                names.len(),
                listed()
            ))),
        };
    }
    let hint = crate::suggest::did_you_mean(wanted, names.iter().map(String::as_str));
    Err(refuse(format!(
        "the workbook has no sheet `{wanted}`; its sheets are {}{hint}",
        listed()
    )))
}

/// Stream an `.xlsx` sheet's cells into rows.
fn stream_xlsx(wb: &mut Xlsx<BufReader<File>>, sheet: &str, tx: &SyncSender<Result<Row, String>>) {
    let mut cells = match wb.worksheet_cells_reader(sheet) {
        Ok(c) => c,
        Err(e) => {
            let _ = tx.send(Err(e.to_string()));
            return;
        }
    };
    let mut current: Option<Row> = None;
    loop {
        match cells.next_cell() {
            Ok(Some(cell)) => {
                let (r, c) = cell.get_position();
                let row = u64::from(r) + 1;
                if current.as_ref().is_some_and(|(n, _)| *n != row)
                    && let Some(done) = current.take()
                    && tx.send(Ok(done)).is_err()
                {
                    return; // the reader stopped
                }
                let (_, cells_of_row) = current.get_or_insert_with(|| (row, Vec::new()));
                let c = usize::try_from(c).unwrap_or(usize::MAX);
                if c >= input::MAX_COLUMNS {
                    continue; // the CSV reader refuses rows this wide by their header
                }
                if cells_of_row.len() <= c {
                    cells_of_row.resize(c + 1, String::new());
                }
                cells_of_row[c] = text_ref(cell.get_value());
            }
            Ok(None) => break,
            Err(e) => {
                let _ = tx.send(Err(e.to_string()));
                return;
            }
        }
    }
    if let Some(done) = current {
        let _ = tx.send(Ok(done));
    }
}

/// Send a whole sheet (`.xls`, `.ods`) row by row.
fn send_range(range: &calamine::Range<Data>, tx: &SyncSender<Result<Row, String>>) {
    let Some((r0, c0)) = range.start() else {
        return;
    };
    for (i, cells) in range.rows().enumerate() {
        let mut row: Vec<String> = vec![String::new(); usize::try_from(c0).unwrap_or(0)];
        row.extend(cells.iter().map(text));
        while row.last().is_some_and(String::is_empty) {
            row.pop();
        }
        if row.is_empty() {
            continue;
        }
        if tx.send(Ok((u64::from(r0) + i as u64 + 1, row))).is_err() {
            return;
        }
    }
}

/// A number as its CSV export writes it: whole numbers without a decimal point.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn date(dt: &calamine::ExcelDateTime) -> String {
    if !dt.is_datetime() {
        return number(dt.as_f64());
    }
    let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
    if (hh, mm, ss) == (0, 0, 0) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
    }
}

fn text_ref(v: &DataRef) -> String {
    match v {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(x) => number(*x),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(dt) => date(dt),
        DataRef::Error(e) => e.to_string(),
        DataRef::Empty => String::new(),
    }
}

fn text(v: &Data) -> String {
    match v {
        Data::Int(i) => i.to_string(),
        Data::Float(x) => number(*x),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) => date(dt),
        Data::Error(e) => e.to_string(),
        Data::Empty => String::new(),
    }
}

/// The rows of a sheet as CSV text, one record per row, noting where CSV lines and sheet
/// rows part.
struct SheetCsv {
    rx: Receiver<Result<Row, String>>,
    buf: Vec<u8>,
    at: usize,
    /// The CSV line the next record starts on.
    line: u64,
    rows: Arc<RowMap>,
}

impl SheetCsv {
    fn fill(&mut self) -> std::io::Result<bool> {
        let (row, cells) = match self.rx.recv() {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                return Err(std::io::Error::other(format!(
                    "the workbook is damaged ({e}); open it in a spreadsheet and save it again"
                )));
            }
            Err(_) => return Ok(false),
        };
        if self.rows.row_of(self.line) != row {
            self.rows.note(self.line, row);
        }
        self.buf.clear();
        self.at = 0;
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            if cell.contains([',', '"', '\n', '\r']) {
                self.buf.push(b'"');
                self.buf
                    .extend_from_slice(cell.replace('"', "\"\"").as_bytes());
                self.buf.push(b'"');
                self.line += cell.matches('\n').count() as u64;
            } else {
                self.buf.extend_from_slice(cell.as_bytes());
            }
        }
        self.buf.push(b'\n');
        self.line += 1;
        Ok(true)
    }
}

impl Read for SheetCsv {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.buf.len() {
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_map_back_to_sheet_rows() {
        let map = RowMap::default();
        // Rows 1-3 on lines 1-3; row 4 is empty, so row 5 is on line 4.
        map.note(4, 5);
        assert_eq!(map.row_of(1), 1);
        assert_eq!(map.row_of(3), 3);
        assert_eq!(map.row_of(4), 5);
        // A cell of row 5 holds one line break: row 6 starts on line 6, and lines and rows
        // move together again.
        map.note(6, 6);
        assert_eq!(map.row_of(5), 6);
        assert_eq!(map.row_of(6), 6);
        assert_eq!(map.row_of(9), 9);
    }

    #[test]
    fn cells_read_as_their_csv_export_writes_them() {
        assert_eq!(number(9.0), "9");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(4.5), "4.5");
        assert_eq!(number(0.1), "0.1");
    }
}
