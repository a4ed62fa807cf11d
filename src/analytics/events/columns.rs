//! Which columns of a log the binding names, or its preset gives, and the window and order
//! rule it asks for.
//!
//! Invariants: every column comes with where the map names it (none when a preset gives it),
//! so a problem with it is said at that line.

use crate::model::{EventLog, EventPreset, Pos, StepOrder, TimeUnit};

use super::model::{DEFAULT_WINDOW, Kind, Problem};
use super::time::window;

/// A log's columns (each with where the map names it, if it does rather than a preset), the
/// unit of epoch times if declared, the tool's name, the window and the order rule.
pub struct Columns {
    pub actor: (String, Option<Pos>),
    pub event: (String, Option<Pos>),
    pub time: (String, Option<Pos>),
    /// With `by: session`.
    pub session: Option<(String, Option<Pos>)>,
    pub unit: Option<TimeUnit>,
    pub tool: &'static str,
    pub window: String,
    pub window_us: i64,
    pub mode: StepOrder,
}

/// What a log's binding and preset say, or what is missing.
pub fn columns(log: &EventLog) -> Result<Columns, Problem> {
    let bad = |message: String, pos: Option<Pos>| Problem {
        kind: Kind::Binding,
        line: 0,
        col: 0,
        pos,
        message,
    };
    let (p_actor, p_event, p_time, p_session, p_unit, tool) = match &log.preset {
        Some(p) => {
            let (a, e, t, s, u, tool) = preset(p.value);
            (Some(a), Some(e), Some(t), s, u, tool)
        }
        None => (None, None, None, None, None, "event log"),
    };
    let name_of = |given: &Option<crate::model::Spanned<String>>,
                   from_preset: Option<&str>,
                   what: &str| {
        given
            .as_ref()
            .map(|g| (g.value.clone(), Some(g.pos)))
            .or_else(|| from_preset.map(|p| (p.to_owned(), None)))
            .ok_or_else(|| bad(format!("event log `{}` does not say which column holds the {what}; add `{what}:` or a `preset:`", log.id.value), Some(log.id.pos)))
    };
    let by_session = log
        .by
        .as_ref()
        .is_some_and(|b| b.value == crate::model::CountBy::Session);
    let window_text = log
        .window
        .as_ref()
        .map_or(DEFAULT_WINDOW.to_owned(), |w| w.value.clone());
    Ok(Columns {
        actor: name_of(&log.actor, p_actor, "actor")?,
        event: name_of(&log.event, p_event, "event")?,
        time: name_of(&log.time, p_time, "time")?,
        session: if by_session {
            Some(name_of(&log.session, p_session, "session")?)
        } else {
            None
        },
        unit: log.time_unit.as_ref().map(|u| u.value).or(p_unit),
        tool,
        window_us: window(&window_text).map_err(|m| bad(m, log.window.as_ref().map(|w| w.pos)))?,
        window: window_text,
        mode: log
            .order
            .as_ref()
            .map_or(StepOrder::Sequential, |o| o.value),
    })
}

/// Columns and names a preset gives: actor, event, time, session, time unit.
fn preset(
    p: EventPreset,
) -> (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<TimeUnit>,
    &'static str,
) {
    match p {
        EventPreset::Rees46 => (
            "user_id",
            "event_type",
            "event_time",
            Some("user_session"),
            None,
            "REES46 event log",
        ),
        EventPreset::Ga4 => (
            "user_pseudo_id",
            "event_name",
            "event_timestamp",
            Some("ga_session_id"),
            Some(TimeUnit::Us),
            "GA4 events",
        ),
        EventPreset::Segment => (
            "anonymous_id",
            "event",
            "timestamp",
            None,
            None,
            "Segment tracks",
        ),
        EventPreset::Amplitude => (
            "user_id",
            "event_type",
            "event_time",
            Some("session_id"),
            None,
            "Amplitude events",
        ),
        EventPreset::Mixpanel => (
            "properties.distinct_id",
            "event",
            "properties.time",
            None,
            Some(TimeUnit::S),
            "Mixpanel events",
        ),
        EventPreset::Posthog => (
            "distinct_id",
            "event",
            "timestamp",
            Some("properties.$session_id"),
            None,
            "PostHog events",
        ),
    }
}
