//! The budget of a zip container (`.xlsx`, `.ods`): its entry count read from the end record
//! before the zip is opened, every XML part inflated once through a counter (bytes, the ratio
//! to its compressed size, the longest text or tag), and an `.ods` content walked (`ods.rs`).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::{
    Format, MAX_HELD_BYTES, MAX_PART_BYTES, MAX_PARTS, MAX_RATIO, MAX_SHARED_STRINGS,
    MAX_WHOLE_CELLS, MAX_XML_RUN, RATIO_FROM, Refusal, damaged, ods, over,
};

/// The entry count a zip's end records claim (the largest, when several records could be
/// the end): read from the last 64 KiB before anything allocates for the entries.
pub(super) fn zip_entries(file: &mut File, len: u64) -> std::io::Result<u64> {
    let tail_len = len.min(65_557 + 20);
    file.seek(SeekFrom::Start(len - tail_len))?;
    let mut tail = vec![0u8; tail_len as usize];
    file.read_exact(&mut tail)?;
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let mut most = 0u64;
    for at in memchr::memmem::rfind_iter(&tail, b"PK\x05\x06") {
        if at + 22 > tail.len() {
            continue;
        }
        most = most.max(u16_at(&tail, at + 10));
        // Zip64: the locator just before points at a record with a 64-bit count.
        if at >= 20 && &tail[at - 20..at - 16] == b"PK\x06\x07" {
            let mut off = [0u8; 8];
            off.copy_from_slice(&tail[at - 12..at - 4]);
            let off = u64::from_le_bytes(off);
            if off.checked_add(40).is_some_and(|end| end <= len) {
                let mut rec = [0u8; 40];
                file.seek(SeekFrom::Start(off))?;
                file.read_exact(&mut rec)?;
                if &rec[..4] == b"PK\x06\x06" {
                    let mut n = [0u8; 8];
                    n.copy_from_slice(&rec[32..40]);
                    most = most.max(u64::from_le_bytes(n));
                }
            }
        }
    }
    Ok(most)
}

pub(super) fn zip_parts(path: &Path, format: Format) -> Result<(), Refusal> {
    let mut file = File::open(path).map_err(|e| damaged(&e))?;
    let len = file.metadata().map_err(|e| damaged(&e))?.len();
    let entries = zip_entries(&mut file, len).map_err(|e| damaged(&e))?;
    if entries > MAX_PARTS {
        return Err(over(format!(
            "the workbook says it holds {entries} parts, over the limit of {MAX_PARTS}"
        )));
    }
    file.seek(SeekFrom::Start(0)).map_err(|e| damaged(&e))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| damaged(&e))?;
    let mut held = 0u64;
    for i in 0..zip.len() {
        let mut part = match zip.by_index(i) {
            Ok(p) => p,
            // An encrypted part: calamine says the workbook is protected.
            Err(zip::result::ZipError::UnsupportedArchive(_)) => continue,
            Err(e) => return Err(damaged(&e)),
        };
        let name = part.name().to_owned();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        let compressed = part.compressed_size();
        let whole = format == Format::Xlsx
            && (name.ends_with("sharedStrings.xml")
                || name.ends_with("styles.xml")
                || name.ends_with("workbook.xml")
                || name.ends_with(".rels")
                || name == "[Content_Types].xml");
        let mut counter = Counter::new(&name, compressed, whole.then_some(held));
        if format == Format::Ods && name == "content.xml" {
            let cells = ods_cells(BufReader::new(&mut counter.of(&mut part)));
            let cells = match cells {
                Ok(c) => c,
                Err(Ok(e)) => return Err(counter.why(e)),
                Err(Err(refusal)) => return Err(refusal),
            };
            if cells > MAX_WHOLE_CELLS {
                return Err(over(format!(
                    "the workbook's sheets make {cells} cells, over the limit of {MAX_WHOLE_CELLS} for an .ods (read whole)"
                )));
            }
        } else {
            let mut buf = vec![0u8; 64 * 1024];
            let mut reader = counter.of(&mut part);
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => return Err(counter.why(e)),
                }
            }
        }
        if counter.strings > MAX_SHARED_STRINGS {
            return Err(over(format!(
                "the workbook holds more than {MAX_SHARED_STRINGS} shared strings"
            )));
        }
        if whole {
            held += counter.bytes;
        }
    }
    Ok(())
}

/// Counts what a part inflates to, as it streams past.
pub(super) struct Counter {
    name: String,
    compressed: u64,
    /// Bytes of parts held whole before this one, when this one is held whole too.
    held_before: Option<u64>,
    bytes: u64,
    /// Bytes since the last `<` or `>`: the text or tag being read.
    run: u64,
    /// `<si>` elements seen (shared strings).
    strings: u64,
    /// A limit passed: the reason.
    refused: Option<String>,
}

