//! One run of the pipeline on a project laid out on disk, links and named pipes included, next
//! to files outside the project that hold a canary: nothing outside may be read, printed or
//! written. Shared by the fuzz target `disk_layout` (`fuzz/fuzz_targets/disk_layout.rs` includes
//! this file) and the corpus replay test (`tests/integration/fuzz_corpus.rs`).
//!
//! Layout format: a project bundle (see `pipeline.rs`: `iacgen.yaml`, then `#@ <path>` sections),
//! plus lines that make other kinds of entries (all YAML comments, so a layout is still a model):
//! `#@> <path> -> <target>` a symbolic link (the target may be anything: `../outside/secret.txt`,
//! `/proc/self/environ`), `#@| <path>` a named pipe, `#@/ <path>` an empty folder.
//!
//! Invariants: no panic and no hang (a named pipe must never be opened for reading); the canary
//! appears in no generated file and no rendered diagnostic; a layout of regular files only compiles
//! exactly as the same files held in memory do; a build (with `--force`) leaves everything outside
//! the project as it was.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use iacgen::output::write::{self, WriteOptions};
use iacgen::render::{self, Format, HumanOptions};
use iacgen::shared::Filter;
use iacgen::source::reader::Reader;

/// Written in every file outside the project; must never come back out.
pub const CANARY: &str = "CANARY-5e1f0c1e-outside-the-project";

/// One entry of a layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    File(Vec<u8>),
    Link(String),
    Pipe,
    Folder,
}

/// Split a layout into entries by path (a path given twice keeps its first entry).
pub fn parse(data: &[u8]) -> BTreeMap<String, Entry> {
    let mut entries = BTreeMap::new();
    let mut name = String::from(iacgen::shared::MODEL_FILE);
    let mut current = Vec::new();
    let finish = |entries: &mut BTreeMap<String, Entry>, name: String, bytes: Vec<u8>| {
        entries.entry(name).or_insert(Entry::File(bytes));
    };
    for line in data.split_inclusive(|byte| *byte == b'\n') {
        let text = String::from_utf8_lossy(line);
        let rest = |prefix: &str| text.strip_prefix(prefix).map(|rest| rest.trim().to_string());
        if let Some(next) = rest("#@ ") {
            finish(&mut entries, std::mem::replace(&mut name, next), std::mem::take(&mut current));
        } else if let Some(link) = rest("#@> ") {
            let (path, target) = link.split_once(" -> ").unwrap_or((link.as_str(), "."));
            entries.entry(path.trim().to_string()).or_insert(Entry::Link(target.trim().to_string()));
        } else if let Some(path) = rest("#@| ") {
            entries.entry(path).or_insert(Entry::Pipe);
        } else if let Some(path) = rest("#@/ ") {
            entries.entry(path).or_insert(Entry::Folder);
        } else {
            current.extend_from_slice(line);
        }
    }
    finish(&mut entries, name, current);
    entries
}

/// A fresh folder under the system's temp folder, removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("iacgen-layout-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether `path` is a plain relative path (what a layout may create inside the project).
fn plain(path: &str) -> bool {
    !path.is_empty()
        && path.len() < 200
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains(['\\', '\0']))
}

/// Make the files outside the project: what a link out of it could reach.
fn outside(root: &Path) {
    let outside = root.join("outside");
    std::fs::create_dir_all(outside.join("services")).expect("mkdir");
    std::fs::write(outside.join("secret.txt"), format!("{CANARY}\n")).expect("write");
    std::fs::write(outside.join("services/api.yaml"), format!("image: nginx:1.27\nenv: {{ X: {CANARY} }}\n"))
        .expect("write");
    std::fs::write(outside.join("iacgen.yaml"), format!("version: 1\nproject: x\ntags: {{ t: {CANARY} }}\n"))
        .expect("write");
}

/// Every file below `dir` with its bytes (links not followed): to see that nothing changed.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .flatten()
        .map(|entry| {
            let bytes = entry.file_type().is_file().then(|| std::fs::read(entry.path()).unwrap_or_default());
            (entry.path().to_path_buf(), bytes)
        })
        .collect()
}

/// Everything in the scratch folder but the project.
fn outside_tree(scratch: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let project = scratch.join("project");
    tree(scratch).into_iter().filter(|(path, _)| !path.starts_with(&project) || *path == project).collect()
}

