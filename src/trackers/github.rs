//! The JSON of `gh issue list --state all --json number,title,state,stateReason,closedAt,url`
//! as tickets (fields beyond these are allowed and left unread; `stateReason` and `url` may
//! be missing: without the first a closed issue counts as done, without the second the
//! tracker's `url:` gives the page).
//!
//! The rule: `OPEN` is open; `CLOSED` is done, or dropped when closed as not planned or as a
//! duplicate; `MERGED` (a pull request) is done. The resolved day is `closedAt`'s.

use serde::Deserialize;

use crate::diagnostic::Code;
use crate::model::Tracker;

use super::collect::Collect;
use super::{Problem, State, Ticket, dates, url_of};

const COMMAND: &str =
    "`gh issue list --state all --limit 10000 --json number,title,state,stateReason,closedAt,url`";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    number: Option<u64>,
    #[serde(default)]
    title: Option<String>,
    state: Option<String>,
    #[serde(default)]
    state_reason: Option<String>,
    #[serde(default)]
    closed_at: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

pub(super) fn read(bytes: &[u8], t: &Tracker, sink: &mut Collect) -> Result<(), Vec<Problem>> {
    if let Some(p) = refused_keys(t) {
        return Err(vec![p]);
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // A CSV bound as a GitHub list: said as the binding mistake it is.
    let csv = !text.trim_start().starts_with(['[', '{']);
    let header = csv.then(|| super::table::header(bytes)).flatten();
    if let Some(p) = header.and_then(|h| h.other_format("github")) {
        return Err(vec![p]);
    }
    let mut stopped = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let each = Each {
        t,
        sink,
        stopped: &mut stopped,
    };
    let read = serde::de::DeserializeSeed::deserialize(each, &mut de).and_then(|()| de.end());
    if let Some(p) = stopped {
        return Err(vec![p]);
    }
    read.map_err(|e| {
        let mut p = Problem::file(format!(
            "the export is not the JSON list {COMMAND} writes: {e}"
        ));
        p.line = u64::try_from(e.line()).unwrap_or(0);
        p.col = e.column();
        vec![p]
    })
}

/// The list read one issue at a time: each is judged and offered to the sink, and none is
/// kept unless the map names it.
struct Each<'a, 'b> {
    t: &'a Tracker,
    sink: &'b mut Collect,
    /// A problem that stopped the reading (said instead of the JSON error it stops with).
    stopped: &'b mut Option<Problem>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Each<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Each<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of issues")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while let Some(issue) = seq.next_element::<Issue>()? {
            i += 1;
            let p = if i > super::MAX_TICKETS {
                Some(Problem::file(format!(
                    "the export holds more than {} issues",
                    super::MAX_TICKETS
                )))
            } else {
                one(self.t, self.sink, i, issue).err()
            };
            if let Some(p) = p {
                *self.stopped = Some(p);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// Issue `i` of the list (1-based) judged and offered.
fn one(t: &Tracker, sink: &mut Collect, i: usize, issue: Issue) -> Result<(), Problem> {
    let (Some(number), Some(state)) = (issue.number, issue.state.as_deref()) else {
        return Err(Problem::file(format!(
            "issue {i} of the list has no `number` or no `state`: export with {COMMAND}"
        )));
    };
    let key = format!("#{number}");
    let (state, status) = judged(state, issue.state_reason.as_deref().unwrap_or(""))
        .map_err(|m| Problem::file(format!("issue {key}: {m}")))?;
    let when = issue.closed_at.as_deref().unwrap_or("").trim();
    let resolved = (state != State::Open).then(|| dates::day(when)).flatten();
    if state != State::Open && !when.is_empty() && resolved.is_none() {
        sink.unread_date(0, 0, &key, when);
    }
    let reason_unknown = state == State::Done && issue.state_reason.is_none();
    sink.offer(0, &key, || Ticket {
        reason_unknown,
        url: url_of(t, &key, issue.url.as_deref()),
        key: key.clone(),
        title: issue.title.unwrap_or_default(),
        status,
        state,
        resolved,
    })
}

/// `state` and `stateReason` as a state and the words shown for it.
fn judged(state: &str, reason: &str) -> Result<(State, String), String> {
    let reason = reason.trim().to_ascii_uppercase();
    Ok(match state.trim().to_ascii_uppercase().as_str() {
        "OPEN" => (State::Open, "Open".to_owned()),
        "MERGED" => (State::Done, "Merged".to_owned()),
        "CLOSED" => match reason.as_str() {
            "NOT_PLANNED" => (State::Dropped, "Closed as not planned".to_owned()),
            "DUPLICATE" => (State::Dropped, "Closed as duplicate".to_owned()),
            "COMPLETED" => (State::Done, "Closed as completed".to_owned()),
            _ => (State::Done, "Closed".to_owned()),
        },
        other => return Err(format!("`state` is `{other}`, not OPEN or CLOSED")),
    })
}

/// Keys of the binding a GitHub list cannot use: its issues are open or closed, with a
/// reason, and its fields have one name.
fn refused_keys(t: &Tracker) -> Option<Problem> {
    let (key, pos) = if let Some(d) = t.done.first() {
        ("done", d.pos)
    } else if let Some(d) = t.dropped.first() {
        ("dropped", d.pos)
    } else if let Some((k, _)) = t.columns.0.first() {
        ("columns", k.pos)
    } else {
        return None;
    };
    let mut p = Problem::file(format!(
        "`{key}:` is for Jira and Linear exports: a GitHub issue is open or closed, and closed as completed or as not planned (`stateReason`)"
    ));
    p.at = Some(pos);
    p.code = Code::TrackerExport;
    Some(p)
}
