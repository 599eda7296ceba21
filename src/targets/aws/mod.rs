//! The aws target: for every environment that names it, a Terraform root `terraform/aws/<env>/`
//! (versions.tf, backend.tf, main.tf, variables.tf, outputs.tf) calling the generic modules of
//! `modules/aws/`, copied once to `terraform/aws/modules/`. The contract (arguments, order, names,
//! formatting) is `modules/aws/README.md`; its example roots are reproduced byte for byte by the
//! `aws-mssql` and `aws-existing-vpc` cases.
//!
//! Container definitions are the ecs target's, with placeholders and secrets written as references
//! to module outputs ([`values`]). Files are written by the HCL writer shared with the azure target
//! ([`crate::targets::hcl`]), whose output is what `terraform fmt` produces.

mod main_tf;
pub mod names;
mod plan;
mod root;
pub mod values;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostics;
use crate::ir::{Compilation, Image, Stack, Target};
use crate::shared::FileSet;
use crate::targets::{EmitOptions, embedded};

/// Emit the target for every environment in `stacks`.
pub fn emit(_compilation: &Compilation, stacks: &[&Stack], options: &EmitOptions) -> Result<FileSet, Diagnostics> {
    let mut files = FileSet::default();
    let mut diagnostics = Diagnostics::new();
    let registries = registries(stacks);
    for stack in stacks {
        match plan::plan(stack, &registries) {
            Ok(plan) => {
                let dir = format!("terraform/aws/{}", stack.environment);
                for (name, text) in root::files(&plan, options) {
                    files.insert(format!("{dir}/{name}"), Target::Aws, Some(&stack.environment), text);
                }
            }
            Err(errors) => diagnostics.extend(errors),
        }
    }
    copy_modules(stacks, options, &mut files);
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(files)
}

/// The ECR repositories of one account and region: which environment creates them, and their names.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub owner: String,
    pub repositories: BTreeSet<String>,
}

/// `(account, region)` → its registry, for every pair some environment pulls ECR images from. The
/// owner is the first environment by name; it creates the repositories of every environment of the
/// pair, since repositories are per account and region, not per environment.
fn registries(stacks: &[&Stack]) -> BTreeMap<(String, String), Registry> {
    let mut out: BTreeMap<(String, String), Registry> = BTreeMap::new();
    for stack in stacks {
        let Some(aws) = &stack.config.aws else { continue };
        let images = stack.services.values().map(|s| &s.image).chain(stack.jobs.values().map(|j| &j.image));
        for image in images {
            if let Some(path) = ecr_path(image, &aws.account_id, &aws.region) {
                let registry = out.entry((aws.account_id.clone(), aws.region.clone())).or_default();
                if registry.owner.is_empty() {
                    registry.owner = stack.environment.clone();
                }
                registry.repositories.insert(path);
            }
        }
    }
    out
}

/// The repository path of an image in this account's ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<path>`).
pub fn ecr_path(image: &Image, account: &str, region: &str) -> Option<String> {
    let host = format!("{account}.dkr.ecr.{region}.amazonaws.com/");
    image.repository.strip_prefix(&host).filter(|path| !path.is_empty()).map(String::from)
}

/// The modules, once for all environments: every `*.tf` of `modules/aws/`, then the project's own
/// `targets.aws.templates` files on top (added or replacing).
fn copy_modules(stacks: &[&Stack], options: &EmitOptions, files: &mut FileSet) {
    let default_header = crate::targets::header::hash_comment(crate::shared::MODEL_FILE, &[]);
    let header = crate::targets::header::hash_comment(&options.model_file, &[]);
    for (path, contents) in embedded::under("modules/aws/") {
        if !path.ends_with(".tf") {
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
