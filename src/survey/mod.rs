//! Survey: stream CSV exports into per-stage and overall aggregates (README: "Surveys").
//!
//! Invariants: each file is read once as a stream of reused records; column indexes
//! are resolved before the first row; numbers are parsed from bytes; nothing is dropped
//! silently: every skipped value is counted and reported (the first few at their CSV line
//! and column, the rest as a count) and carried on the figure it was meant for, and rows
//! naming unknown stages are counted per value. A binding that cannot be right (a filter
//! that keeps nothing, a label no answer uses, a measure most of whose answers are
//! unusable) is an error, not a quiet figure.

mod aggregated;
pub use aggregated::COLUMNS as AGGREGATED_COLUMNS;
mod answers;
pub mod binding;
mod cells;
pub mod change;
mod chunks;
mod emotion;
mod guard;
pub mod input;
mod interval;
mod judge;
pub mod measure;
mod plan;
pub mod plausible;
pub mod quotes;
mod records;
pub mod split;
mod stages;
mod tally;
pub mod value;
pub mod wave;
mod wholes;
pub mod workbook;

use crate::diagnostic::Code;
use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::load::Loaded;
use crate::model::{Layout, MeasureName, Pos, Source, Survey};
use measure::{Acc, Kind, SkipCount};
use quotes::Sample;
pub use quotes::Verbatim;
use value::Skip;

/// Measures with numbers, in a fixed order: index into per-stage accumulator arrays.
pub const NUMERIC: [MeasureName; 4] = [
    MeasureName::Nps,
    MeasureName::Csat,
    MeasureName::Ces,
    MeasureName::Score,
];
pub use quotes::VERBATIMS;

/// Every figure a stage can have, in the order outputs list them: the numeric measures,
/// then the comments' sentiment.
pub const FIGURES: [&str; 5] = ["nps", "csat", "ces", "score", "sentiment"];

/// Skipped values reported one by one per column; the rest are counted.
const DETAILED_WARNINGS: usize = 3;
/// Distinct unknown stage values tracked per survey; the rest are counted together.
const MAX_UNKNOWN_VALUES: usize = 100;
/// Distinct cell texts remembered per filter and per labelled measure, for the messages
/// that list what a column holds.
const MAX_DISTINCT: usize = 1000;
/// A cell's text in a diagnostic is cut after this many characters.
const MAX_SHOWN: usize = 60;
/// Values a `where:` error lists.
const MAX_LISTED: usize = 10;

fn slot(m: MeasureName) -> Option<usize> {
    NUMERIC.iter().position(|n| *n == m)
}

pub fn measure_name(m: MeasureName) -> &'static str {
    match m {
        MeasureName::Nps => "nps",
        MeasureName::Csat => "csat",
        MeasureName::Ces => "ces",
        MeasureName::Score => "score",
        MeasureName::Comment => "comment",
        MeasureName::Sentiment => "sentiment",
    }
}

fn kind(m: MeasureName) -> Kind {
    match m {
        MeasureName::Nps => Kind::Nps,
        MeasureName::Csat => Kind::Csat,
        _ => Kind::Mean,
    }
}

/// Aggregates of one stage (or of the whole journey), pooled over every survey.
#[derive(Debug, Clone, Default)]
pub struct Aggregate {
    pub accs: [Acc; 4],
    pub scales: [Option<[f64; 2]>; 4],
    /// Answers meant for each measure that could not be used, by reason.
    pub skips: [BTreeMap<Skip, u64>; 4],
    /// What the skipped answers of each measure read: one text means they are one answer
    /// left out, not a random sample.
    pub skipped_text: [plausible::SkippedText; 4],
    /// What each measure asks (a binding's `label:` or a `#N` column's header), and the
    /// answer a 0..1 score counts the share of (`Yes`): the first binding's that has one.
    pub questions: [Option<String>; 4],
    pub yes: [Option<String>; 4],
    /// Rows left out by `where:` in the surveys that feed each measure.
    pub filtered: [u64; 4],
    pub quotes: Sample,
    /// The substantive comments per theme of the map's codebook.
    pub themes: crate::themes::Tally,
    /// The sentiment of the substantive English comments of surveys that ask for it.
    pub sentiment: Acc,
    /// Substantive comments left out of the sentiment as not English, by why.
    pub not_english: BTreeMap<&'static str, u64>,
    /// The same figures per wave, per segment, and per segment within a wave.
    pub parts: BTreeMap<split::Key, Aggregate>,
}

