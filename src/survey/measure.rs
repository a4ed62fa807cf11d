//! Survey arithmetic (the guide: "Measures"), pure: accumulators that take one answer at a time or a
//! pre-aggregated row, pool by merging, and turn into the figures outputs show.
//!
//! Invariants: accumulators hold counts and running moments only (no answers are kept), so
//! memory does not grow with rows; merging two accumulators equals accumulating both inputs.

use serde::Serialize;

pub use super::interval::{Z95, adjusted_nps, nps_interval, wilson};

/// Fewer valid answers than this are marked low-sample in every output.
pub const LOW_SAMPLE: u64 = 30;

/// Answers are summed in millionths: a value is kept to six decimals, which every scale a
/// survey uses is written in.
const FIXED: f64 = 1e6;

/// Answers added one at a time, summed exactly: count, Σx and Σx² in millionths (x rounded
/// to six decimals). Integer sums do not depend on the order of addition, so accumulators
/// of parts of a file merged in any order equal one accumulator of the whole, to the bit.
/// Sums that would overflow the integers (values near 10⁹ on tens of millions of answers: no
/// survey scale) go on in f64 from there.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Exact {
    n: u64,
    s1: i128,
    s2: u128,
    /// The sums are in `f1` and `f2` instead.
    overflow: bool,
    f1: f64,
    f2: f64,
}

/// A fractional answer in millionths, rounded half away from zero. Out of line: the
/// compiler would otherwise compute it for every whole answer too.
#[cold]
#[inline(never)]
fn millionths(x: f64) -> i128 {
    i128::from((x * FIXED).round() as i64)
}

impl Exact {
    #[inline]
    fn add(&mut self, x: f64) {
        // Whole answers (nearly all) skip the rounding.
        let w = x as i64;
        if w as f64 == x && w.unsigned_abs() < 1 << 40 {
            self.add_whole(w);
        } else {
            self.sum(millionths(x), x);
        }
    }

    /// A whole answer under 2^40.
    #[inline]
    fn add_whole(&mut self, w: i64) {
        self.sum(i128::from(w * 1_000_000), w as f64);
    }

    /// `c` whole answers `w` under 2^40 at once; the same sums as adding them one by one.
    fn add_whole_n(&mut self, w: i64, c: u64) {
        let q = i128::from(w * 1_000_000);
        let a = q.unsigned_abs();
        if !self.overflow
            && let (Some(s1), Some(s2)) = (
                q.checked_mul(i128::from(c))
                    .and_then(|t| self.s1.checked_add(t)),
                (a * a)
                    .checked_mul(u128::from(c))
                    .and_then(|t| self.s2.checked_add(t)),
            )
        {
            (self.n, self.s1, self.s2) = (self.n + c, s1, s2);
            return;
        }
        // Near overflow: one by one, so that the sums spill where they would have.
        for _ in 0..c {
            self.add_whole(w);
        }
    }

    /// Add `x`, which is `q` millionths.
    #[inline]
    fn sum(&mut self, q: i128, x: f64) {
        self.n += 1;
        if !self.overflow {
            let a = q.unsigned_abs();
            // Under 2^60, the square is one 64-bit by 64-bit multiplication.
            if a < 1 << 60
                && let a = a as u64
                && let (Some(s1), Some(s2)) = (
                    self.s1.checked_add(q),
                    self.s2.checked_add(u128::from(a) * u128::from(a)),
                )
            {
                (self.s1, self.s2) = (s1, s2);
                return;
            }
            self.spill();
        }
        self.f1 += x;
        self.f2 += x * x;
    }

    /// Go on in f64 from the integer sums (a merged accumulator may be partly in each).
    #[cold]
    fn spill(&mut self) {
        if !self.overflow {
            self.overflow = true;
            self.f1 = self.s1 as f64 / FIXED;
            self.f2 = self.s2 as f64 / (FIXED * FIXED);
        }
    }

    fn merge(&mut self, o: &Exact) {
        self.n += o.n;
        if !self.overflow
            && !o.overflow
            && let (Some(s1), Some(s2)) = (self.s1.checked_add(o.s1), self.s2.checked_add(o.s2))
        {
            (self.s1, self.s2) = (s1, s2);
            return;
        }
        self.spill();
        let mut o = *o;
        o.spill();
        self.f1 += o.f1;
        self.f2 += o.f2;
    }

