//! Checks on the resolved services of one environment that are not standards (not waivable) and
//! hold whatever the targets: IAC030 invalid-port (two names for one port), IAC032
//! limit-below-request, IAC033 health-check-shape (HTTP check without an http port), IAC034
//! unknown-port-name, IAC038 duplicate-route. What a target cannot do is in its `checks` module.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Compute, Field, HealthCheck, Stack};
use crate::shared::span::Span;

/// Run the checks on `stack`.
pub fn check(stack: &Stack, findings: &mut Vec<Finding>) {
    let mut push = |diagnostic: Diagnostic, subject: Option<&str>| {
        findings.push(Finding {
            diagnostic,
            subject: subject.map(String::from),
            environment: stack.environment.clone(),
        });
    };
    let origin_span = |origins: &crate::ir::Origins, field: &Field, fallback: Span| {
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
                        origin_span(&service.origins, &Field::Port(port_name.to_string()), service.origin),
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
                        origin_span(&service.origins, &Field::HealthPath, service.origin),
                        format!("service `{name}` has an HTTP health check but no `http` port"),
                    )
                    .with_label("HTTP check needs ports.http")
                    .with_help("add `port: 8080` (or `ports: { http: 8080 }`), or use `health.command`"),
                    Some(name),
                );
            }
        }
        if service.origins.contains_key(&Field::Metrics) && service.metrics.is_none() {
            push(
                Diagnostic::new(
                    codes::UNKNOWN_PORT_NAME,
                    origin_span(&service.origins, &Field::Metrics, service.origin),
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
                    origin_span(&service.origins, &Field::Ingress, service.origin),
                    format!("service `{name}` has an ingress but no `http` port to route to"),
                )
                .with_label("nothing to route to")
                .with_help("add `port: 8080` (or `ports: { http: 8080 }`)"),
                Some(name),
            );
        }
        if let Some(ingress) = &service.ingress {
            let key = (ingress.host.clone(), ingress.path.clone());
            let span = origin_span(&service.origins, &Field::Ingress, service.origin);
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
}

fn check_compute(
    compute: &Compute,
    origins: &crate::ir::Origins,
    fallback: Span,
    name: &str,
    push: &mut impl FnMut(Diagnostic, Option<&str>),
) {
    let span = |field: &Field| origins.get(field).and_then(|o| o.span).unwrap_or(fallback);
    if compute.cpu_limit < compute.cpu {
        push(
            Diagnostic::new(
                codes::LIMIT_BELOW_REQUEST,
                span(&Field::CpuLimit),
                format!(
                    "`{name}` has a CPU limit ({}) below its request ({})",
                    compute.cpu_limit.kubernetes(),
                    compute.cpu.kubernetes()
                ),
            )
            .with_label("limit below request")
            .with_related(span(&Field::Cpu), "request set here")
            .with_help(codes::LIMIT_BELOW_REQUEST.fix),
            Some(name),
        );
    }
    if compute.memory_limit < compute.memory {
        push(
            Diagnostic::new(
                codes::LIMIT_BELOW_REQUEST,
                span(&Field::MemoryLimit),
                format!(
                    "`{name}` has a memory limit ({}) below its request ({})",
                    compute.memory_limit.kubernetes(),
                    compute.memory.kubernetes()
                ),
            )
            .with_label("limit below request")
            .with_related(span(&Field::Memory), "request set here")
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
