//! Every AWS Terraform root iacgen writes — each fixture's committed output and each test case's
//! output — applied for real by `../shared/tools/verify-aws-apply`: real Terraform and the real
//! hashicorp/aws provider from the machine's mirror, against moto (emulated AWS) on loopback; then a
//! second plan that must be empty, then destroy. Valid is not deployable: this is the check that the
//! output deploys (issue 17).
//!
//! It takes minutes (a database alone keeps the provider's waiters busy for two), so it runs only
//! when asked: `IACGEN_APPLY=1 cargo test aws_apply`, or with `IACGEN_REQUIRE_ORACLES` set (CI,
//! where a missing terraform or moto is a failure instead of a skip). Each environment's root gets
//! an oracle process of its own, so a fresh moto: a database that deletion protection kept from being
//! destroyed cannot leak into the next root (the small shared roots share one). `IACGEN_APPLY_JOBS` (default 4) sets how many run at
//! once; they mostly wait on the provider's polling, not on the CPU.
//!
//! What may differ from a clean run, and nothing else: moto gaps, each reduced to a minimal root
//! under `tests/aws_apply/gaps/` ([`GAPS`]; the oracle's own known-gap list covers errors, not
//! perpetual diffs), the oracle's known gaps and calls moto does not emulate (its warnings), a
//! destroy that deletion protection refuses (production roots protect their databases), and a VPC
//! that the model says exists ([`PRE_EXISTING`]: an empty moto has none, and moto cannot create
//! one with a given ID).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::common;

/// The certificate moto is seeded with (see `../shared/tools/README-terraform.md`).
const CERTIFICATE: &str = "certificate_arn=arn:aws:iam::123456789012:server-certificate/verify-aws-apply";

/// A webhook for the roots whose alerts post to one (the URL is a variable, never in the root).
const WEBHOOK: &str = "alerts_webhook_url=https://hooks.example.com/iacgen-alerts";

/// A gap: the minimal root under `tests/aws_apply/gaps/`, the pattern over the oracle's ERROR (or
/// WARN) line, which roots it may occur in (by their main.tf), and whether every run must meet it
/// (so that the list cannot go stale). A gap in a root whose apply already stops at another gap is
/// met or not depending on what Terraform started before it stopped: such a gap is not `always`.
struct Gap {
    root: &'static str,
    pattern: &'static str,
    applies_to: fn(&str) -> bool,
    always: bool,
}

fn any_root(_: &str) -> bool {
    true
}

/// Roots with more than one RDS instance: moto gives every instance the same DbiResourceId, which
/// the provider identifies instances by.
fn several_databases(main: &str) -> bool {
    ["../modules/postgres\"", "../modules/mysql\"", "../modules/mssql\""]
        .iter()
        .map(|source| main.matches(source).count())
        .sum::<usize>()
        > 1
}

/// Roots with a service or job whose volumes live on EFS.
fn persistent_volumes(main: &str) -> bool {
    main.contains("persistent_volumes")
}

