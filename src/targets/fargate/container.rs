//! Container definitions, shared by the ecs target (JSON task definitions) and the aws target
//! (`jsonencode([...])` in the Terraform root). The two differ only in how placeholder values and
//! secret ARNs are written, which [`Values`] supplies.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Compute, EnvValue, HealthCheck, Image, Job, SecretEnv, SecretRef, Security, Service, Volume};
use crate::model::placeholder::Template;
use crate::targets::fargate::node::{Layout, Node};
use crate::targets::fargate::size::{self, TaskSize};
use crate::targets::probe::{self, ContainerCheck};

/// How a target writes the values that depend on where the task runs.
pub trait Values {
    /// An `environment[].value`: a string literal or an expression that yields a string.
    fn env(&self, template: &Template) -> Node;
    /// A `secrets[].valueFrom`.
    fn secret(&self, reference: &SecretRef) -> Node;
}

/// Names shared by every container of an environment.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    pub project: &'a str,
    pub environment: &'a str,
    pub region: &'a str,
}

impl Place<'_> {
    /// `<project>-<env>-<name>`: task family, role and schedule prefix.
    pub fn prefix(&self, name: &str) -> String {
        format!("{}-{}-{name}", self.project, self.environment)
    }

    /// `/ecs/<project>/<env>/<name>`.
    pub fn log_group(&self, name: &str) -> String {
        format!("/ecs/{}/{}/{name}", self.project, self.environment)
    }
}

/// What a container runs: a service, its migration, or a scheduled job.
#[derive(Clone, Copy, Debug)]
pub enum Workload<'a> {
    Service(&'a Service),
    Migration(&'a Service),
    Job(&'a Job),
}

/// The fields a container takes from its workload, whatever the kind.
struct Parts<'a> {
    /// Model name of the service or job (log group).
    owner: &'a str,
    image: &'a Image,
    env: &'a BTreeMap<String, EnvValue>,
    secrets: &'a BTreeMap<String, SecretEnv>,
    compute: &'a Compute,
    security: &'a Security,
    volumes: &'a BTreeMap<String, Volume>,
}

impl<'a> Workload<'a> {
    fn parts(self) -> Parts<'a> {
        match self {
            Workload::Service(service) | Workload::Migration(service) => Parts {
                owner: &service.name,
                image: &service.image,
                env: &service.env,
                secrets: &service.secrets,
                compute: &service.compute,
                security: &service.security,
                volumes: &service.volumes,
            },
            Workload::Job(job) => Parts {
                owner: &job.name,
                image: &job.image,
                env: &job.env,
                secrets: &job.secrets,
                compute: &job.compute,
                security: &job.security,
                volumes: &job.volumes,
            },
        }
    }

    /// The container name (and log stream prefix): the model name, `-migrate` for a migration.
    pub fn container_name(self) -> String {
        match self {
            Workload::Service(service) => service.name.clone(),
            Workload::Migration(service) => format!("{}-migrate", service.name),
            Workload::Job(job) => job.name.clone(),
        }
    }

    /// The secrets its container reads.
    pub fn secret_refs(self) -> BTreeSet<SecretRef> {
        self.parts().secrets.values().map(|secret| secret.reference.clone()).collect()
    }
}

/// A task volume of a workload: a scratch one (the task's own storage) or a persistent one (EFS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskVolume {
    /// The container path.
    pub path: String,
    /// The task volume name, which `mountPoints[].sourceVolume` names.
    pub name: String,
    pub persistent: bool,
}

/// Every volume of a workload, sorted by path. Names are the path's slug (`/tmp` → `tmp`,
/// `/var/cache` → `var-cache`), made unique with `-2`, `-3`, ...
pub fn task_volumes(volumes: &BTreeMap<String, Volume>) -> Vec<TaskVolume> {
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    for (path, volume) in volumes {
        let slug = path.trim_matches('/').replace(['/', '.', '_'], "-").to_ascii_lowercase();
        let base = if slug.is_empty() { String::from("scratch") } else { slug };
        let mut name = base.clone();
        let mut counter = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}-{counter}");
            counter += 1;
        }
        out.push(TaskVolume { path: path.clone(), name, persistent: matches!(volume, Volume::Persistent(_)) });
    }
    out
}

