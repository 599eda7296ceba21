//! A small HCL writer whose output is what `terraform fmt` produces, byte for byte.
//!
//! `terraform fmt` rules this writer follows: two spaces per level; in a block body or a multi-line
//! object, consecutive single-line `key = value` lines form a group whose `=` signs align one space
//! after the group's longest key; a blank line, a comment, a nested block or an argument whose value
//! spans several lines ends the group (that argument keeps a single space before `=`). Inline lists
//! and objects (`[a, b]`, `{ a = 1, b = 2 }`) are never aligned inside. Files built here never put
//! comments between arguments, so the rule stays that simple.

use crate::targets::ecs::node::{Layout, Node};

/// An expression on the right of `=`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// Single-line text, written as is (a literal, a reference, an inline list or object).
    Raw(String),
    /// A multi-line object; keys are written as given (bare or quoted).
    Object(Vec<(String, Expr)>),
    /// A multi-line list: one item per line, each followed by a comma.
    List(Vec<Expr>),
    /// `name(<multi-line argument>)`, e.g. `jsonencode([ ... ])`.
    Call(String, Box<Expr>),
}

impl Expr {
    /// A quoted string literal.
    pub fn string(text: &str) -> Expr {
        Expr::Raw(string(text))
    }

    /// A reference or other expression text.
    pub fn raw(text: impl Into<String>) -> Expr {
        Expr::Raw(text.into())
    }

    /// An inline list of string literals: `["a", "b"]`.
    pub fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Expr {
        Expr::Raw(format!("[{}]", items.into_iter().map(string).collect::<Vec<_>>().join(", ")))
    }

    /// A multi-line object with quoted keys (a map keyed by model names).
    pub fn map(entries: impl IntoIterator<Item = (String, Expr)>) -> Expr {
        Expr::Object(entries.into_iter().map(|(key, value)| (string(&key), value)).collect())
    }

    fn is_multiline(&self) -> bool {
        !matches!(self, Expr::Raw(_))
    }
}

/// A line of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Attr(String, Expr),
    Block(Block),
    Blank,
    /// A comment line (without the `# `).
    Comment(String),
}

/// `kind "label" { ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub items: Vec<Item>,
}

impl Block {
    /// A block with no labels.
    pub fn new(kind: &str) -> Block {
        Block { kind: kind.to_string(), labels: Vec::new(), items: Vec::new() }
    }

    /// A block with one label.
    pub fn labelled(kind: &str, label: &str) -> Block {
        Block { kind: kind.to_string(), labels: vec![label.to_string()], items: Vec::new() }
    }

    /// Add `key = value`.
    pub fn attr(&mut self, key: &str, value: Expr) -> &mut Block {
        self.items.push(Item::Attr(key.to_string(), value));
        self
    }

    /// Add a blank line.
    pub fn blank(&mut self) -> &mut Block {
        self.items.push(Item::Blank);
        self
    }

    /// Add a nested block.
    pub fn block(&mut self, block: Block) -> &mut Block {
        self.items.push(Item::Block(block));
        self
    }
}

/// A file: top-level items, as `terraform fmt` writes them.
pub fn render(items: &[Item]) -> String {
    let mut out = String::new();
    write_items(items, 0, &mut out);
    out
}

