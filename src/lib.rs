//! journeymap: journey maps that live in git.
//!
//! The pipeline reads top to bottom, each stage using only the previous one's output:
//! `load` reads a YAML map into model types (syntax and type errors become diagnostics),
//! `validate` checks references, ranges and duplicates (collecting every problem),
//! `survey` streams the bound CSV exports into per-stage aggregates,
//! `enrich` turns the map and aggregates into the render context (backlog, funnel,
//! metrics, emotion curves), and
//! `render` feeds that context to minijinja templates embedded in the binary; `output`
//! writes the result atomically. `pipeline` runs load → validate → survey for one map;
//! `cmd` holds one file per subcommand, and `run` dispatches to them.

pub mod analytics;
pub mod chromium;
pub mod cli;
mod cmd;
pub mod diagnostic;
pub mod diff;
pub mod enrich;
pub mod format;
pub mod fuzzing;
pub mod import;
pub mod init;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod portfolio;
pub mod render;
pub mod sentiment;
pub mod serve;
pub mod sql;
pub mod suggest;
pub mod survey;
pub mod targets;
pub mod textfit;
pub mod themes;
pub mod trackers;
pub mod validate;
pub mod words;

use std::process::ExitCode;

pub use cmd::run;

/// How a run ended; becomes the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// 0: success (warnings allowed).
    Ok = 0,
    /// 1: problems in the user's maps, warnings under `--strict`, or stale files under `--check`.
    Problems = 1,
    /// 2: usage errors, files that cannot be read or written.
    Failure = 2,
}

impl From<Outcome> for ExitCode {
    fn from(o: Outcome) -> ExitCode {
        ExitCode::from(o as u8)
    }
}
