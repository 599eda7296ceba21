//! Decoding of one service layer (a service, a job, `defaults`, or an environment's override).

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, codes};
use crate::model::cron::Cron;
use crate::model::egress::Egress;
use crate::model::image::{ImageRef, parse_pin};
use crate::model::placeholder::{self, Template};
use crate::model::quantity::{Cpu, Duration, Memory, RateLimit};
use crate::model::{
    AutoscaleSpec, Build, ComputeSpec, Concurrency, FileSource, HealthSpec, IngressSpec, MetricsSpec, Migrate, Probe,
    ReadinessSpec, SecretRef, SecuritySpec, ServiceSpec, Strategy, Volume, Waiver,
};
use crate::shared::span::Spanned;
use crate::source::decode::{
    Ctx, boolean, check_keys, choice, entries, get, integer, name_list, parsed, string, string_list, sub_span,
};
use crate::source::yaml::{Node, NodeKind};

/// Which fields a layer may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    Service,
    Job,
}

/// Keys of a service.
pub const SERVICE_KEYS: &[&str] = &[
    "image",
    "version",
    "build",
    "command",
    "ports",
    "port",
    "health",
    "env",
    "secrets",
    "uses",
    "calls",
    "after",
    "egress",
    "resources",
    "replicas",
    "autoscale",
    "ingress",
    "metrics",
    "security",
    "volumes",
    "files",
    "migrate",
    "strategy",
    "alerts",
    "waivers",
];

/// Keys of a job.
pub const JOB_KEYS: &[&str] = &[
    "image",
    "version",
    "build",
    "command",
    "env",
    "secrets",
    "uses",
    "calls",
    "egress",
    "resources",
    "security",
    "volumes",
    "files",
    "schedule",
    "timeout",
    "retries",
    "concurrency",
    "waivers",
];

/// Keys of `health`.
pub const HEALTH_KEYS: &[&str] =
    &["path", "ready", "command", "interval", "timeout", "retries", "start_period", "probe", "readiness"];
/// Keys of `health.readiness`.
pub const READINESS_KEYS: &[&str] = &["interval", "timeout", "retries", "start_period"];
/// Keys of `compute`.
pub const COMPUTE_KEYS: &[&str] = &["cpu", "memory", "cpu_limit", "memory_limit"];
/// Keys of `autoscale`.
pub const AUTOSCALE_KEYS: &[&str] = &["min", "max", "cpu", "memory"];
/// Keys of `ingress`.
pub const INGRESS_KEYS: &[&str] = &["host", "path", "tls", "rate_limit", "strip_prefix"];
/// Keys of `metrics`.
pub const METRICS_KEYS: &[&str] = &["port", "path"];
/// Keys of `security`.
pub const SECURITY_KEYS: &[&str] = &["user", "group", "read_only_root", "capabilities"];

