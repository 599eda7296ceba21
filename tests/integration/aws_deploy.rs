//! Regression tests of issue 17 ("AWS output that applies for real"), on the output of every
//! fixture and test case and on small models: what `verify-aws-apply` (tests/integration/aws_apply.rs) found,
//! checked here in milliseconds so that `cargo test` catches it without the emulator.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use iacgen::shared::{FileSet, Filter};
use iacgen::source::reader::Reader;

use crate::common;

/// Every fixture and test case, compiled.
fn outputs() -> Vec<(String, FileSet)> {
    let repo = common::repo();
    let mut dirs: Vec<PathBuf> = common::projects(&repo.join("fixtures/ok"));
    dirs.extend(common::projects(&repo.join("tests/cases")));
    dirs.into_iter().map(|dir| (common::name(&dir), common::compile(&dir))).collect()
}

/// Compile a model given as text.
fn compile(model: &str) -> FileSet {
    let files = BTreeMap::from([(String::from("iacgen.yaml"), model.as_bytes().to_vec())]);
    match iacgen::compile(&Reader::Memory { files }, &Filter::default()) {
        Ok(compiled) => compiled.files,
        Err(failure) => panic!("the model does not compile:\n{}", common::render(&failure)),
    }
}

fn text<'a>(files: &'a FileSet, path: &str) -> &'a str {
    files.files.get(path).map(|file| file.contents.as_ref()).unwrap_or_else(|| panic!("{path} is not generated"))
}

/// The keys of the `tags = { ... }` object of a versions.tf's `default_tags` or a locals block.
fn hcl_tag_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed == "tags = {" {
            inside = true;
        } else if inside && trimmed == "}" {
            break;
        } else if inside && let Some((key, _)) = trimmed.split_once(" = ") {
            keys.push(key.trim().trim_matches('"').to_string());
        }
    }
    keys
}

/// The keys of a task definition's `tags`.
fn json_tag_keys(text: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(text).expect("task definition JSON");
    value["tags"].as_array().into_iter().flatten().filter_map(|tag| tag["key"].as_str().map(String::from)).collect()
}

fn assert_no_case_duplicates(what: &str, keys: &[String]) {
    let lower: BTreeSet<String> = keys.iter().map(|key| key.to_ascii_lowercase()).collect();
    assert_eq!(lower.len(), keys.len(), "{what}: tag keys that differ only in case: {keys:?}");
}

/// Item 3: IAM refused every role of personal-system, tagged both `Project` (the model) and
/// `project` (iacgen): "Duplicate tag keys found. Please note that Tag keys are case insensitive."
#[test]
fn tag_keys_never_differ_only_in_case() {
    for (name, files) in outputs() {
        for (path, file) in &files.files {
            let aws = path.starts_with("terraform/aws/") && path.ends_with("/versions.tf");
            let azure = path.starts_with("terraform/azure/") && path.ends_with("/main.tf");
            let keys = if aws || azure {
                hcl_tag_keys(&file.contents)
            } else if path.starts_with("ecs/") && path.ends_with(".json") {
                json_tag_keys(&file.contents)
            } else {
                continue;
            };
            assert_no_case_duplicates(&format!("{name}: {path}"), &keys);
        }
    }
}

#[test]
fn iacgens_tags_take_the_models_spelling() {
    let files = compile(
        "version: 1\nproject: shop\ntags: { Project: shop, ENVIRONMENT: x, ManagedBy: terraform, owner: me }\nservices:\n  api: { image: ghcr.io/x/api, version: \"1\" }\nenvironments:\n  staging: { targets: [aws] }\n  tasks: { targets: [ecs] }\ntargets:\n  aws: { region: us-east-1, account_id: \"123456789012\", state: { bucket: b } }\n  ecs: {}\n",
    );
    let aws = hcl_tag_keys(text(&files, "terraform/aws/staging/versions.tf"));
    assert_eq!(aws, ["ENVIRONMENT", "ManagedBy", "Project", "managed-by", "owner"]);
    assert!(text(&files, "terraform/aws/staging/versions.tf").contains("\"ENVIRONMENT\" = \"staging\""));
    let ecs = json_tag_keys(text(&files, "ecs/tasks/api.json"));
    assert_eq!(ecs, ["ENVIRONMENT", "ManagedBy", "Project", "owner"]);
}

