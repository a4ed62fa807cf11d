//! A tracker's CSV export streamed: its header first, then each record with the line it
//! starts on, one at a time (nothing of a row is kept unless a reader keeps it). The BOM and
//! invalid UTF-8 are tolerated (a cell is read as text with replacement characters), rows
//! may be of any width (Jira writes a repeated column such as `Labels` once per value and
//! may not widen the header), and `;` or tab separators (a spreadsheet saved it again) are
//! told from the header line.

use super::Problem;

/// The export's column names.
pub(super) struct Header(pub Vec<String>);

impl Header {
    /// The first column named `name` (trimmed, without case): Jira repeats names, and its
    /// first `Sprint` or `Labels` column is the one every row fills first.
    pub fn col(&self, name: &str) -> Option<usize> {
        let want = name.trim().to_lowercase();
        self.0.iter().position(|h| h.trim().to_lowercase() == want)
    }

    /// The column `name`, or the problem of a file without it: what it should be and the
    /// first columns it has.
    pub fn need(&self, name: &str, what: &str, hint: &str) -> Result<usize, Problem> {
        self.col(name).ok_or_else(|| {
            let first: Vec<&str> = self.0.iter().take(6).map(|h| h.trim()).collect();
            let near = crate::suggest::closest(name, self.0.iter().map(|h| h.trim()))
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            Problem::file(format!(
                "the export has no `{name}` column, so it is not {what}; {near}its first columns: {}{hint}",
                first.join(", ")
            ))
        })
    }

    /// The format the header says the export is in, when it is not `format:`'s: a binding
    /// mistake said as such rather than as a column the file lacks.
    pub fn other_format(&self, bound: &str) -> Option<Problem> {
        let has = |names: &[&str]| names.iter().all(|n| self.col(n).is_some());
        let first = self.0.first().map_or("", |h| h.trim_start());
        let (format, why) = if first.starts_with('[') || first.starts_with('{') {
            ("github", "it is JSON, as `gh issue list --json` writes")
        } else if has(&["ID", "Team", "Title", "Status"]) {
            (
                "linear",
                "its columns are Linear's (ID, Team, Title, Status, …)",
            )
        } else if has(&["Issue key", "Status"]) {
            (
                "jira",
                "its columns are Jira's (Summary, Issue key, Status, …)",
            )
        } else {
            return None;
        };
        let name = match bound {
            "jira" => "Jira",
            "linear" => "Linear",
            _ => "GitHub",
        };
        (format != bound).then(|| {
            Problem::file(format!(
                "the export is not a {name} export: {why}; write `format: {format}`"
            ))
        })
    }
}

/// A cell of a row, trimmed; an absent cell (a short row) is empty.
pub(super) fn cell(row: &csv::StringRecord, col: Option<usize>) -> &str {
    col.and_then(|c| row.get(c)).map_or("", str::trim)
}

/// The export's header alone (its first record), when it can be read.
pub(super) fn header(bytes: &[u8]) -> Option<Header> {
    let mut found = None;
    let _ = scan(
        bytes,
        |h| {
            found = Some(Header(h.0.clone()));
            Err(Vec::new())
        },
        |(): &(), _, _| Ok(()),
    );
    found
}

/// The header, given to `columns` (which finds what a reader needs, or refuses the file),
/// then every record that is not blank, given to `row` with its line, until a problem.
pub(super) fn scan<C>(
    bytes: &[u8],
    columns: impl FnOnce(&Header) -> Result<C, Vec<Problem>>,
    mut row: impl FnMut(&C, u64, &csv::StringRecord) -> Result<(), Problem>,
) -> Result<(), Vec<Problem>> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (first.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let header = match reader.read_record(&mut record) {
        Ok(true) => Header(record.iter().map(str::to_owned).collect()),
        Ok(false) => return Err(vec![Problem::file("the export is empty".to_owned())]),
        Err(e) => return Err(vec![csv_problem(&e)]),
    };
    let cols = columns(&header)?;
    let mut rows = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Err(e) => return Err(vec![csv_problem(&e)]),
            Ok(true) if record.iter().all(|c| c.trim().is_empty()) => continue,
            Ok(true) => {}
        }
        rows += 1;
        if rows > super::MAX_TICKETS {
            return Err(vec![Problem::file(format!(
                "the export holds more than {} tickets; export the project the map's solutions are in",
                super::MAX_TICKETS
            ))]);
        }
        let line = record.position().map_or(0, csv::Position::line);
        row(&cols, line, &record).map_err(|p| vec![p])?;
    }
}

fn csv_problem(e: &csv::Error) -> Problem {
    let line = e.position().map_or(0, csv::Position::line);
    let mut p = Problem::file(format!("the export cannot be read as CSV: {e}"));
    p.line = line;
    p.col = 1;
    p
}
