//! `journeymap explain CODE`: a diagnostic code explained from the registry: what it means,
//! how to fix it, and a map that triggers it with what `validate` says of it.

use std::fmt::Write as _;

use anyhow::{Result, bail};

use crate::Outcome;
use crate::diagnostic::{Code, explain};

pub fn run(asked: &str) -> Result<Outcome> {
    let Some(code) = explain::parse(asked) else {
        let ids = Code::ALL.iter().map(|c| c.id());
        let wanted = asked.trim().to_uppercase();
        let hint = crate::suggest::closest(&wanted, ids)
            .map(|id| format!("; did you mean {id}?"))
            .unwrap_or_default();
        bail!(
            "there is no diagnostic code `{asked}`{hint} (codes look like JM108; `journeymap validate` prints them)"
        );
    };
    crate::output::write_stdout(text(code).as_bytes())?;
    Ok(Outcome::Ok)
}

/// The explanation, as printed.
fn text(code: Code) -> String {
    let mut out = format!(
        "{} ({}): {}\n\nHow to fix it: {}\n",
        code.id(),
        code.severity().as_str(),
        code.summary(),
        explain::fix(code)
    );
    if let Some(e) = explain::example(code) {
        let indent = |text: &str| {
            text.lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        };
        let _ = write!(
            out,
            "\nA file that gets it (tests/fixtures/invalid/{}/{}):\n\n{}\n`{}` says:\n\n{}",
            e.folder,
            e.file,
            indent(e.text),
            e.command,
            indent(e.report)
        );
    }
    out
}