/// Item 2: roots and modules need only hashicorp/aws, in a range that has 5.100 (the provider
/// mirror here) and every 6.x (production; its schema is checked by verify-terraform).
#[test]
fn only_the_aws_provider_from_5_100_through_6_x() {
    for (name, files) in outputs() {
        for (path, file) in &files.files {
            if !(path.starts_with("terraform/aws/") && path.ends_with("/versions.tf")) {
                continue;
            }
            // `key = value` with the alignment terraform fmt gives (a module with provider aliases
            // aligns a longer key).
            let settings: Vec<(&str, &str)> = file
                .contents
                .lines()
                .filter_map(|line| line.split_once('='))
                .map(|(key, value)| (key.trim(), value.trim()))
                .collect();
            let sources: Vec<&str> =
                settings.iter().filter(|(key, _)| *key == "source").map(|(_, value)| value.trim_matches('"')).collect();
            assert_eq!(sources, ["hashicorp/aws"], "{name}: {path}");
            assert!(settings.contains(&("version", "\">= 5.100, < 7.0\"")), "{name}: {path}");
        }
    }
}

/// The environment folders that have both an aws root and ecs output.
fn mixed_environments(files: &FileSet) -> BTreeSet<String> {
    let under = |prefix: &str| -> BTreeSet<String> {
        files.files.keys().filter_map(|path| path.strip_prefix(prefix)?.split('/').next().map(String::from)).collect()
    };
    under("terraform/aws/").intersection(&under("ecs/")).cloned().collect()
}

/// Item 4: where an environment has both aws and ecs, Terraform registers every family with the
/// endpoints and secrets it creates; ecs JSON for the same family from pinned values was a
/// different task. The ecs target now writes no task definition there, only a README saying why
/// and which to use.
#[test]
fn ecs_writes_no_second_task_definition_where_terraform_registers_one() {
    let mut mixed_seen = 0;
    for (name, files) in outputs() {
        for environment in mixed_environments(&files) {
            mixed_seen += 1;
            let prefix = format!("ecs/{environment}/");
            let written: Vec<&String> = files.files.keys().filter(|path| path.starts_with(&prefix)).collect();
            assert_eq!(written, [&format!("{prefix}README.md")], "{name}: {environment}");
            let readme = text(&files, &format!("{prefix}README.md"));
            assert!(
                readme.contains(&format!("`terraform/aws/{environment}/`, registers the task definitions")),
                "{name}"
            );
            // It names every family the root registers: services, migrations, jobs.
            let main = text(&files, &format!("terraform/aws/{environment}/main.tf"));
            let registered = main.matches("source = \"../modules/service\"").count()
                + main.matches("  migration_container_definitions = ").count()
                + main.matches("source = \"../modules/scheduled_job\"").count();
            let listed = readme.lines().filter(|line| line.starts_with("- `")).count();
            assert_eq!(listed, registered, "{name}: {environment}");
        }
    }
    assert!(mixed_seen >= 4, "pact prod-aws, personal-system dev/staging/prod and aws-mssql production");
}

#[test]
fn ecs_only_environments_keep_their_task_definitions() {
    let files = compile(
        "version: 1\nproject: shop\nservices:\n  api: { image: ghcr.io/x/api, version: \"1\" }\nenvironments:\n  staging: { targets: [aws, ecs] }\n  tasks: { targets: [ecs] }\ntargets:\n  aws: { region: us-east-1, account_id: \"123456789012\", state: { bucket: b } }\n  ecs: {}\n",
    );
    assert!(files.files.contains_key("ecs/tasks/api.json"));
    assert!(!files.files.contains_key("ecs/staging/api.json"));
    assert!(files.files.contains_key("ecs/staging/README.md"));
}

const MODEL_WITH_REGISTRY: &str = "version: 1\nproject: shop\nregistry: 123456789012.dkr.ecr.us-east-1.amazonaws.com\nservices:\n  api: { version: \"1.0.0\", port: 8080, health: { path: /health } }\n  web: { image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:0123456789012345678901234567890123456789012345678901234567890123, port: 8080, health: { path: /health } }\n  edge: { image: ghcr.io/x/edge, version: \"2\", port: 8080, health: { path: /health } }\nenvironments:\n  production: { targets: [aws], stage: production, defaults: { replicas: 2 } }\n  staging: { targets: [aws], services: { api: { version: \"1.1.0\" } } }\n  local: { targets: [helm], services: { api: { version: \"1.2.0-rc1\" } } }\ntargets:\n  aws: { region: us-east-1, account_id: \"123456789012\", state: { bucket: b } }\n  helm: {}\n";