    /// Mean and sum of squared deviations.
    fn moments(&self) -> (f64, f64) {
        if self.n == 0 {
            return (0.0, 0.0);
        }
        let n = self.n as f64;
        if !self.overflow {
            let mean = self.s1 as f64 / n / FIXED;
            // n·Σx² − (Σx)² is exact in integers: no cancellation.
            let spread = u128::from(self.n).checked_mul(self.s2).and_then(|a| {
                a.checked_sub(self.s1.unsigned_abs().checked_mul(self.s1.unsigned_abs())?)
            });
            let m2 = match spread {
                Some(d) => d as f64 / n / (FIXED * FIXED),
                None => (self.s2 as f64 - (self.s1 as f64).powi(2) / n) / (FIXED * FIXED),
            };
            return (mean, m2.max(0.0));
        }
        let mean = self.f1 / n;
        (mean, (self.f2 - self.f1 * self.f1 / n).max(0.0))
    }
}

/// Moments pooled from warehouse rows (n, mean and spread given, not answers), by Chan et
/// al.'s parallel formula.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Pooled {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Pooled {
    fn merge(&mut self, n: u64, mean: f64, m2: f64) {
        if n == 0 {
            return;
        }
        if self.n == 0 {
            *self = Pooled { n, mean, m2 };
            return;
        }
        let all = (self.n + n) as f64;
        let d = mean - self.mean;
        self.mean += d * n as f64 / all;
        self.m2 += m2 + d * d * self.n as f64 * n as f64 / all;
        self.n += n;
    }
}

/// The counts NPS and CSAT need, and the moments of the answers whose value is known: a
/// warehouse row may give NPS counts without a mean, and then the pooled mean is unknown
/// rather than wrong.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Acc {
    pub n: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    pub top_box: u64,
    pub(super) exact: Exact,
    pub(super) pooled: Pooled,
}

impl Acc {
    /// Add one valid answer `x`; `top_from` is the lowest value in the top two boxes.
    #[inline]
    pub fn add(&mut self, x: f64, kind: Kind, top_from: f64) {
        self.exact.add(x);
        self.count(x, kind, top_from);
    }

    /// The same for a whole answer under 10⁹ (`Value::Whole`).
    #[inline]
    pub fn add_whole(&mut self, w: i64, kind: Kind, top_from: f64) {
        self.exact.add_whole(w);
        self.count(w as f64, kind, top_from);
    }

    /// `c` whole answers `w` (under 2^40) at once: the same accumulator as adding them one
    /// by one.
    pub fn add_wholes(&mut self, w: i64, c: u64, kind: Kind, top_from: f64) {
        self.exact.add_whole_n(w, c);
        self.count_n(w as f64, c, kind, top_from);
    }

    #[inline]
    fn count(&mut self, x: f64, kind: Kind, top_from: f64) {
        self.count_n(x, 1, kind, top_from);
    }

    #[inline]
    fn count_n(&mut self, x: f64, c: u64, kind: Kind, top_from: f64) {
        self.n += c;
        match kind {
            Kind::Nps => {
                if x >= 9.0 {
                    self.promoters += c;
                } else if x <= 6.0 {
                    self.detractors += c;
                } else {
                    self.passives += c;
                }
            }
            Kind::Csat => {
                if x >= top_from {
                    self.top_box += c;
                }
            }
            Kind::Mean => {}
        }
    }

    /// Pool another accumulator into this one: answers add exactly, warehouse moments by
    /// Chan et al.'s formula.
    pub fn merge(&mut self, o: &Acc) {
        self.exact.merge(&o.exact);
        self.pooled.merge(o.pooled.n, o.pooled.mean, o.pooled.m2);
        self.n += o.n;
        self.promoters += o.promoters;
        self.passives += o.passives;
        self.detractors += o.detractors;
        self.top_box += o.top_box;
    }

    /// The same counts with the moments a warehouse row gives for `n` answers: their mean
    /// and sum of squared deviations.
    pub fn with_moments(self, n: u64, mean: f64, m2: f64) -> Acc {
        let mut a = Acc {
            exact: Exact::default(),
            pooled: Pooled::default(),
            ..self
        };
        a.pooled.merge(n, mean, m2);
        a
    }

    /// An accumulator from warehouse figures: n, mean and standard deviation (n - 1).
    pub fn from_moments(n: u64, mean: f64, stddev: f64) -> Acc {
        Acc {
            n,
            ..Acc::default()
        }
        .with_moments(n, mean, stddev * stddev * n.saturating_sub(1) as f64)
    }

