//! YAML text → a tree of [`Node`]s that remember their spans.
//!
//! Built on saphyr-parser's event stream (a maintained YAML 1.2 parser that reports a span for every
//! event). Building the tree ourselves lets us bound what hostile input can cost: nesting depth, node
//! count (alias bombs expand into it) and file size are limited before anything recursive runs.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::shared::span::{FileId, SourceFile, Span};

/// Deepest nesting accepted; real models use fewer than ten levels.
pub const MAX_DEPTH: usize = 64;
/// Most nodes one file may expand to, aliases included.
pub const MAX_NODES: usize = 2_000_000;

/// A YAML value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

/// The shape of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Null,
    /// Text of a scalar; `plain` is true when it was written without quotes (so `80` may be a number).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in file order; keys are scalars (checked while building).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Null => "null",
            NodeKind::Scalar { text, plain: true } if text == "true" || text == "false" => "a boolean",
            NodeKind::Scalar { text, plain: true } if text.parse::<f64>().is_ok() => "a number",
            NodeKind::Scalar { .. } => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a map",
        }
    }

    /// Count of nodes in this subtree (for the alias budget).
    fn weight(&self) -> usize {
        let mut total = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            total += 1;
            match &node.kind {
                NodeKind::Seq(items) => stack.extend(items.iter()),
                NodeKind::Map(entries) => {
                    for (key, value) in entries {
                        stack.push(key);
                        stack.push(value);
                    }
                }
                _ => {}
            }
        }
        total
    }
}

/// A collection being built.
enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    /// `merged` holds the keys that came from a merge key (`<<`): an explicit key overrides them.
    Map {
        start: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        merged: Vec<String>,
        keys: KeyIndex,
    },
}

/// Where each key of a mapping being built first appears: a scan while the mapping is small, an
/// index once it is large (a model's `services:` can hold thousands of keys, and checking each new
/// key against all earlier ones would make loading quadratic).
#[derive(Default)]
struct KeyIndex {
    index: Option<std::collections::HashMap<String, usize>>,
}

impl KeyIndex {
    const SCAN_UP_TO: usize = 16;

    /// The position of the first entry whose key is `key`.
    fn find(&mut self, entries: &[(Node, Node)], key: &str) -> Option<usize> {
        if self.index.is_none() && entries.len() > Self::SCAN_UP_TO {
            let mut index = std::collections::HashMap::with_capacity(entries.len() * 2);
            for (position, (existing, _)) in entries.iter().enumerate() {
                if let Some(text) = existing.as_str() {
                    index.entry(text.to_string()).or_insert(position);
                }
            }
            self.index = Some(index);
        }
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => entries.iter().position(|(existing, _)| existing.as_str() == Some(key)),
        }
    }

    /// Record the entry just pushed last onto `entries`.
    fn pushed(&mut self, entries: &[(Node, Node)]) {
        let Some(index) = &mut self.index else { return };
        let position = entries.len().saturating_sub(1);
        if let Some(key) = entries.get(position).and_then(|(key, _)| key.as_str()) {
            index.entry(key.to_string()).or_insert(position);
        }
    }
}

/// How often the reader re-indents a line of a flow collection and parses again before it gives up
/// (see [`parse`]), and the largest file it does that for: real files need a handful of tries, and
/// the bounds keep hostile input at a few dozen parses of a small file.
const MAX_REINDENTS: usize = 64;
const MAX_REINDENT_BYTES: usize = 1024 * 1024;

