//! The typed model: what `iacgen.yaml` (and `services/*.yaml`, `environments/*.yaml`) say, with spans.
//!
//! Every service field is optional here, because one type serves every layer (project defaults,
//! environment defaults, the service itself, an environment's override); `resolve` merges the layers.

pub mod cron;

pub mod egress;
pub mod image;
pub mod placeholder;
pub mod quantity;

use std::collections::BTreeMap;

use crate::model::cron::Cron;
use crate::model::egress::Egress;
use crate::model::image::{ImagePin, ImageRef};
use crate::model::placeholder::Template;
use crate::model::quantity::{Cpu, Duration, Memory, Percent, RateLimit};
use crate::shared::Target;
use crate::shared::span::{Span, Spanned};

/// A name and where it was written (the key of a map, or a file stem).
pub type Name = Spanned<String>;

/// The whole model of a project.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub version: Option<Spanned<u32>>,
    pub project: Option<Name>,
    pub registry: Option<Spanned<String>>,
    pub tags: BTreeMap<String, Spanned<String>>,
    pub defaults: ServiceSpec,
    pub services: BTreeMap<String, ServiceDef>,
    pub resources: BTreeMap<String, ResourceDef>,
    pub secrets: BTreeMap<String, SecretDef>,
    pub jobs: BTreeMap<String, JobDef>,
    pub environments: BTreeMap<String, EnvironmentDef>,
    pub targets: TargetsConfig,
    /// `alerts:`: alerting on, where notifications go, and the thresholds every service and
    /// resource gets.
    pub alerts: Option<AlertsSpec>,
    pub output: Option<Spanned<String>>,
    pub patches: Vec<Patch>,
    /// Span of the whole root mapping of iacgen.yaml.
    pub span: Span,
}

/// A service and its definition.
#[derive(Clone, Debug)]
pub struct ServiceDef {
    pub name: Name,
    pub spec: ServiceSpec,
}

/// One layer of a service's fields. Every field is optional; maps merge key by key across layers.
#[derive(Clone, Debug, Default)]
pub struct ServiceSpec {
    pub image: Option<Spanned<ImageRef>>,
    pub version: Option<Spanned<ImagePin>>,
    pub build: Option<Spanned<Build>>,
    pub command: Option<Spanned<Vec<String>>>,
    pub ports: Option<Spanned<BTreeMap<String, Spanned<u16>>>>,
    pub port: Option<Spanned<u16>>,
    pub health: Option<HealthSpec>,
    pub env: BTreeMap<String, Spanned<Template>>,
    pub secrets: BTreeMap<String, Spanned<SecretRef>>,
    pub uses: Option<Spanned<Vec<Name>>>,
    pub calls: Option<Spanned<Vec<Name>>>,
    /// Services that must have started (healthy, when they have a health check) before this one
    /// starts, where the target orders start-up (compose).
    pub after: Option<Spanned<Vec<Name>>>,
    /// What it reaches outside the platform (`host:port`); the last layer's list wins.
    pub egress: Option<Spanned<Vec<Spanned<Egress>>>>,
    pub resources: Option<ComputeSpec>,
    pub replicas: Option<Spanned<u32>>,
    pub autoscale: Option<Spanned<Option<AutoscaleSpec>>>,
    pub ingress: Option<Spanned<Option<IngressSpec>>>,
    pub metrics: Option<Spanned<Option<MetricsSpec>>>,
    pub security: Option<SecuritySpec>,
    pub volumes: BTreeMap<String, Spanned<Volume>>,
    pub files: BTreeMap<String, Spanned<FileSource>>,
    pub migrate: Option<Spanned<Option<Migrate>>>,
    pub strategy: Option<Spanned<Strategy>>,
    /// The service's alert thresholds and extra rules (merged field by field across layers).
    pub alerts: Option<AlertsSpec>,
    pub waivers: BTreeMap<String, Waiver>,
    /// Job-only fields (set only on `jobs:` entries).
    pub schedule: Option<Spanned<Cron>>,
    pub timeout: Option<Spanned<Duration>>,
    pub retries: Option<Spanned<u32>>,
    pub concurrency: Option<Spanned<Concurrency>>,
    /// Span of the mapping this layer was read from.
    pub span: Span,
}

