//! The model being imported: just what `iacgen.yaml` will say, as plain values in model spelling.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::ResourceKind;

/// Everything the import writes.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub project: String,
    /// Host port per service, where compose published the http port elsewhere than its own number.
    pub publish: BTreeMap<String, u16>,
    pub services: BTreeMap<String, Service>,
    pub resources: BTreeMap<String, Resource>,
    pub secrets: BTreeMap<String, Secret>,
}

/// A service, in model spelling.
#[derive(Clone, Debug, Default)]
pub struct Service {
    pub image: Option<String>,
    /// The tag, when the compose file set it through a variable (`app:${TAG}` → `version`).
    pub version: Option<String>,
    pub build: Option<Build>,
    pub command: Option<Vec<String>>,
    /// Port name → container port; `http` is the first published (or exposed) port.
    pub ports: BTreeMap<String, u16>,
    /// Published in compose: the development environment gives it an ingress, so compose publishes it.
    pub published: bool,
    /// The host port compose published the http port on, where it is not the port's own number.
    pub host_port: Option<u16>,
    pub health: Option<Health>,
    /// Env values in model syntax (a literal `${` is already written `$${`).
    pub env: BTreeMap<String, String>,
    /// Env var → declared secret or `<resource>.password`.
    pub secrets: BTreeMap<String, String>,
    pub uses: BTreeSet<String>,
    pub calls: BTreeSet<String>,
    /// Services that start first (`depends_on` on services).
    pub after: BTreeSet<String>,
    pub compute: Compute,
    pub replicas: Option<u32>,
    pub user: Option<u32>,
    pub group: Option<u32>,
    pub read_only: Option<bool>,
    /// Capabilities, when they differ from Docker's default set (the imported model's default).
    pub capabilities: Option<BTreeSet<String>>,
    pub volumes: BTreeMap<String, Volume>,
    /// Container path → `source:` relative to the model.
    pub files: BTreeMap<String, String>,
    pub waivers: BTreeMap<String, String>,
}

/// `build:`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Build {
    pub context: String,
    pub dockerfile: Option<String>,
    pub target: Option<String>,
    pub args: BTreeMap<String, String>,
}

/// `health:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    pub check: Check,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    pub start_period: Option<String>,
}

/// An HTTP path on the http port, or a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    Path(String),
    Command(Vec<String>),
}

/// `resources:` of a service (model quantities).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compute {
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub cpu_limit: Option<String>,
    pub memory_limit: Option<String>,
}

impl Compute {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.cpu.is_none() && self.memory.is_none() && self.cpu_limit.is_none() && self.memory_limit.is_none()
    }
}

/// A volume.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Volume {
    Scratch,
    /// Size in model spelling (`1Gi`).
    Persistent(String),
}

/// A database or cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub kind: ResourceKind,
    pub version: String,
    pub database: Option<String>,
    /// The user the compose file created; pinned in the development environment.
    pub user: Option<String>,
    /// The image as written, when the compose output should run it rather than the official one.
    pub image: Option<String>,
    /// No password in the compose file: `auth: none`.
    pub no_password: bool,
}

/// A declared secret.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secret {
    /// What the value is, in the compose file's terms (`${JWT_SECRET}`, or `API_TOKEN` of a service),
    /// so two uses of the same value share one secret. Never written out: it may hold a literal.
    pub identity: String,
    /// `JWT_SECRET of api`, one per use.
    pub uses: BTreeSet<String>,
}
