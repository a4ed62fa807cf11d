//! Judging a binding after the last row: a `where:` that kept nothing, labels no answer
//! used while answers used no label, a measure most of whose answers were unusable; and the
//! counted reports of skipped values and unknown stages; after the last survey, a theme
//! codebook that found nothing to count.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::Pos;

use super::plan::{Binding, Filter};
use super::plausible::shorten;
use super::value::{Rule, Skip};
use super::{MAX_LISTED, Reader, Summary, input, measure_name};

impl Reader<'_> {
    /// A `where:` that keeps no rows is an error that lists what the column holds; a value
    /// in a list that matches no row is a warning.
    pub(super) fn judge_filters(&mut self, filters: &[Filter], summary: &Summary) {
        let kept = summary.rows - summary.rows_filtered;
        for f in filters {
            if f.passed == 0 && summary.rows > 0 {
                let msg = self.keeps_nothing(f, summary.rows);
                self.at_map(Code::FilterKeepsNothing, f.pos, msg);
            } else if kept > 0 || f.passed > 0 {
                for ((w, pos), hits) in f.wanted.iter().zip(&f.hits) {
                    if *hits == 0 {
                        // The values no condition named, nearest first.
                        let mut held: Vec<String> = f
                            .seen
                            .keys()
                            .map(|v| input::cell_text(v).into_owned())
                            .collect();
                        held.sort_unstable();
                        let hint = match nearest_value(&[w.as_str()], &held) {
                            h if h.is_empty() => "; check its spelling".to_owned(),
                            h => h,
                        };
                        let msg = format!(
                            "`where:` value `{w}`{} matches no row of column `{}` in {}{hint}",
                            if f.keep { "" } else { " (under `not:`)" },
                            f.column,
                            self.file
                        );
                        self.diags
                            .push(self.loaded.at(Code::FilterValueUnused, *pos, msg));
                    }
                }
            }
        }
        if kept == 0
            && summary.rows > 0
            && filters.iter().all(|f| f.passed > 0)
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

    /// Why a `where:` condition let no row through: what the column holds instead of the
    /// values kept (with the nearest to what was asked), or that every row held a value
    /// left out.
    fn keeps_nothing(&self, f: &Filter, rows_read: u64) -> String {
        let asked: Vec<&str> = f.wanted.iter().map(|(w, _)| w.as_str()).collect();
        let quoted = |v: &str| format!("`{}`", shorten(v));
        let mut held: Vec<(String, u64)> = if f.keep {
            f.seen
                .iter()
                .map(|(v, c)| (input::cell_text(v).into_owned(), *c))
                .collect()
        } else {
            asked
                .iter()
                .zip(&f.hits)
                .filter(|(_, c)| **c > 0)
                .map(|(v, c)| ((*v).to_owned(), *c))
                .collect()
        };
        held.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let listed: Vec<String> = held
            .iter()
            .take(MAX_LISTED)
            .map(|(v, c)| {
                format!(
                    "{} ({c})",
                    if v.is_empty() {
                        "empty".to_owned()
                    } else {
                        quoted(v)
                    }
                )
            })
            .collect();
        let more = if held.len() > MAX_LISTED {
            format!(" and {} more", held.len() - MAX_LISTED)
        } else {
            String::new()
        };
        let listed = if listed.is_empty() {
            "no values".to_owned()
        } else {
            listed.join(", ")
        };
        let asked = asked
            .iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        if f.keep {
            let texts: Vec<String> = held.into_iter().map(|(v, _)| v).collect();
            let wanted: Vec<&str> = f.wanted.iter().map(|(w, _)| w.as_str()).collect();
            let hint = nearest_value(&wanted, &texts);
            format!(
                "`where: {{{}: {}}}` keeps none of the {} of {}: column `{}` holds {listed}{more}{hint}",
                f.column,
                wanted.join(" | "),
                rows(rows_read),
                self.file,
                f.column,
            )
        } else {
            format!(
                "`where: {{{}: {{not: [{asked}]}}}}` keeps none of the {} of {}: every row's `{}` is one of the values left out: {listed}{more}",
                f.column,
                rows(rows_read),
                self.file,
                f.column,
            )
        }
    }

    /// Labels that no answer used while answers used no label are a typo until shown
    /// otherwise; a measure most of whose answers were unusable is bound wrong.
    pub(super) fn judge_binding(&mut self, b: &Binding) {
        if self.judge_plausible(b) {
            return;
        }
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
                "label `{label}` matches no answer in column `{}`, while {count} {} `{}` (the first at {}:{first}:{}), which is no label; did you mean `{t}`?",
                b.column,
                if *count == 1 {
                    "answer reads"
                } else {
                    "answers read"
                },
                shorten(t),
                self.file,
                b.col + 1
            );
            self.at_map(Code::LabelTypo, pos, msg);
            paired = true;
        }
        if paired {
            return;
        }
        self.judge_one_text(b);
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

    pub(super) fn report_skips(&mut self, bindings: &[Binding]) {
        for b in bindings {
            if b.skipped > b.warned as u64 {
                // At the last skipped value reported: its position is a sheet row already
                // (for a workbook), so it is not mapped again.
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
                self.at_row(Code::ValueSkipped, first.line as u64, b.col + 1, msg);
            }
        }
    }

    pub(super) fn report_unknown_stages(
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
            let shown = shorten(&input::cell_text(&value));
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

    /// Comments left out of the sentiment as not English: how many, in which languages, and
    /// the first one's cell. A survey that declares a language other than English was
    /// warned about at its `language:` already.
    pub(super) fn judge_languages(&mut self, summary: &Summary) {
        let (Some((line, col)), None) = (summary.first_not_english, &self.survey.language) else {
            return;
        };
        let left: u64 = summary.comments_not_english.values().sum();
        let why: Vec<String> = summary
            .comments_not_english
            .iter()
            .map(|(why, n)| format!("{n} {why}"))
            .collect();
        let msg = format!(
            "{left} of {} substantive comments were left out of the sentiment as not English ({}; the first is here); sentiment is English only. If they are English, declare `language: en` on survey `{}`",
            left + summary.comments_scored,
            why.join(", "),
            self.survey.id.value
        );
        self.at_csv(Code::NotEnglish, line, col, msg);
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
pub(super) fn skip_detail(why: Skip, rule: &Rule) -> String {
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
        // Compared in lower case (`test-user` is near `Test`), named as the file writes it.
        let lower: Vec<String> = held.iter().map(|h| h.to_lowercase()).collect();
        if let Some(near) = crate::suggest::closest(&a, lower.iter().map(String::as_str))
            && let Some(i) = lower.iter().position(|l| l == near)
        {
            return format!("; did you mean `{}`?", held[i]);
        }
    }
    String::new()
}

/// A codebook must say something about the comments read: warn when no comment was read
/// at all, and for each theme that none of them belongs to (a typo in a term, or a theme
/// this survey does not speak to).
pub(super) fn check_themes(
    loaded: &crate::load::Loaded,
    data: &super::SurveyData,
    diags: &mut Vec<Diagnostic>,
) {
    let themes = loaded.journey.codebook();
    let Some(first) = themes.first() else {
        return;
    };
    // Every comment once: a stage's waves when it has them (its own tally is then the
    // latest wave's), else the stage's.
    let mut all = crate::themes::Tally::default();
    for agg in data.aggregates() {
        let waves: Vec<&super::Aggregate> = agg
            .parts
            .iter()
            .filter(|(k, _)| k.segment.is_none() && k.wave.is_some())
            .map(|(_, a)| a)
            .collect();
        if waves.is_empty() {
            all.merge(&agg.themes);
        } else {
            waves.iter().for_each(|a| all.merge(&a.themes));
        }
    }
    let warn =
        |pos, msg| Diagnostic::new(Code::ThemeMatchesNothing, loaded.codebook_file(), pos, msg);
    if all.n == 0 {
        diags.push(warn(
            first.id.pos,
            "the map has a theme codebook, but no substantive comment was read: bind a comment column (`comment:` in a survey's measures) for its shares to be counted".to_owned(),
        ));
        return;
    }
    let mut missed: Option<String> = None;
    for (i, t) in themes.iter().enumerate() {
        if all.matched.get(i).copied().unwrap_or(0) == 0 {
            let terms: Vec<&str> = t.terms.iter().map(|x| x.value.as_str()).collect();
            let words = missed.get_or_insert_with(|| {
                let words = all.missed_words(crate::themes::MISSED_WORDS);
                if words.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; the comments in no theme most often mention: {}",
                        words.join(", ")
                    )
                }
            });
            diags.push(warn(
                t.id.pos,
                format!(
                    "theme `{}` matches none of the {} substantive comments read; check its terms ({}) against the comments (a typo, or a word ending that needs `*`){words}",
                    t.id.value,
                    all.n,
                    terms.join(", ")
                ),
            ));
        }
    }
}
