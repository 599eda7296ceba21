//! versions.tf, backend.tf, variables.tf and outputs.tf of an environment's root (README section 1.8).

use crate::targets::azure::Environment;
use crate::targets::azure::names;
use crate::targets::hcl::{Block, Body, Expr};
use crate::targets::header;

/// Terraform and the providers, pinned to a major (`container_app_environment` asks for `~> 4.37`).
pub fn versions(model_file: &str) -> String {
    let azurerm = vec![
        (String::from("source"), Expr::string("hashicorp/azurerm")),
        (String::from("version"), Expr::string("~> 4.0")),
    ];
    let random = vec![
        (String::from("source"), Expr::string("hashicorp/random")),
        (String::from("version"), Expr::string("~> 3.6")),
    ];
    let mut providers = Body::new();
    providers.attribute("azurerm", Expr::object(azurerm)).attribute("random", Expr::object(random));
    let mut terraform = Body::new();
    terraform
        .attribute("required_version", Expr::string(">= 1.6"))
        .blank()
        .block(Block::new("required_providers", providers));
    let mut provider = Body::new();
    provider.block(Block::new("features", Body::new())).attribute("subscription_id", Expr::raw("var.subscription_id"));
    let mut file = Body::new();
    file.block(Block::new("terraform", terraform)).blank().block(Block::labelled("provider", "azurerm", provider));
    format!("{}{}", header::hash_comment(model_file, &[]), file.render())
}

/// The `azurerm` backend from `targets.azure.state`, one state per environment, Entra auth (no keys).
pub fn backend(environment: &Environment<'_>, model_file: &str) -> String {
    let options = &environment.options;
    let stack = environment.stack;
    let mut backend = Body::new();
    backend
        .attribute("resource_group_name", Expr::string(&options.state_resource_group))
        .attribute("storage_account_name", Expr::string(&options.state_storage_account))
        .attribute("container_name", Expr::string(&options.state_container))
        .attribute("key", Expr::string(&format!("{}/{}.tfstate", stack.project, stack.environment)))
        .attribute("use_azuread_auth", Expr::bool(true));
    let mut terraform = Body::new();
    terraform.block(Block::labelled("backend", "azurerm", backend));
    let mut file = Body::new();
    file.block(Block::new("terraform", terraform));
    format!("{}{}", header::hash_comment(model_file, &[]), file.render())
}

/// `subscription_id` and `secrets_officer_principal_ids`.
pub fn variables(environment: &Environment<'_>, model_file: &str) -> String {
    let mut subscription = Body::new();
    subscription
        .attribute(
            "description",
            Expr::string(&format!(
                "Azure subscription to deploy environment {} into (TF_VAR_subscription_id).",
                environment.stack.environment
            )),
        )
        .attribute("type", Expr::raw("string"));
    let mut officers = Body::new();
    officers
        .attribute(
            "description",
            Expr::string(
                "Object IDs of the people or groups who set the secret values in Key Vault (Key Vault Secrets Officer).",
            ),
        )
        .attribute("type", Expr::raw("list(string)"))
        .attribute("default", Expr::raw("[]"));
    let mut file = Body::new();
    file.blank().block(Block::labelled("variable", "subscription_id", subscription));
    file.blank().block(Block::labelled("variable", "secrets_officer_principal_ids", officers));
    if let Some(webhook) = crate::targets::azure::alerts::webhook_variable(environment) {
        file.blank().block(webhook);
    }
    format!("{}{}", header::hash_comment(model_file, &[]), file.render())
}

/// `resource_group_name`, `registry_login_server`, `key_vault_uri`, `app_urls`, `database_hosts`, and
/// `release_commands` / `migration_commands` when not empty.
pub fn outputs(environment: &Environment<'_>, model_file: &str) -> String {
    let stack = environment.stack;
    let by_name = |items: Vec<(&String, String)>| -> Expr {
        Expr::object(items.into_iter().map(|(name, value)| (name.clone(), Expr::raw(value))))
    };
    let module_output = |name: &str, output: &str| format!("module.{}.{output}", names::block(name));

    let mut outputs: Vec<(&str, String, Expr)> = vec![
        (
            "resource_group_name",
            format!("Resource group of environment {}.", stack.environment),
            Expr::raw("module.resource_group.name"),
        ),
        (
            "registry_login_server",
            String::from("Registry the services pull from: push images to <login_server>/<service>:<version>."),
            Expr::raw("module.registry.login_server"),
        ),
        (
            "key_vault_uri",
            String::from("Key Vault to set the model secrets' values in."),
            Expr::raw("module.key_vault.uri"),
        ),
        (
            "app_urls",
            String::from("URL of each service (production slot)."),
            by_name(stack.services.keys().map(|name| (name, module_output(name, "url"))).collect()),
        ),
        (
            "database_hosts",
            String::from("FQDN of each database and cache."),
            by_name(stack.resources.keys().map(|name| (name, module_output(name, "host"))).collect()),
        ),
    ];
    let slotted: Vec<(&String, String)> = stack
        .services
        .values()
        .filter(|s| s.strategy == crate::ir::Strategy::BlueGreen)
        .map(|s| (&s.name, module_output(&s.name, "release_command")))
        .collect();
    if !slotted.is_empty() {
        outputs.push((
            "release_commands",
            String::from(
                "Per service with a staging slot: the swap that releases (and, run again, rolls back) what this apply deployed.",
            ),
            by_name(slotted),
        ));
    }
    let migrated: Vec<(&String, String)> = stack
        .services
        .values()
        .filter(|s| s.migrate.is_some())
        .map(|s| (&s.name, format!("module.{}_migrate.start_command", names::block(&s.name))))
        .collect();
    if !migrated.is_empty() {
        outputs.push((
            "migration_commands",
            String::from(
                "Per service with a migration: the command that starts it; run it and wait for success before the release command.",
            ),
            by_name(migrated),
        ));
    }
    let mut file = Body::new();
    for (name, description, value) in outputs {
        let mut body = Body::new();
        body.attribute("description", Expr::string(&description)).attribute("value", value);
        file.blank().block(Block::labelled("output", name, body));
    }
    format!("{}{}", header::hash_comment(model_file, &[]), file.render())
}
