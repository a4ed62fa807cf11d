//! The subcommands, one file each: each turns its arguments into work on the library and an
//! [`Outcome`]. Nothing below `cmd` knows about clap.

mod completions;
mod diff;
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

/// Run a parsed command line. Errors of the tool itself (I/O, templates) come back as `Err`
/// and mean exit 2; problems in the user's files are printed as diagnostics.
pub fn run(cli: Cli) -> Result<Outcome> {
    crate::output::clean_up_on_signals();
    match cli.command {
        Command::Render(args) => render::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Init { dir } => init::run(&dir),
        Command::Import(ImportCommand::Mermaid { file, output }) => {
            import::run(&file, output.as_deref())
        }
        Command::Templates(TemplatesCommand::Export { dir }) => templates::export(&dir),
        Command::Schema => schema::run(),
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
