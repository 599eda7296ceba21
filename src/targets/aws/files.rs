//! The files of a root besides main.tf: versions.tf, backend.tf, variables.tf, outputs.tf (the
//! shared registry root writes its own with the same helpers).

use std::collections::BTreeMap;

use crate::ir::{ResourceKind, Volume};
use crate::targets::aws::Environment;
use crate::targets::aws::names::Kind;
use crate::targets::hcl::{Block, Body, Expr};
use crate::targets::{header, tags};

/// The header line, a blank line, then `body`.
pub fn file(model_file: &str, comments: &[String], body: &Body) -> String {
    let mut out = header::hash_comment(model_file, comments);
    if !body.is_empty() {
        out.push('\n');
        body.write_to(&mut out);
    }
    out
}

/// The hashicorp/aws versions the roots and modules accept: 5.100 (the newest 5.x, on the build
/// machines' provider mirror, exercised by `verify-aws-apply`) through every 6.x (its schema is
/// checked by `verify-terraform`). The modules use only arguments both majors accept.
pub const AWS_PROVIDER: &str = ">= 5.100, < 7.0";

/// A provider requirement: `{ source, version }` as a multi-line object.
fn provider(source: &str, version: &str) -> Expr {
    Expr::Object(vec![(String::from("source"), Expr::string(source)), (String::from("version"), Expr::string(version))])
}

pub fn versions(environment: &Environment<'_>, model_file: &str) -> String {
    let stack = environment.stack;
    let tags = tags::with_own(
        &stack.tags,
        &[("environment", &stack.environment), ("managed-by", "iacgen"), ("project", &stack.project)],
    );
    let copy = crate::targets::aws::backup::copy_region(environment)
        .map(|region| (crate::targets::aws::backup::PROVIDER_ALIAS, region));
    versions_tf(model_file, &environment.aws.region, &environment.aws.account_id, tags, copy)
}

/// versions.tf of a root: Terraform and provider versions, and the `aws` provider of `region`,
/// restricted to `account`, tagging every resource with `tags`; with `alias`, a second provider
/// `(alias, region)` configured the same way (the region that keeps copies of backups).
pub fn versions_tf(
    model_file: &str,
    region: &str,
    account: &str,
    tags: BTreeMap<String, String>,
    alias: Option<(&str, &str)>,
) -> String {
    let mut providers = Body::new();
    providers.attribute("aws", provider("hashicorp/aws", AWS_PROVIDER));
    let mut terraform = Body::new();
    terraform
        .comment("1.10: the S3 backend's use_lockfile; 1.11: write-only arguments (the redis AUTH token).")
        .attribute("required_version", Expr::string(">= 1.11"))
        .blank()
        .block(Block::new("required_providers", providers));
    let aws_provider = |alias: Option<&str>, region: &str| {
        let mut default_tags = Body::new();
        default_tags.attribute("tags", Expr::map(tags.iter().map(|(key, value)| (key.clone(), Expr::string(value)))));
        let mut aws = Body::new();
        if let Some(alias) = alias {
            aws.attribute("alias", Expr::string(alias));
        }
        aws.attribute("region", Expr::string(region))
            .attribute("allowed_account_ids", Expr::strings([account]))
            .blank()
            .block(Block::new("default_tags", default_tags));
        Block::labelled("provider", "aws", aws)
    };
    let mut body = Body::new();
    body.block(Block::new("terraform", terraform)).blank().block(aws_provider(None, region));
    if let Some((alias, copy_region)) = alias {
        body.blank().block(aws_provider(Some(alias), copy_region));
    }
    file(model_file, &[], &body)
}

pub fn backend(environment: &Environment<'_>, model_file: &str) -> String {
    let stack = environment.stack;
    let key = format!("{}/{}/terraform.tfstate", stack.project, stack.environment);
    let comments = match &environment.aws.state_lock_table {
        Some(table) => vec![
            String::new(),
            format!(
                "targets.aws.state.lock_table ({table}) is not used: S3-native locking (use_lockfile) replaces DynamoDB locking."
            ),
        ],
        None => Vec::new(),
    };
    backend_tf(model_file, &environment.aws.state_bucket, &key, &environment.aws.region, &comments)
}

/// backend.tf of a root: its state at `key` in `bucket`, locked by S3 itself.
pub fn backend_tf(model_file: &str, bucket: &str, key: &str, region: &str, comments: &[String]) -> String {
    let mut s3 = Body::new();
    s3.attribute("bucket", Expr::string(bucket))
        .attribute("key", Expr::string(key))
        .attribute("region", Expr::string(region))
        .attribute("encrypt", Expr::raw("true"))
        .attribute("use_lockfile", Expr::raw("true"));
    let mut terraform = Body::new();
    terraform.block(Block::labelled("backend", "s3", s3));
    let mut body = Body::new();
    body.block(Block::new("terraform", terraform));
    file(model_file, comments, &body)
}

