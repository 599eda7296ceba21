//! The values of one chart for one scope (the base, or an environment), with every key of the
//! contract in `targets/helm/README.md` written out, in the order of its tables.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    Compute, Concurrency, EnvValue, HealthCheck, HelmOptions, Image, Job, SecretEnv, Security, Service, Stack,
    Strategy, Volume,
};
use crate::model::image::ImagePin;
use crate::model::quantity::Duration;
use crate::targets::helm::{Sink, certificates, network, placeholders};
use crate::targets::yaml_out::Yaml;

/// What values are built for: one environment's stack, or the base (values.yaml).
pub struct Scope<'a> {
    pub stack: &'a Stack,
    pub helm: HelmOptions,
    /// The model's tags as labels (the same in every scope).
    pub common_labels: &'a Yaml,
    /// values.yaml: values only an environment knows are left out.
    pub is_base: bool,
}

impl<'a> Scope<'a> {
    /// The scope of `stack`.
    pub fn new(stack: &'a Stack, common_labels: &'a Yaml, is_base: bool) -> Scope<'a> {
        Scope { stack, helm: stack.config.helm.clone().unwrap_or_default(), common_labels, is_base }
    }
}

/// A chart's subject: a service or a scheduled job.
#[derive(Clone, Copy)]
pub enum Workload<'a> {
    Service(&'a Service),
    Job(&'a Job),
}

impl<'a> Workload<'a> {
    /// The chart name.
    pub fn name(self) -> &'a str {
        match self {
            Workload::Service(service) => &service.name,
            Workload::Job(job) => &job.name,
        }
    }

    /// The same kind of workload called `name` in `stack`, if the stack has it.
    pub fn find(stack: &'a Stack, name: &str, like: Workload<'_>) -> Option<Workload<'a>> {
        match like {
            Workload::Service(_) => stack.services.get(name).map(Workload::Service),
            Workload::Job(_) => stack.jobs.get(name).map(Workload::Job),
        }
    }

    /// The image.
    pub fn image(self) -> &'a Image {
        match self {
            Workload::Service(service) => &service.image,
            Workload::Job(job) => &job.image,
        }
    }

    /// Mounted volumes.
    pub fn volumes(self) -> &'a BTreeMap<String, Volume> {
        match self {
            Workload::Service(service) => &service.volumes,
            Workload::Job(job) => &job.volumes,
        }
    }

    /// Mounted files.
    pub fn files(self) -> &'a BTreeMap<String, String> {
        match self {
            Workload::Service(service) => &service.files,
            Workload::Job(job) => &job.files,
        }
    }

    /// Plain env values.
    pub fn env(self) -> &'a BTreeMap<String, EnvValue> {
        match self {
            Workload::Service(service) => &service.env,
            Workload::Job(job) => &job.env,
        }
    }

    /// Secret env vars.
    pub fn secrets(self) -> &'a BTreeMap<String, SecretEnv> {
        match self {
            Workload::Service(service) => &service.secrets,
            Workload::Job(job) => &job.secrets,
        }
    }

    /// Where each resolved field came from.
    pub fn origins(self) -> &'a crate::ir::Origins {
        match self {
            Workload::Service(service) => &service.origins,
            Workload::Job(job) => &job.origins,
        }
    }

    /// Where the workload is defined.
    pub fn origin(self) -> crate::shared::span::Span {
        match self {
            Workload::Service(service) => service.origin,
            Workload::Job(job) => job.origin,
        }
    }
}

/// Everything a container has in common, whatever it runs.
struct Common<'a> {
    image: &'a Image,
    command: Option<&'a Vec<String>>,
    secrets: &'a BTreeMap<String, SecretEnv>,
    compute: &'a Compute,
    security: &'a Security,
    volumes: &'a BTreeMap<String, Volume>,
    files: &'a BTreeMap<String, String>,
}

