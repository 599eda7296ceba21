//! Decoding of `alerts:` (top level, environments, service layers, resources).

use crate::diagnostic::{Diagnostic, codes};
use crate::model::quantity::{Duration, Percent};
use crate::model::{AlertRule, AlertSeverity, AlertsSpec, HttpMetricsSpec, Notify, Smtp};
use crate::shared::span::Spanned;
use crate::source::decode::{Ctx, boolean, check_keys, choice, entries, get, parsed, string};
use crate::source::yaml::{Node, NodeKind};

/// Where an `alerts:` block is written: each place allows its own keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertsPlace {
    /// The top level or an environment: notifications and every threshold.
    Project,
    /// A service layer (`defaults`, a service, an environment's override of one).
    Service,
    /// A resource.
    Resource,
}

/// Keys of the top-level (and an environment's) `alerts`.
pub const PROJECT_ALERT_KEYS: &[&str] = &[
    "enabled",
    "notify",
    "for",
    "error_rate",
    "latency",
    "cpu",
    "memory",
    "restarts",
    "storage",
    "connections",
    "http",
    "rules",
];
/// Keys of a service's `alerts`.
pub const SERVICE_ALERT_KEYS: &[&str] =
    &["enabled", "for", "error_rate", "latency", "cpu", "memory", "restarts", "http", "rules"];
/// Keys of a resource's `alerts`.
pub const RESOURCE_ALERT_KEYS: &[&str] = &["enabled", "for", "cpu", "memory", "storage", "connections"];
/// Keys of `alerts.notify`.
pub const NOTIFY_KEYS: &[&str] = &["email", "webhook", "smtp"];
/// Keys of `alerts.notify.smtp`.
pub const SMTP_KEYS: &[&str] = &["host", "from", "user", "password"];
/// Keys of `alerts.http`.
pub const HTTP_METRICS_KEYS: &[&str] = &["requests", "duration", "status"];
/// Keys of one extra rule.
pub const RULE_KEYS: &[&str] = &["name", "expr", "for", "severity", "summary"];

/// `alerts: false`, `alerts: true` or the map of `place`.
pub fn alerts(ctx: &mut Ctx<'_>, node: &Node, context: &str, place: AlertsPlace) -> Option<AlertsSpec> {
    if let NodeKind::Scalar { .. } = &node.kind {
        let enabled = boolean(ctx, node, context)?;
        return Some(AlertsSpec { enabled: Some(enabled), span: node.span, ..AlertsSpec::default() });
    }
    let map = entries(ctx, node, context)?;
    let keys = match place {
        AlertsPlace::Project => PROJECT_ALERT_KEYS,
        AlertsPlace::Service => SERVICE_ALERT_KEYS,
        AlertsPlace::Resource => RESOURCE_ALERT_KEYS,
    };
    check_keys(ctx, map, keys, context);
    let at = |field: &str| format!("{context}.{field}");
    let allowed = |key: &str| keys.contains(&key);
    let mut spec = AlertsSpec { span: node.span, ..AlertsSpec::default() };
    spec.enabled = get(map, "enabled").and_then(|n| boolean(ctx, n, &at("enabled")));
    if allowed("notify") {
        spec.notify = get(map, "notify").and_then(|n| notify(ctx, n, &at("notify")));
    }
    spec.pending = get(map, "for").and_then(|n| parsed(ctx, n, &at("for"), pending));
    let percent = |ctx: &mut Ctx<'_>, key: &str| {
        if !allowed(key) {
            return None;
        }
        get(map, key).and_then(|n| threshold(ctx, n, &at(key), Percent::parse))
    };
    spec.error_rate = percent(ctx, "error_rate");
    spec.cpu = percent(ctx, "cpu");
    spec.memory = percent(ctx, "memory");
    spec.storage = percent(ctx, "storage");
    spec.connections = percent(ctx, "connections");
    if allowed("latency") {
        spec.latency = get(map, "latency").and_then(|n| threshold(ctx, n, &at("latency"), pending));
    }
    if allowed("restarts") {
        spec.restarts = get(map, "restarts").and_then(|n| threshold(ctx, n, &at("restarts"), restarts));
    }
    if allowed("http") {
        spec.http = get(map, "http").and_then(|n| http(ctx, n, &at("http")));
    }
    if allowed("rules") {
        spec.rules = get(map, "rules").and_then(|n| rules(ctx, n, &at("rules")));
    }
    Some(spec)
}

