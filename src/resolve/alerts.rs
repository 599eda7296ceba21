//! Alerting, resolved: whether an environment alerts at all, where notifications go, and each
//! service's and resource's thresholds. Thresholds merge field by field from the lowest layer up:
//! built-in < `alerts` < the environment's `alerts` < the service's layers (project `defaults`,
//! environment `defaults`, the service, the environment's override) or the resource's `alerts`.

use crate::ir::{AlertRule, Alerting, HttpMetrics, Notify, ResourceAlerts, ServiceAlerts, SmtpRelay};
use crate::model::quantity::{Duration, Percent};
use crate::model::{AlertSeverity, AlertsSpec, EnvironmentDef, Model, ResourceDef, ServiceSpec, Stage};
use crate::shared::span::Spanned;

/// Built-in thresholds, documented in the README.
pub mod builtin {
    use crate::model::quantity::{Duration, Percent};

    pub const PENDING: Duration = Duration { millis: 5 * 60_000 };
    pub const ERROR_RATE: Percent = Percent::whole(5);
    pub const LATENCY: Duration = Duration { millis: 1_000 };
    pub const CPU: Percent = Percent::whole(80);
    pub const MEMORY: Percent = Percent::whole(90);
    pub const RESTARTS: u32 = 3;
    pub const STORAGE: Percent = Percent::whole(80);
    pub const CONNECTIONS: Percent = Percent::whole(80);
    pub const REQUESTS_METRIC: &str = "http_requests_total";
    pub const DURATION_METRIC: &str = "http_request_duration_seconds";
    pub const STATUS_LABEL: &str = "status";
}

/// The project's and the environment's `alerts`, lowest first.
fn project_layers<'a>(model: &'a Model, environment: Option<&'a EnvironmentDef>) -> Vec<&'a AlertsSpec> {
    model.alerts.iter().chain(environment.and_then(|e| e.alerts.as_ref())).collect()
}

/// Alerting in an environment: on when the model has `alerts:` (or the environment has), unless
/// an `enabled: false` says otherwise; development environments alert only when their own
/// `alerts:` turns it on (a laptop should not page anyone).
pub fn alerting(model: &Model, environment: Option<&EnvironmentDef>, stage: Stage) -> Option<Alerting> {
    let layers = project_layers(model, environment);
    let last = *layers.last()?;
    let own = environment.and_then(|e| e.alerts.as_ref());
    let enabled = match layers.iter().rev().find_map(|spec| spec.enabled.as_ref()) {
        Some(enabled) if own.is_some_and(|o| o.enabled.is_some()) => enabled.value,
        _ if own.is_some() => true,
        Some(enabled) => enabled.value && stage != Stage::Development,
        None => stage != Stage::Development,
    };
    if !enabled {
        return None;
    }
    let notify = layers.iter().rev().find_map(|spec| spec.notify.as_ref()).map_or_else(Notify::default, |notify| {
        let value = &notify.value;
        Notify {
            email: value.email.as_ref().map(|e| e.value.clone()),
            webhook: value.webhook.as_ref().map(|w| w.value.clone()),
            smtp: value.smtp.as_ref().map(|smtp| SmtpRelay {
                host: smtp.value.host.clone(),
                from: smtp.value.from.clone(),
                user: smtp.value.user.clone(),
                password: smtp.value.password.as_ref().map(|p| p.value.clone()),
            }),
            span: Some(notify.span),
        }
    });
    let pending = pick(&layers, |s| s.pending.as_ref()).unwrap_or(builtin::PENDING);
    let rules = layers.iter().rev().find_map(|spec| spec.rules.as_ref()).map(|r| rules(&r.value, pending));
    Some(Alerting { notify, rules: rules.unwrap_or_default(), span: last.span })
}

