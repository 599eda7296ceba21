//! `networkPolicy` values: who may call this workload, whom it calls, and the ports of the resources
//! it uses (databases outside the cluster, reached by host name: egress by port).

use std::collections::BTreeSet;

use crate::targets::helm::values::Scope;
use crate::targets::yaml_out::Yaml;

/// The policy of a workload with these callers (services and jobs whose `calls` name it), callees and
/// used resources.
pub fn policy(
    scope: &Scope<'_>,
    callers: &BTreeSet<String>,
    callees: &BTreeSet<String>,
    uses: &BTreeSet<String>,
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
