//! Merging the layers of one service or job: built-in < project defaults < environment defaults <
//! the definition < the environment's override. Maps merge key by key; lists and scalars replace;
//! alternatives (`port`/`ports`, `health.path`/`health.command`, a pinned `image`/`version`) replace
//! each other.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    Autoscale, Build, Compute, Egress, EnvValue, Field, Health, HealthCheck, Image, Ingress, Layer, Metrics, Origin,
    SecretEnv, SecretRef, Security, Timings, Volume,
};
use crate::model::image::ImagePin;
use crate::model::placeholder::{Placeholder, ResourceAttr};
use crate::model::quantity::{Cpu, Duration, Memory};
use crate::model::{Concurrency, FileSource, Probe, ServiceSpec, Strategy};
use crate::shared::span::Spanned;

/// One readiness timing while layers merge.
#[derive(Clone, Copy)]
enum ReadinessValue {
    Duration(Duration),
    Count(u32),
}

/// The ordered layers of one service or job.
pub struct Layers<'a> {
    pub layers: Vec<(Layer, &'a ServiceSpec)>,
}

/// Built-in defaults, documented in the README.
pub mod builtin {
    use crate::model::quantity::{Cpu, Duration, Memory};

    pub const CPU: Cpu = Cpu { millis: 250 };
    pub const MEMORY: Memory = Memory { mebibytes: 256 };
    pub const INTERVAL: Duration = Duration { millis: 30_000 };
    pub const TIMEOUT: Duration = Duration { millis: 5_000 };
    pub const RETRIES: u32 = 3;
    pub const START_PERIOD: Duration = Duration { millis: 10_000 };
    pub const USER: u32 = 1000;
    pub const GROUP: u32 = 1000;
    pub const REPLICAS: u32 = 1;
    pub const JOB_RETRIES: u32 = 0;
}

impl<'a> Layers<'a> {
    fn origin(layer: Layer, span: crate::shared::span::Span) -> Origin {
        Origin { layer, span: Some(span) }
    }

