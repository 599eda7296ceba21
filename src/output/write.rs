//! `build`: write what changed, atomically; remove generated files the model no longer produces
//! (only when their bytes still match the manifest); never touch anything else.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::output::manifest::{self, MANIFEST, Manifest};
use crate::output::{OutputError, fs_safe};
use crate::shared::{FileSet, Filter, GeneratedFile, Target};
use crate::source::reader::io_reason;

/// What a build did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildReport {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<Removed>,
    /// Stale files left in place because they were edited by hand (`--force` removes them).
    pub kept: Vec<String>,
    /// Generated files that had been edited by hand and were overwritten.
    pub overwritten_edits: Vec<String>,
}

/// A file the model no longer produces, removed by a build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removed {
    pub path: String,
    /// The target the manifest recorded for it (`None`: one iacgen does not know).
    pub target: Option<Target>,
}

/// Options of a build.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// Remove hand-edited stale files and overwrite files that the manifest does not list; also
    /// replace a damaged manifest and take over a folder another model's manifest claims.
    pub force: bool,
    /// The model's file name, in the project folder (the manifest records it as the owner).
    pub model_file: String,
}

/// What is on disk where a generated file goes.
enum OnDisk {
    Missing,
    Same,
    Differs(Vec<u8>),
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
    let previous = Manifest::read(&out_dir);
    previous.check_damage(output, options.force)?;
    let owner = manifest::owner(output, &options.model_file);
    previous.check_owner(output, &owner, options.force)?;
    fs_safe::check_not_nested(&out_dir, output)?;
    // An interrupted build may have left temp files anywhere; a finished one left none, except
    // possibly the manifest's own when it was stopped while writing that.
    if previous.building {
        fs_safe::clean_temp_files(&out_dir);
    } else {
        fs_safe::clean_temp_files_beside(&out_dir.join(MANIFEST));
    }
    let mut report = BuildReport::default();

    // Check every path before writing anything, so a refusal leaves the folder as it was. Folders
    // are checked once; files are read in parallel (a build may hold tens of thousands).
    let missing = fs_safe::check_folders(&out_dir, files.files.keys())?;
    let entries: Vec<(&String, &GeneratedFile)> = files.files.iter().collect();
    // Every file is hashed once, here, for the pending manifest and the final one.
    let hashes = manifest::hashes(files);
    let existing: Vec<Result<(PathBuf, OnDisk), OutputError>> = entries
        .par_iter()
        .map(|(path, file)| {
            let full = fs_safe::join_checked(&out_dir, path)?;
            // A from-scratch build writes into folders that do not exist yet: nothing to look at.
            if missing.holds(path) {
                return Ok((full, OnDisk::Missing));
            }
            // One open per file: a regular file is compared while streaming; only when there is none
            // does a stat tell a link or a folder in the way from nothing.
            let state = match fs_safe::compare_existing(&full, file.contents.as_bytes()) {
                fs_safe::Existing::Same => OnDisk::Same,
                fs_safe::Existing::Differs(bytes) => OnDisk::Differs(bytes),
                fs_safe::Existing::Missing => match fs::symlink_metadata(&full) {
                    Ok(metadata) if metadata.file_type().is_symlink() => {
                        return Err(OutputError::new(format!(
                            "refusing to write `{output}/{path}`: it is a symbolic link (iacgen never writes through links)"
                        )));
                    }
                    Ok(metadata) if metadata.is_dir() => {
                        return Err(OutputError::new(format!(
                            "cannot write `{output}/{path}`: a folder is in the way"
                        )));
                    }
                    _ => OnDisk::Missing,
                },
            };
            Ok((full, state))
        })
        .collect();
    let mut plan = Vec::new();
    let mut pending = Manifest {
        generator: String::from("iacgen"),
        model: owner.clone(),
        files: previous.files.clone(),
        building: true,
        damaged: None,
    };
    for (((path, file), result), sha256) in entries.into_iter().zip(existing).zip(&hashes) {
        let (full, state) = result?;
        let existing = match state {
            OnDisk::Same => {
                report.unchanged += 1;
                continue;
            }
            OnDisk::Missing => None,
            OnDisk::Differs(bytes) => Some(bytes),
        };
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
        }
        let entry = manifest::Entry {
            sha256: sha256.clone(),
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
    // Folders first, once each, so the writers below only create files: the ones `check_folders`
    // found missing, level by level (a parent before its children), each level in parallel.
    // `check_folders` already refused links and files on the way.
    if !plan.is_empty() {
        for level in missing.by_depth() {
            let created: Result<Vec<()>, OutputError> = level
                .par_iter()
                .map(|folder| match fs::create_dir(out_dir.join(folder)) {
                    Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => Err(OutputError::new(format!(
                        "failed to create folder `{output}/{folder}`: {}",
                        io_reason(&error)
                    ))),
                    _ => Ok(()),
                })
                .collect();
            created?;
        }
    }
    let written: Vec<Result<String, OutputError>> = plan
        .par_iter()
        .map(|(path, full, file)| {
            fs_safe::write_atomic(full, file.contents.as_bytes(), &format!("{output}/{path}"))?;
            Ok((*path).clone())
        })
        .collect();
    for result in written {
        report.written.push(result?);
    }

    for (path, entry) in &previous.files {
        if files.files.contains_key(path) || !manifest::in_scope(entry, filter) {
            continue;
        }
        let Ok(full) = fs_safe::resolve_inside(&out_dir, path) else { continue };
        let Some(bytes) = fs_safe::read_existing(&full) else { continue };
        if entry.is_ours(&manifest::sha256(&bytes)) || options.force {
            fs_safe::remove_and_prune(&out_dir, &full, &format!("{output}/{path}"))?;
            report.removed.push(Removed { path: path.clone(), target: Target::parse(&entry.target) });
        } else {
            report.kept.push(path.clone());
        }
    }

    let mut next = Manifest::of_hashed(files, &hashes, &previous, filter, &owner);
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
