//! Budgets of a workbook, checked before calamine opens it: calamine allocates from what a
//! file claims (a cell's column, a row's repeat count, a part's size, a header's counts) and
//! an allocation that fails aborts the process. Each check reads only what it counts, in
//! bounded memory, and refuses a file past a limit with what the limit is (README: "Limits").
//!
//! Invariants: every workbook passes [`check`] before calamine sees it. `.xlsx`/`.ods`: the
//! zip's entry count is read from its end record before the zip is opened; every XML part is
//! inflated once through a counter (bytes, the ratio to its compressed size, the longest
//! text or tag); `.ods` content is walked as calamine walks it, counting the cells it would
//! make. `.xls`: the compound file's header counts are checked against the file's size, and
//! every sheet's records are walked as calamine walks them, counting the dense range it would
//! allocate. A check that cannot finish reading refuses (it fails closed).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The largest workbook read (CSV has no such limit: it is streamed).
pub const MAX_WORKBOOK_BYTES: u64 = 256 * 1024 * 1024;
/// Parts (files) in an `.xlsx` or `.ods`; Excel writes a few dozen.
pub const MAX_PARTS: u64 = 10_000;
/// Bytes one part may inflate to.
pub const MAX_PART_BYTES: u64 = 1024 * 1024 * 1024;
/// Bytes the parts calamine holds whole (shared strings, styles, the workbook) may inflate
/// to, together.
pub const MAX_HELD_BYTES: u64 = 256 * 1024 * 1024;
/// How far a part may inflate beyond its compressed size, once past [`RATIO_FROM`]: a
/// sheet's XML compresses about 5 to 30 times; a zip bomb, hundreds to thousands.
pub const MAX_RATIO: u64 = 100;
const RATIO_FROM: u64 = 64 * 1024 * 1024;
/// The longest text or tag in a part (one cell's text, one element), as one CSV line.
pub const MAX_XML_RUN: u64 = crate::survey::input::MAX_LINE_BYTES as u64;
/// Shared strings an `.xlsx` may hold (calamine keeps them all).
pub const MAX_SHARED_STRINGS: u64 = 4_000_000;
/// Cells of all sheets of a workbook read whole (`.xls`, `.ods`), as calamine allocates
/// them: each sheet's rectangle from its first to its last cell. Larger sheets: `.xlsx`
/// (streamed) or CSV.
pub const MAX_WHOLE_CELLS: u64 = 4_000_000;

/// Why a workbook is not opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Past a limit (JM006).
    Limit(String),
    /// Damaged: the check could not read what it counts (JM122).
    Damaged(String),
}

/// The kinds of workbook, as the file's first bytes tell them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Ods,
    Xls,
}

/// Whether calamine may open the workbook at `path`, read as `format`; else why not.
pub fn check(path: &Path, format: Format) -> Result<(), Refusal> {
    let len = std::fs::metadata(path)
        .map_err(|e| Refusal::Damaged(format!("cannot read: {}", crate::load::io_reason(&e))))?
        .len();
    if len > MAX_WORKBOOK_BYTES {
        return Err(Refusal::Limit(format!(
            "the workbook is {} MiB, over the {} MiB limit for a workbook; export the sheet as CSV, which is streamed",
            len / (1024 * 1024),
            MAX_WORKBOOK_BYTES / (1024 * 1024)
        )));
    }
    match format {
        Format::Xlsx | Format::Ods => {
            // Excel wraps a password-protected workbook in a compound file, which calamine
            // opens to say so.
            let mut file = File::open(path).map_err(|e| damaged(&e))?;
            let mut magic = [0u8; 4];
            if file.read_exact(&mut magic).is_ok() && magic == [0xD0, 0xCF, 0x11, 0xE0] {
                return cfb_header(&mut file, len);
            }
            zip_parts(path, format)
        }
        Format::Xls => xls(path, len),
    }
}

/// A limit passed, said for the user: what, and what to do.
fn over(what: impl std::fmt::Display) -> Refusal {
    Refusal::Limit(format!(
        "{what}; this is a limit that keeps journeymap safe on hostile files: export the sheet as CSV if the workbook is genuine"
    ))
}

