//! Properties of `build`, over the example projects and over generated models (proptest, fixed
//! seed; `PROPTEST_CASES=N PROPTEST_RNG_SEED=M` runs more and others):
//! - a build is idempotent: the second one writes and removes nothing;
//! - `check` after `build` is clean;
//! - the output does not depend on the order files were created on disk, on splitting services
//!   into `services/*.yaml`, or on the current directory;
//! - a build filtered with `--env`/`--target` never touches files of another scope.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use iacgen::ir::Target;
use iacgen::output::changes;
use iacgen::output::manifest::{self, MANIFEST, Manifest};
use iacgen::output::write::{self, WriteOptions};
use iacgen::shared::{FileSet, Filter};
use iacgen::source::reader::Reader;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use crate::common;
use crate::common::{models, pipeline};

fn options() -> WriteOptions {
    WriteOptions { force: false, model_file: String::from("iacgen.yaml") }
}

/// Every example project: `fixtures/ok/*` and `tests/cases/*`.
fn example_projects() -> Vec<PathBuf> {
    let mut out = common::projects(&common::repo().join("fixtures/ok"));
    out.extend(common::projects(&common::repo().join("tests/cases")));
    out
}

/// The model files of a project (everything but its output), by relative path.
fn model_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        let relative = entry.path().strip_prefix(dir).expect("inside");
        if relative.starts_with("deploy") || !entry.file_type().is_file() {
            continue;
        }
        out.insert(relative.to_string_lossy().into_owned(), std::fs::read(entry.path()).expect("read"));
    }
    out
}

/// Write `files` into a fresh folder in the given order of creation.
fn materialise(files: &BTreeMap<String, Vec<u8>>, order: &[usize]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let list: Vec<(&String, &Vec<u8>)> = files.iter().collect();
    for index in order {
        let (path, bytes) = list[*index];
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, bytes).expect("write");
    }
    dir
}

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| {
            let relative = entry.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
            (relative, std::fs::read(entry.path()).expect("read"))
        })
        .collect()
}

/// Build, build again, check: the second build does nothing and the check is clean.
fn idempotent_and_clean(root: &Path, output: &str, files: &FileSet, filter: &Filter) -> Result<(), String> {
    write::build(root, output, files, filter, &options()).map_err(|e| format!("first build: {e}"))?;
    let before = tree(&root.join(output));
    let again = write::build(root, output, files, filter, &options()).map_err(|e| format!("second build: {e}"))?;
    if !again.written.is_empty() || !again.removed.is_empty() {
        return Err(format!("the second build wrote {:?} and removed {:?}", again.written, again.removed));
    }
    if tree(&root.join(output)) != before {
        return Err(String::from("the second build changed the folder"));
    }
    check_clean(root, output, files, filter)
}

/// What `iacgen check` decides.
fn check_clean(root: &Path, output: &str, files: &FileSet, filter: &Filter) -> Result<(), String> {
    let (disk, previous) = changes::disk(&root.join(output), files, filter);
    let drift = changes::between(&disk, files, Some(&previous));
    if !drift.is_empty() {
        let paths: Vec<String> = drift.iter().map(|c| format!("{} {}", c.kind.as_str(), c.path)).collect();
        return Err(format!("check after build reports drift: {paths:?}"));
    }
    if Manifest::of(files, &previous, filter, "iacgen.yaml").files != previous.files {
        return Err(String::from("check after build reports a stale manifest"));
    }
    Ok(())
}

fn compile(reader: &Reader, filter: &Filter) -> Option<(FileSet, String)> {
    iacgen::compile(reader, filter).ok().map(|c| (c.files, c.resolved.compilation.output))
}

#[test]
fn examples_build_idempotently_and_check_clean() {
    let projects = example_projects();
    common::each(projects.iter().map(|dir| (dir.display(), dir)), |dir| {
        let copy = materialise(&model_files(dir), &(0..model_files(dir).len()).collect::<Vec<_>>());
        let reader = Reader::Disk { root: copy.path().to_path_buf() };
        let (files, output) = compile(&reader, &Filter::default()).expect("compiles");
        if let Err(message) = idempotent_and_clean(copy.path(), &output, &files, &Filter::default()) {
            panic!("{}: {message}", dir.display());
        }
    });
}

