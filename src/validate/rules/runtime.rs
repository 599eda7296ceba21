//! What the model asks of the container runtime, checked on each resolved environment: `after` has
//! no cycle (IAC013), kept capabilities fit Fargate (IAC037), and a resource without a password is
//! a development-only, compose-run thing that no service reads a password of (IAC013).

use std::collections::BTreeSet;

use crate::diagnostic::Finding;
use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{Auth, Field, ResourceKind, SecretRef, Stack, Stage, Target};

/// The only capability Fargate lets a task add back.
const FARGATE_CAPABILITY: &str = "SYS_PTRACE";

/// Run the checks on `stack`.
pub fn check(stack: &Stack, findings: &mut Vec<Finding>) {
    let mut push = |diagnostic: Diagnostic, subject: Option<&str>| {
        findings.push(Finding {
            diagnostic,
            subject: subject.map(String::from),
            environment: stack.environment.clone(),
        });
    };
    let span_of = |origins: &crate::ir::Origins, field: &Field, fallback: crate::shared::span::Span| {
        origins.get(field).and_then(|o| o.span).unwrap_or(fallback)
    };
    start_order(stack, &mut push);

    let fargate: Vec<&str> =
        [Target::Ecs, Target::Aws].into_iter().filter(|t| stack.targets.contains(t)).map(Target::as_str).collect();
    let workloads = stack
        .services
        .values()
        .map(|s| (&s.name, &s.security, &s.secrets, &s.origins, s.origin))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.security, &j.secrets, &j.origins, j.origin)));
    for (name, security, secrets, origins, origin) in workloads {
        let extra = security.capabilities.iter().find(|c| c.as_str() != FARGATE_CAPABILITY);
        if let (Some(capability), Some(target)) = (extra, fargate.first()) {
            push(
                Diagnostic::new(
                    codes::UNSUPPORTED_ON_TARGET,
                    span_of(origins, &Field::Capabilities, origin),
                    format!("`{name}` keeps the capability {capability}, which the {target} target cannot add"),
                )
                .with_label("not on Fargate")
                .with_help(format!(
                    "Fargate adds back only {FARGATE_CAPABILITY}: drop the others for environment `{}`, or leave {target} out of it",
                    stack.environment
                )),
                Some(name),
            );
        }
        for (variable, secret) in secrets {
            let SecretRef::ResourcePassword(resource) = &secret.reference else { continue };
            if stack.resources.get(resource).is_some_and(|r| r.auth == Auth::None) {
                push(
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        secret.origin.span.unwrap_or(origin),
                        format!(
                            "`{variable}` of `{name}` reads `{resource}.password`, but `{resource}` has `auth: none`"
                        ),
                    )
                    .with_label("no password to read")
                    .with_help(format!("remove `{variable}`, or give `{resource}` a password (remove `auth: none`)")),
                    Some(name),
                );
            }
        }
    }

    for resource in stack.resources.values().filter(|r| r.auth == Auth::None) {
        let name = resource.name.as_str();
        let provisioned: Vec<&str> = [Target::Aws, Target::Azure]
            .into_iter()
            .filter(|t| stack.targets.contains(t))
            .map(Target::as_str)
            .collect();
        let why = if resource.kind == ResourceKind::Mssql {
            Some(String::from("SQL Server always has a password (its image refuses to start without one)"))
        } else if stack.stage != Stage::Development {
            Some(format!("environment `{}` is not a development one", stack.environment))
        } else {
            provisioned.first().map(|target| format!("the {target} target provisions it with a password"))
        };
        if let Some(why) = why {
            push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    resource.origin,
                    format!("resource `{name}` has `auth: none`, but {why}"),
                )
                .with_label("`auth: none`")
                .with_help("`auth: none` keeps a compose file's password-less database or cache for local development only: remove it"),
                None,
            );
        }
    }
}

/// Following `after` never comes back to where it started (unknown names are reference errors).
fn start_order(stack: &Stack, push: &mut impl FnMut(Diagnostic, Option<&str>)) {
    for service in stack.services.values() {
        let span = service.origins.get(&Field::After).and_then(|o| o.span).unwrap_or(service.origin);
        // Depth-first from this service: a path back to it is a cycle compose would refuse.
        let mut seen = BTreeSet::new();
        let mut stack_ = vec![(service.name.clone(), vec![service.name.clone()])];
        while let Some((current, path)) = stack_.pop() {
            let Some(next) = stack.services.get(&current) else { continue };
            for other in &next.after {
                if *other == service.name {
                    let mut cycle = path.clone();
                    cycle.push(other.clone());
                    push(
                        Diagnostic::new(
                            codes::INVALID_VALUE,
                            span,
                            format!("`after` goes round in a circle: {}", cycle.join(" → ")),
                        )
                        .with_label("start order cycle")
                        .with_help("remove one `after` entry of the circle: no service could start first"),
                        Some(&service.name),
                    );
                    return;
                }
                if seen.insert(other.clone()) {
                    let mut longer = path.clone();
                    longer.push(other.clone());
                    stack_.push((other.clone(), longer));
                }
            }
        }
    }
}
