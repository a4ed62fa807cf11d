//! `journeymap sql`: print the warehouse SQL of a map's event logs.

use anyhow::Result;

use crate::Outcome;
use crate::cli::SqlArgs;
use crate::diagnostic::{self, Diagnostic, Format, Severity, Sources};
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
    let checks = crate::validate::Checks {
        max_age_days: None,
        today: crate::validate::today()?,
    };
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
    let stages = &loaded.journey.stages.value;
    let logs: Vec<_> = loaded
        .journey
        .events
        .iter()
        .filter(|l| args.log.as_ref().is_none_or(|id| &l.id.value == id))
        .collect();
    if logs.is_empty() {
        let have: Vec<String> = loaded
            .journey
            .events
            .iter()
            .map(|l| format!("`{}`", l.id.value))
            .collect();
        anyhow::bail!(
            "{}: {}",
            loaded.file,
            match &args.log {
                Some(id) => format!(
                    "the map has no event log `{id}`; it has {}",
                    if have.is_empty() {
                        "none".to_owned()
                    } else {
                        have.join(", ")
                    }
                ),
                None => "the map has no `events:` to write SQL for".to_owned(),
            }
        );
    }
    let mut out = String::new();
    for log in logs {
        let mut steps = Vec::new();
        for stage in stages {
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
                let p = crate::load::relative_to(&loaded.path, &f.value);
                if let Some(why) = crate::load::outside(&p, &loaded.confine) {
                    anyhow::bail!(
                        "{}:{}:{}: event log `{}`: file {why}",
                        loaded.file,
                        f.pos.line,
                        f.pos.col,
                        log.id.value
                    );
                }
                path = crate::load::display(&p);
                Source::File(&path)
            }
            (None, None) => anyhow::bail!(
                "{}: event log `{}` names neither a `file:` nor a `table:`",
                loaded.file,
                log.id.value
            ),
        };
        let text = sql::event_log(args.dialect, log, &steps, source).map_err(|why| {
            anyhow::anyhow!(
                "{}:{}:{}: {why}",
                loaded.file,
                log.id.pos.line,
                log.id.pos.col
            )
        })?;
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&text);
    }
    crate::output::write_stdout(out.as_bytes())?;
    Ok(Outcome::Ok)
}

fn report(diags: &[Diagnostic], sources: &Sources) {
    let text = diagnostic::format_all(diags, sources, Format::Human);
    eprintln!("{text}{}", diagnostic::summary(diags));
}
