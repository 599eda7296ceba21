//! `iacgen init [DIR]`: write the example model (the `example` fixture), never over an existing one.

use std::path::PathBuf;

use crate::commands::{Options, Outcome, given};
use crate::shared::MODEL_FILE;

/// The example that `iacgen init` writes (the same file as the `example` fixture).
pub const EXAMPLE: &str = include_str!("../../fixtures/ok/example/iacgen.yaml");

/// Where the example was written.
#[derive(Debug)]
pub struct Initialised {
    /// The project folder.
    pub dir: PathBuf,
    /// Its iacgen.yaml.
    pub path: PathBuf,
}

/// Write the example model into `directory` (relative to `-C DIR`; default: that folder).
pub fn run(options: &Options, directory: Option<PathBuf>) -> Outcome<Initialised> {
    let dir = given(options, directory);
    let path = dir.join(MODEL_FILE);
    if path.exists() {
        return Outcome::stopped(format!("`{}` already exists; init never overwrites a model", path.display()));
    }
    if let Err(error) = std::fs::create_dir_all(&dir) {
        return Outcome::stopped(format!("failed to create `{}`: {error}", dir.display()));
    }
    if let Err(error) = crate::output::fs_safe::create_new(&path, EXAMPLE.as_bytes()) {
        return Outcome::stopped(error.message);
    }
    Outcome { warnings: Default::default(), result: Ok(Initialised { dir, path }) }
}
