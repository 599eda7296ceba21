//! What differs between two renderings of the output: the files on disk, or another revision's
//! build, against this build. `check`, `diff` and `build`'s summary all read this list.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::Path;

use crate::output::fs_safe;
use crate::output::manifest::{self, Manifest};
use crate::shared::{FileSet, Filter, GeneratedFile, Target};

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
    /// The target it belongs to, as the build or the manifest records it (`None`: a manifest entry
    /// naming no known target).
    pub target: Option<Target>,
    /// Its environment (`None`: shared by every environment of the target).
    pub environment: Option<String>,
    pub kind: Kind,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The file on disk no longer matches what the manifest says iacgen wrote.
    pub hand_edited: bool,
}

/// Files on disk that a build of `files` would touch: its own paths plus the in-scope paths of the
/// previous manifest, each with the scope the build or the manifest records (a manifest entry that
/// names no known target is left out). Also returns that manifest.
pub fn disk(out_dir: &Path, files: &FileSet, filter: &Filter) -> (FileSet, Manifest) {
    // Wait for a running build to finish, so the snapshot is never half of one.
    let _lock = fs_safe::lock_shared(out_dir);
    let previous = Manifest::read(out_dir);
    let mut paths: BTreeSet<&String> = files.files.keys().collect();
    paths.extend(previous.files.iter().filter(|(_, e)| manifest::in_scope(e, filter)).map(|(p, _)| p));
    let mut out = FileSet::default();
    for path in paths {
        let scope = match (files.files.get(path), previous.files.get(path)) {
            (Some(file), _) => Some((file.target, file.environment.clone())),
            (None, Some(entry)) => Target::parse(&entry.target).map(|target| (target, entry.environment.clone())),
            (None, None) => None,
        };
        let Some((target, environment)) = scope else { continue };
        let Ok(full) = fs_safe::resolve_inside(out_dir, path) else { continue };
        if let Some(bytes) = fs_safe::read_existing(&full) {
            let contents = Cow::Owned(String::from_utf8_lossy(&bytes).into_owned());
            out.files.insert(path.clone(), GeneratedFile { contents, target, environment });
        }
    }
    (out, previous)
}

/// The changes from the files on disk to `files`, compared file by file (in parallel) without holding
/// the unchanged ones: what `check` and `diff` without `--base` need. Also returns the manifest.
pub fn against_disk(out_dir: &Path, files: &FileSet, filter: &Filter) -> (Vec<Change>, Manifest) {
    let (_lock, previous) = read_manifest_locked(out_dir);
    (against_manifest(out_dir, files, filter, &previous), previous)
}

/// The manifest in `out_dir` and a shared lock on the folder (`None` when there is nothing to lock):
/// while the lock is held no build changes the folder, so a comparison is never against half of one.
pub fn read_manifest_locked(out_dir: &Path) -> (Option<std::fs::File>, Manifest) {
    let lock = fs_safe::lock_shared(out_dir);
    (lock, Manifest::read(out_dir))
}

