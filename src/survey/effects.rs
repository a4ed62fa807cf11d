//! What a shipped solution changed: each survey that dates its rows is read again with two
//! waves, the `effect_window` before the ship date and the same window after, so that the
//! change between them is computed as every change between waves is (adjusted-Wald NPS,
//! Newcombe shares, Welch means, the same low-sample rule).
//!
//! Invariants: the second reading is the first one's binding with only the waves replaced
//! (no segments, no derived emotion): the same filters, labels and missing codes; its
//! diagnostics were said by the first reading and are not said again. A survey kept one file
//! per wave, or without a date column, gives no effect.

use jiff::civil::Date;

use super::{Reading, SurveyData};
use crate::diagnostic::{Code, Diagnostic};
use crate::load::Loaded;
use crate::model::{Pos, Spanned, Status, Survey, WaveBy, WaveColumn, WaveRange};

/// The window on each side of the ship date when a solution names none.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

/// `YYYY-MM-DD`, or why not.
pub fn ship_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    let well_formed = t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-';
    t.parse::<Date>()
        .ok()
        .filter(|_| well_formed)
        .ok_or_else(|| format!("`{t}` is not a date; write `shipped:` as YYYY-MM-DD"))
}

/// `90d`, `12w` or `90` as days, or why not.
pub fn window_days(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (n, unit) = match t.strip_suffix('w') {
        Some(n) => (n, 7),
        None => (t.strip_suffix('d').unwrap_or(t), 1),
    };
    n.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=3660).contains(n))
        .map(|n| n * unit)
        .ok_or_else(|| format!("`{t}` is not a window; write days or weeks, as `90d` or `12w`"))
}

/// The survey read again with the two windows as its waves, when it dates its rows.
fn dated(s: &Survey, before: (Date, Date), after: (Date, Date)) -> Option<Survey> {
    if !s.waves.is_empty() {
        return None;
    }
    let wave_dates = s.wave.as_ref().filter(|w| {
        w.by.as_ref().map(|b| b.value) != Some(WaveBy::Label)
            && !(w.by.is_none() && w.ranges.is_empty())
    });
    let column = s
        .date
        .clone()
        .or_else(|| wave_dates.map(|w| w.column.clone()))?;
    let at = |v: String| Spanned {
        value: v,
        pos: Pos::default(),
    };
    let range = |label: &str, (from, to): (Date, Date)| WaveRange {
        label: at(label.to_owned()),
        from: at(from.to_string()),
        to: at(to.to_string()),
    };
    let mut copy = s.clone();
    copy.wave = Some(WaveColumn {
        column,
        by: Some(Spanned {
            value: WaveBy::Ranges,
            pos: Pos::default(),
        }),
        order: Vec::new(),
        ranges: vec![range("before", before), range("after", after)],
        day_order: s.wave.as_ref().and_then(|w| w.day_order),
        outside_ranges_unused: true,
    });
    copy.segment_by = None;
    copy.segments = Vec::new();
    copy.emotion_from = None;
    Some(copy)
}

/// For each done solution with a readable `shipped:` date, the map's dated surveys read with
/// the windows before and after it as waves (`before`, `after`); and what those readings say
/// of a `date:` column's cells (dates that cannot be read, day order), which no other reading
/// reads, once each.
pub fn read(loaded: &Loaded, reading: Reading) -> (Vec<(String, SurveyData)>, Vec<Diagnostic>) {
    let reading = Reading {
        progress: false,
        ..reading
    };
    let mut out = Vec::new();
    let mut said: Vec<Diagnostic> = Vec::new();
    let solutions = loaded
        .journey
        .solutions()
        .filter(|s| s.status == Status::Done);
    for sol in solutions {
        if let Some((data, diags)) = around(loaded, sol, reading) {
            date_faults(loaded, diags, &mut said);
            out.push((sol.id.value.clone(), data));
        }
    }
    (out, said)
}

/// The dated surveys read with the windows around solution `sol`'s ship date as waves, and
/// what that reading said; none when nothing dates its answers.
fn around(
    loaded: &Loaded,
    sol: &crate::model::Solution,
    reading: Reading,
) -> Option<(SurveyData, Vec<Diagnostic>)> {
    let ship = sol
        .shipped
        .as_ref()
        .and_then(|d| ship_date(&d.value).ok())?;
    let days = sol
        .effect_window
        .as_ref()
        .and_then(|w| window_days(&w.value).ok())
        .unwrap_or(DEFAULT_WINDOW_DAYS);
    let shift = |d: i64| ship.checked_add(jiff::Span::new().days(d)).ok();
    let (first, last_before, last) = (shift(-days)?, shift(-1)?, shift(days - 1)?);
    let surveys: Vec<Survey> = loaded
        .journey
        .surveys
        .iter()
        .filter_map(|s| dated(s, (first, last_before), (ship, last)))
        .collect();
    if surveys.is_empty() {
        return None;
    }
    let mut journey = loaded.journey.clone();
    journey.surveys = surveys;
    let again = Loaded {
        file: loaded.file.clone(),
        path: loaded.path.clone(),
        journey,
        persona: None,
        root: loaded.root,
        confine: loaded.confine.clone(),
        themes_file: None,
        shape: Vec::new(),
        ancestors: Vec::new(),
    };
    Some(super::read_all(&again, reading))
}

/// Of what a reading around a ship date said, the cells of a `date:` column that cannot be
/// read as dates (no other reading reads that column), each once; the rest was said by the
/// first reading (a row outside both windows is no fault: `outside_ranges_unused`).
fn date_faults(loaded: &Loaded, diags: Vec<Diagnostic>, said: &mut Vec<Diagnostic>) {
    let by_date: Vec<&str> = loaded
        .journey
        .surveys
        .iter()
        .filter(|s| s.date.is_some() && s.waves.is_empty())
        .flat_map(|s| s.files().into_iter().map(|(_, f)| f.value.as_str()))
        .collect();
    let unreadable = [
        "is not a date",
        "names no day",
        "could be either",
        "disagree",
        "day_order",
        "names no wave",
    ];
    for d in diags {
        let about_dates = matches!(d.code, Code::WaveCell | Code::WaveBinding)
            && unreadable.iter().any(|u| d.message.contains(u))
            && (by_date.iter().any(|f| d.file.ends_with(f)) || d.file == loaded.file);
        if !about_dates {
            continue;
        }
        let message = d
            .message
            .replacen("wave column", "`date:` column", 1)
            .replace(
                "the row is in no figure",
                "the row counts in neither window around a ship date",
            );
        if !said.iter().any(|s| s.pos == d.pos && s.message == message) {
            said.push(Diagnostic { message, ..d });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ship_dates_and_windows_are_read_strictly() {
        assert_eq!(ship_date("2026-05-15").unwrap().to_string(), "2026-05-15");
        assert!(ship_date("2026-5-15").is_err());
        assert!(ship_date("15/05/2026").is_err());
        assert_eq!(window_days("90d"), Ok(90));
        assert_eq!(window_days("12w"), Ok(84));
        assert_eq!(window_days("30"), Ok(30));
        assert!(window_days("0d").is_err());
        assert!(window_days("a month").is_err());
    }
}
