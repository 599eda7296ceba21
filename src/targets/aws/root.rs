//! The small files of a root: versions.tf, backend.tf, variables.tf, outputs.tf (main.tf is
//! [`super::main_tf`]).

use std::collections::BTreeMap;

use crate::ir::ResourceKind;
use crate::targets::EmitOptions;
use crate::targets::aws::main_tf;
use crate::targets::aws::names::Kind;
use crate::targets::aws::plan::Plan;
use crate::targets::hcl::{Block, Body, Expr};
use crate::targets::header;

/// Every file of the root, by file name.
pub fn files(plan: &Plan<'_>, options: &EmitOptions) -> Vec<(&'static str, String)> {
    vec![
        ("versions.tf", versions(plan, options)),
        ("backend.tf", backend(plan, options)),
        ("main.tf", main_tf::render(plan, options)),
        ("variables.tf", variables(plan, options)),
        ("outputs.tf", outputs(plan, options)),
    ]
}

/// The header line, a blank line, then `body`.
pub fn file(options: &EmitOptions, comments: &[String], body: &Body) -> String {
    let mut out = header::hash_comment(&options.model_file, comments);
    if !body.is_empty() {
        out.push('\n');
        body.write_to(&mut out);
    }
    out
}

/// A provider requirement: `{ source, version }` as a multi-line object.
fn provider(source: &str, version: &str) -> Expr {
    Expr::Object(vec![(String::from("source"), Expr::string(source)), (String::from("version"), Expr::string(version))])
}

fn versions(plan: &Plan<'_>, options: &EmitOptions) -> String {
    let stack = plan.stack;
    let mut providers = Body::new();
    providers.attribute("aws", provider("hashicorp/aws", "~> 6.0"));
    let redis = plan
        .resource_users
        .keys()
        .any(|name| stack.resources.get(name).is_some_and(|resource| resource.kind == ResourceKind::Redis));
    if redis {
        // The redis module generates its AUTH token.
        providers.attribute("random", provider("hashicorp/random", "~> 3.6"));
    }
    let mut terraform = Body::new();
    terraform
        .comment("1.10: the S3 backend's use_lockfile.")
        .attribute("required_version", Expr::string(">= 1.10"))
        .blank()
        .block(Block::new("required_providers", providers));

    let mut tags: BTreeMap<String, String> = stack.tags.clone();
    tags.insert(String::from("environment"), stack.environment.clone());
    tags.insert(String::from("managed-by"), String::from("iacgen"));
    tags.insert(String::from("project"), stack.project.clone());
    let mut default_tags = Body::new();
    default_tags.attribute("tags", Expr::map(tags.into_iter().map(|(key, value)| (key, Expr::string(&value)))));
    let mut aws = Body::new();
    aws.attribute("region", Expr::string(&plan.aws.region))
        .attribute("allowed_account_ids", Expr::strings([plan.aws.account_id.as_str()]))
        .blank()
        .block(Block::new("default_tags", default_tags));
    let mut body = Body::new();
    body.block(Block::new("terraform", terraform)).blank().block(Block::labelled("provider", "aws", aws));
    file(options, &[], &body)
}

fn backend(plan: &Plan<'_>, options: &EmitOptions) -> String {
    let stack = plan.stack;
    let mut s3 = Body::new();
    s3.attribute("bucket", Expr::string(&plan.aws.state_bucket))
        .attribute("key", Expr::string(&format!("{}/{}/terraform.tfstate", stack.project, stack.environment)))
        .attribute("region", Expr::string(&plan.aws.region))
        .attribute("encrypt", Expr::raw("true"))
        .attribute("use_lockfile", Expr::raw("true"));
    let mut terraform = Body::new();
    terraform.block(Block::labelled("backend", "s3", s3));
    let comments = match &plan.aws.state_lock_table {
        Some(table) => vec![
            String::new(),
            format!(
                "targets.aws.state.lock_table ({table}) is not used: S3-native locking (use_lockfile) replaces DynamoDB locking."
            ),
        ],
        None => Vec::new(),
    };
    let mut body = Body::new();
    body.block(Block::new("terraform", terraform));
    file(options, &comments, &body)
}

