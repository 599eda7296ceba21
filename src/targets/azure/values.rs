//! Model values as root expressions: env placeholders (README section 1.3), secret references and images
//! (section 1.4).

use std::collections::BTreeMap;

use crate::ir::{EnvValue, Image, Layer, Origin, SecretEnv, SecretRef, Stack};
use crate::model::placeholder::{Placeholder, ResourceAttr, Segment, ServiceAttr};
use crate::targets::azure::names::{self, Names};
use crate::targets::connection;
use crate::targets::hcl::{self, Expr, Piece};

/// What a placeholder becomes: a reference into a module, literal text, or both (a URL).
enum Value {
    Reference(String),
    Literal(String),
    Pieces(Vec<Piece>),
}

fn placeholder(stack: &Stack, names: &Names<'_>, placeholder: &Placeholder) -> Value {
    match placeholder {
        Placeholder::Environment => Value::Literal(stack.environment.clone()),
        Placeholder::Project => Value::Literal(stack.project.clone()),
        Placeholder::Resource { name, attr } => {
            let module = format!("module.{}", names::block(name));
            Value::Reference(match attr {
                ResourceAttr::Host => format!("{module}.host"),
                ResourceAttr::Port => format!("{module}.port"),
                ResourceAttr::Name => format!("{module}.database_name"),
                ResourceAttr::User => format!("{module}.admin_user"),
                ResourceAttr::Url => return url(stack, name, &module),
            })
        }
        // Literals from the derived name, not module outputs: two services that call each other would
        // otherwise form a dependency cycle.
        Placeholder::Service { name, attr } => {
            let host = format!("{}.azurewebsites.net", names.web_app(name));
            Value::Literal(match attr {
                ServiceAttr::Host => host,
                ServiceAttr::Port => String::from("443"),
                ServiceAttr::Url => format!("https://{host}"),
            })
        }
    }
}

/// A connection URL without its password: every Azure server here requires TLS (Azure Cache for
/// Redis on its TLS port only). App settings hold a Key Vault reference only as a whole value, so
/// the password travels in its own setting (README: azure).
fn url(stack: &Stack, name: &str, module: &str) -> Value {
    let Some(resource) = stack.resources.get(name) else { return Value::Literal(String::new()) };
    let reference = |output: &str| format!("{module}.{output}");
    let parts = connection::UrlParts {
        kind: resource.kind,
        tls: true,
        user: reference("admin_user"),
        password: None,
        host: reference("host"),
        port: reference("port"),
        database: reference("database_name"),
    };
    Value::Pieces(
        connection::pieces(parts, true)
            .into_iter()
            .map(|piece| match piece {
                connection::Piece::Text(text) => Piece::Text(text.to_string()),
                connection::Piece::Part(reference) => Piece::Interpolation(reference),
            })
            .collect(),
    )
}

/// One env value: a bare reference when it is exactly one placeholder, else a string (template).
pub fn env_value(stack: &Stack, names: &Names<'_>, value: &EnvValue) -> Expr {
    if let [Segment::Placeholder(only, _)] = value.template.segments.as_slice()
        && let Value::Reference(reference) = placeholder(stack, names, only)
    {
        let port = matches!(only, Placeholder::Resource { attr: ResourceAttr::Port, .. });
        return Expr::raw(if port { format!("tostring({reference})") } else { reference });
    }
    let pieces: Vec<Piece> = value
        .template
        .segments
        .iter()
        .flat_map(|segment| match segment {
            Segment::Text(text) => vec![Piece::Text(text.clone())],
            Segment::Placeholder(only, _) => match placeholder(stack, names, only) {
                Value::Reference(reference) => vec![Piece::Interpolation(reference)],
                Value::Literal(text) => vec![Piece::Text(text)],
                Value::Pieces(pieces) => pieces,
            },
        })
        .collect();
    Expr::raw(hcl::template(&pieces))
}

/// The resource whose whole connection URL (with its password) `value` is: exactly
/// `${resources.<r>.url}` of a resource that has a password. Such a setting is a Key Vault
/// reference to the URL the resource's module writes (App Service and Container Apps take a
/// reference only as a whole value); a URL inside other text carries no password.
pub fn whole_url<'a>(stack: &Stack, value: &'a EnvValue) -> Option<&'a str> {
    let [Segment::Placeholder(Placeholder::Resource { name, attr: ResourceAttr::Url }, _)] =
        value.template.segments.as_slice()
    else {
        return None;
    };
    stack.resources.get(name).filter(|r| r.auth == crate::ir::Auth::Password).map(|_| name.as_str())
}