/// Decode one layer. `context` names it in messages (`services.api`).
pub fn service_spec(ctx: &mut Ctx<'_>, node: &Node, context: &str, kind: LayerKind) -> ServiceSpec {
    let mut spec = ServiceSpec { span: node.span, ..ServiceSpec::default() };
    let Some(map) = entries(ctx, node, context) else { return spec };
    check_keys(ctx, map, if kind == LayerKind::Service { SERVICE_KEYS } else { JOB_KEYS }, context);
    let at = |field: &str| format!("{context}.{field}");

    if let Some(node) = get(map, "image") {
        spec.image = parsed(ctx, node, &at("image"), ImageRef::parse);
    }
    if let Some(node) = get(map, "version") {
        spec.version = parsed(ctx, node, &at("version"), parse_pin);
    }
    if let Some(node) = get(map, "build") {
        spec.build = build(ctx, node, &at("build"));
    }
    if let Some(node) = get(map, "command") {
        spec.command = string_list(ctx, node, &at("command"));
    }
    if let Some(node) = get(map, "ports") {
        spec.ports = ports(ctx, node, &at("ports"));
    }
    if let Some(node) = get(map, "port") {
        spec.port = port(ctx, node, &at("port"));
    }
    if let Some(node) = get(map, "health") {
        spec.health = health(ctx, node, &at("health"));
    }
    if let Some(node) = get(map, "env") {
        spec.env = env(ctx, node, &at("env"));
    }
    if let Some(node) = get(map, "secrets") {
        spec.secrets = secret_refs(ctx, node, &at("secrets"));
    }
    if let Some(node) = get(map, "uses") {
        spec.uses = name_list(ctx, node, &at("uses"));
    }
    if let Some(node) = get(map, "calls") {
        spec.calls = name_list(ctx, node, &at("calls"));
    }
    if let Some(node) = get(map, "after") {
        spec.after = name_list(ctx, node, &at("after"));
    }
    if let Some(node) = get(map, "egress") {
        spec.egress = egress(ctx, node, &at("egress"));
    }
    if let Some(node) = get(map, "resources") {
        spec.resources = compute(ctx, node, &at("resources"));
    }
    if let Some(node) = get(map, "replicas") {
        spec.replicas = integer(ctx, node, &at("replicas"));
    }
    if let Some(node) = get(map, "autoscale") {
        spec.autoscale = nullable(node, |n| autoscale(ctx, n, &at("autoscale")));
    }
    if let Some(node) = get(map, "ingress") {
        spec.ingress = nullable(node, |n| ingress(ctx, n, &at("ingress")));
    }
    if let Some(node) = get(map, "metrics") {
        spec.metrics = nullable(node, |n| metrics(ctx, n, &at("metrics")));
    }
    if let Some(node) = get(map, "security") {
        spec.security = security(ctx, node, &at("security"));
    }
    if let Some(node) = get(map, "volumes") {
        spec.volumes = volumes(ctx, node, &at("volumes"));
    }
    if let Some(node) = get(map, "files") {
        spec.files = files(ctx, node, &at("files"));
    }
    if let Some(node) = get(map, "migrate") {
        spec.migrate = nullable(node, |n| migrate(ctx, n, &at("migrate")));
    }
    if let Some(node) = get(map, "strategy") {
        spec.strategy =
            choice(ctx, node, &at("strategy"), &[("rolling", Strategy::Rolling), ("blue-green", Strategy::BlueGreen)]);
    }
    if let Some(node) = get(map, "alerts") {
        spec.alerts = super::alerts::alerts(ctx, node, &at("alerts"), super::alerts::AlertsPlace::Service);
    }
    if let Some(node) = get(map, "waivers") {
        spec.waivers = waivers(ctx, node, &at("waivers"));
    }
    if let Some(node) = get(map, "schedule") {
        spec.schedule = parsed(ctx, node, &at("schedule"), Cron::parse);
    }
    if let Some(node) = get(map, "timeout") {
        spec.timeout = parsed(ctx, node, &at("timeout"), Duration::parse);
    }
    if let Some(node) = get(map, "retries") {
        spec.retries = integer(ctx, node, &at("retries"));
    }
    if let Some(node) = get(map, "concurrency") {
        spec.concurrency = choice(
            ctx,
            node,
            &at("concurrency"),
            &[("allow", Concurrency::Allow), ("forbid", Concurrency::Forbid), ("replace", Concurrency::Replace)],
        );
    }
    spec
}

/// `null` → `Some(None)` (removes an inherited block); a value → `Some(Some(v))`; a bad value → `None`.
fn nullable<T>(node: &Node, decode: impl FnOnce(&Node) -> Option<T>) -> Option<Spanned<Option<T>>> {
    if node.kind == NodeKind::Null {
        return Some(Spanned::new(None, node.span));
    }
    decode(node).map(|value| Spanned::new(Some(value), node.span))
}

fn build(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Build>> {
    if let NodeKind::Scalar { text, .. } = &node.kind {
        return Some(Spanned::new(
            Build { context: text.clone(), dockerfile: None, target: None, args: BTreeMap::new() },
            node.span,
        ));
    }
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, &["context", "dockerfile", "target", "args"], context);
    let Some(context_node) = get(map, "context") else {
        ctx.report(Diagnostic::new(codes::MISSING_FIELD, node.span, format!("`{context}` needs `context`")));
        return None;
    };
    let build_context = string(ctx, context_node, &format!("{context}.context"))?.value;
    let dockerfile =
        get(map, "dockerfile").and_then(|n| string(ctx, n, &format!("{context}.dockerfile"))).map(|s| s.value);
    let target = get(map, "target").and_then(|n| string(ctx, n, &format!("{context}.target"))).map(|s| s.value);
    let args = get(map, "args")
        .map(|n| crate::source::decode::string_map(ctx, n, &format!("{context}.args")))
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| (name, value.value))
        .collect();
    Some(Spanned::new(Build { context: build_context, dockerfile, target, args }, node.span))
}

