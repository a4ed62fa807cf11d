//! Aggregated rows: figures a warehouse computed, one row per stage and measure
//! (`stage,measure,n,promoters,passives,detractors,top_box,mean,stddev`, and optionally
//! `skipped`, `scale_min`, `scale_max`, as `journeymap sql` writes them).
//!
//! Invariants: counts are parsed as whole numbers from their text (never through a float),
//! so a negative, fractional, overflowing or thousands-separated count is refused at its CSV
//! line and column; means must be finite and on the measure's scale, standard deviations
//! finite and ≥ 0; counts must add up. A row that breaks a rule is an error: pooled figures
//! are exact or not shown.

use crate::diagnostic::Code;
use std::collections::HashMap;

use crate::model::{Measure, MeasureName};

use super::binding::{self, default_scale};
use super::measure::Acc;
use super::value::Skip;
use super::value::{NumberError, parse_count, parse_real};
use super::{Finished, Last, Next, Reader, Summary, input, measure_name, resolve_stage, slot};

/// The aggregated layout's columns, in the order `journeymap sql` writes them.
pub const COLUMNS: [&str; 12] = [
    "stage",
    "measure",
    "n",
    "promoters",
    "passives",
    "detractors",
    "top_box",
    "mean",
    "stddev",
    "skipped",
    "scale_min",
    "scale_max",
];

/// One aggregated row, its cells looked up by column name.
struct Row<'r> {
    rec: &'r input::Record,
    cols: &'r HashMap<&'static str, usize>,
    line: u64,
    key: super::split::Key,
}

/// A refused cell: the column it is in and why.
struct Refusal {
    column: &'static str,
    message: String,
}

impl Row<'_> {
    fn text(&self, name: &str) -> &[u8] {
        self.cols
            .get(name)
            .map_or(b"".as_slice(), |&i| input::cell(self.rec, i))
    }

    fn count(&self, name: &'static str) -> Result<Option<u64>, Refusal> {
        let cell = self.text(name);
        if cell.is_empty() {
            return Ok(None);
        }
        parse_count(cell).map(Some).map_err(|e| Refusal {
            column: name,
            message: format!("`{name}` is `{}`: {}", input::cell_text(cell), e.as_str()),
        })
    }

    fn required_count(&self, name: &'static str) -> Result<u64, Refusal> {
        self.count(name)?.ok_or_else(|| Refusal {
            column: name,
            message: format!("`{name}` is empty; this row needs it"),
        })
    }

    /// A mean or standard deviation: finite, and within `range` when given.
    fn real(&self, name: &'static str, range: [f64; 2]) -> Result<Option<f64>, Refusal> {
        let cell = self.text(name);
        if cell.is_empty() {
            return Ok(None);
        }
        let shown = input::cell_text(cell);
        match parse_real(cell) {
            Ok(x) if (range[0]..=range[1]).contains(&x) => Ok(Some(x)),
            Ok(x) => Err(Refusal {
                column: name,
                message: format!(
                    "`{name}` is {x}, outside {}..{}",
                    fmt(range[0]),
                    fmt(range[1])
                ),
            }),
            Err(NumberError::Thousands) => Err(Refusal {
                column: name,
                message: format!("`{name}` is `{shown}`: write it without thousands separators"),
            }),
            Err(NumberError::NotNumber) => Err(Refusal {
                column: name,
                message: format!("`{name}` is `{shown}`, which is not a finite number"),
            }),
        }
    }
}

fn fmt(x: f64) -> String {
    if x == f64::INFINITY {
        "∞".to_owned()
    } else {
        format!("{x}")
    }
}

