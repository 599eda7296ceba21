//! Compose services for the model's services, their migrations and scheduled jobs.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    Build, Compute, EnvValue, Health, HealthCheck, Image, Job, Probe, SecretEnv, SecretRef, Security, Service, Stack,
    Volume,
};
use crate::targets::EmitOptions;
use crate::targets::compose::{literal, password_variable, placeholder_text, required_variable, secret_variable};
use crate::targets::probe::{self, ContainerCheck};
use crate::targets::yaml_out::Yaml;

/// A built compose service and what it needs at the top level of the file.
pub struct Built {
    pub service: Yaml,
    pub migration: Option<Yaml>,
    /// The one-shot `<name>-volumes` service that hands the named volumes to the container's user.
    pub init: Option<Yaml>,
    /// `.env` variables it reads, with a description for `.env.example`.
    pub variables: BTreeMap<String, String>,
    pub volumes: BTreeSet<String>,
    pub configs: BTreeMap<String, Yaml>,
}

/// Everything a container has in common, whatever it runs.
struct Container<'a> {
    name: &'a str,
    image: &'a Image,
    build: Option<&'a Build>,
    env: &'a BTreeMap<String, EnvValue>,
    secrets: &'a BTreeMap<String, SecretEnv>,
    uses: &'a BTreeSet<String>,
    compute: &'a Compute,
    security: &'a Security,
    volumes: &'a BTreeMap<String, Volume>,
    files: &'a BTreeMap<String, String>,
}

/// The compose service of a model service (and its migration service).
pub fn service(stack: &Stack, service: &Service, published: Option<u16>, options: &EmitOptions) -> Built {
    let container = Container {
        name: &service.name,
        image: &service.image,
        build: service.build.as_ref(),
        env: &service.env,
        secrets: &service.secrets,
        uses: &service.uses,
        compute: &service.compute,
        security: &service.security,
        volumes: &service.volumes,
        files: &service.files,
    };
    let mut built = base(stack, &container, options);
    let yaml = &mut built.service;
    if let Some(command) = &service.command {
        yaml.insert("command", Yaml::strs(command.iter().map(|a| literal(a))));
    }
    built.init = volume_owner(&container, None);
    let mut depends = depends_on(container.uses);
    if built.init.is_some() {
        depends.insert(init_name(&service.name), completed());
    }
    for other in &service.after {
        // Start order from the model's `after`: healthy when the other service can say so.
        let condition = match stack.services.get(other).map(|s| s.health.is_some()) {
            Some(true) => "service_healthy",
            _ => "service_started",
        };
        depends.insert(other.clone(), Yaml::map().with("condition", Yaml::str(condition)));
    }
    if service.migrate.is_some() {
        depends.insert(format!("{}-migrate", service.name), completed());
    }
    if !depends.is_empty() {
        yaml.insert("depends_on", Yaml::Map(depends.into_iter().map(|(k, v)| entry(k, v)).collect()));
    }
    if let (Some(health), Some(check)) = (&service.health, healthcheck(service)) {
        yaml.insert("healthcheck", timings(check, health));
    }
    if let (Some(host), Some(container_port)) = (published, service.http_port()) {
        yaml.insert("ports", Yaml::strs([format!("127.0.0.1:{host}:{container_port}")]));
    } else {
        // Without a published port, replicas cannot clash: run as many as the model asks
        // (autoscale's minimum; compose has no autoscaler). The gateway balances across them.
        let replicas = service.autoscale.map_or(service.replicas, |a| a.min);
        if replicas != 1 {
            if let Yaml::Map(entries) = yaml {
                if let Some(entry) = entries.iter_mut().find(|e| e.key == "deploy") {
                    entry.value.insert("replicas", Yaml::Int(i64::from(replicas)));
                }
            }
        }
    }
    yaml.insert("restart", Yaml::str("unless-stopped"));

    if let Some(command) = &service.migrate {
        let mut migration = base(stack, &container, options);
        migration.service.insert("command", Yaml::strs(command.iter().map(|a| literal(a))));
        let mut depends = depends_on(container.uses);
        if built.init.is_some() {
            depends.insert(init_name(&service.name), completed());
        }
        if !depends.is_empty() {
            migration.service.insert("depends_on", Yaml::Map(depends.into_iter().map(|(k, v)| entry(k, v)).collect()));
        }
        migration.service.insert("restart", Yaml::str("no"));
        built.migration = Some(migration.service);
    }
    built
}

