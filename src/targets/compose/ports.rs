//! Which host ports compose publishes (on 127.0.0.1): the gateway's, or each public service's http
//! port. A port named in `targets.compose.publish` is taken first; then clashes keep a documented
//! order: the first service by name keeps its number, each later one takes the lowest free port from
//! 10000 up.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Expose, Gateway, Stack};

/// The port the gateway listens on for plain HTTP inside its container (and on the host, locally).
pub const GATEWAY_PORT: u16 = 8080;
/// The port the gateway listens on for HTTPS inside its container (and on the host, locally).
pub const GATEWAY_TLS_PORT: u16 = 8443;

/// Whether any route is served over TLS by this gateway (it has a certificate and a route asks).
pub fn serves_tls(stack: &Stack, gateway: &Gateway) -> bool {
    gateway.tls.is_some() && stack.services.values().any(|s| s.ingress.as_ref().is_some_and(|i| i.tls))
}

/// The gateway's `ports:`: 127.0.0.1:8080 (and 8443 with TLS) locally; 80 and 443 on every interface
/// on a server (the unprivileged nginx listens on 8080/8443; Docker binds the low host ports).
pub fn gateway_bindings_for(stack: &Stack, gateway: &Gateway) -> Vec<String> {
    let tls = serves_tls(stack, gateway);
    match gateway.expose {
        Expose::Local => {
            let mut out = vec![format!("127.0.0.1:{GATEWAY_PORT}:{GATEWAY_PORT}")];
            if tls {
                out.push(format!("127.0.0.1:{GATEWAY_TLS_PORT}:{GATEWAY_TLS_PORT}"));
            }
            out
        }
        Expose::Server => {
            let mut out = vec![format!("80:{GATEWAY_PORT}")];
            if tls {
                out.push(format!("443:{GATEWAY_TLS_PORT}"));
            }
            out
        }
    }
}
/// Where clashing services are moved to.
pub const FIRST_FALLBACK_PORT: u16 = 10000;

/// Host port per published service name (empty services map when a gateway publishes).
pub fn assign(stack: &Stack, gateway: Option<&Gateway>) -> BTreeMap<String, u16> {
    let mut out = BTreeMap::new();
    if gateway.is_some() {
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
pub fn describe(stack: &Stack, published: &BTreeMap<String, u16>, gateway: Option<&Gateway>) -> Vec<String> {
    if let Some(gateway) = gateway {
        let tls = serves_tls(stack, gateway);
        let mut lines = vec![match (gateway.expose, tls) {
            (Expose::Local, false) => {
                format!("Published: gateway on http://127.0.0.1:{GATEWAY_PORT} (routes every ingress).")
            }
            (Expose::Local, true) => format!(
                "Published: gateway on https://127.0.0.1:{GATEWAY_TLS_PORT} and http://127.0.0.1:{GATEWAY_PORT} (routes every ingress)."
            ),
            (Expose::Server, false) => {
                String::from("Published: gateway on port 80 of every interface (routes every ingress).")
            }
            (Expose::Server, true) => String::from(
                "Published: gateway on ports 443 (HTTPS) and 80 (HTTP, redirects TLS routes) of every interface.",
            ),
        }];
        if !tls {
            lines.extend(plain_http_note(stack));
        }
        return lines;
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
    lines.extend(plain_http_note(stack));
    lines
}

/// A header line when routes ask for TLS that this (development) compose file serves as plain HTTP;
/// outside development that is an error (IAC044), so it never happens silently.
fn plain_http_note(stack: &Stack) -> Option<String> {
    let names: Vec<&str> = stack
        .services
        .values()
        .filter(|s| s.ingress.as_ref().is_some_and(|i| i.tls) && s.http_port().is_some())
        .map(|s| s.name.as_str())
        .collect();
    if names.is_empty() {
        return None;
    }
    Some(format!(
        "Plain HTTP: the routes of {} ask for TLS, which this development environment serves without (no gateway certificate).",
        names.join(", ")
    ))
}
