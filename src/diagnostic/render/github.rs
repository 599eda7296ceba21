//! The GitHub format: workflow commands that annotate the pull request's files.

use crate::diagnostic::{Diagnostics, Severity};
use crate::shared::span::{SourceMap, Span};

/// One `::error file=...,line=...,col=...::message` line per diagnostic.
pub fn render(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in &diagnostics.items {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let title = format!("{} {}", d.code.id(), d.code.name);
        match d.span {
            Some(span) => {
                let start = sources.location(span);
                let end = sources.location(Span { start: span.end, ..span });
                out.push_str(&format!(
                    "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                    property(&start.path),
                    start.line,
                    start.column,
                    end.line,
                    end.column,
                    property(&title),
                    data(&message)
                ));
            }
            None => out.push_str(&format!("::{command} title={}::{}\n", property(&title), data(&message))),
        }
    }
    out
}

/// Escape a workflow command's message.
pub fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a workflow command's property value.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}
