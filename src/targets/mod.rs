//! Targets: each turns resolved stacks into files. `Target` is a closed enum dispatched in [`emit`].
//!
//! A target is a pure function of the [`Compilation`] and [`EmitOptions`]: no clock, no disk, no
//! environment variables. Generic files (Helm templates, Terraform modules) are embedded in the binary.

pub mod aws;
pub mod azure;
pub mod compose;
pub mod ecs;
pub mod embedded;
pub mod hcl;
pub mod header;
pub mod helm;
pub mod probe;
pub mod yaml_out;

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::diagnostic::Diagnostics;
use crate::ir::{Compilation, Stack, Target};

/// What a target needs besides the model.
#[derive(Clone, Debug)]
pub struct EmitOptions {
    /// The model file named in each generated header (`iacgen.yaml`).
    pub model_file: String,
    /// The output folder relative to the project root (paths in generated files are relative to it).
    pub output: String,
}

impl Default for EmitOptions {
    fn default() -> EmitOptions {
        EmitOptions {
            model_file: String::from(crate::source::MODEL_FILE),
            output: String::from(crate::resolve::DEFAULT_OUTPUT),
        }
    }
}

/// One generated file and the scope it belongs to (so filtered builds only prune their own files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The text; generic files copied verbatim borrow the embedded copy instead of allocating one
    /// per chart or environment.
    pub contents: Cow<'static, str>,
    pub target: Target,
    /// `None` for files shared by every environment of the target (vendored modules, charts).
    pub environment: Option<String>,
}

/// Every file of a build, by path relative to the output folder (`/`-separated), sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSet {
    pub files: BTreeMap<String, GeneratedFile>,
}

impl FileSet {
    /// Add a file.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        target: Target,
        environment: Option<&str>,
        contents: impl Into<Cow<'static, str>>,
    ) {
        let file = GeneratedFile { contents: contents.into(), target, environment: environment.map(String::from) };
        self.files.insert(path.into(), file);
    }

    /// Add every file of `other` (a file of `other` replaces one at the same path).
    pub fn extend(&mut self, other: FileSet) {
        // Inserting tens of thousands of paths one by one compares long shared prefixes ~15 times
        // each; rebuilding from the two sorted runs is linear. A few files are still inserted.
        if other.files.len() * 8 < self.files.len() {
            self.files.extend(other.files);
        } else {
            let mine = std::mem::take(&mut self.files);
            *self = mine.into_iter().chain(other.files).collect();
        }
    }
}

impl FromIterator<(String, GeneratedFile)> for FileSet {
    /// Built in bulk (sorted once, then laid out), not by insertion; a later file replaces an
    /// earlier one at the same path, as [`FileSet::insert`] does.
    fn from_iter<I: IntoIterator<Item = (String, GeneratedFile)>>(files: I) -> FileSet {
        FileSet { files: files.into_iter().collect() }
    }
}

/// Which environments and targets a command works on (`--env`, `--target`); empty means all.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub environments: Vec<String>,
    pub targets: Vec<Target>,
}

impl Filter {
    /// Whether `target` is selected.
    pub fn target(&self, target: Target) -> bool {
        self.targets.is_empty() || self.targets.contains(&target)
    }

    /// Whether `environment` is selected (`None`: shared files, selected when the target is).
    pub fn environment(&self, environment: Option<&str>) -> bool {
        match environment {
            None => true,
            Some(name) => self.environments.is_empty() || self.environments.iter().any(|e| e == name),
        }
    }
}

/// The stacks that name `target`, in environment order.
pub fn stacks_for(compilation: &Compilation, target: Target) -> Vec<&Stack> {
    compilation.environments.values().filter(|stack| stack.targets.contains(&target)).collect()
}

/// Emit one target for every environment that names it.
pub fn emit(target: Target, compilation: &Compilation, options: &EmitOptions) -> Result<FileSet, Diagnostics> {
    let stacks = stacks_for(compilation, target);
    if stacks.is_empty() {
        return Ok(FileSet::default());
    }
    match target {
        Target::Compose => compose::emit(&stacks, options),
        Target::Helm => helm::emit(compilation, &stacks, options),
        Target::Aws => aws::emit(compilation, &stacks, options),
        Target::Azure => azure::emit(compilation, &stacks, options),
        Target::Ecs => ecs::emit(compilation, &stacks, options),
    }
}

/// Emit every target, in target order.
pub fn emit_all(compilation: &Compilation, options: &EmitOptions, filter: &Filter) -> Result<FileSet, Diagnostics> {
    use rayon::prelude::*;
    // Targets are independent: render them in parallel, then merge in target order.
    let results: Vec<Result<FileSet, Diagnostics>> = Target::ALL
        .par_iter()
        .filter(|target| filter.target(**target))
        .map(|target| emit(*target, compilation, options))
        .collect();
    let mut sets = Vec::new();
    let mut diagnostics = Diagnostics::new();
    for result in results {
        match result {
            Ok(set) => sets.push(set),
            Err(errors) => diagnostics.extend(errors),
        }
    }
    let files: FileSet = sets
        .into_iter()
        .flat_map(|set| set.files)
        .filter(|(_, file)| filter.environment(file.environment.as_deref()))
        .collect();
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(files)
}
