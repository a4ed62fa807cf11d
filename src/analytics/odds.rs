//! Odds ratios of a 2×2 table [[a, b], [c, d]] beyond the sample one: Fisher's exact test
//! and the conditional (exact) estimate and interval, as scipy computes them.
//!
//! Invariants: every sum runs over the support of the hypergeometric distribution with the
//! table's margins, in logarithms scaled by the largest term, so no factorial overflows; the
//! roots are found by bracketing (doubling or halving from 1) and bisection in log space to
//! a relative 1e-13.

/// The conditional maximum likelihood odds ratio of [[a, b], [c, d]] and its exact two-sided
/// interval at `confidence` (scipy's `odds_ratio(table, kind="conditional")`); `None` when
/// `a` is at an end of its support (a cell of 0: the estimate is 0 or infinite).
pub fn conditional(a: u64, b: u64, c: u64, d: u64, confidence: f64) -> Option<(f64, f64, f64)> {
    let h = Hyper::of(a, b, c, d);
    if a == h.lo || a == h.hi {
        return None;
    }
    let x = a as f64;
    let alpha = (1.0 - confidence) / 2.0;
    let estimate = solve(|nc| h.mean(nc) - x);
    let low = solve(|nc| h.tail(a, nc) - alpha);
    let high = solve(|nc| alpha - h.head(a, nc));
    Some((estimate, low, high))
}

/// Fisher's noncentral hypergeometric distribution of `a` given the table's margins.
struct Hyper {
    lo: u64,
    hi: u64,
    /// ln of C(a + b, k)·C(c + d, a + c − k) for k in lo..=hi.
    ln_w: Vec<f64>,
}

impl Hyper {
    fn of(a: u64, b: u64, c: u64, d: u64) -> Hyper {
        let (r1, c1, n) = (a + b, a + c, a + b + c + d);
        let lo = (r1 + c1).saturating_sub(n);
        let hi = r1.min(c1);
        let ln_w = (lo..=hi)
            .map(|k| ln_choose(r1, k) + ln_choose(n - r1, c1 - k))
            .collect();
        Hyper { lo, hi, ln_w }
    }

    /// The probabilities of lo..=hi at odds ratio `nc`.
    fn pmf(&self, nc: f64) -> Vec<f64> {
        let ln_nc = nc.ln();
        let terms: Vec<f64> = self
            .ln_w
            .iter()
            .enumerate()
            .map(|(i, w)| w + (self.lo + i as u64) as f64 * ln_nc)
            .collect();
        let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = terms.iter().map(|t| (t - top).exp()).collect();
        let total: f64 = e.iter().sum();
        e.into_iter().map(|v| v / total).collect()
    }

    fn mean(&self, nc: f64) -> f64 {
        self.pmf(nc)
            .iter()
            .enumerate()
            .map(|(i, p)| (self.lo + i as u64) as f64 * p)
            .sum()
    }

    /// P(X ≤ x).
    fn head(&self, x: u64, nc: f64) -> f64 {
        self.pmf(nc).iter().take((x - self.lo + 1) as usize).sum()
    }

    /// P(X ≥ x).
    fn tail(&self, x: u64, nc: f64) -> f64 {
        self.pmf(nc).iter().skip((x - self.lo) as usize).sum()
    }
}

/// The root of an increasing function of the odds ratio: bracketed from 1 by doubling or
/// halving, then bisected in log space.
fn solve(f: impl Fn(f64) -> f64) -> f64 {
    let mut nc = 1.0f64;
    let at_one = f(nc);
    if at_one == 0.0 {
        return nc;
    }
    let (mut lo, mut hi);
    if at_one > 0.0 {
        while f(nc) > 0.0 && nc > 1e-300 {
            nc /= 2.0;
        }
        (lo, hi) = (nc, nc * 2.0);
    } else {
        while f(nc) < 0.0 && nc < 1e300 {
            nc *= 2.0;
        }
        (lo, hi) = (nc / 2.0, nc);
    }
    for _ in 0..200 {
        let mid = (lo * hi).sqrt();
        if f(mid) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
        if hi / lo - 1.0 < 1e-13 {
            break;
        }
    }
    (lo * hi).sqrt()
}

/// Two-sided Fisher exact test of the table [[a, b], [c, d]]: the probability, under fixed
/// margins, of every table no more likely than this one (scipy's rule, with its relative
/// tolerance of 1e-7).
pub fn fisher(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (r1, c1, n) = (a + b, a + c, a + b + c + d);
    let lo = (r1 + c1).saturating_sub(n);
    let hi = r1.min(c1);
    let ln_p = |x: u64| ln_choose(c1, x) + ln_choose(n - c1, r1 - x) - ln_choose(n, r1);
    let observed = ln_p(a);
    let mut total = 0.0;
    for x in lo..=hi {
        let q = ln_p(x);
        if q <= observed + 1e-7_f64.ln_1p() {
            total += q.exp();
        }
    }
    total.min(1.0)
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = C[1..]
        .iter()
        .enumerate()
        .fold(C[0], |s, (i, c)| s + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::{conditional, fisher, ln_gamma};

    #[test]
    fn ln_gamma_is_ln_of_factorials() {
        assert!((ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(1.0)).abs() < 1e-12);
    }

    /// scipy.stats.fisher_exact([[8, 2], [1, 5]]) → p = 0.034965034965034975;
    /// ([[3, 1], [1, 3]]) → 0.48571428571428565; ([[10, 10], [10, 10]]) → 1.0;
    /// ([[50, 50], [20, 80]]) → 1.3889170690330084e-05.
    #[test]
    fn fisher_matches_scipy() {
        assert!((fisher(8, 2, 1, 5) - 0.034_965_034_965_034_975).abs() < 1e-12);
        assert!((fisher(3, 1, 1, 3) - 0.485_714_285_714_285_65).abs() < 1e-12);
        assert!((fisher(10, 10, 10, 10) - 1.0).abs() < 1e-12);
        assert!((fisher(50, 50, 20, 80) / 1.388_917_069_033_008_4e-5 - 1.0).abs() < 1e-9);
    }

    /// scipy 1.17.1, `odds_ratio(table, kind="conditional")`, its statistic and
    /// `confidence_interval(0.95)`.
    const SCIPY_A: (f64, f64, f64) = (
        0.125_045_887_339_035_93,
        0.017_586_025_040_001_58,
        0.637_060_544_043_229_9,
    );
    const SCIPY_B: (f64, f64, f64) = (
        0.231_036_708_599_546_92,
        0.022_927_485_867_557_756,
        1.215_338_658_126_674,
    );

    /// [[3, 17], [12, 8]] and [[2, 40], [9, 41]] against scipy; a cell of 0 has no finite
    /// estimate.
    #[test]
    fn the_conditional_odds_ratio_and_its_exact_interval_match_scipy() {
        let close = |got: f64, want: f64| (got / want - 1.0).abs() < 1e-7;
        for (table, want) in [([3, 17, 12, 8], SCIPY_A), ([2, 40, 9, 41], SCIPY_B)] {
            let [a, b, c, d] = table;
            let (or, low, high) = conditional(a, b, c, d, 0.95).unwrap();
            assert!(close(or, want.0), "{table:?}: {or} vs {}", want.0);
            assert!(close(low, want.1), "{table:?}: {low} vs {}", want.1);
            assert!(close(high, want.2), "{table:?}: {high} vs {}", want.2);
        }
        assert_eq!(conditional(0, 10, 5, 5, 0.95), None);
        assert_eq!(conditional(5, 0, 5, 5, 0.95), None);
    }
}
