//! One compose service → one model service: the dispatch over its keys, and the small fields
//! (image, build, depends_on, user). Ports, env, health, volumes, commands and compute have their own files.

use crate::import::compose::{Ctx, get};
use crate::import::draft::{Build, Check, Draft, Service};
use crate::import::{Imported, absolute, command, compute, env, health, interpolate, ports, relative, volumes};
use crate::model::image::{ImagePin, ImageRef};
use crate::shared::span::Span;
use crate::source::yaml::{Node, NodeKind};

/// Docker's default capability set: what a container without `cap_drop` runs with, and so the
/// imported model's default (`defaults.security.capabilities`).
pub const DOCKER_CAPABILITIES: [&str; 14] = [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Why common compose keys have no model equivalent, and whether losing them may change what runs.
pub const NOT_MAPPED: &[(&str, &str)] = &[
    (
        "entrypoint",
        "the model has no entrypoint, only `command` (the image's ENTRYPOINT stays): the process that starts is not the one compose started",
    ),
    ("profiles", "profiles are not imported: the service starts with the others"),
    ("hostname", "other services reach it by its service name"),
    (
        "networks",
        "networks are not imported: every service shares compose's default network (services isolated from each other can now reach each other)",
    ),
    ("network_mode", "the model's services have their own network namespace on the project network"),
    ("links", "every service reaches the others by name on compose's default network"),
    ("logging", "the compose output writes json-file logs rotated at 10 MB x 3"),
    ("privileged", "the compose output never runs privileged containers"),
    (
        "secrets",
        "compose file secrets (files under /run/secrets) are not imported: declare the value under the model's `secrets:` and pass it as an env var",
    ),
    ("configs", "compose configs are not imported: mount the file with `files:`"),
    ("extends", "`extends` is not resolved: the importer reads this file only"),
    ("labels", "labels are not imported"),
    (
        "ulimits",
        "the model has no ulimits: the container engine's defaults apply (raise them in the engine, or in the image's entrypoint)",
    ),
    ("sysctls", "the model has no sysctls: the host's values apply"),
    ("shm_size", "the model has no shared-memory size: compose's default of 64 MB applies"),
    ("working_dir", "the model has no working directory: the image's WORKDIR applies"),
    ("devices", "the model maps no host devices"),
    ("extra_hosts", "the model adds no /etc/hosts entries"),
    ("dns", "the model sets no DNS servers: the engine's apply"),
    ("stop_signal", "the engine's SIGTERM stops the container"),
    ("stop_grace_period", "the engine's 10 s grace period applies"),
    ("platform", "the image's platform is the host's"),
    ("pull_policy", "compose pulls missing images"),
    ("init", "no init process is added"),
    ("tty", "no terminal is attached"),
    ("stdin_open", "no standard input is kept open"),
];

/// Keys whose loss does not change what the service does.
const HARMLESS: &[&str] = &[
    "profiles",
    "hostname",
    "networks",
    "links",
    "logging",
    "labels",
    "stop_signal",
    "stop_grace_period",
    "platform",
    "pull_policy",
    "init",
    "tty",
    "stdin_open",
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
    if let Some(port) = service.host_port {
        draft.publish.insert(name.to_string(), port);
    }
    // Start order and links first: env values that name a resource depend on `uses`.
    if let Some(node) = get(map, "depends_on") {
        depends_on(ctx, &mut service, compose_name, node, &format!("{prefix}.depends_on"));
    }
    let mut entries = Vec::new();
    if let Some(node) = get(map, "env_file") {
        entries.extend(env::read_files(ctx, node, &format!("{prefix}.env_file")));
    }
    if let Some(node) = get(map, "environment") {
        entries.extend(env::read(ctx, node, &format!("{prefix}.environment")));
    }
    env::map(ctx, draft, &mut service, name, entries);
    let (mut cap_add, mut cap_drop) = (None, None);
    let mut user_name = None;
    for (key, value) in map {
        let key_name = key.as_str().unwrap_or("");
        let path = format!("{prefix}.{key_name}");
        match key_name {
            "ports" | "expose" | "depends_on" | "env_file" | "environment" => {}
            "image" => image(ctx, &mut service, value, &path),
            "build" => build(ctx, &mut service, value, &path),
            "command" => {
                service.command = command::map(ctx, value, &path)
                    .map(|words| command::without_credentials(ctx, draft, &mut service, name, words, (value.span, &path)));
            }
            "healthcheck" => {
                service.health = health::map(ctx, &service, value, &path);
                if let Some(mut health) = service.health.take() {
                    if let Check::Command(words) = health.check {
                        let words = command::without_credentials(ctx, draft, &mut service, name, words, (value.span, &path));
                        health.check = Check::Command(words);
                    }
                    service.health = Some(health);
                }
            }
            "volumes" => volumes::map(ctx, &mut service, name, compose_name, value, &path),
            "tmpfs" => volumes::tmpfs(ctx, &mut service, value, &path),
            "deploy" => compute::deploy(ctx, &mut service, value, &path),
            "mem_limit" => service.compute.memory_limit = compute::memory(ctx, value, &path),
            "mem_reservation" => service.compute.memory = compute::memory(ctx, value, &path),
            "cpus" => service.compute.cpu_limit = compute::cpu(ctx, value, &path),
            "scale" => compute::replicas(ctx, &mut service, value, &path),
            "user" => user_name = user(ctx, &mut service, value, &path),
            "read_only" => service.read_only = value.as_str().map(|text| text == "true"),
            "cap_add" => cap_add = Some(names(value)),
            "cap_drop" => cap_drop = Some(names(value)),
            "container_name" => ctx.changed(
                value.span,
                &path,
                format!("the compose output lets compose name the container; `{}` in env values became `{name}`", value.as_str().unwrap_or("")),
            ),
            "restart" => match value.as_str() {
                Some("always" | "unless-stopped") => {}
                Some("no") => ctx.differs(
                    value.span,
                    &path,
                    "a one-shot container becomes a service that compose restarts `unless-stopped`: a task that runs once before a service starts belongs in that service's `migrate:`",
                ),
                _ => ctx.changed(value.span, &path, "the compose output restarts services `unless-stopped`"),
            },
            "security_opt" => {
                let hardening = |item: &Node| item.as_str().is_some_and(|t| t.starts_with("no-new-privileges"));
                if !matches!(&value.kind, NodeKind::Seq(items) if items.iter().all(hardening)) {
                    ctx.lost(key.span, &path, "the compose output sets only no-new-privileges");
                }
            }
            _ if key_name.starts_with("x-") => {}
            _ => {
                let reason = NOT_MAPPED.iter().find(|(k, _)| *k == key_name).map_or("iacgen has no equivalent", |(_, r)| r);
                if HARMLESS.contains(&key_name) {
                    ctx.not_mapped(key.span, &path, reason);
                } else {
                    ctx.lost(key.span, &path, reason);
                }
            }
        }
    }
    service.capabilities = capabilities(cap_add, cap_drop);
    compute::defaults(ctx, &mut service, map, &prefix);
    if service.image.is_none() && service.build.is_some() {
        // What compose tags a built image with: `<project>-<service>`.
        let built = format!("{}-{compose_name}", draft.project).to_ascii_lowercase();
        ctx.changed(key_span, &prefix, format!("built from `build:` and tagged `{built}`, as compose tags it"));
        service.image = Some(built);
    }
    if service.image.is_none() && service.build.is_none() {
        ctx.lost(key_span, &prefix, format!("neither `image` nor `build`: the model's default image `{name}` applies"));
    }
    if !service.ports.is_empty() && service.health.is_none() {
        service.waivers.insert(String::from("IAC101"), String::from("imported from compose without a health check"));
    }
    match (service.user, user_name) {
        (Some(0), _) => {
            service
                .waivers
                .insert(String::from("IAC104"), String::from("imported from compose, which runs it as root"));
        }
        (None, Some(user_name)) => {
            service.waivers.insert(
                String::from("IAC104"),
                format!("compose runs it as `{user_name}`, a name the model cannot hold (numeric ids only): root until its id is set"),
            );
        }
        (None, None) => {
            service.waivers.insert(
                String::from("IAC104"),
                String::from("compose names no user, so the image's own USER ran; the importer does not know it, and root runs images that start as root and drop privileges themselves"),
            );
        }
        _ => {}
    }
    if service.read_only != Some(true) {
        service.waivers.insert(
            String::from("IAC105"),
            String::from("imported from compose without `read_only: true`: the image writes where it likes"),
        );
    }
    service
}

/// The capability list of a service from `cap_add` and `cap_drop`, `None` when it is Docker's default.
fn capabilities(add: Option<Vec<String>>, drop: Option<Vec<String>>) -> Option<std::collections::BTreeSet<String>> {
    if add.is_none() && drop.is_none() {
        return None;
    }
    let normal = |c: &String| c.trim_start_matches("CAP_").to_ascii_uppercase();
    let drop: Vec<String> = drop.unwrap_or_default().iter().map(normal).collect();
    let mut set: std::collections::BTreeSet<String> = if drop.iter().any(|c| c == "ALL") {
        Default::default()
    } else {
        DOCKER_CAPABILITIES.iter().map(|c| c.to_string()).filter(|c| !drop.contains(c)).collect()
    };
    set.extend(add.unwrap_or_default().iter().map(normal).filter(|c| c != "ALL"));
    Some(set)
}

/// The tag part of an image reference as written: after the first `:` that follows the last `/`,
/// outside `${...}` (whose `:-default` is no tag separator), before any `@digest`.
fn tag_of(written: &str) -> Option<&str> {
    let mut depth = 0usize;
    let mut last_slash = 0;
    let mut colon = None;
    let bytes = written.as_bytes();
    for (index, c) in written.char_indices() {
        match c {
            '{' if index > 0 && bytes[index - 1] == b'$' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            '/' if depth == 0 => {
                last_slash = index;
                colon = None;
            }
            ':' if depth == 0 && colon.is_none() && index > last_slash => colon = Some(index),
            '@' if depth == 0 => return colon.map(|c| &written[c + 1..index]),
            _ => {}
        }
    }
    colon.map(|c| &written[c + 1..])
}

/// `build.args` (a map, or a list of `NAME=value`; a name alone passes the `.env` value through).
/// A credential is not imported: a build argument ends up in the image's history.
fn build_args(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let items: Vec<(String, Option<String>, Span)> = match &node.kind {
        NodeKind::Map(map) => map
            .iter()
            .map(|(k, v)| (k.as_str().unwrap_or("").to_string(), v.as_str().map(str::to_string), k.span))
            .collect(),
        NodeKind::Seq(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(|text| (text, item.span)))
            .map(|(text, span)| match text.split_once('=') {
                Some((name, value)) => (name.to_string(), Some(value.to_string()), span),
                None => (text.to_string(), None, span),
            })
            .collect(),
        _ => return out,
    };
    for (name, value, span) in items {
        let item_path = format!("{path}.{name}");
        if crate::import::credentials::is_credential_name(&name) {
            ctx.lost(
                span,
                &item_path,
                "a credential as a build argument stays in the image's history: not imported (use a build secret)",
            );
            continue;
        }
        let value = match value {
            Some(raw) => match interpolate::resolve_text_with(&raw, &ctx.vars) {
                Ok(resolved) => {
                    if let Some(description) = resolved.describe() {
                        ctx.changed(span, &item_path, description);
                    }
                    resolved.text
                }
                Err(message) => {
                    ctx.lost(span, &item_path, message);
                    continue;
                }
            },
            None => match ctx.vars.get(&name).cloned() {
                Some(value) => {
                    ctx.changed(span, &item_path, "passed through: took its value from .env");
                    value
                }
                None => {
                    ctx.not_mapped(
                        span,
                        &item_path,
                        "passed through with no value in .env: the Dockerfile's default applies, as in compose",
                    );
                    continue;
                }
            },
        };
        out.insert(name, value);
    }
    out
}

fn names(node: &Node) -> Vec<String> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().filter_map(Node::as_str).map(str::to_string).collect(),
        NodeKind::Scalar { text, .. } => vec![text.clone()],
        _ => Vec::new(),
    }
}

