//! Sizes the aws target rounds: allocated database storage (Fargate task sizes are
//! [`crate::targets::fargate::size`], shared with the ecs target).

use crate::ir::Resource;

/// The smallest allocated storage RDS accepts for these engines, in GiB.
pub const MIN_STORAGE_GIB: u32 = 20;

/// A database's allocated storage: the model's storage in whole GiB (rounded up), at least
/// [`MIN_STORAGE_GIB`].
pub fn storage_gib(resource: &Resource) -> u32 {
    resource.storage.gibibytes_ceil().max(MIN_STORAGE_GIB)
}
