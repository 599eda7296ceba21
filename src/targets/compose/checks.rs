//! What compose cannot do as the model asks. Compose runs every construct of the model on one
//! machine (persistent volumes as named volumes, files as configs, jobs as one-shot services under a
//! profile, no autoscaler: replicas from `autoscale.min`); what it cannot is alerting without its
//! Prometheus, email without a mail relay, backups of SQL Server and copies in a second place
//! (IAC046, IAC047, warnings: the rest of the output stands).

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{ResourceKind, Stack, Stage};

/// Every problem of the environments in `stacks` for the compose target.
pub fn check(stacks: &[&Stack]) -> Vec<Finding> {
    let mut out = Vec::new();
    for stack in stacks {
        alerting(stack, &mut out);
        backups(stack, &mut out);
    }
    out
}

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
