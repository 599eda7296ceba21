//! What the ecs target cannot express, as located diagnostics: Fargate's limits, shared with the aws
//! target ([`crate::targets::fargate::checks`]), unpinned resource hosts and EFS ids (IAC035), mounted files,
//! the tools in-container HTTP checks need (IAC045, `targets::probe`), and what it leaves to the
//! platform that runs the tasks: backups (IAC048) and alarms (IAC047).

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Field, Stack, Target, Volume};
use crate::targets::checks::{backups_elsewhere, mounted_files, pinned_hosts, span_of};
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
            efs_pins(stack, &mut out);
        }
        backups_elsewhere(stack, Target::Ecs, &mut out);
        alerting(stack, &mut out);
        mounted_files(stack, Target::Ecs, &mut out);
        crate::targets::probe::check_tools(stack, &mut out);
    }
    out
}

/// IAC035: the ecs target provisions nothing, so every persistent volume must name the EFS file
/// system and access point it lives on (`targets.ecs.volumes`).
fn efs_pins(stack: &Stack, out: &mut Vec<Finding>) {
    let no_pins = std::collections::BTreeMap::new();
    let pins = stack.config.ecs.as_ref().map_or(&no_pins, |ecs| &ecs.volumes);
    let workloads = stack
        .services
        .values()
        .map(|s| (&s.name, &s.volumes, &s.origins, s.origin))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.volumes, &j.origins, j.origin)));
    for (name, volumes, origins, origin) in workloads {
        for (path, _) in volumes.iter().filter(|(_, volume)| matches!(volume, Volume::Persistent(_))) {
            let key = format!("environments.{}.targets_config.ecs.volumes.{name}", stack.environment);
            let (missing, set) = match pins.get(name) {
                None => (
                    "EFS file system and access point",
                    format!("`{key}: {{ file_system: fs-…, access_points: {{ {path}: fsap-… }} }}`"),
                ),
                Some((pin, _)) if pin.file_system.is_empty() => ("EFS file system", format!("`{key}.file_system`")),
                Some((pin, _)) if !pin.access_points.contains_key(path) => {
                    ("EFS access point", format!("`{key}.access_points.{path}`"))
                }
                Some(_) => continue,
            };
            let mut diagnostic = Diagnostic::new(
                codes::PIN_MISSING,
                span_of(origins, &Field::Volume(path.to_string()), origin),
                format!("`{name}` keeps `{path}` on a persistent volume, and the ecs target has no {missing} pinned for it"),
            )
            .with_label("needs its EFS ids")
            .with_help(format!(
                "set {set} (or `targets.ecs.volumes`): the ecs target provisions nothing; the aws target creates them and lists them in its root's outputs"
            ));
            if let Some((_, pin_span)) = pins.get(name) {
                diagnostic = diagnostic.with_related(*pin_span, "pinned here");
            }
            out.push(Finding::new(diagnostic, Some(name), &stack.environment));
        }
    }
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
