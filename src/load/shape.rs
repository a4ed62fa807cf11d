//! Shape: every type error, unknown key, wrong word and missing key of a file in one pass.
//!
//! serde stops at the first problem, so a file with ten mistakes would take ten runs. When
//! the typed parse fails, this pass reads the same text into a tree of nodes with their
//! positions (through the YAML library's own event parser) and walks it against the JSON
//! Schema that `journeymap schema` prints, generated from the model types, so the two cannot
//! drift. The walk is ours rather than a JSON Schema validator's because each finding must
//! become a diagnostic at a YAML line and column with a "did you mean" drawn from the keys
//! the schema allows, and because `anyOf` branches (a persona written inline or as a path, an
//! emotion as a number or a mapping) must be chosen by the shape of the value so that the
//! error inside the chosen branch is the one reported.
//!
//! Invariants: accepts everything the typed parse accepts (text fields take any scalar;
//! ranges, funnel counts and references are left to validation); never panics on any tree;
//! reports each problem once, at the node it concerns.

use crate::diagnostic::Code;
use serde_json::Value;
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

use crate::diagnostic::Diagnostic;
use crate::model::Pos;

/// A YAML node with the position of its first character.
#[derive(Debug)]
enum Node {
    /// Entries: key, where the key is, the value, and the characters from the key's first
    /// to the value's last (what [`salvage`] blanks).
    Map(Vec<(String, Pos, Spanned, [usize; 2])>),
    Seq(Vec<Spanned>),
    Scalar(String, bool),
    /// An alias: its target was checked where it was defined.
    Alias,
}

type Spanned = (Node, Pos);

/// Definitions whose values serde takes in any form and validation judges (a funnel count
/// is reported as JM013, not as a type error).
const LENIENT: &[&str] = &["#/$defs/Funnel"];

/// Every shape problem of `text` against `schema` (none when the tree cannot be built: the
/// caller then reports the parser's own error), and the text with each offending mapping entry blanked
/// (its characters turned to spaces, line breaks kept, so every position stays where it
/// was) when every problem is one that blanking its entry removes: an unknown key, or a
/// value of the wrong type under a key. The meaning checks then run on what is left.
/// `None` when a problem is not of that kind (a missing key, a list item of the wrong
/// type): those are reported alone.
pub fn salvage(text: &str, file: &str, schema: &Value) -> (Vec<Diagnostic>, Option<String>) {
    let Some(root) = tree(text) else {
        return (Vec::new(), None);
    };
    let mut walk = Walk {
        file,
        root: schema,
        out: Vec::new(),
        blank: Vec::new(),
        whole: true,
    };
    walk.node(&root.0, &root.1, schema, 0, None);
    walk.out.sort_by_key(|d| d.pos);
    walk.out
        .dedup_by(|a, b| a.pos == b.pos && a.message == b.message);
    let repaired = (walk.whole && !walk.blank.is_empty()).then(|| {
        let mut chars: Vec<char> = text.chars().collect();
        for [from, to] in &walk.blank {
            for c in chars.iter_mut().take(*to).skip(*from) {
                if *c != '\n' && *c != '\r' {
                    *c = ' ';
                }
            }
        }
        chars.into_iter().collect()
    });
    (walk.out, repaired)
}

/// Where the first YAML tag (`!!binary`, `!custom`) is, if any. Maps use none: a
/// `!!binary` scalar would be decoded into text its reviewers never saw, and other tags would
/// be ignored silently.
pub fn first_tag(text: &str) -> Option<Pos> {
    for event in Parser::new_from_str(text) {
        let (event, span) = event.ok()?;
        let tagged = match &event {
            Event::Scalar(_, _, _, tag) => tag.is_some(),
            Event::SequenceStart(_, _, tag) | Event::MappingStart(_, _, tag) => tag.is_some(),
            _ => false,
        };
        if tagged {
            return Some(span.tag_start.map_or(pos_of(&span.start), |m| pos_of(&m)));
        }
    }
    None
}

fn pos_of(m: &serde_saphyr::granit_parser::Marker) -> Pos {
    Pos {
        line: m.line(),
        col: m.col() + 1,
    }
}

