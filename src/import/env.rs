//! `environment:` and `env_file:` → `env` and `secrets`. A credential (by the variable's name, the
//! variables it reads, or the value's shape) becomes a declared secret read from `.env` by the
//! compose output; a database's password, matched by role (a password variable holding the
//! resource's password), becomes `<resource>.password`; a resource's user, database name or host
//! becomes a placeholder; other host names follow renamed services. No credential value is ever
//! written or reported.

use crate::import::compose::{Ctx, get};
use crate::import::credentials::{credential_value, is_credential_name};
use crate::import::draft::{Draft, Secret, Service};
use crate::import::interpolate::{self, Op, Piece};
use crate::import::resource::mentions;
use crate::import::{dotenv, hosts, label};
use crate::shared::span::Span;
use crate::source::decode::is_env_name;
use crate::source::yaml::{Node, NodeKind};
use crate::targets::compose::{password_variable, secret_variable};

/// One `environment:` entry: `KEY: value`, `- KEY=value`, or a pass-through `- KEY`.
pub struct Entry {
    pub name: String,
    /// `None`: passed through from the shell.
    pub value: Option<String>,
    pub span: Span,
    pub path: String,
    /// From an env file: the value is final (quotes and `${VAR}` already handled by the file's rules).
    pub from_file: bool,
}

/// The entries of an `environment:` node (a map or a list of `KEY=value`).
pub fn read(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    match &node.kind {
        NodeKind::Null => {}
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                let name = key.as_str().unwrap_or("").to_string();
                let value_text = match &value.kind {
                    NodeKind::Null => None,
                    NodeKind::Scalar { text, .. } => Some(text.clone()),
                    _ => {
                        ctx.wrong_type(value, "a string", &format!("{path}.{name}"));
                        continue;
                    }
                };
                out.push(Entry {
                    path: format!("{path}.{name}"),
                    name,
                    value: value_text,
                    span: key.span,
                    from_file: false,
                });
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                let Some(text) = item.as_str() else {
                    ctx.wrong_type(item, "a `KEY=value` string", path);
                    continue;
                };
                let (name, value) = match text.split_once('=') {
                    Some((name, value)) => (name.to_string(), Some(value.to_string())),
                    None => (text.to_string(), None),
                };
                out.push(Entry { path: format!("{path}.{name}"), name, value, span: item.span, from_file: false });
            }
        }
        NodeKind::Scalar { .. } => ctx.wrong_type(node, "a map or a list", path),
    }
    out
}

