//! Checks that the generated containers can serve what the model asks, where the platform cannot
//! on its own: IAC044 tls-without-certificate (compose serves TLS only at its gateway, with the
//! model's certificate), IAC045 health-probe-tool (an in-container HTTP check needs a tool the
//! image has) and IAC037 for `ingress.strip_prefix` on aws (a load balancer rewrites no path).

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{Field, HealthCheck, Stack, Stage, Target};
use crate::model::image::ImagePin;
use crate::targets::probe;
use crate::validate::Finding;

/// Run the checks on `stack`.
pub fn check(stack: &Stack, findings: &mut Vec<Finding>) {
    let mut push = Finding::collector(stack, findings);
    let compose = stack.targets.contains(&Target::Compose);
    let gateway = stack.config.compose.as_ref().and_then(|c| c.gateway.as_ref());
    let certificate = gateway.is_some_and(|g| g.tls.is_some());
    for service in stack.services.values() {
        let name = service.name.as_str();
        let span = |field: &Field| service.origins.get(field).and_then(|o| o.span).unwrap_or(service.origin);
        let tls = service.ingress.as_ref().is_some_and(|i| i.tls) && service.http_port().is_some();
        if compose && tls && !certificate && stack.stage != Stage::Development {
            let help = if gateway.is_some() {
                "name the certificate files: `targets.compose.gateway: { tls: { certificate: ./nginx/ssl/fullchain.pem, key: ./nginx/ssl/privkey.pem } }` (paths on the Docker host, relative to the project or absolute)"
            } else {
                "compose terminates TLS at its gateway: set `targets.compose.gateway: { tls: { certificate: ..., key: ... } }`, or `ingress.tls: false` with a waiver of IAC107"
            };
            push(
                Diagnostic::new(
                    codes::TLS_WITHOUT_CERTIFICATE,
                    span(&Field::Ingress),
                    format!("`{name}` asks for TLS on its route, but the compose gateway has no certificate to serve it with"),
                )
                .with_label("TLS asked (`ingress.tls` defaults to true), no certificate to serve it")
                .with_help(help),
                name,
            );
        }
        if let Some(ingress) = service.ingress.as_ref().filter(|i| i.strip_prefix && i.path != "/")
            && stack.targets.contains(&Target::Aws)
        {
            push(
                Diagnostic::new(
                    codes::UNSUPPORTED_ON_TARGET,
                    span(&Field::Ingress),
                    format!("`{name}` strips the prefix `{}` from its route, which the aws target cannot do", ingress.path),
                )
                .with_label("`strip_prefix: true`")
                .with_help(format!(
                    "an Application Load Balancer forwards the whole path and rewrites none: serve the prefix in the application, or leave aws out of environment `{}`",
                    stack.environment
                )),
                name,
            );
        }
        let in_container = [Target::Compose, Target::Ecs, Target::Aws].iter().any(|t| stack.targets.contains(t));
        let (Some(health), true) = (&service.health, in_container) else { continue };
        if !matches!(health.check, HealthCheck::Http { .. }) {
            continue;
        }
        let ImagePin::Tag(tag) = &service.image.pin else { continue };
        let Some(missing) = probe::missing_tool(health.probe, &service.image.repository, tag) else { continue };
        let image = service.image.reference();
        push(
            Diagnostic::new(
                codes::HEALTH_PROBE_TOOL,
                span(if service.origins.get(&Field::HealthProbe).is_some_and(|o| o.span.is_some()) {
                    &Field::HealthProbe
                } else {
                    &Field::HealthPath
                }),
                format!(
                    "the HTTP health check of `{name}` (probe `{}`) needs {missing}, which image `{image}` does not have",
                    health.probe.as_str()
                ),
            )
            .with_label(format!("{missing} missing in the image"))
            .with_help(codes::HEALTH_PROBE_TOOL.fix),
            name,
        );
    }
}
