//! One compose service → one model service: the dispatch over its keys, and the small fields
//! (image, build, depends_on, user). Ports, env, health, volumes, commands and compute have their own files.

use crate::import::compose::{Ctx, get};
use crate::import::draft::{Build, Draft, Service};
use crate::import::{Imported, absolute, command, compute, env, health, interpolate, ports, relative, volumes};
use crate::model::image::ImageRef;
use crate::shared::span::Span;
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
            "command" => service.command = command::map(ctx, value, &path),
            "environment" => env::map(ctx, draft, &mut service, name, value, &path),
            "healthcheck" => service.health = health::map(ctx, &service, value, &path),
            "volumes" => volumes::map(ctx, &mut service, name, compose_name, value, &path),
            "tmpfs" => volumes::tmpfs(ctx, &mut service, value, &path),
            "depends_on" => depends_on(ctx, &mut service, compose_name, value, &path),
            "deploy" => compute::deploy(ctx, &mut service, value, &path),
            "mem_limit" => service.compute.memory_limit = compute::memory(ctx, value, &path),
            "mem_reservation" => service.compute.memory = compute::memory(ctx, value, &path),
            "cpus" => service.compute.cpu_limit = compute::cpu(ctx, value, &path),
            "scale" => compute::replicas(ctx, &mut service, value, &path),
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
    compute::defaults(ctx, &mut service, map, &prefix);
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
