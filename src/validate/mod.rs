//! The `validate` stage: names, references and shapes on the model (before resolution), then the
//! rules that encode the standards on every resolved environment (after it). Every problem is
//! reported at once.

pub mod rules;
pub mod secrets;
pub mod waivers;

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ir::Compilation;
use crate::model::Model;

/// A diagnostic found on a resolved environment, with what it is about (for waivers and grouping).
#[derive(Clone, Debug)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    /// The service or job it is about, if any (waivers apply per service).
    pub subject: Option<String>,
    pub environment: String,
}

/// Check the model itself: names, references, shapes. Runs before `resolve`.
pub fn model(model: &Model) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    rules::names::check(model, &mut diagnostics);
    rules::references::check(model, &mut diagnostics);
    rules::shape::check(model, &mut diagnostics);
    diagnostics
}

/// Check every resolved environment against the standards, apply waivers, and merge findings that
/// repeat across environments into one diagnostic that names them.
pub fn compilation(model: &Model, compilation: &Compilation) -> Diagnostics {
    let mut findings = Vec::new();
    for stack in compilation.environments.values() {
        rules::standards::check(stack, &mut findings);
        rules::resolved::check(stack, &mut findings);
        rules::secret_values::check(stack, &mut findings);
        rules::derived_names::check(model, stack, &mut findings);
    }
    let diagnostics = merge_environments(waivers::apply(model, findings));
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
