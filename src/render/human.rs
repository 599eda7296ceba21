//! The human format: miette's graphical reports, one per diagnostic, then a count; `check`'s drift as
//! each file and its unified diff; `build`'s summary and warnings.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::commands::build::Built;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::output::changes::{Change, Kind};
use crate::output::dotenv::EnvReport;
use crate::output::manifest::MANIFEST;
use crate::render::{HumanOptions, diff};
use crate::shared::span::{SourceMap, Span};

/// Render all diagnostics and a closing count line.
pub fn render(diagnostics: &Diagnostics, sources: &SourceMap, options: HumanOptions) -> String {
    let theme = if options.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(options.width).with_links(false);
    let mut out = String::new();
    for diagnostic in &diagnostics.items {
        let report = Report::new(diagnostic, sources);
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", diagnostic.severity.as_str(), diagnostic.message));
        }
    }
    let (errors, warnings) = diagnostics.counts();
    if errors + warnings > 0 {
        out.push_str(&summary(errors, warnings));
        out.push('\n');
    }
    out
}

/// `check`'s drift: what happened to each file (`missing`, `stale`, `edited by hand`, `changed`) and
/// its unified diff; a stale manifest alone is named when no file differs.
pub fn drift(drift: &[Change], output: &str, manifest_stale: bool, color: bool) -> String {
    let mut out = String::new();
    for change in drift {
        let what = match (change.kind, change.hand_edited) {
            (Kind::Added, _) => "missing",
            (Kind::Removed, _) => "stale",
            (Kind::Modified, true) => "edited by hand",
            (Kind::Modified, false) => "changed",
        };
        out.push_str(&format!("{what}: {output}/{}\n", change.path));
        out.push_str(&diff::unified(change, output, color));
    }
    if drift.is_empty() && manifest_stale {
        out.push_str(&format!("stale manifest: {output}/{MANIFEST}\n"));
    }
    out
}

/// `build`'s summary for stdout: one line per target.
pub fn build_summary(built: &Built) -> String {
    let mut out = String::new();
    for line in built.summary() {
        out.push_str(&format!(
            "{:<8} {} files: {} written, {} unchanged, {} removed\n",
            line.target.as_str(),
            line.files,
            line.written,
            line.files - line.written,
            line.removed
        ));
    }
    // Every removal is named (one whose target iacgen does not know is counted too), so nothing
    // disappears unseen.
    let unclaimed = built.report.removed.iter().filter(|removed| removed.target.is_none()).count();
    if unclaimed > 0 {
        out.push_str(&format!("{:<8} {unclaimed} removed\n", "other"));
    }
    for removed in &built.report.removed {
        out.push_str(&format!("removed  {}/{}\n", built.output, removed.path));
    }
    if out.is_empty() {
        out.push_str("no environment names a target: nothing to generate\n");
    }
    out
}

/// `build`'s warnings for stderr: generated files that had been edited by hand, overwritten or kept.
pub fn build_warnings(built: &Built) -> String {
    let output = &built.output;
    let mut out = String::new();
    for path in &built.report.overwritten_edits {
        out.push_str(&format!(
            "warning: `{output}/{path}` had been edited by hand; it was regenerated (use patches: in the model to keep a change)\n"
        ));
    }
    for path in &built.report.kept {
        out.push_str(&format!(
            "warning: `{output}/{path}` is no longer generated but was edited by hand, so it was kept (remove it, or build --force)\n"
        ));
    }
    out
}

/// The error line of `build --exit-code` when the build changed files.
pub fn build_changed(output: &str, changed: usize) -> String {
    let files = if changed == 1 { String::from("1 file") } else { format!("{changed} files") };
    format!("the build changed {files} in {output}; review and commit them")
}

/// `env`'s report for stdout.
pub fn env_written(report: &EnvReport) -> String {
    crate::output::dotenv::describe(report)
}

/// `env`'s warnings for stderr: names the file holds with an empty value.
pub fn env_warnings(report: &EnvReport, environment: &str) -> String {
    report
        .empty
        .iter()
        .map(|name| {
            format!(
                "warning: {name} is empty in `{}`; compose refuses to start: set it, or delete the line and run `iacgen env {environment}` again\n",
                report.path
            )
        })
        .collect()
}

/// The error line of `check` when the output differs from the model.
pub fn out_of_date(output: &str, files: usize) -> String {
    let count = if files == 1 { String::from("1 file differs") } else { format!("{files} files differ") };
    format!("{output} is out of date with the model ({count}); run `iacgen build` to update it")
}

/// `2 errors, 1 warning`.
pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") };
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}

/// A diagnostic whose labels live in one file, in the shape miette wants.
struct Report {
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    /// Related places in other files, which miette cannot show in one snippet.
    elsewhere: Vec<String>,
}

impl Report {
    fn new(diagnostic: &Diagnostic, sources: &SourceMap) -> Report {
        let mut labels = Vec::new();
        let mut elsewhere = Vec::new();
        let mut source = None;
        let mut message = diagnostic.message.clone();
        if let Some(span) = diagnostic.span {
            if let Some(file) = sources.get(span.file) {
                if line_length(&file.text, span.start as usize) > MAX_SNIPPET_LINE {
                    // A snippet of a huge line (hostile or minified input) would flood the terminal.
                    message = format!("{message}\n  at {}", sources.location(span));
                } else {
                    source = Some(NamedSource::new(file.path.clone(), file.text.clone()));
                    labels.push(LabeledSpan::new_primary_with_span(diagnostic.label.clone(), to_miette(span)));
                }
            }
        }
        for related in &diagnostic.related {
            let same_file = source.is_some() && diagnostic.span.is_some_and(|span| span.file == related.span.file);
            if same_file {
                labels.push(LabeledSpan::new_with_span(Some(related.message.clone()), to_miette(related.span)));
            } else {
                elsewhere.push(format!("{}: {}", sources.location(related.span), related.message));
            }
        }
        let mut help = diagnostic.help.clone();
        if !elsewhere.is_empty() {
            let note = elsewhere.join("\n");
            help = Some(match help {
                Some(help) => format!("{help}\n{note}"),
                None => note,
            });
        }
        Report {
            code: format!("{}({})", diagnostic.code.id(), diagnostic.code.name),
            severity: diagnostic.severity,
            message,
            help,
            source,
            labels,
            elsewhere: Vec::new(),
        }
    }
}

/// Longest source line shown in a snippet.
const MAX_SNIPPET_LINE: usize = 400;

/// Length of the line around byte `offset`.
fn line_length(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    end - start
}

fn to_miette(span: Span) -> SourceSpan {
    SourceSpan::new((span.start as usize).into(), span.len())
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|source| source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() && self.elsewhere.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}
