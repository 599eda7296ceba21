//! One module block per resource that a service or job of the environment uses: RDS (postgres,
//! mysql, mssql) or ElastiCache (redis), reachable only from its users.

use crate::ir::{Resource, ResourceKind};
use crate::targets::aws::Environment;
use crate::targets::aws::backup::MAX_RETENTION_DAYS;
use crate::targets::aws::foundation::{KMS, bool_text, module, project_environment, security_groups};
use crate::targets::aws::names::Kind;
use crate::targets::aws::sizing;
use crate::targets::hcl::{Block, Body, Expr};

/// The `module` block of `resource`, after a blank line (nothing when no workload uses it).
pub fn resource(environment: &Environment<'_>, resource: &Resource, file: &mut Body) {
    let name = resource.name.as_str();
    let Some(users) = environment.resource_users.get(name) else { return };
    let source = match resource.kind {
        ResourceKind::Postgres => "postgres",
        ResourceKind::Mysql => "mysql",
        ResourceKind::Mssql => "mssql",
        ResourceKind::Redis => "redis",
    };
    let mut body = module(source);
    project_environment(&mut body);
    body.attribute("name", Expr::string(name))
        .attribute("engine_version", Expr::string(&resource.version))
        .attribute("size", Expr::string(resource.size.as_str()));
    let protect = bool_text(environment.aws.protect);
    // RDS and ElastiCache keep at most 35 days (checks warns above; a copy keeps them all).
    let days = resource.backup_days.min(MAX_RETENTION_DAYS);
    if resource.kind == ResourceKind::Redis {
        body.attribute("high_availability", Expr::raw(protect)).attribute("backup_days", Expr::raw(days.to_string()));
    } else {
        let storage = sizing::storage_gib(resource);
        body.attribute("storage", Expr::raw(storage.to_string()))
            .attribute("backup_days", Expr::raw(days.to_string()))
            .attribute("database_name", Expr::string(&resource.database))
            .attribute("multi_az", Expr::raw(protect))
            .attribute("deletion_protection", Expr::raw(protect));
    }
    body.attribute("vpc_id", Expr::raw("module.network.vpc_id"))
        .attribute("subnet_ids", Expr::raw("module.network.private_subnet_ids"))
        .attribute("allowed_security_group_ids", security_groups(environment, users))
        .attribute("kms_key_arn", Expr::raw(KMS));
    file.blank().block(Block::labelled("module", &environment.label(Kind::Resource, name), body));
}
