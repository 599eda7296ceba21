//! What App Service, Container Apps and the Azure databases cannot express, as located diagnostics:
//! everything that would silently change the service's behaviour if it were dropped (persistent volumes,
//! exec health checks, a slot or autoscale on a Basic plan, jobs calling internal services, sizes and
//! versions Azure does not sell) and block names that clash in the root. What the platform decides itself
//! (per-app limits, the container's user, read-only root) is a note in main.tf instead (`notes.rs`).

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Field, HealthCheck, ResourceKind, SecretEnv, Stack, Strategy, Target, Volume};
use crate::model::placeholder::Placeholder;
use crate::shared::span::Span;
use crate::targets::azure::Environment;
use crate::targets::azure::names;
use crate::targets::azure::sizing;

/// App settings the `web_app` module sets itself.
const RESERVED_SETTINGS: [&str; 4] = [
    "WEBSITES_PORT",
    "WEBSITES_ENABLE_APP_SERVICE_STORAGE",
    "WEBSITES_CONTAINER_START_TIME_LIMIT",
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
];

/// The span of `field` in `origins`, else `fallback`.
pub fn span_of(origins: &crate::ir::Origins, field: &Field, fallback: Span) -> Span {
    origins.get(field).and_then(|origin| origin.span).unwrap_or(fallback)
}

fn unsupported(span: Span, message: String, label: &str, help: String) -> Diagnostic {
    Diagnostic::new(codes::UNSUPPORTED_ON_TARGET, span, message).with_label(label).with_help(help)
}

/// Every problem of the environments in `stacks` for the azure target.
pub fn check(stacks: &[&Stack]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for stack in stacks {
        let environment = Environment::new(stack);
        let mut out = Out::default();
        plan_sku(&environment, &mut out);
        services(&environment, &mut out);
        jobs(&environment, &mut out);
        resources(&environment, &mut out);
        block_names(&environment, &mut out);
        crate::targets::checks::mounted_files(stack, Target::Azure, &mut findings);
        let found = out.items.into_iter();
        findings.extend(found.map(|(subject, d)| Finding::new(d, subject.as_deref(), &stack.environment)));
    }
    findings
}

/// Diagnostics of one environment, each with the service, job or resource being checked.
#[derive(Default)]
struct Out {
    items: Vec<(Option<String>, Diagnostic)>,
    subject: Option<String>,
}

impl Out {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push((self.subject.clone(), diagnostic));
    }

    /// From now on the diagnostics are about `subject`.
    fn about(&mut self, subject: &str) {
        self.subject = Some(subject.to_string());
    }
}

fn plan_sku(environment: &Environment<'_>, out: &mut Out) {
    let options = &environment.options;
    if sizing::valid_plan_sku(&options.plan_sku) {
        return;
    }
    let message = format!("`{}` is not an App Service plan SKU the azure target can use", options.plan_sku);
    let help = String::from(
        "use a Basic, Standard, Premium or Isolated SKU such as B2, S1 or P1v3 (Free and Shared plans cannot keep a container always on)",
    );
    match options.plan_sku_span {
        Some(span) => out.push(unsupported(span, message, "unknown plan SKU", help)),
        None => out.push(Diagnostic::global(codes::UNSUPPORTED_ON_TARGET, message).with_help(help)),
    }
}

fn needs_standard(environment: &Environment<'_>, span: Span, what: &str) -> Diagnostic {
    let sku = &environment.options.plan_sku;
    let mut diagnostic = unsupported(
        span,
        format!("{what} needs an App Service plan of Standard (S1) or higher, and plan_sku is `{sku}`"),
        "needs S1 or higher",
        String::from(
            "set plan_sku to S1, P1v3 or higher (for one environment: `environments.<env>.targets_config.azure.plan_sku`); Basic plans have no slots and no autoscale",
        ),
    );
    if let Some(sku_span) = environment.options.plan_sku_span {
        diagnostic = diagnostic.with_related(sku_span, "plan SKU set here");
    }
    diagnostic
}