/// [`against_disk`] with the manifest already read, by a caller that holds the lock from
/// [`read_manifest_locked`] (`check` reads it while the targets render).
pub fn against_manifest(out_dir: &Path, files: &FileSet, filter: &Filter, previous: &Manifest) -> Vec<Change> {
    use rayon::prelude::*;
    let previous_paths = previous.files.iter().filter(|(_, e)| manifest::in_scope(e, filter)).map(|(p, _)| p);
    let paths = union(files, previous_paths);
    let folders = fs_safe::check_folders(out_dir, paths.iter().map(|(path, _)| *path));
    let safe = folders.is_ok();
    let missing = folders.unwrap_or_default();
    paths
        .par_iter()
        .filter_map(|(path, file)| {
            let new = file.map(|file| file.contents.as_ref());
            let full = if safe { fs_safe::join_checked(out_dir, path) } else { fs_safe::resolve_inside(out_dir, path) };
            // Nothing to open in a folder that does not exist.
            let full = match full {
                Ok(full) if !missing.holds(path) => Some(full),
                _ => None,
            };
            let (target, environment) = match (file, previous.files.get(*path)) {
                (Some(file), _) => (Some(file.target), file.environment.clone()),
                (None, Some(entry)) => (Target::parse(&entry.target), entry.environment.clone()),
                (None, None) => (None, None),
            };
            let Some(full) = full else {
                return new.map(|text| Change {
                    path: (*path).clone(),
                    target,
                    environment,
                    kind: Kind::Added,
                    old: None,
                    new: Some(text.to_string()),
                    hand_edited: false,
                });
            };
            // Files that match are compared while streaming and never held.
            let (kind, old) = match new {
                Some(text) => match fs_safe::compare_existing(&full, text.as_bytes()) {
                    fs_safe::Existing::Same => return None,
                    fs_safe::Existing::Missing => (Kind::Added, None),
                    fs_safe::Existing::Differs(bytes) => (Kind::Modified, Some(bytes)),
                },
                None => (Kind::Removed, Some(fs_safe::read_existing(&full)?)),
            };
            let hand_edited = old.as_ref().is_some_and(|bytes| {
                previous.files.get(*path).is_some_and(|entry| !entry.is_ours(&manifest::sha256(bytes)))
            });
            Some(Change {
                path: (*path).clone(),
                target,
                environment,
                kind,
                old: old.map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
                new: new.map(str::to_string),
                hand_edited,
            })
        })
        .collect()
}

/// Every path of `files` and of `previous` (sorted, as both are), once, with its generated file if
/// any: a merge of the two sorted lists rather than a lookup per path.
fn union<'a>(
    files: &'a FileSet,
    previous: impl Iterator<Item = &'a String>,
) -> Vec<(&'a String, Option<&'a GeneratedFile>)> {
    let mut generated = files.files.iter().peekable();
    let mut previous = previous.peekable();
    let mut out = Vec::with_capacity(files.files.len());
    loop {
        let next = match (generated.peek(), previous.peek()) {
            (Some((a, _)), Some(b)) if a.as_str() > b.as_str() => previous.next().map(|path| (path, None)),
            (Some((a, _)), Some(b)) if a.as_str() == b.as_str() => {
                previous.next();
                generated.next().map(|(path, file)| (path, Some(file)))
            }
            (Some(_), _) => generated.next().map(|(path, file)| (path, Some(file))),
            (None, Some(_)) => previous.next().map(|path| (path, None)),
            (None, None) => None,
        };
        match next {
            Some(item) => out.push(item),
            None => return out,
        }
    }
}

/// The changes from `old` to `new`, sorted by path. `manifest` marks hand-edited files.
pub fn between(old: &FileSet, new: &FileSet, manifest: Option<&Manifest>) -> Vec<Change> {
    let mut changes = Vec::new();
    let paths: BTreeSet<&String> = old.files.keys().chain(new.files.keys()).collect();
    for path in paths {
        let (before, after) = (old.files.get(path), new.files.get(path));
        let kind = match (before, after) {
            (None, Some(_)) => Kind::Added,
            (Some(_), None) => Kind::Removed,
            (Some(a), Some(b)) if a.contents != b.contents => Kind::Modified,
            _ => continue,
        };
        let hand_edited = match (manifest, before) {
            (Some(manifest), Some(file)) => manifest
                .files
                .get(path)
                .is_some_and(|entry| !entry.is_ours(&manifest::sha256(file.contents.as_bytes()))),
            _ => false,
        };
        let Some(scope) = after.or(before) else { continue };
        changes.push(Change {
            path: path.clone(),
            target: Some(scope.target),
            environment: scope.environment.clone(),
            kind,
            old: before.map(|file| file.contents.to_string()),
            new: after.map(|file| file.contents.to_string()),
            hand_edited,
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Target;

    #[test]
    fn union_lists_each_path_once_in_order_with_its_file() {
        let mut files = FileSet::default();
        for path in ["a", "c", "e"] {
            files.insert(path, Target::Compose, None, "x");
        }
        let previous = [String::from("b"), String::from("c"), String::from("d"), String::from("f")];
        let merged: Vec<(&str, bool)> =
            union(&files, previous.iter()).into_iter().map(|(path, file)| (path.as_str(), file.is_some())).collect();
        assert_eq!(merged, [("a", true), ("b", false), ("c", true), ("d", false), ("e", true), ("f", false)]);
    }
}
