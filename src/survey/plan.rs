//! The binding plan: each bound measure and `where:` filter resolved to its column before
//! the first row is read, with the counters the judgement after the last row needs.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Code;
use crate::model::{Layout, Measure, MeasureName, Measures, Pos};

use super::binding::{self, column_of, default_scale};
use super::value::{Rule, Skip};
use super::{MAX_DISTINCT, Reader, measure_name};

/// One measure bound to one column.
#[derive(Debug)]
pub(super) struct Binding {
    /// Stage index, or `None` for the whole journey (wide `overall:`), or the row's stage
    /// (long layout) when `per_row` is set.
    pub(super) stage: Option<usize>,
    pub(super) per_row: bool,
    pub(super) measure: MeasureName,
    pub(super) col: usize,
    pub(super) column: String,
    /// Where the map names the column.
    pub(super) pos: Pos,
    pub(super) rule: Rule,
    /// The map gave `scale:` (else the measure's default is used).
    pub(super) scale_given: bool,
    /// What the figure measures, shown beside it: the binding's `label:`, else the header a
    /// `#N` column resolved to.
    pub(super) question: Option<String>,
    /// A 0..1 score whose `values:` name its 1 (`Yes`): shown as the share of that answer.
    pub(super) yes: Option<String>,
    pub(super) top_from: f64,
    /// Each `values:` label as written, where, and how many answers used it.
    pub(super) labels: Vec<(String, Pos, u64)>,
    pub(super) used: u64,
    pub(super) skipped: u64,
    pub(super) warned: usize,
    /// Where in the reader's diagnostics each detailed warning of this binding is.
    pub(super) details: Vec<usize>,
    pub(super) why: BTreeMap<Skip, u64>,
    /// Answers that were neither a number nor a label: text -> (count, first CSV line).
    pub(super) unlabelled: HashMap<Vec<u8>, (u64, u64)>,
    /// The lowest and highest answer used, and of the numbers skipped as off the scale:
    /// what the plausibility of the binding is judged by (`plausible.rs`).
    pub(super) span: Span,
    pub(super) off: Span,
}

/// The lowest and highest of some numbers, or nothing seen.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Span(pub(super) Option<[f64; 2]>);

impl Span {
    #[inline]
    pub(super) fn add(&mut self, x: f64) {
        self.0 = Some(match self.0 {
            None => [x, x],
            Some([lo, hi]) => [lo.min(x), hi.max(x)],
        });
    }

    pub(super) fn merge(&mut self, o: Span) {
        if let Some([lo, hi]) = o.0 {
            self.add(lo);
            self.add(hi);
        }
    }
}

/// One `where:` condition.
#[derive(Debug)]
pub(super) struct Filter {
    pub(super) col: usize,
    pub(super) column: String,
    pub(super) pos: Pos,
    pub(super) wanted: Vec<(String, Pos)>,
    /// Whether a row holding one of `wanted` is kept (`false`: `{not: ...}`, left out).
    pub(super) keep: bool,
    /// Rows that held each of `wanted`.
    pub(super) hits: Vec<u64>,
    /// Rows this condition let through.
    pub(super) passed: u64,
    /// Values of the column that matched nothing: text -> count (bounded).
    pub(super) seen: HashMap<Vec<u8>, u64>,
}

impl Filter {
    /// Whether the row is kept: the cell is one of the wanted values (ASCII case ignored:
    /// YAML `true` keeps `True`), or for `{not: ...}` none of them; counting what it saw.
    pub(super) fn admits(&mut self, cell: &[u8]) -> bool {
        let kept = self.holds(cell) == self.keep;
        self.passed += u64::from(kept);
        kept
    }

    /// Whether the cell is one of the values named, counting it (or, bounded, what else
    /// the column held).
    fn holds(&mut self, cell: &[u8]) -> bool {
        let folded = |w: &str| {
            !cell.is_ascii()
                && std::str::from_utf8(cell).is_ok_and(|c| crate::words::same_name(w, c))
        };
        if let Some(i) = self
            .wanted
            .iter()
            .position(|(w, _)| w.as_bytes().eq_ignore_ascii_case(cell) || folded(w))
        {
            self.hits[i] += 1;
            return true;
        }
        if let Some(c) = self.seen.get_mut(cell) {
            *c += 1;
        } else if self.seen.len() < MAX_DISTINCT {
            self.seen.insert(cell.to_vec(), 1);
        }
        false
    }
}

