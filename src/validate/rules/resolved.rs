//! Checks on the resolved services of one environment that are not standards (not waivable):
//! IAC030 invalid-port (two names for one port), IAC032 limit-below-request, IAC033 health-check-shape
//! (HTTP check without an http port), IAC034 unknown-port-name, IAC035 pin-missing,
//! IAC036 fargate-size, IAC037 unsupported-on-target, IAC038 duplicate-route.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{Compute, HealthCheck, Origin, Stack, Target};
use crate::model::placeholder::{Placeholder, ResourceAttr};
use crate::source::span::Span;
use crate::validate::Finding;

/// Largest Fargate task: 16 vCPU, 120 GiB.
pub const FARGATE_MAX_CPU: u32 = 16_000;
/// Largest Fargate task memory in MiB.
pub const FARGATE_MAX_MEMORY: u32 = 122_880;

/// Run the checks on `stack`.
pub fn check(stack: &Stack, findings: &mut Vec<Finding>) {
    let mut push = |diagnostic: Diagnostic, subject: Option<&str>| {
        findings.push(Finding {
            diagnostic,
            subject: subject.map(String::from),
            environment: stack.environment.clone(),
        });
    };
    let origin_span = |origins: &BTreeMap<String, Origin>, field: &str, fallback: Span| {
        origins.get(field).and_then(|o| o.span).unwrap_or(fallback)
    };
    let mut routes: BTreeMap<(Option<String>, String), (String, Span)> = BTreeMap::new();

    for service in stack.services.values() {
        let name = service.name.as_str();
        let mut by_number: BTreeMap<u16, &str> = BTreeMap::new();
        for (port_name, port) in &service.ports {
            if let Some(first) = by_number.insert(*port, port_name) {
                push(
                    Diagnostic::new(
                        codes::INVALID_PORT,
                        origin_span(&service.origins, &format!("ports.{port_name}"), service.origin),
                        format!("service `{name}` names port {port} twice (`{first}` and `{port_name}`)"),
                    )
                    .with_label("same port number")
                    .with_help("give each named port its own number"),
                    Some(name),
                );
            }
        }
        check_compute(&service.compute, &service.origins, service.origin, name, &mut push);
        if let Some(health) = &service.health {
            if matches!(health.check, HealthCheck::Http { .. }) && service.http_port().is_none() {
                push(
                    Diagnostic::new(
                        codes::HEALTH_CHECK_SHAPE,
                        origin_span(&service.origins, "health.path", service.origin),
                        format!("service `{name}` has an HTTP health check but no `http` port"),
                    )
                    .with_label("HTTP check needs ports.http")
                    .with_help("add `port: 8080` (or `ports: { http: 8080 }`), or use `health.command`"),
                    Some(name),
                );
            }
        }
        if service.origins.contains_key("metrics") && service.metrics.is_none() {
            push(
                Diagnostic::new(
                    codes::UNKNOWN_PORT_NAME,
                    origin_span(&service.origins, "metrics", service.origin),
                    format!("service `{name}` scrapes metrics on a port it does not declare"),
                )
                .with_label("unknown port name")
                .with_help(format!("name one of its ports ({}) in `metrics.port`", join_keys(&service.ports))),
                Some(name),
            );
        }
        if service.ingress.is_some() && service.http_port().is_none() {
            push(
                Diagnostic::new(
                    codes::INVALID_PORT,
                    origin_span(&service.origins, "ingress", service.origin),
                    format!("service `{name}` has an ingress but no `http` port to route to"),
                )
                .with_label("nothing to route to")
                .with_help("add `port: 8080` (or `ports: { http: 8080 }`)"),
                Some(name),
            );
        }
        if let Some(ingress) = &service.ingress {
            let key = (ingress.host.clone(), ingress.path.clone());
            let span = origin_span(&service.origins, "ingress", service.origin);
            if let Some((first, first_span)) = routes.get(&key) {
                push(
                    Diagnostic::new(
                        codes::DUPLICATE_ROUTE,
                        span,
                        format!(
                            "services `{first}` and `{name}` both route {}{}",
                            ingress.host.as_deref().unwrap_or("*"),
                            ingress.path
                        ),
                    )
                    .with_label("same host and path")
                    .with_related(*first_span, format!("`{first}` routes it here"))
                    .with_help(codes::DUPLICATE_ROUTE.fix),
                    Some(name),
                );
            } else {
                routes.insert(key, (name.to_string(), span));
            }
        }
    }
    for job in stack.jobs.values() {
        check_compute(&job.compute, &job.origins, job.origin, &job.name, &mut push);
    }

    let unprovisioned: Vec<Target> =
        stack.targets.iter().copied().filter(|t| matches!(t, Target::Helm | Target::Ecs)).collect();
    if let Some(target) = unprovisioned.first() {
        let mut users: BTreeMap<&str, Vec<(&str, Span)>> = BTreeMap::new();
        let workloads = stack
            .services
            .values()
            .map(|s| (&s.name, &s.env, s.origin))
            .chain(stack.jobs.values().map(|j| (&j.name, &j.env, j.origin)));
        for (name, env, origin) in workloads {
            for value in env.values() {
                for (placeholder, span) in value.template.placeholders() {
                    if let Placeholder::Resource { name: resource, attr: ResourceAttr::Host } = placeholder {
                        users.entry(resource).or_default().push((name, span));
                    }
                }
            }
            let _ = origin;
        }
        for (resource_name, sites) in users {
            let Some(resource) = stack.resources.get(resource_name) else { continue };
            if resource.host.is_some() {
                continue;
            }
            let (user, span) = sites[0];
            push(
                Diagnostic::new(
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
                )),
                Some(user),
            );
        }
    }

    let on_fargate = stack.targets.contains(&Target::Ecs) || stack.targets.contains(&Target::Aws);
    let file_targets: Vec<&str> = [Target::Ecs, Target::Aws, Target::Azure]
        .into_iter()
        .filter(|t| stack.targets.contains(t))
        .map(Target::as_str)
        .collect();
    let workloads = stack
        .services
        .values()
        .map(|s| (&s.name, &s.compute, &s.files, &s.origins, s.origin))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.compute, &j.files, &j.origins, j.origin)));
    for (name, compute, files, origins, origin) in workloads {
        if on_fargate
            && (compute.cpu_limit.millis > FARGATE_MAX_CPU || compute.memory_limit.mebibytes > FARGATE_MAX_MEMORY)
        {
            push(
                Diagnostic::new(
                    codes::FARGATE_SIZE,
                    origin_span(origins, "resources.cpu_limit", origin),
                    format!(
                        "`{name}` needs {} vCPU and {} of memory, more than the largest Fargate task (16 vCPU, 120Gi)",
                        compute.cpu_limit.cores(),
                        compute.memory_limit.kubernetes()
                    ),
                )
                .with_label("too large for Fargate")
                .with_help(codes::FARGATE_SIZE.fix),
                Some(name),
            );
        }
        if let (Some(path), Some(target)) = (files.keys().next(), file_targets.first()) {
            push(
                Diagnostic::new(
                    codes::UNSUPPORTED_ON_TARGET,
                    origin_span(origins, &format!("files.{path}"), origin),
                    format!("`{name}` mounts `{path}`, which the {target} target cannot mount"),
                )
                .with_label("mounted file")
                .with_help(format!(
                    "{target} runs containers on Fargate or App Service, which mount no arbitrary files without extra storage: bake the file into the image, or leave {target} out of environment `{}`",
                    stack.environment
                )),
                Some(name),
            );
        }
    }
}

