//! The resolved model (IR): one [`Stack`] per environment, every value concrete, nothing left to merge.
//! Targets read only this. Values keep an [`Origin`] so `explain` and diagnostics can point at the YAML.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::cron::Cron;
pub use crate::model::egress::{Egress, EgressHost};
use crate::model::image::ImagePin;
use crate::model::placeholder::Template;
use crate::model::quantity::{Cpu, Duration, Memory, Percent, RateLimit};
pub use crate::model::{
    AlertSeverity, Auth, BackupTime, Concurrency, Expose, Probe, ResourceKind, SecretRef, Size, Stage, Strategy,
};
pub use crate::shared::Target;
use crate::shared::span::Span;

/// Every environment of a project, resolved, plus the base (no environment layer) that Helm's
/// `values.yaml` describes.
#[derive(Clone, Debug)]
pub struct Compilation {
    pub project: String,
    pub base: Stack,
    pub environments: BTreeMap<String, Stack>,
    /// The output folder, relative to the project root.
    pub output: String,
    /// One line per patch operation (`patch <file>: set <path> = <value>`), for reviews.
    pub patches: Vec<String>,
}

/// One environment's resolved model.
#[derive(Clone, Debug)]
pub struct Stack {
    pub project: String,
    /// Where the project's name is written (diagnostics about names derived from it).
    pub project_span: Option<Span>,
    /// Environment name; empty for the base stack.
    pub environment: String,
    /// Where the environment is defined (`None` for the base stack).
    pub environment_span: Option<Span>,
    pub stage: Stage,
    pub targets: BTreeSet<Target>,
    pub tags: BTreeMap<String, String>,
    /// Where each tag's value is written (for diagnostics about derived labels).
    pub tag_spans: BTreeMap<String, Span>,
    pub registry: Option<String>,
    pub services: BTreeMap<String, Service>,
    pub jobs: BTreeMap<String, Job>,
    pub resources: BTreeMap<String, Resource>,
    pub secrets: BTreeMap<String, Secret>,
    pub config: TargetConfig,
    /// Alerting in this environment (`None`: off, or no `alerts:` in the model).
    pub alerting: Option<Alerting>,
}

/// Alerting of one environment: where notifications go and the project's extra rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alerting {
    pub notify: Notify,
    /// Extra rules of the whole project (top level or the environment's `alerts.rules`).
    pub rules: Vec<AlertRule>,
    /// Where alerting is configured (the environment's `alerts` when it has one).
    pub span: Span,
}

/// Where alerts are sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notify {
    pub email: Option<String>,
    /// The declared secret holding the webhook's HTTPS URL.
    pub webhook: Option<String>,
    pub smtp: Option<SmtpRelay>,
    /// Where `notify` is written.
    pub span: Option<Span>,
}

/// The mail relay of the compose Alertmanager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpRelay {
    pub host: String,
    pub from: String,
    pub user: Option<String>,
    /// The declared secret holding the relay's password.
    pub password: Option<String>,
}

/// One extra alert rule (PromQL).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AlertRule {
    pub name: String,
    pub expr: String,
    pub pending: Duration,
    pub severity: AlertSeverity,
    pub summary: String,
    pub span: Span,
}

/// The alerts of one service, thresholds resolved (`None`: that alert is off).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServiceAlerts {
    pub pending: Duration,
    pub error_rate: Option<Percent>,
    pub latency: Option<Duration>,
    pub cpu: Option<Percent>,
    pub memory: Option<Percent>,
    pub restarts: Option<u32>,
    pub http: HttpMetrics,
    pub rules: Vec<AlertRule>,
}

/// The Prometheus names of a service's HTTP metrics.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HttpMetrics {
    pub requests: String,
    pub duration: String,
    pub status: String,
}

/// The alerts of one database or cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResourceAlerts {
    pub pending: Duration,
    pub cpu: Option<Percent>,
    pub memory: Option<Percent>,
    pub storage: Option<Percent>,
    pub connections: Option<Percent>,
}

