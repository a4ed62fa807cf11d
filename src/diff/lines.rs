//! The lines of each section of a diff report, as marked text: what was added, removed or
//! changed, written for Markdown (escaped) or for a terminal (as it is, made inert later).
//!
//! Invariants: map text goes through [`Style::text`] and names through [`Style::code`]; every
//! section lists its lines in the order the changes were found.

use crate::model::Status;
use crate::words;

use super::changes::*;

/// What a line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Added,
    Removed,
    Changed,
}

impl Mark {
    pub(super) fn emoji(self) -> &'static str {
        match self {
            Mark::Added => "➕",
            Mark::Removed => "➖",
            Mark::Changed => "✏️",
        }
    }

    pub(super) fn sign(self) -> &'static str {
        match self {
            Mark::Added => "+",
            Mark::Removed => "-",
            Mark::Changed => "~",
        }
    }

    pub(super) fn colour(self) -> &'static str {
        match self {
            Mark::Added => "32",
            Mark::Removed => "31",
            Mark::Changed => "33",
        }
    }
}

pub(super) type Lines = Vec<(Mark, String)>;

/// How map text is written: escaped for Markdown, or as it is for a terminal (made inert
/// when printed).
#[derive(Clone, Copy)]
pub(super) struct Style {
    pub(super) md: bool,
}

impl Style {
    pub(super) fn text(self, s: &str) -> String {
        if self.md {
            // A pull-request comment must not be reordered on screen by bidi controls.
            crate::render::md_escape(&crate::diagnostic::inert(s))
        } else {
            s.to_owned()
        }
    }

