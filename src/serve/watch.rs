//! The watcher behind `serve`: a generation number that moves whenever a file a served
//! page was made from changes (notify: inotify on Linux, FSEvents on macOS).
//!
//! Invariants: folders are watched, not files, so an editor that saves by writing a new
//! file and renaming it over the old one is still seen; reads (access events) never count,
//! or serving a page would change the generation it is stamped with.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use notify::{EventKind, RecursiveMode, Watcher as _};

/// What counts as a change worth a reload.
struct Interest {
    /// Files pages were made from (maps, personas, surveys, analytics files), absolute.
    files: Mutex<BTreeSet<PathBuf>>,
    /// A served folder: any map file under it (new maps appear on the index).
    folder: Option<PathBuf>,
    templates: Option<PathBuf>,
}

impl Interest {
    fn wants(&self, path: &Path) -> bool {
        if self.files.lock().is_ok_and(|f| f.contains(path)) {
            return true;
        }
        if let Some(dir) = &self.folder
            && path.starts_with(dir)
        {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if name.ends_with(".journey.yaml") || name.ends_with(".journey.yml") {
                return true;
            }
        }
        self.templates
            .as_deref()
            .is_some_and(|t| path.starts_with(t))
    }
}

pub struct Watch {
    generation: Arc<AtomicU64>,
    interest: Arc<Interest>,
    watcher: Mutex<notify::RecommendedWatcher>,
    /// Folders watched already.
    folders: Mutex<BTreeSet<PathBuf>>,
}

impl Watch {
    /// Watch the served map's folder (or the served folder, recursively) and the templates.
    pub fn start(path: &Path, is_dir: bool, templates: Option<&Path>) -> Result<Watch> {
        let generation = Arc::new(AtomicU64::new(1));
        let interest = Arc::new(Interest {
            files: Mutex::new(BTreeSet::from([path.to_owned()])),
            folder: is_dir.then(|| path.to_owned()),
            templates: templates.map(Path::to_owned),
        });
        let (g, i) = (Arc::clone(&generation), Arc::clone(&interest));
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else {
                    // The watcher lost track (an overflowing queue): assume anything changed.
                    g.fetch_add(1, Ordering::SeqCst);
                    return;
                };
                if matches!(event.kind, EventKind::Access(_)) {
                    return;
                }
                if event.need_rescan() || event.paths.iter().any(|p| i.wants(p)) {
                    g.fetch_add(1, Ordering::SeqCst);
                }
            })
            .context("cannot watch files for changes")?;
        let mut folders = BTreeSet::new();
        if is_dir {
            watcher
                .watch(path, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {} for changes", path.display()))?;
            folders.insert(path.to_owned());
        } else if let Some(parent) = path.parent() {
            watcher
                .watch(parent, RecursiveMode::NonRecursive)
                .with_context(|| format!("cannot watch {} for changes", parent.display()))?;
            folders.insert(parent.to_owned());
        }
        if let Some(t) = templates {
            watcher
                .watch(t, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {} for changes", t.display()))?;
            folders.insert(t.to_owned());
        }
        Ok(Watch {
            generation,
            interest,
            watcher: Mutex::new(watcher),
            folders: Mutex::new(folders),
        })
    }

    /// The generation now: it moves on every change of interest.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Nothing changed since `generation` was read.
    pub fn settled(&self, generation: u64) -> bool {
        self.generation() == generation
    }

    /// Watch these files too (a render found them: personas, surveys, analytics files).
    pub fn follow(&self, files: &[PathBuf]) {
        for file in files {
            let Ok(file) = std::path::absolute(file) else {
                continue;
            };
            let Some(parent) = file.parent().map(Path::to_owned) else {
                continue;
            };
            if let Ok(mut f) = self.interest.files.lock() {
                f.insert(file);
            }
            let Ok(mut folders) = self.folders.lock() else {
                continue;
            };
            if folders.iter().any(|d| {
                parent == *d
                    || (self.interest.folder.as_deref() == Some(d) && parent.starts_with(d))
            }) {
                continue;
            }
            // A folder that does not exist yet cannot be watched; the map's diagnostic
            // says the file is missing, and the next render tries again.
            if let Ok(mut w) = self.watcher.lock()
                && w.watch(&parent, RecursiveMode::NonRecursive).is_ok()
            {
                folders.insert(parent);
            }
        }
    }
}
