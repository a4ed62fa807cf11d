//! Figures per wave and per segment, and the change between waves, for one stage or for the
//! whole journey (the guide: "Waves and segments").
//!
//! Invariants: waves come in the map's order; a change compares a wave with the latest
//! earlier wave that has the same measure; a segment figure with fewer answers than the
//! map's minimum is never shown as a figure, only as "too small" with its n.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::survey::change::{self, Change};
use crate::survey::measure::{Figure, LOW_SAMPLE};
use crate::survey::split::Key;
use crate::survey::{Aggregate, SurveyData};

/// One wave's figures.
#[derive(Debug, Clone, Serialize)]
pub struct WaveFigures<'a> {
    pub wave: &'a str,
    pub metrics: BTreeMap<&'static str, Figure>,
    /// Figures left out because they rest on fewer answers than a segment needs, with
    /// their n (segments only; empty otherwise).
    pub too_small: BTreeMap<&'static str, u64>,
}

/// The change of one measure from one wave to a later one.
#[derive(Debug, Clone, Serialize)]
pub struct WaveChange<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub measure: &'static str,
    #[serde(flatten)]
    pub change: Change,
    /// One of the two figures rests on fewer than 30 answers: the interval is shown, but the
    /// change is never called significant.
    pub low_sample: bool,
}

/// One segment: its figures in the headline wave (or over all rows when there are no
/// waves), and per wave with the changes.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentFigures<'a> {
    pub segment: &'a str,
    /// The segment's place among all segments: its line style and marker on the curve.
    pub style: usize,
    pub metrics: BTreeMap<&'static str, Figure>,
    pub too_small: BTreeMap<&'static str, u64>,
    pub waves: Vec<WaveFigures<'a>>,
    pub changes: Vec<WaveChange<'a>>,
}

/// Everything split out of one aggregate.
#[derive(Debug, Default)]
pub struct Parts<'a> {
    pub waves: Vec<WaveFigures<'a>>,
    pub changes: Vec<WaveChange<'a>>,
    pub segments: Vec<SegmentFigures<'a>>,
}

pub fn parts<'a>(agg: &'a Aggregate, data: &'a SurveyData) -> Parts<'a> {
    let wave_key = |w: usize, segment: Option<u16>| Key {
        wave: u16::try_from(w).ok(),
        segment,
    };
    let over_waves = |segment: Option<u16>, min_n: u64| {
        let found: Vec<(&'a str, &'a Aggregate)> = data
            .waves
            .iter()
            .enumerate()
            .filter_map(|(w, label)| {
                agg.parts
                    .get(&wave_key(w, segment))
                    .map(|a| (label.as_str(), a))
            })
            .collect();
        let waves = found
            .iter()
            .map(|(label, a)| figures_of(label, a, min_n))
            .collect::<Vec<_>>();
        (waves, changes(&found, min_n))
    };
    let (waves, changes) = over_waves(None, 0);
    let min_n = data.segment_min_n;
    let segments = data
        .segments
        .iter()
        .enumerate()
        .filter_map(|(s, label)| {
            let s16 = u16::try_from(s).ok();
            let head_key = match data.waves.len() {
                0 => Key {
                    wave: None,
                    segment: s16,
                },
                n => wave_key(n - 1, s16),
            };
            let (waves, changes) = if data.waves.is_empty() {
                (Vec::new(), Vec::new())
            } else {
                over_waves(s16, min_n)
            };
            let head = agg.parts.get(&head_key);
            if head.is_none() && waves.is_empty() {
                return None;
            }
            let WaveFigures {
                metrics, too_small, ..
            } = head.map_or_else(
                || WaveFigures {
                    wave: "",
                    metrics: BTreeMap::new(),
                    too_small: BTreeMap::new(),
                },
                |a| figures_of("", a, min_n),
            );
            Some(SegmentFigures {
                segment: label,
                style: s,
                metrics,
                too_small,
                waves,
                changes,
            })
        })
        .collect();
    Parts {
        waves,
        changes,
        segments,
    }
}

/// A part's figures, those under `min_n` answers set aside.
fn figures_of<'a>(wave: &'a str, a: &Aggregate, min_n: u64) -> WaveFigures<'a> {
    let (metrics, small): (Vec<_>, Vec<_>) =
        a.figures().into_iter().partition(|(_, f)| f.n >= min_n);
    WaveFigures {
        wave,
        metrics: metrics.into_iter().collect(),
        too_small: small.into_iter().map(|(m, f)| (m, f.n)).collect(),
    }
}

