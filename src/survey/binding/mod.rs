//! Bindings: what the map says about each survey column, and the checks that need no file.
//!
//! Invariants: a binding that cannot be right is refused at the map line that declares it,
//! before any file is read: a reversed or empty scale, a scale that does not fit its measure
//! (NPS is 0..10 in whole numbers; CSAT and CES are whole-number scales of at least three
//! points), a label mapped off its scale, and `emotion_from` naming a measure the survey does
//! not bind per stage.

mod waves;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Layout, Measure, MeasureName, Measures, Pos, Source, Spanned, Survey};

use super::measure_name;
use waves::{check_waves, check_waves_agree};

/// The measures of one `measures:`/`stages.X:`/`overall:` block, in a fixed order.
pub fn listed(measures: &Measures) -> [(MeasureName, Option<&Spanned<Measure>>); 5] {
    [
        (MeasureName::Nps, measures.nps.as_ref()),
        (MeasureName::Csat, measures.csat.as_ref()),
        (MeasureName::Ces, measures.ces.as_ref()),
        (MeasureName::Score, measures.score.as_ref()),
        (MeasureName::Comment, measures.comment.as_ref()),
    ]
}

/// The default scale of a measure.
pub fn default_scale(m: MeasureName) -> [f64; 2] {
    match m {
        MeasureName::Nps => [0.0, 10.0],
        MeasureName::Csat => [1.0, 5.0],
        MeasureName::Ces => [1.0, 7.0],
        MeasureName::Score | MeasureName::Comment => [0.0, 10.0],
        // VADER's compound score.
        MeasureName::Sentiment => [-1.0, 1.0],
    }
}

/// Whether answers to the measure are whole numbers.
pub fn whole(m: MeasureName) -> bool {
    matches!(m, MeasureName::Nps | MeasureName::Csat | MeasureName::Ces)
}

/// The column a measure names, and where the map names it.
pub fn column_of(spec: &Spanned<Measure>) -> (&str, Pos) {
    match &spec.value {
        Measure::Column(c) => (c.as_str(), spec.pos),
        Measure::Detailed(d) => (d.column.value.as_str(), d.column.pos),
    }
}

/// Every block of measures a survey binds: `(None, measures)` for the long layout's
/// `measures:` and for `overall:`, `(Some(stage key), measures)` for `stages:`.
fn blocks(s: &Survey) -> Vec<(Option<&Spanned<String>>, bool, &Measures)> {
    let mut out = Vec::new();
    if let Some(m) = &s.measures {
        out.push((None, true, m));
    }
    for (k, m) in &s.stages.0 {
        out.push((Some(k), true, m));
    }
    if let Some(m) = &s.overall {
        out.push((None, false, m));
    }
    out
}

/// Where a survey's answers come from: one file, one file per wave, or a warehouse table;
/// one file per wave and a wave column do not go together.
pub(super) fn check_source(s: &Survey, bad: &mut dyn FnMut(Pos, Code, String)) {
    let id = &s.id.value;
    match (&s.file, s.waves.is_empty()) {
        (None, true) if s.table.is_some() => bad(
            s.id.pos,
            Code::SurveyWarehouseOnly,
            format!(
                "survey `{id}` has only a `table:`, so it is not read here; run `journeymap sql` on the map, save the result as CSV and bind it as a survey with `layout: aggregated`"
            ),
        ),
        (None, true) => bad(
            s.id.pos,
            Code::MissingKey,
            format!(
                "survey `{id}` names no file; add `file:` (or `waves:`, one file per wave, or `table:` for a warehouse table)"
            ),
        ),
        (Some(f), false) => bad(
            f.pos,
            Code::WaveBinding,
            format!(
                "survey `{id}` has both `file:` and `waves:`; keep `file:` for one file, or list every file under `waves:`"
            ),
        ),
        _ => {}
    }
    if let (Some(w), false) = (&s.wave, s.waves.is_empty()) {
        bad(
            w.column.pos,
            Code::WaveBinding,
            format!(
                "survey `{id}` has one file per wave (`waves:`) and a wave column; keep one of them"
            ),
        );
    }
}

