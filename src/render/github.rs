//! The GitHub format: workflow commands that annotate the pull request's files.

use crate::diagnostic::{Diagnostics, Severity};
use crate::output::changes::{Change, Kind};
use crate::render::diff;
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

/// `check`'s drift: one `::error` annotation on each generated file that differs.
pub fn drift(drift: &[Change], output: &str) -> String {
    let mut out = String::new();
    for change in drift {
        let message = match change.kind {
            Kind::Added => String::from("missing: the model generates this file but it is not committed"),
            Kind::Removed => String::from("stale: the model no longer generates this file"),
            Kind::Modified if change.hand_edited => String::from(
                "edited by hand: generated files are overwritten by iacgen build; use patches: in the model",
            ),
            Kind::Modified => String::from("out of date with the model"),
        };
        let (added, removed) = diff::counts(change);
        out.push_str(&format!(
            "::error file={},title=iacgen drift::{message} (+{added} -{removed}); run `iacgen build`\n",
            property(&format!("{output}/{}", change.path)),
        ));
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
