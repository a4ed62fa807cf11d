//! Confinement: the one rule for which files journeymap reads, or hands to a warehouse engine,
//! on behalf of a map that someone else may have written (the guide: "Running on untrusted pull
//! requests").
//!
//! Invariants: it fails closed. A path is allowed only when it resolves (through `..` and
//! symlinks) to a regular file inside the root and outside any `.git` folder; anything that
//! cannot be resolved is refused, never waved through. Callers read the file only after this
//! said yes. A path handed to an engine (`journeymap sql`) must also hold no character the
//! engine would expand (`*`, `?`, `[`, `]`, `{`, `}`, a leading `~`).

use std::path::{Component, Path, PathBuf};

use crate::diagnostic::Code;

/// Why a path may not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It cannot be followed to a regular file (missing, a folder, a device, no permission):
    /// the reason in words. Reported as JM000 by the caller, in its own words.
    Unreadable(String),
    /// It resolves outside the root, into `.git`, or is a pattern an engine would expand:
    /// the whole reason, starting with the path as written. JM007.
    Refused(String),
}

/// The reason [`Refusal::Unreadable`] gives for a folder, a device or a FIFO.
pub const NOT_A_FILE: &str = "it is not a regular file";

impl Refusal {
    pub fn code(&self) -> Code {
        match self {
            Refusal::Unreadable(_) => Code::Unreadable,
            Refusal::Refused(_) => Code::OutsideRoot,
        }
    }

    /// The code and the message of the diagnostic at the map line that names the file:
    /// `{refused} {why}` (`survey `s`: file …`), or `cannot read {unreadable}: {why}`.
    pub fn said(&self, refused: &str, unreadable: &str) -> (Code, String) {
        match self {
            Refusal::Refused(why) => (self.code(), format!("{refused} {why}")),
            Refusal::Unreadable(why) => (self.code(), format!("cannot read {unreadable}: {why}")),
        }
    }
}

/// What the root is, for messages.
const ROOT_WORDS: &str = "the folder this map may read files from (the git work tree that holds the map, or the map's folder, unless --root or JOURNEYMAP_ROOT says otherwise)";

/// The folder a map may read its persona, themes, surveys and logs from: `explicit`
/// (`--root`) when given, else the top of the git work tree that holds the map, else the
/// map's own folder. Where the map lies is told from the path as named, not from where a
/// symlink leads: a link cannot move a map into another tree.
pub fn root_of(map: &Path, explicit: Option<&Path>) -> PathBuf {
    if let Some(r) = explicit {
        return std::fs::canonicalize(r).unwrap_or_else(|_| r.to_owned());
    }
    let at = lexical_absolute(map);
    let dir = at.parent().unwrap_or(Path::new("/")).to_owned();
    let top = dir
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map_or(dir.clone(), Path::to_owned);
    std::fs::canonicalize(&top).unwrap_or(top)
}

/// `path` made absolute against the current folder, with `.` and `..` removed by their
/// names alone (no symlink followed).
pub fn lexical_absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The real path of `path`, a file a map names (or a map named on the command line), when it
/// may be read: a regular file inside `root`, outside `.git`.
pub fn resolve(path: &Path, root: &Path) -> Result<PathBuf, Refusal> {
    let shown = super::display(path);
    let root = std::fs::canonicalize(root).map_err(|e| {
        Refusal::Refused(format!(
            "{shown} cannot be checked: the folder it must lie in, {}, cannot be resolved ({})",
            super::display(root),
            super::io_reason(&e)
        ))
    })?;
    let real = match std::fs::canonicalize(path) {
        Ok(r) => r,
        Err(e) => {
            // A path that is not there but would lie outside is outside (the more useful
            // thing to say), and so is a link that leads nowhere outside.
            if !as_far_as_it_resolves(path).starts_with(&root) {
                return Err(outside(&shown));
            }
            if let Ok(target) = std::fs::read_link(path) {
                let target = if target.is_absolute() {
                    target
                } else {
                    path.parent().unwrap_or(Path::new("")).join(target)
                };
                if !lexical_absolute(&target).starts_with(&root) {
                    return Err(outside(&shown));
                }
            }
            return Err(Refusal::Unreadable(super::io_reason(&e)));
        }
    };
    let Ok(inside) = real.strip_prefix(&root) else {
        return Err(outside(&shown));
    };
    if inside.components().any(|c| c.as_os_str() == ".git") {
        return Err(Refusal::Refused(format!(
            "{shown} is inside a `.git` folder, which holds git's own files (and can hold credentials); a map may not read from it"
        )));
    }
    match std::fs::metadata(&real) {
        Ok(m) if m.is_file() => Ok(real),
        Ok(_) => Err(Refusal::Unreadable(NOT_A_FILE.to_owned())),
        Err(e) => Err(Refusal::Unreadable(super::io_reason(&e))),
    }
}

/// Where a path that does not resolve would lie: its deepest folder that does resolve,
/// followed by the rest of it by name.
fn as_far_as_it_resolves(path: &Path) -> PathBuf {
    let abs = lexical_absolute(path);
    let mut rest = Vec::new();
    let mut at = abs.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(at) {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                at = parent;
            }
            _ => return abs,
        }
    }
}

