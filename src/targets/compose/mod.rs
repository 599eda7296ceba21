//! The compose target: `compose/<env>/compose.yaml` and `.env.example` for every environment that
//! names it, plus `nginx.conf` and `prometheus.yml` when the gateway and monitoring are asked for.
//!
//! Ports are published on 127.0.0.1 only. Secrets come from a git-ignored `.env` beside the file,
//! each as `${NAME:?...}` so `docker compose up` fails loudly when one is missing.

mod alerts;
mod backup;
pub mod checks;
mod gateway;
mod networks;
mod ports;
mod resource;
mod workload;

use std::collections::BTreeMap;

use crate::ir::{Stack, Target};
use crate::model::placeholder::{Placeholder, ResourceAttr, ServiceAttr};
use crate::shared::FileSet;
use crate::targets::EmitOptions;
use crate::targets::connection;
use crate::targets::header;
use crate::targets::yaml_out::{self, Yaml};

/// Emit every compose environment.
pub fn emit(stacks: &[&Stack], options: &EmitOptions) -> FileSet {
    use rayon::prelude::*;
    // Environments are independent: render them in parallel; the file set orders them by path.
    let sets: Vec<FileSet> = stacks
        .par_iter()
        .map(|stack| {
            let mut files = FileSet::default();
            emit_environment(stack, options, &mut files);
            files
        })
        .collect();
    let mut files = FileSet::default();
    for set in sets {
        files.extend(set);
    }
    files
}

/// The `.env` variable that carries a declared secret: `jwt-secret` → `JWT_SECRET`.
pub fn secret_variable(secret: &str) -> String {
    secret.to_ascii_uppercase().replace('-', "_")
}

/// The `.env` variable that carries a resource's password: `db` → `DB_PASSWORD`.
pub fn password_variable(resource: &str) -> String {
    crate::ir::implied_password_env(resource)
}

/// `${NAME:?...}`: compose refuses to start when the variable is unset or empty.
pub fn required_variable(name: &str) -> String {
    format!("${{{name}:?set {name} in .env (see .env.example)}}")
}

/// Escape `$` so compose does not interpolate literal text.
pub fn literal(text: &str) -> String {
    text.replace('$', "$$")
}

/// What a placeholder means inside this compose project, as compose text (literal parts escaped;
/// a connection URL interpolates the resource's password from `.env`, which compose reads).
pub fn placeholder_text(stack: &Stack, placeholder: &Placeholder) -> String {
    match placeholder {
        Placeholder::Environment => literal(&stack.environment),
        Placeholder::Project => literal(&stack.project),
        Placeholder::Resource { name, attr } => match stack.resources.get(name) {
            Some(resource) => match attr {
                ResourceAttr::Host => literal(&resource.name),
                ResourceAttr::Port => resource.kind.default_port().to_string(),
                ResourceAttr::Name => literal(&resource.database),
                ResourceAttr::User => literal(&resource.user),
                ResourceAttr::Url => {
                    let password = (resource.auth == crate::ir::Auth::Password)
                        .then(|| required_variable(&password_variable(&resource.name)));
                    let port = resource.kind.default_port().to_string();
                    // No TLS between containers on one host.
                    connection::url(connection::UrlParts {
                        kind: resource.kind,
                        tls: false,
                        user: &literal(&connection::escape(&resource.user)),
                        password: password.as_deref(),
                        host: &literal(&resource.name),
                        port: &port,
                        database: &literal(&connection::escape(&resource.database)),
                    })
                }
            },
            None => String::new(),
        },
        Placeholder::Service { name, attr } => {
            let port = stack.services.get(name).and_then(|s| s.http_port()).map(|p| p.to_string()).unwrap_or_default();
            match attr {
                ServiceAttr::Host => literal(name),
                ServiceAttr::Port => port,
                ServiceAttr::Url => literal(&format!("http://{name}:{port}")),
            }
        }
    }
}

