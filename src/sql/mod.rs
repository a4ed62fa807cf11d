//! `journeymap sql`: the SQL that computes, in a warehouse, exactly what journeymap computes
//! locally: an event log's funnel (`events`) and a survey's aggregates (`survey`), each
//! written for one of four dialects (the guide: "Reach in the warehouse", "Surveys in the
//! warehouse").
//!
//! Invariants: every dialect difference lives in `Dialect`; every name and text from a map
//! or a file goes through `quote` (one quoting function per kind and dialect); the queries
//! read text cells (trimmed) so that a typed warehouse column and a CSV cell are judged alike.

mod events;
mod paths;
mod props;
mod quote;
mod survey;

pub use events::{Step, event_log};
pub use quote::comment;
pub use survey::{Refusal, aggregated_already, survey};

use crate::model::TimeUnit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Duckdb,
    Bigquery,
    Snowflake,
    Spark,
}

impl Dialect {
    /// Every row of `from` once: exact duplicates dropped (BigQuery cannot `select distinct`
    /// a row with nested data, so it keeps the first of each row's JSON).
    fn distinct_rows(self, from: &str) -> String {
        match self {
            Dialect::Bigquery => format!(
                "select * from {from} as src where true qualify row_number() over (partition by to_json_string(src)) = 1"
            ),
            _ => format!("select distinct * from {from}"),
        }
    }

    /// Whether the engine can read a local file itself (DuckDB and Spark); the others read
    /// tables only.
    pub fn reads_files(self) -> bool {
        matches!(self, Dialect::Duckdb | Dialect::Spark)
    }

    /// A column as trimmed text.
    fn cell(self, name: &str) -> String {
        format!("trim(cast({} as string))", self.ident(name))
    }

    /// A column of an event log as trimmed text: a dotted name is a path into nested data
    /// (`properties.$session_id` of a JSON line), as the local reader takes it.
    fn cell_path(self, name: &str) -> String {
        format!("trim(cast({} as string))", self.path(name))
    }

    fn double(self) -> &'static str {
        match self {
            Dialect::Bigquery => "float64",
            _ => "double",
        }
    }

    fn bigint(self) -> &'static str {
        match self {
            Dialect::Bigquery => "int64",
            _ => "bigint",
        }
    }

    /// Microseconds since the epoch from text `x`: an epoch number (in `unit`, or told from its
    /// length as the local engine does), or a timestamp (zoneless: UTC).
    fn micros(self, x: &str, unit: Option<TimeUnit>) -> String {
        let int = format!("cast({x} as {})", self.bigint());
        let per = |u: TimeUnit| match u {
            TimeUnit::S => "1000000",
            TimeUnit::Ms => "1000",
            TimeUnit::Us => "1",
        };
        if let Some(u) = unit {
            return format!("{int} * {}", per(u));
        }
        let digits = match self {
            Dialect::Duckdb => format!("regexp_full_match({x}, '[0-9]+')"),
            Dialect::Spark => format!("{x} rlike '^[0-9]+$'"),
            Dialect::Bigquery => format!("regexp_contains({x}, r'^[0-9]+$')"),
            Dialect::Snowflake => format!("regexp_like({x}, '[0-9]+')"),
        };
        let parsed = match self {
            Dialect::Duckdb => format!("epoch_us(cast({x} as timestamptz))"),
            Dialect::Spark => format!("unix_micros(cast({x} as timestamp))"),
            Dialect::Bigquery => format!("unix_micros(timestamp({x}))"),
            Dialect::Snowflake => format!("date_part(epoch_microsecond, to_timestamp_tz({x}))"),
        };
        format!(
            "case when {digits} then {int} * (case when length({x}) <= 10 then 1000000 when length({x}) <= 13 then 1000 else 1 end) else {parsed} end"
        )
    }

    /// A day (`YYYY-MM-DD`) from microseconds, in UTC.
    fn day(self, us: &str) -> String {
        match self {
            Dialect::Duckdb => format!("strftime(make_timestamp({us}), '%Y-%m-%d')"),
            Dialect::Spark => format!(
                "cast(date_add(date '1970-01-01', cast(floor({us} / 86400000000) as int)) as string)"
            ),
            Dialect::Bigquery => format!("format_timestamp('%F', timestamp_micros({us}))"),
            Dialect::Snowflake => format!("to_char(to_timestamp_ntz({us}, 6), 'YYYY-MM-DD')"),
        }
    }

    /// The `q` quantile of `x` as an aggregate, by linear interpolation between the two
    /// nearest ranks (`q` = 0.5 is the median); BigQuery has it only as a window function.
    fn quantile_agg(self, x: &str, q: f64) -> Option<String> {
        match self {
            Dialect::Duckdb | Dialect::Snowflake if q == 0.5 => Some(format!("median({x})")),
            Dialect::Duckdb => Some(format!("quantile_cont({x}, {q})")),
            Dialect::Snowflake => Some(format!("percentile_cont({q}) within group (order by {x})")),
            Dialect::Spark => Some(format!("percentile({x}, {q})")),
            Dialect::Bigquery => None,
        }
    }

    /// The `q` quantile of `x` over the rows of `from` where it is not null, as a scalar.
    fn quantile(self, x: &str, from: &str, q: f64) -> String {
        match self.quantile_agg(x, q) {
            Some(agg) => format!("(select {agg} from {from})"),
            None => format!(
                "(select any_value(m) from (select percentile_cont({x}, {q}) over () as m from {from} where {x} is not null))"
            ),
        }
    }

    /// The median, 25th and 90th percentiles of `x` per `key` over the rows of `from`
    /// (seconds, from µs), with `count(reached)` beside them: the select expressions and the
    /// relation to group by `key`.
    fn quantiles_by(self, x: &str, key: &str, reached: &str, from: &str) -> ([String; 3], String) {
        let qs = [0.5, 0.25, 0.9];
        match qs.map(|q| self.quantile_agg(x, q)) {
            [Some(m50), Some(m25), Some(m90)] => (
                [m50, m25, m90].map(|m| format!("{m} / 1000000.0")),
                from.to_owned(),
            ),
            _ => (
                ["m50", "m25", "m90"].map(|m| format!("any_value({m}) / 1000000.0")),
                format!(
                    "(select {key}, {reached}, percentile_cont({x}, 0.5) over (partition by {key}) as m50, percentile_cont({x}, 0.25) over (partition by {key}) as m25, percentile_cont({x}, 0.9) over (partition by {key}) as m90 from {from}) b"
                ),
            ),
        }
    }

    /// Statements that make times without a zone UTC, as the local engine reads them.
    fn preamble(self) -> &'static str {
        match self {
            Dialect::Duckdb => "set TimeZone = 'UTC';\n",
            Dialect::Spark => "set time zone 'UTC';\n",
            Dialect::Snowflake => "alter session set timezone = 'UTC';\n",
            Dialect::Bigquery => "",
        }
    }
}

