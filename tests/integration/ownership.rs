//! iacgen only ever replaces or removes files it generated: never a file the manifest does not
//! list, never one outside the output folder (whatever the manifest says), and never a generated
//! file edited by hand unless `--force`.

use std::path::Path;
use std::process::Command;

use iacgen::output::manifest::sha256;

const MODEL: &str = "version: 1
project: shop
services:
  api:
    version: 1.0.0
    port: 8080
    health: { path: /health }
environments:
  development: { targets: [compose] }
targets:
  compose: { monitoring: prometheus }
";

fn build(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen"))
        .arg("build")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run iacgen");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().unwrap_or(-1), stderr)
}

#[test]
fn files_the_manifest_does_not_list_are_never_touched() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), MODEL).expect("write");
    let deploy = dir.path().join("deploy/compose/development");
    std::fs::create_dir_all(&deploy).expect("mkdir");
    // Look-alikes of iacgen's own temp files and manifest, and plain files, beside generated ones.
    let mine = ["notes.iacgen-tmp.md", ".compose.yaml.iacgen-tmp-draft", "README.md", ".compose.yaml.iacgen-tmp-"];
    for name in mine {
        std::fs::write(deploy.join(name), format!("{name}\n")).expect("write");
    }
    std::fs::write(dir.path().join("deploy/.iacgen-manifest.json.bak"), "mine\n").expect("write");
    assert_eq!(build(dir.path(), &[]).0, 0);
    // Drop every generated file: the build removes its own and nothing else.
    std::fs::write(
        dir.path().join("iacgen.yaml"),
        MODEL.replace("development: { targets: [compose] }", "development: {}"),
    )
    .expect("write");
    assert_eq!(build(dir.path(), &["--force"]).0, 0);
    for name in mine {
        assert_eq!(std::fs::read_to_string(deploy.join(name)).expect(name), format!("{name}\n"));
    }
    assert!(dir.path().join("deploy/.iacgen-manifest.json.bak").exists());
    assert!(!deploy.join("compose.yaml").exists(), "the generated file was not removed");
}

