//! The improvement loop as a map writes it: targets that can be read, and shipped solutions
//! whose dates and windows can (whether a target has a figure, and what a solution changed,
//! are judged once the surveys are read).

use super::Validator;
use crate::diagnostic::Code;

/// Targets that cannot be read (whether each has a figure is judged once the surveys are
/// read): an unknown measure at its key, a value that is no comparison or off the measure's
/// range at the value; `kept` only on a stage.
pub(super) fn targets(v: &mut Validator, j: &crate::model::Journey) {
    let all = std::iter::once((&j.targets, true))
        .chain(j.stages.value.iter().map(|s| (&s.targets, false)));
    for (targets, journey) in all {
        for (k, t) in &targets.0 {
            match crate::targets::parse(&k.value, &t.value.0) {
                Ok(target) if journey && target.measure == "kept" => v.report(
                    Code::BadTarget,
                    k.pos,
                    "`kept` is a stage's figure (the reach kept from the stage before); set this target on a stage".to_owned(),
                ),
                Ok(_) => {}
                Err(why) if !crate::targets::MEASURES.contains(&k.value.as_str()) => {
                    v.report(Code::BadTarget, k.pos, why);
                }
                Err(why) => v.report(Code::BadTarget, t.pos, why),
            }
        }
    }
}

/// `shipped:` a date, on a done solution; `effect_window:` days or weeks.
pub(super) fn shipped(v: &mut Validator, j: &crate::model::Journey) {
    use crate::survey::effects::{ship_date, window_days};
    for s in j.solutions() {
        if let Some(d) = &s.shipped {
            if let Err(why) = ship_date(&d.value) {
                v.report(Code::BadShipped, d.pos, why);
            } else if s.status != crate::model::Status::Done {
                v.report(
                    Code::BadShipped,
                    d.pos,
                    format!("solution `{}` has `shipped:` but is not done; set `status: done`, or remove `shipped:` until it ships", s.id.value),
                );
            }
        }
        if let Some(w) = &s.effect_window
            && let Err(why) = window_days(&w.value)
        {
            v.report(Code::BadShipped, w.pos, why);
        }
    }
}

/// `backlog.score`: a model's name, or a formula over the factors.
pub(super) fn score(v: &mut Validator, j: &crate::model::Journey) {
    if let Some(s) = j.backlog.as_ref().and_then(|b| b.score.as_ref())
        && let Err(why) = crate::enrich::scoring::model(&s.value)
    {
        v.report(Code::BadScore, s.pos, why);
    }
}

/// Trackers and tickets as written: two trackers with one id, a `url:` that is no web page
/// or has no `{key}`, and each `ticket:` that names no tracker or no key (whether the export
/// holds it is judged once the export is read).
pub(super) fn tickets(v: &mut Validator, j: &crate::model::Journey) {
    let mut seen: Vec<&str> = Vec::new();
    for t in &j.trackers {
        if seen.contains(&t.id.value.as_str()) {
            let msg = format!("two trackers have the id `{}`", t.id.value);
            v.report(Code::DuplicateId, t.id.pos, msg);
        }
        seen.push(&t.id.value);
        if let Some(url) = &t.url {
            if let Err(why) = super::check_url(&url.value) {
                v.report(
                    Code::LinkScheme,
                    url.pos,
                    format!("tracker `{}`: `url:` {why}", t.id.value),
                );
            } else if !url.value.contains("{key}") {
                let msg = format!(
                    "tracker `{}`: `url:` has no `{{key}}` for the ticket's key (`https://acme.atlassian.net/browse/{{key}}`)",
                    t.id.value
                );
                v.report(Code::TrackerExport, url.pos, msg);
            }
        }
    }
    for s in j.solutions() {
        let Some(ticket) = &s.ticket else { continue };
        if let Err(why) = crate::trackers::parse_ref(&ticket.value, &j.trackers) {
            v.report(
                Code::BadTicket,
                ticket.pos,
                format!("solution `{}`: ticket {why}", s.id.value),
            );
        }
    }
}
