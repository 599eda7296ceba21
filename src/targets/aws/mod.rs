//! The aws target: for every environment that names it, a Terraform root `terraform/aws/<env>/`
//! (versions.tf, backend.tf, main.tf, variables.tf, outputs.tf) calling the generic modules of
//! `modules/aws/`, copied once to `terraform/aws/modules/`. The contract (arguments, order, names,
//! formatting) is `modules/aws/README.md`; its example roots are reproduced byte for byte by the
//! `aws-mssql` and `aws-existing-vpc` cases.
//!
//! Laid out as the azure target is: [`Environment`] holds what every block needs; `files` writes
//! versions.tf, backend.tf, variables.tf and outputs.tf, and main.tf is [`foundation`] (locals and
//! shared infrastructure), [`resources`], [`workloads`] and [`alerts`], with the header from `notes`;
//! `checks` reports what the target cannot express, before anything is written. Container
//! definitions, task sizes and schedules are [`crate::targets::fargate`]'s, shared with the ecs
//! target, with placeholders and secrets written as references to module outputs ([`values`]).
//! The ECR repositories get a root of their own ([`registry`]). Files are written by the HCL
//! writer shared with the azure target ([`crate::targets::hcl`]), whose output is what
//! `terraform fmt` produces.

mod alerts;
pub mod backup;
pub mod checks;
mod files;
mod foundation;
pub mod names;
mod notes;
pub mod registry;
mod resources;
mod sizing;
pub mod values;
mod workloads;

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{AwsOptions, Compilation, Image, ResourceKind, SecretRef, Stack, Target};
use crate::shared::FileSet;
use crate::targets::aws::names::{Kind, Labels};
use crate::targets::aws::registry::Registry;
pub use crate::targets::aws::registry::ecr_path;
use crate::targets::fargate::schedule;
use crate::targets::fargate::size::{self, TaskSize};
use crate::targets::hcl::{Block, Body};
use crate::targets::{EmitOptions, embedded};

/// One environment, with what every block of its root needs to know (computed once).
pub struct Environment<'a> {
    pub stack: &'a Stack,
    pub aws: AwsOptions,
    pub labels: Labels,
    /// Fargate size of every service and job, by name.
    pub sizes: BTreeMap<String, TaskSize>,
    /// EventBridge Scheduler expression of every job.
    pub schedules: BTreeMap<String, String>,
    /// Resources some service or job uses, with their users (services and jobs).
    pub resource_users: BTreeMap<String, BTreeSet<(Kind, String)>>,
    /// Model secrets referenced in this environment.
    pub secrets: BTreeSet<String>,
    /// Listener rule priority of each public service.
    pub priorities: BTreeMap<String, u32>,
    /// The ECR registry of this account and region, if images come from it.
    pub registry: Option<Registry>,
    /// Extra lines for main.tf's header comment (after the Fargate sizes).
    pub notes: Vec<String>,
}

