//! Jira's CSV export (Filters → Export → CSV, all fields or current fields) as tickets.
//!
//! The rule: a ticket is done when its status is among the tracker's `done:`; without
//! `done:`, when the export's `Status Category` column says `Done` (Jira Cloud), else when
//! its status is Done, Closed or Resolved. A done ticket whose resolution (or status) means
//! dropped — Won't Do, Duplicate, … or the tracker's `dropped:` — is dropped; a ticket whose
//! status means dropped is dropped whatever its category. The resolved day is the
//! `Resolved` column's. A resolution left on a reopened ticket does not make it done.

use crate::diagnostic::Code;
use crate::model::Tracker;

use super::collect::Collect;
use super::table::{self, Header, cell};
use super::{Problem, State, Ticket, dates, is_dropped, same, url_of};

/// The columns read, by the names `columns:` may give them.
const COLUMNS: [(&str, &str); 6] = [
    ("key", "Issue key"),
    ("title", "Summary"),
    ("status", "Status"),
    ("resolution", "Resolution"),
    ("resolved", "Resolved"),
    ("category", "Status Category"),
];

const DONE: [&str; 3] = ["done", "closed", "resolved"];

const HINT: &str = ". Jira names columns in the language of the exporting user's profile: \
export with English set, or name the columns under `columns:` (`key`, `title`, `status`, \
`resolution`, `resolved`, `category`)";

/// Where each column is, by its name in [`COLUMNS`].
struct Cols {
    key: usize,
    title: Option<usize>,
    status: usize,
    resolution: Option<usize>,
    resolved: Option<usize>,
    category: Option<usize>,
}

pub(super) fn read(bytes: &[u8], t: &Tracker, sink: &mut Collect) -> Result<(), Vec<Problem>> {
    let columns = |h: &Header| {
        if let Some(p) = h.other_format("jira").filter(|_| t.columns.is_empty()) {
            return Err(vec![p]);
        }
        columns(h, t)
    };
    table::scan(bytes, columns, |cols, line, row| {
        let key = cell(row, Some(cols.key));
        if key.is_empty() {
            let msg = "a ticket without an `Issue key`: the export is damaged, or a cell holds an unclosed quote";
            return Err(Problem::cell(
                Code::TrackerExport,
                line,
                cols.key + 1,
                msg.to_owned(),
            ));
        }
        let status = cell(row, Some(cols.status));
        let resolution = cell(row, cols.resolution);
        sink.words(status, resolution);
        let category = cell(row, cols.category);
        let state = state(t, status, resolution, category, cols.category.is_some());
        let when = cell(row, cols.resolved);
        let resolved = dates::day(when);
        if !when.is_empty() && resolved.is_none() {
            sink.unread_date(line, cols.resolved.unwrap_or(0) + 1, key, when);
        }
        sink.offer(line, key, || Ticket {
            key: key.to_owned(),
            title: cell(row, cols.title).to_owned(),
            status: match (state, resolution) {
                (State::Dropped, r) if !r.is_empty() && !same(r, status) => {
                    format!("{status} ({r})")
                }
                _ => status.to_owned(),
            },
            state,
            resolved,
            url: url_of(t, key, None),
            reason_unknown: false,
        })
    })
}

/// The state by the rule above.
fn state(t: &Tracker, status: &str, resolution: &str, category: &str, has_category: bool) -> State {
    let done = if !t.done.is_empty() {
        t.done.iter().any(|d| same(&d.value, status))
    } else if has_category {
        same(category, "done")
    } else {
        DONE.iter().any(|d| same(d, status))
    };
    if is_dropped(t, status) || (done && is_dropped(t, resolution)) {
        State::Dropped
    } else if done {
        State::Done
    } else {
        State::Open
    }
}

/// The columns by their English names or the names `columns:` gives; an unknown name under
/// `columns:` or a column the file lacks is a problem at once.
fn columns(table: &Header, t: &Tracker) -> Result<Cols, Vec<Problem>> {
    let named = |field: &str, english: &str| -> Result<Option<usize>, Problem> {
        match t.columns.0.iter().find(|(k, _)| k.value == field) {
            Some((_, v)) => table
                .need(&v.value, "the column `columns:` names", "")
                .map(Some)
                .map_err(|mut p| {
                    p.at = Some(v.pos);
                    p.line = 0;
                    p
                }),
            None => Ok(table.col(english)),
        }
    };
    let mut problems: Vec<Problem> = t
        .columns
        .0
        .iter()
        .filter(|(k, _)| !COLUMNS.iter().any(|(f, _)| *f == k.value))
        .map(|(k, _)| {
            let mut p = Problem::file(format!(
                "`columns:` has no field `{}`; the fields are key, title, status, resolution, resolved, category",
                k.value
            ));
            p.at = Some(k.pos);
            p
        })
        .collect();
    let mut found = [None; 6];
    for (i, (field, english)) in COLUMNS.iter().enumerate() {
        match named(field, english) {
            Ok(c) => found[i] = c,
            Err(p) => problems.push(p),
        }
    }
    if let (Some((k, _)), true) = (t.columns.0.first(), t.done.is_empty()) {
        let mut p = Problem::file("an export with its own column names writes its statuses in its language too: list the statuses that mean done under `done:`".to_owned());
        p.at = Some(k.pos);
        problems.push(p);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let need = |i: usize, english: &str| -> Result<usize, Vec<Problem>> {
        match found[i] {
            Some(c) => Ok(c),
            None => table
                .need(english, "a Jira CSV export", HINT)
                .map_err(|p| vec![p]),
        }
    };
    Ok(Cols {
        key: need(0, "Issue key")?,
        title: found[1],
        status: need(2, "Status")?,
        resolution: found[3],
        resolved: found[4],
        category: found[5],
    })
}
