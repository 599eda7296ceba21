//! IAC022 unknown-reference, IAC023 unknown-placeholder (names), IAC026 target-not-configured, and
//! IAC012 missing-field for target options an environment needs.

use crate::diagnostic::{Diagnostic, Diagnostics, codes, did_you_mean};
use crate::model::placeholder::{Placeholder, ResourceAttr};
use crate::model::{Model, ResourceKind, SecretRef, ServiceSpec};
use crate::shared::Target;
use crate::shared::span::Span;

/// Run the checks.
pub fn check(model: &Model, diagnostics: &mut Diagnostics) {
    for (context, spec) in layers(model) {
        check_spec(model, &context, spec, diagnostics);
    }
    for environment in model.environments.values() {
        for (name, _) in environment.services.values() {
            if !model.services.contains_key(&name.value) {
                diagnostics.push(unknown("service", &name.value, name.span, model.services.keys()));
            }
        }
        for (name, _) in environment.jobs.values() {
            if !model.jobs.contains_key(&name.value) {
                diagnostics.push(unknown("job", &name.value, name.span, model.jobs.keys()));
            }
        }
        for (name, pin) in &environment.resources {
            if !model.resources.contains_key(name) {
                diagnostics.push(unknown("resource", name, pin.name_span, model.resources.keys()));
            }
        }
        let Some(targets) = &environment.targets else { continue };
        for target in &targets.value {
            if model.targets.span_of(target.value).is_none() {
                diagnostics.push(
                    Diagnostic::new(
                        codes::TARGET_NOT_CONFIGURED,
                        target.span,
                        format!(
                            "environment `{}` names target `{}`, which is not configured",
                            environment.name.value,
                            target.value.as_str()
                        ),
                    )
                    .with_label("not under `targets:`")
                    .with_help(format!("add `{}: {{...}}` under `targets:` or remove it here", target.value.as_str())),
                );
            }
            if target.value == Target::Ecs && model.targets.aws.is_none() {
                diagnostics.push(
                    Diagnostic::new(
                        codes::TARGET_NOT_CONFIGURED,
                        target.span,
                        "the ecs target needs `targets.aws` for its region and account",
                    )
                    .with_label("ecs without aws settings")
                    .with_help("add `aws: { region: ..., account_id: \"...\" }` under `targets:`"),
                );
            }
        }
    }
    check_target_options(model, diagnostics);
    check_alert_secrets(model, diagnostics);
    let compose_options = std::iter::once(model.targets.compose.as_ref())
        .chain(model.environments.values().map(|e| e.targets_config.compose.as_ref()));
    for compose in compose_options.flatten() {
        check_publish(model, &compose.publish, diagnostics);
    }
}

/// `targets.compose.publish`: services of the model, each on its own host port.
fn check_publish(
    model: &Model,
    publish: &std::collections::BTreeMap<String, crate::shared::span::Spanned<u16>>,
    diagnostics: &mut Diagnostics,
) {
    let mut hosts: std::collections::BTreeMap<u16, (&str, Span)> = std::collections::BTreeMap::new();
    for (name, port) in publish {
        if !model.services.contains_key(name) {
            diagnostics.push(unknown("service", name, port.span, model.services.keys()));
        }
        if let Some((first, first_span)) = hosts.insert(port.value, (name, port.span)) {
            diagnostics.push(
                Diagnostic::new(
                    codes::INVALID_PORT,
                    port.span,
                    format!("`{first}` and `{name}` are both published on host port {}", port.value),
                )
                .with_label("host port taken")
                .with_related(first_span, "first published here")
                .with_help("give each service its own host port"),
            );
        }
    }
}

