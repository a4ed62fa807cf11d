//! What goes with dropping off: for each value of the property a log's actors are segmented
//! by (`segment_by:`) or of a `properties:` column (first touch), and for each event done on the way from the stage before
//! (by those who came, before they came; by the lost, within the window), the odds of
//! dropping off between two stages against the other actors', with its 95% interval and
//! Fisher's exact test.
//!
//! Invariants: a value or event is judged only with at least `min_n:` (default [`MIN_N`])
//! actors at the stage before; the interval is Woolf's (the log odds ratio ± 1.959964 standard
//! errors) when every cell holds at least [`SMALL`], the exact conditional one (with the
//! conditional estimate, as `scipy.stats.contingency.odds_ratio(kind="conditional")`) when a
//! cell is smaller but none is empty, and Woolf's with 0.5 added to every cell when one is
//! empty (Haldane–Anscombe); `method` says which; significance is the two-sided Fisher exact
//! test at 5%, as `scipy.stats.fisher_exact` computes it.

use serde::Serialize;

/// Actors a value needs at the stage before to be judged, unless `min_n:` says otherwise.
pub const MIN_N: u64 = 30;
/// A cell under this makes the interval exact.
pub const SMALL: u64 = 5;
/// The normal quantile of a two-sided 95% interval.
const Z: f64 = 1.959_963_984_540_054;

/// `stages[].reach.drivers[]`: one value of the property against all other actors.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Driver {
    pub property: String,
    pub value: String,
    /// Odds of dropping off with this value over the odds without it.
    pub odds_ratio: f64,
    pub low: f64,
    pub high: f64,
    /// Actors with this value who reached the stage, and who reached the stage before but
    /// not this one.
    pub kept: u64,
    pub lost: u64,
    /// Two-sided Fisher exact p-value.
    pub p: f64,
    pub significant: bool,
    /// `woolf`; `exact` (conditional) when a cell was under 5; `woolf+0.5` when one was
    /// empty.
    pub method: &'static str,
}

/// Each value's odds of dropping off against the rest, for values with at least `min_n`
/// actors at the stage before: `values` holds (value, actors at the stage before, actors here); sorted by how far the interval lies from 1, strongest first.
pub fn drivers(property: &str, values: &[(String, u64, u64)], min_n: u64) -> Vec<Driver> {
    let (before, here): (u64, u64) = values
        .iter()
        .fold((0, 0), |(b, h), (_, vb, vh)| (b + vb, h + vh.min(vb)));
    // Values beyond the ones told apart are in the rest, never judged themselves.
    let mut out: Vec<Driver> = values
        .iter()
        .filter(|(v, b, _)| *b >= min_n && v != "(other values)")
        .filter_map(|(value, b, h)| {
            let kept = (*h).min(*b);
            let lost = b - kept;
            let (kept_rest, lost_rest) = (here - kept, (before - here) - lost);
            (kept_rest + lost_rest > 0)
                .then(|| judge(property, value, [lost, kept, lost_rest, kept_rest]))
        })
        .collect();
    sort(&mut out);
    out
}

/// How far the interval lies from 1, on the log scale (0 when it holds 1).
fn distance(d: &Driver) -> f64 {
    if d.low > 1.0 {
        d.low.ln()
    } else if d.high < 1.0 {
        -d.high.ln()
    } else {
        0.0
    }
}

/// The 2×2 table [lost, kept, lost by the rest, kept by the rest], judged.
fn judge(property: &str, value: &str, cells: [u64; 4]) -> Driver {
    let [a, b, c, d] = cells;
    let exact = cells
        .iter()
        .all(|&x| x > 0)
        .then(|| cells.iter().any(|&x| x < SMALL))
        .filter(|small| *small)
        .and_then(|_| super::odds::conditional(a, b, c, d, 0.95));
    let (or, low, high, method) = match exact {
        Some((or, low, high)) => (or, low, high, "exact"),
        None => {
            let empty = cells.contains(&0);
            let add = if empty { 0.5 } else { 0.0 };
            let [fa, fb, fc, fd] = cells.map(|x| x as f64 + add);
            let or = (fa * fd) / (fb * fc);
            let se = (1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd).sqrt();
            let method = if empty { "woolf+0.5" } else { "woolf" };
            (
                or,
                (or.ln() - Z * se).exp(),
                (or.ln() + Z * se).exp(),
                method,
            )
        }
    };
    let p = super::odds::fisher(a, b, c, d);
    Driver {
        property: property.to_owned(),
        value: value.to_owned(),
        odds_ratio: or,
        low,
        high,
        kept: b,
        lost: a,
        p,
        significant: p < 0.05,
        method,
    }
}

/// Each event done on the way from the stage before against not doing it (with at least
/// `min_n` actors who did it): `kept` and `lost` of the stage, `detours` (actors who came, per event done before they came) and
/// `lost_did` (the lost, per event done within the window). `(none)` is no event.
pub fn events(
    (kept, lost): (u64, u64),
    detours: &[(String, u64)],
    lost_did: &[(String, u64)],
    min_n: u64,
) -> Vec<Driver> {
    let count =
        |list: &[(String, u64)], e: &str| list.iter().find(|(n, _)| n == e).map_or(0, |(_, c)| *c);
    let mut names: Vec<&str> = detours
        .iter()
        .chain(lost_did)
        .map(|(e, _)| e.as_str())
        .filter(|e| !matches!(*e, "(none)" | "(other names)"))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|e| {
            let (b, a) = (count(detours, e).min(kept), count(lost_did, e).min(lost));
            let (c, d) = (lost - a, kept - b);
            (a + b >= min_n && c + d > 0).then(|| judge("event", e, [a, b, c, d]))
        })
        .collect()
}

/// Drivers sorted by how far the interval lies from 1, strongest first, then by property
/// and value.
pub fn sort(drivers: &mut [Driver]) {
    drivers.sort_by(|a, b| {
        distance(b)
            .total_cmp(&distance(a))
            .then_with(|| a.property.cmp(&b.property))
            .then_with(|| a.value.cmp(&b.value))
    });
}

#[cfg(test)]
mod tests {
    use super::drivers;

    /// Two values of 100 actors each at the stage before: `ios` keeps 80, `web` keeps 50.
    /// `web`: lost 50, kept 50, the rest lost 20, kept 80: OR = (50·80)/(50·20) = 4; Woolf
    /// se = √(1/50 + 1/50 + 1/20 + 1/80) = 0.320156; 95% CI exp(ln 4 ± 1.959964·se): statsmodels
    /// Table2x2([[50, 50], [20, 80]]).oddsratio_confint() → (2.1357112223404178,
    /// 7.49164954167652).
    #[test]
    fn odds_ratios_and_woolf_intervals_by_hand() {
        let d = drivers(
            "platform",
            &[("ios".to_owned(), 100, 80), ("web".to_owned(), 100, 50)],
            super::MIN_N,
        );
        // Two values are each other's rest: the same distance from 1, in name order.
        assert_eq!((d[0].value.as_str(), d[1].value.as_str()), ("ios", "web"));
        let web = &d[1];
        assert!((web.odds_ratio - 4.0).abs() < 1e-12);
        assert!(
            (web.low - 2.135_711_222_340_417_8).abs() < 1e-9,
            "{}",
            web.low
        );
        assert!(
            (web.high - 7.491_649_541_676_52).abs() < 1e-9,
            "{}",
            web.high
        );
        assert!(web.significant);
        assert!((d[0].odds_ratio - 0.25).abs() < 1e-12);
        assert_eq!((web.kept, web.lost), (50, 50));
    }
}
