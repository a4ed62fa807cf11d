//! `journeymap sql`: print the warehouse SQL of a map's surveys and event logs.

use anyhow::Result;

use crate::Outcome;
use crate::cli::SqlArgs;
use crate::diagnostic::{self, Code, Diagnostic, Format, Severity, Sources};
use crate::sql::{self, Source, Step};

pub fn run(args: &SqlArgs) -> Result<Outcome> {
    let mut sources = Sources::default();
    let root = crate::cli::dir_or_env(args.root.as_deref(), "JOURNEYMAP_ROOT");
    let loaded = match crate::load::load(&args.map, &mut sources, root.as_deref()) {
        Ok(l) => l,
        Err(failure) => {
            let unreadable = failure.is_unreadable();
            report(&failure.diagnostics(), &sources);
            return Ok(if unreadable {
                Outcome::Failure
            } else {
                Outcome::Problems
            });
        }
    };
    let checks = super::checks(None)?;
    let mut errors: Vec<Diagnostic> = crate::validate::validate(&loaded, checks)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    for log in &loaded.journey.events {
        for (key, _) in &log.steps.0 {
            if let Err(d) = crate::analytics::log_stage(&loaded, log, key) {
                errors.push(*d);
            }
        }
    }
    if !errors.is_empty() {
        report(&errors, &sources);
        return Ok(Outcome::Problems);
    }
    let (surveys, logs) = chosen(args, &loaded)?;
    // Problems in the map are diagnostics at its lines, with their codes (exit 1), as
    // `validate` reports them; nothing is printed unless every binding could be written.
    let mut out = String::new();
    let mut problems = Vec::new();
    let texts = surveys
        .into_iter()
        .map(|s| survey_sql(&loaded, args.dialect, s))
        .chain(logs.into_iter().map(|l| log_sql(&loaded, args.dialect, l)));
    for text in texts {
        match text {
            Ok(text) => {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&text);
            }
            Err((code, pos, why)) => {
                problems.push(loaded.at(code, pos, why));
            }
        }
    }
    if !problems.is_empty() {
        report(&problems, &sources);
        return Ok(Outcome::Problems);
    }
    crate::output::write_stdout(out.as_bytes())?;
    Ok(Outcome::Ok)
}

