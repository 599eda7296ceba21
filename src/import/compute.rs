//! `deploy:` (replicas and resources) and the legacy `mem_limit`, `mem_reservation`, `cpus`, `scale`
//! → `replicas` and `resources` in model quantities, with requests kept within their limits.

use crate::import::compose::{Ctx, get};
use crate::import::draft::Service;
use crate::model::quantity::{Cpu, Memory};
use crate::shared::span::Span;
use crate::source::yaml::{Node, NodeKind};

/// `deploy:`.
pub fn deploy(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
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

/// `deploy.replicas` or `scale`.
pub fn replicas(ctx: &mut Ctx<'_>, service: &mut Service, node: &Node, path: &str) {
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

/// A compose CPU count in model spelling.
pub fn cpu(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Option<String> {
    match node.as_str().map(Cpu::parse) {
        Some(Ok(cpu)) => Some(cpu.kubernetes()),
        _ => {
            ctx.not_mapped(node.span, path, "not a CPU quantity the importer reads");
            None
        }
    }
}

/// A compose byte size in model spelling.
pub fn memory(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Option<String> {
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
pub fn defaults(ctx: &mut Ctx<'_>, service: &mut Service, map: &[(Node, Node)], prefix: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes() {
        assert_eq!(compose_bytes("512m"), Some(512 * 1024 * 1024));
        assert_eq!(compose_bytes("1G"), Some(1024 * 1024 * 1024));
        assert_eq!(compose_bytes("1.5gb"), Some(1536 * 1024 * 1024));
        assert_eq!(compose_bytes("1024"), Some(1024));
        assert_eq!(compose_bytes("lots"), None);
    }
}
