//! The team-tool integrations run as the tools would run them: the pre-commit hooks' entry points
//! from `.pre-commit-hooks.yaml`, and the GitHub Action's shell step (`.github/actions/iacgen/run.sh`)
//! with a fake pull-request event and a fake `gh` that records its arguments.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// PATH with the iacgen under test first (and `extra` before it).
fn path_with(extra: Option<&Path>) -> String {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_iacgen"));
    let mut parts: Vec<String> = extra.iter().map(|p| p.display().to_string()).collect();
    parts.push(binary.parent().expect("binary folder").display().to_string());
    parts.push(std::env::var("PATH").unwrap_or_default());
    parts.join(":")
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// `id → entry` of every hook in `.pre-commit-hooks.yaml`.
fn hooks() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(common::repo().join(".pre-commit-hooks.yaml")).expect("hooks file");
    let mut hooks = Vec::new();
    let mut id = None;
    for line in text.lines() {
        if let Some(value) = line.strip_prefix("- id: ") {
            id = Some(value.trim().to_string());
        } else if let Some(value) = line.trim().strip_prefix("entry: ") {
            hooks.push((id.take().expect("an entry belongs to a hook"), value.trim().to_string()));
        }
    }
    hooks
}

/// Run a hook's entry the way pre-commit does (no file names: `pass_filenames: false`).
fn run_hook(entry: &str, dir: &Path) -> (i32, String) {
    let output = Command::new("sh")
        .args(["-c", entry])
        .current_dir(dir)
        .env("PATH", path_with(None))
        .env("NO_COLOR", "1")
        .output()
        .expect("run hook");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn pre_commit_hooks_pass_when_clean_and_fail_after_a_model_edit() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["iacgen-check", "iacgen-build"]);
    let (check, build) = (&hooks[0].1, &hooks[1].1);
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&common::repo().join("fixtures/ok/example"), dir.path());
    let _ = std::fs::remove_file(dir.path().join("deploy/compose/development/.env"));

    assert_eq!(run_hook(check, dir.path()).0, 0, "clean fixture: check");
    let (code, output) = run_hook(build, dir.path());
    assert_eq!(code, 0, "clean fixture: build\n{output}");

    edit(&dir.path().join("iacgen.yaml"), "LOG_LEVEL: debug", "LOG_LEVEL: trace");
    let (code, output) = run_hook(check, dir.path());
    assert_eq!(code, 1, "{output}");
    assert!(output.contains("changed: deploy/compose/development/compose.yaml"), "{output}");
    let (code, output) = run_hook(build, dir.path());
    assert_eq!(code, 1, "{output}");
    assert!(output.ends_with("error: the build changed 1 file in deploy; review and commit them\n"), "{output}");
    let compose = std::fs::read_to_string(dir.path().join("deploy/compose/development/compose.yaml")).expect("read");
    assert!(compose.contains("LOG_LEVEL: trace"), "not regenerated");
    // Regenerated: the next commit attempt passes both hooks.
    assert_eq!(run_hook(build, dir.path()).0, 0);
    assert_eq!(run_hook(check, dir.path()).0, 0);
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("git");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A fake `gh`: records each call's arguments (and the body file it was given) in `$FAKE_GH_DIR`
/// and answers the comment listing with the ids in `$FAKE_GH_DIR/existing`.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
n=$(find "$FAKE_GH_DIR" -name 'call-*.args' | wc -l)
printf '%s\n' "$@" > "$FAKE_GH_DIR/call-$n.args"
for arg in "$@"; do
    case "$arg" in body=@*) cp "${arg#body=@}" "$FAKE_GH_DIR/call-$n.body" ;; esac
done
case "$*" in *"/comments --jq "*) cat "$FAKE_GH_DIR/existing" 2>/dev/null ;; esac
"#;

struct ActionRun {
    code: i32,
    stdout: String,
    /// Each `gh` call: its arguments, and the body it posted.
    calls: Vec<(Vec<String>, Option<String>)>,
    summary: String,
}

/// A repository with the example project in `platform/`, committed, then a model change left
/// unbuilt (so `check` drifts and the diff against the base is not empty).
fn pull_request_repository() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("platform");
    copy_tree(&common::repo().join("fixtures/ok/example"), &project);
    let _ = std::fs::remove_file(project.join("deploy/compose/development/.env"));
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    edit(&project.join("iacgen.yaml"), "LOG_LEVEL: debug", "LOG_LEVEL: trace");
    let event = serde_json::json!({"pull_request": {"number": 7, "base": {"sha": base, "ref": "main"}}});
    std::fs::write(dir.path().join("event.json"), event.to_string()).expect("event");
    (dir, base)
}

fn run_action(repo: &Path, environment: &[(&str, &str)], existing: Option<&str>) -> ActionRun {
    run_action_with(repo, environment, existing, None)
}

