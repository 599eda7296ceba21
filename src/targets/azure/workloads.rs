//! Services → `web_app` (README section 1.2), migrations and jobs → `container_job` (section 1.7).

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Compute, EnvValue, Field, HealthCheck, Job, SecretEnv, Service, Volume};
use crate::targets::azure::Environment;
use crate::targets::azure::foundation::{in_resource_group, module, tags};
use crate::targets::azure::names;
use crate::targets::azure::notes;
use crate::targets::azure::sizing;
use crate::targets::azure::values::{self, Source};
use crate::targets::hcl::{Block, Body, Expr};

/// A service's `web_app` block, with its notes, then its migration's `container_job` block.
pub fn service(environment: &Environment<'_>, service: &Service, file: &mut Body) {
    let stack = environment.stack;
    let names = &environment.names;
    let block = names::block(&service.name);
    let source = values::image_source(stack, &service.image, service.origins.get(&Field::Image));
    for note in notes::service(environment, service, &source) {
        file.comment(&note);
    }
    let plan = if service.autoscale.is_some() { format!("{block}_plan") } else { String::from("plan") };

    let mut body = module("web_app");
    body.attribute("name", Expr::string(&names.web_app(&service.name)));
    in_resource_group(&mut body);
    body.attribute("service_plan_id", Expr::raw(format!("module.{plan}.id")))
        .attribute("service_plan_sku", Expr::raw(format!("module.{plan}.sku_name")));
    match &source {
        Source::Registry { reference } => {
            body.attribute("docker_image_name", Expr::string(reference))
                .attribute("docker_registry_url", Expr::raw("\"https://${module.registry.login_server}\""))
                .attribute("acr_pull_enabled", Expr::bool(true))
                .attribute("acr_id", Expr::raw("module.registry.id"));
        }
        Source::External { host, reference } => {
            body.attribute("docker_image_name", Expr::string(reference))
                .attribute("docker_registry_url", Expr::string(&format!("https://{host}")))
                .attribute("acr_pull_enabled", Expr::bool(false));
        }
    }
    body.attribute("port", Expr::number(service.http_port().unwrap_or_default()));
    if let Some(health) = &service.health {
        let path = match &health.check {
            HealthCheck::Http { path, .. } => path.as_str(),
            HealthCheck::Exec { .. } => "/",
        };
        body.attribute("health_check_path", Expr::string(path))
            .attribute("health_check_eviction_time_in_min", Expr::number(sizing::eviction_minutes(health)));
    }
    if let Some(command) = &service.command {
        body.attribute("startup_command", Expr::string(&command.join(" ")));
    }
    if let Some(limit) = service.health.as_ref().and_then(sizing::start_time_limit) {
        body.attribute("container_start_time_limit", Expr::number(limit));
    }
    environment_and_secrets(environment, &service.env, &service.secrets, "app_settings", &mut body);
    storage_mounts(service, &mut body);
    body.attribute("application_insights_connection_string", Expr::raw("module.insights.connection_string"))
        .attribute("log_analytics_workspace_id", Expr::raw("module.insights.workspace_id"))
        .attribute("staging_slot_enabled", Expr::bool(service.strategy == crate::ir::Strategy::BlueGreen));
    if service.ingress.is_none() {
        let callers = environment.wiring.allowed_callers.get(&service.name).cloned().unwrap_or_default();
        body.attribute("internal", Expr::bool(true)).attribute("allowed_ip_addresses", allowed_addresses(&callers));
        if environment.wiring.cycles.contains_key(&service.name) {
            body.attribute("allowed_service_tags", Expr::strings(["AppService"]));
        }
    }
    tags(&mut body);
    file.block(Block::labelled("module", &block, body)).blank();

    if let Some(command) = &service.migrate {
        file.comment(&format!(
            "Migration of {}: run it (output migration_commands) and wait for success before the release.",
            service.name
        ));
        let run = Run {
            name: names.migration(&service.name),
            source,
            command: Some(command),
            compute: service.compute,
            env: &service.env,
            secrets: &service.secrets,
            schedule: None,
            timeout_seconds: 1800,
            retries: 0,
        };
        file.block(Block::labelled("module", &format!("{block}_migrate"), container_job(environment, &run))).blank();
    }
}

/// A scheduled job's `container_job` block, with its notes.
pub fn job(environment: &Environment<'_>, job: &Job, file: &mut Body) {
    let source = values::image_source(environment.stack, &job.image, job.origins.get(&Field::Image));
    for note in notes::job(environment, job, &source) {
        file.comment(&note);
    }
    let run = Run {
        name: environment.names.job(&job.name),
        source,
        command: job.command.as_ref(),
        compute: job.compute,
        env: &job.env,
        secrets: &job.secrets,
        schedule: Some(job.schedule.expression.as_str()),
        timeout_seconds: job.timeout.map_or(1800, |timeout| timeout.secs_ceil().max(1)),
        retries: job.retries,
    };
    file.block(Block::labelled("module", &names::block(&job.name), container_job(environment, &run))).blank();
}

