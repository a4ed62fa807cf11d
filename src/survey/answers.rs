//! Answers: the long and wide layouts, one answer per cell.
//!
//! Invariants: every cell of a bound column ends up used, missing or skipped with a reason,
//! and the skipped ones are carried on the figure they were meant for; after the last row
//! the binding itself is judged: a `where:` that kept no rows, labels that no answer uses
//! while answers use no label, and a measure most of whose answers were unusable are errors
//! at the map line that declares them.

use crate::diagnostic::Code;
use std::collections::{BTreeMap, HashMap};

use crate::model::{Layout, Measure, MeasureName, Measures, OneOrMany, Pos};

use super::binding::{self, column_of, default_scale};
use super::value::{Rule, Skip, Value, is_missing};
use super::{Last, Reader, Summary, input, kind, measure_name, resolve_stage, slot};

/// Skipped values reported one by one per column; the rest are counted.
const DETAILED_WARNINGS: usize = 3;
/// Distinct unknown stage values tracked per survey; the rest are counted together.
const MAX_UNKNOWN_VALUES: usize = 100;
/// Distinct cell texts remembered per filter and per labelled measure, for the messages
/// that list what a column holds.
const MAX_DISTINCT: usize = 1000;
/// Values a `where:` error lists.
const LISTED_VALUES: usize = 10;

/// One measure bound to one column.
#[derive(Debug)]
struct Binding {
    /// Stage index, or `None` for the whole journey (wide `overall:`), or the row's stage
    /// (long layout) when `per_row` is set.
    stage: Option<usize>,
    per_row: bool,
    measure: MeasureName,
    col: usize,
    column: String,
    /// Where the map names the column.
    pos: Pos,
    rule: Rule,
    top_from: f64,
    /// Each `values:` label as written, where, and how many answers used it.
    labels: Vec<(String, Pos, u64)>,
    used: u64,
    skipped: u64,
    warned: usize,
    why: BTreeMap<Skip, u64>,
    /// Answers that were neither a number nor a label: text -> (count, first CSV line).
    unlabelled: HashMap<Vec<u8>, (u64, u64)>,
}

/// One `where:` condition.
#[derive(Debug)]
struct Filter {
    col: usize,
    column: String,
    pos: Pos,
    wanted: Vec<(String, Pos)>,
    hits: Vec<u64>,
    /// Values of the column that matched nothing: text -> count (bounded).
    seen: HashMap<Vec<u8>, u64>,
}

impl Filter {
    /// Whether the cell is one of the wanted values (ASCII case ignored: YAML `true` keeps
    /// `True`), counting what it saw.
    fn admits(&mut self, cell: &[u8]) -> bool {
        if let Some(i) = self
            .wanted
            .iter()
            .position(|(w, _)| w.as_bytes().eq_ignore_ascii_case(cell))
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
            let (scale, values) = match &spec.value {
                Measure::Column(_) => (None, &[][..]),
                Measure::Detailed(d) => (d.scale.as_ref().map(|s| s.value), &d.values.0[..]),
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
            let scale = scale.unwrap_or(default_scale(m));
            out.push(Binding {
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
                why: BTreeMap::new(),
                unlabelled: HashMap::new(),
            });
        }
        ok.then_some(out)
    }

