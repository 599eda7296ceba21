//! The shared root of an account's ECR repositories: `terraform/aws/_shared/<account>-<region>/`.
//!
//! Repositories are per account and region, not per environment, so no environment's root owns
//! them: creating them in the first environment tied them to its KMS key, kept that environment
//! from ever being destroyed, and let one count rule over every environment's pushes expire the
//! image production still runs. The shared root is applied before the environments (whose roots
//! refer to the repositories by ARN). Its lifecycle rules never expire an image that some
//! environment of the model deploys: each deployed tag is kept by a rule of its own, ahead of the
//! untagged and count rules; a repository that an environment pulls by digest gets no expiry at
//! all, since ECR rules select by tag and cannot tell which image a digest is.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Compilation, Image, Stack};
use crate::model::image::ImagePin;
use crate::targets::aws::files::{self, file};
use crate::targets::aws::notes;
use crate::targets::hcl::{self, Block, Body, Expr};

/// The folder of the shared roots, below `terraform/aws/`. Environment names are DNS labels, so
/// none can be `_shared`.
pub const SHARED_DIR: &str = "_shared";

/// How the environments of the model use one repository.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repository {
    /// Tags some environment deploys (never expired).
    pub deployed_tags: BTreeSet<String>,
    /// Whether some environment pulls it by digest (then nothing in it expires).
    pub pulled_by_digest: bool,
}

/// The ECR repositories of one account and region.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub account_id: String,
    pub region: String,
    /// The state bucket of the shared root: that of the first aws environment of the pair by name.
    pub state_bucket: String,
    pub repositories: BTreeMap<String, Repository>,
}

impl Registry {
    /// `_shared/<account>-<region>`, relative to `terraform/aws/`.
    pub fn dir(&self) -> String {
        format!("{SHARED_DIR}/{}-{}", self.account_id, self.region)
    }
}

/// The repository path of an image in this account's ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<path>`).
pub fn ecr_path(image: &Image, account: &str, region: &str) -> Option<String> {
    let host = format!("{account}.dkr.ecr.{region}.amazonaws.com/");
    image.repository.strip_prefix(&host).filter(|path| !path.is_empty()).map(String::from)
}

/// `(account, region)` → its registry, for every pair some aws environment pulls ECR images from.
/// The deployed tags come from every environment of the model, whatever its targets: a chart in
/// another cluster running the same image must keep it too.
pub fn registries(compilation: &Compilation, stacks: &[&Stack]) -> BTreeMap<(String, String), Registry> {
    let mut out: BTreeMap<(String, String), Registry> = BTreeMap::new();
    for stack in stacks {
        let Some(aws) = &stack.config.aws else { continue };
        for image in images(stack) {
            if ecr_path(image, &aws.account_id, &aws.region).is_some() {
                out.entry((aws.account_id.clone(), aws.region.clone())).or_insert_with(|| Registry {
                    account_id: aws.account_id.clone(),
                    region: aws.region.clone(),
                    state_bucket: aws.state_bucket.clone(),
                    repositories: BTreeMap::new(),
                });
            }
        }
    }
    for registry in out.values_mut() {
        for stack in compilation.environments.values() {
            for image in images(stack) {
                let Some(path) = ecr_path(image, &registry.account_id, &registry.region) else { continue };
                let repository = registry.repositories.entry(path).or_default();
                match &image.pin {
                    ImagePin::Tag(tag) => {
                        repository.deployed_tags.insert(tag.clone());
                    }
                    ImagePin::Digest(_) => repository.pulled_by_digest = true,
                }
            }
        }
    }
    out
}

fn images(stack: &Stack) -> impl Iterator<Item = &Image> {
    stack.services.values().map(|s| &s.image).chain(stack.jobs.values().map(|j| &j.image))
}

/// Every file of the shared root, by file name.
pub fn files(
    registry: &Registry,
    project: &str,
    tags: &BTreeMap<String, String>,
    model_file: &str,
) -> Vec<(&'static str, String)> {
    let key = format!("{project}/{}/terraform.tfstate", registry.dir());
    let own = crate::targets::tags::with_own(tags, &[("managed-by", "iacgen"), ("project", project)]);
    vec![
        ("versions.tf", files::versions_tf(model_file, &registry.region, &registry.account_id, own, None)),
        ("backend.tf", files::backend_tf(model_file, &registry.state_bucket, &key, &registry.region, &[])),
        ("main.tf", main_tf(registry, project, model_file)),
        ("variables.tf", files::no_variables(model_file)),
        ("outputs.tf", outputs_tf(model_file)),
    ]
}

fn main_tf(registry: &Registry, project: &str, model_file: &str) -> String {
    let text = format!(
        "ECR repositories of project {project} in account {} ({}), shared by its environments. Apply this root before theirs: they refer to the repositories by ARN.",
        registry.account_id, registry.region
    );
    let mut comments = vec![String::new()];
    comments.extend(notes::fill(text.split(' ').map(String::from).collect()));
    let mut locals = Body::new();
    locals.attribute("project", Expr::string(project));
    let mut body = Body::new();
    body.block(Block::new("locals", locals)).blank();

    let mut kms = Body::new();
    kms.attribute("source", Expr::string("../../modules/kms"))
        .blank()
        .attribute("project", Expr::raw("local.project"))
        .attribute("environment", Expr::string(SHARED_DIR));
    body.block(Block::labelled("module", "kms", kms)).blank();

    let repositories = registry.repositories.iter().map(|(path, repository)| {
        let tags: Vec<String> = repository.deployed_tags.iter().map(|tag| hcl::quote(tag)).collect();
        let digest = if repository.pulled_by_digest { ", pulled_by_digest = true" } else { "" };
        (path.clone(), Expr::raw(format!("{{ deployed_tags = [{}]{digest} }}", tags.join(", "))))
    });
    let mut module = Body::new();
    module
        .attribute("source", Expr::string("../../modules/registry"))
        .blank()
        .attribute("repositories", Expr::map(repositories))
        .attribute("kms_key_arn", Expr::raw("module.kms.key_arn"));
    body.block(Block::labelled("module", "registry", module));
    file(model_file, &comments, &body)
}

fn outputs_tf(model_file: &str) -> String {
    let mut body = Body::new();
    body.block(files::output(
        "repository_urls",
        "ECR repositories by name: push images here.",
        Expr::raw("module.registry.repository_urls"),
    ))
    .blank()
    .block(files::output(
        "repository_arns",
        "ECR repositories by name, as the environments' roots refer to them.",
        Expr::raw("module.registry.repository_arns"),
    ));
    file(model_file, &[], &body)
}
