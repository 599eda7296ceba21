//! Compose networks: each container joins only the networks it needs, so local runs fail where the
//! cluster would (a service that reaches an undeclared host times out here too).
//!
//! | network | `internal` | members |
//! |---|---|---|
//! | `backend` | yes | the resources, and the services, migrations and jobs that use one |
//! | `apps` | yes | services that call or are called by another (and jobs that call one), the gateway and the services it routes to, Prometheus and the services it scrapes |
//! | `published` | no | the gateway, or (without one) each service whose port is published on 127.0.0.1 |
//! | `egress` | no | services and jobs that declare `egress` (compose cannot filter by host or port: they reach every address) |
//!
//! An internal network has no route out of the host; a published port needs a network that has one.
//! A container that needs none of them runs with `network_mode: none`.

use std::collections::BTreeSet;

use crate::ir::{Egress, Job, Service, Stack};
use crate::targets::yaml_out::Yaml;

pub const BACKEND: &str = "backend";
pub const APPS: &str = "apps";
pub const PUBLISHED: &str = "published";
pub const EGRESS: &str = "egress";

/// The networks of a model service (`published`: its port is published on the host).
pub fn of_service(stack: &Stack, service: &Service, published: bool) -> BTreeSet<&'static str> {
    let options = stack.config.compose.clone().unwrap_or_default();
    let routed = options.gateway.is_some() && service.ingress.is_some() && service.http_port().is_some();
    let scraped = options.monitoring && service.metrics.is_some();
    let mut out = outbound(stack, &service.uses, &service.calls, &service.egress);
    if !service.called_by.is_empty() || routed || scraped {
        out.insert(APPS);
    }
    if published {
        out.insert(PUBLISHED);
    }
    out
}

/// The networks of a service's migration: what it connects to (resources, callees, egress); nothing
/// routes to it, calls it or scrapes it.
pub fn of_migration(stack: &Stack, service: &Service) -> BTreeSet<&'static str> {
    outbound(stack, &service.uses, &service.calls, &service.egress)
}

/// The networks of a scheduled job: what it connects to.
pub fn of_job(stack: &Stack, job: &Job) -> BTreeSet<&'static str> {
    outbound(stack, &job.uses, &job.calls, &job.egress)
}

/// The networks a container needs for what it connects to: resources, services, the outside.
fn outbound(
    stack: &Stack,
    uses: &BTreeSet<String>,
    calls: &BTreeSet<String>,
    egress: &[Egress],
) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    if uses.iter().any(|name| stack.resources.contains_key(name)) {
        out.insert(BACKEND);
    }
    if !calls.is_empty() {
        out.insert(APPS);
    }
    if !egress.is_empty() {
        out.insert(EGRESS);
    }
    out
}

/// Attach `networks` to a compose service: the list, or `network_mode: none` when it is empty.
pub fn attach(service: &mut Yaml, networks: &BTreeSet<&'static str>) {
    if networks.is_empty() {
        service.insert("network_mode", Yaml::str("none"));
    } else {
        service.insert("networks", Yaml::strs(networks.iter().copied()));
    }
}

/// The top-level `networks:` for the networks in use.
pub fn declare(used: &BTreeSet<&'static str>) -> Option<Yaml> {
    if used.is_empty() {
        return None;
    }
    let mut out = Yaml::map();
    for network in used {
        let internal = matches!(*network, BACKEND | APPS);
        out.insert(*network, if internal { Yaml::map().with("internal", Yaml::Bool(true)) } else { Yaml::map() });
    }
    Some(out)
}

/// Header lines: what the networks are, and what compose cannot hold to.
pub fn describe(stack: &Stack, used: &BTreeSet<&'static str>) -> Vec<String> {
    if used.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![String::from(
        "Networks: each container joins only what it needs (backend and apps are internal: no route out).",
    )];
    let workloads =
        stack.services.iter().map(|(n, s)| (n, &s.egress)).chain(stack.jobs.iter().map(|(n, j)| (n, &j.egress)));
    let declared: Vec<String> = workloads
        .filter(|(_, egress)| !egress.is_empty())
        .map(|(name, egress)| {
            let hosts: Vec<String> = egress.iter().map(ToString::to_string).collect();
            format!("{name} -> {}", hosts.join(", "))
        })
        .collect();
    if !declared.is_empty() {
        lines.push(String::from(
            "Egress (the `egress` network; compose cannot filter by host or port, so these reach any address):",
        ));
        lines.extend(declared.into_iter().map(|line| format!("  {line}")));
    }
    lines
}
