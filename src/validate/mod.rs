//! The `validate` stage: names, references and shapes on the model (before resolution), then the
//! rules that encode the standards and each target's checks on every resolved environment (after
//! it), for the targets and environments a command selects. Every problem is reported at once: the
//! resolved model is checked too when the model has errors, except what those errors make
//! unreliable (`broken`).

pub mod broken;
pub mod rules;
pub mod secrets;
pub mod waivers;

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics, Finding};
use crate::ir::Compilation;
use crate::model::Model;
use crate::shared::Filter;

pub use broken::Broken;

/// Check the model itself: names, references, shapes. Runs before `resolve`.
pub fn model(model: &Model) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    rules::names::check(model, &mut diagnostics);
    rules::references::check(model, &mut diagnostics);
    rules::shape::check(model, &mut diagnostics);
    diagnostics
}

/// Check the resolved environments `filter` selects against the standards and the rules that hold
/// for every target, then each selected target's own checks (`targets::checks`) on them; apply
/// waivers, and merge findings that repeat across environments into one diagnostic that names them.
/// Findings about a definition that has errors of its own (`broken`) are left out: its resolved
/// values are not what its author wrote. A waiver that covers nothing is reported only when every
/// environment, every target and every definition were checked.
pub fn compilation(model: &Model, compilation: &Compilation, filter: &Filter, broken: &Broken) -> Diagnostics {
    let mut findings = Vec::new();
    // With `--target`, an environment that names none of the selected targets is not built.
    let in_scope = |stack: &&crate::ir::Stack| {
        filter.environment(Some(&stack.environment))
            && (filter.targets.is_empty() || stack.targets.iter().any(|target| filter.target(*target)))
    };
    for stack in compilation.environments.values().filter(in_scope) {
        rules::standards::check(stack, &mut findings);
        rules::resolved::check(stack, &mut findings);
        rules::credentials::check(stack, &mut findings);
        rules::runtime::check(stack, &mut findings);
        rules::secret_values::check(stack, &mut findings);
    }
    findings.extend(crate::targets::checks::run(compilation, filter));
    findings.retain(|finding| !broken.covers(finding));
    let complete = filter.environments.is_empty() && filter.targets.is_empty() && broken.is_nothing();
    let diagnostics = merge_environments(waivers::apply(model, findings, complete));
    let mut out = Diagnostics::new();
    for diagnostic in diagnostics {
        out.push(diagnostic);
    }
    out
}

/// Findings with the same code, place and message in several environments become one diagnostic
/// whose message names the environments.
fn merge_environments(findings: Vec<Finding>) -> Vec<Diagnostic> {
    let mut groups: BTreeMap<(u16, Option<(u32, u32, u32)>, String), (Diagnostic, Vec<String>)> = BTreeMap::new();
    for finding in findings {
        let span = finding.diagnostic.span.map(|s| (s.file.0, s.start, s.end));
        let key = (finding.diagnostic.code.number, span, finding.diagnostic.message.clone());
        let entry = groups.entry(key).or_insert_with(|| (finding.diagnostic.clone(), Vec::new()));
        if !finding.environment.is_empty() && !entry.1.contains(&finding.environment) {
            entry.1.push(finding.environment);
        }
    }
    groups
        .into_values()
        .map(|(mut diagnostic, environments)| {
            if environments.is_empty() {
                return diagnostic;
            }
            let list = environments.iter().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ");
            let noun = if environments.len() == 1 { "environment" } else { "environments" };
            diagnostic.message = format!("{} (in {noun} {list})", diagnostic.message);
            diagnostic
        })
        .collect()
}
