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
        if !is_plain_component(part) {
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
/// Returns the folders that do not exist yet, so files in them need no look at all.
pub fn check_folders<'a>(
    root: &Path,
    paths: impl IntoIterator<Item = &'a String>,
) -> Result<MissingFolders, OutputError> {
    // Sorted paths list a folder's files together, so comparing with the previous path's folder
    // skips almost every repeat; sorting the few thousand folders then drops the rest.
    let mut folders: Vec<&str> = Vec::new();
    let mut previous = "";
    for path in paths {
        let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
        if folder == previous {
            continue;
        }
        previous = folder;
        let mut end = 0;
        while let Some(index) = path[end..].find('/') {
            end += index;
            folders.push(&path[..end]);
            end += 1;
        }
    }
    folders.sort_unstable();
    folders.dedup();
    let mut missing = MissingFolders::default();
    // Sorted, so a parent is checked before its children and the first bad one is reported.
    for folder in folders {
        if folder.rsplit_once('/').is_some_and(|(parent, _)| missing.0.contains(parent)) {
            missing.0.insert(folder.to_string());
            continue;
        }
        let full = root.join(folder);
        let metadata = match fs::symlink_metadata(&full) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                missing.0.insert(folder.to_string());
                continue;
            }
            Err(_) => continue,
        };
        if metadata.file_type().is_symlink() {
            return Err(OutputError::new(format!(
                "refusing to write into `{folder}`: it is a symbolic link (iacgen never writes through links)"
            )));
        }
        if !metadata.is_dir() {
            return Err(OutputError::new(format!("cannot write into `{folder}`: it is a file, not a folder")));
        }
        // Another build's output inside this one: writing here would mix two projects' files.
        if fs::symlink_metadata(full.join(crate::output::manifest::MANIFEST)).is_ok() {
            return Err(OutputError::new(format!(
                "refusing to write into `{folder}`: it holds the output of another build ({}); output folders must not nest",
                crate::output::manifest::MANIFEST
            )));
        }
    }
    Ok(missing)
}

/// Refuse an output folder that lies inside another output folder (a folder above it holds a
/// manifest): each build would count the other's folder as its own. Only names are looked at (no
/// file is opened), all the way up, since the other project may hold this whole one.
pub fn check_not_nested(out_dir: &Path, shown: &str) -> Result<(), OutputError> {
    for folder in out_dir.ancestors().skip(1) {
        let manifest = folder.join(crate::output::manifest::MANIFEST);
        if fs::symlink_metadata(&manifest).is_ok() {
            return Err(OutputError::new(format!(
                "refusing to build into `{shown}`: it is inside `{}`, the output folder of another build (it holds {}); output folders must not nest: set another `output:`",
                folder.display(),
                crate::output::manifest::MANIFEST
            )));
        }
    }
    Ok(())
}

/// The folders, relative to the output folder, that [`check_folders`] found missing.
#[derive(Debug, Default)]
pub struct MissingFolders(std::collections::BTreeSet<String>);

impl MissingFolders {
    /// Whether the folder that holds `relative` (a file's path) does not exist: nothing is there.
    pub fn holds(&self, relative: &str) -> bool {
        relative.rsplit_once('/').is_some_and(|(folder, _)| self.0.contains(folder))
    }

    /// The missing folders grouped by depth, shallowest first: creating them level by level puts
    /// every parent before its children.
    pub fn by_depth(&self) -> Vec<Vec<&str>> {
        let mut levels: Vec<Vec<&str>> = Vec::new();
        for folder in &self.0 {
            let depth = folder.matches('/').count();
            if levels.len() <= depth {
                levels.resize_with(depth + 1, Vec::new);
            }
            levels[depth].push(folder);
        }
        levels
    }
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

/// Make sure the output folder `root/output` is a real folder (creating it), reached without
/// following a symbolic link at any step below `root`, and not a file. Returns its path.
pub fn ensure_output_dir(root: &Path, output: &str) -> Result<PathBuf, OutputError> {
    let mut dir = root.to_path_buf();
    let parts: Vec<&str> = output.split('/').collect();
    for (index, part) in parts.iter().enumerate() {
        if !is_plain_component(part) {
            return Err(OutputError::new(format!(
                "refusing to use output folder `{output}`: not a plain relative path"
            )));
        }
        dir.push(part);
        let shown = parts[..=index].join("/");
        match fs::symlink_metadata(&dir) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                return Err(OutputError::new(format!(
                    "refusing to use output folder `{output}`: `{shown}` is a symbolic link (iacgen never writes through links)"
                )));
            }
            Ok(metadata) if !metadata.is_dir() && shown == output => {
                return Err(OutputError::new(format!("output folder `{output}` is a file, not a folder")));
            }
            Ok(metadata) if !metadata.is_dir() => {
                return Err(OutputError::new(format!(
                    "cannot use output folder `{output}`: `{shown}` is a file, not a folder"
                )));
            }
            Ok(_) => {}
            Err(_) => match fs::create_dir(&dir) {
                Ok(()) => {}
                // Another build created it in the meantime.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
                Err(error) => {
                    return Err(OutputError::new(format!(
                        "failed to create output folder `{output}`: {}",
                        io_reason(&error)
                    )));
                }
            },
        }
    }
    Ok(dir)
}

