//! The draft → `iacgen.yaml` text: a header saying where it came from, the model (sorted, through
//! the deterministic YAML writer) and the import report as a closing comment.

use crate::import::Import;
use crate::import::draft::{Check, Draft, Service, Volume};
use crate::import::fields::DOCKER_CAPABILITIES;
use crate::targets::yaml_out::{self, Yaml};

/// The environment every import creates.
pub const ENVIRONMENT: &str = "development";

/// CPU and memory limits of a service the compose file set none for (compose sets none at all).
pub const GENEROUS_CPU: &str = "4";
pub const GENEROUS_MEMORY: &str = "4Gi";

/// The model's text.
pub fn model(draft: &Draft, import: &Import) -> String {
    let mut out = format!(
        "# Imported by `iacgen import compose` from {}.\n\
         # It runs what the compose file ran: where the compose file says nothing, `defaults` below give\n\
         # what compose gave (root or the image's user, a writable root filesystem, Docker's default\n\
         # capabilities) and generous limits, not iacgen's hardened defaults. The notes at the end list\n\
         # what the compose file says that this model does not, or says differently, and the hardening\n\
         # to turn on. Next: `iacgen validate`, then `iacgen build` (deploy/compose/{ENVIRONMENT}/).\n",
        import.display
    );
    let mut document = Yaml::map().with("version", Yaml::Int(1)).with("project", Yaml::str(draft.project.clone()));
    document.insert_commented(
        "defaults",
        defaults(),
        Some(String::from(
            "What compose gave every container: tighten per service (see the hardening notes at the end).",
        )),
    );
    let mut services = Yaml::map();
    for (name, service) in &draft.services {
        services.insert(name.clone(), service_yaml(service));
    }
    document.insert("services", services);
    if !draft.resources.is_empty() {
        let mut resources = Yaml::map();
        for (name, resource) in &draft.resources {
            let mut yaml = Yaml::map()
                .with("kind", Yaml::str(resource.kind.as_str()))
                .with("version", Yaml::str(resource.version.clone()));
            if let Some(database) = &resource.database {
                yaml.insert("database", Yaml::str(database.clone()));
            }
            if let Some(image) = &resource.image {
                yaml.insert("image", Yaml::str(image.clone()));
            }
            if resource.no_password {
                yaml.insert_commented(
                    "auth",
                    Yaml::str("none"),
                    Some(String::from("No password in the compose file, and none in its clients: development only.")),
                );
            }
            resources.insert(name.clone(), yaml);
        }
        document.insert("resources", resources);
    }
    if !draft.secrets.is_empty() {
        let mut secrets = Yaml::map();
        for (name, secret) in &draft.secrets {
            let uses: Vec<&str> = secret.uses.iter().map(String::as_str).collect();
            let description = format!("from compose: {}", uses.join(", "));
            secrets.insert(name.clone(), Yaml::map().with("description", Yaml::str(description)));
        }
        document.insert("secrets", secrets);
    }
    document.insert("environments", Yaml::map().with(ENVIRONMENT, environment(draft)));
    let mut compose = Yaml::map();
    if !draft.publish.is_empty() {
        let ports = draft.publish.iter().map(|(name, port)| entry(name, Yaml::Int(i64::from(*port)))).collect();
        compose.insert_commented(
            "publish",
            Yaml::Map(ports),
            Some(String::from("The host ports compose published these services on.")),
        );
    }
    document.insert("targets", Yaml::map().with("compose", compose));
    document.insert("output", Yaml::str("deploy"));
    out.push_str(&yaml_out::to_string(&document));

    out.push_str("\n# Import notes\n#\n");
    let report = format!("{}{}", import.report(), import.details());
    for line in report.lines() {
        out.push('#');
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// What compose gives a container that says nothing: root (or the image's user), a writable root
/// filesystem, Docker's default capabilities, no limits (generous ones here).
fn defaults() -> Yaml {
    let security = Yaml::map()
        .with("user", Yaml::Int(0))
        .with("group", Yaml::Int(0))
        .with("read_only_root", Yaml::Bool(false))
        .with("capabilities", Yaml::strs(DOCKER_CAPABILITIES.iter().map(|c| c.to_string())));
    let resources = Yaml::map()
        .with("cpu", Yaml::str("250m"))
        .with("memory", Yaml::str("256Mi"))
        .with("cpu_limit", Yaml::str(GENEROUS_CPU))
        .with("memory_limit", Yaml::str(GENEROUS_MEMORY));
    Yaml::map().with("security", security).with("resources", resources)
}

/// `1 service runs`, `3 services run`.
fn services(count: usize, one: &str, many: &str) -> String {
    if count == 1 { format!("1 service {one}") } else { format!("{count} services {many}") }
}

/// One line per hardening the imported model leaves off.
pub fn hardening(draft: &Draft) -> Vec<String> {
    let count = |f: &dyn Fn(&Service) -> bool| draft.services.values().filter(|s| f(s)).count();
    let mut lines = Vec::new();
    let root = count(&|s| s.user.unwrap_or(0) == 0);
    if root > 0 {
        lines.push(format!(
            "run as a non-root user: {} as root (`security.user`; the image's own user id is a good start)",
            services(root, "runs", "run")
        ));
    }
    let writable = count(&|s| s.read_only != Some(true));
    if writable > 0 {
        lines.push(format!("make the root filesystem read-only: {} to it (`security.read_only_root: true`, with `volumes: {{ <path>: scratch }}` where they write)", services(writable, "writes", "write")));
    }
    let capabilities = count(&|s| s.capabilities.as_ref().is_none_or(|c| !c.is_empty()));
    if capabilities > 0 {
        lines.push(format!("drop the capabilities a service does not need: {} some (`security.capabilities`, Docker's default set in `defaults`)", services(capabilities, "keeps", "keep")));
    }
    let unlimited = count(&|s| s.compute.cpu_limit.is_none() && s.compute.memory_limit.is_none());
    if unlimited > 0 {
        lines.push(format!("set limits from what each service uses: {} the generous {GENEROUS_CPU} CPUs and {GENEROUS_MEMORY} of `defaults.resources`", services(unlimited, "has", "have")));
    }
    let open: Vec<&str> = draft.resources.iter().filter(|(_, r)| r.no_password).map(|(n, _)| n.as_str()).collect();
    if !open.is_empty() {
        lines.push(format!(
            "give {} a password: remove `auth: none` and pass `<resource>.password` to each client",
            open.join(", ")
        ));
    }
    lines
}

fn environment(draft: &Draft) -> Yaml {
    let mut yaml = Yaml::map().with("targets", Yaml::strs(["compose"]));
    let mut services = Yaml::map();
    for name in draft.services.iter().filter(|(_, s)| s.published && s.ports.contains_key("http")).map(|(n, _)| n) {
        let ingress = Yaml::map().with("host", Yaml::str(format!("{name}.localhost"))).with("tls", Yaml::Bool(false));
        services.insert_commented(
            name.clone(),
            Yaml::map().with("ingress", ingress),
            Some(String::from("Published in compose: the compose output publishes the http port on 127.0.0.1.")),
        );
    }
    if !services.is_empty_collection() {
        yaml.insert("services", services);
    }
    let mut resources = Yaml::map();
    for (name, resource) in &draft.resources {
        if let Some(user) = &resource.user {
            resources.insert(name.clone(), Yaml::map().with("user", Yaml::str(user.clone())));
        }
    }
    if !resources.is_empty_collection() {
        yaml.insert("resources", resources);
    }
    yaml
}

fn service_yaml(service: &Service) -> Yaml {
    let mut yaml = Yaml::map();
    if let Some(image) = &service.image {
        yaml.insert("image", Yaml::str(image.clone()));
    }
    if let Some(version) = &service.version {
        yaml.insert("version", Yaml::str(version.clone()));
    }
    if let Some(build) = &service.build {
        let mut build_yaml = Yaml::map().with("context", Yaml::str(build.context.clone()));
        if let Some(dockerfile) = &build.dockerfile {
            build_yaml.insert("dockerfile", Yaml::str(dockerfile.clone()));
        }
        if let Some(target) = &build.target {
            build_yaml.insert("target", Yaml::str(target.clone()));
        }
        if !build.args.is_empty() {
            build_yaml
                .insert("args", Yaml::Map(build.args.iter().map(|(k, v)| entry(k, Yaml::str(v.clone()))).collect()));
        }
        yaml.insert("build", build_yaml);
    }
    if let Some(command) = &service.command {
        yaml.insert("command", Yaml::strs(command.iter().cloned()));
    }
    if !service.ports.is_empty() {
        let ports = service.ports.iter().map(|(name, port)| entry(name, Yaml::Int(i64::from(*port)))).collect();
        yaml.insert("ports", Yaml::Map(ports));
    }
    if let Some(health) = &service.health {
        let mut health_yaml = match &health.check {
            Check::Path(path) => Yaml::map().with("path", Yaml::str(path.clone())),
            Check::Command(command) => Yaml::map().with("command", Yaml::strs(command.iter().cloned())),
        };
        for (key, value) in [("interval", &health.interval), ("timeout", &health.timeout)] {
            if let Some(value) = value {
                health_yaml.insert(key, Yaml::str(value.clone()));
            }
        }
        if let Some(retries) = health.retries {
            health_yaml.insert("retries", Yaml::Int(i64::from(retries)));
        }
        if let Some(start_period) = &health.start_period {
            health_yaml.insert("start_period", Yaml::str(start_period.clone()));
        }
        yaml.insert("health", health_yaml);
    }
    if !service.env.is_empty() {
        yaml.insert("env", Yaml::Map(service.env.iter().map(|(k, v)| entry(k, Yaml::str(v.clone()))).collect()));
    }
    if !service.secrets.is_empty() {
        yaml.insert(
            "secrets",
            Yaml::Map(service.secrets.iter().map(|(k, v)| entry(k, Yaml::str(v.clone()))).collect()),
        );
    }
    if !service.uses.is_empty() {
        yaml.insert("uses", Yaml::strs(service.uses.iter().cloned()));
    }
    if !service.calls.is_empty() {
        yaml.insert("calls", Yaml::strs(service.calls.iter().cloned()));
    }
    if !service.after.is_empty() {
        yaml.insert("after", Yaml::strs(service.after.iter().cloned()));
    }
    if !service.compute.is_empty() {
        let compute = &service.compute;
        let mut resources = Yaml::map();
        for (key, value) in [
            ("cpu", &compute.cpu),
            ("memory", &compute.memory),
            ("cpu_limit", &compute.cpu_limit),
            ("memory_limit", &compute.memory_limit),
        ] {
            if let Some(value) = value {
                resources.insert(key, Yaml::str(value.clone()));
            }
        }
        yaml.insert("resources", resources);
    }
    if let Some(replicas) = service.replicas {
        yaml.insert("replicas", Yaml::Int(i64::from(replicas)));
    }
    let mut security = Yaml::map();
    if let Some(user) = service.user {
        security.insert("user", Yaml::Int(i64::from(user)));
    }
    if let Some(group) = service.group {
        security.insert("group", Yaml::Int(i64::from(group)));
    }
    if let Some(read_only) = service.read_only {
        security.insert("read_only_root", Yaml::Bool(read_only));
    }
    if let Some(capabilities) = &service.capabilities {
        security.insert("capabilities", Yaml::strs(capabilities.iter().cloned()));
    }
    if !security.is_empty_collection() {
        yaml.insert("security", security);
    }
    if !service.volumes.is_empty() {
        let volumes = service
            .volumes
            .iter()
            .map(|(path, volume)| {
                let value = match volume {
                    Volume::Scratch => Yaml::str("scratch"),
                    Volume::Persistent(size) => Yaml::map().with("persistent", Yaml::str(size.clone())),
                };
                entry(path, value)
            })
            .collect();
        yaml.insert("volumes", Yaml::Map(volumes));
    }
    if !service.files.is_empty() {
        let files = service
            .files
            .iter()
            .map(|(path, source)| entry(path, Yaml::map().with("source", Yaml::str(source.clone()))))
            .collect();
        yaml.insert("files", Yaml::Map(files));
    }
    if !service.waivers.is_empty() {
        yaml.insert(
            "waivers",
            Yaml::Map(service.waivers.iter().map(|(k, v)| entry(k, Yaml::str(v.clone()))).collect()),
        );
    }
    yaml
}

fn entry(key: &str, value: Yaml) -> yaml_out::Entry {
    yaml_out::Entry { key: key.to_string(), value, comment: None }
}