pub fn port(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<u16>> {
    let value = integer::<u64>(ctx, node, context)?;
    let value = match u16::try_from(value.value) {
        Ok(port) => Spanned::new(port, value.span),
        Err(_) => {
            ctx.report(
                Diagnostic::new(
                    codes::INVALID_PORT,
                    node.span,
                    format!("`{context}` must be between 1 and 65535, not {}", value.value),
                )
                .with_label("not a port number"),
            );
            return None;
        }
    };
    if value.value == 0 {
        ctx.report(
            Diagnostic::new(codes::INVALID_PORT, node.span, format!("`{context}` must be between 1 and 65535"))
                .with_label("port 0"),
        );
        return None;
    }
    Some(value)
}

fn ports(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<BTreeMap<String, Spanned<u16>>>> {
    let map = entries(ctx, node, context)?;
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let name = key.as_str().unwrap_or("").to_string();
        if !is_port_name(&name) {
            ctx.report(
                Diagnostic::new(codes::INVALID_NAME, key.span, format!("invalid port name `{name}`"))
                    .with_label("not a valid port name")
                    .with_help("use at most 15 lowercase letters, digits and '-', starting with a letter (Kubernetes IANA_SVC_NAME)"),
            );
            continue;
        }
        if let Some(number) = port(ctx, value, &format!("{context}.{name}")) {
            out.insert(name, number);
        }
    }
    Some(Spanned::new(out, node.span))
}

/// Kubernetes port names: at most 15 characters, lowercase alphanumerics and '-', a letter first.
pub fn is_port_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 15
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && !name.contains("--")
}

fn health(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<HealthSpec> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, HEALTH_KEYS, context);
    let at = |field: &str| format!("{context}.{field}");
    let mut spec = HealthSpec { span: node.span, ..HealthSpec::default() };
    spec.path = get(map, "path").and_then(|n| parsed(ctx, n, &at("path"), http_path));
    spec.ready = get(map, "ready").and_then(|n| parsed(ctx, n, &at("ready"), http_path));
    spec.command = get(map, "command").and_then(|n| string_list(ctx, n, &at("command")));
    spec.interval = get(map, "interval").and_then(|n| parsed(ctx, n, &at("interval"), positive_duration));
    spec.timeout = get(map, "timeout").and_then(|n| parsed(ctx, n, &at("timeout"), positive_duration));
    spec.retries = get(map, "retries").and_then(|n| integer(ctx, n, &at("retries")));
    spec.start_period = get(map, "start_period").and_then(|n| parsed(ctx, n, &at("start_period"), Duration::parse));
    spec.probe = get(map, "probe").and_then(|n| {
        let probes = [Probe::Auto, Probe::Curl, Probe::Wget, Probe::Python, Probe::None];
        choice(ctx, n, &at("probe"), &probes.map(|p| (p.as_str(), p)))
    });
    if let Some(node) = get(map, "readiness") {
        let context = at("readiness");
        if let Some(fields) = entries(ctx, node, &context) {
            check_keys(ctx, fields, READINESS_KEYS, &context);
            let at = |field: &str| format!("{context}.{field}");
            spec.readiness = Some(ReadinessSpec {
                interval: get(fields, "interval").and_then(|n| parsed(ctx, n, &at("interval"), positive_duration)),
                timeout: get(fields, "timeout").and_then(|n| parsed(ctx, n, &at("timeout"), positive_duration)),
                retries: get(fields, "retries").and_then(|n| integer(ctx, n, &at("retries"))),
                start_period: get(fields, "start_period")
                    .and_then(|n| parsed(ctx, n, &at("start_period"), Duration::parse)),
                span: node.span,
            });
        }
    }
    if let Some(command) = &spec.command {
        if command.value.is_empty() {
            ctx.report(Diagnostic::new(codes::INVALID_VALUE, command.span, "a health check command cannot be empty"));
        }
    }
    Some(spec)
}

fn positive_duration(text: &str) -> Result<Duration, String> {
    let duration = Duration::parse(text)?;
    if duration.millis == 0 {
        return Err(String::from("the duration must be more than zero"));
    }
    Ok(duration)
}