/// One component of a relative path that stays where it is: not empty, `.`, `..`, and no separator.
fn is_plain_component(part: &str) -> bool {
    let component = Path::new(part).components().next();
    !part.is_empty() && matches!(component, Some(Component::Normal(_))) && !part.contains(['\\', '/', '\0'])
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
/// `None` when they differ (the caller then reads the whole file). The caller has seen that the file
/// has `expected.len()` bytes, so reading that many and no more saves a read per file (a file that
/// changes while it is compared is one a concurrent editor is writing: either answer is honest).
fn compare_chunks(file: &mut fs::File, expected: &[u8], buffer: &mut [u8]) -> Option<Existing> {
    let chunk = buffer.len();
    let mut offset = 0;
    while offset < expected.len() {
        let want = (expected.len() - offset).min(chunk);
        let read = match file.read(&mut buffer[..want]) {
            Ok(read) => read,
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Some(Existing::Missing),
        };
        if read == 0 || buffer[..read] != expected[offset..offset + read] {
            return None;
        }
        offset += read;
    }
    Some(Existing::Same)
}

/// The temporary file that [`write_atomic`] writes before renaming it to `file_name`.
pub fn temp_name(file_name: &str) -> String {
    format!(".{file_name}{TEMP_MARKER}-{}", std::process::id())
}

/// Whether `name` is a temporary file of [`write_atomic`] (`.<name>.iacgen-tmp-<pid>`), and so
/// safe to remove: nothing else has that shape.
pub fn is_temp_name(name: &str) -> bool {
    let Some((head, pid)) = name.rsplit_once(&format!("{TEMP_MARKER}-")) else { return false };
    head.len() > 1 && head.starts_with('.') && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
}

/// Write `contents` to `path` atomically: a new temp file beside it (never an existing file or a
/// link), then a rename over `path`. Readers and an interrupted build see the old bytes or the new
/// ones, never a mix. The temp file is removed when anything fails.
pub fn write_atomic(path: &Path, contents: &[u8], shown: &str) -> Result<(), OutputError> {
    let parent = path.parent().ok_or_else(|| OutputError::new(format!("cannot write `{shown}`")))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = parent.join(temp_name(&file_name));
    let create = || fs::OpenOptions::new().write(true).create_new(true).open(&temp);
    let result = (|| {
        let mut file = match create() {
            // The folder usually exists (a build creates folders first): create it only when the
            // file cannot be, which saves a stat per file.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                fs::create_dir_all(parent)?;
                create()?
            }
            // Left by an earlier process with the same id: it is ours to replace (a link is removed,
            // not followed).
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                fs::remove_file(&temp)?;
                create()?
            }
            other => other?,
        };
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

/// Create the file `path` with `contents` for `init` and `import`: never through a symbolic link
/// (not even one to nothing, which would create the file wherever it points) and never over an
/// existing file. `O_CREAT|O_EXCL` refuses both in the kernel; the link is named in the error.
pub fn create_new(path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    use std::os::unix::fs::OpenOptionsExt;
    let shown = path.display();
    if fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_symlink()) {
        return Err(OutputError::new(format!(
            "refusing to write `{shown}`: it is a symbolic link (iacgen never writes through links)"
        )));
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => {
                OutputError::new(format!("`{shown}` already exists; iacgen never overwrites a model"))
            }
            _ => OutputError::new(format!("failed to write `{shown}`: {}", io_reason(&error))),
        })?;
    if let Err(error) = file.write_all(contents).and_then(|()| file.flush()) {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(OutputError::new(format!("failed to write `{shown}`: {}", io_reason(&error))));
    }
    Ok(())
}

/// Remove `path`, then every folder above it that became empty, up to (not including) `root`.
pub fn remove_and_prune(root: &Path, path: &Path, shown: &str) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Ok(()) => {}
        // Already gone (removed by hand since it was read): what removing it wanted.
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => {
            return Err(OutputError::new(format!("failed to remove `{shown}`: {}", io_reason(&error))));
        }
    }
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