/// Lay the entries out under `project`; returns the regular files made (for the in-memory run)
/// and whether anything else was made.
fn materialise(project: &Path, entries: &BTreeMap<String, Entry>) -> (BTreeMap<String, Vec<u8>>, bool) {
    let mut files = BTreeMap::new();
    let mut special = false;
    for (path, entry) in entries {
        if !plain(path) {
            continue;
        }
        let full = project.join(path);
        if let Some(parent) = full.parent()
            && std::fs::create_dir_all(parent).is_err()
        {
            continue;
        }
        let made = match entry {
            Entry::File(bytes) => std::fs::write(&full, bytes).is_ok(),
            Entry::Link(target) => std::os::unix::fs::symlink(target, &full).is_ok(),
            Entry::Pipe => mkfifo(&full),
            Entry::Folder => std::fs::create_dir(&full).is_ok(),
        };
        match entry {
            Entry::File(bytes) if made => {
                files.insert(path.clone(), bytes.clone());
            }
            _ => special |= made,
        }
    }
    // A file whose folder a later entry turned into something else is not there as a file.
    files.retain(|path, _| std::fs::symlink_metadata(project.join(path)).is_ok_and(|m| m.is_file()));
    (files, special)
}

fn mkfifo(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(name) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return false };
    // SAFETY: `name` is a valid NUL-terminated path for the duration of the call.
    unsafe { libc::mkfifo(name.as_ptr(), 0o644) == 0 }
}

/// The diagnostics of a failure in every format.
fn rendered(failure: &iacgen::Failure) -> String {
    let human = HumanOptions { color: false, width: 80 };
    [Format::Human, Format::Json, Format::Github]
        .into_iter()
        .map(|format| render::diagnostics(&failure.diagnostics, &failure.sources, format, human))
        .collect()
}

/// How one layout ended: compiled to this many files, or rejected.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Compiled(usize),
    Rejected,
}

/// Run the pipeline, then a forced build, on a layout; panics when an invariant does not hold.
pub fn run(data: &[u8]) -> Outcome {
    let scratch = Scratch::new();
    outside(&scratch.0);
    let project = scratch.0.join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    let (files, special) = materialise(&project, &parse(data));
    let before = outside_tree(&scratch.0);

    let filter = Filter::default();
    let from_disk = iacgen::compile(&Reader::Disk { root: project.clone() }, &filter);
    let outcome = match &from_disk {
        Ok(compiled) => {
            for (path, file) in &compiled.files.files {
                assert!(!file.contents.contains(CANARY), "`{path}` holds what a link out of the project reached");
            }
            let diagnostics = render::diagnostics(
                &compiled.resolved.diagnostics,
                &compiled.resolved.sources,
                Format::Human,
                HumanOptions { color: false, width: 80 },
            );
            assert!(!diagnostics.contains(CANARY), "a warning quotes what a link out of the project reached");
            Outcome::Compiled(compiled.files.files.len())
        }
        Err(failure) => {
            assert!(failure.diagnostics.has_errors(), "a rejected model must carry at least one error");
            assert!(!rendered(failure).contains(CANARY), "a diagnostic quotes what a link out of the project reached");
            Outcome::Rejected
        }
    };
    if !special {
        // Regular files only: the disk reader and the in-memory one must agree.
        let from_memory = iacgen::compile(&Reader::Memory { files }, &filter);
        match (&from_disk, &from_memory) {
            (Ok(disk), Ok(memory)) => assert!(disk.files == memory.files, "disk and memory compile differently"),
            (Err(_), Err(_)) => {}
            _ => panic!(
                "disk and memory disagree: disk {}, memory {}",
                if from_disk.is_ok() { "compiles" } else { "rejects" },
                if from_memory.is_ok() { "compiles" } else { "rejects" }
            ),
        }
    }
    if let Ok(compiled) = &from_disk {
        let options = WriteOptions { force: true, model_file: String::from(iacgen::shared::MODEL_FILE) };
        let output = &compiled.resolved.compilation.output;
        let _ = write::build(&project, output, &compiled.files, &filter, &options);
    }
    assert!(outside_tree(&scratch.0) == before, "something outside the project changed");
    outcome
}