/// The checks of every survey binding that need no file.
pub fn check(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in &loaded.journey.surveys {
        for (_, _, measures) in blocks(s) {
            for (m, spec) in listed(measures) {
                if let Some(spec) = spec {
                    check_measure(&loaded.file, m, spec, &mut out);
                }
            }
        }
        let misplaced = s.layout == Layout::Long
            && s.measures.is_none()
            && (!s.stages.is_empty() || s.overall.is_some());
        if misplaced {
            // `stages:` and `overall:` are the wide layout's; the long layout (the default)
            // reads `measures:` and a stage column. One error, with its fix.
            let (pos, block) = match s.stages.0.first() {
                Some((k, _)) => (k.pos, "`stages:`"),
                None => (s.id.pos, "`overall:`"),
            };
            out.push(loaded.at(
Code::BindingCannotWork, pos,
                format!(
                    "survey `{}` binds measures under {block}, which only the wide layout reads, but its layout is long (the default, which reads `measures:` and a `stage_column:`): add `layout: wide`",
                    s.id.value
                ),
            ));
        } else if let Some(from) = &s.emotion_from {
            check_emotion_from(&loaded.file, s, from, &mut out);
        }
        check_sentiment(&loaded.file, s, &mut out);
        check_header_rows(&loaded.file, s, &mut out);
        check_waves(&loaded.file, s, &mut out);
    }
    check_waves_agree(loaded, &mut out);
    out
}

/// The most header rows a map may declare.
const MAX_HEADER_ROWS: u64 = 20;

/// `header_rows:` counts the rows of a plain export's header: at least one (the names), and
/// not with a vendor whose exports carry their own.
fn check_header_rows(file: &str, s: &Survey, out: &mut Vec<Diagnostic>) {
    let Some(h) = &s.header_rows else { return };
    let vendor = match s.source {
        Source::Qualtrics => {
            Some("`source: qualtrics` reads its own header rows (3, or 2 in exports before 2017)")
        }
        Source::Surveymonkey => Some("`source: surveymonkey` reads its own two header rows"),
        Source::Plain | Source::GoogleForms | Source::MsForms => None,
    };
    let problem = match vendor {
        Some(v) => format!("{v}; remove `header_rows:`"),
        None if !(1..=MAX_HEADER_ROWS).contains(&h.value) => format!(
            "`header_rows: {}` is not a number of header rows; write 1 to {MAX_HEADER_ROWS} (1, the default, is the row of column names alone)",
            h.value
        ),
        None => return,
    };
    out.push(Diagnostic::new(
        Code::BindingCannotWork,
        file,
        h.pos,
        problem,
    ));
}

/// A number as written in a map: `5`, `0.5`.
pub(super) fn fmt(x: f64) -> String {
    format!("{x}")
}

fn check_measure(file: &str, m: MeasureName, spec: &Spanned<Measure>, out: &mut Vec<Diagnostic>) {
    let Measure::Detailed(d) = &spec.value else {
        return;
    };
    let name = measure_name(m);
    if m == MeasureName::Comment {
        if let Some(scale) = &d.scale {
            out.push(Diagnostic::new(
                Code::BadScale,
                file,
                scale.pos,
                "a comment has no scale; remove `scale:`",
            ));
        }
        return;
    }
    let scale = d.scale.as_ref().map_or(default_scale(m), |s| s.value);
    if let Some(sp) = &d.scale {
        let [lo, hi] = sp.value;
        let problem = if !(lo.is_finite() && hi.is_finite()) {
            Some("its ends must be numbers".to_owned())
        } else if lo >= hi {
            Some(format!(
                "it is reversed or empty; write the lowest value first, as [{}, {}]",
                fmt(lo.min(hi)),
                fmt(lo.max(hi))
            ))
        } else if m == MeasureName::Nps && (lo != 0.0 || hi != 10.0) {
            Some("NPS is answered on 0..10; remove `scale:` or write [0, 10]".to_owned())
        } else if whole(m) && (lo.fract() != 0.0 || hi.fract() != 0.0) {
            Some(format!(
                "{name} is answered in whole numbers; so are its scale's ends"
            ))
        } else if m == MeasureName::Csat && hi - lo < 2.0 {
            Some("CSAT counts the top two boxes, so its scale needs at least three points".into())
        } else {
            None
        };
        if let Some(why) = problem {
            out.push(Diagnostic::new(
                Code::BadScale,
                file,
                sp.pos,
                format!(
                    "{name} scale [{}, {}] cannot be right: {why}",
                    fmt(lo),
                    fmt(hi)
                ),
            ));
            return;
        }
    }
    for (label, v) in &d.values.0 {
        let off = !(scale[0]..=scale[1]).contains(v);
        let fraction = whole(m) && v.fract() != 0.0;
        if off || fraction {
            let why = if off {
                format!("outside the scale {}..{}", fmt(scale[0]), fmt(scale[1]))
            } else {
                format!("but {name} answers are whole numbers")
            };
            out.push(Diagnostic::new(
                Code::BadScale,
                file,
                label.pos,
                format!("label `{}` maps to {}, {why}", label.value, fmt(*v)),
            ));
        }
    }
}

