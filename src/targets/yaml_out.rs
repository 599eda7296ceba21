//! A small, deterministic YAML writer for generated files: maps keep insertion order, strings are
//! quoted whenever a YAML 1.1 or 1.2 reader could take them for anything but a string.

/// A YAML value to write.
#[derive(Clone, Debug, PartialEq)]
pub enum Yaml {
    Null,
    Bool(bool),
    Int(i64),
    /// A plain scalar written verbatim (a float such as `0.5`, kept as the source wrote it).
    Raw(String),
    Str(String),
    Seq(Vec<Yaml>),
    Map(Vec<Entry>),
}

/// One entry of a map, with an optional comment written above it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Yaml,
    pub comment: Option<String>,
}

impl Yaml {
    /// An empty map.
    pub fn map() -> Yaml {
        Yaml::Map(Vec::new())
    }

    /// A string.
    pub fn str(text: impl Into<String>) -> Yaml {
        Yaml::Str(text.into())
    }

    /// A list of strings.
    pub fn strs<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Yaml {
        Yaml::Seq(items.into_iter().map(|s| Yaml::Str(s.into())).collect())
    }

    /// Append `key: value` (a map only; replaces an existing key in place).
    pub fn insert(&mut self, key: impl Into<String>, value: Yaml) -> &mut Yaml {
        self.insert_commented(key, value, None)
    }

    /// Append `key: value` with a comment above it.
    pub fn insert_commented(&mut self, key: impl Into<String>, value: Yaml, comment: Option<String>) -> &mut Yaml {
        let key = key.into();
        if let Yaml::Map(entries) = self {
            if let Some(index) = entries.iter().position(|e| e.key == key) {
                entries[index].value = value;
                entries[index].comment = comment;
                return &mut entries[index].value;
            }
            entries.push(Entry { key, value, comment });
            let last = entries.len() - 1;
            return &mut entries[last].value;
        }
        self
    }

    /// Builder form of [`Yaml::insert`].
    pub fn with(mut self, key: impl Into<String>, value: Yaml) -> Yaml {
        self.insert(key, value);
        self
    }

    /// Whether this is an empty map or list.
    pub fn is_empty_collection(&self) -> bool {
        matches!(self, Yaml::Map(e) if e.is_empty()) || matches!(self, Yaml::Seq(s) if s.is_empty())
    }

    /// The value at `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Yaml> {
        match self {
            Yaml::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }
}

/// Write a document (no `---`), ending with a newline.
pub fn to_string(value: &Yaml) -> String {
    let mut out = String::new();
    match value {
        Yaml::Map(entries) if !entries.is_empty() => write_map(&mut out, entries, 0),
        Yaml::Seq(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_map(out: &mut String, entries: &[Entry], level: usize) {
    for entry in entries {
        if let Some(comment) = &entry.comment {
            crate::targets::header::push_comment(out, &"  ".repeat(level), comment.trim_end_matches('\n'));
        }
        indent(out, level);
        out.push_str(&scalar_string(&entry.key));
        out.push(':');
        write_value(out, &entry.value, level);
    }
}

fn write_seq(out: &mut String, items: &[Yaml], level: usize) {
    for item in items {
        indent(out, level);
        out.push('-');
        match item {
            Yaml::Map(entries) if !entries.is_empty() => {
                // The first entry shares the dash's line; the rest align under it.
                let mut first = String::new();
                write_map(&mut first, entries, level + 1);
                let trimmed = first.trim_start_matches(' ');
                out.push(' ');
                out.push_str(trimmed);
            }
            Yaml::Seq(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, level + 1);
            }
            scalar => write_scalar_after(out, scalar, level + 1),
        }
    }
}

/// After `key:`: a nested block, or ` value`.
fn write_value(out: &mut String, value: &Yaml, level: usize) {
    match value {
        Yaml::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            write_map(out, entries, level + 1);
        }
        Yaml::Seq(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, level + 1);
        }
        scalar => write_scalar_after(out, scalar, level + 1),
    }
}

fn write_scalar_after(out: &mut String, value: &Yaml, level: usize) {
    if let Yaml::Str(text) = value {
        if let Some(block) = literal_block(text, level) {
            out.push_str(&block);
            return;
        }
    }
    out.push(' ');
    out.push_str(&inline(value));
    out.push('\n');
}

