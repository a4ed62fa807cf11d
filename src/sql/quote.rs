//! Quoting: the only way a name or a text from a map (or a file's header) enters generated
//! SQL. Four functions per dialect: [`Dialect::ident`] (one identifier), [`Dialect::path`]
//! (a dotted column path into nested data), [`Dialect::table`] (a dotted table name),
//! [`Dialect::text`] (a string literal); and [`comment`] for text shown in a `--` comment.
//!
//! Invariants: whatever the input (quotes, backticks, backslashes, line breaks, `--`, `;`,
//! any Unicode), the output is exactly one identifier or one literal that the engine reads
//! back as the input; a line comment never holds a line break. `tests/sql.rs` checks this with
//! random names on DuckDB and Spark and with sqlglot for every dialect.

use super::Dialect;

impl Dialect {
    /// One identifier, quoted.
    ///
    /// DuckDB and Snowflake double `"`; Spark doubles a backtick (it has no escapes in
    /// identifiers); BigQuery escapes `\` and a backtick with a backslash, and line breaks and
    /// other control characters as escapes (its quoted identifiers read escapes as its
    /// strings do). The other dialects keep a line break inside a quoted name as it is.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Duckdb | Dialect::Snowflake => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::Bigquery => format!("`{}`", escaped(name, '`')),
        }
    }

    /// Whether `name` can be written as an identifier: it is not empty and holds no NUL
    /// (which no engine keeps in a name).
    pub fn can_name(name: &str) -> Result<(), String> {
        if name.is_empty() {
            return Err("an empty name".to_owned());
        }
        if name.contains('\0') {
            return Err("a name with a NUL character in it".to_owned());
        }
        Ok(())
    }

    /// A column path into nested data (`properties.$session_id`): each dotted part an
    /// identifier.
    pub fn path(self, name: &str) -> String {
        name.split('.')
            .map(|part| self.ident(part))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A table as a map names it (`shop.events`, `project.dataset.events`): each dotted part
    /// an identifier. A part written as a plain name (letters, digits, `_`) keeps the meaning
    /// it has unquoted: Snowflake reads an unquoted name in upper case, so it is quoted in
    /// upper case there.
    pub fn table(self, name: &str) -> String {
        name.split('.')
            .map(|part| {
                let plain = part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                match self {
                    Dialect::Snowflake if plain => self.ident(&part.to_ascii_uppercase()),
                    _ => self.ident(part),
                }
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Whether `name` can be written as a table name: dotted parts, none empty, no control
    /// characters, at most three parts (catalog, schema, table).
    pub fn can_be_table(name: &str) -> Result<(), String> {
        let parts: Vec<&str> = name.split('.').collect();
        if parts.len() > 3 {
            return Err(format!(
                "`{}` has {} dotted parts; a table is named by at most three (catalog.schema.table)",
                comment(name),
                parts.len()
            ));
        }
        if parts.iter().any(|p| p.is_empty()) {
            return Err(format!(
                "`{}` has an empty part; write the table as schema.table",
                comment(name)
            ));
        }
        for p in parts {
            Self::can_name(p).map_err(|why| format!("`{}` is {why}", comment(name)))?;
        }
        Ok(())
    }

    /// A string literal.
    ///
    /// DuckDB doubles `'` and has no escapes in a plain literal, so a control character is
    /// joined on as `chr(n)`; Snowflake, Spark and BigQuery escape `\` and `'` with a
    /// backslash, and control characters as `\uXXXX` (Spark 3 reads `''` inside a literal as
    /// two literals run together, so the quote is never doubled there).
    pub fn text(self, value: &str) -> String {
        match self {
            Dialect::Duckdb => {
                if !value.contains(|c: char| c.is_control()) {
                    return format!("'{}'", value.replace('\'', "''"));
                }
                let mut parts = Vec::new();
                let mut run = String::new();
                for c in value.chars() {
                    if c.is_control() {
                        if !run.is_empty() {
                            parts.push(format!("'{}'", run.replace('\'', "''")));
                            run.clear();
                        }
                        parts.push(format!("chr({})", u32::from(c)));
                    } else {
                        run.push(c);
                    }
                }
                if !run.is_empty() {
                    parts.push(format!("'{}'", run.replace('\'', "''")));
                }
                format!("({})", parts.join(" || "))
            }
            Dialect::Snowflake | Dialect::Spark | Dialect::Bigquery => {
                format!("'{}'", escaped(value, '\''))
            }
        }
    }
}

/// `s` with `\`, `quote` and control characters written as backslash escapes.
fn escaped(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Text for a `--` comment: control characters, and the line and paragraph separators some
/// readers end a line at, written as `\u{…}`, so the comment ends where journeymap ends it.
pub fn comment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_per_dialect() {
        assert_eq!(Dialect::Duckdb.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Snowflake.ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Spark.ident("a`b"), "`a``b`");
        assert_eq!(Dialect::Bigquery.ident("a`b\\"), "`a\\`b\\\\`");
        assert_eq!(Dialect::Bigquery.ident("a\nb"), "`a\\nb`");
    }

    #[test]
    fn tables_keep_the_meaning_of_plain_names() {
        assert_eq!(Dialect::Duckdb.table("shop.events"), "\"shop\".\"events\"");
        assert_eq!(
            Dialect::Snowflake.table("shop.events"),
            "\"SHOP\".\"EVENTS\""
        );
        assert_eq!(
            Dialect::Snowflake.table("shop.My Events"),
            "\"SHOP\".\"My Events\""
        );
        assert_eq!(
            Dialect::Bigquery.table("my-project.ds.events"),
            "`my-project`.`ds`.`events`"
        );
        assert_eq!(
            Dialect::Spark.table("events) select 1; drop table victims; --"),
            "`events) select 1; drop table victims; --`"
        );
        assert!(Dialect::can_be_table("a.b.c").is_ok());
        assert!(Dialect::can_be_table("a..b").is_err());
        assert!(Dialect::can_be_table("a.b.c.d").is_err());
        assert!(Dialect::can_be_table("a\0b").is_err());
    }

    #[test]
    fn literals_per_dialect() {
        assert_eq!(Dialect::Duckdb.text("it's"), "'it''s'");
        assert_eq!(Dialect::Duckdb.text("a\nb'"), "('a' || chr(10) || 'b''')");
        assert_eq!(Dialect::Spark.text("it's \\"), "'it\\'s \\\\'");
        assert_eq!(Dialect::Bigquery.text("a\nb"), "'a\\nb'");
        assert_eq!(Dialect::Snowflake.text("a\u{1}"), "'a\\u0001'");
    }

    #[test]
    fn comments_hold_no_line_break() {
        let c = comment("log\nCREATE TABLE pwned AS SELECT 42;\r\n--\u{2028}x");
        assert!(!c.contains(['\n', '\r', '\u{2028}']), "{c}");
        assert_eq!(
            c,
            "log\\u{a}CREATE TABLE pwned AS SELECT 42;\\u{d}\\u{a}--\\u{2028}x"
        );
    }
}
