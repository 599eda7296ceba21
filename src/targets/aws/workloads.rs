//! One module block per service (`service`, with its migration) and per scheduled job
//! (`scheduled_job`): task size, container definitions (shared with the ecs target), network access,
//! secrets and images.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Egress, Field, Job, Origins, Security, Service, Volume};
use crate::targets::aws::Environment;
use crate::targets::aws::foundation::{KMS, module, project_environment, security_groups};
use crate::targets::aws::names::{self, Kind};
use crate::targets::aws::values::References;
use crate::targets::fargate::container::{self, Place, Workload};
use crate::targets::fargate::size::TaskSize;
use crate::targets::hcl::{self, Block, Body, Expr};

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

fn definitions(environment: &Environment<'_>, workload: Workload<'_>, size: TaskSize) -> Expr {
    let place = Place {
        project: &environment.stack.project,
        environment: &environment.stack.environment,
        region: &environment.aws.region,
    };
    let references = References { stack: environment.stack, labels: &environment.labels };
    let definition = container::definition(workload, size, &place, &references);
    Expr::Call(String::from("jsonencode"), Box::new(Expr::List(vec![hcl::from_node(&definition)])))
}

/// `secret_arns`, `ecr_repository_arns` and `kms_key_arn`, the tail of every task-running module.
fn access(environment: &Environment<'_>, body: &mut Body, workloads: &[Workload<'_>], image: &crate::ir::Image) {
    let references = References { stack: environment.stack, labels: &environment.labels };
    let secrets: BTreeSet<_> = workloads.iter().flat_map(|workload| workload.secret_refs()).collect();
    let arns = references.secret_arns(&secrets);
    if !arns.is_empty() {
        body.attribute("secret_arns", Expr::List(arns.into_iter().map(Expr::Raw).collect()));
    }
    if let Some(path) = environment.ecr_path(image) {
        let arn = hcl::quote(&format!(
            "arn:aws:ecr:{}:{}:repository/{path}",
            environment.aws.region, environment.aws.account_id
        ));
        body.attribute("ecr_repository_arns", Expr::raw(format!("[{arn}]")));
    }
}

/// The module block of `service` (and its migration), after a blank line.
pub fn service(environment: &Environment<'_>, service: &Service, file: &mut Body) {
    let stack = environment.stack;
    let Some(size) = environment.sizes.get(&service.name).copied() else { return };
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
    volumes(&mut body, &service.volumes, &service.security);
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
    if let (Some(ingress), Some(priority)) = (&service.ingress, environment.priorities.get(&service.name)) {
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
    body.attribute("container_definitions", definitions(environment, Workload::Service(service), size));
    let mut workloads = vec![Workload::Service(service)];
    if service.migrate.is_some() {
        body.attribute("migration_container_definitions", definitions(environment, Workload::Migration(service), size))
            .attribute("run_migration", Expr::raw("var.run_migrations"));
        workloads.push(Workload::Migration(service));
    }
    access(environment, &mut body, &workloads, &service.image);
    if !service.called_by.is_empty() {
        let callers: BTreeSet<(Kind, String)> = service
            .called_by
            .iter()
            .map(|caller| {
                let kind = if stack.services.contains_key(caller) { Kind::Service } else { Kind::Job };
                (kind, caller.clone())
            })
            .collect();
        body.attribute("caller_security_group_ids", security_groups(environment, &callers));
    }
    if let Some(egress) = egress_rules(&service.egress) {
        body.attribute("egress", egress);
    }
    body.attribute("kms_key_arn", Expr::raw(KMS));
    file.blank().block(Block::labelled("module", &environment.label(Kind::Service, &service.name), body));
}

/// The module block of `job`, after a blank line.
pub fn job(environment: &Environment<'_>, job: &Job, file: &mut Body) {
    let (Some(size), Some(expression)) =
        (environment.sizes.get(&job.name).copied(), environment.schedules.get(&job.name))
    else {
        return;
    };
    let mut body = module("scheduled_job");
    project_environment(&mut body);
    body.attribute("name", Expr::string(&job.name)).attribute("schedule_expression", Expr::string(expression));
    if is_set(&job.origins, &Field::Retries) {
        body.attribute("retries", Expr::raw(job.retries.to_string()));
    }
    body.attribute("cluster_arn", Expr::raw("module.cluster.arn"));
    network_arguments(&mut body);
    task_size(&mut body, size);
    volumes(&mut body, &job.volumes, &job.security);
    body.attribute("container_definitions", definitions(environment, Workload::Job(job), size));
    access(environment, &mut body, &[Workload::Job(job)], &job.image);
    if let Some(egress) = egress_rules(&job.egress) {
        body.attribute("egress", egress);
    }
    body.attribute("kms_key_arn", Expr::raw(KMS));
    file.blank().block(Block::labelled("module", &environment.label(Kind::Job, &job.name), body));
}

/// The module's `egress` map: one security group rule per address range and port, keyed
/// `<cidr>:<port>`. A host name is 0.0.0.0/0 (security groups cannot match names); the rule's
/// description names the hosts (at most 255 characters, as AWS allows).
fn egress_rules(egress: &[Egress]) -> Option<Expr> {
    let mut rules: BTreeMap<(String, u16), Vec<String>> = BTreeMap::new();
    for entry in egress {
        let cidr = entry.host.cidr().unwrap_or_else(|| String::from("0.0.0.0/0"));
        rules.entry((cidr, entry.port)).or_default().push(entry.host.to_string());
    }
    if rules.is_empty() {
        return None;
    }
    Some(Expr::map(rules.into_iter().map(|((cidr, port), hosts)| {
        let mut description = format!("Declared egress: {}", hosts.join(", "));
        if description.len() > 255 {
            description.truncate(252);
            description.push_str("...");
        }
        let rule = Expr::object([
            (String::from("cidr"), Expr::string(&cidr)),
            (String::from("port"), Expr::number(port)),
            (String::from("description"), Expr::string(&description)),
        ]);
        (format!("{cidr}:{port}"), rule)
    })))
}

/// Whether `field` of a workload was set in the model (not a built-in default).
/// `scratch_volumes` (task storage), and `persistent_volumes` (task volume name → container path)
/// with the user and group their EFS access points enter as.
fn volumes(body: &mut Body, volumes: &BTreeMap<String, Volume>, security: &Security) {
    let scratch = container::scratch_volumes(volumes);
    if !scratch.is_empty() {
        body.attribute("scratch_volumes", Expr::strings(scratch.iter().map(|(_, name)| name.as_str())));
    }
    let persistent = container::persistent_volumes(volumes);
    if !persistent.is_empty() {
        let entries: Vec<String> =
            persistent.iter().map(|(path, name)| format!("{} = {}", hcl::quote(name), hcl::quote(path))).collect();
        body.attribute("persistent_volumes", Expr::raw(format!("{{ {} }}", entries.join(", "))))
            .attribute("volume_owner", Expr::raw(format!("{{ uid = {}, gid = {} }}", security.user, security.group)));
    }
}

fn is_set(origins: &Origins, field: &Field) -> bool {
    origins.get(field).is_some_and(|origin| origin.span.is_some())
}
