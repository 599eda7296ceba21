//! File-system trouble during a build gives a clear error and exit 2, never a panic, and leaves no
//! temp file; the next build, once the trouble is gone, repairs everything. Permission checks run
//! iacgen as an unprivileged user when the tests run as root (root ignores file modes).

use std::path::Path;
use std::process::Command;

use iacgen::output::fs_safe::TEMP_MARKER;
use iacgen::output::write::{self, WriteOptions};
use iacgen::shared::Filter;
use iacgen::source::reader::Reader;

use crate::common;

const MODEL: &str = "version: 1
project: shop
services:
  api:
    version: 1.0.0
    port: 8080
    health: { path: /health }
    env: { LOG_LEVEL: info }
environments:
  development: { targets: [compose] }
  staging: { targets: [compose] }
targets:
  compose: { monitoring: prometheus }
";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), MODEL).expect("write model");
    dir
}

/// Run iacgen in `dir` (as an unprivileged user when root); `None` when that user cannot run it.
fn run(dir: &Path, args: &[&str]) -> Option<(i32, String)> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_iacgen"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    if !common::unprivileged(&mut command, dir) {
        eprintln!("skipped: the unprivileged user cannot reach {}", env!("CARGO_BIN_EXE_iacgen"));
        return None;
    }
    let output = command.output().expect("run iacgen");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "iacgen panicked:\n{stderr}");
    Some((output.status.code().unwrap_or(-1), stderr))
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn temp_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(TEMP_MARKER))
        .map(|e| e.path().display().to_string())
        .collect()
}

fn edit_model(dir: &Path, from: &str, to: &str) {
    let path = dir.join("iacgen.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace(from, to)).expect("write");
}

#[test]
fn a_read_only_folder_inside_the_output_is_a_clear_error() {
    let dir = project();
    let Some((code, stderr)) = run(dir.path(), &["build"]) else { return };
    assert_eq!(code, 0, "{stderr}");
    edit_model(dir.path(), "version: 1.0.0", "version: 1.0.1");
    let folder = dir.path().join("deploy/compose/staging");
    set_mode(&folder, 0o555);
    let (code, stderr) = run(dir.path(), &["build"]).expect("ran before");
    set_mode(&folder, 0o755);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: failed to write `deploy/compose/staging/compose.yaml`: permission denied"),
        "{stderr}"
    );
    assert!(temp_files(dir.path()).is_empty(), "temp files left: {:?}", temp_files(dir.path()));
    // With the folder writable again, the next build finishes the job without a false alarm.
    let (code, stderr) = run(dir.path(), &["build"]).expect("ran before");
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_eq!(run(dir.path(), &["check"]).expect("ran before").0, 0);
}

#[test]
fn a_read_only_output_folder_is_a_clear_error() {
    let dir = project();
    std::fs::create_dir(dir.path().join("deploy")).expect("mkdir");
    set_mode(&dir.path().join("deploy"), 0o555);
    let Some((code, stderr)) = run(dir.path(), &["build"]) else { return };
    set_mode(&dir.path().join("deploy"), 0o755);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn a_folder_that_cannot_be_created_is_a_clear_error() {
    // `deploy/compose` exists but is read-only: its environment folders cannot be made.
    let dir = project();
    let compose = dir.path().join("deploy/compose");
    std::fs::create_dir_all(&compose).expect("mkdir");
    set_mode(&compose, 0o555);
    let Some((code, stderr)) = run(dir.path(), &["build"]) else {
        set_mode(&compose, 0o755);
        return;
    };
    set_mode(&compose, 0o755);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: failed to create folder `deploy/compose/development`: permission denied"),
        "{stderr}"
    );
    assert!(temp_files(dir.path()).is_empty(), "temp files left: {:?}", temp_files(dir.path()));
    let (code, stderr) = run(dir.path(), &["build"]).expect("ran before");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(run(dir.path(), &["check"]).expect("ran before").0, 0);
}

