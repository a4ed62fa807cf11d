//! The SQL of a survey binding: one row per stage (or the journey), measure, wave cell and
//! segment cell, with the columns of the aggregated layout (the guide: "Surveys in the
//! warehouse"), so that its result, bound with `layout: aggregated`, gives the figures the
//! local reader gives.
//!
//! Invariants: a cell is judged as `survey::value::Rule::read` judges it: trimmed; missing
//! when empty, `NA`, `N/A`, `-99` or one of the survey's codes (case ignored); then a
//! `values:` label (exact, then case ignored); then a number written with digits, a decimal
//! point or a decimal comma (a comma before exactly three digits is a thousands separator and
//! refused); used when on the scale (and whole for NPS, CSAT, CES), counted as skipped
//! otherwise. Wave and segment cells are grouped as they are, and the aggregated reader puts
//! them in waves and segments as it does for answers. The file is read in one pass.

use crate::model::{Layout, Measure, MeasureName, Pos, Spanned, Stage, Survey};
use crate::survey::binding::{column_of, default_scale, listed, whole};
use crate::survey::measure_name;

use super::{Dialect, Source, comment};

/// A refusal at the map position it concerns.
pub type Refusal = (Pos, String);

/// One measure bound to one column: the stage (`None`: the row's stage in the long layout,
/// `Some("")`: the whole journey), the column as the source names it, and its reading rule.
struct Bound<'a> {
    stage: Option<&'a str>,
    measure: MeasureName,
    column: String,
    scale: [f64; 2],
    labels: &'a [(Spanned<String>, f64)],
}

/// A number as the local reader takes it: digits with an optional decimal point and exponent.
const NUMBER: &str = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$";
/// A number with a decimal comma (`4,5`).
const COMMA: &str = "^[+-]?[0-9]*,[0-9]+([eE][+-]?[0-9]+)?$";
/// A comma that may be a thousands separator (`1,000`): refused, never read as 1.
const THOUSANDS: &str = "^[+-]?[0-9]{1,3},[0-9]{3}$";

impl Dialect {
    fn full_match(self, x: &str, re: &str) -> String {
        match self {
            Dialect::Duckdb => format!("regexp_full_match({x}, {})", self.text(re)),
            Dialect::Spark => format!("{x} rlike {}", self.text(re)),
            Dialect::Bigquery => format!("regexp_contains({x}, r'{re}')"),
            Dialect::Snowflake => format!("regexp_like({x}, {})", self.text(re)),
        }
    }

    fn to_double(self, x: &str) -> String {
        match self {
            Dialect::Bigquery => format!("safe_cast({x} as float64)"),
            _ => format!("try_cast({x} as double)"),
        }
    }

    fn number(self, x: f64) -> String {
        format!("cast({x:?} as {})", self.double())
    }
}

/// The SQL for one survey: statements, each ending with `;` at the end of a line, the last a
/// query whose result is the aggregated layout. `delimiter` is the file's, when the SQL reads
/// the file; `column` turns a column as the map names it
/// into the name the source has (or says why it cannot).
pub fn survey<'a>(
    d: Dialect,
    stages: &[Stage],
    s: &'a Survey,
    source: Source,
    delimiter: Option<u8>,
    column: &dyn Fn(&str, Pos) -> Result<String, Refusal>,
) -> Result<String, Refusal> {
    let id = &s.id.value;
    if let Some(refusal) = aggregated_already(s) {
        return Err(refusal);
    }
    if let Some(w) = s.waves.first() {
        return Err((
            w.label.pos,
            format!(
                "survey `{id}` keeps one file per wave (`waves:`); load them into one table with a column for the wave, and bind that with `table:` and `wave: {{column: ...}}`"
            ),
        ));
    }
    let (bound, stage_column) = bindings(stages, s, column)?;
    let splits = splits(s, column)?;
    let filters = filters(d, s, column)?;
    let mut out = header(s, stage_column.is_some(), &bound);
    let from = d
        .relation(&source, id, &format!("survey `{id}`"), delimiter, &mut out)
        .map_err(|why| (s.file.as_ref().map_or(s.id.pos, |f| f.pos), why))?;
    let keys: Vec<String> = (0..splits.len()).map(|i| format!("k{i}")).collect();
    let group: Vec<String> = stage_column
        .iter()
        .map(|_| "stage".to_owned())
        .chain(keys.iter().cloned())
        .collect();
    let mut sql = cells(
        d,
        stages,
        stage_column.as_deref(),
        &splits,
        &bound,
        &from,
        &filters,
    );
    sql.push_str(&parsed(d, s, &bound, &group));
    sql.push_str(&used(d, &bound, &group));
    sql.push_str(&figures(d, &bound, &group));
    sql.push_str(&rows(d, &bound, &keys, &splits));
    out.push_str(&sql);
    Ok(out)
}

