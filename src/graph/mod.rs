//! A picture of the platform (`iacgen graph`): services, jobs, resources, gateways and external
//! egress as nodes; `uses`, `calls` and ingress routes as edges; each node with the target(s) it
//! lands on in each environment. Built from the resolved model only, as a pure function; the
//! renderers (`mermaid`, `dot`, `svg`) and the change graph of `diff --format markdown` (`changes`)
//! read this value and nothing else.

pub mod changes;
pub mod dot;
pub mod mermaid;
pub mod svg;

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Compilation, Stack, Target};

/// What a node is. The order is the order nodes are listed and laid out in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// Where public traffic comes from.
    Clients,
    /// What routes public traffic to services: compose's nginx, a Kubernetes Ingress, an AWS load balancer.
    Gateway,
    Service,
    Job,
    /// A database or cache.
    Resource,
    /// Something outside the platform that a service calls (a service's egress).
    External,
}

impl NodeKind {
    /// How ids and classes name the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Clients => "clients",
            NodeKind::Gateway => "gateway",
            NodeKind::Service => "service",
            NodeKind::Job => "job",
            NodeKind::Resource => "resource",
            NodeKind::External => "external",
        }
    }
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EdgeKind {
    /// A public route: clients → gateway → service (labelled with host and path).
    Route,
    /// `calls`: a service or job calls a service.
    Calls,
    /// `uses`: a service or job connects to a resource.
    Uses,
    /// A call out of the platform.
    Egress,
}

impl EdgeKind {
    /// How labels and classes name the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Route => "route",
            EdgeKind::Calls => "calls",
            EdgeKind::Uses => "uses",
            EdgeKind::Egress => "egress",
        }
    }
}

/// One node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// `<kind>:<name>`, unique in the graph (`service:api`, `gateway:ingress`).
    pub id: String,
    pub kind: NodeKind,
    pub name: String,
    /// One line under the name: `service :8080`, `postgres 16`, `job 0 6 * * *`.
    pub detail: String,
    /// Environment → where the node lands there (target names, or `external` for a resource an
    /// environment only connects to).
    pub placements: BTreeMap<String, BTreeSet<String>>,
}

/// One edge, with the environments it exists in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// Route edges: `host/path`; others empty.
    pub label: String,
    pub environments: BTreeSet<String>,
}

/// The graph of a project, over some or all of its environments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    pub project: String,
    /// The environments drawn, in name order.
    pub environments: Vec<String>,
    /// By id, in (kind, name) order through [`Graph::ordered_nodes`].
    pub nodes: BTreeMap<String, Node>,
    pub edges: Vec<Edge>,
}

impl Graph {
    /// Nodes in layout order: kind (clients, gateways, services, jobs, resources, external), then name.
    pub fn ordered_nodes(&self) -> Vec<&Node> {
        let mut nodes: Vec<&Node> = self.nodes.values().collect();
        nodes.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        nodes
    }

    /// The placement lines of a node: `compose` for a one-environment graph, else
    /// `development: compose` per environment, environments that land the same way joined.
    pub fn placement_lines(&self, node: &Node) -> Vec<String> {
        if self.environments.len() == 1 {
            return node.placements.values().map(join).collect();
        }
        // Environments with the same placement share a line, in the order of their first environment.
        let mut lines: Vec<(Vec<&str>, String)> = Vec::new();
        for (environment, targets) in &node.placements {
            let targets = join(targets);
            match lines.iter_mut().find(|(_, line)| *line == targets) {
                Some((environments, _)) => environments.push(environment),
                None => lines.push((vec![environment.as_str()], targets)),
            }
        }
        lines.into_iter().map(|(environments, targets)| format!("{}: {targets}", environments.join(", "))).collect()
    }
}

impl Graph {
    /// The text of a node, line by line: name, detail, then where it lands.
    pub fn label_lines(&self, node: &Node) -> Vec<String> {
        let mut lines = vec![node.name.clone(), node.detail.clone()];
        lines.extend(self.placement_lines(node));
        lines
    }

