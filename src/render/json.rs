//! The JSON format: one object with every diagnostic, for tools and editors.

use serde_json::{Value, json};

use crate::diagnostic::Diagnostics;
use crate::shared::span::{SourceMap, Span};

/// Render as a pretty JSON document with a trailing newline.
pub fn render(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let items: Vec<Value> = diagnostics
        .items
        .iter()
        .map(|d| {
            json!({
                "code": d.code.id(),
                "name": d.code.name,
                "severity": d.severity.as_str(),
                "message": d.message,
                "location": d.span.map(|span| place(span, sources)),
                "label": d.label,
                "related": d.related.iter().map(|label| json!({
                    "location": place(label.span, sources),
                    "message": label.message,
                })).collect::<Vec<_>>(),
                "help": d.help,
            })
        })
        .collect();
    let (errors, warnings) = diagnostics.counts();
    let document = json!({ "diagnostics": items, "errors": errors, "warnings": warnings });
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

fn place(span: Span, sources: &SourceMap) -> Value {
    let start = sources.location(span);
    let end = sources.location(Span { start: span.end, ..span });
    json!({
        "file": start.path,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
    })
}
