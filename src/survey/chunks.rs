//! Chunks: a large export read on every core. The file is cut at record boundaries, each part
//! after the first is read on its own thread into its own counters, and the parts are taken
//! in, in file order, as if one thread had read the whole file.
//!
//! Invariants: every figure, count, reported line and chosen quote is what one thread gives,
//! to the byte. A cut is only guessed (a line start after which records look whole); it is
//! proved when the reader of the part before it arrives at a record that starts exactly
//! there. A cut that is not proved, a part that hit an error, or a part whose bounded lists
//! (values listed in messages) would not merge exactly is read again in file order on the
//! main thread instead. Only plain UTF-8 CSV files are cut: not a workbook, a transcoded
//! file, or a survey split into waves or segments (their labels are numbered in the order
//! rows name them).

use std::collections::HashMap;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use super::tally::{Ended, Tally};
use super::{
    Aggregate, DETAILED_WARNINGS, MAX_DISTINCT, MAX_UNKNOWN_VALUES, Reader, Summary, SurveyData,
    input, slot,
};
use crate::diagnostic::Diagnostic;

/// Bytes each part must have for the file to be cut (unless `JOURNEYMAP_THREADS` is set).
const MIN_PART_BYTES: u64 = 8 * 1024 * 1024;
/// At most this many parts, whatever the machine.
pub const MAX_PARTS: usize = 16;
/// Bytes looked at past a guessed cut, and line starts tried there.
const WINDOW: usize = 256 * 1024;
const TRIES: usize = 64;
/// Records after a line start that must all have the header's width for it to be a cut.
const LOOK_AHEAD: usize = 32;

/// Tell the threads reading these parts to stop.
fn call_off(cancels: &[AtomicBool]) {
    cancels
        .iter()
        .for_each(|c| c.store(true, Ordering::Relaxed));
}

/// What the reader of every part shares with the file's reader.
struct Shared<'a> {
    loaded: &'a crate::load::Loaded,
    survey: &'a crate::model::Survey,
    spec: &'a crate::model::Spanned<String>,
    reading: super::Reading,
    file: &'a str,
}

/// Where a file is cut.
pub(super) struct Plan {
    path: PathBuf,
    delimiter: u8,
    names: Vec<String>,
    /// File offsets of the parts after the first, ascending.
    cuts: Vec<u64>,
    /// File offset of the main reader's stream position 0 (a byte-order mark's length).
    bom: u64,
    /// Set by `JOURNEYMAP_THREADS`: say on stderr how the file was read.
    trace: bool,
    /// The file's progress bar, which every part moves.
    progress: Option<indicatif::ProgressBar>,
}

/// One part read on its own thread.
struct Part {
    data: SurveyData,
    diags: Vec<Diagnostic>,
    tally: Tally,
    summary: Summary,
    /// How it ended; an `At` edge is an index into the plan's cuts.
    ended: Ended,
}

impl Plan {
    /// A plan to cut the file the reader is reading, or `None` when it is read in one go.
    pub(super) fn new(reader: &Reader, input: &input::Input, tally: &Tally) -> Option<Plan> {
        let (threads, forced) = (reader.reading.threads, reader.reading.cut_always);
        let path = reader.path?;
        if threads < 2
            || reader.rows.is_some()
            || input.decoding != input::Decoding::Utf8
            || tally.split.has_parts()
            || !one_scale_per_measure(tally)
        {
            return None;
        }
        let file = std::fs::File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let mut head = [0u8; 3];
        let bom = match file.read_exact_at(&mut head, 0) {
            Ok(()) if head == [0xEF, 0xBB, 0xBF] => 3,
            _ => 0,
        };
        let start = input.reader.position().byte() + bom;
        let body = len.checked_sub(start)?;
        let parts = if forced {
            threads
        } else {
            threads.min(usize::try_from(body / MIN_PART_BYTES).unwrap_or(usize::MAX))
        };
        if parts < 2 {
            return None;
        }
        let width = input.names.len();
        let mut cuts: Vec<u64> = (1..parts)
            .filter_map(|k| {
                let target = start + body * k as u64 / parts as u64;
                guess_cut(&file, target, input.delimiter, width)
            })
            .filter(|c| *c > start && *c < len)
            .collect();
        // Guesses come out in order but for a window's edge; the readers need them sorted.
        cuts.sort_unstable();
        cuts.dedup();
        (!cuts.is_empty()).then(|| Plan {
            path: path.to_path_buf(),
            delimiter: input.delimiter,
            names: input.names.clone(),
            cuts,
            bom,
            trace: forced,
            progress: input.progress.clone(),
        })
    }

