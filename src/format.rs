//! The formats and kinds the library is asked for: plain enums, with no command line in them.
//! `cli.rs` maps flags onto them (it implements clap's `ValueEnum` for each), so the library
//! can be used without clap.

/// What `render` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Html,
    Markdown,
    Json,
    Pdf,
    Png,
}

impl OutputFormat {
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Html => "html",
            OutputFormat::Markdown => "md",
            OutputFormat::Json => "json",
            OutputFormat::Pdf => "pdf",
            OutputFormat::Png => "png",
        }
    }

    /// Made by Chromium from the HTML page: bytes, not text.
    pub fn is_picture(self) -> bool {
        matches!(self, OutputFormat::Pdf | OutputFormat::Png)
    }

    /// The format an output file's extension asks for.
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "html" | "htm" => Some(OutputFormat::Html),
            "md" | "markdown" => Some(OutputFormat::Markdown),
            "json" => Some(OutputFormat::Json),
            "pdf" => Some(OutputFormat::Pdf),
            "png" => Some(OutputFormat::Png),
            _ => None,
        }
    }
}

/// What `diff` writes: Markdown for a pull-request comment, text for a terminal, or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    Markdown,
    Human,
    Json,
}