/// The one-shot compose service of a scheduled job, under the `jobs` profile.
pub fn job(stack: &Stack, job: &Job, options: &EmitOptions) -> Built {
    let container = Container {
        name: &job.name,
        image: &job.image,
        build: job.build.as_ref(),
        env: &job.env,
        secrets: &job.secrets,
        uses: &job.uses,
        compute: &job.compute,
        security: &job.security,
        volumes: &job.volumes,
        files: &job.files,
    };
    let mut built = base(stack, &container, options);
    let yaml = &mut built.service;
    if let Some(command) = &job.command {
        yaml.insert("command", Yaml::strs(command.iter().map(|a| literal(a))));
    }
    built.init = volume_owner(&container, Some("jobs"));
    let mut depends = depends_on(container.uses);
    if built.init.is_some() {
        depends.insert(init_name(&job.name), completed());
    }
    if !depends.is_empty() {
        yaml.insert("depends_on", Yaml::Map(depends.into_iter().map(|(k, v)| entry(k, v)).collect()));
    }
    yaml.insert("profiles", Yaml::strs(["jobs"]));
    yaml.insert("restart", Yaml::str("no"));
    built
}

/// The image of the one-shot service that hands named volumes to a workload's user: busybox has
/// `chown` (many application images, distroless ones, have no shell tools).
pub const VOLUME_OWNER_IMAGE: &str = "busybox:1.37";

/// `<name>-volumes`: the one-shot service that runs before `<name>` (and its migration).
pub fn init_name(name: &str) -> String {
    format!("{name}-volumes")
}

fn completed() -> Yaml {
    Yaml::map().with("condition", Yaml::str("service_completed_successfully"))
}

/// The named volumes of `container`, as `volume:path` mounts, sorted by path.
fn persistent_mounts(container: &Container<'_>) -> Vec<(String, String)> {
    container
        .volumes
        .iter()
        .filter(|(_, volume)| matches!(volume, Volume::Persistent(_)))
        .map(|(path, _)| (format!("{}-{}", container.name, slug(path)), path.clone()))
        .collect()
}

/// A new named volume is owned by root (Docker creates it so, unless the image has files at the
/// path), and the container runs as the model's user: a one-shot service changes the owner of each
/// volume's top folder to that user before the container starts. Only the top folder, as root with
/// `CHOWN` and no other capability, no network and a read-only root: what the application writes
/// below it is its own already. `None` when the container has no named volume or runs as root.
fn volume_owner(container: &Container<'_>, profile: Option<&str>) -> Option<Yaml> {
    let mounts = persistent_mounts(container);
    if mounts.is_empty() || container.security.user == 0 {
        return None;
    }
    let owner = format!("{}:{}", container.security.user, container.security.group);
    let mut command = vec![String::from("chown"), owner];
    command.extend(mounts.iter().map(|(_, path)| path.clone()));
    let mut yaml = Yaml::map()
        .with("image", Yaml::str(VOLUME_OWNER_IMAGE))
        .with("command", Yaml::strs(command))
        .with("user", Yaml::str("0:0"))
        .with("volumes", Yaml::strs(mounts.iter().map(|(volume, path)| format!("{volume}:{path}"))))
        .with("network_mode", Yaml::str("none"))
        .with("read_only", Yaml::Bool(true))
        .with("cap_drop", Yaml::strs(["ALL"]))
        .with("cap_add", Yaml::strs(["CHOWN"]))
        .with("security_opt", Yaml::strs(["no-new-privileges:true"]))
        .with(
            "deploy",
            Yaml::map().with(
                "resources",
                Yaml::map().with("limits", Yaml::map().with("cpus", Yaml::str("0.1")).with("memory", Yaml::str("32M"))),
            ),
        )
        .with("logging", logging());
    if let Some(profile) = profile {
        yaml.insert("profiles", Yaml::strs([profile]));
    }
    yaml.insert("restart", Yaml::str("no"));
    Some(yaml)
}

