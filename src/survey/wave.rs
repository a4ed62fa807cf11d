//! Which wave an answer belongs to, from the date its export gives it: the day read from the
//! forms real exports write, then bucketed by month or quarter.
//!
//! Exports write days as `2017-07-18 08:28:04` (Qualtrics), `9/1/2024 11:27` (Microsoft
//! Forms) or `11/1/2019 8:51:12` (Google Forms); ISO 8601 with `T` and a zone is read too. A
//! day written with slashes is month first in a US export and day first elsewhere; when the
//! binding does not say which, a file whose first number goes past 12 is day first, one whose
//! second does is month first, and a file with neither is ambiguous: the reader must ask.

use jiff::civil::Date;

/// How a day written with slashes orders its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlashOrder {
    MonthFirst,
    DayFirst,
}

/// How dates become wave labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// `2026-03`
    Month,
    /// `2026-Q1`
    Quarter,
}

/// Why a cell is not a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotADay {
    /// Nothing recognisable as a date.
    Unreadable,
    /// Slashes, and the file has not said (nor shown) which part is the month.
    Ambiguous,
    /// Read, but no such day (`2/30/2026`).
    NoSuchDay,
}

/// The day a cell names; the time of day, if any, is ignored.
pub fn day(cell: &str, order: Option<SlashOrder>) -> Result<Date, NotADay> {
    let (y, m, d) = if let Some(n) = numbers(cell, '-') {
        if n[0] < 1000 {
            return Err(NotADay::Unreadable);
        }
        (n[0], n[1], n[2])
    } else if let Some(n) = numbers(cell, '/') {
        let year = match n[2] {
            y @ 1000..=9999 => y,
            // Two-digit years (`9/1/24`) as the spreadsheet that wrote them reads them.
            y @ 0..=99 => 2000 + y,
            _ => return Err(NotADay::Unreadable),
        };
        match order.or_else(|| guess(n[0], n[1])) {
            Some(SlashOrder::MonthFirst) => (year, n[0], n[1]),
            Some(SlashOrder::DayFirst) => (year, n[1], n[0]),
            None => return Err(NotADay::Ambiguous),
        }
    } else {
        return Err(NotADay::Unreadable);
    };
    let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(y), i8::try_from(m), i8::try_from(d)) else {
        return Err(NotADay::NoSuchDay);
    };
    Date::new(y, m, d).map_err(|_| NotADay::NoSuchDay)
}

/// The three numbers of a cell's date part (before a space or `T`) split at `sep`.
fn numbers(cell: &str, sep: char) -> Option<[u32; 3]> {
    let date_part = cell.trim().split([' ', 'T']).next()?;
    let mut parts = date_part.split(sep);
    let mut one = || {
        let p = parts.next().filter(|p| !p.is_empty() && p.len() <= 4)?;
        p.parse().ok()
    };
    let n = [one()?, one()?, one()?];
    parts.next().is_none().then_some(n)
}

/// The order one day's own numbers show, when they show it.
fn guess(first: u32, second: u32) -> Option<SlashOrder> {
    match (first > 12, second > 12) {
        (true, false) => Some(SlashOrder::DayFirst),
        (false, true) => Some(SlashOrder::MonthFirst),
        _ => None,
    }
}

/// What a column's days show of their order, one cell at a time: the first cell that
/// settles it, and the first that contradicts it (one shows day first, another month first).
#[derive(Debug, Clone, Default)]
pub struct OrderSeen<P> {
    pub seen: Option<(SlashOrder, P)>,
}

impl<P: Clone> OrderSeen<P> {
    /// Look at one cell found at `at`; `Err` with where the order was settled when this cell
    /// contradicts it.
    pub fn see(&mut self, cell: &str, at: P) -> Result<(), P> {
        let Some([first, second, _]) = numbers(cell, '/') else {
            return Ok(());
        };
        match (guess(first, second), &self.seen) {
            (Some(o), None) => self.seen = Some((o, at)),
            (Some(o), Some((s, settled))) if *s != o => return Err(settled.clone()),
            _ => {}
        }
        Ok(())
    }
}

