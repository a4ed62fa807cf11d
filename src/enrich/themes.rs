//! Theme shares: for each theme of the codebook, the share of a stage's substantive comments
//! that belong to it, with its Wilson 95% interval; and the same over the whole journey.
//!
//! Invariants: a share is always shown with its `n`, and never computed from no comments
//! (an aggregate without substantive comments has no shares at all).

use serde::Serialize;

use crate::model::Theme;
use crate::survey::measure::wilson;
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
}

pub fn unthemed(tally: &Tally) -> Option<Unthemed> {
    (tally.n > 0).then(|| Unthemed {
        share: tally.unthemed as f64 / tally.n as f64 * 100.0,
        n: tally.n,
        unthemed: tally.unthemed,
    })
}
