//! simd-csv's side of the records: a record is handed over while it is plain, with the
//! line and record index csv would give it; the line ends of the stream are watched as it
//! is read.
//!
//! Invariants: a record is handed over only if every quote in it opens, closes or doubles
//! inside a well-formed quoted cell and no line end read with it breaks the stream's style
//! (all LF, or all CRLF); anything else stops simd-csv at that record's start.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use super::{Cells, Record, Reopen};
use crate::survey::guard::MAX_RECORD_BYTES;

/// simd-csv over the stream from `from`, and csv's count of lines and records.
pub(super) struct Fast {
    pub(super) zc: simd_csv::ZeroCopyReader<Ends>,
    pub(super) seen: Rc<Shared>,
    pub(super) reopen: Reopen,
    /// The stream offset `zc` started at.
    pub(super) from: u64,
    /// The line and record index csv gives the record that starts where `zc` stands.
    pub(super) line: u64,
    pub(super) record: u64,
    /// Where (in `zc`'s bytes) the record that was not plain starts.
    pub(super) stopped: Option<u64>,
    /// The last record handed over without a copy: where it started, its length, the
    /// newlines in its cells. Its line end is counted before the next read.
    pub(super) pending: Option<(u64, u64, u64)>,
}

/// What [`Fast::next_with`] did.
pub(super) enum Got<T, F> {
    Done(T),
    End,
    /// The next record is not plain: `f` goes to csv.
    Plainer(F),
}

pub(super) enum Step {
    Record,
    End,
    /// The next record is not plain: csv must read on from `Fast::position`.
    Plainer,
}

impl Fast {
    pub(super) fn position(&self) -> csv::Position {
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
            self.seen.done.set(p1);
        }
    }

    /// The next record to `f`. Once the stream is known to end its lines with LF alone
    /// (and nothing odd has been read), a record without quotes goes to `f` straight from
    /// simd-csv's buffer, and its line end is counted at the next read; otherwise as `read`.
    #[inline]
    pub(super) fn next_with<T, F: FnOnce(&Cells) -> T>(
        &mut self,
        rec: &mut Record,
        f: F,
    ) -> Got<T, F> {
        self.settle();
        if !self.seen.lf_only.get() {
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
        if !self.seen.lf_only.get() {
            self.stopped = Some(p0);
            return Got::Plainer(f);
        }
        let len = r.as_slice().len() as u64;
        let (byte, line) = (self.from + p0, self.line);
        let (quotes, newlines) = quotes_and_newlines(r.as_slice());
        if only_ends(&r, quotes) {
            self.pending = Some((p0, len, newlines));
            return Got::Done(f(&Cells::Plain {
                raw: &r,
                byte,
                line,
                quotes,
            }));
        }
        match copy_quoted(&r, rec, quotes) {
            Some(()) => {
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
    pub(super) fn read(&mut self, rec: &mut Record) -> Step {
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
        let seen = self.seen.seen.get();
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
        self.seen.done.set(p1);
        Step::Record
    }

    /// No record after `p0`: the end, unless what was skipped there is something csv reads.
    fn end(&mut self, p0: u64) -> Step {
        let p1 = self.zc.position();
        let seen = self.seen.seen.get();
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

/// The quotes in a record and the newlines (which can only be inside quoted cells).
#[inline]
fn quotes_and_newlines(raw: &[u8]) -> (usize, u64) {
    let Some(first) = memchr::memchr(b'"', raw) else {
        return (0, 0);
    };
    let (mut quotes, mut newlines) = (0, 0);
    for i in memchr::memchr2_iter(b'"', b'\n', &raw[first..]) {
        if raw[first + i] == b'"' {
            quotes += 1;
        } else {
            newlines += 1;
        }
    }
    (quotes, newlines)
}

/// Whether the record's `quotes` are all the first and last bytes of quoted cells (so that
/// its cells are the bytes between them, and csv splits it as simd-csv did).
#[inline]
fn only_ends(r: &simd_csv::ZeroCopyByteRecord, quotes: usize) -> bool {
    if quotes == 0 {
        return true;
    }
    let mut ends = 0;
    for cell in r.iter() {
        match cell {
            [b'"', .., b'"'] => ends += 2,
            [b'"', ..] => return false,
            _ => {}
        }
    }
    ends == quotes
}

/// Copies the record into `rec` if it is plain, unquoting quoted cells: the newlines inside
/// its quoted cells, or `None` when a quote is not part of a well-formed quoted cell (csv
/// and simd-csv might split the record differently).
#[inline]
fn copy_plain(r: &simd_csv::ZeroCopyByteRecord, rec: &mut Record) -> Option<u64> {
    let raw = r.as_slice();
    let (quotes, newlines) = quotes_and_newlines(raw);
    if quotes == 0 {
        rec.bytes.clear();
        rec.bounds.clear();
        rec.bytes.extend_from_slice(raw);
        let base = raw.as_ptr() as usize;
        for cell in r.iter() {
            let a = cell.as_ptr() as usize - base;
            rec.bounds.push((a, a + cell.len()));
        }
        rec.size = raw.len() + 1 - rec.bounds.len();
        return Some(0);
    }
    copy_quoted(r, rec, quotes).map(|()| newlines)
}

/// Copies a record that holds `quotes` quotes into `rec`, unquoting quoted cells, if every
/// quote opens, closes or doubles inside a quoted cell.
fn copy_quoted(r: &simd_csv::ZeroCopyByteRecord, rec: &mut Record, quotes: usize) -> Option<()> {
    rec.bytes.clear();
    rec.bounds.clear();
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
    Some(())
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
pub(super) struct MidStream {
    pub(super) inner: Box<dyn Read>,
    pub(super) first: bool,
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

/// What the reader and the stream it reads share.
#[derive(Debug, Default)]
pub(super) struct Shared {
    pub(super) seen: Cell<Seen>,
    /// Where the last record handed over ends.
    pub(super) done: Cell<u64>,
    /// The line ends so far are all LF, and nothing odd has been read.
    pub(super) lf_only: Cell<bool>,
}

/// What the line ends of the stream have been so far.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Seen {
    /// Bytes read.
    read: u64,
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
pub(super) struct Ends {
    pub(super) inner: Box<dyn Read>,
    pub(super) seen: Rc<Shared>,
    pub(super) buffer: usize,
}

impl Read for Ends {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut s = self.seen.seen.get();
        if s.read - self.seen.done.get() > (MAX_RECORD_BYTES + self.buffer) as u64 {
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
        self.seen.seen.set(s);
        self.seen
            .lf_only
            .set(s.crlf == Some(false) && s.odd.is_none());
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
