//! `module "alerts"`: the environment's SNS topic (encrypted with its key), the model's
//! notification endpoints, and CloudWatch alarms per service and per database or cache, with the
//! model's thresholds after every layer (`ir::ServiceAlerts`, `ir::ResourceAlerts`). The alarms
//! themselves are written once, in `modules/aws/alerts`; the root passes the thresholds.

use crate::ir::{Resource, ResourceKind, Service, Size};
use crate::model::quantity::{Duration, Percent, decimal};
use crate::targets::aws::Environment;
use crate::targets::aws::foundation::{KMS, module, project_environment};
use crate::targets::aws::names::Kind;
use crate::targets::hcl::{Block, Body, Expr};

use crate::targets::webhook::VARIABLE as WEBHOOK_VARIABLE;

/// `module "alerts"`, after a blank line, when alerting is on in the environment.
pub fn block(environment: &Environment<'_>, file: &mut Body) {
    let stack = environment.stack;
    let Some(alerting) = &stack.alerting else { return };
    let mut body = module("alerts");
    project_environment(&mut body);
    body.attribute("kms_key_arn", Expr::raw(KMS));
    if let Some(email) = &alerting.notify.email {
        body.attribute("email", Expr::string(email));
    }
    if alerting.notify.webhook.is_some() {
        body.attribute("webhook_url", Expr::raw(format!("var.{WEBHOOK_VARIABLE}")));
    }

    let services: Vec<(String, Expr)> =
        stack.services.values().filter_map(|service| self::service(environment, service)).collect();
    if !services.is_empty() {
        body.attribute("cluster_name", Expr::raw("module.cluster.name"));
        if stack.services.values().any(|service| service.alerts.is_some() && public(service)) {
            body.attribute("load_balancer_arn_suffix", Expr::raw("module.load_balancer.arn_suffix"));
        }
        body.attribute("services", Expr::map(services));
    }
    let used = || environment.resource_users.keys().filter_map(|name| stack.resources.get(name));
    let databases: Vec<(String, Expr)> =
        used().filter(|r| r.kind != ResourceKind::Redis).filter_map(|r| database(environment, r)).collect();
    if !databases.is_empty() {
        body.attribute("databases", Expr::map(databases));
    }
    let caches: Vec<(String, Expr)> =
        used().filter(|r| r.kind == ResourceKind::Redis).filter_map(|r| cache(environment, r)).collect();
    if !caches.is_empty() {
        body.attribute("caches", Expr::map(caches));
    }
    file.blank().comment("Alerts.");
    file.blank().block(Block::labelled("module", "alerts", body));
}

/// Whether `service` is behind the load balancer (so it has a target group).
fn public(service: &Service) -> bool {
    service.ingress.is_some() && service.http_port().is_some()
}

/// Whole minutes of one-minute periods a condition must hold (at least one).
fn minutes(pending: Duration) -> Expr {
    Expr::raw(pending.secs_ceil().div_ceil(60).max(1).to_string())
}

fn percent(value: Option<Percent>) -> Option<Expr> {
    value.map(|p| Expr::raw(p.number()))
}

/// `threshold` × (1 − `percent`): the floor below which a "used above `percent`" alarm fires, for
/// metrics CloudWatch reports as what is free.
fn free_floor(total: u64, used: Percent) -> Expr {
    let free = 10_000 - u64::from(used.hundredths.min(10_000));
    Expr::raw((total * free / 10_000).to_string())
}

fn entries(pairs: Vec<(&str, Option<Expr>)>) -> Expr {
    Expr::object(pairs.into_iter().filter_map(|(key, value)| value.map(|value| (key.to_string(), value))))
}

