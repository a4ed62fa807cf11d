//! The dates tracker exports write, as days (YYYY-MM-DD): ISO 8601 (`2026-01-29T22:46:34Z`,
//! GitHub and newer Linear exports), Jira's `15/Feb/26 4:51 PM` (day, English month, two-
//! or four-digit year), and JavaScript's `Tue Aug 23 2022 13:54:01 GMT+0000 (GMT)` (older
//! Linear exports). The day is the one written: no time zone is applied.

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The day a date cell names, or `None` when it is not one of the forms above (or no such
/// day exists).
pub fn day(text: &str) -> Option<String> {
    let t = text.trim();
    iso(t).or_else(|| jira(t)).or_else(|| javascript(t))
}

fn month(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == w)
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn checked(y: i32, m: u32, d: u32) -> Option<String> {
    let date = jiff::civil::Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()?;
    Some(date.to_string())
}

/// `2026-01-29`, with anything after the day (`T22:46:34Z`).
fn iso(t: &str) -> Option<String> {
    let head = t.get(..10)?;
    let rest = &t[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    let mut parts = head.split('-');
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    checked(y, m, d)
}

/// `15/Feb/26 4:51 PM`, `02/Oct/2026`.
fn jira(t: &str) -> Option<String> {
    let date = t.split_whitespace().next()?;
    let mut parts = date.split('/');
    let d: u32 = parts.next()?.parse().ok()?;
    let m = month(parts.next()?)?;
    let y = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let y: i32 = match y.len() {
        2 => 2000 + y.parse::<i32>().ok()?,
        4 => y.parse().ok()?,
        _ => return None,
    };
    checked(y, m, d)
}

/// `Tue Aug 23 2022 13:54:01 GMT+0000 (GMT)`.
fn javascript(t: &str) -> Option<String> {
    let w: Vec<&str> = t.split_whitespace().take(4).collect();
    let [_, m, d, y] = w.as_slice() else {
        return None;
    };
    checked(y.parse().ok()?, month(m)?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::day;

    #[test]
    fn each_form_gives_its_day() {
        assert_eq!(day("2026-01-29T22:46:34Z").as_deref(), Some("2026-01-29"));
        assert_eq!(day("15/Feb/26 4:51 PM").as_deref(), Some("2026-02-15"));
        assert_eq!(day("02/Oct/2026").as_deref(), Some("2026-10-02"));
        assert_eq!(
            day("Sat Feb 11 2023 01:52:26 GMT+0000 (GMT)").as_deref(),
            Some("2023-02-11")
        );
        // A Russian month, a day that does not exist, words: not dates.
        assert_eq!(day("29/июл/26 09:59"), None);
        assert_eq!(day("31/Feb/26 4:51 PM"), None);
        assert_eq!(day("2026-02-30"), None);
        assert_eq!(day("soon"), None);
    }
}
