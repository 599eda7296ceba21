//! The semantic summary above a diff: what a model change does, in a reviewer's terms, derived from
//! the two resolved compilations (never from the rendered text).

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Compilation, ResourceKind, Service, Stack, Target};

/// One line per semantic change, sorted by environment, then subject.
pub fn summary(old: &Compilation, new: &Compilation) -> Vec<String> {
    let mut lines = Vec::new();
    let environments: BTreeSet<&String> = old.environments.keys().chain(new.environments.keys()).collect();
    for environment in environments {
        match (old.environments.get(environment), new.environments.get(environment)) {
            (None, Some(_)) => lines.push(format!("+ environment {environment}")),
            (Some(_), None) => lines.push(format!("- environment {environment}")),
            (Some(before), Some(after)) => stack(environment, before, after, &mut lines),
            (None, None) => {}
        }
    }
    for line in new.patches.iter().filter(|line| !old.patches.contains(line)) {
        lines.push(format!("+ {line}"));
    }
    for line in old.patches.iter().filter(|line| !new.patches.contains(line)) {
        lines.push(format!("- {line}"));
    }
    lines
}

fn stack(environment: &str, before: &Stack, after: &Stack, lines: &mut Vec<String>) {
    for target in after.targets.difference(&before.targets) {
        lines.push(format!("{environment}: + target {}", target.as_str()));
    }
    for target in before.targets.difference(&after.targets) {
        lines.push(format!("{environment}: - target {}", target.as_str()));
    }
    let names: BTreeSet<&String> = before.services.keys().chain(after.services.keys()).collect();
    for name in names {
        match (before.services.get(name), after.services.get(name)) {
            (None, Some(_)) => lines.push(format!("{environment}: + service {name}")),
            (Some(_), None) => lines.push(format!("{environment}: - service {name}")),
            (Some(a), Some(b)) => service(&format!("{environment}/{name}"), a, b, lines),
            (None, None) => {}
        }
    }
    let jobs: BTreeSet<&String> = before.jobs.keys().chain(after.jobs.keys()).collect();
    for name in jobs {
        match (before.jobs.get(name), after.jobs.get(name)) {
            (None, Some(_)) => lines.push(format!("{environment}: + job {name}")),
            (Some(_), None) => lines.push(format!("{environment}: - job {name}")),
            (Some(a), Some(b)) => {
                let subject = format!("{environment}/{name}");
                change(lines, &subject, "schedule", &a.schedule.expression, &b.schedule.expression);
                change(lines, &subject, "image", &a.image.reference(), &b.image.reference());
            }
            (None, None) => {}
        }
    }
    let resources: BTreeSet<&String> = before.resources.keys().chain(after.resources.keys()).collect();
    for name in resources {
        let (a, b) = (before.resources.get(name), after.resources.get(name));
        match (a, b) {
            (None, Some(resource)) | (Some(resource), None) => {
                let sign = if a.is_none() { '+' } else { '-' };
                lines.push(format!("{environment}: {sign} {} {name}", resource.kind.as_str()));
                let stack = if a.is_none() { after } else { before };
                for target in [Target::Aws, Target::Azure] {
                    if stack.targets.contains(&target) {
                        lines.push(format!(
                            "{}/{environment}: {sign} {} ({name})",
                            target.as_str(),
                            cloud_type(target, resource.kind)
                        ));
                    }
                }
            }
            (Some(a), Some(b)) => {
                let subject = format!("{environment}/{name}");
                change(lines, &subject, "version", &a.version, &b.version);
                change(lines, &subject, "size", a.size.as_str(), b.size.as_str());
                change(lines, &subject, "storage", &a.storage.kubernetes(), &b.storage.kubernetes());
                change(lines, &subject, "host", a.host.as_deref().unwrap_or("-"), b.host.as_deref().unwrap_or("-"));
            }
            (None, None) => {}
        }
    }
}

/// The main cloud resource a model resource becomes.
fn cloud_type(target: Target, kind: ResourceKind) -> &'static str {
    match (target, kind) {
        (Target::Aws, ResourceKind::Redis) => "aws_elasticache_replication_group",
        (Target::Aws, _) => "aws_db_instance",
        (_, ResourceKind::Postgres) => "azurerm_postgresql_flexible_server",
        (_, ResourceKind::Mysql) => "azurerm_mysql_flexible_server",
        (_, ResourceKind::Mssql) => "azurerm_mssql_database",
        (_, ResourceKind::Redis) => "azurerm_redis_cache",
    }
}

fn change(lines: &mut Vec<String>, subject: &str, field: &str, before: &str, after: &str) {
    if before != after {
        lines.push(format!("{subject}: {field} {before} → {after}"));
    }
}

fn service(subject: &str, a: &Service, b: &Service, lines: &mut Vec<String>) {
    change(lines, subject, "image", &a.image.repository, &b.image.repository);
    change(lines, subject, "version", &a.image.version(), &b.image.version());
    change(lines, subject, "replicas", &a.replicas.to_string(), &b.replicas.to_string());
    let autoscale = |s: &Service| s.autoscale.map_or_else(|| String::from("off"), |x| format!("{}-{}", x.min, x.max));
    change(lines, subject, "autoscale", &autoscale(a), &autoscale(b));
    change(lines, subject, "cpu", &a.compute.cpu.kubernetes(), &b.compute.cpu.kubernetes());
    change(lines, subject, "memory", &a.compute.memory.kubernetes(), &b.compute.memory.kubernetes());
    change(lines, subject, "cpu_limit", &a.compute.cpu_limit.kubernetes(), &b.compute.cpu_limit.kubernetes());
    change(lines, subject, "memory_limit", &a.compute.memory_limit.kubernetes(), &b.compute.memory_limit.kubernetes());
    let ingress = |s: &Service| {
        s.ingress
            .as_ref()
            .map_or_else(|| String::from("none"), |i| format!("{}{}", i.host.as_deref().unwrap_or("*"), i.path))
    };
    change(lines, subject, "ingress", &ingress(a), &ingress(b));
    let ports = |s: &Service| s.ports.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    change(lines, subject, "ports", &ports(a), &ports(b));
    keyed(lines, subject, "env", &rendered_env(a), &rendered_env(b));
    let secrets = |s: &Service| s.secrets.iter().map(|(k, v)| (k.clone(), format!("{:?}", v.reference))).collect();
    keyed(lines, subject, "secret", &secrets(a), &secrets(b));
    let links = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(",");
    change(lines, subject, "uses", &links(&a.uses), &links(&b.uses));
    change(lines, subject, "calls", &links(&a.calls), &links(&b.calls));
    change(lines, subject, "migrate", &format!("{:?}", a.migrate), &format!("{:?}", b.migrate));
}

fn rendered_env(service: &Service) -> BTreeMap<String, String> {
    service.env.iter().map(|(k, v)| (k.clone(), v.template.render(|p| format!("${{{p:?}}}")))).collect()
}

fn keyed(
    lines: &mut Vec<String>,
    subject: &str,
    what: &str,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
) {
    for (key, value) in b {
        match a.get(key) {
            None => lines.push(format!("{subject}: + {what} {key}")),
            Some(old) if old != value => lines.push(format!("{subject}: {what} {key} changed")),
            Some(_) => {}
        }
    }
    for key in a.keys().filter(|k| !b.contains_key(*k)) {
        lines.push(format!("{subject}: - {what} {key}"));
    }
}
