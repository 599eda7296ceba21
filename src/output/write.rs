//! `build`: write what changed, atomically; remove generated files the model no longer produces
//! (only when their bytes still match the manifest); never touch anything else.

use std::path::Path;

use crate::output::manifest::{self, MANIFEST, Manifest};
use crate::output::{OutputError, fs_safe};
use crate::targets::{FileSet, Filter};

/// What a build did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildReport {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
    /// Stale files left in place because they were edited by hand (`--force` removes them).
    pub kept: Vec<String>,
    /// Generated files that had been edited by hand and were overwritten.
    pub overwritten_edits: Vec<String>,
}

/// Options of a build.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// Remove hand-edited stale files and overwrite files that the manifest does not list.
    pub force: bool,
    pub model_file: String,
}

/// Write `files` under `root/output`.
///
/// Order, so that killing the process at any point loses nothing and the next build repairs all:
/// lock the folder; remove temp files of an interrupted build; check every path (a refusal writes
/// nothing); record in the manifest every file about to be written, with the hash it replaces (so
/// a file the build may leave behind is known as ours, in either state); write each file
/// atomically; remove stale files that are still ours; write the final manifest.
pub fn build(
    root: &Path,
    output: &str,
    files: &FileSet,
    filter: &Filter,
    options: &WriteOptions,
) -> Result<BuildReport, OutputError> {
    let out_dir = fs_safe::ensure_output_dir(root, output)?;
    // Held until the end: two builds never interleave, and no lock file is left behind.
    let lock = fs_safe::lock_exclusive(&out_dir, output)?;
    fs_safe::clean_temp_files(&out_dir);

    let previous = fs_safe::read_existing(&out_dir.join(MANIFEST))
        .map(|bytes| Manifest::parse(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default();
    let mut report = BuildReport::default();

    // Check every path before writing anything, so a refusal leaves the folder as it was.
    let mut plan = Vec::new();
    let mut pending = Manifest {
        generator: String::from("iacgen"),
        model: options.model_file.clone(),
        files: previous.files.clone(),
    };
    for (path, file) in &files.files {
        let full = fs_safe::resolve_inside(&out_dir, path)?;
        let existing = fs_safe::read_existing(&full);
        if existing.as_deref() == Some(file.contents.as_bytes()) {
            report.unchanged += 1;
            continue;
        }
        let mut replacing = None;
        if let Some(bytes) = &existing {
            let hash = manifest::sha256(bytes);
            match previous.files.get(path) {
                Some(entry) if entry.is_ours(&hash) => replacing = Some(hash),
                Some(_) => report.overwritten_edits.push(path.clone()),
                None if !options.force => {
                    return Err(OutputError::new(format!(
                        "refusing to overwrite `{output}/{path}`: iacgen did not generate it (it is not in {MANIFEST}); move it away or pass --force"
                    )));
                }
                None => {}
            }
        } else if full.is_dir() {
            return Err(OutputError::new(format!("cannot write `{output}/{path}`: a folder is in the way")));
        }
        let entry = manifest::Entry {
            sha256: manifest::sha256(file.contents.as_bytes()),
            target: file.target.as_str().to_string(),
            environment: file.environment.clone(),
            replacing,
        };
        pending.files.insert(path.clone(), entry);
        plan.push((path, full, file));
    }
    let manifest_path = out_dir.join(MANIFEST);
    if !plan.is_empty() {
        fs_safe::write_atomic(&manifest_path, pending.render().as_bytes(), &format!("{output}/{MANIFEST}"))?;
    }
    for (path, full, file) in plan {
        fs_safe::write_atomic(&full, file.contents.as_bytes(), &format!("{output}/{path}"))?;
        report.written.push(path.clone());
    }

    for (path, entry) in &previous.files {
        if files.files.contains_key(path) || !manifest::in_scope(entry, filter) {
            continue;
        }
        let Ok(full) = fs_safe::resolve_inside(&out_dir, path) else { continue };
        let Some(bytes) = fs_safe::read_existing(&full) else { continue };
        if entry.is_ours(&manifest::sha256(&bytes)) || options.force {
            fs_safe::remove_and_prune(&out_dir, &full, &format!("{output}/{path}"))?;
            report.removed.push(path.clone());
        } else {
            report.kept.push(path.clone());
        }
    }

    let mut next = Manifest::of(files, &previous, filter, &options.model_file);
    for path in &report.kept {
        if let Some(entry) = previous.files.get(path) {
            next.files.insert(path.clone(), entry.clone());
        }
    }
    let text = next.render();
    if fs_safe::read_existing(&manifest_path).as_deref() != Some(text.as_bytes()) {
        fs_safe::write_atomic(&manifest_path, text.as_bytes(), &format!("{output}/{MANIFEST}"))?;
    }
    drop(lock);
    Ok(report)
}
