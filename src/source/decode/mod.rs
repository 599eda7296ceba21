//! YAML nodes → typed model values, reporting every problem with its place.
//!
//! Decoding never stops at the first problem: a bad field is reported and left out, and the rest of
//! the model is still read, so one run shows everything.

mod alerts;
mod service;
mod top;

pub use alerts::{
    AlertsPlace, HTTP_METRICS_KEYS, NOTIFY_KEYS, PROJECT_ALERT_KEYS, RESOURCE_ALERT_KEYS, RULE_KEYS,
    SERVICE_ALERT_KEYS, SMTP_KEYS, alerts,
};
pub use service::{
    AUTOSCALE_KEYS, COMPUTE_KEYS, HEALTH_KEYS, INGRESS_KEYS, JOB_KEYS, LayerKind, METRICS_KEYS, READINESS_KEYS,
    SECURITY_KEYS, SERVICE_KEYS, http_path, is_env_name, is_mount_path, is_port_name, service_spec,
};
pub use top::{ENVIRONMENT_KEYS, GATEWAY_KEYS, PIN_KEYS, RESOURCE_KEYS, TOP_KEYS, environment_file, model, to_json};

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics, codes, did_you_mean};
use crate::shared::span::{SourceMap, Span, Spanned};
use crate::source::yaml::{Node, NodeKind};

/// What decoding needs besides the node: where diagnostics go and the source text (for exact columns).
pub struct Ctx<'a> {
    pub diagnostics: &'a mut Diagnostics,
    pub sources: &'a SourceMap,
}

impl Ctx<'_> {
    /// Report a diagnostic.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Report a wrong type at `node`.
    pub fn wrong_type(&mut self, node: &Node, expected: &str, context: &str) {
        self.report(
            Diagnostic::new(
                codes::WRONG_TYPE,
                node.span,
                format!("`{context}` must be {expected}, not {}", node.type_name()),
            )
            .with_label(format!("expected {expected}")),
        );
    }
}

/// The entries of a mapping node, reporting a wrong type otherwise. `null` reads as an empty map.
pub fn entries<'n>(ctx: &mut Ctx<'_>, node: &'n Node, context: &str) -> Option<&'n [(Node, Node)]> {
    match &node.kind {
        NodeKind::Map(entries) => Some(entries),
        NodeKind::Null => Some(&[]),
        _ => {
            ctx.wrong_type(node, "a map", context);
            None
        }
    }
}

/// Check that every key is one of `allowed`; report the others with a suggestion.
pub fn check_keys(ctx: &mut Ctx<'_>, entries: &[(Node, Node)], allowed: &[&str], context: &str) {
    for (key, _) in entries {
        let text = key.as_str().unwrap_or("");
        if allowed.contains(&text) {
            continue;
        }
        let where_ = if context.is_empty() { String::from("at the top level") } else { format!("in `{context}`") };
        let mut diagnostic = Diagnostic::new(codes::UNKNOWN_KEY, key.span, format!("unknown key `{text}` {where_}"))
            .with_label("unknown key");
        diagnostic = match did_you_mean(text, allowed.iter().copied()) {
            Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
            None => diagnostic.with_help(format!("expected one of: {}", allowed.join(", "))),
        };
        ctx.report(diagnostic);
    }
}

/// The value under `key`, if present.
pub fn get<'n>(entries: &'n [(Node, Node)], key: &str) -> Option<&'n Node> {
    entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
}

/// The key node of `key`, if present.
pub fn key_of<'n>(entries: &'n [(Node, Node)], key: &str) -> Option<&'n Node> {
    entries.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, _)| k)
}