    /// Read the file: the first part here, the others on their threads, then each part
    /// taken in at the cut the part before it proved.
    pub(super) fn run(
        self,
        reader: &mut Reader,
        input: &mut input::Input,
        rec: &mut input::Record,
        have: bool,
        tally: &mut Tally,
        summary: &mut Summary,
    ) -> Ended {
        let cancels: Vec<AtomicBool> = self.cuts.iter().map(|_| AtomicBool::new(false)).collect();
        let blanks: Vec<SurveyData> = self.cuts.iter().map(|_| reader.data.blank()).collect();
        let from = Shared {
            loaded: reader.loaded,
            survey: reader.survey,
            spec: reader.spec,
            reading: reader.reading,
            file: &reader.file.clone(),
        };
        let plan = &self;
        std::thread::scope(|scope| {
            let handles: Vec<_> = blanks
                .into_iter()
                .enumerate()
                .map(|(k, data)| {
                    let cancel = &cancels[k];
                    let from = &from;
                    scope.spawn(move || plan.read_apart(from, k, data, cancel))
                })
                .collect();
            let mut slots: Vec<Option<_>> = handles.into_iter().map(Some).collect();
            let edges: Vec<u64> = self.cuts.iter().map(|c| c - self.bom).collect();
            let mut ended = reader.read_rows(input, rec, have, tally, summary, &edges, None);
            // Parts before the first proved cut are not needed.
            let first = match ended {
                Ended::At { edge, .. } => edge,
                _ => cancels.len(),
            };
            call_off(&cancels[..first]);
            let (mut taken, mut again) = (0, 0);
            while let Ended::At { edge: k, line } = ended {
                let offset = line - 1;
                let part = slots[k]
                    .take()
                    .and_then(|h| h.join().ok())
                    .flatten()
                    .filter(|p| p.ended != Ended::Stopped && fits(reader, tally, p));
                ended = match part {
                    Some(p) => {
                        taken += 1;
                        let next = p.ended.shifted(offset);
                        reader.absorb(tally, summary, p, offset);
                        next
                    }
                    // Read this part here, after the parts before it.
                    None => {
                        again += 1;
                        self.read_here(reader, k, offset, tally, summary)
                    }
                };
                let upto = match ended {
                    Ended::At { edge, .. } => edge,
                    _ => cancels.len(),
                };
                call_off(&cancels[k + 1..upto]);
            }
            call_off(&cancels);
            if self.trace {
                eprintln!(
                    "chunks: {}: {} parts; {taken} read on other threads and taken in, {again} read again in order",
                    reader.file,
                    self.cuts.len() + 1
                );
            }
            ended
        })
    }

    /// Part `k` read on a thread of its own into a blank copy of the data.
    fn read_apart(
        &self,
        from: &Shared,
        k: usize,
        mut data: SurveyData,
        cancel: &AtomicBool,
    ) -> Option<Part> {
        let mut diags = Vec::new();
        let mut first_names = None;
        let mut part = Reader {
            loaded: from.loaded,
            survey: from.survey,
            reading: from.reading,
            file: from.file.to_owned(),
            rows: None,
            spec: from.spec,
            path: Some(&self.path),
            fixed_wave: None,
            first_names: &mut first_names,
            diags: &mut diags,
            data: &mut data,
            line_base: 0,
        };
        let (tally, summary, ended) = self.read_part(&mut part, k, cancel)?;
        Some(Part {
            data,
            diags,
            tally,
            summary,
            ended,
        })
    }

    /// The stream of part `k`: the file from its cut.
    fn open_part(&self, k: usize) -> Option<input::Input> {
        input::resume(
            &self.path,
            self.cuts[k],
            self.delimiter,
            &self.names,
            self.progress.as_ref(),
        )
        .ok()
    }

    /// Read part `k` from its cut until it arrives at a later cut or the end of the file;
    /// an `At` edge is an index into the plan's cuts.
    fn read_from(
        &self,
        reader: &mut Reader,
        k: usize,
        tally: &mut Tally,
        summary: &mut Summary,
        cancel: Option<&AtomicBool>,
    ) -> Ended {
        let Some(mut input) = self.open_part(k) else {
            return Ended::Stopped;
        };
        let from = self.cuts[k];
        let edges: Vec<u64> = self.cuts[k + 1..].iter().map(|c| c - from).collect();
        let mut rec = input::Record::default();
        match reader.read_rows(&mut input, &mut rec, false, tally, summary, &edges, cancel) {
            Ended::At { edge, line } => Ended::At {
                edge: edge + k + 1,
                line,
            },
            other => other,
        }
    }

    /// Read part `k` on its thread, into its own counters, with lines counted from its cut.
    fn read_part(
        &self,
        part: &mut Reader,
        k: usize,
        cancel: &AtomicBool,
    ) -> Option<(Tally, Summary, Ended)> {
        let mut tally = part.tally(&self.names, None)?;
        let mut summary = Summary::default();
        let ended = self.read_from(part, k, &mut tally, &mut summary, Some(cancel));
        Some((tally, summary, ended))
    }

