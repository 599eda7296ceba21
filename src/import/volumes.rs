//! `volumes:` and `tmpfs:`: a named volume becomes a persistent volume, tmpfs and anonymous volumes
//! become scratch, and a bind mount of one text file inside the model's folder becomes `files:`.
//! Other bind mounts (folders, host paths) have no model equivalent.

use std::path::Path;

use crate::import::compose::{Ctx, get};
use crate::import::draft::{Service, Volume};
use crate::import::{absolute, interpolate, relative};
use crate::source::decode::is_mount_path;
use crate::source::yaml::{Node, NodeKind};

/// Size given to a named volume: compose volumes have none, the model's persistent volumes need one.
pub const DEFAULT_SIZE: &str = "1Gi";
/// Largest file that a bind mount may bring into the model as `files:` (it is embedded in the output).
const MAX_FILE_BYTES: u64 = 256 * 1024;

/// One mount, whatever syntax it was written in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mount {
    Named { source: String, target: String, read_only: bool },
    Anonymous { target: String },
    Bind { source: String, target: String, read_only: bool },
    Tmpfs { target: String },
}

impl Mount {
    /// The container path.
    pub fn target(&self) -> &str {
        match self {
            Mount::Named { target, .. }
            | Mount::Anonymous { target }
            | Mount::Bind { target, .. }
            | Mount::Tmpfs { target } => target,
        }
    }
}

/// Read one `volumes:` item (short `src:dst:mode` or long `{type, source, target}` syntax).
pub fn parse(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Option<Mount> {
    match &node.kind {
        NodeKind::Scalar { text, .. } => {
            let text = match interpolate::resolve_text_with(text, &ctx.vars) {
                Ok(resolved) if resolved.text.starts_with(':') && !resolved.unset.is_empty() => {
                    let names: Vec<String> = resolved.unset.iter().map(|v| format!("`${{{v}}}`")).collect();
                    ctx.lost(
                        node.span,
                        path,
                        format!(
                            "the host folder is {}, which has no value in .env: compose itself would refuse the mount, so nothing is mounted there",
                            names.join(" and ")
                        ),
                    );
                    return None;
                }
                Ok(resolved) => {
                    if let Some(description) = resolved.describe() {
                        ctx.changed(node.span, path, description);
                    }
                    resolved.text
                }
                Err(message) => {
                    ctx.not_mapped(node.span, path, message);
                    return None;
                }
            };
            Some(short(&text))
        }
        NodeKind::Map(map) => {
            let text = |key: &str| get(map, key).and_then(Node::as_str).map(str::to_string);
            let target = text("target").unwrap_or_default();
            let source = text("source").filter(|s| !s.is_empty());
            let read_only = text("read_only").as_deref() == Some("true");
            let kind = text("type").unwrap_or_else(|| String::from("volume"));
            Some(match (kind.as_str(), source) {
                ("tmpfs", _) => Mount::Tmpfs { target },
                ("volume", None) => Mount::Anonymous { target },
                ("volume", Some(source)) => Mount::Named { source, target, read_only },
                ("bind", Some(source)) => Mount::Bind { source, target, read_only },
                _ => {
                    ctx.not_mapped(node.span, path, format!("a `{kind}` mount has no model equivalent"));
                    return None;
                }
            })
        }
        _ => {
            ctx.wrong_type(node, "a string or a map", path);
            None
        }
    }
}

fn short(text: &str) -> Mount {
    let parts: Vec<&str> = text.split(':').collect();
    let is_mode = |part: &str| {
        part.split(',').all(|m| {
            matches!(
                m,
                "ro" | "rw"
                    | "z"
                    | "Z"
                    | "nocopy"
                    | "cached"
                    | "delegated"
                    | "consistent"
                    | "shared"
                    | "slave"
                    | "private"
                    | "rshared"
                    | "rslave"
                    | "rprivate"
            )
        })
    };
    let read_only = |mode: &str| mode.split(',').any(|m| m == "ro");
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, *target, ""),
        [target, mode] if target.starts_with('/') && is_mode(mode) => (None, *target, *mode),
        [source, target] => (Some(*source), *target, ""),
        [source, target, mode, ..] => (Some(*source), *target, *mode),
        [] => (None, "", ""),
    };
    let target = target.to_string();
    match source {
        None => Mount::Anonymous { target },
        Some(source) if source.starts_with(['.', '/', '~']) => {
            Mount::Bind { source: source.to_string(), target, read_only: read_only(mode) }
        }
        Some(source) => Mount::Named { source: source.to_string(), target, read_only: read_only(mode) },
    }
}