    /// The environments of an edge, when it is not in every environment drawn (else `None`).
    pub fn edge_environments(&self, edge: &Edge) -> Option<String> {
        let all = edge.environments.len() == self.environments.len();
        (!all).then(|| edge.environments.iter().map(String::as_str).collect::<Vec<_>>().join(", "))
    }

    /// An edge's label: its route and, when it is not in every environment drawn, where it is
    /// (except next to a gateway, whose own placement already says where it is).
    pub fn edge_label(&self, edge: &Edge) -> String {
        let at_gateway =
            [&edge.from, &edge.to].iter().any(|id| self.nodes.get(*id).is_some_and(|n| n.kind == NodeKind::Gateway));
        let environments = if at_gateway { None } else { self.edge_environments(edge) };
        match (edge.label.is_empty(), environments) {
            (true, None) => String::new(),
            (true, Some(environments)) => environments,
            (false, None) => edge.label.clone(),
            (false, Some(environments)) => format!("{} ({environments})", edge.label),
        }
    }
}

/// How the change graph of a diff marks a node or an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    Same,
    Added,
    Removed,
    Changed,
}

fn join(items: &BTreeSet<String>) -> String {
    items.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
}

/// The graph of `compilation` over `environments` (all when empty; unknown names are skipped: the
/// caller reports them).
pub fn build(compilation: &Compilation, environments: &[String]) -> Graph {
    let mut builder =
        Builder { graph: Graph { project: compilation.project.clone(), ..Graph::default() }, edges: BTreeMap::new() };
    for (name, stack) in &compilation.environments {
        if environments.is_empty() || environments.contains(name) {
            builder.graph.environments.push(name.clone());
            add_stack(&mut builder, stack);
        }
    }
    let Builder { mut graph, edges } = builder;
    graph.edges = edges
        .into_iter()
        .map(|((from, to, kind, label), environments)| Edge { from, to, kind, label, environments })
        .collect();
    graph.edges.sort();
    graph
}

/// A graph being built: edges by (from, to, kind, label), so the same edge in several environments
/// is one edge.
struct Builder {
    graph: Graph,
    edges: BTreeMap<(String, String, EdgeKind, String), BTreeSet<String>>,
}

/// Add one environment's nodes and edges (merging with those of other environments).
fn add_stack(graph: &mut Builder, stack: &Stack) {
    let environment = stack.environment.as_str();
    let workload_targets: BTreeSet<String> = stack.targets.iter().map(|t| t.as_str().to_string()).collect();
    for service in stack.services.values() {
        let detail = match service.http_port() {
            Some(port) => format!("service :{port}"),
            None => String::from("service"),
        };
        let id = place(graph, NodeKind::Service, &service.name, &detail, environment, &workload_targets);
        for resource in &service.uses {
            edge(graph, &id, &node_id(NodeKind::Resource, resource), EdgeKind::Uses, "", environment);
        }
        for callee in &service.calls {
            edge(graph, &id, &node_id(NodeKind::Service, callee), EdgeKind::Calls, "", environment);
        }
        add_egress(graph, &id, &service.egress, environment);
        if let Some(ingress) = &service.ingress {
            // A path-only route matches any host: its label is the path alone.
            let route = format!("{}{}", ingress.host.as_deref().unwrap_or(""), ingress.path);
            add_route(graph, stack, &id, &route);
        }
    }
    for job in stack.jobs.values() {
        let detail = format!("job {}", job.schedule.expression);
        let id = place(graph, NodeKind::Job, &job.name, &detail, environment, &workload_targets);
        for resource in &job.uses {
            edge(graph, &id, &node_id(NodeKind::Resource, resource), EdgeKind::Uses, "", environment);
        }
        for callee in &job.calls {
            edge(graph, &id, &node_id(NodeKind::Service, callee), EdgeKind::Calls, "", environment);
        }
        add_egress(graph, &id, &job.egress, environment);
    }
    for resource in stack.resources.values() {
        let detail = format!("{} {}", resource.kind.as_str(), resource.version);
        // compose, aws and azure provision resources; an environment with only helm or ecs
        // connects to a host it pins.
        let mut targets: BTreeSet<String> = stack
            .targets
            .iter()
            .filter(|target| matches!(target, Target::Compose | Target::Aws | Target::Azure))
            .map(|target| target.as_str().to_string())
            .collect();
        if targets.is_empty() {
            targets.insert(String::from("external"));
        }
        place(graph, NodeKind::Resource, &resource.name, &detail, environment, &targets);
    }
}