    /// Read part `k` on this thread, into the main counters, its lines after `offset`.
    fn read_here(
        &self,
        reader: &mut Reader,
        k: usize,
        offset: u64,
        tally: &mut Tally,
        summary: &mut Summary,
    ) -> Ended {
        let base = std::mem::replace(&mut reader.line_base, offset);
        let ended = self.read_from(reader, k, tally, summary, None);
        reader.line_base = base;
        ended
    }
}

/// A guessed cut at or after `target`: the first line start after which the records in
/// view all have the header's width, else the first line start. `None` past the end.
fn guess_cut(file: &std::fs::File, target: u64, delimiter: u8, width: usize) -> Option<u64> {
    let mut window = vec![0u8; WINDOW];
    let mut got = 0;
    while got < WINDOW {
        match file.read_at(&mut window[got..], target + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(_) => return None,
        }
    }
    window.truncate(got);
    let starts: Vec<usize> = memchr::memchr_iter(b'\n', &window)
        .map(|i| i + 1)
        .filter(|&i| !matches!(window.get(i), None | Some(b'\n' | b'\r')))
        .take(TRIES)
        .collect();
    let whole = |i: usize| {
        let counts = input::field_counts(&window[i..], delimiter, LOOK_AHEAD);
        !counts.is_empty() && counts.iter().all(|c| *c == width)
    };
    let best = starts
        .iter()
        .find(|&&i| whole(i))
        .or(starts.first())
        .copied()?;
    Some(target + best as u64)
}

/// Whether no two bindings could pool answers on different scales: the first answer read
/// decides which scale a stage keeps, and a part cannot know which came first.
fn one_scale_per_measure(tally: &Tally) -> bool {
    let mut seen: HashMap<usize, [u64; 2]> = HashMap::new();
    tally.bindings.iter().all(|b| {
        let Some(s) = slot(b.measure) else {
            return true;
        };
        let scale = [b.rule.scale[0].to_bits(), b.rule.scale[1].to_bits()];
        *seen.entry(s).or_insert(scale) == scale
    })
}

/// Whether a part's bounded lists merge into the main ones exactly: what the main thread
/// lists plus what the part adds stays within each bound, and the part's own lists did not
/// reach theirs (values past a bound are not remembered, so their counts would be lost).
/// Its diagnostics must all be detailed warnings of its bindings.
fn fits(reader: &Reader, tally: &Tally, part: &Part) -> bool {
    fn within<V, W>(main: &HashMap<Vec<u8>, V>, part: &HashMap<Vec<u8>, W>, most: usize) -> bool {
        part.len() < most
            && main.len() + part.keys().filter(|k| !main.contains_key(*k)).count() <= most
    }
    let bindings = tally
        .bindings
        .iter()
        .zip(&part.tally.bindings)
        .all(|(m, p)| within(&m.unlabelled, &p.unlabelled, MAX_DISTINCT));
    let filters = tally
        .filters
        .iter()
        .zip(&part.tally.filters)
        .all(|(m, p)| within(&m.seen, &p.seen, MAX_DISTINCT));
    let stages = &part.tally.pass.stages;
    let unknown = stages.other.0 == 0
        && tally.pass.stages.other.0 == 0
        && within(
            &tally.pass.stages.unknown,
            &stages.unknown,
            MAX_UNKNOWN_VALUES,
        );
    let details: usize = part.tally.bindings.iter().map(|b| b.details.len()).sum();
    let scales = reader
        .data
        .aggregates()
        .zip(part.data.aggregates())
        .all(|(m, p)| {
            m.scales
                .iter()
                .zip(&p.scales)
                .all(|(a, b)| a.is_none() || b.is_none() || a == b)
        });
    bindings && filters && unknown && details == part.diags.len() && scales
}

impl Reader<'_> {
    /// Take in a part read on another thread (checked by [`fits`]), its lines `offset`
    /// short.
    fn absorb(&mut self, tally: &mut Tally, summary: &mut Summary, part: Part, offset: u64) {
        let Part {
            data,
            diags,
            tally: t,
            summary: s,
            ..
        } = part;
        merge_summary(summary, s, offset);
        // Detailed warnings: each binding's first few over the whole file, in file order.
        let mut owner = vec![None; diags.len()];
        for (i, b) in t.bindings.iter().enumerate() {
            for d in &b.details {
                owner[*d] = Some(i);
            }
        }
        let mut room: Vec<usize> = tally
            .bindings
            .iter()
            .map(|b| DETAILED_WARNINGS.saturating_sub(b.warned))
            .collect();
        for (d, who) in diags.into_iter().zip(owner) {
            let Some(i) = who else { continue };
            if room[i] > 0 {
                room[i] -= 1;
                tally.bindings[i].details.push(self.diags.len());
                tally.bindings[i].warned += 1;
                let mut d = d;
                d.pos.line += usize::try_from(offset).unwrap_or(usize::MAX);
                self.diags.push(d);
            }
        }
        merge_tally(tally, t, offset);
        let SurveyData {
            stages, overall, ..
        } = data;
        for (m, p) in self.data.stages.iter_mut().zip(stages) {
            m.absorb(p, offset);
        }
        self.data.overall.absorb(overall, offset);
    }
}

