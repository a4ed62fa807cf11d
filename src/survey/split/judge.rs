//! After the last row of a file: what its waves and segments say about the binding (declared
//! waves without rows, rows whose wave could not be told, segments too small, missing or not
//! listed), and rows left out by `where:` put on the figures of their wave and segment.
//!
//! Invariants: every problem is reported once per file, at the map line that binds it.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Code;

use super::{DETAILED, Key, Reader, Segments, Split, WaveRule};

impl Reader<'_> {
    /// After the last row of a file: declared waves without rows, rows whose wave could not be
    /// told, segments that are too small or missing, rows outside the listed segments; and
    /// rows left out by `where:` put on the figures of their wave and segment.
    pub(in crate::survey) fn finish_split(&mut self, split: Split, touched: &[[bool; 4]]) {
        for (id, label, pos) in &split.declared {
            if split.wave_rows.get(id).copied().unwrap_or(0) == 0 {
                let msg = format!(
                    "survey `{}` ({}): wave `{label}` has no rows{}",
                    self.survey.id.value,
                    self.file,
                    if self.survey.filter.is_empty() {
                        ""
                    } else {
                        " that the `where:` filter keeps"
                    }
                );
                self.at_map(Code::EmptyWave, *pos, msg);
            }
        }
        if split.unusable > DETAILED as u64
            && let WaveRule::Column { col, column, .. } = &split.wave
        {
            let msg = format!(
                "{} rows in all have a wave column `{column}` that names no wave (the first {DETAILED} are reported above); they are in no figure",
                split.unusable
            );
            self.at_csv(Code::WaveCell, 1, col + 1, msg);
        }
        if let Some(seg) = &split.segments {
            self.judge_segments(seg, &split.segment_rows);
        }
        self.spread_filtered(split.filtered, touched);
    }

    /// Segments: one with too few rows, a listed one no row has, and rows in no listed one.
    fn judge_segments(&mut self, seg: &Segments, segment_rows: &BTreeMap<u16, (u64, u64)>) {
        let min_n = self.data.segment_min_n;
        for (id, (rows, line)) in segment_rows {
            if *rows < min_n {
                let msg = format!(
                    "segment `{}` of column `{}` has {rows} {} in this file, fewer than the {min_n} a segment needs (`segment_min_n:`); its figures are shown as too small",
                    self.data.segments[usize::from(*id)],
                    seg.column,
                    if *rows == 1 { "row" } else { "rows" }
                );
                self.at_csv(Code::SmallSegment, *line, seg.col + 1, msg);
            }
        }
        for (text, pos, id) in &seg.listed {
            if !segment_rows.contains_key(id) {
                let values: Vec<String> = seg
                    .outside
                    .keys()
                    .take(10)
                    .map(|v| format!("`{v}`"))
                    .collect();
                let hint =
                    crate::suggest::did_you_mean(text, seg.outside.keys().map(String::as_str));
                let msg = format!(
                    "segment `{text}` matches no row of column `{}` in {}{}{hint}",
                    seg.column,
                    self.file,
                    if values.is_empty() {
                        String::new()
                    } else {
                        format!(" (values outside the list: {})", values.join(", "))
                    }
                );
                self.at_map(Code::SegmentNoRows, *pos, msg);
            }
        }
        if !seg.outside.is_empty() {
            let rows: u64 = seg.outside.values().map(|v| v.0).sum();
            let first = seg.outside.values().map(|v| v.1).min().unwrap_or(1);
            let values: Vec<String> = seg
                .outside
                .iter()
                .take(10)
                .map(|(v, (n, _))| format!("`{}` ({n})", crate::survey::plausible::shorten(v)))
                .collect();
            let msg = format!(
                "{rows} rows of survey `{}` have a segment outside its `segments:` in column `{}`: {}; they count in the stage figures but in no segment (list them in `segments:` to show them)",
                self.survey.id.value,
                seg.column,
                values.join(", ")
            );
            self.at_csv(Code::RowsOutsideSegments, first, seg.col + 1, msg);
        }
    }

    /// Rows left out by `where:`, put on the figures of the wave and segment they would
    /// have been in (those that exist), for the measures this survey fed.
    fn spread_filtered(
        &mut self,
        filtered: HashMap<(Option<String>, Option<String>), u64>,
        touched: &[[bool; 4]],
    ) {
        let journey = touched.len().saturating_sub(1);
        for ((wave, segment), count) in filtered {
            let key = Key {
                wave: wave.and_then(|w| self.data.find_wave(&w)),
                segment: segment.and_then(|s| self.data.find_segment(&s)),
            };
            for (i, measures) in touched.iter().enumerate() {
                let agg = self.data.target((i < journey).then_some(i));
                for part in key.parts() {
                    if let Some(p) = agg.parts.get_mut(&part) {
                        for (s, fed) in measures.iter().enumerate() {
                            if *fed {
                                p.filtered[s] += count;
                            }
                        }
                    }
                }
            }
        }
    }
}
