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

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use super::input::{LineGuard, MAX_RECORD_BYTES, csv_reader};

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

/// A record as handed to [`Records::read_with`]: straight from simd-csv's buffer when it
/// holds no quote, else unquoted into a [`Record`].
pub enum Cells<'a> {
    Plain {
        raw: &'a simd_csv::ZeroCopyByteRecord<'a>,
        byte: u64,
        line: u64,
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
            Cells::Plain { raw, .. } => raw.as_slice().len() + 1 - raw.len(),
            Cells::Copied(r) => r.size,
        }
    }
}

impl Fields for Cells<'_> {
    #[inline]
    fn field(&self, i: usize) -> Option<&[u8]> {
        match self {
            Cells::Plain { raw, .. } => raw.get(i),
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
        let seen = Rc::new(Cell::new(Seen::default()));
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

    /// Whether simd-csv is still reading (for tests).
    pub fn is_fast(&self) -> bool {
        matches!(self.mode, Mode::Fast(_))
    }
}

/// simd-csv over the stream from `from`, and csv's count of lines and records.
struct Fast {
    zc: simd_csv::ZeroCopyReader<Ends>,
    seen: Rc<Cell<Seen>>,
    reopen: Reopen,
    /// The stream offset `zc` started at.
    from: u64,
    /// The line and record index csv gives the record that starts where `zc` stands.
    line: u64,
    record: u64,
    /// Where (in `zc`'s bytes) the record that was not plain starts.
    stopped: Option<u64>,
    /// The last record handed over without a copy: where it started, its length, the
    /// newlines in its cells. Its line end is counted before the next read.
    pending: Option<(u64, u64, u64)>,
}

/// What [`Fast::next_with`] did.
enum Got<T, F> {
    Done(T),
    End,
    /// The next record is not plain: `f` goes to csv.
    Plainer(F),
}

enum Step {
    Record,
    End,
    /// The next record is not plain: csv must read on from `Fast::position`.
    Plainer,
}

impl Fast {
    fn position(&self) -> csv::Position {
        let mut p = csv::Position::new();
        let at = self.stopped.unwrap_or_else(|| self.zc.position());
        let (line, record) = match self.pending {
            Some((p0, len, newlines)) => (self.line + (at - p0 - len) + newlines, self.record + 1),
            None => (self.line, self.record),
        };
        p.set_byte(self.from + at).set_line(line).set_record(record);
        p
    }

    /// Count the line end of the record handed over last without a copy: in an LF stream,
    /// every byte around a record is an LF.
    #[inline]
    fn settle(&mut self) {
        if let Some((p0, len, newlines)) = self.pending.take() {
            let p1 = self.zc.position();
            self.line += (p1 - p0 - len) + newlines;
            self.record += 1;
            let mut seen = self.seen.get();
            seen.done = p1;
            self.seen.set(seen);
        }
    }

    /// The next record to `f`. Once the stream is known to end its lines with LF alone
    /// (and nothing odd has been read), a record without quotes goes to `f` straight from
    /// simd-csv's buffer, and its line end is counted at the next read; otherwise as `read`.
    #[inline]
    fn next_with<T, F: FnOnce(&Cells) -> T>(&mut self, rec: &mut Record, f: F) -> Got<T, F> {
        self.settle();
        let seen = self.seen.get();
        if seen.crlf != Some(false) || seen.odd.is_some() {
            return match self.read(rec) {
                Step::Record => Got::Done(f(&Cells::Copied(rec))),
                Step::End => Got::End,
                Step::Plainer => Got::Plainer(f),
            };
        }
        let p0 = self.zc.position();
        let r = match self.zc.read_byte_record() {
            Ok(Some(r)) => r,
            Ok(None) => {
                return match self.end(p0) {
                    Step::Plainer => Got::Plainer(f),
                    _ => Got::End,
                };
            }
            Err(_) => {
                self.stopped = Some(p0);
                return Got::Plainer(f);
            }
        };
        // A carriage return read with this record: csv reads on from its start.
        if self.seen.get().odd.is_some() {
            self.stopped = Some(p0);
            return Got::Plainer(f);
        }
        let len = r.as_slice().len() as u64;
        let (byte, line) = (self.from + p0, self.line);
        if memchr::memchr(b'"', r.as_slice()).is_none() {
            self.pending = Some((p0, len, 0));
            return Got::Done(f(&Cells::Plain {
                raw: &r,
                byte,
                line,
            }));
        }
        match copy_plain(&r, rec) {
            Some(newlines) => {
                (rec.byte, rec.line, rec.index) = (byte, line, self.record);
                self.pending = Some((p0, len, newlines));
                Got::Done(f(&Cells::Copied(rec)))
            }
            None => {
                self.stopped = Some(p0);
                Got::Plainer(f)
            }
        }
    }

    #[inline]
    fn read(&mut self, rec: &mut Record) -> Step {
        self.settle();
        let p0 = self.zc.position();
        let (len, newlines) = match self.zc.read_byte_record() {
            Ok(Some(r)) => match copy_plain(&r, rec) {
                Some(inner) => (r.as_slice().len() as u64, inner),
                None => return self.stop(p0),
            },
            Ok(None) => return self.end(p0),
            // Over the size of a record, or the file: csv reads it again and says what it is.
            Err(_) => return self.stop(p0),
        };
        let p1 = self.zc.position();
        let mut seen = self.seen.get();
        if seen.odd.is_some_and(|o| o < p1) {
            return self.stop(p0);
        }
        // The bytes of [p0, p1) outside the record: blank lines skipped before it, and its
        // line end.
        let around = p1 - p0 - len;
        let lines = if seen.crlf == Some(true) {
            // csv reads a blank CRLF line as a record (`\r`), and keeps the `\r` of a line
            // end at the end of the last cell.
            let unended = seen.eof && p1 == seen.read && seen.last != b'\n';
            match around {
                0 => 0,
                2 if !unended => {
                    rec.crlf_last_cell();
                    1
                }
                _ => return self.stop(p0),
            }
        } else {
            // No carriage return so far: every byte around the record is an LF.
            around
        };
        (rec.byte, rec.line, rec.index) = (self.from + p0, self.line, self.record);
        self.line += lines + newlines;
        self.record += 1;
        seen.done = p1;
        self.seen.set(seen);
        Step::Record
    }

    /// No record after `p0`: the end, unless what was skipped there is something csv reads.
    fn end(&mut self, p0: u64) -> Step {
        let p1 = self.zc.position();
        let seen = self.seen.get();
        if p1 > p0 && (seen.crlf == Some(true) || seen.odd.is_some_and(|o| o < p1)) {
            return self.stop(p0);
        }
        self.line += p1 - p0;
        Step::End
    }

    fn stop(&mut self, p0: u64) -> Step {
        self.stopped = Some(p0);
        Step::Plainer
    }
}

/// Copies the record into `rec` if it is plain, unquoting quoted cells: the newlines inside
/// its quoted cells, or `None` when a quote is not part of a well-formed quoted cell (csv
/// and simd-csv might split the record differently).
#[inline]
fn copy_plain(r: &simd_csv::ZeroCopyByteRecord, rec: &mut Record) -> Option<u64> {
    let raw = r.as_slice();
    rec.bytes.clear();
    rec.bounds.clear();
    if memchr::memchr(b'"', raw).is_none() {
        rec.bytes.extend_from_slice(raw);
        let base = raw.as_ptr() as usize;
        for cell in r.iter() {
            let a = cell.as_ptr() as usize - base;
            rec.bounds.push((a, a + cell.len()));
        }
        rec.size = raw.len() + 1 - rec.bounds.len();
        return Some(0);
    }
    // Every quote must open, close or double inside a quoted cell: those are counted
    // against all the quotes of the record. (Newlines can only be inside quoted cells.)
    let quotes = memchr::memchr_iter(b'"', raw).count();
    let newlines = match memchr::memchr(b'\n', raw) {
        Some(_) => memchr::memchr_iter(b'\n', raw).count() as u64,
        None => 0,
    };
    let mut explained = 0;
    for cell in r.iter() {
        let a = rec.bytes.len();
        if cell.first() == Some(&b'"') {
            let mut rest = cell[1..].strip_suffix(b"\"")?;
            while let Some(i) = memchr::memchr(b'"', rest) {
                if rest.get(i + 1) != Some(&b'"') {
                    return None;
                }
                rec.bytes.extend_from_slice(&rest[..=i]);
                rest = &rest[i + 2..];
                explained += 2;
            }
            rec.bytes.extend_from_slice(rest);
            explained += 2;
        } else {
            rec.bytes.extend_from_slice(cell);
        }
        rec.bounds.push((a, rec.bytes.len()));
    }
    if explained != quotes {
        return None;
    }
    rec.size = rec.bytes.len();
    Some(newlines)
}

impl Record {
    /// The `\r` csv leaves at the end of a CRLF record's last cell.
    fn crlf_last_cell(&mut self) {
        if let Some(last) = self.bounds.last_mut() {
            self.bytes.truncate(last.1);
            self.bytes.push(b'\r');
            last.1 += 1;
            self.size += 1;
        }
    }
}

/// A stream that starts in the middle of a file. csv-core drops a byte-order mark when its
/// first read starts with one, as at the start of a file; in the middle of one, the mark is
/// part of a cell. It drops it only when the first read holds all three bytes, so the first
/// read here gives one byte.
struct MidStream {
    inner: Box<dyn Read>,
    first: bool,
}

impl Read for MidStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if std::mem::take(&mut self.first) {
            buf.len().min(1)
        } else {
            buf.len()
        };
        self.inner.read(&mut buf[..n])
    }
}