    fn code(self, s: &str) -> String {
        if self.md {
            format!("`{}`", s.replace('`', "'"))
        } else {
            s.to_owned()
        }
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or("none".to_owned(), words::score)
}

fn fig(f: &Option<Figure>, measure: &str) -> String {
    let fmt = |v: f64| words::metric(v, measure);
    f.as_ref().map_or("–".to_owned(), |f| {
        format!(
            "{} (n={}, 95% CI {} to {})",
            fmt(f.value),
            f.n,
            fmt(f.low),
            fmt(f.high)
        )
    })
}

fn status(s: Status) -> String {
    words::kebab(&s).replace('-', " ")
}

pub(super) fn binding_lines(c: &Changes, st: Style) -> Lines {
    let value = |v: &Option<serde_json::Value>| {
        v.as_ref()
            .map_or("none".to_owned(), |v| st.code(&super::bindings::flow(v)))
    };
    c.bindings
        .iter()
        .map(|b| {
            let what = format!("{} {}", b.kind, st.code(&b.id));
            match (&b.old, &b.new) {
                (None, Some(_)) if b.key.is_empty() => (Mark::Added, format!("{what} added")),
                (Some(_), None) if b.key.is_empty() => (Mark::Removed, format!("{what} removed")),
                (old, new) => (
                    Mark::Changed,
                    format!(
                        "{what}: {} {} → {}",
                        st.code(&b.key),
                        value(old),
                        value(new)
                    ),
                ),
            }
        })
        .collect()
}

pub(super) fn file_lines(c: &Changes, st: Style) -> Lines {
    c.files_changed
        .iter()
        .map(|f| (Mark::Changed, format!("{} changed", st.code(f))))
        .collect()
}

pub(super) fn funnel_lines(c: &Changes, st: Style) -> Lines {
    let n = |v: Option<u64>| v.map_or("none".to_owned(), words::int);
    c.funnels
        .iter()
        .map(|f| {
            let text = format!(
                "{}: funnel {} → {}",
                st.text(&f.name),
                n(f.count.old),
                n(f.count.new)
            );
            (Mark::Changed, text)
        })
        .collect()
}

pub(super) fn reach_lines(c: &Changes, st: Style) -> Lines {
    let n = |v: Option<u64>| v.map_or("none".to_owned(), words::int);
    let share = |v: Option<f64>| v.map_or("none".to_owned(), words::pct);
    let time = |v: Option<f64>| v.map_or("none".to_owned(), words::duration);
    c.reach
        .iter()
        .map(|r| {
            let place = match &r.segment {
                Some(g) => format!("{} (segment {})", st.text(&r.name), st.code(g)),
                None => st.text(&r.name),
            };
            let mut parts = vec![format!(
                "reached by {} → {}",
                n(r.count.old),
                n(r.count.new)
            )];
            if r.kept.old != r.kept.new {
                parts.push(format!(
                    "kept {} → {}",
                    share(r.kept.old),
                    share(r.kept.new)
                ));
            }
            if r.share_of_first.old != r.share_of_first.new {
                parts.push(format!(
                    "share of the first stage {} → {}",
                    share(r.share_of_first.old),
                    share(r.share_of_first.new)
                ));
            }
            let m = &r.median_seconds_from_previous;
            if m.old != m.new {
                parts.push(format!(
                    "median time from the stage before {} → {}",
                    time(m.old),
                    time(m.new)
                ));
            }
            (Mark::Changed, format!("{place}: {}", parts.join("; ")))
        })
        .collect()
}

pub(super) fn stage_lines(c: &Changes, st: Style) -> Lines {
    let (t, code) = (|s: &str| st.text(s), |s: &str| st.code(s));
    let mut lines = Vec::new();
    for s in &c.stages_added {
        let at = s.position;
        let text = format!("added {} ({}) at position {at}", t(&s.name), code(&s.id));
        lines.push((Mark::Added, text));
    }
    for s in &c.stages_removed {
        let at = s.position;
        let text = format!(
            "removed {} ({}), was at position {at}",
            t(&s.name),
            code(&s.id)
        );
        lines.push((Mark::Removed, text));
    }
    for s in &c.stages_renamed {
        let text = format!(
            "renamed {}: {} → {}",
            code(&s.id),
            t(&s.name.old),
            t(&s.name.new)
        );
        lines.push((Mark::Changed, text));
    }
    for s in &c.stages_moved {
        let text = format!(
            "moved {} ({}): position {} → {}",
            t(&s.name),
            code(&s.id),
            s.position.old,
            s.position.new
        );
        lines.push((Mark::Changed, text));
    }
    lines
}

pub(super) fn emotion_lines(c: &Changes, st: Style) -> Lines {
    c.emotions
        .iter()
        .map(|e| {
            let mut parts = Vec::new();
            if let Some(h) = &e.hand_set {
                parts.push(format!("set by the team {} → {}", opt(h.old), opt(h.new)));
            }
            if let Some(m) = &e.measured {
                parts.push(format!("measured {} → {}", opt(m.old), opt(m.new)));
            }
            (
                Mark::Changed,
                format!("{}: {}", st.text(&e.name), parts.join("; ")),
            )
        })
        .collect()
}

pub(super) fn pain_lines(c: &Changes, st: Style) -> Lines {
    let t = |s: &str| st.text(s);
    let mut lines = Vec::new();
    for p in &c.pain_points_added {
        let sev = words::kebab(&p.severity);
        let text = format!("added {sev} {} in {}", t(&p.text), t(&p.stage));
        lines.push((Mark::Added, text));
    }
    for p in &c.pain_points_removed {
        let sev = words::kebab(&p.severity);
        let text = format!("removed {sev} {} from {}", t(&p.text), t(&p.stage));
        lines.push((Mark::Removed, text));
    }
    for p in &c.severities {
        let text = format!(
            "{}: severity {} → {}",
            t(&p.text),
            words::kebab(&p.severity.old),
            words::kebab(&p.severity.new)
        );
        lines.push((Mark::Changed, text));
    }
    lines
}

pub(super) fn solution_lines(c: &Changes, st: Style) -> Lines {
    let t = |s: &str| st.text(s);
    let mut lines = Vec::new();
    for s in &c.solutions_added {
        let text = format!(
            "added {} ({}) in {}",
            t(&s.text),
            status(s.status),
            t(&s.stage)
        );
        lines.push((Mark::Added, text));
    }
    for s in &c.solutions_removed {
        let text = format!(
            "removed {} ({}) from {}",
            t(&s.text),
            status(s.status),
            t(&s.stage)
        );
        lines.push((Mark::Removed, text));
    }
    for s in &c.solutions_changed {
        let mut parts = Vec::new();
        if let Some(x) = &s.status {
            parts.push(format!("status {} → {}", status(x.old), status(x.new)));
        }
        if let Some(x) = &s.owner {
            let o = |v: &Option<String>| v.as_deref().map_or("nobody".to_owned(), t);
            parts.push(format!("owner {} → {}", o(&x.old), o(&x.new)));
        }
        if let Some(x) = &s.priority {
            let p = |v: Option<f64>| {
                v.map_or("none (not in the backlog)".to_owned(), |p| {
                    words::metric(p, "score")
                })
            };
            parts.push(format!("priority {} → {}", p(x.old), p(x.new)));
        }
        lines.push((
            Mark::Changed,
            format!("{}: {}", t(&s.text), parts.join("; ")),
        ));
    }
    lines
}

pub(super) fn backlog_lines(c: &Changes, st: Style) -> Lines {
    let p = |v: Option<usize>| v.map_or("out".to_owned(), |r| format!("#{r}"));
    c.backlog
        .iter()
        .map(|r| {
            let text = format!(
                "{}: {} → {}",
                st.text(&r.text),
                p(r.rank.old),
                p(r.rank.new)
            );
            (Mark::Changed, text)
        })
        .collect()
}

pub(super) fn measure_lines(c: &Changes, st: Style) -> Lines {
    c.measures
        .iter()
        .map(|m| {
            let label = words::measure_label(&m.measure);
            let overlap = match m.intervals_overlap {
                Some(true) => "; the intervals overlap, so the change may be noise",
                Some(false) => "; the intervals do not overlap",
                None => "",
            };
            let text = format!(
                "{} {}: {} → {}{overlap}",
                st.text(&m.name),
                label,
                fig(&m.old, &m.measure),
                fig(&m.new, &m.measure)
            );
            (Mark::Changed, text)
        })
        .collect()
}

pub(super) fn theme_lines(c: &Changes, st: Style) -> Lines {
    let share = |f: &Option<Figure>| match f {
        Some(f) => format!(
            "{} of {} (95% CI {}–{})",
            words::pct(f.value / 100.0),
            words::int(f.n),
            words::pct(f.low / 100.0),
            words::pct(f.high / 100.0)
        ),
        None => "not in the codebook".to_owned(),
    };
    c.themes
        .iter()
        .map(|t| {
            let overlap = match t.intervals_overlap {
                Some(true) => "; the intervals overlap, so the change may be noise",
                Some(false) => "; the intervals do not overlap",
                None => "",
            };
            let text = format!(
                "{} comments about {}: {} → {}{overlap}",
                st.text(&t.name),
                st.text(&t.label),
                share(&t.old),
                share(&t.new)
            );
            (Mark::Changed, text)
        })
        .collect()
}

pub(super) fn wave_lines(c: &Changes, st: Style) -> Lines {
    let mut out: Lines = c
        .waves_added
        .iter()
        .map(|w| (Mark::Added, format!("wave {}", st.code(w))))
        .collect();
    for m in &c.moved_significantly {
        let what = match &m.theme {
            Some(theme) => format!("share of comments about {}", st.text(theme)),
            None => words::measure_label(&m.measure),
        };
        let text = format!(
            "{} {} moved significantly from {} to {}: {} (95% CI {} to {})",
            st.text(&m.name),
            what,
            st.code(&m.from),
            st.code(&m.to),
            words::delta(m.delta, &m.measure),
            words::delta(m.low, &m.measure),
            words::delta(m.high, &m.measure)
        );
        out.push((Mark::Changed, text));
    }
    if !c.waves_added.is_empty() {
        let mut quiet: Vec<&str> = c
            .within_noise
            .iter()
            .map(|m| m.name.as_str())
            .filter(|n| !c.moved_significantly.iter().any(|m| m.name == *n))
            .collect();
        quiet.dedup();
        let text = match (c.moved_significantly.is_empty(), quiet.is_empty()) {
            (true, _) => "no figure moved significantly into the new wave".to_owned(),
            (false, true) => return out,
            (false, false) => format!(
                "within noise: {}",
                quiet
                    .iter()
                    .map(|n| st.text(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push((Mark::Changed, text));
    }
    out
}

pub(super) fn survey_lines(c: &Changes, st: Style) -> Lines {
    c.surveys
        .iter()
        .map(|v| {
            let file = if v.file.old == v.file.new {
                st.code(&v.file.new)
            } else {
                format!("{} → {}", st.code(&v.file.old), st.code(&v.file.new))
            };
            let text = format!(
                "survey {} ({file}): {} → {} rows, {} → {} answers used",
                st.code(&v.id),
                v.rows.old,
                v.rows.new,
                v.values_used.old,
                v.values_used.new
            );
            (Mark::Changed, text)
        })
        .collect()
}
