//! What the ecs target cannot express, as located diagnostics: Fargate's limits, shared with the aws
//! target ([`crate::targets::fargate::checks`]), unpinned resource hosts (IAC035), mounted files,
//! and the tools in-container HTTP checks need (IAC045, `targets::probe`).

use crate::diagnostic::Finding;
use crate::ir::{Stack, Target};
use crate::targets::checks::{mounted_files, pinned_hosts};
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
        mounted_files(stack, Target::Ecs, &mut out);
        crate::targets::probe::check_tools(stack, &mut out);
    }
    out
}