/// `build:` for compose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    pub context: String,
    pub dockerfile: Option<String>,
    pub target: Option<String>,
    /// Build arguments (`ARG` values), name → value.
    pub args: BTreeMap<String, String>,
}

/// One layer of `health:`.
#[derive(Clone, Debug, Default)]
pub struct HealthSpec {
    pub path: Option<Spanned<String>>,
    pub ready: Option<Spanned<String>>,
    pub command: Option<Spanned<Vec<String>>>,
    pub interval: Option<Spanned<Duration>>,
    pub timeout: Option<Spanned<Duration>>,
    pub retries: Option<Spanned<u32>>,
    pub start_period: Option<Spanned<Duration>>,
    /// Which tool the image has for an HTTP check run inside the container (compose, ecs, aws).
    pub probe: Option<Spanned<Probe>>,
    /// Readiness timings where the platform probes readiness apart from liveness (Kubernetes).
    pub readiness: Option<ReadinessSpec>,
    pub span: Span,
}

/// `health.readiness`: timings of the readiness probe; each defaults to the liveness value.
#[derive(Clone, Debug, Default)]
pub struct ReadinessSpec {
    pub interval: Option<Spanned<Duration>>,
    pub timeout: Option<Spanned<Duration>>,
    pub retries: Option<Spanned<u32>>,
    pub start_period: Option<Spanned<Duration>>,
    pub span: Span,
}

/// The tool an HTTP health check runs inside the container (`health.probe`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Probe {
    /// curl, else wget, else python3 (through /bin/sh): whichever the image has.
    Auto,
    Curl,
    Wget,
    /// python3's urllib (no shell needed): python images without curl or wget.
    Python,
    /// No check inside the container (the image has none of these tools); platform probes stay.
    None,
}

impl Probe {
    /// The model spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Probe::Auto => "auto",
            Probe::Curl => "curl",
            Probe::Wget => "wget",
            Probe::Python => "python",
            Probe::None => "none",
        }
    }
}

/// A service's reference to a secret: a declared one, or a resource's credential.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecretRef {
    Declared(String),
    ResourcePassword(String),
}

/// One layer of `resources:` (compute).
#[derive(Clone, Debug, Default)]
pub struct ComputeSpec {
    pub cpu: Option<Spanned<Cpu>>,
    pub memory: Option<Spanned<Memory>>,
    pub cpu_limit: Option<Spanned<Cpu>>,
    pub memory_limit: Option<Spanned<Memory>>,
    pub span: Span,
}

/// `autoscale:` (the whole block replaces an inherited one; `null` removes it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoscaleSpec {
    pub min: Spanned<u32>,
    pub max: Spanned<u32>,
    pub cpu: Option<Spanned<u32>>,
    pub memory: Option<Spanned<u32>>,
}

/// `ingress:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngressSpec {
    /// Absent: the route matches any host (path only).
    pub host: Option<Spanned<String>>,
    pub path: Spanned<String>,
    pub tls: Spanned<bool>,
    pub rate_limit: Option<Spanned<RateLimit>>,
    /// The backend sees paths without the route's prefix (`/api/v1/auth/login` → `/login`).
    pub strip_prefix: Option<Spanned<bool>>,
}

/// `metrics:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsSpec {
    pub port: Spanned<String>,
    pub path: Spanned<String>,
}

/// One layer of `security:`.
#[derive(Clone, Debug, Default)]
pub struct SecuritySpec {
    pub user: Option<Spanned<u32>>,
    pub group: Option<Spanned<u32>>,
    pub read_only_root: Option<Spanned<bool>>,
    /// Linux capabilities kept after every other one is dropped (`[NET_BIND_SERVICE]`).
    pub capabilities: Option<Spanned<Vec<String>>>,
    pub span: Span,
}

/// A volume: scratch (empty, per container) or persistent (kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Volume {
    Scratch,
    Persistent(Memory),
}

/// A mounted file's content: read from a path relative to the model, or inline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileSource {
    /// `source:` path as written, and the content the loader read.
    Source {
        path: String,
        content: String,
    },
    Content(String),
}

/// `migrate:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migrate {
    pub command: Vec<String>,
}

/// How a new version replaces the old one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strategy {
    Rolling,
    BlueGreen,
}

/// A job's concurrency policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Concurrency {
    Allow,
    Forbid,
    Replace,
}

/// `waivers: { IAC104: reason }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub code: Spanned<String>,
    pub reason: Spanned<String>,
}