/// Parse one YAML document. An empty file is `Null`. Errors are diagnostics at the offending place.
///
/// saphyr-parser (like the YAML 1.2 spec) wants every line of a multi-line flow collection indented
/// deeper than the block that holds it; libyaml, PyYAML and go-yaml (so docker compose) do not check
/// indentation inside `[...]`/`{...}` at all, and real compose files close a flow sequence at the
/// key's own column:
///
/// ```yaml
///     test: [
///       "CMD", "true",
///     ]
/// ```
///
/// saphyr reports those lines as "invalid indentation" (that message can only come from inside a
/// flow collection: in block context the scanner has unrolled its indentation to the line's column
/// before it checks), and whitespace at the start of a line inside a flow collection carries no
/// meaning. So the reader indents exactly the lines saphyr rejects, a few spaces more on each try,
/// and parses again; spans are mapped back to the file as written.
pub fn parse(file_id: FileId, file: &SourceFile) -> Result<Node, Diagnostics> {
    let mut reindent = Reindent::default();
    let mut tries = 0;
    loop {
        let text = reindent.text.as_deref().unwrap_or(&file.text);
        match parse_text(file_id, file, text, &reindent) {
            Ok(node) => return Ok(node),
            Err(Stop::FlowIndentation { line, diagnostics }) => {
                tries += 1;
                if tries > MAX_REINDENTS || file.text.len() > MAX_REINDENT_BYTES || !reindent.indent_more(file, line) {
                    return Err(diagnostics);
                }
            }
            Err(Stop::Invalid(diagnostics)) => return Err(diagnostics),
        }
    }
}

/// Lines of flow collections indented further than written, so saphyr accepts them.
#[derive(Default)]
struct Reindent {
    /// 1-based line → spaces added at its start.
    lines: std::collections::BTreeMap<usize, usize>,
    /// The file with those spaces added (`None`: none added yet).
    text: Option<String>,
}

impl Reindent {
    /// Most spaces one line may get (a line needs at most its block's indentation plus one).
    const MAX_SPACES: usize = 1024;

    /// Indent `line` further: at first one column deeper than the line before it, then doubling.
    /// `false` when it cannot help any more.
    fn indent_more(&mut self, file: &SourceFile, line: usize) -> bool {
        let text = self.text.as_deref().unwrap_or(&file.text);
        let lines: Vec<&str> = text.split('\n').collect();
        let indentation = |l: &str| l.len() - l.trim_start_matches(' ').len();
        let Some(current) = lines.get(line.saturating_sub(1)).map(|l| indentation(l)) else { return false };
        let previous =
            lines[..line.saturating_sub(1)].iter().rev().find(|l| !l.trim().is_empty()).map_or(0, |l| indentation(l));
        let added = self.lines.get(&line).copied().unwrap_or(0);
        let more = if added == 0 { (previous + 1).saturating_sub(current).max(1) } else { added };
        if added + more > Self::MAX_SPACES {
            return false;
        }
        self.lines.insert(line, added + more);
        let mut out = String::with_capacity(file.text.len() + self.lines.values().sum::<usize>());
        for (index, original) in file.text.split('\n').enumerate() {
            if index > 0 {
                out.push('\n');
            }
            out.extend(std::iter::repeat_n(' ', self.lines.get(&(index + 1)).copied().unwrap_or(0)));
            out.push_str(original);
        }
        self.text = Some(out);
        true
    }

    /// Byte offset in the file as written of a (1-based line, character column) in the re-indented text.
    fn offset(&self, file: &SourceFile, line: usize, column: usize) -> usize {
        let added = self.lines.get(&line).copied().unwrap_or(0);
        file.offset_of(line, column.saturating_sub(added))
    }
}

/// Why a parse stopped.
enum Stop {
    /// saphyr's indentation check inside a flow collection (see [`parse`]), on this 1-based line.
    FlowIndentation {
        line: usize,
        diagnostics: Diagnostics,
    },
    Invalid(Diagnostics),
}

fn parse_text(file_id: FileId, file: &SourceFile, text: &str, reindent: &Reindent) -> Result<Node, Stop> {
    let mut builder =
        Builder { file_id, file, reindent, stack: Vec::new(), anchors: HashMap::new(), nodes: 0, root: None };
    let mut diagnostics = Diagnostics::new();
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(error) => {
                let marker = error.marker();
                let offset = reindent.offset(file, marker.line(), marker.col());
                let span = Span::new(file_id, offset, offset);
                // The parser's own guard against deep nesting is a limit, not a syntax error.
                let code =
                    if error.info().contains("recursion limit") { codes::LIMIT_EXCEEDED } else { codes::YAML_SYNTAX };
                diagnostics
                    .push(Diagnostic::new(code, span, format!("invalid YAML: {}", error.info())).with_label("here"));
                if matches!(error.info(), "invalid indentation" | "invalid indentation in flow construct") {
                    return Err(Stop::FlowIndentation { line: marker.line(), diagnostics });
                }
                return Err(Stop::Invalid(diagnostics));
            }
        };
        let span = builder.span(span);
        if let Event::DocumentStart(_) = event {
            documents += 1;
            if documents > 1 {
                diagnostics.push(
                    Diagnostic::new(codes::YAML_SYNTAX, span, "a model file holds one YAML document")
                        .with_label("second document starts here")
                        .with_help("remove the `---` separator and merge the documents"),
                );
                return Err(Stop::Invalid(diagnostics));
            }
            continue;
        }
        if let Err(diagnostic) = builder.on_event(event, span, &mut diagnostics) {
            diagnostics.push(diagnostic);
            return Err(Stop::Invalid(diagnostics));
        }
    }
    if diagnostics.has_errors() {
        return Err(Stop::Invalid(diagnostics));
    }
    Ok(builder.root.unwrap_or(Node { kind: NodeKind::Null, span: Span::new(file_id, 0, 0) }))
}