/// A scalar as text (numbers and booleans are stringified).
pub fn string(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<String>> {
    match &node.kind {
        NodeKind::Scalar { text, .. } => Some(Spanned::new(text.clone(), node.span)),
        _ => {
            ctx.wrong_type(node, "a string", context);
            None
        }
    }
}

/// A non-negative integer.
pub fn integer<T: TryFrom<u64>>(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<T>> {
    let NodeKind::Scalar { text, .. } = &node.kind else {
        ctx.wrong_type(node, "a whole number", context);
        return None;
    };
    match text.trim().parse::<u64>().ok().and_then(|n| T::try_from(n).ok()) {
        Some(value) => Some(Spanned::new(value, node.span)),
        None => {
            ctx.report(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    node.span,
                    format!("`{context}` must be a whole number in range, not `{text}`"),
                )
                .with_label("not a valid number"),
            );
            None
        }
    }
}

/// `true` or `false`.
pub fn boolean(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<bool>> {
    match &node.kind {
        NodeKind::Scalar { text, .. } if text == "true" => Some(Spanned::new(true, node.span)),
        NodeKind::Scalar { text, .. } if text == "false" => Some(Spanned::new(false, node.span)),
        _ => {
            ctx.wrong_type(node, "true or false", context);
            None
        }
    }
}

/// A scalar parsed by `parse`, whose error becomes an invalid-value diagnostic.
pub fn parsed<T>(
    ctx: &mut Ctx<'_>,
    node: &Node,
    context: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<Spanned<T>> {
    let text = string(ctx, node, context)?;
    match parse(&text.value) {
        Ok(value) => Some(Spanned::new(value, node.span)),
        Err(message) => {
            ctx.report(
                Diagnostic::new(codes::INVALID_VALUE, node.span, message).with_label(format!("invalid `{context}`")),
            );
            None
        }
    }
}

/// One of a fixed set of words.
pub fn choice<T: Copy>(ctx: &mut Ctx<'_>, node: &Node, context: &str, options: &[(&str, T)]) -> Option<Spanned<T>> {
    let text = string(ctx, node, context)?;
    if let Some((_, value)) = options.iter().find(|(word, _)| *word == text.value) {
        return Some(Spanned::new(*value, node.span));
    }
    let words: Vec<&str> = options.iter().map(|(word, _)| *word).collect();
    let mut diagnostic =
        Diagnostic::new(codes::INVALID_VALUE, node.span, format!("`{context}` cannot be `{}`", text.value))
            .with_label("not one of the allowed values");
    diagnostic = match did_you_mean(&text.value, words.iter().copied()) {
        Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
        None => diagnostic.with_help(format!("expected one of: {}", words.join(", "))),
    };
    ctx.report(diagnostic);
    None
}

/// A list of scalars (a single scalar is not accepted: commands are argument lists).
pub fn string_list(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Vec<String>>> {
    let NodeKind::Seq(items) = &node.kind else {
        ctx.wrong_type(node, "a list", context);
        return None;
    };
    let mut out = Vec::new();
    for item in items {
        out.push(string(ctx, item, context)?.value);
    }
    Some(Spanned::new(out, node.span))
}

/// A list of names (each keeps its span).
pub fn name_list(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Vec<Spanned<String>>>> {
    let NodeKind::Seq(items) = &node.kind else {
        ctx.wrong_type(node, "a list", context);
        return None;
    };
    let names = items.iter().filter_map(|item| string(ctx, item, context)).collect();
    Some(Spanned::new(names, node.span))
}

/// A map of string → string.
pub fn string_map(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> BTreeMap<String, Spanned<String>> {
    let mut out = BTreeMap::new();
    if let Some(entries) = entries(ctx, node, context) {
        for (key, value) in entries {
            let key_text = key.as_str().unwrap_or("").to_string();
            let value = match &value.kind {
                NodeKind::Null => Some(Spanned::new(String::new(), value.span)),
                _ => string(ctx, value, &format!("{context}.{key_text}")),
            };
            if let Some(value) = value {
                out.insert(key_text, value);
            }
        }
    }
    out
}

/// The span of the bytes `offset..offset+len` of a scalar's text, exact when the source shows the text
/// verbatim (plain or simply quoted), else the whole scalar.
pub fn sub_span(sources: &SourceMap, node: &Node, offset: usize, len: usize) -> Span {
    let Some(text) = node.as_str() else { return node.span };
    let raw = sources.text(node.span);
    if raw == text {
        return node.span.slice(offset, len);
    }
    let quoted = raw.len() == text.len() + 2
        && (raw.starts_with('"') || raw.starts_with('\''))
        && &raw[1..raw.len() - 1] == text;
    if quoted {
        return node.span.slice(offset + 1, len);
    }
    node.span
}
