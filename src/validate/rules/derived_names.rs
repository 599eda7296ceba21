//! IAC024 derived-name-invalid: cloud and cluster names built from model names that break a
//! provider's limits. The diagnostic points at the model name that makes it too long.

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{Stack, Target};
use crate::model::Model;
use crate::source::span::Span;
use crate::validate::Finding;

/// Run the checks on `stack`.
pub fn check(model: &Model, stack: &Stack, findings: &mut Vec<Finding>) {
    let project_span = model.project.as_ref().map(|p| p.span);
    let environment_span = model.environments.get(&stack.environment).map(|e| e.name.span);
    let mut push = |subject: &str, span: Span, derived: String, limit: usize, what: &str| {
        let mut diagnostic = Diagnostic::new(
            codes::DERIVED_NAME_INVALID,
            span,
            format!("{what} `{derived}` is {} characters, more than {limit}", derived.chars().count()),
        )
        .with_label(format!("makes the {what} too long"))
        .with_help(codes::DERIVED_NAME_INVALID.fix);
        if let Some(span) = project_span {
            diagnostic = diagnostic.with_related(span, "project name");
        }
        if let Some(span) = environment_span {
            diagnostic = diagnostic.with_related(span, "environment name");
        }
        findings.push(Finding {
            diagnostic,
            subject: Some(subject.to_string()),
            environment: stack.environment.clone(),
        });
    };
    let prefix = format!("{}-{}", stack.project, stack.environment);
    let aws = stack.targets.contains(&Target::Aws);
    let ecs = stack.targets.contains(&Target::Ecs);
    let helm = stack.targets.contains(&Target::Helm);
    for service in stack.services.values() {
        if aws && service.ingress.is_some() {
            let name = format!("{prefix}-{}", service.name);
            if name.len() > 32 {
                push(&service.name, service.origin, name, 32, "AWS target group name");
            }
        }
        if aws || ecs {
            let role = format!("{prefix}-{}-execution", service.name);
            if role.len() > 64 {
                push(&service.name, service.origin, role, 64, "IAM role name");
            }
        }
        if helm && service.migrate.is_some() && service.name.len() + "-migrate".len() > 63 {
            push(&service.name, service.origin, format!("{}-migrate", service.name), 63, "Kubernetes Job name");
        }
    }
    for job in stack.jobs.values() {
        if helm && job.name.len() > 52 {
            push(&job.name, job.origin, job.name.clone(), 52, "Kubernetes CronJob name");
        }
        if aws || ecs {
            let role = format!("{prefix}-{}-execution", job.name);
            if role.len() > 64 {
                push(&job.name, job.origin, role, 64, "IAM role name");
            }
        }
    }
}
