//! The emotion curve's geometry: points and smooth paths through the hand-set and measured
//! emotions, on a canvas `100 × stages` wide and [`PLOT_HEIGHT`] px high, the place of every
//! label (see `labels`), and the curve's text alternative.

use super::context::{Curve, CurvePoint, SegmentSeries, Series, StageCtx};
use super::labels::{self, Column, LabelKind, PLOT_HEIGHT, y_of};

/// Segments drawn on the emotion curve, each with its own dashes and marker.
pub const SEGMENT_STYLES: usize = 4;

pub(super) fn curve(stages: &[StageCtx], waves: &[String], segments: &[String]) -> Curve {
    let hand_set = series(stages, |st| st.emotion.map(|e| (e.score, e.label.clone())));
    let measured = series(stages, |st| st.emotion_measured.map(|m| (m, None)));
    // The comments' sentiment, a curve of its own unless it is the measured one already.
    let sentiment = series(stages, |st| {
        st.said
            .sentiment
            .as_ref()
            .filter(|_| st.emotion_from != Some("sentiment"))
            .and_then(|f| f.emotion)
            .map(|m| (m, None))
    });
    let previous_wave = waves.len().checked_sub(2).map(|i| waves[i].clone());
    let previous = previous_wave.as_ref().map(|label| {
        series(stages, |st| {
            st.waves
                .iter()
                .find(|w| w.wave == label)
                .and_then(|w| emotion_in(st, &w.metrics))
                .map(|m| (m, None))
        })
    });
    let segment_series = segment_series(stages, segments);
    let mut description = description(stages, &hand_set, &measured);
    if !sentiment.points.is_empty() {
        description.push_str(&format!(
            " Comment sentiment, from -1..1 onto -2..2: {}.",
            spoken(&sentiment)
        ));
    }
    for s in &segment_series {
        description.push_str(&format!(" Segment {}: {}.", s.segment, spoken(&s.series)));
    }
    if let (Some(label), Some(p)) = (&previous_wave, &previous)
        && !p.points.is_empty()
    {
        description.push_str(&format!(" The wave before, {label}: {}.", spoken(p)));
    }
    let drawn: Vec<&Series> = [&hand_set, &measured, &sentiment]
        .into_iter()
        .chain(segment_series.iter().map(|g| &g.series))
        .collect();
    let columns = columns(stages, &drawn);
    Curve {
        width: 100 * stages.len(),
        height: PLOT_HEIGHT,
        zero_y: y_of(0.0),
        labels: labels::place(&columns, stages.len()),
        hand_set,
        measured,
        sentiment,
        previous: previous.filter(|p| !p.points.is_empty()),
        previous_wave,
        segments: segment_series,
        description,
    }
}

/// A stage's emotion in a wave or segment: from its own measure's figure there.
fn emotion_in(
    st: &StageCtx,
    metrics: &std::collections::BTreeMap<&'static str, crate::survey::measure::Figure>,
) -> Option<f64> {
    st.emotion_from
        .and_then(|m| metrics.get(m))
        .and_then(|f| f.emotion)
}

/// Each segment's curve, in the order given. Four line styles and markers tell curves apart
/// without colour; more would repeat them, so later segments are in the segment tables only.
fn segment_series(stages: &[StageCtx], segments: &[String]) -> Vec<SegmentSeries> {
    segments
        .iter()
        .enumerate()
        .map(|(style, label)| SegmentSeries {
            segment: label.clone(),
            style,
            series: series(stages, |st| {
                st.segments
                    .iter()
                    .find(|s| s.segment == label)
                    .and_then(|s| emotion_in(st, &s.metrics))
                    .map(|m| (m, None))
            }),
        })
        .filter(|s| !s.series.points.is_empty())
        .take(SEGMENT_STYLES)
        .collect()
}

/// The curve's text alternative: each stage's emotion, set and measured.
fn description(stages: &[StageCtx], hand_set: &Series, measured: &Series) -> String {
    if hand_set.points.is_empty() && measured.points.is_empty() {
        return "No stage has an emotion set or measured.".to_owned();
    }
    let parts: Vec<String> = stages
        .iter()
        .map(|st| {
            let set = st.emotion.map(|e| {
                format!(
                    "{}{}",
                    crate::words::score(e.score),
                    e.label
                        .as_deref()
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default()
                )
            });
            let measured = st
                .emotion_measured
                .map(|m| format!("measured {}", two_decimals(m)));
            let text = match (set, measured) {
                (Some(s), Some(m)) => format!("{s}, {m}"),
                (Some(s), None) => s,
                (None, Some(m)) => m,
                (None, None) => "not set".to_owned(),
            };
            format!("{}: {text}", st.name)
        })
        .collect();
    format!(
        "Emotion by stage, from -2 (very negative) to 2 (very positive): {}.",
        parts.join("; ")
    )
}

