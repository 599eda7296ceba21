//! One compose service → one model service: the dispatch over its keys, and the small fields
//! (image, build, command, depends_on, deploy, user). Ports, env, health and volumes have their own files.

use crate::import::compose::{Ctx, get};
use crate::import::draft::{Build, Draft, Service};
use crate::import::{Imported, absolute, env, health, interpolate, ports, relative, volumes};
use crate::model::image::ImageRef;
use crate::model::quantity::{Cpu, Memory};
use crate::source::span::Span;
use crate::source::yaml::{Node, NodeKind};

/// Why common compose keys have no model equivalent.
pub const NOT_MAPPED: &[(&str, &str)] = &[
    ("entrypoint", "the model has no entrypoint, only `command` (the image's ENTRYPOINT stays)"),
    (
        "env_file",
        "env files are not read: set plain values under `env` and secrets under `secrets` (the compose output reads secrets from its own .env)",
    ),
    ("profiles", "profiles are not imported: the service starts with the others"),
    (
        "container_name",
        "the compose output lets compose name the container; other services reach it by its service name",
    ),
    ("hostname", "other services reach it by its service name"),
    ("networks", "networks are not imported: every service shares compose's default network"),
    ("network_mode", "networks are not imported: every service shares compose's default network"),
    ("links", "every service reaches the others by name on compose's default network"),
    ("logging", "the compose output writes json-file logs rotated at 10 MB x 3"),
    ("cap_add", "the compose output drops every capability (cap_drop: ALL)"),
    ("privileged", "the compose output never runs privileged containers"),
    (
        "secrets",
        "compose file secrets are not imported: declare the value under the model's `secrets:` and pass it as an env var",
    ),
    ("configs", "compose configs are not imported: mount the file with `files:`"),
    ("extends", "`extends` is not resolved: the importer reads this file only"),
    ("labels", "labels are not imported"),
];

/// Map a compose service.
pub fn service(
    ctx: &mut Ctx<'_>,
    draft: &mut Draft,
    (compose_name, key_span): (&str, Span),
    name: &str,
    map: &[(Node, Node)],
) -> Service {
    let prefix = format!("services.{compose_name}");
    let mut service = Service::default();
    ports::map(ctx, &mut service, map, &prefix);
    for (key, value) in map {
        let key_name = key.as_str().unwrap_or("");
        let path = format!("{prefix}.{key_name}");
        match key_name {
            "ports" | "expose" => {}
            "image" => image(ctx, &mut service, value, &path),
            "build" => build(ctx, &mut service, value, &path),
            "command" => service.command = command(ctx, value, &path),
            "environment" => env::map(ctx, draft, &mut service, name, value, &path),
            "healthcheck" => service.health = health::map(ctx, &service, value, &path),
            "volumes" => volumes::map(ctx, &mut service, name, compose_name, value, &path),
            "tmpfs" => volumes::tmpfs(ctx, &mut service, value, &path),
            "depends_on" => depends_on(ctx, &mut service, compose_name, value, &path),
            "deploy" => deploy(ctx, &mut service, value, &path),
            "mem_limit" => service.compute.memory_limit = memory(ctx, value, &path),
            "mem_reservation" => service.compute.memory = memory(ctx, value, &path),
            "cpus" => service.compute.cpu_limit = cpu(ctx, value, &path),
            "scale" => replicas(ctx, &mut service, value, &path),
            "user" => user(ctx, &mut service, value, &path),
            "read_only" => service.read_only = value.as_str().map(|text| text == "true"),
            "restart" => match value.as_str() {
                Some("always" | "unless-stopped") => {}
                Some("no") => ctx.changed(
                    value.span,
                    &path,
                    "a one-shot container becomes a service that compose restarts `unless-stopped`: a task that runs once before a service starts belongs in that service's `migrate:`",
                ),
                _ => ctx.changed(value.span, &path, "the compose output restarts services `unless-stopped`"),
            },
            // The compose output drops every capability and sets no-new-privileges anyway.
            "cap_drop" => {}
            "security_opt" => {
                let hardening = |item: &Node| item.as_str().is_some_and(|t| t.starts_with("no-new-privileges"));
                if !matches!(&value.kind, NodeKind::Seq(items) if items.iter().all(hardening)) {
                    ctx.not_mapped(key.span, &path, "the compose output sets only no-new-privileges");
                }
            }
            _ if key_name.starts_with("x-") => {}
            _ => {
                let reason = NOT_MAPPED.iter().find(|(k, _)| *k == key_name).map_or("iacgen has no equivalent", |(_, r)| r);
                ctx.not_mapped(key.span, &path, reason);
            }
        }
    }
    compute_defaults(ctx, &mut service, map, &prefix);
    if service.image.is_none() && service.build.is_none() {
        ctx.not_mapped(
            key_span,
            &prefix,
            format!("neither `image` nor `build`: the model's default image `{name}` applies"),
        );
    }
    if !service.ports.is_empty() && service.health.is_none() {
        service.waivers.insert(String::from("IAC101"), String::from("imported from compose without a health check"));
    }
    if service.user == Some(0) {
        service.waivers.insert(String::from("IAC104"), String::from("imported from compose: it runs as root"));
    }
    if service.read_only == Some(false) {
        service.waivers.insert(String::from("IAC105"), String::from("imported from compose: `read_only: false`"));
    }
    service
}

