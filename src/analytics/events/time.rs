//! Times and windows as logs and people write them: RFC 3339, `YYYY-MM-DD HH:MM:SS[ UTC]`, or
//! epoch numbers; windows such as `7d` or `90m`; all in microseconds.
//!
//! Invariants: a time lies within ±10,000 years, so differences cannot overflow; a column
//! that mixes epoch magnitudes is refused rather than guessed row by row.

use crate::model::TimeUnit;

/// `7d`, `24h`, `30m`, `90s`, `2w` in microseconds.
pub fn window(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("`{t}` is not a window; write it as 7d, 24h, 30m or 90s"))?;
    let secs = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => {
            return Err(format!(
                "`{t}` is not a window; write it as 7d, 24h, 30m or 90s"
            ));
        }
    };
    if n == 0 {
        return Err("a window of zero lets no one go from one stage to the next; give it a length, such as 7d".to_owned());
    }
    n.checked_mul(secs)
        .and_then(|s| s.checked_mul(1_000_000))
        .ok_or_else(|| format!("`{t}` is too long a window"))
}

/// How epochs are written, once the first one is seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Epoch {
    Declared(TimeUnit),
    Seen(TimeUnit),
}

fn unit_word(u: TimeUnit) -> &'static str {
    match u {
        TimeUnit::S => "seconds",
        TimeUnit::Ms => "milliseconds",
        TimeUnit::Us => "microseconds",
    }
}

/// A timestamp in microseconds since the epoch, UTC: RFC 3339, `YYYY-MM-DD HH:MM:SS[.f][ UTC]`
/// (a time without a zone is UTC), or an epoch number in the declared (or first seen) unit.
pub(super) fn time(cell: &str, epoch: &mut Option<Epoch>) -> Result<i64, String> {
    let t = cell.trim();
    if t.is_empty() {
        return Err("the time is empty".to_owned());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = t
            .parse()
            .map_err(|_| format!("`{t}` is too large a number for a time"))?;
        let magnitude = match t.len() {
            9..=10 => Some(TimeUnit::S),
            12..=13 => Some(TimeUnit::Ms),
            15..=16 => Some(TimeUnit::Us),
            _ => None,
        };
        let unit = match (*epoch, magnitude) {
            (Some(Epoch::Declared(u)), _) => u,
            (None, Some(m)) => {
                *epoch = Some(Epoch::Seen(m));
                m
            }
            (Some(Epoch::Seen(u)), Some(m)) if u == m => u,
            (Some(Epoch::Seen(u)), _) => {
                return Err(format!(
                    "`{t}` is not an epoch in {} like the times before it: the column mixes magnitudes; say which with `time_unit:` (s, ms or us) after fixing the file",
                    unit_word(u)
                ));
            }
            (None, None) => {
                return Err(format!(
                    "`{t}` is a number, but its unit cannot be told from its length; say it with `time_unit:` (s, ms or us)"
                ));
            }
        };
        let per = match unit {
            TimeUnit::S => 1_000_000,
            TimeUnit::Ms => 1_000,
            TimeUnit::Us => 1,
        };
        return n
            .checked_mul(per)
            .filter(|us| jiff::Timestamp::from_microsecond(*us).is_ok())
            .ok_or_else(|| out_of_range(t));
    }
    let zoned = t.strip_suffix(" UTC").unwrap_or(t);
    if let Ok(ts) = zoned.parse::<jiff::Timestamp>() {
        return Ok(ts.as_microsecond());
    }
    if let Ok(dt) = zoned.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_microsecond())
            .map_err(|e| format!("`{t}`: {e}"));
    }
    Err(format!(
        "`{t}` is not a time journeymap reads (RFC 3339, `YYYY-MM-DD HH:MM:SS UTC`, or an epoch number)"
    ))
}

fn out_of_range(t: &str) -> String {
    format!(
        "`{t}` is out of range: a time must lie between the years -9999 and 9999 (check `time_unit:`)"
    )
}

/// Whether `t` is at most `window` after `since`. Times lie within ±10,000 years (see
/// No time: a step not reached.
pub(super) const NONE: i64 = i64::MIN;

/// [`time`]), so the difference cannot overflow; it is checked all the same.
pub(super) fn within(t: i64, since: i64, window: i64) -> bool {
    t.checked_sub(since).is_some_and(|d| d <= window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_as_people_write_them() {
        assert_eq!(window("7d"), Ok(7 * 86_400 * 1_000_000));
        assert_eq!(window("30m"), Ok(1_800 * 1_000_000));
        assert!(window("0d").unwrap_err().contains("zero"));
        assert!(window("soon").is_err());
        assert!(window("5y").is_err());
    }

    #[test]
    fn times_as_logs_write_them() {
        let mut e = None;
        // 2019-10-01 00:00:00 UTC = 1569888000 s.
        assert_eq!(
            time("2019-10-01 00:00:00 UTC", &mut e),
            Ok(1_569_888_000_000_000)
        );
        assert_eq!(
            time("2019-10-01T00:00:00Z", &mut e),
            Ok(1_569_888_000_000_000)
        );
        assert_eq!(
            time("2019-10-01T02:00:00+02:00", &mut e),
            Ok(1_569_888_000_000_000)
        );
        assert_eq!(
            time("2019-10-01 00:00:00", &mut e),
            Ok(1_569_888_000_000_000)
        );
        assert_eq!(time("1569888000", &mut e), Ok(1_569_888_000_000_000));
        assert!(
            time("1569888000000", &mut e)
                .unwrap_err()
                .contains("mixes magnitudes")
        );
        let mut declared = Some(Epoch::Declared(TimeUnit::Ms));
        assert_eq!(
            time("1569888000000", &mut declared),
            Ok(1_569_888_000_000_000)
        );
        assert!(time("yesterday", &mut None).is_err());
    }
}
