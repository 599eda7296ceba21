//! A small HCL writer whose output is `terraform fmt`-clean byte for byte.
//!
//! Only what the Azure roots need: attributes, blocks, comments, blank lines, one-line expressions and
//! multi-line objects. `terraform fmt` (hclwrite) aligns the `=` of consecutive one-line attributes to the
//! longest name; any other line (a blank, a comment, a block, a line opening a multi-line value, its
//! closing brace) ends the run, and the next run aligns on its own. Indentation is two spaces.

/// An expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// Written as is: a reference, a number, a bool, a function call, an already quoted string.
    Raw(String),
    /// An object over several lines (`{}` when empty); keys are written bare when HCL allows it.
    Object(Vec<(String, Expr)>),
}

impl Expr {
    /// An expression written as is.
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
        Expr::Raw(value.to_string())
    }

    /// A one-line list of string literals: `["a", "b"]`.
    pub fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Expr {
        let items: Vec<String> = items.into_iter().map(quote).collect();
        Expr::Raw(format!("[{}]", items.join(", ")))
    }

    fn one_line(&self) -> bool {
        match self {
            Expr::Raw(_) => true,
            Expr::Object(entries) => entries.is_empty(),
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
                out.push_str(&escape(&text));
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
    out.push_str(&escape(&text));
    out.push('"');
    out
}

/// A quoted string literal: `\`, `"` and control characters escaped, `${` and `%{` doubled.
pub fn quote(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if characters.peek() == Some(&'{') => {
                out.push(character);
                out.push(character);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// An object key: bare when it is a plain identifier, quoted otherwise.
pub fn key(name: &str) -> String {
    let mut characters = name.chars();
    let identifier = characters.next().is_some_and(|c| c.is_ascii_alphabetic())
        && characters.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(name, "true" | "false" | "null" | "for" | "in" | "if");
    if identifier { name.to_string() } else { quote(name) }
}

/// One line (or block) of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Attribute(String, Expr),
    Block(String, Body),
    Comment(String),
    Blank,
}

/// The inside of a file or a block.
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

    /// `header { body }`, e.g. header `module "db"`.
    pub fn block(&mut self, header: impl Into<String>, body: Body) -> &mut Body {
        self.items.push(Item::Block(header.into(), body));
        self
    }

    /// `# text`.
    pub fn comment(&mut self, text: &str) -> &mut Body {
        self.items.push(Item::Comment(text.to_string()));
        self
    }

    /// An empty line.
    pub fn blank(&mut self) -> &mut Body {
        self.items.push(Item::Blank);
        self
    }

    /// The body as text at the top level of a file.
    pub fn render(&self) -> String {
        let mut out = String::new();
        render_items(&self.items, 0, &mut out);
        out
    }
}

fn render_items(items: &[Item], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    let mut index = 0;
    while index < items.len() {
        let run = items[index..]
            .iter()
            .take_while(|item| matches!(item, Item::Attribute(_, value) if value.one_line()))
            .count();
        if run > 0 {
            let width = items[index..index + run]
                .iter()
                .map(|item| match item {
                    Item::Attribute(name, _) => name.chars().count(),
                    _ => 0,
                })
                .max()
                .unwrap_or(0);
            for item in &items[index..index + run] {
                if let Item::Attribute(name, value) = item {
                    out.push_str(&format!("{pad}{name:<width$} = "));
                    render_expr(value, indent, out);
                    out.push('\n');
                }
            }
            index += run;
            continue;
        }
        match &items[index] {
            Item::Attribute(name, value) => {
                out.push_str(&format!("{pad}{name} = "));
                render_expr(value, indent, out);
                out.push('\n');
            }
            Item::Block(header, body) => {
                if body.items.is_empty() {
                    out.push_str(&format!("{pad}{header} {{}}\n"));
                } else {
                    out.push_str(&format!("{pad}{header} {{\n"));
                    render_items(&body.items, indent + 2, out);
                    out.push_str(&format!("{pad}}}\n"));
                }
            }
            Item::Comment(text) => {
                if text.is_empty() {
                    out.push_str(&format!("{pad}#\n"));
                } else {
                    out.push_str(&format!("{pad}# {text}\n"));
                }
            }
            Item::Blank => out.push('\n'),
        }
        index += 1;
    }
}

fn render_expr(value: &Expr, indent: usize, out: &mut String) {
    match value {
        Expr::Raw(text) => out.push_str(text),
        Expr::Object(entries) if entries.is_empty() => out.push_str("{}"),
        Expr::Object(entries) => {
            out.push_str("{\n");
            let items: Vec<Item> =
                entries.iter().map(|(name, value)| Item::Attribute(key(name), value.clone())).collect();
            render_items(&items, indent + 2, out);
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_runs_and_breaks_them_at_multi_line_values() {
        let mut inner = Body::new();
        inner.attribute("source", Expr::string("../modules/plan")).blank();
        inner.attribute("name", Expr::string("p")).attribute("sku_name", Expr::string("P1v3"));
        inner.attribute(
            "autoscale",
            Expr::Object(vec![(String::from("min"), Expr::number(3)), (String::from("cpu_percent"), Expr::number(80))]),
        );
        inner.attribute("tags", Expr::raw("local.tags"));
        inner.attribute("empty", Expr::Object(Vec::new()));
        let mut file = Body::new();
        file.comment("header").block("module \"plan\"", inner).blank().block("features", Body::new());
        let expected = "# header\nmodule \"plan\" {\n  source = \"../modules/plan\"\n\n  name     = \"p\"\n  sku_name = \"P1v3\"\n  autoscale = {\n    min         = 3\n    cpu_percent = 80\n  }\n  tags  = local.tags\n  empty = {}\n}\n\nfeatures {}\n";
        assert_eq!(file.render(), expected);
    }

    #[test]
    fn escapes_strings_and_templates() {
        assert_eq!(quote("a\"b\\c ${x} %{y} $5 \n"), "\"a\\\"b\\\\c $${x} %%{y} $5 \\n\"");
        let pieces = [
            Piece::Text(String::from("Server=")),
            Piece::Interpolation(String::from("module.db.host")),
            Piece::Text(String::from(";cost=5$")),
            Piece::Interpolation(String::from("module.db.port")),
        ];
        assert_eq!(template(&pieces), "\"Server=${module.db.host};cost=5${\"$\"}${module.db.port}\"");
    }

    #[test]
    fn aligns_by_characters_as_terraform_fmt_does() {
        let mut body = Body::new();
        let entries = vec![(String::from("ä-key"), Expr::number(1)), (String::from("ab"), Expr::number(2))];
        body.attribute("tags", Expr::Object(entries));
        assert_eq!(body.render(), "tags = {\n  \"ä-key\" = 1\n  ab      = 2\n}\n");
    }

    #[test]
    fn quotes_keys_that_are_not_identifiers() {
        assert_eq!(key("DATABASE_HOST"), "DATABASE_HOST");
        assert_eq!(key("dox-core-store"), "dox-core-store");
        assert_eq!(key("_PRIVATE"), "\"_PRIVATE\"");
        assert_eq!(key("a.b"), "\"a.b\"");
        assert_eq!(key("for"), "\"for\"");
    }
}