/// The values document of `workload` in `scope`.
pub fn build(scope: &Scope<'_>, workload: Workload<'_>, sink: &mut Sink) -> Yaml {
    match workload {
        Workload::Service(service) => service_values(scope, service, sink),
        Workload::Job(job) => job_values(scope, job, sink),
    }
}

fn service_values(scope: &Scope<'_>, service: &Service, sink: &mut Sink) -> Yaml {
    let common = Common {
        image: &service.image,
        command: service.command.as_ref(),
        secrets: &service.secrets,
        compute: &service.compute,
        security: &service.security,
        volumes: &service.volumes,
        files: &service.files,
    };
    let mut values = head(scope, "service", &common);
    values.insert("ports", Yaml::Map(service.ports.iter().map(|(n, p)| entry(n, int(*p))).collect()));
    match service.http_port() {
        Some(port) => values.insert("service", Yaml::map().with("port", int(scope.helm.service_port.unwrap_or(port)))),
        None => values.insert_commented(
            "service",
            Yaml::map().with("port", int(80)),
            Some(String::from("Unused: the service has no `http` port, so nothing routes to it.")),
        ),
    };
    values.insert("health", health(service));
    values.insert("resources", compute(common.compute));
    values.insert("replicas", int(service.replicas));
    values.insert("autoscale", autoscale(service));
    values.insert("podDisruptionBudget", Yaml::map().with("maxUnavailable", Yaml::str("25%")));
    values.insert(
        "topologySpread",
        Yaml::map()
            .with("enabled", Yaml::Bool(true))
            .with("zone", Yaml::str("ScheduleAnyway"))
            .with("node", Yaml::str("ScheduleAnyway")),
    );
    values.insert("strategy", Yaml::str(strategy(service.strategy)));
    if service.strategy == Strategy::BlueGreen {
        values.insert("blueGreen", blue_green());
    }
    values.insert("ingress", ingress(scope, service));
    values.insert("metrics", metrics(service));
    values.insert("alerts", alerts(service));
    tail(scope, &common, &mut values, Workload::Service(service), sink);
    let migration = match &service.migrate {
        Some(command) => Yaml::map().with("enabled", Yaml::Bool(true)).with("args", Yaml::strs(command.clone())),
        None => Yaml::map().with("enabled", Yaml::Bool(false)).with("args", Yaml::Seq(Vec::new())),
    };
    values.insert("migration", migration.with("retries", int(0)).with("timeoutSeconds", int(600)));
    let policy = network::policy(scope, &service.called_by, &service.calls, &service.uses, &service.egress);
    finish(&mut values, policy, skips(Some(service), common.image, common.security));
    values
}

fn job_values(scope: &Scope<'_>, job: &Job, sink: &mut Sink) -> Yaml {
    let common = Common {
        image: &job.image,
        command: job.command.as_ref(),
        secrets: &job.secrets,
        compute: &job.compute,
        security: &job.security,
        volumes: &job.volumes,
        files: &job.files,
    };
    let mut values = head(scope, "job", &common);
    let concurrency = match job.concurrency {
        Concurrency::Allow => "Allow",
        Concurrency::Forbid => "Forbid",
        Concurrency::Replace => "Replace",
    };
    values.insert(
        "job",
        Yaml::map()
            .with("schedule", Yaml::str(job.schedule.expression.clone()))
            .with("timeZone", Yaml::str("Etc/UTC"))
            .with("concurrencyPolicy", Yaml::str(concurrency))
            .with("timeoutSeconds", seconds(job.timeout.map_or(0, |t| t.secs_ceil())))
            .with("retries", int(job.retries))
            .with("successfulJobsHistoryLimit", int(3))
            .with("failedJobsHistoryLimit", int(1))
            .with("startingDeadlineSeconds", int(0))
            .with("suspend", Yaml::Bool(false)),
    );
    values.insert("resources", compute(common.compute));
    tail(scope, &common, &mut values, Workload::Job(job), sink);
    let policy = network::policy(scope, &BTreeSet::new(), &job.calls, &job.uses, &job.egress);
    finish(&mut values, policy, skips(None, common.image, common.security));
    values
}

