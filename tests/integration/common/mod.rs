//! Helpers shared by the integration tests: compile a project folder, list cases, run every item
//! of a data-driven check.

#![allow(dead_code)]

pub mod layout;
pub mod lists;
pub mod models;
pub mod pipeline;

use std::path::{Path, PathBuf};

use iacgen::shared::{FileSet, Filter};
use iacgen::source::reader::Reader;

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
    let options = iacgen::render::HumanOptions { color: false, width: 80 };
    iacgen::render::diagnostics(&failure.diagnostics, &failure.sources, iacgen::render::Format::Human, options)
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

/// Whether this process runs as root (which ignores file modes).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().expect("temp file");
    probe.as_file().metadata().expect("metadata").uid() == 0
}

/// The unprivileged user and group that permission tests run iacgen as when the tests run as root.
pub const NOBODY: u32 = 65534;

/// Prepare `command` to run where file modes are enforced: as root, hand `project` (recursively)
/// to an unprivileged user and run as that user. Returns false when that user cannot run the
/// binary here (its folder is not reachable), in which case the caller skips the check.
pub fn unprivileged(command: &mut std::process::Command, project: &Path) -> bool {
    use std::os::unix::process::CommandExt;
    if !is_root() {
        return true;
    }
    for entry in walkdir::WalkDir::new(project).into_iter().flatten() {
        std::os::unix::fs::lchown(entry.path(), Some(NOBODY), Some(NOBODY)).expect("chown");
    }
    command.uid(NOBODY).gid(NOBODY);
    // The binary and every folder above it must be reachable by that user.
    let binary = Path::new(env!("CARGO_BIN_EXE_iacgen"));
    binary.ancestors().all(|dir| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(dir).is_ok_and(|m| m.permissions().mode() & 0o001 != 0)
    })
}

/// Run `check` on every `(label, item)`, also after one fails, then fail once naming every item
/// that failed (each failure's own message is printed as it happens): one mismatch never hides the
/// next.
pub fn each<L: std::fmt::Display, T>(items: impl IntoIterator<Item = (L, T)>, mut check: impl FnMut(T)) {
    let mut failed = Vec::new();
    let mut count = 0;
    for (label, item) in items {
        count += 1;
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(item))).is_err() {
            failed.push(label.to_string());
        }
    }
    assert!(failed.is_empty(), "{} of {count} failed: {}", failed.len(), failed.join(", "));
}

/// The project folder `root/name`.
pub fn project(root: &str, name: &str) -> PathBuf {
    repo().join(root).join(name)
}

/// Run the binary in `dir`: exit code and a transcript of stdout and stderr with the folder `root`
/// shown as [ROOT].
pub fn transcript(dir: &Path, root: &Path, args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_iacgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run iacgen");
    let code = output.status.code().unwrap_or(-1);
    let root = root.display().to_string();
    let stdout = String::from_utf8_lossy(&output.stdout).replace(&root, "[ROOT]");
    let stderr = String::from_utf8_lossy(&output.stderr).replace(&root, "[ROOT]");
    (code, format!("exit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}"))
}
