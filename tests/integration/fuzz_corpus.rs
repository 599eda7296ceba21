//! The fuzz corpus as a regression test: every input the fuzzer kept (`fuzz/corpus/load_validate/`,
//! minimised) and every input that once crashed or broke an invariant (`fuzz/regressions/`) runs
//! through the whole pipeline with the fuzz target's checks (`tests/integration/common/pipeline.rs`): no
//! panic, no hang, generated paths inside the output folder, deterministic output.
//! The `disk_layout` corpus (`fuzz/corpus/disk_layout/`: projects laid out on disk with links and
//! named pipes) and its past findings (`fuzz/regressions/disk_layout/`) run through
//! `tests/integration/common/layout.rs` the same way.
//! `fuzz/README.md` tells how to run the fuzzer itself.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common;
use crate::common::pipeline::{self, Outcome};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// Run `paths` on every core; returns the outcomes in order, after every input ran. Fails naming
/// every input that panicked (its message is printed as it happens) or took too long.
fn run_all(paths: &[PathBuf]) -> Vec<Outcome> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(4);
    let chunk = paths.len().div_ceil(threads).max(1);
    let results: Vec<Result<Outcome, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|path| {
                            let data = std::fs::read(path).expect("read input");
                            let started = Instant::now();
                            let outcome = std::panic::catch_unwind(|| pipeline::run(&data));
                            let elapsed = started.elapsed();
                            match outcome {
                                Err(_) => Err(format!("{} fails", path.display())),
                                Ok(_) if elapsed >= Duration::from_secs(10) => {
                                    Err(format!("{} took {elapsed:?}", path.display()))
                                }
                                Ok(outcome) => Ok(outcome),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker")).collect()
    });
    let failures: Vec<&String> = results.iter().filter_map(|result| result.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} inputs failed:\n{}",
        failures.len(),
        paths.len(),
        failures.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("\n")
    );
    results.into_iter().filter_map(Result::ok).collect()
}

#[test]
fn the_fuzz_corpus_runs_clean() {
    let corpus = inputs(&common::repo().join("fuzz/corpus/load_validate"));
    assert!(corpus.len() >= 50, "the committed corpus is missing ({} inputs)", corpus.len());
    let outcomes = run_all(&corpus);
    let compiled = outcomes.iter().filter(|o| matches!(o, Outcome::Compiled(_))).count();
    eprintln!("{} corpus inputs: {compiled} compiled, {} rejected", outcomes.len(), outcomes.len() - compiled);
    assert!(compiled > 0, "no corpus input compiles: the corpus no longer reaches the targets");
}

#[test]
fn every_past_finding_stays_fixed() {
    let findings = inputs(&common::repo().join("fuzz/regressions"));
    assert!(!findings.is_empty(), "fuzz/regressions/ is empty");
    run_all(&findings);
}

#[test]
fn every_example_project_is_a_seed() {
    // The seeds are the example projects and test cases bundled (fuzz/seed.sh); each still
    // compiles that way, with every check of the fuzz target.
    let mut projects = common::projects(&common::repo().join("fixtures/ok"));
    projects.extend(common::projects(&common::repo().join("tests/cases")));
    common::each(projects.iter().map(|dir| (dir.display(), dir)), |dir| {
        let mut files = std::collections::BTreeMap::new();
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            let relative = entry.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
            if entry.file_type().is_file() && !relative.starts_with("deploy") && relative != "README.md" {
                files.insert(relative, std::fs::read(entry.path()).expect("read"));
            }
        }
        let outcome = pipeline::run(&pipeline::bundle(&files));
        assert!(matches!(outcome, Outcome::Compiled(_)), "{}: {outcome:?}", dir.display());
    });
}

#[test]
fn the_disk_layout_corpus_runs_clean() {
    use common::layout;
    let mut corpus = inputs(&common::repo().join("fuzz/corpus/disk_layout"));
    assert!(corpus.len() >= 15, "the committed corpus is missing ({} inputs)", corpus.len());
    // Past findings of this target, replayed with the corpus.
    corpus.extend(inputs(&common::repo().join("fuzz/regressions/disk_layout")));
    let mut compiled = 0;
    for path in &corpus {
        let data = std::fs::read(path).expect("read input");
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| layout::run(&data));
        let Ok(outcome) = outcome else { panic!("{} fails", path.display()) };
        assert!(started.elapsed() < Duration::from_secs(10), "{} took {:?}", path.display(), started.elapsed());
        compiled += usize::from(matches!(outcome, layout::Outcome::Compiled(_)));
    }
    eprintln!("{} layouts: {compiled} compiled, {} rejected", corpus.len(), corpus.len() - compiled);
    assert!(compiled > 0, "no layout compiles: the corpus no longer reaches the targets");
}
