//! Terraform for Azure (the Pact seed's primary platform): per environment that names `azure`, a root at
//! `terraform/azure/<env>/` (versions.tf, backend.tf, main.tf, variables.tf, outputs.tf) calling the
//! generic modules of `modules/azure/`, copied once to `terraform/azure/modules/`.
//!
//! The contract is `modules/azure/README.md`: which model value becomes which module argument, in which
//! order, and how Azure names are derived. Names always fit Azure's rules by construction (`names.rs`);
//! what Azure cannot express is a located diagnostic (`checks.rs`) or, when the platform decides it by
//! itself, a note in main.tf (`notes.rs`). Output is `terraform fmt`-clean, written by the HCL writer
//! shared with the aws target (`targets/hcl.rs`).

mod alerts;
pub mod checks;
mod files;
mod foundation;
mod internal;
mod names;
mod notes;
mod resources;
mod sizing;
mod values;
mod workloads;

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{AzureOptions, Compilation, ResourceKind, SecretRef, Stack, Stage, Target};
use crate::shared::FileSet;
use crate::targets::azure::internal::Wiring;
use crate::targets::azure::names::Names;
use crate::targets::hcl::{Block, Body};
use crate::targets::{EmitOptions, embedded, header};

/// One environment, with what every block of its root needs to know.
pub struct Environment<'a> {
    pub stack: &'a Stack,
    pub options: AzureOptions,
    pub names: Names<'a>,
    /// The validator's production notion: purge protection, geo-redundant backups, 90-day retention,
    /// a Premium registry.
    pub production: bool,
    pub wiring: Wiring,
}

impl<'a> Environment<'a> {
    fn new(stack: &'a Stack) -> Environment<'a> {
        Environment {
            stack,
            options: stack.config.azure.clone().unwrap_or_default(),
            names: Names { project: &stack.project, environment: &stack.environment },
            production: stack.stage == Stage::Production,
            wiring: internal::wire(stack),
        }
    }

    /// The model secrets that the environment's services and jobs use, sorted.
    pub fn used_secrets(&self) -> BTreeSet<String> {
        let services = self.stack.services.values().flat_map(|s| s.secrets.values());
        let jobs = self.stack.jobs.values().flat_map(|j| j.secrets.values());
        services
            .chain(jobs)
            .filter_map(|secret| match &secret.reference {
                SecretRef::Declared(name) => Some(name.clone()),
                SecretRef::ResourcePassword(_) => None,
            })
            .collect()
    }

    /// Whether a service or job uses the resource (it then needs the Azure-services firewall rule).
    pub fn resource_used(&self, resource: &str) -> bool {
        self.stack.services.values().any(|s| s.uses.contains(resource))
            || self.stack.jobs.values().any(|j| j.uses.contains(resource))
    }

    /// Whether a service or job sets `resource`'s whole connection URL (its module then writes the
    /// URL secret).
    pub fn url_used(&self, resource: &str) -> bool {
        let env = self
            .stack
            .services
            .values()
            .flat_map(|s| s.env.values())
            .chain(self.stack.jobs.values().flat_map(|j| j.env.values()));
        env.filter_map(|value| values::whole_url(self.stack, value)).any(|name| name == resource)
    }

    /// The modules the root calls.
    pub fn modules(&self) -> BTreeSet<&'static str> {
        let mut modules: BTreeSet<&'static str> =
            ["resource_group", "insights", "key_vault", "registry"].into_iter().collect();
        if !self.stack.services.is_empty() {
            modules.extend(["plan", "web_app"]);
        }
        if self.has_jobs() {
            modules.extend(["container_app_environment", "container_job"]);
        }
        let persistent = |service: &crate::ir::Service| {
            service.volumes.values().any(|volume| matches!(volume, crate::ir::Volume::Persistent(_)))
        };
        if self.stack.services.values().any(persistent) {
            modules.insert("file_share");
        }
        if self.stack.alerting.is_some() {
            modules.insert("alerts");
        }
        for resource in self.stack.resources.values() {
            modules.insert(match resource.kind {
                ResourceKind::Postgres => "postgres",
                ResourceKind::Mysql => "mysql",
                ResourceKind::Mssql => "mssql",
                ResourceKind::Redis => "redis",
            });
        }
        modules
    }

