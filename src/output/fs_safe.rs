//! File-system operations that never leave the output folder: no symlinks followed, atomic writes
//! (temp file in the same folder + rename), removal only of what the caller proved is ours.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::output::OutputError;
use crate::source::reader::io_reason;

/// Suffix of temporary files, so an interrupted build's leftovers are recognisable and cleaned.
pub const TEMP_MARKER: &str = ".iacgen-tmp";

/// `root/relative`, refusing paths that could leave `root` and symlinks on the way.
pub fn resolve_inside(root: &Path, relative: &str) -> Result<PathBuf, OutputError> {
    let mut path = root.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    for (index, part) in parts.iter().enumerate() {
        let component = Path::new(part).components().next();
        if part.is_empty() || !matches!(component, Some(Component::Normal(_))) || part.contains('\\') {
            return Err(OutputError::new(format!("refusing to write `{relative}`: not a plain relative path")));
        }
        path.push(part);
        if let Ok(metadata) = fs::symlink_metadata(&path) {
            if metadata.file_type().is_symlink() {
                return Err(OutputError::new(format!(
                    "refusing to write `{relative}`: `{}` is a symbolic link (iacgen never writes through links)",
                    parts[..=index].join("/")
                )));
            }
            if index + 1 < parts.len() && !metadata.is_dir() {
                return Err(OutputError::new(format!(
                    "cannot write `{relative}`: `{}` is a file, not a folder",
                    parts[..=index].join("/")
                )));
            }
        }
    }
    Ok(path)
}

/// Check every folder that `paths` (relative to `root`) pass through, each once: none may be a
/// symbolic link or a file. Then only the files themselves need checking, which the readers do.
pub fn check_folders<'a>(root: &Path, paths: impl IntoIterator<Item = &'a String>) -> Result<(), OutputError> {
    let mut folders: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for path in paths {
        let mut end = 0;
        while let Some(index) = path[end..].find('/') {
            end += index;
            folders.insert(&path[..end]);
            end += 1;
        }
    }
    // Sorted, so a parent is checked before its children and the first bad one is reported.
    for folder in folders {
        let full = root.join(folder);
        let Ok(metadata) = fs::symlink_metadata(&full) else { continue };
        if metadata.file_type().is_symlink() {
            return Err(OutputError::new(format!(
                "refusing to write into `{folder}`: it is a symbolic link (iacgen never writes through links)"
            )));
        }
        if !metadata.is_dir() {
            return Err(OutputError::new(format!("cannot write into `{folder}`: it is a file, not a folder")));
        }
    }
    Ok(())
}

/// `root/relative` for a path whose folders [`check_folders`] verified; refuses odd components.
pub fn join_checked(root: &Path, relative: &str) -> Result<PathBuf, OutputError> {
    let plain = relative
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\') && !part.contains('\0'));
    if !plain || relative.starts_with('/') {
        return Err(OutputError::new(format!("refusing to write `{relative}`: not a plain relative path")));
    }
    Ok(root.join(relative))
}

/// Make sure `dir` is a real folder (creating it), not a link and not a file.
pub fn ensure_dir(dir: &Path, shown: &str) -> Result<(), OutputError> {
    match fs::symlink_metadata(dir) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            Err(OutputError::new(format!("refusing to use output folder `{shown}`: it is a symbolic link")))
        }
        Ok(metadata) if !metadata.is_dir() => {
            Err(OutputError::new(format!("output folder `{shown}` is a file, not a folder")))
        }
        Ok(_) => Ok(()),
        Err(_) => fs::create_dir_all(dir).map_err(|error| {
            OutputError::new(format!("failed to create output folder `{shown}`: {}", io_reason(&error)))
        }),
    }
}

/// Read a file if it exists (and is a regular file, not a link).
pub fn read_existing(path: &Path) -> Option<Vec<u8>> {
    let metadata = fs::symlink_metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    fs::read(path).ok()
}

/// Write `contents` to `path` atomically: a temp file beside it, then a rename. The temp file is
/// removed when anything fails.
pub fn write_atomic(path: &Path, contents: &[u8], shown: &str) -> Result<(), OutputError> {
    let parent = path.parent().ok_or_else(|| OutputError::new(format!("cannot write `{shown}`")))?;
    if !parent.is_dir() {
        fs::create_dir_all(parent).map_err(|error| {
            OutputError::new(format!("failed to create the folder of `{shown}`: {}", io_reason(&error)))
        })?;
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = parent.join(format!(".{file_name}{TEMP_MARKER}-{}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(contents)?;
        file.flush()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    if let Err(error) = result {
        let _ = fs::remove_file(&temp);
        return Err(OutputError::new(format!("failed to write `{shown}`: {}", io_reason(&error))));
    }
    Ok(())
}

/// Remove `path`, then every folder above it that became empty, up to (not including) `root`.
pub fn remove_and_prune(root: &Path, path: &Path, shown: &str) -> Result<(), OutputError> {
    fs::remove_file(path)
        .map_err(|error| OutputError::new(format!("failed to remove `{shown}`: {}", io_reason(&error))))?;
    let mut dir = path.parent();
    while let Some(current) = dir {
        if current == root || !current.starts_with(root) {
            break;
        }
        if fs::remove_dir(current).is_err() {
            break;
        }
        dir = current.parent();
    }
    Ok(())
}

/// Remove temp files that an interrupted build left in the output folder.
pub fn clean_temp_files(root: &Path) {
    for entry in walkdir::WalkDir::new(root).follow_links(false).into_iter().flatten() {
        if entry.file_type().is_file() && entry.file_name().to_string_lossy().contains(TEMP_MARKER) {
            let _ = fs::remove_file(entry.path());
        }
    }
}
