//! Hostile input: each case gives a diagnostic and exit 2 (or, for harmless encodings, a clean
//! build), never a panic or a hang, and writes nothing.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A generous bound: the point is "no hang"; speed is measured by the benchmark.
const NO_HANG: Duration = Duration::from_secs(10);

fn run_build(model: &[u8]) -> (i32, String, Duration) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), model).expect("write");
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen"))
        .args(["build", "--color", "never"])
        .current_dir(dir.path())
        .output()
        .expect("run iacgen");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "iacgen panicked:\n{stderr}");
    let code = output.status.code().unwrap_or(-1);
    if code != 0 {
        assert!(!dir.path().join("deploy").exists(), "a failed build wrote output");
    }
    (code, stderr, elapsed)
}

fn rejects(model: &[u8], expected: &str) {
    let (code, stderr, elapsed) = run_build(model);
    assert_eq!(code, 2, "expected exit 2, stderr:\n{stderr}");
    assert!(stderr.contains(expected), "expected `{expected}` in:\n{stderr}");
    assert!(elapsed < NO_HANG, "took {elapsed:?}");
    assert!(stderr.len() < 20_000, "the report of hostile input must stay short, got {} bytes", stderr.len());
}

const HEAD: &str = "version: 1\nproject: shop\n";

#[test]
fn alias_bomb() {
    let mut model = String::from(HEAD);
    model.push_str("tags:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut previous = String::from("a");
    for level in 0..10 {
        let refs = vec![format!("*{previous}"); 10].join(", ");
        model.push_str(&format!("  l{level}: &l{level} [{refs}]\n"));
        previous = format!("l{level}");
    }
    rejects(model.as_bytes(), "IAC004");
}

#[test]
fn deep_nesting() {
    let model = format!("{HEAD}tags: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    rejects(model.as_bytes(), "IAC004");
    let model = format!("{HEAD}tags: {}1{}\n", "{a: ".repeat(100_000), "}".repeat(100_000));
    rejects(model.as_bytes(), "IAC004");
}

#[test]
fn huge_file() {
    let mut model = String::from(HEAD);
    model.push_str("tags:\n");
    while model.len() < 50 * 1024 * 1024 {
        model.push_str("  # padding padding padding padding padding padding padding padding padding\n");
    }
    rejects(model.as_bytes(), "larger than the 8388608-byte limit");
}

#[test]
fn invalid_utf8() {
    let mut model = HEAD.as_bytes().to_vec();
    model.extend_from_slice(b"registry: \xff\xfe\n");
    rejects(&model, "not valid UTF-8");
}

#[test]
fn tabs_for_indentation() {
    rejects(format!("{HEAD}services:\n\tapi:\n\t\timage: nginx:1.27\n").as_bytes(), "IAC002");
}

#[test]
fn duplicate_keys() {
    rejects(format!("{HEAD}project: other\n").as_bytes(), "duplicate key `project`");
}

#[test]
fn names_that_look_like_paths_or_spoof_letters() {
    rejects(format!("{HEAD}services:\n  ../../etc:\n    image: nginx:1.27\n").as_bytes(), "invalid service name");
    rejects(format!("{HEAD}services:\n  /etc/passwd:\n    image: nginx:1.27\n").as_bytes(), "invalid service name");
    // Cyrillic 'а' in place of Latin 'a'.
    rejects(format!("{HEAD}services:\n  \u{0430}pi:\n    image: nginx:1.27\n").as_bytes(), "\\u{430}");
    rejects(format!("{HEAD}services:\n  \"api\\u202e\":\n    image: nginx:1.27\n").as_bytes(), "invalid service name");
    // Names Windows reserves for devices: their folders could not be checked out there.
    for name in ["con", "nul", "aux", "prn", "com1", "lpt9"] {
        rejects(format!("{HEAD}services:\n  {name}:\n    image: nginx:1.27\n").as_bytes(), "Windows reserves it");
        rejects(format!("{HEAD}environments:\n  {name}: {{}}\n").as_bytes(), "Windows reserves it");
    }
}

#[test]
fn output_outside_the_project() {
    rejects(format!("{HEAD}output: ../../tmp/elsewhere\n").as_bytes(), "IAC025");
    rejects(format!("{HEAD}output: /tmp/elsewhere\n").as_bytes(), "IAC025");
}

#[test]
fn byte_order_mark_and_crlf_are_fine() {
    let model = "\u{feff}version: 1\r\nproject: shop\r\nservices:\r\n  api:\r\n    image: nginx:1.27\r\nenvironments:\r\n  dev:\r\n    targets: [compose]\r\ntargets:\r\n  compose: {}\r\n";
    let (code, stderr, _) = run_build(model.as_bytes());
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn read_only_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = format!(
        "{HEAD}services:\n  api:\n    image: nginx:1.27\nenvironments:\n  dev:\n    targets: [compose]\ntargets:\n  compose: {{}}\n"
    );
    std::fs::write(dir.path().join("iacgen.yaml"), model).expect("write");
    let deploy = dir.path().join("deploy");
    std::fs::create_dir(&deploy).expect("mkdir");
    set_mode(&deploy, 0o555);
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen")).arg("build").current_dir(dir.path()).output().expect("run");
    set_mode(&deploy, 0o755);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Root ignores permissions; everyone else gets a clear error and exit 2.
    if output.status.code() != Some(0) {
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("permission denied"), "{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn http_paths_cannot_inject_into_shell_or_nginx() {
    // Health paths end up in a CMD-SHELL health check and ingress paths in nginx `location` blocks.
    for path in
        ["/h;touch${IFS}/tmp/pwned;#", "/x{", "/a'b", "/a\"b", "/a$(id)", "/a`id`", "/a\\\\b", "/a#b", "/a&b", "/a|b"]
    {
        let quoted = serde_json::to_string(path).expect("json");
        rejects(
            format!("{HEAD}services:\n  api:\n    image: nginx:1.27\n    port: 80\n    health: {{ path: {quoted} }}\n")
                .as_bytes(),
            "is not an HTTP path",
        );
        rejects(
            format!("{HEAD}services:\n  api:\n    image: nginx:1.27\n    port: 80\n    health: {{ path: /h }}\n    ingress: {{ path: {quoted} }}\n").as_bytes(),
            "is not an HTTP path",
        );
    }
}

#[test]
fn descriptions_cannot_end_a_generated_comment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = format!(
        "{HEAD}services:\n  api:\n    image: nginx:1.27\n    port: 80\n    health: {{ path: /h }}\n    secrets: {{ JWT: jwt }}\nsecrets:\n  jwt: {{ description: \"one\\nINJECTED=1\\r# two\\u2028three: 3\" }}\nenvironments:\n  development: {{ targets: [compose] }}\ntargets:\n  compose: {{}}\n"
    );
    std::fs::write(dir.path().join("iacgen.yaml"), model).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen")).arg("build").current_dir(dir.path()).output().expect("run");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let example = std::fs::read_to_string(dir.path().join("deploy/compose/development/.env.example")).expect("read");
    let variables: Vec<&str> = example.lines().filter(|line| !line.starts_with('#') && !line.is_empty()).collect();
    assert_eq!(variables, vec!["JWT="], "{example}");
    assert!(!example.contains(['\r', '\u{2028}']), "{example:?}");
}

/// Run iacgen in `dir`, killing it if it outlives [`NO_HANG`]: (exit code, stdout, stderr).
fn run_bounded(dir: &Path, args: &[&str]) -> (i32, String, String) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_iacgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run iacgen");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > NO_HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("iacgen {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    child.stdout.take().expect("stdout").read_to_string(&mut stdout).expect("read");
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("read");
    assert!(!stderr.contains("panicked"), "iacgen panicked:\n{stderr}");
    (status.code().unwrap_or(-1), stdout, stderr)
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots/hostile", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

/// A model whose service `api` mounts `./{source}`.
fn mounting(source: &str) -> String {
    format!(
        "{HEAD}services:\n  api:\n    image: nginx:1.27\n    port: 80\n    health: {{ path: /h }}\n    files:\n      /etc/app.conf: {{ source: ./{source} }}\nenvironments:\n  development: {{ targets: [compose, helm] }}\ntargets:\n  compose: {{}}\n  helm: {{}}\n"
    )
}

const CANARY: &str = "CANARY-d41d8cd98f00b204";

/// A project folder inside a folder that also holds `outside.txt` and `outside/` (with a service
/// file), both holding the canary: what a link out of the project could reach.
fn beside_secrets() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("outside.txt"), format!("{CANARY}\n")).expect("write");
    std::fs::create_dir(dir.path().join("outside")).expect("mkdir");
    std::fs::write(dir.path().join("outside/api.yaml"), format!("image: nginx:1.27\nenv: {{ X: {CANARY} }}\n"))
        .expect("write");
    let project = dir.path().join("project");
    std::fs::create_dir(&project).expect("mkdir");
    (dir, project)
}

fn refuses_link_out(project: &Path, expected: &str) {
    for args in [&["build"][..], &["diff", "--format", "markdown"], &["validate"]] {
        let (code, stdout, stderr) = run_bounded(project, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: expected `{expected}` in:\n{stderr}");
        assert!(!stdout.contains(CANARY) && !stderr.contains(CANARY), "{args:?} printed what the link reaches");
    }
    assert!(!project.join("deploy").exists(), "a refused build wrote output");
}

#[test]
fn a_file_source_that_links_out_of_the_project_is_refused() {
    let (_dir, project) = beside_secrets();
    std::fs::write(project.join("iacgen.yaml"), mounting("link")).expect("write");
    std::os::unix::fs::symlink("../outside.txt", project.join("link")).expect("symlink");
    refuses_link_out(&project, "failed to read `link`: it leads outside the project through a symbolic link");
    // An absolute link, one to the process environment, and a folder link on the way.
    std::fs::remove_file(project.join("link")).expect("rm");
    for target in ["/proc/self/environ", "/etc/hostname"] {
        std::os::unix::fs::symlink(target, project.join("link")).expect("symlink");
        refuses_link_out(&project, "it leads outside the project");
        std::fs::remove_file(project.join("link")).expect("rm");
    }
    std::fs::write(project.join("iacgen.yaml"), mounting("up/outside.txt")).expect("write");
    std::os::unix::fs::symlink("..", project.join("up")).expect("symlink");
    refuses_link_out(&project, "failed to read `up/outside.txt`: it leads outside the project");
}

#[test]
fn model_files_that_link_out_of_the_project_are_refused() {
    let (dir, project) = beside_secrets();
    let model = format!("{HEAD}environments:\n  development: {{ targets: [compose] }}\ntargets:\n  compose: {{}}\n");
    std::fs::write(project.join("iacgen.yaml"), &model).expect("write");
    // The whole services/ folder is a link out of the project.
    std::os::unix::fs::symlink("../outside", project.join("services")).expect("symlink");
    refuses_link_out(&project, "failed to list `services`: it leads outside the project through a symbolic link");
    // One service file is.
    std::fs::remove_file(project.join("services")).expect("rm");
    std::fs::create_dir(project.join("services")).expect("mkdir");
    std::os::unix::fs::symlink("../../outside/api.yaml", project.join("services/api.yaml")).expect("symlink");
    refuses_link_out(&project, "failed to read `services/api.yaml`: it leads outside the project");
    // The model itself is.
    std::fs::remove_file(project.join("services/api.yaml")).expect("rm");
    std::fs::write(dir.path().join("iacgen.yaml"), format!("{model}tags: {{ x: {CANARY} }}\n")).expect("write");
    std::fs::remove_file(project.join("iacgen.yaml")).expect("rm");
    std::os::unix::fs::symlink("../iacgen.yaml", project.join("iacgen.yaml")).expect("symlink");
    refuses_link_out(&project, "failed to read `iacgen.yaml`: it leads outside the project");
}

#[test]
fn links_that_stay_inside_the_project_are_followed() {
    let (_dir, project) = beside_secrets();
    std::fs::write(project.join("iacgen.yaml"), mounting("link")).expect("write");
    std::fs::create_dir_all(project.join("config")).expect("mkdir");
    std::fs::write(project.join("config/app.conf"), "listen = 80\n").expect("write");
    std::os::unix::fs::symlink("config/app.conf", project.join("link")).expect("symlink");
    std::fs::create_dir_all(project.join("shared")).expect("mkdir");
    std::fs::write(project.join("shared/web.yaml"), "image: nginx:1.27\nport: 80\nhealth: { path: /h }\n")
        .expect("write");
    std::fs::create_dir(project.join("services")).expect("mkdir");
    std::os::unix::fs::symlink("../shared/web.yaml", project.join("services/web.yaml")).expect("symlink");
    let (code, _, stderr) = run_bounded(&project, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let compose = std::fs::read_to_string(project.join("deploy/compose/development/compose.yaml")).expect("read");
    assert!(compose.contains("listen = 80") && compose.contains("web:"), "{compose}");
}

/// Make a named pipe; false where mkfifo is not available.
fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo").arg(path).status().is_ok_and(|status| status.success())
}

#[test]
fn a_named_pipe_is_refused_without_blocking() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("iacgen.yaml"), mounting("pipe")).expect("write");
    if !mkfifo(&dir.path().join("pipe")) {
        return;
    }
    let (code, _, stderr) = run_bounded(dir.path(), &["build"]);
    assert_eq!(code, 2, "{stderr}");
    snapshot("file_source_named_pipe", &stderr);
    // A service file that is a pipe is refused the same way; a pipe named otherwise is skipped.
    std::fs::write(dir.path().join("iacgen.yaml"), mounting("app.conf")).expect("write");
    std::fs::write(dir.path().join("app.conf"), "x\n").expect("write");
    std::fs::create_dir(dir.path().join("services")).expect("mkdir");
    assert!(mkfifo(&dir.path().join("services/web.yaml")));
    let (code, _, stderr) = run_bounded(dir.path(), &["build"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("failed to read `services/web.yaml`: it is a named pipe, not a regular file"), "{stderr}");
    std::fs::remove_file(dir.path().join("services/web.yaml")).expect("rm");
    assert!(mkfifo(&dir.path().join("services/feed")));
    let (code, _, stderr) = run_bounded(dir.path(), &["build"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("skipped `services/feed`: it is a named pipe, not a regular file"), "{stderr}");
}

#[test]
fn every_entry_of_the_model_folders_is_read_or_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let model = format!("{HEAD}environments:\n  development: {{ targets: [compose] }}\ntargets:\n  compose: {{}}\n");
    std::fs::write(dir.path().join("iacgen.yaml"), model).expect("write");
    let services = dir.path().join("services");
    std::fs::create_dir_all(services.join("old")).expect("mkdir");
    let service = "image: nginx:1.27\nport: 80\nhealth: { path: /h }\n";
    std::fs::write(services.join("web.yml"), service).expect("write");
    std::fs::write(services.join("api.yaml"), service).expect("write");
    std::fs::write(services.join("API.YAML"), service).expect("write");
    std::fs::write(services.join("notes.md"), "notes\n").expect("write");
    // A folder with YAML in it looks like a misplaced model file; one of source code does not.
    std::fs::write(services.join("old/api.yaml"), service).expect("write");
    std::fs::create_dir(services.join("api-src")).expect("mkdir");
    std::fs::write(services.join("api-src/Dockerfile"), "FROM nginx:1.27\n").expect("write");
    std::fs::write(services.join(".gitkeep"), "").expect("write");
    std::os::unix::fs::symlink("web.yml", services.join("www.yaml")).expect("symlink");
    std::fs::create_dir(dir.path().join("environments")).expect("mkdir");
    std::fs::write(dir.path().join("environments/staging.yml"), "targets: [compose]\n").expect("write");
    let (code, stdout, stderr) = run_bounded(dir.path(), &["validate"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "ok: 3 services, 0 jobs, 0 resources, 2 environments\n");
    snapshot("model_folder_entries_skipped", &stderr);
    // The same service in two spellings is defined twice.
    std::fs::write(services.join("api.yml"), service).expect("write");
    let (code, _, stderr) = run_bounded(dir.path(), &["validate"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("service `api` is defined twice"), "{stderr}");
}

#[test]
fn init_and_import_never_write_through_a_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("project");
    std::fs::create_dir_all(dir.path().join("elsewhere")).expect("mkdir");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(dir.path().join("compose.yaml"), "services:\n  web:\n    image: nginx:1.27\n").expect("write");
    let compose = dir.path().join("compose.yaml").display().to_string();
    // A link to a file that does not exist yet: following it would create the model elsewhere.
    std::os::unix::fs::symlink("../elsewhere/iacgen.yaml", project.join("iacgen.yaml")).expect("symlink");
    for args in [vec!["init", "project"], vec!["import", "compose", compose.as_str(), "-o", "project"]] {
        let (code, stdout, stderr) = run_bounded(dir.path(), &args);
        assert_eq!(code, 2, "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("project/iacgen.yaml`: it is a symbolic link (iacgen never writes through links)"),
            "{args:?}: {stderr}"
        );
        assert!(!dir.path().join("elsewhere/iacgen.yaml").exists(), "{args:?} wrote through the link");
    }
    // A link to an existing file: refused too, and the file is untouched.
    std::fs::write(dir.path().join("elsewhere/iacgen.yaml"), "mine\n").expect("write");
    let (code, _, stderr) = run_bounded(dir.path(), &["init", "project"]);
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("elsewhere/iacgen.yaml")).expect("read"), "mine\n");
}

#[test]
fn secret_values_never_reach_a_diagnostic() {
    // The err fixture holds literal credentials, found by name (IAC103) and by value (IAC108),
    // one of them waived: no format of the report may show any of them.
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/err/secret-values");
    let values = [
        "hunter2",
        "not-a-real-pat",
        "abc123",
        "x9Qm2ZtLr7vB4nK8pW3sY6dF1hJ5gC0aE2uT",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    ];
    for format in ["human", "json", "github"] {
        let (code, stdout, stderr) = run_bounded(&project, &["validate", "--format", format]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("IAC108"), "{stderr}");
        for value in values {
            assert!(!stdout.contains(value) && !stderr.contains(value), "{format} shows `{value}`:\n{stderr}");
        }
    }
}