fn check_emotion_from(
    file: &str,
    s: &Survey,
    from: &Spanned<MeasureName>,
    out: &mut Vec<Diagnostic>,
) {
    let m = from.value;
    if m == MeasureName::Comment {
        out.push(Diagnostic::new(
            Code::EmotionFromUnbound,
            file,
            from.pos,
            "`emotion_from: comment` cannot give an emotion; name nps, csat, ces, score or sentiment",
        ));
        return;
    }
    // Sentiment is read from the comments.
    let wanted = if m == MeasureName::Sentiment {
        MeasureName::Comment
    } else {
        m
    };
    let binds = |ms: &Measures| {
        listed(ms)
            .iter()
            .any(|(n, spec)| *n == wanted && spec.is_some())
    };
    let per_stage = match s.layout {
        Layout::Long => s.measures.as_ref().is_some_and(binds),
        Layout::Wide => s.stages.0.iter().any(|(_, ms)| binds(ms)),
        // Aggregated rows name their measure in the file; they hold no comments.
        Layout::Aggregated => m != MeasureName::Sentiment,
    };
    if per_stage {
        return;
    }
    let overall_only = s.overall.as_ref().is_some_and(binds);
    let msg = unbound_emotion(s, m, overall_only);
    out.push(Diagnostic::new(
        Code::EmotionFromUnbound,
        file,
        from.pos,
        msg,
    ));
}

/// Why `emotion_from: m` finds no measure per stage in survey `s`, and what to bind.
fn unbound_emotion(s: &Survey, m: MeasureName, overall_only: bool) -> String {
    let name = measure_name(m);
    let bound: Vec<&str> = blocks(s)
        .iter()
        .filter(|(_, per_stage, _)| *per_stage)
        .flat_map(|(_, _, ms)| listed(ms))
        .filter(|(n, spec)| spec.is_some() && *n != MeasureName::Comment)
        .map(|(n, _)| measure_name(n))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if m == MeasureName::Sentiment {
        format!(
            "`emotion_from: sentiment`, but survey `{}` binds no comment per stage{}; sentiment is read from a stage's comments, so bind a `comment:` column to the stages",
            s.id.value,
            if s.layout == Layout::Aggregated {
                " (aggregated rows hold no comments)"
            } else {
                ""
            }
        )
    } else if overall_only {
        format!(
            "`emotion_from: {name}`, but survey `{}` binds {name} only under `overall:`, for the whole journey; an emotion is per stage, so bind {name} under `stages:`",
            s.id.value
        )
    } else if bound.is_empty() {
        format!(
            "`emotion_from: {name}`, but survey `{}` binds no measure per stage",
            s.id.value
        )
    } else {
        format!(
            "`emotion_from: {name}`, but survey `{}` does not bind {name} per stage; it binds {}",
            s.id.value,
            bound.join(", ")
        )
    }
}

/// `sentiment:` and `language:`: a language tag that is not one, sentiment asked of a survey
/// without comments, and sentiment asked of comments declared in another language (VADER is
/// English only, so none of them would be scored).
fn check_sentiment(file: &str, s: &Survey, out: &mut Vec<Diagnostic>) {
    if let Some(tag) = &s.language
        && !crate::sentiment::is_language_tag(&tag.value)
    {
        out.push(Diagnostic::new(
            Code::BindingCannotWork,
            file,
            tag.pos,
            format!(
                "`language: {}` is not a language tag; write a code such as `en`, `de` or `pt-BR`, or leave `language:` out to have each comment's language detected",
                tag.value
            ),
        ));
        return;
    }
    let Some(on) = s.sentiment.as_ref().filter(|o| o.value) else {
        return;
    };
    let comments = blocks(s).iter().any(|(_, _, ms)| ms.comment.is_some());
    if s.layout == Layout::Aggregated || !comments {
        out.push(Diagnostic::new(
            Code::BindingCannotWork,
            file,
            on.pos,
            format!(
                "`sentiment: true`, but survey `{}` binds no comment column{}; bind one with `comment:`",
                s.id.value,
                if s.layout == Layout::Aggregated {
                    " (aggregated rows hold no comments)"
                } else {
                    ""
                }
            ),
        ));
        return;
    }
    if let Some(tag) = &s.language
        && !crate::sentiment::is_english(&tag.value)
    {
        out.push(Diagnostic::new(
            Code::NotEnglish,
            file,
            tag.pos,
            format!(
                "survey `{}` declares `language: {}`, and sentiment is English only (VADER): none of its comments will be scored",
                s.id.value, tag.value
            ),
        ));
    }
}
