//! JSON funnel exports from the tools' APIs: Amplitude's funnels endpoint and Mixpanel's,
//! read into one funnel.

use serde_json::Value;

use super::funnel::{
    Choice, Funnel, Problem, Step, count_problem, json_count, position_of, problem,
};

/// Amplitude's funnels API answer: per segment, `events` (step labels) and `cumulativeRaw`
/// (users per step).
pub(super) fn amplitude(text: &str, choice: &Choice) -> Result<Funnel, Problem> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| problem(e.line() as u64, e.column(), format!("not valid JSON: {e}")))?;
    let data = v["data"].as_array().cloned().unwrap_or_default();
    let (line, col) = position_of(text, "\"cumulativeRaw\"");
    let index = match (choice.segment, data.len()) {
        (None, 1) => 0,
        (None, n) => {
            return Err(problem(
                line,
                col,
                format!(
                    "the answer holds {n} segments; say which with `segment:` (0 is the first)"
                ),
            ));
        }
        (Some(s), n) => match s.trim().parse::<usize>() {
            Ok(i) if i < n => i,
            _ => {
                return Err(problem(
                    line,
                    col,
                    format!(
                        "`segment: {s}` is not one of the answer's segments, 0 to {}",
                        n.saturating_sub(1)
                    ),
                ));
            }
        },
    };
    let seg = &data[index];
    let events = seg["events"].as_array().cloned().unwrap_or_default();
    let counts = seg["cumulativeRaw"].as_array().cloned().unwrap_or_default();
    if events.len() != counts.len() || events.is_empty() {
        return Err(problem(
            line,
            col,
            format!(
                "`events` has {} steps but `cumulativeRaw` has {} counts",
                events.len(),
                counts.len()
            ),
        ));
    }
    let mut funnel = Funnel {
        tool: "Amplitude funnel",
        unit: "users",
        segment: (data.len() > 1).then(|| index.to_string()),
        ..Funnel::default()
    };
    let days = seg["dayFunnels"]["xValues"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    funnel.date_from = days.first().and_then(|d| d.as_str()).map(str::to_owned);
    funnel.date_to = days.last().and_then(|d| d.as_str()).map(str::to_owned);
    for (i, (e, c)) in events.iter().zip(&counts).enumerate() {
        let label = e.as_str().unwrap_or_default().to_owned();
        let n = json_count(c).map_err(|why| {
            count_problem(line, col, format!("step {} (`{label}`): {why}", i + 1))
        })?;
        funnel.steps.push(Step::named(i + 1, label, n, (line, col)));
    }
    Ok(funnel)
}

/// Mixpanel's funnels API answer: one funnel per date bucket (`data.<date>.steps`); unique
/// counts of different buckets are never added, so a file with several needs `bucket:`.
pub(super) fn mixpanel(text: &str, choice: &Choice) -> Result<Funnel, Problem> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| problem(e.line() as u64, e.column(), format!("not valid JSON: {e}")))?;
    let data = v["data"].as_object().cloned().unwrap_or_default();
    let dates: Vec<&String> = data.keys().collect();
    let (line, col) = position_of(text, "\"data\"");
    let key = match (choice.bucket, dates.as_slice()) {
        (Some(b), _) => dates
            .iter()
            .find(|d| d.as_str() == b.trim())
            .copied()
            .ok_or_else(|| {
                let listed: Vec<String> = dates.iter().map(|d| format!("`{d}`")).collect();
                problem(
                    line,
                    col,
                    format!(
                        "no date bucket `{b}`; the answer holds {}",
                        listed.join(", ")
                    ),
                )
            })?,
        (None, [one]) => *one,
        (None, many) => {
            let listed: Vec<String> = many.iter().map(|d| format!("`{d}`")).collect();
            return Err(problem(
                line,
                col,
                format!(
                    "the answer holds one funnel per date bucket ({}); say which with `bucket:` — unique users of different buckets cannot be added together",
                    listed.join(", ")
                ),
            ));
        }
    };
    let (line, col) = position_of(text, &format!("\"{key}\": {{"));
    let steps = data[key.as_str()]["steps"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut funnel = Funnel {
        tool: "Mixpanel funnel",
        unit: "users",
        segment: Some(key.clone()),
        date_from: Some(key.clone()),
        ..Funnel::default()
    };
    for (i, s) in steps.iter().enumerate() {
        let label = s["step_label"]
            .as_str()
            .or_else(|| s["goal"].as_str())
            .or_else(|| s["event"].as_str())
            .unwrap_or_default()
            .to_owned();
        let n = json_count(&s["count"]).map_err(|why| {
            count_problem(
                line,
                col,
                format!("step {} (`{label}`) of bucket `{key}`: {why}", i + 1),
            )
        })?;
        funnel.steps.push(Step::named(i + 1, label, n, (line, col)));
    }
    if funnel.steps.is_empty() {
        return Err(problem(line, col, format!("bucket `{key}` has no steps")));
    }
    Ok(funnel)
}