#[test]
fn examples_do_not_depend_on_the_order_of_files_on_disk() {
    let projects = example_projects();
    common::each(projects.iter().map(|dir| (dir.display(), dir)), |dir| {
        let files = model_files(dir);
        let count = files.len();
        let mut orders: Vec<Vec<usize>> = vec![(0..count).collect(), (0..count).rev().collect()];
        // Seeded shuffles (a simple LCG, so the orders are the same on every run).
        let mut state: u64 = 0x5eed;
        for _ in 0..3 {
            let mut order: Vec<usize> = (0..count).collect();
            for i in (1..count).rev() {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                order.swap(i, (state >> 33) as usize % (i + 1));
            }
            orders.push(order);
        }
        let mut first: Option<FileSet> = None;
        for order in orders {
            let copy = materialise(&files, &order);
            let (set, _) =
                compile(&Reader::Disk { root: copy.path().to_path_buf() }, &Filter::default()).expect("compiles");
            match &first {
                None => first = Some(set),
                Some(first) => assert!(first == &set, "{}: output depends on file creation order", dir.display()),
            }
        }
        // And the in-memory reader (the fuzzer's) sees the same project.
        let (memory, _) = compile(&Reader::Memory { files }, &Filter::default()).expect("compiles");
        assert!(first.as_ref() == Some(&memory), "{}: the in-memory reader differs from disk", dir.display());
    });
}

#[test]
fn output_does_not_depend_on_the_current_directory() {
    let bin = env!("CARGO_BIN_EXE_iacgen");
    let projects = example_projects();
    common::each(projects.iter().map(|dir| (dir.display(), dir)), |dir| {
        let files = model_files(dir);
        let order: Vec<usize> = (0..files.len()).collect();
        let mut trees = Vec::new();
        // Inside the project; `-C` absolute from `/`; `-C` relative from the parent; from a subfolder.
        for how in 0..4 {
            let copy = materialise(&files, &order);
            let root = copy.path();
            let parent = root.parent().expect("parent");
            let name = root.file_name().expect("name").to_string_lossy().into_owned();
            std::fs::create_dir_all(root.join("sub/folder")).expect("mkdir");
            let mut command = Command::new(bin);
            command.arg("build").arg("-q");
            match how {
                0 => command.current_dir(root),
                1 => command.arg("-C").arg(root).current_dir("/"),
                2 => command.arg("-C").arg(&name).current_dir(parent),
                _ => command.current_dir(root.join("sub/folder")),
            };
            let output = command.output().expect("run iacgen");
            assert!(output.status.success(), "{}: {}", dir.display(), String::from_utf8_lossy(&output.stderr));
            let mut built = tree(root);
            built.retain(|path, _| !files.contains_key(path));
            trees.push(built);
        }
        assert!(trees.iter().all(|t| t == &trees[0]), "{}: output depends on the current directory", dir.display());
    });
}

/// Scope of a manifest entry, for comparing files around a filtered build.
fn out_of_scope(manifest: &Manifest, filter: &Filter) -> Vec<String> {
    manifest.files.iter().filter(|(_, e)| !manifest::in_scope(e, filter)).map(|(p, _)| p.clone()).collect()
}

