//! A small value tree for task definitions, written as JSON by the ecs target and as HCL object
//! syntax (inside `jsonencode`) by the aws target. Objects keep their key order, which carries meaning
//! for readers (name and image first), and carry layout hints that only the HCL writer uses.

/// How a list or object is laid out in HCL (JSON output ignores it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// On one line: `["CMD", "x"]`, `{ drop = ["ALL"] }`.
    Inline,
    /// One entry per line.
    Block,
}

/// A value of a task definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A target-specific expression (a Terraform reference or template), written as is in HCL.
    Expr(String),
    List(Vec<Node>, Layout),
    /// An API structure: keys are field names (bare in HCL).
    Object(Vec<(String, Node)>, Layout),
    /// A map of user data (`dockerLabels`, log options): keys are data (quoted in HCL), one per line.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// A string.
    pub fn str(text: impl Into<String>) -> Node {
        Node::Str(text.into())
    }

    /// An inline list of strings.
    pub fn strs<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Node {
        Node::List(items.into_iter().map(|s| Node::Str(s.into())).collect(), Layout::Inline)
    }

    /// An empty object with `layout`.
    pub fn object(layout: Layout) -> Node {
        Node::Object(Vec::new(), layout)
    }

    /// Add a field to an object or map (no-op on other values).
    pub fn push(&mut self, key: impl Into<String>, value: Node) {
        if let Node::Object(entries, _) | Node::Map(entries) = self {
            entries.push((key.into(), value));
        }
    }

    /// Builder form of [`Node::push`].
    pub fn with(mut self, key: impl Into<String>, value: Node) -> Node {
        self.push(key, value);
        self
    }

    /// The field `key` of an object or map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries, _) | Node::Map(entries) => {
                entries.iter().find(|(k, _)| k == key).map(|(_, value)| value)
            }
            _ => None,
        }
    }
}

/// Pretty JSON, two spaces per level, keys in the tree's order, a final newline.
pub fn to_json(node: &Node) -> String {
    let mut out = String::new();
    write_json(node, 0, &mut out);
    out.push('\n');
    out
}

fn write_json(node: &Node, depth: usize, out: &mut String) {
    match node {
        Node::Str(text) | Node::Expr(text) => out.push_str(&json_string(text)),
        Node::Int(number) => out.push_str(&number.to_string()),
        Node::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
        Node::List(items, _) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                out.push_str(if index == 0 { "\n" } else { ",\n" });
                indent(depth + 1, out);
                write_json(item, depth + 1, out);
            }
            out.push('\n');
            indent(depth, out);
            out.push(']');
        }
        Node::Object(entries, _) | Node::Map(entries) => {
            if entries.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (index, (key, value)) in entries.iter().enumerate() {
                out.push_str(if index == 0 { "\n" } else { ",\n" });
                indent(depth + 1, out);
                out.push_str(&json_string(key));
                out.push_str(": ");
                write_json(value, depth + 1, out);
            }
            out.push('\n');
            indent(depth, out);
            out.push('}');
        }
    }
}

fn indent(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// A JSON string literal.
pub fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_json_in_tree_order() {
        let node = Node::object(Layout::Block)
            .with("name", Node::str("a\"b"))
            .with("list", Node::strs(["x"]))
            .with("empty", Node::List(Vec::new(), Layout::Inline))
            .with("n", Node::Int(3));
        assert_eq!(
            to_json(&node),
            "{\n  \"name\": \"a\\\"b\",\n  \"list\": [\n    \"x\"\n  ],\n  \"empty\": [],\n  \"n\": 3\n}\n"
        );
    }
}
