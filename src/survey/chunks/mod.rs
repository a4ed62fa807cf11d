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

mod merge;

use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use super::tally::{Ended, Tally};
use super::{Reader, Summary, SurveyData, input};
use crate::diagnostic::Diagnostic;
use merge::{fits, one_scale_per_measure};

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
        let forced = reader.reading.cut_always;
        let path = reader.path?;
        if reader.reading.threads == Some(1)
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
        // Cores are counted only for a file large enough to cut.
        let parts = if forced {
            reader.reading.threads()
        } else {
            match usize::try_from(body / MIN_PART_BYTES).unwrap_or(usize::MAX) {
                0 | 1 => return None,
                most => reader.reading.threads().min(most),
            }
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