/// moto gaps, each reduced to a minimal root; see `tests/aws_apply/gaps/README.md`.
const GAPS: &[Gap] = &[
    Gap {
        root: "sg-rule-description",
        pattern: r"\[\S*aws_vpc_security_group_(ingress|egress)_rule\.\S*\]: perpetual diff: terraform plan right after apply wants to update \(description\)$",
        applies_to: any_root,
        always: true,
    },
    Gap {
        root: "ecs-service-attributes",
        pattern: r"\[\S*aws_ecs_service\.\S*\]: perpetual diff: terraform plan right after apply wants to update \((availability_zone_rebalancing|enable_ecs_managed_tags|health_check_grace_period_seconds)(, (availability_zone_rebalancing|enable_ecs_managed_tags|health_check_grace_period_seconds))*\)$",
        applies_to: any_root,
        always: true,
    },
    Gap {
        root: "db-parameter-group",
        pattern: r"\[\S*aws_db_parameter_group\.\S*\]: perpetual diff: terraform plan right after apply wants to update \(parameter\)$",
        applies_to: any_root,
        always: true,
    },
    Gap {
        root: "efs-backup-policy",
        pattern: r"\[\S*aws_efs_backup_policy\.\S*\]: apply: putting EFS Backup Policy \([^)]*\): operation error EFS: PutBackupPolicy, .*HTTP 500",
        applies_to: persistent_volumes,
        always: true,
    },
    Gap {
        root: "efs-file-system-policy",
        pattern: r"^WARN \S+: destroy: deleting EFS File System Policy \([^)]*\): operation error EFS: DeleteFileSystemPolicy, .*HTTP 500",
        applies_to: persistent_volumes,
        always: false,
    },
    Gap {
        root: "appautoscaling-target-tags",
        pattern: r"\[\S*aws_appautoscaling_target\.\S*\]: (apply|destroy): listing tags for Application Auto Scaling Target \([^)]*\): operation error Application Auto Scaling: ListTagsForResource, .*HTTP 500",
        applies_to: any_root,
        always: false,
    },
    Gap {
        root: "db-performance-insights",
        pattern: r"\[\S*aws_db_instance\.\S*\]: perpetual diff: terraform plan right after apply wants to update \((performance_insights_enabled|performance_insights_kms_key_id|performance_insights_retention_period)(, (performance_insights_enabled|performance_insights_kms_key_id|performance_insights_retention_period))*\)$",
        applies_to: any_root,
        always: true,
    },
    Gap {
        root: "two-db-instances",
        pattern: r"\[\S*aws_db_instance\.\S*\]: apply: (waiting for RDS DB Instance \([^)]*\) update|reading RDS DB Instance \([^)]*\)): couldn't find resource",
        applies_to: several_databases,
        always: true,
    },
    Gap {
        root: "backup-selection",
        pattern: r"\[\S*aws_backup_selection\.\S*\]: apply: creating Backup Selection \([^)]*\): operation error Backup: CreateBackupSelection, .*HTTP 500",
        applies_to: copies_backups,
        // A root that copies backups may stop first at another gap (personal-system at Redis).
        always: false,
    },
];

/// Roots that copy backups to a second region (AWS Backup): moto has no `CreateBackupSelection`.
fn copies_backups(main: &str) -> bool {
    main.contains("../modules/backup\"")
}

/// Roots that use a VPC the model says exists (`targets.aws.vpc`): the network module reads it,
/// and an empty moto has none. Everything else in such a root depends on it, so it stops there.
const PRE_EXISTING: &str = r"\[\S*module\.network\.data\.aws_vpc\.existing\[0\]\]: apply: no matching EC2 VPC found";

/// Warnings that are not findings: the oracle's reduced emulator gaps, calls moto does not emulate,
/// and deletion protection refusing the destroy of a protected (production) root.
const ACCEPTED_WARNINGS: &[&str] = &[
    r": (apply|destroy|plan after apply): known emulator gap \(",
    r": (apply|destroy|plan after apply): not emulated by moto, not checked: ",
    r": destroy: .*(Cannot delete protected|deletion protection)",
];

fn tools() -> PathBuf {
    std::env::var_os("IACGEN_TOOLS").map(PathBuf::from).unwrap_or_else(|| common::repo().join("../shared/tools"))
}

fn has_terraform() -> bool {
    Command::new("terraform").arg("version").output().is_ok_and(|output| output.status.success())
}

/// Every Terraform root below `dir` (a folder with a backend.tf), not below `modules/`.
fn roots(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|entry| entry.file_name() != "modules")
        .flatten()
        .filter(|entry| entry.file_type().is_dir() && entry.path().join("backend.tf").is_file())
        .map(|entry| entry.into_path())
        .collect();
    out.sort();
    out
}

