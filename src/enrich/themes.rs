//! Theme shares: for each theme of the codebook, the share of a stage's substantive comments
//! that belong to it, with its Wilson 95% interval; and the same over the whole journey.
//!
//! Invariants: a share is always shown with its `n`, and never computed from no comments
//! (an aggregate without substantive comments has no shares at all).

use serde::Serialize;

use crate::model::Theme;
use crate::survey::change::{self, Change};
use crate::survey::measure::{LOW_SAMPLE, wilson};
use crate::themes::Tally;

#[derive(Debug, Clone, Serialize)]
pub struct ThemeShare<'a> {
    pub id: &'a str,
    pub label: &'a str,
    /// Percent of `n`, and its 95% Wilson interval.
    pub share: f64,
    pub low: f64,
    pub high: f64,
    /// Substantive comments read.
    pub n: u64,
    /// Comments that belong to the theme.
    pub matched: u64,
    /// Up to three of them to quote: a sample by the hash of their text, the same every run
    /// (comments the map hides are never among them).
    pub quotes: Vec<String>,
}

/// The shares of every theme in `tally`, in codebook order; empty without comments.
pub fn shares<'a>(codebook: &'a [Theme], tally: &Tally) -> Vec<ThemeShare<'a>> {
    if tally.n == 0 {
        return Vec::new();
    }
    codebook
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let matched = tally.matched.get(i).copied().unwrap_or(0);
            let (low, high) = wilson(matched, tally.n);
            ThemeShare {
                id: &t.id.value,
                label: &t.label,
                share: matched as f64 / tally.n as f64 * 100.0,
                low: low * 100.0,
                high: high * 100.0,
                n: tally.n,
                matched,
                quotes: tally
                    .examples
                    .get(i)
                    .map(|e| e.iter().map(|(_, t)| t.clone()).collect())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Comments that belong to no theme, as a share of the substantive ones.
#[derive(Debug, Clone, Serialize)]
pub struct Unthemed {
    pub share: f64,
    pub n: u64,
    pub unthemed: u64,
    /// Their most telling words and phrases, best first (YAKE keyphrases over a sample of
    /// `sampled` distinct comments in no theme): what the codebook may be missing.
    pub words: Vec<String>,
    pub sampled: usize,
}

/// The comments in no theme, with their most telling words when `words` is set.
pub fn unthemed(tally: &Tally, words: bool) -> Option<Unthemed> {
    (tally.n > 0).then(|| Unthemed {
        share: tally.unthemed as f64 / tally.n as f64 * 100.0,
        n: tally.n,
        unthemed: tally.unthemed,
        words: if words {
            tally.missed_words(crate::themes::MISSED_WORDS)
        } else {
            Vec::new()
        },
        sampled: tally.missed.len(),
    })
}

/// The theme shares of one wave.
#[derive(Debug, Clone, Serialize)]
pub struct WaveThemes<'a> {
    pub wave: &'a str,
    pub themes: Vec<ThemeShare<'a>>,
    pub unthemed: Option<Unthemed>,
}

/// The change of one theme's share (in percentage points) from one wave to a later one.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeChange<'a> {
    pub id: &'a str,
    pub label: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    #[serde(flatten)]
    pub change: Change,
    /// One of the two waves has fewer than 30 substantive comments: the interval is shown,
    /// but the change is never called significant.
    pub low_sample: bool,
}

/// The shares of each wave that has substantive comments, in wave order, and each theme's
/// change from the wave before it (Newcombe's interval for a difference of two shares).
pub fn over_waves<'a>(
    codebook: &'a [Theme],
    waves: &[(&'a str, Tally)],
) -> (Vec<WaveThemes<'a>>, Vec<ThemeChange<'a>>) {
    let found: Vec<&(&str, Tally)> = waves.iter().filter(|(_, t)| t.n > 0).collect();
    let shown = found
        .iter()
        .map(|(wave, t)| WaveThemes {
            wave,
            themes: shares(codebook, t),
            unthemed: unthemed(t, false),
        })
        .collect();
    let mut changes = Vec::new();
    for pair in found.windows(2) {
        let ((from, a), (to, b)) = (pair[0], pair[1]);
        let low_sample = a.n.min(b.n) < LOW_SAMPLE;
        for (i, theme) in codebook.iter().enumerate() {
            let k = |t: &Tally| t.matched.get(i).copied().unwrap_or(0);
            if let Some(mut change) = change::share((k(a), a.n), (k(b), b.n)) {
                change.significant &= !low_sample;
                changes.push(ThemeChange {
                    id: &theme.id.value,
                    label: &theme.label,
                    from,
                    to,
                    change,
                    low_sample,
                });
            }
        }
    }
    (shown, changes)
}
