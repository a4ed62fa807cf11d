//! Records: the rows of a survey export as csv reads them, split by simd-csv while the
//! file is plain.
//!
//! Invariants: every record handed over, its fields and its position (byte, line, record
//! index), is what csv gives for the same bytes. simd-csv finds quotes, delimiters and
//! newlines with SIMD searches and splits about three times as fast as csv, but reads a few
//! things otherwise: a quote inside an unquoted cell, a carriage return that does not end a
//! line, a blank CRLF line, a byte-order mark. So a record it split is handed over only when
//! it is plain: each cell holds no quote or is one well-formed quoted cell, and the line
//! ends read so far are all LF or all CRLF. At the first record that is not plain, the
//! stream is opened again at the start of that record (the end of the last one handed
//! over, a record boundary) and csv reads it and the rest of the stream.

use std::io::Read;
use std::rc::Rc;

mod fast;
#[cfg(test)]
mod tests;

use fast::{Ends, Fast, Got, MidStream, Shared, Step};

use super::guard::{LineGuard, csv_reader};

/// Opens the stream again at a byte offset, for csv to read on where simd-csv stopped.
pub type Reopen = Box<dyn Fn(u64) -> std::io::Result<Box<dyn Read>>>;

/// Buffer of the simd-csv reader.
const BUFFER: usize = 64 * 1024;

/// One record: its cells, unquoted, and where it starts.
#[derive(Debug, Default, Clone)]
pub struct Record {
    bytes: Vec<u8>,
    /// Where each cell is in `bytes`.
    bounds: Vec<(usize, usize)>,
    /// The bytes of its cells together, as csv counts a record's size.
    size: usize,
    byte: u64,
    line: u64,
    index: u64,
}