/// Map a service's `volumes:` list.
pub fn map(ctx: &mut Ctx<'_>, service: &mut Service, name: &str, compose_name: &str, node: &Node, path: &str) {
    let NodeKind::Seq(items) = &node.kind else {
        if node.kind != NodeKind::Null {
            ctx.wrong_type(node, "a list", path);
        }
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let path = format!("{path}[{index}]");
        let Some(mount) = parse(ctx, item, &path) else { continue };
        let target = mount.target().to_string();
        if !is_mount_path(&target) {
            ctx.not_mapped(
                item.span,
                &path,
                format!("`{target}` is not a container path the model accepts (absolute, no `..`, `:` or spaces)"),
            );
            continue;
        }
        match mount {
            Mount::Tmpfs { .. } => {
                service.volumes.insert(target, Volume::Scratch);
            }
            Mount::Anonymous { .. } => {
                ctx.changed(item.span, &path, "anonymous volume: now scratch (empty at each start)");
                service.volumes.insert(target, Volume::Scratch);
            }
            Mount::Named { source, read_only, .. } => {
                let users = ctx.volume_users.entry(source.clone()).or_insert_with(|| (item.span, Default::default()));
                users.1.insert(compose_name.to_string());
                let mut message = format!(
                    "persistent volume of {DEFAULT_SIZE} (compose gives no size; change `persistent:` if it needs more); compose names it `{name}-{}`, so data in `{source}` is not reused",
                    slug(&target)
                );
                if ctx.external_volumes.contains(&source) {
                    message.push_str(" (it was external)");
                }
                if read_only {
                    message.push_str("; mounted read-write (model volumes are writable)");
                }
                ctx.changed(item.span, &path, message);
                service.volumes.insert(target, Volume::Persistent(DEFAULT_SIZE.to_string()));
            }
            Mount::Bind { source, read_only, .. } => match bind_file(ctx, &source) {
                Ok(model_path) => {
                    if !read_only {
                        ctx.changed(item.span, &path, "mounted read-only now (the model's `files:` are read-only)");
                    }
                    service.files.insert(target, model_path);
                }
                Err(_) if is_folder(ctx, &source) => match bind_folder(ctx, &source) {
                    Ok((files, skipped)) => {
                        let count = match files.len() {
                            1 => String::from("its text file is"),
                            n => format!("its {n} text files are"),
                        };
                        let mut remarks = vec![format!("a folder: {count} mounted one by one, read-only (`files:`)")];
                        if !skipped.is_empty() {
                            remarks.push(format!("not mounted: {}", skipped.join(", ")));
                        }
                        let message = remarks.join("; ");
                        if read_only && skipped.is_empty() {
                            ctx.changed(item.span, &path, message);
                        } else {
                            ctx.differs(
                                item.span,
                                &path,
                                format!("{message} (files the service writes there, or adds later, are not kept)"),
                            );
                        }
                        for (relative_path, model_path) in files {
                            service
                                .files
                                .insert(format!("{}/{relative_path}", target.trim_end_matches('/')), model_path);
                        }
                    }
                    Err(reason) => ctx.lost(item.span, &path, reason),
                },
                Err(reason) => ctx.lost(item.span, &path, reason),
            },
        }
    }
}

/// `tmpfs:`: a path or a list of `path[:options]`.
pub fn tmpfs(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        NodeKind::Scalar { .. } => vec![node],
        NodeKind::Null => Vec::new(),
        NodeKind::Map(_) => {
            ctx.wrong_type(node, "a string or a list", path);
            return;
        }
    };
    for item in items {
        let Some(text) = item.as_str() else { continue };
        let (target, options) = text.split_once(':').unwrap_or((text, ""));
        if !is_mount_path(target) {
            ctx.not_mapped(item.span, path, format!("`{target}` is not a container path the model accepts"));
            continue;
        }
        if !options.is_empty() {
            ctx.changed(item.span, path, format!("tmpfs options `{options}` are not imported"));
        }
        service.volumes.insert(target.to_string(), Volume::Scratch);
    }
}

/// The `files: source:` path of a bind-mounted file, relative to the model's folder.
fn bind_file(ctx: &Ctx<'_>, source: &str) -> Result<String, String> {
    let no = |why: &str| Err(format!("bind mount of `{source}`: {why}"));
    if source.starts_with('~') || source.starts_with('/') {
        return no("a host path has no model equivalent (the model mounts files it owns, and volumes)");
    }
    let full = absolute(&ctx.compose_dir.join(source));
    let Some(model_path) = relative(&ctx.out_dir, &full).filter(|p| !p.is_empty() && !p.starts_with("..")) else {
        return no("outside the model's folder (`files:` sources must stay inside it)");
    };
    if crate::source::project_relative(&model_path).is_err() {
        return no("not a path the model accepts in `files:` (no `:` or `\\`)");
    }
    let Ok(metadata) = std::fs::symlink_metadata(&full) else {
        return no("not found");
    };
    if metadata.is_dir() {
        return no("a folder has no model equivalent (`files:` mounts single files)");
    }
    if !metadata.is_file() {
        return no("not a regular file");
    }
    if metadata.len() > MAX_FILE_BYTES {
        return no("larger than 256 KiB (`files:` are embedded in the generated output)");
    }
    if !is_text(&full) {
        return no("not a UTF-8 text file (`files:` are embedded in the generated output)");
    }
    Ok(format!("./{model_path}"))
}

