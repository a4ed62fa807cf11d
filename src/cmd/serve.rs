//! `journeymap serve`: the arguments become the server's configuration; the library serves.

use anyhow::Result;

use crate::Outcome;
use crate::cli::ServeArgs;

pub fn run(args: &ServeArgs) -> Result<Outcome> {
    crate::serve::serve(crate::serve::Config {
        path: args.path.clone(),
        bind: args.bind,
        port: args.port,
        templates: args.templates.clone(),
        root: args.root.clone(),
    })
}