    fn filters(&mut self, names: &[String]) -> Option<Vec<Filter>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (col, want) in &self.survey.filter.0 {
            let Some(i) = self.column(names, &col.value, col.pos, "a `where:` filter") else {
                ok = false;
                continue;
            };
            let wanted: Vec<(String, Pos)> = match &want.value {
                OneOrMany::One(v) => vec![(v.0.trim().to_owned(), want.pos)],
                OneOrMany::Many(vs) => vs
                    .iter()
                    .map(|v| (v.0.trim().to_owned(), want.pos))
                    .collect(),
            };
            out.push(Filter {
                col: i,
                column: names[i].clone(),
                pos: want.pos,
                hits: vec![0; wanted.len()],
                wanted,
                seen: HashMap::new(),
            });
        }
        ok.then_some(out)
    }

    /// Every binding of the survey, or `None` when one cannot be made (reported).
    fn all_bindings(&mut self, names: &[String]) -> Option<(Vec<Binding>, Option<usize>)> {
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

    pub(super) fn read_answers(&mut self, input: &mut input::Input, summary: &mut Summary) -> bool {
        let names = input.names.clone();
        let stages = &self.loaded.journey.stages.value;
        let Some((mut bindings, stage_col)) = self.all_bindings(&names) else {
            return false;
        };
        let Some(mut filters) = self.filters(&names) else {
            return false;
        };
        let missing: Vec<Vec<u8>> = ["", "NA", "N/A", "-99"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .chain(
                self.survey
                    .missing
                    .iter()
                    .map(|m| m.0.trim().as_bytes().to_vec()),
            )
            .collect();

        // Stage lookup by exact id first; other spellings (case, the stage's name) are
        // resolved once per distinct value and remembered.
        let mut by_id: HashMap<Vec<u8>, usize> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.value.as_bytes().to_vec(), i))
            .collect();
        let mut unknown: HashMap<Vec<u8>, (u64, u64)> = HashMap::new();
        let mut unknown_other = (0u64, 0u64);
        let survey_id = self.survey.id.value.clone();
        let mut not_utf8: Option<(u64, usize)> = input.not_utf8;
        // Which aggregates (stages, then the journey) and measures this survey fed.
        let mut touched = vec![[false; 4]; stages.len() + 1];

        let mut rec = input.pending.take().unwrap_or_default();
        let mut have = !rec.is_empty();
        let mut last = Last::default();
        loop {
            if !have {
                match self.next_record(input, &mut rec, &mut last) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(()) => return false,
                }
            }
            have = false;
            let line = rec.position().map_or(0, |p| p.line());
            if rec.len() == 1 && input::cell(&rec, 0).is_empty() {
                continue; // a blank line
            }
            summary.rows += 1;
            let mut keep = true;
            for f in &mut filters {
                // Every filter sees every row, so that one that keeps nothing can be named.
                keep &= f.admits(input::cell(&rec, f.col));
            }
            if !keep {
                summary.rows_filtered += 1;
                continue;
            }
            let row_stage = match stage_col {
                None => None,
                Some(sc) => {
                    let cell = input::cell(&rec, sc);
                    match by_id.get(cell) {
                        Some(i) => Some(*i),
                        None => match resolve_stage(stages, cell) {
                            Some(i) => {
                                if by_id.len() < 10_000 {
                                    by_id.insert(cell.to_vec(), i);
                                }
                                Some(i)
                            }
                            None => {
                                summary.rows_unknown_stage += 1;
                                if let Some(e) = unknown.get_mut(cell) {
                                    e.0 += 1;
                                } else if unknown.len() < MAX_UNKNOWN_VALUES {
                                    unknown.insert(cell.to_vec(), (1, line));
                                } else {
                                    unknown_other.0 += 1;
                                    if unknown_other.1 == 0 {
                                        unknown_other.1 = line;
                                    }
                                }
                                continue;
                            }
                        },
                    }
                }
            };
            for b in &mut bindings {
                let cell = input::cell(&rec, b.col);
                let target = if b.per_row { row_stage } else { b.stage };
                if b.measure == MeasureName::Comment {
                    if !cell.is_empty() && !is_missing(cell, &missing) {
                        let text = match std::str::from_utf8(cell) {
                            Ok(t) => std::borrow::Cow::Borrowed(t),
                            Err(_) => {
                                not_utf8.get_or_insert((line, b.col + 1));
                                input::cell_text(cell)
                            }
                        };
                        self.data
                            .target(target)
                            .quotes
                            .offer(&text, &survey_id, line);
                        summary.comments += 1;
                    }
                    continue;
                }
                let Some(s) = slot(b.measure) else { continue };
                let (value, label) = b.rule.read(cell, &missing);
                if let Some(i) = label {
                    b.labels[i].2 += 1;
                }
                let agg = self.data.target(target);
                let value = match value {
                    Value::Number(_) if agg.scales[s].is_some_and(|sc| sc != b.rule.scale) => {
                        // Pooled answers must share a scale; the first one read is kept.
                        Value::Invalid(Skip::OtherScale)
                    }
                    v => v,
                };
                match value {
                    Value::Missing => summary.values_missing += 1,
                    Value::Number(x) => {
                        summary.values_used += 1;
                        b.used += 1;
                        agg.scales[s].get_or_insert(b.rule.scale);
                        agg.accs[s].add(x, kind(b.measure), b.top_from);
                        touched[target.unwrap_or(stages.len())][s] = true;
                    }
                    Value::Invalid(why) => {
                        summary.values_skipped += 1;
                        b.skipped += 1;
                        *b.why.entry(why).or_insert(0) += 1;
                        *agg.skips[s].entry(why).or_insert(0) += 1;
                        touched[target.unwrap_or(stages.len())][s] = true;
                        if matches!(why, Skip::NotLabel | Skip::NotNumber) {
                            if let Some(c) = b.unlabelled.get_mut(cell) {
                                c.0 += 1;
                            } else if b.unlabelled.len() < MAX_DISTINCT {
                                b.unlabelled.insert(cell.to_vec(), (1, line));
                            }
                        }
                        if b.warned < DETAILED_WARNINGS {
                            b.warned += 1;
                            let shown = input::cell_text(cell);
                            let msg = format!(
                                "{} value `{}` in column `{}` skipped: {}",
                                measure_name(b.measure),
                                shown,
                                b.column,
                                skip_detail(why, &b.rule)
                            );
                            self.at_csv(Code::ValueSkipped, line, b.col + 1, msg);
                        }
                    }
                }
            }
        }

        if summary.rows_filtered > 0 {
            for (i, measures) in touched.iter().enumerate() {
                let agg = self.data.target((i < stages.len()).then_some(i));
                for (s, fed) in measures.iter().enumerate() {
                    if *fed {
                        agg.filtered[s] += summary.rows_filtered;
                    }
                }
            }
        }
        self.judge_filters(&filters, summary);
        for b in &bindings {
            self.judge_binding(b);
        }
        self.report_skips(&bindings);
        self.report_unknown_stages(unknown, unknown_other, stage_col);
        if let Some((line, col)) = not_utf8.filter(|_| input.decoding == input::Decoding::Utf8) {
            let msg = "the file is not valid UTF-8 here; its text was read as Windows-1252 — add `encoding: windows-1252` to the survey if that is right".to_owned();
            self.at_csv(Code::NotUtf8, line, col, msg);
        }
        true
    }

    /// A `where:` that keeps no rows is an error that lists what the column holds; a value
    /// in a list that matches no row is a warning.
    fn judge_filters(&mut self, filters: &[Filter], summary: &Summary) {
        let kept = summary.rows - summary.rows_filtered;
        for f in filters {
            let total: u64 = f.hits.iter().sum();
            if total == 0 && summary.rows > 0 {
                let asked: Vec<&str> = f.wanted.iter().map(|(w, _)| w.as_str()).collect();
                let mut held: Vec<(&Vec<u8>, &u64)> = f.seen.iter().collect();
                held.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                let listed: Vec<String> = held
                    .iter()
                    .take(LISTED_VALUES)
                    .map(|(v, c)| format!("`{}` ({c})", input::cell_text(v)))
                    .collect();
                let more = if held.len() > LISTED_VALUES {
                    format!(" and {} more", held.len() - LISTED_VALUES)
                } else {
                    String::new()
                };
                let texts: Vec<String> = held
                    .iter()
                    .map(|(v, _)| input::cell_text(v).into_owned())
                    .collect();
                let hint = nearest_value(&asked, &texts);
                let msg = format!(
                    "`where: {{{}: {}}}` keeps none of the {} of {}: column `{}` holds {}{more}{hint}",
                    f.column,
                    asked.join(" | "),
                    rows(summary.rows),
                    self.file,
                    f.column,
                    if listed.is_empty() {
                        "no values".to_owned()
                    } else {
                        listed.join(", ")
                    }
                );
                self.at_map(Code::FilterKeepsNothing, f.pos, msg);
            } else if kept > 0 || total > 0 {
                for ((w, pos), hits) in f.wanted.iter().zip(&f.hits) {
                    if *hits == 0 {
                        let msg = format!(
                            "`where:` value `{w}` matches no row of column `{}` in {}; check its spelling",
                            f.column, self.file
                        );
                        self.diags.push(crate::diagnostic::Diagnostic::new(
                            Code::FilterValueUnused,
                            &self.loaded.file,
                            *pos,
                            msg,
                        ));
                    }
                }
            }
        }
        if kept == 0
            && summary.rows > 0
            && filters.iter().all(|f| f.hits.iter().sum::<u64>() > 0)
            && let Some(f) = filters.first()
        {
            let msg = format!(
                "the `where:` filters each keep some rows of {}, but together they keep none of its {}",
                self.file,
                rows(summary.rows)
            );
            self.at_map(Code::FilterKeepsNothing, f.pos, msg);
        }
    }

    /// Labels that no answer used while answers used no label are a typo until shown
    /// otherwise; a measure most of whose answers were unusable is bound wrong.
    fn judge_binding(&mut self, b: &Binding) {
        let what = measure_name(b.measure);
        let unused: Vec<&(String, Pos, u64)> = b.labels.iter().filter(|l| l.2 == 0).collect();
        let mut stray: Vec<(String, u64, u64)> = b
            .unlabelled
            .iter()
            .map(|(k, (c, line))| (input::cell_text(k).into_owned(), *c, *line))
            .collect();
        stray.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        // Pair each stray answer (most frequent first) with the unused label it is closest
        // to; a label that no answer used and no stray resembles is simply unused (nobody
        // found the import "very easy"), and strays like it are covered by JM102 and JM110.
        let mut paired = false;
        let mut free: Vec<&(String, Pos, u64)> = unused;
        for (t, count, first) in &stray {
            let Some(label) =
                crate::suggest::closest(t, free.iter().map(|l| l.0.as_str())).map(str::to_owned)
            else {
                continue;
            };
            let Some(i) = free.iter().position(|l| l.0 == label) else {
                continue;
            };
            let pos = free.remove(i).1;
            let msg = format!(
                "label `{label}` matches no answer in column `{}`, while {count} {} `{t}` (the first at {}:{first}:{}), which is no label; did you mean `{t}`?",
                b.column,
                if *count == 1 {
                    "answer reads"
                } else {
                    "answers read"
                },
                self.file,
                b.col + 1
            );
            self.at_map(Code::LabelTypo, pos, msg);
            paired = true;
        }
        if paired {
            return;
        }
        let answered = b.used + b.skipped;
        if answered > 0 && b.skipped * 2 > answered {
            let why: Vec<String> = b
                .why
                .iter()
                .map(|(w, c)| format!("{c} {}", w.as_str()))
                .collect();
            let msg = format!(
                "{} of the {answered} answers in column `{}` could not be used as {what} ({}); check the column, its `scale:` and its `values:`",
                b.skipped,
                b.column,
                why.join("; ")
            );
            self.at_map(Code::MostlyUnusable, b.pos, msg);
        }
    }

    fn report_skips(&mut self, bindings: &[Binding]) {
        for b in bindings {
            if b.skipped > b.warned as u64 {
                let first = self
                    .diags
                    .iter()
                    .rev()
                    .find(|d| {
                        d.code == Code::ValueSkipped
                            && d.file == self.file
                            && d.pos.col == b.col + 1
                    })
                    .map_or(Pos::default(), |d| d.pos);
                let msg = format!(
                    "{} more {} values in column `{}` were skipped ({} in all); the first are reported above",
                    b.skipped - b.warned as u64,
                    measure_name(b.measure),
                    b.column,
                    b.skipped
                );
                self.at_csv(Code::ValueSkipped, first.line as u64, b.col + 1, msg);
            }
        }
    }

    fn report_unknown_stages(
        &mut self,
        unknown: HashMap<Vec<u8>, (u64, u64)>,
        unknown_other: (u64, u64),
        stage_col: Option<usize>,
    ) {
        let mut unknown: Vec<(Vec<u8>, (u64, u64))> = unknown.into_iter().collect();
        unknown.sort_by_key(|(_, (_, first_line))| *first_line);
        let col = stage_col.map_or(1, |c| c + 1);
        let ids: Vec<String> = self
            .loaded
            .journey
            .stages
            .value
            .iter()
            .map(|s| s.id.value.clone())
            .collect();
        for (value, (count, first)) in unknown {
            let shown = input::cell_text(&value).into_owned();
            let hint = crate::suggest::did_you_mean(&shown, ids.iter().map(String::as_str));
            let msg = format!(
                "{count} {} stage `{shown}`, which the map lacks, and {} not counted{hint}",
                if count == 1 { "row names" } else { "rows name" },
                if count == 1 { "was" } else { "were" }
            );
            self.at_csv(Code::RowsUnknownStage, first, col, msg);
        }
        if unknown_other.0 > 0 {
            let msg = format!(
                "{} more rows name other stages the map lacks, and were not counted",
                unknown_other.0
            );
            self.at_csv(Code::RowsUnknownStage, unknown_other.1, col, msg);
        }
    }
}