/// kind, project, commonLabels, image, imagePullSecrets, entrypoint, args.
fn head(scope: &Scope<'_>, kind: &str, common: &Common<'_>) -> Yaml {
    let (tag, digest) = match &common.image.pin {
        ImagePin::Tag(tag) => (tag.clone(), String::new()),
        ImagePin::Digest(digest) => (String::new(), digest.clone()),
    };
    Yaml::map()
        .with("kind", Yaml::str(kind))
        .with("project", Yaml::str(scope.stack.project.clone()))
        .with("commonLabels", scope.common_labels.clone())
        .with("appLabels", Yaml::Bool(scope.helm.app_labels))
        .with(
            "image",
            Yaml::map()
                .with("repository", Yaml::str(common.image.repository.clone()))
                .with("tag", Yaml::str(tag))
                .with("digest", Yaml::str(digest))
                .with("pullPolicy", Yaml::str("IfNotPresent")),
        )
        .with("imagePullSecrets", Yaml::Seq(Vec::new()))
        .with("entrypoint", Yaml::Seq(Vec::new()))
        .with("args", Yaml::strs(common.command.cloned().unwrap_or_default()))
}

/// serviceAccount, env, extraEnv, secrets, files, volumes, security.
fn tail(scope: &Scope<'_>, common: &Common<'_>, values: &mut Yaml, workload: Workload<'_>, sink: &mut Sink) {
    values.insert("serviceAccount", Yaml::map().with("annotations", Yaml::map()));
    let env = placeholders::env(scope, workload, sink);
    values.insert("env", Yaml::Map(env.plain.into_iter().map(|(k, v)| entry(&k, Yaml::Str(v))).collect()));
    values.insert("extraEnv", Yaml::Seq(Vec::new()));
    values.insert("secrets", placeholders::secrets(scope, workload.name(), common.secrets));
    values.insert("composedEnv", Yaml::Map(env.composed.into_iter().map(|(k, v)| entry(&k, Yaml::Str(v))).collect()));
    values.insert("files", Yaml::Map(common.files.iter().map(|(p, c)| entry(p, Yaml::str(c.clone()))).collect()));
    let volumes = common.volumes.iter().map(|(path, volume)| {
        let value = match volume {
            Volume::Scratch => Yaml::map().with("type", Yaml::str("scratch")),
            Volume::Persistent(size) => Yaml::map()
                .with("type", Yaml::str("persistent"))
                .with("size", Yaml::str(size.kubernetes()))
                .with("accessMode", Yaml::str("ReadWriteOnce"))
                .with("storageClassName", Yaml::str("")),
        };
        entry(path, value)
    });
    values.insert("volumes", Yaml::Map(volumes.collect()));
    let mut security = Yaml::map()
        .with("runAsUser", int(common.security.user))
        .with("runAsGroup", int(common.security.group))
        .with("fsGroup", int(common.security.group))
        .with("readOnlyRootFilesystem", Yaml::Bool(common.security.read_only_root));
    if !common.security.capabilities.is_empty() {
        // Added back after `drop: [ALL]` in the pod template.
        security.insert("capabilities", Yaml::strs(common.security.capabilities.iter().cloned()));
    }
    values.insert("security", security);
}

/// networkPolicy, checkovSkips and the extension points, empty.
fn finish(values: &mut Yaml, policy: Yaml, skips: BTreeMap<&'static str, String>) {
    values.insert("networkPolicy", policy);
    values.insert("checkovSkips", Yaml::Map(skips.into_iter().map(|(id, why)| entry(id, Yaml::Str(why))).collect()));
    for key in ["podAnnotations", "podLabels"] {
        values.insert(key, Yaml::map());
    }
    for key in ["extraVolumes", "extraVolumeMounts", "initContainers", "sidecars"] {
        values.insert(key, Yaml::Seq(Vec::new()));
    }
    values.insert("nodeSelector", Yaml::map());
    values.insert("tolerations", Yaml::Seq(Vec::new()));
    values.insert("affinity", Yaml::map());
    values.insert("topologySpreadConstraints", Yaml::Seq(Vec::new()));
}

