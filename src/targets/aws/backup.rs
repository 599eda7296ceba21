//! Backups beyond RDS's own: where a database asks for copies in a second region (`backup_copy`)
//! and `targets.aws.backup_region` names it, a provider for that region, a KMS key there and
//! `module "backup"` (AWS Backup: a daily plan per database at its `backup_time`, kept
//! `backup_days` here and copied to a vault of the second region). RDS's automated backups
//! (`backup_retention_period`, at most 35 days) are the database modules' own.

use crate::ir::{Resource, ResourceKind};
use crate::targets::aws::Environment;
use crate::targets::aws::foundation::{KMS, module, project_environment};
use crate::targets::aws::names::Kind;
use crate::targets::hcl::{Block, Body, Expr};

/// The provider alias of the second region.
pub const PROVIDER_ALIAS: &str = "backup";

/// The most days RDS keeps automated backups and ElastiCache keeps snapshots.
pub const MAX_RETENTION_DAYS: u32 = 35;

/// The databases whose backups are copied to the second region: RDS instances some workload uses
/// that ask for it, outside development environments (as compose schedules no backups there);
/// ElastiCache snapshots are not AWS Backup's (`checks` says so).
pub fn copied<'a>(environment: &'a Environment<'_>) -> Vec<&'a Resource> {
    if environment.aws.backup_region.is_none() || environment.stack.stage == crate::ir::Stage::Development {
        return Vec::new();
    }
    let stack = environment.stack;
    environment
        .resource_users
        .keys()
        .filter_map(|name| stack.resources.get(name))
        .filter(|r| r.kind != ResourceKind::Redis && r.backup_copy.is_some() && r.backup_days > 0)
        .collect()
}

/// The second region, when some database's backups are copied there.
pub fn copy_region<'a>(environment: &'a Environment<'_>) -> Option<&'a str> {
    if copied(environment).is_empty() { None } else { environment.aws.backup_region.as_deref() }
}

/// `# Backups.`: the key of the second region and `module "backup"`, when some database asks.
pub fn blocks(environment: &Environment<'_>, file: &mut Body) {
    let databases = copied(environment);
    if databases.is_empty() {
        return;
    }
    let providers = format!("{{ aws = aws.{PROVIDER_ALIAS} }}");
    let mut kms = module("kms");
    kms.attribute("providers", Expr::raw(providers)).blank();
    project_environment(&mut kms);

    let mut body = module("backup");
    body.attribute("providers", Expr::raw(format!("{{ aws = aws, aws.copy = aws.{PROVIDER_ALIAS} }}"))).blank();
    project_environment(&mut body);
    body.attribute("kms_key_arn", Expr::raw(KMS)).attribute("copy_kms_key_arn", Expr::raw("module.kms_backup.key_arn"));
    let entries = databases.into_iter().map(|resource| {
        let label = environment.label(Kind::Resource, &resource.name);
        let value = Expr::object([
            (String::from("arn"), Expr::raw(format!("module.{label}.arn"))),
            (String::from("days"), Expr::raw(resource.backup_days.to_string())),
            (String::from("hour"), Expr::raw(resource.backup_time.hour.to_string())),
            (String::from("minute"), Expr::raw(resource.backup_time.minute.to_string())),
        ]);
        (resource.name.clone(), value)
    });
    body.attribute("databases", Expr::map(entries));
    file.blank().comment("Backups: copies in a second region.");
    file.blank().block(Block::labelled("module", "kms_backup", kms));
    file.blank().block(Block::labelled("module", "backup", body));
}