/// "1 row", "315 rows".
fn rows(n: u64) -> String {
    if n == 1 {
        "1 row".to_owned()
    } else {
        format!("{n} rows")
    }
}

/// Why a value was skipped, in words that say what the binding expects.
fn skip_detail(why: Skip, rule: &Rule) -> String {
    let [lo, hi] = rule.scale;
    match why {
        Skip::OffScale => format!("outside the scale {lo}..{hi}"),
        Skip::NotWhole => format!("not a whole number on the scale {lo}..{hi}"),
        Skip::Thousands => {
            "written with a thousands separator; it is not read as a smaller number".to_owned()
        }
        other => other.as_str().to_owned(),
    }
}

/// "; did you mean `True`?" for a `where:` value: the nearest spelling the column holds,
/// and `1`/`true`/`yes` matched to the column's own word for yes (and the same for no).
fn nearest_value(asked: &[&str], held: &[String]) -> String {
    const YES: &[&str] = &["1", "true", "yes", "y"];
    const NO: &[&str] = &["0", "false", "no", "n"];
    for a in asked {
        let a = a.to_ascii_lowercase();
        for group in [YES, NO] {
            if group.contains(&a.as_str())
                && let Some(h) = held
                    .iter()
                    .find(|h| group.contains(&h.to_ascii_lowercase().as_str()))
            {
                return format!("; did you mean `{h}`?");
            }
        }
        let hint = crate::suggest::did_you_mean(&a, held.iter().map(String::as_str));
        if !hint.is_empty() {
            return hint;
        }
    }
    String::new()
}
