//! A structure-aware generator of iacgen models for property tests: it writes models that use
//! every part of the language (services, jobs, resources, secrets, environments with overrides,
//! placeholders, files, gateways, waivers) with awkward strings in every free-text place. Most
//! models it writes are valid; some break a rule on purpose (a `latest` tag in production, an
//! unknown placeholder, an output outside the project), so both outcomes are exercised.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

/// Strings that have broken generators before: quoting, comments, YAML look-alikes, control
/// characters, non-ASCII, placeholders and their escape.
pub const AWKWARD: &[&str] = &[
    "info",
    "",
    " leading and trailing ",
    "a: b",
    "#not a comment",
    "'single'",
    "\"double\"",
    "back\\slash",
    "multi\nline\n",
    "tab\there",
    "carriage\rreturn",
    "nul\u{0}byte",
    "bell\u{7}",
    "yes",
    "null",
    "~",
    "1e3",
    "0777",
    "-",
    "- item",
    "{a: 1}",
    "[b]",
    "&anchor",
    "*alias",
    "!tag",
    "%directive",
    "@at",
    "`tick`",
    "é ✓ 日本",
    "\u{202e}rtl",
    "\u{feff}bom",
    "$",
    "$$",
    "$${literal}",
    "${environment}",
    "${project}",
    "${resources.db.host}:${resources.db.port}",
    "${resources.cache.host}",
    "${services.api.url}",
    "${services.web.host}",
    "${services.nope.url}",
    "}{",
    "<script>",
    "a\\u0041",
    "very long value very long value very long value very long value very long value very long value",
];

const SERVICE_NAMES: &[&str] = &["api", "web", "worker", "auth-service", "b"];
const ENV_NAMES: &[&str] = &["development", "staging", "production", "dev", "qa-1"];
const VERSIONS: &[&str] = &["1.0.0", "2", "v1.2.3-rc.1", "latest", "sha-0123abc"];
const CPUS: &[&str] = &["250m", "0.5", "1", "2", "100m"];
const MEMORIES: &[&str] = &["128Mi", "256Mi", "512Mi", "1Gi", "2Gi"];
const PATHS: &[&str] = &["/", "/health", "/api/v1", "/a b", "/é", "/x;y", "/q?a=1"];
const HOSTS: &[&str] = &["shop.example.com", "api.example.com", "x.y"];
const SCHEDULES: &[&str] = &["0 6 * * *", "*/5 * * * *", "0 0 1 1 *", "61 * * * *"];

/// One generated service or job.
#[derive(Clone, Debug)]
pub struct Workload {
    pub version: &'static str,
    pub port: Option<u16>,
    pub metrics_port: Option<u16>,
    pub health: u8,
    pub env: BTreeMap<String, String>,
    pub secrets: Vec<(String, &'static str)>,
    pub uses: Vec<&'static str>,
    pub cpu: &'static str,
    pub memory: &'static str,
    pub replicas: u8,
    pub autoscale: bool,
    pub ingress: Option<(&'static str, &'static str, bool)>,
    pub read_only_root: bool,
    pub user: u32,
    pub scratch: bool,
    pub persistent: bool,
    pub file: Option<String>,
    pub migrate: bool,
    pub schedule: &'static str,
    pub waiver: bool,
}

/// One generated environment.
#[derive(Clone, Debug)]
pub struct Environment {
    pub targets: Vec<&'static str>,
    pub stage: Option<&'static str>,
    pub replicas: Option<u8>,
    pub override_env: Option<(String, String)>,
}

/// A generated project.
#[derive(Clone, Debug)]
pub struct Project {
    pub name: &'static str,
    pub services: BTreeMap<&'static str, Workload>,
    pub jobs: BTreeMap<&'static str, Workload>,
    pub resources: Vec<(&'static str, &'static str)>,
    pub secrets: Vec<&'static str>,
    pub environments: BTreeMap<&'static str, Environment>,
    pub gateway: bool,
    pub monitoring: bool,
    pub output: &'static str,
    pub tag_value: String,
    /// Keep to the rules (pinned versions, health checks, declared references...), so the model
    /// is valid but for what awkward strings do; otherwise rules may be broken.
    pub strict: bool,
}

fn awkward() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(AWKWARD).prop_map(str::to_string),
        1 => proptest::collection::vec(any::<char>(), 0..12).prop_map(|chars| chars.into_iter().collect()),
    ]
}

