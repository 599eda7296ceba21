//! The graph as a Mermaid flowchart, which GitHub renders in Markdown (the diff comment) and which
//! `iacgen graph` prints by default.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{EdgeKind, Graph, Mark, NodeKind};

/// The flowchart, nothing marked.
pub fn render(graph: &Graph) -> String {
    render_marked(graph, &BTreeMap::new(), &[])
}

/// The flowchart with nodes (by id) and edges (by index in `graph.edges`) marked as added, removed
/// or changed: a `+`, `-` or `~` before the name or label, and a colour class.
pub fn render_marked(graph: &Graph, nodes: &BTreeMap<String, Mark>, edges: &[Mark]) -> String {
    let mut out = String::from("flowchart LR\n");
    let ids = mermaid_ids(graph);
    for node in graph.ordered_nodes() {
        let mark = nodes.get(&node.id).copied().unwrap_or(Mark::Same);
        let mut lines = graph.label_lines(node);
        lines[0] = format!("{}{}", prefix(mark), lines[0]);
        let label = lines.iter().map(|line| escape(line)).collect::<Vec<_>>().join("<br/>");
        let (open, close) = match node.kind {
            NodeKind::Clients => ("([", "])"),
            NodeKind::Gateway => ("{{", "}}"),
            NodeKind::Service => ("(", ")"),
            NodeKind::Job => ("[/", "/]"),
            NodeKind::Resource => ("[(", ")]"),
            NodeKind::External => (">", "]"),
        };
        let id = &ids[&node.id];
        out.push_str(&format!("    {id}{open}\"{label}\"{close}\n"));
    }
    let mut styles = String::new();
    for (index, edge) in graph.edges.iter().enumerate() {
        let mark = edges.get(index).copied().unwrap_or(Mark::Same);
        let arrow = match edge.kind {
            EdgeKind::Route => "==>",
            EdgeKind::Uses => "-->",
            EdgeKind::Calls | EdgeKind::Egress => "-.->",
        };
        let mut label = graph.edge_label(edge);
        if edge.kind != EdgeKind::Route {
            label = if label.is_empty() {
                edge.kind.as_str().to_string()
            } else {
                format!("{} ({label})", edge.kind.as_str())
            };
        }
        let label = format!("{}{label}", prefix(mark));
        let label = if label.is_empty() { String::new() } else { format!("|\"{}\"|", escape(&label)) };
        out.push_str(&format!("    {} {arrow}{label} {}\n", ids[&edge.from], ids[&edge.to]));
        if let Some(style) = edge_style(mark) {
            styles.push_str(&format!("    linkStyle {index} {style}\n"));
        }
    }
    out.push_str(&styles);
    let mut classes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for node in graph.ordered_nodes() {
        let class = match nodes.get(&node.id).copied().unwrap_or(Mark::Same) {
            Mark::Same => node.kind.as_str(),
            Mark::Added => "added",
            Mark::Removed => "removed",
            Mark::Changed => "changed",
        };
        classes.entry(class.to_string()).or_default().push(&ids[&node.id]);
    }
    for line in CLASSES.lines() {
        let name = line.trim_start().trim_start_matches("classDef ").split(' ').next().unwrap_or("");
        if classes.contains_key(name) {
            out.push_str(line);
            out.push('\n');
        }
    }
    for (class, members) in classes {
        out.push_str(&format!("    class {} {class}\n", members.join(",")));
    }
    out
}

/// Colours by kind, and the three change marks.
const CLASSES: &str = "    classDef clients fill:#f3f4f6,stroke:#4b5563,color:#111827
    classDef gateway fill:#fef3c7,stroke:#b45309,color:#111827
    classDef service fill:#dbeafe,stroke:#1d4ed8,color:#111827
    classDef job fill:#ede9fe,stroke:#6d28d9,color:#111827
    classDef resource fill:#dcfce7,stroke:#15803d,color:#111827
    classDef external fill:#fce7f3,stroke:#be185d,color:#111827
    classDef added fill:#dcfce7,stroke:#16a34a,stroke-width:3px,color:#111827
    classDef removed fill:#fee2e2,stroke:#dc2626,stroke-width:3px,stroke-dasharray:5 5,color:#111827
    classDef changed fill:#fef9c3,stroke:#ca8a04,stroke-width:3px,color:#111827
";

fn prefix(mark: Mark) -> &'static str {
    match mark {
        Mark::Same => "",
        Mark::Added => "+ ",
        Mark::Removed => "- ",
        Mark::Changed => "~ ",
    }
}

fn edge_style(mark: Mark) -> Option<&'static str> {
    match mark {
        Mark::Same => None,
        Mark::Added => Some("stroke:#16a34a,stroke-width:3px"),
        Mark::Removed => Some("stroke:#dc2626,stroke-width:3px,stroke-dasharray:5 5"),
        Mark::Changed => Some("stroke:#ca8a04,stroke-width:3px"),
    }
}

/// Mermaid ids: `<kind>_<name>` with every other character as `_` (names are DNS labels, so only
/// external hosts could collide; a collision gets a numeric suffix).
fn mermaid_ids(graph: &Graph) -> BTreeMap<String, String> {
    let mut used = BTreeSet::new();
    let mut ids = BTreeMap::new();
    for node in graph.ordered_nodes() {
        let base: String = format!("{}_{}", node.kind.as_str(), node.name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}_{n}");
            n += 1;
        }
        ids.insert(node.id.clone(), id);
    }
    ids
}

/// Text inside a quoted Mermaid label: quotes and angle brackets as entity codes.
fn escape(text: &str) -> String {
    text.replace('#', "#35;").replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;")
}
