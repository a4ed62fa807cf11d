//! Where the emotion curve's labels go: each label is a box that touches no other label and
//! no point marker, worked out here so the page needs no script and prints as it shows.
//!
//! Invariants (the stylesheet holds the other half of each):
//! - a stage column is at least [`MIN_COLUMN`] px wide and a label at most [`LABEL_WIDTH`]
//!   px wide, centred on its stage, so labels of different stages never meet;
//! - within a column, heights come from text widths estimated on the wide side
//!   (`textfit`), so a real label is never taller than the box it was given;
//! - a label sits beside its point when it can; one that had to move gets a leader line.

use serde::Serialize;

use crate::textfit::lines;

/// The plot's height in px; a score of +2 is drawn at [`y_of`]`(2)`, -2 at `y_of(-2)`.
pub const PLOT_HEIGHT: f64 = 320.0;
/// The narrowest a stage column gets (`col.stage-col` in the stylesheet).
pub const MIN_COLUMN: f64 = 208.0;
/// A label's widest border box (`.curve .pt { max-width }`).
pub const LABEL_WIDTH: f64 = 160.0;
/// The room the axis values (`+2`, `0`, `-2`) take at the plot's left edge.
const AXIS_TEXT: f64 = 20.0;
// Half a label beside half a column leaves room for the axis values in the first column
// and keeps labels of neighbouring stages apart.
const _: () = assert!(LABEL_WIDTH + 2.0 * AXIS_TEXT < MIN_COLUMN);
/// Horizontal padding and border of a label, both sides.
const LABEL_CHROME_X: f64 = 14.0;
/// Vertical padding and border, both sides.
const LABEL_CHROME_Y: f64 = 4.0;
/// The bold score line of a hand-set label (13 px on a 16 px line).
const SCORE_LINE: f64 = 16.0;
/// A line of label text (12 px on a 15 px line).
const TEXT_LINE: f64 = 15.0;
/// Half the size of the largest point marker.
const DOT: f64 = 7.0;
/// Space between a label and its point, and between any two boxes.
const GAP: f64 = 3.0;
/// How much closer the other side of a point must be before a label moves there.
const SIDE_BIAS: f64 = 12.0;

