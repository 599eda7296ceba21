//! `iacgen diff --base REV`: a temporary git repository, a committed model, a change, and every
//! format of the rendered difference (with the semantic summary above it).

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=iacgen", "-c", "user.email=iacgen@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(status.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&status.stderr));
}

fn iacgen(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots/diff", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

/// A repository with the example model committed (output not committed), then changed.
fn changed_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("platform");
    assert_eq!(iacgen(dir.path(), &["init", "platform"]).0, 0);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "model"]);
    let model = project.join("iacgen.yaml");
    let text = std::fs::read_to_string(&model).expect("read");
    let text = text
        .replace("version: 1.4.2", "version: 1.5.0")
        .replace(
            "      api: { env: { LOG_LEVEL: debug } }",
            "      api: { env: { LOG_LEVEL: debug, FEATURE_X: \"on\" } }",
        )
        .replace(
            "resources:\n  db:",
            "  mailer:\n    version: 0.3.0\n    port: 8025\n    health: { path: /health }\n\nresources:\n  db:",
        );
    std::fs::write(&model, text).expect("write");
    dir
}

#[test]
fn diff_against_a_revision_in_every_format() {
    let dir = changed_repository();
    let project = dir.path().join("platform");
    for (name, format) in [("unified", "unified"), ("stat", "stat"), ("markdown", "markdown"), ("json", "json")] {
        let (code, stdout, stderr) =
            iacgen(&project, &["diff", "--base", "HEAD", "--diff-format", format, "--exit-code"]);
        assert_eq!(code, 1, "{stderr}");
        snapshot(&format!("base_{name}"), &stdout);
    }
    // Without a change there is nothing to show and --exit-code is 0.
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "change"]);
    let (code, stdout, _) = iacgen(&project, &["diff", "--base", "HEAD", "--exit-code"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "");
}

#[test]
fn an_unknown_revision_is_a_usage_error() {
    let dir = changed_repository();
    let (code, _, stderr) = iacgen(&dir.path().join("platform"), &["diff", "--base", "no-such-rev"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown git revision `no-such-rev`"), "{stderr}");
}

#[test]
fn markdown_of_a_thousand_service_change_fits_a_pull_request_comment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut model = String::from("version: 1\nproject: big\nregistry: ghcr.io/big\nservices:\n");
    for index in 0..1000 {
        model.push_str(&format!(
            "  svc-{index:04}:\n    version: 1.0.0\n    port: 8080\n    health: {{ path: /health }}\n    env: {{ INDEX: \"{index}\" }}\n"
        ));
    }
    model.push_str("environments:\n  development:\n    targets: [compose]\ntargets:\n  compose: {}\n");
    std::fs::write(dir.path().join("iacgen.yaml"), &model).expect("write");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "model"]);
    std::fs::write(dir.path().join("iacgen.yaml"), model.replace("version: 1.0.0", "version: 1.1.0")).expect("write");
    let (code, stdout, stderr) = iacgen(dir.path(), &["diff", "--base", "HEAD", "--diff-format", "markdown"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.len() < 65_536, "the comment is {} characters", stdout.len());
    assert!(
        stdout.contains("svc-0999: version 1.0.0 → 1.1.0") || stdout.contains("more"),
        "the summary names the change"
    );
}

#[test]
fn a_committed_link_out_of_the_project_is_not_followed() {
    // In the repository but outside the project: `secret.txt` beside the project folder.
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("platform");
    std::fs::create_dir_all(project.join("config")).expect("mkdir");
    std::fs::write(dir.path().join("secret.txt"), "CANARY-outside\n").expect("write");
    std::fs::write(project.join("config/app.conf"), "listen = 80\n").expect("write");
    let model = "version: 1\nproject: shop\nservices:\n  api:\n    image: nginx:1.27\n    port: 80\n    health: { path: /h }\n    files:\n      /etc/app.conf: { source: ./link }\nenvironments:\n  development: { targets: [compose] }\ntargets:\n  compose: {}\n";
    std::fs::write(project.join("iacgen.yaml"), model).expect("write");
    std::os::unix::fs::symlink("../secret.txt", project.join("link")).expect("symlink");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "link out"]);
    // The working tree no longer has the link; the committed revision still does.
    std::fs::remove_file(project.join("link")).expect("rm");
    std::os::unix::fs::symlink("config/app.conf", project.join("link")).expect("symlink");
    let (code, stdout, stderr) = iacgen(&project, &["diff", "--base", "HEAD", "--diff-format", "markdown"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("failed to read `link` at HEAD: it leads outside the project through a symbolic link"),
        "{stderr}"
    );
    assert!(!stdout.contains("CANARY") && !stderr.contains("CANARY"), "{stdout}{stderr}");
    // A committed link that stays inside the project is followed, as on disk.
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "link in"]);
    std::fs::write(project.join("config/app.conf"), "listen = 81\n").expect("write");
    let (code, stdout, stderr) = iacgen(&project, &["diff", "--base", "HEAD", "--diff-format", "unified"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("-        listen = 80") || stdout.contains("listen = 80"), "{stdout}");
    assert!(stdout.contains("listen = 81"), "{stdout}");
}
