//! Drift: a solution and its ticket that disagree. The tracker says done (and when) but the
//! map does not; the map says done but the ticket is open, or was closed without the work
//! (then the solution was dropped, not done); the map says dropped but the ticket is open or
//! done; or the export lacks the ticket. Each is one sentence, said as a warning at the
//! solution's line (a missing ticket at its `ticket:` line) and shown on the solution's card.
//!
//! Invariants: a ticket is judged only against an export read whole; a `ticket:` that
//! validation refused is not judged again here.

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Solution, Status, Tracker};

use super::{State, Ticket, TicketData, parse_ref};

/// A solution's ticket, found or not, in a tracker whose export was read.
pub struct Found<'a> {
    pub tracker: &'a str,
    /// The key as the map writes it.
    pub key: &'a str,
    pub ticket: Option<&'a Ticket>,
    /// The export, as messages name it.
    pub file: &'a str,
    /// The nearest key the export holds, when it lacks this one.
    pub nearest: Option<&'a str>,
}

/// The solution's ticket, when it names one in a tracker whose export was read.
pub fn find<'a>(
    s: &'a Solution,
    trackers: &'a [Tracker],
    data: &'a TicketData,
) -> Option<Found<'a>> {
    let written = s.ticket.as_ref()?;
    let (id, key) = parse_ref(&written.value, trackers).ok()?;
    let tickets = data.tracker(id)?;
    let ticket = tickets.get(key);
    Some(Found {
        tracker: id,
        key,
        ticket,
        file: &tickets.file,
        nearest: if ticket.is_none() {
            tickets.nearest(key)
        } else {
            None
        },
    })
}

/// What the map says of a solution against its ticket, when they disagree.
pub fn judge(status: Status, f: &Found) -> Option<String> {
    let Some(t) = f.ticket else {
        let advice = match f.nearest {
            Some(n) => format!("did you mean `{n}`? Else check the key"),
            None => "check the key".to_owned(),
        };
        return Some(format!(
            "ticket `{}` is not in {} (tracker `{}`): {advice}, or export the tracker again",
            f.key, f.file, f.tracker
        ));
    };
    let on = t
        .resolved
        .as_deref()
        .map(|d| format!(" on {d}"))
        .unwrap_or_default();
    let map = crate::words::kebab(&status);
    let said = match (status, t.state) {
        (Status::Done, State::Done) | (Status::Dropped, State::Dropped) => return None,
        (Status::Dropped, State::Done) if t.reason_unknown => return None,
        (Status::Idea | Status::Planned | Status::InProgress, State::Open) => return None,
        (Status::Done, State::Open) => format!(
            "the solution is `done` but ticket {} is still open in {} ({}): set the solution's `status:` to what is true, or close the ticket",
            t.key, f.tracker, t.status
        ),
        (Status::Dropped, State::Open) => format!(
            "the solution is `dropped` but ticket {} is still open in {} ({}): close the ticket, or take the solution up again",
            t.key, f.tracker, t.status
        ),
        (_, State::Dropped) => format!(
            "ticket {} was closed without the work in {}{on} ({}), but the solution is `{map}`: it was dropped, not done; set `status: dropped`",
            t.key, f.tracker, t.status
        ),
        (_, State::Done) if t.reason_unknown => format!(
            "ticket {} was closed in {}{on}, but the solution is `{map}`: set `status: done`, or `status: dropped` if it was closed as not planned (export `stateReason` too, and journeymap tells the two apart)",
            t.key, f.tracker
        ),
        (_, State::Done) => format!(
            "ticket {} was done in {}{on} ({}), but the solution is `{map}`: set `status: done` (and `shipped:` with the day it reached customers)",
            t.key, f.tracker, t.status
        ),
    };
    Some(said)
}

/// Every drift of a map, at its solutions' lines.
pub fn diagnostics(loaded: &Loaded, data: &TicketData) -> Vec<Diagnostic> {
    let trackers = &loaded.journey.trackers;
    let mut out = Vec::new();
    for s in loaded.journey.solutions() {
        let Some(found) = find(s, trackers, data) else {
            continue;
        };
        let Some(said) = judge(s.status, &found) else {
            continue;
        };
        let pos = match (&found.ticket, &s.ticket) {
            (None, Some(t)) => t.pos,
            _ => s.id.pos,
        };
        let msg = format!("solution `{}`: {said}", s.id.value);
        out.push(loaded.at(Code::TicketDrift, pos, msg));
    }
    out
}