/// An HTTP path: starts with `/`; letters, digits and `-._~/%:@+,=?` only. Paths are written into
/// shell health checks and nginx `location` blocks, so characters that mean something there
/// (`;`, `$`, `'`, `{`, `#`, spaces...) are refused rather than escaped three different ways.
pub fn http_path(text: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_alphanumeric() || "-._~/%:@+,=?".contains(c);
    if text.starts_with('/') && text.chars().all(allowed) {
        Ok(text.to_string())
    } else {
        let shown: String = text.chars().flat_map(char::escape_debug).collect();
        Err(format!(
            "`{shown}` is not an HTTP path: it must start with `/` and contain only letters, digits and `-._~/%:@+,=?`"
        ))
    }
}

fn env(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> BTreeMap<String, Spanned<Template>> {
    let mut out = BTreeMap::new();
    let Some(map) = entries(ctx, node, context) else { return out };
    for (key, value) in map {
        let Some(name) = env_name(ctx, key) else { continue };
        let text = match &value.kind {
            NodeKind::Null => String::new(),
            NodeKind::Scalar { text, .. } => text.clone(),
            _ => {
                ctx.wrong_type(value, "a string", &format!("{context}.{name}"));
                continue;
            }
        };
        let sources = ctx.sources;
        match placeholder::parse(&text, |offset, len| sub_span(sources, value, offset, len)) {
            Ok(template) => {
                out.insert(name, Spanned::new(template, value.span));
            }
            Err(errors) => {
                for error in errors {
                    let span = sub_span(ctx.sources, value, error.offset, error.len);
                    ctx.report(
                        Diagnostic::new(codes::UNKNOWN_PLACEHOLDER, span, error.message)
                            .with_label("unknown placeholder")
                            .with_help(codes::UNKNOWN_PLACEHOLDER.fix),
                    );
                }
            }
        }
    }
    out
}

/// The key as an environment variable name, or a reported diagnostic.
fn env_name(ctx: &mut Ctx<'_>, key: &Node) -> Option<String> {
    let name = key.as_str().unwrap_or("").to_string();
    if is_env_name(&name) {
        return Some(name);
    }
    ctx.report(
        Diagnostic::new(codes::INVALID_NAME, key.span, format!("invalid environment variable name `{name}`"))
            .with_label("not a valid name")
            .with_help("use letters, digits and '_', not starting with a digit"),
    );
    None
}

/// Environment variable names: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn secret_refs(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> BTreeMap<String, Spanned<SecretRef>> {
    let mut out = BTreeMap::new();
    let Some(map) = entries(ctx, node, context) else { return out };
    for (key, value) in map {
        let Some(name) = env_name(ctx, key) else { continue };
        let Some(target) = string(ctx, value, &format!("{context}.{name}")) else { continue };
        let reference = match target.value.split_once('.') {
            Some((resource, "password")) => SecretRef::ResourcePassword(resource.to_string()),
            Some((_, attribute)) => {
                ctx.report(
                    Diagnostic::new(
                        codes::UNKNOWN_REFERENCE,
                        value.span,
                        format!("a resource exposes no credential `{attribute}`"),
                    )
                    .with_label("unknown credential")
                    .with_help("a resource's credential secret is `<resource>.password`"),
                );
                continue;
            }
            None => SecretRef::Declared(target.value.clone()),
        };
        out.insert(name, Spanned::new(reference, value.span));
    }
    out
}

/// `egress: ["api.stripe.com:443", ...]`: each entry keeps its span; a bad one is reported and skipped.
fn egress(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Vec<Spanned<Egress>>>> {
    let NodeKind::Seq(items) = &node.kind else {
        ctx.wrong_type(node, "a list of `host:port`", context);
        return None;
    };
    let entries = items.iter().filter_map(|item| parsed(ctx, item, context, Egress::parse)).collect();
    Some(Spanned::new(entries, node.span))
}

fn compute(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<ComputeSpec> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, COMPUTE_KEYS, context);
    let at = |field: &str| format!("{context}.{field}");
    Some(ComputeSpec {
        cpu: get(map, "cpu").and_then(|n| parsed(ctx, n, &at("cpu"), Cpu::parse)),
        memory: get(map, "memory").and_then(|n| parsed(ctx, n, &at("memory"), Memory::parse)),
        cpu_limit: get(map, "cpu_limit").and_then(|n| parsed(ctx, n, &at("cpu_limit"), Cpu::parse)),
        memory_limit: get(map, "memory_limit").and_then(|n| parsed(ctx, n, &at("memory_limit"), Memory::parse)),
        span: node.span,
    })
}

