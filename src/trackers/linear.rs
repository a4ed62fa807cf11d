//! Linear's CSV export (Settings → Import / export → Export CSV) as tickets.
//!
//! The rule: a ticket with a `Canceled` date, or whose status means dropped, is dropped; one
//! with a `Completed` date is done (with `done:`, one whose status is listed there); the
//! resolved day is the date that decided. `Archived` alone decides nothing: Linear archives
//! open issues too.

use crate::diagnostic::Code;
use crate::model::Tracker;

use super::collect::Collect;
use super::table::{self, Header, cell};
use super::{Problem, State, Ticket, dates, is_dropped, same, url_of};

const HINT: &str = ". Export from Linear's workspace settings (Import / export → Export CSV)";

pub(super) fn read(bytes: &[u8], t: &Tracker, sink: &mut Collect) -> Result<(), Vec<Problem>> {
    table::scan(
        bytes,
        |h| columns(h, t),
        |c, line, row| {
            let key = cell(row, Some(c.key));
            if key.is_empty() {
                let msg = "a ticket without an `ID`: the export is damaged".to_owned();
                return Err(Problem::cell(Code::TrackerExport, line, c.key + 1, msg));
            }
            let status = cell(row, Some(c.status));
            sink.words(status, "");
            let (done_at, canceled_at) = (cell(row, c.completed), cell(row, c.canceled));
            let listed = !t.done.is_empty() && t.done.iter().any(|d| same(&d.value, status));
            let (state, when, col) = if !canceled_at.is_empty() || is_dropped(t, status) {
                (State::Dropped, canceled_at, c.canceled)
            } else if listed || (t.done.is_empty() && !done_at.is_empty()) {
                (State::Done, done_at, c.completed)
            } else {
                (State::Open, "", None)
            };
            let resolved = dates::day(when);
            if !when.is_empty() && resolved.is_none() {
                sink.unread_date(line, col.unwrap_or(0) + 1, key, when);
            }
            sink.offer(line, key, || Ticket {
                key: key.to_owned(),
                title: cell(row, c.title).to_owned(),
                status: status.to_owned(),
                state,
                resolved,
                url: url_of(t, key, None),
                reason_unknown: false,
            })
        },
    )
}

/// Where each column is.
struct Cols {
    key: usize,
    status: usize,
    title: Option<usize>,
    completed: Option<usize>,
    canceled: Option<usize>,
}

fn columns(h: &Header, t: &Tracker) -> Result<Cols, Vec<Problem>> {
    if let Some((k, _)) = t.columns.0.first() {
        let mut p = Problem::file(
            "`columns:` is for Jira exports; Linear's columns have one name".to_owned(),
        );
        p.at = Some(k.pos);
        return Err(vec![p]);
    }
    if let Some(p) = h.other_format("linear") {
        return Err(vec![p]);
    }
    let what = "a Linear CSV export";
    Ok(Cols {
        key: h.need("ID", what, HINT).map_err(|p| vec![p])?,
        status: h.need("Status", what, HINT).map_err(|p| vec![p])?,
        title: h.col("Title"),
        completed: h.col("Completed"),
        canceled: h.col("Canceled"),
    })
}
