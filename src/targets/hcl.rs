//! The HCL writer of the Terraform targets (aws, azure). Its output is what `terraform fmt` produces,
//! byte for byte, so generated roots pass `terraform fmt -check` untouched.
//!
//! `terraform fmt` (hclwrite) rules this writer follows:
//! - two spaces per nesting level;
//! - in a body or a multi-line object, consecutive one-line `key = value` lines form a run whose `=`
//!   signs align one space after the run's longest key, counted in characters;
//! - any other line ends the run and the next run aligns on its own: a blank line, a comment, a nested
//!   block, an argument whose value spans several lines (that argument keeps one space before `=`);
//! - inline lists and objects (`[a, b]`, `{ a = 1, b = 2 }`) are never aligned inside, and empty ones
//!   (`{}`, `[]`) are one-line values;
//! - a quoted string escapes `"`, `\`, newlines, tabs and other control characters (`\u001b`, lowercase
//!   hex as hclwrite writes it) and doubles `$` / `%` before `{` so Terraform reads no template sequence.
//!
//! Comments are only written on lines of their own, never after an argument, so the rules stay that
//! simple. A file is written into one `String`: no text is formatted per line and no subtree is copied.

use std::fmt::Write as _;

use crate::targets::fargate::node::{Layout, Node};

/// An expression on the right of `=`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// One-line text written as is: a literal, a reference, a call, an inline list or object.
    Raw(String),
    /// An object over several lines (`{}` when empty). Keys are written as given, bare or quoted:
    /// [`Expr::object`] and [`Expr::map`] choose.
    Object(Vec<(String, Expr)>),
    /// A list over several lines, one item per line, each followed by a comma (`[]` when empty).
    List(Vec<Expr>),
    /// `name(<argument>)`, e.g. `jsonencode([ ... ])` around a multi-line list.
    Call(String, Box<Expr>),
}

impl Expr {
    /// A reference or other expression text, written as is.
    pub fn raw(text: impl Into<String>) -> Expr {
        Expr::Raw(text.into())
    }

    /// A quoted string literal holding exactly `text`.
    pub fn string(text: &str) -> Expr {
        Expr::Raw(quote(text))
    }

    /// A number.
    pub fn number(value: impl std::fmt::Display) -> Expr {
        Expr::Raw(value.to_string())
    }

    /// `true` or `false`.
    pub fn bool(value: bool) -> Expr {
        Expr::Raw(String::from(if value { "true" } else { "false" }))
    }

    /// An inline list of string literals: `["a", "b"]`.
    pub fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Expr {
        let mut out = String::from("[");
        for (index, item) in items.into_iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            push_quoted(&mut out, item);
        }
        out.push(']');
        Expr::Raw(out)
    }

    /// A multi-line object whose keys are bare when HCL allows it and quoted otherwise ([`key`]), as
    /// the azure roots write every object (arguments, tags, app settings).
    pub fn object(entries: impl IntoIterator<Item = (String, Expr)>) -> Expr {
        Expr::Object(entries.into_iter().map(|(name, value)| (owned_key(name), value)).collect())
    }

    /// A multi-line object whose keys are all quoted, as the aws roots write maps keyed by model names
    /// (a name that reads as an identifier is quoted like the others).
    pub fn map(entries: impl IntoIterator<Item = (String, Expr)>) -> Expr {
        Expr::Object(entries.into_iter().map(|(name, value)| (quote(&name), value)).collect())
    }

    /// Whether the value fits on the line of its key, which decides whether it joins an aligned run.
    fn is_one_line(&self) -> bool {
        match self {
            Expr::Raw(_) => true,
            Expr::Object(entries) => entries.is_empty(),
            Expr::List(items) => items.is_empty(),
            Expr::Call(_, argument) => argument.is_one_line(),
        }
    }
}

/// A piece of a string template: literal text or an interpolated expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Interpolation(String),
}

/// A quoted template: literal text escaped, `${expr}` for each interpolation.
pub fn template(pieces: &[Piece]) -> String {
    let mut out = String::from("\"");
    // Consecutive texts are escaped together: a `$` ending one and a `{` starting the next still
    // form the `${` that must be doubled.
    let mut text = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(more) => text.push_str(more),
            Piece::Interpolation(expression) => {
                // A literal `$` right before `${` would read as the `$${` escape: interpolate it instead.
                let dollar = text.ends_with('$');
                if dollar {
                    text.pop();
                }
                push_template_text(&mut out, &text);
                text.clear();
                if dollar {
                    out.push_str("${\"$\"}");
                }
                out.push_str("${");
                out.push_str(expression);
                out.push('}');
            }
        }
    }
    push_template_text(&mut out, &text);
    out.push('"');
    out
}

