//! What the aws target cannot express, as located diagnostics: Fargate's limits and schedules (shared
//! with the ecs target, since services run as the same tasks), IAM role names, RDS and ElastiCache
//! identifiers (IAC024), RDS database names, mounted files, backups kept otherwise than asked (IAC048). Load balancer and target group names
//! are not checked: the target shortens them with a hash (`names::fit_32`).

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Field, ResourceKind, SecretRef, Stack, Target};
use crate::targets::checks::{derived_name, mounted_files};
use crate::targets::fargate;

/// Every problem of the environments in `stacks` for the aws target.
pub fn check(stacks: &[&Stack]) -> Vec<Finding> {
    let mut out = Vec::new();
    for stack in stacks {
        fargate::checks::fargate(stack, Target::Aws, &mut out);
        fargate::checks::schedules(stack, Target::Aws, &mut out);
        fargate::checks::role_names(stack, &mut out);
        resources(stack, &mut out);
        backups(stack, &mut out);
        mounted_files(stack, Target::Aws, &mut out);
        crate::targets::probe::check_tools(stack, &mut out);
        stripped_prefixes(stack, &mut out);
    }
    out
}

/// IAC037: an Application Load Balancer routes by path but forwards the whole path, so it cannot
/// strip a route's prefix (`ingress.strip_prefix`).
fn stripped_prefixes(stack: &Stack, out: &mut Vec<Finding>) {
    for service in stack.services.values() {
        let Some(ingress) = service.ingress.as_ref().filter(|i| i.strip_prefix && i.path != "/") else { continue };
        let name = &service.name;
        out.push(Finding::new(
            Diagnostic::new(
                codes::UNSUPPORTED_ON_TARGET,
                crate::targets::checks::span_of(&service.origins, &Field::Ingress, service.origin),
                format!("`{name}` strips the prefix `{}` from its route, which the aws target cannot do", ingress.path),
            )
            .with_label("`strip_prefix: true`")
            .with_help(format!(
                "an Application Load Balancer forwards the whole path and rewrites none: serve the prefix in the application, or leave aws out of environment `{}`",
                stack.environment
            )),
            Some(name),
            &stack.environment,
        ));
    }
}

/// The resources some service or job uses become RDS instances or ElastiCache groups: their
/// identifiers (`<project>-<env>-<resource>`: 63 characters for RDS, 40 for ElastiCache, no `--`),
/// the RDS monitoring role and the database name must be valid.
fn resources(stack: &Stack, out: &mut Vec<Finding>) {
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
    let prefix = format!("{}-{}", stack.project, stack.environment);
    for resource in stack.resources.values().filter(|r| used.contains(r.name.as_str())) {
        let name = &resource.name;
        let identifier = format!("{prefix}-{name}");
        let (limit, what) = if resource.kind == ResourceKind::Redis {
            (40, "ElastiCache replication group ID")
        } else {
            let role = format!("{identifier}-rds-monitoring");
            if role.len() > 64 {
                out.push(derived_name(stack, name, resource.origin, role, 64, "IAM role name"));
            }
            (63, "RDS instance identifier")
        };
        if identifier.len() > limit {
            out.push(derived_name(stack, name, resource.origin, identifier, limit, what));
        } else if identifier.contains("--") {
            let diagnostic = Diagnostic::new(
                codes::DERIVED_NAME_INVALID,
                resource.origin,
                format!("{what} `{identifier}` contains `--`, which AWS refuses"),
            )
            .with_label(format!("makes the {what} invalid"))
            .with_help("rename the project, environment or resource so that no two hyphens meet");
            out.push(Finding::new(diagnostic, Some(name), &stack.environment));
        }
        if resource.kind != ResourceKind::Redis && !valid_database_name(&resource.database) {
            let diagnostic = Diagnostic::new(
                codes::INVALID_VALUE,
                resource.origin,
                format!("database name `{}` of resource `{name}` is not valid on RDS", resource.database),
            )
            .with_label("used as the RDS database name")
            .with_help(
                "use letters, digits and underscores, starting with a letter, at most 63 characters (`database:`)",
            );
            out.push(Finding::new(diagnostic, Some(name), ""));
        }
    }
}