fn service(environment: &Environment<'_>, service: &Service) -> Option<(String, Expr)> {
    let alerts = service.alerts.as_ref()?;
    environment.sizes.get(&service.name)?;
    let label = environment.label(Kind::Service, &service.name);
    let desired = service.autoscale.as_ref().map_or(service.replicas, |autoscale| autoscale.min);
    let behind = public(service);
    let value = entries(vec![
        ("service_name", Some(Expr::raw(format!("module.{label}.name")))),
        ("desired_count", Some(Expr::raw(desired.to_string()))),
        ("minutes", Some(minutes(alerts.pending))),
        ("cpu", percent(alerts.cpu)),
        ("memory", percent(alerts.memory)),
        ("load_balanced", behind.then(|| Expr::raw("true"))),
        ("target_group_arn_suffix", behind.then(|| Expr::raw(format!("module.{label}.target_group_arn_suffix")))),
        ("error_rate", if behind { percent(alerts.error_rate) } else { None }),
        ("latency", alerts.latency.filter(|_| behind).map(|latency| Expr::raw(decimal(latency.millis, 3)))),
    ]);
    Some((service.name.clone(), value))
}

const GIB: u64 = 1 << 30;

/// Memory of the instance class the database modules choose for a size, in GiB (their
/// `instance_classes`: db.t4g.medium, db.m7g.large, db.r7g.xlarge; SQL Server db.t3.small,
/// db.m6i.xlarge, db.r6i.2xlarge).
fn class_memory_gib(kind: ResourceKind, size: Size) -> u64 {
    match (kind, size) {
        (ResourceKind::Mssql, Size::Small) => 2,
        (ResourceKind::Mssql, Size::Medium) => 16,
        (ResourceKind::Mssql, Size::Large) => 64,
        (_, Size::Small) => 4,
        (_, Size::Medium) => 8,
        (_, Size::Large) => 32,
    }
}

/// The engine's default `max_connections` on RDS, from the class's memory: PostgreSQL
/// `LEAST(DBInstanceClassMemory/9531392, 5000)`, MySQL `DBInstanceClassMemory/12582880`; SQL Server
/// has no limit by default (32767), so no share of it means anything.
fn max_connections(kind: ResourceKind, size: Size) -> Option<u64> {
    let memory = class_memory_gib(kind, size) * GIB;
    match kind {
        ResourceKind::Postgres => Some((memory / 9_531_392).min(5000)),
        ResourceKind::Mysql => Some(memory / 12_582_880),
        ResourceKind::Mssql | ResourceKind::Redis => None,
    }
}

fn database(environment: &Environment<'_>, resource: &Resource) -> Option<(String, Expr)> {
    let alerts = resource.alerts.as_ref()?;
    let label = environment.label(Kind::Resource, &resource.name);
    let memory = class_memory_gib(resource.kind, resource.size) * GIB;
    let storage = u64::from(crate::targets::aws::sizing::storage_gib(resource)) * GIB;
    let connections = max_connections(resource.kind, resource.size)
        .zip(alerts.connections)
        .map(|(max, share)| Expr::raw((max * u64::from(share.hundredths) / 10_000).max(1).to_string()));
    let value = entries(vec![
        ("identifier", Some(Expr::raw(format!("module.{label}.identifier")))),
        ("minutes", Some(minutes(alerts.pending))),
        ("cpu", percent(alerts.cpu)),
        ("free_memory_bytes", alerts.memory.map(|used| free_floor(memory, used))),
        ("free_storage_bytes", alerts.storage.map(|used| free_floor(storage, used))),
        ("connections", connections),
    ]);
    Some((resource.name.clone(), value))
}

fn cache(environment: &Environment<'_>, resource: &Resource) -> Option<(String, Expr)> {
    let alerts = resource.alerts.as_ref()?;
    let label = environment.label(Kind::Resource, &resource.name);
    let nodes = if environment.aws.protect { 2 } else { 1 };
    let value = entries(vec![
        ("replication_group_id", Some(Expr::raw(format!("module.{label}.replication_group_id")))),
        ("nodes", Some(Expr::raw(nodes.to_string()))),
        ("minutes", Some(minutes(alerts.pending))),
        ("cpu", percent(alerts.cpu)),
        ("memory", percent(alerts.memory)),
    ]);
    Some((resource.name.clone(), value))
}

/// `variable "alerts_webhook_url"` when the model sends alerts to a webhook.
pub fn webhook_variable(environment: &Environment<'_>) -> Option<Block> {
    crate::targets::webhook::variable(environment.stack, "the alerts topic")
}