/// Which layer set a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    BuiltIn,
    ProjectDefaults,
    EnvironmentDefaults,
    Service,
    EnvironmentOverride,
}

impl Layer {
    /// How `explain` names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::BuiltIn => "built-in",
            Layer::ProjectDefaults => "project defaults",
            Layer::EnvironmentDefaults => "environment defaults",
            Layer::Service => "service",
            Layer::EnvironmentOverride => "environment override",
        }
    }
}

/// Where a resolved value came from. Built-in values have no span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub layer: Layer,
    pub span: Option<Span>,
}

impl Origin {
    /// A built-in default.
    pub const BUILT_IN: Origin = Origin { layer: Layer::BuiltIn, span: None };
}

/// A resolved field of a service or job: the key of its `origins`, which `explain` and diagnostics
/// read to point at the YAML that set a value. Typed, so a misspelled field does not compile (a
/// string key that matches nothing silently points at the whole definition instead).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Image,
    Version,
    Build,
    Command,
    /// `ports.<name>`.
    Port(String),
    HealthPath,
    HealthReady,
    HealthCommand,
    HealthInterval,
    HealthTimeout,
    HealthRetries,
    HealthStartPeriod,
    HealthProbe,
    /// `health.readiness.*`.
    ReadinessInterval,
    ReadinessTimeout,
    ReadinessRetries,
    ReadinessStartPeriod,
    /// `env.<name>`.
    Env(String),
    /// `secrets.<name>`.
    Secret(String),
    Uses,
    Calls,
    /// One name of `uses` (where it is written, or the env value that implies it).
    Used(String),
    /// One name of `calls`.
    Called(String),
    After,
    Egress,
    Cpu,
    Memory,
    CpuLimit,
    MemoryLimit,
    Replicas,
    Autoscale,
    Ingress,
    Metrics,
    User,
    Group,
    ReadOnlyRoot,
    Capabilities,
    /// `volumes.<path>`.
    Volume(String),
    /// `files.<path>`.
    File(String),
    Migrate,
    Strategy,
    Schedule,
    Timeout,
    Retries,
    Concurrency,
}

impl std::fmt::Display for Field {
    /// The field as the model writes it (`health.path`, `env.LOG_LEVEL`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fixed = match self {
            Field::Port(name) => return write!(f, "ports.{name}"),
            Field::Env(name) => return write!(f, "env.{name}"),
            Field::Secret(name) => return write!(f, "secrets.{name}"),
            Field::Volume(path) => return write!(f, "volumes.{path}"),
            Field::File(path) => return write!(f, "files.{path}"),
            Field::Image => "image",
            Field::Version => "version",
            Field::Build => "build",
            Field::Command => "command",
            Field::HealthPath => "health.path",
            Field::HealthReady => "health.ready",
            Field::HealthCommand => "health.command",
            Field::HealthInterval => "health.interval",
            Field::HealthTimeout => "health.timeout",
            Field::HealthRetries => "health.retries",
            Field::HealthStartPeriod => "health.start_period",
            Field::HealthProbe => "health.probe",
            Field::ReadinessInterval => "health.readiness.interval",
            Field::ReadinessTimeout => "health.readiness.timeout",
            Field::ReadinessRetries => "health.readiness.retries",
            Field::ReadinessStartPeriod => "health.readiness.start_period",
            Field::Used(name) => return write!(f, "uses.{name}"),
            Field::Called(name) => return write!(f, "calls.{name}"),
            Field::Uses => "uses",
            Field::Calls => "calls",
            Field::Egress => "egress",
            Field::After => "after",
            Field::Cpu => "resources.cpu",
            Field::Memory => "resources.memory",
            Field::CpuLimit => "resources.cpu_limit",
            Field::MemoryLimit => "resources.memory_limit",
            Field::Replicas => "replicas",
            Field::Autoscale => "autoscale",
            Field::Ingress => "ingress",
            Field::Metrics => "metrics",
            Field::User => "security.user",
            Field::Group => "security.group",
            Field::ReadOnlyRoot => "security.read_only_root",
            Field::Capabilities => "security.capabilities",
            Field::Migrate => "migrate",
            Field::Strategy => "strategy",
            Field::Schedule => "schedule",
            Field::Timeout => "timeout",
            Field::Retries => "retries",
            Field::Concurrency => "concurrency",
        };
        f.write_str(fixed)
    }
}