/// The env map of a web app or job, sorted by name (whole connection URLs are secrets instead).
pub fn env_map(stack: &Stack, names: &Names<'_>, env: &BTreeMap<String, EnvValue>) -> Vec<(String, Expr)> {
    env.iter()
        .filter(|(_, value)| whole_url(stack, value).is_none())
        .map(|(name, value)| (name.clone(), env_value(stack, names, value)))
        .collect()
}

/// Whole connection URLs as secrets: variable → the resource module's `url_secret_id`.
pub fn url_secret_map(stack: &Stack, env: &BTreeMap<String, EnvValue>) -> Vec<(String, Expr)> {
    env.iter()
        .filter_map(|(name, value)| {
            let resource = whole_url(stack, value)?;
            Some((name.clone(), Expr::raw(format!("module.{}.url_secret_id", names::block(resource)))))
        })
        .collect()
}

/// The secrets map: variable → versionless Key Vault secret ID.
pub fn secret_map(secrets: &BTreeMap<String, SecretEnv>) -> Vec<(String, Expr)> {
    secrets
        .iter()
        .map(|(name, secret)| {
            let id = match &secret.reference {
                SecretRef::Declared(secret) => format!("module.key_vault.secret_ids[{}]", hcl::quote(secret)),
                SecretRef::ResourcePassword(resource) => {
                    format!("module.{}.password_secret_id", names::block(resource))
                }
            };
            (name.clone(), Expr::raw(id))
        })
        .collect()
}

/// Where an image is pulled from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The environment's registry (CI pushes the same repository path there).
    Registry { reference: String },
    /// Another registry, pulled anonymously (public images only).
    External { host: String, reference: String },
}

/// Docker Hub's registry host.
const DOCKER_HUB: &str = "index.docker.io";

/// Classify an image: under the model's `registry` (or the built-in default `<name>` of a project without
/// one) → the environment's registry with the same path; another host (or a host-less explicit image,
/// which Docker reads as Docker Hub) → that registry.
pub fn image_source(stack: &Stack, image: &Image, image_origin: Option<&Origin>) -> Source {
    let pin = match &image.pin {
        crate::model::image::ImagePin::Tag(tag) => format!(":{tag}"),
        crate::model::image::ImagePin::Digest(digest) => format!("@{digest}"),
    };
    if let Some(registry) = &stack.registry {
        let prefix = format!("{}/", registry.trim_end_matches('/'));
        if let Some(path) = image.repository.strip_prefix(&prefix) {
            return Source::Registry { reference: format!("{path}{pin}") };
        }
    }
    let (first, rest) = image.repository.split_once('/').unwrap_or(("", &image.repository));
    if first.contains('.') || first.contains(':') || first == "localhost" {
        return Source::External { host: first.to_string(), reference: format!("{rest}{pin}") };
    }
    let built_in = image_origin.is_none_or(|origin| origin.layer == Layer::BuiltIn);
    if built_in {
        return Source::Registry { reference: format!("{}{pin}", image.repository) };
    }
    let repository =
        if image.repository.contains('/') { image.repository.clone() } else { format!("library/{}", image.repository) };
    Source::External { host: String::from(DOCKER_HUB), reference: format!("{repository}{pin}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::image::ImagePin;

    fn image(repository: &str) -> Image {
        Image { repository: repository.to_string(), pin: ImagePin::Tag(String::from("1.0")) }
    }

    fn stack(registry: Option<&str>) -> Stack {
        Stack {
            project: String::from("p"),
            project_span: None,
            environment: String::from("e"),
            environment_span: None,
            stage: crate::ir::Stage::Staging,
            targets: Default::default(),
            tags: Default::default(),
            tag_spans: Default::default(),
            registry: registry.map(String::from),
            services: Default::default(),
            jobs: Default::default(),
            resources: Default::default(),
            secrets: Default::default(),
            config: Default::default(),
            alerting: None,
        }
    }

    #[test]
    fn classifies_images() {
        let explicit = Origin { layer: Layer::Service, span: None };
        let pact = stack(Some("pactregistry.azurecr.io"));
        assert_eq!(
            image_source(&pact, &image("pactregistry.azurecr.io/dox-core-store"), Some(&explicit)),
            Source::Registry { reference: String::from("dox-core-store:1.0") }
        );
        assert_eq!(
            image_source(&pact, &image("ghcr.io/org/app"), Some(&explicit)),
            Source::External { host: String::from("ghcr.io"), reference: String::from("org/app:1.0") }
        );
        assert_eq!(
            image_source(&pact, &image("nginx"), Some(&explicit)),
            Source::External { host: String::from(DOCKER_HUB), reference: String::from("library/nginx:1.0") }
        );
        assert_eq!(
            image_source(&stack(None), &image("api"), Some(&Origin::BUILT_IN)),
            Source::Registry { reference: String::from("api:1.0") }
        );
    }
}