fn env_key() -> impl Strategy<Value = String> {
    select(&["LOG_LEVEL", "PEER", "DB_URL", "A", "X_Y_Z", "lower", "API_TOKEN"][..]).prop_map(str::to_string)
}

fn workload() -> impl Strategy<Value = Workload> {
    let a = (
        select(VERSIONS),
        proptest::option::weighted(0.8, 1u16..=65535),
        proptest::option::weighted(0.2, 9100u16..9200),
        0u8..4,
        proptest::collection::btree_map(env_key(), awkward(), 0..4),
        proptest::collection::vec(
            (select(&["JWT_SECRET", "DB_PASSWORD"][..]).prop_map(str::to_string), select(&["jwt", "db.password"][..])),
            0..2,
        ),
        subsequence(&["db", "cache"][..], 0..=2),
        select(CPUS),
        select(MEMORIES),
        0u8..4,
    );
    let b = (
        any::<bool>(),
        proptest::option::weighted(0.4, (select(HOSTS), select(PATHS), proptest::bool::weighted(0.9))),
        proptest::bool::weighted(0.9),
        select(&[1000u32, 0, 65534][..]),
        any::<bool>(),
        proptest::bool::weighted(0.2),
        proptest::option::weighted(0.3, awkward()),
        proptest::bool::weighted(0.2),
        select(SCHEDULES),
        proptest::bool::weighted(0.1),
    );
    (a, b).prop_map(
        |(
            (version, port, metrics_port, health, env, secrets, uses, cpu, memory, replicas),
            (autoscale, ingress, read_only_root, user, scratch, persistent, file, migrate, schedule, waiver),
        )| Workload {
            version,
            port,
            metrics_port,
            health,
            env,
            secrets,
            uses,
            cpu,
            memory,
            replicas,
            autoscale,
            ingress,
            read_only_root,
            user,
            scratch,
            persistent,
            file,
            migrate,
            schedule,
            waiver,
        },
    )
}

fn environment() -> impl Strategy<Value = Environment> {
    (
        prop_oneof![8 => Just(vec!["compose"]), 1 => subsequence(&["compose", "helm", "ecs", "aws", "azure"][..], 0..=2)],
        proptest::option::weighted(0.2, select(&["development", "staging", "production"][..])),
        proptest::option::weighted(0.3, 1u8..4),
        proptest::option::weighted(0.3, (env_key(), awkward())),
    )
        .prop_map(|(targets, stage, replicas, override_env)| Environment { targets, stage, replicas, override_env })
}