impl Field {
    /// One name of a link list: `uses` → `uses.<name>`, `calls` → `calls.<name>` (other fields
    /// have no entries and stay themselves).
    pub fn entry(&self, name: &str) -> Field {
        match self {
            Field::Uses => Field::Used(name.to_string()),
            Field::Calls => Field::Called(name.to_string()),
            other => other.clone(),
        }
    }
}

/// Where each resolved field of a service or job came from.
pub type Origins = BTreeMap<Field, Origin>;

/// A container image, pinned.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Image {
    pub repository: String,
    pub pin: ImagePin,
}

impl Image {
    /// `repository:tag` or `repository@sha256:...`.
    pub fn reference(&self) -> String {
        match &self.pin {
            ImagePin::Tag(tag) => format!("{}:{tag}", self.repository),
            ImagePin::Digest(digest) => format!("{}@{digest}", self.repository),
        }
    }

    /// The tag, or the digest (for Helm's appVersion).
    pub fn version(&self) -> String {
        self.pin.to_string()
    }
}

/// `build:` for compose.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Build {
    pub context: String,
    pub dockerfile: Option<String>,
    pub target: Option<String>,
    /// Build arguments, name → value.
    pub args: BTreeMap<String, String>,
}

/// A health check.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Health {
    pub check: HealthCheck,
    pub interval: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub start_period: Duration,
    /// The tool an HTTP check runs inside the container (compose, ecs, aws).
    pub probe: Probe,
    /// Readiness probe timings (Kubernetes); each defaults to the liveness value above.
    pub readiness: Timings,
}

/// Probe timings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timings {
    pub interval: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub start_period: Duration,
}

/// HTTP GET on the http port, or a command in the container.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum HealthCheck {
    Http { path: String, ready: String },
    Exec { command: Vec<String> },
}

/// CPU and memory, requests and limits (limits default to requests).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Compute {
    pub cpu: Cpu,
    pub memory: Memory,
    pub cpu_limit: Cpu,
    pub memory_limit: Memory,
}

/// Horizontal autoscaling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Autoscale {
    pub min: u32,
    pub max: u32,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
}

/// A public route.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ingress {
    /// `None`: any host (a path-only route).
    pub host: Option<String>,
    pub path: String,
    pub tls: bool,
    pub rate_limit: Option<RateLimit>,
    /// The backend sees paths without `path` (the seed's ingress-nginx `rewrite-target`).
    pub strip_prefix: bool,
}

/// Prometheus scraping.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Metrics {
    pub port_name: String,
    pub port: u16,
    pub path: String,
}

/// Process identity, filesystem and capabilities.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Security {
    pub user: u32,
    pub group: u32,
    pub read_only_root: bool,
    /// Capabilities kept after dropping all (sorted; empty: none).
    pub capabilities: Vec<String>,
}

/// A mounted volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Volume {
    Scratch,
    Persistent(Memory),
}

/// A plain env value (placeholders unresolved: each target substitutes what is true there).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EnvValue {
    pub template: Template,
    pub origin: Origin,
}

/// A secret env var.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SecretEnv {
    pub reference: SecretRef,
    pub origin: Origin,
}

/// The env var of a workload that carries `resource`'s password: the first (by name) that the
/// workload maps to `<resource>.password` (resolution adds `<RESOURCE>_PASSWORD` for a connection URL
/// when none does).
pub fn password_env<'a>(secrets: &'a BTreeMap<String, SecretEnv>, resource: &str) -> Option<&'a str> {
    secrets
        .iter()
        .find(|(_, secret)| matches!(&secret.reference, SecretRef::ResourcePassword(r) if r == resource))
        .map(|(variable, _)| variable.as_str())
}