/// A database or cache.
#[derive(Clone, Debug)]
pub struct ResourceDef {
    pub name: Name,
    pub kind: Spanned<ResourceKind>,
    pub version: Option<Spanned<String>>,
    pub size: Option<Spanned<Size>>,
    pub storage: Option<Spanned<Memory>>,
    pub backup_days: Option<Spanned<u32>>,
    pub database: Option<Spanned<String>>,
    /// Azure SQL only: admit all Azure services through the server firewall (the Pact seed does).
    pub allow_azure_services: Option<Spanned<bool>>,
    /// The container image the compose target runs (default: the official image at `version`).
    pub image: Option<Spanned<ImageRef>>,
    /// `none`: no password (development only; what a compose file without one ran).
    pub auth: Option<Spanned<Auth>>,
    /// When the daily backup starts (`HH:MM`, UTC).
    pub backup_time: Option<Spanned<BackupTime>>,
    /// Keep a copy of every backup in a second region.
    pub backup_copy: Option<Spanned<bool>>,
    /// The resource's alert thresholds (storage, connections, cpu, memory).
    pub alerts: Option<AlertsSpec>,
    pub span: Span,
}

/// A time of day in UTC, `HH:MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BackupTime {
    pub hour: u8,
    pub minute: u8,
}

impl BackupTime {
    /// When the daily backup starts unless `backup_time` says: 02:00 UTC (the SoftFactory seed's time).
    pub const DEFAULT: BackupTime = BackupTime { hour: 2, minute: 0 };

    /// Parse `02:00`.
    pub fn parse(text: &str) -> Result<BackupTime, String> {
        let error = || format!("invalid time `{text}`: write the time of day in UTC as HH:MM, such as 02:00");
        let (hour, minute) = text.trim().split_once(':').ok_or_else(error)?;
        if hour.len() != 2 || minute.len() != 2 {
            return Err(error());
        }
        let hour: u8 = hour.parse().map_err(|_| error())?;
        let minute: u8 = minute.parse().map_err(|_| error())?;
        if hour > 23 || minute > 59 {
            return Err(error());
        }
        Ok(BackupTime { hour, minute })
    }

    /// Seconds after midnight.
    pub fn seconds(self) -> u32 {
        u32::from(self.hour) * 3600 + u32::from(self.minute) * 60
    }

    /// This time plus `minutes`, wrapping at midnight.
    pub fn plus_minutes(self, minutes: u32) -> BackupTime {
        let total = (self.seconds() / 60 + minutes) % (24 * 60);
        BackupTime { hour: (total / 60) as u8, minute: (total % 60) as u8 }
    }
}

impl std::fmt::Display for BackupTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// `alerts:`, at the top level and in an environment (every field optional, so an environment's
/// block overrides the project's field by field), in a service layer, or on a resource. A
/// threshold of `false` turns that one alert off.
#[derive(Clone, Debug, Default)]
pub struct AlertsSpec {
    /// `alerts: false` (or `enabled: false`) turns alerting off where it is written.
    pub enabled: Option<Spanned<bool>>,
    /// Where notifications go (top level and environments).
    pub notify: Option<Spanned<Notify>>,
    /// How long a condition must hold before its alert fires (`for`).
    pub pending: Option<Spanned<Duration>>,
    /// Share of HTTP requests answered with a 5xx.
    pub error_rate: Option<Spanned<Option<Percent>>>,
    /// 95th percentile response time.
    pub latency: Option<Spanned<Option<Duration>>>,
    /// CPU use, of the limit (services) or of the instance (databases).
    pub cpu: Option<Spanned<Option<Percent>>>,
    /// Memory use, of the limit.
    pub memory: Option<Spanned<Option<Percent>>>,
    /// Restarts (or replaced unhealthy tasks) within 15 minutes.
    pub restarts: Option<Spanned<Option<u32>>>,
    /// Databases: storage used, of the allocated storage.
    pub storage: Option<Spanned<Option<Percent>>>,
    /// Databases: connections, of the maximum the engine accepts.
    pub connections: Option<Spanned<Option<Percent>>>,
    /// The names of the HTTP metrics a service exports (for error rate and latency on Prometheus).
    pub http: Option<HttpMetricsSpec>,
    /// Extra alert rules.
    pub rules: Option<Spanned<Vec<AlertRule>>>,
    pub span: Span,
}

