//! What compose cannot do: nothing the model can say today. Compose runs every construct of the
//! model on one machine (persistent volumes as named volumes, files as configs, jobs as one-shot
//! services under a profile, no autoscaler: replicas from `autoscale.min`), so its entry point finds
//! nothing; it exists so that every target has one place for its limits.

use crate::diagnostic::Finding;
use crate::ir::Stack;

/// Every problem of the environments in `stacks` for the compose target: none.
pub fn check(_stacks: &[&Stack]) -> Vec<Finding> {
    Vec::new()
}