impl Counter {
    fn new(name: &str, compressed: u64, held_before: Option<u64>) -> Counter {
        Counter {
            name: name.to_owned(),
            compressed,
            held_before,
            bytes: 0,
            run: 0,
            strings: 0,
            refused: None,
        }
    }

    fn of<'a, R: Read>(&'a mut self, inner: &'a mut R) -> Counted<'a, R> {
        Counted {
            counter: self,
            inner,
            tail: [0; 3],
        }
    }

    /// Why reading stopped: the limit passed, or the damage met.
    fn why(&self, e: impl std::fmt::Display) -> Refusal {
        match &self.refused {
            Some(r) => over(r),
            None => damaged(&format!("its part {}: {e}", self.name)),
        }
    }

    fn take(&mut self, b: &[u8], tail: &mut [u8; 3]) -> Result<(), String> {
        self.bytes += b.len() as u64;
        if self.bytes > MAX_PART_BYTES {
            return Err(format!(
                "the workbook's part {} inflates to more than {} MiB, the limit for one part",
                self.name,
                MAX_PART_BYTES / (1024 * 1024)
            ));
        }
        if self.bytes > RATIO_FROM && self.bytes > self.compressed.saturating_mul(MAX_RATIO) {
            return Err(format!(
                "the workbook's part {} inflates more than {MAX_RATIO} times over ({} bytes from {}): a zip bomb, or a sheet of nothing",
                self.name, self.bytes, self.compressed
            ));
        }
        if let Some(before) = self.held_before
            && before + self.bytes > MAX_HELD_BYTES
        {
            return Err(format!(
                "the workbook's shared strings, styles and sheet list inflate to more than {} MiB, the limit for what is held whole",
                MAX_HELD_BYTES / (1024 * 1024)
            ));
        }
        match memchr::memrchr2(b'<', b'>', b) {
            Some(i) => self.run = (b.len() - i - 1) as u64,
            None => self.run += b.len() as u64,
        }
        if self.run > MAX_XML_RUN {
            return Err(format!(
                "the workbook's part {} holds a text or tag longer than {MAX_XML_RUN} bytes, the limit for one cell",
                self.name
            ));
        }
        // `<si>` and `<si ` begin a shared string; one may straddle two reads (it starts in
        // the last three bytes of the one before).
        let head = &b[..b.len().min(3)];
        let mut joined = [0u8; 6];
        joined[..3].copy_from_slice(tail);
        joined[3..3 + head.len()].copy_from_slice(head);
        for pat in [&b"<si>"[..], &b"<si "[..]] {
            self.strings += memchr::memmem::find_iter(b, pat).count() as u64;
            self.strings += memchr::memmem::find_iter(&joined[..3 + head.len()], pat)
                .filter(|&at| at < 3)
                .count() as u64;
        }
        if b.len() >= 3 {
            tail.copy_from_slice(&b[b.len() - 3..]);
        } else {
            let keep = 3 - b.len();
            tail.copy_within(3 - keep.., 0);
            tail[keep..].copy_from_slice(b);
        }
        Ok(())
    }
}

pub(super) struct Counted<'a, R> {
    counter: &'a mut Counter,
    inner: &'a mut R,
    tail: [u8; 3],
}

/// Text cells of sheets read whole may hold, once laid out.
pub const MAX_WHOLE_TEXT: u64 = 256 * 1024 * 1024;

/// The cells of an `.ods`'s content (`ods.rs`), or why it is refused; an error reading it is
/// `Err(Ok)`.
pub(super) fn ods_cells<R: std::io::BufRead>(input: R) -> Result<u64, Result<String, Refusal>> {
    let limits = ods::Limits {
        cell_text: MAX_XML_RUN,
        cells: MAX_WHOLE_CELLS,
        text: MAX_WHOLE_TEXT,
    };
    let cost = ods::cost(input, &limits).map_err(|f| match f {
        ods::Failed::Damaged(e) => Ok(e),
        ods::Failed::CellText => Err(over(format!(
            "a cell of the workbook holds more than {MAX_XML_RUN} bytes of text, the limit for one cell"
        ))),
    })?;
    if cost.text > MAX_WHOLE_TEXT {
        return Err(Err(over(format!(
            "the workbook's cells hold more than {} MiB of text once laid out, the limit for an .ods (read whole)",
            MAX_WHOLE_TEXT / (1024 * 1024)
        ))));
    }
    Ok(cost.cells)
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.counter.refused.is_some() {
            return Err(std::io::Error::other("refused"));
        }
        let n = self.inner.read(buf)?;
        if let Err(why) = self.counter.take(&buf[..n], &mut self.tail) {
            self.counter.refused = Some(why);
            return Err(std::io::Error::other("refused"));
        }
        Ok(n)
    }
}
