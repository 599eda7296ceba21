//! What one environment's root needs, computed once: task sizes, schedules, used resources and
//! secrets, who may connect to what, listener priorities, ECR ownership, header notes. What the
//! user must fix was reported before, by `checks`.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{AwsOptions, Origin, ResourceKind, SecretRef, Stack};
use crate::targets::aws::ecr_path;
use crate::targets::aws::names::{Kind, Labels};
use crate::targets::aws::registry::Registry;
use crate::targets::ecs::fargate::TaskSize;

/// The smallest allocated storage RDS accepts for these engines, in GiB.
pub const MIN_STORAGE_GIB: u32 = 20;

/// One environment's root, planned.
pub struct Plan<'a> {
    pub stack: &'a Stack,
    pub aws: AwsOptions,
    pub labels: Labels,
    /// Fargate size of every service and job, by name.
    pub sizes: BTreeMap<String, TaskSize>,
    /// EventBridge Scheduler expression of every job.
    pub schedules: BTreeMap<String, String>,
    /// Resources some service or job uses, with their users (services and jobs).
    pub resource_users: BTreeMap<String, BTreeSet<(Kind, String)>>,
    /// Allocated storage of each used database, in GiB.
    pub storage: BTreeMap<String, u32>,
    /// Model secrets referenced in this environment.
    pub secrets: BTreeSet<String>,
    /// Listener rule priority of each public service.
    pub priorities: BTreeMap<String, u32>,
    /// The ECR registry of this account and region, if images come from it.
    pub registry: Option<Registry>,
    /// Extra lines for main.tf's header comment (after the Fargate sizes).
    pub notes: Vec<String>,
}

impl Plan<'_> {
    /// Whether an ALB is needed.
    pub fn has_load_balancer(&self) -> bool {
        !self.priorities.is_empty()
    }

    /// The module label of a service, resource or job.
    pub fn label(&self, kind: Kind, name: &str) -> String {
        self.labels.get(kind, name)
    }

    /// The ECR repository path of an image, if it lives in this account's ECR.
    pub fn ecr_path(&self, image: &crate::ir::Image) -> Option<String> {
        ecr_path(image, &self.aws.account_id, &self.aws.region)
    }
}

/// Plan the root of `stack`.
/// (`checks` rejected what the root cannot express before emission: task sizes, schedules and
/// database names are valid here.)
pub fn plan<'a>(stack: &'a Stack, registries: &BTreeMap<(String, String), Registry>) -> Plan<'a> {
    let aws = stack.config.aws.clone().unwrap_or_default();
    let mut sizes = BTreeMap::new();
    for service in stack.services.values() {
        if let Some(size) = crate::targets::ecs::fargate::for_compute(&service.compute) {
            sizes.insert(service.name.clone(), size);
        }
    }
    let mut schedules = BTreeMap::new();
    let mut notes = Vec::new();
    for job in stack.jobs.values() {
        if let Some(size) = crate::targets::ecs::fargate::for_compute(&job.compute) {
            sizes.insert(job.name.clone(), size);
        }
        if let Ok(expression) = crate::targets::ecs::schedule::eventbridge(&job.schedule) {
            schedules.insert(job.name.clone(), expression);
        }
        let set = |field: &str| job.origins.get(field).is_some_and(|origin| origin.span.is_some());
        let unenforced: Vec<&str> = [("timeout", set("timeout")), ("concurrency", set("concurrency"))]
            .into_iter()
            .filter_map(|(field, is_set)| is_set.then_some(field))
            .collect();
        if !unenforced.is_empty() {
            notes.push(format!(
                "{}: {} not enforced on AWS (EventBridge Scheduler and ECS have no equivalent).",
                job.name,
                unenforced.join(" and ")
            ));
        }
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

    let mut storage = BTreeMap::new();
    for name in resource_users.keys() {
        let Some(resource) = stack.resources.get(name) else { continue };
        if resource.kind == ResourceKind::Redis {
            continue;
        }
        let gibibytes = resource.storage.gibibytes_ceil();
        if gibibytes < MIN_STORAGE_GIB {
            notes.push(format!(
                "{name}: storage {} raised to {MIN_STORAGE_GIB} GiB, the smallest RDS allocates.",
                resource.storage.kubernetes()
            ));
        }
        storage.insert(name.clone(), gibibytes.max(MIN_STORAGE_GIB));
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

    for service in stack.services.values() {
        if let Some(autoscale) = &service.autoscale
            && autoscale.cpu.is_none()
        {
            notes.push(format!(
                    "{}: autoscaling on memory only; the service module also needs a CPU target, set to 100 % so it never adds tasks.",
                    service.name
                ));
        }
    }

    Plan {
        stack,
        labels: Labels::of(stack),
        registry: registries.get(&(aws.account_id.clone(), aws.region.clone())).cloned(),
        aws,
        sizes,
        schedules,
        resource_users,
        storage,
        secrets,
        priorities,
        notes,
    }
}

/// Whether `field` of a workload was set in the model (not a built-in default).
pub fn is_set(origins: &BTreeMap<String, Origin>, field: &str) -> bool {
    origins.get(field).is_some_and(|origin| origin.span.is_some())
}
