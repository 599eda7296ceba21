//! Env values with their placeholders substituted as they are true inside the cluster, and secret
//! references (`secrets.env`) for either secrets mode.
//!
//! `${services.s.host}` is the Service's DNS name: `s.<namespace>.svc.cluster.local` when
//! `targets.helm.namespace` is set (the environment's `targets_config` wins), else `s` (same
//! namespace); `port` is the callee chart's `service.port` (its `http` container port) and `url` is
//! `http://<host>:<port>`. Resources are not provisioned by helm: `host`, `port`, `name` and `user`
//! are the environment's pinned values. In values.yaml (the base) `${environment}` and resource hosts
//! are unknown: the env var that needs one is left out there and every environment file sets it.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{Auth, SecretEnv, SecretRef, password_env};
use crate::model::placeholder::{Placeholder, ResourceAttr, Segment, ServiceAttr};
use crate::targets::connection;
use crate::targets::helm::Sink;
use crate::targets::helm::values::{Scope, Workload};
use crate::targets::yaml_out::{Entry, Yaml};

/// A workload's env, rendered for the chart.
#[derive(Default)]
pub struct Env {
    /// Plain values (ConfigMap `<name>-env`).
    pub plain: BTreeMap<String, String>,
    /// Values that embed a secret env var as `$(VAR)` (a connection URL with its password): written
    /// as `env` entries after the secrets, where Kubernetes expands them (`$$` is a literal `$`).
    pub composed: BTreeMap<String, String>,
}

/// The env of `workload` in `scope`, rendered; variables only an environment can give are absent
/// from the base.
pub fn env(scope: &Scope<'_>, workload: Workload<'_>, sink: &mut Sink) -> Env {
    let mut out = Env::default();
    'vars: for (name, value) in workload.env() {
        // Rendered twice over: as plain text, and with `$` escaped for Kubernetes' expansion in
        // case a part refers to a secret variable.
        let mut text = String::new();
        let mut expanded = String::new();
        let mut composed = false;
        for segment in &value.template.segments {
            match segment {
                Segment::Text(literal) => {
                    text.push_str(literal);
                    expanded.push_str(&literal.replace('$', "$$"));
                }
                Segment::Placeholder(placeholder, span) => match resolve(scope, workload, placeholder) {
                    Resolved::Value(value) => {
                        expanded.push_str(&value.replace('$', "$$"));
                        text.push_str(&value);
                    }
                    Resolved::WithSecret(value) => {
                        composed = true;
                        expanded.push_str(&value);
                    }
                    Resolved::EnvironmentOnly => continue 'vars,
                    Resolved::NoHttpPort(callee) => {
                        let mut diagnostic = Diagnostic::new(
                            codes::UNKNOWN_PORT_NAME,
                            *span,
                            format!("`{}` needs an `http` port on service `{callee}`", spelling(placeholder)),
                        )
                        .with_label(format!("service `{callee}` has no `http` port"))
                        .with_help(format!(
                            "give `{callee}` an http port (`port: 8080`), or use `${{services.{callee}.host}}` with the port written out"
                        ));
                        if let Some(service) = scope.stack.services.get(&callee) {
                            diagnostic = diagnostic.with_related(service.origin, "service defined here");
                        }
                        sink.push(diagnostic);
                        continue 'vars;
                    }
                },
            }
        }
        if composed {
            out.composed.insert(name.clone(), expanded);
        } else {
            out.plain.insert(name.clone(), text);
        }
    }
    out
}

enum Resolved {
    Value(String),
    /// Text for Kubernetes' `$(VAR)` expansion that references a secret env var (`$` escaped).
    WithSecret(String),
    /// Only an environment knows it (values.yaml).
    EnvironmentOnly,
    /// `${services.s.port|url}` of a service without an http port.
    NoHttpPort(String),
}