fn autoscale(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<AutoscaleSpec> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, AUTOSCALE_KEYS, context);
    let at = |field: &str| format!("{context}.{field}");
    let min = required(ctx, map, node, "min", context).and_then(|n| integer(ctx, n, &at("min")));
    let max = required(ctx, map, node, "max", context).and_then(|n| integer(ctx, n, &at("max")));
    let cpu = get(map, "cpu").and_then(|n| integer(ctx, n, &at("cpu")));
    let memory = get(map, "memory").and_then(|n| integer(ctx, n, &at("memory")));
    if cpu.is_none() && memory.is_none() && get(map, "cpu").is_none() && get(map, "memory").is_none() {
        ctx.report(
            Diagnostic::new(codes::MISSING_FIELD, node.span, format!("`{context}` needs a `cpu` or `memory` target"))
                .with_label("no utilisation target")
                .with_help("add `cpu: 70` (target average CPU percent)"),
        );
    }
    Some(AutoscaleSpec { min: min?, max: max?, cpu, memory })
}

fn required<'n>(ctx: &mut Ctx<'_>, map: &'n [(Node, Node)], node: &Node, key: &str, context: &str) -> Option<&'n Node> {
    let found = get(map, key);
    if found.is_none() {
        ctx.report(
            Diagnostic::new(codes::MISSING_FIELD, node.span, format!("`{context}` needs `{key}`"))
                .with_label(format!("`{key}` missing")),
        );
    }
    found
}

fn ingress(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<IngressSpec> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, INGRESS_KEYS, context);
    let at = |field: &str| format!("{context}.{field}");
    let host = get(map, "host").and_then(|n| parsed(ctx, n, &at("host"), hostname));
    let path = match get(map, "path") {
        Some(n) => parsed(ctx, n, &at("path"), http_path),
        None => Some(Spanned::new(String::from("/"), node.span)),
    };
    let tls = match get(map, "tls") {
        Some(n) => boolean(ctx, n, &at("tls")),
        None => Some(Spanned::new(true, node.span)),
    };
    let rate_limit = get(map, "rate_limit").and_then(|n| parsed(ctx, n, &at("rate_limit"), RateLimit::parse));
    let strip_prefix = get(map, "strip_prefix").and_then(|n| boolean(ctx, n, &at("strip_prefix")));
    Some(IngressSpec { host, path: path?, tls: tls?, rate_limit, strip_prefix })
}

/// A DNS host name (lowercase labels separated by dots).
pub fn hostname(text: &str) -> Result<String, String> {
    if crate::model::egress::is_dns_name(text) {
        Ok(text.to_string())
    } else {
        Err(format!("`{text}` is not a valid lowercase DNS host name"))
    }
}

fn metrics(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<MetricsSpec> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, METRICS_KEYS, context);
    let port = match get(map, "port") {
        Some(n) => string(ctx, n, &format!("{context}.port")),
        None => Some(Spanned::new(String::from("metrics"), node.span)),
    };
    let path = match get(map, "path") {
        Some(n) => parsed(ctx, n, &format!("{context}.path"), http_path),
        None => Some(Spanned::new(String::from("/metrics"), node.span)),
    };
    Some(MetricsSpec { port: port?, path: path? })
}

fn security(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<SecuritySpec> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, SECURITY_KEYS, context);
    let at = |field: &str| format!("{context}.{field}");
    Some(SecuritySpec {
        user: get(map, "user").and_then(|n| integer(ctx, n, &at("user"))),
        group: get(map, "group").and_then(|n| integer(ctx, n, &at("group"))),
        read_only_root: get(map, "read_only_root").and_then(|n| boolean(ctx, n, &at("read_only_root"))),
        capabilities: get(map, "capabilities").and_then(|n| capabilities(ctx, n, &at("capabilities"))),
        span: node.span,
    })
}

