//! `iacgen graph`: the platform as a graph of services, jobs, resources and gateways, with where
//! each lands per environment (`--env` draws only those).

use crate::commands::{Options, Outcome, Stop, Warnings, project};
use crate::graph::{self, Graph};
use crate::pipeline::{self, Resolved};

/// The graph to draw.
#[derive(Debug)]
pub struct Drawn {
    pub graph: Graph,
    /// The resolved model (the caller may skip freeing it).
    pub resolved: Resolved,
}

/// Resolve the project and build its graph for the environments `--env` names (all by default).
pub fn run(options: &Options) -> Outcome<Drawn> {
    let reader = match project(options) {
        Ok((_, reader)) => reader,
        Err(stop) => return Outcome::stopped(stop),
    };
    let mut resolved = match pipeline::resolve_model(&reader) {
        Ok(resolved) => resolved,
        Err(failure) => return Outcome::stopped(failure),
    };
    let warnings = Warnings::take(&mut resolved);
    let known = &resolved.compilation.environments;
    let environments = &options.filter.environments;
    if let Some(unknown) = environments.iter().find(|name| !known.contains_key(*name)) {
        let names: Vec<&str> = known.keys().map(String::as_str).collect();
        let message = format!("unknown environment `{unknown}` (defined: {})", names.join(", "));
        return Outcome { warnings, result: Err(Stop::Error(message)) };
    }
    let graph = graph::build(&resolved.compilation, environments);
    Outcome { warnings, result: Ok(Drawn { graph, resolved }) }
}
