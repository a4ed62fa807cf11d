//! What reading one export keeps, row by row: the tickets the map names (and only those),
//! every key once (to say a key written twice), the nearest key to each one the map names
//! (for "did you mean"), the statuses and resolutions seen (to check `done:` and
//! `dropped:` against), and the dates that could not be read. Memory grows with the keys,
//! never with the rows' other text.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::Code;
use crate::model::Tracker;

use super::{Problem, Ticket, Tickets, fold};

/// Distinct statuses or resolutions kept for the `done:` check; past it, more are not kept
/// (a status column holds a few words, not free text).
const MAX_WORDS: usize = 10_000;
/// Keys the map names whose nearest key is looked for while reading: each costs one
/// comparison per row.
const MAX_NEAR: usize = 64;

pub(crate) struct Collect {
    /// The keys the map names in this tracker: folded, and as written.
    wanted: Vec<(String, String)>,
    found: HashMap<String, Ticket>,
    /// Every key read (folded), with the line it was on.
    seen: HashMap<Box<str>, u64>,
    /// Per wanted key: the best candidate so far, and its similarity.
    near: Vec<Option<(f64, String)>>,
    pub statuses: BTreeSet<String>,
    pub resolutions: BTreeSet<String>,
    /// Dates that could not be read: the first five (line, column, key, text), and how many.
    unread: Vec<(u64, usize, String, String)>,
    unread_count: usize,
}

impl Collect {
    pub fn new(wanted: Vec<(String, String)>) -> Collect {
        let near = vec![None; wanted.len()];
        Collect {
            wanted,
            found: HashMap::new(),
            seen: HashMap::new(),
            near,
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
        if let Some(first) = self.seen.get(folded.as_str()) {
            let msg = format!(
                "ticket `{key}` is in the export twice (first on line {first}): export each ticket once"
            );
            return Err(Problem::cell(Code::TrackerExport, line, 1, msg));
        }
        for (i, (w, written)) in self.wanted.iter().enumerate().take(MAX_NEAR) {
            if *w != folded {
                let score = strsim::jaro_winkler(written, key);
                let better = self.near[i]
                    .as_ref()
                    .is_none_or(|(s, k)| score > *s || (score == *s && key < k.as_str()));
                if score >= 0.8 && better {
                    self.near[i] = Some((score, key.to_owned()));
                }
            }
        }
        if self.wanted.iter().any(|(w, _)| *w == folded) {
            self.found.insert(folded.clone(), make());
        }
        self.seen.insert(folded.into_boxed_str(), line);
        Ok(())
    }

    /// The tickets kept, and the problems found once every row is read: `done:` and
    /// `dropped:` values no ticket has (errors), dates that could not be read (warnings).
    pub fn finish(self, t: &Tracker) -> (Tickets, Vec<Problem>) {
        let statuses: Vec<String> = self.statuses.into_iter().collect();
        let resolutions: Vec<String> = self.resolutions.into_iter().collect();
        let mut problems = super::unmatched(t, &statuses, &resolutions);
        let more = self.unread_count.saturating_sub(self.unread.len());
        problems.extend(super::undated(self.unread, more));
        let near = self
            .wanted
            .iter()
            .zip(self.near)
            .filter_map(|((w, _), n)| Some((w.clone(), n?.1)))
            .collect();
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
