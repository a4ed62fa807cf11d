//! What one line, record or cell of a CSV stream may hold, checked as the bytes stream past
//! (the guide: "Limits"), and the CSV reader every survey stream is read with.
//!
//! Invariants: memory stays bounded whatever a file holds; a refusal is an `io::Error` of kind
//! `InvalidData` carrying an [`OverLimit`], so a reader tells a budget from damage.

use std::io::Read;

/// Bytes of one CSV record allowed before the reader gives up.
pub const MAX_RECORD_BYTES: usize = 16 * 1024 * 1024;
/// Bytes of one line allowed, checked while reading (a hostile file can be one endless
/// line, which would otherwise be buffered whole).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;
/// Columns allowed in one record.
pub const MAX_COLUMNS: usize = 20_000;

/// Bytes one quoted cell may hold before the reader calls its quote unclosed. The longest
/// real comment is a few kilobytes; a quote left open swallows the rest of the file.
pub const MAX_QUOTED_BYTES: usize = 1024 * 1024;

/// A read refused by one of the limits on what one line or cell may hold: the reason, inside
/// an `io::Error` of kind `InvalidData`, so that a reader can tell a budget from damage.
#[derive(Debug)]
pub struct OverLimit(pub String);

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OverLimit {}

impl OverLimit {
    fn error(why: String) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, OverLimit(why))
    }

    /// Whether `e` is such a refusal.
    pub fn is(e: &std::io::Error) -> bool {
        e.get_ref().is_some_and(|i| i.is::<OverLimit>())
    }
}

/// Refuses a line longer than [`MAX_LINE_BYTES`] and a quoted cell longer than
/// [`MAX_QUOTED_BYTES`] as they stream past, so memory stays bounded whatever the file
/// holds, and follows quotes as csv-core does so that a quote still open at the end of the
/// file can be reported. Costs one backwards newline search per buffer and a look at each
/// `"`.
pub struct LineGuard<R> {
    inner: R,
    since_newline: usize,
    /// Whether quotes are followed (CSV), or only lines counted (JSON lines).
    quotes: bool,
    delimiter: u8,
    in_quotes: bool,
    /// A `"` inside quotes ended the last buffer: the next byte says whether it closed.
    pending_quote: bool,
    quoted_bytes: usize,
    /// Newlines read so far, and the 1-based line where the open quote opened.
    newlines: u64,
    quote_line: u64,
    /// The last byte of the last buffer (a field starts after a delimiter or a newline).
    prev: u8,
}

impl<R> LineGuard<R> {
    pub fn new(inner: R, delimiter: u8) -> Self {
        LineGuard {
            inner,
            since_newline: 0,
            quotes: true,
            delimiter,
            in_quotes: false,
            pending_quote: false,
            quoted_bytes: 0,
            newlines: 0,
            quote_line: 0,
            prev: b'\n',
        }
    }

    /// A guard of line length alone, for text whose quotes are not CSV's (JSON lines).
    pub fn lines_only(inner: R) -> Self {
        LineGuard {
            quotes: false,
            ..LineGuard::new(inner, b',')
        }
    }

    /// Whether the input so far ends inside a quoted cell.
    pub fn open_quote(&self) -> bool {
        self.in_quotes && !self.pending_quote
    }

    /// The line (as csv counts them, from 1) where the quote that is still open opened.
    pub fn quote_line(&self) -> u64 {
        self.quote_line
    }

    /// Whether reading stopped at a quoted cell over [`MAX_QUOTED_BYTES`].
    pub fn quote_overflow(&self) -> bool {
        self.quoted_bytes > MAX_QUOTED_BYTES
    }

