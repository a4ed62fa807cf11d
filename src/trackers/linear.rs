//! Linear's CSV export (Settings → Import / export → Export CSV) as tickets.
//!
//! The rule: a ticket with a `Canceled` date, or whose status means dropped, is dropped; one
//! with a `Completed` date is done (with `done:`, one whose status is listed there); the
//! resolved day is the date that decided. `Archived` alone decides nothing: Linear archives
//! open issues too.

use crate::diagnostic::Code;
use crate::model::Tracker;

use super::table::{self, cell};
use super::{Problem, State, Ticket, dates, is_dropped, same, url_of};

const HINT: &str = ". Export from Linear's workspace settings (Import / export → Export CSV)";

pub(super) fn read(bytes: &[u8], t: &Tracker) -> Result<(Vec<Ticket>, Vec<Problem>), Vec<Problem>> {
    let table = table::read(bytes).map_err(|p| vec![p])?;
    if let Some((k, _)) = t.columns.0.first() {
        let mut p = Problem::file(
            "`columns:` is for Jira exports; Linear's columns have one name".to_owned(),
        );
        p.at = Some(k.pos);
        return Err(vec![p]);
    }
    if let Some(p) = table.other_format("linear") {
        return Err(vec![p]);
    }
    let what = "a Linear CSV export";
    let key_col = table.need("ID", what, HINT).map_err(|p| vec![p])?;
    let status_col = table.need("Status", what, HINT).map_err(|p| vec![p])?;
    let (title, completed, canceled) = (
        table.col("Title"),
        table.col("Completed"),
        table.col("Canceled"),
    );
    let statuses: Vec<String> = table
        .rows
        .iter()
        .map(|(_, r)| cell(r, Some(status_col)).to_owned())
        .collect();
    let mut problems = super::unmatched(t, &statuses, &[]);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = Vec::with_capacity(table.rows.len());
    let mut unread = Vec::new();
    for (line, row) in &table.rows {
        let key = cell(row, Some(key_col));
        if key.is_empty() {
            let p = Problem::cell(
                Code::TrackerExport,
                *line,
                key_col + 1,
                "a ticket without an `ID`: the export is damaged".to_owned(),
            );
            return Err(vec![p]);
        }
        let status = cell(row, Some(status_col));
        let (done_at, canceled_at) = (cell(row, completed), cell(row, canceled));
        let listed = !t.done.is_empty() && t.done.iter().any(|d| same(&d.value, status));
        let (state, when, col) = if !canceled_at.is_empty() || is_dropped(t, status) {
            (State::Dropped, canceled_at, canceled)
        } else if listed || (t.done.is_empty() && !done_at.is_empty()) {
            (State::Done, done_at, completed)
        } else {
            (State::Open, "", None)
        };
        let resolved = dates::day(when);
        if !when.is_empty() && resolved.is_none() {
            unread.push((*line, col.unwrap_or(0) + 1, key.to_owned(), when.to_owned()));
        }
        out.push(Ticket {
            key: key.to_owned(),
            title: cell(row, title).to_owned(),
            status: status.to_owned(),
            state,
            resolved,
            url: url_of(t, key, None),
            reason_unknown: false,
        });
    }
    super::duplicates(
        &out,
        &table.rows.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
    )?;
    problems.extend(super::undated(unread));
    Ok((out, problems))
}
