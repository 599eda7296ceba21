//! Resources → `postgres`, `mysql`, `mssql` or `redis` blocks (README sections 1.6 and 3).
//!
//! `storage` and `backup_days` always have a value after resolution (20Gi and 7 days by default), so
//! `storage_gb` / `max_size_gb` and `backup_retention_days` are always written for databases.

use crate::ir::{Resource, ResourceKind};
use crate::targets::azure::Environment;
use crate::targets::azure::foundation::{in_resource_group, module, tags};
use crate::targets::azure::names;
use crate::targets::azure::notes;
use crate::targets::azure::sizing;
use crate::targets::hcl::{Block, Body, Expr};

/// One resource's block, with its notes.
pub fn resource(environment: &Environment<'_>, resource: &Resource, file: &mut Body) {
    for note in notes::resource(resource) {
        file.comment(&note);
    }
    let server = environment.names.server(&resource.name);
    let password = names::password_secret(&resource.name);
    // The URL secret only when some app sets the whole URL (values::whole_url).
    let url_secret = environment.url_used(&resource.name).then(|| names::url_secret(&resource.name));
    // Out-of-range values are diagnostics (checks.rs); the model's value stands in meanwhile.
    let storage = sizing::storage_gb(resource.kind, resource.size, resource.storage).unwrap_or_default();
    let backup = resource.backup_days;
    let body = match resource.kind {
        ResourceKind::Redis => {
            let (version, _) = sizing::redis_version(&resource.version).unwrap_or_default();
            let mut body = module("redis");
            body.attribute("name", Expr::string(&server));
            in_resource_group(&mut body);
            body.attribute("redis_version", Expr::string(&version))
                .attribute("size", Expr::string(resource.size.as_str()))
                .attribute("key_vault_id", Expr::raw("module.key_vault.id"))
                .attribute("password_secret_name", Expr::string(&password));
            if let Some(url) = &url_secret {
                body.attribute("url_secret_name", Expr::string(url));
            }
            tags(&mut body);
            body
        }
        ResourceKind::Mssql => {
            let mut body = module("mssql");
            body.attribute("server_name", Expr::string(&server));
            in_resource_group(&mut body);
            body.attribute("size", Expr::string(resource.size.as_str()))
                .attribute("max_size_gb", Expr::number(storage))
                .attribute("backup_retention_days", Expr::number(backup));
            database(environment, resource, &password, &mut body);
            body.attribute("log_analytics_workspace_id", Expr::raw("module.insights.workspace_id"));
            tags(&mut body);
            body
        }
        ResourceKind::Postgres | ResourceKind::Mysql => {
            let (module_name, version_name, version) = if resource.kind == ResourceKind::Postgres {
                ("postgres", "postgres_version", sizing::postgres_version(&resource.version))
            } else {
                ("mysql", "mysql_version", sizing::mysql_version(&resource.version))
            };
            let mut body = module(module_name);
            body.attribute("server_name", Expr::string(&server));
            in_resource_group(&mut body);
            body.attribute(version_name, Expr::string(&version.unwrap_or_default()))
                .attribute("size", Expr::string(resource.size.as_str()))
                .attribute("storage_gb", Expr::number(storage))
                .attribute("backup_retention_days", Expr::number(backup))
                .attribute(
                    "geo_redundant_backup_enabled",
                    Expr::bool(environment.production || resource.backup_copy.is_some()),
                );
            database(environment, resource, &password, &mut body);
            if let Some(url) = &url_secret {
                body.attribute("url_secret_name", Expr::string(url));
            }
            tags(&mut body);
            body
        }
    };
    file.block(Block::labelled("module", &names::block(&resource.name), body)).blank();
}

/// `database_name`, `key_vault_id`, `password_secret_name`, `allow_azure_services`.
fn database(environment: &Environment<'_>, resource: &Resource, password: &str, body: &mut Body) {
    let allow = resource.allow_azure_services || environment.resource_used(&resource.name);
    body.attribute("database_name", Expr::string(&resource.database))
        .attribute("key_vault_id", Expr::raw("module.key_vault.id"))
        .attribute("password_secret_name", Expr::string(password))
        .attribute("allow_azure_services", Expr::bool(allow));
}
