//! Waves and segments: which part of the data each row belongs to (the guide: "Waves and
//! segments").
//!
//! Invariants: a kept row whose wave cannot be told is reported at its line and counted in no
//! figure; every wave the map declares gets rows or an error; a listed segment the file lacks
//! is an error and rows outside the listed segments are counted and reported; after the last
//! survey, waves are put in order and the headline figures become the latest wave's.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use crate::diagnostic::Code;
use crate::model::{DayOrder, Pos, WaveBy};

mod judge;
mod registry;
mod segments;

use segments::{Segments, segment_text};

use super::wave::{self, Bucket, NotADay, OrderSeen, SlashOrder};
use super::{Aggregate, Reader, SurveyData, input};

/// Waves a map may have; more is a label column that is not one.
pub const MAX_WAVES: usize = 100;
/// Segments a map may have without listing them.
pub const MAX_SEGMENTS: usize = 50;
/// Answers a segment's figure needs, unless the survey says otherwise.
pub const DEFAULT_MIN_N: u64 = 10;
/// The segment of rows whose segment cell is empty.
pub const BLANK: &str = "(blank)";
/// Unusable wave cells reported one by one; the rest are counted.
const DETAILED: usize = 5;
/// Distinct (wave, segment) cells remembered for rows left out by `where:`.
const MAX_FILTERED_KEYS: usize = 10_000;

/// The part of the data a row belongs to: its wave and its segment, as ids into
/// [`SurveyData`]'s lists (put in order by [`SurveyData::settle`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub wave: Option<u16>,
    pub segment: Option<u16>,
}

impl Key {
    pub fn wave(w: u16) -> Key {
        Key {
            wave: Some(w),
            segment: None,
        }
    }

    pub fn segment(s: u16) -> Key {
        Key {
            wave: None,
            segment: Some(s),
        }
    }

    /// The parts a row with this key feeds besides the pooled figures: its wave, its
    /// segment, and the two together.
    pub fn parts(self) -> impl Iterator<Item = Key> {
        let both = (self.wave.is_some() && self.segment.is_some()).then_some(self);
        self.wave
            .map(Key::wave)
            .into_iter()
            .chain(self.segment.map(Key::segment))
            .chain(both)
    }
}

/// How a wave cell names its wave.
enum CellRule {
    /// The cell is the label; with `order:`, one of the listed labels.
    Label(Option<Vec<(String, u16)>>),
    Bucket(Bucket, Option<SlashOrder>),
    Ranges(Vec<(Date, Date, u16)>, Option<SlashOrder>),
}

enum WaveRule {
    None,
    /// Every row of this file is in one wave.
    Fixed(u16),
    Column {
        col: usize,
        column: String,
        rule: CellRule,
    },
}

/// One survey file's plan for waves and segments, and what it counted.
pub(super) struct Split {
    wave: WaveRule,
    segments: Option<Segments>,
    /// Waves the map declares for this file, to check each got rows.
    declared: Vec<(u16, String, Pos)>,
    /// Kept rows per wave and per segment: (rows, first line).
    wave_rows: HashMap<u16, u64>,
    segment_rows: BTreeMap<u16, (u64, u64)>,
    /// Kept rows whose wave cell named no wave.
    unusable: u64,
    /// A date outside every range is no fault (`WaveColumn::outside_ranges_unused`).
    outside_unused: bool,
    /// Rows left out by `where:`, by the wave and segment text they would have had.
    filtered: HashMap<(Option<String>, Option<String>), u64>,
}

impl Split {
    pub(super) fn has_parts(&self) -> bool {
        !matches!(self.wave, WaveRule::None) || self.segments.is_some()
    }
}

/// A readable date that no range of a ranges rule takes.
fn outside_every_range(rule: &CellRule, cell: &str) -> bool {
    match rule {
        CellRule::Ranges(ranges, order) => wave::day(cell, *order)
            .is_ok_and(|d| !ranges.iter().any(|(from, to, _)| *from <= d && d <= *to)),
        _ => false,
    }
}

