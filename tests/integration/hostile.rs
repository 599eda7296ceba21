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
