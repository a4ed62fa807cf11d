//! The change of a figure between two survey waves, with a 95% interval for the difference:
//! is the later wave really different, or is the move within noise?
//!
//! Each function takes the earlier wave first and gives `later - earlier`, in the figure's
//! own units (NPS and CSAT in points, a mean on its scale). `significant` is true when the
//! interval leaves zero out.

use super::measure::{Z95, adjusted_nps, wilson};
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub delta: f64,
    pub low: f64,
    pub high: f64,
    pub significant: bool,
}

impl Change {
    fn new(delta: f64, low: f64, high: f64) -> Self {
        Change {
            delta,
            low,
            high,
            significant: low > 0.0 || high < 0.0,
        }
    }
}

/// One wave's NPS answers, counted.
#[derive(Debug, Clone, Copy)]
pub struct NpsCounts {
    pub promoters: u64,
    pub detractors: u64,
    pub n: u64,
}

/// NPS: the difference of the two adjusted-Wald NPS (each wave adds 3 to n and 3/4 to its
/// promoters and detractors), ± z times the square root of the sum of their variances. The
/// interval is widened, as a wave's own interval is, to take in the observed difference.
pub fn nps(earlier: NpsCounts, later: NpsCounts) -> Option<Change> {
    if earlier.n == 0 || later.n == 0 {
        return None;
    }
    let adjusted = |c: NpsCounts| adjusted_nps(c.promoters, c.detractors, c.n);
    let observed = |c: NpsCounts| (c.promoters as f64 - c.detractors as f64) / c.n as f64;
    let (s1, v1) = adjusted(earlier);
    let (s2, v2) = adjusted(later);
    let half = Z95 * (v1 + v2).sqrt();
    let delta = (observed(later) - observed(earlier)) * 100.0;
    let low = ((s2 - s1 - half) * 100.0).max(-200.0).min(delta);
    let high = ((s2 - s1 + half) * 100.0).min(200.0).max(delta);
    Some(Change::new(delta, low, high))
}

