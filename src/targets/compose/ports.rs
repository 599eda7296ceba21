//! Which host ports compose publishes (on 127.0.0.1): the gateway's, or each public service's http
//! port. A port named in `targets.compose.publish` is taken first; then clashes keep a documented
//! order: the first service by name keeps its number, each later one takes the lowest free port from
//! 10000 up.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::Stack;

/// The port the gateway listens on inside its container and on the host.
pub const GATEWAY_PORT: u16 = 8080;
/// Where clashing services are moved to.
pub const FIRST_FALLBACK_PORT: u16 = 10000;

/// Host port per published service name (empty services map when a gateway publishes).
pub fn assign(stack: &Stack, gateway: bool) -> BTreeMap<String, u16> {
    let mut out = BTreeMap::new();
    if gateway {
        return out;
    }
    let mut taken: BTreeSet<u16> = BTreeSet::new();
    let mut next = FIRST_FALLBACK_PORT;
    let public =
        stack.services.values().filter(|s| s.ingress.is_some()).filter_map(|s| s.http_port().map(|p| (&s.name, p)));
    let publish = stack.config.compose.as_ref().map(|c| &c.publish);
    let mut wanted: Vec<(&String, u16)> = Vec::new();
    for (name, port) in public {
        match publish.and_then(|p| p.get(name)) {
            // Chosen in `targets.compose.publish`: taken before any other.
            Some(host) => {
                taken.insert(*host);
                out.insert(name.clone(), *host);
            }
            None => wanted.push((name, port)),
        }
    }
    let wanted_ports: BTreeSet<u16> = wanted.iter().map(|(_, p)| *p).collect();
    for (name, port) in wanted {
        let host = if taken.insert(port) {
            port
        } else {
            while taken.contains(&next) || wanted_ports.contains(&next) {
                next += 1;
            }
            taken.insert(next);
            next
        };
        out.insert(name.clone(), host);
    }
    out
}

/// Header lines that list the mapping.
pub fn describe(stack: &Stack, published: &BTreeMap<String, u16>, gateway: bool) -> Vec<String> {
    if gateway {
        return vec![format!("Published: gateway on http://127.0.0.1:{GATEWAY_PORT} (routes every ingress).")];
    }
    if published.is_empty() {
        return vec![String::from("Published: nothing (no service has an ingress).")];
    }
    let mut lines = vec![String::from("Published ports (127.0.0.1, host -> container):")];
    for (name, host) in published {
        let container = stack.services.get(name).and_then(|s| s.http_port()).unwrap_or(0);
        let chosen = stack.config.compose.as_ref().is_some_and(|c| c.publish.contains_key(name));
        let moved = match () {
            _ if chosen => " (targets.compose.publish)",
            _ if *host != container => " (moved: port taken by a service earlier by name)",
            _ => "",
        };
        lines.push(format!("  {name}: {host} -> {container}{moved}"));
    }
    lines
}