/// A start period of at least this long makes a slow starter: it gets a startup probe instead of
/// delaying its liveness probe (Kubernetes' advice for containers that take long to start).
const SLOW_START_SECONDS: u64 = 60;

/// Probe timings as values: Kubernetes counts whole seconds, at least one (a delay may be 0).
fn timings(initial_delay: u64, interval: Duration, timeout: Duration, retries: u32) -> Yaml {
    Yaml::map()
        .with("initialDelaySeconds", seconds(initial_delay))
        .with("periodSeconds", seconds(interval.secs_ceil().max(1)))
        .with("timeoutSeconds", seconds(timeout.secs_ceil().max(1)))
        .with("failureThreshold", int(retries.max(1)))
}

fn health(service: &Service) -> Yaml {
    let Some(health) = &service.health else {
        let startup = Yaml::map()
            .with("enabled", Yaml::Bool(false))
            .with("periodSeconds", int(10))
            .with("failureThreshold", int(30));
        let none = Duration::from_secs(30);
        return Yaml::map()
            .with("type", Yaml::str("none"))
            .with("path", Yaml::str(""))
            .with("readyPath", Yaml::str(""))
            .with("command", Yaml::Seq(Vec::new()))
            .with("port", Yaml::str("http"))
            .merged(timings(0, none, Duration::from_secs(10), 3))
            .with("readiness", timings(0, none, Duration::from_secs(10), 3))
            .with("startup", startup);
    };
    let (kind, path, ready, command) = match &health.check {
        HealthCheck::Http { path, ready } => ("http", path.clone(), ready.clone(), Vec::new()),
        HealthCheck::Exec { command } => ("exec", String::new(), String::new(), command.clone()),
    };
    // A slow starter: a startup probe (every 10 s at most, for the whole start period) holds back
    // liveness and readiness, which then start at once; otherwise each waits its own start period.
    let start = health.start_period.secs_ceil();
    let slow = start >= SLOW_START_SECONDS;
    let startup_period = health.interval.secs_ceil().clamp(1, 10);
    let startup = Yaml::map()
        .with("enabled", Yaml::Bool(slow))
        .with("periodSeconds", seconds(startup_period))
        .with("failureThreshold", seconds(start.div_ceil(startup_period).max(1)));
    let ready_timings = &health.readiness;
    Yaml::map()
        .with("type", Yaml::str(kind))
        .with("path", Yaml::str(path))
        .with("readyPath", Yaml::str(ready))
        .with("command", Yaml::strs(command))
        .with("port", Yaml::str("http"))
        .merged(timings(if slow { 0 } else { start }, health.interval, health.timeout, health.retries))
        .with(
            "readiness",
            timings(
                if slow { 0 } else { ready_timings.start_period.secs_ceil() },
                ready_timings.interval,
                ready_timings.timeout,
                ready_timings.retries,
            ),
        )
        .with("startup", startup)
}

fn compute(compute: &Compute) -> Yaml {
    Yaml::map()
        .with(
            "requests",
            Yaml::map()
                .with("cpu", Yaml::str(compute.cpu.kubernetes()))
                .with("memory", Yaml::str(compute.memory.kubernetes())),
        )
        .with(
            "limits",
            Yaml::map()
                .with("cpu", Yaml::str(compute.cpu_limit.kubernetes()))
                .with("memory", Yaml::str(compute.memory_limit.kubernetes())),
        )
}

