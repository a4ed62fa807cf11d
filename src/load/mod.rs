//! Load: read a map file (and its persona file) into model types. The only module that knows
//! the YAML library (serde-saphyr), so that it can be swapped.
//!
//! Invariants: input size is capped before parsing; the parser runs with explicit depth, node
//! and alias budgets so that hostile input fails in milliseconds; every failure becomes a
//! diagnostic with file, line and column; when the typed parse fails the text is re-parsed
//! for syntax alone, so a bad indent is reported as a syntax error, not a missing key.

pub mod confine;
mod lineage;
mod parse;
mod shape;

use crate::diagnostic::Code;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Sources};
use crate::model::{CodebookRef, Journey, Persona, PersonaRef, Pos, Spanned, ThemesFile};

pub use lineage::{Ancestor, MAX_PARENTS, lineage, parent_in_text, split_parent};
pub use parse::{
    MAX_ALIAS_REPLAY, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, front_matter_title, parse,
    parse_salvaged,
};

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Spanned {
            value: s.value,
            pos: Pos {
                line: usize::try_from(s.referenced.line()).unwrap_or(0),
                col: usize::try_from(s.referenced.column()).unwrap_or(0),
            },
        })
    }
}

/// Why a map could not be loaded.
#[derive(Debug)]
pub enum Failure {
    /// The map file itself cannot be read (missing, a folder, no permission): a failure of
    /// the run (exit 2), not a problem in the map.
    Unreadable(Vec<Diagnostic>),
    /// The map or its persona file has problems (exit 1).
    Problems(Vec<Diagnostic>),
}

impl Failure {
    pub fn is_unreadable(&self) -> bool {
        matches!(self, Failure::Unreadable(_))
    }

    pub fn diagnostics(self) -> Vec<Diagnostic> {
        match self {
            Failure::Unreadable(d) | Failure::Problems(d) => d,
        }
    }
}

impl From<Vec<Diagnostic>> for Failure {
    fn from(d: Vec<Diagnostic>) -> Failure {
        Failure::Problems(d)
    }
}

/// A map as loaded: the journey with its persona resolved, and the display name of its file.
#[derive(Debug)]
pub struct Loaded {
    pub file: String,
    pub path: PathBuf,
    pub journey: Journey,
    /// The persona, inline or read from its file.
    pub persona: Option<Persona>,
    /// Where the top-level mapping starts (the first line that is not blank or a comment),
    /// for diagnostics about a key the map lacks.
    pub root: Pos,
    /// The folder this map may read files from (see [`confinement`]).
    pub confine: PathBuf,
    /// The themes file the codebook was read from (`themes: x.themes.yaml`), and its display
    /// name; `None` when the codebook is inline or absent.
    pub themes_file: Option<(PathBuf, String)>,
    /// The map's shape problems, when the rest of it could be read without the entries
    /// they concern: reported first by validation, which checks the rest.
    pub shape: Vec<Diagnostic>,
    /// The maps above this one (`parent:`), nearest first, as far as they could be read
    /// ([`lineage`]); empty until then.
    pub ancestors: Vec<Ancestor>,
}

impl Loaded {
    /// A diagnostic at `pos` in the map file.
    pub fn at(&self, code: Code, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, &self.file, pos, message)
    }

    /// The file that holds the codebook, for diagnostics about it.
    pub fn codebook_file(&self) -> &str {
        self.themes_file.as_ref().map_or(&self.file, |(_, f)| f)
    }
}

