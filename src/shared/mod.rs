//! What every stage may use and no stage owns: source spans, the names of the model file and the
//! default output folder, the targets and the `--target`/`--env` filter, and the set of generated
//! files that targets produce, patches change and `output` writes.
//!
//! Nothing here imports another module of the crate: it is the bottom of the import order that
//! `tests/integration/layers.rs` enforces (see the code map in `lib.rs`).

mod files;
mod scope;
pub mod span;

pub use files::{FileSet, GeneratedFile};
pub use scope::{Filter, Target};

/// The model's main file name.
pub const MODEL_FILE: &str = "iacgen.yaml";

/// The output folder when the model names none (relative to the project).
pub const DEFAULT_OUTPUT: &str = "deploy";