fn emit_environment(stack: &Stack, options: &EmitOptions, files: &mut FileSet) {
    let environment = stack.environment.as_str();
    let dir = format!("compose/{environment}");
    let compose_options = stack.config.compose.clone().unwrap_or_default();
    let published = ports::assign(stack, compose_options.gateway.as_ref());

    let mut services: BTreeMap<String, Yaml> = BTreeMap::new();
    let mut volumes: BTreeMap<String, Yaml> = BTreeMap::new();
    let mut configs: BTreeMap<String, Yaml> = BTreeMap::new();
    let mut variables: BTreeMap<String, String> = BTreeMap::new();
    let mut comments: BTreeMap<String, String> = BTreeMap::new();
    let mut backup_notes: Vec<String> = Vec::new();

    let mut used_networks = std::collections::BTreeSet::new();
    let mut join = |service: &mut Yaml, joined: std::collections::BTreeSet<&'static str>| {
        networks::attach(service, &joined);
        used_networks.extend(joined);
    };
    for resource in stack.resources.values() {
        match backup::plan(stack, resource) {
            backup::Plan::Container => {
                services.insert(format!("{}-backup", resource.name), {
                    let mut backup = backup::container(resource, &resource::image(resource));
                    join(&mut backup, [networks::BACKEND].into());
                    backup
                });
                volumes.insert(backup::volume(resource), Yaml::map());
                comments.insert(
                    format!("{}-backup", resource.name),
                    format!(
                        "Backups of `{}`: daily at {} UTC into the volume {}, kept {} days.",
                        resource.name,
                        resource.backup_time,
                        backup::volume(resource),
                        resource.backup_days
                    ),
                );
            }
            backup::Plan::Note(note) => backup_notes.push(note),
        }
        let (mut service, volume) = resource::container(resource);
        join(&mut service, [networks::BACKEND].into());
        if resource.auth == crate::ir::Auth::Password {
            variables.insert(
                password_variable(&resource.name),
                format!("password of the {} `{}`", resource.kind.as_str(), resource.name),
            );
        }
        volumes.insert(volume, Yaml::map());
        services.insert(resource.name.clone(), service);
    }
    for service in stack.services.values() {
        let host_port = published.get(&service.name).copied();
        let mut built = workload::service(stack, service, host_port, options);
        variables.extend(built.variables);
        volumes.extend(built.volumes.into_iter().map(|v| (v, Yaml::map())));
        configs.extend(built.configs);
        if let Some(mut migration) = built.migration {
            join(&mut migration, networks::of_migration(stack, service));
            services.insert(format!("{}-migrate", service.name), migration);
        }
        let published = host_port.is_some() && service.http_port().is_some();
        join(&mut built.service, networks::of_service(stack, service, published));
        if let Some(init) = built.init {
            comments.insert(workload::init_name(&service.name), volume_owner_comment(&service.name, &service.security));
            services.insert(workload::init_name(&service.name), init);
        }
        services.insert(service.name.clone(), built.service);
    }
    for job in stack.jobs.values() {
        let mut built = workload::job(stack, job, options);
        join(&mut built.service, networks::of_job(stack, job));
        variables.extend(built.variables);
        volumes.extend(built.volumes.into_iter().map(|v| (v, Yaml::map())));
        configs.extend(built.configs);
        comments.insert(
            job.name.clone(),
            format!(
                "Scheduled job: \"{}\" (cron, UTC). Run once with `docker compose run --rm {}`.",
                job.schedule.expression, job.name
            ),
        );
        if let Some(init) = built.init {
            comments.insert(workload::init_name(&job.name), volume_owner_comment(&job.name, &job.security));
            services.insert(workload::init_name(&job.name), init);
        }
        services.insert(job.name.clone(), built.service);
    }
    if let Some(gateway_options) = &compose_options.gateway {
        let (mut service, config) = gateway::nginx(stack, gateway_options, options);
        let routes = stack.services.values().any(|s| s.ingress.is_some() && s.http_port().is_some());
        let mut joined: std::collections::BTreeSet<&'static str> = [networks::PUBLISHED].into();
        if routes {
            joined.insert(networks::APPS);
        }
        join(&mut service, joined);
        services.insert(String::from("gateway"), service);
        if gateway_options.cache_static.is_some() || gateway_options.cache_get.is_some() {
            volumes.insert(String::from(gateway::CACHE_VOLUME), Yaml::map());
        }
        files.insert(format!("{dir}/nginx.conf"), Target::Compose, Some(environment), config);
    }
    let mut secrets: BTreeMap<String, Yaml> = BTreeMap::new();
    if compose_options.monitoring {
        let alerting = alerts::alerting(stack, &options.model_file);
        let (mut service, config) = gateway::prometheus(stack, options, alerting.as_ref());
        join(&mut service, [networks::APPS].into());
        services.insert(String::from("prometheus"), service);
        volumes.insert(String::from("prometheus-data"), Yaml::map());
        files.insert(format!("{dir}/prometheus.yml"), Target::Compose, Some(environment), config);
        if let Some(alerting) = alerting {
            files.insert(format!("{dir}/alerts.yml"), Target::Compose, Some(environment), alerting.rules);
            if let Some((mut service, config)) = alerting.alertmanager {
                // Prometheus reaches it on apps; it sends mail and webhooks outside (egress).
                join(&mut service, [networks::APPS, networks::EGRESS].into());
                services.insert(String::from("alertmanager"), service);
                volumes.insert(String::from("alertmanager-data"), Yaml::map());
                files.insert(format!("{dir}/alertmanager.yml"), Target::Compose, Some(environment), config);
            }
            secrets.extend(alerting.secrets);
            variables.extend(alerting.variables);
        }
    }

    let mut document = Yaml::map();
    document.insert("name", Yaml::str(format!("{}-{environment}", stack.project)));
    // Built directly: the names are unique (a BTreeMap) and there may be thousands of them.
    let services_yaml = services
        .into_iter()
        .map(|(name, service)| yaml_out::Entry { comment: comments.remove(&name), key: name, value: service })
        .collect();
    document.insert("services", Yaml::Map(services_yaml));
    if !volumes.is_empty() {
        document.insert("volumes", Yaml::Map(volumes.into_iter().map(|(k, v)| entry(k, v)).collect()));
    }
    if let Some(declared) = networks::declare(&used_networks) {
        document.insert("networks", declared);
    }
    if !configs.is_empty() {
        document.insert("configs", Yaml::Map(configs.into_iter().map(|(k, v)| entry(k, v)).collect()));
    }
    if !secrets.is_empty() {
        document.insert("secrets", Yaml::Map(secrets.into_iter().map(|(k, v)| entry(k, v)).collect()));
    }

    let mut notes = vec![
        format!("docker compose for environment `{environment}` of project `{}`.", stack.project),
        String::from("Secrets come from .env beside this file (copy .env.example; never commit .env)."),
    ];
    notes.extend(ports::describe(stack, &published, compose_options.gateway.as_ref()));
    notes.extend(stack.resources.values().filter_map(|r| resource::memory_limit(r).1));
    notes.extend(networks::describe(stack, &used_networks));
    notes.extend(backup_notes);
    let text = format!("{}{}", header::hash_comment(&options.model_file, &notes), yaml_out::to_string(&document));
    files.insert(format!("{dir}/compose.yaml"), Target::Compose, Some(environment), text);
    files.insert(format!("{dir}/.env.example"), Target::Compose, Some(environment), env_example(options, &variables));
    // The real values live in .env beside the file; keep it out of git.
    files.insert(
        format!("{dir}/.gitignore"),
        Target::Compose,
        Some(environment),
        format!("{}.env\n", header::hash_comment(&options.model_file, &[])),
    );
}

fn volume_owner_comment(name: &str, security: &crate::ir::Security) -> String {
    format!(
        "Runs once before `{name}`: hands its named volumes (a new one belongs to root) to its user {}:{}.",
        security.user, security.group
    )
}

fn entry(key: String, value: Yaml) -> yaml_out::Entry {
    yaml_out::Entry { key, value, comment: None }
}

fn env_example(options: &EmitOptions, variables: &BTreeMap<String, String>) -> String {
    let mut out = header::hash_comment(
        &options.model_file,
        &[String::from("Copy to .env beside compose.yaml and fill in every value. Never commit .env.")],
    );
    for (name, description) in variables {
        out.push('\n');
        header::push_comment(&mut out, "", description);
        out.push_str(&format!("{name}=\n"));
    }
    out
}