/// The y of a score on the plot, in px from its top: +2 at 48, 0 at 160, -2 at 272.
pub fn y_of(score: f64) -> f64 {
    PLOT_HEIGHT / 2.0 - 56.0 * score
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelKind {
    /// The team's score and label.
    Set,
    /// The score measured from survey answers.
    Measured,
}

#[derive(Debug, Serialize)]
pub struct CurveLabel {
    pub stage: String,
    pub kind: LabelKind,
    pub score: f64,
    pub label: Option<String>,
    /// Horizontal centre as a percentage of the plot's width.
    pub left_pct: f64,
    /// Top of the box, in px from the plot's top.
    pub top: f64,
    /// The height the box was given (the estimate it will not exceed).
    pub height: f64,
    /// A leader from the point to the label when the label had to move away from it:
    /// `[x, y1, y2]` in drawing units.
    pub leader: Option<[f64; 3]>,
}

/// One stage column's points (the y of each marker) and the labels it wants.
pub struct Column<'a> {
    pub index: usize,
    pub stage: &'a str,
    pub markers: Vec<f64>,
    /// `(kind, y of its point, score, label text)`.
    pub labels: Vec<(LabelKind, f64, f64, Option<&'a str>)>,
}

/// Place every column's labels; `stages` is the number of columns.
pub fn place(columns: &[Column], stages: usize) -> Vec<CurveLabel> {
    let mut out = Vec::new();
    for col in columns {
        let mut taken: Vec<(f64, f64)> = col.markers.iter().map(|y| (y - DOT, y + DOT)).collect();
        // The higher point's label goes above it and the lower one's below, so two labels
        // of one stage part instead of meeting; at a tie the team's goes above.
        let mut wants = col.labels.clone();
        wants.sort_by(|a, b| a.1.total_cmp(&b.1).then((a.0 as u8).cmp(&(b.0 as u8))));
        let n = wants.len();
        for (i, (kind, y, score, label)) in wants.into_iter().enumerate() {
            let height = label_height(kind, label);
            let above_first = i == 0 && (n > 1 || kind == LabelKind::Set);
            let (top, moved) = slot(y, height, above_first, &taken);
            taken.push((top, top + height));
            let x = 100.0 * col.index as f64 + 50.0;
            let leader = moved.then(|| {
                let edge = if top > y { top } else { top + height };
                [x, y, edge]
            });
            out.push(CurveLabel {
                stage: col.stage.to_owned(),
                kind,
                score,
                label: label.map(str::to_owned),
                left_pct: x / (100.0 * stages as f64) * 100.0,
                top,
                height,
                leader,
            });
        }
    }
    out
}

/// The top of a free slot for a box of `height` next to a point at `y`: beside the point on
/// the preferred side if free, else the nearest free place on either side. Returns whether
/// the box had to move away from its point.
fn slot(y: f64, height: f64, above_first: bool, taken: &[(f64, f64)]) -> (f64, bool) {
    let free = |top: f64| {
        top >= 0.0
            && top + height <= PLOT_HEIGHT
            && taken
                .iter()
                .all(|&(a, b)| top + height + GAP <= a || top >= b + GAP)
    };
    let above = |d: f64| y - DOT - GAP - height - d;
    let below = |d: f64| y + DOT + GAP + d;
    let (preferred, other): (&dyn Fn(f64) -> f64, &dyn Fn(f64) -> f64) = if above_first {
        (&above, &below)
    } else {
        (&below, &above)
    };
    // The other side only wins when it is closer by more than [`SIDE_BIAS`], so labels do
    // not flip sides for a pixel or two.
    let mut d = 0.0;
    while d <= PLOT_HEIGHT + SIDE_BIAS {
        if free(preferred(d)) {
            return (preferred(d), d > 0.0);
        }
        if d >= SIDE_BIAS && free(other(d - SIDE_BIAS)) {
            return (other(d - SIDE_BIAS), d > SIDE_BIAS);
        }
        d += 2.0;
    }
    // No free place (more markers than the plot has room for): beside the point.
    let top = if above_first { above(0.0) } else { below(0.0) };
    (top.clamp(0.0, PLOT_HEIGHT - height), false)
}

/// The height of a label's box: a hand-set label is its score on one line and its text
/// wrapped below; a measured one is one line.
fn label_height(kind: LabelKind, label: Option<&str>) -> f64 {
    match kind {
        LabelKind::Measured => LABEL_CHROME_Y + TEXT_LINE,
        LabelKind::Set => {
            let lines = label.map_or(0, |l| lines(l, 12.0, LABEL_WIDTH - LABEL_CHROME_X));
            LABEL_CHROME_Y + SCORE_LINE + TEXT_LINE * lines as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxes_meet(a: &CurveLabel, b: &CurveLabel) -> bool {
        a.stage == b.stage && a.top < b.top + b.height && b.top < a.top + a.height
    }

    #[test]
    fn two_labels_at_one_point_part_and_clear_every_marker() {
        let y = y_of(-1.5);
        let columns = [Column {
            index: 1,
            stage: "search",
            markers: vec![y, y + 2.0, y - 3.0],
            labels: vec![
                (LabelKind::Measured, y + 2.0, -1.54, None),
                (
                    LabelKind::Set,
                    y,
                    -1.5,
                    Some("Overwhelmed by near-identical options"),
                ),
            ],
        }];
        let placed = place(&columns, 6);
        assert_eq!(placed.len(), 2);
        assert!(!boxes_meet(&placed[0], &placed[1]));
        for l in &placed {
            assert!(l.top >= 0.0 && l.top + l.height <= PLOT_HEIGHT);
            for m in &columns[0].markers {
                assert!(
                    l.top >= m + DOT || l.top + l.height <= m - DOT,
                    "{l:?} on {m}"
                );
            }
        }
        // The team's label (the higher point) is above, the measured one below.
        let set = placed.iter().find(|l| l.kind == LabelKind::Set).unwrap();
        let measured = placed
            .iter()
            .find(|l| l.kind == LabelKind::Measured)
            .unwrap();
        assert!(set.top + set.height <= y && measured.top >= y);
        // Stage 2 of 6 is centred at 150 of 600: 25% across.
        assert!((set.left_pct - 25.0).abs() < 1e-9);
    }

    #[test]
    fn a_label_with_no_room_on_its_side_moves_and_gets_a_leader() {
        // A point at +2 with a three-line label: no room above, so it goes below.
        let y = y_of(2.0);
        let columns = [Column {
            index: 0,
            stage: "a",
            markers: vec![y],
            labels: vec![(
                LabelKind::Set,
                y,
                2.0,
                Some("Delighted beyond every expectation they had of the product"),
            )],
        }];
        let placed = place(&columns, 1);
        let l = &placed[0];
        assert!(l.top > y, "{l:?}");
        assert!(l.height > LABEL_CHROME_Y + SCORE_LINE + TEXT_LINE * 2.0);
        assert_eq!(
            l.leader, None,
            "below its point, beside it: no leader needed"
        );
        // With a marker just below too, the label has to move away and gets a leader.
        let columns = [Column {
            markers: vec![y, y + 14.0],
            ..columns.into_iter().next().unwrap()
        }];
        let placed = place(&columns, 1);
        let l = &placed[0];
        assert!(l.top >= y + 14.0 + DOT, "{l:?}");
        assert_eq!(l.leader, Some([50.0, y, l.top]));
    }
}
