//! Clients get what servers demand: IAC044 credential-not-mapped (a workload uses a resource that
//! requires a password and reads none) and IAC021 duplicate-definition for a connection URL whose
//! password variable (`<RESOURCE>_PASSWORD`) the workload already uses for something else.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{Auth, EnvValue, Field, Origins, SecretEnv, Stack, implied_password_env, password_env};
use crate::model::placeholder::{Placeholder, ResourceAttr};
use crate::shared::span::Span;
use crate::validate::Finding;

/// What the checks read of a service or a job.
struct Client<'a> {
    kind: &'static str,
    name: &'a str,
    env: &'a BTreeMap<String, EnvValue>,
    secrets: &'a BTreeMap<String, SecretEnv>,
    uses: &'a BTreeSet<String>,
    origins: &'a Origins,
    origin: Span,
}

/// Run the checks on `stack`.
pub fn check(stack: &Stack, findings: &mut Vec<Finding>) {
    let services = stack.services.values().map(|s| Client {
        kind: "service",
        name: &s.name,
        env: &s.env,
        secrets: &s.secrets,
        uses: &s.uses,
        origins: &s.origins,
        origin: s.origin,
    });
    let jobs = stack.jobs.values().map(|j| Client {
        kind: "job",
        name: &j.name,
        env: &j.env,
        secrets: &j.secrets,
        uses: &j.uses,
        origins: &j.origins,
        origin: j.origin,
    });
    for client in services.chain(jobs) {
        check_client(stack, &client, findings);
    }
}

fn check_client(stack: &Stack, client: &Client<'_>, findings: &mut Vec<Finding>) {
    let mut push = |diagnostic: Diagnostic| {
        findings.push(Finding {
            diagnostic,
            subject: Some(client.name.to_string()),
            environment: stack.environment.clone(),
        });
    };
    let span_of = |field: Field| client.origins.get(&field).and_then(|o| o.span).unwrap_or(client.origin);
    let mut blocked = BTreeSet::new();
    for value in client.env.values() {
        for (placeholder, span) in value.template.placeholders() {
            let Placeholder::Resource { name, attr: ResourceAttr::Url } = placeholder else { continue };
            let needs_password = stack.resources.get(name).is_some_and(|r| r.auth == Auth::Password);
            if !needs_password || password_env(client.secrets, name).is_some() || !blocked.insert(name.clone()) {
                continue;
            }
            // Resolution adds `<RESOURCE>_PASSWORD` unless the name is taken: say by what.
            let variable = implied_password_env(name);
            let taken = if client.env.contains_key(&variable) {
                Field::Env(variable.clone())
            } else {
                Field::Secret(variable.clone())
            };
            push(
                Diagnostic::new(
                    codes::DUPLICATE_DEFINITION,
                    span,
                    format!(
                        "`${{resources.{name}.url}}` needs the password of `{name}` in `{variable}`, which {} `{}` sets as something else",
                        client.kind, client.name
                    ),
                )
                .with_label("the URL's password variable")
                .with_related(span_of(taken), format!("`{variable}` set here"))
                .with_help(format!(
                    "map the password yourself (`secrets: {{ APP_{variable}: {name}.password }}`): the URL uses that variable"
                )),
            );
        }
    }
    for name in client.uses {
        let Some(resource) = stack.resources.get(name) else { continue };
        if resource.auth != Auth::Password || password_env(client.secrets, name).is_some() || blocked.contains(name) {
            continue;
        }
        let variable = implied_password_env(name);
        push(
            Diagnostic::new(
                codes::CREDENTIAL_NOT_MAPPED,
                span_of(Field::Used(name.clone())),
                format!(
                    "{} `{}` uses {} `{name}`, which requires a password, but reads none",
                    client.kind,
                    client.name,
                    resource.kind.as_str()
                ),
            )
            .with_label(format!("connects to `{name}` without its password"))
            .with_related(resource.origin, "defined here")
            .with_help(format!(
                "map it (`secrets: {{ {variable}: {name}.password }}`) or use `${{resources.{name}.url}}`, which carries it"
            )),
        );
    }
}