/// The roots of every fixture's committed output and of every test case's output (written to
/// `scratch`), as the paths the oracle is given.
fn all_roots(scratch: &Path) -> Vec<PathBuf> {
    let repo = common::repo();
    let mut out = Vec::new();
    for fixture in common::projects(&repo.join("fixtures/ok")) {
        out.extend(roots(&fixture.join("deploy/terraform/aws")));
    }
    for case in common::projects(&repo.join("tests/cases")) {
        let files = common::compile(&case);
        let dir = scratch.join(common::name(&case));
        for (path, file) in &files.files {
            if path.starts_with("terraform/aws/") {
                let target = dir.join(path);
                std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
                std::fs::write(&target, file.contents.as_bytes()).expect("write");
            }
        }
        out.extend(roots(&dir.join("terraform/aws")));
    }
    out
}

fn main_tf(root: &Path) -> String {
    std::fs::read_to_string(root.join("main.tf")).unwrap_or_default()
}

/// A rough cost of applying a root (databases and load balancers keep the provider waiting).
fn cost(root: &Path) -> usize {
    let main = main_tf(root);
    let count = |needle: &str| main.matches(needle).count();
    1 + 4 * (count("../modules/postgres\"") + count("../modules/mysql\"") + count("../modules/mssql\""))
        + 2 * count("../modules/redis\"")
        + 2 * count("../modules/load_balancer\"")
        + count("../modules/service\"")
}

/// Roots applied by one oracle process, one after the other in one moto.
struct Batch {
    roots: Vec<PathBuf>,
    cost: usize,
}

/// One batch per root, except the shared roots (a KMS key and ECR repositories each, nothing that
/// deletion protection keeps), which share one: a process's start-up (the provider's schema
/// probe, moto) costs about as much as such a root.
fn batches(roots: Vec<PathBuf>) -> Vec<Batch> {
    let (shared, own): (Vec<PathBuf>, Vec<PathBuf>) =
        roots.into_iter().partition(|root| root.components().any(|part| part.as_os_str() == "_shared"));
    let mut out: Vec<Batch> = own.into_iter().map(|root| Batch { cost: cost(&root), roots: vec![root] }).collect();
    if !shared.is_empty() {
        out.push(Batch { cost: shared.iter().map(|root| cost(root)).sum(), roots: shared });
    }
    // The costliest start first, so the last to finish is a short one.
    out.sort_by_key(|batch| std::cmp::Reverse(batch.cost));
    out
}

struct Run {
    roots: Vec<PathBuf>,
    status: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: u64,
}

fn verify(tool: &Path, roots: &[PathBuf]) -> Run {
    let started = Instant::now();
    let output = Command::new(tool)
        .args(["--timeout", "1800", "--var", CERTIFICATE, "--var", WEBHOOK, "--var", "run_migrations=false"])
        .args(roots)
        .output()
        .expect("run verify-aws-apply");
    Run {
        roots: roots.to_vec(),
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        seconds: started.elapsed().as_secs(),
    }
}

/// Apply every batch, `jobs` at a time.
fn verify_all(tool: &Path, batches: Vec<Batch>, jobs: usize) -> Vec<Run> {
    let queue = std::sync::Mutex::new(batches.into_iter());
    let runs = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut queue| queue.next()).unwrap_or(None);
                    let Some(batch) = next else { break };
                    let run = verify(tool, &batch.roots);
                    if let Ok(mut runs) = runs.lock() {
                        runs.push(run);
                    }
                }
            });
        }
    });
    let mut runs = runs.into_inner().unwrap_or_default();
    runs.sort_by(|a, b| a.roots.cmp(&b.roots));
    runs
}

