//! What each target can and cannot do, checked on the resolved model before anything is emitted.
//! Every target's `checks` module has one entry point, `check`, over the environments that name the
//! target; `validate` calls [`run`] for the targets and environments a command selects, so a
//! filtered build reports only what blocks its own scope. Emitters then only produce files.
//!
//! Limits several targets share are written once, here or in the module of the target that owns
//! them (Fargate's, in `fargate::checks`, which ecs and aws both run).

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Compilation, Field, Stack, Target};
use crate::model::placeholder::{Placeholder, ResourceAttr};
use crate::shared::Filter;
use crate::shared::span::Span;
use crate::targets::{aws, azure, compose, ecs, helm};

/// The order the targets' checks run in. A limit several targets share (a persistent volume, a
/// mounted file, a schedule, a pinned host) is reported once per place and environment, named after
/// the first target in this order that has it: the container platforms before the clouds that run
/// them.
pub const ORDER: [Target; 5] = [Target::Compose, Target::Helm, Target::Ecs, Target::Aws, Target::Azure];

/// Check every target `filter` selects on the environments it selects that name the target.
pub fn run(compilation: &Compilation, filter: &Filter) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen = BTreeSet::new();
    for target in ORDER.into_iter().filter(|target| filter.target(*target)) {
        // A target no environment names writes nothing. One that some environment names also writes
        // the files shared by every environment (charts, modules), whichever `--env` selects: its
        // check runs then, on the selected environments (perhaps none) and on what they share.
        let named: Vec<&Stack> = crate::targets::stacks_for(compilation, target);
        if named.is_empty() {
            continue;
        }
        let stacks: Vec<&Stack> =
            named.into_iter().filter(|stack| filter.environment(Some(&stack.environment))).collect();
        let found = match target {
            Target::Compose => compose::checks::check(&stacks),
            Target::Helm => helm::checks::check(compilation, &stacks),
            Target::Ecs => ecs::checks::check(&stacks),
            Target::Aws => aws::checks::check(&stacks),
            Target::Azure => azure::checks::check(&stacks),
        };
        // A place an earlier target reported is not reported again; one target's own findings are
        // all kept (several may share a place: a resource's version, storage and backups).
        let mut claimed = Vec::new();
        for finding in found {
            let span = finding.diagnostic.span.map(|s| (s.file.0, s.start, s.end));
            let key = (finding.environment.clone(), finding.diagnostic.code.number, span, finding.subject.clone());
            if !seen.contains(&key) {
                claimed.push(key);
                findings.push(finding);
            }
        }
        seen.extend(claimed);
    }
    findings
}

/// The span of `field` in a workload's origins, else `fallback`.
pub fn span_of(origins: &crate::ir::Origins, field: &Field, fallback: Span) -> Span {
    origins.get(field).and_then(|origin| origin.span).unwrap_or(fallback)
}

/// IAC035: `target` provisions no databases, so a resource whose host a service or job reads must
/// have one pinned in the environment.
pub fn pinned_hosts(stack: &Stack, target: Target, out: &mut Vec<Finding>) {
    let mut users: std::collections::BTreeMap<&str, Vec<(&str, Span)>> = std::collections::BTreeMap::new();
    let workloads =
        stack.services.values().map(|s| (&s.name, &s.env)).chain(stack.jobs.values().map(|j| (&j.name, &j.env)));
    for (name, env) in workloads {
        for value in env.values() {
            for (placeholder, span) in value.template.placeholders() {
                if let Placeholder::Resource { name: resource, attr: ResourceAttr::Host } = placeholder {
                    users.entry(resource).or_default().push((name, span));
                }
            }
        }
    }
    for (resource_name, sites) in users {
        let Some(resource) = stack.resources.get(resource_name) else { continue };
        if resource.host.is_some() {
            continue;
        }
        let Some((user, span)) = sites.first().copied() else { continue };
        let diagnostic = Diagnostic::new(
            codes::PIN_MISSING,
            span,
            format!("resource `{resource_name}` has no pinned host for the {} target", target.as_str()),
        )
        .with_label(format!("`{user}` needs its host"))
        .with_related(resource.origin, "resource defined here")
        .with_help(format!(
            "set `environments.{}.resources.{resource_name}.host` ({} does not provision databases)",
            stack.environment,
            target.as_str()
        ));
        out.push(Finding::new(diagnostic, Some(user), &stack.environment));
    }
}