/// The entries of a service's `env_file:` files (a path, a list of paths, or `{path, required}`
/// items), in order. A file that cannot be read is reported (compose would refuse to start unless
/// `required: false`).
pub fn read_files(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Vec<Entry> {
    let items: Vec<(&Node, Option<&str>, bool)> = match &node.kind {
        NodeKind::Scalar { text, .. } => vec![(node, Some(text.as_str()), true)],
        NodeKind::Seq(items) => items
            .iter()
            .map(|item| match &item.kind {
                NodeKind::Map(map) => (
                    item,
                    get(map, "path").and_then(Node::as_str),
                    get(map, "required").and_then(Node::as_str) != Some("false"),
                ),
                _ => (item, item.as_str(), true),
            })
            .collect(),
        NodeKind::Null => Vec::new(),
        NodeKind::Map(_) => {
            ctx.wrong_type(node, "a path or a list of paths", path);
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for (item, file, required) in items {
        let Some(file) = file else {
            ctx.wrong_type(item, "a path", path);
            continue;
        };
        let file = interpolate::resolve_text_with(file, &ctx.vars).map_or_else(|_| file.to_string(), |r| r.text);
        match ctx.read_beside(&file) {
            Ok(text) => {
                for line in dotenv::parse(&text, &ctx.vars) {
                    out.push(Entry {
                        path: format!("{path}({file}:{}).{}", line.line, line.key),
                        name: line.key,
                        value: Some(line.value),
                        span: item.span,
                        from_file: true,
                    });
                }
            }
            Err(message) if required => ctx.lost(
                item.span,
                path,
                format!("{message}: its variables are not imported (compose would not start the service without it)"),
            ),
            Err(_) => {}
        }
    }
    out
}

/// Map the entries of a service's `env_file:` and `environment:` (later entries win, as in compose).
pub fn map(ctx: &mut Ctx<'_>, draft: &mut Draft, service: &mut Service, name: &str, entries: Vec<Entry>) {
    for entry in entries {
        one(ctx, draft, service, name, entry);
    }
}

fn one(ctx: &mut Ctx<'_>, draft: &mut Draft, service: &mut Service, name: &str, entry: Entry) {
    let Entry { name: variable, value, span, path, from_file } = entry;
    if !is_env_name(&variable) {
        ctx.lost(
            span,
            &path,
            "not a valid variable name in the model (letters, digits and '_', not starting with a digit)",
        );
        return;
    }
    service.env.remove(&variable);
    service.secrets.remove(&variable);
    let credential_name = is_credential_name(&variable);
    let Some(raw) = value else {
        pass_through(ctx, draft, service, name, (&variable, span, &path));
        return;
    };
    // An env file's value is final text: `$` in it is literal.
    let pieces = if from_file {
        vec![Piece::Text(raw.clone())]
    } else {
        match interpolate::parse(&raw) {
            Ok(pieces) => pieces,
            Err(message) => return ctx.lost(span, &path, message),
        }
    };
    let variables = interpolate::variables(&pieces);
    let reads_credential = variables.iter().any(|v| is_credential_name(v));

    // `${VAR}` alone: a resource's password variable, or a credential passed on by name.
    if let [Piece::Var { name: source, op, .. }] = pieces.as_slice()
        && *op != Op::Alternative
    {
        if let Some(resource) = password_by_variable(ctx, source) {
            service.secrets.insert(variable, format!("{resource}.password"));
            return;
        }
        if credential_name || reads_credential {
            // The same value as an env file's line for the variable: one secret (compared, never written).
            let identity = ctx.vars.get(source).cloned().unwrap_or_else(|| format!("${{{source}}}"));
            let secret = declare(draft, source, &identity, name, &variable);
            let env_var = secret_variable(&secret);
            let mut remarks = Vec::new();
            if *op == Op::Default {
                remarks.push(format!(
                    "the default of `${{{source}}}` is not imported (a secret's value never enters the model)"
                ));
            }
            if env_var != *source {
                remarks.push(format!("read from .env as {env_var}, not {source}"));
            }
            if !remarks.is_empty() {
                ctx.changed(span, &path, format!("the secret `{secret}`: {}", remarks.join("; ")));
            }
            service.secrets.insert(variable, secret);
            return;
        }
    }
    if reads_credential {
        let secret = declare(draft, &variable, &raw, name, &variable);
        ctx.changed(
            span,
            &path,
            format!(
                "the whole value is the secret `{secret}`, read from .env as {} (it interpolates a credential)",
                secret_variable(&secret)
            ),
        );
        service.secrets.insert(variable, secret);
        return;
    }

    let resolved = interpolate::resolve_with(&pieces, &ctx.vars);
    if credential_name {
        credential(ctx, draft, service, name, (&variable, span, &path), &resolved.text);
        return;
    }
    if let Some(what) = credential_value(&resolved.text) {
        let secret = declare(draft, &variable, &resolved.text, name, &variable);
        ctx.changed(
            span,
            &path,
            format!(
                "{what}: the value is not imported; it is the secret `{secret}`, read from .env as {}",
                secret_variable(&secret)
            ),
        );
        service.secrets.insert(variable, secret);
        return;
    }
    if !resolved.unset.is_empty() {
        let names: Vec<String> = resolved.unset.iter().map(|v| format!("`${{{v}}}`")).collect();
        ctx.lost(
            span,
            &path,
            format!(
                "{} has no value in .env and no default: compose would read the shell, and the model keeps no per-machine configuration except secrets; set the value under `env`",
                names.join(", ")
            ),
        );
        return;
    }
    if let Some(description) = resolved.describe() {
        ctx.changed(span, &path, description);
    }
    let value = by_role(ctx, service, &variable, &resolved.text);
    if value != escape(&resolved.text) {
        ctx.changed(span, &path, format!("now `{value}`: it names a service that was renamed, or a resource"));
    }
    service.env.insert(variable, value);
}

/// `- KEY` alone: compose passes the shell's (or `.env`'s) value through.
fn pass_through(ctx: &mut Ctx<'_>, draft: &mut Draft, service: &mut Service, name: &str, at: (&str, Span, &str)) {
    let (variable, span, path) = at;
    if is_credential_name(variable) {
        let secret = declare(draft, variable, &format!("${{{variable}}}"), name, variable);
        ctx.changed(
            span,
            path,
            format!(
                "passed through from the shell or .env: now the secret `{secret}`, read from .env as {}",
                secret_variable(&secret)
            ),
        );
        service.secrets.insert(variable.to_string(), secret);
    } else if let Some(value) = ctx.vars.get(variable).cloned() {
        ctx.changed(span, path, "passed through: took its value from .env");
        let value = by_role(ctx, service, variable, &value);
        service.env.insert(variable.to_string(), value);
    } else {
        ctx.not_mapped(
            span,
            path,
            "passed through from the shell, with no value in .env: not set, as compose leaves it when the shell has none (set a value under `env` if it needs one)",
        );
    }
}

/// A variable whose name says it is a credential: a resource's password when it holds one (by role:
/// a password variable with the resource's password), else a secret of its own.
fn credential(
    ctx: &mut Ctx<'_>,
    draft: &mut Draft,
    service: &mut Service,
    name: &str,
    at: (&str, Span, &str),
    text: &str,
) {
    let (variable, span, path) = at;
    if let Some(resource) = password_by_literal(ctx, variable, text) {
        ctx.changed(
            span,
            path,
            format!(
                "the literal password is not imported: it is `{resource}.password`, read from .env as {}",
                password_variable(&resource)
            ),
        );
        service.secrets.insert(variable.to_string(), format!("{resource}.password"));
        return;
    }
    let secret = declare(draft, variable, text, name, variable);
    let what = if text.is_empty() { "it was empty in the source" } else { "the literal value is not imported" };
    ctx.changed(
        span,
        path,
        format!("{what}: it is the secret `{secret}`, read from .env as {}", secret_variable(&secret)),
    );
    service.secrets.insert(variable.to_string(), secret);
}

/// A plain value in model syntax: a resource's user, database name or host as a placeholder when the
/// variable's role says so (`DB_USER=wordpress` with the database's user `wordpress`), renamed host
/// names rewritten, `${` escaped.
fn by_role(ctx: &Ctx<'_>, service: &mut Service, variable: &str, text: &str) -> String {
    let upper = variable.to_ascii_uppercase();
    let host_role = ["HOST", "SERVER", "ADDR"].iter().any(|word| upper.contains(word));
    if let Some(resource) = ctx.resource_hosts.get(text).filter(|_| host_role) {
        service.uses.insert(resource.clone());
        return format!("${{resources.{resource}.host}}");
    }
    let user_role = upper.ends_with("USER") || upper.ends_with("USERNAME") || upper.ends_with("_LOGIN");
    let database_role =
        upper.ends_with("_DB") || upper.ends_with("_NAME") || upper.ends_with("DATABASE") || upper.ends_with("DBNAME");
    for (resource, (user, database)) in &ctx.accounts {
        let is_used = service.uses.contains(resource) || ctx.accounts.len() == 1;
        let is_used = is_used && ctx.kinds.get(resource).is_some_and(|kind| mentions(variable, resource, *kind));
        if user_role && user.as_deref() == Some(text) && is_used {
            return format!("${{resources.{resource}.user}}");
        }
        if database_role && database.as_deref() == Some(text) && is_used {
            return format!("${{resources.{resource}.name}}");
        }
    }
    escape(&hosts::rewrite(text, &ctx.renamed))
}

/// Literal text in model syntax: `${` is a placeholder there, `$${` a literal.
pub fn escape(text: &str) -> String {
    text.replace("${", "$${")
}

/// Declare (or reuse) the secret for a value. `hint` names it; `identity` tells two values apart.
pub fn declare(draft: &mut Draft, hint: &str, identity: &str, service: &str, variable: &str) -> String {
    let base = match label(hint, 63) {
        empty if empty.is_empty() => String::from("secret"),
        base => base,
    };
    let mut candidates = vec![base.clone(), label(&format!("{service}-{base}"), 63)];
    candidates.extend((2..).take(100).map(|n| format!("{}-{n}", label(&base, 58))));
    for candidate in candidates {
        let secret = draft
            .secrets
            .entry(candidate.clone())
            .or_insert_with(|| Secret { identity: identity.to_string(), ..Secret::default() });
        if secret.identity == identity {
            secret.uses.insert(format!("{variable} of {service}"));
            return candidate;
        }
    }
    base
}

fn password_by_variable(ctx: &Ctx<'_>, variable: &str) -> Option<String> {
    ctx.passwords.iter().find(|(_, password)| password.variables.contains(variable)).map(|(name, _)| name.clone())
}

/// The resource whose password `variable` holds: the value is the resource's password and the
/// variable's name is about the resource (by role, never by value alone).
fn password_by_literal(ctx: &Ctx<'_>, variable: &str, text: &str) -> Option<String> {
    ctx.passwords
        .iter()
        .filter(|(name, _)| ctx.kinds.get(*name).is_some_and(|kind| mentions(variable, name, *kind)))
        .find(|(_, password)| !text.is_empty() && password.literals.contains(text))
        .map(|(name, _)| name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_placeholders() {
        assert_eq!(escape("a ${b} $c"), "a $${b} $c");
    }
}
