//! `iacgen import compose FILE [-o DIR]`: write `DIR/iacgen.yaml` from a docker-compose file (never
//! over an existing model), then validate what was written.

use std::path::PathBuf;

use crate::commands::{Options, Outcome, Warnings, given};
use crate::import::Import;
use crate::pipeline::{self, Failure};
use crate::shared::MODEL_FILE;
use crate::source::reader::Reader;

/// A model written from a compose file.
#[derive(Debug)]
pub struct Written {
    pub import: Import,
    /// The project folder and its new iacgen.yaml.
    pub dir: PathBuf,
    pub path: PathBuf,
    /// The written model validated (with these warnings), or it did not: a bug in the importer.
    pub validation: Result<Warnings, Failure>,
}

/// Import `file` (relative to `-C DIR`) into `output` (relative to `-C DIR`; default: that folder).
pub fn compose(options: &Options, file: &std::path::Path, output: Option<PathBuf>) -> Outcome<Written> {
    let file = given(options, Some(file.to_path_buf()));
    let dir = given(options, output);
    let path = dir.join(MODEL_FILE);
    if path.exists() {
        return Outcome::stopped(format!("`{}` already exists; import never overwrites a model", path.display()));
    }
    let import = match crate::import::compose(&file, &dir) {
        Ok(import) => import,
        Err(failure) => return Outcome::stopped(failure),
    };
    if let Err(error) = std::fs::create_dir_all(&dir) {
        return Outcome::stopped(format!("failed to create `{}`: {error}", dir.display()));
    }
    if let Err(error) = crate::output::fs_safe::create_new(&path, import.model.as_bytes()) {
        return Outcome::stopped(error.message);
    }
    let validation =
        pipeline::resolve_model(&Reader::Disk { root: dir.clone() }).map(|mut resolved| Warnings::take(&mut resolved));
    Outcome { warnings: Warnings::default(), result: Ok(Written { import, dir, path, validation }) }
}