fn image(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
    let Some(text) = node.as_str() else {
        ctx.wrong_type(node, "a string", path);
        return;
    };
    let resolved = match interpolate::resolve_text(text) {
        Ok(resolved) => resolved,
        Err(message) => return ctx.not_mapped(node.span, path, message),
    };
    if let Some(description) = resolved.describe() {
        ctx.changed(node.span, path, description);
    }
    match ImageRef::parse(&resolved.text) {
        Ok(_) => service.image = Some(resolved.text),
        Err(message) => ctx.not_mapped(node.span, path, format!("{message}: the model's default image applies")),
    }
}

fn build(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
    let (context_node, map) = match &node.kind {
        NodeKind::Scalar { .. } => (Some(node), None),
        NodeKind::Map(map) => (get(map, "context"), Some(map.as_slice())),
        _ => return ctx.wrong_type(node, "a string or a map", path),
    };
    let context = context_node.and_then(Node::as_str).unwrap_or(".");
    let context = match interpolate::resolve_text(context) {
        Ok(resolved) => resolved.text,
        Err(message) => return ctx.not_mapped(node.span, path, message),
    };
    let context = if context.contains("://") || context.starts_with("git@") {
        context
    } else {
        match relative(&ctx.out_dir, &absolute(&ctx.compose_dir.join(&context))) {
            Some(relative_path) if relative_path.is_empty() => String::from("."),
            Some(relative_path) if relative_path.starts_with("..") => relative_path,
            Some(relative_path) => format!("./{relative_path}"),
            None => context,
        }
    };
    let mut imported = Build { context, dockerfile: None, target: None };
    for (key, value) in map.unwrap_or(&[]) {
        let key_name = key.as_str().unwrap_or("");
        match key_name {
            "context" => {}
            "dockerfile" => imported.dockerfile = value.as_str().map(str::to_string),
            "target" => imported.target = value.as_str().map(str::to_string),
            _ => ctx.not_mapped(
                key.span,
                &format!("{path}.{key_name}"),
                "the model's `build` has only context, dockerfile and target",
            ),
        }
    }
    service.build = Some(imported);
}

