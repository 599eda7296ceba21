//! Diagnostics: every problem found in a model, with a stable code, a location and a help line.
//!
//! Stages collect diagnostics instead of stopping at the first one; `cli` renders them with one of the
//! formats in [`render`].

pub mod codes;

use crate::shared::span::{SourceMap, Span};
pub use codes::Code;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The lowercase name used in every format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary place that explains the problem (the other definition, the referenced item).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem in the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The offending value; `None` only for problems that have no place in a file (a missing file).
    pub span: Option<Span>,
    /// Text under the primary span.
    pub label: Option<String>,
    pub related: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with `code`'s default severity at `span`.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            span: Some(span),
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    /// A diagnostic that points at no file.
    pub fn global(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            span: None,
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    /// Set the text under the primary span.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Add a related place.
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.related.push(Label { span, message: message.into() });
        self
    }

    /// Set the help line: what to write instead.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Override the severity.
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }
}

/// A list of diagnostics, kept in the order of their places once [`Diagnostics::sort`] ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Add one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Add all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Number of errors and warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self.items.iter().filter(|d| d.severity == Severity::Error).count();
        (errors, self.items.len() - errors)
    }

    /// Sort by file, then offset, then code, and drop exact duplicates, so output is deterministic.
    pub fn sort(&mut self, sources: &SourceMap) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                let place = d.span.map(|s| (sources.get(s.file).map(|f| f.path.clone()), s.start, s.end));
                (place, d.code.number, d.message.clone())
            };
            key(a).cmp(&key(b))
        });
        self.items.dedup();
    }
}

/// A diagnostic found on a resolved environment, with what it is about (for waivers, for grouping
/// the environments it repeats in, and for leaving out what a broken definition makes unreliable).
#[derive(Clone, Debug)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    /// The service, job or resource it is about, if any (waivers apply per service).
    pub subject: Option<String>,
    /// The environment it was found in; empty when it holds for every environment of a target (the
    /// message then names none).
    pub environment: String,
}

impl Finding {
    /// A finding about `subject` in `environment`.
    pub fn new(diagnostic: Diagnostic, subject: Option<&str>, environment: &str) -> Finding {
        Finding { diagnostic, subject: subject.map(String::from), environment: environment.to_string() }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Diagnostics {
        Diagnostics { items: vec![diagnostic] }
    }
}

/// Attach a span to a helper's plain error (typst's `At`): `parse_port(raw).at(span)?`.
pub trait At<T> {
    /// Turn `Err(message)` into a diagnostic with `code` at `span`.
    fn at(self, code: Code, span: Span) -> Result<T, Diagnostic>;
}

impl<T> At<T> for Result<T, String> {
    fn at(self, code: Code, span: Span) -> Result<T, Diagnostic> {
        self.map_err(|message| Diagnostic::new(code, span, message))
    }
}

/// Edit distance used for "did you mean" suggestions: insertions, deletions, substitutions and
/// transpositions of neighbours (the commonest typo) each cost one.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in table.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=b.len() {
        table[0][j] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[i - 1][j] + 1).min(table[i][j - 1] + 1).min(table[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[i - 2][j - 2] + 1);
            }
            table[i][j] = best;
        }
    }
    table[a.len()][b.len()]
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1) + usize::from(word.len() > 6);
    candidates
        .into_iter()
        .map(|candidate| (levenshtein(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(did_you_mean("replica", ["replicas", "resources"]), Some("replicas"));
        assert_eq!(did_you_mean("imgae", ["image", "ingress"]), Some("image"));
        assert_eq!(did_you_mean("zzz", ["image", "ingress"]), None);
    }
}
