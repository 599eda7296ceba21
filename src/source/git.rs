//! Reading model files as committed at a git revision (`diff --base`), with the same rule as on
//! disk: a path is resolved (symbolic links in the tree followed) and must end inside the project,
//! at a file. Paths are looked up in the project's own tree, so git itself reports a link that
//! leaves it (`git cat-file --follow-symlinks`).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::source::reader::{EntryKind, git};

/// What a path of the project's tree is, links followed.
#[derive(Debug, PartialEq, Eq)]
enum Object {
    Blob { id: String, size: u64 },
    Tree { id: String },
    Missing,
}

/// The id of the project's tree at `rev` (`prefix` is the project folder in the repository).
fn project_tree(repo: &Path, rev: &str, prefix: &str) -> Result<String, String> {
    let spec = format!("{rev}^{{commit}}:{prefix}");
    let id = git(repo, &["rev-parse", "--verify", "--quiet", &spec])
        .map_err(|_| String::from("the project is not in that revision"))?;
    Ok(String::from_utf8_lossy(&id).trim().to_string())
}

/// Look `path` up in the project's tree at `rev`, following links that stay inside it.
fn lookup(repo: &Path, rev: &str, prefix: &str, path: &str) -> Result<Object, String> {
    if path.contains(['\n', '\r', '\0']) {
        return Err(String::from("not a plain path"));
    }
    let tree = project_tree(repo, rev, prefix)?;
    let answer = git_with_input(
        repo,
        &["cat-file", "--batch-check", "--follow-symlinks"],
        format!("{tree}:{path}\n").as_bytes(),
    )?;
    parse(&String::from_utf8_lossy(&answer))
}

/// One answer of `git cat-file --batch-check --follow-symlinks`.
fn parse(answer: &str) -> Result<Object, String> {
    let first = answer.lines().next().unwrap_or("");
    let words: Vec<&str> = first.split(' ').collect();
    match words.as_slice() {
        [id, "blob", size] => Ok(Object::Blob { id: (*id).to_string(), size: size.parse().unwrap_or(u64::MAX) }),
        [id, "tree", _] => Ok(Object::Tree { id: (*id).to_string() }),
        [_, "commit", _] => Err(String::from("it is a submodule, not a file")),
        [.., "missing"] => Ok(Object::Missing),
        ["symlink", _] => Err(String::from(
            "it leads outside the project through a symbolic link (iacgen reads only files inside the project)",
        )),
        ["dangling", _] => Err(String::from("it is a symbolic link to a file that does not exist")),
        ["loop", _] => Err(String::from("it is a loop of symbolic links")),
        ["notdir", _] => Err(String::from("a part of the path is a file, not a folder")),
        _ => Err(format!("unexpected answer from git: {first}")),
    }
}

/// Read the file at `path` of the project at `rev`, refusing more than `limit` bytes.
pub fn read(repo: &Path, rev: &str, prefix: &str, path: &str, limit: u64) -> Result<Vec<u8>, String> {
    match lookup(repo, rev, prefix, path)? {
        Object::Blob { size, .. } if size > limit => Err(format!("{size} bytes is larger than the {limit}-byte limit")),
        Object::Blob { id, .. } => git(repo, &["cat-file", "blob", &id]),
        Object::Tree { .. } => Err(String::from("it is a directory")),
        Object::Missing => Err(String::from("not in that revision")),
    }
}

/// The tree of folder `dir`, or `None` when there is nothing there.
fn folder(repo: &Path, rev: &str, prefix: &str, dir: &str) -> Result<Option<String>, String> {
    match lookup(repo, rev, prefix, dir)? {
        Object::Tree { id } => Ok(Some(id)),
        Object::Missing => Ok(None),
        Object::Blob { .. } => Err(String::from("it is not a folder")),
    }
}

/// `git ls-tree -z` of a tree: (mode, path) per entry.
fn ls_tree(repo: &Path, tree: &str, recursive: bool) -> Result<Vec<(String, String)>, String> {
    let mut args = vec!["ls-tree", "-z"];
    if recursive {
        args.push("-r");
    }
    args.push(tree);
    let listing = git(repo, &args)?;
    let mut out = Vec::new();
    for record in listing.split(|byte| *byte == 0).filter(|record| !record.is_empty()) {
        let record = String::from_utf8_lossy(record);
        let Some((meta, name)) = record.split_once('\t') else { continue };
        let mode = meta.split(' ').next().unwrap_or("").to_string();
        out.push((mode, name.to_string()));
    }
    Ok(out)
}

/// What a tree entry's mode says it is.
fn kind(mode: &str) -> EntryKind {
    match mode {
        "100644" | "100755" => EntryKind::File,
        "120000" => EntryKind::Link,
        "040000" => EntryKind::Folder,
        "160000" => EntryKind::Other("a submodule"),
        _ => EntryKind::Other("not a regular file"),
    }
}

/// The entries directly inside `dir`, sorted by name.
pub fn entries(repo: &Path, rev: &str, prefix: &str, dir: &str) -> Result<Vec<(String, EntryKind)>, String> {
    let Some(tree) = folder(repo, rev, prefix, dir)? else { return Ok(Vec::new()) };
    let mut out: Vec<(String, EntryKind)> =
        ls_tree(repo, &tree, false)?.into_iter().map(|(mode, name)| (format!("{dir}/{name}"), kind(&mode))).collect();
    out.sort();
    Ok(out)
}

/// Every file and link below `dir`, sorted.
pub fn files_below(repo: &Path, rev: &str, prefix: &str, dir: &str) -> Result<Vec<String>, String> {
    let Some(tree) = folder(repo, rev, prefix, dir)? else { return Ok(Vec::new()) };
    let mut out: Vec<String> = ls_tree(repo, &tree, true)?
        .into_iter()
        .filter(|(mode, _)| matches!(kind(mode), EntryKind::File | EntryKind::Link))
        .map(|(_, name)| format!("{dir}/{name}"))
        .collect();
    out.sort();
    Ok(out)
}

/// Run git in `repo` with `input` on its stdin; its stdout, or its stderr as the error.
fn git_with_input(repo: &Path, args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("failed to run git: {error}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input).map_err(|error| format!("failed to run git: {error}"))?;
    }
    let output = child.wait_with_output().map_err(|error| format!("failed to run git: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_of_git_become_objects_or_reasons() {
        assert_eq!(parse("abc blob 12\n"), Ok(Object::Blob { id: String::from("abc"), size: 12 }));
        assert_eq!(parse("abc tree 40\n"), Ok(Object::Tree { id: String::from("abc") }));
        assert_eq!(parse("abc:x missing\n"), Ok(Object::Missing));
        assert!(parse("symlink 11\n/etc/passwd\n").is_err_and(|e| e.contains("outside the project")));
        assert!(parse("dangling 4\nabc:x\n").is_err_and(|e| e.contains("does not exist")));
        assert!(parse("loop 4\nabc:x\n").is_err_and(|e| e.contains("loop")));
        assert!(parse("abc commit 0\n").is_err_and(|e| e.contains("submodule")));
    }
}
