//! `journeymap completions SHELL` and the (hidden) `man`: both generated from the command
//! line's definition.

use anyhow::Result;

use crate::Outcome;
use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) -> Result<Outcome> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "journeymap", &mut out);
    crate::output::write_stdout(&out)?;
    Ok(Outcome::Ok)
}

pub fn man() -> Result<Outcome> {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    crate::output::write_stdout(&out)?;
    Ok(Outcome::Ok)
}