/// Any project.
pub fn project() -> impl Strategy<Value = Project> {
    (
        select(&["shop", "a", "x-1", "platform-team"][..]),
        proptest::collection::btree_map(select(SERVICE_NAMES), workload(), 1..4),
        proptest::collection::btree_map(select(&["report", "cleanup"][..]), workload(), 0..2),
        subsequence(&[("db", "postgres"), ("cache", "redis"), ("store", "mysql")][..], 0..=3),
        subsequence(&["jwt", "api-key"][..], 0..=2),
        proptest::collection::btree_map(select(ENV_NAMES), environment(), 1..4),
        (any::<bool>(), any::<bool>()),
        prop_oneof![10 => Just("deploy"), 1 => Just("out/gen"), 1 => Just("a/../deploy"), 1 => Just("../escape")],
        awkward(),
        proptest::bool::weighted(0.75),
    )
        .prop_map(
            |(
                name,
                services,
                jobs,
                resources,
                secrets,
                environments,
                (gateway, monitoring),
                output,
                tag_value,
                strict,
            )| {
                let mut project = Project {
                    name,
                    services,
                    jobs,
                    resources,
                    secrets,
                    environments,
                    gateway,
                    monitoring,
                    output,
                    tag_value,
                    strict,
                };
                if strict {
                    project.keep_to_the_rules();
                }
                project
            },
        )
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML 1.2).
pub fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn workload_yaml(out: &mut String, indent: &str, w: &Workload, is_job: bool) {
    let _ = writeln!(out, "{indent}version: {}", quote(w.version));
    if !is_job {
        match (w.port, w.metrics_port) {
            (Some(port), Some(metrics)) => {
                let _ = writeln!(out, "{indent}ports: {{ http: {port}, metrics: {metrics} }}");
                let _ = writeln!(out, "{indent}metrics: {{ port: metrics, path: /metrics }}");
            }
            (Some(port), None) => {
                let _ = writeln!(out, "{indent}port: {port}");
            }
            _ => {}
        }
        match w.health {
            0 => {}
            1 => {
                let _ = writeln!(out, "{indent}health: {{ path: /health, ready: /ready }}");
            }
            _ => {
                let _ = writeln!(out, "{indent}health: {{ command: [/bin/check, \"--fast\"], interval: 15s }}");
            }
        }
        if w.replicas > 0 {
            let _ = writeln!(out, "{indent}replicas: {}", w.replicas);
        }
        if w.autoscale {
            let _ = writeln!(out, "{indent}autoscale: {{ min: 2, max: 5, cpu: 70 }}");
        }
        if let Some((host, path, tls)) = w.ingress {
            let _ = writeln!(out, "{indent}ingress: {{ host: {host}, path: {}, tls: {tls} }}", quote(path));
        }
        if w.migrate {
            let _ = writeln!(out, "{indent}migrate: {{ command: [./app, migrate] }}");
        }
    } else {
        let _ = writeln!(out, "{indent}schedule: {}", quote(w.schedule));
    }
    if !w.env.is_empty() {
        let _ = writeln!(out, "{indent}env:");
        for (key, value) in &w.env {
            let _ = writeln!(out, "{indent}  {key}: {}", quote(value));
        }
    }
    if !w.secrets.is_empty() {
        let _ = writeln!(out, "{indent}secrets:");
        for (key, secret) in &w.secrets {
            let _ = writeln!(out, "{indent}  {key}: {secret}");
        }
    }
    if !w.uses.is_empty() {
        let _ = writeln!(out, "{indent}uses: [{}]", w.uses.join(", "));
    }
    let _ = writeln!(out, "{indent}resources: {{ cpu: {}, memory: {} }}", quote(w.cpu), w.memory);
    let _ = writeln!(out, "{indent}security: {{ user: {}, read_only_root: {} }}", w.user, w.read_only_root);
    if w.scratch || w.persistent {
        let _ = writeln!(out, "{indent}volumes:");
        if w.scratch {
            let _ = writeln!(out, "{indent}  /tmp: scratch");
        }
        if w.persistent {
            let _ = writeln!(out, "{indent}  /data: {{ persistent: 1Gi }}");
        }
    }
    if let Some(content) = &w.file {
        let _ = writeln!(out, "{indent}files:\n{indent}  /etc/app/config.txt: {{ content: {} }}", quote(content));
    }
    if w.waiver {
        let _ = writeln!(out, "{indent}waivers: {{ IAC104: \"runs as root by design\" }}");
    }
}

impl Project {
    /// Make the model valid: what a careful author writes.
    pub fn keep_to_the_rules(&mut self) {
        self.resources = vec![("db", "postgres"), ("cache", "redis"), ("store", "mysql")];
        self.secrets = vec!["jwt", "api-key"];
        if matches!(self.output, "../escape") {
            self.output = "deploy";
        }
        let served: Vec<&'static str> =
            self.services.iter().filter(|(_, s)| s.port.is_some()).map(|(name, _)| *name).collect();
        let placeholder_ok = |value: &str| {
            value.match_indices("${services.").all(|(at, _)| {
                let rest = &value[at + "${services.".len()..];
                served.iter().any(|name| rest.starts_with(&format!("{name}.")))
            })
        };
        let fix = |w: &mut Workload, is_job: bool| {
            if w.version == "latest" {
                w.version = "1.0.0";
            }
            if !is_job && w.port.is_some() && w.health == 0 {
                w.health = 1;
            }
            if w.port.is_none() {
                // HTTP health checks and routes need an `http` port.
                w.health = w.health.min(1) * 2;
                w.ingress = None;
            }
            if let Some(value) = w.env.remove("API_TOKEN") {
                w.env.insert(String::from("API_URL"), value);
            }
            if w.user == 0 {
                w.waiver = true;
            }
            w.replicas = 0;
            w.autoscale = false;
            if let Some(ingress) = &mut w.ingress {
                ingress.2 = true;
                if ingress.1.contains([' ', ';']) {
                    ingress.1 = "/";
                }
            }
            if w.schedule == "61 * * * *" {
                w.schedule = "0 6 * * *";
            }
            for value in w.env.values_mut() {
                if !placeholder_ok(value) {
                    *value = String::from("${project}");
                }
            }
        };
        for service in self.services.values_mut() {
            fix(service, false);
        }
        for job in self.jobs.values_mut() {
            fix(job, true);
        }
        for environment in self.environments.values_mut() {
            environment.targets = vec!["compose"];
            environment.replicas = Some(2);
            if let Some((_, value)) = &mut environment.override_env
                && !placeholder_ok(value)
            {
                *value = String::from("${environment}");
            }
        }
    }

