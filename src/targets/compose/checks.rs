//! What compose cannot do as the model asks. Compose runs every other construct of the model on one
//! machine (persistent volumes as named volumes, files as configs, jobs as one-shot services under a
//! profile, no autoscaler: replicas from `autoscale.min`). What remains: TLS is served only by the
//! gateway, with the model's certificate (IAC044), and in-container HTTP checks need a tool the image
//! has (IAC045, `targets::probe`).

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Field, Stack, Stage};
use crate::targets::checks::span_of;
use crate::targets::probe;

/// Every problem of the environments in `stacks` for the compose target.
pub fn check(stacks: &[&Stack]) -> Vec<Finding> {
    let mut out = Vec::new();
    for stack in stacks {
        tls_certificates(stack, &mut out);
        probe::check_tools(stack, &mut out);
    }
    out
}

/// IAC044: outside development, a route that asks for TLS needs a gateway with a certificate; in
/// development compose serves it as plain HTTP and says so in compose.yaml's header.
fn tls_certificates(stack: &Stack, out: &mut Vec<Finding>) {
    if stack.stage == Stage::Development {
        return;
    }
    let gateway = stack.config.compose.as_ref().and_then(|c| c.gateway.as_ref());
    if gateway.is_some_and(|g| g.tls.is_some()) {
        return;
    }
    let help = if gateway.is_some() {
        "name the certificate files: `targets.compose.gateway: { tls: { certificate: ./nginx/ssl/fullchain.pem, key: ./nginx/ssl/privkey.pem } }` (paths on the Docker host, relative to the project or absolute)"
    } else {
        "compose terminates TLS at its gateway: set `targets.compose.gateway: { tls: { certificate: ..., key: ... } }`, or `ingress.tls: false` with a waiver of IAC107"
    };
    for service in stack.services.values() {
        if !(service.ingress.as_ref().is_some_and(|i| i.tls) && service.http_port().is_some()) {
            continue;
        }
        let name = &service.name;
        out.push(Finding::new(
            Diagnostic::new(
                codes::TLS_WITHOUT_CERTIFICATE,
                span_of(&service.origins, &Field::Ingress, service.origin),
                format!(
                    "`{name}` asks for TLS on its route, but the compose gateway has no certificate to serve it with"
                ),
            )
            .with_label("TLS asked (`ingress.tls` defaults to true), no certificate to serve it")
            .with_help(help),
            Some(name),
            &stack.environment,
        ));
    }
}
