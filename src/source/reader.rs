//! Where model files come from: the working tree, a git revision (for `diff --base`), or memory
//! (for the fuzzer and tests).

use std::collections::BTreeMap;
use std::io::Read;
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

impl Reader {
    /// Read a file, refusing more than `limit` bytes.
    pub fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, String> {
        match self {
            Reader::Disk { root } => {
                let full = root.join(path);
                let metadata = std::fs::metadata(&full)
                    .map_err(|error| format!("failed to read `{path}`: {}", io_reason(&error)))?;
                if metadata.is_dir() {
                    return Err(format!("failed to read `{path}`: it is a directory"));
                }
                if metadata.len() > limit {
                    return Err(format!(
                        "failed to read `{path}`: {} bytes is larger than the {limit}-byte limit",
                        metadata.len()
                    ));
                }
                let file = std::fs::File::open(&full)
                    .map_err(|error| format!("failed to read `{path}`: {}", io_reason(&error)))?;
                let mut bytes = Vec::new();
                file.take(limit + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|error| format!("failed to read `{path}`: {}", io_reason(&error)))?;
                if bytes.len() as u64 > limit {
                    return Err(format!("failed to read `{path}`: larger than the {limit}-byte limit"));
                }
                Ok(bytes)
            }
            Reader::Git { repo, rev, prefix } => {
                let object = format!("{rev}:{}", join(prefix, path));
                let size = git(repo, &["cat-file", "-s", &object])
                    .map_err(|_| format!("failed to read `{path}` at {rev}: not in that revision"))?;
                let size: u64 = String::from_utf8_lossy(&size).trim().parse().unwrap_or(0);
                if size > limit {
                    return Err(format!(
                        "failed to read `{path}` at {rev}: {size} bytes is larger than the {limit}-byte limit"
                    ));
                }
                git(repo, &["cat-file", "blob", &object])
                    .map_err(|error| format!("failed to read `{path}` at {rev}: {error}"))
            }
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

    /// Files directly inside `dir` whose names end with `suffix`, sorted.
    pub fn list(&self, dir: &str, suffix: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .list_recursive(dir)
            .into_iter()
            .filter(|path| {
                let inside = path.strip_prefix(&format!("{dir}/")).unwrap_or("");
                !inside.contains('/') && inside.ends_with(suffix) && !inside.starts_with('.')
            })
            .collect();
        out.sort();
        out
    }

    /// Every file below `dir` (regular files only; symlinks are not followed), sorted.
    pub fn list_recursive(&self, dir: &str) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            Reader::Disk { root } => {
                let base = root.join(dir);
                for entry in walkdir::WalkDir::new(&base).follow_links(false).sort_by_file_name().into_iter().flatten()
                {
                    if !entry.file_type().is_file() {
                        continue;
                    }
                    let Ok(relative) = entry.path().strip_prefix(root) else { continue };
                    if let Some(path) = slash_path(relative) {
                        out.push(path);
                    }
                }
            }
            Reader::Git { repo, rev, prefix } => {
                let tree = format!("{rev}:{}", join(prefix, dir));
                if let Ok(listing) = git(repo, &["ls-tree", "-r", "-z", "--name-only", &tree]) {
                    for name in listing.split(|byte| *byte == 0) {
                        if name.is_empty() {
                            continue;
                        }
                        out.push(format!("{dir}/{}", String::from_utf8_lossy(name)));
                    }
                }
            }
            Reader::Memory { files } => {
                let prefix = format!("{dir}/");
                out.extend(files.keys().filter(|path| path.starts_with(&prefix)).cloned());
            }
        }
        out.sort();
        out
    }
}

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() { path.to_string() } else { format!("{prefix}/{path}") }
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