/// Build `first` fully, then `second` with `filter`: files of other scopes are untouched, the
/// selected scope is exactly `second`'s, and `check` with the same filter is clean.
fn filtered_build_keeps_other_scopes(
    first: &BTreeMap<String, Vec<u8>>,
    second: &BTreeMap<String, Vec<u8>>,
    filter: &Filter,
) -> Result<(), String> {
    let Some((all, output)) = compile(&Reader::Memory { files: first.clone() }, &Filter::default()) else {
        return Ok(());
    };
    let Some((selected, second_output)) = compile(&Reader::Memory { files: second.clone() }, filter) else {
        return Ok(());
    };
    if second_output != output {
        return Ok(());
    }
    let dir = tempfile::tempdir().expect("temp dir");
    write::build(dir.path(), &output, &all, &Filter::default(), &options()).map_err(|e| e.to_string())?;
    let before = tree(&dir.path().join(&output));
    let manifest = Manifest::parse(&String::from_utf8_lossy(&before[MANIFEST]));
    write::build(dir.path(), &output, &selected, filter, &options()).map_err(|e| e.to_string())?;
    let after = tree(&dir.path().join(&output));
    for path in out_of_scope(&manifest, filter) {
        if selected.files.contains_key(&path) {
            continue;
        }
        if before.get(&path) != after.get(&path) {
            return Err(format!("a build filtered to {filter:?} changed `{path}` of another scope"));
        }
    }
    for (path, file) in &selected.files {
        if after.get(path).map(Vec::as_slice) != Some(file.contents.as_bytes()) {
            return Err(format!("a build filtered to {filter:?} did not write `{path}`"));
        }
    }
    check_clean(dir.path(), &output, &selected, filter)
}

#[test]
fn filtered_builds_keep_other_scopes() {
    // A model with two environments; then the second environment is dropped and the first changed.
    let before = "version: 1
project: shop
services:
  api: { version: 1.0.0, port: 8080, health: { path: /health } }
environments:
  development: { targets: [compose] }
  staging: { targets: [compose] }
targets:
  compose: { monitoring: prometheus }
";
    let after = before.replace("  staging: { targets: [compose] }\n", "").replace("1.0.0", "1.0.1");
    let as_files = |text: &str| BTreeMap::from([(String::from("iacgen.yaml"), text.as_bytes().to_vec())]);
    for filter in [
        Filter { environments: vec![String::from("development")], targets: vec![] },
        Filter { environments: vec![], targets: vec![Target::Helm] },
        Filter { environments: vec![String::from("development")], targets: vec![Target::Compose] },
    ] {
        if let Err(message) = filtered_build_keeps_other_scopes(&as_files(before), &as_files(&after), &filter) {
            panic!("{message}");
        }
    }
    // The staging files are still there after the filtered build, and only an unfiltered build
    // removes them.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), before).expect("write");
    let run = |args: &[&str]| {
        let output =
            Command::new(env!("CARGO_BIN_EXE_iacgen")).args(args).current_dir(dir.path()).output().expect("run");
        output.status.code()
    };
    assert_eq!(run(&["build", "-q"]), Some(0));
    std::fs::write(dir.path().join("iacgen.yaml"), &after).expect("write");
    assert_eq!(run(&["build", "-q", "--env", "development"]), Some(0));
    assert!(dir.path().join("deploy/compose/staging/compose.yaml").exists());
    assert_eq!(run(&["check", "-q", "--env", "development"]), Some(0));
    assert_eq!(run(&["check", "-q"]), Some(1), "unfiltered check reports the stale staging files");
    assert_eq!(run(&["build", "-q"]), Some(0));
    assert!(!dir.path().join("deploy/compose/staging").exists());
    assert_eq!(run(&["check", "-q"]), Some(0));
}

/// The runner of the generated-model properties: a fixed seed, so `cargo test` is deterministic.
fn runner(default_cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    // `PROPTEST_RNG_SEED=N` explores other models (Config::default() reads it).
    let rng_seed = match Config::default().rng_seed {
        RngSeed::Random => RngSeed::Fixed(0x001a_c6e4),
        seed => seed,
    };
    TestRunner::new(Config { cases, rng_seed, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() })
}

fn bytes(files: &BTreeMap<String, String>) -> BTreeMap<String, Vec<u8>> {
    files.iter().map(|(path, text)| (path.clone(), text.as_bytes().to_vec())).collect()
}