/// [`run_action`], with `iacgen` replaced by `fake_iacgen` (a script) when given.
fn run_action_with(
    repo: &Path,
    environment: &[(&str, &str)],
    existing: Option<&str>,
    fake_iacgen: Option<&str>,
) -> ActionRun {
    use std::os::unix::fs::PermissionsExt;
    let fake = tempfile::tempdir().expect("fake gh");
    let bin = fake.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let mut scripts = vec![("gh", FAKE_GH)];
    scripts.extend(fake_iacgen.map(|script| ("iacgen", script)));
    for (name, script) in scripts {
        std::fs::write(bin.join(name), script).expect("script");
        std::fs::set_permissions(bin.join(name), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let calls_dir = fake.path().join("calls");
    std::fs::create_dir_all(&calls_dir).expect("calls");
    if let Some(ids) = existing {
        std::fs::write(calls_dir.join("existing"), ids).expect("existing");
    }
    let summary = fake.path().join("summary.md");
    let mut command = Command::new("bash");
    command
        .arg(common::repo().join(".github/actions/iacgen/run.sh"))
        .current_dir(repo)
        .env("PATH", path_with(Some(&bin)))
        .env("NO_COLOR", "1")
        .env("FAKE_GH_DIR", &calls_dir)
        .env("IACGEN_WORKING_DIRECTORY", "platform")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", repo.join("event.json"))
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GH_TOKEN", "not-a-token");
    for (name, value) in environment {
        command.env(name, value);
    }
    let output = command.output().expect("run.sh");
    let mut calls = Vec::new();
    for n in 0.. {
        let Ok(args) = std::fs::read_to_string(calls_dir.join(format!("call-{n}.args"))) else { break };
        let body = std::fs::read_to_string(calls_dir.join(format!("call-{n}.body"))).ok();
        calls.push((args.lines().map(String::from).collect(), body));
    }
    ActionRun {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        calls,
        summary: std::fs::read_to_string(summary).unwrap_or_default(),
    }
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots/integrations", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn action_annotates_drift_and_posts_one_diff_comment() {
    let (repo, base) = pull_request_repository();
    let run = run_action(repo.path(), &[], None);
    assert_eq!(run.code, 1, "check's drift fails the step\n{}", run.stdout);
    // Annotations point at files from the repository's top, not the project's.
    snapshot("action_annotations", &run.stdout);

    assert_eq!(run.calls.len(), 2, "{:?}", run.calls);
    let (list, _) = &run.calls[0];
    assert_eq!(list[..3], ["api", "--paginate", "repos/acme/shop/issues/7/comments"]);
    assert_eq!(list[3..], ["--jq", r#".[] | select(.body | startswith("<!-- iacgen-diff: platform -->")) | .id"#]);
    let (post, body) = &run.calls[1];
    assert_eq!(post[..4], ["api", "--method", "POST", "repos/acme/shop/issues/7/comments"]);
    let body = body.as_deref().expect("a body");
    assert!(body.starts_with("<!-- iacgen-diff: platform -->\n## iacgen: rendered changes\n"), "{body}");
    assert!(body.chars().count() <= 65_536);
    snapshot("action_comment", &body.replace(&base, "[BASE]"));
    assert_eq!(run.summary, body.split_once('\n').expect("marker line").1, "the job summary has the diff too");

    // The next push edits the same comment in place.
    let run = run_action(repo.path(), &[], Some("4242\n"));
    assert_eq!(run.calls.len(), 2);
    assert_eq!(run.calls[1].0[..4], ["api", "--method", "PATCH", "repos/acme/shop/issues/comments/4242"]);
    assert_eq!(run.calls[1].1.as_deref(), Some(body));
}

#[test]
fn action_inputs_turn_the_comment_off_and_filter_what_is_checked() {
    let (repo, _) = pull_request_repository();
    let run = run_action(repo.path(), &[("IACGEN_COMMENT", "false")], None);
    assert_eq!(run.code, 1);
    assert!(run.calls.is_empty(), "{:?}", run.calls);
    assert!(run.stdout.starts_with("::error file=platform/deploy/"), "{}", run.stdout);

    // The change is to development's compose file: filtered to helm in staging, nothing drifts.
    let run = run_action(repo.path(), &[("IACGEN_TARGETS", "helm"), ("IACGEN_ENVIRONMENTS", "staging")], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.starts_with("deploy: in sync with the model ("), "{}", run.stdout);
    let body = run.calls[1].1.as_deref().expect("a body");
    assert!(!body.contains("compose.yaml"), "{body}");

    // Not a pull request: check only.
    let run = run_action(repo.path(), &[("GITHUB_EVENT_NAME", "push")], None);
    assert_eq!(run.code, 1);
    assert!(run.calls.is_empty());
}

/// A diff longer than GitHub takes (iacgen keeps its own under the limit; this one does not) is cut
/// by the step, on a character boundary, with a note.
#[test]
fn action_cuts_a_comment_over_the_limit() {
    let (repo, _) = pull_request_repository();
    let fake_iacgen = "#!/usr/bin/env bash\nif [ \"$1\" = diff ]; then for i in $(seq 1 8000); do printf '%s\\n' 'héllo wörld'; done; fi\n";
    let run = run_action_with(repo.path(), &[], None, Some(fake_iacgen));
    assert_eq!(run.code, 0, "{}", run.stdout);
    let body = run.calls[1].1.as_deref().expect("a body");
    assert!(body.chars().count() <= 65_536, "{}", body.chars().count());
    assert!(body.starts_with("<!-- iacgen-diff: platform -->\nhéllo wörld\n"));
    assert!(
        body.ends_with(
            "_Cut to stay under GitHub's 65,536-character limit; run `iacgen diff` locally for all of it._\n"
        ),
        "{}",
        &body[body.len() - 200..]
    );
}
