//! Reading model files from the project folder on disk without ever leaving it: a path is resolved
//! (symbolic links followed) and must end inside the project, at a regular file. The type is looked
//! at before anything is opened, so a named pipe or a device never blocks a build; the file is then
//! opened without following links and checked again on the open handle.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::source::reader::{EntryKind, io_reason};

/// The project folder with every symbolic link resolved: what "inside the project" is measured
/// against.
fn real_root(root: &Path) -> Result<PathBuf, String> {
    fs::canonicalize(root).map_err(|error| format!("the project folder cannot be read: {}", io_reason(&error)))
}

/// Where `path` (relative to `root`) really is, refused when it leads outside the project.
fn resolve(root: &Path, path: &str) -> Result<PathBuf, String> {
    let full = root.join(path);
    let real = match fs::canonicalize(&full) {
        Ok(real) => real,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let is_link = fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink());
            return Err(if is_link {
                String::from("it is a symbolic link to a file that does not exist")
            } else {
                String::from("no such file")
            });
        }
        Err(error) => return Err(io_reason(&error)),
    };
    if !real.starts_with(real_root(root)?) {
        return Err(String::from(
            "it leads outside the project through a symbolic link (iacgen reads only files inside the project)",
        ));
    }
    Ok(real)
}

/// What a file system entry is, in words, when it is not a regular file or a folder.
fn other_kind(file_type: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_fifo() {
        "a named pipe"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// Read the regular file at `path` inside `root`, refusing more than `limit` bytes.
pub fn read(root: &Path, path: &str, limit: u64) -> Result<Vec<u8>, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let real = resolve(root, path)?;
    // A stat of the resolved path opens nothing: a named pipe is refused before it could block.
    let metadata = fs::metadata(&real).map_err(|error| io_reason(&error))?;
    check_regular(&metadata)?;
    if metadata.len() > limit {
        return Err(format!("{} bytes is larger than the {limit}-byte limit", metadata.len()));
    }
    // The resolved path has no link left in it; O_NOFOLLOW and O_NONBLOCK keep a file swapped in
    // meanwhile from being followed or from blocking, and the type is checked again on the handle.
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(&real)
        .map_err(|error| io_reason(&error))?;
    check_regular(&file.metadata().map_err(|error| io_reason(&error))?)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|error| io_reason(&error))?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than the {limit}-byte limit"));
    }
    Ok(bytes)
}

fn check_regular(metadata: &fs::Metadata) -> Result<(), String> {
    if metadata.is_dir() {
        return Err(String::from("it is a directory"));
    }
    if !metadata.is_file() {
        return Err(format!("it is {}, not a regular file", other_kind(metadata.file_type())));
    }
    Ok(())
}

/// The folder `dir` inside `root`, resolved; `None` when there is nothing there.
fn folder(root: &Path, dir: &str) -> Result<Option<PathBuf>, String> {
    if fs::symlink_metadata(root.join(dir)).is_err() {
        return Ok(None);
    }
    let real = resolve(root, dir)?;
    if !real.is_dir() {
        return Err(String::from("it is not a folder"));
    }
    Ok(Some(real))
}

/// The entries directly inside `dir`, sorted by name, with what each is (links are not followed).
pub fn entries(root: &Path, dir: &str) -> Result<Vec<(String, EntryKind)>, String> {
    let Some(real) = folder(root, dir)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for entry in fs::read_dir(&real).map_err(|error| io_reason(&error))? {
        let entry = entry.map_err(|error| io_reason(&error))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = match entry.file_type() {
            Ok(file_type) if file_type.is_file() => EntryKind::File,
            Ok(file_type) if file_type.is_symlink() => EntryKind::Link,
            Ok(file_type) if file_type.is_dir() => EntryKind::Folder,
            Ok(file_type) => EntryKind::Other(other_kind(file_type)),
            Err(_) => EntryKind::Other("unreadable"),
        };
        out.push((format!("{dir}/{name}"), kind));
    }
    out.sort();
    Ok(out)
}

/// Every file and link below `dir` (links are listed, not followed: reading one resolves it), by
/// project-relative path, sorted.
pub fn files_below(root: &Path, dir: &str) -> Result<Vec<String>, String> {
    let Some(real) = folder(root, dir)? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&real).follow_links(false).sort_by_file_name().into_iter().flatten() {
        let kind = entry.file_type();
        if !(kind.is_file() || kind.is_symlink()) {
            continue;
        }
        let Ok(inside) = entry.path().strip_prefix(&real) else { continue };
        if let Some(inside) = crate::source::reader::slash_path(inside) {
            out.push(format!("{dir}/{inside}"));
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_the_project_are_followed_and_links_out_of_it_refused() {
        let outside = tempfile::tempdir().expect("temp dir");
        std::fs::write(outside.path().join("secret.txt"), "s3cret\n").expect("write");
        let project = outside.path().join("project");
        std::fs::create_dir_all(project.join("config")).expect("mkdir");
        std::fs::write(project.join("config/app.conf"), "x = 1\n").expect("write");
        std::os::unix::fs::symlink("config/app.conf", project.join("inside")).expect("symlink");
        std::os::unix::fs::symlink("../secret.txt", project.join("outside")).expect("symlink");
        std::os::unix::fs::symlink("/etc/hostname", project.join("absolute")).expect("symlink");
        std::os::unix::fs::symlink("missing", project.join("dangling")).expect("symlink");
        assert_eq!(read(&project, "inside", 100).expect("inside"), b"x = 1\n");
        for path in ["outside", "absolute"] {
            let error = read(&project, path, 100).expect_err(path);
            assert!(error.contains("leads outside the project"), "{path}: {error}");
        }
        assert_eq!(
            read(&project, "dangling", 100),
            Err(String::from("it is a symbolic link to a file that does not exist"))
        );
        assert_eq!(read(&project, "config", 100), Err(String::from("it is a directory")));
        assert_eq!(read(&project, "nothing", 100), Err(String::from("no such file")));
    }

    #[test]
    fn a_named_pipe_is_refused_without_opening_it() {
        let project = tempfile::tempdir().expect("temp dir");
        let fifo = project.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|status| status.success()) {
            return;
        }
        assert_eq!(read(project.path(), "pipe", 100), Err(String::from("it is a named pipe, not a regular file")));
        let listed = entries(project.path(), ".").expect("entries");
        assert_eq!(listed, vec![(String::from("./pipe"), EntryKind::Other("a named pipe"))]);
    }
}