/// `capabilities: [NET_BIND_SERVICE, CHOWN]`: Linux capability names, upper case, without `CAP_`.
fn capabilities(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Vec<String>>> {
    let list = string_list(ctx, node, context)?;
    let valid = |name: &String| {
        !name.is_empty()
            && !name.starts_with("CAP_")
            && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    if let Some(bad) = list.value.iter().find(|name| !valid(name)) {
        ctx.report(
            Diagnostic::new(codes::INVALID_VALUE, list.span, format!("`{bad}` is not a capability name"))
                .with_label("not a capability")
                .with_help(
                    "write Linux capability names in upper case without `CAP_`: NET_BIND_SERVICE, CHOWN, SETUID",
                ),
        );
        return None;
    }
    Some(list)
}

fn volumes(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> BTreeMap<String, Spanned<Volume>> {
    let mut out = BTreeMap::new();
    let Some(map) = entries(ctx, node, context) else { return out };
    for (key, value) in map {
        let Some(path) =
            mount_path(ctx, key, "not a mount path", "write an absolute path without `..`, such as /tmp or /data")
        else {
            continue;
        };
        let volume = match &value.kind {
            NodeKind::Scalar { text, .. } if text == "scratch" => Some(Volume::Scratch),
            NodeKind::Map(entries_) => {
                check_keys(ctx, entries_, &["persistent"], &format!("{context}.{path}"));
                get(entries_, "persistent")
                    .and_then(|n| parsed(ctx, n, &format!("{context}.{path}.persistent"), Memory::parse))
                    .map(|size| Volume::Persistent(size.value))
            }
            _ => {
                ctx.report(
                    Diagnostic::new(codes::INVALID_VALUE, value.span, format!("invalid volume for `{path}`"))
                        .with_label("expected `scratch` or `{ persistent: 10Gi }`"),
                );
                None
            }
        };
        if let Some(volume) = volume {
            out.insert(path, Spanned::new(volume, value.span));
        }
    }
    out
}

/// The key as a container path, or a reported diagnostic.
fn mount_path(ctx: &mut Ctx<'_>, key: &Node, label: &str, help: &str) -> Option<String> {
    let path = key.as_str().unwrap_or("").to_string();
    if is_mount_path(&path) {
        return Some(path);
    }
    ctx.report(
        Diagnostic::new(codes::INVALID_VALUE, key.span, format!("`{path}` is not an absolute container path"))
            .with_label(label)
            .with_help(help),
    );
    None
}

/// An absolute container path with no `..` or empty components.
pub fn is_mount_path(path: &str) -> bool {
    path.starts_with('/')
        && path.len() > 1
        && !path.ends_with('/')
        && path[1..].split('/').all(|part| !part.is_empty() && part != ".." && part != ".")
        && !path.chars().any(|c| c.is_control() || c == ':' || c.is_whitespace())
}

fn files(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> BTreeMap<String, Spanned<FileSource>> {
    let mut out = BTreeMap::new();
    let Some(map) = entries(ctx, node, context) else { return out };
    for (key, value) in map {
        let Some(path) =
            mount_path(ctx, key, "not a file path", "write an absolute path, such as /etc/config/config.yaml")
        else {
            continue;
        };
        let at = format!("{context}.{path}");
        let Some(fields) = entries(ctx, value, &at) else { continue };
        check_keys(ctx, fields, &["source", "content"], &at);
        let source = get(fields, "source").and_then(|n| string(ctx, n, &format!("{at}.source")));
        let content = get(fields, "content").and_then(|n| string(ctx, n, &format!("{at}.content")));
        let file = match (source, content) {
            (Some(source), None) => FileSource::Source { path: source.value, content: String::new() },
            (None, Some(content)) => FileSource::Content(content.value),
            _ => {
                ctx.report(
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        value.span,
                        format!("`{at}` needs exactly one of `source` and `content`"),
                    )
                    .with_label("give `source: ./path` or `content: ...`"),
                );
                continue;
            }
        };
        out.insert(path, Spanned::new(file, value.span));
    }
    out
}

fn migrate(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Migrate> {
    let map = entries(ctx, node, context)?;
    check_keys(ctx, map, &["command"], context);
    let command = required(ctx, map, node, "command", context)
        .and_then(|n| string_list(ctx, n, &format!("{context}.command")))?;
    if command.value.is_empty() {
        ctx.report(Diagnostic::new(codes::INVALID_VALUE, command.span, "a migration command cannot be empty"));
        return None;
    }
    Some(Migrate { command: command.value })
}

fn waivers(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> BTreeMap<String, Waiver> {
    let mut out = BTreeMap::new();
    let Some(map) = entries(ctx, node, context) else { return out };
    for (key, value) in map {
        let code = Spanned::new(key.as_str().unwrap_or("").to_string(), key.span);
        let reason = match &value.kind {
            NodeKind::Null => Spanned::new(String::new(), value.span),
            _ => match string(ctx, value, &format!("{context}.{}", code.value)) {
                Some(reason) => reason,
                None => continue,
            },
        };
        out.insert(code.value.clone(), Waiver { code, reason });
    }
    out
}