/// Read and parse one map. I/O failure of the map itself is a diagnostic too (JM000); the
/// caller decides the exit code from it.
pub fn load(
    path: &Path,
    sources: &mut Sources,
    explicit_root: Option<&Path>,
) -> Result<Loaded, Failure> {
    let file = display(path);
    let confine = confine::root_of(path, explicit_root);
    let real = confine::named(path).map_err(|refusal| {
        let (code, message) = match refusal {
            confine::Refusal::Refused(why) => (Code::OutsideRoot, why),
            confine::Refusal::Unreadable(why) => {
                (Code::Unreadable, format!("cannot read {file}: {why}"))
            }
        };
        let d = Diagnostic::new(code, &file, Pos::default(), message);
        if code == Code::Unreadable {
            Failure::Unreadable(vec![d])
        } else {
            Failure::Problems(vec![d])
        }
    })?;
    let text = read_text(&real, &file, None).map_err(|(d, unreadable)| {
        if unreadable {
            Failure::Unreadable(vec![*d])
        } else {
            Failure::Problems(vec![*d])
        }
    })?;
    sources.add(&file, &text);
    let (mut journey, shape): (Journey, _) =
        parse_salvaged(&text, &file).map_err(Failure::Problems)?;
    let themes_file = read_codebook(path, &file, &confine, &mut journey, sources)?;
    let persona = match &journey.persona {
        None => None,
        Some(Spanned {
            value: PersonaRef::Inline(p),
            ..
        }) => Some(p.clone()),
        Some(Spanned {
            value: PersonaRef::Path(rel),
            pos,
        }) => {
            let ppath = relative_to(path, rel);
            let pfile = display(&ppath);
            let real = confined(&ppath, &confine, "persona file", &file, *pos)?;
            // A persona file that cannot be read is a problem in the map, reported there.
            let ptext = read_text(&real, &pfile, Some((&file, *pos)))
                .map_err(|(d, _)| Failure::Problems(vec![*d]))?;
            sources.add(&pfile, &ptext);
            Some(parse::<Persona>(&ptext, &pfile).map_err(Failure::Problems)?)
        }
    };
    let root = text
        .lines()
        .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map_or(Pos { line: 1, col: 1 }, |i| Pos {
            line: i + 1,
            col: 1,
        });
    Ok(Loaded {
        file,
        path: path.to_owned(),
        journey,
        persona,
        root,
        confine,
        themes_file,
        shape,
        ancestors: Vec::new(),
    })
}

/// The real path of a file the map names at `pos`, or the diagnostic that refuses it: JM007
/// outside the folder, JM000 when it cannot be read.
fn confined(
    path: &Path,
    root: &Path,
    what: &str,
    file: &str,
    pos: Pos,
) -> Result<PathBuf, Failure> {
    confine::resolve(path, root).map_err(|refusal| {
        let (code, message) = refusal.said(what, &display(path));
        Failure::Problems(vec![Diagnostic::new(code, file, pos, message)])
    })
}

/// The text of a file a map names at `pos` (`what`: "persona file"), read from inside the
/// map's folder: JM007 outside it, JM000 when it cannot be read, at the map's line.
fn read_named(path: &Path, loaded: &Loaded, what: &str, pos: Pos) -> Result<String, Diagnostic> {
    let real = confine::resolve(path, &loaded.confine).map_err(|refusal| {
        let (code, message) = refusal.said(what, &display(path));
        loaded.at(code, pos, message)
    })?;
    read_text(&real, &display(path), Some((&loaded.file, pos))).map_err(|(d, _)| *d)
}

/// A codebook the map names by path (`themes: x.themes.yaml`): read from inside the map's
/// folder and put in the journey, as if written inline. Its file and display name are
/// returned, for diagnostics and for the files a render depends on.
fn read_codebook(
    path: &Path,
    file: &str,
    confine: &Path,
    journey: &mut Journey,
    sources: &mut Sources,
) -> Result<Option<(PathBuf, String)>, Failure> {
    let Some(Spanned {
        value: CodebookRef::Path(rel),
        pos,
    }) = &journey.themes
    else {
        return Ok(None);
    };
    let pos = *pos;
    let tpath = relative_to(path, rel);
    let tfile = display(&tpath);
    let real = confined(&tpath, confine, "themes file", file, pos)?;
    let ttext = read_text(&real, &tfile, Some((file, pos)))
        .map_err(|(d, _)| Failure::Problems(vec![*d]))?;
    sources.add(&tfile, &ttext);
    let book: ThemesFile = parse(&ttext, &tfile).map_err(Failure::Problems)?;
    journey.themes = Some(Spanned {
        value: CodebookRef::Inline(book.themes),
        pos,
    });
    Ok(Some((tpath, tfile)))
}