impl Aggregate {
    /// An empty aggregate that pins and hides the same quotes.
    fn blank(&self) -> Aggregate {
        Aggregate {
            quotes: self.quotes.blank(),
            ..Aggregate::default()
        }
    }

    /// The part of one key, made when first fed.
    fn part(&mut self, key: split::Key) -> &mut Aggregate {
        let quotes = &self.quotes;
        self.parts.entry(key).or_insert_with(|| Aggregate {
            quotes: quotes.blank(),
            ..Aggregate::default()
        })
    }

    /// The figures of every measure with answers, by name, each with its caveats.
    pub fn figures(&self) -> Vec<(&'static str, measure::Figure)> {
        NUMERIC
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let scale = self.scales[i].unwrap_or(binding::default_scale(*m));
                let mut f = measure::figure(&self.accs[i], kind(*m), scale)?;
                f.skipped = self.skips[i].values().sum();
                f.skipped_why = self.skips[i]
                    .iter()
                    .map(|(why, count)| SkipCount {
                        reason: why.as_str(),
                        count: *count,
                    })
                    .collect();
                f.filtered = self.filtered[i];
                f.question.clone_from(&self.questions[i]);
                f.yes.clone_from(&self.yes[i]);
                // The share that said yes: a proportion, with Wilson's interval as CSAT's.
                let k = f.value * f.n as f64;
                if f.yes.is_some() && (k - k.round()).abs() < 1e-6 {
                    (f.low, f.high) = measure::wilson(k.round() as u64, f.n);
                }
                f.skipped_all_read = self.skipped_text[i].one().filter(|_| f.skipped > 1);
                f.caveat = caveat(&f);
                Some((measure_name(*m), f))
            })
            .chain(self.sentiment_figure().map(|f| ("sentiment", f)))
            .collect()
    }

    /// Add another aggregate's sentiment (scores and comments left out) to this one's.
    pub fn pool_sentiment(&mut self, other: &Aggregate) {
        self.sentiment.merge(&other.sentiment);
        for (why, n) in &other.not_english {
            *self.not_english.entry(why).or_insert(0) += n;
        }
    }

    /// The mean sentiment of the English comments, with the comments left out counted.
    pub fn sentiment_figure(&self) -> Option<measure::Figure> {
        let scale = binding::default_scale(MeasureName::Sentiment);
        let mut f = measure::figure(&self.sentiment, Kind::Mean, scale)?;
        f.skipped = self.not_english.values().sum();
        f.skipped_why = self
            .not_english
            .iter()
            .map(|(why, count)| SkipCount {
                reason: why,
                count: *count,
            })
            .collect();
        if f.skipped > 0 {
            f.caveat = Some(format!(
                "{} of {} comments not scored ({}): sentiment is English only",
                f.skipped,
                f.skipped + f.n,
                reasons(&f)
            ));
        }
        Some(f)
    }

    /// The quotes to show: pinned ones first, then a deterministic sample in file order.
    pub fn verbatims_in_order(&self) -> Vec<&Verbatim> {
        self.quotes.shown()
    }

    /// Non-empty comments read.
    pub fn comments(&self) -> u64 {
        self.quotes.comments
    }
}

/// Why a figure lost answers: `3 not a number; 1 outside the scale`.
fn reasons(f: &measure::Figure) -> String {
    let why: Vec<String> = f
        .skipped_why
        .iter()
        .map(|s| format!("{} {}", s.count, s.reason))
        .collect();
    why.join("; ")
}

