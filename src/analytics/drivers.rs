//! What goes with dropping off: for each value of the property a log's actors are segmented
//! by (`segment_by:`, first touch), the odds of dropping off between two stages against the
//! other actors', with its 95% interval and Fisher's exact test.
//!
//! Invariants: a value is judged only with at least [`MIN_N`] actors at the stage before;
//! the interval is Woolf's (the log odds ratio ± 1.959964 standard errors), with 0.5 added to
//! every cell when one is empty (Haldane–Anscombe), and says which; significance is the
//! two-sided Fisher exact test at 5%, as `scipy.stats.fisher_exact` computes it.

use serde::Serialize;

/// Actors a value needs at the stage before to be judged.
pub const MIN_N: u64 = 30;
/// The normal quantile of a two-sided 95% interval.
const Z: f64 = 1.959_963_984_540_054;

/// `stages[].reach.drivers[]`: one value of the property against all other actors.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Driver {
    pub property: String,
    pub value: String,
    /// Odds of dropping off with this value over the odds without it.
    pub odds_ratio: f64,
    pub low: f64,
    pub high: f64,
    /// Actors with this value who reached the stage, and who reached the stage before but
    /// not this one.
    pub kept: u64,
    pub lost: u64,
    /// Two-sided Fisher exact p-value.
    pub p: f64,
    pub significant: bool,
    /// `woolf`, or `woolf+0.5` when a cell was empty.
    pub method: &'static str,
}

/// Each value's odds of dropping off against the rest: `values` holds (value, actors at the
/// stage before, actors here); sorted by how far the interval lies from 1, strongest first.
pub fn drivers(property: &str, values: &[(String, u64, u64)]) -> Vec<Driver> {
    let (before, here): (u64, u64) = values
        .iter()
        .fold((0, 0), |(b, h), (_, vb, vh)| (b + vb, h + vh.min(vb)));
    let mut out: Vec<Driver> = values
        .iter()
        .filter(|(_, b, _)| *b >= MIN_N)
        .filter_map(|(value, b, h)| {
            let kept = (*h).min(*b);
            let lost = b - kept;
            let (kept_rest, lost_rest) = (here - kept, (before - here) - lost);
            (kept_rest + lost_rest > 0)
                .then(|| judge(property, value, [lost, kept, lost_rest, kept_rest]))
        })
        .collect();
    out.sort_by(|a, b| {
        distance(b)
            .total_cmp(&distance(a))
            .then_with(|| a.value.cmp(&b.value))
    });
    out
}

/// How far the interval lies from 1, on the log scale (0 when it holds 1).
fn distance(d: &Driver) -> f64 {
    if d.low > 1.0 {
        d.low.ln()
    } else if d.high < 1.0 {
        -d.high.ln()
    } else {
        0.0
    }
}

/// The 2×2 table [lost, kept, lost by the rest, kept by the rest], judged.
fn judge(property: &str, value: &str, cells: [u64; 4]) -> Driver {
    let [a, b, c, d] = cells;
    let empty = cells.contains(&0);
    let add = if empty { 0.5 } else { 0.0 };
    let [fa, fb, fc, fd] = cells.map(|x| x as f64 + add);
    let or = (fa * fd) / (fb * fc);
    let se = (1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd).sqrt();
    let p = fisher(a, b, c, d);
    Driver {
        property: property.to_owned(),
        value: value.to_owned(),
        odds_ratio: or,
        low: (or.ln() - Z * se).exp(),
        high: (or.ln() + Z * se).exp(),
        kept: b,
        lost: a,
        p,
        significant: p < 0.05,
        method: if empty { "woolf+0.5" } else { "woolf" },
    }
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
    use super::{drivers, fisher, ln_gamma};

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

    /// Two values of 100 actors each at the stage before: `ios` keeps 80, `web` keeps 50.
    /// `web`: lost 50, kept 50, the rest lost 20, kept 80: OR = (50·80)/(50·20) = 4; Woolf
    /// se = √(1/50 + 1/50 + 1/20 + 1/80) = 0.320156; 95% CI exp(ln 4 ± 1.959964·se): statsmodels
    /// Table2x2([[50, 50], [20, 80]]).oddsratio_confint() → (2.1357112223404178,
    /// 7.49164954167652).
    #[test]
    fn odds_ratios_and_woolf_intervals_by_hand() {
        let d = drivers(
            "platform",
            &[("ios".to_owned(), 100, 80), ("web".to_owned(), 100, 50)],
        );
        // Two values are each other's rest: the same distance from 1, in name order.
        assert_eq!((d[0].value.as_str(), d[1].value.as_str()), ("ios", "web"));
        let web = &d[1];
        assert!((web.odds_ratio - 4.0).abs() < 1e-12);
        assert!(
            (web.low - 2.135_711_222_340_417_8).abs() < 1e-9,
            "{}",
            web.low
        );
        assert!(
            (web.high - 7.491_649_541_676_52).abs() < 1e-9,
            "{}",
            web.high
        );
        assert!(web.significant);
        assert!((d[0].odds_ratio - 0.25).abs() < 1e-12);
        assert_eq!((web.kept, web.lost), (50, 50));
    }
}