fn services(environment: &Environment<'_>, out: &mut Out) {
    let stack = environment.stack;
    let slots = sizing::plan_supports_slots(&environment.options.plan_sku);
    for service in stack.services.values() {
        let name = &service.name;
        out.about(name);
        let span = |field: &Field| span_of(&service.origins, field, service.origin);
        if service.strategy == Strategy::BlueGreen && !slots {
            out.push(needs_standard(
                environment,
                span(&Field::Strategy),
                &format!("`{name}` uses `strategy: blue-green` (a staging slot), which"),
            ));
        }
        if let Some(autoscale) = &service.autoscale {
            if !slots {
                out.push(needs_standard(environment, span(&Field::Autoscale), &format!("autoscale of `{name}`")));
            }
            if autoscale.cpu.is_none() {
                out.push(unsupported(
                    span(&Field::Autoscale),
                    format!("autoscale of `{name}` has no CPU target, which App Service autoscale rules need"),
                    "no `cpu`",
                    String::from("add `cpu: <percent>` to autoscale (memory may stay as a second rule)"),
                ));
            }
            if autoscale.max > 100 {
                out.push(unsupported(
                    span(&Field::Autoscale),
                    format!(
                        "autoscale of `{name}` asks for {} instances, more than an App Service plan runs",
                        autoscale.max
                    ),
                    "more than 100",
                    String::from("set autoscale.max to at most 100 (Premium v3 plans stop at 30)"),
                ));
            }
        }
        if service.http_port().is_none() {
            out.push(unsupported(
                service.origin,
                format!("`{name}` has no http port, and an App Service web app must answer HTTP"),
                "no `ports.http`",
                format!("give `{name}` an http port and a health path, or leave azure out of its environments"),
            ));
        }
        match service.health.as_ref().map(|health| &health.check) {
            Some(HealthCheck::Exec { .. }) => out.push(unsupported(
                span(&Field::HealthCommand),
                format!("`{name}` has an exec health check, and App Service only checks HTTP paths"),
                "exec health check",
                String::from("use `health: { path: /health }` (an HTTP endpoint of the service)"),
            )),
            None if service.http_port().is_some() => out.push(unsupported(
                service.origin,
                format!("`{name}` has no health check, and an App Service web app needs an HTTP health path"),
                "no `health.path`",
                String::from("add `health: { path: /health }`"),
            )),
            _ => {}
        }
        let unsplittable = |a: &String| a.is_empty() || a.chars().any(|c| c.is_whitespace() || c == '"' || c == '\'');
        if let Some(argument) = service.command.iter().flatten().find(|a| unsplittable(a)) {
            out.push(unsupported(
                span(&Field::Command),
                format!(
                    "`{name}` has the command argument `{argument}`, which App Service's startup command (one line split at spaces) cannot pass"
                ),
                "argument with spaces or quotes",
                String::from("wrap the command in a script inside the image, or move the argument into an env variable"),
            ));
        }
        for (variable, origin) in
            service.env.iter().map(|(n, v)| (n, &v.origin)).chain(service.secrets.iter().map(|(n, s)| (n, &s.origin)))
        {
            if RESERVED_SETTINGS.contains(&variable.as_str()) {
                out.push(unsupported(
                    origin.span.unwrap_or(service.origin),
                    format!("`{name}` sets `{variable}`, which the azure target sets itself"),
                    "reserved app setting",
                    String::from("rename the variable; the port, start time limit and Application Insights connection are set from the model"),
                ));
            }
        }
        if service.migrate.is_some() {
            job_size(name, service.compute, &service.origins, service.origin, "the migration of", out);
            job_secrets(name, &service.secrets, service.origin, out);
        }
    }
}

/// IAC037: a job's persistent volume (services get Azure Files shares; jobs run on Container Apps,
/// which the azure target does not give volumes).
fn volumes(
    name: &str,
    volumes: &BTreeMap<String, Volume>,
    origins: &crate::ir::Origins,
    fallback: Span,
    out: &mut Out,
) {
    for (path, volume) in volumes {
        if let Volume::Persistent(size) = volume {
            out.push(unsupported(
                span_of(origins, &Field::Volume(path.to_string()), fallback),
                format!(
                    "job `{name}` mounts a persistent volume at `{path}` ({}), which the azure target does not mount into Container Apps jobs",
                    size.kubernetes()
                ),
                "persistent volume",
                String::from(
                    "keep the job's state in a resource (a database or cache) or in a service's volume, use `scratch` if the data may be lost, or leave azure out of the environment",
                ),
            ));
        }
    }
}

