//! A survey's segment column: which segment a cell names, the listed segments, and the
//! values outside the list or past the cap, counted for the report.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Code;
use crate::model::Pos;

use super::super::{Reader, input};
use super::{BLANK, MAX_SEGMENTS};

/// The segment a cell names: its text trimmed, [`BLANK`] when empty.
pub(super) fn segment_text(cell: &[u8]) -> std::borrow::Cow<'static, str> {
    let text = input::cell_text(cell);
    match text.trim() {
        "" => BLANK.into(),
        t => t.to_owned().into(),
    }
}

pub(super) struct Segments {
    pub col: usize,
    pub column: String,
    /// The listed segments: text, where the map lists it, id.
    pub listed: Vec<(String, Pos, u16)>,
    /// Cell text -> segment id, for cells already seen.
    pub ids: HashMap<Vec<u8>, u16>,
    /// Rows of values outside the list: text -> (rows, first line).
    pub outside: BTreeMap<String, (u64, u64)>,
    pub overflow: bool,
}

impl Reader<'_> {
    /// A segment cell not seen before: its segment, or `None` when it is outside the list.
    pub(super) fn new_segment(
        &mut self,
        seg: &mut Segments,
        cell: &[u8],
        line: u64,
    ) -> Option<u16> {
        let text = segment_text(cell);
        let text = text.as_ref();
        let id = if seg.listed.is_empty() {
            let id = self.data.segment_id(text, false);
            if id.is_none() && !seg.overflow {
                seg.overflow = true;
                let msg = format!(
                    "segment column `{}` has more than {MAX_SEGMENTS} different values; list the segments to show with `segments:`",
                    seg.column
                );
                self.at_csv(Code::WaveBinding, line, seg.col + 1, msg);
            }
            id
        } else {
            let found = seg
                .listed
                .iter()
                .find(|(l, _, _)| crate::words::same_name(l, text))
                .map(|(_, _, id)| *id);
            if found.is_none() {
                seg.outside.entry(text.to_owned()).or_insert((0, line)).0 += 1;
            }
            found
        };
        if let Some(id) = id
            && seg.ids.len() < 10_000
        {
            seg.ids.insert(cell.to_vec(), id);
        }
        id
    }
}
