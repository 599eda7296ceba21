//! Checks on the resolved services of one environment that are not standards (not waivable):
//! IAC030 invalid-port (two names for one port), IAC032 limit-below-request, IAC033 health-check-shape
//! (HTTP check without an http port), IAC034 unknown-port-name, IAC035 pin-missing,
//! IAC036 fargate-size, IAC037 unsupported-on-target (files on ecs, aws and azure), IAC038
//! duplicate-route, IAC039 health-check-range (ecs and aws); IAC035 also for the EFS ids of the
//! persistent volumes the ecs target mounts.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{Compute, Health, HealthCheck, Origin, Stack, Target, Volume};
use crate::model::placeholder::{Placeholder, ResourceAttr};
use crate::shared::span::Span;
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
    if let Some(target) = [Target::Ecs, Target::Aws].into_iter().find(|t| stack.targets.contains(t)) {
        for service in stack.services.values() {
            if let Some(health) = &service.health {
                check_ecs_health(health, &service.origins, service.origin, &service.name, target, &mut push);
            }
        }
    }

    // Helm and ecs provision no databases and read the pinned values; ecs not where an aws root
    // provisions them, since it then leaves the task definitions to that root.
    let provisioned = stack.targets.contains(&Target::Aws);
    let unprovisioned: Vec<Target> =
        stack.targets.iter().copied().filter(|t| *t == Target::Helm || (*t == Target::Ecs && !provisioned)).collect();
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
    // The ecs target provisions nothing: persistent volumes live on the EFS file systems the
    // environment pins (where an aws root creates them, it also registers the task definitions).
    let no_pins = BTreeMap::new();
    let ecs_pins = (stack.targets.contains(&Target::Ecs) && !provisioned)
        .then(|| stack.config.ecs.as_ref().map_or(&no_pins, |ecs| &ecs.volumes));
    let workloads = stack
        .services
        .values()
        .map(|s| (&s.name, &s.compute, &s.files, &s.volumes, &s.origins, s.origin))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.compute, &j.files, &j.volumes, &j.origins, j.origin)));
    for (name, compute, files, volumes, origins, origin) in workloads {
        if let Some(pins) = ecs_pins {
            for (path, _) in volumes.iter().filter(|(_, volume)| matches!(volume, Volume::Persistent(_))) {
                if let Some(diagnostic) =
                    efs_pin_missing(stack, pins, name, path, origin_span(origins, &format!("volumes.{path}"), origin))
                {
                    push(diagnostic, Some(name));
                }
            }
        }
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

/// IAC035: the EFS ids the ecs target mounts `path` of `name` from, where one is not pinned.
fn efs_pin_missing(
    stack: &Stack,
    pins: &BTreeMap<String, (crate::model::EfsPin, Span)>,
    name: &str,
    path: &str,
    span: Span,
) -> Option<Diagnostic> {
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
        Some(_) => return None,
    };
    let mut diagnostic = Diagnostic::new(
        codes::PIN_MISSING,
        span,
        format!("`{name}` keeps `{path}` on a persistent volume, and the ecs target has no {missing} pinned for it"),
    )
    .with_label("needs its EFS ids")
    .with_help(format!(
        "set {set} (or `targets.ecs.volumes`): the ecs target provisions nothing; the aws target creates them and lists them in its root's outputs"
    ));
    if let Some((_, pin_span)) = pins.get(name) {
        diagnostic = diagnostic.with_related(*pin_span, "pinned here");
    }
    Some(diagnostic)
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

/// ECS's container health check ranges, in whole seconds (durations round up).
const ECS_HEALTH_RANGES: [(&str, &str, u64, u64); 4] = [
    ("interval", "health.interval", 5, 300),
    ("timeout", "health.timeout", 2, 60),
    ("retries", "health.retries", 1, 10),
    ("start period", "health.start_period", 0, 300),
];

fn check_ecs_health(
    health: &Health,
    origins: &BTreeMap<String, Origin>,
    fallback: Span,
    name: &str,
    target: Target,
    push: &mut impl FnMut(Diagnostic, Option<&str>),
) {
    let values = [
        health.interval.secs_ceil(),
        health.timeout.secs_ceil(),
        u64::from(health.retries),
        health.start_period.secs_ceil(),
    ];
    for ((what, field, low, high), value) in ECS_HEALTH_RANGES.into_iter().zip(values) {
        if (low..=high).contains(&value) {
            continue;
        }
        let unit = if what == "retries" { "" } else { " s" };
        push(
            Diagnostic::new(
                codes::HEALTH_CHECK_RANGE,
                origins.get(field).and_then(|o| o.span).unwrap_or(fallback),
                format!(
                    "service `{name}` has a health check {what} of {value}{unit}, outside the {low}-{high}{unit} that the {} target accepts",
                    target.as_str()
                ),
            )
            .with_label(format!("ECS accepts {low}-{high}{unit}"))
            .with_help(format!("set `{field}` between {low} and {high}{unit}")),
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

#[cfg(test)]
mod tests {
    use crate::source::reader::Reader;

    /// The codes of the diagnostics a model gives.
    fn codes(model: &str) -> Vec<String> {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("iacgen.yaml"), model).expect("write model");
        match crate::resolve_model(&Reader::Disk { root: dir.path().to_path_buf() }) {
            Ok(resolved) => resolved.diagnostics.items.iter().map(|d| d.code.id()).collect(),
            Err(failure) => failure.diagnostics.items.iter().map(|d| d.code.id()).collect(),
        }
    }

    fn model(targets: &str, service: &str) -> String {
        format!(
            "version: 1\nproject: shop\nservices:\n  api:\n    image: ghcr.io/x/api\n    version: \"1\"\n    port: 8080\n{service}\nenvironments:\n  staging:\n    targets: [{targets}]\ntargets:\n  compose: {{}}\n  aws: {{ region: us-east-1, account_id: \"123456789012\", state: {{ bucket: b }} }}\n  ecs: {{}}\n"
        )
    }

    #[test]
    fn persistent_volumes_on_ecs_need_pinned_efs_ids() {
        let service = "    health: { path: /health }\n    volumes: { /data: { persistent: 1Gi } }";
        assert_eq!(codes(&model("ecs", service)), ["IAC035"]);
        assert!(codes(&model("aws", service)).is_empty());
        assert!(codes(&model("ecs, aws", service)).is_empty());
        assert!(codes(&model("compose", service)).is_empty());
    }

    #[test]
    fn ecs_health_timings_must_be_in_range() {
        let service = "    health: { path: /health, interval: 2s, timeout: 90s, retries: 3 }";
        assert_eq!(codes(&model("ecs", service)), ["IAC039", "IAC039"]);
        assert!(codes(&model("compose", service)).is_empty());
        assert!(codes(&model("ecs", "    health: { path: /health, interval: 5s, timeout: 2s }")).is_empty());
    }
}
