//! Tracker exports read offline: each `trackers:` file (Jira CSV, Linear CSV, the JSON of
//! `gh issue list`) becomes a list of tickets with a status, whether it is open, done or
//! dropped, and when it was resolved; solutions' `ticket:` keys are found in them and
//! judged against the solutions' statuses (`drift.rs`).
//!
//! Invariants: a file is read through the one confinement rule and under a byte budget
//! checked before it is buffered; an export that cannot be read is an error at the tracker's
//! `file:` line and none of its tickets are judged (so no drift is said from half a file);
//! a ticket's state follows one written rule per format (`jira.rs`, `linear.rs`,
//! `github.rs`), which `done:` and `dropped:` override.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Pos, Tracker, TrackerFormat};

mod collect;
mod dates;
pub mod drift;
mod github;
mod jira;
mod linear;
mod table;

/// Tracker exports larger than this are refused: a project's whole history is a few MiB.
const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Tickets one export may hold.
const MAX_TICKETS: usize = 1_000_000;

/// Where a ticket stands in its tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Open,
    Done,
    /// Closed without the work: Won't Do, not planned, canceled, a duplicate.
    Dropped,
}

/// One ticket as its export gives it.
#[derive(Debug, Clone, Serialize)]
pub struct Ticket {
    /// The key as the export writes it (`CX-12`, `#42`).
    pub key: String,
    pub title: String,
    /// The tracker's own words for its status (`In Progress`; `Closed as not planned`).
    pub status: String,
    pub state: State,
    /// The day it was resolved, done or dropped (YYYY-MM-DD), when the export says.
    pub resolved: Option<String>,
    pub url: Option<String>,
    /// Closed, but the export cannot say whether as completed or as not planned (a GitHub
    /// list without `stateReason`): counted as done, and a dropped solution agrees with it.
    #[serde(skip)]
    pub reason_unknown: bool,
}

/// One tracker's tickets that the map names, found by key (case does not matter: Jira and
/// Linear keys do not depend on it), and the nearest key the export holds to each.
#[derive(Debug, Clone, Default)]
pub struct Tickets {
    pub id: String,
    /// The export as messages name it.
    pub file: String,
    /// The tickets the map names that the export holds, by folded key.
    found: HashMap<String, Ticket>,
    /// For each key the map names (folded): the nearest key the export holds.
    near: HashMap<String, String>,
    /// How many tickets the export holds.
    pub count: usize,
}

impl Tickets {
    pub fn get(&self, key: &str) -> Option<&Ticket> {
        self.found.get(&fold(key))
    }

    /// The key the export holds that is nearest to `key`, for "did you mean".
    pub fn nearest(&self, key: &str) -> Option<&str> {
        self.near.get(&fold(key)).map(String::as_str)
    }

    /// The tickets kept (those the map names), in no particular order.
    pub fn kept(&self) -> impl Iterator<Item = &Ticket> {
        self.found.values()
    }
}

/// Every tracker a map reads, those whose export could be read whole.
#[derive(Debug, Clone, Default)]
pub struct TicketData {
    pub trackers: Vec<Tickets>,
}

impl TicketData {
    pub fn tracker(&self, id: &str) -> Option<&Tickets> {
        self.trackers.iter().find(|t| t.id == id)
    }
}

/// A key compared without case, and a GitHub number with or without its `#`.
fn fold(key: &str) -> String {
    key.trim().trim_start_matches('#').to_lowercase()
}

/// A problem in an export: at a line and column of the file, or (line 0) about the file as
/// a whole, said at the tracker's `file:` line.
pub(crate) struct Problem {
    pub code: Code,
    pub line: u64,
    pub col: usize,
    pub message: String,
    /// A value of the map's binding the problem is about (`done:`), said there.
    pub at: Option<Pos>,
}

impl Problem {
    fn file(message: String) -> Problem {
        Problem {
            code: Code::TrackerExport,
            line: 0,
            col: 0,
            message,
            at: None,
        }
    }

    fn cell(code: Code, line: u64, col: usize, message: String) -> Problem {
        Problem {
            code,
            line,
            col,
            message,
            at: None,
        }
    }
}

