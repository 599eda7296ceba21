//! `iacgen explain ENV SERVICE`: the resolved service, each value with the layer and the file:line
//! that set it, and the patches that change its generated files.

use crate::commands::{Options, Outcome, Stop, project};
use crate::ir::{Field, HealthCheck, Job, Origin, SecretRef, Service, Volume};
use crate::pipeline::{self, Resolved};
use crate::shared::span::SourceMap;

/// A resolved service or job, explained.
#[derive(Debug)]
pub struct Explained {
    pub environment: String,
    pub name: String,
    /// `service` or `job`.
    pub kind: &'static str,
    pub lines: Vec<Line>,
    /// One line per patch operation on its files, with the patch's location.
    pub patches: Vec<String>,
    /// The resolved model (the caller may skip freeing it).
    pub resolved: Resolved,
}

/// Resolve the project and explain service (or job) `name` in `environment`. The model's warnings
/// are not shown: `validate` shows them.
pub fn run(options: &Options, environment: &str, name: &str) -> Outcome<Explained> {
    let reader = match project(options) {
        Ok((_, reader)) => reader,
        Err(stop) => return Outcome::stopped(stop),
    };
    let resolved = match pipeline::resolve_model(&reader) {
        Ok(resolved) => resolved,
        Err(failure) => return Outcome::stopped(failure),
    };
    let Some(stack) = resolved.compilation.environments.get(environment) else {
        let known: Vec<&String> = resolved.compilation.environments.keys().collect();
        return Outcome::stopped(Stop::Error(format!(
            "unknown environment `{environment}` (defined: {})",
            join_names(&known)
        )));
    };
    let (kind, lines) = if let Some(service) = stack.services.get(name) {
        ("service", self::service(service, &resolved.sources))
    } else if let Some(job) = stack.jobs.get(name) {
        ("job", self::job(job, &resolved.sources))
    } else {
        let known: Vec<&String> = stack.services.keys().chain(stack.jobs.keys()).collect();
        return Outcome::stopped(Stop::Error(format!(
            "unknown service or job `{name}` (defined: {})",
            join_names(&known)
        )));
    };
    let patches = self::patches(&resolved.model, environment, name, &resolved.sources);
    let explained =
        Explained { environment: environment.to_string(), name: name.to_string(), kind, lines, patches, resolved };
    Outcome { warnings: Default::default(), result: Ok(explained) }
}

fn join_names(items: &[&String]) -> String {
    items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// One resolved value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub field: String,
    pub value: String,
    pub layer: String,
    pub location: Option<String>,
}

/// The resolved values of a service, in field order.
pub fn service(service: &Service, sources: &SourceMap) -> Vec<Line> {
    let mut fields: Vec<(Field, String)> =
        vec![(Field::Image, service.image.repository.clone()), (Field::Version, service.image.version())];
    if let Some(command) = &service.command {
        fields.push((Field::Command, format!("{command:?}")));
    }
    for (name, port) in &service.ports {
        fields.push((Field::Port(name.to_string()), port.to_string()));
    }
    if let Some(health) = &service.health {
        match &health.check {
            HealthCheck::Http { path, ready } => {
                fields.push((Field::HealthPath, path.clone()));
                fields.push((Field::HealthReady, ready.clone()));
            }
            HealthCheck::Exec { command } => fields.push((Field::HealthCommand, format!("{command:?}"))),
        }
        fields.push((Field::HealthInterval, health.interval.to_string()));
        fields.push((Field::HealthTimeout, health.timeout.to_string()));
        fields.push((Field::HealthRetries, health.retries.to_string()));
        fields.push((Field::HealthStartPeriod, health.start_period.to_string()));
    }
    common(&mut fields, &service.env, &service.secrets);
    if !service.uses.is_empty() {
        fields.push((Field::Uses, join(&service.uses)));
    }
    if !service.calls.is_empty() {
        fields.push((Field::Calls, join(&service.calls)));
    }
    egress(&mut fields, &service.egress);
    compute(&mut fields, &service.compute);
    fields.push((Field::Replicas, service.replicas.to_string()));
    if let Some(autoscale) = &service.autoscale {
        let mut text = format!("min {} max {}", autoscale.min, autoscale.max);
        if let Some(cpu) = autoscale.cpu {
            text.push_str(&format!(" cpu {cpu}%"));
        }
        if let Some(memory) = autoscale.memory {
            text.push_str(&format!(" memory {memory}%"));
        }
        fields.push((Field::Autoscale, text));
    }
    if let Some(ingress) = &service.ingress {
        let mut text = format!("{}{} tls={}", ingress.host.as_deref().unwrap_or("*"), ingress.path, ingress.tls);
        if let Some(limit) = ingress.rate_limit {
            text.push_str(&format!(" rate_limit={limit}"));
        }
        fields.push((Field::Ingress, text));
    }
    if let Some(metrics) = &service.metrics {
        fields.push((Field::Metrics, format!("{}:{}{}", metrics.port_name, metrics.port, metrics.path)));
    }
    security(&mut fields, &service.security);
    volumes(&mut fields, &service.volumes, &service.files);
    if let Some(command) = &service.migrate {
        fields.push((Field::Migrate, format!("{command:?}")));
    }
    fields.push((Field::Strategy, format!("{:?}", service.strategy).to_ascii_lowercase()));
    lines(fields, &service.origins, sources)
}

