//! Budgets of a workbook, checked before calamine opens it: calamine allocates from what a
//! file claims (a cell's column, a row's repeat count, a part's size, a header's counts) and
//! an allocation that fails aborts the process. Each check reads only what it counts, in
//! bounded memory, and refuses a file past a limit with what the limit is (the guide: "Limits").
//!
//! Invariants: every workbook passes [`check`] before calamine sees it. `.xlsx`/`.ods`: the
//! zip's entry count is read from its end record before the zip is opened; every XML part is
//! inflated once through a counter (bytes, the ratio to its compressed size, the longest
//! text or tag); `.ods` content is walked as calamine walks it, counting the cells it would
//! make. `.xls`: the compound file's header counts are checked against the file's size, and
//! every sheet's records are walked as calamine walks them, counting the dense range it would
//! allocate. A check that cannot finish reading refuses (it fails closed).

mod compound;
mod container;
mod ods;

use compound::{cfb_header, xls};
use container::zip_parts;

use std::fs::File;
use std::io::Read;
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
pub(super) const RATIO_FROM: u64 = 64 * 1024 * 1024;
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
pub(super) fn over(what: impl std::fmt::Display) -> Refusal {
    Refusal::Limit(format!(
        "{what}; this is a limit that keeps journeymap safe on hostile files: export the sheet as CSV if the workbook is genuine"
    ))
}

/// The check could not read the workbook: damaged, said for the user.
pub(super) fn damaged(e: &dyn std::fmt::Display) -> Refusal {
    Refusal::Damaged(format!(
        "cannot read the workbook ({e}); it may be damaged: open it in a spreadsheet and save it again, or export it as CSV"
    ))
}