/// variables.tf of a root without input variables.
pub fn no_variables(model_file: &str) -> String {
    file(model_file, &[String::new(), String::from("This environment takes no input variables.")], &Body::new())
}

pub fn variables(environment: &Environment<'_>, model_file: &str) -> String {
    let mut blocks = Vec::new();
    if environment.has_load_balancer() {
        let mut hosts: Vec<&str> =
            environment.stack.services.values().filter_map(|s| s.ingress.as_ref()?.host.as_deref()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        let region = &environment.aws.region;
        let description = if hosts.is_empty() {
            format!("ACM certificate ({region}) for the HTTPS listener.")
        } else {
            format!("ACM certificate ({region}) for the HTTPS listener; must cover {}.", hosts.join(", "))
        };
        let mut variable = Body::new();
        variable.attribute("description", Expr::string(&description)).attribute("type", Expr::raw("string"));
        if let Some(arn) = &environment.aws.certificate_arn {
            variable.attribute("default", Expr::string(arn));
        }
        blocks.push(Block::labelled("variable", "certificate_arn", variable));
    }
    if environment.stack.services.values().any(|service| service.migrate.is_some()) {
        let mut variable = Body::new();
        variable
            .attribute(
                "description",
                Expr::string(
                    "Run each service's migration task (the AWS CLI runs modules/service/run-migration.sh) when it changes, before the service rolls; false leaves it to the deploy.",
                ),
            )
            .attribute("type", Expr::raw("bool"))
            .attribute("default", Expr::raw("true"));
        blocks.push(Block::labelled("variable", "run_migrations", variable));
    }
    blocks.extend(crate::targets::aws::alerts::webhook_variable(environment));
    if blocks.is_empty() {
        return no_variables(model_file);
    }
    file(model_file, &[], &separated(blocks))
}

/// `blocks`, one blank line between each two.
fn separated(blocks: Vec<Block>) -> Body {
    let mut body = Body::new();
    for (index, block) in blocks.into_iter().enumerate() {
        if index > 0 {
            body.blank();
        }
        body.block(block);
    }
    body
}

/// An `output` block.
pub fn output(name: &str, description: &str, value: Expr) -> Block {
    let mut body = Body::new();
    body.attribute("description", Expr::string(description)).attribute("value", value);
    Block::labelled("output", name, body)
}

/// The outputs a workload with persistent volumes adds to its entry: the ids `targets.ecs.volumes`
/// pins (the file system, and the access point of each container path).
const EFS_OUTPUTS: [(&str, &str); 2] = [("file_system_id", "file_system_id"), ("access_point_ids", "access_point_ids")];

fn has_persistent(volumes: &BTreeMap<String, Volume>) -> bool {
    volumes.values().any(|volume| matches!(volume, Volume::Persistent(_)))
}

pub fn outputs(environment: &Environment<'_>, model_file: &str) -> String {
    let stack = environment.stack;
    let mut blocks = vec![
        output("cluster_name", "ECS cluster of the environment.", Expr::raw("module.cluster.name")),
        output(
            "private_subnet_ids",
            "Subnets for aws ecs run-task (migrations).",
            Expr::raw("module.network.private_subnet_ids"),
        ),
    ];
    if environment.has_load_balancer() {
        blocks.push(output(
            "load_balancer_dns_name",
            "Point every ingress host (CNAME or alias) at this name.",
            Expr::raw("module.load_balancer.dns_name"),
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
        let services = stack.services.values().map(|service| {
            let label = environment.label(Kind::Service, &service.name);
            let mut names = vec![
                ("url", "url"),
                ("internal_url", "internal_url"),
                ("task_definition_arn", "task_definition_arn"),
                ("migration_task_definition_arn", "migration_task_definition_arn"),
                ("security_group_id", "security_group_id"),
            ];
            if has_persistent(&service.volumes) {
                names.extend(EFS_OUTPUTS);
            }
            (service.name.clone(), fields(&label, &names))
        });
        blocks.push(output(
            "services",
            "Per service: public and internal URL, task definitions, security group (for run-task).",
            Expr::map(services),
        ));
    }
    if !environment.resource_users.is_empty() {
        let resources = environment.resource_users.keys().filter_map(|name| {
            let resource = stack.resources.get(name)?;
            let label = environment.label(Kind::Resource, name);
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
        let jobs = stack.jobs.values().map(|job| {
            let label = environment.label(Kind::Job, &job.name);
            let mut names = vec![("schedule_arn", "schedule_arn"), ("task_definition_arn", "task_definition_arn")];
            if has_persistent(&job.volumes) {
                names.extend(EFS_OUTPUTS);
            }
            (job.name.clone(), fields(&label, &names))
        });
        blocks.push(output("jobs", "Per scheduled job: its schedule and task definition.", Expr::map(jobs)));
    }
    file(model_file, &[], &separated(blocks))
}