/// The surveys and event logs `--survey` / `--log` choose (all, without either); naming one
/// the map lacks, or a map with neither, is a usage error.
fn chosen<'a>(
    args: &SqlArgs,
    loaded: &'a crate::load::Loaded,
) -> Result<(
    Vec<&'a crate::model::Survey>,
    Vec<&'a crate::model::EventLog>,
)> {
    let j = &loaded.journey;
    let surveys: Vec<_> = j
        .surveys
        .iter()
        .filter(|s| args.log.is_none() && args.survey.as_ref().is_none_or(|id| &s.id.value == id))
        .collect();
    let logs: Vec<_> = j
        .events
        .iter()
        .filter(|l| args.survey.is_none() && args.log.as_ref().is_none_or(|id| &l.id.value == id))
        .collect();
    if !(logs.is_empty() && surveys.is_empty()) {
        return Ok((surveys, logs));
    }
    let listed = |ids: Vec<&String>| -> String {
        if ids.is_empty() {
            return "none".to_owned();
        }
        ids.iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (what, want, have) = match (&args.survey, &args.log) {
        (Some(id), _) => (
            "survey",
            id,
            listed(j.surveys.iter().map(|s| &s.id.value).collect()),
        ),
        (None, Some(id)) => (
            "event log",
            id,
            listed(j.events.iter().map(|l| &l.id.value).collect()),
        ),
        (None, None) => anyhow::bail!(
            "{}: the map has no `surveys:` or `events:` to write SQL for",
            loaded.file
        ),
    };
    anyhow::bail!(
        "{}: the map has no {what} `{want}`; it has {have}",
        loaded.file
    )
}

/// A problem with one binding: its code, where the map says it, and why.
type Problem = (Code, crate::model::Pos, String);

/// A file a binding names, as the SQL will name it: confined to the map's folder, no pattern
/// an engine would expand.
fn engine_path(
    loaded: &crate::load::Loaded,
    d: sql::Dialect,
    what: &str,
    file: &crate::model::Spanned<String>,
) -> Result<String, Problem> {
    let path = crate::load::relative_to(&loaded.path, &file.value);
    let shown = crate::load::display(&path);
    if !d.reads_files() {
        // Only named in the refusal that asks for a table; never opened, never handed on.
        return Ok(shown);
    }
    match crate::load::confine::for_engine(&path, &loaded.confine) {
        Ok(_) => Ok(shown),
        Err(crate::load::confine::Refusal::Refused(why)) => {
            Err((Code::OutsideRoot, file.pos, format!("{what}: file {why}")))
        }
        Err(crate::load::confine::Refusal::Unreadable(why)) => Err((
            Code::Unreadable,
            file.pos,
            format!("{what}: cannot read {shown}: {why}"),
        )),
    }
}

/// The SQL of one event log: read from its `table:`, or from its file.
fn log_sql(
    loaded: &crate::load::Loaded,
    d: sql::Dialect,
    log: &crate::model::EventLog,
) -> Result<String, Problem> {
    let what = format!("event log `{}`", sql::comment(&log.id.value));
    let mut steps = Vec::new();
    for stage in &loaded.journey.stages.value {
        if let Some((_, rule)) = log.steps.0.iter().find(|(k, _)| k.value == stage.id.value) {
            steps.push(Step {
                stage: &stage.id.value,
                rule,
            });
        }
    }
    let path;
    let source = match (&log.table, &log.file) {
        (Some(t), _) => Source::Table(&t.value),
        (None, Some(f)) => {
            path = engine_path(loaded, d, &what, f)?;
            Source::File(&path)
        }
        (None, None) => {
            return Err((
                Code::EventLog,
                log.id.pos,
                format!("{what} names neither a `file:` nor a `table:`"),
            ));
        }
    };
    sql::event_log(d, log, &steps, source).map_err(|why| (Code::EventLog, log.id.pos, why))
}

/// The SQL of one survey: read from its `table:`, or from its file (one header row, UTF-8),
/// whose header names the columns the map binds.
fn survey_sql(
    loaded: &crate::load::Loaded,
    d: sql::Dialect,
    survey: &crate::model::Survey,
) -> Result<String, Problem> {
    let id = &survey.id.value;
    let cannot = |(pos, why): sql::Refusal| (Code::BindingCannotWork, pos, why);
    let stages = &loaded.journey.stages.value;
    if let Some(refusal) = sql::aggregated_already(survey) {
        return Err(cannot(refusal));
    }
    if let Some(table) = &survey.table {
        let by_name = |name: &str, pos: crate::model::Pos| {
            if name.starts_with('#') {
                Err((
                    pos,
                    format!(
                        "a table's columns are named, not numbered; name the column `{name}` stands for"
                    ),
                ))
            } else {
                Ok(name.trim().to_owned())
            }
        };
        return sql::survey(
            d,
            stages,
            survey,
            Source::Table(&table.value),
            None,
            &by_name,
        )
        .map_err(cannot);
    }
    let Some(file) = &survey.file else {
        return Err(cannot(match survey.waves.first() {
            Some(w) => (
                w.label.pos,
                format!(
                    "survey `{id}` keeps one file per wave (`waves:`); load them into one table with a column for the wave, and bind that with `table:` and `wave: {{column: ...}}`"
                ),
            ),
            None => (
                survey.id.pos,
                format!("survey `{id}` names no `file:` or `table:`"),
            ),
        }));
    };
    if !d.reads_files() {
        // The file is not opened for a warehouse that could not read it anyway.
        let shown = crate::load::display(&crate::load::relative_to(&loaded.path, &file.value));
        return Err(cannot((
            file.pos,
            format!(
                "survey `{id}` has no `table:`; load {shown} into a table and name it with `table:`"
            ),
        )));
    }
    let shown = engine_path(loaded, d, &format!("survey `{id}`"), file)?;
    file_sql(loaded, d, survey, file, &shown).map_err(cannot)
}

/// The SQL of a survey read from its file, confined already and shown as `shown`: the
/// header names the columns.
fn file_sql(
    loaded: &crate::load::Loaded,
    d: sql::Dialect,
    survey: &crate::model::Survey,
    file: &crate::model::Spanned<String>,
    shown: &str,
) -> Result<String, sql::Refusal> {
    let id = &survey.id.value;
    let path = crate::load::relative_to(&loaded.path, &file.value);
    let at = |why: String| (file.pos, format!("survey `{id}`: {why}"));
    if crate::survey::workbook::is_workbook(&path) {
        return Err(at(format!(
            "{shown} is a workbook; load its sheet into a table and name it with `table:`"
        )));
    }
    let input = crate::survey::input::open(&path, survey, false)
        .map_err(|e| at(format!("{shown}: {}", e.message)))?;
    if input.decoding != crate::survey::input::Decoding::Utf8 {
        return Err(at(format!(
            "{shown} is not UTF-8; load it into a table and name it with `table:`, or save it as UTF-8"
        )));
    }
    if input.header_rows > 1 {
        return Err(at(format!(
            "{shown} has {} header rows; load its answers (without the rows under the first) into a table and name it with `table:`",
            input.header_rows
        )));
    }
    let names = input.names;
    let by_header =
        |name: &str, pos: crate::model::Pos| match crate::survey::find_column(&names, name) {
            Ok(i) => Ok(names[i].clone()),
            Err(None) => Err((
                pos,
                format!(
                    "survey `{id}` names column {name}, but {shown} has {} columns",
                    names.len()
                ),
            )),
            Err(Some(near)) => Err((
                pos,
                format!(
                    "survey `{id}` names column `{name}`, which {shown} lacks; nearest: {near}"
                ),
            )),
        };
    let stages = &loaded.journey.stages.value;
    sql::survey(
        d,
        stages,
        survey,
        Source::File(shown),
        Some(input.delimiter),
        &by_header,
    )
}

fn report(diags: &[Diagnostic], sources: &Sources) {
    let text = diagnostic::format_all(diags, sources, Format::Human);
    eprint!(
        "{text}{}\n{}",
        diagnostic::summary(diags),
        diagnostic::explain_hint(diags)
    );
}