fn write_items(items: &[Item], depth: usize, out: &mut String) {
    let mut index = 0;
    while index < items.len() {
        // The group of single-line arguments starting here.
        let group_end = items[index..]
            .iter()
            .position(|item| !matches!(item, Item::Attr(_, expr) if !expr.is_multiline()))
            .map_or(items.len(), |offset| index + offset);
        if group_end > index {
            let group = items[index..group_end].iter().filter_map(|item| match item {
                Item::Attr(key, Expr::Raw(value)) => Some((key.as_str(), value.as_str())),
                _ => None,
            });
            write_aligned(group, depth, out);
            index = group_end;
            continue;
        }
        match &items[index] {
            Item::Attr(key, expr) => {
                indent(depth, out);
                out.push_str(key);
                out.push_str(" = ");
                write_expr(expr, depth, out);
                out.push('\n');
            }
            Item::Block(block) => {
                indent(depth, out);
                out.push_str(&block.kind);
                for label in &block.labels {
                    out.push(' ');
                    out.push_str(&string(label));
                }
                if block.items.is_empty() {
                    out.push_str(" {}\n");
                } else {
                    out.push_str(" {\n");
                    write_items(&block.items, depth + 1, out);
                    indent(depth, out);
                    out.push_str("}\n");
                }
            }
            Item::Blank => out.push('\n'),
            Item::Comment(text) => {
                indent(depth, out);
                if text.is_empty() {
                    out.push_str("#\n");
                } else {
                    out.push_str("# ");
                    out.push_str(text);
                    out.push('\n');
                }
            }
        }
        index += 1;
    }
}

/// Write `expr` whose first line continues a line indented by `depth` levels.
fn write_expr(expr: &Expr, depth: usize, out: &mut String) {
    match expr {
        Expr::Raw(text) => out.push_str(text),
        Expr::Object(entries) => {
            out.push_str("{\n");
            write_object(entries, depth + 1, out);
            indent(depth, out);
            out.push('}');
        }
        Expr::List(items) => {
            out.push_str("[\n");
            for item in items {
                indent(depth + 1, out);
                write_expr(item, depth + 1, out);
                out.push_str(",\n");
            }
            indent(depth, out);
            out.push(']');
        }
        Expr::Call(name, argument) => {
            out.push_str(name);
            out.push('(');
            write_expr(argument, depth, out);
            out.push(')');
        }
    }
}

/// The lines of a multi-line object, grouped and aligned as [`write_items`] does for arguments.
fn write_object(entries: &[(String, Expr)], depth: usize, out: &mut String) {
    let mut index = 0;
    while index < entries.len() {
        let group_end = entries[index..]
            .iter()
            .position(|(_, expr)| expr.is_multiline())
            .map_or(entries.len(), |offset| index + offset);
        if group_end > index {
            let group = entries[index..group_end].iter().filter_map(|(key, expr)| match expr {
                Expr::Raw(value) => Some((key.as_str(), value.as_str())),
                _ => None,
            });
            write_aligned(group, depth, out);
            index = group_end;
            continue;
        }
        let (key, expr) = &entries[index];
        indent(depth, out);
        out.push_str(key);
        out.push_str(" = ");
        write_expr(expr, depth, out);
        out.push('\n');
        index += 1;
    }
}

/// Single-line `key = value` lines whose `=` align one space after the longest key.
fn write_aligned<'a>(group: impl Iterator<Item = (&'a str, &'a str)> + Clone, depth: usize, out: &mut String) {
    let width = group.clone().map(|(key, _)| key.chars().count()).max().unwrap_or(0);
    for (key, value) in group {
        indent(depth, out);
        out.push_str(key);
        for _ in key.chars().count()..width {
            out.push(' ');
        }
        out.push_str(" = ");
        out.push_str(value);
        out.push('\n');
    }
}

fn indent(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// A quoted HCL string: `"`, `\\` and control characters escaped, and `${` / `%{` doubled so
/// Terraform does not read them as template sequences.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_string(&mut out, text);
    out
}

/// [`string`] written onto `out`.
fn push_string(out: &mut String, text: &str) {
    out.push('"');
    push_template_text(out, text);
    out.push('"');
}

/// Literal text inside a quoted HCL template (no quotes added).
pub fn template_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_template_text(&mut out, text);
    out
}

