//! `networkPolicy` values: who may call this workload, whom it calls, the ports of the resources it
//! uses (databases outside the cluster, reached by host name: egress by port), and its declared
//! `egress`: NetworkPolicy matches addresses, never names, so a host name opens its port to every
//! address outside the platform (`0.0.0.0/0` except `targets.helm.internal_cidrs`), and an address
//! or network opens its port to exactly that; the hosts are the rule's comment.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Egress, EgressHost};

use crate::targets::helm::values::Scope;
use crate::targets::yaml_out::Yaml;

/// The policy of a workload with these callers (services and jobs whose `calls` name it), callees and
/// used resources.
pub fn policy(
    scope: &Scope<'_>,
    callers: &BTreeSet<String>,
    callees: &BTreeSet<String>,
    uses: &BTreeSet<String>,
    egress: &[Egress],
) -> Yaml {
    let stack = scope.stack;
    let callee_rules = callees.iter().map(|name| {
        let mut rule = Yaml::map().with("name", Yaml::str(name.clone()));
        // NetworkPolicy sees pod ports: the callee's container ports, its metrics port excepted.
        let ports: BTreeSet<u16> = stack
            .services
            .get(name)
            .map(|callee| {
                let metrics = callee.metrics.as_ref().map(|m| m.port_name.as_str()).filter(|port| *port != "http");
                callee.ports.iter().filter(|(port, _)| Some(port.as_str()) != metrics).map(|(_, n)| *n).collect()
            })
            .unwrap_or_default();
        if !ports.is_empty() {
            rule.insert("ports", Yaml::Seq(ports.into_iter().map(|p| Yaml::Int(i64::from(p))).collect()));
        }
        rule
    });
    let external = uses.iter().filter_map(|name| stack.resources.get(name)).map(|resource| {
        Yaml::map()
            .with("port", Yaml::Int(i64::from(resource.port)))
            .with("protocol", Yaml::str("TCP"))
            .with("cidrs", Yaml::Seq(Vec::new()))
            .with("description", Yaml::str(format!("{} ({})", resource.name, resource.kind.as_str())))
    });
    let external = external.chain(egress_rules(scope, egress));
    Yaml::map()
        .with("enabled", Yaml::Bool(true))
        .with("ingressNamespace", Yaml::str(scope.helm.ingress_namespace.clone()))
        .with("monitoringNamespace", Yaml::str(scope.helm.monitoring_namespace.clone()))
        .with("dnsNamespace", Yaml::str("kube-system"))
        .with("callers", Yaml::strs(callers.iter().cloned()))
        .with("callees", Yaml::Seq(callee_rules.collect()))
        .with("external", Yaml::Seq(external.collect()))
        .with("extraIngress", Yaml::Seq(Vec::new()))
        .with("extraEgress", Yaml::Seq(Vec::new()))
}

/// One rule per port for the named hosts (to any outside address) and one per port for the
/// addresses and networks (to exactly those), in port order.
fn egress_rules(scope: &Scope<'_>, egress: &[Egress]) -> Vec<Yaml> {
    let mut by_port: BTreeMap<(u16, bool), Vec<&Egress>> = BTreeMap::new();
    for entry in egress {
        let named = matches!(entry.host, EgressHost::Name(_));
        by_port.entry((entry.port, !named)).or_default().push(entry);
    }
    by_port
        .into_iter()
        .map(|((port, exact), entries)| {
            let hosts: Vec<String> = entries.iter().map(|entry| entry.host.to_string()).collect();
            let description = format!("egress to {} (port {port})", hosts.join(", "));
            let rule = Yaml::map().with("port", Yaml::Int(i64::from(port))).with("protocol", Yaml::str("TCP"));
            if exact {
                let cidrs = entries.iter().filter_map(|entry| entry.host.cidr());
                rule.with("cidrs", Yaml::strs(cidrs)).with("description", Yaml::str(description))
            } else {
                rule.with("cidrs", Yaml::strs(["0.0.0.0/0"]))
                    .with("except", Yaml::strs(scope.helm.internal_cidrs.iter().cloned()))
                    .with("description", Yaml::str(format!("{description}: any address outside the platform")))
            }
        })
        .collect()
}
