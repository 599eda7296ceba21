//! main.tf of a root: header comment, locals, shared infrastructure, resources, services, jobs
//! (contract sections 3 and 4).

use std::collections::BTreeSet;

use crate::ir::{Job, ResourceKind, Service};
use crate::targets::EmitOptions;
use crate::targets::aws::names::{self, Kind};
use crate::targets::aws::plan::{self, Plan};
use crate::targets::aws::root::file;
use crate::targets::aws::values::References;
use crate::targets::ecs::container::{self, Place, Workload};
use crate::targets::ecs::fargate::{self, TaskSize};
use crate::targets::hcl::{self, Block, Body, Expr};

/// Width of the header comment lines, `# ` included.
const COMMENT_WIDTH: usize = 100;

/// main.tf of `plan`'s environment.
pub fn render(plan: &Plan<'_>, options: &EmitOptions) -> String {
    let stack = plan.stack;
    let mut file_body = Body::new();
    let mut locals = Body::new();
    locals
        .attribute("project", Expr::string(&stack.project))
        .attribute("environment", Expr::string(&stack.environment));
    file_body.block(Block::new("locals", locals));

    section(&mut file_body, "Shared infrastructure.", shared(plan));
    let resources: Vec<Block> = plan.resource_users.keys().filter_map(|name| resource(plan, name)).collect();
    section(&mut file_body, "Resources.", resources);
    section(&mut file_body, "Services.", stack.services.values().filter_map(|s| service(plan, s)).collect());
    section(&mut file_body, "Jobs.", stack.jobs.values().filter_map(|j| job(plan, j)).collect());
    file(options, &header(plan), &file_body)
}

fn section(file_body: &mut Body, title: &str, blocks: Vec<Block>) {
    if blocks.is_empty() {
        return;
    }
    file_body.blank().comment(title);
    for block in blocks {
        file_body.blank().block(block);
    }
}