fn day_order(o: Option<DayOrder>) -> Option<SlashOrder> {
    o.map(|o| match o {
        DayOrder::MonthFirst => SlashOrder::MonthFirst,
        DayOrder::DayFirst => SlashOrder::DayFirst,
    })
}

impl Reader<'_> {
    /// The wave and segment plan of this file, or `None` when it cannot work (reported).
    pub(super) fn split(&mut self, names: &[String]) -> Option<Split> {
        let survey = self.survey;
        let mut declared = Vec::new();
        let bound_at = survey
            .wave
            .as_ref()
            .map(|w| w.column.pos)
            .or(self.fixed_wave.map(|w| w.pos));
        self.data.wave_pos = self.data.wave_pos.or(bound_at);
        let wave = if let Some(label) = self.fixed_wave {
            let id = self.wave_id(&label.value, label.pos)?;
            declared.push((id, label.value.clone(), label.pos));
            WaveRule::Fixed(id)
        } else if let Some(spec) = &survey.wave {
            let col = self.column(names, &spec.column.value, spec.column.pos, "the wave")?;
            WaveRule::Column {
                col,
                column: names[col].clone(),
                rule: self.wave_cells(spec, col, &mut declared)?,
            }
        } else {
            WaveRule::None
        };
        let segments = match &survey.segment_by {
            None => None,
            Some(by) => {
                let col = self.column(names, &by.value, by.pos, "the segments")?;
                let mut listed = Vec::new();
                for s in &survey.segments {
                    let text = s.value.trim().to_owned();
                    let id = self.data.segment_id(&text, true)?;
                    listed.push((text, s.pos, id));
                }
                Some(Segments {
                    col,
                    column: names[col].clone(),
                    listed,
                    ids: HashMap::new(),
                    outside: BTreeMap::new(),
                    overflow: false,
                })
            }
        };
        if let Some(n) = &survey.segment_min_n {
            self.data.segment_min_n = self.data.segment_min_n.max(n.value);
        }
        Some(Split {
            wave,
            segments,
            declared,
            wave_rows: HashMap::new(),
            segment_rows: BTreeMap::new(),
            unusable: 0,
            outside_unused: survey
                .wave
                .as_ref()
                .is_some_and(|w| w.outside_ranges_unused),
            filtered: HashMap::new(),
        })
    }

    /// How a wave column's cells name waves: by date (ranges, months or quarters, in the day
    /// order given or sniffed), by label in a listed order, or by label as they come.
    fn wave_cells(
        &mut self,
        spec: &crate::model::WaveColumn,
        col: usize,
        declared: &mut Vec<(u16, String, Pos)>,
    ) -> Option<CellRule> {
        let by = spec.by.as_ref().map(|b| b.value);
        let dated = match by {
            Some(WaveBy::Label) => false,
            Some(_) => true,
            None => !spec.ranges.is_empty(),
        };
        if !dated {
            if spec.order.is_empty() {
                return Some(CellRule::Label(None));
            }
            let mut listed = Vec::new();
            for o in &spec.order {
                let id = self.wave_id(o.value.trim(), o.pos)?;
                declared.push((id, o.value.trim().to_owned(), o.pos));
                listed.push((o.value.trim().to_owned(), id));
            }
            return Some(CellRule::Label(Some(listed)));
        }
        let order = match day_order(spec.day_order) {
            Some(o) => Some(o),
            None => self.sniff_day_order(col, spec.column.pos)?,
        };
        match by {
            Some(WaveBy::Month) => Some(CellRule::Bucket(Bucket::Month, order)),
            Some(WaveBy::Quarter) => Some(CellRule::Bucket(Bucket::Quarter, order)),
            _ => {
                let mut ranges = Vec::new();
                for r in &spec.ranges {
                    // Validation reports a range that does not parse.
                    let (Ok(from), Ok(to)) =
                        (r.from.value.parse::<Date>(), r.to.value.parse::<Date>())
                    else {
                        return None;
                    };
                    let id = self.wave_id(&r.label.value, r.label.pos)?;
                    declared.push((id, r.label.value.clone(), r.label.pos));
                    ranges.push((from, to, id));
                }
                Some(CellRule::Ranges(ranges, order))
            }
        }
    }

    /// A wave's id, declared by the map at `pos`; `None` past [`MAX_WAVES`] (reported).
    fn wave_id(&mut self, label: &str, pos: Pos) -> Option<u16> {
        let id = self.data.wave_id(label, true);
        if id.is_none() {
            let msg = format!("more than {MAX_WAVES} waves; a map shows at most {MAX_WAVES}");
            self.at_map(Code::WaveBinding, pos, msg);
        }
        id
    }

    /// Which part of the data a kept row belongs to; `None` when its wave cell names no wave
    /// (reported, the first few at their line).
    pub(super) fn key(
        &mut self,
        split: &mut Split,
        rec: &impl input::Fields,
        line: u64,
    ) -> Option<Key> {
        let wave = match &split.wave {
            WaveRule::None => None,
            WaveRule::Fixed(id) => Some(*id),
            WaveRule::Column { col, column, rule } => {
                let cell = input::cell_text(input::cell(rec, *col));
                if split.outside_unused && outside_every_range(rule, cell.trim()) {
                    return None;
                }
                match self.wave_of(rule, cell.trim()) {
                    Ok(id) => Some(id),
                    Err(why) => {
                        split.unusable += 1;
                        if split.unusable <= DETAILED as u64 {
                            let msg =
                                format!("wave column `{column}`: {why}; the row is in no figure");
                            self.at_csv(Code::WaveCell, line, col + 1, msg);
                        }
                        return None;
                    }
                }
            }
        };
        if let Some(w) = wave {
            *split.wave_rows.entry(w).or_insert(0) += 1;
            let w = usize::from(w);
            if self.data.wave_rows.len() <= w {
                self.data.wave_rows.resize(w + 1, 0);
            }
            self.data.wave_rows[w] += 1;
        }
        let segment = match &mut split.segments {
            None => None,
            Some(seg) => {
                let cell = input::cell(rec, seg.col);
                let id = match seg.ids.get(cell) {
                    Some(id) => Some(*id),
                    None => self.new_segment(seg, cell, line),
                };
                if let Some(id) = id {
                    split.segment_rows.entry(id).or_insert((0, line)).0 += 1;
                }
                id
            }
        };
        Some(Key { wave, segment })
    }

    /// The wave a cell names, or why it names none.
    fn wave_of(&mut self, rule: &CellRule, cell: &str) -> Result<u16, String> {
        let day = |order: Option<SlashOrder>| {
            wave::day(cell, order).map_err(|why| match why {
                NotADay::Unreadable if cell.is_empty() => "the cell is empty".to_owned(),
                NotADay::Unreadable => format!("`{cell}` is not a date"),
                NotADay::NoSuchDay => format!("`{cell}` names no day of the calendar"),
                NotADay::Ambiguous => format!(
                    "`{cell}` could be either day first or month first; add `day_order:` to the wave"
                ),
            })
        };
        match rule {
            CellRule::Label(None) if cell.is_empty() => Err("the cell is empty".to_owned()),
            CellRule::Label(None) => self.data.wave_id(cell, false).ok_or_else(|| {
                format!("more than {MAX_WAVES} different labels; is this the wave column?")
            }),
            CellRule::Label(Some(listed)) => listed
                .iter()
                .find(|(l, _)| crate::words::same_name(l, cell))
                .map(|(_, id)| *id)
                .ok_or_else(|| {
                    let labels: Vec<String> =
                        listed.iter().map(|(l, _)| format!("`{l}`")).collect();
                    format!(
                        "`{cell}` is not one of the waves in `order:` ({})",
                        labels.join(", ")
                    )
                }),
            CellRule::Bucket(bucket, order) => {
                let label = wave::label(day(*order)?, *bucket);
                self.data
                    .wave_id(&label, false)
                    .ok_or_else(|| format!("more than {MAX_WAVES} waves"))
            }
            CellRule::Ranges(ranges, order) => {
                let d = day(*order)?;
                ranges
                    .iter()
                    .find(|(from, to, _)| *from <= d && d <= *to)
                    .map(|(_, _, id)| *id)
                    .ok_or_else(|| format!("{d} is in none of the wave `ranges:`"))
            }
        }
    }

    /// A row left out by `where:`: remembered by the wave and segment it would have had, so
    /// the figures of that wave and segment can say so. Nothing is reported for it.
    pub(super) fn note_filtered(&mut self, split: &mut Split, rec: &impl input::Fields) {
        if !split.has_parts() {
            return;
        }
        let wave = match &split.wave {
            WaveRule::None => None,
            WaveRule::Fixed(id) => Some(self.data.waves[usize::from(*id)].clone()),
            WaveRule::Column { col, rule, .. } => {
                let cell = input::cell_text(input::cell(rec, *col));
                let cell = cell.trim();
                match rule {
                    CellRule::Label(_) => Some(cell.to_owned()),
                    CellRule::Bucket(b, o) => wave::day(cell, *o).ok().map(|d| wave::label(d, *b)),
                    CellRule::Ranges(ranges, o) => wave::day(cell, *o).ok().and_then(|d| {
                        ranges
                            .iter()
                            .find(|(f, t, _)| *f <= d && d <= *t)
                            .map(|(_, _, id)| self.data.waves[usize::from(*id)].clone())
                    }),
                }
            }
        };
        let segment = split
            .segments
            .as_ref()
            .map(|s| segment_text(input::cell(rec, s.col)).into_owned());
        let key = (wave, segment);
        if let Some(c) = split.filtered.get_mut(&key) {
            *c += 1;
        } else if split.filtered.len() < MAX_FILTERED_KEYS {
            split.filtered.insert(key, 1);
        }
    }

    /// Before the first row, when the wave's dates may be written with slashes: read the
    /// wave column once to learn whether the day or the month comes first. `Some(None)`
    /// when the dates have no slashes; `None` when the column cannot tell or contradicts
    /// itself (reported).
    fn sniff_day_order(&mut self, col: usize, pos: Pos) -> Option<Option<SlashOrder>> {
        let Some(path) = self.path else {
            return Some(None);
        };
        let Ok((mut input, sheet)) = super::open(path, self.survey, self.reading) else {
            return Some(None);
        };
        let row_of = |line: u64| sheet.as_ref().map_or(line, |(_, rows)| rows.row_of(line));
        let mut rec = input.pending.take().unwrap_or_default();
        let mut have = !rec.is_empty();
        let mut seen = OrderSeen::default();
        let mut slashes = false;
        loop {
            if !have && !matches!(input.reader.read(&mut rec), Ok(true)) {
                break;
            }
            have = false;
            let cell = input::cell_text(input::cell(&rec, col));
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            if !slashes {
                if !wave::has_slashes(cell) {
                    return Some(None);
                }
                slashes = true;
            }
            let line = row_of(rec.line());
            if let Err((first_line, first)) = seen.see(cell, (line, cell.to_owned())) {
                let (was, now) = match seen.seen.map(|(o, _)| o) {
                    Some(SlashOrder::DayFirst) => ("day first", "month first"),
                    _ => ("month first", "day first"),
                };
                let msg = format!(
                    "the dates in wave column `{}` disagree: `{first}` at line {first_line} can only be {was}, and `{cell}` here can only be {now}; fix the rows written the other way",
                    input.names.get(col).map_or("", String::as_str),
                );
                self.at_row(Code::WaveCell, line, col + 1, msg);
                return None;
            }
        }
        match seen.seen {
            Some((o, _)) => Some(Some(o)),
            None if slashes => {
                let msg = format!(
                    "survey `{}`: the dates in the wave column are written with slashes and none shows whether the day or the month comes first (every number is 12 or less); add `day_order: month-first` (US exports) or `day_order: day-first`",
                    self.survey.id.value
                );
                self.at_map(Code::WaveBinding, pos, msg);
                None
            }
            None => Some(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_feeds_its_wave_its_segment_and_both() {
        let k = Key {
            wave: Some(1),
            segment: Some(2),
        };
        let parts: Vec<Key> = k.parts().collect();
        assert_eq!(parts, vec![Key::wave(1), Key::segment(2), k]);
        assert_eq!(Key::wave(3).parts().collect::<Vec<_>>(), vec![Key::wave(3)]);
        assert_eq!(Key::default().parts().count(), 0);
    }
}
