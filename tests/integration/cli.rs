//! The command line end to end: exit codes, stdout and stderr together, temp folders shown as [ROOT].

use std::path::Path;

/// Run iacgen in `dir`; returns exit code and a transcript with the folder replaced by [ROOT].
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    crate::common::transcript(dir, dir, args)
}

fn snapshot(name: &str, transcript: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots/cli", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, transcript);
    });
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, transcript) = run(dir.path(), &["init"]);
    assert_eq!(code, 0, "{transcript}");
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn init_build_check() {
    let dir = project();
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 0);
    snapshot("init_build", &transcript);
    let (code, transcript) = run(dir.path(), &["check"]);
    assert_eq!(code, 0);
    snapshot("check_in_sync", &transcript);
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 0);
    snapshot("build_again_writes_nothing", &transcript);
}

#[test]
fn check_reports_hand_edits_and_build_repairs_them() {
    let dir = project();
    run(dir.path(), &["build"]);
    edit(&dir.path().join("deploy/compose/development/compose.yaml"), "LOG_LEVEL: debug", "LOG_LEVEL: trace");
    let (code, transcript) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    snapshot("check_hand_edited", &transcript);
    let (code, transcript) = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(code, 1);
    snapshot("check_hand_edited_github", &transcript);
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 0);
    snapshot("build_overwrites_hand_edit", &transcript);
    assert_eq!(run(dir.path(), &["check"]).0, 0);
}

#[test]
fn model_changes_show_as_drift_and_diff() {
    let dir = project();
    run(dir.path(), &["build"]);
    edit(&dir.path().join("iacgen.yaml"), "version: 1.4.2", "version: 1.5.0");
    let (code, transcript) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    snapshot("check_model_changed", &transcript);
    let (code, transcript) = run(dir.path(), &["diff", "--diff-format", "stat", "--exit-code"]);
    assert_eq!(code, 1);
    snapshot("diff_stat", &transcript);
    assert_eq!(run(dir.path(), &["diff"]).0, 0, "diff without --exit-code exits 0");
}

#[test]
fn stale_files_are_removed_unless_edited() {
    let dir = project();
    run(dir.path(), &["build"]);
    // Drop the monitoring: prometheus.yml is no longer generated.
    edit(&dir.path().join("iacgen.yaml"), "compose: { monitoring: prometheus }", "compose: {}");
    let (code, transcript) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    snapshot("check_stale", &transcript);
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 0);
    snapshot("build_removes_stale", &transcript);
    assert!(!dir.path().join("deploy/compose/development/prometheus.yml").exists());

    // A stale file that was edited by hand is kept and reported.
    edit(&dir.path().join("iacgen.yaml"), "compose: {}", "compose: { monitoring: prometheus }");
    run(dir.path(), &["build"]);
    edit(&dir.path().join("deploy/compose/development/prometheus.yml"), "15s", "30s");
    edit(&dir.path().join("iacgen.yaml"), "compose: { monitoring: prometheus }", "compose: {}");
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 0);
    snapshot("build_keeps_edited_stale", &transcript);
    assert!(dir.path().join("deploy/compose/development/prometheus.yml").exists());
    let (code, _) = run(dir.path(), &["build", "--force"]);
    assert_eq!(code, 0);
    assert!(!dir.path().join("deploy/compose/development/prometheus.yml").exists());
}

#[test]
fn build_never_overwrites_files_it_did_not_generate() {
    let dir = project();
    std::fs::create_dir_all(dir.path().join("deploy/compose/development")).expect("mkdir");
    std::fs::write(dir.path().join("deploy/compose/development/compose.yaml"), "# mine\n").expect("write");
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 2);
    snapshot("build_refuses_foreign_file", &transcript);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("deploy/compose/development/compose.yaml")).expect("read"),
        "# mine\n"
    );
    assert!(!dir.path().join("deploy/.iacgen-manifest.json").exists(), "nothing is written when a build refuses");
}

#[test]
fn invalid_models_exit_2_in_every_format() {
    let dir = project();
    edit(&dir.path().join("iacgen.yaml"), "port: 8080", "port: 8080\n    replica: 2");
    let (code, transcript) = run(dir.path(), &["validate"]);
    assert_eq!(code, 2);
    snapshot("validate_human", &transcript);
    let (code, transcript) = run(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(code, 2);
    snapshot("validate_json", &transcript);
    let (code, transcript) = run(dir.path(), &["validate", "--format", "github"]);
    assert_eq!(code, 2);
    snapshot("validate_github", &transcript);
}

#[test]
fn a_missing_model_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 2);
    snapshot("model_not_found", &transcript);
}

#[test]
fn explain_shows_origins() {
    let dir = project();
    let (code, transcript) = run(dir.path(), &["explain", "development", "api"]);
    assert_eq!(code, 0);
    snapshot("explain", &transcript);
    let (code, transcript) = run(dir.path(), &["explain", "development", "api", "--format", "json"]);
    assert_eq!(code, 0);
    snapshot("explain_json", &transcript);
    let (code, transcript) = run(dir.path(), &["explain", "development", "nope"]);
    assert_eq!(code, 2);
    snapshot("explain_unknown", &transcript);
}

#[test]
fn schema_and_rules_print() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, transcript) = run(dir.path(), &["schema"]);
    assert_eq!(code, 0);
    assert!(transcript.contains("\"$schema\""));
    let (code, transcript) = run(dir.path(), &["rules"]);
    assert_eq!(code, 0);
    snapshot("rules", &transcript);
}

#[test]
fn the_output_folder_must_be_safe() {
    let dir = project();
    // The output folder is a file.
    std::fs::write(dir.path().join("deploy"), "not a folder").expect("write");
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 2);
    snapshot("output_is_a_file", &transcript);
    std::fs::remove_file(dir.path().join("deploy")).expect("rm");

    // A symlink inside the output that points out of it.
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("deploy")).expect("mkdir");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("deploy/compose")).expect("symlink");
    let (code, transcript) = run(dir.path(), &["build"]);
    assert_eq!(code, 2);
    snapshot("output_symlink", &transcript);
    assert_eq!(std::fs::read_dir(outside.path()).expect("read").count(), 0, "nothing written through the link");
}
