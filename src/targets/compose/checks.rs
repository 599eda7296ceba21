//! What compose cannot do as the model asks. Compose runs every other construct of the model on one
//! machine (persistent volumes as named volumes, files as configs, jobs as one-shot services under a
//! profile, no autoscaler: replicas from `autoscale.min`). What remains: TLS is served only by the
//! gateway, with the model's certificate (IAC044), in-container HTTP checks need a tool the image
//! has (IAC045, `targets::probe`), alerting needs its Prometheus and email a mail relay (IAC047), and
//! SQL Server backups and copies in a second place are not made (IAC048); all warnings but IAC044.

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Field, ResourceKind, Stack, Stage};
use crate::targets::checks::span_of;
use crate::targets::probe;

/// Every problem of the environments in `stacks` for the compose target.
pub fn check(stacks: &[&Stack]) -> Vec<Finding> {
    let mut out = Vec::new();
    for stack in stacks {
        tls_certificates(stack, &mut out);
        probe::check_tools(stack, &mut out);
        alerting(stack, &mut out);
        backups(stack, &mut out);
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

/// IAC047: alerts need the compose Prometheus; email needs a relay.
fn alerting(stack: &Stack, out: &mut Vec<Finding>) {
    let Some(alerting) = &stack.alerting else { return };
    let environment = &stack.environment;
    let monitoring = stack.config.compose.as_ref().is_some_and(|c| c.monitoring);
    if !monitoring {
        let diagnostic = Diagnostic::new(
            codes::ALERTS_LIMITED,
            alerting.span,
            String::from("compose has alerts here but no Prometheus to evaluate them"),
        )
        .with_label("alerts asked here")
        .with_help(format!(
            "set `targets.compose.monitoring: prometheus` (or `environments.{environment}.targets_config.compose.monitoring`), or `alerts: false` in the environment"
        ));
        out.push(Finding::new(diagnostic, None, environment));
        return;
    }
    let notify = &alerting.notify;
    if let (Some(_), None, Some(span)) = (&notify.email, &notify.smtp, notify.span) {
        let diagnostic = Diagnostic::new(
            codes::ALERTS_LIMITED,
            span,
            String::from("compose cannot send alert email without a mail relay"),
        )
        .with_label("email without `smtp`")
        .with_help("name the relay the Alertmanager sends through: `notify.smtp: { host: smtp.example.com:587, from: alerts@example.com }`");
        out.push(Finding::new(diagnostic, None, environment));
    }
}

fn backups(stack: &Stack, out: &mut Vec<Finding>) {
    if stack.stage == Stage::Development {
        return;
    }
    let environment = &stack.environment;
    for resource in stack.resources.values().filter(|r| r.backup_days > 0) {
        let name = &resource.name;
        if resource.kind == ResourceKind::Mssql {
            let diagnostic = Diagnostic::new(
                codes::BACKUP_LIMITED,
                resource.backup_days_span.unwrap_or(resource.origin),
                format!("compose does not schedule backups of the SQL Server `{name}`"),
            )
            .with_label(match resource.backup_days_span {
                Some(_) => String::from("backups asked here"),
                None => format!("{} days of backups by default", resource.backup_days),
            })
            .with_help(format!(
                "SQL Server writes backups on its own disk: run `BACKUP DATABASE` from the host's scheduler (`docker compose exec {name} /opt/mssql-tools18/bin/sqlcmd ...`), or run this environment where the database is managed"
            ));
            out.push(Finding::new(diagnostic, Some(name), environment));
        }
        if let Some(span) = resource.backup_copy {
            let diagnostic = Diagnostic::new(
                codes::BACKUP_LIMITED,
                span,
                format!("compose keeps the backups of `{name}` on its one host only"),
            )
            .with_label("a second location asked here")
            .with_help(format!(
                "copy the volume `{name}-backups` off the host (e.g. a nightly `aws s3 sync` of its folder); compose has no second location"
            ));
            out.push(Finding::new(diagnostic, Some(name), environment));
        }
    }
}