/// The sentence shown beside a figure that lost answers or rows; `None` for a complete one.
fn caveat(f: &measure::Figure) -> Option<String> {
    let mut parts = Vec::new();
    if f.skipped > 0 {
        parts.push(format!(
            "{} of {} answers not used ({})",
            f.skipped,
            f.skipped + f.n,
            reasons(f)
        ));
    }
    if let Some(t) = &f.skipped_all_read {
        parts.push(format!(
            "all {} read `{t}`: one answer left out, not a random sample, so the figure leans away from it",
            f.skipped
        ));
    }
    if f.filtered > 0 {
        parts.push(format!(
            "{} {} left out by the where: filter",
            f.filtered,
            if f.filtered == 1 { "row" } else { "rows" }
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// What was read from one survey file: the "nothing dropped silently" ledger.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub id: String,
    pub file: String,
    pub source: Source,
    pub layout: Layout,
    pub encoding: String,
    pub delimiter: String,
    pub header_rows: usize,
    /// Data rows in the file.
    pub rows: u64,
    /// Rows left out by `where:`.
    pub rows_filtered: u64,
    /// Rows whose stage is not a stage of the map (long layout).
    pub rows_unknown_stage: u64,
    /// Values counted in a measure.
    pub values_used: u64,
    /// Empty cells and missing codes.
    pub values_missing: u64,
    /// Values that were not numbers or lay outside their scale (each reported).
    pub values_skipped: u64,
    /// Non-empty comments read.
    pub comments: u64,
    /// Substantive comments scored for sentiment (a survey with `sentiment: true`).
    #[serde(skip_serializing_if = "is_zero")]
    pub comments_scored: u64,
    /// Substantive comments left out of the sentiment as not English, by why.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub comments_not_english: BTreeMap<&'static str, u64>,
    /// The CSV line and column of the first of them.
    #[serde(skip)]
    pub first_not_english: Option<(u64, usize)>,
    /// The wave of every row of this file, when the survey is kept one file per wave.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wave: Option<String>,
    /// Kept rows whose wave cell named no wave (each reported).
    pub rows_without_wave: u64,
    /// The sheet read, for a workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Everything measured for a map: its surveys, and the reach its analytics exports give.
#[derive(Debug, Clone, Default)]
pub struct SurveyData {
    /// Measured reach per stage, from `analytics:` exports.
    pub funnels: crate::analytics::FunnelData,
    pub stages: Vec<Aggregate>,
    pub overall: Aggregate,
    pub summaries: Vec<Summary>,
    /// The measure each stage's emotion comes from: that of the survey whose `emotion_from`
    /// measure fed the stage (`emotion.rs`).
    pub emotion_from: Vec<Option<MeasureName>>,
    /// Wave labels, earliest first (once read: [`SurveyData::settle`]); the last is the
    /// headline.
    pub waves: Vec<String>,
    /// Segment values, in the order shown.
    pub segments: Vec<String>,
    /// Answers a segment's figure needs to be shown.
    pub segment_min_n: u64,
    /// Rows kept per wave, and where the map first binds a wave.
    wave_rows: Vec<u64>,
    wave_pos: Option<Pos>,
    declared_waves: Vec<u16>,
    declared_segments: Vec<u16>,
}

impl SurveyData {
    /// No figures for a map of `stages` stages.
    pub fn without_surveys(stages: usize) -> SurveyData {
        SurveyData {
            stages: vec![Aggregate::default(); stages],
            segment_min_n: split::DEFAULT_MIN_N,
            ..SurveyData::default()
        }
    }

    /// Empty aggregates for a map, with the quotes it pins and hides.
    fn for_map(loaded: &Loaded) -> SurveyData {
        let sample = |q: &Option<crate::model::Quotes>| match q {
            None => Sample::default(),
            Some(q) => Sample::with_choices(
                q.pin.iter().map(|p| p.value.clone()).collect(),
                q.hide.iter().map(|p| p.value.clone()).collect(),
            ),
        };
        SurveyData {
            stages: loaded
                .journey
                .stages
                .value
                .iter()
                .map(|s| Aggregate {
                    quotes: sample(&s.quotes),
                    ..Aggregate::default()
                })
                .collect(),
            overall: Aggregate {
                quotes: sample(&loaded.journey.quotes),
                ..Aggregate::default()
            },
            summaries: Vec::new(),
            emotion_from: Vec::new(),
            waves: Vec::new(),
            segments: Vec::new(),
            segment_min_n: split::DEFAULT_MIN_N,
            funnels: crate::analytics::FunnelData::default(),
            wave_rows: Vec::new(),
            wave_pos: None,
            declared_waves: Vec::new(),
            declared_segments: Vec::new(),
        }
    }

    /// The aggregate a binding writes to: a stage, or the journey (`None`).
    fn target(&mut self, stage: Option<usize>) -> &mut Aggregate {
        match stage.and_then(|i| self.stages.get_mut(i)) {
            Some(a) => a,
            None => &mut self.overall,
        }
    }

    /// Apply `f` to the aggregate a binding writes to and to the parts (wave, segment) of
    /// the row's key.
    fn each(&mut self, stage: Option<usize>, key: split::Key, mut f: impl FnMut(&mut Aggregate)) {
        let agg = self.target(stage);
        f(agg);
        for k in key.parts() {
            f(agg.part(k));
        }
    }

    /// The aggregate a comment (its quote, its themes) goes to: its stage's or the
    /// journey's, in the wave's part when the row has a wave (the headline quotes and
    /// themes become the latest wave's), else the pooled aggregate.
    fn commented(&mut self, stage: Option<usize>, key: split::Key) -> &mut Aggregate {
        let agg = self.target(stage);
        match key.wave {
            Some(w) => agg.part(split::Key::wave(w)),
            None => agg,
        }
    }
}

/// How surveys are read: the command sets it from its flags and environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// Threads that may read parts of one large CSV file (1 to [`chunks::MAX_PARTS`]).
    pub threads: usize,
    /// Cut every file into `threads` parts whatever its size, and say on stderr how the
    /// parts were read (the tests' setting, `JOURNEYMAP_THREADS`).
    pub cut_always: bool,
    /// Show a progress bar while a large file is read (an interactive stderr).
    pub progress: bool,
}

impl Reading {
    /// Every core, files cut only when large, no progress bar.
    pub fn on_every_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Reading {
            threads: cores.min(chunks::MAX_PARTS),
            cut_always: false,
            progress: false,
        }
    }

    /// `n` threads (clamped to 1 to [`chunks::MAX_PARTS`]), every file cut.
    pub fn cut_into(n: usize) -> Self {
        Reading {
            threads: n.clamp(1, chunks::MAX_PARTS),
            cut_always: true,
            progress: false,
        }
    }
}

/// Read every survey of a map. Errors in a survey stop that survey only.
pub fn read_all(loaded: &Loaded, reading: Reading) -> (SurveyData, Vec<Diagnostic>) {
    let mut data = SurveyData::for_map(loaded);
    let mut diags = Vec::new();
    let mut emotion = emotion::Claims::new(loaded);
    for survey in &loaded.journey.surveys {
        let before = emotion.before(survey, &data);
        let mut first_names = None;
        for (wave, spec) in survey.files() {
            let path = crate::load::relative_to(&loaded.path, &spec.value);
            let file = crate::load::display(&path);
            let mut reader = Reader {
                loaded,
                survey,
                reading,
                file,
                rows: None,
                spec,
                path: Some(&path),
                fixed_wave: wave,
                first_names: &mut first_names,
                diags: &mut diags,
                data: &mut data,
                line_base: 0,
            };
            if let Some(summary) = reader.read(&path) {
                data.summaries.push(summary);
            }
        }
        emotion.after(survey, before, &data, &mut diags);
    }
    data.emotion_from = emotion.into_stages();
    data.settle();
    if let Some(d) = data.unfinished_wave(&loaded.file) {
        diags.push(d);
    }
    check_pins(loaded, &data, &mut diags);
    judge::check_themes(loaded, &data, &mut diags);
    (data, diags)
}

/// A pinned quote must be among the comments read for its stage (or the journey).
fn check_pins(loaded: &Loaded, data: &SurveyData, diags: &mut Vec<Diagnostic>) {
    let stages = &loaded.journey.stages.value;
    let places = stages
        .iter()
        .zip(&data.stages)
        .map(|(s, a)| (s.quotes.as_ref(), a, format!("stage `{}`", s.id.value)))
        .chain(std::iter::once((
            loaded.journey.quotes.as_ref(),
            &data.overall,
            "the whole journey".to_owned(),
        )));
    for (quotes, agg, place) in places {
        let Some(q) = quotes else { continue };
        for i in agg.quotes.missing_pins() {
            let pin = &q.pin[i];
            let msg = format!(
                "the pinned quote `{}` is not among the {} comments read for {place}; copy its exact text from the survey file",
                pin.value,
                agg.comments()
            );
            diags.push(Diagnostic::new(
                Code::PinNotFound,
                &loaded.file,
                pin.pos,
                msg,
            ));
        }
    }
}

/// Read one survey of `loaded` from `bytes` instead of its file: the whole reading path,
/// for fuzzing. The flag says whether the survey was read to the end.
pub fn read_bytes(
    loaded: &Loaded,
    survey: usize,
    bytes: &[u8],
) -> (SurveyData, Vec<Diagnostic>, bool) {
    let mut data = SurveyData::for_map(loaded);
    let mut diags = Vec::new();
    let mut read = false;
    let mut first_names = None;
    if let Some(s) = loaded.journey.surveys.get(survey) {
        let files = s.files();
        let Some((wave, spec)) = files.first() else {
            return (data, diags, false);
        };
        let mut reader = Reader {
            loaded,
            survey: s,
            reading: Reading::on_every_core(),
            file: "fuzz.csv".to_owned(),
            rows: None,
            spec,
            path: None,
            fixed_wave: *wave,
            first_names: &mut first_names,
            diags: &mut diags,
            data: &mut data,
            line_base: 0,
        };
        match input::from_bytes(bytes.into(), s) {
            Ok(mut input) => {
                let mut summary = Summary::default();
                read = reader.read_layout(&mut input, &mut summary) == Finished::Read;
            }
            Err(e) => reader.at_csv(e.code, e.line, 1, e.message),
        }
    }
    data.settle();
    (data, diags, read)
}

struct Reader<'a> {
    loaded: &'a Loaded,
    survey: &'a Survey,
    reading: Reading,
    /// The file as shown in diagnostics (`file.xlsx[Sheet]` for a workbook), and as the
    /// map names it.
    file: String,
    /// A workbook's sheet rows, for the CSV lines it was handed over as.
    rows: Option<std::sync::Arc<workbook::RowMap>>,
    spec: &'a crate::model::Spanned<String>,
    /// The file on disk, for a second look at the wave column (none when fuzzing).
    path: Option<&'a Path>,
    /// The wave of every row of this file (`waves:`).
    fixed_wave: Option<&'a crate::model::Spanned<String>>,
    /// The columns of the survey's first wave file, which every later one must have.
    first_names: &'a mut Option<Vec<String>>,
    diags: &'a mut Vec<Diagnostic>,
    data: &'a mut SurveyData,
    /// Lines of the file before the stream being read: 0, unless a part of the file is
    /// read from one of its record boundaries (`chunks.rs`).
    line_base: u64,
}

/// What reading the next record gave.
enum Next {
    Record,
    End,
    /// The file cannot be read further (reported): this survey ends here.
    Stop,
}

/// How reading a survey ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finished {
    /// Every row was read (problems in it were reported).
    Read,
    /// The survey could not be read to the end, or its binding cannot work (reported).
    Stopped,
}