/// Each wave against the latest earlier wave with the same measure; measures too small to
/// show are not compared.
fn changes<'a>(found: &[(&'a str, &Aggregate)], min_n: u64) -> Vec<WaveChange<'a>> {
    let mut out = Vec::new();
    let mut last: BTreeMap<&'static str, (&'a str, &Aggregate)> = BTreeMap::new();
    for (label, a) in found {
        let shown: Vec<&'static str> = a
            .figures()
            .into_iter()
            .filter(|(_, f)| f.n >= min_n)
            .map(|(m, _)| m)
            .collect();
        let mut moved: Vec<WaveChange> = Vec::new();
        for (measure, (from, earlier)) in &last {
            if !shown.contains(measure) {
                continue;
            }
            if let Some((_, mut c)) = change::between(earlier, a)
                .into_iter()
                .find(|(m, _)| m == measure)
            {
                let n = |agg: &Aggregate| {
                    agg.figures()
                        .into_iter()
                        .find(|(m, _)| m == measure)
                        .map_or(0, |(_, f)| f.n)
                };
                let low_sample = n(earlier).min(n(a)) < LOW_SAMPLE;
                c.significant &= !low_sample;
                moved.push(WaveChange {
                    from,
                    to: label,
                    measure,
                    change: c,
                    low_sample,
                });
            }
        }
        moved.sort_by_key(|c| crate::survey::FIGURES.iter().position(|m| *m == c.measure));
        out.extend(moved);
        for m in shown {
            last.insert(m, (label, a));
        }
    }
    out
}

/// Width and height of a trend chart, in SVG units; points sit `PAD` in from the sides.
const TREND_W: f64 = 120.0;
const TREND_H: f64 = 40.0;
const PAD: f64 = 6.0;

/// One measure of one stage over the waves: a line through the figures and a band for their
/// 95% intervals, on an axis fixed per measure (NPS -100..100, CSAT 0..100%, a mean on its
/// scale) so that stages compare at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct Trend<'a> {
    pub measure: &'static str,
    pub width: f64,
    pub height: f64,
    pub line: String,
    pub band: String,
    pub points: Vec<TrendPoint<'a>>,
    /// The changes of this measure, earliest first.
    pub changes: Vec<WaveChange<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint<'a> {
    pub wave: &'a str,
    pub x: f64,
    pub y: f64,
    pub value: f64,
    pub n: u64,
    pub low_sample: bool,
}

/// The trends of a stage with figures in at least two waves.
pub fn trends<'a>(
    waves: &[WaveFigures<'a>],
    changes: &[WaveChange<'a>],
    labels: &[String],
) -> Vec<Trend<'a>> {
    let k = labels.len();
    if k < 2 {
        return Vec::new();
    }
    let x_of = |w: &str| {
        let i = labels.iter().position(|l| l == w).unwrap_or(0);
        PAD + i as f64 * (TREND_W - 2.0 * PAD) / (k - 1) as f64
    };
    let f = |v: f64| crate::words::number(v, 2);
    // In the order of `metrics` (by name), so a stage's figures and trends line up.
    let mut names: Vec<&'static str> = crate::survey::FIGURES.to_vec();
    names.sort_unstable();
    names
        .into_iter()
        .filter_map(|measure| {
            let found: Vec<(&'a str, &Figure)> = waves
                .iter()
                .filter_map(|w| w.metrics.get(measure).map(|fig| (w.wave, fig)))
                .collect();
            if found.len() < 2 {
                return None;
            }
            let [lo, hi] = match measure {
                "nps" => [-100.0, 100.0],
                "csat" => [0.0, 100.0],
                _ => found[0].1.scale,
            };
            let y_of = |v: f64| {
                let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
                PAD + (1.0 - t) * (TREND_H - 2.0 * PAD)
            };
            let points: Vec<TrendPoint> = found
                .iter()
                .map(|(w, fig)| TrendPoint {
                    wave: w,
                    x: x_of(w),
                    y: y_of(fig.value),
                    value: fig.value,
                    n: fig.n,
                    low_sample: fig.low_sample,
                })
                .collect();
            let line = points
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{}{} {}", if i == 0 { "M" } else { "L" }, f(p.x), f(p.y)))
                .collect::<Vec<_>>()
                .join(" ");
            let upper = found.iter().map(|(w, fig)| (x_of(w), y_of(fig.high)));
            let lower = found.iter().rev().map(|(w, fig)| (x_of(w), y_of(fig.low)));
            let band = upper
                .chain(lower)
                .enumerate()
                .map(|(i, (x, y))| format!("{}{} {}", if i == 0 { "M" } else { "L" }, f(x), f(y)))
                .collect::<Vec<_>>()
                .join(" ")
                + " Z";
            Some(Trend {
                measure,
                width: TREND_W,
                height: TREND_H,
                line,
                band,
                points,
                changes: changes
                    .iter()
                    .filter(|c| c.measure == measure)
                    .cloned()
                    .collect(),
            })
        })
        .collect()
}