/// Scratch volumes of a workload: (container path, task volume name), sorted by path.
pub fn scratch_volumes(volumes: &BTreeMap<String, Volume>) -> Vec<(String, String)> {
    task_volumes(volumes).into_iter().filter(|v| !v.persistent).map(|v| (v.path, v.name)).collect()
}

/// Persistent volumes of a workload: (container path, task volume name), sorted by path.
pub fn persistent_volumes(volumes: &BTreeMap<String, Volume>) -> Vec<(String, String)> {
    task_volumes(volumes).into_iter().filter(|v| v.persistent).map(|v| (v.path, v.name)).collect()
}

/// The container definition of `workload` in a task of `size`.
pub fn definition(workload: Workload<'_>, size: TaskSize, place: &Place<'_>, values: &impl Values) -> Node {
    let parts = workload.parts();
    let name = workload.container_name();
    let mut container = Node::object(Layout::Block)
        .with("name", Node::str(name.clone()))
        .with("image", Node::str(parts.image.reference()))
        .with("essential", Node::Bool(true));
    let command = match workload {
        Workload::Service(service) => service.command.as_ref(),
        Workload::Migration(service) => service.migrate.as_ref(),
        Workload::Job(job) => job.command.as_ref(),
    };
    if let Some(command) = command {
        container.push("command", Node::strs(command.iter().cloned()));
    }
    container.push("cpu", Node::Int(i64::from(size::cpu_units(parts.compute.cpu))));
    container.push("memory", Node::Int(i64::from(size.memory)));
    if parts.compute.memory < parts.compute.memory_limit {
        container.push("memoryReservation", Node::Int(i64::from(parts.compute.memory.mebibytes)));
    }
    if let Workload::Service(service) = workload
        && !service.ports.is_empty()
    {
        container.push("portMappings", port_mappings(&service.ports));
    }
    if !parts.env.is_empty() {
        let entries = parts
            .env
            .iter()
            .map(|(key, value)| {
                Node::object(Layout::Inline)
                    .with("name", Node::str(key.clone()))
                    .with("value", values.env(&value.template))
            })
            .collect();
        container.push("environment", Node::List(entries, Layout::Block));
    }
    if !parts.secrets.is_empty() {
        let entries = parts
            .secrets
            .iter()
            .map(|(key, secret)| {
                Node::object(Layout::Inline)
                    .with("name", Node::str(key.clone()))
                    .with("valueFrom", values.secret(&secret.reference))
            })
            .collect();
        container.push("secrets", Node::List(entries, Layout::Block));
    }
    if let Workload::Service(service) = workload
        && let Some(check) = health_check(service)
    {
        container.push("healthCheck", check);
    }
    container.push(
        "logConfiguration",
        Node::object(Layout::Block).with("logDriver", Node::str("awslogs")).with(
            "options",
            Node::Map(vec![
                (String::from("awslogs-group"), Node::str(place.log_group(parts.owner))),
                (String::from("awslogs-region"), Node::str(place.region)),
                (String::from("awslogs-stream-prefix"), Node::str(name)),
            ]),
        ),
    );
    let volumes = task_volumes(parts.volumes);
    if !volumes.is_empty() {
        let mounts = volumes
            .into_iter()
            .map(|volume| {
                Node::object(Layout::Inline)
                    .with("sourceVolume", Node::Str(volume.name))
                    .with("containerPath", Node::Str(volume.path))
                    .with("readOnly", Node::Bool(false))
            })
            .collect();
        container.push("mountPoints", Node::List(mounts, Layout::Block));
    }
    if let Workload::Service(service) = workload
        && let Some(metrics) = &service.metrics
    {
        // CloudWatch agent's Prometheus discovery for ECS reads these labels.
        container.push(
            "dockerLabels",
            Node::Map(vec![
                (String::from("PROMETHEUS_EXPORTER_PATH"), Node::str(metrics.path.clone())),
                (String::from("PROMETHEUS_EXPORTER_PORT"), Node::str(metrics.port.to_string())),
            ]),
        );
    }
    container.push("user", Node::str(format!("{}:{}", parts.security.user, parts.security.group)));
    container.push("readonlyRootFilesystem", Node::Bool(parts.security.read_only_root));
    let mut capabilities = Node::object(Layout::Inline).with("drop", Node::strs(["ALL"]));
    if !parts.security.capabilities.is_empty() {
        // Fargate adds back only SYS_PTRACE: validation refuses any other for aws and ecs.
        capabilities = capabilities.with("add", Node::strs(parts.security.capabilities.iter().cloned()));
    }
    container.push(
        "linuxParameters",
        Node::object(Layout::Block).with("capabilities", capabilities).with("initProcessEnabled", Node::Bool(true)),
    );
    container
}