impl<'a> Environment<'a> {
    /// What the root of `stack` needs. (`checks` rejected what the root cannot express before
    /// emission: task sizes, schedules and database names are valid here.)
    fn new(stack: &'a Stack, registries: &BTreeMap<(String, String), Registry>) -> Environment<'a> {
        let aws = stack.config.aws.clone().unwrap_or_default();
        let mut sizes = BTreeMap::new();
        for service in stack.services.values() {
            if let Some(size) = size::for_compute(&service.compute) {
                sizes.insert(service.name.clone(), size);
            }
        }
        let mut schedules = BTreeMap::new();
        let mut lines = Vec::new();
        for job in stack.jobs.values() {
            if let Some(size) = size::for_compute(&job.compute) {
                sizes.insert(job.name.clone(), size);
            }
            if let Ok(expression) = schedule::eventbridge(&job.schedule) {
                schedules.insert(job.name.clone(), expression);
            }
            lines.extend(notes::job(job));
        }

        let mut resource_users: BTreeMap<String, BTreeSet<(Kind, String)>> = BTreeMap::new();
        let mut secrets = BTreeSet::new();
        let workloads = stack
            .services
            .values()
            .map(|s| (Kind::Service, &s.name, &s.uses, &s.secrets))
            .chain(stack.jobs.values().map(|j| (Kind::Job, &j.name, &j.uses, &j.secrets)));
        for (kind, name, uses, secret_envs) in workloads {
            for resource in uses {
                resource_users.entry(resource.clone()).or_default().insert((kind, name.clone()));
            }
            for secret in secret_envs.values() {
                match &secret.reference {
                    SecretRef::Declared(secret) => {
                        secrets.insert(secret.clone());
                    }
                    SecretRef::ResourcePassword(resource) => {
                        resource_users.entry(resource.clone()).or_default().insert((kind, name.clone()));
                    }
                }
            }
        }
        resource_users.retain(|name, _| stack.resources.contains_key(name));

        for name in resource_users.keys() {
            let resource = stack.resources.get(name).filter(|resource| resource.kind != ResourceKind::Redis);
            lines.extend(resource.and_then(|resource| notes::storage(name, resource)));
        }

        let mut public: Vec<(&String, &crate::ir::Ingress)> =
            stack.services.values().filter_map(|s| s.ingress.as_ref().map(|ingress| (&s.name, ingress))).collect();
        public.sort_by(|(a_name, a), (b_name, b)| {
            (a.host.is_none(), &a.host, std::cmp::Reverse(a.path.len()), a_name).cmp(&(
                b.host.is_none(),
                &b.host,
                std::cmp::Reverse(b.path.len()),
                b_name,
            ))
        });
        let priorities =
            public.into_iter().enumerate().map(|(index, (name, _))| (name.clone(), 100 + 10 * index as u32)).collect();

        lines.extend(stack.services.values().filter_map(notes::service));

        Environment {
            stack,
            labels: Labels::of(stack),
            registry: registries.get(&(aws.account_id.clone(), aws.region.clone())).cloned(),
            aws,
            sizes,
            schedules,
            resource_users,
            secrets,
            priorities,
            notes: lines,
        }
    }

    /// Whether an ALB is needed.
    pub fn has_load_balancer(&self) -> bool {
        !self.priorities.is_empty()
    }

    /// The module label of a service, resource or job.
    pub fn label(&self, kind: Kind, name: &str) -> String {
        self.labels.get(kind, name)
    }

    /// The ECR repository path of an image, if it lives in this account's ECR.
    pub fn ecr_path(&self, image: &Image) -> Option<String> {
        ecr_path(image, &self.aws.account_id, &self.aws.region)
    }
}

/// Emit the target for every environment in `stacks` (checked by [`checks`]), and the shared root
/// of each account's ECR repositories ([`registry`]).
pub fn emit(compilation: &Compilation, stacks: &[&Stack], options: &EmitOptions) -> FileSet {
    let mut files = FileSet::default();
    let registries = registry::registries(compilation, stacks);
    for stack in stacks {
        emit_environment(&Environment::new(stack, &registries), options, &mut files);
    }
    if let Some(first) = stacks.first() {
        for registry in registries.values() {
            for (name, text) in registry::files(registry, &first.project, &first.tags, &options.model_file) {
                files.insert(format!("terraform/aws/{}/{name}", registry.dir()), Target::Aws, None, text);
            }
        }
    }
    copy_modules(stacks, options, &mut files);
    files
}

fn emit_environment(environment: &Environment<'_>, options: &EmitOptions, files: &mut FileSet) {
    let name = environment.stack.environment.as_str();
    let dir = format!("terraform/aws/{name}");
    let model_file = options.model_file.as_str();
    let mut insert = |file: &str, contents: String| {
        files.insert(format!("{dir}/{file}"), Target::Aws, Some(name), contents);
    };
    insert("versions.tf", files::versions(environment, model_file));
    insert("backend.tf", files::backend(environment, model_file));
    insert("main.tf", main_tf(environment, model_file));
    insert("variables.tf", files::variables(environment, model_file));
    insert("outputs.tf", files::outputs(environment, model_file));
}

/// main.tf: the header, locals, the shared infrastructure, then the resources, services and jobs,
/// each section under its comment (contract sections 3 and 4).
fn main_tf(environment: &Environment<'_>, model_file: &str) -> String {
    let stack = environment.stack;
    let mut file = Body::new();
    file.block(Block::new("locals", foundation::locals(environment)));
    foundation::shared(environment, &mut file);
    let used: Vec<_> = environment.resource_users.keys().filter_map(|name| stack.resources.get(name)).collect();
    if !used.is_empty() {
        file.blank().comment("Resources.");
    }
    for resource in used {
        resources::resource(environment, resource, &mut file);
    }
    backup::blocks(environment, &mut file);
    if !stack.services.is_empty() {
        file.blank().comment("Services.");
    }
    for service in stack.services.values() {
        workloads::service(environment, service, &mut file);
    }
    if !stack.jobs.is_empty() {
        file.blank().comment("Jobs.");
    }
    for job in stack.jobs.values() {
        workloads::job(environment, job, &mut file);
    }
    alerts::block(environment, &mut file);
    files::file(model_file, &notes::header(environment), &file)
}

/// The modules, once for all environments: every `*.tf` and `*.sh` of `modules/aws/`, then the project's own
/// `targets.aws.templates` files on top (added or replacing).
fn copy_modules(stacks: &[&Stack], options: &EmitOptions, files: &mut FileSet) {
    let default_header = crate::targets::header::hash_comment(crate::shared::MODEL_FILE, &[]);
    let header = crate::targets::header::hash_comment(&options.model_file, &[]);
    for (path, contents) in embedded::under("modules/aws/") {
        // Terraform files, and the scripts a module runs (the service's run-migration.sh).
        if !path.ends_with(".tf") && !path.ends_with(".sh") {
            continue;
        }
        let text = match contents.strip_prefix(&default_header) {
            Some(rest) if header != default_header => format!("{header}{rest}"),
            _ => contents.to_string(),
        };
        files.insert(format!("terraform/aws/modules/{path}"), Target::Aws, None, text);
    }
    let templates = stacks.iter().find_map(|stack| stack.config.aws.as_ref()).map(|aws| &aws.templates);
    for (path, contents) in templates.into_iter().flatten() {
        if path.ends_with(".tf") && !path.split('/').any(|part| part == ".." || part.is_empty()) {
            files.insert(format!("terraform/aws/modules/{path}"), Target::Aws, None, contents.clone());
        }
    }
}
