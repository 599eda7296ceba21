//! IAC024 derived-name-invalid: cloud and cluster names built from model names that break a
//! provider's limits. The diagnostic points at the model name that makes it too long.
//!
//! AWS names the modules derive and the generator cannot shorten: IAM roles (64), RDS identifiers
//! (63, no `--`), ElastiCache replication groups (40, no `--`). Load balancer and target group names
//! (32) are not checked: the aws target shortens them with a hash (`targets::aws::names::fit_32`).

use crate::diagnostic::{Diagnostic, codes};
use std::collections::BTreeSet;

use crate::ir::{ResourceKind, SecretRef, Stack, Target};
use crate::model::Model;
use crate::shared::span::Span;
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
            // `-scheduler` is as long as `-execution`: one check covers the job's three roles.
            let role = format!("{prefix}-{}-execution", job.name);
            if role.len() > 64 {
                push(&job.name, job.origin, role, 64, "IAM role name");
            }
        }
    }
    if !aws {
        return;
    }
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for (uses, secrets) in
        stack.services.values().map(|s| (&s.uses, &s.secrets)).chain(stack.jobs.values().map(|j| (&j.uses, &j.secrets)))
    {
        used.extend(uses.iter().map(String::as_str));
        for secret in secrets.values() {
            if let SecretRef::ResourcePassword(resource) = &secret.reference {
                used.insert(resource);
            }
        }
    }
    let mut double_hyphens = Vec::new();
    for resource in stack.resources.values().filter(|r| used.contains(r.name.as_str())) {
        let identifier = format!("{prefix}-{}", resource.name);
        let (limit, what) = if resource.kind == ResourceKind::Redis {
            (40, "ElastiCache replication group ID")
        } else {
            let role = format!("{identifier}-rds-monitoring");
            if role.len() > 64 {
                push(&resource.name, resource.origin, role, 64, "IAM role name");
            }
            (63, "RDS instance identifier")
        };
        if identifier.len() > limit {
            push(&resource.name, resource.origin, identifier, limit, what);
        } else if identifier.contains("--") {
            double_hyphens.push(Finding {
                diagnostic: Diagnostic::new(
                    codes::DERIVED_NAME_INVALID,
                    resource.origin,
                    format!("{what} `{identifier}` contains `--`, which AWS refuses"),
                )
                .with_label(format!("makes the {what} invalid"))
                .with_help("rename the project, environment or resource so that no two hyphens meet"),
                subject: Some(resource.name.clone()),
                environment: stack.environment.clone(),
            });
        }
    }
    findings.extend(double_hyphens);
}

#[cfg(test)]
mod tests {
    use crate::source::reader::Reader;

    fn messages(resources: &str, service: &str) -> Vec<String> {
        let model = format!(
            "version: 1\nproject: shop\nservices:\n  {service}:\n    image: ghcr.io/x/api\n    version: \"1\"\n    port: 8080\n    health: {{ path: /health }}\n    ingress: {{ host: a.example.com }}\n    uses: [{}]\nresources:\n{resources}\nenvironments:\n  staging:\n    targets: [aws]\ntargets:\n  aws: {{ region: us-east-1, account_id: \"123456789012\", state: {{ bucket: b }} }}\n",
            resources.lines().filter_map(|l| l.trim().split(':').next()).collect::<Vec<_>>().join(", ")
        );
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("iacgen.yaml"), model).expect("write model");
        match crate::resolve_model(&Reader::Disk { root: dir.path().to_path_buf() }) {
            Ok(resolved) => {
                resolved.diagnostics.items.iter().map(|d| format!("{} {}", d.code.id(), d.message)).collect()
            }
            Err(failure) => {
                failure.diagnostics.items.iter().map(|d| format!("{} {}", d.code.id(), d.message)).collect()
            }
        }
    }

    #[test]
    fn long_target_group_names_are_derived_not_rejected() {
        assert!(messages("  db: { kind: postgres }", "a-service-with-a-rather-long-name").is_empty());
    }

    #[test]
    fn aws_resource_identifiers_are_checked() {
        // `shop-staging-session-cache-for-the-shop` is 39 characters: it fits.
        assert!(messages("  session-cache-for-the-shop: { kind: redis }", "api").is_empty());
        let found = messages("  session-cache-for-the-shop-x: { kind: redis }", "api");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("IAC024 ElastiCache replication group ID"), "{found:?}");
        let found = messages("  my--db: { kind: postgres }", "api");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("contains `--`"), "{found:?}");
    }
}