/// What the line ends of the stream have been so far, and where the last record handed
/// over ended.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    /// Bytes read.
    read: u64,
    /// Where the last record handed over ends.
    done: u64,
    /// Whether lines end with CRLF (`None` before the first line end).
    crlf: Option<bool>,
    /// The first byte that breaks the stream's line ends: a `\r` that is not part of a
    /// CRLF, or an LF whose `\r` is missing (or present, in an LF stream).
    odd: Option<u64>,
    /// The last buffer ended with `\r`: the next byte says whether it was a CRLF.
    pending_cr: bool,
    last: u8,
    eof: bool,
}

/// Watches the line ends of the bytes simd-csv reads, and refuses to read on when one record
/// runs past the size csv allows (simd-csv would buffer it whole; csv reads it again and
/// says what is wrong).
struct Ends {
    inner: Box<dyn Read>,
    seen: Rc<Cell<Seen>>,
    buffer: usize,
}

impl Read for Ends {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut s = self.seen.get();
        if s.read - s.done > (MAX_RECORD_BYTES + self.buffer) as u64 {
            return Err(std::io::Error::other("a record over the size limit"));
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            if !buf.is_empty() {
                s.eof = true;
                if s.pending_cr {
                    s.odd.get_or_insert(s.read.saturating_sub(1));
                }
            }
        } else {
            watch(&mut s, &buf[..n]);
        }
        self.seen.set(s);
        Ok(n)
    }
}