fn resolve(scope: &Scope<'_>, workload: Workload<'_>, placeholder: &Placeholder) -> Resolved {
    let stack = scope.stack;
    match placeholder {
        Placeholder::Environment if scope.is_base => Resolved::EnvironmentOnly,
        Placeholder::Environment => Resolved::Value(stack.environment.clone()),
        Placeholder::Project => Resolved::Value(stack.project.clone()),
        Placeholder::Resource { name, attr } => {
            let Some(resource) = stack.resources.get(name) else { return Resolved::Value(String::new()) };
            match attr {
                // Unpinned: the base (validation reports an environment that targets helm without one).
                ResourceAttr::Host => resource.host.clone().map_or(Resolved::EnvironmentOnly, Resolved::Value),
                ResourceAttr::Port => Resolved::Value(resource.port.to_string()),
                ResourceAttr::Name => Resolved::Value(resource.database.clone()),
                ResourceAttr::User => Resolved::Value(resource.user.clone()),
                ResourceAttr::Url => {
                    let Some(host) = &resource.host else { return Resolved::EnvironmentOnly };
                    // The password variable the workload maps (resolution adds one for a URL).
                    let password =
                        (resource.auth == Auth::Password).then(|| password_env(workload.secrets(), name)).flatten();
                    // With a password, the value is expanded by Kubernetes: `$` in text is `$$`.
                    let text = |raw: &str| if password.is_some() { raw.replace('$', "$$") } else { raw.to_string() };
                    let reference = password.map(|variable| format!("$({variable})"));
                    let url = connection::url(connection::UrlParts {
                        kind: resource.kind,
                        tls: resource.tls,
                        user: &text(&connection::escape(&resource.user)),
                        password: reference.as_deref(),
                        host: &text(host),
                        port: &resource.port.to_string(),
                        database: &text(&connection::escape(&resource.database)),
                    });
                    if reference.is_some() { Resolved::WithSecret(url) } else { Resolved::Value(url) }
                }
            }
        }
        Placeholder::Service { name, attr } => {
            let host = service_host(scope, name);
            if *attr == ServiceAttr::Host {
                return Resolved::Value(host);
            }
            let Some(port) = stack.services.get(name).and_then(|service| service.http_port()) else {
                return Resolved::NoHttpPort(name.clone());
            };
            // The callee's Service port (targets.helm.service_port, else its container port).
            let port = scope.helm.service_port.unwrap_or(port);
            match attr {
                ServiceAttr::Url => Resolved::Value(format!("http://{host}:{port}")),
                _ => Resolved::Value(port.to_string()),
            }
        }
    }
}

/// The in-cluster DNS name of service `name`'s chart.
pub fn service_host(scope: &Scope<'_>, name: &str) -> String {
    match &scope.helm.namespace {
        Some(namespace) => format!("{name}.{namespace}.svc.cluster.local"),
        None => name.to_string(),
    }
}

fn spelling(placeholder: &Placeholder) -> String {
    match placeholder {
        Placeholder::Service { name, attr } => {
            let attr = match attr {
                ServiceAttr::Host => "host",
                ServiceAttr::Port => "port",
                ServiceAttr::Url => "url",
            };
            format!("${{services.{name}.{attr}}}")
        }
        Placeholder::Resource { name, .. } => format!("${{resources.{name}}}"),
        Placeholder::Environment => String::from("${environment}"),
        Placeholder::Project => String::from("${project}"),
    }
}

/// `secrets`: the mode and one reference per secret env var.
///
/// `existing`: a declared secret `s` is key `value` of Secret `s`; a resource credential `r.password`
/// is key `password` of Secret `r` (one Kubernetes Secret per model secret, shared by every chart).
/// `external-secrets`: `remoteKey` is the model name (`s`, `r.password`) under `remoteKeyPrefix`,
/// `<project>/<env>/` (`<project>/` in values.yaml); each chart's ExternalSecret fills its own
/// Secret `<chart>-secrets`.
pub fn secrets(scope: &Scope<'_>, workload: &str, secrets: &BTreeMap<String, SecretEnv>) -> Yaml {
    let external = scope.helm.external_secrets;
    let env = secrets.iter().map(|(variable, secret)| {
        let reference = match (&secret.reference, external) {
            // `secret_names: per-service`: one Secret per service, one key per env var
            // (`DATABASE_PASSWORD` → `database-password`), as teams that write their Secrets by hand do.
            (_, false) if scope.helm.per_service_secrets => Yaml::map()
                .with("name", Yaml::str(format!("{workload}-secrets")))
                .with("key", Yaml::str(variable.to_ascii_lowercase().replace('_', "-"))),
            (SecretRef::Declared(name), false) => {
                Yaml::map().with("name", Yaml::str(name.clone())).with("key", Yaml::str("value"))
            }
            (SecretRef::ResourcePassword(resource), false) => {
                Yaml::map().with("name", Yaml::str(resource.clone())).with("key", Yaml::str("password"))
            }
            (SecretRef::Declared(name), true) => Yaml::map().with("remoteKey", Yaml::str(name.clone())),
            (SecretRef::ResourcePassword(resource), true) => {
                Yaml::map().with("remoteKey", Yaml::str(format!("{resource}.password")))
            }
        };
        Entry { key: variable.clone(), value: reference, comment: None }
    });
    let mode = if external { "external-secrets" } else { "existing" };
    let mut yaml = Yaml::map().with("mode", Yaml::str(mode)).with("env", Yaml::Map(env.collect()));
    if external {
        let prefix = if scope.is_base {
            format!("{}/", scope.stack.project)
        } else {
            format!("{}/{}/", scope.stack.project, scope.stack.environment)
        };
        yaml.insert(
            "store",
            Yaml::map()
                .with("name", Yaml::str(scope.helm.secret_store.clone()))
                .with("kind", Yaml::str("ClusterSecretStore")),
        );
        yaml.insert("refreshInterval", Yaml::str("1h"));
        yaml.insert("remoteKeyPrefix", Yaml::str(prefix));
    }
    yaml
}
