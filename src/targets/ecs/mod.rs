//! The ecs target: for every environment that names it, `ecs/<env>/<service>.json` (the input of
//! `aws ecs register-task-definition --cli-input-json`), `<service>-migrate.json` for a service with a
//! migration, `<job>.json` and `<job>.schedule.yaml` (the input of `aws scheduler create-schedule
//! --cli-input-yaml`) for each scheduled job, and a `README.md` that lists what the files expect to
//! exist (roles, log groups, secrets) and how each workload was rounded to a Fargate size.
//!
//! Resources are not provisioned here: placeholders take the environment's pinned values. Secrets
//! are Secrets Manager ARNs `arn:aws:secretsmanager:<region>:<account>:secret:<project>/<env>/<name>`;
//! a resource's credential is the JSON secret `<project>/<env>/<resource>` read at key `password`.
//! Container definitions, task sizes and schedules come from [`crate::targets::fargate`], which the
//! aws target shares.

pub mod checks;
mod task;

use crate::ir::{Compilation, Stack};
use crate::shared::FileSet;
use crate::targets::EmitOptions;

/// Emit the target for every environment in `stacks` (checked by [`checks`]).
pub fn emit(_compilation: &Compilation, stacks: &[&Stack], options: &EmitOptions) -> FileSet {
    // Environments are independent: render them in parallel, merge in environment order.
    use rayon::prelude::*;
    let rendered: Vec<FileSet> = stacks
        .par_iter()
        .map(|stack| {
            let mut files = FileSet::default();
            task::emit_environment(stack, options, &mut files);
            files
        })
        .collect();
    let mut files = FileSet::default();
    for set in rendered {
        files.extend(set);
    }
    files
}
