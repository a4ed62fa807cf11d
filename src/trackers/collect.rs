//! What reading one export keeps, row by row: the tickets the map names (and only those),
//! every key once (to say a key written twice, and to find the nearest key to one the map
//! names that the export lacks), the statuses and resolutions seen (to check `done:` and
//! `dropped:` against), and the dates that could not be read. Memory grows with the keys,
//! never with the rows' other text.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::Code;
use crate::model::Tracker;

use super::{Problem, Ticket, Tickets, fold};

/// Distinct statuses or resolutions kept for the `done:` check; past it, more are not kept
/// (a status column holds a few words, not free text).
const MAX_WORDS: usize = 10_000;
/// Keys the map names and the export lacks whose nearest key is looked for: each costs one
/// comparison per ticket.
const MAX_NEAR: usize = 64;

pub(crate) struct Collect {
    /// The keys the map names in this tracker: folded, and as written.
    wanted: Vec<(String, String)>,
    found: HashMap<String, Ticket>,
    /// Every key read (folded), with the line it was on and the key as written when that
    /// differs (to name the nearest key as the export writes it).
    seen: HashMap<Box<str>, (u64, Option<Box<str>>)>,
    pub statuses: BTreeSet<String>,
    pub resolutions: BTreeSet<String>,
    /// Dates that could not be read: the first five (line, column, key, text), and how many.
    unread: Vec<(u64, usize, String, String)>,
    unread_count: usize,
}

impl Collect {
    pub fn new(wanted: Vec<(String, String)>) -> Collect {
        Collect {
            wanted,
            found: HashMap::new(),
            seen: HashMap::new(),
            statuses: BTreeSet::new(),
            resolutions: BTreeSet::new(),
            unread: Vec::new(),
            unread_count: 0,
        }
    }

    /// The words a row's status and resolution are written in.
    pub fn words(&mut self, status: &str, resolution: &str) {
        for (set, w) in [
            (&mut self.statuses, status),
            (&mut self.resolutions, resolution),
        ] {
            if !w.is_empty() && set.len() < MAX_WORDS && !set.contains(w) {
                set.insert(w.to_owned());
            }
        }
    }

    /// A date of ticket `key` that could not be read.
    pub fn unread_date(&mut self, line: u64, col: usize, key: &str, text: &str) {
        self.unread_count += 1;
        if self.unread.len() < 5 {
            self.unread
                .push((line, col, key.to_owned(), text.to_owned()));
        }
    }

    /// A row's key, on `line`: its ticket made and kept when the map names it; a key read
    /// twice is a problem (which row is the ticket cannot be told).
    pub fn offer(
        &mut self,
        line: u64,
        key: &str,
        make: impl FnOnce() -> Ticket,
    ) -> Result<(), Problem> {
        let folded = fold(key);
        if let Some((first, _)) = self.seen.get(folded.as_str()) {
            let msg = format!(
                "ticket `{key}` is in the export twice (first on line {first}): export each ticket once"
            );
            return Err(Problem::cell(Code::TrackerExport, line, 1, msg));
        }
        if self.wanted.iter().any(|(w, _)| *w == folded) {
            self.found.insert(folded.clone(), make());
        }
        // Most keys are written as `as_written` gives them back (`CX-12`, `#42`): only others
        // are kept.
        let written = (key != as_written(&folded)).then(|| key.into());
        self.seen.insert(folded.into_boxed_str(), (line, written));
        Ok(())
    }

    /// For each key the map names that the export lacks (the first [`MAX_NEAR`]), the key it
    /// holds that is most like it, as the export writes it: looked for once, after the rows.
    fn nearest(&self) -> HashMap<String, String> {
        let missing = self
            .wanted
            .iter()
            .filter(|(w, _)| !self.found.contains_key(w));
        missing
            .take(MAX_NEAR)
            .filter_map(|(w, written)| {
                let mut best: Option<(f64, String)> = None;
                for (k, (_, shown)) in &self.seen {
                    let key = shown
                        .as_deref()
                        .map_or_else(|| as_written(k), str::to_owned);
                    let score = strsim::jaro_winkler(written, &key);
                    let better = best
                        .as_ref()
                        .is_none_or(|(s, b)| score > *s || (score == *s && key < *b));
                    if score >= 0.8 && better {
                        best = Some((score, key));
                    }
                }
                Some((w.clone(), best?.1))
            })
            .collect()
    }

    /// The tickets kept, and the problems found once every row is read: `done:` and
    /// `dropped:` values no ticket has (errors), dates that could not be read (warnings).
    pub fn finish(self, t: &Tracker) -> (Tickets, Vec<Problem>) {
        let near = self.nearest();
        let statuses: Vec<String> = self.statuses.into_iter().collect();
        let resolutions: Vec<String> = self.resolutions.into_iter().collect();
        let mut problems = super::unmatched(t, &statuses, &resolutions);
        let more = self.unread_count.saturating_sub(self.unread.len());
        problems.extend(super::undated(self.unread, more));
        let tickets = Tickets {
            id: t.id.value.clone(),
            file: String::new(),
            found: self.found,
            near,
            count: self.seen.len(),
        };
        (tickets, problems)
    }
}

/// A folded key as the export wrote it, when only the folded form was kept: in capitals,
/// unless it is a GitHub number.
fn as_written(folded: &str) -> String {
    if folded.bytes().all(|b| b.is_ascii_digit()) {
        format!("#{folded}")
    } else {
        folded.to_uppercase()
    }
}