impl Reader<'_> {
    pub(super) fn read_aggregated(
        &mut self,
        input: &mut input::Input,
        summary: &mut Summary,
    ) -> Finished {
        let names = input.names.clone();
        let mut cols = HashMap::new();
        for want in COLUMNS {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(want)) {
                cols.insert(want, i);
            } else if matches!(want, "stage" | "measure" | "n") {
                self.column(&names, want, self.spec.pos, "the aggregated layout");
                return Finished::Stopped;
            }
        }
        let score_scale = match self
            .survey
            .measures
            .as_ref()
            .and_then(|m| m.score.as_ref())
            .map(|s| &s.value)
        {
            Some(Measure::Detailed(d)) => d.scale.as_ref().map(|s| s.value),
            _ => None,
        };
        let Some(mut split) = self.split(&names) else {
            return Finished::Stopped;
        };
        let mut rec = input::Record::default();
        let mut last = Last::default();
        loop {
            match self.next_record(input, &mut rec, &mut last) {
                Next::Record => {}
                Next::End => break,
                Next::Stop => return Finished::Stopped,
            }
            let line = rec.line();
            if rec.len() == 1 && input::cell(&rec, 0).is_empty() {
                continue;
            }
            summary.rows += 1;
            let Some(key) = self.key(&mut split, &rec, line) else {
                summary.rows_without_wave += 1;
                continue;
            };
            let row = Row {
                rec: &rec,
                cols: &cols,
                line,
                key,
            };
            self.aggregated_row(&row, score_scale, summary);
        }
        self.finish_split(split, &[]);
        Finished::Read
    }

    /// One row: its stage (or the journey), its measure, and the accumulator it stands for,
    /// pooled into the figures; or the first reason it cannot be.
    fn aggregated_row(&mut self, row: &Row, score_scale: Option<[f64; 2]>, summary: &mut Summary) {
        let line = row.line;
        let Some(target) = self.row_target(row, summary) else {
            return;
        };
        let measure = input::cell_text(row.text("measure")).to_ascii_lowercase();
        let m = match measure.as_str() {
            "nps" => MeasureName::Nps,
            "csat" => MeasureName::Csat,
            "ces" => MeasureName::Ces,
            "score" => MeasureName::Score,
            other => {
                let msg = format!(
                    "measure `{other}` is not one of nps, csat, ces, score; the row cannot be counted"
                );
                self.at_csv(Code::AggregatedRow, line, row.cols["measure"] + 1, msg);
                return;
            }
        };
        let (scale, skipped, acc) = match row_figures(row, m, score_scale) {
            Ok(f) => f,
            Err(r) => {
                let col = row.cols.get(r.column).map_or(1, |c| c + 1);
                let msg = format!("{} row: {}", measure_name(m), r.message);
                self.at_csv(Code::AggregatedRow, line, col, msg);
                return;
            }
        };
        summary.values_used += acc.n;
        let s = slot(m).unwrap_or(0);
        if self.data.target(target).scales[s].is_some_and(|sc| sc != scale) {
            let msg = format!(
                "{} row is on the scale {}..{}, but answers on another scale were pooled for the same stage first",
                measure_name(m),
                fmt(scale[0]),
                fmt(scale[1])
            );
            self.at_csv(Code::AggregatedRow, line, 1, msg);
            return;
        }
        self.data.each(target, row.key, |agg| {
            agg.scales[s] = Some(scale);
            agg.accs[s].merge(&acc);
            if skipped > 0 {
                *agg.skips[s].entry(Skip::Elsewhere).or_insert(0) += skipped;
                agg.skipped_text[s] = super::plausible::SkippedText::Several;
            }
        });
    }

    /// The stage a row names (`None`: the journey), or nothing when the map lacks it (said).
    fn row_target(&mut self, row: &Row, summary: &mut Summary) -> Option<Option<usize>> {
        let stages = &self.loaded.journey.stages.value;
        let stage_text = input::cell_text(row.text("stage")).into_owned();
        if stage_text.is_empty() || stage_text.eq_ignore_ascii_case("overall") {
            return Some(None);
        }
        if let Some(i) = resolve_stage(stages, stage_text.as_bytes()) {
            return Some(Some(i));
        }
        summary.rows_unknown_stage += 1;
        let ids: Vec<&str> = stages.iter().map(|s| s.id.value.as_str()).collect();
        let hint = crate::suggest::did_you_mean(&stage_text, ids);
        let msg = format!("row names stage `{stage_text}`, which the map lacks; not counted{hint}");
        self.at_csv(Code::RowsUnknownStage, row.line, row.cols["stage"] + 1, msg);
        None
    }
}

/// A row's scale (its own, else the binding's `scale:` for a score, else the measure's),
/// answers skipped elsewhere, and accumulator; or the first cell that makes it impossible.
fn row_figures(
    row: &Row,
    m: MeasureName,
    score_scale: Option<[f64; 2]>,
) -> Result<([f64; 2], u64, Acc), Refusal> {
    let scale = match row_scale(row, m)? {
        Some(scale) => scale,
        None => match m {
            MeasureName::Score => score_scale.unwrap_or(default_scale(m)),
            _ => default_scale(m),
        },
    };
    let skipped = row.count("skipped")?.unwrap_or(0);
    let acc = row_acc(row, m, scale)?;
    Ok((scale, skipped, acc))
}