/// A public route to `service` in one environment: through each gateway the environment's targets
/// put in front of it, or straight from clients where a target publishes the service itself
/// (compose without a gateway, App Service). ECS task definitions alone draw no route.
fn add_route(graph: &mut Builder, stack: &Stack, service: &str, route: &str) {
    let environment = stack.environment.as_str();
    let clients = place(graph, NodeKind::Clients, "clients", "public traffic", environment, &BTreeSet::new());
    let compose_gateway = stack.config.compose.as_ref().is_some_and(|c| c.gateway.is_some());
    let mut direct = false;
    for target in &stack.targets {
        let gateway = match target {
            Target::Compose if compose_gateway => Some(("nginx", "compose gateway")),
            Target::Helm => Some(("ingress", "Kubernetes Ingress")),
            Target::Aws => Some(("load-balancer", "AWS load balancer")),
            Target::Compose | Target::Azure => None,
            // The ecs target writes task definitions only: what routes traffic to them (the aws
            // target's load balancer, or one outside iacgen) is not its own.
            Target::Ecs => continue,
        };
        match gateway {
            Some((name, detail)) => {
                let targets = BTreeSet::from([target.as_str().to_string()]);
                let gateway = place(graph, NodeKind::Gateway, name, detail, environment, &targets);
                edge(graph, &clients, &gateway, EdgeKind::Route, "", environment);
                edge(graph, &gateway, service, EdgeKind::Route, route, environment);
            }
            None => direct = true,
        }
    }
    if direct {
        edge(graph, &clients, service, EdgeKind::Route, route, environment);
    }
}

/// A node per host outside the platform that `from` reaches (its declared `egress`), and an edge
/// to it labelled with the port.
fn add_egress(graph: &mut Builder, from: &str, egress: &[crate::ir::Egress], environment: &str) {
    for entry in egress {
        let host = entry.host.to_string();
        let to = place(graph, NodeKind::External, &host, "outside the platform", environment, &BTreeSet::new());
        edge(graph, from, &to, EdgeKind::Egress, &format!(":{}", entry.port), environment);
    }
}

/// `<kind>:<name>`.
pub fn node_id(kind: NodeKind, name: &str) -> String {
    format!("{}:{name}", kind.as_str())
}

/// Add (or extend) a node with where it lands in `environment`; returns its id.
fn place(
    graph: &mut Builder,
    kind: NodeKind,
    name: &str,
    detail: &str,
    environment: &str,
    targets: &BTreeSet<String>,
) -> String {
    let id = node_id(kind, name);
    let node = graph.graph.nodes.entry(id.clone()).or_insert_with(|| Node {
        id: id.clone(),
        kind,
        name: name.to_string(),
        detail: detail.to_string(),
        placements: BTreeMap::new(),
    });
    if !targets.is_empty() {
        node.placements.entry(environment.to_string()).or_default().extend(targets.iter().cloned());
    }
    id
}

/// Add an edge in `environment`, or add the environment to the same edge from another one.
fn edge(graph: &mut Builder, from: &str, to: &str, kind: EdgeKind, label: &str, environment: &str) {
    let key = (from.to_string(), to.to_string(), kind, label.to_string());
    graph.edges.entry(key).or_default().insert(environment.to_string());
}