struct Builder<'a> {
    file_id: FileId,
    file: &'a SourceFile,
    reindent: &'a Reindent,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    root: Option<Node>,
}

impl Builder<'_> {
    fn span(&self, span: saphyr_parser::Span) -> Span {
        let start = self.reindent.offset(self.file, span.start.line(), span.start.col());
        let end = self.reindent.offset(self.file, span.end.line(), span.end.col());
        Span::new(self.file_id, start, end.max(start))
    }

    fn on_event(&mut self, event: Event<'_>, span: Span, diagnostics: &mut Diagnostics) -> Result<(), Diagnostic> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain && tag.is_none();
                let kind = if plain && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL") {
                    NodeKind::Null
                } else {
                    NodeKind::Scalar { text: text.into_owned(), plain }
                };
                self.count(1, span)?;
                let span = self.trim_end(span);
                self.finish(Node { kind, span }, anchor, diagnostics);
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Seq { start: span, anchor, items: Vec::new() });
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Map {
                    start: span,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                    merged: Vec::new(),
                    keys: KeyIndex::default(),
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { start, anchor, items }) = self.stack.pop() {
                    let span = start.to(span);
                    self.finish(Node { kind: NodeKind::Seq(items), span }, anchor, diagnostics);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map { start, anchor, entries, .. }) = self.stack.pop() {
                    let span = start.to(span);
                    self.finish(Node { kind: NodeKind::Map(entries), span }, anchor, diagnostics);
                }
            }
            Event::Alias(id) => {
                let Some(weight) = self.anchors.get(&id).map(Node::weight) else {
                    return Err(Diagnostic::new(codes::YAML_SYNTAX, span, "alias to an unknown anchor"));
                };
                self.count(weight, span)?;
                let Some(mut node) = self.anchors.get(&id).cloned() else { return Ok(()) };
                node.span = span;
                self.finish(node, 0, diagnostics);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Scalar spans from the parser may run over trailing blanks (in flow collections); labels
    /// should underline the value only.
    fn trim_end(&self, span: Span) -> Span {
        let text = self.file.text.get(span.start as usize..span.end as usize).unwrap_or("");
        let trimmed = text.trim_end_matches([' ', '\t', '\r', '\n']).len();
        Span::new(self.file_id, span.start as usize, span.start as usize + trimmed)
    }

    fn open(&mut self, span: Span) -> Result<(), Diagnostic> {
        self.count(1, span)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::new(
                codes::LIMIT_EXCEEDED,
                span,
                format!("the document is nested more than {MAX_DEPTH} levels deep"),
            )
            .with_label("too deep here"));
        }
        Ok(())
    }

    fn count(&mut self, nodes: usize, span: Span) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > MAX_NODES {
            return Err(Diagnostic::new(
                codes::LIMIT_EXCEEDED,
                span,
                format!("the document expands to more than {MAX_NODES} nodes (aliases included)"),
            )
            .with_label("limit reached here")
            .with_help("do not nest aliases of aliases; iacgen's `defaults` share values without them"));
        }
        Ok(())
    }

    /// Attach a finished node to its parent (or make it the root).
    fn finish(&mut self, node: Node, anchor: usize, diagnostics: &mut Diagnostics) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, pending_key, merged, keys, .. }) => match pending_key.take() {
                None => {
                    if !matches!(node.kind, NodeKind::Scalar { .. } | NodeKind::Null) {
                        diagnostics.push(
                            Diagnostic::new(codes::WRONG_TYPE, node.span, "a map key must be a plain string")
                                .with_label("complex key"),
                        );
                    }
                    *pending_key = Some(node);
                }
                Some(key) => {
                    let key_text = key.as_str().unwrap_or("");
                    if key_text == "<<" && key.kind != NodeKind::Null {
                        merge_into(entries, merged, keys, node);
                        return;
                    }
                    // YAML merge semantics: a key written in the mapping wins over a merged one,
                    // wherever the `<<` stands.
                    if let Some(index) = merged.iter().position(|k| k == key_text) {
                        merged.remove(index);
                        if let Some(position) = keys.find(entries, key_text) {
                            entries[position] = (key, node);
                            return;
                        }
                    }
                    if let Some(position) = keys.find(entries, key_text) {
                        diagnostics.push(
                            Diagnostic::new(codes::DUPLICATE_KEY, key.span, format!("duplicate key `{key_text}`"))
                                .with_label("defined again here")
                                .with_related(entries[position].0.span, "first defined here")
                                .with_help("remove one of the two keys"),
                        );
                    }
                    entries.push((key, node));
                    keys.pushed(entries);
                }
            },
        }
    }
}

