//! The example projects under `fixtures/ok/`: each compiles, its committed output is in sync with the
//! model (what `iacgen check` does in CI), and the build is deterministic across runs, folders and
//! thread counts. Three tests per fixture (`fixtures::<fixture>::...`).

use std::path::Path;

use iacgen::output::changes;
use iacgen::shared::Filter;

use crate::common;

fn committed_output_is_in_sync(case: &str) {
    let dir = common::project("fixtures/ok", case);
    let files = common::compile(&dir);
    let out_dir = dir.join("deploy");
    let drift = changes::against_disk(&out_dir, &files, &Filter::default()).0;
    let paths: Vec<String> = drift.iter().map(|c| format!("{} {}", c.kind.as_str(), c.path)).collect();
    assert!(
        paths.is_empty(),
        "fixtures/ok/{case}: output drifted (run `iacgen build -C fixtures/ok/{case}`): {paths:#?}"
    );
}

fn builds_are_byte_identical_across_runs_and_folders(case: &str) {
    let dir = common::project("fixtures/ok", case);
    let first = common::compile(&dir);
    let second = common::compile(&dir);
    assert_eq!(first, second, "{} differs between two runs", dir.display());
    let copy = tempfile::tempdir().expect("temp dir");
    copy_model(&dir, copy.path());
    let third = common::compile(copy.path());
    assert_eq!(first, third, "{} differs when built from another folder", dir.display());
}

fn builds_are_byte_identical_whatever_the_number_of_threads(case: &str) {
    // Targets, charts, environments, stacks and hashes are computed in parallel and merged in a
    // fixed order: one thread and several must give the same files.
    let with_threads = |threads: usize, dir: &Path| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        pool.install(|| common::compile(dir))
    };
    let dir = common::project("fixtures/ok", case);
    let one = with_threads(1, &dir);
    assert_eq!(one, with_threads(4, &dir), "{} differs between 1 and 4 threads", dir.display());
    assert_eq!(one, with_threads(7, &dir), "{} differs between 1 and 7 threads", dir.display());
}

macro_rules! fixture_tests {
    ($($name:ident: $folder:literal),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn committed_output_is_in_sync() {
                    super::committed_output_is_in_sync($folder);
                }

                #[test]
                fn builds_are_byte_identical_across_runs_and_folders() {
                    super::builds_are_byte_identical_across_runs_and_folders($folder);
                }

                #[test]
                fn builds_are_byte_identical_whatever_the_number_of_threads() {
                    super::builds_are_byte_identical_whatever_the_number_of_threads($folder);
                }
            }
        )*
    };
}

common::lists::ok_fixtures!(fixture_tests);

/// Copy a project's model files (not its output) to `to`.
fn copy_model(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let Ok(relative) = entry.path().strip_prefix(from) else { continue };
        if relative.starts_with("deploy") {
            continue;
        }
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