/// The first document of `text` as a tree; `None` on a syntax error.
fn tree(text: &str) -> Option<Spanned> {
    enum Open {
        /// Entries, the key read (with where it starts, in lines and in characters), and
        /// where the mapping starts.
        Map(
            Vec<(String, Pos, Spanned, [usize; 2])>,
            Option<(String, Pos, usize)>,
            Pos,
        ),
        Seq(Vec<Spanned>, Pos),
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut done: Option<Spanned> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.ok()?;
        let pos = pos_of(&span.start);
        let (start, end) = (span.start.index(), span.end.index());
        let finished: Option<Spanned> = match event {
            Event::MappingStart(..) => {
                stack.push(Open::Map(Vec::new(), None, pos));
                None
            }
            Event::SequenceStart(..) => {
                stack.push(Open::Seq(Vec::new(), pos));
                None
            }
            Event::MappingEnd => match stack.pop()? {
                Open::Map(entries, _, at) => Some((Node::Map(entries), at)),
                Open::Seq(..) => return None,
            },
            Event::SequenceEnd => match stack.pop()? {
                Open::Seq(items, at) => Some((Node::Seq(items), at)),
                Open::Map(..) => return None,
            },
            Event::Scalar(v, style, ..) => Some((
                Node::Scalar(v.into_owned(), style == ScalarStyle::Plain),
                pos,
            )),
            Event::Alias(_) => Some((Node::Alias, pos)),
            Event::DocumentEnd if stack.is_empty() && done.is_some() => break,
            _ => None,
        };
        let Some(node) = finished else { continue };
        match stack.last_mut() {
            None => done = Some(node),
            Some(Open::Seq(items, _)) => items.push(node),
            Some(Open::Map(entries, key, _)) => match key.take() {
                None => {
                    // A key: kept as text (complex keys are not part of the map format).
                    let text = match &node.0 {
                        Node::Scalar(s, _) => s.clone(),
                        _ => String::new(),
                    };
                    *key = Some((text, node.1, start));
                }
                Some((k, kpos, from)) => entries.push((k, kpos, node, [from, end])),
            },
        }
    }
    done
}

struct Walk<'a> {
    file: &'a str,
    root: &'a Value,
    out: Vec<Diagnostic>,
    /// The entries whose blanking removes each problem found so far.
    blank: Vec<[usize; 2]>,
    /// Whether every problem found so far is removed by blanking its entry.
    whole: bool,
}

/// What a plain or quoted scalar is under YAML 1.2's core schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Null,
    Bool,
    Int,
    Float,
    Text,
}

fn scalar_kind(text: &str, plain: bool) -> Scalar {
    if !plain {
        return Scalar::Text;
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => Scalar::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => Scalar::Bool,
        ".inf" | "-.inf" | "+.inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN" => Scalar::Float,
        _ if text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok() => Scalar::Int,
        _ if (text.starts_with("0x") || text.starts_with("0o"))
            && text.len() > 2
            && text[2..].chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Scalar::Int
        }
        _ if text.parse::<f64>().is_ok() && text.chars().any(|c| c.is_ascii_digit()) => {
            Scalar::Float
        }
        _ => Scalar::Text,
    }
}

/// Whether a node is of a JSON Schema type, as serde-saphyr would deserialise it.
fn is_type(node: &Node, ty: &str) -> bool {
    match node {
        Node::Alias => true,
        Node::Map(_) => ty == "object",
        Node::Seq(_) => ty == "array",
        Node::Scalar(text, plain) => {
            let k = scalar_kind(text, *plain);
            match ty {
                "null" => k == Scalar::Null,
                "boolean" => k == Scalar::Bool,
                "integer" => k == Scalar::Int,
                "number" => matches!(k, Scalar::Int | Scalar::Float),
                // Text fields take any scalar but nothing.
                "string" => k != Scalar::Null,
                _ => false,
            }
        }
    }
}

fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn describe_type(ty: &str) -> &'static str {
    match ty {
        "object" => "a mapping of keys to values",
        "array" => "a list",
        "string" => "text",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "null" => "nothing",
        _ => "a value",
    }
}