/// The check could not read the workbook: damaged, said for the user.
fn damaged(e: &dyn std::fmt::Display) -> Refusal {
    Refusal::Damaged(format!(
        "cannot read the workbook ({e}); it may be damaged: open it in a spreadsheet and save it again, or export it as CSV"
    ))
}

// ---------------------------------------------------------------------------------------
// Zip containers (.xlsx, .ods)

/// The entry count a zip's end records claim (the largest, when several records could be
/// the end): read from the last 64 KiB before anything allocates for the entries.
fn zip_entries(file: &mut File, len: u64) -> std::io::Result<u64> {
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

fn zip_parts(path: &Path, format: Format) -> Result<(), Refusal> {
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
struct Counter {
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

struct Counted<'a, R> {
    counter: &'a mut Counter,
    inner: &'a mut R,
    tail: [u8; 3],
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

/// Text cells of sheets read whole may hold, once laid out.
pub const MAX_WHOLE_TEXT: u64 = 256 * 1024 * 1024;

/// The cells of an `.ods`'s content (`ods.rs`), or why it is refused; an error reading it is
/// `Err(Ok)`.
fn ods_cells<R: std::io::BufRead>(input: R) -> Result<u64, Result<String, Refusal>> {
    let limits = super::ods::Limits {
        cell_text: MAX_XML_RUN,
        cells: MAX_WHOLE_CELLS,
        text: MAX_WHOLE_TEXT,
    };
    let cost = super::ods::cost(input, &limits).map_err(|f| match f {
        super::ods::Failed::Damaged(e) => Ok(e),
        super::ods::Failed::CellText => Err(over(format!(
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

// ---------------------------------------------------------------------------------------
// Compound files (.xls)

/// The counts in a compound file's header that calamine allocates from (sectors of the FAT,
/// the DIFAT and the mini FAT): none may exceed the sectors the file has.
fn cfb_header(file: &mut File, len: u64) -> Result<(), Refusal> {
    let mut header = [0u8; 512];
    file.seek(SeekFrom::Start(0)).map_err(|e| damaged(&e))?;
    file.read_exact(&mut header).map_err(|e| damaged(&e))?;
    let u32_at = |i: usize| {
        u64::from(u32::from_le_bytes([
            header[i],
            header[i + 1],
            header[i + 2],
            header[i + 3],
        ]))
    };
    let shift = u32::from(u16::from_le_bytes([header[30], header[31]]));
    if !(7..=16).contains(&shift) {
        return Err(damaged(&"its sector size is not one a compound file has"));
    }
    let sectors = len >> shift;
    for (what, at) in [("FAT", 44), ("mini FAT", 64), ("DIFAT", 72)] {
        if u32_at(at) > sectors {
            return Err(damaged(&format!(
                "its header claims {} {what} sectors, but the file has {sectors}",
                u32_at(at)
            )));
        }
    }
    Ok(())
}

fn xls(path: &Path, len: u64) -> Result<(), Refusal> {
    let mut file = File::open(path).map_err(|e| damaged(&e))?;
    cfb_header(&mut file, len)?;
    file.seek(SeekFrom::Start(0)).map_err(|e| damaged(&e))?;
    let mut cfb = cfb::CompoundFile::open(BufReader::new(file)).map_err(|e| damaged(&e))?;
    let mut stream = None;
    for name in ["Workbook", "Book", "WORKBOOK", "BOOK"] {
        if let Ok(s) = cfb.open_stream(name) {
            stream = Some(s);
            break;
        }
    }
    let Some(stream) = stream else {
        return Err(damaged(&"it has no workbook stream"));
    };
    let mut bytes = Vec::new();
    stream
        .take(len)
        .read_to_end(&mut bytes)
        .map_err(|e| damaged(&e))?;
    let cells = biff_cells(&bytes).map_err(|e| damaged(&e))?;
    if cells > MAX_WHOLE_CELLS {
        return Err(over(format!(
            "the workbook's sheets make {cells} cells as a spreadsheet lays them out, over the limit of {MAX_WHOLE_CELLS} for an .xls (read whole)"
        )));
    }
    Ok(())
}

/// One BIFF record: its type and data.
fn records(mut s: &[u8]) -> impl Iterator<Item = Result<(u16, &[u8]), &'static str>> {
    std::iter::from_fn(move || {
        if s.is_empty() {
            return None;
        }
        if s.len() < 4 {
            return Some(Err("a record is cut short"));
        }
        let typ = u16::from_le_bytes([s[0], s[1]]);
        let len = usize::from(u16::from_le_bytes([s[2], s[3]]));
        if s.len() < 4 + len {
            s = &[];
            return Some(Err("a record is cut short"));
        }
        let data = &s[4..4 + len];
        s = &s[4 + len..];
        Some(Ok((typ, data)))
    })
}

/// The cells calamine allocates for an `.xls` workbook stream: for every sheet the globals
/// list, the room its dimensions record reserves, and the rectangles from the first to the
/// last cell (values, and formulas apart).
fn biff_cells(stream: &[u8]) -> Result<u64, &'static str> {
    let u16_at = |d: &[u8], i: usize| u64::from(u16::from_le_bytes([d[i], d[i + 1]]));
    let u32_at =
        |d: &[u8], i: usize| u64::from(u32::from_le_bytes([d[i], d[i + 1], d[i + 2], d[i + 3]]));
    let mut sheets = Vec::new();
    for r in records(stream) {
        let (typ, data) = r?;
        match typ {
            0x0085 if data.len() >= 4 => sheets.push(u32_at(data, 0)),
            0x000A => break,
            _ => {}
        }
    }
    let mut total = 0u64;
    for pos in sheets {
        let Some(sheet) = usize::try_from(pos).ok().and_then(|p| stream.get(p..)) else {
            return Err("a sheet starts past the end of the workbook");
        };
        let mut cells = Extent::default();
        let mut formulas = Extent::default();
        for r in records(sheet) {
            let (typ, d) = r?;
            let at = |d: &[u8]| (d.len() >= 4).then(|| (u16_at(d, 0), u16_at(d, 2)));
            match typ {
                0x0200 => {
                    // Dimensions: calamine reserves rows × columns, its arithmetic wrapping.
                    let (rf, rl, cf, cl) = match d.len() {
                        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
                        14 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
                        _ => return Err("a dimensions record of the wrong length"),
                    };
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    let (end_r, end_c) = if rl >= 1 && cl >= 1 {
                        (rl - 1, cl - 1)
                    } else {
                        (rf, cf)
                    };
                    let rows = (end_r as u32).wrapping_sub(rf as u32).wrapping_add(1);
                    let cols = (end_c as u32).wrapping_sub(cf as u32).wrapping_add(1);
                    total = total.saturating_add(u64::from(rows).saturating_mul(u64::from(cols)));
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                    if let Some((r, c)) = at(d) {
                        cells.add(r, c);
                    }
                }
                0x00BD if d.len() >= 6 => {
                    let r = u16_at(d, 0);
                    cells.add(r, u16_at(d, 2));
                    cells.add(r, u16_at(d, d.len() - 2));
                }
                0x0006 => {
                    if let Some((r, c)) = at(d) {
                        cells.add(r, c);
                        formulas.add(r, c);
                    }
                }
                0x000A => break,
                _ => {}
            }
            if total > MAX_WHOLE_CELLS {
                return Ok(total);
            }
        }
        total = total
            .saturating_add(cells.area())
            .saturating_add(formulas.area());
        if total > MAX_WHOLE_CELLS {
            return Ok(total);
        }
    }
    Ok(total)
}

/// The smallest rectangle holding some cells.
#[derive(Default)]
struct Extent(Option<(u64, u64, u64, u64)>);

impl Extent {
    fn add(&mut self, r: u64, c: u64) {
        self.0 = Some(match self.0 {
            None => (r, r, c, c),
            Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(c), c1.max(c)),
        });
    }

    fn area(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| {
            (r1 - r0 + 1).saturating_mul(c1 - c0 + 1)
        })
    }
}
