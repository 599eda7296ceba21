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