/// A threshold: `false` (this alert off) or a value `parse` reads.
fn threshold<T>(
    ctx: &mut Ctx<'_>,
    node: &Node,
    context: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<Spanned<Option<T>>> {
    if let NodeKind::Scalar { text, plain: true } = &node.kind
        && text == "false"
    {
        return Some(Spanned::new(None, node.span));
    }
    parsed(ctx, node, context, parse).map(|value| value.map(Some))
}

/// A pending time or latency: more than zero, whole milliseconds as written.
fn pending(text: &str) -> Result<Duration, String> {
    let duration = Duration::parse(text)?;
    if duration.millis == 0 {
        return Err(String::from("the duration must be more than zero"));
    }
    Ok(duration)
}

/// A restart count, at least 1.
fn restarts(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(count) if count >= 1 => Ok(count),
        _ => Err(format!("`{text}` is not a restart count: write a whole number of restarts, at least 1")),
    }
}

fn notify(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Notify>> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, NOTIFY_KEYS, context);
    let at = |field: &str| format!("{context}.{field}");
    let email = get(map, "email").and_then(|n| parsed(ctx, n, &at("email"), email_address));
    let webhook = get(map, "webhook").and_then(|n| string(ctx, n, &at("webhook")));
    let smtp = get(map, "smtp").and_then(|n| smtp(ctx, n, &at("smtp")));
    Some(Spanned::new(Notify { email, webhook, smtp }, node.span))
}

fn smtp(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Smtp>> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, SMTP_KEYS, context);
    let at = |field: &str| format!("{context}.{field}");
    let required = |ctx: &mut Ctx<'_>, key: &str, parse: fn(&str) -> Result<String, String>| match get(map, key) {
        Some(n) => parsed(ctx, n, &at(key), parse).map(|s| s.value),
        None => {
            ctx.report(
                Diagnostic::new(codes::MISSING_FIELD, node.span, format!("`{context}` needs `{key}`"))
                    .with_label(format!("`{key}` missing"))
                    .with_help("name the mail relay: `smtp: { host: smtp.example.com:587, from: alerts@example.com }`"),
            );
            None
        }
    };
    let host = required(ctx, "host", relay_host);
    let from = required(ctx, "from", email_address);
    let user = get(map, "user").and_then(|n| string(ctx, n, &at("user"))).map(|s| s.value);
    let password = get(map, "password").and_then(|n| string(ctx, n, &at("password")));
    Some(Spanned::new(Smtp { host: host?, from: from?, user, password }, node.span))
}

fn http(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<HttpMetricsSpec> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, HTTP_METRICS_KEYS, context);
    let at = |field: &str| format!("{context}.{field}");
    Some(HttpMetricsSpec {
        requests: get(map, "requests").and_then(|n| parsed(ctx, n, &at("requests"), metric_name)),
        duration: get(map, "duration").and_then(|n| parsed(ctx, n, &at("duration"), metric_name)),
        status: get(map, "status").and_then(|n| parsed(ctx, n, &at("status"), label_name)),
        span: node.span,
    })
}

