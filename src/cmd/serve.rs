//! `journeymap serve`: the arguments become the server's configuration; the library serves.

use anyhow::Result;

use crate::Outcome;
use crate::cli::ServeArgs;

pub fn run(args: &ServeArgs) -> Result<Outcome> {
    crate::serve::serve(crate::serve::Config {
        path: args.path.clone(),
        bind: args.bind,
        port: args.port,
        templates: crate::cli::dir_or_env(args.templates.as_deref(), "JOURNEYMAP_TEMPLATES"),
        root: crate::cli::dir_or_env(args.root.as_deref(), "JOURNEYMAP_ROOT"),
        clock: super::clock()?,
        reading: super::reading(),
    })
}