/// Remove temp files that an interrupted build left in the output folder (only names of the exact
/// shape [`is_temp_name`]; links are not followed).
pub fn clean_temp_files(root: &Path) {
    for entry in walkdir::WalkDir::new(root).follow_links(false).into_iter().flatten() {
        if entry.file_type().is_file() && entry.file_name().to_str().is_some_and(is_temp_name) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Remove the temp files of `path` that an interrupted write left beside it (any process id).
pub fn clean_temp_files_beside(path: &Path) {
    let (Some(folder), Some(name)) = (path.parent(), path.file_name().and_then(|name| name.to_str())) else { return };
    let prefix = format!(".{name}{TEMP_MARKER}-");
    let Ok(entries) = fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let is_ours = entry.file_name().to_str().is_some_and(|other| other.starts_with(&prefix) && is_temp_name(other));
        if is_ours && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A shared lock on the output folder while reading it (`check`, `diff`), so a reader never sees a
/// build half done. `None` when the folder does not exist or cannot be locked (a read-only mount).
pub fn lock_shared(dir: &Path) -> Option<fs::File> {
    let file = fs::File::open(dir).ok()?;
    file.lock_shared().ok()?;
    Some(file)
}

/// An exclusive lock on the output folder itself (no lock file is left behind), held by `build`.
pub fn lock_exclusive(dir: &Path, shown: &str) -> Result<fs::File, OutputError> {
    let file = fs::File::open(dir)
        .map_err(|error| OutputError::new(format!("failed to open output folder `{shown}`: {}", io_reason(&error))))?;
    file.lock()
        .map_err(|error| OutputError::new(format!("failed to lock output folder `{shown}`: {}", io_reason(&error))))?;
    Ok(file)
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

    #[test]
    fn temp_files_beside_a_file_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join(".iacgen-manifest.json");
        let leftover = dir.path().join(temp_name(".iacgen-manifest.json"));
        let other_temp = dir.path().join(temp_name("values.yaml"));
        let lookalike = dir.path().join("..iacgen-manifest.json.iacgen-tmp-x");
        for path in [&target, &leftover, &other_temp, &lookalike] {
            fs::write(path, "x").unwrap();
        }
        clean_temp_files_beside(&target);
        assert!(!leftover.exists());
        assert!(target.exists() && other_temp.exists() && lookalike.exists());
    }

    #[test]
    fn only_exact_temp_names_are_temp_files() {
        assert!(is_temp_name(&temp_name("compose.yaml")));
        assert!(is_temp_name(".compose.yaml.iacgen-tmp-12"));
        assert!(!is_temp_name("compose.yaml.iacgen-tmp-12"));
        assert!(!is_temp_name(".notes.iacgen-tmp-draft"));
        assert!(!is_temp_name(".iacgen-tmp-12"));
        assert!(!is_temp_name(".a.iacgen-tmp-"));
        assert!(!is_temp_name("notes.iacgen-tmp.txt"));
    }

    #[test]
    fn paths_must_stay_inside() {
        let root = Path::new("/nonexistent-iacgen-root");
        for bad in ["", "/etc", "a//b", "../x", "a/../b", "./a", "a/.", "a\\b", "a/\0"] {
            assert!(resolve_inside(root, bad).is_err(), "{bad:?} accepted");
        }
        assert!(resolve_inside(root, "compose/dev/compose.yaml").is_ok());
    }

    #[test]
    fn writes_are_atomic_and_leave_no_temp_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a/b.txt");
        write_atomic(&path, b"one\n", "a/b.txt").expect("write");
        // A stale temp file (or a link) of the same name is replaced, not followed.
        let temp = dir.path().join("a").join(temp_name("b.txt"));
        let outside = dir.path().join("outside.txt");
        fs::write(&outside, "keep\n").expect("write");
        std::os::unix::fs::symlink(&outside, &temp).expect("symlink");
        write_atomic(&path, b"two\n", "a/b.txt").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"two\n");
        assert_eq!(fs::read(&outside).expect("read"), b"keep\n", "wrote through a link");
        let names: Vec<String> = fs::read_dir(dir.path().join("a"))
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into())
            .collect();
        assert_eq!(names, vec![String::from("b.txt")]);
    }

    #[test]
    fn removing_a_vanished_file_is_not_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x/gone.txt");
        assert!(remove_and_prune(dir.path(), &path, "x/gone.txt").is_ok());
    }
}