fn push_template_text(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// A task-definition value as HCL object syntax (inside `jsonencode`): structure keys bare, map
/// keys quoted, inline and block layouts as the tree asks.
pub fn from_node(node: &Node) -> Expr {
    match node {
        Node::List(items, Layout::Block) => Expr::List(items.iter().map(from_node).collect()),
        Node::Object(entries, Layout::Block) => {
            Expr::Object(entries.iter().map(|(key, value)| (key.clone(), from_node(value))).collect())
        }
        Node::Map(entries) => {
            Expr::Object(entries.iter().map(|(key, value)| (string(key), from_node(value))).collect())
        }
        inline => Expr::Raw(inline_node(inline)),
    }
}

fn inline_node(node: &Node) -> String {
    let mut out = String::new();
    push_inline_node(&mut out, node);
    out
}

fn push_inline_node(out: &mut String, node: &Node) {
    match node {
        Node::Str(text) => push_string(out, text),
        Node::Int(number) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{number}");
        }
        Node::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
        Node::Expr(text) => out.push_str(text),
        Node::List(items, _) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                push_inline_node(out, item);
            }
            out.push(']');
        }
        Node::Object(entries, _) => push_inline_object(out, entries, false),
        Node::Map(entries) => push_inline_object(out, entries, true),
    }
}

/// `{ key = value, ... }`; `quoted` keys for maps of user data, bare keys for API fields.
fn push_inline_object(out: &mut String, entries: &[(String, Node)], quoted: bool) {
    if entries.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push_str("{ ");
    for (index, (key, value)) in entries.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        if quoted {
            push_string(out, key)
        } else {
            out.push_str(key)
        }
        out.push_str(" = ");
        push_inline_node(out, value);
    }
    out.push_str(" }");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_groups_like_terraform_fmt() {
        let mut module = Block::labelled("module", "secrets");
        module
            .attr("source", Expr::string("../modules/secrets"))
            .blank()
            .attr("project", Expr::raw("local.project"))
            .attr("environment", Expr::raw("local.environment"))
            .attr("names", Expr::strings(["jwt-secret"]))
            .attr("descriptions", Expr::map([(String::from("jwt-secret"), Expr::string("JWT signing key"))]))
            .attr("kms_key_arn", Expr::raw("module.kms.key_arn"));
        let expected = r#"module "secrets" {
  source = "../modules/secrets"

  project     = local.project
  environment = local.environment
  names       = ["jwt-secret"]
  descriptions = {
    "jwt-secret" = "JWT signing key"
  }
  kms_key_arn = module.kms.key_arn
}
"#;
        assert_eq!(render(&[Item::Block(module)]), expected);
    }

    #[test]
    fn writes_lists_of_objects_and_calls() {
        let container = Node::object(Layout::Block)
            .with("name", Node::str("api"))
            .with("essential", Node::Bool(true))
            .with(
                "portMappings",
                Node::List(
                    vec![
                        Node::object(Layout::Inline)
                            .with("name", Node::str("http"))
                            .with("containerPort", Node::Int(80)),
                    ],
                    Layout::Block,
                ),
            )
            .with("options", Node::Map(vec![(String::from("awslogs-group"), Node::str("/ecs/x"))]))
            .with(
                "linuxParameters",
                Node::object(Layout::Block)
                    .with("capabilities", Node::object(Layout::Inline).with("drop", Node::strs(["ALL"]))),
            );
        let mut block = Block::new("b");
        block.attr("cpu", Expr::string("256")).attr(
            "container_definitions",
            Expr::Call(String::from("jsonencode"), Box::new(Expr::List(vec![from_node(&container)]))),
        );
        let expected = r#"b {
  cpu = "256"
  container_definitions = jsonencode([
    {
      name      = "api"
      essential = true
      portMappings = [
        { name = "http", containerPort = 80 },
      ]
      options = {
        "awslogs-group" = "/ecs/x"
      }
      linuxParameters = {
        capabilities = { drop = ["ALL"] }
      }
    },
  ])
}
"#;
        assert_eq!(render(&[Item::Block(block)]), expected);
    }

    #[test]
    fn escapes_strings_and_template_sequences() {
        assert_eq!(string("a\"b\\c\n${x} %{y} $z"), r#""a\"b\\c\n$${x} %%{y} $z""#);
    }
}