fn describe_node(node: &Node) -> &'static str {
    match node {
        Node::Map(_) => "a mapping",
        Node::Seq(_) => "a list",
        Node::Alias => "an alias",
        Node::Scalar(t, plain) => match scalar_kind(t, *plain) {
            Scalar::Null => "nothing",
            Scalar::Bool => "true or false",
            Scalar::Int | Scalar::Float => "a number",
            Scalar::Text => "text",
        },
    }
}

impl<'a> Walk<'a> {
    /// Follow `$ref`s to the schema that describes a value.
    fn resolve(&self, mut schema: &'a Value) -> Option<&'a Value> {
        for _ in 0..16 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) if LENIENT.contains(&r) => return None,
                Some(r) => schema = self.root.pointer(r.strip_prefix('#')?)?,
                None => return Some(schema),
            }
        }
        None
    }

    /// A problem, and the entry whose blanking removes it (`None`: none does).
    fn error(&mut self, code: Code, pos: Pos, msg: String, label: &str, entry: Option<[usize; 2]>) {
        self.out
            .push(Diagnostic::new(code, self.file, pos, msg).with_label(label));
        match entry {
            Some(e) => self.blank.push(e),
            None => self.whole = false,
        }
    }

    /// The branch of an `anyOf`/`oneOf` that fits the node's shape, if one does.
    fn branch(&self, node: &Node, branches: &'a [Value]) -> Option<&'a Value> {
        let fits = |b: &&'a Value| {
            self.resolve(b).is_none_or(|s| {
                let ts = types(s);
                if ts.is_empty() {
                    // A nested anyOf, or a schema without a type (any value).
                    match s.get("anyOf").or_else(|| s.get("oneOf")) {
                        Some(Value::Array(inner)) => self.branch(node, inner).is_some(),
                        _ => true,
                    }
                } else {
                    ts.iter().any(|t| is_type(node, t))
                }
            })
        };
        // Prefer a branch of the node's container kind, so that an inline persona with a
        // typo is checked as a persona, not refused as "not text".
        branches.iter().find(fits)
    }

    /// `entry`: the mapping entry the node is the value of, if it is one.
    fn node(
        &mut self,
        node: &Node,
        pos: &Pos,
        schema: &'a Value,
        depth: usize,
        entry: Option<[usize; 2]>,
    ) {
        if depth > 64 || matches!(node, Node::Alias) {
            return;
        }
        let Some(schema) = self.resolve(schema) else {
            return;
        };
        if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
            match self.branch(node, branches) {
                Some(b) => self.node(node, pos, b, depth + 1, entry),
                None => {
                    let what = self.expected(branches);
                    let msg = format!("expected {what} here, found {}", describe_node(node));
                    self.error(Code::WrongType, *pos, msg, "wrong type", entry);
                }
            }
            return;
        }
        let ts = types(schema);
        if !ts.is_empty() && !ts.iter().any(|t| is_type(node, t)) {
            let what: Vec<&str> = ts
                .iter()
                .filter(|t| **t != "null")
                .map(|t| describe_type(t))
                .collect();
            let msg = format!(
                "expected {} here, found {}",
                what.join(" or "),
                describe_node(node)
            );
            self.error(Code::WrongType, *pos, msg, "wrong type", entry);
            return;
        }
        if let (Some(min), Node::Scalar(text, _)) =
            (schema.get("minimum").and_then(Value::as_f64), node)
            && text.parse::<f64>().is_ok_and(|v| v < min)
        {
            let msg = format!("{text} is too small here: the least this key takes is {min}");
            self.error(Code::WrongType, *pos, msg, "too small", entry);
            return;
        }
        if let (Some(Value::Array(options)), Node::Scalar(text, _)) = (schema.get("enum"), node)
            && !options.iter().any(|o| o.as_str() == Some(text))
        {
            let words: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
            let hint = hint(text, &words);
            self.error(
                Code::WrongType,
                *pos,
                format!("`{text}` is not allowed here{hint}"),
                "not an allowed value",
                entry,
            );
            return;
        }
        self.children(node, schema, depth);
    }

    /// Check a mapping's keys and a list's items against `schema`.
    fn children(&mut self, node: &Node, schema: &'a Value, depth: usize) {
        let Some(schema) = self.resolve(schema) else {
            return;
        };
        match node {
            Node::Map(entries) => {
                let props = schema.get("properties").and_then(Value::as_object);
                let extra = schema.get("additionalProperties");
                let merged = entries.iter().any(|(k, ..)| k == "<<");
                for (i, (key, kpos, value, range)) in entries.iter().enumerate() {
                    if key == "<<" {
                        continue;
                    }
                    match props.and_then(|p| p.get(key)) {
                        Some(s) => self.node(&value.0, &value.1, s, depth + 1, Some(*range)),
                        None => match extra {
                            Some(Value::Bool(false)) => {
                                let allowed: Vec<&str> = props
                                    .map(|p| p.keys().map(String::as_str).collect())
                                    .unwrap_or_default();
                                let hint = match (i.checked_sub(1).map(|p| &entries[p]), &value.0) {
                                    // `{name: Download (Zenodo, GitHub)}`: the comma ended
                                    // the text, and its rest became a key without a value.
                                    (
                                        Some((before, _, (Node::Scalar(text, true), _), _)),
                                        Node::Scalar(none, plain),
                                    ) if scalar_kind(none, *plain) == Scalar::Null
                                        && !text.is_empty() =>
                                    {
                                        format!(
                                            "; in a `{{...}}` mapping a comma ends a value, so `{text}` and `{key}` were read apart: if they are one text, quote it, `{before}: \"{text}, {key}\"`"
                                        )
                                    }
                                    _ => hint(key, &allowed),
                                };
                                self.error(
                                    Code::UnknownKey,
                                    *kpos,
                                    format!("unknown key `{key}`{hint}"),
                                    "unknown key",
                                    Some(*range),
                                );
                            }
                            Some(s @ Value::Object(_)) => {
                                self.node(&value.0, &value.1, s, depth + 1, Some(*range));
                            }
                            _ => {}
                        },
                    }
                }
                if merged {
                    return;
                }
                if let Some(Value::Array(required)) = schema.get("required") {
                    let at = entries.first().map_or(Pos::default(), |e| e.1);
                    for r in required.iter().filter_map(Value::as_str) {
                        if !entries.iter().any(|(k, ..)| k == r) {
                            self.whole = false;
                            let d = Diagnostic::new(
                                Code::MissingKey,
                                self.file,
                                at,
                                format!("missing required key `{r}`"),
                            )
                            .with_label("this mapping lacks it");
                            self.out.push(d);
                        }
                    }
                }
            }
            Node::Seq(items) => {
                if let Some(item) = schema.get("items") {
                    for (i, ipos) in items {
                        self.node(i, ipos, item, depth + 1, None);
                    }
                }
            }
            _ => {}
        }
    }

    fn expected(&self, branches: &'a [Value]) -> String {
        let mut what: Vec<&str> = Vec::new();
        for b in branches {
            let Some(s) = self.resolve(b) else { continue };
            let ts = types(s);
            let inner: Vec<&str> = if ts.is_empty() {
                match s.get("anyOf").or_else(|| s.get("oneOf")) {
                    Some(Value::Array(inner)) => inner
                        .iter()
                        .filter_map(|b| self.resolve(b))
                        .flat_map(types)
                        .collect(),
                    _ => Vec::new(),
                }
            } else {
                ts
            };
            for t in inner {
                let d = describe_type(t);
                if t != "null" && !what.contains(&d) {
                    what.push(d);
                }
            }
        }
        if what.is_empty() {
            "another value".to_owned()
        } else {
            what.join(" or ")
        }
    }
}

/// ", did you mean `x`?" when one of `expected` is close to `got`, else the allowed list.
pub(super) fn hint(got: &str, expected: &[&str]) -> String {
    match crate::suggest::did_you_mean(got, expected.iter().copied()) {
        hint if !hint.is_empty() => hint,
        _ if expected.is_empty() => String::new(),
        _ => format!("; expected one of: {}", expected.join(", ")),
    }
}
