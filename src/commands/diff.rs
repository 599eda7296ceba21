//! `iacgen diff`: what `build` would change, or (with a base revision) what the model change since
//! that revision does to the generated files.

use std::path::{Path, PathBuf};

use crate::commands::{Options, Outcome, Stop, Warnings, project};
use crate::graph::{self, Graph};
use crate::output::changes::{self, Change};
use crate::output::semantic;
use crate::pipeline::{self, Compiled};
use crate::source::reader::{self, Reader};

/// The difference to show.
#[derive(Debug)]
pub struct Diffed {
    /// The output folder, relative to the project.
    pub output: String,
    /// Every file that changes, sorted by path.
    pub changes: Vec<Change>,
    /// With a base revision: what the model change does, in a reviewer's terms (one line each).
    pub semantic: Vec<String>,
    /// With a base revision: the platform graph before and after (for `--diff-format markdown`),
    /// of the environments `--env` selects.
    pub graphs: Option<(Graph, Graph)>,
    /// The compiled model of the working tree (the caller may skip freeing it).
    pub compiled: Compiled,
}

/// Compile the project and compare its files with the output folder, or with the files the model
/// at git revision `base` compiles to.
pub fn run(options: &Options, base: Option<&str>) -> Outcome<Diffed> {
    let (root, reader) = match project(options) {
        Ok(found) => found,
        Err(stop) => return Outcome::stopped(stop),
    };
    let mut compiled = match pipeline::compile(&reader, &options.filter) {
        Ok(compiled) => compiled,
        Err(failure) => return Outcome::stopped(failure),
    };
    let warnings = Warnings::take(&mut compiled.resolved);
    let output = compiled.resolved.compilation.output.clone();
    let (changes, semantic, graphs) = match base {
        None => (changes::against_disk(&root.join(&output), &compiled.files, &options.filter).0, Vec::new(), None),
        Some(rev) => {
            let base_reader = match git_reader(&root, rev) {
                Ok(reader) => reader,
                Err(message) => return Outcome { warnings, result: Err(Stop::Error(message)) },
            };
            let old = match pipeline::compile(&base_reader, &options.filter) {
                Ok(old) => old,
                Err(failure) => {
                    let heading = Some(format!("error: the model at {rev} does not compile:"));
                    return Outcome { warnings, result: Err(Stop::Invalid { heading, failure }) };
                }
            };
            let semantic = semantic::summary(&old.resolved.compilation, &compiled.resolved.compilation);
            let environments = &options.filter.environments;
            let graphs = (
                graph::build(&old.resolved.compilation, environments),
                graph::build(&compiled.resolved.compilation, environments),
            );
            (changes::between(&old.files, &compiled.files, None), semantic, Some(graphs))
        }
    };
    Outcome { warnings, result: Ok(Diffed { output, changes, semantic, graphs, compiled }) }
}

/// A reader of the project at git revision `rev` (the project may sit below the repository's top).
fn git_reader(root: &Path, rev: &str) -> Result<Reader, String> {
    let top = reader::git(root, &["rev-parse", "--show-toplevel"]).map_err(|e| format!("not a git repository: {e}"))?;
    let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let prefix = reader::git(root, &["rev-parse", "--show-prefix"]).map_err(|e| format!("git failed: {e}"))?;
    let prefix = String::from_utf8_lossy(&prefix).trim().trim_end_matches('/').to_string();
    reader::git(&top, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("unknown git revision `{rev}`"))?;
    Ok(Reader::Git { repo: top, rev: rev.to_string(), prefix })
}