/// A service's alerts, or `None` when alerting is off in the environment or for the service.
pub fn service(
    model: &Model,
    environment: Option<&EnvironmentDef>,
    service_layers: &[&ServiceSpec],
    alerting: bool,
) -> Option<ServiceAlerts> {
    if !alerting {
        return None;
    }
    let mut layers = project_layers(model, environment);
    layers.extend(service_layers.iter().filter_map(|spec| spec.alerts.as_ref()));
    if pick(&layers, |s| s.enabled.as_ref()) == Some(false) {
        return None;
    }
    let pending = pick(&layers, |s| s.pending.as_ref()).unwrap_or(builtin::PENDING);
    // Project-wide rules belong to the environment (`Alerting::rules`); a service's own `rules` are
    // read from its layers only.
    let service_rules = service_layers
        .iter()
        .filter_map(|spec| spec.alerts.as_ref())
        .rev()
        .find_map(|spec| spec.rules.as_ref())
        .map(|r| rules(&r.value, pending))
        .unwrap_or_default();
    let http = |get: fn(&crate::model::HttpMetricsSpec) -> Option<&Spanned<String>>, default: &str| {
        layers
            .iter()
            .rev()
            .find_map(|spec| spec.http.as_ref().and_then(get))
            .map_or_else(|| default.to_string(), |value| value.value.clone())
    };
    Some(ServiceAlerts {
        pending,
        error_rate: threshold(&layers, |s| s.error_rate.as_ref(), builtin::ERROR_RATE),
        latency: threshold(&layers, |s| s.latency.as_ref(), builtin::LATENCY),
        cpu: threshold(&layers, |s| s.cpu.as_ref(), builtin::CPU),
        memory: threshold(&layers, |s| s.memory.as_ref(), builtin::MEMORY),
        restarts: threshold(&layers, |s| s.restarts.as_ref(), builtin::RESTARTS),
        http: HttpMetrics {
            requests: http(|h| h.requests.as_ref(), builtin::REQUESTS_METRIC),
            duration: http(|h| h.duration.as_ref(), builtin::DURATION_METRIC),
            status: http(|h| h.status.as_ref(), builtin::STATUS_LABEL),
        },
        rules: service_rules,
    })
}

/// A resource's alerts, or `None` when alerting is off in the environment or for the resource.
pub fn resource(
    model: &Model,
    environment: Option<&EnvironmentDef>,
    definition: &ResourceDef,
    alerting: bool,
) -> Option<ResourceAlerts> {
    if !alerting {
        return None;
    }
    let mut layers = project_layers(model, environment);
    layers.extend(definition.alerts.as_ref());
    if pick(&layers, |s| s.enabled.as_ref()) == Some(false) {
        return None;
    }
    Some(ResourceAlerts {
        pending: pick(&layers, |s| s.pending.as_ref()).unwrap_or(builtin::PENDING),
        cpu: threshold(&layers, |s| s.cpu.as_ref(), builtin::CPU),
        memory: threshold(&layers, |s| s.memory.as_ref(), builtin::MEMORY),
        storage: threshold(&layers, |s| s.storage.as_ref(), builtin::STORAGE),
        connections: threshold(&layers, |s| s.connections.as_ref(), builtin::CONNECTIONS),
    })
}

/// The value of the last layer that sets `get`.
fn pick<T: Clone>(layers: &[&AlertsSpec], get: impl Fn(&AlertsSpec) -> Option<&Spanned<T>>) -> Option<T> {
    layers.iter().rev().find_map(|spec| get(spec)).map(|value| value.value.clone())
}

/// A threshold: the last layer's value (`false` turns it off), else the built-in one.
fn threshold<T: Clone>(
    layers: &[&AlertsSpec],
    get: impl Fn(&AlertsSpec) -> Option<&Spanned<Option<T>>>,
    default: T,
) -> Option<T> {
    pick(layers, get).unwrap_or(Some(default))
}

fn rules(rules: &[crate::model::AlertRule], pending: Duration) -> Vec<AlertRule> {
    rules
        .iter()
        .map(|rule| AlertRule {
            name: rule.name.value.clone(),
            expr: rule.expr.value.clone(),
            pending: rule.pending.as_ref().map_or(pending, |p| p.value),
            severity: rule.severity.as_ref().map_or(AlertSeverity::Warning, |s| s.value),
            summary: rule.summary.as_ref().map_or_else(|| rule.name.value.clone(), |s| s.value.clone()),
            span: rule.span,
        })
        .collect()
}

/// A threshold as the model writes it, for `explain`.
pub fn describe_percent(value: Option<Percent>) -> String {
    value.map_or_else(|| String::from("off"), |p| p.to_string())
}
