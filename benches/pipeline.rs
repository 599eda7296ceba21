//! The pipeline benchmark: models of 10, 100, 1,000 and 5,000 services that use every feature
//! (placeholders, secrets, resources, autoscale, ingress, metrics, migrations, jobs, three
//! environments, all five targets), timed stage by stage, with peak memory per size.
//!
//! Run: `cargo bench --bench pipeline` (add `-- --sizes 10,1000` to choose sizes). Each size runs in
//! a child process so its peak resident memory (VmHWM) is its own.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use iacgen::ir::Target;
use iacgen::output::changes;
use iacgen::output::write::{self, WriteOptions};
use iacgen::shared::{FileSet, Filter};
use iacgen::source::reader::Reader;
use iacgen::targets::EmitOptions;

// The stages run in this process: with the binary's allocator, so they add up to what it does.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CHILD: &str = "IACGEN_BENCH_SIZE";
const RUNS: usize = 5;

fn main() {
    if let Ok(size) = std::env::var(CHILD) {
        child(size.parse().unwrap_or(10));
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    // `-- --generate DIR SIZE` only writes the model, for profiling the CLI on it (see README).
    if let Some(i) = args.iter().position(|a| a == "--generate") {
        let (Some(dir), Some(size)) = (args.get(i + 1), args.get(i + 2).and_then(|s| s.parse().ok())) else {
            panic!("usage: --generate DIR SIZE");
        };
        std::fs::create_dir_all(dir).expect("create folder");
        generate(Path::new(dir), size);
        return;
    }
    let sizes: Vec<usize> = args
        .iter()
        .position(|a| a == "--sizes")
        .and_then(|i| args.get(i + 1))
        .map(|list| list.split(',').filter_map(|s| s.parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 100, 1000, 5000]);
    println!("iacgen pipeline benchmark: median of {RUNS} runs per stage, milliseconds; peak memory of the whole run");
    for size in sizes {
        let exe = std::env::current_exe().expect("current exe");
        let status = Command::new(exe).env(CHILD, size.to_string()).status().expect("run child");
        assert!(status.success(), "size {size} failed");
    }
}

/// Generate a model of `services` services in `dir`.
pub fn generate(dir: &Path, services: usize) {
    let mut model = String::from(
        "version: 1\nproject: bench\nregistry: ghcr.io/bench\ntags: { owner: platform }\n\
         defaults:\n  resources: { cpu: 250m, memory: 512Mi, cpu_limit: \"1\", memory_limit: 1Gi }\n  volumes: { /tmp: scratch }\n\
         secrets:\n  jwt: { description: signing key }\n  api-key: { description: partner key }\n\
         resources:\n  db: { kind: postgres, version: \"16\", size: medium }\n  cache: { kind: redis, version: \"7\" }\n\
         jobs:\n  nightly:\n    version: 1.0.0\n    schedule: \"0 2 * * *\"\n    command: [./report]\n    env: { DB_HOST: \"${resources.db.host}\" }\n    secrets: { DB_PASSWORD: db.password }\n\
         services:\n",
    );
    for index in 0..services {
        let next = (index + 1) % services;
        model.push_str(&format!(
            "  svc-{index:05}:\n    version: 1.0.{index}\n    ports: {{ http: 8080, metrics: 9090 }}\n    health: {{ path: /health, ready: /ready }}\n    env:\n      LOG_LEVEL: info\n      DB_HOST: \"${{resources.db.host}}\"\n      DB_PORT: \"${{resources.db.port}}\"\n      CACHE_HOST: \"${{resources.cache.host}}\"\n      NEXT_URL: \"${{services.svc-{next:05}.url}}\"\n      ENVIRONMENT: \"${{environment}}\"\n    secrets: {{ JWT_SECRET: jwt, API_KEY: api-key, DB_PASSWORD: db.password }}\n    uses: [db, cache]\n    ingress: {{ host: s{index}.bench.example.com, path: /, tls: true }}\n    metrics: {{ port: metrics }}\n    autoscale: {{ min: 2, max: 10, cpu: 70 }}\n    migrate: {{ command: [./migrate, up] }}\n"
        ));
    }
    model.push_str(
        "environments:\n  development:\n    targets: [compose]\n  staging:\n    targets: [helm, ecs]\n    resources: { db: { host: db.staging.internal }, cache: { host: cache.staging.internal } }\n\
         \x20 production:\n    targets: [helm, aws, azure, ecs]\n    defaults: { replicas: 3 }\n    resources: { db: { host: db.prod.internal }, cache: { host: cache.prod.internal } }\n\
         targets:\n  compose: { gateway: nginx, monitoring: prometheus }\n  helm: { namespace: bench }\n\
         \x20 aws: { region: us-east-1, account_id: \"123456789012\", state: { bucket: bench-tfstate } }\n\
         \x20 azure: { location: eastus, plan_sku: P1v3, state: { resource_group: tfstate, storage_account: benchtfstate } }\n  ecs: {}\n",
    );
    std::fs::write(dir.join("iacgen.yaml"), model).expect("write model");
}

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut samples = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        last = Some(f());
        samples.push(started.elapsed());
    }
    (median(samples), last.expect("at least one run"))
}