fn image(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
    let Some(text) = node.as_str() else {
        ctx.wrong_type(node, "a string", path);
        return;
    };
    let resolved = match interpolate::resolve_text_with(text, &ctx.vars) {
        Ok(resolved) => resolved,
        Err(message) => return ctx.lost(node.span, path, message),
    };
    // Was the tag (after the last ':' that follows the last '/', before any digest) written through a variable?
    let tag_from_variable = tag_of(text).is_some_and(|tag| tag.contains('$'));
    let variables: Vec<String> = resolved.variables().iter().map(|v| format!("`${{{v}}}`")).collect();
    match ImageRef::parse(&resolved.text) {
        Ok(ImageRef { repository, pin: Some(ImagePin::Tag(tag)) }) if tag_from_variable => {
            ctx.differs(
                node.span,
                path,
                format!(
                    "the tag came from {}: now the model's `version: \"{tag}\"` ({}); the variable no longer selects it, so change `version` where you changed the variable",
                    variables.join(" and "),
                    resolved.describe().unwrap_or_default()
                ),
            );
            service.image = Some(repository);
            service.version = Some(tag);
        }
        Ok(_) => {
            if let Some(description) = resolved.describe() {
                ctx.changed(node.span, path, description);
            }
            service.image = Some(resolved.text);
        }
        Err(_) if tag_from_variable => {
            let repository = resolved.text.trim_end_matches(':').to_string();
            match ImageRef::parse(&repository) {
                Ok(_) => {
                    ctx.differs(
                        node.span,
                        path,
                        format!(
                            "the tag comes from {}, which has no value in .env and no default: set the model's `version:` (until then the image's `latest` runs)",
                            variables.join(" and ")
                        ),
                    );
                    service.image = Some(repository);
                }
                Err(message) => ctx.lost(node.span, path, format!("{message}: the model's default image applies")),
            }
        }
        Err(message) => ctx.lost(node.span, path, format!("{message}: the model's default image applies")),
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
    let mut imported = Build { context, ..Build::default() };
    for (key, value) in map.unwrap_or(&[]) {
        let key_name = key.as_str().unwrap_or("");
        match key_name {
            "context" => {}
            "dockerfile" => imported.dockerfile = value.as_str().map(str::to_string),
            "target" => imported.target = value.as_str().map(str::to_string),
            "args" => imported.args = build_args(ctx, value, &format!("{path}.{key_name}")),
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
            (Some(_), Some("service_completed_successfully")) => ctx.lost(
                item.span,
                &item_path,
                "the model has no one-shot dependencies (a migration that must finish first is `migrate:`)",
            ),
            (Some(Imported::Resource(resource)), _) => {
                service.uses.insert(resource);
            }
            (Some(Imported::Service(other)), condition) => {
                if condition == Some("service_healthy") {
                    ctx.changed(
                        item.span,
                        &item_path,
                        format!("now `after: [{other}]`: the compose output waits for it to be healthy if it has a health check, else started"),
                    );
                }
                service.after.insert(other);
            }
            (None, _) => ctx.lost(item.span, &item_path, "no such service in this file"),
        }
    }
}
/// `user:`; returns the user's name when it is one the model cannot hold.
fn user(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) -> Option<String> {
    let Some(text) = node.as_str() else {
        ctx.wrong_type(node, "a string", path);
        return None;
    };
    let (user, group) = text.split_once(':').map_or((text, None), |(u, g)| (u, Some(g)));
    let id = |part: &str| if part == "root" { Some(0) } else { part.parse::<u32>().ok() };
    match (id(user), group.map(id)) {
        (Some(user), None) => service.user = Some(user),
        (Some(user), Some(Some(group))) => {
            service.user = Some(user);
            service.group = Some(group);
        }
        _ => {
            ctx.differs(
                node.span,
                path,
                format!("`{text}`: the model takes numeric user and group ids (`1000:1000`), so it runs as root until the image's id for `{user}` is set"),
            );
            return Some(text.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_as_written() {
        assert_eq!(
            tag_of("ghcr.io/immich-app/immich-server:${IMMICH_VERSION:-release}"),
            Some("${IMMICH_VERSION:-release}")
        );
        assert_eq!(tag_of("host:5000/app:1.2@sha256:abc"), Some("1.2"));
        assert_eq!(
            tag_of("wp-graphql:latest-wp${WP_VERSION-5.6}-php${PHP_VERSION-7.4}"),
            Some("latest-wp${WP_VERSION-5.6}-php${PHP_VERSION-7.4}")
        );
        assert_eq!(tag_of("${REGISTRY:-docker.io}/app"), None);
        assert_eq!(tag_of("$SNUBA_IMAGE"), None);
    }

    #[test]
    fn capabilities_from_cap_add_and_cap_drop() {
        assert_eq!(capabilities(None, None), None);
        let only = |list: &[&str]| Some(list.iter().map(|c| c.to_string()).collect());
        assert_eq!(capabilities(Some(vec!["NET_ADMIN".into()]), Some(vec!["ALL".into()])), only(&["NET_ADMIN"]));
        let dropped = capabilities(None, Some(vec!["CAP_NET_RAW".into()])).unwrap_or_default();
        assert_eq!(dropped.len(), DOCKER_CAPABILITIES.len() - 1);
        assert!(!dropped.contains("NET_RAW"));
    }
}