/// Every service layer in the model with a name for messages.
pub fn layers(model: &Model) -> Vec<(String, &ServiceSpec)> {
    let mut out = vec![(String::from("defaults"), &model.defaults)];
    out.extend(model.services.values().map(|s| (format!("services.{}", s.name.value), &s.spec)));
    out.extend(model.jobs.values().map(|j| (format!("jobs.{}", j.name.value), &j.spec)));
    for environment in model.environments.values() {
        let env = &environment.name.value;
        out.push((format!("environments.{env}.defaults"), &environment.defaults));
        out.extend(environment.services.values().map(|(n, s)| (format!("environments.{env}.services.{}", n.value), s)));
        out.extend(environment.jobs.values().map(|(n, s)| (format!("environments.{env}.jobs.{}", n.value), s)));
    }
    out
}

fn check_spec(model: &Model, _context: &str, spec: &ServiceSpec, diagnostics: &mut Diagnostics) {
    for reference in spec.secrets.values() {
        match &reference.value {
            SecretRef::Declared(name) if !model.secrets.contains_key(name) => {
                let mut diagnostic = unknown("secret", name, reference.span, model.secrets.keys());
                if diagnostic.help.as_deref().is_some_and(|h| h.starts_with("define")) {
                    diagnostic =
                        diagnostic.with_help(format!("declare it: `secrets: {{ {name}: {{ description: ... }} }}`"));
                }
                diagnostics.push(diagnostic);
            }
            SecretRef::ResourcePassword(resource) if !model.resources.contains_key(resource) => {
                diagnostics.push(unknown("resource", resource, reference.span, model.resources.keys()));
            }
            _ => {}
        }
    }
    if let Some(uses) = &spec.uses {
        for name in &uses.value {
            if !model.resources.contains_key(&name.value) {
                let mut diagnostic = unknown("resource", &name.value, name.span, model.resources.keys());
                if model.services.contains_key(&name.value) {
                    diagnostic = diagnostic.with_help(format!("`{}` is a service: list it under `calls:`", name.value));
                }
                diagnostics.push(diagnostic);
            }
        }
    }
    if let Some(calls) = &spec.calls {
        for name in &calls.value {
            if !model.services.contains_key(&name.value) {
                let mut diagnostic = unknown("service", &name.value, name.span, model.services.keys());
                if model.resources.contains_key(&name.value) {
                    diagnostic = diagnostic.with_help(format!("`{}` is a resource: list it under `uses:`", name.value));
                }
                diagnostics.push(diagnostic);
            }
        }
    }
    if let Some(after) = &spec.after {
        for name in &after.value {
            if !model.services.contains_key(&name.value) {
                diagnostics.push(unknown("service", &name.value, name.span, model.services.keys()));
            }
        }
    }
    for value in spec.env.values() {
        for (placeholder, span) in value.value.placeholders() {
            match placeholder {
                Placeholder::Resource { name, attr } => match model.resources.get(name) {
                    None => diagnostics.push(unknown("resource", name, span, model.resources.keys())),
                    Some(resource) if *attr == ResourceAttr::Name && resource.kind.value == ResourceKind::Redis => {
                        diagnostics.push(
                            Diagnostic::new(
                                codes::UNKNOWN_PLACEHOLDER,
                                span,
                                format!("resource `{name}` is a redis cache and has no database `name`"),
                            )
                            .with_label("no such attribute")
                            .with_related(resource.name.span, "defined here")
                            .with_help("use host, port or user"),
                        );
                    }
                    Some(resource) if *attr == ResourceAttr::Url && resource.kind.value == ResourceKind::Mssql => {
                        diagnostics.push(
                            Diagnostic::new(
                                codes::UNKNOWN_PLACEHOLDER,
                                span,
                                format!("resource `{name}` is a SQL Server database, which has no connection URL its drivers agree on"),
                            )
                            .with_label("no URL for mssql")
                            .with_related(resource.name.span, "defined here")
                            .with_help(format!(
                                "build the driver's connection string from ${{resources.{name}.host}}, port, name and user, and map `{name}.password`"
                            )),
                        );
                    }
                    Some(_) => {}
                },
                Placeholder::Service { name, .. } if !model.services.contains_key(name) => {
                    diagnostics.push(unknown("service", name, span, model.services.keys()));
                }
                _ => {}
            }
        }
    }
}

