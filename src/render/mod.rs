//! Everything iacgen prints, rendered from the reports of `commands`: diagnostics and `check`'s drift
//! for people (`human`), tools (`json`) and GitHub workflow annotations (`github`), the difference
//! `diff` shows (`diff`: unified, stat, Markdown, JSON), `build`'s summary, `explain`'s listing,
//! `env`'s report, the platform graph and the rule list. The command line only chooses a format and writes the text.

pub mod diff;
pub mod explain;
pub mod github;
pub mod human;
pub mod json;

use crate::diagnostic::{Diagnostics, codes};
use crate::graph::Graph;
use crate::output::changes::Change;
use crate::shared::span::SourceMap;

/// The `--format` of diagnostics (and of `check`'s drift).
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
pub fn diagnostics(diagnostics: &Diagnostics, sources: &SourceMap, format: Format, human: HumanOptions) -> String {
    match format {
        Format::Human => human::render(diagnostics, sources, human),
        Format::Json => json::render(diagnostics, sources),
        Format::Github => github::render(diagnostics, sources),
    }
}

/// `check`'s listing of the files that differ, for stdout: annotations on the generated files in
/// the GitHub format, else each file and its unified diff (the JSON format lists them as humans read
/// them too). `manifest_stale` with no file listed says that only the manifest is out of date.
pub fn drift(drift: &[Change], output: &str, manifest_stale: bool, format: Format, color: bool) -> String {
    match format {
        Format::Github => github::drift(drift, output),
        Format::Human | Format::Json => human::drift(drift, output, manifest_stale, color),
    }
}

/// The formats `iacgen graph` draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
    Svg,
}

/// The platform graph in `format`.
pub fn graph(graph: &Graph, format: GraphFormat) -> String {
    match format {
        GraphFormat::Mermaid => crate::graph::mermaid::render(graph),
        GraphFormat::Dot => crate::graph::dot::render(graph),
        GraphFormat::Svg => crate::graph::svg::render(graph),
    }
}

/// `iacgen rules`: every code with its severity, whether it can be waived, what it checks and how to
/// fix it.
pub fn rules() -> String {
    let mut out = String::new();
    for code in codes::ALL {
        let waivable = if code.waivable { ", waivable" } else { "" };
        out.push_str(&format!("{} {} ({}{waivable})\n", code.id(), code.name, code.severity.as_str()));
        out.push_str(&format!("    checks: {}\n", code.what));
        out.push_str(&format!("    fix:    {}\n", code.fix));
    }
    out
}
