//! A row of a log, CSV or a JSON line, read from the file, and the fields a binding reads
//! from it; the rule of each step.
//!
//! Invariants: a field missing from a row reads as empty; a row's hash covers every field (a
//! JSON line's whole text), so exact duplicates are known; a row the file cannot give is a
//! problem at its line (a budget's own kind when a limit refused it).

use crate::survey::input::OverLimit;

use super::model::{Kind, Problem};

/// A row's field by name: a CSV column, or a (dotted) key of a JSON line.
pub(super) enum Row<'r> {
    Csv(&'r csv::ByteRecord),
    /// A parsed JSON line, and its text.
    Json(&'r serde_json::Value, &'r str),
}

#[derive(Clone)]
pub(super) enum Field {
    Col(usize),
    Path(Vec<String>),
}

impl Row<'_> {
    pub(super) fn get(&self, f: &Field) -> std::borrow::Cow<'_, str> {
        match (self, f) {
            (Row::Csv(r), Field::Col(i)) => String::from_utf8_lossy(r.get(*i).unwrap_or_default()),
            (Row::Json(v, _), Field::Path(p)) => {
                let mut cur = *v;
                for k in p {
                    match cur.get(k) {
                        Some(next) => cur = next,
                        None => return "".into(),
                    }
                }
                match cur {
                    serde_json::Value::String(s) => s.as_str().into(),
                    serde_json::Value::Null => "".into(),
                    other => other.to_string().into(),
                }
            }
            _ => "".into(),
        }
    }

    /// A field's bytes, as the file holds them (a JSON value as text).
    pub(super) fn bytes(&self, f: &Field) -> std::borrow::Cow<'_, [u8]> {
        match (self, f) {
            (Row::Csv(r), Field::Col(i)) => r.get(*i).unwrap_or_default().into(),
            _ => match self.get(f) {
                std::borrow::Cow::Borrowed(s) => s.as_bytes().into(),
                std::borrow::Cow::Owned(s) => s.into_bytes().into(),
            },
        }
    }

    /// A hash of the row's fields (a JSON line's text), to know an exact duplicate.
    pub(super) fn hash(&self) -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = foldhash::quality::FixedState::with_seed(46).build_hasher();
        match self {
            Row::Csv(r) => {
                for f in r.iter() {
                    h.write(f);
                    h.write_u8(0xff);
                }
            }
            Row::Json(_, text) => h.write(text.as_bytes()),
        }
        h.finish()
    }
}

/// One step: the events that mean it, and the property values a row must have.
pub(super) struct StepRule {
    pub(super) stage: usize,
    pub(super) events: Vec<String>,
    pub(super) filters: Vec<(Field, Vec<String>)>,
}

/// The next CSV record into `rec`, and its line; `None` at the end.
pub(super) fn next_csv(
    r: &mut csv::Reader<impl std::io::Read>,
    rec: &mut csv::ByteRecord,
    line_no: &mut u64,
) -> Result<Option<u64>, Vec<Problem>> {
    match r.read_byte_record(rec) {
        Ok(true) => {
            *line_no = rec.position().map_or(*line_no + 1, |p| p.line());
            Ok(Some(*line_no))
        }
        Ok(false) => Ok(None),
        Err(e) => {
            let line = e.position().map_or(*line_no + 1, |p| p.line());
            let budget = matches!(e.kind(), csv::ErrorKind::Io(io) if OverLimit::is(io));
            Err(vec![Problem {
                kind: if budget { Kind::Budget } else { Kind::Binding },
                line,
                col: 1,
                pos: None,
                message: format!("cannot read the event log: {e}"),
            }])
        }
    }
}

/// The next JSON line that is not blank, parsed, with its text and line; `None` at the end.
pub(super) fn next_json(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    line_no: &mut u64,
) -> Result<Option<(serde_json::Value, String, u64)>, Vec<Problem>> {
    loop {
        let Some(l) = lines.next() else {
            return Ok(None);
        };
        *line_no += 1;
        let line = *line_no - 1;
        let l = l.map_err(|e| {
            vec![Problem {
                kind: if OverLimit::is(&e) {
                    Kind::Budget
                } else {
                    Kind::Binding
                },
                line,
                col: 1,
                pos: None,
                message: format!("cannot read the event log: {}", crate::load::io_reason(&e)),
            }]
        })?;
        if l.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str::<serde_json::Value>(&l).map_err(|e| {
            vec![Problem {
                kind: Kind::Binding,
                line,
                col: e.column(),
                pos: None,
                message: format!("not a JSON object: {e}"),
            }]
        })?;
        return Ok(Some((value, l, line)));
    }
}
