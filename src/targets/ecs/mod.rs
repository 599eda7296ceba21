//! The ecs target: for every environment that names it, `ecs/<env>/<service>.json` (the input of
//! `aws ecs register-task-definition --cli-input-json`), `<service>-migrate.json` for a service with a
//! migration, `<job>.json` and `<job>.schedule.yaml` (the input of `aws scheduler create-schedule
//! --cli-input-yaml`) for each scheduled job, and a `README.md` that lists what the files expect to
//! exist (roles, log groups, secrets) and how each workload was rounded to a Fargate size.
//!
//! Resources are not provisioned here: placeholders take the environment's pinned values. Secrets
//! are Secrets Manager ARNs `arn:aws:secretsmanager:<region>:<account>:secret:<project>/<env>/<name>`;
//! a resource's credential is the JSON secret `<project>/<env>/<resource>` read at key `password`.
//! The container definitions come from [`container`], which the aws target shares.

pub mod container;
pub mod fargate;
pub mod node;
pub mod schedule;
mod task;

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::ir::{Compilation, Stack};
use crate::shared::FileSet;
use crate::targets::EmitOptions;

/// Emit the target for every environment in `stacks`.
pub fn emit(_compilation: &Compilation, stacks: &[&Stack], options: &EmitOptions) -> Result<FileSet, Diagnostics> {
    // Environments are independent: render them in parallel, merge in environment order.
    use rayon::prelude::*;
    let rendered: Vec<(FileSet, Diagnostics)> = stacks
        .par_iter()
        .map(|stack| {
            let (mut files, mut diagnostics) = (FileSet::default(), Diagnostics::new());
            task::emit_environment(stack, options, &mut files, &mut diagnostics);
            (files, diagnostics)
        })
        .collect();
    let mut files = FileSet::default();
    let mut diagnostics = Diagnostics::new();
    for (set, found) in rendered {
        files.extend(set);
        diagnostics.extend(found);
    }
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(files)
}

/// The task size of a workload, or the located error IAC036 (a safety net: validation already
/// rejects workloads larger than any Fargate task).
pub fn task_size(
    name: &str,
    compute: &crate::ir::Compute,
    origins: &std::collections::BTreeMap<String, crate::ir::Origin>,
    fallback: crate::shared::span::Span,
) -> Result<fargate::TaskSize, Diagnostic> {
    fargate::for_compute(compute).ok_or_else(|| {
        let span = origins.get("resources.cpu_limit").and_then(|o| o.span).unwrap_or(fallback);
        Diagnostic::new(codes::FARGATE_SIZE, span, format!("`{name}` is larger than any Fargate task size"))
            .with_label("too large for Fargate")
            .with_help(codes::FARGATE_SIZE.fix)
    })
}

/// The EventBridge Scheduler expression of a job, or the located error IAC037.
pub fn schedule_expression(job: &crate::ir::Job, target: &str) -> Result<String, Diagnostic> {
    schedule::eventbridge(&job.schedule).map_err(|why| {
        let span = job.origins.get("schedule").and_then(|o| o.span).unwrap_or(job.origin);
        Diagnostic::new(
            codes::UNSUPPORTED_ON_TARGET,
            span,
            format!("job `{}` has a schedule that the {target} target cannot express: {why}", job.name),
        )
        .with_label("not expressible as an EventBridge Scheduler cron")
        .with_help(
            "restrict either the day of month or the day of week (not both), without a step in day of week; split the job in two if it needs both",
        )
    })
}
