//! The budget of a compound file (`.xls`): the header's counts checked against the file's
//! size, and every sheet's records walked as calamine walks them, counting the dense range it
//! would allocate.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::{MAX_WHOLE_CELLS, Refusal, damaged, over};

/// The counts in a compound file's header that calamine allocates from (sectors of the FAT,
/// the DIFAT and the mini FAT): none may exceed the sectors the file has.
pub(super) fn cfb_header(file: &mut File, len: u64) -> Result<(), Refusal> {
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

pub(super) fn xls(path: &Path, len: u64) -> Result<(), Refusal> {
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
pub(super) fn records(mut s: &[u8]) -> impl Iterator<Item = Result<(u16, &[u8]), &'static str>> {
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
pub(super) fn biff_cells(stream: &[u8]) -> Result<u64, &'static str> {
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
pub(super) struct Extent(Option<(u64, u64, u64, u64)>);

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