#[test]
fn generated_models_compile_deterministically_and_build_idempotently() {
    let outcomes = std::cell::RefCell::new(BTreeMap::<String, usize>::new());
    let result = runner(160).run(
        &(models::project(), proptest::collection::vec(proptest::num::usize::ANY, 8)),
        |(project, shuffle)| {
            let single = bytes(&project.files(false));
            // The pipeline's invariants (no panic, paths inside, valid JSON, deterministic).
            let outcome = pipeline::run(&pipeline::bundle(&single));
            let compiled = compile(&Reader::Memory { files: single.clone() }, &Filter::default());
            let key = match (&outcome, &compiled) {
                (pipeline::Outcome::Compiled(_), _) => String::from("compiled"),
                (_, _) => {
                    let failure = iacgen::compile(&Reader::Memory { files: single.clone() }, &Filter::default()).err();
                    let codes: Vec<String> =
                        failure.map(|f| f.diagnostics.items.iter().map(|d| d.code.id()).collect()).unwrap_or_default();
                    format!("rejected {}", codes.first().cloned().unwrap_or_default())
                }
            };
            *outcomes.borrow_mut().entry(key).or_default() += 1;
            let Some((files, output)) = compiled else { return Ok(()) };

            // Services split into services/*.yaml, created on disk in a random order: same output.
            let split = bytes(&project.files(true));
            let mut order: Vec<usize> = (0..split.len()).collect();
            for (i, pick) in shuffle.iter().enumerate().take(order.len().saturating_sub(1)) {
                let j = i + pick % (order.len() - i);
                order.swap(i, j);
            }
            let dir = materialise(&split, &order);
            let from_disk = compile(&Reader::Disk { root: dir.path().to_path_buf() }, &Filter::default());
            let Some((disk_files, _)) = from_disk else {
                return Err(TestCaseError::fail("the split project does not compile but the single file does"));
            };
            if disk_files != files {
                return Err(TestCaseError::fail("splitting services into files changed the output"));
            }
            idempotent_and_clean(dir.path(), &output, &files, &Filter::default()).map_err(TestCaseError::fail)
        },
    );
    let outcomes = outcomes.into_inner();
    eprintln!("generated models: {outcomes:?}");
    if let Err(error) = result {
        panic!("{error}");
    }
    let compiled = outcomes.get("compiled").copied().unwrap_or(0);
    assert!(compiled * 3 >= outcomes.values().sum::<usize>(), "too few generated models are valid: {outcomes:?}");
}

#[test]
fn generated_filtered_builds_keep_other_scopes() {
    const ENVIRONMENTS: &[&str] = &["development", "staging", "production", "dev", "qa-1"];
    let strategy = (
        models::project(),
        models::project(),
        proptest::sample::select(ENVIRONMENTS),
        proptest::sample::select(&Target::ALL[..]),
        0u8..3,
    );
    let result = runner(64).run(&strategy, |(first, mut second, environment, target, kind)| {
        second.output = first.output;
        let filter = match kind {
            0 => Filter { environments: vec![environment.to_string()], targets: vec![] },
            1 => Filter { environments: vec![], targets: vec![target] },
            _ => Filter { environments: vec![environment.to_string()], targets: vec![target] },
        };
        filtered_build_keeps_other_scopes(&bytes(&first.files(false)), &bytes(&second.files(false)), &filter)
            .map_err(TestCaseError::fail)
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// Generated models are also fuzz seeds: every bundle unpacks to the files it was made from. With
/// `IACGEN_SEED_DIR` set, 300 of them are written there
/// (`IACGEN_SEED_DIR=$PWD/fuzz/corpus-raw/generated cargo test --test properties bundles`).
#[test]
fn generated_models_round_trip_through_bundles() {
    let target = std::env::var("IACGEN_SEED_DIR").ok();
    if let Some(dir) = &target {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    let count = std::cell::Cell::new(0);
    let cases = if target.is_some() { 300 } else { 64 };
    let result = runner(cases).run(&(models::project(), proptest::bool::ANY), |(project, split)| {
        let files = bytes(&project.files(split));
        let bundle = pipeline::bundle(&files);
        if pipeline::unbundle(&bundle) != files {
            return Err(TestCaseError::fail("the bundle does not unpack to its files"));
        }
        if let Some(dir) = &target {
            std::fs::write(Path::new(dir).join(format!("generated-{:04}", count.get())), bundle).expect("write");
        }
        count.set(count.get() + 1);
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}