/// Each measure a survey binds (comments aside) with its column, scale and labels, and the
/// stage column of a long layout.
fn bindings<'a>(
    stages: &[Stage],
    s: &'a Survey,
    column: &dyn Fn(&str, Pos) -> Result<String, Refusal>,
) -> Result<(Vec<Bound<'a>>, Option<String>), Refusal> {
    let id = &s.id.value;
    let mut bound: Vec<Bound> = Vec::new();
    let mut add = |stage: Option<&'a str>, ms: &'a crate::model::Measures| -> Result<(), Refusal> {
        for (m, spec) in listed(ms) {
            let Some(spec) = spec else { continue };
            if m == MeasureName::Comment {
                continue;
            }
            let (name, pos) = column_of(spec);
            let (scale, labels) = match &spec.value {
                Measure::Column(_) => (None, &[][..]),
                Measure::Detailed(det) => (det.scale.as_ref().map(|x| x.value), &det.values.0[..]),
            };
            let scale = scale.unwrap_or(default_scale(m));
            bound.push(Bound {
                stage,
                measure: m,
                column: column(name, pos)?,
                scale,
                labels,
            });
        }
        Ok(())
    };
    let stage_column = match s.layout {
        Layout::Long => {
            let Some(sc) = &s.stage_column else {
                return Err((
                    s.id.pos,
                    format!("survey `{id}` has `layout: long` but no `stage_column:`"),
                ));
            };
            if let Some(ms) = &s.measures {
                add(None, ms)?;
            }
            Some(column(&sc.value, sc.pos)?)
        }
        _ => {
            for (key, ms) in &s.stages.0 {
                if stages.iter().any(|st| st.id.value == key.value) {
                    add(Some(&key.value), ms)?;
                }
            }
            if let Some(ms) = &s.overall {
                add(Some(""), ms)?;
            }
            None
        }
    };
    if bound.is_empty() {
        return Err((
            s.id.pos,
            format!("survey `{id}` binds no measure to aggregate (comments are not aggregated)"),
        ));
    }
    Ok((bound, stage_column))
}

/// The wave and segment columns, each with where the map names it.
fn splits(
    s: &Survey,
    column: &dyn Fn(&str, Pos) -> Result<String, Refusal>,
) -> Result<Vec<(String, Pos)>, Refusal> {
    let mut splits = Vec::new();
    if let Some(w) = &s.wave {
        splits.push((column(&w.column.value, w.column.pos)?, w.column.pos));
    }
    if let Some(by) = &s.segment_by {
        splits.push((column(&by.value, by.pos)?, by.pos));
    }
    for (name, pos) in &splits {
        if crate::survey::AGGREGATED_COLUMNS
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
        {
            return Err((
                *pos,
                format!(
                    "the column `{name}` has the name of a column of the aggregated result; rename it in the source"
                ),
            ));
        }
    }
    Ok(splits)
}

/// Each `where:` as a condition on the trimmed cell, case ignored.
fn filters(
    d: Dialect,
    s: &Survey,
    column: &dyn Fn(&str, Pos) -> Result<String, Refusal>,
) -> Result<Vec<String>, Refusal> {
    let mut filters = Vec::new();
    for (col, want) in &s.filter.0 {
        let (values, keep) = want.value.values();
        let values: Vec<String> = values
            .iter()
            .map(|v| d.text(&v.trim().to_lowercase()))
            .collect();
        filters.push(format!(
            "lower(coalesce({}, '')) {} ({})",
            d.cell(&column(&col.value, col.pos)?),
            if keep { "in" } else { "not in" },
            values.join(", ")
        ));
    }
    Ok(filters)
}

