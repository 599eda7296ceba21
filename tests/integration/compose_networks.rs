//! Compose networks (issue 16 item 3): each container joins only the networks it needs, yet every
//! connection the model declares still has a network both ends are on. Checked on the compose files
//! of every fixture and every test case: a caller and its callee, a workload and each resource it
//! uses, the gateway and each service it routes to; and only the gateway (or a service whose port is
//! published) is on the `published` network, resources only on the internal `backend` one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use iacgen::ir::Stack;
use iacgen::shared::{Filter, Target};
use iacgen::source::reader::Reader;

use crate::common;

/// `services.<name>.networks` of a compose.yaml iacgen wrote (its layout is fixed: two-space
/// indents, `networks:` as a block list, `network_mode: none` for none).
fn networks(compose: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut in_services = false;
    let mut service: Option<String> = None;
    let mut in_networks = false;
    for line in compose.lines() {
        if !line.starts_with(' ') && !line.starts_with('#') {
            in_services = line == "services:";
            service = None;
            continue;
        }
        if !in_services {
            continue;
        }
        if let Some(name) = line.strip_prefix("  ").and_then(|rest| rest.strip_suffix(':'))
            && !name.starts_with(' ')
            && !name.starts_with('#')
        {
            service = Some(name.to_string());
            out.entry(name.to_string()).or_default();
            in_networks = false;
            continue;
        }
        let Some(name) = &service else { continue };
        if line == "    networks:" {
            in_networks = true;
        } else if in_networks && let Some(network) = line.strip_prefix("      - ") {
            out.entry(name.clone()).or_default().insert(network.to_string());
        } else if line.starts_with("    ") && !line.starts_with("     ") {
            in_networks = false;
        }
    }
    out
}

fn check_stack(label: &str, stack: &Stack, compose: &str) {
    let nets = networks(compose);
    let of = |name: &str| nets.get(name).cloned().unwrap_or_default();
    let share = |a: &str, b: &str, why: &str| {
        let (x, y) = (of(a), of(b));
        assert!(
            x.intersection(&y).next().is_some(),
            "{label}: {a} ({x:?}) and {b} ({y:?}) share no network, but {why}"
        );
    };
    for (name, service) in &stack.services {
        for callee in &service.calls {
            share(name, callee, &format!("{name} calls {callee}"));
        }
        for resource in service.uses.iter().filter(|r| stack.resources.contains_key(*r)) {
            share(name, resource, &format!("{name} uses {resource}"));
            if service.migrate.is_some() {
                share(&format!("{name}-migrate"), resource, &format!("{name}'s migration uses {resource}"));
            }
        }
        if service.ingress.is_some() && nets.contains_key("gateway") {
            share("gateway", name, &format!("the gateway routes to {name}"));
        }
    }
    for (name, job) in &stack.jobs {
        for callee in &job.calls {
            share(name, callee, &format!("{name} calls {callee}"));
        }
        for resource in job.uses.iter().filter(|r| stack.resources.contains_key(*r)) {
            share(name, resource, &format!("{name} uses {resource}"));
        }
    }
    for resource in stack.resources.keys() {
        let joined = of(resource);
        assert!(
            joined.iter().all(|network| network == "backend"),
            "{label}: resource {resource} joins {joined:?}, not only the internal backend network"
        );
    }
    if let (Some(prometheus), Some(alertmanager)) = (nets.get("prometheus"), nets.get("alertmanager")) {
        assert!(
            prometheus.intersection(alertmanager).next().is_some(),
            "{label}: prometheus cannot reach alertmanager"
        );
    }
    if nets.contains_key("gateway") {
        let published: Vec<&String> =
            nets.iter().filter(|(_, joined)| joined.contains("published")).map(|(name, _)| name).collect();
        assert_eq!(published, vec!["gateway"], "{label}: only the gateway is on the published network");
    }
    for (name, joined) in &nets {
        // Alertmanager sends mail and webhooks outside: its egress is the model's `notify`.
        if joined.contains("egress") && name != "alertmanager" {
            let declared = stack.services.get(name).map(|s| !s.egress.is_empty()).unwrap_or(false)
                || stack.jobs.get(name).map(|j| !j.egress.is_empty()).unwrap_or(false)
                || name
                    .strip_suffix("-migrate")
                    .and_then(|service| stack.services.get(service))
                    .is_some_and(|s| !s.egress.is_empty());
            assert!(declared, "{label}: {name} is on the egress network without declaring egress");
        }
    }
}

fn check_project(dir: &Path) {
    let reader = Reader::Disk { root: dir.to_path_buf() };
    let compiled = match iacgen::compile(&reader, &Filter::default()) {
        Ok(compiled) => compiled,
        Err(failure) => panic!("{} does not compile:\n{}", dir.display(), common::render(&failure)),
    };
    for (environment, stack) in &compiled.resolved.compilation.environments {
        if !stack.targets.contains(&Target::Compose) {
            continue;
        }
        let path = format!("compose/{environment}/compose.yaml");
        let Some(file) = compiled.files.files.get(path.as_str()) else {
            panic!("{}: no {path}", dir.display());
        };
        check_stack(&format!("{} {path}", common::name(dir)), stack, &file.contents);
    }
}

#[test]
fn every_declared_connection_has_a_shared_network() {
    let repo = common::repo();
    let projects: Vec<_> = common::projects(&repo.join("fixtures/ok"))
        .into_iter()
        .chain(common::projects(&repo.join("tests/cases")))
        .map(|dir| (common::name(&dir), dir))
        .collect();
    assert!(projects.len() > 10);
    common::each(projects, |dir| check_project(&dir));
}

#[test]
fn the_parser_reads_networks_and_none() {
    let compose = "name: x\nservices:\n  api:\n    image: a\n    networks:\n      - apps\n      - backend\n  job:\n    network_mode: none\nvolumes:\n  data: {}\n";
    let nets = networks(compose);
    assert_eq!(nets["api"], BTreeSet::from([String::from("apps"), String::from("backend")]));
    assert!(nets["job"].is_empty());
    assert!(!nets.contains_key("data"));
}
