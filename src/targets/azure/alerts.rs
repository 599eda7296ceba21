//! `module "alerts"`: the environment's action group (the model's email and webhook receivers) and
//! Azure Monitor metric alerts per App Service plan, web app, database and cache, with the model's
//! thresholds after every layer. The metrics are named once, in `modules/azure/alerts`.

use crate::ir::{ResourceKind, Service};
use crate::model::quantity::{Duration, Percent, decimal};
use crate::targets::azure::Environment;
use crate::targets::azure::foundation::{module, tags};
use crate::targets::azure::names;
use crate::targets::hcl::{Block, Body, Expr};

use crate::targets::webhook::VARIABLE as WEBHOOK_VARIABLE;

/// The windows Azure Monitor evaluates a metric alert over, in minutes, and how it writes them.
const WINDOWS: [(u64, &str); 8] = [
    (1, "PT1M"),
    (5, "PT5M"),
    (15, "PT15M"),
    (30, "PT30M"),
    (60, "PT1H"),
    (360, "PT6H"),
    (720, "PT12H"),
    (1440, "P1D"),
];

/// The smallest window that covers `pending` (a day at most).
fn window(pending: Duration) -> &'static str {
    let minutes = pending.secs_ceil().div_ceil(60).max(1);
    WINDOWS.iter().find(|(length, _)| *length >= minutes).map_or("P1D", |(_, text)| text)
}

fn percent(value: Option<Percent>) -> Option<Expr> {
    value.map(|p| Expr::raw(p.number()))
}

fn entries(pairs: Vec<(&str, Option<Expr>)>) -> Expr {
    Expr::object(pairs.into_iter().filter_map(|(key, value)| value.map(|value| (key.to_string(), value))))
}

/// `module "alerts"`, followed by a blank line, when alerting is on in the environment.
pub fn block(environment: &Environment<'_>, file: &mut Body) {
    let stack = environment.stack;
    let Some(alerting) = &stack.alerting else { return };
    let name = format!("{}-{}", stack.project, stack.environment);
    let short: String = name.chars().take(12).collect::<String>().trim_end_matches('-').to_string();
    let mut body = module("alerts");
    body.attribute("name", Expr::string(&name))
        .attribute("short_name", Expr::string(&short))
        .attribute("resource_group_name", Expr::raw("module.resource_group.name"));
    if let Some(email) = &alerting.notify.email {
        body.attribute("email", Expr::string(email));
    }
    if alerting.notify.webhook.is_some() {
        body.attribute("webhook_url", Expr::raw(format!("var.{WEBHOOK_VARIABLE}")));
    }
    // One window for the environment: the longest `for` any watched service or resource asks.
    let pending = stack
        .services
        .values()
        .filter_map(|s| s.alerts.as_ref().map(|a| a.pending))
        .chain(stack.resources.values().filter_map(|r| r.alerts.as_ref().map(|a| a.pending)))
        .max();
    if let Some(pending) = pending {
        body.attribute("window", Expr::string(window(pending)));
    }

    let plans = plans(environment);
    if !plans.is_empty() {
        body.attribute("plans", Expr::map(plans));
    }
    let apps: Vec<(String, Expr)> = stack.services.values().filter_map(app).collect();
    if !apps.is_empty() {
        body.attribute("apps", Expr::map(apps));
    }
    let resources = || stack.resources.values().filter_map(|r| r.alerts.as_ref().map(|a| (r, a)));
    let databases: Vec<(String, Expr)> = resources()
        .filter(|(r, _)| r.kind != ResourceKind::Redis)
        .map(|(resource, alerts)| {
            let block = names::block(&resource.name);
            let (id, namespace, memory) = match resource.kind {
                ResourceKind::Postgres => ("id", "Microsoft.DBforPostgreSQL/flexibleServers", alerts.memory),
                ResourceKind::Mysql => ("id", "Microsoft.DBforMySQL/flexibleServers", alerts.memory),
                // Azure SQL reports no memory share of a database.
                _ => ("database_id", "Microsoft.Sql/servers/databases", None),
            };
            let value = entries(vec![
                ("id", Some(Expr::raw(format!("module.{block}.{id}")))),
                ("namespace", Some(Expr::string(namespace))),
                ("cpu", percent(alerts.cpu)),
                ("memory", percent(memory)),
                ("storage", percent(alerts.storage)),
            ]);
            (resource.name.clone(), value)
        })
        .collect();
    if !databases.is_empty() {
        body.attribute("databases", Expr::map(databases));
    }
    let caches: Vec<(String, Expr)> = resources()
        .filter(|(r, _)| r.kind == ResourceKind::Redis)
        .map(|(resource, alerts)| {
            let value = entries(vec![
                ("id", Some(Expr::raw(format!("module.{}.id", names::block(&resource.name))))),
                ("cpu", percent(alerts.cpu)),
                ("memory", percent(alerts.memory)),
            ]);
            (resource.name.clone(), value)
        })
        .collect();
    if !caches.is_empty() {
        body.attribute("caches", Expr::map(caches));
    }
    tags(&mut body);
    file.block(Block::labelled("module", "alerts", body)).blank();
}

/// The plans the watched services run on: the shared plan (CPU and memory: the strictest threshold
/// of its services) and each autoscaled service's own.
fn plans(environment: &Environment<'_>) -> Vec<(String, Expr)> {
    let watched = || environment.stack.services.values().filter_map(|s| s.alerts.as_ref().map(|a| (s, a)));
    let mut out = Vec::new();
    let shared: Vec<_> = watched().filter(|(s, _)| s.autoscale.is_none()).collect();
    if !shared.is_empty() {
        let strictest = |pick: fn(&crate::ir::ServiceAlerts) -> Option<Percent>| {
            shared.iter().filter_map(|(_, alerts)| pick(alerts)).min()
        };
        let value = entries(vec![
            ("id", Some(Expr::raw("module.plan.id"))),
            ("cpu", percent(strictest(|a| a.cpu))),
            ("memory", percent(strictest(|a| a.memory))),
        ]);
        out.push((String::from("plan"), value));
    }
    for (service, alerts) in watched().filter(|(s, _)| s.autoscale.is_some()) {
        let block = format!("{}_plan", names::block(&service.name));
        let value = entries(vec![
            ("id", Some(Expr::raw(format!("module.{block}.id")))),
            ("cpu", percent(alerts.cpu)),
            ("memory", percent(alerts.memory)),
        ]);
        out.push((format!("{}-plan", service.name), value));
    }
    out
}

fn app(service: &Service) -> Option<(String, Expr)> {
    let alerts = service.alerts.as_ref()?;
    let value = entries(vec![
        ("id", Some(Expr::raw(format!("module.{}.id", names::block(&service.name))))),
        ("latency", alerts.latency.map(|latency| Expr::raw(decimal(latency.millis, 3)))),
        ("health_check", service.health.is_some().then(|| Expr::raw("true"))),
    ]);
    Some((service.name.clone(), value))
}

/// `variable "alerts_webhook_url"` when the model sends alerts to a webhook.
pub fn webhook_variable(environment: &Environment<'_>) -> Option<Block> {
    crate::targets::webhook::variable(environment.stack, "the action group")
}