#[test]
fn a_read_only_generated_file_is_replaced_like_any_other() {
    // The folder decides whether a file can be replaced (as for git checkout); a read-only
    // generated file is iacgen's to replace, atomically.
    let dir = project();
    let Some((code, stderr)) = run(dir.path(), &["build"]) else { return };
    assert_eq!(code, 0, "{stderr}");
    let file = dir.path().join("deploy/compose/staging/compose.yaml");
    set_mode(&file, 0o444);
    edit_model(dir.path(), "version: 1.0.0", "version: 1.0.1");
    let (code, stderr) = run(dir.path(), &["build"]).expect("ran before");
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(&file).expect("read").contains("1.0.1"));
}

#[test]
fn an_unreadable_model_file_is_a_diagnostic() {
    let dir = project();
    std::fs::create_dir(dir.path().join("services")).expect("mkdir");
    std::fs::write(dir.path().join("services/worker.yaml"), "version: 1.0.0\n").expect("write");
    set_mode(&dir.path().join("services/worker.yaml"), 0o000);
    let Some((code, stderr)) = run(dir.path(), &["build"]) else { return };
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("failed to read `services/worker.yaml`: permission denied"), "{stderr}");
    assert!(!dir.path().join("deploy").exists(), "a failed build wrote output");

    set_mode(&dir.path().join("iacgen.yaml"), 0o000);
    let (code, stderr) = run(dir.path(), &["validate"]).expect("ran before");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("failed to read `iacgen.yaml`: permission denied"), "{stderr}");
}

#[test]
fn output_that_vanishes_between_compile_and_write_is_rebuilt() {
    let dir = project();
    let reader = Reader::Disk { root: dir.path().to_path_buf() };
    let options = WriteOptions { force: false, model_file: String::from("iacgen.yaml") };
    let compiled = iacgen::compile(&reader, &Filter::default()).expect("compiles");
    write::build(dir.path(), "deploy", &compiled.files, &Filter::default(), &options).expect("first build");

    // A file, then the whole output folder, disappear after the model was compiled.
    std::fs::remove_file(dir.path().join("deploy/compose/staging/compose.yaml")).expect("rm");
    let report = write::build(dir.path(), "deploy", &compiled.files, &Filter::default(), &options).expect("build");
    assert_eq!(report.written, vec![String::from("compose/staging/compose.yaml")]);
    std::fs::remove_dir_all(dir.path().join("deploy")).expect("rm");
    let report = write::build(dir.path(), "deploy", &compiled.files, &Filter::default(), &options).expect("build");
    assert_eq!(report.written.len(), compiled.files.files.len());

    // A stale file that vanished before its removal is simply gone: no error.
    edit_model(dir.path(), "compose: { monitoring: prometheus }", "compose: {}");
    let smaller = iacgen::compile(&reader, &Filter::default()).expect("compiles");
    std::fs::remove_file(dir.path().join("deploy/compose/staging/prometheus.yml")).expect("rm");
    let report = write::build(dir.path(), "deploy", &smaller.files, &Filter::default(), &options).expect("build");
    let removed = write::Removed {
        path: String::from("compose/development/prometheus.yml"),
        target: Some(iacgen::shared::Target::Compose),
    };
    assert_eq!(report.removed, vec![removed]);
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn a_symbolic_link_anywhere_on_the_output_path_is_refused() {
    let dir = project();
    let outside = tempfile::tempdir().expect("temp dir");
    edit_model(dir.path(), "targets:\n", "output: generated/deploy\ntargets:\n");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("generated")).expect("symlink");
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen")).arg("build").current_dir(dir.path()).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`generated` is a symbolic link"), "{stderr}");
    assert_eq!(std::fs::read_dir(outside.path()).expect("ls").count(), 0, "wrote through the link");
}

#[test]
fn a_closed_stdout_ends_quietly_like_other_tools() {
    // `iacgen diff | head -1`: the reader is gone before iacgen prints. iacgen ends as cat and git
    // do, killed by SIGPIPE (a shell reports 141), with nothing on stderr: no panic, no message.
    use std::os::unix::process::ExitStatusExt;
    let dir = project();
    // (Commands that print without compiling first could print before the pipe is closed.)
    for args in [&["diff"][..], &["check"], &["diff", "--diff-format", "markdown"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_iacgen"))
            .args(args)
            .current_dir(dir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run iacgen");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "{args:?}: {:?} {stderr}", output.status);
        assert_eq!(stderr, "", "{args:?}");
    }
}
