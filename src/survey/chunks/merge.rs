//! Taking a part read on another thread into the file's reading: whether it fits (one scale
//! per measure, bounded distinct values), and its tally, summary, aggregates and diagnostics
//! merged in as if the rows had been read in order, lines shifted by the part's offset.

use std::collections::HashMap;

use crate::survey::tally::Tally;
use crate::survey::{
    Aggregate, DETAILED_WARNINGS, MAX_DISTINCT, MAX_UNKNOWN_VALUES, Reader, Summary, SurveyData,
    slot,
};

use super::Part;

/// Whether no two bindings could pool answers on different scales: the first answer read
/// decides which scale a stage keeps, and a part cannot know which came first.
pub(super) fn one_scale_per_measure(tally: &Tally) -> bool {
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
pub(super) fn fits(reader: &Reader, tally: &Tally, part: &Part) -> bool {
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
    pub(super) fn absorb(
        &mut self,
        tally: &mut Tally,
        summary: &mut Summary,
        part: Part,
        offset: u64,
    ) {
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
pub(super) fn merge_summary(summary: &mut Summary, s: Summary, offset: u64) {
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
pub(super) fn merge_tally(tally: &mut Tally, t: Tally, offset: u64) {
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
        m.passed += p.passed;
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
pub(super) fn merge_first_seen(
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
    pub(super) fn blank(&self) -> SurveyData {
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
    pub(in crate::survey) fn aggregates(&self) -> impl Iterator<Item = &Aggregate> {
        self.stages.iter().chain(std::iter::once(&self.overall))
    }
}