/// YAML 1.1 merge keys (`<<: *defaults`), which compose users rely on: entries not already present.
/// The keys it adds are remembered in `merged`, so a later explicit key replaces them.
fn merge_into(entries: &mut Vec<(Node, Node)>, merged: &mut Vec<String>, keys: &mut KeyIndex, value: Node) {
    let sources = match value.kind {
        NodeKind::Map(_) => vec![value],
        NodeKind::Seq(items) => items,
        _ => Vec::new(),
    };
    for source in sources {
        if let NodeKind::Map(more) = source.kind {
            for (key, value) in more {
                let present = match key.as_str() {
                    Some(text) => keys.find(entries, text).is_some(),
                    None => entries.iter().any(|(k, _)| k.as_str().is_none()),
                };
                if !present {
                    merged.push(key.as_str().unwrap_or("").to_string());
                    entries.push((key, value));
                    keys.pushed(entries);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Node, Diagnostics> {
        let file = SourceFile::new("t.yaml".into(), text.into());
        parse(FileId(0), &file)
    }

    #[test]
    fn spans_point_at_values() {
        let node = parse_text("a:\n  b: hello\n").unwrap_or_else(|d| panic!("{d:?}"));
        let NodeKind::Map(entries) = &node.kind else { panic!("not a map") };
        let NodeKind::Map(inner) = &entries[0].1.kind else { panic!("not a map") };
        assert_eq!(inner[0].1.span.start, 8);
        assert_eq!(inner[0].1.span.end, 13);
    }

    #[test]
    fn rejects_deep_nesting_and_bombs() {
        let deep = "[".repeat(100_000);
        assert!(parse_text(&deep).is_err());
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..12 {
            let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
            bomb.push_str(&format!("l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse_text(&bomb).is_err());
    }

    #[test]
    fn explicit_keys_override_merged_ones() {
        let node = parse_text("base: &b { x: 1, y: 2 }\nm:\n  <<: *b\n  x: 3\n").unwrap_or_else(|d| panic!("{d:?}"));
        let NodeKind::Map(entries) = &node.kind else { panic!("not a map") };
        let NodeKind::Map(merged) = &entries[1].1.kind else { panic!("not a map") };
        let values: Vec<(&str, &str)> =
            merged.iter().map(|(k, v)| (k.as_str().unwrap_or(""), v.as_str().unwrap_or(""))).collect();
        assert_eq!(values, [("x", "3"), ("y", "2")]);
        assert!(parse_text("m:\n  x: 1\n  x: 2\n").is_err());
    }

    #[test]
    fn flow_collections_closed_at_the_keys_column_read_like_compose_reads_them() {
        // From getsentry/self-hosted's docker-compose.yml: the `]` sits at the column of `test:`.
        let text =
            "s:\n  h:\n    test:\n      [\n        \"CMD-SHELL\",\n        \"true\",\n      ]\n    interval: 30s\n";
        let node = parse_text(text).unwrap_or_else(|d| panic!("{d:?}"));
        let NodeKind::Map(top) = &node.kind else { panic!("a map") };
        let NodeKind::Map(service) = &top[0].1.kind else { panic!("a map") };
        let NodeKind::Map(health) = &service[0].1.kind else { panic!("a map") };
        let NodeKind::Seq(items) = &health[0].1.kind else { panic!("a list") };
        let words: Vec<&str> = items.iter().filter_map(Node::as_str).collect();
        assert_eq!(words, ["CMD-SHELL", "true"]);
        assert_eq!(health[1].1.as_str(), Some("30s"));

        // Closed at the key's column, and content less indented than its key: PyYAML takes both.
        let text = "a:\n  command: [\n    \"x\",\n    \"y\"\n  ]\n  b: [\"p\",\n\"q\"]\n  c: 1\n";
        let node = parse_text(text).unwrap_or_else(|d| panic!("{d:?}"));
        let NodeKind::Map(top) = &node.kind else { panic!("a map") };
        let NodeKind::Map(inner) = &top[0].1.kind else { panic!("a map") };
        let NodeKind::Seq(b) = &inner[1].1.kind else { panic!("a list") };
        // Spans point into the file as written, not the re-indented text.
        let span = b[1].span;
        assert_eq!(&text[span.start as usize..span.end as usize], "\"q\"");
        assert_eq!(inner[2].1.as_str(), Some("1"));

        // Block structure is not re-indented: a real indentation error is still one.
        let diagnostics = parse_text("a:\n    b: 1\n  c: 2\n").expect_err("bad indentation");
        assert_eq!(diagnostics.items[0].code, codes::YAML_SYNTAX);
        // Nor is an unterminated flow collection accepted.
        assert!(parse_text("a: [\n  1,\n").is_err());
    }

    #[test]
    fn reports_duplicate_keys() {
        let diagnostics = parse_text("a: 1\na: 2\n").expect_err("duplicate");
        assert_eq!(diagnostics.items[0].code, codes::DUPLICATE_KEY);
    }

    #[test]
    fn large_mappings_find_duplicates_and_merged_keys_through_the_index() {
        // Past `KeyIndex::SCAN_UP_TO` keys, lookups go through the index: same answers as a scan.
        let many: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        let diagnostics = parse_text(&format!("{many}k7: again\n")).expect_err("duplicate");
        assert_eq!(diagnostics.items.len(), 1);
        assert_eq!(diagnostics.items[0].code, codes::DUPLICATE_KEY);
        assert_eq!(diagnostics.items[0].message, "duplicate key `k7`");

        let defaults: String = (0..30).map(|i| format!("  d{i}: base\n")).collect();
        let text = format!("defaults: &d\n{defaults}merged:\n  <<: *d\n  d29: mine\n  d3: mine\n  own: 1\n");
        let node = parse_text(&text).expect("valid");
        let NodeKind::Map(top) = &node.kind else { panic!("a map") };
        let NodeKind::Map(merged) = &top[1].1.kind else { panic!("a map") };
        assert_eq!(merged.len(), 31);
        let value = |key: &str| merged.iter().find(|(k, _)| k.as_str() == Some(key)).and_then(|(_, v)| v.as_str());
        assert_eq!(
            (value("d29"), value("d3"), value("d0"), value("own")),
            (Some("mine"), Some("mine"), Some("base"), Some("1"))
        );
    }
}

#[cfg(test)]
mod span_tests {
    use super::*;

    #[test]
    fn quoted_scalar_span_includes_quotes() {
        let file = SourceFile::new("t.yaml".into(), "a: { b: \"${x}\" }\nc: 'q'\n".into());
        let node = parse(FileId(0), &file).unwrap_or_else(|d| panic!("{d:?}"));
        let NodeKind::Map(entries) = &node.kind else { panic!("map") };
        let NodeKind::Map(inner) = &entries[0].1.kind else { panic!("map") };
        let span = inner[0].1.span;
        assert_eq!(&file.text[span.start as usize..span.end as usize], "\"${x}\"");
        let span = entries[1].1.span;
        assert_eq!(&file.text[span.start as usize..span.end as usize], "'q'");
    }
}
