//! Every AWS Terraform root iacgen writes — each fixture's committed output and each test case's
//! output — applied for real by `../shared/tools/verify-aws-apply`: real Terraform and the real
//! hashicorp/aws provider from the machine's mirror, against moto (emulated AWS) on loopback; then a
//! second plan that must be empty, then destroy. Valid is not deployable: this is the check that the
//! output deploys (issue 17).
//!
//! It takes minutes (a database alone keeps the provider's waiters busy for two), so it runs only
//! when asked: `IACGEN_APPLY=1 cargo test --test aws_apply`, or with `IACGEN_REQUIRE_ORACLES` set
//! (CI, where a missing terraform or moto is a failure instead of a skip). `IACGEN_APPLY_JOBS`
//! (default 3) sets how many oracle processes, each with its own moto, share the roots.
//!
//! What may differ from a clean run, and nothing else: moto gaps, each reduced to a minimal root
//! under `tests/aws_apply/gaps/` ([`GAPS`]; the oracle's own known-gap list covers errors, not
//! perpetual diffs), the oracle's known gaps and calls moto does not emulate (its warnings), and a
//! destroy that deletion protection refuses (production roots protect their databases).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The certificate moto is seeded with (see `../shared/tools/README-terraform.md`).
const CERTIFICATE: &str = "certificate_arn=arn:aws:iam::123456789012:server-certificate/verify-aws-apply";

/// Perpetual diffs that moto causes: (minimal root under `tests/aws_apply/gaps/`, pattern over the
/// oracle's ERROR line). See that folder's README for what moto does in each.
const GAPS: &[(&str, &str)] = &[
    (
        "sg-rule-description",
        r"\[\S*aws_vpc_security_group_(ingress|egress)_rule\.[^\]]*\]: perpetual diff: terraform plan right after apply wants to update \(description\)$",
    ),
    (
        "ecs-service-attributes",
        r"\[\S*aws_ecs_service\.[^\]]*\]: perpetual diff: terraform plan right after apply wants to update \((availability_zone_rebalancing|enable_ecs_managed_tags|health_check_grace_period_seconds)(, (availability_zone_rebalancing|enable_ecs_managed_tags|health_check_grace_period_seconds))*\)$",
    ),
    (
        "db-parameter-group",
        r"\[\S*aws_db_parameter_group\.[^\]]*\]: perpetual diff: terraform plan right after apply wants to update \(parameter\)$",
    ),
];

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

/// A rough cost of applying a root (databases and load balancers keep the provider waiting), to
/// balance the jobs.
fn cost(root: &Path) -> u32 {
    let main = std::fs::read_to_string(root.join("main.tf")).unwrap_or_default();
    let count = |needle: &str| main.matches(needle).count() as u32;
    1 + 4 * (count("../modules/postgres\"") + count("../modules/mysql\"") + count("../modules/mssql\""))
        + 2 * count("../modules/redis\"")
        + 2 * count("../modules/load_balancer\"")
        + count("../modules/service\"")
}

/// The roots split into `jobs` groups of about equal cost (longest first, each to the lightest group).
fn partition(mut roots: Vec<PathBuf>, jobs: usize) -> Vec<Vec<PathBuf>> {
    roots.sort_by_key(|root| std::cmp::Reverse(cost(root)));
    let mut groups: Vec<(u32, Vec<PathBuf>)> = vec![(0, Vec::new()); jobs.max(1)];
    for root in roots {
        let lightest = groups.iter_mut().min_by_key(|(total, _)| *total).expect("a group");
        lightest.0 += cost(&root);
        lightest.1.push(root);
    }
    groups.into_iter().map(|(_, roots)| roots).filter(|roots| !roots.is_empty()).collect()
}

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: u64,
}

fn verify(tool: &Path, roots: &[PathBuf]) -> Run {
    let started = Instant::now();
    let output = Command::new(tool)
        .args(["--timeout", "1800", "--var", CERTIFICATE, "--var", "run_migrations=false"])
        .args(roots)
        .output()
        .expect("run verify-aws-apply");
    Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        seconds: started.elapsed().as_secs(),
    }
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
    let jobs = std::env::var("IACGEN_APPLY_JOBS").ok().and_then(|n| n.parse().ok()).unwrap_or(3);
    let groups = partition(roots.clone(), jobs);
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = groups.iter().map(|group| scope.spawn(|| verify(&tool, group))).collect();
        handles.into_iter().map(|handle| handle.join().expect("oracle thread")).collect()
    });

    let gaps: Vec<(&str, regex::Regex)> =
        GAPS.iter().map(|(name, pattern)| (*name, regex::Regex::new(pattern).expect("gap pattern"))).collect();
    let accepted: Vec<regex::Regex> =
        ACCEPTED_WARNINGS.iter().map(|pattern| regex::Regex::new(pattern).expect("warning pattern")).collect();
    let summary = regex::Regex::new(r"^verify-aws-apply: (\d+) roots?, (\d+) applied").expect("summary pattern");
    let mut findings = Vec::new();
    let mut used = vec![false; gaps.len()];
    let (mut total, mut applied) = (0, 0);
    for (group, run) in groups.iter().zip(&runs) {
        eprintln!("verify-aws-apply over {} roots: {} s", group.len(), run.seconds);
        if run.status == Some(2) || run.status.is_none() {
            assert!(!required, "verify-aws-apply could not run:\n{}{}", run.stdout, run.stderr);
            eprintln!("note: verify-aws-apply could not run; skipping:\n{}", run.stderr);
            return;
        }
        for line in run.stdout.lines() {
            if let Some(captures) = summary.captures(line) {
                eprintln!("{line}");
                total += captures[1].parse::<usize>().unwrap_or(0);
                applied += captures[2].parse::<usize>().unwrap_or(0);
            } else if line.starts_with("ERROR ") {
                match gaps.iter().position(|(_, pattern)| pattern.is_match(line)) {
                    Some(index) => used[index] = true,
                    None => findings.push(line.to_string()),
                }
            } else if line.starts_with("WARN ") && !accepted.iter().any(|pattern| pattern.is_match(line)) {
                findings.push(line.to_string());
            }
        }
    }
    assert_eq!(total, roots.len(), "the oracle did not report every root:\n{}", stdout_of(&runs));
    // A root that fails `terraform validate` is not applied (the oracle cannot always report why).
    assert_eq!(applied, total, "not every root was applied:\n{}", stdout_of(&runs));
    assert!(findings.is_empty(), "verify-aws-apply findings:\n{}", findings.join("\n"));
    let stale: Vec<&str> = gaps.iter().zip(&used).filter(|(_, used)| !**used).map(|((name, _), _)| *name).collect();
    assert!(stale.is_empty(), "emulator gaps that no longer occur (remove them from GAPS): {stale:?}");
}

fn stdout_of(runs: &[Run]) -> String {
    runs.iter().map(|run| run.stdout.as_str()).collect()
}
