//! What the ecs target cannot express, as located diagnostics: Fargate's limits, shared with the aws
//! target ([`crate::targets::fargate::checks`]), unpinned resource hosts (IAC035), mounted files,
//! the tools in-container HTTP checks need (IAC045, `targets::probe`), and what it leaves to the
//! platform that runs the tasks: backups (IAC048) and alarms (IAC047).

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Stack, Target};
use crate::targets::checks::{backups_elsewhere, mounted_files, pinned_hosts};
use crate::targets::fargate::checks::{fargate, role_names, schedules};

/// Every problem of the environments in `stacks` for the ecs target.
pub fn check(stacks: &[&Stack]) -> Vec<Finding> {
    let mut out = Vec::new();
    for stack in stacks {
        fargate(stack, Target::Ecs, &mut out);
        schedules(stack, Target::Ecs, &mut out);
        role_names(stack, &mut out);
        // Where an aws root provisions the resources, it also registers the task definitions.
        if !stack.targets.contains(&Target::Aws) {
            pinned_hosts(stack, Target::Ecs, &mut out);
        }
        backups_elsewhere(stack, Target::Ecs, &mut out);
        alerting(stack, &mut out);
        mounted_files(stack, Target::Ecs, &mut out);
        crate::targets::probe::check_tools(stack, &mut out);
    }
    out
}

/// IAC047: the ecs target writes task definitions only, so it creates no alarms and no topic; the
/// aws target does, in an environment that names both.
fn alerting(stack: &Stack, out: &mut Vec<Finding>) {
    let Some(alerting) = &stack.alerting else { return };
    if stack.targets.contains(&Target::Aws) {
        return;
    }
    let diagnostic = Diagnostic::new(
        codes::ALERTS_LIMITED,
        alerting.span,
        String::from("the ecs target writes task definitions only: it creates no CloudWatch alarms and no SNS topic for these alerts"),
    )
    .with_label("alerts asked here")
    .with_help(format!(
        "add `aws` to environment `{}`'s targets (its root creates the alarms and the topic), or create them where the cluster is managed",
        stack.environment
    ));
    out.push(Finding::new(diagnostic, None, &stack.environment));
}