/// Item 6: ECR repositories live in a root of their own per account and region, with a rule
/// keeping every tag an environment deploys; no environment's root creates them.
#[test]
fn registries_have_their_own_root_that_keeps_every_deployed_tag() {
    let files = compile(MODEL_WITH_REGISTRY);
    let shared = "terraform/aws/_shared/123456789012-us-east-1";
    let main = text(&files, &format!("{shared}/main.tf"));
    // Every tag any environment deploys (helm's too: the same image runs there), and no expiry
    // at all for a repository pulled by digest.
    assert!(main.contains("\"api\" = { deployed_tags = [\"1.0.0\", \"1.1.0\", \"1.2.0-rc1\"] }"), "{main}");
    assert!(main.contains("\"web\" = { deployed_tags = [], pulled_by_digest = true }"), "{main}");
    assert!(!main.contains("\"edge\""), "an image of another registry: {main}");
    for file in ["versions.tf", "backend.tf", "variables.tf", "outputs.tf"] {
        assert!(files.files.contains_key(&format!("{shared}/{file}")), "{file}");
    }
    assert!(
        text(&files, &format!("{shared}/backend.tf"))
            .contains("key          = \"shop/_shared/123456789012-us-east-1/terraform.tfstate\"")
    );
    for environment in ["production", "staging"] {
        let root = text(&files, &format!("terraform/aws/{environment}/main.tf"));
        assert!(!root.contains("module \"registry\""), "{environment}");
        assert!(
            root.contains("ecr_repository_arns = [\"arn:aws:ecr:us-east-1:123456789012:repository/api\"]"),
            "{environment}"
        );
        assert!(root.contains("terraform/aws/_shared/123456789012-us-east-1 (apply it first)"), "{environment}");
    }
    // The shared root is the same whichever environments a filtered build selects.
    let model = MODEL_WITH_REGISTRY;
    let filtered = iacgen::compile(
        &Reader::Memory { files: BTreeMap::from([(String::from("iacgen.yaml"), model.as_bytes().to_vec())]) },
        &Filter { environments: vec![String::from("staging")], targets: Vec::new() },
    )
    .unwrap_or_else(|failure| panic!("{}", common::render(&failure)));
    assert_eq!(text(&filtered.files, &format!("{shared}/main.tf")), main);
}

#[test]
fn no_environment_root_creates_repositories() {
    for (name, files) in outputs() {
        for (path, file) in &files.files {
            if path.starts_with("terraform/aws/") && !path.contains("/_shared/") && path.ends_with("/main.tf") {
                assert!(!file.contents.contains("module \"registry\""), "{name}: {path}");
            }
        }
    }
}

/// Item 5: every service with a migration runs it before it rolls, unless the root's
/// `run_migrations` says the deploy does.
#[test]
fn every_migration_runs_before_its_service_rolls() {
    let mut migrations = 0;
    for (name, files) in outputs() {
        for (path, file) in &files.files {
            if !(path.starts_with("terraform/aws/") && path.ends_with("/main.tf")) {
                continue;
            }
            let blocks = file.contents.matches("  migration_container_definitions = jsonencode(").count();
            let runs = file.contents.matches("  run_migration = var.run_migrations\n").count();
            assert_eq!(blocks, runs, "{name}: {path}");
            migrations += blocks;
            if blocks > 0 {
                let variables = text(&files, &path.replace("/main.tf", "/variables.tf"));
                assert!(variables.contains("variable \"run_migrations\" {"), "{name}: {path}");
            }
        }
        if files.files.keys().any(|path| path.starts_with("terraform/aws/modules/")) {
            assert!(files.files.contains_key("terraform/aws/modules/service/run-migration.sh"), "{name}");
        }
    }
    assert!(migrations >= 2, "aws-basic and aws-mssql have migrations");
    let module = std::fs::read_to_string(common::repo().join("modules/aws/service/main.tf")).expect("module");
    assert!(module.contains("depends_on = [aws_lb_listener_rule.this, terraform_data.migration]"));
    assert_eq!(module.matches("terraform_data.migration]").count(), 2, "both service variants wait for it");
}

/// Item 7: the seed's production alternative is production by stage, so it is protected.
#[test]
fn pacts_aws_environment_is_protected() {
    let files = common::compile(&common::repo().join("fixtures/ok/pact"));
    let main = text(&files, "terraform/aws/prod-aws/main.tf");
    assert!(main.contains("  multi_az            = true\n  deletion_protection = true\n"), "{main}");
    assert!(main.contains("  deletion_protection = true\n}"), "the load balancer: {main}");
}
