//! The model's `tags` as Kubernetes labels (`commonLabels`).
//!
//! Tags are also cloud tags, where `team: Platform Team` is fine; a label is stricter. So a tag is
//! rewritten deterministically instead of rejected: in a value (and in a key's name part) every
//! character outside `[A-Za-z0-9._-]` becomes `-`, the result is cut to 63 characters and stripped
//! of non-alphanumerics at both ends; a key's `prefix/` is lowercased into a DNS subdomain. A key
//! that is left empty, or two tags that give the same label key, are errors at the tag.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::Stack;
use crate::targets::helm::Sink;
use crate::targets::yaml_out::{Entry, Yaml};

/// `commonLabels`, with a comment on each tag that had to be rewritten.
pub fn common_labels(stack: &Stack, sink: &mut Sink) -> Yaml {
    let mut labels: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut entries = Vec::new();
    for (key, value) in &stack.tags {
        let span = stack.tag_spans.get(key).copied();
        let Some(label_key) = label_key(key) else {
            if let Some(span) = span {
                sink.push(
                    Diagnostic::new(codes::INVALID_VALUE, span, format!("tag `{key}` cannot be a Kubernetes label"))
                        .with_label("its key has no letter or digit")
                        .with_help("helm writes the tags as labels: use a key of letters, digits, '-', '_' and '.'"),
                );
            }
            continue;
        };
        if let Some((first, _)) = labels.get(&label_key) {
            if let Some(span) = span {
                let mut diagnostic = Diagnostic::new(
                    codes::INVALID_VALUE,
                    span,
                    format!("tags `{first}` and `{key}` give the same Kubernetes label `{label_key}`"),
                )
                .with_label("same label key")
                .with_help("rename one of the tags");
                if let Some(first_span) = stack.tag_spans.get(first) {
                    diagnostic = diagnostic.with_related(*first_span, format!("`{first}` is written here"));
                }
                sink.push(diagnostic);
            }
            continue;
        }
        let label = label_value(value);
        let comment = (label_key != *key || label != *value)
            .then(|| format!("tag `{key}: {value}`, rewritten as a Kubernetes label"));
        labels.insert(label_key.clone(), (key.clone(), label.clone()));
        entries.push(Entry { key: label_key, value: Yaml::Str(label), comment });
    }
    entries.sort_by(|a, b| a.key.cmp(&b.key));
    Yaml::Map(entries)
}

/// A label value: at most 63 of `[A-Za-z0-9._-]`, alphanumeric at both ends (or empty).
pub fn label_value(text: &str) -> String {
    let replaced: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect();
    let trimmed = replaced.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let cut: String = trimmed.chars().take(63).collect();
    cut.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()).to_string()
}

/// A label key: `[prefix/]name`; `None` when the name part has no letter or digit.
pub fn label_key(text: &str) -> Option<String> {
    let (prefix, name) = match text.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, text),
    };
    let name = label_value(&name.replace('/', "-"));
    if name.is_empty() {
        return None;
    }
    let prefix = prefix.map(subdomain).filter(|p| !p.is_empty());
    Some(match prefix {
        Some(prefix) => format!("{prefix}/{name}"),
        None => name,
    })
}

/// A DNS subdomain (at most 253): lowercase labels of `[a-z0-9-]`, alphanumeric at both ends.
fn subdomain(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let parts: Vec<String> = lower
        .split('.')
        .map(|part| {
            let replaced: String =
                part.chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() { c } else { '-' }).collect();
            let cut: String = replaced.trim_matches('-').chars().take(63).collect();
            cut.trim_end_matches('-').to_string()
        })
        .filter(|part| !part.is_empty())
        .collect();
    let joined = parts.join(".");
    let cut: String = joined.chars().take(253).collect();
    cut.trim_end_matches(['-', '.']).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_label_values() {
        assert_eq!(label_value("platform"), "platform");
        assert_eq!(label_value("Platform Team"), "Platform-Team");
        assert_eq!(label_value(" (cc) 42 "), "cc--42");
        assert_eq!(label_value("ü"), "");
        assert_eq!(label_value(&"a".repeat(70)), "a".repeat(63));
    }

    #[test]
    fn keys_become_label_keys() {
        assert_eq!(label_key("cost-center").as_deref(), Some("cost-center"));
        assert_eq!(label_key("Cost Center").as_deref(), Some("Cost-Center"));
        assert_eq!(label_key("Example.COM/team").as_deref(), Some("example.com/team"));
        assert_eq!(label_key("aws:createdBy").as_deref(), Some("aws-createdBy"));
        assert_eq!(label_key("!!!"), None);
    }
}
