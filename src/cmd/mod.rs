//! The subcommands, one file each: each turns its arguments into work on the library and an
//! [`Outcome`]. Nothing below `cmd` knows about clap.

mod completions;
mod diff;
mod explain;
mod import;
mod init;
mod render;
mod schema;
mod serve;
mod sql;
mod templates;
mod validate;

use anyhow::Result;

use crate::Outcome;
use crate::cli::{Cli, Command, ImportCommand, TemplatesCommand};
use crate::survey::Reading;
use crate::validate::{Checks, Clock};

/// Run a parsed command line. Errors of the tool itself (I/O, templates) come back as `Err`
/// and mean exit 2; problems in the user's files are printed as diagnostics.
pub fn run(cli: Cli) -> Result<Outcome> {
    crate::output::clean_up_on_signals();
    match cli.command {
        Command::Render(args) => render::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Init { dir, portfolio } => init::run(&dir, portfolio, clock()?.today()),
        Command::Import(ImportCommand::Mermaid { file, output }) => {
            import::run(&file, output.as_deref())
        }
        Command::Templates(TemplatesCommand::Export { dir }) => templates::export(&dir),
        Command::Schema => schema::run(),
        Command::Explain { code } => explain::run(&code),
        Command::Sql(args) => sql::run(&args),
        Command::Completions { shell } => completions::run(shell),
        Command::Man => completions::man(),
        Command::RenderTemplate {
            templates,
            name,
            live_reload,
        } => crate::render::child(&templates, &name, live_reload),
    }
}

/// The checks a command runs: today's date from [`clock`], surveys read as [`reading`] says.
fn checks(max_age_days: Option<u32>) -> Result<Checks> {
    Ok(Checks {
        max_age_days,
        today: clock()?.today(),
        reading: reading(),
    })
}

/// Today's date: `JOURNEYMAP_TODAY` (YYYY-MM-DD) when set, so that tests and reproducible
/// builds can pin it (a value that is not a date is an error, not silently ignored); else the
/// clock in this machine's time zone.
fn clock() -> Result<Clock> {
    match std::env::var("JOURNEYMAP_TODAY") {
        Ok(s) if !s.is_empty() => s.parse().map(Clock::Pinned).map_err(|_| {
            anyhow::anyhow!("JOURNEYMAP_TODAY is `{s}`, not a date; write it as YYYY-MM-DD")
        }),
        _ => Ok(Clock::Local(local_zone())),
    }
}

/// This machine's time zone. Without `TZ`, `/etc/localtime` is read as the TZif file it is:
/// asking jiff for the system zone would first list the whole time-zone database (a walk of
/// `/usr/share/zoneinfo` that took a third of a small map's render).
fn local_zone() -> jiff::tz::TimeZone {
    if std::env::var_os("TZ").is_none()
        && let Ok(bytes) = std::fs::read("/etc/localtime")
        && let Ok(tz) = jiff::tz::TimeZone::tzif("Local", &bytes)
    {
        return tz;
    }
    jiff::tz::TimeZone::system()
}

/// How surveys are read: on every core, with a progress bar for large files on an interactive
/// stderr. `JOURNEYMAP_THREADS=N` cuts every file into N parts whatever its size (the tests
/// use it); a value that is not a number is said on stderr and ignored.
fn reading() -> Reading {
    use std::io::IsTerminal;
    let mut reading = Reading::on_every_core();
    if let Some(value) = std::env::var_os("JOURNEYMAP_THREADS") {
        match value.to_str().and_then(|v| v.trim().parse::<usize>().ok()) {
            Some(n) => reading = Reading::cut_into(n),
            None => eprintln!(
                "journeymap: JOURNEYMAP_THREADS={} is not a number of threads; surveys are read on every core",
                value.to_string_lossy()
            ),
        }
    }
    reading.progress = std::io::stderr().is_terminal();
    reading
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_local_zone_read_directly_is_the_system_zone() {
        // The same offsets as jiff's own lookup of the system zone, at instants a year apart
        // (summer and winter where the zone has them).
        let (ours, jiffs) = (super::local_zone(), jiff::tz::TimeZone::system());
        for s in [0i64, 1_700_000_000, 1_715_000_000, 1_735_000_000] {
            let t = jiff::Timestamp::from_second(s).unwrap();
            assert_eq!(ours.to_offset(t), jiffs.to_offset(t), "{t}");
        }
    }
}