/// A path named inside a map (persona, survey), relative to the map's directory, with `.`
/// and `dir/..` removed lexically so that messages read `surveys/a.csv`, not
/// `maps/../surveys/a.csv`.
pub fn relative_to(map: &Path, rel: &str) -> PathBuf {
    use std::path::Component;
    let joined = map.parent().unwrap_or(Path::new("")).join(rel);
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A map from text alone (no files around it: a persona path is left unresolved). For
/// fuzzing and for tools that hold a map in memory.
pub fn from_text(text: &str, file: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let journey: Journey = parse(text, file)?;
    let persona = match &journey.persona {
        Some(Spanned {
            value: PersonaRef::Inline(p),
            ..
        }) => Some(p.clone()),
        _ => None,
    };
    Ok(Loaded {
        file: file.to_owned(),
        path: PathBuf::from(file),
        journey,
        persona,
        root: Pos { line: 1, col: 1 },
        confine: PathBuf::from("."),
        themes_file: None,
        shape: Vec::new(),
        ancestors: Vec::new(),
    })
}

/// A path as the user wrote it, with `/` separators, for diagnostics and outputs.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The bytes of a regular file no larger than `limit`, enforced while reading (a pseudo-file
/// may claim any size), for every file journeymap reads whole.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is larger than {limit} bytes, the limit"),
        ));
    }
    Ok(bytes)
}

/// Read a UTF-8 text file no larger than [`MAX_FILE_BYTES`]. `from` is where the file was
/// named (a persona path inside a map), so an unreadable file is reported there.
/// A problem with a file's content, as [`read_text`] reports it.
fn problem(d: Diagnostic) -> (Box<Diagnostic>, bool) {
    (Box::new(d), false)
}

fn read_text(
    path: &Path,
    file: &str,
    from: Option<(&str, Pos)>,
) -> Result<String, (Box<Diagnostic>, bool)> {
    // The second half says whether the file could not be read at all.
    let at = |msg: String| -> (Box<Diagnostic>, bool) {
        let d = match from {
            Some((f, pos)) => Diagnostic::new(Code::Unreadable, f, pos, msg),
            None => Diagnostic::new(Code::Unreadable, file, Pos::default(), msg),
        };
        (Box::new(d), true)
    };
    let meta = std::fs::metadata(path)
        .map_err(|e| at(format!("cannot read {file}: {}", io_reason(&e))))?;
    if !meta.is_file() {
        return Err(at(format!("cannot read {file}: it is not a regular file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(problem(Diagnostic::new(
            Code::OverBudget,
            file,
            Pos { line: 1, col: 1 },
            format!(
                "the file is {} bytes, over the limit of {MAX_FILE_BYTES} bytes for a map",
                meta.len()
            ),
        )));
    }
    // The size is enforced while reading too: /proc files say 0 bytes and go on forever.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES + 1), &mut bytes)
        })
        .map_err(|e| at(format!("cannot read {file}: {}", io_reason(&e))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(problem(Diagnostic::new(
            Code::OverBudget,
            file,
            Pos { line: 1, col: 1 },
            format!("the file holds more than {MAX_FILE_BYTES} bytes, the limit for a map"),
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            // Safe: `good` is the valid prefix reported by from_utf8.
            let good = std::str::from_utf8(good).unwrap_or("");
            let line = good.matches('\n').count() + 1;
            let col = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            Err(problem(Diagnostic::new(
                Code::Syntax,
                file,
                Pos { line, col },
                "the file is not valid UTF-8; save it as UTF-8",
            )))
        }
    }
}

/// Why a file could not be read, in words.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => {
            // The OS's words ("File too large (os error 27)") as the rest of a sentence.
            let t = e.to_string();
            let t = t.find(" (os error").map_or(t.as_str(), |i| &t[..i]);
            let mut c = t.chars();
            c.next()
                .map_or_else(String::new, |first| first.to_lowercase().chain(c).collect())
        }
    }
}