/// A part's summary counts added to the file's, its lines `offset` short.
fn merge_summary(summary: &mut Summary, s: Summary, offset: u64) {
    summary.rows += s.rows;
    summary.rows_filtered += s.rows_filtered;
    summary.rows_unknown_stage += s.rows_unknown_stage;
    summary.values_used += s.values_used;
    summary.values_missing += s.values_missing;
    summary.values_skipped += s.values_skipped;
    summary.comments += s.comments;
    summary.comments_scored += s.comments_scored;
    for (why, n) in &s.comments_not_english {
        *summary.comments_not_english.entry(why).or_insert(0) += n;
    }
    if summary.first_not_english.is_none() {
        summary.first_not_english = s.first_not_english.map(|(l, c)| (l + offset, c));
    }
    summary.rows_without_wave += s.rows_without_wave;
}

/// A part's binding, filter and pass counts added to the file's, its lines `offset` short.
fn merge_tally(tally: &mut Tally, t: Tally, offset: u64) {
    for (m, p) in tally.bindings.iter_mut().zip(t.bindings) {
        for (ml, pl) in m.labels.iter_mut().zip(&p.labels) {
            ml.2 += pl.2;
        }
        m.used += p.used;
        m.skipped += p.skipped;
        m.span.merge(p.span);
        m.off.merge(p.off);
        for (why, n) in p.why {
            *m.why.entry(why).or_insert(0) += n;
        }
        merge_first_seen(&mut m.unlabelled, p.unlabelled, offset);
    }
    for (m, p) in tally.filters.iter_mut().zip(t.filters) {
        for (mh, ph) in m.hits.iter_mut().zip(&p.hits) {
            *mh += ph;
        }
        for (k, n) in p.seen {
            *m.seen.entry(k).or_insert(0) += n;
        }
    }
    let pass = &mut tally.pass;
    merge_first_seen(&mut pass.stages.unknown, t.pass.stages.unknown, offset);
    if pass.not_utf8.is_none() {
        pass.not_utf8 = t.pass.not_utf8.map(|(line, col)| (line + offset, col));
    }
    for (m, p) in pass.touched.iter_mut().zip(&t.pass.touched) {
        for (a, b) in m.iter_mut().zip(p) {
            *a |= *b;
        }
    }
}

/// Counts with the first CSV line each value was seen at: the part's lines move by
/// `offset`, and a value the main list already has keeps its earlier line.
fn merge_first_seen(
    main: &mut HashMap<Vec<u8>, (u64, u64)>,
    part: HashMap<Vec<u8>, (u64, u64)>,
    offset: u64,
) {
    for (k, (n, line)) in part {
        main.entry(k)
            .and_modify(|e| e.0 += n)
            .or_insert((n, line + offset));
    }
}

impl Aggregate {
    /// Take in the same aggregate of a later part of the file (waves and segments are not
    /// cut, so it has no parts of its own).
    fn absorb(&mut self, other: Aggregate, offset: u64) {
        for s in 0..self.accs.len() {
            self.accs[s].merge(&other.accs[s]);
            self.scales[s] = self.scales[s].or(other.scales[s]);
            for (why, n) in &other.skips[s] {
                *self.skips[s].entry(*why).or_insert(0) += n;
            }
            self.skipped_text[s].merge(&other.skipped_text[s]);
            self.filtered[s] += other.filtered[s];
        }
        self.themes.merge(&other.themes);
        self.pool_sentiment(&other);
        self.quotes.absorb(other.quotes, offset);
    }
}

impl SurveyData {
    /// Empty aggregates with this data's scales and quote choices, for a part of a file
    /// read on another thread.
    fn blank(&self) -> SurveyData {
        let blank = |a: &Aggregate| Aggregate {
            scales: a.scales,
            ..a.blank()
        };
        SurveyData {
            stages: self.stages.iter().map(blank).collect(),
            overall: blank(&self.overall),
            segment_min_n: self.segment_min_n,
            ..SurveyData::default()
        }
    }

    /// The stages' aggregates, then the journey's.
    pub(super) fn aggregates(&self) -> impl Iterator<Item = &Aggregate> {
        self.stages.iter().chain(std::iter::once(&self.overall))
    }
}