fn child(size: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    generate(dir.path(), size);
    let reader = Reader::Disk { root: dir.path().to_path_buf() };
    let mut stages: BTreeMap<&str, f64> = BTreeMap::new();

    let (ms, loaded) = time(RUNS, || iacgen::source::load(&reader).expect("load"));
    stages.insert("1 load", ms);
    let (ms, _) = time(RUNS, || iacgen::validate::model(&loaded.model));
    stages.insert("2 validate", ms);
    let (ms, compilation) = time(RUNS, || iacgen::resolve::resolve(&loaded.model));
    stages.insert("3 resolve", ms);
    let (ms, _) = time(RUNS, || {
        iacgen::validate::compilation(
            &loaded.model,
            &compilation,
            &Filter::default(),
            &iacgen::validate::Broken::Nothing,
        )
    });
    stages.insert("4 rules", ms);
    let options = EmitOptions::default();
    let mut files = FileSet::default();
    for target in Target::ALL {
        let (ms, set) = time(RUNS, || iacgen::targets::emit(target, &compilation, &options));
        stages.insert(
            match target {
                Target::Compose => "5 compose",
                Target::Helm => "5 helm",
                Target::Aws => "5 aws",
                Target::Azure => "5 azure",
                Target::Ecs => "5 ecs",
            },
            ms,
        );
        files.extend(set);
    }
    let (ms, _) = time(RUNS, || iacgen::targets::emit_all(&compilation, &options, &Filter::default()));
    stages.insert("6 all targets (parallel)", ms);
    let write_options = WriteOptions { force: false, model_file: String::from("iacgen.yaml") };
    let (ms, _) =
        time(1, || write::build(dir.path(), "deploy", &files, &Filter::default(), &write_options).expect("write"));
    stages.insert("7 write (from scratch)", ms);
    let (ms, _) = time(RUNS, || changes::against_disk(&dir.path().join("deploy"), &files, &Filter::default()));
    stages.insert("8 compare (check)", ms);

    let binary = env!("CARGO_BIN_EXE_iacgen");
    // From-scratch builds go to a fresh folder each run, removed only at the end: ext4 scans past
    // inodes freed in the last minute (`recently_deleted`), so `rm -rf deploy && iacgen build`
    // measures the deletion, not the build (it made `build` 5x slower here, and `cp -r` too).
    let fresh = |run: usize| dir.path().join(format!("fresh-{run}"));
    let mut build = Vec::new();
    for run in 0..RUNS {
        std::fs::create_dir_all(fresh(run)).expect("fresh folder");
        std::fs::copy(dir.path().join("iacgen.yaml"), fresh(run).join("iacgen.yaml")).expect("copy model");
        build.push(run_cli(binary, &["build", "-q"], &fresh(run)));
    }
    let check: Vec<Run> = (0..RUNS).map(|_| run_cli(binary, &["check", "-q"], dir.path())).collect();
    let noop: Vec<Run> = (0..RUNS).map(|_| run_cli(binary, &["build", "-q"], dir.path())).collect();
    // The file-system floor: copying the same tree with `cp -r` (no rendering at all).
    let mut floor = Vec::new();
    for run in 0..RUNS {
        let target = dir.path().join(format!("copy-{run}"));
        floor.push(run_cli("cp", &["-r", "deploy", &target.to_string_lossy()], dir.path()));
    }
    let bytes: usize = files.files.values().map(|f| f.contents.len()).sum();
    println!(
        "\n{size} services: {} files, {:.1} MiB; bench process peak memory {:.0} MiB",
        files.files.len(),
        bytes as f64 / 1_048_576.0,
        peak_mib()
    );
    for (name, runs) in [
        ("iacgen build (from scratch)", &build),
        ("iacgen build (nothing to do)", &noop),
        ("iacgen check (in sync)", &check),
        ("cp -r of the output (floor)", &floor),
    ] {
        let (wall, cpu, peak) = summary(runs);
        let best = runs.iter().map(|run| run.wall).min().unwrap_or_default().as_secs_f64() * 1000.0;
        // Per service, so sizes compare: flat when time grows linearly with the model.
        let per_service = wall * 1000.0 / size as f64;
        println!(
            "  {name:<30} wall {wall:>7.0} ms (best {best:>6.0})   user+sys {cpu:>7.0} ms   peak {peak:>5.0} MiB   {per_service:>6.0} µs/service"
        );
    }
    helm_comparison(size, dir.path(), &compilation, &options);
    for (stage, ms) in stages {
        println!("  {stage:<26} {ms:>9.1}");
    }
}

