//! The aws target: for every environment that names it, a Terraform root `terraform/aws/<env>/`
//! (versions.tf, backend.tf, main.tf, variables.tf, outputs.tf) calling the generic modules of
//! `modules/aws/`, copied once to `terraform/aws/modules/`. The contract (arguments, order, names,
//! formatting) is `modules/aws/README.md`; its example roots are reproduced byte for byte by the
//! `aws-mssql` and `aws-existing-vpc` cases.
//!
//! Container definitions are the ecs target's, with placeholders and secrets written as references
//! to module outputs ([`values`]). Files are written by the HCL writer shared with the azure target
//! ([`crate::targets::hcl`]), whose output is what `terraform fmt` produces.

pub mod checks;
mod main_tf;
pub mod names;
mod plan;
pub mod registry;
mod root;
pub mod values;

use crate::ir::{Compilation, Stack, Target};
use crate::shared::FileSet;
pub use crate::targets::aws::registry::ecr_path;
use crate::targets::{EmitOptions, embedded};

/// Emit the target for every environment in `stacks` (checked by [`checks`]), and the shared root
/// of each account's ECR repositories ([`registry`]).
pub fn emit(compilation: &Compilation, stacks: &[&Stack], options: &EmitOptions) -> FileSet {
    let mut files = FileSet::default();
    let registries = registry::registries(compilation, stacks);
    for stack in stacks {
        let plan = plan::plan(stack, &registries);
        let dir = format!("terraform/aws/{}", stack.environment);
        for (name, text) in root::files(&plan, options) {
            files.insert(format!("{dir}/{name}"), Target::Aws, Some(&stack.environment), text);
        }
    }
    if let Some(first) = stacks.first() {
        for registry in registries.values() {
            for (name, text) in registry::files(registry, &first.project, &first.tags, options) {
                files.insert(format!("terraform/aws/{}/{name}", registry.dir()), Target::Aws, None, text);
            }
        }
    }
    copy_modules(stacks, options, &mut files);
    files
}

/// The modules, once for all environments: every `*.tf` and `*.sh` of `modules/aws/`, then the project's own
/// `targets.aws.templates` files on top (added or replacing).
fn copy_modules(stacks: &[&Stack], options: &EmitOptions, files: &mut FileSet) {
    let default_header = crate::targets::header::hash_comment(crate::shared::MODEL_FILE, &[]);
    let header = crate::targets::header::hash_comment(&options.model_file, &[]);
    for (path, contents) in embedded::under("modules/aws/") {
        // Terraform files, and the scripts a module runs (the service's run-migration.sh).
        if !path.ends_with(".tf") && !path.ends_with(".sh") {
            continue;
        }
        let text = match contents.strip_prefix(&default_header) {
            Some(rest) if header != default_header => format!("{header}{rest}"),
            _ => contents.to_string(),
        };
        files.insert(format!("terraform/aws/modules/{path}"), Target::Aws, None, text);
    }
    let templates = stacks.iter().find_map(|stack| stack.config.aws.as_ref()).map(|aws| &aws.templates);
    for (path, contents) in templates.into_iter().flatten() {
        if path.ends_with(".tf") && !path.split('/').any(|part| part == ".." || part.is_empty()) {
            files.insert(format!("terraform/aws/modules/{path}"), Target::Aws, None, contents.clone());
        }
    }
}
