//! `iacgen check`: compile in memory and compare with the output folder.

use crate::commands::{Options, Outcome, Warnings, project};
use crate::output::changes::{self, Change};
use crate::output::manifest::{self, Manifest};
use crate::pipeline::{self, Compiled};

/// The comparison of the output folder with the model.
#[derive(Debug)]
pub struct Checked {
    /// The output folder, relative to the project.
    pub output: String,
    /// Every file that differs, sorted by path.
    pub drift: Vec<Change>,
    /// The manifest does not describe the files (also when no file differs).
    pub manifest_stale: bool,
    /// The compiled model and the manifest read from the folder (the caller may skip freeing them).
    pub compiled: Compiled,
    pub manifest: Manifest,
}

impl Checked {
    /// Whether the folder is exactly what a build would write.
    pub fn in_sync(&self) -> bool {
        self.drift.is_empty() && !self.manifest_stale
    }
}

/// Compile the project and compare its files with the output folder.
pub fn run(options: &Options) -> Outcome<Checked> {
    let (root, reader) = match project(options) {
        Ok(found) => found,
        Err(stop) => return Outcome::stopped(stop),
    };
    // The committed manifest is read (under a shared lock, held to the end of the comparison) while
    // the targets render.
    let read_manifest =
        |compilation: &crate::ir::Compilation| changes::read_manifest_locked(&root.join(&compilation.output));
    let (mut compiled, (lock, manifest)) = match pipeline::compile_alongside(&reader, &options.filter, read_manifest) {
        Ok(done) => done,
        Err(failure) => return Outcome::stopped(failure),
    };
    let warnings = Warnings::take(&mut compiled.resolved);
    let output = compiled.resolved.compilation.output.clone();
    // A damaged manifest or another model's cannot be compared with: say so, as build does.
    let owner = manifest::owner(&output, crate::shared::MODEL_FILE);
    if let Err(error) =
        manifest.check_damage(&output, false).and_then(|()| manifest.check_owner(&output, &owner, false))
    {
        return Outcome { warnings, result: Err(error.message.into()) };
    }
    let drift = changes::against_manifest(&root.join(&output), &compiled.files, &options.filter, &manifest);
    let hashes = manifest::hashes(&compiled.files);
    let manifest_stale = !manifest.describes(&compiled.files, &hashes, &options.filter);
    drop(lock);
    Outcome { warnings, result: Ok(Checked { output, drift, manifest_stale, compiled, manifest }) }
}
