//! `iacgen validate`: load, validate and resolve only.

use crate::commands::{Options, Outcome, Warnings, project};
use crate::pipeline::{self, Resolved};

/// A model that validated.
#[derive(Debug)]
pub struct Validated {
    pub services: usize,
    pub jobs: usize,
    pub resources: usize,
    pub environments: usize,
    /// The resolved model (the caller may skip freeing it).
    pub resolved: Resolved,
}

/// Load, validate and resolve the project, checking the environments and targets `--env` and
/// `--target` select (all by default).
pub fn run(options: &Options) -> Outcome<Validated> {
    let reader = match project(options) {
        Ok((_, reader)) => reader,
        Err(stop) => return Outcome::stopped(stop),
    };
    let mut resolved = match pipeline::resolve_for(&reader, &options.filter) {
        Ok(resolved) => resolved,
        Err(failure) => return Outcome::stopped(failure),
    };
    let warnings = Warnings::take(&mut resolved);
    let base = &resolved.compilation.base;
    let validated = Validated {
        services: base.services.len(),
        jobs: base.jobs.len(),
        resources: base.resources.len(),
        environments: resolved.compilation.environments.len(),
        resolved,
    };
    Outcome { warnings, result: Ok(validated) }
}