/// An unknown-reference diagnostic with a suggestion from `candidates`.
pub fn unknown<'a>(kind: &str, name: &str, span: Span, candidates: impl IntoIterator<Item = &'a String>) -> Diagnostic {
    let candidates: Vec<&str> = candidates.into_iter().map(String::as_str).collect();
    let diagnostic = Diagnostic::new(codes::UNKNOWN_REFERENCE, span, format!("unknown {kind} `{name}`"))
        .with_label(format!("no {kind} of this name"));
    match did_you_mean(name, candidates.iter().copied()) {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None if candidates.is_empty() => diagnostic.with_help(format!("define it under `{kind}s:`")),
        None => diagnostic.with_help(format!("define it under `{kind}s:` (defined: {})", candidates.join(", "))),
    }
}

/// `alerts.notify.webhook` and `alerts.notify.smtp.password` name declared secrets.
fn check_alert_secrets(model: &Model, diagnostics: &mut Diagnostics) {
    let blocks = model.alerts.iter().chain(model.environments.values().filter_map(|e| e.alerts.as_ref()));
    for notify in blocks.filter_map(|alerts| alerts.notify.as_ref()) {
        let smtp_password = notify.value.smtp.as_ref().and_then(|smtp| smtp.value.password.as_ref());
        for name in notify.value.webhook.iter().chain(smtp_password) {
            if !model.secrets.contains_key(&name.value) {
                diagnostics.push(unknown("secret", &name.value, name.span, model.secrets.keys()));
            }
        }
    }
}

/// Options each target needs when an environment uses it.
fn check_target_options(model: &Model, diagnostics: &mut Diagnostics) {
    let used = |target: Target| {
        model
            .environments
            .values()
            .any(|e| e.targets.as_ref().is_some_and(|t| t.value.iter().any(|x| x.value == target)))
    };
    let missing = |span: Span, field: &str, example: &str| {
        Diagnostic::new(
            codes::MISSING_FIELD,
            span,
            format!("`{field}` is required by the environments that use this target"),
        )
        .with_label(format!("`{field}` missing"))
        .with_help(format!("add `{example}`"))
    };
    if let Some(aws) = &model.targets.aws {
        if used(Target::Aws) || used(Target::Ecs) {
            if aws.region.is_none() {
                diagnostics.push(missing(aws.span, "targets.aws.region", "region: us-east-1"));
            }
            match &aws.account_id {
                None => diagnostics.push(missing(aws.span, "targets.aws.account_id", "account_id: \"123456789012\"")),
                Some(account) if account.value.len() != 12 || !account.value.chars().all(|c| c.is_ascii_digit()) => {
                    diagnostics.push(
                        Diagnostic::new(
                            codes::INVALID_VALUE,
                            account.span,
                            format!("`{}` is not an AWS account id", account.value),
                        )
                        .with_label("expected 12 digits")
                        .with_help("quote it so leading zeros survive: account_id: \"012345678901\""),
                    );
                }
                Some(_) => {}
            }
        }
        if used(Target::Aws) && aws.state_bucket.is_none() {
            diagnostics.push(missing(aws.span, "targets.aws.state.bucket", "state: { bucket: <project>-tfstate }"));
        }
    }
    if let Some(azure) = &model.targets.azure {
        if used(Target::Azure) {
            if azure.location.is_none() {
                diagnostics.push(missing(azure.span, "targets.azure.location", "location: eastus"));
            }
            if azure.state_resource_group.is_none() || azure.state_storage_account.is_none() {
                diagnostics.push(missing(
                    azure.span,
                    "targets.azure.state",
                    "state: { resource_group: <rg>, storage_account: <account>, container: tfstate }",
                ));
            }
        }
    }
}