/// What a whole column's days show of their order: the first cell that settles it, or
/// `Ok(None)` when none does. Cells that disagree give `Err` with the index of the first
/// cell that contradicts an earlier one.
pub fn slash_order<'a>(
    cells: impl IntoIterator<Item = &'a str>,
) -> Result<Option<SlashOrder>, usize> {
    let mut seen = OrderSeen::default();
    for (i, cell) in cells.into_iter().enumerate() {
        seen.see(cell, i).map_err(|_| i)?;
    }
    Ok(seen.seen.map(|(o, _)| o))
}

/// Whether a cell writes its date with slashes.
pub fn has_slashes(cell: &str) -> bool {
    numbers(cell, '/').is_some()
}

/// The wave label of a day.
pub fn label(day: Date, bucket: Bucket) -> String {
    match bucket {
        Bucket::Month => format!("{:04}-{:02}", day.year(), day.month()),
        Bucket::Quarter => format!("{:04}-Q{}", day.year(), (day.month() - 1) / 3 + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn days_as_real_exports_write_them() {
        // Qualtrics, ropensci sample: `2017-07-18 08:28:04`.
        assert_eq!(day("2017-07-18 08:28:04", None), Ok(date(2017, 7, 18)));
        // Microsoft Forms, hot-dog-fa24.csv: `9/1/2024 11:27` is 1 September (a US export).
        assert_eq!(
            day("9/1/2024 11:27", Some(SlashOrder::MonthFirst)),
            Ok(date(2024, 9, 1))
        );
        // Google Forms, hot-dog-form-responses.csv: `1/15/2025 21:53:05` shows its order.
        assert_eq!(day("1/15/2025 21:53:05", None), Ok(date(2025, 1, 15)));
        assert_eq!(day("2026-03-14T10:22:31Z", None), Ok(date(2026, 3, 14)));
        assert_eq!(day(" 2026-03-14 ", None), Ok(date(2026, 3, 14)));
        assert_eq!(day("15/1/25", None), Ok(date(2025, 1, 15)));
    }

    #[test]
    fn a_day_that_cannot_be_read_says_why() {
        assert_eq!(day("9/1/2024 11:27", None), Err(NotADay::Ambiguous));
        assert_eq!(
            day("2/30/2026", Some(SlashOrder::MonthFirst)),
            Err(NotADay::NoSuchDay)
        );
        assert_eq!(day("2026-13-01", None), Err(NotADay::NoSuchDay));
        for bad in [
            "",
            "soon",
            "2026-03",
            "14.03.2026",
            "20260314",
            "1/2/3/4",
            "26-03-14",
        ] {
            assert_eq!(day(bad, None), Err(NotADay::Unreadable), "{bad}");
        }
    }

    #[test]
    fn a_column_shows_its_order_or_contradicts_itself() {
        assert_eq!(
            slash_order(["9/1/2024 11:27", "9/13/2024 8:00"]),
            Ok(Some(SlashOrder::MonthFirst))
        );
        assert_eq!(
            slash_order(["1/9/2024", "13/9/2024"]),
            Ok(Some(SlashOrder::DayFirst))
        );
        assert_eq!(slash_order(["1/9/2024", "2/9/2024"]), Ok(None));
        assert_eq!(slash_order(["2024-09-13", "x"]), Ok(None));
        assert_eq!(slash_order(["13/9/2024", "1/2/2024", "9/13/2024"]), Err(2));
    }

    #[test]
    fn months_and_quarters() {
        assert_eq!(label(date(2026, 3, 31), Bucket::Month), "2026-03");
        assert_eq!(label(date(2026, 1, 1), Bucket::Quarter), "2026-Q1");
        assert_eq!(label(date(2026, 3, 31), Bucket::Quarter), "2026-Q1");
        assert_eq!(label(date(2026, 4, 1), Bucket::Quarter), "2026-Q2");
        assert_eq!(label(date(2026, 12, 31), Bucket::Quarter), "2026-Q4");
    }
}