/// Each stage's column of the plot: the markers drawn there and the labels it wants.
fn columns<'a>(stages: &[StageCtx<'a>], drawn: &[&Series]) -> Vec<Column<'a>> {
    stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let at =
                |series: &&Series| series.points.iter().find(|p| p.stage == st.id).map(|p| p.y);
            let mut markers: Vec<f64> = drawn.iter().filter_map(at).collect();
            markers.sort_by(f64::total_cmp);
            let mut wants = Vec::new();
            if let Some(e) = st.emotion {
                wants.push((LabelKind::Set, y_of(e.score), e.score, e.label.as_deref()));
            }
            if let Some(m) = st.emotion_measured {
                wants.push((LabelKind::Measured, y_of(m), m, None));
            }
            Column {
                index: i,
                stage: st.id,
                markers,
                labels: wants,
            }
        })
        .collect()
}

/// A series as the text alternative says it: `Search -0.5; Purchase +1.2`.
fn spoken(series: &Series) -> String {
    series
        .points
        .iter()
        .map(|p| format!("{} {}", p.stage_name, two_decimals(p.score)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A measured score to two decimals, signed (rounded once, by `words::number`).
fn two_decimals(score: f64) -> String {
    crate::words::score(score)
}

/// Points and a smooth path through the stages for which `value` gives a score. Runs of
/// neighbouring stages are joined (Catmull-Rom through the points, as cubic Béziers); a
/// stage without a value breaks the line.
fn series(
    stages: &[StageCtx],
    value: impl Fn(&StageCtx) -> Option<(f64, Option<String>)>,
) -> Series {
    let n = stages.len();
    let mut points = Vec::new();
    let mut path = String::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |run: &mut Vec<(f64, f64)>, path: &mut String| {
        if run.len() > 1 {
            path.push_str(&smooth_path(run));
        }
        run.clear();
    };
    for (i, st) in stages.iter().enumerate() {
        let Some((score, label)) = value(st) else {
            flush(&mut run, &mut path);
            continue;
        };
        let x = 100.0 * i as f64 + 50.0;
        let y = y_of(score);
        run.push((x, y));
        points.push(CurvePoint {
            stage: st.id.to_owned(),
            stage_name: st.name.to_owned(),
            x,
            y,
            score,
            label,
            left_pct: x / (100.0 * n as f64) * 100.0,
            top_pct: y / PLOT_HEIGHT * 100.0,
        });
    }
    flush(&mut run, &mut path);
    Series {
        points,
        path: path.trim_end().to_owned(),
    }
}

fn smooth_path(pts: &[(f64, f64)]) -> String {
    let f = |v: f64| crate::words::number(v, 2);
    let mut d = format!("M{} {}", f(pts[0].0), f(pts[0].1));
    for i in 0..pts.len() - 1 {
        let p0 = pts[i.saturating_sub(1)];
        let p1 = pts[i];
        let p2 = pts[i + 1];
        let p3 = pts[(i + 2).min(pts.len() - 1)];
        let c1 = (p1.0 + (p2.0 - p0.0) / 6.0, p1.1 + (p2.1 - p0.1) / 6.0);
        let c2 = (p2.0 - (p3.0 - p1.0) / 6.0, p2.1 - (p3.1 - p1.1) / 6.0);
        d.push_str(&format!(
            " C{} {} {} {} {} {}",
            f(c1.0),
            f(c1.1),
            f(c2.0),
            f(c2.1),
            f(p2.0),
            f(p2.1)
        ));
    }
    d.push(' ');
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_straight_run_gives_a_straight_bezier() {
        // Three collinear points: every control point lies on the same line.
        let d = smooth_path(&[(50.0, 50.0), (150.0, 30.0), (250.0, 10.0)]);
        assert_eq!(
            d.trim(),
            "M50 50 C66.67 46.67 116.67 36.67 150 30 C183.33 23.33 233.33 13.33 250 10"
        );
    }
}