fn entry(key: String, value: Yaml) -> crate::targets::yaml_out::Entry {
    crate::targets::yaml_out::Entry { key, value, comment: None }
}

fn base(stack: &Stack, container: &Container<'_>, options: &EmitOptions) -> Built {
    let mut yaml = Yaml::map();
    let mut variables = BTreeMap::new();
    let mut volumes = BTreeSet::new();
    let mut configs = BTreeMap::new();
    yaml.insert("image", Yaml::str(container.image.reference()));
    if let Some(build) = container.build {
        let mut build_yaml = Yaml::map().with("context", Yaml::str(host_path(&build.context, &options.output)));
        if let Some(dockerfile) = &build.dockerfile {
            build_yaml.insert("dockerfile", Yaml::str(dockerfile.clone()));
        }
        if let Some(target) = &build.target {
            build_yaml.insert("target", Yaml::str(target.clone()));
        }
        if !build.args.is_empty() {
            let args = build.args.iter().map(|(name, value)| entry(name.clone(), Yaml::Str(literal(value)))).collect();
            build_yaml.insert("args", Yaml::Map(args));
        }
        yaml.insert("build", build_yaml);
    }

    let mut environment: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in container.env {
        let rendered = value.template.segments.iter().fold(String::new(), |mut acc, segment| {
            match segment {
                crate::model::placeholder::Segment::Text(text) => acc.push_str(&literal(text)),
                crate::model::placeholder::Segment::Placeholder(placeholder, _) => {
                    acc.push_str(&placeholder_text(stack, placeholder))
                }
            }
            acc
        });
        environment.insert(name.clone(), rendered);
    }
    for (name, secret) in container.secrets {
        let (variable, description) = match &secret.reference {
            SecretRef::Declared(secret_name) => {
                let description = stack
                    .secrets
                    .get(secret_name)
                    .and_then(|s| s.description.clone())
                    .unwrap_or_else(|| format!("secret `{secret_name}`"));
                (secret_variable(secret_name), description)
            }
            SecretRef::ResourcePassword(resource) => {
                // The same line the resource's own container writes for the variable.
                let kind = stack.resources.get(resource).map_or("resource", |r| r.kind.as_str());
                (password_variable(resource), format!("password of the {kind} `{resource}`"))
            }
        };
        environment.insert(name.clone(), required_variable(&variable));
        variables.insert(variable, description);
    }
    if !environment.is_empty() {
        yaml.insert("environment", Yaml::Map(environment.into_iter().map(|(k, v)| entry(k, Yaml::Str(v))).collect()));
    }

    let mut tmpfs = Vec::new();
    let mut mounts = Vec::new();
    for (path, volume) in container.volumes {
        if *volume == Volume::Scratch {
            tmpfs.push(path.clone());
        }
    }
    for (volume_name, path) in persistent_mounts(container) {
        mounts.push(format!("{volume_name}:{path}"));
        volumes.insert(volume_name);
    }
    if !container.files.is_empty() {
        let mut list = Vec::new();
        for (path, content) in container.files {
            let config_name = format!("{}-{}", container.name, slug(path));
            configs.insert(config_name.clone(), Yaml::map().with("content", Yaml::str(literal(content))));
            list.push(
                Yaml::map()
                    .with("source", Yaml::str(config_name))
                    .with("target", Yaml::str(path.clone()))
                    .with("mode", Yaml::Int(0o444)),
            );
        }
        yaml.insert("configs", Yaml::Seq(list));
    }
    if !mounts.is_empty() {
        yaml.insert("volumes", Yaml::strs(mounts));
    }
    yaml.insert("user", Yaml::str(format!("{}:{}", container.security.user, container.security.group)));
    yaml.insert("read_only", Yaml::Bool(container.security.read_only_root));
    if !tmpfs.is_empty() {
        yaml.insert("tmpfs", Yaml::strs(tmpfs));
    }
    yaml.insert("cap_drop", Yaml::strs(["ALL"]));
    if !container.security.capabilities.is_empty() {
        yaml.insert("cap_add", Yaml::strs(container.security.capabilities.iter().cloned()));
    }
    yaml.insert("security_opt", Yaml::strs(["no-new-privileges:true"]));
    yaml.insert("deploy", deploy(container.compute));
    yaml.insert("logging", logging());
    Built { service: yaml, migration: None, init: None, variables, volumes, configs }
}

