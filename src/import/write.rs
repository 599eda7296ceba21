//! The draft → `iacgen.yaml` text: a header saying where it came from, the model (sorted, through
//! the deterministic YAML writer) and the import report as a closing comment.

use crate::import::Import;
use crate::import::draft::{Check, Draft, Service, Volume};
use crate::targets::yaml_out::{self, Yaml};

/// The environment every import creates.
pub const ENVIRONMENT: &str = "development";

/// The model's text.
pub fn model(draft: &Draft, import: &Import) -> String {
    let mut out = format!(
        "# Imported by `iacgen import compose` from {}.\n\
         # The notes at the end list what the compose file says that this model does not, or says differently.\n\
         # Where the compose file says nothing, iacgen's defaults apply: user 1000:1000, a read-only root\n\
         # filesystem (with /tmp as scratch), every capability dropped, 250m CPU and 256Mi memory per service.\n\
         # Next: `iacgen validate`, then `iacgen build` (compose files in deploy/compose/{ENVIRONMENT}/).\n",
        import.display
    );
    let mut document = Yaml::map().with("version", Yaml::Int(1)).with("project", Yaml::str(draft.project.clone()));
    document.insert_commented(
        "defaults",
        Yaml::map().with("volumes", Yaml::map().with("/tmp", Yaml::str("scratch"))),
        Some(String::from("A writable /tmp for every service, whose root filesystem is read-only.")),
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
    document.insert("targets", Yaml::map().with("compose", Yaml::map()));
    document.insert("output", Yaml::str("deploy"));
    out.push_str(&yaml_out::to_string(&document));

    out.push_str("\n# Import notes\n#\n");
    for line in import.report().lines() {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    out
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
    if let Some(build) = &service.build {
        let mut build_yaml = Yaml::map().with("context", Yaml::str(build.context.clone()));
        if let Some(dockerfile) = &build.dockerfile {
            build_yaml.insert("dockerfile", Yaml::str(dockerfile.clone()));
        }
        if let Some(target) = &build.target {
            build_yaml.insert("target", Yaml::str(target.clone()));
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
