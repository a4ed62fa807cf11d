//! The command line (the guide: "Validation", "Rendering", "Diff"). Doc comments here are the `--help` text.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::Format as DiagFormat;

/// Journey maps that live in git: validate a YAML map and render it to HTML, Markdown or JSON.
#[derive(Debug, Parser)]
#[command(name = "journeymap", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render maps to HTML, Markdown, JSON, or (through Chromium) PDF and PNG.
    Render(RenderArgs),
    /// Preview maps in the browser: a local server that renders on request and reloads the
    /// page whenever the map, its persona, surveys or templates change.
    Serve(ServeArgs),
    /// Check maps and report every problem at its line and column.
    Validate(ValidateArgs),
    /// Write a starter map, a sample survey and the JSON Schema into DIR.
    Init {
        /// Where to write the files (created if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write a small portfolio instead: a lifecycle, a journey that details one of its
        /// stages, a sub-journey below that, and the persona file the three share.
        #[arg(long)]
        portfolio: bool,
    },
    /// Print the JSON Schema of the map format, for editors' YAML language servers.
    Schema,
    /// Explain a diagnostic code: what it means, how to fix it, and a map that gets it.
    Explain {
        /// The code, as `validate` prints it (JM108).
        code: String,
    },
    /// Print the SQL that computes the map's event-log funnels in a warehouse, exactly as
    /// `render` computes them locally; save its result as CSV and bind it under `analytics:`.
    Sql(SqlArgs),
    /// Compare two versions of a map: stages, emotions, pain points, solutions, backlog
    /// and survey measures. Each side is a file, or REV:path read from git.
    Diff(DiffArgs),
    /// Work with the built-in templates.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Turn another tool's diagram into a map.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), generated from this command line.
    Man,
    /// Render one user template in a child process with a memory limit (internal: reads the
    /// context as JSON on stdin, writes the page to stdout).
    #[command(hide = true, name = "__render-template")]
    RenderTemplate {
        #[arg(long)]
        templates: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        live_reload: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Write the built-in templates to DIR, to start a custom look from (never overwrites).
    Export { dir: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Turn a Mermaid `journey` diagram into a map: sections become stages, tasks become
    /// actions, the mean task score (1..5) becomes the stage emotion (score − 3).
    Mermaid {
        /// The .mmd file.
        file: PathBuf,
        /// Where to write the map (default: stdout).
        #[arg(short = 'o', long = "output", value_name = "MAP")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// The map.
    pub map: PathBuf,
    /// The SQL dialect.
    #[arg(long, value_enum, default_value = "duckdb")]
    pub dialect: crate::sql::Dialect,
    /// Only this event log (by id); every survey and event log by default.
    #[arg(long, value_name = "ID", conflicts_with = "survey")]
    pub log: Option<String>,
    /// Only this survey (by id).
    #[arg(long, value_name = "ID")]
    pub survey: Option<String>,
    /// The folder the map may read files from (default: JOURNEYMAP_ROOT when set and not
    /// empty, else the git work tree that holds the map, or its folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old version: a file, or REV:path (read with `git show`).
    pub old: String,
    /// The new version: a file, or REV:path.
    pub new: String,
    /// Output format: markdown (for a pull-request comment), human (terminal), json.
    #[arg(short = 'f', long = "format", value_enum, default_value = "markdown")]
    pub format: DiffFormat,
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Map files (or directories, scanned for *.journey.yaml).
    #[arg(required = true, value_name = "MAP")]
    pub maps: Vec<PathBuf>,
    /// Output format; taken from the extension of -o when absent, html otherwise. pdf and
    /// png print the HTML page in the Chromium installed on this machine.
    #[arg(short = 'f', long = "format", value_enum)]
    pub format: Option<OutputFormat>,
    /// The paper of a PDF: a3 or a4 landscape (the grid zoomed to the page width), or
    /// poster: one page as tall as the whole map.
    #[arg(long, value_enum, value_name = "PAPER")]
    pub paper: Option<crate::chromium::Paper>,
    /// The width of a PNG, or of a poster PDF, in CSS pixels [default: 1440].
    #[arg(long, value_name = "PX", value_parser = clap::value_parser!(u32).range(320..=8000))]
    pub width: Option<u32>,
    /// Device pixels per CSS pixel of a PNG (2 for a sharp slide) [default: 1].
    #[arg(long, value_name = "FACTOR")]
    pub scale: Option<f64>,
    /// The Chromium (or Chrome) that makes PDF and PNG; default: JOURNEYMAP_CHROMIUM when set
    /// and not empty, else chromium, chromium-browser or google-chrome on PATH.
    #[arg(long, value_name = "PATH")]
    pub chromium: Option<PathBuf>,
    /// The longest Chromium may take for one page, start-up included, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Output: a file, a directory ending in `/` (one file per map plus an index), or `-`
    /// for stdout (the default for one map).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// Write nothing; exit 1 when the file at -o differs from what would be written.
    #[arg(long)]
    pub check: bool,
    /// Templates that override the built-in ones, file by file (see `templates export`);
    /// default: JOURNEYMAP_TEMPLATES when set and not empty.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// How diagnostics are printed (on stderr).
    #[arg(long = "diagnostics", value_enum, default_value = "human")]
    pub diagnostics: DiagFormat,
    /// The folder maps may read persona and survey files from (default: JOURNEYMAP_ROOT
    /// when set and not empty, else the git work tree that holds each map, or its folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Do not say on stderr which files were written.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// On the index, mark a map stale when its `reviewed:` date is older than this many
    /// days (or absent).
    #[arg(long, value_name = "DAYS", default_value_t = 180)]
    pub max_age: u32,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// A map file, or a directory: its maps are listed on an index page.
    #[arg(default_value = ".", value_name = "PATH")]
    pub path: PathBuf,
    /// The port to listen on (0: any free port; the URL printed says which).
    #[arg(long, short = 'p', default_value_t = 8000)]
    pub port: u16,
    /// The address to listen on. The preview has no authentication: keep it on this machine.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Templates that override the built-in ones, file by file; default: JOURNEYMAP_TEMPLATES
    /// when set and not empty. Watched like the maps.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// The folder maps may read persona and survey files from (default: JOURNEYMAP_ROOT
    /// when set and not empty, else the git work tree that holds each map, or its folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Map files, or directories scanned for *.journey.yaml and *.journey.yml.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// How diagnostics are printed.
    #[arg(long, value_enum, default_value = "human")]
    pub format: DiagFormat,
    /// Treat warnings as errors (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Warn when the map's `reviewed:` date is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 180)]
    pub max_age: u32,
    /// The folder maps may read persona and survey files from (default: JOURNEYMAP_ROOT
    /// when set and not empty, else the git work tree that holds each map, or its folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// A folder named by a flag, or else by an environment variable that is set and not empty
/// (`JOURNEYMAP_TEMPLATES=` means none).
pub fn dir_or_env(flag: Option<&std::path::Path>, var: &str) -> Option<PathBuf> {
    flag.map(std::path::Path::to_path_buf)
        .or_else(|| std::env::var_os(var).map(PathBuf::from))
        .filter(|d| !d.as_os_str().is_empty())
}

pub use crate::format::{DiffFormat, OutputFormat};

/// clap's `ValueEnum` for a library enum: its variants, each with the word the command line
/// takes and an optional help line. The library's enums carry no clap derive.
macro_rules! value_enum {
    ($t:ty { $($v:path => $word:literal $(: $help:literal)?),+ $(,)? }) => {
        impl ValueEnum for $t {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($v),+]
            }
            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(match self {
                    $($v => PossibleValue::new($word)$(.help($help))?,)+
                })
            }
        }
    };
}

