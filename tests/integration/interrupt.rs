//! Interrupted and concurrent builds: `iacgen build` killed (SIGKILL) at seeded random points never
//! leaves a half-written file, and the next build repairs everything with no stray temp file; two
//! builds at the same time never interleave; `check` waits for a running build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use iacgen::output::fs_safe;
use iacgen::output::manifest::{MANIFEST, Manifest};
use iacgen::output::write::{self, WriteOptions};
use iacgen::shared::{FileSet, Filter};
use iacgen::source::reader::Reader;

use crate::common;

/// A project big enough that a debug build takes a noticeable time: `services` services in
/// `environments` compose environments. Variant B bumps half the versions (modified files), drops
/// the first environment and adds one that sorts first, so its files are written first (removed and
/// added files), and turns the monitoring off (a removed file in every environment).
fn big_model(services: usize, environments: usize, variant_b: bool) -> String {
    let mut out = String::from("version: 1\nproject: big\nregistry: ghcr.io/example\nservices:\n");
    for index in 0..services {
        let version = if variant_b && index % 2 == 0 { "1.0.1" } else { "1.0.0" };
        let peer = (index + 1) % services;
        out.push_str(&format!(
            "  svc-{index:02}:\n    version: {version}\n    port: {}\n    health: {{ path: /health }}\n    env: {{ LOG_LEVEL: info, PEER: \"${{services.svc-{peer:02}.url}}\" }}\n",
            8000 + index
        ));
    }
    out.push_str("environments:\n");
    let first = if variant_b {
        out.push_str("  added: { targets: [compose] }\n");
        1
    } else {
        0
    };
    for index in first..environments {
        out.push_str(&format!("  env-{index:02}: {{ targets: [compose] }}\n"));
    }
    let monitoring = if variant_b { "{}" } else { "{ monitoring: prometheus }" };
    out.push_str(&format!("targets:\n  compose: {monitoring}\n"));
    out
}

fn compile_text(model: &str) -> FileSet {
    let files = BTreeMap::from([(String::from("iacgen.yaml"), model.as_bytes().to_vec())]);
    match iacgen::compile(&Reader::Memory { files }, &Filter::default()) {
        Ok(compiled) => compiled.files,
        Err(failure) => panic!("the generated model does not compile:\n{}", common::render(&failure)),
    }
}

fn iacgen(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iacgen"));
    command.args(args).arg("-q").current_dir(dir).env("NO_COLOR", "1");
    command
}

/// Run iacgen, expecting success and no warning (an interrupted build must not make the next one
/// see its own files as hand edits).
fn run_ok(dir: &Path, args: &[&str]) {
    let output = iacgen(dir, args).output().expect("run iacgen");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "iacgen {args:?} failed:\n{stderr}");
    assert!(stderr.trim().is_empty(), "iacgen {args:?} warned:\n{stderr}");
}

/// Every file under `dir` (relative path → bytes), temp files and the manifest apart.
fn tree(dir: &Path) -> (BTreeMap<String, Vec<u8>>, Vec<String>) {
    let mut files = BTreeMap::new();
    let mut temps = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let relative = entry.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
        if entry.file_name().to_string_lossy().contains(fs_safe::TEMP_MARKER) {
            temps.push(relative);
        } else {
            files.insert(relative, std::fs::read(entry.path()).expect("read"));
        }
    }
    (files, temps)
}

/// After a complete build: the output is exactly `expected` plus the manifest, with no temp file,
/// and `check` is clean.
fn assert_complete(project: &Path, expected: &FileSet) {
    let (mut files, temps) = tree(&project.join("deploy"));
    assert!(temps.is_empty(), "temp files left behind: {temps:?}");
    let manifest = files.remove(MANIFEST).expect("a manifest");
    let manifest = Manifest::parse(&String::from_utf8_lossy(&manifest));
    let want: BTreeMap<String, Vec<u8>> =
        expected.files.iter().map(|(path, file)| (path.clone(), file.contents.as_bytes().to_vec())).collect();
    let extra: Vec<&String> = files.keys().filter(|path| !want.contains_key(*path)).collect();
    assert!(extra.is_empty(), "files the model does not generate were left: {extra:?}");
    assert!(files == want, "the output differs from a complete build");
    assert!(manifest.files.values().all(|entry| entry.replacing.is_none()), "the manifest kept a pending entry");
    assert!(!manifest.building, "the manifest still says a build is running");
    assert_eq!(manifest.files.len(), want.len());
    run_ok(project, &["check"]);
}