    fn follow_quotes(&mut self, b: &[u8]) {
        let n = b.len();
        let mut i = 0;
        if self.pending_quote && n > 0 {
            self.pending_quote = false;
            if b[0] == b'"' {
                i = 1; // `""`: an escaped quote, still inside
            } else {
                self.in_quotes = false;
                self.quoted_bytes = 0;
            }
        }
        let mut open_from = if self.in_quotes { Some(i) } else { None };
        // Newlines before `counted_to` in this buffer, counted once as quotes open.
        let (mut counted_to, mut lines_here) = (0usize, 0u64);
        while let Some(off) = memchr::memchr(b'"', &b[i..]) {
            let j = i + off;
            if self.in_quotes {
                match b.get(j + 1) {
                    Some(b'"') => i = j + 2,
                    Some(_) => {
                        self.in_quotes = false;
                        self.quoted_bytes = 0;
                        open_from = None;
                        i = j + 1;
                    }
                    None => {
                        self.pending_quote = true;
                        i = j + 1;
                    }
                }
            } else {
                let before = if j == 0 { self.prev } else { b[j - 1] };
                if before == self.delimiter || before == b'\n' {
                    self.in_quotes = true;
                    lines_here += memchr::memchr_iter(b'\n', &b[counted_to..j]).count() as u64;
                    counted_to = j;
                    self.quote_line = self.newlines + lines_here + 1;
                    open_from = Some(j + 1);
                }
                i = j + 1;
            }
        }
        if let Some(from) = open_from {
            self.quoted_bytes += n.saturating_sub(from);
        }
        if let Some(&last) = b.last() {
            self.prev = last;
        }
        self.newlines += memchr::memchr_iter(b'\n', b).count() as u64;
    }
}

impl<R: Read> Read for LineGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match memchr::memrchr(b'\n', &buf[..n]) {
            Some(i) => self.since_newline = n - i - 1,
            None => self.since_newline += n,
        }
        if self.since_newline > MAX_LINE_BYTES {
            return Err(OverLimit::error(format!(
                "a line is longer than {MAX_LINE_BYTES} bytes, the limit for one line"
            )));
        }
        if !self.quotes {
            return Ok(n);
        }
        self.follow_quotes(&buf[..n]);
        if self.quoted_bytes > MAX_QUOTED_BYTES {
            return Err(OverLimit::error(
                "a quoted cell runs on for more than 1 MiB".to_owned(),
            ));
        }
        Ok(n)
    }
}

/// The CSV reader every survey stream is read with (by simd-csv first where it is plain,
/// `records.rs`).
pub(super) fn csv_reader<R: Read>(stream: R, delimiter: u8) -> csv::Reader<LineGuard<R>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        // Records end at `\n` only: with the default CRLF terminator csv-core ends a record
        // at `\r` and reads the `\n` as part of the next one, which then reports a line one
        // too early. The `\r` left at the end of the last field is whitespace: cells are
        // trimmed where they are read (`cell`), not by csv's Trim, which copies every record.
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(64 * 1024)
        .from_reader(LineGuard::new(stream, delimiter))
}

#[cfg(test)]
mod tests {
    use super::LineGuard;

    fn guard_over(chunks: &[&[u8]]) -> LineGuard<std::io::Empty> {
        let mut g = LineGuard::new(std::io::empty(), b',');
        for c in chunks {
            g.follow_quotes(c);
        }
        g
    }

    #[test]
    fn quotes_are_followed_as_csv_reads_them() {
        assert!(!guard_over(&[b"a,\"b\"\"c\",d\n"]).open_quote());
        assert!(guard_over(&[b"a,\"b\n1,2\n3,4\n"]).open_quote());
        // A quote inside an unquoted cell is a literal.
        assert!(!guard_over(&[b"a,5\" screen,c\n"]).open_quote());
        // Split between buffers: an escaped quote, then a closing one at the very end.
        assert!(!guard_over(&[b"a,\"x\"", b"\"y\"", b"\n"]).open_quote());
        assert!(!guard_over(&[b"a,\"x\""]).open_quote());
        assert!(guard_over(&[b"a,\"x\"", b"\"y"]).open_quote());
        // A quote after a newline in the previous buffer opens a cell, on line 2.
        let g = guard_over(&[b"a,b\n", b"\"open\n\n"]);
        assert!(g.open_quote());
        assert_eq!(g.quote_line(), 2);
    }
}