    /// Answers whose value is known.
    pub fn mn(&self) -> u64 {
        self.exact.n + self.pooled.n
    }

    /// Mean and sum of squared deviations of the answers whose value is known.
    fn moments(&self) -> (f64, f64) {
        let (mean, m2) = self.exact.moments();
        let mut all = Pooled::default();
        all.merge(self.exact.n, mean, m2);
        all.merge(self.pooled.n, self.pooled.mean, self.pooled.m2);
        (all.mean, all.m2)
    }

    /// The mean of the answers whose value is known (0 when none is).
    pub fn mean(&self) -> f64 {
        self.moments().0
    }

    /// Their sum of squared deviations from the mean.
    pub fn m2(&self) -> f64 {
        self.moments().1
    }

    /// The sample standard deviation (n - 1) of the answers whose value is known.
    pub fn stddev(&self) -> f64 {
        let mn = self.mn();
        if mn < 2 {
            0.0
        } else {
            (self.m2() / (mn - 1) as f64).sqrt()
        }
    }

    /// The mean answer, when every answer's value is known.
    pub fn known_mean(&self) -> Option<f64> {
        (self.mn() == self.n && self.n > 0).then(|| self.mean())
    }
}

/// How a measure is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Net Promoter Score from 0..10 answers.
    Nps,
    /// Share of answers in the top two boxes.
    Csat,
    /// Mean answer (CES and generic scores).
    Mean,
}

/// A measure's figures as outputs show them: `value` unrounded, a 95% interval, `n`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Figure {
    pub n: u64,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub low_sample: bool,
    /// Mean answer on the measure's own scale (for CSAT, the mean rating); null when a
    /// warehouse row gave counts without a mean.
    pub mean: Option<f64>,
    pub scale: [f64; 2],
    /// NPS only: shares in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promoters: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passives: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detractors: Option<f64>,
    /// CSAT only: answers in the top two boxes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_box: Option<u64>,
    /// Means only: sample standard deviation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stddev: Option<f64>,
    /// The measure mapped onto -2..2, as `emotion_from` uses it (null when the mean is
    /// unknown).
    pub emotion: Option<f64>,
    /// Answers in the bound columns that could not be used, with why (each is reported by
    /// `validate` at its CSV line and column).
    pub skipped: u64,
    pub skipped_why: Vec<SkipCount>,
    /// The one text every skipped answer reads, when they all read the same (then they are
    /// not a random sample of the answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped_all_read: Option<String>,
    /// What the figure measures: the binding's `label:`, or the header a `#N` column
    /// resolved to.
    pub question: Option<String>,
    /// For a 0..1 score whose `values:` name its 1: that answer (`Yes`); the figure is then
    /// read as the share that gave it.
    pub yes: Option<String>,
    /// Rows left out by `where:` in the surveys behind this figure.
    pub filtered: u64,
    /// One sentence for people when the figure is qualified (answers skipped, rows filtered
    /// out, low sample); null otherwise.
    pub caveat: Option<String>,
}

/// How many answers were skipped for one reason.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SkipCount {
    pub reason: &'static str,
    pub count: u64,
}

pub fn figure(acc: &Acc, kind: Kind, scale: [f64; 2]) -> Option<Figure> {
    if acc.n == 0 {
        return None;
    }
    let n = acc.n as f64;
    let base = Figure {
        n: acc.n,
        low_sample: acc.n < LOW_SAMPLE,
        mean: acc.known_mean(),
        scale,
        emotion: acc.known_mean().map(|m| to_emotion(m, scale)),
        ..Figure::default()
    };
    Some(match kind {
        Kind::Nps => {
            let value = (acc.promoters as f64 - acc.detractors as f64) / n * 100.0;
            let (low, high) = nps_interval(acc.promoters, acc.detractors, acc.n);
            // The adjustment pulls the centre towards 0, so with very few answers all of a
            // kind (one detractor: NPS -100) the interval would leave the observed score out
            // ([-98.5, +48.5]); it is widened to take it in.
            Figure {
                value,
                low: low.min(value),
                high: high.max(value),
                promoters: Some(acc.promoters as f64 / n * 100.0),
                passives: Some(acc.passives as f64 / n * 100.0),
                detractors: Some(acc.detractors as f64 / n * 100.0),
                // NPS -100..100 onto -2..2, linearly: 0 is neutral, ±100 the extremes.
                emotion: Some(value / 50.0),
                ..base
            }
        }
        Kind::Csat => {
            let (low, high) = wilson(acc.top_box, acc.n);
            Figure {
                value: acc.top_box as f64 / n * 100.0,
                low: low * 100.0,
                high: high * 100.0,
                top_box: Some(acc.top_box),
                ..base
            }
        }
        Kind::Mean => {
            let sd = acc.stddev();
            let mean = acc.mean();
            let half = Z95 * sd / n.sqrt();
            // A normal interval can reach past the scale with few answers; no mean can.
            Figure {
                value: mean,
                low: (mean - half).max(scale[0]),
                high: (mean + half).min(scale[1]),
                stddev: Some(sd),
                ..base
            }
        }
    })
}

