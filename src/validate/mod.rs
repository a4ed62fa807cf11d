//! Validate: references, ranges, duplicates and advice on a loaded map, each rule a small
//! named function over it (the survey bindings' rules live in `survey::binding`).
//!
//! Invariants: collects every problem and never stops early; each diagnostic points at the
//! offending value; the result is sorted by file and position so output is deterministic.

mod improvement;
mod stage_rules;

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Link, Pos, Spanned};
use stage_rules::{references, stages, themes};

/// What validation checks beyond the map itself.
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    /// Warn when `reviewed:` is older than this many days (only `validate` sets it).
    pub max_age_days: Option<u32>,
    pub today: jiff::civil::Date,
    /// How the surveys are read.
    pub reading: crate::survey::Reading,
}

/// Where today's date comes from: a date pinned by the command (`JOURNEYMAP_TODAY`, so that
/// tests and reproducible builds can pin it), or the clock in the machine's time zone.
#[derive(Debug, Clone)]
pub enum Clock {
    Pinned(jiff::civil::Date),
    Local(jiff::tz::TimeZone),
}

impl Clock {
    /// Today's date (read again on each call: `serve` runs past midnight).
    pub fn today(&self) -> jiff::civil::Date {
        match self {
            Clock::Pinned(d) => *d,
            Clock::Local(tz) => jiff::Timestamp::now().to_zoned(tz.clone()).date(),
        }
    }
}

/// Every rule over a loaded map; diagnostics sorted by position.
pub fn validate(loaded: &Loaded, checks: Checks) -> Vec<Diagnostic> {
    let mut v = Validator {
        file: &loaded.file,
        out: loaded.shape.clone(),
    };
    map_header(&mut v, loaded, checks);
    required_text(&mut v, loaded);
    visible_ids(&mut v, &loaded.journey);
    let ids = stages(&mut v, &loaded.journey.stages.value);
    references(&mut v, &loaded.journey.stages.value, &ids.pain_points);
    // A codebook in its own file is reported at that file's lines.
    let mut book = Validator {
        file: loaded.codebook_file(),
        out: Vec::new(),
    };
    themes(&mut book, loaded.journey.codebook(), &ids.pain_points);
    v.out.append(&mut book.out);
    surveys(&mut v, loaded, &ids.stages);
    improvement::targets(&mut v, &loaded.journey);
    improvement::shipped(&mut v, &loaded.journey);
    improvement::score(&mut v, &loaded.journey);
    improvement::tickets(&mut v, &loaded.journey);
    tables(&mut v, &loaded.journey);
    v.out.extend(crate::survey::binding::check(loaded));
    v.out.sort_by_key(|d| d.pos);
    v.out
}

/// The map as a whole: format version, stages present, review date, persona, links.
fn map_header(v: &mut Validator, loaded: &Loaded, checks: Checks) {
    let j = &loaded.journey;
    if j.journeymap.value != 1 {
        v.report(
            Code::FormatVersion,
            j.journeymap.pos,
            format!(
                "format version {} is not supported; this journeymap reads `journeymap: 1`",
                j.journeymap.value
            ),
        );
    }
    if j.stages.value.is_empty() {
        v.report(
            Code::NoStages,
            j.stages.pos,
            "the map has no stages; add at least one under `stages:`",
        );
    }
    if let Some(reviewed) = &j.reviewed {
        v.reviewed(reviewed, checks);
    }
    if loaded.persona.is_none() {
        v.report(
            Code::NoPersona,
            loaded.root,
            "the map has no persona; add `persona:` so readers know whose journey this is",
        );
    }
    v.links(&j.links);
}

/// Text a reader must see is not empty: an empty title renders an empty heading, an empty
/// id an anchor `#pain-`, an empty persona name a blank avatar.
fn required_text(v: &mut Validator, loaded: &Loaded) {
    let j = &loaded.journey;
    let empty = |v: &mut Validator, pos: Pos, what: String| {
        v.report(
            Code::EmptyText,
            pos,
            format!("{what} is empty; write the text a reader should see"),
        );
    };
    if j.title.trim().is_empty() {
        empty(v, loaded.root, "`title:`".to_owned());
    }
    if let (Some(p), Some(pos)) = (&loaded.persona, j.persona.as_ref().map(|p| p.pos))
        && p.name.trim().is_empty()
    {
        empty(v, pos, "the persona's `name:`".to_owned());
    }
    for st in &j.stages.value {
        if st.name.trim().is_empty() {
            empty(v, st.id.pos, format!("the name of stage `{}`", st.id.value));
        }
        for t in &st.touchpoints {
            if t.name.trim().is_empty() {
                empty(
                    v,
                    st.id.pos,
                    format!("a touchpoint's name in stage `{}`", st.id.value),
                );
            }
        }
        let cards = (st
            .pain_points
            .iter()
            .map(|p| ("pain point", &p.id, &p.text)))
        .chain(st.solutions.iter().map(|s| ("solution", &s.id, &s.text)));
        for (what, id, text) in cards {
            if id.value.trim().is_empty() {
                empty(v, id.pos, format!("a {what}'s `id:`"));
            } else if text.trim().is_empty() {
                empty(v, id.pos, format!("the text of {what} `{}`", id.value));
            }
        }
    }
    for s in &j.surveys {
        if s.id.value.trim().is_empty() {
            empty(v, s.id.pos, "a survey's `id:`".to_owned());
        }
    }
}