value_enum!(OutputFormat {
    OutputFormat::Html => "html",
    OutputFormat::Markdown => "markdown",
    OutputFormat::Json => "json",
    OutputFormat::Pdf => "pdf",
    OutputFormat::Png => "png",
});

value_enum!(DiffFormat {
    DiffFormat::Markdown => "markdown",
    DiffFormat::Human => "human",
    DiffFormat::Json => "json",
});

value_enum!(crate::chromium::Paper {
    crate::chromium::Paper::A3 => "a3": "A3 landscape (420 × 297 mm), the grid zoomed to the page width",
    crate::chromium::Paper::A4 => "a4": "A4 landscape (297 × 210 mm), the grid zoomed to the page width",
    crate::chromium::Paper::Poster => "poster": "One page as tall as the whole map, `--width` CSS pixels wide: a poster",
});

value_enum!(crate::diagnostic::Format {
    crate::diagnostic::Format::Human => "human",
    crate::diagnostic::Format::Short => "short",
    crate::diagnostic::Format::Json => "json",
    crate::diagnostic::Format::Github => "github",
});

value_enum!(crate::sql::Dialect {
    crate::sql::Dialect::Duckdb => "duckdb",
    crate::sql::Dialect::Bigquery => "bigquery",
    crate::sql::Dialect::Snowflake => "snowflake",
    crate::sql::Dialect::Spark => "spark",
});