fn check_compute(
    compute: &Compute,
    origins: &BTreeMap<String, Origin>,
    fallback: Span,
    name: &str,
    push: &mut impl FnMut(Diagnostic, Option<&str>),
) {
    let span = |field: &str| origins.get(field).and_then(|o| o.span).unwrap_or(fallback);
    if compute.cpu_limit < compute.cpu {
        push(
            Diagnostic::new(
                codes::LIMIT_BELOW_REQUEST,
                span("resources.cpu_limit"),
                format!(
                    "`{name}` has a CPU limit ({}) below its request ({})",
                    compute.cpu_limit.kubernetes(),
                    compute.cpu.kubernetes()
                ),
            )
            .with_label("limit below request")
            .with_related(span("resources.cpu"), "request set here")
            .with_help(codes::LIMIT_BELOW_REQUEST.fix),
            Some(name),
        );
    }
    if compute.memory_limit < compute.memory {
        push(
            Diagnostic::new(
                codes::LIMIT_BELOW_REQUEST,
                span("resources.memory_limit"),
                format!(
                    "`{name}` has a memory limit ({}) below its request ({})",
                    compute.memory_limit.kubernetes(),
                    compute.memory.kubernetes()
                ),
            )
            .with_label("limit below request")
            .with_related(span("resources.memory"), "request set here")
            .with_help(codes::LIMIT_BELOW_REQUEST.fix),
            Some(name),
        );
    }
}

fn join_keys(ports: &BTreeMap<String, u16>) -> String {
    if ports.is_empty() {
        return String::from("none declared");
    }
    ports.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
}
