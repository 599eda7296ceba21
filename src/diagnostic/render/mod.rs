//! Diagnostic output formats: one file each.

pub mod github;
pub mod human;
pub mod json;

use crate::diagnostic::Diagnostics;
use crate::shared::span::SourceMap;

/// The `--format` of diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// Options of the human format.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

/// Render every diagnostic in `format`.
pub fn render(diagnostics: &Diagnostics, sources: &SourceMap, format: Format, human: HumanOptions) -> String {
    match format {
        Format::Human => human::render(diagnostics, sources, human),
        Format::Json => json::render(diagnostics, sources),
        Format::Github => github::render(diagnostics, sources),
    }
}