/// The last record read, for problems found at the end of the file.
#[derive(Debug, Clone, Copy, Default)]
struct Last {
    line: u64,
    fields: usize,
}

impl Reader<'_> {
    /// A problem with the binding, at the map line that declares it.
    fn at_map(&mut self, code: Code, pos: Pos, msg: String) {
        self.diags
            .push(Diagnostic::new(code, &self.loaded.file, pos, msg));
    }

    /// A problem at a CSV line and (1-based) column of the survey file; its code says
    /// whether it is an error or a warning.
    fn at_csv(&mut self, code: Code, line: u64, col: usize, msg: String) {
        let line = self.row_of(line);
        self.at_row(code, line, col, msg);
    }

    /// The row a spreadsheet shows for a CSV line (the line itself for a CSV file).
    fn row_of(&self, line: u64) -> u64 {
        self.rows.as_ref().map_or(line, |r| r.row_of(line))
    }

    /// A problem at a row and column already in the file's own numbering.
    fn at_row(&mut self, code: Code, line: u64, col: usize, msg: String) {
        let pos = Pos {
            line: usize::try_from(line).unwrap_or(usize::MAX),
            col,
        };
        self.diags.push(Diagnostic::new(code, &self.file, pos, msg));
    }

    fn read(&mut self, path: &Path) -> Option<Summary> {
        match crate::load::confine::resolve(path, &self.loaded.confine) {
            Ok(_) => {}
            Err(crate::load::confine::Refusal::Refused(why)) => {
                let msg = format!("survey `{}`: file {why}", self.survey.id.value);
                self.at_map(Code::OutsideRoot, self.spec.pos, msg);
                return None;
            }
            Err(crate::load::confine::Refusal::Unreadable(why)) => {
                let msg = format!(
                    "survey `{}` ({}): cannot read: {why}",
                    self.survey.id.value, self.file
                );
                self.at_map(Code::Unreadable, self.spec.pos, msg);
                return None;
            }
        }
        let mut sheet_name = None;
        let mut input = match open(path, self.survey, self.reading) {
            Ok((i, sheet)) => {
                if let Some((name, rows)) = sheet {
                    self.file = format!("{}[{name}]", self.file);
                    self.rows = Some(rows);
                    sheet_name = Some(name);
                }
                i
            }
            Err(e) if e.line == 0 => {
                let msg = format!(
                    "survey `{}` ({}): {}",
                    self.survey.id.value, self.file, e.message
                );
                self.at_map(e.code, self.spec.pos, msg);
                return None;
            }
            Err(e) => {
                self.at_csv(e.code, e.line, 1, e.message);
                return None;
            }
        };
        if let Some(pb) = &input.progress {
            pb.set_message(format!("reading {}", self.file));
        }
        let mut summary = Summary {
            id: self.survey.id.value.clone(),
            file: self.spec.value.clone(),
            wave: self.fixed_wave.map(|w| w.value.clone()),
            source: self.survey.source,
            layout: self.survey.layout,
            encoding: input.decoding.name().to_owned(),
            delimiter: match input.delimiter {
                b'\t' => "\\t".to_owned(),
                d => (d as char).to_string(),
            },
            header_rows: input.header_rows,
            sheet: sheet_name,
            ..Summary::default()
        };
        if !self.same_columns(&input.names) {
            return None;
        }
        let finished = self.read_layout(&mut input, &mut summary);
        if let Some(pb) = &input.progress {
            pb.finish_and_clear();
        }
        (finished == Finished::Read).then_some(summary)
    }

    /// A survey kept one file per wave: every file has the first one's columns, so one
    /// binding means the same in each.
    fn same_columns(&mut self, names: &[String]) -> bool {
        let Some(first) = self.first_names.as_ref() else {
            *self.first_names = Some(names.to_vec());
            return true;
        };
        // By name: the same questions in another order bind the same way.
        if first.len() == names.len() && first.iter().all(|n| names.contains(n)) {
            return true;
        }
        let lacks: Vec<String> = first
            .iter()
            .filter(|n| !names.contains(n))
            .take(5)
            .map(|n| format!("`{n}`"))
            .collect();
        let adds: Vec<String> = names
            .iter()
            .filter(|n| !first.contains(n))
            .take(5)
            .map(|n| format!("`{n}`"))
            .collect();
        let mut diff = Vec::new();
        if !lacks.is_empty() {
            diff.push(format!("lacks {}", lacks.join(", ")));
        }
        if !adds.is_empty() {
            diff.push(format!("adds {}", adds.join(", ")));
        }
        if diff.is_empty() {
            diff.push("has them in another order".to_owned());
        }
        let first_file = self
            .survey
            .files()
            .first()
            .map_or("", |f| f.1.value.as_str())
            .to_owned();
        let msg = format!(
            "survey `{}`: wave file {} does not have the columns of the first wave file ({first_file}): it {}; export every wave with the same questions",
            self.survey.id.value,
            self.file,
            diff.join(" and ")
        );
        self.at_map(Code::WaveBinding, self.spec.pos, msg);
        false
    }

    fn read_layout(&mut self, input: &mut input::Input, summary: &mut Summary) -> Finished {
        match self.survey.layout {
            Layout::Long | Layout::Wide => self.read_answers(input, summary),
            Layout::Aggregated => self.read_aggregated(input, summary),
        }
    }

    /// Read the next record into `rec`: `Ok(false)` at the end of the file. A read error, a
    /// record over the column or size limits, or a quote still open at the end of the file
    /// is reported and ends this survey (`Err`).
    fn next_record(
        &mut self,
        input: &mut input::Input,
        rec: &mut input::Record,
        last: &mut Last,
    ) -> Next {
        match input.reader.read(rec) {
            Ok(true) if self.within_limits(&input::Cells::Copied(rec), last) => Next::Record,
            Ok(true) => Next::Stop,
            Ok(false) => self.no_record(input, Ok(()), last),
            Err(e) => self.no_record(input, Err(e), last),
        }
    }

    /// Why no record came: the end of the file, or a read error or a quote still open at
    /// the end (reported: `Stop`).
    fn no_record(&mut self, input: &input::Input, read: csv::Result<()>, last: &Last) -> Next {
        let records = &input.reader;
        match read {
            Ok(()) => {
                if records.open_quote() && last.line > 0 {
                    let end = records.position().line() + self.line_base;
                    let msg = format!(
                        "unclosed quote: the cell that opens here runs to the end of the file (line {end}), so the rest of the file was read as one cell; close the quote"
                    );
                    let line = (records.quote_line() + self.line_base).max(last.line);
                    self.at_csv(Code::MalformedCsv, line, last.fields.max(1), msg);
                    return Next::Stop;
                }
                Next::End
            }
            Err(_) if records.quote_overflow() => {
                let line = records.quote_line() + self.line_base;
                let msg = format!(
                    "unclosed quote: the cell that opens here runs on for more than {} MiB (past the end of any real comment), so the rows after it were being read as one cell; close the quote",
                    input::MAX_QUOTED_BYTES / (1024 * 1024)
                );
                self.at_csv(Code::MalformedCsv, line, 1, msg);
                Next::Stop
            }
            Err(e) => {
                let line = records.error_line(&e) + self.line_base;
                let why = input::csv_reason(&e);
                self.at_csv(
                    Code::MalformedCsv,
                    line,
                    1,
                    format!("cannot read the CSV: {why}"),
                );
                Next::Stop
            }
        }
    }

    /// Whether a record is within the column and size limits (reported when not); notes it
    /// as the last one read.
    #[inline]
    fn within_limits(&mut self, rec: &input::Cells, last: &mut Last) -> bool {
        let line = rec.line() + self.line_base;
        *last = Last {
            line,
            fields: rec.len(),
        };
        if rec.len() > input::MAX_COLUMNS || rec.size() > input::MAX_RECORD_BYTES {
            self.over_limits(rec, line);
            return false;
        }
        true
    }

    #[cold]
    fn over_limits(&mut self, rec: &input::Cells, line: u64) {
        let msg = if rec.len() > input::MAX_COLUMNS {
            format!(
                "a record of {} columns is over the limit of {}",
                rec.len(),
                input::MAX_COLUMNS
            )
        } else {
            format!(
                "a record of {} bytes is over the limit of {} bytes",
                rec.size(),
                input::MAX_RECORD_BYTES
            )
        };
        self.at_csv(Code::MalformedCsv, line, 1, msg);
    }

    /// Resolve a column name (or `#N`) to its index, or report the nearest names at `pos`,
    /// the map line that names the column.
    fn column(&mut self, names: &[String], wanted: &str, pos: Pos, what: &str) -> Option<usize> {
        match find_column(names, wanted) {
            Ok(i) => Some(i),
            Err(near) => {
                let id = &self.survey.id.value;
                let msg = match near {
                    None => format!(
                        "survey `{id}` maps {what} to column {wanted}, but {} has {} columns",
                        self.file,
                        names.len()
                    ),
                    Some(list) => format!(
                        "survey `{id}` maps {what} to column `{wanted}`, which {} lacks; nearest: {list}",
                        self.file
                    ),
                };
                self.at_map(Code::ColumnMissing, pos, msg);
                None
            }
        }
    }
}

