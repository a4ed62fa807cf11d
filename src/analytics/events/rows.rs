//! A row of a log, CSV or a JSON line, and the fields a binding reads from it; the rule of
//! each step.
//!
//! Invariants: a field missing from a row reads as empty; a row's hash covers every field (a
//! JSON line's whole text), so exact duplicates are known.

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
