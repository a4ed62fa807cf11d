//! `journeymap validate`: every map through the pipeline, every diagnostic on stdout.

use anyhow::Result;

use crate::Outcome;
use crate::cli::ValidateArgs;
use crate::diagnostic::{self, Format};
use crate::pipeline;

pub fn run(args: &ValidateArgs) -> Result<Outcome> {
    let checks = super::checks(Some(args.max_age))?;
    let maps = pipeline::collect_maps(&args.paths)?;
    let root = crate::cli::dir_or_env(args.root.as_deref(), "JOURNEYMAP_ROOT");
    let (results, sources) = pipeline::check_all(&maps, checks, root.as_deref());
    let outcome = results
        .iter()
        .map(|c| c.outcome(args.strict))
        .max()
        .unwrap_or(Outcome::Ok);
    let all: Vec<diagnostic::Diagnostic> =
        results.into_iter().flat_map(|c| c.diagnostics).collect();
    let mut text = diagnostic::format_all(&all, &sources, args.format);
    if args.format == Format::Human {
        if all.is_empty() {
            text.push_str("ok: no problems found\n");
        } else {
            text.push_str(&format!("{}\n", diagnostic::summary(&all)));
            text.push_str(&diagnostic::explain_hint(&all));
        }
    }
    crate::output::write_stdout(text.as_bytes())?;
    Ok(outcome)
}
