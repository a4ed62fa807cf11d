//! Answers: the long and wide layouts, one answer per cell, read against the binding plan
//! (`plan.rs`) and judged after the last row (`judge.rs`).
//!
//! Invariants: every cell of a bound column ends up used, missing or skipped with a reason,
//! and the skipped ones are carried on the figure they were meant for.

use crate::diagnostic::Code;
use crate::model::MeasureName;

use super::judge::skip_detail;
use super::measure::Kind;
use super::plan::{Binding, Filter};
use super::split::Key;
use super::tally::{Ended, Pass, Tally};
use super::value::{Skip, Value};
use super::wholes::Wholes;
use super::{
    DETAILED_WARNINGS, Finished, Last, MAX_DISTINCT, Next, Reader, Summary, input, kind,
    measure_name, slot,
};

/// Where an answer goes: its stage (or the journey), its wave and segment, its CSV line.
#[derive(Clone, Copy)]
struct At {
    target: Option<usize>,
    key: Key,
    line: u64,
}

/// Rows between looks at whether the reading was called off.
const CANCEL_EVERY: u32 = 1 << 16;

impl Reader<'_> {
    /// The plan and empty counters for a file with these columns; `None` when the binding
    /// cannot be made (reported).
    pub(super) fn tally(
        &mut self,
        names: &[String],
        not_utf8: Option<(u64, usize)>,
    ) -> Option<Tally> {
        let (bindings, stage_col) = self.all_bindings(names)?;
        let filters = self.filters(names)?;
        // `date:` is read only around a ship date (`effects.rs`): a name the file lacks is
        // said here, where the file is first read.
        if let Some(d) = self.survey.date.clone() {
            self.column(names, &d.value, d.pos, "the `date:` of its rows")?;
        }
        let split = self.split(names)?;
        let pass = Pass::new(self, not_utf8);
        let wholes = Wholes::new(&bindings, &pass.missing, pass.touched.len());
        Some(Tally {
            bindings,
            filters,
            split,
            pass,
            stage_col,
            wholes,
        })
    }

    pub(super) fn read_answers(
        &mut self,
        input: &mut input::Input,
        summary: &mut Summary,
    ) -> Finished {
        let names = input.names.clone();
        let Some(mut tally) = self.tally(&names, input.not_utf8) else {
            return Finished::Stopped;
        };
        let mut rec = input.pending.take().unwrap_or_default();
        let have = !rec.is_empty();
        let ended = match super::chunks::Plan::new(self, input, &tally) {
            Some(plan) => plan.run(self, input, &mut rec, have, &mut tally, summary),
            None => self.read_rows(input, &mut rec, have, &mut tally, summary, &[], None),
        };
        if ended == Ended::Stopped {
            return Finished::Stopped;
        }
        let Tally {
            bindings,
            filters,
            split,
            pass,
            stage_col,
            ..
        } = tally;
        self.finish_split(split, &pass.touched);
        let not_utf8 = self.finish(&bindings, &filters, stage_col, pass, summary);
        if let Some((line, col)) = not_utf8.filter(|_| input.decoding == input::Decoding::Utf8) {
            let msg = "the file is not valid UTF-8 here; its text was read as Windows-1252 — add `encoding: windows-1252` to the survey if that is right".to_owned();
            self.at_csv(Code::NotUtf8, line, col, msg);
        }
        self.judge_languages(summary);
        Finished::Read
    }

    /// Read rows into the tally until the end of the stream, or until a record starts at
    /// one of `edges` (byte offsets in this stream, ascending), which is left in `rec`
    /// unread. `have`: `rec` already holds the first record. `cancel` calls the reading
    /// off (a part of the file that turned out not to be needed).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn read_rows(
        &mut self,
        input: &mut input::Input,
        rec: &mut input::Record,
        have: bool,
        tally: &mut Tally,
        summary: &mut Summary,
        edges: &[u64],
        cancel: Option<&std::sync::atomic::AtomicBool>,
    ) -> Ended {
        let mut last = Last::default();
        let mut next_edge = 0;
        let mut until_look = CANCEL_EVERY;
        if have {
            self.row(&input::Cells::Copied(rec), tally, summary);
        }
        let ended = loop {
            let read = input.reader.read_with(rec, |cells| {
                if !self.within_limits(cells, &mut last) {
                    return Some(Ended::Stopped);
                }
                if next_edge < edges.len() {
                    let at = cells.byte();
                    while edges.get(next_edge).is_some_and(|e| *e < at) {
                        next_edge += 1;
                    }
                    if edges.get(next_edge) == Some(&at) {
                        return Some(Ended::At {
                            edge: next_edge,
                            line: last.line,
                        });
                    }
                }
                if let Some(c) = cancel {
                    until_look -= 1;
                    if until_look == 0 {
                        until_look = CANCEL_EVERY;
                        if c.load(std::sync::atomic::Ordering::Relaxed) {
                            return Some(Ended::Stopped);
                        }
                    }
                }
                self.row(cells, tally, summary);
                None
            });
            let next = match read {
                Ok(Some(None)) => continue,
                Ok(Some(Some(ended))) => break ended,
                Ok(None) => self.no_record(input, Ok(()), &last),
                Err(e) => self.no_record(input, Err(e), &last),
            };
            break match next {
                Next::End => Ended::End,
                _ => Ended::Stopped,
            };
        };
        // The small whole answers counted by value go into the accumulators before anything
        // reads them (a part is merged, or the pass is judged).
        self.add_wholes(&mut tally.bindings, &mut tally.wholes, summary);
        ended
    }

    /// One row: filters, its stage, then each bound cell.
    #[inline]
    fn row(&mut self, rec: &input::Cells, tally: &mut Tally, summary: &mut Summary) {
        let line = rec.line() + self.line_base;
        if rec.len() == 1 && input::cell(rec, 0).is_empty() {
            return; // a blank line
        }
        summary.rows += 1;
        let mut keep = true;
        for f in tally.filters.iter_mut() {
            // Every filter sees every row, so that one that keeps nothing can be named.
            keep &= f.admits(input::cell(rec, f.col));
        }
        if !keep {
            summary.rows_filtered += 1;
            self.note_filtered(&mut tally.split, rec);
            return;
        }
        let stages = &self.loaded.journey.stages.value;
        let row_stage = match tally.stage_col {
            None => None,
            Some(sc) => match tally
                .pass
                .stages
                .resolve(stages, input::cell(rec, sc), line)
            {
                Some(i) => Some(i),
                None => {
                    summary.rows_unknown_stage += 1;
                    return;
                }
            },
        };
        let Some(key) = self.key(&mut tally.split, rec, line) else {
            summary.rows_without_wave += 1;
            return;
        };
        for (i, b) in tally.bindings.iter_mut().enumerate() {
            let cell = input::cell(rec, b.col);
            let target = if b.per_row { row_stage } else { b.stage };
            let at = At { target, key, line };
            if b.measure == MeasureName::Comment {
                self.comment(b, cell, at, &mut tally.pass, summary);
            } else {
                self.answer(
                    (i, b),
                    cell,
                    at,
                    &mut tally.pass,
                    &mut tally.wholes,
                    summary,
                );
            }
        }
    }

    /// A comment cell: counted, and offered to the quotes of its stage.
    fn comment(
        &mut self,
        b: &Binding,
        cell: &[u8],
        at: At,
        pass: &mut Pass,
        summary: &mut Summary,
    ) {
        let line = at.line;
        if cell.is_empty() || pass.missing.holds(cell) {
            return;
        }
        let row = self.row_of(line);
        let agg = self.data.commented(at.target, at.key);
        // Most comments are ASCII, which is told apart a word at a time.
        let utf8 = cell.is_ascii() || std::str::from_utf8(cell).is_ok();
        if utf8 {
            agg.quotes.offer_utf8(cell, &pass.survey_id, row);
        } else {
            pass.not_utf8.get_or_insert((line, b.col + 1));
            agg.quotes
                .offer(&input::cell_text(cell), &pass.survey_id, row);
        }
        summary.comments += 1;
        if pass.themes.is_none() && pass.sentiment.is_none() {
            return;
        }
        let text = input::cell_text(cell);
        if !super::quotes::is_substantive(&text) {
            return;
        }
        if let Some(m) = &pass.themes {
            m.themes_into(&text, &mut pass.scratch);
            agg.themes.add(&pass.scratch.themes, m.len());
            // A hidden comment is counted, and shown nowhere.
            if !agg.quotes.hides(cell) {
                agg.themes.add_example(&pass.scratch.themes, text.trim());
            }
        }
        if let Some(language) = pass.sentiment {
            // Like an answer: the stage's figure and its wave's and segment's.
            match crate::sentiment::score(&text, language) {
                crate::sentiment::Scored::Score(x) => {
                    summary.comments_scored += 1;
                    self.data
                        .each(at.target, at.key, |a| a.sentiment.add(x, Kind::Mean, 1.0));
                }
                crate::sentiment::Scored::Left(why) => {
                    *summary.comments_not_english.entry(why).or_insert(0) += 1;
                    summary.first_not_english.get_or_insert((line, b.col + 1));
                    self.data.each(at.target, at.key, |a| {
                        *a.not_english.entry(why).or_insert(0) += 1
                    });
                }
            }
        }
    }

    /// An answer cell: used, missing, or skipped with its reason (the first few reported).
    fn answer(
        &mut self,
        (bi, b): (usize, &mut Binding),
        cell: &[u8],
        at: At,
        pass: &mut Pass,
        wholes: &mut Wholes,
        summary: &mut Summary,
    ) {
        let fed = at.target.unwrap_or(pass.touched.len() - 1);
        let parts = at.key.wave.is_some() || at.key.segment.is_some();
        if !parts && wholes.count(bi, fed, cell) {
            return;
        }
        let Some(s) = slot(b.measure) else { return };
        let (value, label) = b.rule.read(cell, &pass.missing);
        if let Some(i) = label {
            b.labels[i].2 += 1;
        }
        let why = match value {
            Value::Missing => {
                summary.values_missing += 1;
                return;
            }
            Value::Number(_) | Value::Whole(_) => match self.use_value(b, value, at, s, parts) {
                None => {
                    summary.values_used += 1;
                    wholes.ready(bi, fed);
                    pass.touched[fed][s] = true;
                    return;
                }
                Some(why) => why,
            },
            Value::Invalid(why) => why,
        };
        summary.values_skipped += 1;
        pass.touched[fed][s] = true;
        self.skip(b, cell, label, why, at, s);
    }

    /// Add a number to the aggregates the row feeds (measure slot `s`); why it is skipped
    /// when its scale is not the one already pooled there.
    fn use_value(
        &mut self,
        b: &mut Binding,
        value: Value,
        at: At,
        s: usize,
        parts: bool,
    ) -> Option<Skip> {
        let (scale, k, top) = (b.rule.scale, kind(b.measure), b.top_from);
        let agg = self.data.target(at.target);
        // Pooled answers must share a scale; the first one read is kept.
        if agg.scales[s].is_some_and(|pooled| pooled != scale) {
            return Some(Skip::OtherScale);
        }
        b.used += 1;
        b.span.add(match value {
            Value::Whole(w) => w as f64,
            Value::Number(x) => x,
            _ => 0.0,
        });
        agg.scales[s] = Some(scale);
        let add = |acc: &mut super::Acc| match value {
            Value::Whole(w) => acc.add_whole(w, k, top),
            Value::Number(x) => acc.add(x, k, top),
            _ => {}
        };
        add(&mut agg.accs[s]);
        if parts {
            for part in at.key.parts() {
                let agg = agg.part(part);
                agg.scales[s].get_or_insert(scale);
                add(&mut agg.accs[s]);
            }
        }
        None
    }

    /// Count a skipped answer where it is reported: the binding (its reasons, off-scale
    /// values, unlabelled cells, the first few warnings) and the aggregates it would feed.
    fn skip(
        &mut self,
        b: &mut Binding,
        cell: &[u8],
        label: Option<usize>,
        why: Skip,
        at: At,
        s: usize,
    ) {
        b.skipped += 1;
        if why == Skip::OffScale {
            let x = match label {
                Some(i) => b.rule.labels.get(i).map(|l| l.1),
                None => super::value::parse_number(cell).ok(),
            };
            if let Some(x) = x {
                b.off.add(x);
            }
        }
        *b.why.entry(why).or_insert(0) += 1;
        self.data.each(at.target, at.key, |agg| {
            *agg.skips[s].entry(why).or_insert(0) += 1;
            agg.skipped_text[s].add(cell);
        });
        if matches!(why, Skip::NotLabel | Skip::NotNumber) {
            if let Some(c) = b.unlabelled.get_mut(cell) {
                c.0 += 1;
            } else if b.unlabelled.len() < MAX_DISTINCT {
                b.unlabelled.insert(cell.to_vec(), (1, at.line));
            }
        }
        if b.warned < DETAILED_WARNINGS {
            b.warned += 1;
            b.details.push(self.diags.len());
            let msg = format!(
                "{} value `{}` in column `{}` skipped: {}",
                measure_name(b.measure),
                super::plausible::shorten(&input::cell_text(cell)),
                b.column,
                skip_detail(why, &b.rule)
            );
            self.at_csv(Code::ValueSkipped, at.line, b.col + 1, msg);
        }
    }

    /// What each fed figure measures: the first binding's `label:` (or `#N` header) and
    /// `Yes` answer, on the aggregates it fed.
    fn note_questions(&mut self, bindings: &[Binding], touched: &[[bool; 4]]) {
        let journey = touched.len() - 1;
        for b in bindings {
            let Some(s) = slot(b.measure) else { continue };
            if b.question.is_none() && b.yes.is_none() {
                continue;
            }
            let fed: Vec<usize> = match (b.per_row, b.stage) {
                (true, _) => (0..journey).filter(|i| touched[*i][s]).collect(),
                (false, Some(i)) => vec![i],
                (false, None) => vec![journey],
            };
            for i in fed {
                let agg = self.data.target((i < journey).then_some(i));
                if agg.questions[s].is_none() {
                    agg.questions[s].clone_from(&b.question);
                }
                if agg.yes[s].is_none() {
                    agg.yes[s].clone_from(&b.yes);
                }
            }
        }
    }

    /// After the last row: rows left out by `where:` are put on the figures this survey
    /// fed, and the binding itself is judged. Returns where the first cell that was not
    /// UTF-8 was.
    fn finish(
        &mut self,
        bindings: &[Binding],
        filters: &[Filter],
        stage_col: Option<usize>,
        pass: Pass,
        summary: &Summary,
    ) -> Option<(u64, usize)> {
        if summary.rows_filtered > 0 {
            let journey = pass.touched.len() - 1;
            for (i, measures) in pass.touched.iter().enumerate() {
                let agg = self.data.target((i < journey).then_some(i));
                for (s, fed) in measures.iter().enumerate() {
                    if *fed {
                        agg.filtered[s] += summary.rows_filtered;
                    }
                }
            }
        }
        self.judge_filters(filters, summary);
        self.note_questions(bindings, &pass.touched);
        for b in bindings {
            self.judge_binding(b);
        }
        self.report_skips(bindings);
        self.report_unknown_stages(pass.stages.unknown, pass.stages.other, stage_col);
        pass.not_utf8
    }
}
