//! What differs between two renderings of the output: the files on disk, or another revision's
//! build, against this build. `check`, `diff` and `build`'s summary all read this list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::output::fs_safe;
use crate::output::manifest::{self, MANIFEST, Manifest};
use crate::targets::{FileSet, Filter};

/// How a file changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The build produces it; it is not there yet ("missing" for `check`).
    Added,
    /// It is there with other bytes.
    Modified,
    /// The build no longer produces it ("stale" for `check`).
    Removed,
}

impl Kind {
    /// Past-tense word for summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Modified => "modified",
            Kind::Removed => "removed",
        }
    }
}

/// One changed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub kind: Kind,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The file on disk no longer matches what the manifest says iacgen wrote.
    pub hand_edited: bool,
}

/// The state of files as text, by output-relative path.
pub type Snapshot = BTreeMap<String, String>;

/// The text of every file of a build.
pub fn snapshot(files: &FileSet) -> Snapshot {
    files.files.iter().map(|(path, file)| (path.clone(), file.contents.clone())).collect()
}

/// Files on disk that a build of `files` would touch: its own paths plus the in-scope paths of the
/// previous manifest. Also returns that manifest.
pub fn disk(out_dir: &Path, files: &FileSet, filter: &Filter) -> (Snapshot, Manifest) {
    // Wait for a running build to finish, so the snapshot is never half of one.
    let _lock = fs_safe::lock_shared(out_dir);
    let previous = fs_safe::read_existing(&out_dir.join(MANIFEST))
        .map(|bytes| Manifest::parse(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default();
    let mut paths: BTreeSet<&String> = files.files.keys().collect();
    paths.extend(previous.files.iter().filter(|(_, e)| manifest::in_scope(e, filter)).map(|(p, _)| p));
    let mut out = Snapshot::new();
    for path in paths {
        let Ok(full) = fs_safe::resolve_inside(out_dir, path) else { continue };
        if let Some(bytes) = fs_safe::read_existing(&full) {
            out.insert(path.clone(), String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    (out, previous)
}

/// The changes from `old` to `new`, sorted by path. `manifest` marks hand-edited files.
pub fn between(old: &Snapshot, new: &Snapshot, manifest: Option<&Manifest>) -> Vec<Change> {
    let mut changes = Vec::new();
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for path in paths {
        let (before, after) = (old.get(path), new.get(path));
        let kind = match (before, after) {
            (None, Some(_)) => Kind::Added,
            (Some(_), None) => Kind::Removed,
            (Some(a), Some(b)) if a != b => Kind::Modified,
            _ => continue,
        };
        let hand_edited = match (manifest, before) {
            (Some(manifest), Some(text)) => {
                manifest.files.get(path).is_some_and(|entry| !entry.is_ours(&manifest::sha256(text.as_bytes())))
            }
            _ => false,
        };
        changes.push(Change { path: path.clone(), kind, old: before.cloned(), new: after.cloned(), hand_edited });
    }
    changes
}
