//! Which definitions the model's own errors make unreliable. A bad field is left out when it is
//! decoded and a reference to nothing resolves to nothing, so the resolved values of a service with
//! an error are not what its author wrote: a missing health check or a `latest` tag found there
//! would be a consequence, not a finding. Every other service, job and resource is checked anyway,
//! so one run shows every problem; an error outside any one definition (defaults, environments,
//! targets, a definition's name) leaves nothing reliable to check.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostics, Finding, Severity};
use crate::model::Model;
use crate::shared::span::Span;

/// The definitions whose findings on the resolved model are left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Broken {
    /// The model has no error.
    #[default]
    Nothing,
    /// Services, jobs and resources (by name) that hold an error in their definition or in an
    /// environment's override of it.
    Definitions(BTreeSet<String>),
    /// An error outside any one definition: the resolved model is not checked.
    Everything,
}

impl Broken {
    /// What the errors among `diagnostics` make unreliable in `model`.
    pub fn of(model: &Model, diagnostics: &Diagnostics) -> Broken {
        let mut names = BTreeSet::new();
        for diagnostic in diagnostics.items.iter().filter(|d| d.severity == Severity::Error) {
            let Some(span) = diagnostic.span else { return Broken::Everything };
            match definition_holding(model, span) {
                Some(name) => {
                    names.insert(name.to_string());
                }
                None => return Broken::Everything,
            }
        }
        if names.is_empty() { Broken::Nothing } else { Broken::Definitions(names) }
    }

    /// Whether `finding` is about a definition left out.
    pub fn covers(&self, finding: &Finding) -> bool {
        match self {
            Broken::Nothing => false,
            Broken::Everything => true,
            Broken::Definitions(names) => finding.subject.as_ref().is_some_and(|subject| names.contains(subject)),
        }
    }

    /// Whether the model has no error.
    pub fn is_nothing(&self) -> bool {
        *self == Broken::Nothing
    }
}

/// The service, job or resource whose definition (or an environment's override of it) holds `span`.
fn definition_holding(model: &Model, span: Span) -> Option<&str> {
    let within = |outer: Span| outer.file == span.file && outer.start <= span.start && span.end <= outer.end;
    let services = model.services.values().map(|s| (&s.name.value, s.spec.span));
    let jobs = model.jobs.values().map(|j| (&j.name.value, j.spec.span));
    let resources = model.resources.values().map(|r| (&r.name.value, r.span));
    let overrides = model
        .environments
        .values()
        .flat_map(|e| e.services.values().chain(e.jobs.values()))
        .map(|(name, spec)| (&name.value, spec.span));
    services
        .chain(jobs)
        .chain(resources)
        .chain(overrides)
        .find(|(_, outer)| within(*outer))
        .map(|(name, _)| name.as_str())
}