fn variables(plan: &Plan<'_>, options: &EmitOptions) -> String {
    if !plan.has_load_balancer() {
        return file(
            options,
            &[String::new(), String::from("This environment takes no input variables.")],
            &Body::new(),
        );
    }
    let mut hosts: Vec<&str> =
        plan.stack.services.values().filter_map(|s| s.ingress.as_ref()?.host.as_deref()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    let region = &plan.aws.region;
    let description = if hosts.is_empty() {
        format!("ACM certificate ({region}) for the HTTPS listener.")
    } else {
        format!("ACM certificate ({region}) for the HTTPS listener; must cover {}.", hosts.join(", "))
    };
    let mut variable = Body::new();
    variable.attribute("description", Expr::string(&description)).attribute("type", Expr::raw("string"));
    if let Some(arn) = &plan.aws.certificate_arn {
        variable.attribute("default", Expr::string(arn));
    }
    let mut body = Body::new();
    body.block(Block::labelled("variable", "certificate_arn", variable));
    file(options, &[], &body)
}

fn output(name: &str, description: &str, value: Expr) -> Block {
    let mut body = Body::new();
    body.attribute("description", Expr::string(description)).attribute("value", value);
    Block::labelled("output", name, body)
}

fn outputs(plan: &Plan<'_>, options: &EmitOptions) -> String {
    let stack = plan.stack;
    let mut blocks = vec![
        output("cluster_name", "ECS cluster of the environment.", Expr::raw("module.cluster.name")),
        output(
            "private_subnet_ids",
            "Subnets for aws ecs run-task (migrations).",
            Expr::raw("module.network.private_subnet_ids"),
        ),
    ];
    if plan.has_load_balancer() {
        blocks.push(output(
            "load_balancer_dns_name",
            "Point every ingress host (CNAME or alias) at this name.",
            Expr::raw("module.load_balancer.dns_name"),
        ));
    }
    if plan.owns_registry() {
        blocks.push(output(
            "repository_urls",
            "ECR repositories by name.",
            Expr::raw("module.registry.repository_urls"),
        ));
    }
    let fields = |label: &str, names: &[(&str, &str)]| {
        Expr::Object(
            names
                .iter()
                .map(|(key, output)| (key.to_string(), Expr::raw(format!("module.{label}.{output}"))))
                .collect(),
        )
    };
    if !stack.services.is_empty() {
        let services = stack.services.keys().map(|name| {
            let label = plan.label(Kind::Service, name);
            let value = fields(
                &label,
                &[
                    ("url", "url"),
                    ("internal_url", "internal_url"),
                    ("task_definition_arn", "task_definition_arn"),
                    ("migration_task_definition_arn", "migration_task_definition_arn"),
                    ("security_group_id", "security_group_id"),
                ],
            );
            (name.clone(), value)
        });
        blocks.push(output(
            "services",
            "Per service: public and internal URL, task definitions, security group (for run-task).",
            Expr::map(services),
        ));
    }
    if !plan.resource_users.is_empty() {
        let resources = plan.resource_users.keys().filter_map(|name| {
            let resource = stack.resources.get(name)?;
            let label = plan.label(Kind::Resource, name);
            let value = if resource.kind == ResourceKind::Redis {
                fields(&label, &[("host", "host"), ("port", "port"), ("secret_arn", "auth_token_secret_arn")])
            } else {
                fields(&label, &[("host", "address"), ("port", "port"), ("secret_arn", "master_user_secret_arn")])
            };
            Some((name.clone(), value))
        });
        blocks.push(output(
            "resources",
            "Per resource: host, port and the secret holding its password.",
            Expr::map(resources),
        ));
    }
    if !stack.jobs.is_empty() {
        let jobs = stack.jobs.keys().map(|name| {
            let label = plan.label(Kind::Job, name);
            (
                name.clone(),
                fields(&label, &[("schedule_arn", "schedule_arn"), ("task_definition_arn", "task_definition_arn")]),
            )
        });
        blocks.push(output("jobs", "Per scheduled job: its schedule and task definition.", Expr::map(jobs)));
    }
    let mut body = Body::new();
    for (index, block) in blocks.into_iter().enumerate() {
        if index > 0 {
            body.blank();
        }
        body.block(block);
    }
    file(options, &[], &body)
}
