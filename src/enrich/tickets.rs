//! A solution's ticket on its card: the tracker's status beside the solution's, the link to
//! the ticket, and the drift sentence when the two disagree (the same sentence `validate`
//! warns with).

use serde::Serialize;

use crate::model::{Solution, Tracker};
use crate::survey::SurveyData;
use crate::trackers::{State, drift};

/// `solutions[].ticket` in the JSON output.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TicketCtx {
    /// The tracker's id (`jira`).
    pub tracker: String,
    /// The key as the export writes it (as the map writes it, when the export lacks it).
    pub key: String,
    /// The tracker's words for its status; null when the export lacks the ticket.
    pub status: Option<String>,
    /// Whether the tracker says the work is done (closed as completed, not dropped).
    pub done: bool,
    /// `open`, `done`, `dropped`, or `missing` (the export lacks the ticket).
    pub state: &'static str,
    /// The day it was resolved (YYYY-MM-DD), when the tracker says.
    pub resolved: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    /// What the map and the tracker disagree on, when they do.
    pub drift: Option<String>,
}

/// The ticket of `s`, when it names one in a tracker whose export was read.
pub fn of(s: &Solution, trackers: &[Tracker], data: &SurveyData) -> Option<TicketCtx> {
    let found = drift::find(s, trackers, &data.tickets)?;
    let drift = drift::judge(s.status, &found);
    let t = found.ticket;
    Some(TicketCtx {
        tracker: found.tracker.to_owned(),
        key: t.map_or(found.key, |t| &t.key).to_owned(),
        status: t.map(|t| t.status.clone()),
        done: t.is_some_and(|t| t.state == State::Done),
        state: match t.map(|t| t.state) {
            None => "missing",
            Some(State::Open) => "open",
            Some(State::Done) => "done",
            Some(State::Dropped) => "dropped",
        },
        resolved: t.and_then(|t| t.resolved.clone()),
        url: t.and_then(|t| t.url.clone()),
        title: t.map(|t| t.title.clone()).filter(|t| !t.is_empty()),
        drift,
    })
}
