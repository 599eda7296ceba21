//! `modules/aws/service/run-migration.sh`, the step Terraform runs before a service rolls (issue 17
//! item 5): it starts the migration task once, waits for it to stop, and succeeds only when the
//! migration container exited 0. Run here against a fake `aws` on PATH that answers like ECS and
//! records every call.

use std::path::Path;
use std::process::{Command, Output};

use crate::common;

const SCRIPT: &str = "modules/aws/service/run-migration.sh";

/// A fake `aws`: `run-task` answers `$RUN_TASK`, each `describe-tasks` the next line of
/// `$DESCRIBE` (tab-separated status, exit code, reason); every call is appended to `$CALLS`.
const FAKE_AWS: &str = r#"#!/bin/sh
printf '%s\n' "$*" >> "$CALLS"
case "$2" in
  run-task) printf '%s\n' "$RUN_TASK" ;;
  describe-tasks)
    n=$(grep -c describe-tasks "$CALLS")
    sed -n "${n}p" "$DESCRIBE"
    ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
"#;

struct Run {
    output: Output,
    calls: String,
}

fn run(run_task: &str, describe: &[&str]) -> Run {
    run_with(run_task, describe, "1800")
}

fn run_with(run_task: &str, describe: &[&str], timeout: &str) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let aws = bin.join("aws");
    std::fs::write(&aws, FAKE_AWS).expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let describe_file = dir.path().join("describe");
    std::fs::write(&describe_file, describe.iter().map(|line| format!("{line}\n")).collect::<String>()).expect("write");
    let calls = dir.path().join("calls");
    std::fs::write(&calls, "").expect("write");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let output = Command::new("sh")
        .arg(common::repo().join(SCRIPT))
        .env("PATH", path)
        .env("CALLS", &calls)
        .env("RUN_TASK", run_task)
        .env("DESCRIBE", &describe_file)
        .env("AWS_REGION", "us-east-1")
        .env("CLUSTER", "arn:aws:ecs:us-east-1:123456789012:cluster/shop-production")
        .env("TASK_DEFINITION", "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-production-api-migrate:7")
        .env("CONTAINER", "api-migrate")
        .env("SUBNETS", "subnet-a,subnet-b")
        .env("SECURITY_GROUP", "sg-1")
        .env("POLL_SECONDS", "0")
        .env("TIMEOUT_SECONDS", timeout)
        .output()
        .expect("run sh");
    let calls = std::fs::read_to_string(Path::new(&calls)).expect("read calls");
    Run { output, calls }
}

fn stderr(run: &Run) -> String {
    String::from_utf8_lossy(&run.output.stderr).into_owned()
}

const TASK: &str = "arn:aws:ecs:us-east-1:123456789012:task/shop-production/abc\tNone";

#[test]
fn waits_for_the_task_and_succeeds_when_the_migration_exits_0() {
    let run =
        run(TASK, &["PENDING\tNone\tNone", "RUNNING\tNone\tNone", "STOPPED\t0\tEssential container in task exited"]);
    assert!(run.output.status.success(), "{}", stderr(&run));
    let calls: Vec<&str> = run.calls.lines().collect();
    assert_eq!(calls.len(), 4, "one run-task, then describe-tasks until STOPPED: {calls:?}");
    assert!(calls[0].starts_with("ecs run-task --cluster arn:aws:ecs:us-east-1:123456789012:cluster/shop-production --task-definition arn:aws:ecs:us-east-1:123456789012:task-definition/shop-production-api-migrate:7 --launch-type FARGATE --count 1"), "{}", calls[0]);
    assert!(
        calls[0].contains(
            "awsvpcConfiguration={subnets=[subnet-a,subnet-b],securityGroups=[sg-1],assignPublicIp=DISABLED}"
        ),
        "{}",
        calls[0]
    );
    assert!(
        calls[1].contains("describe-tasks")
            && calls[1].contains("--tasks arn:aws:ecs:us-east-1:123456789012:task/shop-production/abc")
    );
    assert!(calls[1].contains("containers[?name=='api-migrate']"), "{}", calls[1]);
}

#[test]
fn fails_when_the_migration_exits_non_zero() {
    let run = run(TASK, &["STOPPED\t3\tEssential container in task exited"]);
    assert_eq!(run.output.status.code(), Some(1));
    assert!(
        stderr(&run)
            .contains("the migration failed: container api-migrate exit code 3 (Essential container in task exited)"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn fails_when_the_container_never_ran() {
    // A task that stops before its container starts (a secret without a value, an image that
    // cannot be pulled) has no exit code.
    let run = run(TASK, &["STOPPED\tNone\tResourceInitializationError: unable to pull secrets"]);
    assert_eq!(run.output.status.code(), Some(1));
    assert!(
        stderr(&run).contains("exit code None (ResourceInitializationError: unable to pull secrets)"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn fails_when_ecs_starts_no_task() {
    let run = run("None\tRESOURCE:ENI", &[]);
    assert_eq!(run.output.status.code(), Some(1));
    assert!(stderr(&run).contains("ECS started no task: RESOURCE:ENI"), "{}", stderr(&run));
    assert_eq!(run.calls.lines().count(), 1, "no wait without a task");
}

#[test]
fn fails_after_the_timeout_and_leaves_the_task_running() {
    // TIMEOUT_SECONDS=0: the first poll that does not see STOPPED ends the wait.
    let run = run_with(TASK, &["RUNNING\tNone\tNone"], "0");
    assert_eq!(run.output.status.code(), Some(1));
    assert!(stderr(&run).contains("is still RUNNING after 0s; it is left running"), "{}", stderr(&run));
}

#[test]
fn refuses_to_start_without_its_settings() {
    let output = Command::new("sh").arg(common::repo().join(SCRIPT)).env_clear().output().expect("run sh");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("AWS_REGION is not set"));
}