/// A host path written relative to the project (`./services/auth`, `./nginx/ssl/cert.pem`) as seen
/// from `<output>/compose/<env>/`, where compose resolves relative paths; absolute paths and URLs stay.
pub fn host_path(context: &str, output: &str) -> String {
    if context.starts_with('/') || context.contains("://") {
        return context.to_string();
    }
    let depth = output.split('/').filter(|p| !p.is_empty()).count() + 2;
    let trimmed = context.trim_start_matches("./");
    format!("{}{trimmed}", "../".repeat(depth))
}

/// `/var/lib/data` → `var-lib-data`.
pub fn slug(path: &str) -> String {
    path.trim_matches('/').replace(['/', '.', '_'], "-").to_ascii_lowercase()
}

fn depends_on(uses: &BTreeSet<String>) -> BTreeMap<String, Yaml> {
    uses.iter().map(|r| (r.clone(), Yaml::map().with("condition", Yaml::str("service_healthy")))).collect()
}

fn healthcheck(service: &Service) -> Option<Yaml> {
    let health = service.health.as_ref()?;
    Some(match &health.check {
        HealthCheck::Http { path, .. } => {
            let port = service.http_port()?;
            let url = format!("http://127.0.0.1:{port}{path}");
            match probe::http(health.probe, &url, health.timeout.secs_ceil())? {
                ContainerCheck::Exec(argv) => {
                    Yaml::strs(std::iter::once(String::from("CMD")).chain(argv.iter().map(|a| literal(a))))
                }
                ContainerCheck::Shell(line) => Yaml::strs([String::from("CMD-SHELL"), literal(&line)]),
            }
        }
        HealthCheck::Exec { command } => {
            let mut test = vec![String::from("CMD")];
            test.extend(command.iter().map(|a| literal(a)));
            Yaml::strs(test)
        }
    })
}

/// Whether the service's container gets a health check (`depends_on: service_healthy` needs one).
pub fn has_container_check(service: &Service) -> bool {
    service.health.as_ref().is_some_and(|h| matches!(h.check, HealthCheck::Exec { .. }) || h.probe != Probe::None)
}

/// A `healthcheck:` block from a test and the model's timings.
pub fn timings(test: Yaml, health: &Health) -> Yaml {
    Yaml::map()
        .with("test", test)
        .with("interval", Yaml::str(health.interval.to_string()))
        .with("timeout", Yaml::str(health.timeout.to_string()))
        .with("retries", Yaml::Int(i64::from(health.retries)))
        .with("start_period", Yaml::str(health.start_period.to_string()))
}

/// `deploy.resources` limits and reservations.
pub fn deploy(compute: &Compute) -> Yaml {
    Yaml::map().with(
        "resources",
        Yaml::map()
            .with(
                "limits",
                Yaml::map()
                    .with("cpus", Yaml::str(compute.cpu_limit.cores()))
                    .with("memory", Yaml::str(compute.memory_limit.compose())),
            )
            .with(
                "reservations",
                Yaml::map()
                    .with("cpus", Yaml::str(compute.cpu.cores()))
                    .with("memory", Yaml::str(compute.memory.compose())),
            ),
    )
}

/// json-file logs rotated at 10 MB, three files kept.
pub fn logging() -> Yaml {
    Yaml::map()
        .with("driver", Yaml::str("json-file"))
        .with("options", Yaml::map().with("max-size", Yaml::str("10m")).with("max-file", Yaml::str("3")))
}