#[test]
fn a_hostile_manifest_cannot_point_outside_the_output_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("deploy")).expect("mkdir");
    std::fs::write(project.join("iacgen.yaml"), MODEL).expect("write");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").expect("write");
    std::fs::write(project.join("iacgen-notes.txt"), "precious\n").expect("write");
    std::os::unix::fs::symlink(dir.path(), project.join("deploy/link")).expect("symlink");
    let hash = sha256(b"precious\n");
    let entries: Vec<String> =
        ["../../victim.txt", "../iacgen-notes.txt", "/tmp/../victim.txt", "link/victim.txt", "a//b", "./x"]
            .iter()
            .map(|path| format!("\"{path}\": {{ \"sha256\": \"{hash}\", \"target\": \"compose\" }}"))
            .collect();
    let manifest =
        format!("{{ \"generator\": \"iacgen\", \"model\": \"iacgen.yaml\", \"files\": {{ {} }} }}", entries.join(", "));
    std::fs::write(project.join("deploy/.iacgen-manifest.json"), manifest).expect("write");
    let (code, stderr) = build(&project, &["--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "precious\n");
    assert_eq!(std::fs::read_to_string(project.join("iacgen-notes.txt")).expect("notes"), "precious\n");
}

/// Run iacgen in `dir`: (exit code, a transcript with the temp folder `root` shown as [ROOT]).
fn transcript(dir: &Path, root: &Path, args: &[&str]) -> (i32, String) {
    let (code, text) = crate::common::transcript(dir, root, args);
    assert!(!text.contains("panicked"), "{text}");
    (code, text)
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots/ownership", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn every_removal_is_named_in_the_summary() {
    // Manifest entries nobody can tell from iacgen's own (right hash), for paths no target writes:
    // the build removes the files, and says so by name.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), MODEL).expect("write");
    assert_eq!(build(dir.path(), &[]).0, 0);
    std::fs::write(dir.path().join("deploy/notes.txt"), "mine\n").expect("write");
    std::fs::write(dir.path().join("deploy/old.txt"), "mine\n").expect("write");
    let path = dir.path().join("deploy/.iacgen-manifest.json");
    let manifest = std::fs::read_to_string(&path).expect("read");
    // One entry names a target iacgen knows, one a target it does not: both removals are counted.
    let hash = sha256(b"mine\n");
    let entry = format!(
        "\"files\": {{\n    \"notes.txt\": {{ \"sha256\": \"{hash}\", \"target\": \"compose\" }},\n    \"old.txt\": {{ \"sha256\": \"{hash}\", \"target\": \"legacy\" }},"
    );
    std::fs::write(&path, manifest.replacen("\"files\": {", &entry, 1)).expect("write");
    std::fs::write(dir.path().join("iacgen.yaml"), MODEL.replace("compose: { monitoring: prometheus }", "compose: {}"))
        .expect("write");
    let (code, text) = transcript(dir.path(), dir.path(), &["build"]);
    assert_eq!(code, 0, "{text}");
    snapshot("removals_named", &text);
    assert!(text.contains("removed  deploy/notes.txt") && text.contains("removed  deploy/old.txt"), "{text}");
}

/// A second project in `sub/` of the first, whose model says `output: deploy`.
fn second_project(root: &Path, at: &str) -> std::path::PathBuf {
    let project = root.join(at);
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(project.join("iacgen.yaml"), MODEL.replace("project: shop", "project: other")).expect("write");
    project
}

#[test]
fn two_projects_never_share_an_output_folder() {
    // The outer project writes to `sub/deploy`, which is the inner project's `deploy`.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("iacgen.yaml"),
        MODEL.replace("targets:\n  compose", "output: sub/deploy\ntargets:\n  compose"),
    )
    .expect("write");
    let inner = second_project(dir.path(), "sub");
    assert_eq!(build(dir.path(), &[]).0, 0);
    let before = std::fs::read_to_string(dir.path().join("sub/deploy/compose/development/compose.yaml")).expect("read");
    let (code, text) = transcript(&inner, dir.path(), &["build"]);
    assert_eq!(code, 2, "{text}");
    snapshot("second_owner_refused", &text);
    let (code, text) = transcript(&inner, dir.path(), &["check"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("holds the output of another model"), "{text}");
    let after = std::fs::read_to_string(dir.path().join("sub/deploy/compose/development/compose.yaml")).expect("read");
    assert_eq!(before, after, "the second project touched the first one's files");
    assert_eq!(transcript(dir.path(), dir.path(), &["check"]).0, 0, "the first project's output is intact");
}

#[test]
fn output_folders_never_nest() {
    // The inner project sits in the outer one's output, at `deploy/compose`, and writes
    // `deploy/compose/development`: a folder the outer project writes into.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), MODEL).expect("write");
    let inner = second_project(dir.path(), "deploy/compose");
    std::fs::write(
        inner.join("iacgen.yaml"),
        MODEL.replace("targets:\n  compose", "output: development\ntargets:\n  compose"),
    )
    .expect("write");
    // Inner first: the outer build would write into the inner output folder.
    assert_eq!(build(&inner, &[]).0, 0);
    let (code, text) = transcript(dir.path(), dir.path(), &["build"]);
    assert_eq!(code, 2, "{text}");
    snapshot("outer_over_inner_refused", &text);
    // Outer first: the inner output folder would sit inside the outer one.
    std::fs::remove_dir_all(inner.join("development")).expect("rm");
    assert_eq!(build(dir.path(), &[]).0, 0);
    let (code, text) = transcript(&inner, dir.path(), &["build"]);
    assert_eq!(code, 2, "{text}");
    snapshot("inner_inside_outer_refused", &text);
}

#[test]
fn a_damaged_manifest_says_so_and_how_to_recover() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), MODEL).expect("write");
    assert_eq!(build(dir.path(), &[]).0, 0);
    let path = dir.path().join("deploy/.iacgen-manifest.json");
    let manifest = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, &manifest[..manifest.len() / 2]).expect("truncate");
    std::fs::write(dir.path().join("iacgen.yaml"), MODEL.replace("version: 1.0.0", "version: 1.0.1")).expect("write");
    let (code, text) = transcript(dir.path(), dir.path(), &["build"]);
    assert_eq!(code, 2, "{text}");
    snapshot("damaged_manifest_build", &text);
    let (code, text) = transcript(dir.path(), dir.path(), &["check"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains(".iacgen-manifest.json` is damaged"), "{text}");
    // After checking the folder, --force writes a new one.
    assert_eq!(build(dir.path(), &["--force"]).0, 0);
    assert_eq!(transcript(dir.path(), dir.path(), &["check"]).0, 0);
}

#[test]
fn manifests_from_before_owners_were_recorded_are_adopted() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), MODEL).expect("write");
    assert_eq!(build(dir.path(), &[]).0, 0);
    let path = dir.path().join("deploy/.iacgen-manifest.json");
    let manifest = std::fs::read_to_string(&path).expect("read");
    assert!(manifest.contains("\"model\": \"../iacgen.yaml\""), "{manifest}");
    std::fs::write(&path, manifest.replace("\"model\": \"../iacgen.yaml\"", "\"model\": \"iacgen.yaml\""))
        .expect("write");
    assert_eq!(transcript(dir.path(), dir.path(), &["check"]).0, 0, "an old manifest is still in sync");
    assert_eq!(build(dir.path(), &[]).0, 0);
    assert_eq!(std::fs::read_to_string(&path).expect("read"), manifest, "the build records the owner");
}