/// Ids that look alike must be alike: no invisible or bidirectional characters (a
/// zero-width space makes `slow` and `slow\u{200B}` two ids), and Unicode NFC (a composed
/// and a decomposed `café` would be two ids).
fn visible_ids(v: &mut Validator, j: &crate::model::Journey) {
    use unicode_normalization::is_nfc;
    let ids = j.stages.value.iter().flat_map(|st| {
        st.pain_points
            .iter()
            .map(|p| &p.id)
            .chain(st.solutions.iter().map(|s| &s.id))
    });
    let sources = j
        .surveys
        .iter()
        .map(|s| &s.id)
        .chain(j.analytics.iter().map(|a| &a.id))
        .chain(j.events.iter().map(|e| &e.id));
    for id in ids.chain(sources) {
        let invisible = id.value.chars().find(|c| is_invisible(*c));
        let msg = match invisible {
            Some(c) => format!(
                "id `{}` holds {} (U+{:04X}); ids must look as they are",
                id.value.replace(c, ""),
                if c.is_control() {
                    "a control character such as a line break"
                } else {
                    "an invisible character"
                },
                u32::from(c)
            ),
            None if !is_nfc(&id.value) => format!(
                "id `{}` is not in Unicode NFC (a letter and its accent are written apart); retype it",
                id.value
            ),
            None => continue,
        };
        v.report(Code::InvisibleId, id.pos, msg);
    }
}

/// Format characters (zero-width spaces and joiners, bidi controls, the BOM) and controls.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{AD}')
}

/// Each survey: a unique id, a readable file inside the map's folder, and stages the map has.
fn surveys(v: &mut Validator, loaded: &Loaded, stage_ids: &Ids) {
    let mut survey_ids = Ids::new("survey");
    for s in &loaded.journey.surveys {
        survey_ids.add(v, &s.id);
        for (_, file) in s.files() {
            survey_file(v, loaded, s, file);
        }
        for (stage_key, _) in &s.stages.0 {
            if stage_ids.first.contains_key(stage_key.value.as_str()) {
                continue;
            }
            let hint =
                crate::suggest::did_you_mean(&stage_key.value, stage_ids.first.keys().copied());
            v.report(
                Code::SurveyUnknownStage,
                stage_key.pos,
                format!(
                    "survey `{}` binds columns to stage `{}`, which the map lacks{hint}",
                    s.id.value, stage_key.value
                ),
            );
        }
    }
}

/// Each `table:` a survey or an event log names for `journeymap sql`: a name a warehouse can
/// have (dotted parts, none empty, at most three).
fn tables(v: &mut Validator, j: &crate::model::Journey) {
    let named = j
        .surveys
        .iter()
        .filter_map(|s| {
            s.table
                .as_ref()
                .map(|t| (Code::BindingCannotWork, "survey", &s.id, t))
        })
        .chain(j.events.iter().filter_map(|e| {
            e.table
                .as_ref()
                .map(|t| (Code::EventLog, "event log", &e.id, t))
        }));
    for (code, what, id, table) in named {
        if let Err(why) = crate::sql::Dialect::can_be_table(&table.value) {
            let msg = format!(
                "{what} `{}`: `table:` {why}",
                crate::sql::comment(&id.value)
            );
            v.report(code, table.pos, msg);
        }
    }
}

fn survey_file(
    v: &mut Validator,
    loaded: &Loaded,
    s: &crate::model::Survey,
    file: &crate::model::Spanned<String>,
) {
    let path = crate::load::relative_to(&loaded.path, &file.value);
    let shown = crate::load::display(&path);
    use crate::load::confine;
    match confine::resolve(&path, &loaded.confine) {
        Ok(_) => {}
        Err(confine::Refusal::Unreadable(why)) if why == confine::NOT_A_FILE => {
            let msg = format!("survey file {shown} is not a regular file");
            v.report(Code::Unreadable, file.pos, msg);
        }
        Err(refusal) => {
            let (code, msg) = refusal.said(
                &format!("survey `{}`: file", s.id.value),
                &format!("survey file {shown}"),
            );
            v.report(code, file.pos, msg);
        }
    }
}