impl Record {
    /// Its number of cells.
    #[inline]
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Cell `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.bounds.get(i).map(|&(a, b)| &self.bytes[a..b])
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.bounds.iter().map(|&(a, b)| &self.bytes[a..b])
    }

    /// The CSV line it starts at (as csv counts it: blank lines before a record count as
    /// its own).
    #[inline]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The byte it starts at in its stream.
    #[inline]
    pub fn byte(&self) -> u64 {
        self.byte
    }

    /// The bytes of its cells together.
    pub fn size(&self) -> usize {
        self.size
    }

    /// A record csv read, in these terms.
    pub fn from_csv(rec: &csv::ByteRecord) -> Record {
        let mut out = Record::default();
        out.copy_csv(rec, None);
        out
    }

    fn copy_csv(&mut self, rec: &csv::ByteRecord, shift: Option<&Shift>) {
        self.bytes.clear();
        self.bounds.clear();
        self.bytes.extend_from_slice(rec.as_slice());
        let mut at = 0;
        for cell in rec {
            self.bounds.push((at, at + cell.len()));
            at += cell.len();
        }
        self.size = self.bytes.len();
        let pos = rec.position().cloned().unwrap_or_else(csv::Position::new);
        let pos = shift.map_or(pos.clone(), |s| s.apply(&pos));
        (self.byte, self.line, self.index) = (pos.byte(), pos.line(), pos.record());
    }
}

/// The cells of a record, by index.
pub trait Fields {
    fn field(&self, i: usize) -> Option<&[u8]>;
}

impl Fields for Record {
    #[inline]
    fn field(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }
}

/// A record as handed to [`Records::read_with`]: straight from simd-csv's buffer when its
/// only quotes are the two ends of quoted cells, else unquoted into a [`Record`].
pub enum Cells<'a> {
    Plain {
        raw: &'a simd_csv::ZeroCopyByteRecord<'a>,
        byte: u64,
        line: u64,
        /// The quotes in `raw`: two per quoted cell, which [`Fields::field`] leaves out.
        quotes: usize,
    },
    Copied(&'a Record),
}

impl Cells<'_> {
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            Cells::Plain { raw, .. } => raw.len(),
            Cells::Copied(r) => r.len(),
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn line(&self) -> u64 {
        match self {
            Cells::Plain { line, .. } => *line,
            Cells::Copied(r) => r.line,
        }
    }

    #[inline]
    pub fn byte(&self) -> u64 {
        match self {
            Cells::Plain { byte, .. } => *byte,
            Cells::Copied(r) => r.byte,
        }
    }

    /// The bytes of its cells together.
    pub fn size(&self) -> usize {
        match self {
            Cells::Plain { raw, quotes, .. } => raw.as_slice().len() + 1 - raw.len() - quotes,
            Cells::Copied(r) => r.size,
        }
    }
}

impl Fields for Cells<'_> {
    #[inline(always)]
    fn field(&self, i: usize) -> Option<&[u8]> {
        match self {
            Cells::Plain { raw, quotes: 0, .. } => raw.get(i),
            Cells::Plain { raw, .. } => raw.get(i).map(|c| match c {
                [b'"', inner @ .., b'"'] => inner,
                _ => c,
            }),
            Cells::Copied(r) => r.get(i),
        }
    }
}

/// The records of one stream, read by simd-csv or by csv.
pub struct Records {
    mode: Mode,
    delimiter: u8,
    /// csv's record, copied into a `Record`.
    csv_rec: csv::ByteRecord,
}

enum Mode {
    /// csv reads, from `shift` on: its positions count from there.
    Csv {
        reader: csv::Reader<LineGuard<Box<dyn Read>>>,
        shift: Shift,
    },
    Fast(Box<Fast>),
}

/// Where a reader started in the stream: bytes, lines and records before it.
#[derive(Debug, Clone, Copy, Default)]
struct Shift {
    bytes: u64,
    lines: u64,
    records: u64,
}

impl Shift {
    fn at(pos: &csv::Position) -> Shift {
        Shift {
            bytes: pos.byte(),
            lines: pos.line() - 1,
            records: pos.record(),
        }
    }

    fn apply(&self, pos: &csv::Position) -> csv::Position {
        let mut p = csv::Position::new();
        p.set_byte(pos.byte() + self.bytes)
            .set_line(pos.line() + self.lines)
            .set_record(pos.record() + self.records);
        p
    }
}

impl Records {
    /// csv's reader, read on from where it stands.
    pub fn csv(reader: csv::Reader<LineGuard<Box<dyn Read>>>, delimiter: u8) -> Records {
        Records {
            mode: Mode::Csv {
                reader,
                shift: Shift::default(),
            },
            delimiter,
            csv_rec: csv::ByteRecord::new(),
        }
    }

    /// The stream from `at` (a record boundary), read by simd-csv; `None` when it starts
    /// with a byte-order mark, which simd-csv would drop and csv keeps (but for at the
    /// start of its own stream).
    pub fn start(
        reopen: Reopen,
        delimiter: u8,
        at: csv::Position,
    ) -> std::io::Result<Option<Records>> {
        Records::start_with(reopen, delimiter, at, BUFFER)
    }

    fn start_with(
        reopen: Reopen,
        delimiter: u8,
        at: csv::Position,
        buffer: usize,
    ) -> std::io::Result<Option<Records>> {
        let mut stream = reopen(at.byte())?;
        let mut head = Vec::with_capacity(3);
        (&mut stream).take(3).read_to_end(&mut head)?;
        if head == b"\xEF\xBB\xBF" {
            return Ok(None);
        }
        let stream: Box<dyn Read> = Box::new(std::io::Cursor::new(head).chain(stream));
        let seen = Rc::new(Shared::default());
        let ends = Ends {
            inner: stream,
            seen: seen.clone(),
            buffer,
        };
        let zc = simd_csv::ZeroCopyReaderBuilder::with_capacity(buffer)
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(ends);
        let fast = Fast {
            zc,
            seen,
            reopen,
            from: at.byte(),
            line: at.line(),
            record: at.record(),
            stopped: None,
            pending: None,
        };
        Ok(Some(Records {
            mode: Mode::Fast(Box::new(fast)),
            delimiter,
            csv_rec: csv::ByteRecord::new(),
        }))
    }

    /// csv from `at`, positioned as if it had read from the start of the stream.
    pub fn csv_from(
        reopen: &Reopen,
        delimiter: u8,
        at: &csv::Position,
    ) -> std::io::Result<Records> {
        let stream: Box<dyn Read> = Box::new(MidStream {
            inner: reopen(at.byte())?,
            first: true,
        });
        Ok(Records {
            mode: Mode::Csv {
                reader: csv_reader(stream, delimiter),
                shift: Shift::at(at),
            },
            delimiter,
            csv_rec: csv::ByteRecord::new(),
        })
    }

    /// The next record into `rec`, positioned as csv positions it: `Ok(false)` at the end.
    #[inline]
    pub fn read(&mut self, rec: &mut Record) -> csv::Result<bool> {
        if let Mode::Fast(fast) = &mut self.mode {
            match fast.read(rec) {
                Step::Record => return Ok(true),
                Step::End => return Ok(false),
                Step::Plainer => {
                    *self = Records::csv_from(&fast.reopen, self.delimiter, &fast.position())?;
                }
            }
        }
        let Mode::Csv { reader, shift } = &mut self.mode else {
            return Ok(false);
        };
        let more = reader.read_byte_record(&mut self.csv_rec)?;
        if more {
            rec.copy_csv(&self.csv_rec, Some(shift));
        }
        Ok(more)
    }

    /// The next record, handed to `f` without a copy where it can be: `Ok(None)` at the
    /// end. `rec` holds the record when it has to be copied.
    #[inline]
    pub fn read_with<T>(
        &mut self,
        rec: &mut Record,
        f: impl FnOnce(&Cells) -> T,
    ) -> csv::Result<Option<T>> {
        let f = match &mut self.mode {
            Mode::Fast(fast) => match fast.next_with(rec, f) {
                Got::Done(t) => return Ok(Some(t)),
                Got::End => return Ok(None),
                Got::Plainer(f) => {
                    *self = Records::csv_from(&fast.reopen, self.delimiter, &fast.position())?;
                    f
                }
            },
            Mode::Csv { .. } => f,
        };
        Ok(self.read(rec)?.then(|| f(&Cells::Copied(rec))))
    }

    /// Where reading stands: the start of the next record, or the end.
    pub fn position(&self) -> csv::Position {
        match &self.mode {
            Mode::Csv { reader, shift } => shift.apply(reader.position()),
            Mode::Fast(fast) => fast.position(),
        }
    }

    /// The line a csv error is at (or where reading stands, when it has no position).
    pub fn error_line(&self, e: &csv::Error) -> u64 {
        match (&self.mode, e.position()) {
            (Mode::Csv { shift, .. }, Some(p)) => shift.apply(p).line(),
            _ => self.position().line(),
        }
    }

    /// Whether the stream so far ends inside a quoted cell.
    pub fn open_quote(&self) -> bool {
        match &self.mode {
            Mode::Csv { reader, .. } => reader.get_ref().open_quote(),
            Mode::Fast(_) => false,
        }
    }

    /// The line where the quote that is still open opened.
    pub fn quote_line(&self) -> u64 {
        match &self.mode {
            Mode::Csv { reader, shift } => reader.get_ref().quote_line() + shift.lines,
            Mode::Fast(fast) => fast.line,
        }
    }

    /// Whether reading stopped at a quoted cell over the size limit.
    pub fn quote_overflow(&self) -> bool {
        match &self.mode {
            Mode::Csv { reader, .. } => reader.get_ref().quote_overflow(),
            Mode::Fast(_) => false,
        }
    }

    /// Whether simd-csv is still reading.
    #[cfg(test)]
    pub fn is_fast(&self) -> bool {
        matches!(self.mode, Mode::Fast(_))
    }
}