/// The scale a row's answers were on (`scale_min`, `scale_max`), when the row gives it.
fn row_scale(row: &Row, m: MeasureName) -> Result<Option<[f64; 2]>, Refusal> {
    let lo = row.real("scale_min", [f64::MIN, f64::MAX])?;
    let hi = row.real("scale_max", [f64::MIN, f64::MAX])?;
    let (lo, hi) = match (lo, hi) {
        (None, None) => return Ok(None),
        (Some(lo), Some(hi)) => (lo, hi),
        _ => {
            return Err(Refusal {
                column: if lo.is_none() {
                    "scale_min"
                } else {
                    "scale_max"
                },
                message: "give both `scale_min` and `scale_max`, or neither".to_owned(),
            });
        }
    };
    let problem = if lo >= hi {
        Some("it is reversed or empty")
    } else if m == MeasureName::Nps && (lo != 0.0 || hi != 10.0) {
        Some("NPS is answered on 0..10")
    } else if binding::whole(m) && (lo.fract() != 0.0 || hi.fract() != 0.0) {
        Some("the measure is answered in whole numbers")
    } else if m == MeasureName::Csat && hi - lo < 2.0 {
        Some("CSAT counts the top two boxes, so its scale needs at least three points")
    } else {
        None
    };
    match problem {
        Some(why) => Err(Refusal {
            column: "scale_min",
            message: format!("the scale {}..{} cannot be right: {why}", fmt(lo), fmt(hi)),
        }),
        None => Ok(Some([lo, hi])),
    }
}

/// The accumulator a row stands for, or the first cell that makes it impossible.
fn row_acc(row: &Row, m: MeasureName, scale: [f64; 2]) -> Result<Acc, Refusal> {
    let n = row.required_count("n")?;
    if n == 0 {
        // No usable answers (a warehouse group whose answers were all skipped).
        return Ok(Acc::default());
    }
    let mean = row.real("mean", scale)?;
    let stddev = row.real("stddev", [0.0, f64::INFINITY])?;
    let with_moments = |acc: Acc| match mean {
        Some(mean) => acc.with_moments(
            n,
            mean,
            stddev.unwrap_or(0.0).powi(2) * n.saturating_sub(1) as f64,
        ),
        None => acc,
    };
    match m {
        MeasureName::Nps => nps_acc(row, n).map(with_moments),
        MeasureName::Csat => {
            let top = row.required_count("top_box")?;
            if top > n {
                return Err(Refusal {
                    column: "top_box",
                    message: format!("top_box {top} is more than n = {n}"),
                });
            }
            Ok(with_moments(Acc {
                n,
                top_box: top,
                ..Acc::default()
            }))
        }
        _ => mean_acc(n, mean, stddev, scale),
    }
}

/// An NPS row's counts: promoters, detractors and (when given) passives that add up to n.
fn nps_acc(row: &Row, n: u64) -> Result<Acc, Refusal> {
    let p = row.required_count("promoters")?;
    let d = row.required_count("detractors")?;
    let pas = row.count("passives")?;
    let sum = p
        .checked_add(d)
        .and_then(|x| x.checked_add(pas.unwrap_or(0)));
    let fits = match (sum, pas) {
        (Some(s), Some(_)) => s == n,
        (Some(s), None) => s <= n,
        (None, _) => false,
    };
    if !fits {
        return Err(Refusal {
            column: "n",
            message: format!(
                "promoters {p} + passives {} + detractors {d} do not add up to n = {n}",
                pas.map_or("(absent)".to_owned(), |x| x.to_string())
            ),
        });
    }
    Ok(Acc {
        n,
        promoters: p,
        passives: pas.unwrap_or(n - p - d),
        detractors: d,
        ..Acc::default()
    })
}

/// A mean measure's row: its mean, and a standard deviation that answers on the scale can
/// have.
fn mean_acc(
    n: u64,
    mean: Option<f64>,
    stddev: Option<f64>,
    scale: [f64; 2],
) -> Result<Acc, Refusal> {
    let Some(mean) = mean else {
        return Err(Refusal {
            column: "mean",
            message: "`mean` is empty; a mean measure needs it".to_owned(),
        });
    };
    if stddev.is_none() && n > 1 {
        return Err(Refusal {
            column: "stddev",
            message: "`stddev` is empty; the interval of a mean needs it".to_owned(),
        });
    }
    // Answers on [lo, hi] with this mean spread at most (mean - lo)(hi - mean)
    // (Bhatia–Davis), times n / (n - 1) for a sample standard deviation.
    if let Some(sd) = stddev
        && n > 1
    {
        let max_var = (mean - scale[0]) * (scale[1] - mean) * n as f64 / (n - 1) as f64;
        if sd * sd > max_var * (1.0 + 1e-9) + 1e-12 {
            return Err(Refusal {
                column: "stddev",
                message: format!(
                    "`stddev` is {sd}, but {n} answers on {}..{} with a mean of {mean} cannot spread more than {:.3}",
                    fmt(scale[0]),
                    fmt(scale[1]),
                    max_var.sqrt()
                ),
            });
        }
    }
    Ok(Acc::from_moments(n, mean, stddev.unwrap_or(0.0)))
}