/// A quoted string literal holding exactly `text`.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

/// An object key: bare when it is a plain identifier, quoted otherwise.
pub fn key(name: &str) -> String {
    if is_identifier(name) { name.to_string() } else { quote(name) }
}

/// [`key`] of a name already owned, kept as it is when it stays bare.
fn owned_key(name: String) -> String {
    if is_identifier(&name) { name } else { quote(&name) }
}

/// Whether `name` can be written as a bare key: an ASCII identifier (dashes allowed) that is not a
/// keyword HCL would read as a value or the start of an expression.
fn is_identifier(name: &str) -> bool {
    let mut characters = name.chars();
    characters.next().is_some_and(|c| c.is_ascii_alphabetic())
        && characters.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(name, "true" | "false" | "null" | "for" | "in" | "if")
}

/// [`quote`] written onto `out`.
fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    push_template_text(out, text);
    out.push('"');
}

/// Literal text inside a quoted template (no quotes added), written onto `out`.
fn push_template_text(out: &mut String, text: &str) {
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if characters.peek() == Some(&'{') => {
                out.push(character);
                out.push(character);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

/// One line (or block) of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Attribute(String, Expr),
    Block(Block),
    /// A comment line, without the `# `.
    Comment(String),
    Blank,
}

/// The inside of a file or of a block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Body {
    items: Vec<Item>,
}

impl Body {
    /// An empty body.
    pub fn new() -> Body {
        Body::default()
    }

    /// `name = value`.
    pub fn attribute(&mut self, name: &str, value: Expr) -> &mut Body {
        self.items.push(Item::Attribute(name.to_string(), value));
        self
    }

    /// A nested block.
    pub fn block(&mut self, block: Block) -> &mut Body {
        self.items.push(Item::Block(block));
        self
    }

    /// `# text` (`#` alone when `text` is empty).
    pub fn comment(&mut self, text: &str) -> &mut Body {
        self.items.push(Item::Comment(text.to_string()));
        self
    }

    /// An empty line.
    pub fn blank(&mut self) -> &mut Body {
        self.items.push(Item::Blank);
        self
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The body as the top level of a file.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// [`Body::render`] appended to `out` (after a header, say), without an intermediate copy.
    pub fn write_to(&self, out: &mut String) {
        write_body(&self.items, 0, out);
    }
}

/// `kind "label" { body }` (`kind {}` when the body is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    kind: String,
    labels: Vec<String>,
    body: Body,
}

impl Block {
    /// A block with no labels, e.g. `terraform`, `locals`.
    pub fn new(kind: &str, body: Body) -> Block {
        Block { kind: kind.to_string(), labels: Vec::new(), body }
    }

    /// A block with one label, e.g. `module "network"`.
    pub fn labelled(kind: &str, label: &str, body: Body) -> Block {
        Block { kind: kind.to_string(), labels: vec![label.to_string()], body }
    }
}

fn write_body(items: &[Item], depth: usize, out: &mut String) {
    let mut index = 0;
    while index < items.len() {
        let run = items[index..]
            .iter()
            .take_while(|item| matches!(item, Item::Attribute(_, value) if value.is_one_line()))
            .count();
        if run > 0 {
            let attributes = items[index..index + run].iter().filter_map(|item| match item {
                Item::Attribute(name, value) => Some((name.as_str(), value)),
                _ => None,
            });
            write_aligned(attributes, depth, out);
            index += run;
            continue;
        }
        match &items[index] {
            Item::Attribute(name, value) => write_attribute(name, value, depth, out),
            Item::Block(block) => {
                indent(depth, out);
                out.push_str(&block.kind);
                for label in &block.labels {
                    out.push(' ');
                    push_quoted(out, label);
                }
                if block.body.is_empty() {
                    out.push_str(" {}\n");
                } else {
                    out.push_str(" {\n");
                    write_body(&block.body.items, depth + 1, out);
                    indent(depth, out);
                    out.push_str("}\n");
                }
            }
            Item::Comment(text) => {
                indent(depth, out);
                out.push('#');
                if !text.is_empty() {
                    out.push(' ');
                    out.push_str(text);
                }
                out.push('\n');
            }
            Item::Blank => out.push('\n'),
        }
        index += 1;
    }
}

