//! Terraform for Azure: `terraform/azure/<env>/` roots calling vendored modules (not yet implemented: emits nothing).

use crate::diagnostic::Diagnostics;
use crate::ir::{Compilation, Stack};
use crate::targets::{EmitOptions, FileSet};

/// Emit the target for every environment in `stacks`.
pub fn emit(_compilation: &Compilation, _stacks: &[&Stack], _options: &EmitOptions) -> Result<FileSet, Diagnostics> {
    Ok(FileSet::default())
}
