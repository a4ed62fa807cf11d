//! The figures of one stage (or of the whole journey) pooled over every survey: per measure
//! its accumulator, scale, skipped answers and question; the quotes, themes and sentiment of
//! its comments; the same per wave and segment.
//!
//! Invariants: an aggregate holds counts and bounded samples only; its parts (waves,
//! segments) are aggregates of the same kind, each fed by the rows of its key.

use std::collections::BTreeMap;

use crate::model::MeasureName;

use super::measure::{self, Acc, Kind, SkipCount};
use super::quotes::Sample;
use super::value::Skip;
use super::{NUMERIC, Verbatim, binding, kind, measure_name, plausible, split};

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
    pub(super) fn blank(&self) -> Aggregate {
        Aggregate {
            quotes: self.quotes.blank(),
            ..Aggregate::default()
        }
    }

    /// The part of one key, made when first fed.
    pub(super) fn part(&mut self, key: split::Key) -> &mut Aggregate {
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
pub(super) fn reasons(f: &measure::Figure) -> String {
    let why: Vec<String> = f
        .skipped_why
        .iter()
        .map(|s| format!("{} {}", s.count, s.reason))
        .collect();
    why.join("; ")
}

/// The sentence shown beside a figure that lost answers or rows; `None` for a complete one.
pub(super) fn caveat(f: &measure::Figure) -> Option<String> {
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