/// The env var a connection URL adds for `resource`'s password when the workload maps none:
/// `cache` → `CACHE_PASSWORD` (the name compose's `.env` uses too).
pub fn implied_password_env(resource: &str) -> String {
    format!("{}_PASSWORD", resource.to_ascii_uppercase().replace('-', "_"))
}

/// A service, resolved for one environment.
#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub image: Image,
    pub build: Option<Build>,
    pub command: Option<Vec<String>>,
    pub ports: BTreeMap<String, u16>,
    pub health: Option<Health>,
    pub env: BTreeMap<String, EnvValue>,
    pub secrets: BTreeMap<String, SecretEnv>,
    /// Resources it connects to (declared and implied by placeholders).
    pub uses: BTreeSet<String>,
    /// Services it connects to (declared and implied by placeholders).
    pub calls: BTreeSet<String>,
    /// Services and jobs that call this one (the reverse of `calls`).
    pub called_by: BTreeSet<String>,
    /// Services that must be up before this one starts (compose orders start-up by it).
    pub after: BTreeSet<String>,
    /// What it reaches outside the platform, sorted.
    pub egress: Vec<Egress>,
    pub compute: Compute,
    pub replicas: u32,
    pub autoscale: Option<Autoscale>,
    pub ingress: Option<Ingress>,
    pub metrics: Option<Metrics>,
    pub security: Security,
    pub volumes: BTreeMap<String, Volume>,
    /// Mounted files: container path → content.
    pub files: BTreeMap<String, String>,
    pub migrate: Option<Vec<String>>,
    pub strategy: Strategy,
    /// Its alerts (`None`: alerting is off in the environment or for the service).
    pub alerts: Option<ServiceAlerts>,
    /// Where the service is defined.
    pub origin: Span,
    /// Where each resolved field came from, by field path (`replicas`, `env.LOG_LEVEL`, ...).
    pub origins: Origins,
}

impl Service {
    /// The served port (`ports.http`), if any.
    pub fn http_port(&self) -> Option<u16> {
        self.ports.get("http").copied()
    }
}

/// A scheduled job, resolved for one environment.
#[derive(Clone, Debug)]
pub struct Job {
    pub name: String,
    pub image: Image,
    pub build: Option<Build>,
    pub command: Option<Vec<String>>,
    pub env: BTreeMap<String, EnvValue>,
    pub secrets: BTreeMap<String, SecretEnv>,
    pub uses: BTreeSet<String>,
    pub calls: BTreeSet<String>,
    /// What it reaches outside the platform, sorted.
    pub egress: Vec<Egress>,
    pub compute: Compute,
    pub security: Security,
    pub volumes: BTreeMap<String, Volume>,
    pub files: BTreeMap<String, String>,
    pub schedule: Cron,
    pub timeout: Option<Duration>,
    pub retries: u32,
    pub concurrency: Concurrency,
    pub origin: Span,
    pub origins: Origins,
}

/// A database or cache, with the connection values for targets that do not provision it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    pub kind: ResourceKind,
    pub version: String,
    pub size: Size,
    pub storage: Memory,
    pub backup_days: u32,
    /// Where `backup_days` is written (`None`: the built-in 7 days).
    pub backup_days_span: Option<Span>,
    /// When the daily backup starts (UTC).
    pub backup_time: BackupTime,
    /// Copies of the backups in a second region, and where that is asked.
    pub backup_copy: Option<Span>,
    /// Database name (`database:`, default: the resource name with '-' → '_').
    pub database: String,
    pub allow_azure_services: bool,
    /// Pinned by the environment (helm, ecs); `None` when not pinned.
    pub host: Option<String>,
    pub port: u16,
    pub user: String,
    /// Pinned by the environment (helm, ecs): clients must connect with TLS.
    pub tls: bool,
    /// The exact image the compose target runs, when the model names one.
    pub image: Option<String>,
    pub auth: Auth,
    /// Its alerts (`None`: alerting is off in the environment or for the resource).
    pub alerts: Option<ResourceAlerts>,
    pub origin: Span,
}