struct Validator<'a> {
    file: &'a str,
    out: Vec<Diagnostic>,
}

impl Validator<'_> {
    /// A problem at `pos` of the map; its code says whether it is an error or a warning.
    fn report(&mut self, code: Code, pos: Pos, msg: impl Into<String>) {
        self.out.push(Diagnostic::new(code, self.file, pos, msg));
    }

    fn slug(&mut self, id: &Spanned<String>) {
        if !is_slug(&id.value) {
            self.report(
                Code::NotSlug,
                id.pos,
                format!(
                    "stage id `{}` is not a slug; use lower-case letters, digits, `-` and `_`, starting with a letter or digit",
                    id.value
                ),
            );
        }
    }

    fn links(&mut self, links: &[Link]) {
        for link in links {
            if let Err(why) = check_url(&link.url.value) {
                self.report(
                    Code::LinkScheme,
                    link.url.pos,
                    format!("link `{}` {why}", link.title),
                );
            }
        }
    }

    fn reviewed(&mut self, reviewed: &Spanned<String>, checks: Checks) {
        let Ok(date) = reviewed.value.parse::<jiff::civil::Date>() else {
            self.report(
                Code::ReviewedNotDate,
                reviewed.pos,
                format!(
                    "`{}` is not a date; write `reviewed:` as YYYY-MM-DD",
                    reviewed.value
                ),
            );
            return;
        };
        if date > checks.today {
            self.report(
                Code::ReviewInFuture,
                reviewed.pos,
                format!(
                    "`reviewed: {date}` is in the future (today is {}); write the day the team last checked the map",
                    checks.today
                ),
            );
            return;
        }
        if let Some(max) = checks.max_age_days {
            let age = (checks.today - date).get_days();
            if age > i32::try_from(max).unwrap_or(i32::MAX) {
                self.report(
                    Code::ReviewOverdue,
                    reviewed.pos,
                    format!("the map was last reviewed {age} days ago, more than the {max} days allowed; check it against reality and update `reviewed:`"),
                );
            }
        }
    }
}

/// First definition of each id of one kind; a second one is reported at the duplicate.
struct Ids<'a> {
    kind: &'static str,
    first: BTreeMap<&'a str, Pos>,
}

impl<'a> Ids<'a> {
    fn new(kind: &'static str) -> Self {
        Ids {
            kind,
            first: BTreeMap::new(),
        }
    }

    fn add(&mut self, v: &mut Validator, id: &'a Spanned<String>) {
        if let Some(first) = self.first.get(id.value.as_str()) {
            let d = Diagnostic::new(
                Code::DuplicateId,
                v.file,
                id.pos,
                format!("duplicate {} id `{}`", self.kind, id.value),
            )
            .with_label("duplicate")
            .with_secondary(v.file, *first, "first defined here");
            v.out.push(d);
        } else {
            self.first.insert(&id.value, id.pos);
        }
    }
}

pub fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Accept http, https, mailto and relative URLs; reject every other scheme, and whitespace
/// or control characters, which browsers strip before they read a scheme.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.is_empty() {
        return Err("has an empty URL".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("has a URL with spaces or control characters; percent-encode them".into());
    }
    let scheme_end = url.find(':');
    let first_delim = url.find(['/', '?', '#']);
    match scheme_end {
        Some(i) if first_delim.is_none_or(|d| i < d) => {
            let scheme = url[..i].to_ascii_lowercase();
            if matches!(scheme.as_str(), "http" | "https" | "mailto") {
                Ok(())
            } else {
                Err(format!(
                    "uses the `{scheme}:` scheme; only http, https, mailto and relative URLs are allowed"
                ))
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn url_schemes() {
        for ok in [
            "https://example.com",
            "HTTP://x",
            "mailto:a@b.c",
            "docs/a.md",
            "../a:b",
            "#top",
            "?q=a:b",
            "//cdn.example.com/x",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "java\tscript:x",
            " javascript:x",
            "vbscript:x",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn slugs() {
        assert!(is_slug("awareness"));
        assert!(is_slug("2nd-visit_x"));
        assert!(!is_slug("Awareness"));
        assert!(!is_slug("-x"));
        assert!(!is_slug("a b"));
        assert!(!is_slug(""));
    }
}
