//! Alerting in a compose environment with `monitoring: prometheus`: `alerts.yml`, the rule file the
//! Prometheus container loads, and — when the model says where to send them — an Alertmanager with
//! `alertmanager.yml`.
//!
//! Compose has no container metrics (cAdvisor would need root and the Docker socket), so a
//! service's rules come from what Prometheus scrapes from it: `up` (down), its HTTP request counter
//! and duration histogram (error rate, latency), and the process collector every Prometheus client
//! library exports (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
//! `process_start_time_seconds`: CPU and memory against the container's limits, restarts). A service
//! without `metrics` is not scraped and gets no rules; the file's header names it.

use std::collections::BTreeMap;

use crate::ir::{AlertRule, AlertSeverity, Service, ServiceAlerts, Stack};
use crate::model::quantity::decimal;
use crate::targets::compose::secret_variable;
use crate::targets::header;
use crate::targets::yaml_out::{self, Yaml};

/// The Alertmanager image (the `url_file` of webhook receivers needs 0.27 or later).
pub const ALERTMANAGER_IMAGE: &str = "prom/alertmanager:v0.28.1";
/// Where the rule file is mounted in the Prometheus container.
pub const RULES_PATH: &str = "/etc/prometheus/alerts.yml";

/// What alerting adds to a compose environment.
pub struct Alerting {
    /// `alerts.yml`.
    pub rules: String,
    /// The Alertmanager service and `alertmanager.yml`, when notifications have somewhere to go.
    pub alertmanager: Option<(Yaml, String)>,
    /// Compose `secrets:` the Alertmanager reads (name → definition).
    pub secrets: BTreeMap<String, Yaml>,
    /// `.env` variables those secrets come from, with their description.
    pub variables: BTreeMap<String, String>,
}

/// Alerting for `stack`, if it alerts.
pub fn alerting(stack: &Stack, model_file: &str) -> Option<Alerting> {
    let alerting = stack.alerting.as_ref()?;
    let mut groups = Vec::new();
    let mut unscraped = Vec::new();
    for service in stack.services.values() {
        let Some(alerts) = &service.alerts else { continue };
        if service.metrics.is_none() {
            unscraped.push(service.name.clone());
            continue;
        }
        groups.push(group(&service.name, service_rules(service, alerts)));
    }
    if !alerting.rules.is_empty() {
        let rules = alerting.rules.iter().map(|rule| extra(rule, None)).collect();
        groups.push(group(&format!("{}-project", stack.project), rules));
    }
    let mut notes = vec![format!(
        "Alert rules of environment `{}`, loaded by the Prometheus container (promtool check rules accepts them).",
        stack.environment
    )];
    if !unscraped.is_empty() {
        notes.push(format!(
            "No rules for {} : without `metrics` Prometheus does not scrape it, and compose has no container metrics.",
            unscraped.join(", ")
        ));
    }
    let document = Yaml::map().with("groups", Yaml::Seq(groups));
    let rules = format!("{}{}", header::hash_comment(model_file, &notes), yaml_out::to_string(&document));

    let notify = &alerting.notify;
    let mut secrets = BTreeMap::new();
    let mut variables = BTreeMap::new();
    let mut receiver = Yaml::map().with("name", Yaml::str("notify"));
    let mut mounted = Vec::new();
    if let (Some(email), Some(smtp)) = (&notify.email, &notify.smtp) {
        let mut config = Yaml::map()
            .with("to", Yaml::str(email.clone()))
            .with("from", Yaml::str(smtp.from.clone()))
            .with("smarthost", Yaml::str(smtp.host.clone()))
            .with("require_tls", Yaml::Bool(true));
        if let Some(user) = &smtp.user {
            config.insert("auth_username", Yaml::str(user.clone()));
        }
        if let Some(password) = &smtp.password {
            config.insert("auth_password_file", Yaml::str(format!("/run/secrets/{password}")));
            mounted.push(password.clone());
        }
        receiver.insert("email_configs", Yaml::Seq(vec![config.with("send_resolved", Yaml::Bool(true))]));
    }
    if let Some(webhook) = &notify.webhook {
        receiver.insert(
            "webhook_configs",
            Yaml::Seq(vec![
                Yaml::map()
                    .with("url_file", Yaml::str(format!("/run/secrets/{webhook}")))
                    .with("send_resolved", Yaml::Bool(true)),
            ]),
        );
        mounted.push(webhook.clone());
    }
    let delivers = receiver_count(&receiver) > 0;
    for secret in &mounted {
        let variable = secret_variable(secret);
        secrets.insert(secret.clone(), Yaml::map().with("environment", Yaml::str(variable.clone())));
        variables.insert(variable, format!("secret `{secret}` (read by the Alertmanager as a file)"));
    }
    let alertmanager = delivers.then(|| {
        let route = Yaml::map()
            .with("receiver", Yaml::str("notify"))
            .with("group_by", Yaml::strs(["alertname", "service"]))
            .with("group_wait", Yaml::str("30s"))
            .with("group_interval", Yaml::str("5m"))
            .with("repeat_interval", Yaml::str("4h"));
        let config = Yaml::map().with("route", route).with("receivers", Yaml::Seq(vec![receiver]));
        let text = format!(
            "{}{}",
            header::hash_comment(model_file, &[String::from("Alertmanager of this compose environment.")]),
            yaml_out::to_string(&config)
        );
        (alertmanager_service(&mounted), text)
    });
    Some(Alerting { rules, alertmanager, secrets, variables })
}

fn receiver_count(receiver: &Yaml) -> usize {
    match receiver {
        Yaml::Map(entries) => entries.iter().filter(|e| e.key.ends_with("_configs")).count(),
        _ => 0,
    }
}