/// Peak resident memory of this process (VmHWM), in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// One run of a command: wall time, user+sys CPU time and peak resident memory (from `wait4`).
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_kib: i64,
}

/// Run `program args` in `dir` and measure it.
fn run_cli(program: &str, args: &[&str], dir: &Path) -> Run {
    // Through /usr/bin/time for the peak: a child spawned from this (large) process inherits its
    // memory high-water mark in ru_maxrss, so wait4's figure would be ours, not the child's.
    let report = dir.join(".peak");
    let started = Instant::now();
    let child = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(program)
        .args(args)
        .current_dir(dir)
        .spawn()
        .expect("spawn");
    let pid = i32::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value, and wait4 only writes into the two pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert!(waited == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{program} {args:?} failed");
    let time = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    let peak_kib = std::fs::read_to_string(&report).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0);
    let _ = std::fs::remove_file(&report);
    Run { wall, cpu: time(usage.ru_utime) + time(usage.ru_stime), peak_kib }
}

/// Median wall and CPU milliseconds, and the largest peak memory in MiB.
fn summary(runs: &[Run]) -> (f64, f64, f64) {
    let wall = median(runs.iter().map(|r| r.wall).collect());
    let cpu = median(runs.iter().map(|r| r.cpu).collect());
    let peak = runs.iter().map(|r| r.peak_kib).max().unwrap_or(0) as f64 / 1024.0;
    (wall, cpu, peak)
}

/// Helm's own renderer (helm-python-sdk, the oracles' venv) over every chart of this size, against
/// iacgen's time to produce the same charts. Only at 100 and 1,000 services (Helm needs ~35 ms a chart).
fn helm_comparison(size: usize, dir: &Path, compilation: &iacgen::ir::Compilation, options: &EmitOptions) {
    if size != 100 && size != 1000 {
        return;
    }
    let python = std::env::var_os("HOME")
        .map(|home| Path::new(&home).join(".cache/iacgen-oracles/venv/bin/python"))
        .filter(|path| path.exists());
    let Some(python) = python else {
        println!("  helm comparison skipped: no oracle venv (~/.cache/iacgen-oracles/venv)");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/helm_render.py");
    let output = Command::new(python).arg(script).arg(dir.join("deploy/helm")).output().expect("run helm_render.py");
    let text = String::from_utf8_lossy(&output.stdout);
    let seconds =
        text.split_whitespace().find_map(|part| part.strip_prefix("seconds=")).and_then(|s| s.parse::<f64>().ok());
    let Some(seconds) = seconds.filter(|_| output.status.success()) else {
        println!("  helm comparison failed: {}", String::from_utf8_lossy(&output.stderr).trim());
        return;
    };
    let (ms, _) = time(RUNS, || iacgen::targets::emit(Target::Helm, compilation, options));
    println!(
        "  helm: Helm's renderer {:.0} ms for {} vs iacgen helm target {ms:.0} ms: ratio {:.0}x",
        seconds * 1000.0,
        text.trim(),
        seconds * 1000.0 / ms
    );
}
