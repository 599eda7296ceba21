//! Placeholders and secrets as Terraform references to the root's module outputs (contract 5.2, 5.4).

use std::collections::BTreeSet;

use crate::ir::{ResourceKind, SecretRef, Stack};
use crate::model::placeholder::{Placeholder, ResourceAttr, Segment, ServiceAttr, Template};
use crate::targets::aws::names::{Kind, Labels};
use crate::targets::fargate::container::Values;
use crate::targets::fargate::node::Node;
use crate::targets::{connection, hcl};

/// Writes values as references to the modules of one environment's root.
pub struct References<'a> {
    pub stack: &'a Stack,
    pub labels: &'a Labels,
}

/// A placeholder as a Terraform value: a literal, or an expression.
enum Value {
    Text(String),
    /// An expression; `as_string` is its form where a string is needed (`tostring(...)` for ports).
    Expr {
        inner: String,
        as_string: String,
    },
}

impl References<'_> {
    /// A placeholder as text and expressions (a connection URL is several of each).
    fn values(&self, placeholder: &Placeholder) -> Vec<Value> {
        let Placeholder::Resource { name, attr: ResourceAttr::Url } = placeholder else {
            return vec![self.value(placeholder)];
        };
        let Some(resource) = self.stack.resources.get(name) else { return Vec::new() };
        let attr = |attr| self.value(&Placeholder::Resource { name: name.clone(), attr });
        // Every module here requires TLS (rds.force_ssl, require_secure_transport, ElastiCache
        // transit encryption). ECS injects whole secrets only, so the URL carries no password: the
        // task reads it from its own variable (README: aws).
        let parts = connection::UrlParts {
            kind: resource.kind,
            tls: true,
            user: attr(ResourceAttr::User),
            password: None,
            host: attr(ResourceAttr::Host),
            port: attr(ResourceAttr::Port),
            database: attr(ResourceAttr::Name),
        };
        connection::pieces(parts, true)
            .into_iter()
            .map(|piece| match piece {
                connection::Piece::Text(text) => Value::Text(text.to_string()),
                connection::Piece::Part(value) => value,
            })
            .collect()
    }

    fn value(&self, placeholder: &Placeholder) -> Value {
        let stack = self.stack;
        match placeholder {
            Placeholder::Environment => Value::Text(stack.environment.clone()),
            Placeholder::Project => Value::Text(stack.project.clone()),
            Placeholder::Resource { name, attr } => {
                let module = format!("module.{}", self.labels.get(Kind::Resource, name));
                let redis = stack.resources.get(name).is_some_and(|r| r.kind == ResourceKind::Redis);
                match attr {
                    ResourceAttr::Host if redis => expr(format!("{module}.host")),
                    ResourceAttr::Host => expr(format!("{module}.address")),
                    ResourceAttr::Port => port(format!("{module}.port")),
                    ResourceAttr::Name => expr(format!("{module}.database_name")),
                    ResourceAttr::User if redis => Value::Text(String::from("default")),
                    ResourceAttr::User => expr(format!("{module}.username")),
                    ResourceAttr::Url => Value::Text(String::new()),
                }
            }
            Placeholder::Service { name, attr } => {
                let module = format!("module.{}", self.labels.get(Kind::Service, name));
                match attr {
                    ServiceAttr::Host => expr(format!("{module}.host")),
                    ServiceAttr::Port => port(format!("{module}.port")),
                    ServiceAttr::Url => expr(format!("{module}.internal_url")),
                }
            }
        }
    }

    /// The expression of a secret's `valueFrom`, and the ARN the execution role must read.
    pub fn secret_arn(&self, reference: &SecretRef) -> (String, String) {
        match reference {
            SecretRef::Declared(name) => {
                let arn = format!("module.secrets.arns[{}]", hcl::quote(name));
                (arn.clone(), arn)
            }
            SecretRef::ResourcePassword(resource) => {
                let module = format!("module.{}", self.labels.get(Kind::Resource, resource));
                let redis = self.stack.resources.get(resource).is_some_and(|r| r.kind == ResourceKind::Redis);
                if redis {
                    let arn = format!("{module}.auth_token_secret_arn");
                    (arn.clone(), arn)
                } else {
                    // The RDS-managed secret is JSON {username, password}.
                    let arn = format!("{module}.master_user_secret_arn");
                    (format!("\"${{{arn}}}:password::\""), arn)
                }
            }
        }
    }

    /// `secret_arns` of the given references: de-duplicated, sorted by expression text.
    pub fn secret_arns(&self, references: &BTreeSet<SecretRef>) -> Vec<String> {
        let arns: BTreeSet<String> = references.iter().map(|reference| self.secret_arn(reference).1).collect();
        arns.into_iter().collect()
    }
}

fn expr(text: String) -> Value {
    Value::Expr { inner: text.clone(), as_string: text }
}

fn port(text: String) -> Value {
    Value::Expr { as_string: format!("tostring({text})"), inner: text }
}

impl Values for References<'_> {
    fn env(&self, template: &Template) -> Node {
        let parts: Vec<Value> = template
            .segments
            .iter()
            .flat_map(|segment| match segment {
                Segment::Text(text) => vec![Value::Text(text.clone())],
                Segment::Placeholder(placeholder, _) => self.values(placeholder),
            })
            .collect();
        let expressions = parts.iter().filter(|part| matches!(part, Value::Expr { .. })).count();
        if expressions == 0 {
            let text: String = parts
                .into_iter()
                .map(|part| match part {
                    Value::Text(text) => text,
                    Value::Expr { as_string, .. } => as_string,
                })
                .collect();
            return Node::Str(text);
        }
        if let [Value::Expr { as_string, .. }] = parts.as_slice() {
            return Node::Expr(as_string.clone());
        }
        // Text mixed with references: an HCL template string (the shared writer also keeps a `$`
        // that ends a text piece from reading as the `$${` escape).
        let pieces: Vec<hcl::Piece> = parts
            .into_iter()
            .map(|part| match part {
                Value::Text(text) => hcl::Piece::Text(text),
                Value::Expr { inner, .. } => hcl::Piece::Interpolation(inner),
            })
            .collect();
        Node::Expr(hcl::template(&pieces))
    }

    fn secret(&self, reference: &SecretRef) -> Node {
        Node::Expr(self.secret_arn(reference).0)
    }
}