fn port_mappings(ports: &BTreeMap<String, u16>) -> Node {
    let mut by_number: Vec<(&String, &u16)> = ports.iter().collect();
    // `http` first: it is the port the service serves; the others follow by name.
    by_number.sort_by_key(|(name, _)| (name.as_str() != "http", name.as_str()));
    let mappings = by_number
        .into_iter()
        .map(|(name, port)| {
            Node::object(Layout::Inline)
                .with("name", Node::str(name.clone()))
                .with("containerPort", Node::Int(i64::from(*port)))
                .with("hostPort", Node::Int(i64::from(*port)))
                .with("protocol", Node::str("tcp"))
        })
        .collect();
    Node::List(mappings, Layout::Block)
}

/// ECS's container health check: seconds, ranges checked by IAC039 before emission.
fn health_check(service: &Service) -> Option<Node> {
    let health = service.health.as_ref()?;
    let command = match &health.check {
        HealthCheck::Http { path, .. } => {
            let port = service.http_port()?;
            let url = format!("http://127.0.0.1:{port}{path}");
            match probe::http(health.probe, &url, health.timeout.secs_ceil())? {
                ContainerCheck::Exec(argv) => Node::strs(std::iter::once(String::from("CMD")).chain(argv)),
                ContainerCheck::Shell(line) => Node::strs([String::from("CMD-SHELL"), line]),
            }
        }
        HealthCheck::Exec { command } => {
            Node::strs(std::iter::once(String::from("CMD")).chain(command.iter().cloned()))
        }
    };
    let seconds = |duration: crate::model::quantity::Duration| Node::Int(duration.secs_ceil() as i64);
    Some(
        Node::object(Layout::Block)
            .with("command", command)
            .with("interval", seconds(health.interval))
            .with("timeout", seconds(health.timeout))
            .with("retries", Node::Int(i64::from(health.retries)))
            .with("startPeriod", seconds(health.start_period)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_scratch_volumes_after_their_paths() {
        let mut volumes = BTreeMap::new();
        volumes.insert(String::from("/tmp"), Volume::Scratch);
        volumes.insert(String::from("/var/cache"), Volume::Scratch);
        volumes.insert(String::from("/var-cache"), Volume::Scratch);
        volumes.insert(String::from("/data"), Volume::Persistent(crate::model::quantity::Memory { mebibytes: 1024 }));
        let names: Vec<String> = scratch_volumes(&volumes).into_iter().map(|(_, name)| name).collect();
        assert_eq!(names, ["tmp", "var-cache", "var-cache-2"]);
        let persistent: Vec<String> = persistent_volumes(&volumes).into_iter().map(|(_, name)| name).collect();
        assert_eq!(persistent, ["data"]);
    }
}