fn watch(s: &mut Seen, b: &[u8]) {
    let base = s.read;
    s.read += b.len() as u64;
    let last = s.last;
    s.last = b[b.len() - 1];
    if s.odd.is_some() {
        return;
    }
    if std::mem::take(&mut s.pending_cr) && b[0] != b'\n' {
        s.odd = Some(base - 1);
        return;
    }
    if s.crlf == Some(false) {
        s.odd = memchr::memchr(b'\r', b).map(|i| base + i as u64);
        return;
    }
    for i in memchr::memchr2_iter(b'\r', b'\n', b) {
        if b[i] == b'\r' {
            match b.get(i + 1) {
                Some(b'\n') => {}
                Some(_) => {
                    s.odd = Some(base + i as u64);
                    return;
                }
                None => s.pending_cr = true,
            }
            continue;
        }
        let after_cr = if i > 0 {
            b[i - 1] == b'\r'
        } else {
            last == b'\r'
        };
        match s.crlf {
            None => s.crlf = Some(after_cr),
            Some(crlf) if crlf != after_cr => {
                s.odd = Some(base + i as u64);
                return;
            }
            Some(_) => {}
        }
        if s.crlf == Some(false) {
            // An LF stream: only a `\r` can break it from here.
            s.odd = memchr::memchr(b'\r', &b[i..]).map(|j| base + (i + j) as u64);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn over(bytes: &[u8]) -> Reopen {
        let bytes: Arc<[u8]> = bytes.into();
        Box::new(move |at| {
            let mut c = std::io::Cursor::new(bytes.clone());
            c.set_position(at);
            Ok(Box::new(c))
        })
    }

    /// Each record (cells, byte, line, record index, size), then where reading ended.
    type Read = (Vec<(Vec<Vec<u8>>, u64, u64, u64, usize)>, u64, bool, u64);

    fn seen(rec: &Record) -> (Vec<Vec<u8>>, u64, u64, u64, usize) {
        let cells = rec.iter().map(<[u8]>::to_vec).collect();
        (cells, rec.byte(), rec.line(), rec.index, rec.size())
    }

    fn by_csv(bytes: &[u8]) -> Read {
        let stream: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(bytes.to_vec()));
        let mut reader = csv_reader(stream, b',');
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while matches!(reader.read_byte_record(&mut rec), Ok(true)) {
            out.push(seen(&Record::from_csv(&rec)));
        }
        let guard = reader.get_ref();
        let open = guard.open_quote();
        let quote_line = if open { guard.quote_line() } else { 0 };
        (out, reader.position().line(), open, quote_line)
    }

    fn by_records(bytes: &[u8], buffer: usize) -> (Read, bool) {
        let start = Records::start_with(over(bytes), b',', csv::Position::new(), buffer);
        let mut records = match start {
            Ok(Some(r)) => r,
            Ok(None) => Records::csv(csv_reader(over(bytes)(0).expect("in memory"), b','), b','),
            Err(e) => panic!("in memory: {e}"),
        };
        let mut rec = Record::default();
        let mut out = Vec::new();
        // Some records are read with a copy, the others handed over as they are, in a
        // pattern that varies with the buffer size (all handed over for 64 KiB).
        let pattern = (buffer as u32).wrapping_mul(2_654_435_761) >> 24;
        for k in 0.. {
            let copy = buffer != BUFFER && pattern >> (k % 8) & 1 == 1;
            if copy {
                if !matches!(records.read(&mut rec), Ok(true)) {
                    break;
                }
                out.push(seen(&rec));
            } else {
                match records.read_with(&mut rec, |cells| {
                    let cells_of =
                        (0..cells.len()).map(|i| cells.field(i).unwrap_or_default().to_vec());
                    (cells_of.collect(), cells.byte(), cells.line(), cells.size())
                }) {
                    Ok(Some((cells, byte, line, size))) => {
                        let index = out.len() as u64;
                        out.push((cells, byte, line, index, size));
                    }
                    _ => break,
                }
            }
        }
        let open = records.open_quote();
        let quote_line = if open { records.quote_line() } else { 0 };
        let read = (out, records.position().line(), open, quote_line);
        (read, records.is_fast())
    }

    /// Cells and line ends, quoted or not, with the odd things real files hold.
    fn token() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a",
            "bc",
            "4",
            " ",
            "é",
            ",",
            ",",
            ",",
            "\"",
            "\"\"",
            "\"x\"",
            "\"y, z\"",
            "\"multi\nline\"",
            "\"say \"\"hi\"\"\"",
            "\n",
            "\n",
            "\r\n",
            "\r",
            "\u{feff}",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn records_are_what_csv_reads(tokens in prop::collection::vec(token(), 0..80), buffer in 1usize..40) {
            let bytes = tokens.concat().into_bytes();
            let (got, _) = by_records(&bytes, buffer);
            prop_assert_eq!(got, by_csv(&bytes));
        }

        #[test]
        fn plain_files_are_what_csv_reads(
            rows in prop::collection::vec(prop::collection::vec(prop::sample::select(vec![
                "", "a", "9", "\"q\"", "\"\"", "\"a,b\"", "\"two\nlines\"", "\"x \"\"y\"\"\"",
            ]), 1..5), 0..30),
            crlf in any::<bool>(),
            blank in 0usize..40,
            ended in any::<bool>(),
            buffer in 1usize..64,
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            for (i, row) in rows.iter().enumerate() {
                if i == blank {
                    text.push_str(end);
                }
                text.push_str(&row.join(","));
                if ended || i + 1 < rows.len() {
                    text.push_str(end);
                }
            }
            let bytes = text.into_bytes();
            let (got, _) = by_records(&bytes, buffer);
            prop_assert_eq!(got, by_csv(&bytes));
        }
    }

    #[test]
    fn plain_files_stay_with_simd_csv() {
        for text in [
            "a,b\n1,\"x, \"\"y\"\"\"\n\n2,\"two\nlines\"\n",
            "a,b\r\n1,\"x\"\r\n2,3",
        ] {
            let (got, fast) = by_records(text.as_bytes(), 8);
            assert!(fast, "{text:?} left simd-csv");
            assert_eq!(got, by_csv(text.as_bytes()));
        }
        // A quote inside an unquoted cell is csv's to read, from that record on.
        let text = "a,b\n1,5\" screen\n2,3\n";
        let (got, fast) = by_records(text.as_bytes(), 8);
        assert!(!fast);
        assert_eq!(got, by_csv(text.as_bytes()));
        assert_eq!(got.0[1].0, [b"1".to_vec(), b"5\" screen".to_vec()]);
    }

    #[test]
    fn every_export_in_the_repository_reads_as_csv_reads_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = 0;
        for dir in ["tests/fixtures", "examples"] {
            for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
                let entry = entry.expect("walk");
                if entry.path().extension().is_none_or(|e| e != "csv") {
                    continue;
                }
                let bytes = std::fs::read(entry.path()).expect("read");
                for buffer in [7, BUFFER] {
                    let (got, _) = by_records(&bytes, buffer);
                    assert_eq!(got, by_csv(&bytes), "{}", entry.path().display());
                }
                files += 1;
            }
        }
        assert!(files >= 40, "only {files} exports found");
    }
}
