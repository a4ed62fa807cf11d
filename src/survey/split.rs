//! Waves and segments: which part of the data each row belongs to (README: "Waves and
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

/// The segment a cell names: its text trimmed, [`BLANK`] when empty.
fn segment_text(cell: &[u8]) -> std::borrow::Cow<'static, str> {
    let text = input::cell_text(cell);
    match text.trim() {
        "" => BLANK.into(),
        t => t.to_owned().into(),
    }
}

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

struct Segments {
    col: usize,
    column: String,
    /// The listed segments: text, where the map lists it, id.
    listed: Vec<(String, Pos, u16)>,
    /// Cell text -> segment id, for cells already seen.
    ids: HashMap<Vec<u8>, u16>,
    /// Rows of values outside the list: text -> (rows, first line).
    outside: BTreeMap<String, (u64, u64)>,
    overflow: bool,
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
    /// Rows left out by `where:`, by the wave and segment text they would have had.
    filtered: HashMap<(Option<String>, Option<String>), u64>,
}

impl Split {
    pub(super) fn has_parts(&self) -> bool {
        !matches!(self.wave, WaveRule::None) || self.segments.is_some()
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

    /// A segment cell not seen before: its segment, or `None` when it is outside the list.
    fn new_segment(&mut self, seg: &mut Segments, cell: &[u8], line: u64) -> Option<u16> {
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

    /// After the last row of a file: declared waves without rows, rows whose wave could not be
    /// told, segments that are too small or missing, rows outside the listed segments; and
    /// rows left out by `where:` put on the figures of their wave and segment.
    pub(super) fn finish_split(&mut self, split: Split, touched: &[[bool; 4]]) {
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
                .map(|(v, (n, _))| format!("`{}` ({n})", super::plausible::shorten(v)))
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

impl SurveyData {
    /// The id of a wave label, added when new; `None` past [`MAX_WAVES`] waves the map does
    /// not declare. `declared`: the map names this wave, so its place in the order is the
    /// map's.
    pub(super) fn wave_id(&mut self, label: &str, declared: bool) -> Option<u16> {
        let id = register(&mut self.waves, label, declared, MAX_WAVES, |a, b| a == b)?;
        note_declared(&mut self.declared_waves, id, declared);
        Some(id)
    }

    fn find_wave(&self, label: &str) -> Option<u16> {
        find(&self.waves, label, |a, b| a == b)
    }

    /// The same for a segment value, compared without regard to case.
    pub(super) fn segment_id(&mut self, label: &str, declared: bool) -> Option<u16> {
        let same = crate::words::same_name;
        let id = register(&mut self.segments, label, declared, MAX_SEGMENTS, same)?;
        note_declared(&mut self.declared_segments, id, declared);
        Some(id)
    }

    fn find_segment(&self, label: &str) -> Option<u16> {
        find(&self.segments, label, crate::words::same_name)
    }

    /// After the last survey: waves and segments in order (the map's order for those it
    /// lists, then the rest sorted as text), and the headline figures of every stage and of
    /// the journey made the latest wave's.
    pub(super) fn settle(&mut self) {
        let wave_order = order(&self.waves, &self.declared_waves);
        let segment_order = order(&self.segments, &self.declared_segments);
        let remap = |order: &[u16], id: Option<u16>| {
            id.and_then(|id| order.iter().position(|o| *o == id))
                .and_then(|p| u16::try_from(p).ok())
        };
        self.waves = wave_order
            .iter()
            .map(|i| self.waves[usize::from(*i)].clone())
            .collect();
        self.wave_rows = wave_order
            .iter()
            .map(|i| self.wave_rows.get(usize::from(*i)).copied().unwrap_or(0))
            .collect();
        self.segments = segment_order
            .iter()
            .map(|i| self.segments[usize::from(*i)].clone())
            .collect();
        let latest = self
            .waves
            .len()
            .checked_sub(1)
            .and_then(|l| u16::try_from(l).ok());
        for agg in self
            .stages
            .iter_mut()
            .chain(std::iter::once(&mut self.overall))
        {
            let parts = std::mem::take(&mut agg.parts);
            agg.parts = parts
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        wave: remap(&wave_order, k.wave),
                        segment: remap(&segment_order, k.segment),
                    };
                    (key, v)
                })
                .collect();
            if let Some(latest) = latest {
                let head = agg
                    .parts
                    .get(&Key::wave(latest))
                    .cloned()
                    .unwrap_or_else(|| agg.blank());
                let parts = std::mem::take(&mut agg.parts);
                *agg = Aggregate { parts, ..head };
            }
        }
    }
}

impl SurveyData {
    /// A warning when the latest wave, which the headline figures come from, has less than
    /// a quarter of the rows of the wave before: most often a wave still being collected.
    pub(super) fn unfinished_wave(&self, map: &str) -> Option<crate::diagnostic::Diagnostic> {
        let [.., before, latest] = self.wave_rows.as_slice() else {
            return None;
        };
        // A wave with no rows at all is one the map declares, an error of its own.
        if *latest == 0 || latest.saturating_mul(4) >= *before {
            return None;
        }
        let n = self.waves.len();
        let msg = format!(
            "the latest wave, `{}`, has {latest} {} against {before} in `{}`, and the headline figures come from it; if it is still being collected, leave its rows out (`where:`, or an end date in `ranges:`) until it is complete",
            self.waves[n - 1],
            if *latest == 1 { "row" } else { "rows" },
            self.waves[n - 2]
        );
        Some(crate::diagnostic::Diagnostic::new(
            Code::SmallLatestWave,
            map,
            self.wave_pos.unwrap_or_default(),
            msg,
        ))
    }
}

/// The id of `label` among `labels` (compared by `same`), added when new: past `cap`
/// labels only when the map declares it.
fn register(
    labels: &mut Vec<String>,
    label: &str,
    declared: bool,
    cap: usize,
    same: fn(&str, &str) -> bool,
) -> Option<u16> {
    if let Some(id) = find(labels, label, same) {
        return Some(id);
    }
    if labels.len() >= cap && !declared {
        return None;
    }
    labels.push(label.to_owned());
    u16::try_from(labels.len() - 1).ok()
}

fn find(labels: &[String], label: &str, same: fn(&str, &str) -> bool) -> Option<u16> {
    let i = labels.iter().position(|l| same(l, label))?;
    u16::try_from(i).ok()
}

fn note_declared(ids: &mut Vec<u16>, id: u16, declared: bool) {
    if declared && !ids.contains(&id) {
        ids.push(id);
    }
}

/// Ids in order: the declared ones as declared, then the others sorted by their text.
fn order(labels: &[String], declared: &[u16]) -> Vec<u16> {
    let mut rest: Vec<u16> = (0..labels.len())
        .filter_map(|i| u16::try_from(i).ok())
        .filter(|i| !declared.contains(i))
        .collect();
    rest.sort_by(|a, b| labels[usize::from(*a)].cmp(&labels[usize::from(*b)]));
    declared.iter().copied().chain(rest).collect()
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

    #[test]
    fn declared_order_first_then_text() {
        let labels: Vec<String> = ["2026-Q3", "Pilot", "2026-Q1", "2026-Q2"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(order(&labels, &[1]), vec![1, 2, 3, 0]);
        assert_eq!(order(&labels, &[]), vec![2, 3, 0, 1]);
    }
}