/// Map `x` linearly from `scale` onto -2..2.
pub fn to_emotion(x: f64, scale: [f64; 2]) -> f64 {
    let [lo, hi] = scale;
    if hi <= lo {
        return 0.0;
    }
    ((x - lo) / (hi - lo) * 4.0 - 2.0).clamp(-2.0, 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn whole_answers_add_as_their_float_does() {
        let (mut by_float, mut by_int) = (Acc::default(), Acc::default());
        for w in [0i64, 3, 7, 9, 10, 6, -2, 999_999_999] {
            by_float.add(w as f64, Kind::Nps, 0.0);
            by_int.add_whole(w, Kind::Nps, 0.0);
        }
        assert_eq!(by_float, by_int);
    }

    #[test]
    fn whole_answers_counted_by_value_add_as_one_by_one() {
        for (kind, top) in [(Kind::Nps, 0.0), (Kind::Csat, 4.0), (Kind::Mean, 0.0)] {
            let (mut one_by_one, mut by_value) = (Acc::default(), Acc::default());
            for (w, c) in [(0i64, 3u64), (4, 1), (7, 5), (9, 2), (10, 4), (15, 1)] {
                for _ in 0..c {
                    one_by_one.add_whole(w, kind, top);
                }
                by_value.add_wholes(w, c, kind, top);
            }
            assert_eq!(one_by_one, by_value);
        }
        // By hand: 3×0 + 4 + 5×7 + 2×9 + 4×10 = 97 over 15 answers; 6 promoters (9, 10),
        // 5 passives (7), 4 detractors (0, 4).
        let mut a = Acc::default();
        for (w, c) in [(0i64, 3u64), (4, 1), (7, 5), (9, 2), (10, 4)] {
            a.add_wholes(w, c, Kind::Nps, 0.0);
        }
        assert_eq!(
            (a.promoters, a.passives, a.detractors, a.mn()),
            (6, 5, 4, 15)
        );
        close(a.mean(), 97.0 / 15.0, 1e-12);
        // Past the integers (5e12 spills), counted answers go on as single ones would.
        let (mut near, mut single) = (Acc::default(), Acc::default());
        near.add(5e12, Kind::Mean, 0.0);
        single.add(5e12, Kind::Mean, 0.0);
        near.add_wholes(3, 1_000, Kind::Mean, 0.0);
        for _ in 0..1_000 {
            single.add_whole(3, Kind::Mean, 0.0);
        }
        assert_eq!(near, single);
    }

    #[test]
    fn sums_past_the_integers_go_on_in_floating_point() {
        // 5e12 in millionths is past 2^60: the sums spill at the first answer.
        let xs = [1.0, 5e12, 3.0, 5e12];
        let mut one = Acc::default();
        for x in xs {
            one.add(x, Kind::Mean, 0.0);
        }
        let mean = (1.0 + 5e12 + 3.0 + 5e12) / 4.0;
        close(one.mean(), mean, 1e-3);
        let m2: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
        close(one.m2() / m2, 1.0, 1e-9);
        // A part still in integers merged with a spilled one.
        let (mut a, mut b) = (Acc::default(), Acc::default());
        a.add(1.0, Kind::Mean, 0.0);
        a.add(3.0, Kind::Mean, 0.0);
        b.add(5e12, Kind::Mean, 0.0);
        b.add(5e12, Kind::Mean, 0.0);
        a.merge(&b);
        close(a.mean(), mean, 1e-3);
        assert_eq!(a.mn(), 4);
    }

    /// 3 promoters, 1 passive, 1 detractor, by hand: NPS = (3 - 1) / 5 = 40.
    /// Adjusted: n' = 8, p' = 3.75/8 = 0.46875, d' = 1.75/8 = 0.21875, NPS' = 0.25,
    /// var = 0.6875 - 0.0625 = 0.625, se = sqrt(0.625/8) = 0.279508,
    /// half = 1.96 × se = 0.547826 → [-29.78, 79.78].
    #[test]
    fn nps_and_its_adjusted_wald_interval() {
        let mut a = Acc::default();
        for x in [10.0, 9.0, 9.0, 7.0, 3.0] {
            a.add(x, Kind::Nps, 0.0);
        }
        let f = figure(&a, Kind::Nps, [0.0, 10.0]).unwrap();
        close(f.value, 40.0, 1e-9);
        close(f.promoters.unwrap(), 60.0, 1e-9);
        close(f.passives.unwrap(), 20.0, 1e-9);
        close(f.detractors.unwrap(), 20.0, 1e-9);
        close(f.low, -29.782, 1e-3);
        close(f.high, 79.782, 1e-3);
        assert!(f.low_sample);
        close(f.emotion.unwrap(), 0.8, 1e-9); // 40 / 50
    }

    /// 8 of 10 in the top two boxes: Wilson [0.4902, 0.9433] (the textbook example).
    /// One detractor: NPS -100; adjusted n' = 4, p' = 0.75/4, d' = 1.75/4, NPS' = -0.25,
    /// var = 0.625 - 0.0625 = 0.5625, half = 1.96 × sqrt(0.5625/4) = 0.735 → [-98.5, +48.5],
    /// which leaves -100 out: the interval is widened to [-100, +48.5].
    #[test]
    fn the_nps_interval_takes_in_the_observed_score() {
        let mut a = Acc::default();
        a.add(0.0, Kind::Nps, 0.0);
        let f = figure(&a, Kind::Nps, [0.0, 10.0]).unwrap();
        close(f.value, -100.0, 1e-12);
        close(f.low, -100.0, 1e-12);
        close(f.high, 48.4986, 1e-3);
    }

    #[test]
    fn csat_top_two_box_with_wilson_interval() {
        let mut a = Acc::default();
        for x in [5.0, 5.0, 4.0, 4.0, 4.0, 5.0, 4.0, 4.0, 3.0, 1.0] {
            a.add(x, Kind::Csat, 4.0);
        }
        let f = figure(&a, Kind::Csat, [1.0, 5.0]).unwrap();
        close(f.value, 80.0, 1e-9);
        close(f.low, 49.016, 1e-3);
        close(f.high, 94.332, 1e-3);
        close(f.mean.unwrap(), 3.9, 1e-9);
        // Mean 3.9 on 1..5 onto -2..2: (3.9 - 1) / 4 × 4 - 2 = 0.9.
        close(f.emotion.unwrap(), 0.9, 1e-9);
    }

    /// 1, 2, 3, 4, 5: mean 3, sd = sqrt(2.5) = 1.5811, half = 1.96 × 1.5811 / sqrt(5) = 1.3859.
    #[test]
    fn mean_with_normal_interval() {
        let mut a = Acc::default();
        for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
            a.add(x, Kind::Mean, 0.0);
        }
        let f = figure(&a, Kind::Mean, [1.0, 7.0]).unwrap();
        close(f.value, 3.0, 1e-12);
        close(f.stddev.unwrap(), 2.5f64.sqrt(), 1e-12);
        close(f.low, 1.6141, 1e-4);
        close(f.high, 4.3859, 1e-4);
    }

    /// 1, 1, 1, 7 on 1..7: mean 2.5, sd = sqrt((3 × 1.5² + 4.5²) / 3) = 3,
    /// half = 1.96 × 3 / 2 = 2.94: the interval is [-0.44, 5.44], and no mean is below 1.
    #[test]
    fn a_mean_interval_stays_on_its_scale() {
        let mut a = Acc::default();
        for x in [1.0, 1.0, 1.0, 7.0] {
            a.add(x, Kind::Mean, 0.0);
        }
        let f = figure(&a, Kind::Mean, [1.0, 7.0]).unwrap();
        close(f.stddev.unwrap(), 3.0, 1e-12);
        assert_eq!(f.low, 1.0);
        close(f.high, 2.5 + Z95 * 1.5, 1e-12);
    }

    /// NPS counts from a warehouse without a mean pool with answers: the counts add up,
    /// the mean is unknown rather than the mean of the answers alone.
    #[test]
    fn a_pooled_mean_is_exact_or_unknown() {
        let mut a = Acc::default();
        for x in [10.0, 6.0] {
            a.add(x, Kind::Nps, 0.0);
        }
        let counts = Acc {
            n: 10,
            promoters: 5,
            passives: 3,
            detractors: 2,
            ..Acc::default()
        };
        a.merge(&counts);
        let f = figure(&a, Kind::Nps, [0.0, 10.0]).unwrap();
        assert_eq!(f.n, 12);
        close(f.value, (6.0 - 3.0) / 12.0 * 100.0, 1e-12);
        assert_eq!(f.mean, None);
        // NPS emotion comes from the score, not the mean: 25 / 50.
        close(f.emotion.unwrap(), 0.5, 1e-12);
        // With a mean on both sides, the pooled mean is the weighted one: (2 × 8 + 10 × 7) / 12.
        let mut b = Acc::default();
        for x in [10.0, 6.0] {
            b.add(x, Kind::Nps, 0.0);
        }
        b.merge(&counts.with_moments(10, 7.0, 0.0));
        close(
            b.known_mean().unwrap(),
            (2.0 * 8.0 + 10.0 * 7.0) / 12.0,
            1e-12,
        );
    }

    #[test]
    fn merging_equals_accumulating_everything() {
        let xs = [3.0, 7.0, 9.0, 10.0, 0.0, 6.0, 8.0, 8.0];
        let mut all = Acc::default();
        let (mut a, mut b) = (Acc::default(), Acc::default());
        for (i, x) in xs.iter().enumerate() {
            all.add(*x, Kind::Nps, 0.0);
            if i < 3 { &mut a } else { &mut b }.add(*x, Kind::Nps, 0.0);
        }
        a.merge(&b);
        assert_eq!(a.n, all.n);
        assert_eq!((a.promoters, a.passives, a.detractors), (2, 3, 3));
        // Answers are summed exactly: the merged accumulator is the whole one, to the bit.
        assert_eq!(
            (a.mean().to_bits(), a.m2().to_bits()),
            (all.mean().to_bits(), all.m2().to_bits())
        );
        // By hand: Σx = 51, mean 6.375; Σx² = 403, m2 = 403 − 51²/8 = 77.875.
        assert_eq!(all.mean(), 6.375);
        assert_eq!(all.m2(), 77.875);
        // Warehouse moments of the same data pool to the same variance.
        let from = Acc::from_moments(all.n, all.mean(), all.stddev());
        close(from.m2(), all.m2(), 1e-9);
    }

    /// Fractions in any order, split anywhere: the same bits. 0.1 + 0.2 + 0.7 in f64 is not
    /// 1 in every order; in millionths it is.
    #[test]
    fn sums_do_not_depend_on_order_or_split() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| f64::from((i * 37) % 101) / 10.0)
            .collect();
        let mut forward = Acc::default();
        for x in &xs {
            forward.add(*x, Kind::Mean, 0.0);
        }
        let mut backward = Acc::default();
        for x in xs.iter().rev() {
            backward.add(*x, Kind::Mean, 0.0);
        }
        assert_eq!(forward.mean().to_bits(), backward.mean().to_bits());
        assert_eq!(forward.stddev().to_bits(), backward.stddev().to_bits());
        for cut in [1, 333, 999] {
            let (mut a, mut b) = (Acc::default(), Acc::default());
            xs[..cut].iter().for_each(|x| a.add(*x, Kind::Mean, 0.0));
            xs[cut..].iter().for_each(|x| b.add(*x, Kind::Mean, 0.0));
            a.merge(&b);
            assert_eq!(a.n, forward.n);
            assert_eq!(a.mean().to_bits(), forward.mean().to_bits());
            assert_eq!(a.m2().to_bits(), forward.m2().to_bits());
        }
        let mut three = Acc::default();
        for x in [0.1, 0.2, 0.7] {
            three.add(x, Kind::Mean, 0.0);
        }
        assert_eq!(three.mean(), 1.0 / 3.0);
    }

    #[test]
    fn intervals_stay_in_range_and_empty_is_none() {
        let (lo, hi) = nps_interval(10, 0, 10);
        assert!(hi <= 100.0 && lo > 0.0);
        let (lo, hi) = wilson(0, 3);
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 1.0);
        assert!(figure(&Acc::default(), Kind::Mean, [1.0, 7.0]).is_none());
        assert_eq!(to_emotion(7.0, [1.0, 7.0]), 2.0);
        assert_eq!(to_emotion(1.0, [1.0, 7.0]), -2.0);
        assert_eq!(to_emotion(4.0, [1.0, 7.0]), 0.0);
    }
}
