//! The change graph of `diff --format markdown`: the old and the new model's graphs merged, with
//! added, removed and changed nodes and edges marked, as a Mermaid block GitHub renders in the
//! pull-request comment above the file diffs.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{Edge, Graph, Mark, mermaid};

/// Above this many nodes, only what changed and its neighbours are drawn.
const FULL_GRAPH_NODES: usize = 40;
/// Mermaid (and GitHub's renderer) give up on large diagrams; the comment has 65,536 characters
/// for everything. Past either limit the block is a one-line note.
const MAX_NODES: usize = 150;
const MAX_CHARACTERS: usize = 20_000;

/// The Markdown block (heading, fenced Mermaid), or `None` when the graph did not change.
pub fn markdown(old: &Graph, new: &Graph, semantic: &[String]) -> Option<String> {
    let (graph, nodes, edges) = merge(old, new, &changed_names(semantic));
    if nodes.values().all(|mark| *mark == Mark::Same) && edges.iter().all(|mark| *mark == Mark::Same) {
        return None;
    }
    let (graph, nodes, edges) = if graph.nodes.len() > FULL_GRAPH_NODES {
        around_changes(&graph, &nodes, &edges)
    } else {
        (graph, nodes, edges)
    };
    let heading =
        "**Platform graph of the change** (`+` added, `-` removed, `~` changed; `iacgen graph` draws all of it)\n\n";
    if graph.nodes.len() > MAX_NODES {
        return Some(format!(
            "{heading}_{} nodes changed or touch a change: too many to draw here._\n\n",
            graph.nodes.len()
        ));
    }
    let chart = mermaid::render_marked(&graph, &nodes, &edges);
    if chart.len() > MAX_CHARACTERS {
        return Some(format!(
            "{heading}_The graph of the change is too large to draw here ({} characters of Mermaid)._\n\n",
            chart.len()
        ));
    }
    Some(format!("{heading}```mermaid\n{chart}```\n\n"))
}

/// Names of services, jobs and resources the semantic summary reports a field change of
/// (`<env>/<name>: <field> ...`; names are DNS labels, so the split is exact).
fn changed_names(semantic: &[String]) -> BTreeSet<String> {
    semantic
        .iter()
        .filter_map(|line| {
            let (subject, _) = line.split_once(": ")?;
            let (_, name) = subject.split_once('/')?;
            Some(name.to_string())
        })
        .collect()
}

/// The union of both graphs with a mark per node (by id) and per edge (by index).
fn merge(old: &Graph, new: &Graph, changed: &BTreeSet<String>) -> (Graph, BTreeMap<String, Mark>, Vec<Mark>) {
    let mut graph = new.clone();
    let environments: BTreeSet<String> = old.environments.iter().chain(&new.environments).cloned().collect();
    graph.environments = environments.into_iter().collect();
    let mut nodes = BTreeMap::new();
    for node in new.nodes.values() {
        let mark = match old.nodes.get(&node.id) {
            None => Mark::Added,
            Some(before) if before != node || changed.contains(&node.name) => Mark::Changed,
            Some(_) => Mark::Same,
        };
        nodes.insert(node.id.clone(), mark);
    }
    for node in old.nodes.values().filter(|node| !new.nodes.contains_key(&node.id)) {
        graph.nodes.insert(node.id.clone(), node.clone());
        nodes.insert(node.id.clone(), Mark::Removed);
    }
    let key = |edge: &Edge| (edge.from.clone(), edge.to.clone(), edge.kind, edge.label.clone());
    let before: BTreeMap<_, &Edge> = old.edges.iter().map(|edge| (key(edge), edge)).collect();
    let after: BTreeSet<_> = new.edges.iter().map(key).collect();
    let mut marked: Vec<(Edge, Mark)> = new
        .edges
        .iter()
        .map(|edge| {
            let mark = match before.get(&key(edge)) {
                None => Mark::Added,
                Some(old_edge) if old_edge.environments != edge.environments => Mark::Changed,
                Some(_) => Mark::Same,
            };
            (edge.clone(), mark)
        })
        .collect();
    marked
        .extend(old.edges.iter().filter(|edge| !after.contains(&key(edge))).map(|edge| (edge.clone(), Mark::Removed)));
    marked.sort();
    graph.edges = marked.iter().map(|(edge, _)| edge.clone()).collect();
    let edges = marked.into_iter().map(|(_, mark)| mark).collect();
    (graph, nodes, edges)
}

