//! The blocks every environment's main.tf has: locals and the shared infrastructure (KMS key,
//! network, cluster, model secrets, load balancer), and the helpers the other blocks use.

use std::collections::BTreeSet;

use crate::targets::aws::Environment;
use crate::targets::aws::names::{self, Kind};
use crate::targets::hcl::{Block, Body, Expr};

/// The environment's KMS key, which encrypts everything it can.
pub const KMS: &str = "module.kms.key_arn";

/// The body of a `module` block: the source, then a blank line.
pub fn module(source: &str) -> Body {
    let mut body = Body::new();
    body.attribute("source", Expr::string(&format!("../modules/{source}"))).blank();
    body
}

/// `project` and `environment`, the first arguments of most modules.
pub fn project_environment(body: &mut Body) {
    body.attribute("project", Expr::raw("local.project")).attribute("environment", Expr::raw("local.environment"));
}

/// `locals { project, environment }`.
pub fn locals(environment: &Environment<'_>) -> Body {
    let mut locals = Body::new();
    locals
        .attribute("project", Expr::string(&environment.stack.project))
        .attribute("environment", Expr::string(&environment.stack.environment));
    locals
}

/// `# Shared infrastructure.`: the KMS key, the network, the cluster, then the model secrets and the
/// load balancer when the environment has any.
pub fn shared(environment: &Environment<'_>, file: &mut Body) {
    let stack = environment.stack;
    let mut blocks = Vec::new();
    let mut kms = module("kms");
    project_environment(&mut kms);
    blocks.push(Block::labelled("module", "kms", kms));

    let mut network = module("network");
    project_environment(&mut network);
    match &environment.aws.vpc {
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
            if environment.aws.single_nat_gateway {
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

    if !environment.secrets.is_empty() {
        let mut body = module("secrets");
        project_environment(&mut body);
        body.attribute("names", Expr::strings(environment.secrets.iter().map(String::as_str)));
        let descriptions: Vec<(String, Expr)> = environment
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

    if environment.has_load_balancer() {
        let mut body = module("load_balancer");
        project_environment(&mut body);
        body.attribute("name", Expr::string(&names::fit_32(&format!("{}-{}", stack.project, stack.environment))))
            .attribute("vpc_id", Expr::raw("module.network.vpc_id"))
            .attribute("public_subnet_ids", Expr::raw("module.network.public_subnet_ids"))
            .attribute("certificate_arn", Expr::raw("var.certificate_arn"))
            .attribute("deletion_protection", Expr::raw(bool_text(environment.aws.protect)));
        blocks.push(Block::labelled("module", "load_balancer", body));
    }
    file.blank().comment("Shared infrastructure.");
    for block in blocks {
        file.blank().block(block);
    }
}

pub fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// `{ "<user>" = module.<user>.security_group_id }` for each user.
pub fn security_groups(environment: &Environment<'_>, users: &BTreeSet<(Kind, String)>) -> Expr {
    let sorted: BTreeSet<(&String, Kind)> = users.iter().map(|(kind, name)| (name, *kind)).collect();
    Expr::map(sorted.into_iter().map(|(name, kind)| {
        (name.clone(), Expr::raw(format!("module.{}.security_group_id", environment.label(kind, name))))
    }))
}
