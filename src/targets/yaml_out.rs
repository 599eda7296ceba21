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

    /// Builder form: every entry of the map `other` appended (or replaced in place).
    pub fn merged(mut self, other: Yaml) -> Yaml {
        if let Yaml::Map(entries) = other {
            for entry in entries {
                self.insert_commented(entry.key, entry.value, entry.comment);
            }
        }
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
        write_entry(out, entry, level, true);
    }
}

/// `key: value` at `level`; `indented: false` for the first entry of a list item, which shares the
/// dash's line.
fn write_entry(out: &mut String, entry: &Entry, level: usize, indented: bool) {
    if let Some(comment) = &entry.comment {
        let start = out.len();
        crate::targets::header::push_comment(out, &"  ".repeat(level), comment.trim_end_matches('\n'));
        if !indented {
            // The comment's first line goes after the dash: without its indentation.
            out.replace_range(start..start + 2 * level, "");
        }
        indent(out, level);
    } else if indented {
        indent(out, level);
    }
    push_scalar_string(out, &entry.key);
    out.push(':');
    write_value(out, &entry.value, level);
}

fn write_seq(out: &mut String, items: &[Yaml], level: usize) {
    for item in items {
        indent(out, level);
        out.push('-');
        match item {
            Yaml::Map(entries) if !entries.is_empty() => {
                // The first entry shares the dash's line; the rest align under it.
                out.push(' ');
                write_entry(out, &entries[0], level + 1, false);
                write_map(out, &entries[1..], level + 1);
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
    if let Yaml::Str(text) = value
        && push_literal_block(out, text, level)
    {
        return;
    }
    out.push(' ');
    push_inline(out, value);
    out.push('\n');
}

/// A `|` block for multi-line text that a literal block can carry exactly; `false` (nothing
/// written) when it cannot.
fn push_literal_block(out: &mut String, text: &str, level: usize) -> bool {
    if !text.contains('\n')
        || text.contains('\r')
        || text.contains('\t')
        || text.chars().any(|c| c.is_control() && c != '\n')
    {
        return false;
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.ends_with('\n')
        || body.lines().any(|line| line.ends_with(' '))
        || body.starts_with(' ')
        || body.starts_with('\n')
    {
        return false;
    }
    out.push_str(if text.ends_with('\n') { " |\n" } else { " |-\n" });
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
        out.push('\n');
    }
    true
}

/// A scalar or empty collection on one line.
pub fn inline(value: &Yaml) -> String {
    let mut out = String::new();
    push_inline(&mut out, value);
    out
}

fn push_inline(out: &mut String, value: &Yaml) {
    match value {
        Yaml::Null => out.push_str("null"),
        Yaml::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Yaml::Int(i) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{i}");
        }
        Yaml::Raw(text) => out.push_str(text),
        Yaml::Str(s) => push_scalar_string(out, s),
        Yaml::Seq(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                push_inline(out, item);
            }
            out.push(']');
        }
        Yaml::Map(entries) => {
            out.push('{');
            for (index, entry) in entries.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                push_scalar_string(out, &entry.key);
                out.push_str(": ");
                push_inline(out, &entry.value);
            }
            out.push('}');
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
    let mut out = String::with_capacity(text.len() + 2);
    push_scalar_string(&mut out, text);
    out
}

/// [`scalar_string`] written onto `out`.
fn push_scalar_string(out: &mut String, text: &str) {
    if is_plain_safe(text) { out.push_str(text) } else { push_quoted(out, text) }
}

/// Double-quoted with JSON-compatible escapes.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    out
}

fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether `text` reads back as this string when written plain, in YAML 1.1 and 1.2. One pass over
/// the characters (every key and value of every generated file goes through here).
fn is_plain_safe(text: &str) -> bool {
    let mut chars = text.chars();
    let (Some(first), Some(last)) = (chars.next(), text.chars().next_back()) else { return false };
    if first.is_whitespace() || last.is_whitespace() || last == ':' {
        return false;
    }
    if matches!(
        first,
        '-' | '?'
            | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
            | '~'
            | '='
    ) {
        return false;
    }
    // Anything number-like (ints, floats, octal, hex, 1e3, 1_000, 10:30 sexagesimal) stays quoted.
    let mut numberish = true;
    let mut digit = false;
    let mut previous = '\0';
    for c in text.chars() {
        if c.is_control() || matches!(c, '{' | '}' | '[' | ']' | ',') {
            return false;
        }
        if (previous == ':' && c == ' ') || (previous == ' ' && c == '#') {
            return false;
        }
        digit |= c.is_ascii_digit();
        numberish &= c.is_ascii_hexdigit() || matches!(c, '+' | '-' | '.' | '_' | ':' | 'x' | 'X' | 'o' | 'O');
        previous = c;
    }
    if numberish && digit {
        return false;
    }
    const SPECIAL: &[&str] =
        &["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", ".nan", "<<"];
    text.len() > 5 || !SPECIAL.iter().any(|special| special.eq_ignore_ascii_case(text))
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

    /// The rule as first written, several passes and an allocation: the one-pass version must agree.
    fn is_plain_safe_reference(text: &str) -> bool {
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
        let numberish = text.chars().all(|c| c.is_ascii_hexdigit() || "+-._:xXoO".contains(c));
        !(numberish && text.chars().any(|c| c.is_ascii_digit()))
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 4000, rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..Default::default() })]
        #[test]
        fn one_pass_plain_rule_agrees_with_the_reference(text in "[ a-zA-Z0-9:#,.+_~<>{}\\[\\]\"'\t\n\u{85}\u{a0}é-]{0,8}") {
            proptest::prop_assert_eq!(is_plain_safe(&text), is_plain_safe_reference(&text), "{:?}", text);
        }
    }

    #[test]
    fn special_words_and_edges_agree_with_the_reference() {
        for text in [
            "", " ", "true", "TRUE", "No", "y", "~", "<<", "-.inf", ".NaN", "a:", "a: b", "a #b", "a#b", "0x1F",
            "1_000", "10:30", "e", "abcdef", "-", "é", "a\u{85}",
        ] {
            assert_eq!(is_plain_safe(text), is_plain_safe_reference(text), "{text:?}");
        }
    }

    #[test]
    fn a_commented_first_entry_of_a_list_item_follows_the_dash() {
        let item = Yaml::Map(vec![
            Entry { key: String::from("a"), value: Yaml::Int(1), comment: Some(String::from("first\nsecond")) },
            Entry { key: String::from("b"), value: Yaml::Int(2), comment: None },
        ]);
        let doc = Yaml::map().with("list", Yaml::Seq(vec![item]));
        assert_eq!(to_string(&doc), "list:\n  - # first\n    # second\n    a: 1\n    b: 2\n");
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