fn outside(shown: &str) -> Refusal {
    Refusal::Refused(format!(
        "{shown} is outside {ROOT_WORDS}; move the file inside it, or widen the folder"
    ))
}

/// [`resolve`], for a path that a warehouse engine will open itself (`journeymap sql`): the
/// path as it will be written into the SQL must also be no pattern the engine expands.
pub fn for_engine(path: &Path, root: &Path) -> Result<PathBuf, Refusal> {
    let shown = super::display(path);
    if let Some(c) = shown
        .chars()
        .find(|c| matches!(c, '*' | '?' | '[' | ']' | '{' | '}'))
    {
        return Err(Refusal::Refused(format!(
            "{shown} holds `{c}`, which a warehouse engine reads as a pattern of file names; rename the file without it"
        )));
    }
    if shown.starts_with('~') {
        return Err(Refusal::Refused(format!(
            "{shown} starts with `~`, which a warehouse engine reads as the home folder; name the file from the map's folder"
        )));
    }
    resolve(path, root)
}

/// A file named on the command line (a map, a Mermaid diagram): it must resolve inside the
/// git work tree that holds it as named (or its folder), so that a link committed by someone
/// else cannot make journeymap read, and quote, a file from elsewhere.
pub fn named(path: &Path) -> Result<PathBuf, Refusal> {
    resolve(path, &root_of(path, None)).map_err(|r| match r {
        Refusal::Refused(why) if why.contains(ROOT_WORDS) => Refusal::Refused(format!(
            "{} leads outside the git work tree that holds it (or its folder, outside git); it is not read",
            super::display(path)
        )),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fails_closed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("maps")).unwrap();
        std::fs::write(root.join("maps/a.csv"), "x\n").unwrap();
        std::fs::write(root.join(".git/config"), "[http] extraheader = secret\n").unwrap();
        std::fs::write(dir.path().join("secret.csv"), "x\n").unwrap();
        let ok = resolve(&root.join("maps/a.csv"), &root).unwrap();
        assert!(ok.ends_with("maps/a.csv"));
        // Missing: unreadable, never "inside".
        assert!(matches!(
            resolve(&root.join("maps/nope.csv"), &root),
            Err(Refusal::Unreadable(_))
        ));
        // Missing, reached through a link to the root: still inside, so unreadable.
        std::os::unix::fs::symlink(&root, dir.path().join("via")).unwrap();
        assert!(matches!(
            resolve(&dir.path().join("via/maps/nope.csv"), &root),
            Err(Refusal::Unreadable(_))
        ));
        // Missing and outside: outside.
        assert!(matches!(
            resolve(&root.join("../elsewhere/nope.csv"), &root),
            Err(Refusal::Refused(_))
        ));
        // `..` out of the root.
        assert!(matches!(
            resolve(&root.join("maps/../../secret.csv"), &root),
            Err(Refusal::Refused(_))
        ));
        // Into .git.
        assert!(matches!(
            resolve(&root.join(".git/config"), &root),
            Err(Refusal::Refused(_))
        ));
        // A folder.
        assert!(matches!(
            resolve(&root.join("maps"), &root),
            Err(Refusal::Unreadable(_))
        ));
        // A dangling link that points outside is outside.
        std::os::unix::fs::symlink("/nonexistent/x.csv", root.join("maps/dangling.csv")).unwrap();
        assert!(matches!(
            resolve(&root.join("maps/dangling.csv"), &root),
            Err(Refusal::Refused(_))
        ));
        // Patterns and `~` are refused for engines even when a file of that name exists.
        std::fs::write(root.join("maps/cred[s].csv"), "x\n").unwrap();
        assert!(resolve(&root.join("maps/cred[s].csv"), &root).is_ok());
        assert!(matches!(
            for_engine(&root.join("maps/cred[s].csv"), &root),
            Err(Refusal::Refused(_))
        ));
        assert!(matches!(
            for_engine(Path::new("~/x.csv"), &root),
            Err(Refusal::Refused(_))
        ));
    }

    #[test]
    fn a_named_map_is_confined_to_the_tree_it_is_named_in() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("maps")).unwrap();
        std::fs::write(dir.path().join("outside.yaml"), "password = hunter2\n").unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("outside.yaml"),
            root.join("maps/env.journey.yaml"),
        )
        .unwrap();
        std::fs::write(root.join("maps/ok.journey.yaml"), "journeymap: 1\n").unwrap();
        std::os::unix::fs::symlink("ok.journey.yaml", root.join("maps/link.journey.yaml")).unwrap();
        let refused = named(&root.join("maps/env.journey.yaml")).unwrap_err();
        assert!(matches!(&refused, Refusal::Refused(why) if why.contains("leads outside")));
        assert!(named(&root.join("maps/ok.journey.yaml")).is_ok());
        assert!(named(&root.join("maps/link.journey.yaml")).is_ok());
        // Named through `..`: still where the path leads by name.
        assert!(named(&root.join("maps/../maps/ok.journey.yaml")).is_ok());
    }
}