    /// Whether the environment runs Container Apps jobs (a job or a migration).
    pub fn has_jobs(&self) -> bool {
        !self.stack.jobs.is_empty() || self.stack.services.values().any(|s| s.migrate.is_some())
    }
}

/// Emit the target for every environment in `stacks` (checked by [`checks`]).
pub fn emit(_compilation: &Compilation, stacks: &[&Stack], options: &EmitOptions) -> FileSet {
    let mut files = FileSet::default();
    for stack in stacks {
        emit_environment(&Environment::new(stack), options, &mut files);
    }
    let used: BTreeSet<&str> = stacks.iter().flat_map(|stack| Environment::new(stack).modules()).collect();
    copy_modules(stacks, &used, &mut files);
    files
}

fn emit_environment(environment: &Environment<'_>, options: &EmitOptions, files: &mut FileSet) {
    let name = environment.stack.environment.as_str();
    let dir = format!("terraform/azure/{name}");
    let model_file = options.model_file.as_str();
    let mut insert = |file: &str, contents: String| {
        files.insert(format!("{dir}/{file}"), Target::Azure, Some(name), contents);
    };
    insert("versions.tf", files::versions(model_file));
    insert("backend.tf", files::backend(environment, model_file));
    insert("main.tf", main_tf(environment, model_file));
    insert("variables.tf", files::variables(environment, model_file));
    insert("outputs.tf", files::outputs(environment, model_file));
}

/// main.tf: locals, the shared blocks, plans, resources, services (each followed by its migration), jobs.
fn main_tf(environment: &Environment<'_>, model_file: &str) -> String {
    let stack = environment.stack;
    let mut file = Body::new();
    file.block(Block::new("locals", foundation::locals(environment))).blank();
    foundation::shared(environment, &mut file);
    foundation::plans(environment, &mut file);
    foundation::file_shares(environment, &mut file);
    for resource in stack.resources.values() {
        resources::resource(environment, resource, &mut file);
    }
    for service in stack.services.values() {
        workloads::service(environment, service, &mut file);
    }
    for job in stack.jobs.values() {
        workloads::job(environment, job, &mut file);
    }
    alerts::block(environment, &mut file);
    let text = file.render();
    let header = header::hash_comment(
        model_file,
        &[format!("Environment {} of project {} on Azure App Service.", stack.environment, stack.project)],
    );
    // Every block is followed by a blank line; the file ends right after the last one.
    format!("{header}\n{}\n", text.trim_end_matches('\n'))
}

/// The modules some root calls, once for every environment (`environment: None`): the embedded
/// `modules/azure/<module>/*.tf`, with the project's own `targets.azure.templates` files for those modules
/// added or replacing them. Modules nobody calls are left out: a scanner would judge them on their
/// defaults alone.
fn copy_modules(stacks: &[&Stack], used: &BTreeSet<&str>, files: &mut FileSet) {
    let wanted = |path: &str| path.ends_with(".tf") && path.split_once('/').is_some_and(|(m, _)| used.contains(m));
    let mut modules: BTreeMap<String, String> = embedded::under("modules/azure/")
        .into_iter()
        .filter(|(path, _)| wanted(path))
        .map(|(path, contents)| (path.to_string(), contents.to_string()))
        .collect();
    if let Some(options) = stacks.first().and_then(|stack| stack.config.azure.as_ref()) {
        for (path, contents) in &options.templates {
            if wanted(path) {
                modules.insert(path.clone(), contents.clone());
            }
        }
    }
    for (path, contents) in modules {
        files.insert(format!("terraform/azure/modules/{path}"), Target::Azure, None, contents);
    }
}