fn alertmanager_service(secrets: &[String]) -> Yaml {
    let mut yaml = Yaml::map()
        .with("image", Yaml::str(ALERTMANAGER_IMAGE))
        .with(
            "command",
            Yaml::strs(["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]),
        )
        .with(
            "healthcheck",
            Yaml::map()
                .with(
                    "test",
                    Yaml::strs(["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:9093/-/healthy || exit 1"]),
                )
                .with("interval", Yaml::str("30s"))
                .with("timeout", Yaml::str("5s"))
                .with("retries", Yaml::Int(3))
                .with("start_period", Yaml::str("10s")),
        )
        .with(
            "volumes",
            Yaml::strs(["./alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro", "alertmanager-data:/alertmanager"]),
        );
    if !secrets.is_empty() {
        yaml.insert("secrets", Yaml::strs(secrets.iter().cloned()));
    }
    super::gateway::harden(&mut yaml, "65534:65534", None, "128M");
    yaml
}

/// One rule group.
fn group(name: &str, rules: Vec<Yaml>) -> Yaml {
    Yaml::map().with("name", Yaml::str(name)).with("rules", Yaml::Seq(rules))
}

/// The built-in rules of a scraped service, then its own.
fn service_rules(service: &Service, alerts: &ServiceAlerts) -> Vec<Yaml> {
    let name = &service.name;
    let job = format!("job=\"{name}\"");
    let pending = alerts.pending.to_string();
    let mut rules = vec![rule(
        "ServiceDown",
        format!("up{{{job}}} == 0"),
        &pending,
        AlertSeverity::Critical,
        name,
        format!("{name} is down: Prometheus cannot scrape {{{{ $labels.instance }}}}"),
    )];
    let http = &alerts.http;
    if let Some(rate) = alerts.error_rate {
        let requests = &http.requests;
        rules.push(rule(
            "HighErrorRate",
            format!(
                "sum(rate({requests}{{{job},{}=~\"5..\"}}[5m])) / sum(rate({requests}{{{job}}}[5m])) > {}",
                http.status,
                rate.ratio()
            ),
            &pending,
            AlertSeverity::Critical,
            name,
            format!("{name}: {{{{ $value | humanizePercentage }}}} of requests fail with 5xx (threshold {rate})"),
        ));
    }
    if let Some(latency) = alerts.latency {
        rules.push(rule(
            "HighLatency",
            format!(
                "histogram_quantile(0.95, sum by (le) (rate({}_bucket{{{job}}}[5m]))) > {}",
                http.duration,
                decimal(latency.millis, 3)
            ),
            &pending,
            AlertSeverity::Warning,
            name,
            format!("{name}: 95% of requests take up to {{{{ $value | humanizeDuration }}}} (threshold {latency})"),
        ));
    }
    if let Some(cpu) = alerts.cpu {
        rules.push(rule(
            "HighCpu",
            format!(
                "rate(process_cpu_seconds_total{{{job}}}[5m]) / {} > {}",
                service.compute.cpu_limit.cores(),
                cpu.ratio()
            ),
            &pending,
            AlertSeverity::Warning,
            name,
            format!(
                "{name} ({{{{ $labels.instance }}}}) uses {{{{ $value | humanizePercentage }}}} of its {} CPU limit",
                service.compute.cpu_limit.cores()
            ),
        ));
    }
    if let Some(memory) = alerts.memory {
        let limit = u64::from(service.compute.memory_limit.mebibytes) * 1024 * 1024;
        rules.push(rule(
            "HighMemory",
            format!("process_resident_memory_bytes{{{job}}} / {limit} > {}", memory.ratio()),
            &pending,
            AlertSeverity::Warning,
            name,
            format!(
                "{name} ({{{{ $labels.instance }}}}) uses {{{{ $value | humanizePercentage }}}} of its {} memory limit",
                service.compute.memory_limit.compose()
            ),
        ));
    }
    if let Some(restarts) = alerts.restarts {
        rules.push(rule(
            "FrequentRestarts",
            format!("changes(process_start_time_seconds{{{job}}}[15m]) >= {restarts}"),
            "0s",
            AlertSeverity::Warning,
            name,
            format!("{name} ({{{{ $labels.instance }}}}) restarted {{{{ $value }}}} times in 15 minutes"),
        ));
    }
    rules.extend(alerts.rules.iter().map(|r| extra(r, Some(name))));
    rules
}

/// An extra rule of the model, labelled with its service when it has one.
fn extra(rule_: &AlertRule, service: Option<&str>) -> Yaml {
    let mut labels = Yaml::map().with("severity", Yaml::str(rule_.severity.as_str()));
    if let Some(service) = service {
        labels.insert("service", Yaml::str(service));
    }
    Yaml::map()
        .with("alert", Yaml::str(rule_.name.clone()))
        .with("expr", Yaml::str(rule_.expr.clone()))
        .with("for", Yaml::str(rule_.pending.to_string()))
        .with("labels", labels)
        .with("annotations", Yaml::map().with("summary", Yaml::str(rule_.summary.clone())))
}

fn rule(alert: &str, expr: String, pending: &str, severity: AlertSeverity, service: &str, summary: String) -> Yaml {
    let mut yaml = Yaml::map().with("alert", Yaml::str(alert)).with("expr", Yaml::str(expr));
    if pending != "0s" {
        yaml.insert("for", Yaml::str(pending));
    }
    yaml.with("labels", Yaml::map().with("severity", Yaml::str(severity.as_str())).with("service", Yaml::str(service)))
        .with("annotations", Yaml::map().with("summary", Yaml::str(summary)))
}