fn job_size(
    name: &str,
    compute: crate::ir::Compute,
    origins: &crate::ir::Origins,
    fallback: Span,
    what: &str,
    out: &mut Out,
) {
    if let Err(reason) = sizing::job_size(compute.cpu, compute.memory) {
        out.push(unsupported(
            span_of(origins, &Field::Cpu, fallback),
            format!("{what} `{name}` asks for {reason}"),
            "too large for a Container Apps job",
            String::from("lower resources to at most cpu 4 and memory 8Gi"),
        ));
    }
}

/// Container Apps secret names come from the variable names (lowercase, `_` → `-`): they must be distinct
/// and usable.
fn job_secrets(name: &str, secrets: &BTreeMap<String, SecretEnv>, fallback: Span, out: &mut Out) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (variable, secret) in secrets {
        let secret_name = variable.to_ascii_lowercase().replace('_', "-").trim_matches('-').to_string();
        let usable = !secret_name.is_empty()
            && secret_name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && secret_name != "applicationinsights-connection-string";
        let span = secret.origin.span.unwrap_or(fallback);
        if !usable {
            out.push(unsupported(
                span,
                format!("secret variable `{variable}` of `{name}` cannot name a Container Apps secret"),
                "unusable secret name",
                String::from("use letters, digits and '_' in secret variable names"),
            ));
        } else if let Some(other) = seen.insert(secret_name.clone(), variable) {
            out.push(unsupported(
                span,
                format!(
                    "secret variables `{other}` and `{variable}` of `{name}` both become the Container Apps secret `{secret_name}`"
                ),
                "same secret name",
                String::from("rename one of the variables"),
            ));
        }
    }
}

fn jobs(environment: &Environment<'_>, out: &mut Out) {
    let stack = environment.stack;
    for job in stack.jobs.values() {
        let name = &job.name;
        out.about(name);
        job_size(name, job.compute, &job.origins, job.origin, "job", out);
        job_secrets(name, &job.secrets, job.origin, out);
        volumes(name, &job.volumes, &job.origins, job.origin, out);
        for callee in &job.calls {
            if stack.services.get(callee).is_some_and(|service| service.ingress.is_none()) {
                // Point at the placeholder that implies the call, else at `calls`.
                let placeholder =
                    job.env.values().flat_map(|value| value.template.placeholders()).find_map(|(placeholder, span)| {
                        match placeholder {
                            Placeholder::Service { name, .. } if name == callee => Some(span),
                            _ => None,
                        }
                    });
                out.push(unsupported(
                    placeholder.unwrap_or_else(|| span_of(&job.origins, &Field::Calls, job.origin)),
                    format!(
                        "job `{name}` calls the internal service `{callee}`, which admits only its callers' App Service addresses"
                    ),
                    "calls an internal service",
                    format!(
                        "give `{callee}` an ingress, or move the call into a service (Container Apps jobs have no fixed outbound address)"
                    ),
                ));
            }
        }
        if job.env.contains_key("APPLICATIONINSIGHTS_CONNECTION_STRING")
            || job.secrets.contains_key("APPLICATIONINSIGHTS_CONNECTION_STRING")
        {
            out.push(unsupported(
                span_of(&job.origins, &Field::Env(String::from("APPLICATIONINSIGHTS_CONNECTION_STRING")), job.origin),
                format!(
                    "job `{name}` sets `APPLICATIONINSIGHTS_CONNECTION_STRING`, which the azure target sets itself"
                ),
                "reserved variable",
                String::from("remove the variable"),
            ));
        }
    }
}

