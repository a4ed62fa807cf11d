//! A tracker's CSV export as a header and records: the BOM and invalid UTF-8 tolerated (a
//! cell is read as text with replacement characters), rows of any width (Jira writes a
//! repeated column such as `Labels` once per value and may not widen the header), each
//! record with the line it starts on; `;` or tab separators (a spreadsheet saved it again)
//! told from the header line.

use super::Problem;

/// The export's header and its rows, read from the bytes already held under the budget.
pub(super) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    /// The first column named `name` (trimmed, without case): Jira repeats names, and its
    /// first `Sprint` or `Labels` column is the one every row fills first.
    pub fn col(&self, name: &str) -> Option<usize> {
        let want = name.trim().to_lowercase();
        self.header
            .iter()
            .position(|h| h.trim().to_lowercase() == want)
    }

    /// The column `name`, or the problem of a file without it: what it should be and the
    /// first columns it has.
    pub fn need(&self, name: &str, what: &str, hint: &str) -> Result<usize, Problem> {
        self.col(name).ok_or_else(|| {
            let first: Vec<&str> = self.header.iter().take(6).map(|h| h.trim()).collect();
            let near = crate::suggest::closest(name, self.header.iter().map(|h| h.trim()))
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            Problem::file(format!(
                "the export has no `{name}` column, so it is not {what}; {near}its first columns: {}{hint}",
                first.join(", ")
            ))
        })
    }
}

impl Table {
    /// The format the header says the export is in, when it is not `format:`'s: a binding
    /// mistake said as such rather than as a column the file lacks.
    pub fn other_format(&self, bound: &str) -> Option<Problem> {
        let has = |names: &[&str]| names.iter().all(|n| self.col(n).is_some());
        let first = self.header.first().map_or("", |h| h.trim_start());
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

/// The bytes as a table, or the problem at the line where CSV stops being readable.
pub(super) fn read(bytes: &[u8]) -> Result<Table, Problem> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // A spreadsheet that saved the export again may have separated it by `;` or tabs.
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
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h.iter().map(str::to_owned).collect(),
        Some(Err(e)) => return Err(csv_problem(&e)),
        None => return Err(Problem::file("the export is empty".to_owned())),
    };
    let mut rows = Vec::new();
    for r in records {
        let r = r.map_err(|e| csv_problem(&e))?;
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == super::MAX_TICKETS {
            return Err(Problem::file(format!(
                "the export holds more than {} tickets; export the project the map's solutions are in",
                super::MAX_TICKETS
            )));
        }
        let line = r.position().map_or(0, csv::Position::line);
        rows.push((line, r));
    }
    Ok(Table { header, rows })
}

fn csv_problem(e: &csv::Error) -> Problem {
    let line = e.position().map_or(0, csv::Position::line);
    let mut p = Problem::file(format!("the export cannot be read as CSV: {e}"));
    p.line = line;
    p.col = 1;
    p
}
