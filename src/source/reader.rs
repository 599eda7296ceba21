//! Where model files come from: the working tree, a git revision (for `diff --base`), or memory
//! (for the fuzzer and tests).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A read-only view of a project's files, addressed by `/`-separated paths relative to its root.
#[derive(Clone, Debug)]
pub enum Reader {
    /// The project folder on disk.
    Disk { root: PathBuf },
    /// The project as committed at `rev`; `prefix` is the project folder inside the repository.
    Git { repo: PathBuf, rev: String, prefix: String },
    /// Files held in memory, by `/`-separated path (the fuzzer feeds models this way).
    Memory { files: BTreeMap<String, Vec<u8>> },
}

/// What an entry of a folder is, links not followed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    File,
    /// A symbolic link: reading it resolves it (and refuses it when it leaves the project).
    Link,
    Folder,
    /// Anything else, in words: "a named pipe", "a socket", "a device", "a submodule".
    Other(&'static str),
}

impl Reader {
    /// Read a regular file inside the project (symbolic links resolved, and refused when they lead
    /// out of it), refusing more than `limit` bytes. Nothing but a regular file is ever opened.
    pub fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, String> {
        match self {
            Reader::Disk { root } => {
                crate::source::disk::read(root, path, limit).map_err(|why| format!("failed to read `{path}`: {why}"))
            }
            Reader::Git { repo, rev, prefix } => crate::source::git::read(repo, rev, prefix, path, limit)
                .map_err(|why| format!("failed to read `{path}` at {rev}: {why}")),
            Reader::Memory { files } => match files.get(path) {
                Some(bytes) if bytes.len() as u64 > limit => {
                    Err(format!("failed to read `{path}`: {} bytes is larger than the {limit}-byte limit", bytes.len()))
                }
                Some(bytes) => Ok(bytes.clone()),
                None if files.keys().any(|p| p.starts_with(&format!("{path}/"))) => {
                    Err(format!("failed to read `{path}`: it is a directory"))
                }
                None => Err(format!("failed to read `{path}`: no such file")),
            },
        }
    }

    /// The entries directly inside `dir` (files, links, folders and anything else), sorted; empty
    /// when there is no such folder.
    pub fn entries(&self, dir: &str) -> Result<Vec<(String, EntryKind)>, String> {
        let listed = match self {
            Reader::Disk { root } => crate::source::disk::entries(root, dir),
            Reader::Git { repo, rev, prefix } => crate::source::git::entries(repo, rev, prefix, dir),
            Reader::Memory { files } if files.contains_key(dir) => Err(String::from("it is not a folder")),
            Reader::Memory { files } => {
                let prefix = format!("{dir}/");
                let mut out: Vec<(String, EntryKind)> = Vec::new();
                for path in files.keys().filter_map(|path| path.strip_prefix(&prefix)) {
                    let entry = match path.split_once('/') {
                        Some((folder, _)) => (format!("{prefix}{folder}"), EntryKind::Folder),
                        None => (format!("{prefix}{path}"), EntryKind::File),
                    };
                    if out.last() != Some(&entry) {
                        out.push(entry);
                    }
                }
                out.sort();
                out.dedup();
                Ok(out)
            }
        };
        listed.map_err(|why| format!("failed to list `{dir}`: {why}"))
    }

    /// Every file below `dir` (links are listed and resolved when read), sorted; empty when there is
    /// no such folder.
    pub fn list_recursive(&self, dir: &str) -> Result<Vec<String>, String> {
        let listed = match self {
            Reader::Disk { root } => crate::source::disk::files_below(root, dir),
            Reader::Git { repo, rev, prefix } => crate::source::git::files_below(repo, rev, prefix, dir),
            Reader::Memory { files } if files.contains_key(dir) => Err(String::from("it is not a folder")),
            Reader::Memory { files } => {
                let prefix = format!("{dir}/");
                Ok(files.keys().filter(|path| path.starts_with(&prefix)).cloned().collect())
            }
        };
        listed.map_err(|why| format!("failed to list `{dir}`: {why}"))
    }
}

/// A relative path with `/` separators, or `None` when it is not valid UTF-8.
pub fn slash_path(path: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = path.components().map(|c| c.as_os_str().to_str()).collect();
    parts.map(|parts| parts.join("/"))
}

/// Run git in `repo` and return its stdout, or its stderr as the error.
pub fn git(repo: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .map_err(|error| format!("failed to run git: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

/// The reason of an I/O error without the OS error number.
pub fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => String::from("no such file"),
        std::io::ErrorKind::PermissionDenied => String::from("permission denied"),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(index) => text[..index].to_string(),
                None => text,
            }
        }
    }
}
