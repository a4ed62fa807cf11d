//! The `journeymap` binary: parse the command line, run, turn the outcome into an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match journeymap::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // --help and --version are successes; anything else is a usage error (2).
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = journeymap::run(cli);
    // A run cut short by a signal ends with the handler's exit (130), not with the error
    // the interruption caused.
    journeymap::output::wait_if_interrupted();
    match result {
        Ok(outcome) => outcome.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