/// A column named by the map (or `#N`, the Nth from 1) among a file's column names: exactly,
/// then with case, composition and runs of spaces ignored. Otherwise `Err(None)` for a
/// position past the last column, or `Err(Some(the nearest names))`.
pub fn find_column(names: &[String], wanted: &str) -> Result<usize, Option<String>> {
    if let Some(n) = wanted.strip_prefix('#') {
        return match n.parse::<usize>() {
            Ok(i) if i >= 1 && i <= names.len() => Ok(i - 1),
            _ => Err(None),
        };
    }
    if let Some(i) = names.iter().position(|n| n == wanted) {
        return Ok(i);
    }
    let norm = |s: &str| crate::words::fold(&s.split_whitespace().collect::<Vec<_>>().join(" "));
    let w = norm(wanted);
    if let Some(i) = names.iter().position(|n| norm(n) == w) {
        return Ok(i);
    }
    let mut near: Vec<(f64, &String)> = names
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| (strsim::jaro_winkler(&w, &norm(n)), n))
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    let list: Vec<String> = near.iter().take(3).map(|(_, n)| format!("`{n}`")).collect();
    Err(Some(if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }))
}

/// A workbook's sheet: its name, and its rows for the CSV lines it was handed over as.
type Sheet = (String, std::sync::Arc<workbook::RowMap>);

/// A survey file opened for reading: a CSV export, or a workbook's sheet handed over as CSV
/// (with the sheet's name and its rows).
fn open(
    path: &Path,
    survey: &Survey,
    reading: Reading,
) -> Result<(input::Input, Option<Sheet>), input::OpenError> {
    if workbook::is_workbook(path) {
        let w = workbook::open(path, survey)?;
        return Ok((w.input, Some((w.sheet, w.rows))));
    }
    input::open(path, survey, reading.progress).map(|i| (i, None))
}

/// A stage named by a survey cell: its id in any case, or its name.
fn resolve_stage(stages: &[crate::model::Stage], cell: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(cell).ok()?.trim();
    stages
        .iter()
        .position(|s| crate::words::same_name(&s.id.value, text))
        .or_else(|| {
            stages
                .iter()
                .position(|s| crate::words::same_name(s.name.trim(), text))
        })
}
