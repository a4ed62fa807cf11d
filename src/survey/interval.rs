//! The 95% intervals of the survey figures: adjusted-Wald for NPS, Wilson for shares (a mean's
//! normal interval, clamped to its scale, is in `measure.rs`).
//!
//! Invariants: every bound lies in the figure's range (NPS −100..100, shares 0..1); a share
//! of 0 or of all answers has the exact bound 0 or 1.

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// 95% adjusted-Wald interval for NPS, in NPS points (-100..100): add 3 to n and 3/4 to the
/// promoter and detractor counts, then take ±z standard errors of the +1/0/−1 scores.
pub fn nps_interval(promoters: u64, detractors: u64, n: u64) -> (f64, f64) {
    let (nps, var) = adjusted_nps(promoters, detractors, n);
    let half = Z95 * var.sqrt();
    (
        ((nps - half) * 100.0).max(-100.0),
        ((nps + half) * 100.0).min(100.0),
    )
}

/// The adjusted-Wald NPS (-1..1) and the variance of that estimate: n plus 3, promoters and
/// detractors plus 3/4 each, and the variance of the +1/0/−1 scores over the adjusted n.
pub fn adjusted_nps(promoters: u64, detractors: u64, n: u64) -> (f64, f64) {
    let na = n as f64 + 3.0;
    let p = (promoters as f64 + 0.75) / na;
    let d = (detractors as f64 + 0.75) / na;
    let nps = p - d;
    (nps, (p + d - nps * nps) / na)
}

/// 95% Wilson score interval for a proportion `k / n`, as shares 0..1.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    // At 0 and n the bounds are exactly 0 and 1; rounding would leave a hair's breadth.
    let low = if k == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if k as f64 == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}