/// A small deterministic generator (xorshift64*), so the kill points are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A fraction in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn spawn_build(project: &Path) -> Child {
    iacgen(project, &["build"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn iacgen")
}

/// What changes on disk as soon as a build starts writing (any implementation): the inode and
/// modification time of the output folder, its manifest and every folder below `compose/`.
/// A file's inode and modification time (seconds, nanoseconds), if it exists.
type Stamp = Option<(u64, i64, i64)>;

fn watch(deploy: &Path) -> Vec<(PathBuf, Stamp)> {
    let mut paths = vec![deploy.to_path_buf(), deploy.join(MANIFEST), deploy.join("compose")];
    if let Ok(entries) = std::fs::read_dir(deploy.join("compose")) {
        paths.extend(entries.flatten().map(|entry| entry.path()));
    }
    paths
        .into_iter()
        .map(|path| {
            let at = stamp(&path);
            (path, at)
        })
        .collect()
}

fn stamp(path: &Path) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).ok().map(|m| (m.ino(), m.mtime(), m.mtime_nsec()))
}

/// Wait until `child` starts writing under `deploy` (or exits). Returns whether it did start.
fn wait_for_writes(child: &mut Child, deploy: &Path) -> bool {
    let before = watch(deploy);
    loop {
        if child.try_wait().expect("poll").is_some() {
            return false;
        }
        if before.iter().any(|(path, old)| stamp(path) != *old) {
            return true;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

#[test]
fn a_killed_build_never_leaves_a_torn_file_and_the_next_build_repairs_everything() {
    let project = tempfile::tempdir().expect("temp dir");
    let deploy = project.path().join("deploy");
    let models = [big_model(12, 60, false), big_model(12, 60, true)];
    let expected = [compile_text(&models[0]), compile_text(&models[1])];
    let model_path = project.path().join("iacgen.yaml");
    std::fs::write(&model_path, &models[0]).expect("write model");
    run_ok(project.path(), &["build"]);
    assert_complete(project.path(), &expected[0]);

    // Calibrate on a build from the first model to the second: its whole time, and the time from
    // its first write to its end (the window where a kill can tear the output).
    std::fs::write(&model_path, &models[1]).expect("write model");
    let started = Instant::now();
    let mut child = spawn_build(project.path());
    let writing = wait_for_writes(&mut child, &deploy);
    let first_write = started.elapsed();
    assert!(child.wait().expect("wait").success());
    let (total, window) = (started.elapsed(), started.elapsed().saturating_sub(first_write));
    assert!(writing, "the calibration build wrote nothing");
    assert_complete(project.path(), &expected[1]);

    let mut rng = Rng(0x1ac6_e4b1_d5ee_d001);
    let (mut interrupted, mut torn_states) = (0, 0);
    // Ten rounds of: kill a build of model x while it writes, kill a build of model y anywhere,
    // then build model z to the end. (x, y, z) runs through all eight combinations, so every kind
    // of leftover (added, modified, removed files of either model) meets every kind of repair.
    for round in 0..10 {
        let combination = round % 8;
        let (x, y, z) = (combination & 1, (combination >> 1) & 1, (combination >> 2) & 1);
        for (step, model) in [x, y].into_iter().enumerate() {
            std::fs::write(&model_path, &models[model]).expect("write model");
            let mut child = spawn_build(project.path());
            let delay = if step == 0 {
                wait_for_writes(&mut child, &deploy);
                window.mul_f64(rng.unit())
            } else {
                total.mul_f64(1.2 * rng.unit())
            };
            std::thread::sleep(delay);
            let _ = child.kill(); // SIGKILL
            let status = child.wait().expect("wait");
            if status.code().is_none() {
                interrupted += 1;
            }

            // Every file is whole: the old bytes or the new bytes of some build, never a mix.
            let (files, temps) = tree(&deploy);
            // Whether some file is only the first model's and another only the second's.
            let mut only = [false, false];
            for (path, bytes) in &files {
                if path == MANIFEST {
                    let parsed: Result<serde_json::Value, _> = serde_json::from_slice(bytes);
                    assert!(parsed.is_ok(), "round {round}: the manifest is torn");
                    continue;
                }
                let matches: Vec<usize> = (0..2)
                    .filter(|m| expected[*m].files.get(path).is_some_and(|f| f.contents.as_bytes() == bytes.as_slice()))
                    .collect();
                assert!(
                    !matches.is_empty(),
                    "round {round} (killed after {delay:?}): `{path}` is neither model's version of the file"
                );
                if let [m] = matches.as_slice() {
                    only[*m] = true;
                }
            }
            let pending = files.get(MANIFEST).is_some_and(|bytes| {
                Manifest::parse(&String::from_utf8_lossy(bytes)).files.values().any(|e| e.replacing.is_some())
            });
            if !temps.is_empty() || pending || (only[0] && only[1]) {
                torn_states += 1;
            }
        }
        std::fs::write(&model_path, &models[z]).expect("write model");
        run_ok(project.path(), &["build"]);
        assert_complete(project.path(), &expected[z]);
    }
    eprintln!(
        "20 kills (build {total:?}, writing {window:?}): {interrupted} interrupted a running build, {torn_states} left a half-done output"
    );
    assert!(torn_states >= 3, "too few kills landed while the build was writing: the test proves little");
}

fn write_options() -> WriteOptions {
    WriteOptions { force: false, model_file: String::from("iacgen.yaml") }
}

#[test]
fn concurrent_builds_of_different_models_never_interleave() {
    let project = tempfile::tempdir().expect("temp dir");
    let sets = [compile_text(&big_model(6, 20, false)), compile_text(&big_model(6, 20, true))];
    let root: PathBuf = project.path().to_path_buf();
    for round in 0..6 {
        let barrier = std::sync::Barrier::new(2);
        std::thread::scope(|scope| {
            for set in &sets {
                let (root, barrier) = (&root, &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    let result = write::build(root, "deploy", set, &Filter::default(), &write_options());
                    assert!(result.is_ok(), "round {round}: {result:?}");
                });
            }
        });
        // The output is one complete build: whichever took the lock last.
        let (mut files, temps) = tree(&root.join("deploy"));
        assert!(temps.is_empty(), "round {round}: temp files left: {temps:?}");
        files.remove(MANIFEST);
        let as_bytes = |set: &FileSet| -> BTreeMap<String, Vec<u8>> {
            set.files.iter().map(|(path, file)| (path.clone(), file.contents.as_bytes().to_vec())).collect()
        };
        let winner = sets.iter().find(|set| as_bytes(set) == files);
        let Some(winner) = winner else { panic!("round {round}: the output is a mix of two builds") };
        let (disk, manifest) = iacgen::output::changes::disk(&root.join("deploy"), winner, &Filter::default());
        let drift = iacgen::output::changes::between(&disk, winner, Some(&manifest));
        assert!(drift.is_empty(), "round {round}: drift after concurrent builds");
        let expected = Manifest::of(winner, &Manifest::default(), &Filter::default(), "iacgen.yaml");
        assert_eq!(manifest.files, expected.files, "round {round}: the manifest is not the winner's");
    }
}

#[test]
fn concurrent_builds_of_the_same_model_give_one_complete_build() {
    let project = tempfile::tempdir().expect("temp dir");
    let model = big_model(6, 20, false);
    std::fs::write(project.path().join("iacgen.yaml"), &model).expect("write model");
    let expected = compile_text(&model);
    for _ in 0..3 {
        let children: Vec<Child> = (0..3).map(|_| spawn_build(project.path())).collect();
        for child in children {
            let output = child.wait_with_output().expect("wait");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(0), "{stderr}");
            assert!(!stderr.contains("warning"), "a concurrent build saw another's files as hand edits:\n{stderr}");
        }
        assert_complete(project.path(), &expected);
        std::fs::remove_dir_all(project.path().join("deploy")).expect("rm");
    }
}

/// Wait until `child` is blocked on a `flock` (Linux lists waiters in /proc/locks as `->`), so
/// the test knows it reached the lock rather than being slow; elsewhere, wait a while.
fn wait_until_blocked_on_lock(child: &mut Child) {
    let pid = child.id().to_string();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let Ok(locks) = std::fs::read_to_string("/proc/locks") else {
            std::thread::sleep(Duration::from_millis(700));
            assert!(child.try_wait().expect("poll").is_none(), "it did not wait for the lock");
            return;
        };
        let blocked = locks.lines().any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.get(1) == Some(&"->") && fields.get(2) == Some(&"FLOCK") && fields.get(5) == Some(&pid.as_str())
        });
        if blocked {
            return;
        }
        assert!(child.try_wait().expect("poll").is_none(), "it finished without waiting for the lock");
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("it never blocked on the lock");
}

#[test]
fn build_and_check_wait_for_the_lock() {
    let project = tempfile::tempdir().expect("temp dir");
    let model = big_model(2, 2, false);
    std::fs::write(project.path().join("iacgen.yaml"), &model).expect("write model");
    let deploy = project.path().join("deploy");
    std::fs::create_dir(&deploy).expect("mkdir");

    // Another build holds the folder: this one waits and writes nothing meanwhile.
    let lock = fs_safe::lock_exclusive(&deploy, "deploy").expect("lock");
    let mut child = spawn_build(project.path());
    wait_until_blocked_on_lock(&mut child);
    assert!(tree(&deploy).0.is_empty(), "build wrote while another held the lock");
    drop(lock);
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert_complete(project.path(), &compile_text(&model));

    // `check` waits too, so it never compares against half a build.
    let lock = fs_safe::lock_exclusive(&deploy, "deploy").expect("lock");
    let mut child =
        iacgen(project.path(), &["check"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    wait_until_blocked_on_lock(&mut child);
    drop(lock);
    assert_eq!(child.wait().expect("wait").code(), Some(0));
}