fn header(plan: &Plan<'_>) -> Vec<String> {
    let stack = plan.stack;
    let aws = &plan.aws;
    let mut lines = vec![
        String::new(),
        format!(
            "Environment {} of project {} on AWS ({}, account {}).",
            stack.environment, stack.project, aws.region, aws.account_id
        ),
    ];
    let sizes: Vec<String> = stack
        .services
        .values()
        .map(|s| (&s.name, &s.compute))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.compute)))
        .filter_map(|(name, compute)| Some(fargate::describe(name, compute, *plan.sizes.get(name)?)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !sizes.is_empty() {
        lines.extend(wrap("Fargate sizes:", &sizes));
    }
    if let Some(registry) = &plan.registry {
        let line = format!(
            "ECR repositories of account {} in {} are created by terraform/aws/{} (apply it first).",
            aws.account_id,
            aws.region,
            registry.dir()
        );
        lines.extend(fill(line.split(' ').map(String::from).collect()));
    }
    for note in &plan.notes {
        lines.extend(fill(note.split(' ').map(String::from).collect()));
    }
    lines
}

/// `lead a; b; c.` wrapped at [`COMMENT_WIDTH`] between entries.
fn wrap(lead: &str, entries: &[String]) -> Vec<String> {
    let mut pieces = vec![lead.to_string()];
    for (index, entry) in entries.iter().enumerate() {
        pieces.push(if index + 1 == entries.len() { format!("{entry}.") } else { format!("{entry};") });
    }
    fill(pieces)
}

/// Unbreakable pieces joined by spaces, as many per line as fit in [`COMMENT_WIDTH`] (with `# `).
pub fn fill(pieces: Vec<String>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        if line.is_empty() {
            line = piece;
        } else if 2 + line.len() + 1 + piece.len() <= COMMENT_WIDTH {
            line.push(' ');
            line.push_str(&piece);
        } else {
            lines.push(std::mem::replace(&mut line, piece));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The body of a `module` block: the source, then a blank line.
fn module(source: &str) -> Body {
    let mut body = Body::new();
    body.attribute("source", Expr::string(&format!("../modules/{source}"))).blank();
    body
}

fn project_environment(body: &mut Body) {
    body.attribute("project", Expr::raw("local.project")).attribute("environment", Expr::raw("local.environment"));
}

const KMS: &str = "module.kms.key_arn";

fn shared(plan: &Plan<'_>) -> Vec<Block> {
    let stack = plan.stack;
    let mut blocks = Vec::new();
    let mut kms = module("kms");
    project_environment(&mut kms);
    blocks.push(Block::labelled("module", "kms", kms));

    let mut network = module("network");
    project_environment(&mut network);
    match &plan.aws.vpc {
        Some(vpc) => {
            network
                .attribute("existing_vpc_id", Expr::string(&vpc.id))
                .attribute("existing_public_subnet_ids", Expr::strings(vpc.public_subnets.iter().map(String::as_str)))
                .attribute(
                    "existing_private_subnet_ids",
                    Expr::strings(vpc.private_subnets.iter().map(String::as_str)),
                );
        }
        None => {
            if plan.aws.single_nat_gateway {
                network.attribute("single_nat_gateway", Expr::raw("true"));
            }
            network.attribute("kms_key_arn", Expr::raw(KMS));
        }
    }
    blocks.push(Block::labelled("module", "network", network));

    let mut cluster = module("cluster");
    project_environment(&mut cluster);
    cluster.attribute("vpc_id", Expr::raw("module.network.vpc_id"));
    blocks.push(Block::labelled("module", "cluster", cluster));

    if !plan.secrets.is_empty() {
        let mut body = module("secrets");
        project_environment(&mut body);
        body.attribute("names", Expr::strings(plan.secrets.iter().map(String::as_str)));
        let descriptions: Vec<(String, Expr)> = plan
            .secrets
            .iter()
            .filter_map(|name| {
                let description = stack.secrets.get(name)?.description.as_ref()?;
                Some((name.clone(), Expr::string(description)))
            })
            .collect();
        if !descriptions.is_empty() {
            body.attribute("descriptions", Expr::map(descriptions));
        }
        body.attribute("kms_key_arn", Expr::raw(KMS));
        blocks.push(Block::labelled("module", "secrets", body));
    }

    if plan.has_load_balancer() {
        let mut body = module("load_balancer");
        project_environment(&mut body);
        body.attribute("name", Expr::string(&names::fit_32(&format!("{}-{}", stack.project, stack.environment))))
            .attribute("vpc_id", Expr::raw("module.network.vpc_id"))
            .attribute("public_subnet_ids", Expr::raw("module.network.public_subnet_ids"))
            .attribute("certificate_arn", Expr::raw("var.certificate_arn"))
            .attribute("deletion_protection", Expr::raw(bool_text(plan.aws.protect)));
        blocks.push(Block::labelled("module", "load_balancer", body));
    }
    blocks
}

fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// `{ "<user>" = module.<user>.security_group_id }` for each user.
fn security_groups(plan: &Plan<'_>, users: &BTreeSet<(Kind, String)>) -> Expr {
    let sorted: BTreeSet<(&String, Kind)> = users.iter().map(|(kind, name)| (name, *kind)).collect();
    Expr::map(
        sorted.into_iter().map(|(name, kind)| {
            (name.clone(), Expr::raw(format!("module.{}.security_group_id", plan.label(kind, name))))
        }),
    )
}

fn resource(plan: &Plan<'_>, name: &str) -> Option<Block> {
    let resource = plan.stack.resources.get(name)?;
    let users = plan.resource_users.get(name)?;
    let source = match resource.kind {
        ResourceKind::Postgres => "postgres",
        ResourceKind::Mysql => "mysql",
        ResourceKind::Mssql => "mssql",
        ResourceKind::Redis => "redis",
    };
    let mut body = module(source);
    project_environment(&mut body);
    body.attribute("name", Expr::string(name))
        .attribute("engine_version", Expr::string(&resource.version))
        .attribute("size", Expr::string(resource.size.as_str()));
    let protect = bool_text(plan.aws.protect);
    if resource.kind == ResourceKind::Redis {
        body.attribute("high_availability", Expr::raw(protect));
    } else {
        let storage = plan.storage.get(name).copied().unwrap_or(plan::MIN_STORAGE_GIB);
        body.attribute("storage", Expr::raw(storage.to_string()))
            .attribute("backup_days", Expr::raw(resource.backup_days.to_string()))
            .attribute("database_name", Expr::string(&resource.database))
            .attribute("multi_az", Expr::raw(protect))
            .attribute("deletion_protection", Expr::raw(protect));
    }
    body.attribute("vpc_id", Expr::raw("module.network.vpc_id"))
        .attribute("subnet_ids", Expr::raw("module.network.private_subnet_ids"))
        .attribute("allowed_security_group_ids", security_groups(plan, users))
        .attribute("kms_key_arn", Expr::raw(KMS));
    Some(Block::labelled("module", &plan.label(Kind::Resource, name), body))
}

/// Arguments every task-running module takes after `name`.
fn network_arguments(body: &mut Body) {
    body.attribute("vpc_id", Expr::raw("module.network.vpc_id"))
        .attribute("vpc_cidr_block", Expr::raw("module.network.vpc_cidr_block"))
        .attribute("private_subnet_ids", Expr::raw("module.network.private_subnet_ids"));
}

fn task_size(body: &mut Body, size: TaskSize) {
    body.attribute("cpu", Expr::string(&size.cpu.to_string()))
        .attribute("memory", Expr::string(&size.memory.to_string()));
}

fn definitions(plan: &Plan<'_>, workload: Workload<'_>, size: TaskSize) -> Expr {
    let place = Place { project: &plan.stack.project, environment: &plan.stack.environment, region: &plan.aws.region };
    let references = References { stack: plan.stack, labels: &plan.labels };
    let definition = container::definition(workload, size, &place, &references);
    Expr::Call(String::from("jsonencode"), Box::new(Expr::List(vec![hcl::from_node(&definition)])))
}

/// `secret_arns`, `ecr_repository_arns` and `kms_key_arn`, the tail of every task-running module.
fn access(plan: &Plan<'_>, body: &mut Body, workloads: &[Workload<'_>], image: &crate::ir::Image) {
    let references = References { stack: plan.stack, labels: &plan.labels };
    let secrets: BTreeSet<_> = workloads.iter().flat_map(|workload| workload.secret_refs()).collect();
    let arns = references.secret_arns(&secrets);
    if !arns.is_empty() {
        body.attribute("secret_arns", Expr::List(arns.into_iter().map(Expr::Raw).collect()));
    }
    if let Some(path) = plan.ecr_path(image) {
        let arn = hcl::quote(&format!("arn:aws:ecr:{}:{}:repository/{path}", plan.aws.region, plan.aws.account_id));
        body.attribute("ecr_repository_arns", Expr::raw(format!("[{arn}]")));
    }
}

fn service(plan: &Plan<'_>, service: &Service) -> Option<Block> {
    let stack = plan.stack;
    let size = *plan.sizes.get(&service.name)?;
    let mut body = module("service");
    project_environment(&mut body);
    body.attribute("name", Expr::string(&service.name))
        .attribute("cluster_arn", Expr::raw("module.cluster.arn"))
        .attribute("cluster_name", Expr::raw("module.cluster.name"))
        .attribute("service_discovery_namespace_id", Expr::raw("module.cluster.namespace_id"))
        .attribute("service_discovery_namespace_name", Expr::raw("module.cluster.namespace_name"));
    network_arguments(&mut body);
    task_size(&mut body, size);
    if let Some(port) = service.http_port() {
        body.attribute("container_port", Expr::raw(port.to_string()));
    }
    if let Some(metrics) = &service.metrics {
        body.attribute("metrics_port", Expr::raw(metrics.port.to_string()));
    }
    if service.autoscale.is_none() {
        body.attribute("desired_count", Expr::raw(service.replicas.to_string()));
    }
    let scratch = container::scratch_volumes(&service.volumes);
    if !scratch.is_empty() {
        body.attribute("scratch_volumes", Expr::strings(scratch.iter().map(|(_, name)| name.as_str())));
    }
    if let Some(autoscale) = &service.autoscale {
        // The module always takes a CPU target; 100 % never adds tasks (memory-only scaling).
        let mut fields = vec![
            (String::from("min"), Expr::raw(autoscale.min.to_string())),
            (String::from("max"), Expr::raw(autoscale.max.to_string())),
            (String::from("cpu"), Expr::raw(autoscale.cpu.unwrap_or(100).to_string())),
        ];
        if let Some(memory) = autoscale.memory {
            fields.push((String::from("memory"), Expr::raw(memory.to_string())));
        }
        body.attribute("autoscale", Expr::Object(fields));
    }
    if let (Some(ingress), Some(priority)) = (&service.ingress, plan.priorities.get(&service.name)) {
        let target_group = names::fit_32(&format!("{}-{}-{}", stack.project, stack.environment, service.name));
        let mut fields = vec![
            (String::from("listener_arn"), Expr::raw("module.load_balancer.listener_arn")),
            (String::from("security_group_id"), Expr::raw("module.load_balancer.security_group_id")),
            (String::from("target_group_name"), Expr::string(&target_group)),
            (String::from("priority"), Expr::raw(priority.to_string())),
        ];
        if let Some(host) = &ingress.host {
            fields.push((String::from("host"), Expr::string(host)));
        }
        fields.push((String::from("path"), Expr::string(&ingress.path)));
        match service.health.as_ref().map(|h| &h.check) {
            Some(crate::ir::HealthCheck::Http { ready, .. }) => {
                fields.push((String::from("health_check_path"), Expr::string(ready)));
            }
            _ => {
                fields.push((String::from("health_check_path"), Expr::string("/")));
                fields.push((String::from("health_check_matcher"), Expr::string("200-499")));
            }
        }
        body.attribute("load_balancer", Expr::Object(fields));
    }
    body.attribute("container_definitions", definitions(plan, Workload::Service(service), size));
    let mut workloads = vec![Workload::Service(service)];
    if service.migrate.is_some() {
        body.attribute("migration_container_definitions", definitions(plan, Workload::Migration(service), size))
            .attribute("run_migration", Expr::raw("var.run_migrations"));
        workloads.push(Workload::Migration(service));
    }
    access(plan, &mut body, &workloads, &service.image);
    if !service.called_by.is_empty() {
        let callers: BTreeSet<(Kind, String)> = service
            .called_by
            .iter()
            .map(|caller| {
                let kind = if stack.services.contains_key(caller) { Kind::Service } else { Kind::Job };
                (kind, caller.clone())
            })
            .collect();
        body.attribute("caller_security_group_ids", security_groups(plan, &callers));
    }
    body.attribute("kms_key_arn", Expr::raw(KMS));
    Some(Block::labelled("module", &plan.label(Kind::Service, &service.name), body))
}

fn job(plan: &Plan<'_>, job: &Job) -> Option<Block> {
    let size = *plan.sizes.get(&job.name)?;
    let expression = plan.schedules.get(&job.name)?;
    let mut body = module("scheduled_job");
    project_environment(&mut body);
    body.attribute("name", Expr::string(&job.name)).attribute("schedule_expression", Expr::string(expression));
    if plan::is_set(&job.origins, "retries") {
        body.attribute("retries", Expr::raw(job.retries.to_string()));
    }
    body.attribute("cluster_arn", Expr::raw("module.cluster.arn"));
    network_arguments(&mut body);
    task_size(&mut body, size);
    let scratch = container::scratch_volumes(&job.volumes);
    if !scratch.is_empty() {
        body.attribute("scratch_volumes", Expr::strings(scratch.iter().map(|(_, name)| name.as_str())));
    }
    body.attribute("container_definitions", definitions(plan, Workload::Job(job), size));
    access(plan, &mut body, &[Workload::Job(job)], &job.image);
    body.attribute("kms_key_arn", Expr::raw(KMS));
    Some(Block::labelled("module", &plan.label(Kind::Job, &job.name), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_entries_at_the_comment_width() {
        let entries = [
            String::from("dox-auth 250m/512Mi -> 256/512"),
            String::from("dox-core-store 500m/1Gi -> 512/1024"),
            String::from("nightly-report 250m/512Mi -> 256/512"),
        ];
        assert_eq!(
            wrap("Fargate sizes:", &entries),
            [
                "Fargate sizes: dox-auth 250m/512Mi -> 256/512; dox-core-store 500m/1Gi -> 512/1024;",
                "nightly-report 250m/512Mi -> 256/512.",
            ]
        );
    }
}
