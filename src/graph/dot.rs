//! The graph in Graphviz's DOT language, for `dot`, editors and other tools.

use crate::graph::{EdgeKind, Graph, NodeKind};

/// The digraph, left to right, one statement a line.
pub fn render(graph: &Graph) -> String {
    let mut out = format!("digraph {} {{\n", quote(&graph.project));
    out.push_str("    rankdir=LR;\n");
    out.push_str("    node [fontname=\"Helvetica,Arial,sans-serif\", fontsize=11, style=\"filled\"];\n");
    out.push_str("    edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=10];\n");
    for node in graph.ordered_nodes() {
        let label = graph.label_lines(node).join("\n");
        let (shape, fill, stroke) = match node.kind {
            NodeKind::Clients => ("oval", "#f3f4f6", "#4b5563"),
            NodeKind::Gateway => ("hexagon", "#fef3c7", "#b45309"),
            NodeKind::Service => ("box", "#dbeafe", "#1d4ed8"),
            NodeKind::Job => ("parallelogram", "#ede9fe", "#6d28d9"),
            NodeKind::Resource => ("cylinder", "#dcfce7", "#15803d"),
            NodeKind::External => ("note", "#fce7f3", "#be185d"),
        };
        out.push_str(&format!(
            "    {} [label={}, shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\"];\n",
            quote(&node.id),
            quote(&label)
        ));
    }
    for edge in &graph.edges {
        let style = match edge.kind {
            EdgeKind::Route => "penwidth=2, color=\"#b45309\"",
            EdgeKind::Uses => "color=\"#15803d\"",
            EdgeKind::Calls => "style=dashed, color=\"#1d4ed8\"",
            EdgeKind::Egress => "style=dashed, color=\"#be185d\"",
        };
        let label = match (edge.kind, graph.edge_label(edge)) {
            (EdgeKind::Route, label) => label,
            (kind, label) if label.is_empty() => kind.as_str().to_string(),
            (kind, label) => format!("{} ({label})", kind.as_str()),
        };
        out.push_str(&format!(
            "    {} -> {} [label={}, {style}];\n",
            quote(&edge.from),
            quote(&edge.to),
            quote(&label)
        ));
    }
    out.push_str("}\n");
    out
}

/// A DOT double-quoted string (`\n` for line breaks).
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n"))
}