/// CSAT (a top-box share): Newcombe's hybrid score interval (his method 10), built from each
/// wave's Wilson interval, in percentage points.
pub fn share(earlier: (u64, u64), later: (u64, u64)) -> Option<Change> {
    let ((k1, n1), (k2, n2)) = (earlier, later);
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let (p1, p2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let (l1, u1) = wilson(k1, n1);
    let (l2, u2) = wilson(k2, n2);
    let d = p2 - p1;
    let low = d - ((p2 - l2).powi(2) + (u1 - p1).powi(2)).sqrt();
    let high = d + ((u2 - p2).powi(2) + (p1 - l1).powi(2)).sqrt();
    Some(Change::new(d * 100.0, low * 100.0, high * 100.0))
}

/// One wave's answers to a mean measure (CES, a score): count, mean and sample standard
/// deviation (n - 1).
#[derive(Debug, Clone, Copy)]
pub struct MeanSummary {
    pub n: u64,
    pub mean: f64,
    pub stddev: f64,
}

/// A mean: Welch's interval, with Welch–Satterthwaite degrees of freedom. None when a wave
/// has fewer than two answers, or neither wave varies (no spread to judge a move against).
pub fn mean(earlier: MeanSummary, later: MeanSummary) -> Option<Change> {
    if earlier.n < 2 || later.n < 2 {
        return None;
    }
    let v1 = earlier.stddev.powi(2) / earlier.n as f64;
    let v2 = later.stddev.powi(2) / later.n as f64;
    let var = v1 + v2;
    if var.is_nan() || var <= 0.0 {
        return None;
    }
    let df = var * var / (v1 * v1 / (earlier.n - 1) as f64 + v2 * v2 / (later.n - 1) as f64);
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(0.975);
    let delta = later.mean - earlier.mean;
    let half = t * var.sqrt();
    Some(Change::new(delta, delta - half, delta + half))
}

/// The change of every measure both aggregates have on one scale, in [`super::FIGURES`]
/// order; a mean needs every answer's value known in both.
pub fn between(
    earlier: &super::Aggregate,
    later: &super::Aggregate,
) -> Vec<(&'static str, Change)> {
    use super::measure::Kind;
    super::NUMERIC
        .iter()
        .enumerate()
        .filter(|(i, _)| earlier.scales[*i] == later.scales[*i])
        .filter_map(|(i, m)| {
            let (a, b) = (&earlier.accs[i], &later.accs[i]);
            let change = match super::kind(*m) {
                Kind::Nps => nps(
                    NpsCounts {
                        promoters: a.promoters,
                        detractors: a.detractors,
                        n: a.n,
                    },
                    NpsCounts {
                        promoters: b.promoters,
                        detractors: b.detractors,
                        n: b.n,
                    },
                ),
                Kind::Csat => share((a.top_box, a.n), (b.top_box, b.n)),
                Kind::Mean => {
                    let summary = |acc: &super::measure::Acc| {
                        acc.known_mean().map(|mean| MeanSummary {
                            n: acc.n,
                            mean,
                            stddev: acc.stddev(),
                        })
                    };
                    mean(summary(a)?, summary(b)?)
                }
            }?;
            Some((super::measure_name(*m), change))
        })
        .chain(sentiment(earlier, later).map(|c| ("sentiment", c)))
        .collect()
}

/// The change of the mean sentiment of the English comments.
fn sentiment(earlier: &super::Aggregate, later: &super::Aggregate) -> Option<Change> {
    let summary = |acc: &super::measure::Acc| {
        (acc.n > 0).then(|| MeanSummary {
            n: acc.n,
            mean: acc.mean(),
            stddev: acc.stddev(),
        })
    };
    mean(summary(&earlier.sentiment)?, summary(&later.sentiment)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guide's worked example ("Waves and segments"): 50 promoters and 20 detractors
    /// of 100 (NPS +30), then 70 and 10 of 100 (NPS +60). Adjusted: 50.75/103 - 20.75/103 =
    /// 0.291262, variance (0.692718 - 0.291262²)/103 = 0.0059159; 70.75/103 - 10.75/103 =
    /// 0.582524, (0.791262 - 0.582524²)/103 = 0.0043876; half-width 1.96 × √0.0103036 =
    /// 0.198949; 0.291262 ± 0.198949 → [+9.23, +49.02] points.
    #[test]
    fn the_readme_worked_example() {
        let c = nps(
            NpsCounts {
                promoters: 50,
                detractors: 20,
                n: 100,
            },
            NpsCounts {
                promoters: 70,
                detractors: 10,
                n: 100,
            },
        )
        .unwrap();
        close(c.delta, 30.0, 1e-9);
        close(c.low, 9.2313, 1e-3);
        close(c.high, 49.0211, 1e-3);
        assert!(c.significant);
    }

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    /// Wave 1: 3 promoters, 1 passive, 1 detractor (NPS 40); wave 2: 6, 2, 2 (NPS 40).
    /// Adjusted: wave 1 n' = 8, NPS' = 0.25, var/n' = 0.625/8 = 0.078125; wave 2 n' = 13,
    /// p' = 6.75/13, d' = 2.75/13, NPS' = 4/13 = 0.307692, var = 9.5/13 - (4/13)² =
    /// 0.636095, /13 = 0.048930. se = sqrt(0.127055) = 0.356448, half = 0.698626;
    /// 0.057692 ± 0.698626 → [-64.09, +75.63]: no significant move (scipy: -64.0933, 75.6318).
    #[test]
    fn nps_difference_by_hand() {
        let c = nps(
            NpsCounts {
                promoters: 3,
                detractors: 1,
                n: 5,
            },
            NpsCounts {
                promoters: 6,
                detractors: 2,
                n: 10,
            },
        )
        .unwrap();
        close(c.delta, 0.0, 1e-9);
        close(c.low, -64.0933, 1e-3);
        close(c.high, 75.6318, 1e-3);
        assert!(!c.significant);
    }

    /// NPS -70 (10 promoters, 80 detractors of 100) to +40 (60, 20 of 100): +110 points,
    /// [86.85, 126.74] by an independent scipy computation: significant.
    #[test]
    fn a_large_nps_move_is_significant() {
        let c = nps(
            NpsCounts {
                promoters: 10,
                detractors: 80,
                n: 100,
            },
            NpsCounts {
                promoters: 60,
                detractors: 20,
                n: 100,
            },
        )
        .unwrap();
        close(c.delta, 110.0, 1e-9);
        close(c.low, 86.8483, 1e-3);
        close(c.high, 126.7440, 1e-3);
        assert!(c.significant);
    }

    /// Newcombe (1998), Statistics in Medicine 17:873, table II: 56/70 against 48/80, a
    /// difference of 0.2 with method-10 interval 0.0524 to 0.3339.
    #[test]
    fn share_difference_matches_newcombes_worked_example() {
        let c = share((48, 80), (56, 70)).unwrap();
        close(c.delta, 20.0, 1e-9);
        close(c.low, 5.24, 0.005);
        close(c.high, 33.39, 0.005);
        assert!(c.significant);
        // The other way round: the same interval, negated.
        let back = share((56, 70), (48, 80)).unwrap();
        close(back.low, -c.high, 1e-9);
        close(back.high, -c.low, 1e-9);
    }

    /// 9/10 satisfied, then 7/10: -20 points, but [-51.41, +15.98] (scipy): noise.
    #[test]
    fn a_small_share_move_is_not_significant() {
        let c = share((9, 10), (7, 10)).unwrap();
        close(c.delta, -20.0, 1e-9);
        close(c.low, -51.4146, 1e-3);
        close(c.high, 15.9794, 1e-3);
        assert!(!c.significant);
    }

    /// n 10, mean 3.0, sd 1.0 then n 12, mean 3.8, sd 1.5: se = sqrt(0.1 + 0.1875) =
    /// 0.536190; df = 0.2875² / (0.1²/9 + 0.1875²/11) = 19.1905; t(0.975, 19.19) = 2.09162;
    /// 0.8 ± 1.12151 → [-0.3215, 1.9215] (scipy: -0.321505, 1.921505).
    #[test]
    fn mean_difference_by_welch() {
        let c = mean(
            MeanSummary {
                n: 10,
                mean: 3.0,
                stddev: 1.0,
            },
            MeanSummary {
                n: 12,
                mean: 3.8,
                stddev: 1.5,
            },
        )
        .unwrap();
        close(c.delta, 0.8, 1e-9);
        close(c.low, -0.321505, 1e-5);
        close(c.high, 1.921505, 1e-5);
        assert!(!c.significant);
    }

    /// Raw answers a = [1,2,2,3,3,3,4,4,5], b = [3,4,4,5,5,5,2,4]: scipy's
    /// `ttest_ind(b, a, equal_var=False).confidence_interval()` is [-0.18584, 2.18584].
    #[test]
    fn mean_difference_matches_scipy_welch_on_raw_answers() {
        let summary = |xs: &[f64]| {
            let n = xs.len() as f64;
            let m = xs.iter().sum::<f64>() / n;
            let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            MeanSummary {
                n: xs.len() as u64,
                mean: m,
                stddev: sd,
            }
        };
        let a = summary(&[1., 2., 2., 3., 3., 3., 4., 4., 5.]);
        let b = summary(&[3., 4., 4., 5., 5., 5., 2., 4.]);
        let c = mean(a, b).unwrap();
        close(c.delta, 1.0, 1e-9);
        close(c.low, -0.18584, 1e-5);
        close(c.high, 2.18584, 1e-5);
    }

    #[test]
    fn no_interval_without_answers_or_spread() {
        let none = NpsCounts {
            promoters: 0,
            detractors: 0,
            n: 0,
        };
        assert!(nps(none, none).is_none());
        assert!(share((0, 0), (1, 2)).is_none());
        let flat = MeanSummary {
            n: 5,
            mean: 4.0,
            stddev: 0.0,
        };
        assert!(mean(flat, flat).is_none());
        let one = MeanSummary {
            n: 1,
            mean: 4.0,
            stddev: 0.0,
        };
        assert!(mean(one, flat).is_none());
    }
}
