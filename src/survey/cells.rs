//! The text of a cell as the reader uses it: trimmed of whitespace, a byte-order mark and
//! no-break spaces at its ends; a header cell's bytes as text whatever their encoding.
//!
//! Invariants: trimming never allocates; a cell that starts and ends with a printable ASCII
//! byte is returned as it is (most cells).

use super::records::Fields;

/// Field `i` of a record, trimmed of ASCII whitespace (and of the `\r` of a CRLF line end);
/// empty when the row is shorter.
#[inline(always)]
pub fn cell(rec: &impl Fields, i: usize) -> &[u8] {
    let c = rec.field(i).unwrap_or(b"");
    // Most cells start and end with a printable ASCII byte: nothing to trim.
    match (c.first(), c.last()) {
        (Some(&a), Some(&b)) if (b'!'..=b'~').contains(&a) && (b'!'..=b'~').contains(&b) => c,
        _ => trimmed(c),
    }
}

/// A cell without the whitespace (and BOM or no-break space) at its ends.
fn trimmed(c: &[u8]) -> &[u8] {
    let c = c.trim_ascii();
    // A BOM or a no-break space pasted at either end is not part of the answer (a stage
    // "\u{feff}a" is stage `a`).
    if c.first().is_some_and(|b| *b >= 0xC2) || c.last().is_some_and(|b| *b >= 0x80) {
        return trim_invisible(c);
    }
    c
}

fn trim_invisible(mut c: &[u8]) -> &[u8] {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    const NBSP: &[u8] = "\u{a0}".as_bytes();
    loop {
        let before = c.len();
        for edge in [BOM, NBSP] {
            c = c.strip_prefix(edge).unwrap_or(c);
            c = c.strip_suffix(edge).unwrap_or(c);
        }
        c = c.trim_ascii();
        if c.len() == before {
            return c;
        }
    }
}

/// Text of a header cell: UTF-8, or Windows-1252 when the bytes are not UTF-8.
pub fn cell_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}