/// `alerts.http`: the Prometheus metric names a service's HTTP instrumentation exports.
#[derive(Clone, Debug, Default)]
pub struct HttpMetricsSpec {
    /// Counter of requests (default `http_requests_total`).
    pub requests: Option<Spanned<String>>,
    /// Histogram of request durations in seconds, without `_bucket` (default `http_request_duration_seconds`).
    pub duration: Option<Spanned<String>>,
    /// The label holding the status code (default `status`).
    pub status: Option<Spanned<String>>,
    pub span: Span,
}

/// `alerts.notify`: where alerts are sent. Never a secret value: a webhook URL lives in a declared
/// secret, named here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notify {
    pub email: Option<Spanned<String>>,
    /// A declared secret holding an HTTPS URL that receives the platform's alert payload.
    pub webhook: Option<Spanned<String>>,
    /// The mail relay the compose Alertmanager sends email through.
    pub smtp: Option<Spanned<Smtp>>,
}

/// `alerts.notify.smtp`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Smtp {
    /// `host:port`.
    pub host: String,
    pub from: String,
    pub user: Option<String>,
    /// A declared secret holding the relay's password.
    pub password: Option<Spanned<String>>,
}

/// One extra alert rule: a PromQL expression (the Prometheus targets: helm, compose).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertRule {
    pub name: Spanned<String>,
    pub expr: Spanned<String>,
    pub pending: Option<Spanned<Duration>>,
    pub severity: Option<Spanned<AlertSeverity>>,
    pub summary: Option<Spanned<String>>,
    pub span: Span,
}

/// How urgent an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertSeverity {
    Critical,
    Warning,
    Info,
}

impl AlertSeverity {
    /// The model spelling (and the `severity` label).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Critical => "critical",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Info => "info",
        }
    }
}

/// How clients authenticate to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Auth {
    /// A generated password (`<resource>.password`): the default.
    Password,
    /// None at all: development only.
    None,
}

/// What a resource is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    Postgres,
    Mysql,
    Mssql,
    Redis,
}

impl ResourceKind {
    /// The model spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Postgres => "postgres",
            ResourceKind::Mysql => "mysql",
            ResourceKind::Mssql => "mssql",
            ResourceKind::Redis => "redis",
        }
    }

    /// The kind's standard port.
    pub fn default_port(self) -> u16 {
        match self {
            ResourceKind::Postgres => 5432,
            ResourceKind::Mysql => 3306,
            ResourceKind::Mssql => 1433,
            ResourceKind::Redis => 6379,
        }
    }

    /// The documented default user for targets that do not provision the resource.
    pub fn default_user(self) -> &'static str {
        match self {
            ResourceKind::Postgres => "postgres",
            ResourceKind::Mysql => "root",
            ResourceKind::Mssql => "sa",
            ResourceKind::Redis => "default",
        }
    }

    /// The default major version.
    pub fn default_version(self) -> &'static str {
        match self {
            ResourceKind::Postgres => "16",
            ResourceKind::Mysql => "8.0",
            ResourceKind::Mssql => "2022",
            ResourceKind::Redis => "7",
        }
    }

    /// Whether it is a database (has a `name` output).
    pub fn is_database(self) -> bool {
        self != ResourceKind::Redis
    }
}

/// small | medium | large.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Size {
    Small,
    Medium,
    Large,
}

impl Size {
    /// The model spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
}

/// A secret (names only).
#[derive(Clone, Debug)]
pub struct SecretDef {
    pub name: Name,
    pub description: Option<Spanned<String>>,
}

/// A scheduled job: service fields that make sense for a run to completion, plus a schedule.
#[derive(Clone, Debug)]
pub struct JobDef {
    pub name: Name,
    pub spec: ServiceSpec,
}

/// An environment.
#[derive(Clone, Debug, Default)]
pub struct EnvironmentDef {
    pub name: Name,
    pub targets: Option<Spanned<Vec<Spanned<Target>>>>,
    /// development | staging | production; by default derived from the name.
    pub stage: Option<Spanned<Stage>>,
    pub defaults: ServiceSpec,
    pub services: BTreeMap<String, (Name, ServiceSpec)>,
    pub jobs: BTreeMap<String, (Name, ServiceSpec)>,
    pub resources: BTreeMap<String, ResourcePin>,
    pub targets_config: TargetsConfig,
    /// The environment's `alerts:` over the project's (field by field; `false` turns alerting off).
    pub alerts: Option<AlertsSpec>,
    pub span: Span,
}