/// The lines of a multi-line object, in runs aligned as [`write_body`] aligns arguments.
fn write_object(entries: &[(String, Expr)], depth: usize, out: &mut String) {
    let mut index = 0;
    while index < entries.len() {
        let run = entries[index..].iter().take_while(|(_, value)| value.is_one_line()).count();
        if run > 0 {
            let attributes = entries[index..index + run].iter().map(|(name, value)| (name.as_str(), value));
            write_aligned(attributes, depth, out);
            index += run;
            continue;
        }
        let (name, value) = &entries[index];
        write_attribute(name, value, depth, out);
        index += 1;
    }
}

/// One-line `name = value` lines whose `=` align one space after the longest name.
fn write_aligned<'a>(attributes: impl Iterator<Item = (&'a str, &'a Expr)> + Clone, depth: usize, out: &mut String) {
    let width = attributes.clone().map(|(name, _)| name.chars().count()).max().unwrap_or(0);
    for (name, value) in attributes {
        indent(depth, out);
        out.push_str(name);
        for _ in name.chars().count()..width {
            out.push(' ');
        }
        out.push_str(" = ");
        write_expr(value, depth, out);
        out.push('\n');
    }
}

/// `name = value` alone, with one space before `=`.
fn write_attribute(name: &str, value: &Expr, depth: usize, out: &mut String) {
    indent(depth, out);
    out.push_str(name);
    out.push_str(" = ");
    write_expr(value, depth, out);
    out.push('\n');
}