/// A `ticket:` as written: the tracker's id and the key, or why it cannot be either.
pub fn parse_ref<'a>(
    written: &'a str,
    trackers: &'a [Tracker],
) -> Result<(&'a str, &'a str), String> {
    let ids: Vec<&str> = trackers.iter().map(|t| t.id.value.as_str()).collect();
    let (id, key) = match written.split_once(':') {
        Some((id, key)) if !id.contains(char::is_whitespace) => {
            if !ids.contains(&id) {
                let near = crate::suggest::closest(id, ids.iter().copied())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                let list = if ids.is_empty() {
                    "the map has no `trackers:`".to_owned()
                } else {
                    format!("its trackers: {}", ids.join(", "))
                };
                return Err(format!(
                    "`{written}` names tracker `{id}`, which the map lacks{near}; {list}"
                ));
            }
            (id, key.trim())
        }
        _ => match ids.as_slice() {
            [] => {
                return Err(format!(
                    "`{written}` cannot be checked: the map has no `trackers:` export to find it in; add one (`trackers: [{{id: jira, file: exports/jira.csv, format: jira}}]`)"
                ));
            }
            [one] => (*one, written.trim()),
            _ => {
                return Err(format!(
                    "`{written}` does not say which tracker holds it: write `{}:{}`",
                    ids[0],
                    written.trim()
                ));
            }
        },
    };
    if key.is_empty() {
        return Err(format!("`{written}` holds no ticket key after `{id}:`"));
    }
    let gh = trackers
        .iter()
        .any(|t| t.id.value == id && t.format.value == TrackerFormat::Github);
    if gh
        && !key
            .trim_start_matches('#')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return Err(format!(
            "`{written}`: a GitHub issue is named by its number (`{id}:#42`)"
        ));
    }
    Ok((id, key))
}

/// Every tracker export of a map, read; the problems of each, at their lines.
pub fn read_all(loaded: &Loaded) -> (TicketData, Vec<Diagnostic>) {
    let mut data = TicketData::default();
    let mut diags = Vec::new();
    for t in &loaded.journey.trackers {
        if data.tracker(&t.id.value).is_some() {
            continue; // two trackers with one id: said by validation
        }
        if let Some(tickets) = read_one(loaded, t, &mut diags) {
            data.trackers.push(tickets);
        }
    }
    (data, diags)
}

/// The keys the map's solutions name in tracker `t`: folded, and as written.
fn wanted(loaded: &Loaded, t: &Tracker) -> Vec<(String, String)> {
    let trackers = &loaded.journey.trackers;
    let mut out: Vec<(String, String)> = Vec::new();
    for s in loaded.journey.solutions() {
        let Some(written) = &s.ticket else { continue };
        let Ok((id, key)) = parse_ref(&written.value, trackers) else {
            continue;
        };
        if id == t.id.value && !out.iter().any(|(f, _)| *f == fold(key)) {
            out.push((fold(key), key.to_owned()));
        }
    }
    out
}

fn read_one(loaded: &Loaded, t: &Tracker, diags: &mut Vec<Diagnostic>) -> Option<Tickets> {
    let path = crate::load::relative_to(&loaded.path, &t.file.value);
    let shown = crate::load::display(&path);
    let bytes = export_bytes(loaded, t, &path, &shown, diags)?;
    let (tickets, problems) = read_bytes(t, &bytes, wanted(loaded, t));
    for p in problems {
        diags.push(said(loaded, t, &shown, p));
    }
    tickets.map(|mut k| {
        k.file = shown;
        k
    })
}

/// An export's bytes as the tickets of `wanted` (folded and written keys) it holds, or none
/// when an error refused it; and the problems found.
pub(crate) fn read_bytes(
    t: &Tracker,
    bytes: &[u8],
    wanted: Vec<(String, String)>,
) -> (Option<Tickets>, Vec<Problem>) {
    let mut sink = collect::Collect::new(wanted);
    let read = match t.format.value {
        TrackerFormat::Jira => jira::read(bytes, t, &mut sink),
        TrackerFormat::Linear => linear::read(bytes, t, &mut sink),
        TrackerFormat::Github => github::read(bytes, t, &mut sink),
    };
    if let Err(problems) = read {
        return (None, problems);
    }
    let (tickets, problems) = sink.finish(t);
    let failed = problems
        .iter()
        .any(|p| p.code.severity() == crate::diagnostic::Severity::Error);
    (if failed { None } else { Some(tickets) }, problems)
}

/// A problem as a diagnostic: in the export at its line, or at the tracker's `file:` line.
fn said(loaded: &Loaded, t: &Tracker, shown: &str, p: Problem) -> Diagnostic {
    if p.line == 0 {
        let msg = format!("tracker `{}` ({shown}): {}", t.id.value, p.message);
        loaded.at(p.code, p.at.unwrap_or(t.file.pos), msg)
    } else {
        let pos = Pos {
            line: usize::try_from(p.line).unwrap_or(usize::MAX),
            col: p.col.max(1),
        };
        Diagnostic::new(p.code, shown, pos, p.message)
    }
}