/// What kind of environment it is, for the rules that depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Development,
    Staging,
    Production,
}

impl Stage {
    /// The stage implied by an environment's name: dev/development/local, prod/production, else staging.
    pub fn from_name(name: &str) -> Stage {
        match name {
            "dev" | "development" | "local" => Stage::Development,
            "prod" | "production" | "prd" | "live" => Stage::Production,
            _ => Stage::Staging,
        }
    }

    /// The model spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Development => "development",
            Stage::Staging => "staging",
            Stage::Production => "production",
        }
    }
}

/// `environments.<env>.resources.<r>`: values pinned for targets that do not provision resources.
#[derive(Clone, Debug, Default)]
pub struct ResourcePin {
    pub name_span: Span,
    pub host: Option<Spanned<String>>,
    pub port: Option<Spanned<u16>>,
    pub name: Option<Spanned<String>>,
    pub user: Option<Spanned<String>>,
    /// Whether clients must connect with TLS (what the existing server demands).
    pub tls: Option<Spanned<bool>>,
}

/// `targets:` (and an environment's `targets_config:` overrides, where every field is optional too).
#[derive(Clone, Debug, Default)]
pub struct TargetsConfig {
    pub compose: Option<ComposeConfig>,
    pub helm: Option<HelmConfig>,
    pub aws: Option<AwsConfig>,
    pub azure: Option<AzureConfig>,
    pub ecs: Option<EcsConfig>,
}

impl TargetsConfig {
    /// Where a target is configured, if it is.
    pub fn span_of(&self, target: Target) -> Option<Span> {
        match target {
            Target::Compose => self.compose.as_ref().map(|c| c.span),
            Target::Helm => self.helm.as_ref().map(|c| c.span),
            Target::Aws => self.aws.as_ref().map(|c| c.span),
            Target::Azure => self.azure.as_ref().map(|c| c.span),
            Target::Ecs => self.ecs.as_ref().map(|c| c.span),
        }
    }
}

/// `targets.compose`.
#[derive(Clone, Debug, Default)]
pub struct ComposeConfig {
    /// `gateway: nginx`, or its options (the map form implies nginx).
    pub gateway: Option<Spanned<GatewayConfig>>,
    /// Host port per service (its http port is published there instead of at its own number).
    pub publish: BTreeMap<String, Spanned<u16>>,
    pub monitoring: Option<Spanned<String>>,
    pub templates: Option<Spanned<TemplateDir>>,
    pub span: Span,
}

/// `targets.compose.gateway` options; every field is optional so that an environment's
/// `targets_config.compose.gateway` overrides field by field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GatewayConfig {
    /// `local` (127.0.0.1 only) or `server` (ports 80 and 443 on every interface).
    pub expose: Option<Spanned<Expose>>,
    /// `tls: { certificate, key }`: files on the Docker host, mounted read-only into nginx.
    pub certificate: Option<Spanned<String>>,
    pub certificate_key: Option<Spanned<String>>,
    /// Where `tls` is written.
    pub tls_span: Option<Span>,
    /// `cache.static`: how long static files (by extension) are cached at the gateway and by browsers.
    pub cache_static: Option<Spanned<Duration>>,
    /// `cache.get`: how long other GET/HEAD responses without credentials are cached at the gateway.
    pub cache_get: Option<Spanned<Duration>>,
    /// `csp`: the Content-Security-Policy header.
    pub csp: Option<Spanned<String>>,
}

/// Where the compose gateway listens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Expose {
    /// 127.0.0.1 only: a laptop.
    Local,
    /// Every interface, ports 80 and 443: a server facing the internet.
    Server,
}