/// Most files a bind-mounted folder may bring into the model, and how deep it is read.
const MAX_FOLDER_FILES: usize = 32;
const MAX_FOLDER_DEPTH: usize = 4;

/// Whether a bind mount's source is a folder inside the model's folder (not through a link).
fn is_folder(ctx: &Ctx<'_>, source: &str) -> bool {
    let full = absolute(&ctx.compose_dir.join(source));
    relative(&ctx.out_dir, &full).is_some_and(|p| !p.is_empty() && !p.starts_with(".."))
        && std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_dir())
}

/// `(path inside the folder, source: relative to the model)` per mounted file, and the paths left out.
type FolderFiles = (Vec<(String, String)>, Vec<String>);

/// The text files of a bind-mounted folder as `files:` entries (path inside the folder → `source:`
/// relative to the model), sorted, and what was left out (links, binaries, large files). A folder
/// with nothing to mount, or with more than [`MAX_FOLDER_FILES`] files, is an error.
fn bind_folder(ctx: &Ctx<'_>, source: &str) -> Result<FolderFiles, String> {
    let no = |why: &str| Err(format!("bind mount of the folder `{source}`: {why}"));
    let root = absolute(&ctx.compose_dir.join(source));
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut pending = vec![(root.clone(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { return no("not readable") };
        let mut entries: Vec<_> = entries.flatten().map(|entry| entry.path()).collect();
        entries.sort();
        for path in entries {
            let Some(inside) = relative(&root, &path) else { continue };
            let Ok(metadata) = std::fs::symlink_metadata(&path) else { continue };
            if metadata.is_dir() && depth < MAX_FOLDER_DEPTH {
                pending.push((path, depth + 1));
            } else if metadata.is_file()
                && metadata.len() <= MAX_FILE_BYTES
                && is_text(&path)
                && is_mount_path(&format!("/{inside}"))
            {
                match relative(&ctx.out_dir, &path).filter(|p| crate::source::project_relative(p).is_ok()) {
                    Some(model_path) => files.push((inside, format!("./{model_path}"))),
                    None => skipped.push(inside),
                }
            } else {
                skipped.push(inside);
            }
        }
    }
    files.sort();
    skipped.sort();
    if files.is_empty() {
        return no("no text file to mount (`files:` mounts text files)");
    }
    if files.len() > MAX_FOLDER_FILES {
        return no(&format!("more than {MAX_FOLDER_FILES} files (`files:` are embedded in the generated output)"));
    }
    Ok((files, skipped))
}

fn is_text(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| std::str::from_utf8(&bytes).is_ok() && !bytes.contains(&0))
}

/// How the compose target names a service's volume: `/var/lib/data` → `var-lib-data`.
fn slug(path: &str) -> String {
    path.trim_matches('/').replace(['/', '.', '_'], "-").to_ascii_lowercase()
}

/// The named volumes and targets of a `volumes:` list, for resources (which keep only their data).
pub fn list(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Vec<(Mount, crate::shared::span::Span, String)> {
    let mut out = Vec::new();
    if let NodeKind::Seq(items) = &node.kind {
        for (index, item) in items.iter().enumerate() {
            let path = format!("{path}[{index}]");
            if let Some(mount) = parse(ctx, item, &path) {
                out.push((mount, item.span, path));
            }
        }
    } else if node.kind != NodeKind::Null {
        ctx.wrong_type(node, "a list", path);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_syntax() {
        assert_eq!(
            short("data:/var/lib/x"),
            Mount::Named { source: "data".into(), target: "/var/lib/x".into(), read_only: false }
        );
        assert_eq!(
            short("./a.conf:/etc/a.conf:ro"),
            Mount::Bind { source: "./a.conf".into(), target: "/etc/a.conf".into(), read_only: true }
        );
        assert_eq!(short("/data"), Mount::Anonymous { target: "/data".into() });
        assert_eq!(short("/data:ro"), Mount::Anonymous { target: "/data".into() });
        assert_eq!(
            short("/proc:/host/proc:ro"),
            Mount::Bind { source: "/proc".into(), target: "/host/proc".into(), read_only: true }
        );
    }
}