fn rules(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Vec<AlertRule>>> {
    let NodeKind::Seq(items) = &node.kind else {
        ctx.wrong_type(node, "a list", context);
        return None;
    };
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let at = format!("{context}[{index}]");
        let Some(map) = entries(ctx, item, &at) else { continue };
        check_keys(ctx, map, RULE_KEYS, &at);
        let field = |key: &str| format!("{at}.{key}");
        let missing = |ctx: &mut Ctx<'_>, key: &str, help: &str| {
            ctx.report(
                Diagnostic::new(codes::MISSING_FIELD, item.span, format!("`{at}` needs `{key}`"))
                    .with_label(format!("`{key}` missing"))
                    .with_help(help.to_string()),
            );
        };
        let name = match get(map, "name") {
            Some(n) => parsed(ctx, n, &field("name"), alert_name),
            None => {
                missing(ctx, "name", "name the alert: `name: QueueBacklog`");
                None
            }
        };
        let expr = match get(map, "expr") {
            Some(n) => parsed(ctx, n, &field("expr"), expression),
            None => {
                missing(ctx, "expr", "give the PromQL condition: `expr: sum(queue_depth) > 100`");
                None
            }
        };
        let pending = get(map, "for").and_then(|n| parsed(ctx, n, &field("for"), pending));
        let severity = get(map, "severity").and_then(|n| {
            let options = [AlertSeverity::Critical, AlertSeverity::Warning, AlertSeverity::Info];
            choice(ctx, n, &field("severity"), &options.map(|s| (s.as_str(), s)))
        });
        let summary = get(map, "summary").and_then(|n| parsed(ctx, n, &field("summary"), one_line));
        if let (Some(name), Some(expr)) = (name, expr) {
            out.push(AlertRule { name, expr, pending, severity, summary, span: item.span });
        }
    }
    Some(Spanned::new(out, node.span))
}

/// An email address: one `@` with text on both sides, no spaces, quotes or angle brackets.
fn email_address(text: &str) -> Result<String, String> {
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>\"'(),;:\\[]$`".contains(c);
    match text.split_once('@') {
        Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.contains('@') => {
            if text.chars().any(bad) {
                return Err(format!("`{text}` is not an email address (no spaces, quotes or brackets)"));
            }
            Ok(text.to_string())
        }
        _ => Err(format!("`{text}` is not an email address: write one such as ops@example.com")),
    }
}

/// `host:port` of a mail relay.
fn relay_host(text: &str) -> Result<String, String> {
    let valid = text.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && port.parse::<u16>().is_ok_and(|p| p > 0)
    });
    if valid { Ok(text.to_string()) } else { Err(format!("`{text}` is not host:port, such as smtp.example.com:587")) }
}

/// A Prometheus alert name: a letter or `_`, then letters, digits and `_`.
fn alert_name(text: &str) -> Result<String, String> {
    if is_identifier(text) && !text.contains(':') {
        Ok(text.to_string())
    } else {
        Err(format!(
            "`{text}` is not an alert name: use letters, digits and `_`, starting with a letter (QueueBacklog)"
        ))
    }
}

/// A Prometheus metric name.
fn metric_name(text: &str) -> Result<String, String> {
    if is_identifier(text) {
        Ok(text.to_string())
    } else {
        Err(format!("`{text}` is not a metric name: use letters, digits, `_` and `:`, starting with a letter"))
    }
}

/// A Prometheus label name.
fn label_name(text: &str) -> Result<String, String> {
    if is_identifier(text) && !text.contains(':') && !text.starts_with("__") {
        Ok(text.to_string())
    } else {
        Err(format!("`{text}` is not a label name: use letters, digits and `_`, starting with a letter"))
    }
}

fn is_identifier(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A PromQL expression: one or more lines of printable text (promtool judges the rest).
fn expression(text: &str) -> Result<String, String> {
    if text.trim().is_empty() || text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(String::from("an alert expression must be printable PromQL text"));
    }
    Ok(text.trim().to_string())
}

/// One line of printable text.
fn one_line(text: &str) -> Result<String, String> {
    if text.chars().any(char::is_control) {
        return Err(String::from("write the summary on one line"));
    }
    Ok(text.to_string())
}
