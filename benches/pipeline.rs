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
use iacgen::source::reader::Reader;
use iacgen::targets::{EmitOptions, FileSet, Filter};

const CHILD: &str = "IACGEN_BENCH_SIZE";
const RUNS: usize = 5;

fn main() {
    if let Ok(size) = std::env::var(CHILD) {
        child(size.parse().unwrap_or(10));
        return;
    }
    let args: Vec<String> = std::env::args().collect();
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
    let (ms, _) = time(RUNS, || iacgen::validate::compilation(&loaded.model, &compilation));
    stages.insert("4 rules", ms);
    let options = EmitOptions::default();
    let mut files = FileSet::default();
    for target in Target::ALL {
        let (ms, set) = time(RUNS, || iacgen::targets::emit(target, &compilation, &options).expect("emit"));
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
    let (ms, _) = time(RUNS, || iacgen::targets::emit_all(&compilation, &options, &Filter::default()).expect("emit"));
    stages.insert("6 all targets (parallel)", ms);
    let write_options = WriteOptions { force: false, model_file: String::from("iacgen.yaml") };
    let (ms, _) =
        time(1, || write::build(dir.path(), "deploy", &files, &Filter::default(), &write_options).expect("write"));
    stages.insert("7 write (from scratch)", ms);
    let (ms, _) = time(RUNS, || changes::against_disk(&dir.path().join("deploy"), &files, &Filter::default()));
    stages.insert("8 compare (check)", ms);

    let binary = env!("CARGO_BIN_EXE_iacgen");
    let end_to_end = |args: &[&str], clean: bool| {
        let mut samples = Vec::new();
        for _ in 0..RUNS {
            if clean {
                let _ = std::fs::remove_dir_all(dir.path().join("deploy"));
            }
            let started = Instant::now();
            let status = Command::new(binary).args(args).current_dir(dir.path()).status().expect("run iacgen");
            samples.push(started.elapsed());
            assert!(status.success());
        }
        median(samples)
    };
    let build_ms = end_to_end(&["build", "-q"], true);
    let check_ms = end_to_end(&["check", "-q"], false);
    let bytes: usize = files.files.values().map(|f| f.contents.len()).sum();
    println!(
        "\n{size} services: {} files, {:.1} MiB; `iacgen build` from scratch {build_ms:.0} ms, `iacgen check` in sync {check_ms:.0} ms, peak memory {:.0} MiB",
        files.files.len(),
        bytes as f64 / 1_048_576.0,
        peak_mib()
    );
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