/// The export's bytes: confined, under the budget, or the reason at the `file:` line.
fn export_bytes(
    loaded: &Loaded,
    t: &Tracker,
    path: &std::path::Path,
    shown: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<u8>> {
    use crate::load::confine::{Refusal, resolve};
    let bytes = match resolve(path, &loaded.confine) {
        Err(Refusal::Refused(why)) => {
            let msg = format!("tracker `{}`: file {why}", t.id.value);
            diags.push(loaded.at(Code::OutsideRoot, t.file.pos, msg));
            return None;
        }
        Err(Refusal::Unreadable(why)) => Err(why),
        Ok(real) => match crate::load::read_limited(&real, MAX_BYTES) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(format!(
                "it is over the {} MiB a tracker export can be",
                MAX_BYTES / (1024 * 1024)
            )),
            Err(e) => Err(crate::load::io_reason(&e)),
        },
    };
    match bytes {
        Ok(b) => Some(b),
        Err(why) => {
            let msg = format!("cannot read tracker export {shown}: {why}");
            diags.push(loaded.at(Code::Unreadable, t.file.pos, msg));
            None
        }
    }
}

/// A ticket's page: the export's own URL when it is a web address (an export's text never
/// becomes a `javascript:` link), else the tracker's `url:` with the key in it.
fn url_of(t: &Tracker, key: &str, own: Option<&str>) -> Option<String> {
    let web = |u: &&str| {
        let l = u.trim().to_ascii_lowercase();
        l.starts_with("https://") || l.starts_with("http://")
    };
    if let Some(u) = own.filter(web) {
        return Some(u.trim().to_owned());
    }
    let template = t.url.as_ref()?;
    Some(template.value.replace("{key}", key.trim_start_matches('#')))
}

/// Words compared as a team writes statuses: trimmed, without case.
fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Statuses and resolutions that mean the work was dropped, unless `dropped:` says.
const DROPPED: &[&str] = &[
    "won't do",
    "won't fix",
    "wont do",
    "wont fix",
    "duplicate",
    "cannot reproduce",
    "declined",
    "rejected",
    "canceled",
    "cancelled",
    "obsolete",
    "abandoned",
    "not planned",
];

/// Whether a status or resolution means dropped: the map's `dropped:` list, else the words
/// above (with a typographic apostrophe read as `'`).
fn is_dropped(t: &Tracker, word: &str) -> bool {
    if word.trim().is_empty() {
        return false;
    }
    if !t.dropped.is_empty() {
        return t.dropped.iter().any(|d| same(&d.value, word));
    }
    let w = word.trim().to_lowercase().replace('\u{2019}', "'");
    DROPPED.contains(&w.as_str())
}

/// `done:` and `dropped:` values that name nothing the export holds: each is a binding
/// mistake (a typo would silently judge every ticket open), said with the nearest word.
fn unmatched(t: &Tracker, statuses: &[String], resolutions: &[String]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut check = |key: &str, list: &[crate::model::Spanned<String>], words: Vec<&String>| {
        for d in list {
            if words.iter().any(|w| same(w, &d.value)) {
                continue;
            }
            let near = crate::suggest::closest(&d.value, words.iter().map(|w| w.as_str()))
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            let mut held: Vec<&str> = words.iter().map(|w| w.as_str()).collect();
            held.sort_unstable();
            held.dedup();
            let it = if near.is_empty() { "it" } else { "It" };
            let mut p = Problem::file(format!(
                "`{key}:` names `{}`, which no ticket of the export has; {near}{it} holds: {}",
                d.value,
                held.join(", ")
            ));
            p.at = Some(d.pos);
            out.push(p);
        }
    };
    check("done", &t.done, statuses.iter().collect());
    check(
        "dropped",
        &t.dropped,
        statuses.iter().chain(resolutions).collect(),
    );
    out
}

/// Dates that could not be read (line, column, key, text), the first five at their line,
/// then how many more.
fn undated(unread: Vec<(u64, usize, String, String)>, more: usize) -> Vec<Problem> {
    let mut out: Vec<Problem> = unread
        .into_iter()
        .map(|(line, col, key, text)| {
            let msg = format!(
                "ticket `{key}`: `{text}` is not a date journeymap reads (`15/Feb/26 4:51 PM`, `2026-02-15`); its resolution day is left unknown"
            );
            Problem::cell(Code::TicketDate, line, col, msg)
        })
        .collect();
    if let Some(last) = out.last().filter(|_| more > 0) {
        let (line, col) = (last.line, last.col);
        let msg = format!("and {more} more dates that cannot be read");
        out.push(Problem::cell(Code::TicketDate, line, col, msg));
    }
    out
}