/// The comments that open the SQL: the survey, its layout and measures, how to bind the
/// result, and that sentiment is not computed here.
fn header(s: &Survey, long: bool, bound: &[Bound]) -> String {
    let mut out = format!(
        "-- journeymap sql: survey `{}`, {} layout: {}\n",
        comment(&s.id.value),
        if long { "long" } else { "wide" },
        comment(
            &bound
                .iter()
                .map(|b| match b.stage {
                    None => measure_name(b.measure).to_owned(),
                    Some("") => format!("overall {}", measure_name(b.measure)),
                    Some(st) => format!("{st} {}", measure_name(b.measure)),
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    out.push_str(
        "-- Save the result as CSV and bind it as a survey with `layout: aggregated`, keeping\n-- its `wave:`, `segment_by:`, `segments:` and `emotion_from:`.\n",
    );
    let sentiment = s.sentiment.as_ref().is_some_and(|x| x.value)
        || s.emotion_from
            .as_ref()
            .is_some_and(|m| m.value == MeasureName::Sentiment);
    if sentiment {
        out.push_str(
            "-- Comment sentiment is not computed here: journeymap scores each comment (VADER),\n-- so it needs the comments themselves, bound from a file with `comment:`.\n",
        );
    }
    out
}

/// `r`: the cells, trimmed, of the rows `where:` keeps.
fn cells(
    d: Dialect,
    stages: &[Stage],
    stage_column: Option<&str>,
    splits: &[(String, Pos)],
    bound: &[Bound],
    from: &str,
    filters: &[String],
) -> String {
    let mut cols = Vec::new();
    if let Some(sc) = stage_column {
        cols.push(format!("{} as stage", stage_of(d, stages, &d.cell(sc))));
    }
    for (i, (name, _)) in splits.iter().enumerate() {
        cols.push(format!("{} as k{i}", d.cell(name)));
    }
    for (i, b) in bound.iter().enumerate() {
        cols.push(format!("{} as c{i}", d.cell(&b.column)));
    }
    format!(
        "with r as (\n  select {}\n  from {from}{}\n),\n",
        cols.join(",\n    "),
        if filters.is_empty() {
            String::new()
        } else {
            format!("\n  where {}", filters.join("\n    and "))
        }
    )
}

/// `p`: each cell missing or not, and its number (a label's, or the one it is written as).
fn parsed(d: Dialect, s: &Survey, bound: &[Bound], group: &[String]) -> String {
    let mut missing: Vec<String> = ["", "na", "n/a", "-99"]
        .iter()
        .map(|m| (*m).to_owned())
        .collect();
    for m in &s.missing {
        let m = m.0.trim().to_lowercase();
        if !missing.contains(&m) {
            missing.push(m);
        }
    }
    let missing: Vec<String> = missing.iter().map(|m| d.text(m)).collect();
    let missing = missing.join(", ");
    let mut parsed = Vec::new();
    for (i, b) in bound.iter().enumerate() {
        let c = format!("c{i}");
        parsed.push(format!(
            "case when {c} is null or lower({c}) in ({missing}) then 1 else 0 end as m{i}"
        ));
        let mut arms = Vec::new();
        for (label, v) in b.labels {
            arms.push(format!(
                "when {c} = {} then {}",
                d.text(label.value.trim()),
                d.number(*v)
            ));
        }
        for (label, v) in b.labels {
            arms.push(format!(
                "when lower({c}) = {} then {}",
                d.text(&label.value.trim().to_lowercase()),
                d.number(*v)
            ));
        }
        arms.push(format!(
            "when {} then {}",
            d.full_match(&c, NUMBER),
            d.to_double(&c)
        ));
        arms.push(format!(
            "when {} and not {} then {}",
            d.full_match(&c, COMMA),
            d.full_match(&c, THOUSANDS),
            d.to_double(&format!("replace({c}, ',', '.')"))
        ));
        parsed.push(format!("case {} end as v{i}", arms.join("\n      ")));
    }
    format!(
        "p as (\n  select {}\n  from r\n),\n",
        group
            .iter()
            .cloned()
            .chain(parsed)
            .collect::<Vec<_>>()
            .join(",\n    ")
    )
}

/// `u`: each binding's answers on its scale, and the cells that are not answers.
fn used(d: Dialect, bound: &[Bound], group: &[String]) -> String {
    let mut used = Vec::new();
    for (i, b) in bound.iter().enumerate() {
        let [lo, hi] = b.scale;
        let mut ok = format!("v{i} >= {} and v{i} <= {}", d.number(lo), d.number(hi));
        if whole(b.measure) {
            ok.push_str(&format!(" and v{i} = floor(v{i})"));
        }
        used.push(format!("case when m{i} = 0 and {ok} then v{i} end as x{i}"));
        used.push(format!("m{i}"));
    }
    format!(
        "u as (\n  select {}\n  from p\n),\n",
        group
            .iter()
            .cloned()
            .chain(used)
            .collect::<Vec<_>>()
            .join(",\n    ")
    )
}

/// `a`: per group, each binding's counts, mean, deviation and skipped cells.
fn figures(d: Dialect, bound: &[Bound], group: &[String]) -> String {
    let int = d.bigint();
    let count = |cond: &str| format!("sum(case when {cond} then 1 else 0 end)");
    let mut figures = Vec::new();
    for (i, b) in bound.iter().enumerate() {
        let x = format!("x{i}");
        let null = format!("cast(null as {int})");
        let (p, pa, de) = if b.measure == MeasureName::Nps {
            (
                count(&format!("{x} >= 9")),
                count(&format!("{x} > 6 and {x} < 9")),
                count(&format!("{x} <= 6")),
            )
        } else {
            (null.clone(), null.clone(), null.clone())
        };
        let top = if b.measure == MeasureName::Csat {
            count(&format!("{x} >= {}", d.number(b.scale[1] - 1.0)))
        } else {
            null.clone()
        };
        figures.push(format!(
            "count({x}) as n{i}, {p} as p{i}, {pa} as q{i}, {de} as d{i}, {top} as t{i},\n    avg({x}) as mean{i}, case when count({x}) > 1 then stddev_samp({x}) end as sd{i},\n    {} as s{i}",
            count(&format!("m{i} = 0 and {x} is null"))
        ));
    }
    format!(
        "a as (\n  select {}\n  from u{}\n)\n",
        group
            .iter()
            .cloned()
            .chain(figures)
            .collect::<Vec<_>>()
            .join(",\n    "),
        if group.is_empty() {
            String::new()
        } else {
            format!("\n  group by {}", group.join(", "))
        }
    )
}

/// The result: one row per binding and group, named as the aggregated layout names them.
fn rows(d: Dialect, bound: &[Bound], keys: &[String], splits: &[(String, Pos)]) -> String {
    let parts: Vec<String> = bound
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let stage = match b.stage {
                None => "stage".to_owned(),
                Some(st) => d.text(st),
            };
            let keys: String = keys.iter().map(|k| format!("{k}, ")).collect();
            format!(
                "select {stage} as stage, {} as measure, {keys}n{i} as n, p{i} as promoters, q{i} as passives, d{i} as detractors, t{i} as top_box, mean{i} as mean, sd{i} as stddev, s{i} as skipped, {} as scale_min, {} as scale_max from a",
                d.text(measure_name(b.measure)),
                d.number(b.scale[0]),
                d.number(b.scale[1])
            )
        })
        .collect();
    let named: Vec<String> = splits
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("k{i} as {}", d.ident(name)))
        .collect();
    let order: String = keys.iter().map(|k| format!(", {k} nulls first")).collect();
    format!(
        "select stage, measure, {}n, promoters, passives, detractors, top_box, mean, stddev, skipped, scale_min, scale_max\nfrom (\n  {}\n) b\nwhere n + skipped > 0\norder by stage, measure{order};\n",
        named.iter().map(|n| format!("{n}, ")).collect::<String>(),
        parts.join("\n  union all ")
    )
}

/// A survey of aggregated rows has no SQL: it is what the SQL gives.
pub fn aggregated_already(s: &Survey) -> Option<Refusal> {
    (s.layout == Layout::Aggregated).then(|| {
        (
            s.id.pos,
            format!(
                "survey `{}` is aggregated already (`layout: aggregated`)",
                s.id.value
            ),
        )
    })
}

/// A stage cell as a stage id: an id or a name in any case; an empty cell is `(empty)` and a
/// cell that says `overall` is `(overall)` (the aggregated layout would read either as the
/// whole journey), and any other is left as it is, so that reading the result back reports it.
fn stage_of(d: Dialect, stages: &[Stage], cell: &str) -> String {
    let mut arms = vec![format!("when {cell} is null or {cell} = '' then '(empty)'")];
    for st in stages {
        arms.push(format!(
            "when lower({cell}) = {} then {}",
            d.text(&crate::words::fold(&st.id.value)),
            d.text(&st.id.value)
        ));
    }
    let ids: Vec<String> = stages
        .iter()
        .map(|st| crate::words::fold(&st.id.value))
        .collect();
    for st in stages {
        let name = crate::words::fold(st.name.trim());
        // A name that is an id (in any case) is resolved as that id already.
        if !ids.contains(&name) {
            arms.push(format!(
                "when lower({cell}) = {} then {}",
                d.text(&name),
                d.text(&st.id.value)
            ));
        }
    }
    arms.push(format!("when lower({cell}) = 'overall' then '(overall)'"));
    format!("case {} else {cell} end", arms.join("\n      "))
}