#[test]
fn every_aws_root_applies_with_an_empty_second_plan() {
    let required = std::env::var_os("IACGEN_REQUIRE_ORACLES").is_some();
    if !required && std::env::var_os("IACGEN_APPLY").is_none() {
        eprintln!("note: applying every AWS root takes minutes; set IACGEN_APPLY=1 to run it");
        return;
    }
    let tool = tools().join("verify-aws-apply");
    if !tool.is_file() || !has_terraform() {
        assert!(!required, "verify-aws-apply or terraform is missing ({})", tool.display());
        eprintln!("note: verify-aws-apply or terraform is missing; skipping");
        return;
    }
    let scratch = tempfile::tempdir().expect("temp dir");
    let roots = all_roots(scratch.path());
    assert!(roots.len() >= 10, "expected every fixture's and case's AWS roots, found {roots:?}");
    let jobs = std::env::var("IACGEN_APPLY_JOBS").ok().and_then(|n| n.parse().ok()).unwrap_or(4);
    let started = Instant::now();
    let runs = verify_all(&tool, batches(roots.clone()), jobs);

    let gaps: Vec<regex::Regex> = GAPS.iter().map(|gap| regex::Regex::new(gap.pattern).expect("gap pattern")).collect();
    let pre_existing = regex::Regex::new(PRE_EXISTING).expect("pattern");
    let accepted: Vec<regex::Regex> =
        ACCEPTED_WARNINGS.iter().map(|pattern| regex::Regex::new(pattern).expect("warning pattern")).collect();
    let summary = regex::Regex::new(r"^verify-aws-apply: (\d+) roots?, (\d+) applied").expect("summary pattern");
    let mut findings = Vec::new();
    let mut used = vec![false; gaps.len()];
    let (mut total, mut applied) = (0, 0);
    for run in &runs {
        if run.status == Some(2) || run.status.is_none() {
            assert!(!required, "verify-aws-apply could not run:\n{}{}", run.stdout, run.stderr);
            eprintln!("note: verify-aws-apply could not run; skipping:\n{}", run.stderr);
            return;
        }
        for line in run.stdout.lines() {
            // Each finding names its root first (as given).
            let shown = line.split(' ').nth(1).map(|shown| shown.trim_end_matches(':'));
            // The oracle shows a root as it was given, relative to the repository for a fixture.
            let root = run.roots.iter().find(|root| shown.is_some_and(|shown| root.ends_with(Path::new(shown))));
            let main = root.map(|root| main_tf(root)).unwrap_or_default();
            let uses_existing_vpc = main.contains("existing_vpc_id");
            if let Some(captures) = summary.captures(line) {
                let names: Vec<String> = run.roots.iter().map(|root| root.display().to_string()).collect();
                eprintln!("{} ({} s): {line}", names.join(" "), run.seconds);
                total += captures[1].parse::<usize>().unwrap_or(0);
                applied += captures[2].parse::<usize>().unwrap_or(0);
            } else if line.starts_with("ERROR ") || line.starts_with("WARN ") {
                let gap =
                    GAPS.iter().zip(&gaps).position(|(gap, pattern)| (gap.applies_to)(&main) && pattern.is_match(line));
                // Every accepted line is shown (with --nocapture, and in CI's log on a failure).
                match gap {
                    Some(index) => {
                        used[index] = true;
                        eprintln!("  accepted, moto gap {}: {line}", GAPS[index].root);
                    }
                    None if uses_existing_vpc && pre_existing.is_match(line) => {
                        eprintln!("  accepted, no such VPC in an empty moto: {line}");
                    }
                    None if line.starts_with("WARN ") && accepted.iter().any(|pattern| pattern.is_match(line)) => {
                        eprintln!("  accepted: {line}");
                    }
                    None => findings.push(line.to_string()),
                }
            }
        }
    }
    eprintln!("{} roots in {} s ({jobs} at a time)", runs.len(), started.elapsed().as_secs());
    let stdout: String = runs.iter().map(|run| run.stdout.as_str()).collect();
    assert_eq!(total, roots.len(), "the oracle did not report every root:\n{stdout}");
    // A root that fails `terraform validate` is not applied, and the oracle does not always say why.
    assert_eq!(applied, total, "not every root was applied:\n{stdout}");
    assert!(findings.is_empty(), "verify-aws-apply findings:\n{}", findings.join("\n"));
    let stale: Vec<&str> =
        GAPS.iter().zip(&used).filter(|(gap, used)| gap.always && !**used).map(|(gap, _)| gap.root).collect();
    assert!(stale.is_empty(), "emulator gaps that no longer occur (remove them from GAPS): {stale:?}");
}
