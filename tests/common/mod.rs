//! Helpers shared by the integration tests: compile a project folder, list cases.

#![allow(dead_code)]

pub mod pipeline;

use std::path::{Path, PathBuf};

use iacgen::source::reader::Reader;
use iacgen::targets::{FileSet, Filter};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compile the project in `dir`, panicking with the rendered diagnostics if it fails.
pub fn compile(dir: &Path) -> FileSet {
    match iacgen::compile(&Reader::Disk { root: dir.to_path_buf() }, &Filter::default()) {
        Ok(compiled) => compiled.files,
        Err(failure) => panic!("{} does not compile:\n{}", dir.display(), render(&failure)),
    }
}

/// Diagnostics rendered as users see them: no colour, 80 columns.
pub fn render(failure: &iacgen::Failure) -> String {
    let options = iacgen::diagnostic::render::HumanOptions { color: false, width: 80 };
    iacgen::diagnostic::render::render(
        &failure.diagnostics,
        &failure.sources,
        iacgen::diagnostic::render::Format::Human,
        options,
    )
}

/// Sub-folders of `dir` holding an iacgen.yaml, sorted by name.
pub fn projects(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.join("iacgen.yaml").is_file()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// The folder's name.
pub fn name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