/// `^[A-Za-z][A-Za-z0-9_]{0,62}$`.
fn valid_database_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 63
}

/// IAC048: RDS and ElastiCache keep backups at most 35 days (the roots write 35; a copy in the
/// second region keeps them all), and copies in a second region need that region named and an
/// engine AWS Backup copies (RDS, not ElastiCache).
fn backups(stack: &Stack, out: &mut Vec<Finding>) {
    let max = crate::targets::aws::backup::MAX_RETENTION_DAYS;
    let region = stack.config.aws.as_ref().and_then(|aws| aws.backup_region.as_deref());
    let used = crate::targets::checks::used_resources(stack);
    for resource in stack.resources.values().filter(|r| used.contains(r.name.as_str())) {
        let name = &resource.name;
        let service = if resource.kind == ResourceKind::Redis { "ElastiCache" } else { "RDS" };
        let copied = resource.kind != ResourceKind::Redis && resource.backup_copy.is_some() && region.is_some();
        if resource.backup_days > max {
            let days = resource.backup_days;
            let help = if copied {
                format!(
                    "the copies in {} keep all {days} days; lower `backup_days` to {max} to silence this",
                    region.unwrap_or_default()
                )
            } else {
                format!(
                    "lower `backup_days` to {max}, or keep longer copies elsewhere (`backup_copy` with `targets.aws.backup_region` keeps them all)"
                )
            };
            out.push(Finding::new(
                Diagnostic::new(
                    codes::BACKUP_LIMITED,
                    resource.backup_days_span.unwrap_or(resource.origin),
                    format!("{service} keeps the backups of `{name}` at most {max} days, not {days}"),
                )
                .with_label(format!("{max} days on {service}"))
                .with_help(help),
                Some(name),
                &stack.environment,
            ));
        }
        let Some(span) = resource.backup_copy.filter(|_| stack.stage != crate::ir::Stage::Development) else {
            continue;
        };
        let problem = if resource.kind == ResourceKind::Redis {
            Some((
                format!("the aws target does not copy the snapshots of the cache `{name}` to a second region"),
                String::from(
                    "AWS Backup copies RDS, not ElastiCache: export snapshots to S3 with cross-region replication, or treat the cache as rebuildable",
                ),
            ))
        } else if region.is_none() {
            Some((
                format!("the aws target has no second region to copy the backups of `{name}` to"),
                String::from(
                    "name it: `targets.aws.backup_region: eu-central-1` (or the environment's `targets_config.aws.backup_region`)",
                ),
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            out.push(Finding::new(
                Diagnostic::new(codes::BACKUP_LIMITED, span, message)
                    .with_label("a second location asked here")
                    .with_help(help),
                Some(name),
                &stack.environment,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::reader::Reader;

    #[test]
    fn checks_database_names() {
        assert!(valid_database_name("pact"));
        assert!(valid_database_name("shop_staging"));
        assert!(!valid_database_name("shop-staging"));
        assert!(!valid_database_name("1db"));
        assert!(!valid_database_name(""));
    }

    /// The IAC024 findings of a model with these resources, used by `service`.
    fn messages(resources: &str, service: &str) -> Vec<String> {
        let model = format!(
            "version: 1\nproject: shop\nservices:\n  {service}:\n    image: ghcr.io/x/api\n    version: \"1\"\n    port: 8080\n    health: {{ path: /health }}\n    ingress: {{ host: a.example.com }}\n    uses: [{}]\nresources:\n{resources}\nenvironments:\n  staging:\n    targets: [aws]\ntargets:\n  aws: {{ region: us-east-1, account_id: \"123456789012\", state: {{ bucket: b }} }}\n",
            resources.lines().filter_map(|l| l.trim().split(':').next()).collect::<Vec<_>>().join(", ")
        );
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("iacgen.yaml"), model).expect("write model");
        let diagnostics = match crate::resolve_model(&Reader::Disk { root: dir.path().to_path_buf() }) {
            Ok(resolved) => resolved.diagnostics,
            Err(failure) => failure.diagnostics,
        };
        diagnostics
            .items
            .iter()
            .filter(|d| d.code == crate::diagnostic::codes::DERIVED_NAME_INVALID)
            .map(|d| format!("{} {}", d.code.id(), d.message))
            .collect()
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
