//! Tickets in a diff: a solution whose ticket moved in its tracker (status), whose `ticket:`
//! changed, or whose drift appeared or went, and how each is said.

use crate::enrich::Context;

use super::changes::{Change, Changes, TicketChange};
use super::lines::{Lines, Mark, Style};

/// (solution id, its text, `tracker:key`, the tracker's status, the drift) of every solution
/// with a ticket in a tracker that was read.
type Seen = (String, String, String, Option<String>, Option<String>);

fn seen(ctx: &Context) -> Vec<Seen> {
    ctx.stages
        .iter()
        .flat_map(|s| &s.solutions)
        .filter_map(|o| {
            let t = o.ticket.as_ref()?;
            Some((
                o.solution.id.value.clone(),
                o.solution.text.clone(),
                format!("{}:{}", t.tracker, t.key),
                t.status.clone(),
                t.drift.clone(),
            ))
        })
        .collect()
}

/// Every solution whose ticket, ticket status or drift differs, in the new map's order
/// (ones only the old map has after).
pub(super) fn compare(c: &mut Changes, old: &Context, new: &Context) {
    let (before, after) = (seen(old), seen(new));
    let find = |list: &[Seen], id: &str| list.iter().find(|s| s.0 == id).cloned();
    let mut push = |o: Option<Seen>, n: Option<Seen>| {
        let Some(any) = n.as_ref().or(o.as_ref()) else {
            return;
        };
        let (id, text) = (any.0.clone(), any.1.clone());
        let ticket = any.2.clone();
        let part = |s: &Option<Seen>, f: fn(&Seen) -> Option<String>| s.as_ref().and_then(f);
        let status = Change {
            old: part(&o, |s| s.3.clone()),
            new: part(&n, |s| s.3.clone()),
        };
        let drift = Change {
            old: part(&o, |s| s.4.clone()),
            new: part(&n, |s| s.4.clone()),
        };
        let keys = (
            o.as_ref().map(|s| s.2.clone()),
            n.as_ref().map(|s| s.2.clone()),
        );
        if keys.0 == keys.1 && status.old == status.new && drift.old == drift.new {
            return;
        }
        c.tickets.push(TicketChange {
            solution: id,
            text,
            ticket,
            was: keys.0.filter(|k| Some(k) != keys.1.as_ref()),
            status,
            drift,
        });
    };
    for n in &after {
        push(find(&before, &n.0), Some(n.clone()));
    }
    for o in before.iter().filter(|o| find(&after, &o.0).is_none()) {
        push(Some(o.clone()), None);
    }
}

pub(super) fn lines(c: &Changes, st: Style) -> Lines {
    let status = |s: &Option<String>| s.clone().unwrap_or_else(|| "none".to_owned());
    c.tickets
        .iter()
        .map(|t| {
            let mut head = format!("{} ({}", st.text(&t.text), st.text(&t.ticket));
            if let Some(was) = &t.was {
                head.push_str(&format!(", was {}", st.text(was)));
            }
            let mut parts = Vec::new();
            if t.status.old != t.status.new {
                let (o, n) = (status(&t.status.old), status(&t.status.new));
                parts.push(format!("{} → {}", st.text(&o), st.text(&n)));
            }
            let mark = match (&t.drift.old, &t.drift.new) {
                (None, Some(d)) => {
                    parts.push(format!("drift: {}", st.text(&d.replace('`', ""))));
                    Mark::Added
                }
                (Some(_), None) => {
                    parts.push("map and tracker agree now".to_owned());
                    Mark::Removed
                }
                (Some(o), Some(d)) if o != d => {
                    parts.push(format!("drift: {}", st.text(&d.replace('`', ""))));
                    Mark::Changed
                }
                _ => Mark::Changed,
            };
            (mark, format!("{head}): {}", parts.join("; ")))
        })
        .collect()
}