fn command(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Option<Vec<String>> {
    let words = match &node.kind {
        NodeKind::Scalar { text, .. } => match split_words(text) {
            Ok(words) => words,
            Err(message) => {
                ctx.not_mapped(node.span, path, message);
                return None;
            }
        },
        NodeKind::Seq(items) => items.iter().map(|item| item.as_str().unwrap_or("").to_string()).collect(),
        NodeKind::Null => return None,
        NodeKind::Map(_) => {
            ctx.wrong_type(node, "a string or a list", path);
            return None;
        }
    };
    let mut out = Vec::new();
    for word in words {
        match interpolate::resolve_text(&word) {
            Ok(resolved) => {
                if let Some(description) = resolved.describe() {
                    ctx.changed(node.span, path, description);
                }
                out.push(resolved.text);
            }
            Err(message) => {
                ctx.not_mapped(node.span, path, message);
                return None;
            }
        }
    }
    Some(out)
}

/// Split a command string the way compose does (shell words: quotes and backslashes, no expansion).
fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(String::from("unterminated quote in the command")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(String::from("unterminated quote in the command")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(String::from("unterminated quote in the command")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

fn depends_on(ctx: &mut Ctx<'_>, service: &mut Service, compose_name: &str, node: &Node, path: &str) {
    let items: Vec<(&Node, Option<&str>)> = match &node.kind {
        NodeKind::Seq(items) => items.iter().map(|item| (item, None)).collect(),
        NodeKind::Map(map) => map
            .iter()
            .map(|(key, value)| {
                let condition = match &value.kind {
                    NodeKind::Map(options) => get(options, "condition").and_then(Node::as_str),
                    _ => None,
                };
                (key, condition)
            })
            .collect(),
        NodeKind::Null => Vec::new(),
        NodeKind::Scalar { .. } => return ctx.wrong_type(node, "a list or a map", path),
    };
    for (item, condition) in items {
        let dependency = item.as_str().unwrap_or("");
        let item_path = format!("{path}.{dependency}");
        match (ctx.names.get(dependency).cloned(), condition) {
            (_, _) if dependency == compose_name => {}
            (Some(_), Some("service_completed_successfully")) => ctx.not_mapped(
                item.span,
                &item_path,
                "the model has no one-shot dependencies (a migration that must finish first is `migrate:`)",
            ),
            (Some(Imported::Resource(resource)), _) => {
                service.uses.insert(resource);
            }
            (Some(Imported::Service(other)), _) => {
                ctx.changed(
                    item.span,
                    &item_path,
                    format!("now `calls: [{other}]`: the compose output does not wait for it to start"),
                );
                service.calls.insert(other);
            }
            (None, _) => ctx.not_mapped(item.span, &item_path, "no such service in this file"),
        }
    }
}

fn deploy(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
    let NodeKind::Map(map) = &node.kind else {
        return ctx.wrong_type(node, "a map", path);
    };
    for (key, value) in map {
        let key_name = key.as_str().unwrap_or("");
        let key_path = format!("{path}.{key_name}");
        match key_name {
            "replicas" => replicas(ctx, service, value, &key_path),
            "resources" => {
                let NodeKind::Map(resources) = &value.kind else { continue };
                for (kind, limits) in resources {
                    let kind_name = kind.as_str().unwrap_or("");
                    let NodeKind::Map(limits) = &limits.kind else { continue };
                    for (field, quantity) in limits {
                        let field_name = field.as_str().unwrap_or("");
                        let field_path = format!("{key_path}.{kind_name}.{field_name}");
                        match (kind_name, field_name) {
                            ("limits", "cpus") => service.compute.cpu_limit = cpu(ctx, quantity, &field_path),
                            ("limits", "memory") => service.compute.memory_limit = memory(ctx, quantity, &field_path),
                            ("reservations", "cpus") => service.compute.cpu = cpu(ctx, quantity, &field_path),
                            ("reservations", "memory") => service.compute.memory = memory(ctx, quantity, &field_path),
                            _ => ctx.not_mapped(field.span, &field_path, "the model's resources are cpu and memory"),
                        }
                    }
                }
            }
            _ => ctx.not_mapped(key.span, &key_path, "the model's deploy settings are replicas and resources"),
        }
    }
}

fn replicas(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
    match node.as_str().and_then(|text| text.parse::<u32>().ok()) {
        Some(count) => {
            service.replicas = Some(count);
            // `ports` are read first, so whether the service publishes one is known here.
            if count != 1 && service.published {
                ctx.changed(
                    node.span,
                    path,
                    "the compose output runs one container of a service that publishes a port (replicas would clash on it)",
                );
            }
        }
        None => ctx.not_mapped(node.span, path, "not a whole number"),
    }
}

fn cpu(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Option<String> {
    match node.as_str().map(Cpu::parse) {
        Some(Ok(cpu)) => Some(cpu.kubernetes()),
        _ => {
            ctx.not_mapped(node.span, path, "not a CPU quantity the importer reads");
            None
        }
    }
}

fn memory(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Option<String> {
    let bytes = node.as_str().and_then(compose_bytes);
    match bytes {
        // The model's largest memory quantity is 16Ti.
        Some(bytes) if bytes > 0 && bytes <= 16 * 1024 * 1024 * 1024 * 1024 => {
            let mebibytes = bytes.div_ceil(1024 * 1024).min(u64::from(u32::MAX));
            let memory = Memory { mebibytes: u32::try_from(mebibytes).unwrap_or(u32::MAX) };
            if mebibytes * 1024 * 1024 != bytes {
                ctx.changed(node.span, path, format!("rounded up to {}", memory.kubernetes()));
            }
            Some(memory.kubernetes())
        }
        _ => {
            ctx.not_mapped(node.span, path, "not a memory size the importer reads");
            None
        }
    }
}

/// A compose byte size: `512m`, `1g`, `1.5GB`, `268435456`.
fn compose_bytes(text: &str) -> Option<u64> {
    let text = text.trim().to_ascii_lowercase();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" | "ki" | "kib" => 1024.0,
        "m" | "mb" | "mi" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = (number * factor).ceil();
    (0.0..1e18).contains(&bytes).then_some(bytes as u64)
}

/// Limits without requests: requests default to 250m/256Mi, which must not exceed the limit.
fn compute_defaults(ctx: &mut Ctx<'_>, service: &mut Service, map: &[(Node, Node)], prefix: &str) {
    let compute = &mut service.compute;
    let mut lowered = Vec::new();
    let cpu_of = |text: &Option<String>| text.as_deref().and_then(|t| Cpu::parse(t).ok()).map(|c| c.millis);
    let memory_of = |text: &Option<String>| text.as_deref().and_then(|t| Memory::parse(t).ok()).map(|m| m.mebibytes);
    if let Some(limit) = cpu_of(&compute.cpu_limit) {
        match cpu_of(&compute.cpu) {
            Some(request) if request > limit => {
                compute.cpu = compute.cpu_limit.clone();
                lowered.push("cpu");
            }
            None if limit < 250 => compute.cpu = compute.cpu_limit.clone(),
            _ => {}
        }
    }
    if let Some(limit) = memory_of(&compute.memory_limit) {
        match memory_of(&compute.memory) {
            Some(request) if request > limit => {
                compute.memory = compute.memory_limit.clone();
                lowered.push("memory");
            }
            None if limit < 256 => compute.memory = compute.memory_limit.clone(),
            _ => {}
        }
    }
    let span = get(map, "deploy").or_else(|| get(map, "mem_reservation")).map_or(Span::default(), |n| n.span);
    if !lowered.is_empty() {
        ctx.changed(
            span,
            &format!("{prefix}.deploy.resources"),
            format!("a {} reservation above its limit: lowered to the limit", lowered.join(" and ")),
        );
    }
    let requests_only = (compute.cpu.is_some() && compute.cpu_limit.is_none())
        || (compute.memory.is_some() && compute.memory_limit.is_none());
    if requests_only {
        let span = get(map, "deploy").or_else(|| get(map, "mem_reservation")).map_or(Default::default(), |n| n.span);
        ctx.changed(
            span,
            &format!("{prefix}.deploy.resources"),
            "a reservation without a limit: the model's limit equals the request",
        );
    }
}

fn user(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
    let Some(text) = node.as_str() else {
        return ctx.wrong_type(node, "a string", path);
    };
    let (user, group) = text.split_once(':').map_or((text, None), |(u, g)| (u, Some(g)));
    let id = |part: &str| if part == "root" { Some(0) } else { part.parse::<u32>().ok() };
    match (id(user), group.map(id)) {
        (Some(user), None) => service.user = Some(user),
        (Some(user), Some(Some(group))) => {
            service.user = Some(user);
            service.group = Some(group);
        }
        _ => ctx.not_mapped(node.span, path, "the model takes numeric user and group ids (`1000:1000`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_commands_like_compose() {
        assert_eq!(
            split_words("celery -A shop worker --loglevel=info").ok(),
            Some(vec!["celery".into(), "-A".into(), "shop".into(), "worker".into(), "--loglevel=info".into()])
        );
        assert_eq!(
            split_words(r#"sh -c "echo 'a b' \"c\"""#).ok(),
            Some(vec!["sh".into(), "-c".into(), "echo 'a b' \"c\"".into()])
        );
        assert!(split_words("echo 'open").is_err());
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(compose_bytes("512m"), Some(512 * 1024 * 1024));
        assert_eq!(compose_bytes("1G"), Some(1024 * 1024 * 1024));
        assert_eq!(compose_bytes("1.5gb"), Some(1536 * 1024 * 1024));
        assert_eq!(compose_bytes("1024"), Some(1024));
        assert_eq!(compose_bytes("lots"), None);
    }
}
