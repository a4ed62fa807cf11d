//! Which bindings changed: how the map reads its sources (surveys, event logs, analytics
//! exports, each stage's `reach:`, the codebook's themes), compared key by key, so that a
//! diff names the change before the figures it moves.
//!
//! Invariants: each binding is compared as the map holds it after loading (a codebook file is
//! read into its themes), through its serialised form, so a key added to the format later is
//! compared without a change here; bindings are matched by id; a key missing and a key set to
//! nothing are the same; lists are compared whole.

use serde::Serialize;
use serde_json::Value;

use crate::model::{CodebookRef, Journey};

use super::changes::BindingChange;

/// A map's bindings of one kind, by id, serialised.
type Bindings = Vec<(String, Value)>;

/// Every binding change between two maps: surveys, event logs, analytics exports, stages'
/// `reach:`, then themes, each in the new map's order (removed ones after).
pub fn compare(old: &Journey, new: &Journey) -> Vec<BindingChange> {
    let mut out = Vec::new();
    let kinds: [(&str, Bindings, Bindings); 6] = [
        (
            "survey",
            each(&old.surveys, |s| &s.id.value),
            each(&new.surveys, |s| &s.id.value),
        ),
        (
            "event log",
            each(&old.events, |e| &e.id.value),
            each(&new.events, |e| &e.id.value),
        ),
        (
            "analytics export",
            each(&old.analytics, |a| &a.id.value),
            each(&new.analytics, |a| &a.id.value),
        ),
        (
            "tracker",
            each(&old.trackers, |t| &t.id.value),
            each(&new.trackers, |t| &t.id.value),
        ),
        ("reach of stage", reaches(old), reaches(new)),
        ("theme", themes(old), themes(new)),
    ];
    for (kind, old_b, new_b) in kinds {
        for (id, n) in &new_b {
            match old_b.iter().find(|(o, _)| o == id) {
                None => out.push(whole(kind, id, None, Some(n))),
                Some((_, o)) => {
                    let mut keys = Vec::new();
                    walk("", o, n, &mut keys);
                    out.extend(keys.into_iter().map(|(key, old, new)| BindingChange {
                        kind: kind.to_owned(),
                        id: id.clone(),
                        key,
                        old,
                        new,
                    }));
                }
            }
        }
        for (id, o) in &old_b {
            if !new_b.iter().any(|(n, _)| n == id) {
                out.push(whole(kind, id, Some(o), None));
            }
        }
    }
    out
}

fn whole(kind: &str, id: &str, old: Option<&Value>, new: Option<&Value>) -> BindingChange {
    BindingChange {
        kind: kind.to_owned(),
        id: id.to_owned(),
        key: String::new(),
        old: old.cloned(),
        new: new.cloned(),
    }
}

/// Each binding by id, serialised, without its id.
fn each<T: Serialize>(items: &[T], id: impl Fn(&T) -> &String) -> Bindings {
    items
        .iter()
        .map(|item| {
            let mut v = serde_json::to_value(item).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                m.remove("id");
            }
            (id(item).clone(), v)
        })
        .collect()
}

/// Each stage's `reach:` binding, by stage id.
fn reaches(j: &Journey) -> Bindings {
    j.stages
        .value
        .iter()
        .filter_map(|s| {
            let r = s.reach.as_ref()?;
            Some((
                s.id.value.clone(),
                serde_json::to_value(r).unwrap_or(Value::Null),
            ))
        })
        .collect()
}

/// The codebook's themes by id (a codebook file is read into the map when it loads).
fn themes(j: &Journey) -> Bindings {
    match j.themes.as_ref().map(|t| &t.value) {
        Some(CodebookRef::Inline(themes)) => each(themes, |t| &t.id.value),
        _ => Vec::new(),
    }
}

/// The keys under which `old` and `new` differ, as dotted paths from `at`, with both values
/// (`None`: absent or null).
fn walk(at: &str, old: &Value, new: &Value, out: &mut Vec<(String, Option<Value>, Option<Value>)>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                let (o, n) = (
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                );
                walk(&path, o, n, out);
            }
        }
        _ if old == new => {}
        _ => out.push((
            at.to_owned(),
            (!old.is_null()).then(|| old.clone()),
            (!new.is_null()).then(|| new.clone()),
        )),
    }
}

/// A value as a short flow text (`[a, b]`, `{k: v}`, text as it is), for reports.
pub fn flow(v: &Value) -> String {
    let text = match v {
        // An empty value (`where: {submitdate: {not: ""}}`) is written as YAML writes it.
        Value::String(s) if s.is_empty() => "\"\"".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    };
    crate::survey::plausible::shorten(&text)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn keys_that_differ_by_path_with_null_as_absent() {
        let mut out = Vec::new();
        super::walk(
            "",
            &json!({"window": "90d", "steps": {"a": "x"}, "order": null, "by": "user"}),
            &json!({"window": "1h", "steps": {"a": "x", "b": "y"}, "by": "user"}),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                ("steps.b".to_owned(), None, Some(json!("y"))),
                ("window".to_owned(), Some(json!("90d")), Some(json!("1h"))),
            ]
        );
        assert_eq!(
            super::flow(&json!({"brand": ["a", "b"], "n": 2})),
            "{brand: [a, b], n: 2}"
        );
        assert_eq!(super::flow(&json!({"not": ["", "x"]})), "{not: [\"\", x]}");
    }
}