/// All five keys even when off, so an environment file only flips what changes. A memory-only
/// autoscale keeps the chart's CPU target of 80 %.
fn autoscale(service: &Service) -> Yaml {
    let (enabled, min, max, cpu, memory) = match &service.autoscale {
        Some(a) => (true, a.min, a.max, a.cpu.unwrap_or(80), a.memory.unwrap_or(0)),
        None => (false, 1, 1, 80, 0),
    };
    Yaml::map()
        .with("enabled", Yaml::Bool(enabled))
        .with("min", int(min))
        .with("max", int(max))
        .with("cpu", int(cpu))
        .with("memory", int(memory))
}

fn strategy(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::Rolling => "rolling",
        Strategy::BlueGreen => "blue-green",
    }
}

/// Blue serves the model's image; green is off until a release patches it on (README: Blue-green).
fn blue_green() -> Yaml {
    let slot = |enabled: bool| {
        Yaml::map().with("enabled", Yaml::Bool(enabled)).with("tag", Yaml::str("")).with("digest", Yaml::str(""))
    };
    Yaml::map().with("active", Yaml::str("blue")).with("blue", slot(true)).with("green", slot(false))
}

fn ingress(scope: &Scope<'_>, service: &Service) -> Yaml {
    let Some(ingress) = &service.ingress else {
        return Yaml::map()
            .with("enabled", Yaml::Bool(false))
            .with("className", Yaml::str(""))
            .with("host", Yaml::str(""))
            .with("path", Yaml::str("/"))
            .with("tls", Yaml::Bool(false))
            .with("tlsSecretName", Yaml::str(""))
            .with("clusterIssuer", Yaml::str(""))
            .with("rateLimit", Yaml::map())
            .with("stripPrefix", Yaml::Bool(false))
            .with("annotations", Yaml::map());
    };
    // cert-manager issues certificates for host names: a host-less route uses the controller's
    // default certificate, so it gets no issuer. Services sharing a host share its Secret, and only
    // the first of them asks for it (certificates.rs).
    let issuer = match (&ingress.host, &scope.helm.cluster_issuer) {
        (Some(_), Some(issuer)) if ingress.tls && certificates::issues(scope.stack, service) => issuer.clone(),
        _ => String::new(),
    };
    let secret = match &ingress.host {
        Some(host) if ingress.tls => certificates::secret_name(host),
        _ => String::new(),
    };
    let rate_limit = match ingress.rate_limit {
        Some(limit) => Yaml::map().with(if limit.per_minute { "rpm" } else { "rps" }, int(limit.requests)),
        None => Yaml::map(),
    };
    Yaml::map()
        .with("enabled", Yaml::Bool(true))
        .with("className", Yaml::str(scope.helm.ingress_class.clone()))
        .with("host", Yaml::str(ingress.host.clone().unwrap_or_default()))
        .with("path", Yaml::str(ingress.path.clone()))
        .with("tls", Yaml::Bool(ingress.tls))
        .with("tlsSecretName", Yaml::str(secret))
        .with("clusterIssuer", Yaml::str(issuer))
        .with("rateLimit", rate_limit)
        .with("stripPrefix", Yaml::Bool(ingress.strip_prefix))
        .with("annotations", Yaml::map())
}

fn metrics(service: &Service) -> Yaml {
    let (enabled, port, path) = match &service.metrics {
        Some(metrics) => (true, metrics.port_name.clone(), metrics.path.clone()),
        None => (false, String::from("metrics"), String::from("/metrics")),
    };
    Yaml::map()
        .with("enabled", Yaml::Bool(enabled))
        .with("port", Yaml::str(port))
        .with("path", Yaml::str(path))
        .with("interval", Yaml::str("30s"))
        .with("labels", Yaml::map())
}