fn resources(environment: &Environment<'_>, out: &mut Out) {
    let stack = environment.stack;
    for resource in stack.resources.values() {
        let name = &resource.name;
        out.about(name);
        let mut push = |reason: String, label: &str, help: &str| {
            out.push(unsupported(resource.origin, format!("resource `{name}`: {reason}"), label, help.to_string()));
        };
        let version = match resource.kind {
            ResourceKind::Postgres => sizing::postgres_version(&resource.version).map(|_| ()),
            ResourceKind::Mysql => sizing::mysql_version(&resource.version).map(|_| ()),
            ResourceKind::Redis => sizing::redis_version(&resource.version).map(|_| ()),
            ResourceKind::Mssql => Ok(()),
        };
        if let Err(reason) = version {
            push(reason, "version not offered", "set `version` to one the message lists");
        }
        if resource.kind != ResourceKind::Redis {
            if let Err(reason) = sizing::storage_gb(resource.kind, resource.size, resource.storage) {
                push(reason, "storage too large", "lower `storage`, or choose a larger `size`");
            }
            if let Err(reason) = sizing::backup_days(resource.kind, resource.backup_days) {
                push(reason, "backup_days out of range", "set `backup_days` within the range in the message");
            }
            if !sizing::valid_database_name(resource.kind, &resource.database) {
                push(
                    format!("database name `{}` is not valid for {}", resource.database, resource.kind.as_str()),
                    "invalid database name",
                    "use letters, digits and '_' for `database` (and the environment's `resources.<r>.name`)",
                );
            }
        }
        let password = names::password_secret(name);
        if stack.secrets.contains_key(&password) {
            out.push(
                Diagnostic::new(
                    codes::DERIVED_NAME_INVALID,
                    resource.origin,
                    format!("Key Vault secret `{password}` would hold both the password of `{name}` and the model secret of that name"),
                )
                .with_label("password secret name clash")
                .with_help(format!("rename the model secret `{password}`")),
            );
        }
    }
}

/// Root module block names: fixed ones, `<service>_plan`, `<service>_migrate`, and model names with
/// `-` → `_`, all in one namespace.
fn block_names(environment: &Environment<'_>, out: &mut Out) {
    out.subject = None;
    let stack = environment.stack;
    let mut owners: BTreeMap<String, (String, Option<Span>)> = BTreeMap::new();
    for (block, what) in [
        ("resource_group", "resource group"),
        ("insights", "Log Analytics workspace and Application Insights"),
        ("key_vault", "Key Vault"),
        ("registry", "container registry"),
        ("plan", "shared App Service plan"),
        ("jobs", "Container Apps environment"),
    ] {
        owners.insert(block.to_string(), (format!("the {what} of the azure target"), None));
    }
    let mut claims: Vec<(String, String, Span)> = Vec::new();
    for service in stack.services.values() {
        let block = names::block(&service.name);
        claims.push((block.clone(), format!("service `{}`", service.name), service.origin));
        if service.autoscale.is_some() {
            claims.push((
                format!("{block}_plan"),
                format!("the dedicated plan of service `{}`", service.name),
                service.origin,
            ));
        }
        if service.migrate.is_some() {
            claims.push((
                format!("{block}_migrate"),
                format!("the migration of service `{}`", service.name),
                service.origin,
            ));
        }
    }
    for resource in stack.resources.values() {
        claims.push((names::block(&resource.name), format!("resource `{}`", resource.name), resource.origin));
    }
    for job in stack.jobs.values() {
        claims.push((names::block(&job.name), format!("job `{}`", job.name), job.origin));
    }
    for (block, owner, span) in claims {
        match owners.get(&block) {
            Some((other, other_span)) => {
                let mut diagnostic = Diagnostic::new(
                    codes::DERIVED_NAME_INVALID,
                    span,
                    format!("{owner} needs the module block `{block}`, which is already {other}"),
                )
                .with_label("module block name clash")
                .with_help(
                    "rename the service, resource or job (module block names are model names with '-' replaced by '_')",
                );
                if let Some(other_span) = other_span
                    && *other_span != span
                {
                    diagnostic = diagnostic.with_related(*other_span, "the other source of the name");
                }
                out.push(diagnostic);
            }
            None => {
                owners.insert(block, (owner, Some(span)));
            }
        }
    }
}