/// `value`, whose first line continues a line indented by `depth` levels.
fn write_expr(value: &Expr, depth: usize, out: &mut String) {
    match value {
        Expr::Raw(text) => out.push_str(text),
        Expr::Object(entries) if entries.is_empty() => out.push_str("{}"),
        Expr::Object(entries) => {
            out.push_str("{\n");
            write_object(entries, depth + 1, out);
            indent(depth, out);
            out.push('}');
        }
        Expr::List(items) if items.is_empty() => out.push_str("[]"),
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

fn indent(depth: usize, out: &mut String) {
    for _ in 0..depth {
        out.push_str("  ");
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
        Node::Map(entries) => Expr::Object(entries.iter().map(|(key, value)| (quote(key), from_node(value))).collect()),
        inline => {
            let mut out = String::new();
            push_inline_node(&mut out, inline);
            Expr::Raw(out)
        }
    }
}

fn push_inline_node(out: &mut String, node: &Node) {
    match node {
        Node::Str(text) => push_quoted(out, text),
        Node::Int(number) => {
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
            push_quoted(out, key)
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

    fn render_block(block: Block) -> String {
        let mut file = Body::new();
        file.block(block);
        file.render()
    }

    #[test]
    fn aligns_groups_like_terraform_fmt() {
        let mut body = Body::new();
        body.attribute("source", Expr::string("../modules/secrets"))
            .blank()
            .attribute("project", Expr::raw("local.project"))
            .attribute("environment", Expr::raw("local.environment"))
            .attribute("names", Expr::strings(["jwt-secret"]))
            .attribute("descriptions", Expr::map([(String::from("jwt-secret"), Expr::string("JWT signing key"))]))
            .attribute("kms_key_arn", Expr::raw("module.kms.key_arn"));
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
        assert_eq!(render_block(Block::labelled("module", "secrets", body)), expected);
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
        let mut body = Body::new();
        body.attribute("cpu", Expr::string("256")).attribute(
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
        assert_eq!(render_block(Block::new("b", body)), expected);
    }

    #[test]
    fn aligns_runs_and_breaks_them_at_multi_line_values() {
        let mut inner = Body::new();
        inner.attribute("source", Expr::string("../modules/plan")).blank();
        inner.attribute("name", Expr::string("p")).attribute("sku_name", Expr::string("P1v3"));
        inner.attribute(
            "autoscale",
            Expr::object([(String::from("min"), Expr::number(3)), (String::from("cpu_percent"), Expr::number(80))]),
        );
        inner.attribute("tags", Expr::raw("local.tags"));
        inner.attribute("empty", Expr::object(Vec::new()));
        let mut file = Body::new();
        file.comment("header")
            .block(Block::labelled("module", "plan", inner))
            .blank()
            .block(Block::new("features", Body::new()));
        let expected = "# header\nmodule \"plan\" {\n  source = \"../modules/plan\"\n\n  name     = \"p\"\n  sku_name = \"P1v3\"\n  autoscale = {\n    min         = 3\n    cpu_percent = 80\n  }\n  tags  = local.tags\n  empty = {}\n}\n\nfeatures {}\n";
        assert_eq!(file.render(), expected);
    }

    #[test]
    fn writes_empty_values_on_one_line_inside_a_run() {
        let mut body = Body::new();
        body.attribute("tags", Expr::Object(Vec::new()))
            .attribute("secret_arns", Expr::List(Vec::new()))
            .attribute("definitions", Expr::Call(String::from("jsonencode"), Box::new(Expr::List(Vec::new()))))
            .comment("")
            .attribute("a", Expr::bool(false));
        let expected = "tags        = {}\nsecret_arns = []\ndefinitions = jsonencode([])\n#\na = false\n";
        assert_eq!(body.render(), expected);
    }

    #[test]
    fn aligns_by_characters_as_terraform_fmt_does() {
        let mut body = Body::new();
        let entries = vec![(String::from("ä-key"), Expr::number(1)), (String::from("ab"), Expr::number(2))];
        body.attribute("tags", Expr::object(entries));
        assert_eq!(body.render(), "tags = {\n  \"ä-key\" = 1\n  ab      = 2\n}\n");
    }

    #[test]
    fn escapes_strings_and_template_sequences() {
        assert_eq!(quote("a\"b\\c\n${x} %{y} $z"), r#""a\"b\\c\n$${x} %%{y} $z""#);
        assert_eq!(quote("a\"b\\c ${x} %{y} $5 \n"), "\"a\\\"b\\\\c $${x} %%{y} $5 \\n\"");
        assert_eq!(quote("tab\there ${x}"), "\"tab\\there $${x}\"");
    }

    #[test]
    fn escapes_control_characters_in_lowercase_hex_as_hclwrite_does() {
        assert_eq!(quote("nul\u{0}bell\u{7}esc\u{1b}del\u{7f}"), "\"nul\\u0000bell\\u0007esc\\u001bdel\\u007f\"");
    }

    #[test]
    fn escapes_templates_around_interpolations() {
        let pieces = [
            Piece::Text(String::from("Server=")),
            Piece::Interpolation(String::from("module.db.host")),
            Piece::Text(String::from(";cost=5$")),
            Piece::Interpolation(String::from("module.db.port")),
        ];
        assert_eq!(template(&pieces), "\"Server=${module.db.host};cost=5${\"$\"}${module.db.port}\"");
        // A `$` and a `{` in neighbouring texts are still a template sequence.
        let split = [Piece::Text(String::from("a$")), Piece::Text(String::from("{b}"))];
        assert_eq!(template(&split), "\"a$${b}\"");
    }

    #[test]
    fn quotes_keys_that_are_not_identifiers() {
        assert_eq!(key("DATABASE_HOST"), "DATABASE_HOST");
        assert_eq!(key("dox-core-store"), "dox-core-store");
        assert_eq!(key("_PRIVATE"), "\"_PRIVATE\"");
        assert_eq!(key("a.b"), "\"a.b\"");
        assert_eq!(key("for"), "\"for\"");
    }

    #[test]
    fn quotes_every_key_of_a_map_and_only_odd_keys_of_an_object() {
        let entries = || vec![(String::from("api"), Expr::number(1)), (String::from("a.b"), Expr::number(2))];
        let mut body = Body::new();
        body.attribute("map", Expr::map(entries())).attribute("object", Expr::object(entries()));
        assert_eq!(
            body.render(),
            "map = {\n  \"api\" = 1\n  \"a.b\" = 2\n}\nobject = {\n  api   = 1\n  \"a.b\" = 2\n}\n"
        );
    }

    #[test]
    fn quotes_block_labels() {
        let mut body = Body::new();
        body.attribute("region", Expr::string("eu-west-1"));
        assert_eq!(
            render_block(Block::labelled("provider", "aws", body)),
            "provider \"aws\" {\n  region = \"eu-west-1\"\n}\n"
        );
    }
}