/// A declared secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    pub name: String,
    pub description: Option<String>,
}

/// Target options, with an environment's `targets_config` applied.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetConfig {
    pub compose: Option<ComposeOptions>,
    pub helm: Option<HelmOptions>,
    pub aws: Option<AwsOptions>,
    pub azure: Option<AzureOptions>,
    pub ecs: Option<EcsOptions>,
}

/// Options of the compose target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComposeOptions {
    pub gateway: Option<Gateway>,
    /// Host port per service, where it is not the service's own http port.
    pub publish: BTreeMap<String, u16>,
    pub monitoring: bool,
    pub templates: BTreeMap<String, String>,
}

/// The compose gateway (nginx), with an environment's `targets_config` applied field by field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gateway {
    pub expose: Expose,
    /// Certificate and key files on the Docker host (project-relative or absolute); `None`: plain HTTP.
    pub tls: Option<GatewayTls>,
    pub cache_static: Option<Duration>,
    pub cache_get: Option<Duration>,
    pub csp: String,
    /// Where the gateway is configured (the environment's `targets_config` when it sets it).
    pub span: Span,
}

/// The gateway's certificate chain and private key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayTls {
    pub certificate: String,
    pub key: String,
}

/// The Content-Security-Policy the gateway sends when the model sets none: same-origin content only,
/// no plugins, no framing by other sites.
pub const DEFAULT_CSP: &str = "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/// Options of the helm target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelmOptions {
    pub namespace: Option<String>,
    pub ingress_class: String,
    pub cluster_issuer: Option<String>,
    pub external_secrets: bool,
    pub secret_store: String,
    pub ingress_namespace: String,
    pub monitoring_namespace: String,
    /// Address ranges inside the platform: egress to external hosts by name excludes them.
    pub internal_cidrs: Vec<String>,
    /// The Service port of `http` (None: the container port).
    pub service_port: Option<u16>,
    pub app_labels: bool,
    /// One Secret `<service>-secrets` per service instead of one per model secret.
    pub per_service_secrets: bool,
    pub templates: BTreeMap<String, String>,
    /// Where `targets.helm.templates` is written.
    pub templates_span: Option<Span>,
}

/// Options of the aws target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwsOptions {
    pub region: String,
    pub account_id: String,
    pub state_bucket: String,
    pub state_lock_table: Option<String>,
    pub certificate_arn: Option<String>,
    /// An existing VPC (`targets.aws.vpc`) instead of a new one.
    pub vpc: Option<crate::model::AwsVpc>,
    pub single_nat_gateway: bool,
    /// The region that keeps a copy of the databases' backups (`targets.aws.backup_region`), and
    /// where it is written.
    pub backup_region: Option<String>,
    pub backup_region_span: Option<Span>,
    /// Deletion protection and Multi-AZ (default: the environment's stage is production).
    pub protect: bool,
    pub templates: BTreeMap<String, String>,
}

/// Options of the azure target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AzureOptions {
    pub location: String,
    pub plan_sku: String,
    /// Where `plan_sku` was set (the environment's `targets_config` or `targets.azure`); `None`: the default.
    pub plan_sku_span: Option<Span>,
    pub state_resource_group: String,
    pub state_storage_account: String,
    pub state_container: String,
    pub templates: BTreeMap<String, String>,
}

/// Options of the ecs target (it shares region and account with aws).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EcsOptions {
    pub region: String,
    pub account_id: String,
    /// Subnets and security groups of scheduled jobs' tasks (empty: not configured).
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// Where each workload's persistent volumes live on EFS (`targets.ecs.volumes`, an environment's
    /// entry replacing the project's for the same workload), with where it is written.
    pub volumes: BTreeMap<String, (crate::model::EfsPin, Span)>,
}
