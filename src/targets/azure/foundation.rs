//! The blocks every environment has (README section 1.1): locals, resource group, insights, Key Vault,
//! registry, the App Service plans and the Container Apps environment of the jobs.

use crate::ir::{Service, Volume};
use crate::targets::azure::Environment;
use crate::targets::azure::names;
use crate::targets::azure::sizing;
use crate::targets::hcl::{Block, Body, Expr};

/// `module "<label>" { source = "../modules/<module>" ... }`: the body starts with the source and a blank.
pub fn module(module: &str) -> Body {
    let mut body = Body::new();
    body.attribute("source", Expr::string(&format!("../modules/{module}"))).blank();
    body
}

/// `resource_group_name` and `location` from the resource group module.
pub fn in_resource_group(body: &mut Body) {
    body.attribute("resource_group_name", Expr::raw("module.resource_group.name"))
        .attribute("location", Expr::raw("module.resource_group.location"));
}

/// `tags = local.tags`.
pub fn tags(body: &mut Body) {
    body.attribute("tags", Expr::raw("local.tags"));
}

/// `locals { location, tags }`: the model's tags merged with the iacgen keys (which win, in the
/// model's spelling when it has one of them in another case: Azure tag names are case-insensitive).
pub fn locals(environment: &Environment<'_>) -> Body {
    let stack = environment.stack;
    let tags = crate::targets::tags::with_own(
        &stack.tags,
        &[("environment", &stack.environment), ("managed-by", "iacgen"), ("project", &stack.project)],
    );
    let mut body = Body::new();
    body.attribute("location", Expr::string(&environment.options.location));
    body.attribute("tags", Expr::object(tags.iter().map(|(k, v)| (k.clone(), Expr::string(v)))));
    body
}

/// The resource group, insights, Key Vault and registry blocks.
pub fn shared(environment: &Environment<'_>, file: &mut Body) {
    let names = &environment.names;

    let mut body = module("resource_group");
    body.attribute("name", Expr::string(&names.resource_group())).attribute("location", Expr::raw("local.location"));
    tags(&mut body);
    file.block(Block::labelled("module", "resource_group", body)).blank();

    let mut body = module("insights");
    body.attribute("workspace_name", Expr::string(&names.workspace()))
        .attribute("application_insights_name", Expr::string(&names.insights()));
    in_resource_group(&mut body);
    body.attribute("retention_in_days", Expr::number(if environment.production { 90 } else { 30 }));
    tags(&mut body);
    file.block(Block::labelled("module", "insights", body)).blank();

    let mut body = module("key_vault");
    body.attribute("name", Expr::string(&names.key_vault()));
    in_resource_group(&mut body);
    let secrets = environment.used_secrets();
    body.attribute("purge_protection_enabled", Expr::bool(environment.production))
        .attribute("secret_names", Expr::strings(secrets.iter().map(String::as_str)))
        .attribute("secrets_officer_principal_ids", Expr::raw("var.secrets_officer_principal_ids"));
    tags(&mut body);
    file.block(Block::labelled("module", "key_vault", body)).blank();

    let mut body = module("registry");
    body.attribute("name", Expr::string(&names.registry()));
    in_resource_group(&mut body);
    if environment.production {
        body.attribute("sku", Expr::string("Premium"))
            .attribute("zone_redundancy_enabled", Expr::bool(true))
            .attribute("untagged_retention_days", Expr::number(7));
    } else {
        body.attribute("sku", Expr::string("Basic"));
    }
    tags(&mut body);
    file.block(Block::labelled("module", "registry", body)).blank();
}

/// The storage account and Azure Files shares of the services' persistent volumes (README section
/// 1.9), when a service has any: zone-redundant in production.
pub fn file_shares(environment: &Environment<'_>, file: &mut Body) {
    let shares: Vec<(String, Expr)> = environment
        .stack
        .services
        .values()
        .flat_map(|service| {
            service.volumes.iter().filter_map(move |(path, volume)| match volume {
                Volume::Persistent(size) => {
                    Some((names::share(&service.name, path), Expr::number(size.mebibytes.div_ceil(1024).max(1))))
                }
                Volume::Scratch => None,
            })
        })
        .collect();
    if shares.is_empty() {
        return;
    }
    file.comment("Persistent volumes: one Azure Files share each, mounted into the service's web app.");
    let mut body = module("file_share");
    body.attribute("name", Expr::string(&environment.names.file_storage()));
    in_resource_group(&mut body);
    body.attribute("replication_type", Expr::string(if environment.production { "ZRS" } else { "LRS" }))
        .attribute("shares", Expr::object(shares));
    tags(&mut body);
    file.block(Block::labelled("module", "files", body)).blank();
}

/// The shared plan (services without autoscale), the dedicated plans and the jobs' environment.
pub fn plans(environment: &Environment<'_>, file: &mut Body) {
    let names = &environment.names;
    let sku = &environment.options.plan_sku;
    let shared: Vec<&Service> = environment.stack.services.values().filter(|s| s.autoscale.is_none()).collect();
    if !shared.is_empty() {
        let workers = shared.iter().map(|s| s.replicas).max().unwrap_or(1).max(1);
        let list: Vec<&str> = shared.iter().map(|s| s.name.as_str()).collect();
        file.comment(&format!(
            "Shared plan: services without autoscale ({}); worker_count = their largest replicas.",
            list.join(", ")
        ));
        let mut body = module("plan");
        body.attribute("name", Expr::string(&names.plan()));
        in_resource_group(&mut body);
        body.attribute("sku_name", Expr::string(sku))
            .attribute("worker_count", Expr::number(workers))
            .attribute("zone_balancing_enabled", Expr::bool(sizing::zone_balancing(sku, workers)));
        tags(&mut body);
        file.block(Block::labelled("module", "plan", body)).blank();
    }
    for service in environment.stack.services.values() {
        let Some(autoscale) = &service.autoscale else { continue };
        file.comment("Dedicated plan: App Service autoscales plans, so an autoscaled service gets its own.");
        let mut body = module("plan");
        body.attribute("name", Expr::string(&names.dedicated_plan(&service.name)));
        in_resource_group(&mut body);
        body.attribute("sku_name", Expr::string(sku))
            .attribute("zone_balancing_enabled", Expr::bool(sizing::zone_balancing(sku, autoscale.min)));
        let mut settings = vec![
            (String::from("min"), Expr::number(autoscale.min)),
            (String::from("max"), Expr::number(autoscale.max)),
            (String::from("cpu_percent"), Expr::number(autoscale.cpu.unwrap_or_default())),
        ];
        if let Some(memory) = autoscale.memory {
            settings.push((String::from("memory_percent"), Expr::number(memory)));
        }
        body.attribute("autoscale", Expr::object(settings));
        tags(&mut body);
        file.block(Block::labelled("module", &format!("{}_plan", names::block(&service.name)), body)).blank();
    }
    if environment.has_jobs() {
        let mut body = module("container_app_environment");
        body.attribute("name", Expr::string(&names.jobs_environment()));
        in_resource_group(&mut body);
        body.attribute("log_analytics_workspace_id", Expr::raw("module.insights.workspace_id"));
        tags(&mut body);
        file.block(Block::labelled("module", "jobs", body)).blank();
    }
}