impl Reader<'_> {
    /// Bind the measures of one block to columns. `None` when a column is missing (each
    /// reported).
    fn bindings(
        &mut self,
        names: &[String],
        measures: &Measures,
        stage: Option<usize>,
        per_row: bool,
        label: &str,
    ) -> Option<Vec<Binding>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (m, spec) in binding::listed(measures) {
            let Some(spec) = spec else { continue };
            let (column, pos) = column_of(spec);
            let (scale, values, asks) = match &spec.value {
                Measure::Column(_) => (None, &[][..], None),
                Measure::Detailed(d) => (
                    d.scale.as_ref().map(|s| s.value),
                    &d.values.0[..],
                    d.label.clone(),
                ),
            };
            let what = if label.is_empty() {
                measure_name(m).to_owned()
            } else {
                format!("{} {label}", measure_name(m))
            };
            let Some(col) = self.column(names, column, pos, &what) else {
                ok = false;
                continue;
            };
            let scale_given = scale.is_some();
            let scale = scale.unwrap_or(default_scale(m));
            let question = asks
                .filter(|l| !l.trim().is_empty())
                .or_else(|| column.starts_with('#').then(|| names[col].clone()));
            let yes = (m == MeasureName::Score && scale == [0.0, 1.0])
                .then(|| values.iter().find(|(_, v)| *v == 1.0))
                .flatten()
                .map(|(k, _)| k.value.trim().to_owned());
            out.push(Binding {
                scale_given,
                question,
                yes,
                stage,
                per_row,
                measure: m,
                col,
                column: names[col].clone(),
                pos,
                rule: Rule {
                    scale,
                    whole: binding::whole(m),
                    labels: values
                        .iter()
                        .map(|(k, v)| (k.value.trim().as_bytes().to_vec(), *v))
                        .collect(),
                },
                // The top two boxes of an integer scale: its maximum and the one below.
                top_from: scale[1] - 1.0,
                labels: values
                    .iter()
                    .map(|(k, _)| (k.value.clone(), k.pos, 0))
                    .collect(),
                used: 0,
                skipped: 0,
                warned: 0,
                details: Vec::new(),
                why: BTreeMap::new(),
                unlabelled: HashMap::new(),
                span: Span::default(),
                off: Span::default(),
            });
        }
        ok.then_some(out)
    }

    pub(super) fn filters(&mut self, names: &[String]) -> Option<Vec<Filter>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (col, want) in &self.survey.filter.0 {
            let Some(i) = self.column(names, &col.value, col.pos, "a `where:` filter") else {
                ok = false;
                continue;
            };
            let (values, keep) = want.value.values();
            let wanted: Vec<(String, Pos)> = values
                .iter()
                .map(|v| (v.trim().to_owned(), want.pos))
                .collect();
            out.push(Filter {
                col: i,
                column: names[i].clone(),
                pos: want.pos,
                hits: vec![0; wanted.len()],
                wanted,
                keep,
                passed: 0,
                seen: HashMap::new(),
            });
        }
        ok.then_some(out)
    }

    /// Every binding of the survey, or `None` when one cannot be made (reported).
    pub(super) fn all_bindings(
        &mut self,
        names: &[String],
    ) -> Option<(Vec<Binding>, Option<usize>)> {
        let stages = &self.loaded.journey.stages.value;
        let mut bindings = Vec::new();
        let mut stage_col = None;
        if self.survey.layout == Layout::Long {
            let Some(sc) = self.survey.stage_column.clone() else {
                let msg = format!(
                    "survey `{}` has `layout: long` but no `stage_column:`; name the column that holds stage ids",
                    self.survey.id.value
                );
                self.at_map(Code::BindingCannotWork, self.survey.id.pos, msg);
                return None;
            };
            stage_col = self.column(names, &sc.value, sc.pos, "the stage column");
            let measures = self.survey.measures.clone().unwrap_or_default();
            bindings.extend(self.bindings(names, &measures, None, true, "")?);
            stage_col?;
        } else {
            for (key, measures) in &self.survey.stages.0 {
                // Unknown stage ids are reported by validation (JM018).
                let Some(idx) = stages.iter().position(|s| s.id.value == key.value) else {
                    continue;
                };
                let label = format!("of stage `{}`", key.value);
                bindings.extend(self.bindings(names, measures, Some(idx), false, &label)?);
            }
            if let Some(overall) = self.survey.overall.clone() {
                bindings.extend(self.bindings(names, &overall, None, false, "overall")?);
            }
        }
        if bindings.is_empty() {
            let msg = format!(
                "survey `{}` binds no measures; add `measures:` (long layout) or `stages:`/`overall:` (wide layout)",
                self.survey.id.value
            );
            self.at_map(Code::BindingCannotWork, self.survey.id.pos, msg);
            return None;
        }
        Some((bindings, stage_col))
    }
}