/// What a Container Apps job runs.
struct Run<'a> {
    name: String,
    source: Source,
    command: Option<&'a Vec<String>>,
    compute: Compute,
    env: &'a BTreeMap<String, EnvValue>,
    secrets: &'a BTreeMap<String, SecretEnv>,
    /// `None`: a migration (manual trigger).
    schedule: Option<&'a str>,
    timeout_seconds: u64,
    retries: u32,
}

fn container_job(environment: &Environment<'_>, run: &Run<'_>) -> Body {
    let mut body = module("container_job");
    body.attribute("name", Expr::string(&run.name));
    in_resource_group(&mut body);
    body.attribute("container_app_environment_id", Expr::raw("module.jobs.id"));
    match &run.source {
        Source::Registry { reference } => {
            body.attribute("image", Expr::raw(format!("\"${{module.registry.login_server}}/{}\"", reference)))
                .attribute("acr_pull_enabled", Expr::bool(true))
                .attribute("acr_id", Expr::raw("module.registry.id"))
                .attribute("registry_server", Expr::raw("module.registry.login_server"));
        }
        Source::External { host, reference } => {
            body.attribute("image", Expr::string(&format!("{host}/{reference}")))
                .attribute("acr_pull_enabled", Expr::bool(false));
        }
    }
    if let Some(command) = run.command {
        body.attribute("args", Expr::strings(command.iter().map(String::as_str)));
    }
    // A size Container Apps cannot run is a diagnostic (checks.rs); the smallest pair stands in meanwhile.
    let (cpu, memory) =
        sizing::job_size(run.compute.cpu, run.compute.memory).unwrap_or((String::from("4"), String::from("8Gi")));
    body.attribute("cpu", Expr::raw(cpu)).attribute("memory", Expr::string(&memory));
    environment_and_secrets(environment, run.env, run.secrets, "env", &mut body);
    body.attribute("application_insights_connection_string", Expr::raw("module.insights.connection_string"));
    match run.schedule {
        Some(cron) => {
            body.attribute("trigger", Expr::string("schedule")).attribute("cron_expression", Expr::string(cron));
        }
        None => {
            body.attribute("trigger", Expr::string("manual"));
        }
    }
    body.attribute("timeout_seconds", Expr::number(run.timeout_seconds))
        .attribute("retry_limit", Expr::number(run.retries));
    tags(&mut body);
    body
}

/// A service's persistent volumes: Azure Files shares of the environment's storage account (module
/// `files`), mounted at the volume's path; nothing without any.
fn storage_mounts(service: &Service, body: &mut Body) {
    let paths: Vec<&String> = service
        .volumes
        .iter()
        .filter(|(_, volume)| matches!(volume, Volume::Persistent(_)))
        .map(|(path, _)| path)
        .collect();
    if paths.is_empty() {
        return;
    }
    let mounts = paths.iter().map(|path| {
        let share = names::share(&service.name, path);
        let mount = Expr::object([
            (String::from("share_name"), Expr::string(&share)),
            (String::from("mount_path"), Expr::string(path)),
        ]);
        (share, mount)
    });
    body.attribute("storage_mounts", Expr::object(mounts))
        .attribute("storage_account_name", Expr::raw("module.files.name"))
        .attribute("storage_access_key", Expr::raw("module.files.primary_access_key"));
}

/// `[<env name>]`, `[secrets]` and `[key_vault_id]`, each only when not empty.
fn environment_and_secrets(
    environment: &Environment<'_>,
    env: &BTreeMap<String, EnvValue>,
    secrets: &BTreeMap<String, SecretEnv>,
    env_name: &str,
    body: &mut Body,
) {
    let plain = values::env_map(environment.stack, &environment.names, env);
    if !plain.is_empty() {
        body.attribute(env_name, Expr::object(plain));
    }
    let mut secret_settings = values::secret_map(secrets);
    secret_settings.extend(values::url_secret_map(environment.stack, env));
    secret_settings.sort_by(|a, b| a.0.cmp(&b.0));
    if !secret_settings.is_empty() {
        body.attribute("secrets", Expr::object(secret_settings))
            .attribute("key_vault_id", Expr::raw("module.key_vault.id"));
    }
}

/// The callers' outbound addresses: `[]`, one list, or their `concat`.
fn allowed_addresses(callers: &BTreeSet<String>) -> Expr {
    let lists: Vec<String> =
        callers.iter().map(|caller| format!("module.{}.outbound_ip_addresses", names::block(caller))).collect();
    match lists.as_slice() {
        [] => Expr::raw("[]"),
        [only] => Expr::raw(only.clone()),
        _ => Expr::raw(format!("concat({})", lists.join(", "))),
    }
}