    /// The value of the last layer that sets `get`, with its origin.
    pub fn pick<T: Clone + 'a>(&self, get: impl Fn(&'a ServiceSpec) -> Option<&'a Spanned<T>>) -> Option<(T, Origin)> {
        let mut found = None;
        for (layer, spec) in &self.layers {
            if let Some(value) = get(spec) {
                found = Some((value.value.clone(), Self::origin(*layer, value.span)));
            }
        }
        found
    }

    /// The image: repository from the last `image`, pin from the last `image` tag/digest or `version`.
    pub fn image(&self, name: &str, registry: Option<&str>, origins: &mut crate::ir::Origins) -> Image {
        let mut repository = match registry {
            Some(registry) => format!("{}/{name}", registry.trim_end_matches('/')),
            None => name.to_string(),
        };
        let mut pin = ImagePin::Tag(String::from("latest"));
        let mut pin_origin = Origin::BUILT_IN;
        let mut repository_origin = Origin::BUILT_IN;
        for (layer, spec) in &self.layers {
            if let Some(image) = &spec.image {
                repository = image.value.repository.clone();
                repository_origin = Self::origin(*layer, image.span);
                if let Some(image_pin) = &image.value.pin {
                    pin = image_pin.clone();
                    pin_origin = repository_origin;
                }
            }
            if let Some(version) = &spec.version {
                let image_pins = spec.image.as_ref().is_some_and(|image| image.value.pin.is_some());
                if !image_pins {
                    pin = version.value.clone();
                    pin_origin = Self::origin(*layer, version.span);
                }
            }
        }
        origins.insert(Field::Image, repository_origin);
        origins.insert(Field::Version, pin_origin);
        Image { repository, pin }
    }

    /// `build:`.
    pub fn build(&self, origins: &mut crate::ir::Origins) -> Option<Build> {
        let (build, origin) = self.pick(|s| s.build.as_ref())?;
        origins.insert(Field::Build, origin);
        Some(Build { context: build.context, dockerfile: build.dockerfile, target: build.target, args: build.args })
    }

    /// `command:`.
    pub fn command(&self, origins: &mut crate::ir::Origins) -> Option<Vec<String>> {
        let (command, origin) = self.pick(|s| s.command.as_ref())?;
        origins.insert(Field::Command, origin);
        Some(command)
    }

    /// `ports:` / `port:`.
    pub fn ports(&self, origins: &mut crate::ir::Origins) -> BTreeMap<String, u16> {
        let mut ports: BTreeMap<String, (u16, Origin)> = BTreeMap::new();
        let mut from_shorthand = false;
        for (layer, spec) in &self.layers {
            if let Some(map) = &spec.ports {
                if from_shorthand {
                    ports.clear();
                    from_shorthand = false;
                }
                for (name, port) in &map.value {
                    ports.insert(name.clone(), (port.value, Self::origin(*layer, port.span)));
                }
            }
            if let Some(port) = &spec.port {
                ports.clear();
                ports.insert(String::from("http"), (port.value, Self::origin(*layer, port.span)));
                from_shorthand = true;
            }
        }
        ports
            .into_iter()
            .map(|(name, (port, origin))| {
                origins.insert(Field::Port(name.clone()), origin);
                (name, port)
            })
            .collect()
    }

    /// `health:`.
    pub fn health(&self, origins: &mut crate::ir::Origins) -> Option<Health> {
        let mut path: Option<(String, Origin)> = None;
        let mut ready: Option<(String, Origin)> = None;
        let mut command: Option<(Vec<String>, Origin)> = None;
        let mut interval = (builtin::INTERVAL, Origin::BUILT_IN);
        let mut timeout = (builtin::TIMEOUT, Origin::BUILT_IN);
        let mut retries = (builtin::RETRIES, Origin::BUILT_IN);
        let mut start_period = (builtin::START_PERIOD, Origin::BUILT_IN);
        let mut probe = (Probe::Auto, Origin::BUILT_IN);
        let mut readiness: [Option<(ReadinessValue, Origin)>; 4] = [None, None, None, None];
        for (layer, spec) in &self.layers {
            let Some(health) = &spec.health else { continue };
            let at = |span| Self::origin(*layer, span);
            if let Some(value) = &health.probe {
                probe = (value.value, at(value.span));
            }
            if let Some(spec) = &health.readiness {
                let values = [
                    spec.interval.as_ref().map(|v| (ReadinessValue::Duration(v.value), v.span)),
                    spec.timeout.as_ref().map(|v| (ReadinessValue::Duration(v.value), v.span)),
                    spec.retries.as_ref().map(|v| (ReadinessValue::Count(v.value), v.span)),
                    spec.start_period.as_ref().map(|v| (ReadinessValue::Duration(v.value), v.span)),
                ];
                for (slot, value) in readiness.iter_mut().zip(values) {
                    if let Some((value, span)) = value {
                        *slot = Some((value, at(span)));
                    }
                }
            }
            if let Some(value) = &health.command {
                command = Some((value.value.clone(), at(value.span)));
                if health.path.is_none() {
                    path = None;
                    ready = None;
                }
            }
            if let Some(value) = &health.path {
                path = Some((value.value.clone(), at(value.span)));
                if health.command.is_none() {
                    command = None;
                }
            }
            if let Some(value) = &health.ready {
                ready = Some((value.value.clone(), at(value.span)));
            }
            if let Some(value) = &health.interval {
                interval = (value.value, at(value.span));
            }
            if let Some(value) = &health.timeout {
                timeout = (value.value, at(value.span));
            }
            if let Some(value) = &health.retries {
                retries = (value.value, at(value.span));
            }
            if let Some(value) = &health.start_period {
                start_period = (value.value, at(value.span));
            }
        }
        let check = match (path, command) {
            (Some((path, origin)), _) => {
                origins.insert(Field::HealthPath, origin);
                let ready = match ready {
                    Some((ready, origin)) => {
                        origins.insert(Field::HealthReady, origin);
                        ready
                    }
                    None => {
                        origins.insert(Field::HealthReady, origin);
                        path.clone()
                    }
                };
                HealthCheck::Http { path, ready }
            }
            (None, Some((command, origin))) => {
                origins.insert(Field::HealthCommand, origin);
                HealthCheck::Exec { command }
            }
            (None, None) => return None,
        };
        origins.insert(Field::HealthInterval, interval.1);
        origins.insert(Field::HealthTimeout, timeout.1);
        origins.insert(Field::HealthRetries, retries.1);
        origins.insert(Field::HealthStartPeriod, start_period.1);
        origins.insert(Field::HealthProbe, probe.1);
        let fields =
            [Field::ReadinessInterval, Field::ReadinessTimeout, Field::ReadinessRetries, Field::ReadinessStartPeriod];
        for (field, value) in fields.into_iter().zip(&readiness) {
            let origin = value.as_ref().map_or(Origin::BUILT_IN, |(_, origin)| *origin);
            origins.insert(field, origin);
        }
        let duration = |index: usize, fallback: Duration| match &readiness[index] {
            Some((ReadinessValue::Duration(value), _)) => *value,
            _ => fallback,
        };
        let ready = Timings {
            interval: duration(0, interval.0),
            timeout: duration(1, timeout.0),
            retries: match &readiness[2] {
                Some((ReadinessValue::Count(value), _)) => *value,
                _ => retries.0,
            },
            start_period: duration(3, start_period.0),
        };
        Some(Health {
            check,
            probe: probe.0,
            readiness: ready,
            interval: interval.0,
            timeout: timeout.0,
            retries: retries.0,
            start_period: start_period.0,
        })
    }

    /// `env:` merged key by key.
    pub fn env(&self, origins: &mut crate::ir::Origins) -> BTreeMap<String, EnvValue> {
        let mut env = BTreeMap::new();
        for (layer, spec) in &self.layers {
            for (name, value) in &spec.env {
                let origin = Self::origin(*layer, value.span);
                origins.insert(Field::Env(name.clone()), origin);
                env.insert(name.clone(), EnvValue { template: value.value.clone(), origin });
            }
        }
        env
    }

    /// `secrets:` merged key by key.
    pub fn secrets(&self, origins: &mut crate::ir::Origins) -> BTreeMap<String, SecretEnv> {
        let mut secrets = BTreeMap::new();
        for (layer, spec) in &self.layers {
            for (name, reference) in &spec.secrets {
                let origin = Self::origin(*layer, reference.span);
                origins.insert(Field::Secret(name.clone()), origin);
                secrets.insert(name.clone(), SecretEnv { reference: reference.value.clone(), origin });
            }
        }
        secrets
    }

    /// `egress:` (the last list wins), sorted, each `host:port` once.
    pub fn egress(&self, origins: &mut crate::ir::Origins) -> Vec<Egress> {
        let Some((entries, origin)) = self.pick(|s| s.egress.as_ref()) else { return Vec::new() };
        origins.insert(Field::Egress, origin);
        let set: BTreeSet<Egress> = entries.into_iter().map(|entry| entry.value).collect();
        set.into_iter().collect()
    }

    /// `secrets:` plus the password of each resource that a connection URL (`${resources.r.url}`)
    /// names, when the resource has one and no variable of the workload maps it yet: as
    /// `<RESOURCE>_PASSWORD`, unless that name is taken (validation reports it then).
    pub fn secrets_with_url_passwords(
        &self,
        env: &BTreeMap<String, EnvValue>,
        has_password: impl Fn(&str) -> bool,
        origins: &mut crate::ir::Origins,
    ) -> BTreeMap<String, SecretEnv> {
        let mut secrets = self.secrets(origins);
        for value in env.values() {
            for (placeholder, _) in value.template.placeholders() {
                let Placeholder::Resource { name, attr: ResourceAttr::Url } = placeholder else { continue };
                if !has_password(name) || crate::ir::password_env(&secrets, name).is_some() {
                    continue;
                }
                let variable = crate::ir::implied_password_env(name);
                if env.contains_key(&variable) || secrets.contains_key(&variable) {
                    continue;
                }
                origins.insert(Field::Secret(variable.clone()), value.origin);
                secrets.insert(
                    variable,
                    SecretEnv { reference: SecretRef::ResourcePassword(name.clone()), origin: value.origin },
                );
            }
        }
        secrets
    }

    /// `uses:` or `calls:` (the last list wins), plus what the env placeholders imply.
    pub fn links(
        &self,
        field: Field,
        get: impl Fn(&'a ServiceSpec) -> Option<&'a Spanned<Vec<Spanned<String>>>>,
        env: &BTreeMap<String, EnvValue>,
        origins: &mut crate::ir::Origins,
    ) -> BTreeSet<String> {
        let mut set = BTreeSet::new();
        if let Some((names, origin)) = self.pick(|s| get(s)) {
            origins.insert(field.clone(), origin);
            for name in names {
                // Each name where it is written (`uses.db`), for diagnostics about one link.
                origins.insert(field.entry(&name.value), Origin { span: Some(name.span), ..origin });
                set.insert(name.value);
            }
        }
        for value in env.values() {
            for (placeholder, _) in value.template.placeholders() {
                match (&field, placeholder) {
                    (Field::Uses, Placeholder::Resource { name, .. })
                    | (Field::Calls, Placeholder::Service { name, .. }) => {
                        set.insert(name.clone());
                        // An implied link comes from the env value that names it.
                        origins.entry(field.clone()).or_insert(value.origin);
                        origins.entry(field.entry(name)).or_insert(value.origin);
                    }
                    _ => {}
                }
            }
        }
        set
    }

    /// `resources:` (compute), field by field; limits default to requests.
    pub fn compute(&self, origins: &mut crate::ir::Origins) -> Compute {
        let cpu = self.pick(|s| s.resources.as_ref().and_then(|r| r.cpu.as_ref()));
        let memory = self.pick(|s| s.resources.as_ref().and_then(|r| r.memory.as_ref()));
        let cpu_limit = self.pick(|s| s.resources.as_ref().and_then(|r| r.cpu_limit.as_ref()));
        let memory_limit = self.pick(|s| s.resources.as_ref().and_then(|r| r.memory_limit.as_ref()));
        let (cpu, cpu_origin): (Cpu, Origin) = cpu.unwrap_or((builtin::CPU, Origin::BUILT_IN));
        let (memory, memory_origin): (Memory, Origin) = memory.unwrap_or((builtin::MEMORY, Origin::BUILT_IN));
        let (cpu_limit, cpu_limit_origin) = cpu_limit.unwrap_or((cpu, cpu_origin));
        let (memory_limit, memory_limit_origin) = memory_limit.unwrap_or((memory, memory_origin));
        origins.insert(Field::Cpu, cpu_origin);
        origins.insert(Field::Memory, memory_origin);
        origins.insert(Field::CpuLimit, cpu_limit_origin);
        origins.insert(Field::MemoryLimit, memory_limit_origin);
        Compute { cpu, memory, cpu_limit, memory_limit }
    }

    /// `replicas:`.
    pub fn replicas(&self, origins: &mut crate::ir::Origins) -> u32 {
        let (replicas, origin) = self.pick(|s| s.replicas.as_ref()).unwrap_or((builtin::REPLICAS, Origin::BUILT_IN));
        origins.insert(Field::Replicas, origin);
        replicas
    }

    /// A whole optional block (`autoscale`, `ingress`, `metrics`, `migrate`): the last layer wins, `null` removes.
    pub fn block<T: Clone + 'a>(
        &self,
        field: Field,
        get: impl Fn(&'a ServiceSpec) -> Option<&'a Spanned<Option<T>>>,
        origins: &mut crate::ir::Origins,
    ) -> Option<T> {
        let (value, origin) = self.pick(get)?;
        if value.is_some() {
            origins.insert(field, origin);
        }
        value
    }

    /// `autoscale:`.
    pub fn autoscale(&self, origins: &mut crate::ir::Origins) -> Option<Autoscale> {
        self.block(Field::Autoscale, |s| s.autoscale.as_ref(), origins).map(|a| Autoscale {
            min: a.min.value,
            max: a.max.value,
            cpu: a.cpu.map(|c| c.value),
            memory: a.memory.map(|m| m.value),
        })
    }

    /// `ingress:`.
    pub fn ingress(&self, origins: &mut crate::ir::Origins) -> Option<Ingress> {
        self.block(Field::Ingress, |s| s.ingress.as_ref(), origins).map(|i| Ingress {
            host: i.host.map(|h| h.value),
            path: i.path.value,
            tls: i.tls.value,
            rate_limit: i.rate_limit.map(|r| r.value),
            strip_prefix: i.strip_prefix.is_some_and(|s| s.value),
        })
    }

    /// `metrics:`, with the port number looked up (an unknown port name gives `None`; validation reports it).
    pub fn metrics(&self, ports: &BTreeMap<String, u16>, origins: &mut crate::ir::Origins) -> Option<Metrics> {
        let metrics = self.block(Field::Metrics, |s| s.metrics.as_ref(), origins)?;
        let port = *ports.get(&metrics.port.value)?;
        Some(Metrics { port_name: metrics.port.value, port, path: metrics.path.value })
    }

    /// `security:`, field by field.
    pub fn security(&self, origins: &mut crate::ir::Origins) -> Security {
        let user = self
            .pick(|s| s.security.as_ref().and_then(|x| x.user.as_ref()))
            .unwrap_or((builtin::USER, Origin::BUILT_IN));
        let group = self
            .pick(|s| s.security.as_ref().and_then(|x| x.group.as_ref()))
            .unwrap_or((builtin::GROUP, Origin::BUILT_IN));
        let read_only = self
            .pick(|s| s.security.as_ref().and_then(|x| x.read_only_root.as_ref()))
            .unwrap_or((true, Origin::BUILT_IN));
        origins.insert(Field::User, user.1);
        origins.insert(Field::Group, group.1);
        origins.insert(Field::ReadOnlyRoot, read_only.1);
        let capabilities = self.pick(|s| s.security.as_ref().and_then(|x| x.capabilities.as_ref())).map_or_else(
            Vec::new,
            |(list, origin)| {
                origins.insert(Field::Capabilities, origin);
                let mut list = list;
                list.sort();
                list.dedup();
                list
            },
        );
        Security { user: user.0, group: group.0, read_only_root: read_only.0, capabilities }
    }

    /// `volumes:` merged by path.
    pub fn volumes(&self, origins: &mut crate::ir::Origins) -> BTreeMap<String, Volume> {
        let mut volumes = BTreeMap::new();
        for (layer, spec) in &self.layers {
            for (path, volume) in &spec.volumes {
                origins.insert(Field::Volume(path.clone()), Self::origin(*layer, volume.span));
                let volume = match volume.value {
                    crate::model::Volume::Scratch => Volume::Scratch,
                    crate::model::Volume::Persistent(size) => Volume::Persistent(size),
                };
                volumes.insert(path.clone(), volume);
            }
        }
        volumes
    }

    /// `files:` merged by path, with their content.
    pub fn files(&self, origins: &mut crate::ir::Origins) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        for (layer, spec) in &self.layers {
            for (path, file) in &spec.files {
                origins.insert(Field::File(path.clone()), Self::origin(*layer, file.span));
                let content = match &file.value {
                    FileSource::Source { content, .. } => content.clone(),
                    FileSource::Content(content) => content.clone(),
                };
                files.insert(path.clone(), content);
            }
        }
        files
    }

    /// `strategy:`.
    pub fn strategy(&self, origins: &mut crate::ir::Origins) -> Strategy {
        let (strategy, origin) = self.pick(|s| s.strategy.as_ref()).unwrap_or((Strategy::Rolling, Origin::BUILT_IN));
        origins.insert(Field::Strategy, origin);
        strategy
    }

    /// `timeout:` of a job.
    pub fn timeout(&self, origins: &mut crate::ir::Origins) -> Option<Duration> {
        let (timeout, origin) = self.pick(|s| s.timeout.as_ref())?;
        origins.insert(Field::Timeout, origin);
        Some(timeout)
    }

    /// `retries:` of a job.
    pub fn retries(&self, origins: &mut crate::ir::Origins) -> u32 {
        let (retries, origin) = self.pick(|s| s.retries.as_ref()).unwrap_or((builtin::JOB_RETRIES, Origin::BUILT_IN));
        origins.insert(Field::Retries, origin);
        retries
    }

    /// `concurrency:` of a job.
    pub fn concurrency(&self, origins: &mut crate::ir::Origins) -> Concurrency {
        let (concurrency, origin) =
            self.pick(|s| s.concurrency.as_ref()).unwrap_or((Concurrency::Forbid, Origin::BUILT_IN));
        origins.insert(Field::Concurrency, origin);
        concurrency
    }
}