/// A `|` block for multi-line text that a literal block can carry exactly.
fn literal_block(text: &str, level: usize) -> Option<String> {
    if !text.contains('\n')
        || text.contains('\r')
        || text.contains('\t')
        || text.chars().any(|c| c.is_control() && c != '\n')
    {
        return None;
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.ends_with('\n')
        || body.lines().any(|line| line.ends_with(' '))
        || body.starts_with(' ')
        || body.starts_with('\n')
    {
        return None;
    }
    let chomp = if text.ends_with('\n') { "|" } else { "|-" };
    let mut out = format!(" {chomp}\n");
    for line in body.split('\n') {
        if !line.is_empty() {
            for _ in 0..level {
                out.push_str("  ");
            }
            out.push_str(line);
        }
        out.push('\n');
    }
    Some(out)
}

/// A scalar or empty collection on one line.
pub fn inline(value: &Yaml) -> String {
    match value {
        Yaml::Null => String::from("null"),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Int(i) => i.to_string(),
        Yaml::Raw(text) => text.clone(),
        Yaml::Str(s) => scalar_string(s),
        Yaml::Seq(items) => {
            let parts: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", parts.join(", "))
        }
        Yaml::Map(entries) => {
            let parts: Vec<String> =
                entries.iter().map(|e| format!("{}: {}", scalar_string(&e.key), inline(&e.value))).collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Write a value as pretty JSON (two-space indent, like serde_json), ending with a newline.
pub fn to_json(value: &Yaml) -> String {
    let mut out = String::new();
    write_json(&mut out, value, 0);
    out.push('\n');
    out
}

fn write_json(out: &mut String, value: &Yaml, level: usize) {
    let pad = |out: &mut String, level: usize| {
        for _ in 0..level {
            out.push_str("  ");
        }
    };
    match value {
        Yaml::Null => out.push_str("null"),
        Yaml::Bool(b) => out.push_str(&b.to_string()),
        Yaml::Int(i) => out.push_str(&i.to_string()),
        Yaml::Raw(text) => out.push_str(text),
        Yaml::Str(text) => out.push_str(&serde_json::Value::String(text.clone()).to_string()),
        Yaml::Seq(items) if items.is_empty() => out.push_str("[]"),
        Yaml::Map(entries) if entries.is_empty() => out.push_str("{}"),
        Yaml::Seq(items) => {
            out.push_str("[\n");
            for (index, item) in items.iter().enumerate() {
                pad(out, level + 1);
                write_json(out, item, level + 1);
                if index + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(out, level);
            out.push(']');
        }
        Yaml::Map(entries) => {
            out.push_str("{\n");
            for (index, entry) in entries.iter().enumerate() {
                pad(out, level + 1);
                out.push_str(&serde_json::Value::String(entry.key.clone()).to_string());
                out.push_str(": ");
                write_json(out, &entry.value, level + 1);
                if index + 1 < entries.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            pad(out, level);
            out.push('}');
        }
    }
}

/// A string as a plain scalar when that is unambiguous, else double-quoted.
pub fn scalar_string(text: &str) -> String {
    if is_plain_safe(text) { text.to_string() } else { quote(text) }
}

/// Double-quoted with JSON-compatible escapes.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_plain_safe(text: &str) -> bool {
    if text.is_empty() || text.trim() != text {
        return false;
    }
    let first = text.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`~=".contains(first) {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.ends_with(':') || text.chars().any(|c| c.is_control()) {
        return false;
    }
    if text.contains(['{', '}', '[', ']', ',']) {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    const SPECIAL: &[&str] =
        &["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", ".nan", "<<"];
    if SPECIAL.contains(&lower.as_str()) {
        return false;
    }
    // Anything number-like (ints, floats, octal, hex, 1e3, 1_000, 10:30 sexagesimal) stays quoted.
    let numberish = text.chars().all(|c| c.is_ascii_hexdigit() || "+-._:xXoO".contains(c));
    if numberish && text.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_ambiguous_strings() {
        assert_eq!(scalar_string("on"), "\"on\"");
        assert_eq!(scalar_string("8080"), "\"8080\"");
        assert_eq!(scalar_string("1.0"), "\"1.0\"");
        assert_eq!(scalar_string("127.0.0.1:8080:8080"), "\"127.0.0.1:8080:8080\"");
        assert_eq!(scalar_string("postgres:16"), "postgres:16");
        assert_eq!(scalar_string("a: b"), "\"a: b\"");
        assert_eq!(scalar_string("${DB:?set it}"), "\"${DB:?set it}\"");
        assert_eq!(scalar_string("hello world"), "hello world");
    }

    #[test]
    fn writes_nested_blocks() {
        let doc = Yaml::map()
            .with("services", Yaml::map().with("web", Yaml::map().with("ports", Yaml::strs(["127.0.0.1:80:80"]))))
            .with("list", Yaml::Seq(vec![Yaml::map().with("a", Yaml::Int(1)).with("b", Yaml::Bool(true))]))
            .with("empty", Yaml::map())
            .with("text", Yaml::str("line one\nline two\n"));
        let expected = "services:\n  web:\n    ports:\n      - \"127.0.0.1:80:80\"\nlist:\n  - a: 1\n    b: true\nempty: {}\ntext: |\n  line one\n  line two\n";
        assert_eq!(to_string(&doc), expected);
    }
}