/// The resources some service or job of `stack` uses: the ones whose limits matter there.
pub fn used_resources(stack: &Stack) -> BTreeSet<&str> {
    stack
        .services
        .values()
        .flat_map(|s| s.uses.iter())
        .chain(stack.jobs.values().flat_map(|j| j.uses.iter()))
        .map(String::as_str)
        .collect()
}

/// IAC048: `target` (helm, ecs) runs no databases, so the backups a resource asks for are kept by
/// whoever runs it; said where the model sets `backup_days` or `backup_copy`, in environments no
/// other target of which provisions the resource.
pub fn backups_elsewhere(stack: &Stack, target: Target, out: &mut Vec<Finding>) {
    let provisions = [Target::Compose, Target::Aws, Target::Azure];
    if provisions.iter().any(|t| stack.targets.contains(t)) {
        return;
    }
    let used = used_resources(stack);
    for resource in stack.resources.values().filter(|r| used.contains(r.name.as_str())) {
        let Some(span) = resource.backup_days_span.or(resource.backup_copy) else { continue };
        let name = &resource.name;
        let host = resource.host.as_deref().unwrap_or("its pinned host");
        let diagnostic = Diagnostic::new(
            codes::BACKUP_LIMITED,
            span,
            format!("the {} target does not run `{name}` (it connects to {host}): its backups are not made here", target.as_str()),
        )
        .with_label("backups asked here")
        .with_help(format!(
            "keep {} days of backups{} where `{name}` runs (its managed service or its operator); {} only connects to it",
            resource.backup_days,
            if resource.backup_copy.is_some() { ", with a copy in a second region," } else { "" },
            target.as_str()
        ));
        out.push(Finding::new(diagnostic, Some(name), &stack.environment));
    }
}

/// IAC037: `target` runs containers that mount no arbitrary files (Fargate, App Service).
pub fn mounted_files(stack: &Stack, target: Target, out: &mut Vec<Finding>) {
    let workloads = stack
        .services
        .values()
        .map(|s| (&s.name, &s.files, &s.origins, s.origin))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.files, &j.origins, j.origin)));
    let target = target.as_str();
    for (name, files, origins, origin) in workloads {
        let Some(path) = files.keys().next() else { continue };
        let diagnostic = Diagnostic::new(
            codes::UNSUPPORTED_ON_TARGET,
            span_of(origins, &Field::File(path.to_string()), origin),
            format!("`{name}` mounts `{path}`, which the {target} target cannot mount"),
        )
        .with_label("mounted file")
        .with_help(format!(
            "{target} runs containers on Fargate or App Service, which mount no arbitrary files without extra storage: bake the file into the image, or leave {target} out of environment `{}`",
            stack.environment
        ));
        out.push(Finding::new(diagnostic, Some(name), &stack.environment));
    }
}

/// IAC024: a name the platform derives from model names is too long; points at the model name,
/// with the project's and environment's names as related places.
pub fn derived_name(
    stack: &Stack,
    subject: &str,
    span: crate::shared::span::Span,
    derived: String,
    limit: usize,
    what: &str,
) -> Finding {
    let mut diagnostic = Diagnostic::new(
        codes::DERIVED_NAME_INVALID,
        span,
        format!("{what} `{derived}` is {} characters, more than {limit}", derived.chars().count()),
    )
    .with_label(format!("makes the {what} too long"))
    .with_help(codes::DERIVED_NAME_INVALID.fix);
    if let Some(span) = stack.project_span {
        diagnostic = diagnostic.with_related(span, "project name");
    }
    if let Some(span) = stack.environment_span {
        diagnostic = diagnostic.with_related(span, "environment name");
    }
    Finding::new(diagnostic, Some(subject), &stack.environment)
}