/// Only the marked nodes and edges, and the nodes at either end of a marked edge or next to a
/// marked node.
fn around_changes(
    graph: &Graph,
    nodes: &BTreeMap<String, Mark>,
    edges: &[Mark],
) -> (Graph, BTreeMap<String, Mark>, Vec<Mark>) {
    let marked = |id: &String| nodes.get(id).is_some_and(|mark| *mark != Mark::Same);
    let mut keep: BTreeSet<String> =
        nodes.iter().filter(|(_, mark)| **mark != Mark::Same).map(|(id, _)| id.clone()).collect();
    let mut kept_edges = Vec::new();
    for (edge, mark) in graph.edges.iter().zip(edges) {
        if *mark != Mark::Same || marked(&edge.from) || marked(&edge.to) {
            keep.insert(edge.from.clone());
            keep.insert(edge.to.clone());
            kept_edges.push((edge.clone(), *mark));
        }
    }
    let mut small = graph.clone();
    small.nodes.retain(|id, _| keep.contains(id));
    small.edges = kept_edges.iter().map(|(edge, _)| edge.clone()).collect();
    let nodes = nodes.iter().filter(|(id, _)| keep.contains(*id)).map(|(id, mark)| (id.clone(), *mark)).collect();
    (small, nodes, kept_edges.into_iter().map(|(_, mark)| mark).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{EdgeKind, Node, NodeKind, node_id};

    fn graph(services: &[&str], calls: &[(&str, &str)]) -> Graph {
        let environment = String::from("dev");
        let placements = BTreeMap::from([(environment.clone(), BTreeSet::from([String::from("compose")]))]);
        let nodes = services.iter().map(|name| {
            let id = node_id(NodeKind::Service, name);
            let node = Node {
                id: id.clone(),
                kind: NodeKind::Service,
                name: name.to_string(),
                detail: String::from("service"),
                placements: placements.clone(),
            };
            (id, node)
        });
        let edges = calls.iter().map(|(from, to)| Edge {
            from: node_id(NodeKind::Service, from),
            to: node_id(NodeKind::Service, to),
            kind: EdgeKind::Calls,
            label: String::new(),
            environments: BTreeSet::from([environment.clone()]),
        });
        Graph {
            project: String::from("p"),
            environments: vec![environment.clone()],
            nodes: nodes.collect(),
            edges: edges.collect(),
        }
    }

    #[test]
    fn removed_nodes_and_edges_are_marked() {
        let old = graph(&["a", "b", "c"], &[("a", "b"), ("a", "c")]);
        let new = graph(&["a", "b"], &[("a", "b")]);
        let block = markdown(&old, &new, &[]).expect("a change");
        assert!(block.contains("    service_c(\"- c<br/>service<br/>compose\")\n"), "{block}");
        assert!(block.contains("    service_a -.->|\"- calls\"| service_c\n"), "{block}");
        assert!(block.contains("    linkStyle 1 stroke:#dc2626"), "{block}");
        assert!(block.contains("    class service_c removed\n"), "{block}");
        assert_eq!(markdown(&new, &new, &[]), None);
        // A field change the summary reports marks the node.
        let block = markdown(&new, &new, &[String::from("dev/b: replicas 1 → 2")]).expect("a change");
        assert!(block.contains("service_b(\"~ b<br/>"), "{block}");
    }

    #[test]
    fn large_graphs_show_the_change_and_its_neighbours_or_a_note() {
        let names: Vec<String> = (0..60).map(|n| format!("s{n:02}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let old = graph(&refs, &[("s00", "s01")]);
        let mut more = refs.clone();
        more.push("new");
        let new = graph(&more, &[("s00", "s01"), ("new", "s02")]);
        let block = markdown(&old, &new, &[]).expect("a change");
        assert!(block.contains("service_new(") && block.contains("service_s02("), "{block}");
        assert!(!block.contains("service_s03("), "{block}");
        let many: Vec<String> = (0..200).map(|n| format!("n{n:03}")).collect();
        let mut all = refs.clone();
        all.extend(many.iter().map(String::as_str));
        let block = markdown(&old, &graph(&all, &[("s00", "s01")]), &[]).expect("a change");
        assert!(block.ends_with("_200 nodes changed or touch a change: too many to draw here._\n\n"), "{block}");
    }
}