/// The PrometheusRule's values: every key even when alerting is off, so an environment file only
/// flips what changes; a threshold of 0 turns that alert off.
fn alerts(service: &Service) -> Yaml {
    use crate::model::quantity::decimal;
    let builtin = crate::ir::HttpMetrics {
        requests: String::from("http_requests_total"),
        duration: String::from("http_request_duration_seconds"),
        status: String::from("status"),
    };
    let (enabled, pending, http) = match &service.alerts {
        Some(alerts) => (true, alerts.pending.to_string(), &alerts.http),
        None => (false, String::from("5m"), &builtin),
    };
    let alerts = service.alerts.as_ref();
    let ratio = |value: Option<crate::model::quantity::Percent>| value.map_or(Yaml::Int(0), |p| Yaml::Raw(p.ratio()));
    let rules = alerts.map(|a| a.rules.as_slice()).unwrap_or_default().iter().map(|rule| {
        Yaml::map()
            .with("alert", Yaml::str(rule.name.clone()))
            .with("expr", Yaml::str(rule.expr.clone()))
            .with("for", Yaml::str(rule.pending.to_string()))
            .with("severity", Yaml::str(rule.severity.as_str()))
            .with("summary", Yaml::str(rule.summary.clone()))
    });
    Yaml::map()
        .with("enabled", Yaml::Bool(enabled))
        .with("for", Yaml::str(pending))
        .with("errorRate", ratio(alerts.and_then(|a| a.error_rate)))
        .with(
            "latencySeconds",
            alerts.and_then(|a| a.latency).map_or(Yaml::Int(0), |l| Yaml::Raw(decimal(l.millis, 3))),
        )
        .with("cpu", ratio(alerts.and_then(|a| a.cpu)))
        .with("memory", ratio(alerts.and_then(|a| a.memory)))
        .with("restarts", int(alerts.and_then(|a| a.restarts).unwrap_or(0)))
        .with(
            "http",
            Yaml::map()
                .with("requests", Yaml::str(http.requests.clone()))
                .with("duration", Yaml::str(http.duration.clone()))
                .with("status", Yaml::str(http.status.clone())),
        )
        .with("labels", Yaml::map())
        .with("rules", Yaml::Seq(rules.collect()))
}

/// checkov checks that the model itself turned off: a resolved value that the standards' rules only
/// let through with a waiver (or as a warning) is the model's decision, so the matching check is
/// skipped with the rule's code as the reason. (Reasons must not contain `=`.)
fn skips(service: Option<&Service>, image: &Image, security: &Security) -> BTreeMap<&'static str, String> {
    let mut skips = BTreeMap::new();
    if security.user == 0 {
        let why = String::from("runs as root as iacgen.yaml says (security.user 0, rule IAC104 waived)");
        skips.insert("CKV_K8S_23", why.clone());
        skips.insert("CKV_K8S_40", why);
    }
    if !security.capabilities.is_empty() {
        skips.insert(
            "CKV_K8S_25",
            format!(
                "capabilities kept as iacgen.yaml says (security.capabilities: {})",
                security.capabilities.join(" ")
            ),
        );
    }
    if !security.read_only_root {
        skips.insert(
            "CKV_K8S_22",
            String::from("writable root filesystem as iacgen.yaml says (security.read_only_root false, rule IAC105)"),
        );
    }
    if image.pin == ImagePin::Tag(String::from("latest")) {
        skips.insert(
            "CKV_K8S_14",
            String::from("no version pinned in iacgen.yaml (rule IAC102: development, or waived)"),
        );
    }
    if let Some(service) = service.filter(|service| service.health.is_none()) {
        let why = if service.ports.is_empty() {
            "the service has no port and no health check in iacgen.yaml: nothing to probe"
        } else {
            "no health check in iacgen.yaml (rule IAC101 waived)"
        };
        skips.insert("CKV_K8S_8", String::from(why));
        skips.insert("CKV_K8S_9", String::from(why));
    }
    skips
}

fn entry(key: &str, value: Yaml) -> crate::targets::yaml_out::Entry {
    crate::targets::yaml_out::Entry { key: key.to_string(), value, comment: None }
}

fn int(value: impl Into<i64>) -> Yaml {
    Yaml::Int(value.into())
}

fn seconds(value: u64) -> Yaml {
    Yaml::Int(i64::try_from(value).unwrap_or(i64::MAX))
}
