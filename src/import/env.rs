//! `environment:` → `env` and `secrets`. Values that look secret (by their name or the variable they
//! interpolate) become declared secrets, read from `.env` by the compose output; a value that is a
//! database's password becomes `<resource>.password`. No secret value is ever written or reported.

use crate::import::compose::Ctx;
use crate::import::draft::{Draft, Secret, Service};
use crate::import::interpolate::{self, Op, Piece};
use crate::import::label;
use crate::model::decode::is_env_name;
use crate::shared::span::Span;
use crate::source::yaml::{Node, NodeKind};
use crate::targets::compose::{password_variable, secret_variable};
use crate::validate::rules::standards::looks_secret;

/// One `environment:` entry: `KEY: value`, `- KEY=value`, or a pass-through `- KEY`.
pub struct Entry {
    pub name: String,
    /// `None`: passed through from the shell.
    pub value: Option<String>,
    pub span: Span,
    pub path: String,
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
                out.push(Entry { path: format!("{path}.{name}"), name, value: value_text, span: key.span });
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
                out.push(Entry { path: format!("{path}.{name}"), name, value, span: item.span });
            }
        }
        NodeKind::Scalar { .. } => ctx.wrong_type(node, "a map or a list", path),
    }
    out
}

/// Map every entry of a service's `environment:`.
pub fn map(ctx: &mut Ctx<'_>, draft: &mut Draft, service: &mut Service, name: &str, node: &Node, path: &str) {
    for entry in read(ctx, node, path) {
        one(ctx, draft, service, name, entry);
    }
}

fn one(ctx: &mut Ctx<'_>, draft: &mut Draft, service: &mut Service, name: &str, entry: Entry) {
    let Entry { name: variable, value, span, path } = entry;
    if !is_env_name(&variable) {
        ctx.not_mapped(
            span,
            &path,
            "not a valid variable name in the model (letters, digits and '_', not starting with a digit)",
        );
        return;
    }
    service.env.remove(&variable);
    service.secrets.remove(&variable);
    let Some(raw) = value else {
        if looks_secret(&variable) {
            let secret = declare(draft, &variable, &format!("${{{variable}}}"), name, &variable);
            ctx.changed(
                span,
                &path,
                format!(
                    "passed through from the shell: now the secret `{secret}`, read from .env as {}",
                    secret_variable(&secret)
                ),
            );
            service.secrets.insert(variable, secret);
        } else {
            ctx.not_mapped(
                span,
                &path,
                "passed through from the shell: the model keeps no per-machine configuration except secrets; set a value under `env`",
            );
        }
        return;
    };
    let pieces = match interpolate::parse(&raw) {
        Ok(pieces) => pieces,
        Err(message) => {
            ctx.not_mapped(span, &path, message);
            return;
        }
    };
    let variables = interpolate::variables(&pieces);
    let secretish = looks_secret(&variable) || variables.iter().any(|v| looks_secret(v));

    if let [Piece::Var { name: source, op, .. }] = pieces.as_slice()
        && *op != Op::Alternative
    {
        if let Some(resource) = password_by_variable(ctx, source) {
            service.secrets.insert(variable, format!("{resource}.password"));
            return;
        }
        if secretish {
            let secret = declare(draft, source, &format!("${{{source}}}"), name, &variable);
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
        if *op != Op::Default {
            ctx.not_mapped(
                span,
                &path,
                format!(
                    "`${{{source}}}` has no default: compose reads it from .env or the shell, and the model keeps no per-machine configuration except secrets; set the value under `env`"
                ),
            );
            return;
        }
    }

    let resolved = interpolate::resolve(&pieces);
    if resolved.is_literal()
        && let Some(resource) = password_by_literal(ctx, &resolved.text)
    {
        ctx.changed(
            span,
            &path,
            format!(
                "the literal password is not imported: it is `{resource}.password`, read from .env as {}",
                password_variable(&resource)
            ),
        );
        service.secrets.insert(variable, format!("{resource}.password"));
        return;
    }
    let holds_password =
        variables.iter().any(|v| password_by_variable(ctx, v).is_some()) || holds_literal_password(ctx, &resolved.text);
    if secretish || holds_password {
        let secret = declare(draft, &variable, &raw, name, &variable);
        let env_var = secret_variable(&secret);
        let message = if resolved.is_literal() {
            format!("the literal value is not imported: it is the secret `{secret}`, read from .env as {env_var}")
        } else {
            format!("the whole value is the secret `{secret}`, read from .env as {env_var} (it interpolates a secret)")
        };
        ctx.changed(span, &path, message);
        service.secrets.insert(variable, secret);
        return;
    }
    if !resolved.unset.is_empty() {
        let names: Vec<String> = resolved.unset.iter().map(|v| format!("`${{{v}}}`")).collect();
        ctx.not_mapped(
            span,
            &path,
            format!(
                "{} has no default: compose reads it from .env or the shell, and the model keeps no per-machine configuration except secrets; set the value under `env`",
                names.join(", ")
            ),
        );
        return;
    }
    if let Some(description) = resolved.describe() {
        ctx.changed(span, &path, description);
    }
    service.env.insert(variable, escape(&resolved.text));
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

fn password_by_literal(ctx: &Ctx<'_>, text: &str) -> Option<String> {
    ctx.passwords.iter().find(|(_, password)| password.literals.contains(text)).map(|(name, _)| name.clone())
}

fn holds_literal_password(ctx: &Ctx<'_>, text: &str) -> bool {
    ctx.passwords
        .values()
        .any(|password| password.literals.iter().any(|literal| literal.len() >= 4 && text.contains(literal.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_placeholders() {
        assert_eq!(escape("a ${b} $c"), "a $${b} $c");
    }
}
