//! Targets: each turns resolved stacks into files. `Target` is a closed enum dispatched in [`emit`].
//!
//! A target is a pure function of the [`Compilation`] and [`EmitOptions`]: no clock, no disk, no
//! environment variables. Generic files (Helm templates, Terraform modules) are embedded in the binary.

pub mod aws;
pub mod azure;
pub mod checks;
pub mod compose;
pub mod connection;
pub mod ecs;
pub mod embedded;
pub mod fargate;
pub mod hcl;
pub mod header;
pub mod helm;
pub mod probe;
pub mod tags;
pub mod webhook;
pub mod yaml_out;

use crate::ir::{Compilation, Stack};
use crate::shared::{DEFAULT_OUTPUT, FileSet, Filter, MODEL_FILE, Target};

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
        EmitOptions { model_file: String::from(MODEL_FILE), output: String::from(DEFAULT_OUTPUT) }
    }
}

/// The stacks that name `target`, in environment order.
pub fn stacks_for(compilation: &Compilation, target: Target) -> Vec<&Stack> {
    compilation.environments.values().filter(|stack| stack.targets.contains(&target)).collect()
}

/// Emit one target for every environment that names it. Emitters only produce files: what a target
/// cannot express was reported by its `checks` before.
pub fn emit(target: Target, compilation: &Compilation, options: &EmitOptions) -> FileSet {
    let stacks = stacks_for(compilation, target);
    if stacks.is_empty() {
        return FileSet::default();
    }
    match target {
        Target::Compose => compose::emit(&stacks, options),
        Target::Helm => helm::emit(compilation, &stacks, options),
        Target::Aws => aws::emit(compilation, &stacks, options),
        Target::Azure => azure::emit(compilation, &stacks, options),
        Target::Ecs => ecs::emit(compilation, &stacks, options),
    }
}

/// Emit every target the filter selects, in target order, for every environment (patches see them
/// all; the pipeline drops the environments the filter leaves out after patching).
pub fn emit_all(compilation: &Compilation, options: &EmitOptions, filter: &Filter) -> FileSet {
    use rayon::prelude::*;
    // Targets are independent: render them in parallel, then merge in target order.
    let sets: Vec<FileSet> = Target::ALL
        .par_iter()
        .filter(|target| filter.target(**target))
        .map(|target| emit(*target, compilation, options))
        .collect();
    sets.into_iter().flat_map(|set| set.files).collect()
}