/// The resolved values of a job.
pub fn job(job: &Job, sources: &SourceMap) -> Vec<Line> {
    let mut fields: Vec<(Field, String)> = vec![
        (Field::Image, job.image.repository.clone()),
        (Field::Version, job.image.version()),
        (Field::Schedule, job.schedule.expression.clone()),
    ];
    if let Some(command) = &job.command {
        fields.push((Field::Command, format!("{command:?}")));
    }
    common(&mut fields, &job.env, &job.secrets);
    if !job.uses.is_empty() {
        fields.push((Field::Uses, join(&job.uses)));
    }
    if !job.calls.is_empty() {
        fields.push((Field::Calls, join(&job.calls)));
    }
    egress(&mut fields, &job.egress);
    compute(&mut fields, &job.compute);
    security(&mut fields, &job.security);
    volumes(&mut fields, &job.volumes, &job.files);
    if let Some(timeout) = job.timeout {
        fields.push((Field::Timeout, timeout.to_string()));
    }
    fields.push((Field::Retries, job.retries.to_string()));
    fields.push((Field::Concurrency, format!("{:?}", job.concurrency).to_ascii_lowercase()));
    lines(fields, &job.origins, sources)
}

fn common(
    fields: &mut Vec<(Field, String)>,
    env: &std::collections::BTreeMap<String, crate::ir::EnvValue>,
    secrets: &std::collections::BTreeMap<String, crate::ir::SecretEnv>,
) {
    for (name, value) in env {
        let text = value.template.render(|placeholder| format!("${{{}}}", placeholder_text(placeholder)));
        fields.push((Field::Env(name.to_string()), text));
    }
    for (name, secret) in secrets {
        let text = match &secret.reference {
            SecretRef::Declared(secret) => format!("secret {secret}"),
            SecretRef::ResourcePassword(resource) => format!("{resource}.password"),
        };
        fields.push((Field::Secret(name.to_string()), text));
    }
}

fn placeholder_text(placeholder: &crate::model::placeholder::Placeholder) -> String {
    use crate::model::placeholder::Placeholder;
    match placeholder {
        Placeholder::Environment => String::from("environment"),
        Placeholder::Project => String::from("project"),
        Placeholder::Resource { name, attr } => {
            format!("resources.{name}.{}", format!("{attr:?}").to_ascii_lowercase())
        }
        Placeholder::Service { name, attr } => format!("services.{name}.{}", format!("{attr:?}").to_ascii_lowercase()),
    }
}

fn egress(fields: &mut Vec<(Field, String)>, egress: &[crate::ir::Egress]) {
    if !egress.is_empty() {
        fields.push((Field::Egress, egress.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")));
    }
}

fn compute(fields: &mut Vec<(Field, String)>, compute: &crate::ir::Compute) {
    fields.push((Field::Cpu, compute.cpu.kubernetes()));
    fields.push((Field::Memory, compute.memory.kubernetes()));
    fields.push((Field::CpuLimit, compute.cpu_limit.kubernetes()));
    fields.push((Field::MemoryLimit, compute.memory_limit.kubernetes()));
}

fn security(fields: &mut Vec<(Field, String)>, security: &crate::ir::Security) {
    fields.push((Field::User, security.user.to_string()));
    fields.push((Field::Group, security.group.to_string()));
    fields.push((Field::ReadOnlyRoot, security.read_only_root.to_string()));
    if !security.capabilities.is_empty() {
        fields.push((Field::Capabilities, security.capabilities.join(", ")));
    }
}

fn volumes(
    fields: &mut Vec<(Field, String)>,
    volumes: &std::collections::BTreeMap<String, Volume>,
    files: &std::collections::BTreeMap<String, String>,
) {
    for (path, volume) in volumes {
        let text = match volume {
            Volume::Scratch => String::from("scratch"),
            Volume::Persistent(size) => format!("persistent {}", size.kubernetes()),
        };
        fields.push((Field::Volume(path.to_string()), text));
    }
    for (path, content) in files {
        fields.push((Field::File(path.to_string()), format!("{} bytes", content.len())));
    }
}

fn join(set: &std::collections::BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

fn lines(fields: Vec<(Field, String)>, origins: &crate::ir::Origins, sources: &SourceMap) -> Vec<Line> {
    fields
        .into_iter()
        .map(|(field, value)| {
            let origin = origins.get(&field).copied().unwrap_or(Origin::BUILT_IN);
            Line {
                location: origin.span.map(|span| sources.location(span).to_string()),
                layer: origin.layer.as_str().to_string(),
                field: field.to_string(),
                value,
            }
        })
        .collect()
}

/// The patches that change files generated for `name` in `environment`, one line per operation
/// with the patch's location.
pub fn patches(model: &crate::model::Model, environment: &str, name: &str, sources: &SourceMap) -> Vec<String> {
    let module = name.replace('-', "_");
    let mut out = Vec::new();
    for patch in &model.patches {
        let file = &patch.file.value;
        let in_environment = file.split('/').any(|part| part == environment)
            || file.ends_with(&format!("values-{environment}.yaml"))
            || file.starts_with(&format!("helm/{name}/values.yaml"));
        let about_service =
            file.split('/').any(|part| part == name || part == format!("{name}.json"))
                || patch.set.iter().map(|(k, _)| &k.value).chain(patch.remove.iter().map(|k| &k.value)).any(|key| {
                    key.split('.').any(|part| part == name) || key.starts_with(&format!("module.{module}."))
                });
        if in_environment && about_service {
            for line in patch.describe() {
                out.push(format!("{line}  ({})", sources.location(patch.span)));
            }
        }
    }
    out
}
