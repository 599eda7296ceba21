//! File-system operations that never leave the output folder: no symlinks followed, atomic writes
//! (temp file in the same folder + rename), removal only of what the caller proved is ours.

use std::fs;
use std::io::{Read, Write};
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

/// Open a file for reading if it is a regular file: a symbolic link is refused by the kernel
/// (`O_NOFOLLOW`), a FIFO does not block (`O_NONBLOCK`), and the type is checked on the open file, so
/// a read costs one open, one fstat and the reads.
fn open_regular(path: &Path) -> Option<(fs::File, u64)> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .ok()?;
    let metadata = file.metadata().ok()?;
    metadata.is_file().then(|| (file, metadata.len()))
}

/// Read a file if it exists (and is a regular file, not a link).
pub fn read_existing(path: &Path) -> Option<Vec<u8>> {
    let (mut file, len) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    file.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// What is on disk at a path, compared with the bytes a build would put there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Existing {
    /// No regular file (nothing, a link, a folder, or unreadable).
    Missing,
    /// A regular file with exactly `expected`.
    Same,
    /// A regular file with other bytes (its contents).
    Differs(Vec<u8>),
}

/// Compare the file at `path` with `expected` without keeping it in memory when it matches: a size
/// difference needs no read of the comparison, and equal files are compared chunk by chunk.
pub fn compare_existing(path: &Path, expected: &[u8]) -> Existing {
    use std::io::{Seek, SeekFrom};
    const CHUNK: usize = 64 * 1024;
    let Some((mut file, len)) = open_regular(path) else { return Existing::Missing };
    let read_all = |file: &mut fs::File| {
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
        match file.seek(SeekFrom::Start(0)).and_then(|_| file.read_to_end(&mut bytes)) {
            Ok(_) => Existing::Differs(bytes),
            Err(_) => Existing::Missing,
        }
    };
    if len != expected.len() as u64 {
        return read_all(&mut file);
    }
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; CHUNK]);
    }
    BUFFER.with_borrow_mut(|buffer| compare_chunks(&mut file, expected, buffer)).unwrap_or_else(|| read_all(&mut file))
}

/// Compare `file` with `expected` through `buffer`: `Some(Same)`, `Some(Missing)` on a read error, or
/// `None` when they differ (the caller then reads the whole file).
fn compare_chunks(file: &mut fs::File, expected: &[u8], buffer: &mut [u8]) -> Option<Existing> {
    let chunk = buffer.len();
    let mut offset = 0;
    loop {
        let want = (expected.len() - offset).min(chunk - 1) + 1;
        let read = match file.read(&mut buffer[..want]) {
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Some(Existing::Missing),
        };
        if read == 0 {
            return (offset == expected.len()).then_some(Existing::Same);
        }
        if offset + read > expected.len() || buffer[..read] != expected[offset..offset + read] {
            return None;
        }
        offset += read;
    }
}

/// Write `contents` to `path` atomically: a temp file beside it, then a rename. The temp file is
/// removed when anything fails.
pub fn write_atomic(path: &Path, contents: &[u8], shown: &str) -> Result<(), OutputError> {
    let parent = path.parent().ok_or_else(|| OutputError::new(format!("cannot write `{shown}`")))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = parent.join(format!(".{file_name}{TEMP_MARKER}-{}", std::process::id()));
    // The folder usually exists (a build creates folders first): create it only when the file
    // cannot be, which saves a stat per file.
    let created = match fs::File::create(&temp) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(parent).map_err(|error| {
                OutputError::new(format!("failed to create the folder of `{shown}`: {}", io_reason(&error)))
            })?;
            fs::File::create(&temp)
        }
        other => other,
    };
    let result = (|| {
        let mut file = created?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_existing_tells_same_differs_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        assert_eq!(compare_existing(&path, b"x"), Existing::Missing);
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &big).unwrap();
        assert_eq!(compare_existing(&path, &big), Existing::Same);
        let mut other = big.clone();
        other[150_000] ^= 1;
        assert_eq!(compare_existing(&path, &other), Existing::Differs(big.clone()));
        assert_eq!(compare_existing(&path, &big[..100]), Existing::Differs(big.clone()));
        assert_eq!(compare_existing(&path, b""), Existing::Differs(big.clone()));
        std::os::unix::fs::symlink(&path, dir.path().join("link")).unwrap();
        assert_eq!(compare_existing(&dir.path().join("link"), &big), Existing::Missing);
        assert_eq!(compare_existing(dir.path(), b""), Existing::Missing);
        assert_eq!(read_existing(&dir.path().join("link")), None);
    }
}