/// Where the SQL reads the log: a table, or (DuckDB and Spark) the file itself.
pub enum Source<'a> {
    Table(&'a str),
    File(&'a str),
}

impl Dialect {
    /// The relation a query reads: the table, or (DuckDB and Spark) the file itself, every
    /// column as text, quotes doubled inside quoted cells and newlines allowed in them (RFC
    /// 4180). Spark reads a file through a temporary view named after `id`, whose statement
    /// is added to `out`. `what` names the binding in errors.
    fn relation(
        self,
        source: &Source,
        id: &str,
        what: &str,
        delimiter: Option<u8>,
        out: &mut String,
    ) -> Result<String, String> {
        let path = match source {
            Source::Table(t) => return Ok(self.table(t)),
            Source::File(path) => *path,
        };
        let json = std::path::Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"));
        match self {
            Dialect::Duckdb if json => Ok(format!(
                "read_json({}, format = 'newline_delimited')",
                self.text(path)
            )),
            Dialect::Duckdb => Ok(format!(
                "read_csv({}, header = true, all_varchar = true{})",
                self.text(path),
                delimiter.map_or(String::new(), |c| format!(
                    ", delim = {}",
                    self.text(&char::from(c).to_string())
                ))
            )),
            Dialect::Spark => {
                let view = self.ident(&format!("journeymap_{}", id.replace(['-', '.'], "_")));
                out.push_str(&format!(
                    "create or replace temporary view {view} using {} options (path {}{});\n",
                    if json { "json" } else { "csv" },
                    self.text(path),
                    if json {
                        String::new()
                    } else {
                        format!(
                            ", header 'true', escape '\"', multiLine 'true'{}",
                            delimiter.map_or(String::new(), |c| format!(
                                ", sep {}",
                                self.text(&char::from(c).to_string())
                            ))
                        )
                    }
                ));
                Ok(view)
            }
            Dialect::Bigquery | Dialect::Snowflake => Err(format!(
                "{what} has no `table:`; load {path} into a table and name it with `table:`"
            )),
        }
    }
}
