//! What ECS on Fargate cannot run, as located diagnostics, for both targets that run services as
//! Fargate tasks (ecs and aws): task sizes (IAC036), inexpressible schedules
//! (IAC037), health check timings outside ECS's ranges (IAC039) and IAM role names (IAC024).

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Field, Health, Stack, Target};
use crate::targets::checks::{derived_name, span_of};
use crate::targets::fargate::{schedule, size};

/// Fargate's limits, for `target` (ecs or aws): health check ranges, task size.
pub fn fargate(stack: &Stack, target: Target, out: &mut Vec<Finding>) {
    for service in stack.services.values() {
        if let Some(health) = &service.health {
            health_ranges(stack, health, service, target, out);
        }
    }
    let workloads = stack
        .services
        .values()
        .map(|s| (&s.name, &s.compute, &s.origins, s.origin))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.compute, &j.origins, j.origin)));
    for (name, compute, origins, origin) in workloads {
        if compute.cpu_limit.millis > size::MAX_CPU_MILLIS || compute.memory_limit.mebibytes > size::MAX_MEMORY_MIB {
            let diagnostic = Diagnostic::new(
                codes::FARGATE_SIZE,
                span_of(origins, &Field::CpuLimit, origin),
                format!(
                    "`{name}` needs {} vCPU and {} of memory, more than the largest Fargate task (16 vCPU, 120Gi)",
                    compute.cpu_limit.cores(),
                    compute.memory_limit.kubernetes()
                ),
            )
            .with_label("too large for Fargate")
            .with_help(codes::FARGATE_SIZE.fix);
            out.push(Finding::new(diagnostic, Some(name), &stack.environment));
        }
    }
}

/// ECS's container health check ranges, in whole seconds (durations round up).
const HEALTH_RANGES: [(&str, Field, u64, u64); 4] = [
    ("interval", Field::HealthInterval, 5, 300),
    ("timeout", Field::HealthTimeout, 2, 60),
    ("retries", Field::HealthRetries, 1, 10),
    ("start period", Field::HealthStartPeriod, 0, 300),
];

fn health_ranges(stack: &Stack, health: &Health, service: &crate::ir::Service, target: Target, out: &mut Vec<Finding>) {
    let values = [
        health.interval.secs_ceil(),
        health.timeout.secs_ceil(),
        u64::from(health.retries),
        health.start_period.secs_ceil(),
    ];
    for ((what, field, low, high), value) in HEALTH_RANGES.into_iter().zip(values) {
        if (low..=high).contains(&value) {
            continue;
        }
        let unit = if what == "retries" { "" } else { " s" };
        let diagnostic = Diagnostic::new(
            codes::HEALTH_CHECK_RANGE,
            span_of(&service.origins, &field, service.origin),
            format!(
                "service `{}` has a health check {what} of {value}{unit}, outside the {low}-{high}{unit} that the {} target accepts",
                service.name,
                target.as_str()
            ),
        )
        .with_label(format!("ECS accepts {low}-{high}{unit}"))
        .with_help(format!("set `{field}` between {low} and {high}{unit}"));
        out.push(Finding::new(diagnostic, Some(&service.name), &stack.environment));
    }
}

/// IAC037: a job's schedule that EventBridge Scheduler cannot express, for `target` (ecs or aws).
pub fn schedules(stack: &Stack, target: Target, out: &mut Vec<Finding>) {
    for job in stack.jobs.values() {
        let Err(why) = schedule::eventbridge(&job.schedule) else { continue };
        let diagnostic = Diagnostic::new(
            codes::UNSUPPORTED_ON_TARGET,
            span_of(&job.origins, &Field::Schedule, job.origin),
            format!("job `{}` has a schedule that the {} target cannot express: {why}", job.name, target.as_str()),
        )
        .with_label("not expressible as an EventBridge Scheduler cron")
        .with_help(
            "restrict either the day of month or the day of week (not both), without a step in day of week; split the job in two if it needs both",
        );
        out.push(Finding::new(diagnostic, Some(&job.name), ""));
    }
}

/// IAC024: the IAM roles `<project>-<env>-<name>-execution|-task|-scheduler` must fit in 64 characters
/// (`-scheduler` is as long as `-execution`: one check covers a job's three roles).
pub fn role_names(stack: &Stack, out: &mut Vec<Finding>) {
    let prefix = format!("{}-{}", stack.project, stack.environment);
    let workloads =
        stack.services.values().map(|s| (&s.name, s.origin)).chain(stack.jobs.values().map(|j| (&j.name, j.origin)));
    for (name, origin) in workloads {
        let role = format!("{prefix}-{name}-execution");
        if role.len() > 64 {
            out.push(derived_name(stack, name, origin, role, 64, "IAM role name"));
        }
    }
}