    /// The project's files: `iacgen.yaml`, and with `split`, one `services/<name>.yaml` each.
    pub fn files(&self, split: bool) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        let mut out = String::new();
        let _ = writeln!(out, "version: 1\nproject: {}\nregistry: ghcr.io/example", self.name);
        let _ = writeln!(out, "tags: {{ owner: {} }}", quote(&self.tag_value));
        if !self.services.is_empty() && !split {
            out.push_str("services:\n");
        }
        for (name, service) in &self.services {
            if split {
                let mut text = String::new();
                workload_yaml(&mut text, "", service, false);
                files.insert(format!("services/{name}.yaml"), text);
            } else {
                let _ = writeln!(out, "  {name}:");
                workload_yaml(&mut out, "    ", service, false);
            }
        }
        if !self.jobs.is_empty() {
            out.push_str("jobs:\n");
            for (name, job) in &self.jobs {
                let _ = writeln!(out, "  {name}:");
                workload_yaml(&mut out, "    ", job, true);
            }
        }
        if !self.resources.is_empty() {
            out.push_str("resources:\n");
            for (name, kind) in &self.resources {
                let _ = writeln!(out, "  {name}: {{ kind: {kind} }}");
            }
        }
        if !self.secrets.is_empty() {
            out.push_str("secrets:\n");
            for name in &self.secrets {
                let _ = writeln!(out, "  {name}: {{ description: {} }}", quote(&self.tag_value));
            }
        }
        out.push_str("environments:\n");
        for (name, environment) in &self.environments {
            let _ = writeln!(out, "  {name}:\n    targets: [{}]", environment.targets.join(", "));
            if let Some(stage) = environment.stage {
                let _ = writeln!(out, "    stage: {stage}");
            }
            if let Some(replicas) = environment.replicas {
                let _ = writeln!(out, "    defaults: {{ replicas: {replicas} }}");
            }
            if let (Some((key, value)), Some(service)) = (&environment.override_env, self.services.keys().next()) {
                let _ = writeln!(out, "    services:\n      {service}: {{ env: {{ {key}: {} }} }}", quote(value));
            }
            if environment.targets.iter().any(|t| *t == "helm" || *t == "ecs") && !self.resources.is_empty() {
                out.push_str("    resources:\n");
                for (resource, _) in &self.resources {
                    let _ = writeln!(out, "      {resource}: {{ host: {resource}.internal }}");
                }
            }
        }
        out.push_str("targets:\n");
        let mut compose = Vec::new();
        if self.gateway {
            compose.push("gateway: nginx");
        }
        if self.monitoring {
            compose.push("monitoring: prometheus");
        }
        let _ = writeln!(out, "  compose: {{ {} }}", compose.join(", "));
        out.push_str("  helm: { namespace: shop }\n  ecs: {}\n");
        out.push_str("  aws: { region: us-east-1, account_id: \"123456789012\", state: { bucket: tfstate, lock_table: tflock } }\n");
        out.push_str("  azure: { location: eastus, state: { resource_group: tfstate, storage_account: tfstate, container: tfstate } }\n");
        let _ = writeln!(out, "output: {}", self.output);
        files.insert(String::from("iacgen.yaml"), out);
        files
    }
}