/// `targets.helm`.
#[derive(Clone, Debug, Default)]
pub struct HelmConfig {
    pub namespace: Option<Spanned<String>>,
    pub ingress_class: Option<Spanned<String>>,
    pub cluster_issuer: Option<Spanned<String>>,
    pub secrets: Option<Spanned<String>>,
    /// The ClusterSecretStore for `secrets: external-secrets`.
    pub secret_store: Option<Spanned<String>>,
    pub ingress_namespace: Option<Spanned<String>>,
    pub monitoring_namespace: Option<Spanned<String>>,
    /// Address ranges inside the platform (pods, services, nodes, private networks): egress to a
    /// host outside it, matched by port, excludes them.
    pub internal_cidrs: Option<Spanned<Vec<String>>>,
    /// The Service port in front of every service's `http` container port (default: the same number).
    pub service_port: Option<Spanned<u16>>,
    /// The `app: <name>` and `version: <tag>` labels beside the standard ones.
    pub app_labels: Option<Spanned<bool>>,
    /// `per-secret` (Secret `<secret>`, key `value`) or `per-service` (Secret `<service>-secrets`,
    /// key = the env var in lower kebab case).
    pub secret_names: Option<Spanned<String>>,
    pub templates: Option<Spanned<TemplateDir>>,
    pub span: Span,
}

/// `targets.aws`.
#[derive(Clone, Debug, Default)]
pub struct AwsConfig {
    pub region: Option<Spanned<String>>,
    pub account_id: Option<Spanned<String>>,
    pub state_bucket: Option<Spanned<String>>,
    pub state_lock_table: Option<Spanned<String>>,
    pub certificate_arn: Option<Spanned<String>>,
    /// An existing VPC instead of a new one (`vpc: { id, public_subnets, private_subnets }`).
    pub vpc: Option<Spanned<AwsVpc>>,
    /// One NAT gateway for both private subnets instead of one per availability zone.
    pub single_nat_gateway: Option<Spanned<bool>>,
    /// The region that keeps a copy of the databases' backups (`backup_copy`).
    pub backup_region: Option<Spanned<String>>,
    /// Deletion protection and Multi-AZ; by default only in production-stage environments.
    pub protect: Option<Spanned<bool>>,
    pub templates: Option<Spanned<TemplateDir>>,
    pub span: Span,
}

/// `targets.aws.vpc`: an existing VPC and its subnets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwsVpc {
    pub id: String,
    pub public_subnets: Vec<String>,
    pub private_subnets: Vec<String>,
}

/// `targets.azure`.
#[derive(Clone, Debug, Default)]
pub struct AzureConfig {
    pub location: Option<Spanned<String>>,
    pub plan_sku: Option<Spanned<String>>,
    pub state_resource_group: Option<Spanned<String>>,
    pub state_storage_account: Option<Spanned<String>>,
    pub state_container: Option<Spanned<String>>,
    pub templates: Option<Spanned<TemplateDir>>,
    pub span: Span,
}

/// `targets.ecs`.
#[derive(Clone, Debug, Default)]
pub struct EcsConfig {
    /// Subnets the scheduled jobs' tasks run in (the schedules' network configuration).
    pub subnets: Option<Spanned<Vec<String>>>,
    /// Security groups of the scheduled jobs' tasks.
    pub security_groups: Option<Spanned<Vec<String>>>,
    /// The EFS file system and access points that hold each workload's persistent volumes.
    pub volumes: BTreeMap<String, Spanned<EfsPin>>,
    pub span: Span,
}

/// `targets.ecs.volumes.<service or job>`: where its persistent volumes live on EFS, as the aws
/// target creates them (or as a team provisions them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EfsPin {
    /// `fs-…`.
    pub file_system: String,
    /// Container path → `fsap-…`.
    pub access_points: BTreeMap<String, String>,
}

/// A project's own template folder, read by the loader: relative path → content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateDir {
    pub path: String,
    pub files: BTreeMap<String, String>,
}

/// One entry of `patches:`.
#[derive(Clone, Debug)]
pub struct Patch {
    pub file: Spanned<String>,
    /// Key path → new value (as YAML-ish JSON), in model order.
    pub set: Vec<(Spanned<String>, Spanned<serde_json::Value>)>,
    pub remove: Vec<Spanned<String>>,
    pub span: Span,
}

impl Patch {
    /// One line per operation (`patch <file>: set <path> = <value>`, `patch <file>: remove <path>`),
    /// for `diff`'s semantic summary and `explain`.
    pub fn describe(&self) -> Vec<String> {
        let file = &self.file.value;
        let mut out: Vec<String> = self
            .set
            .iter()
            .map(|(path, value)| format!("patch {file}: set {} = {}", path.value, value.value))
            .collect();
        out.extend(self.remove.iter().map(|path| format!("patch {file}: remove {}", path.value)));
        out
    }
}
