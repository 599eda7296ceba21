//! Targets, and the scope a command works on (`--target`, `--env`).

use crate::shared::{FileSet, GeneratedFile};

/// A target, in the one spelling used everywhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Compose,
    Helm,
    Aws,
    Azure,
    Ecs,
}

impl Target {
    /// Every target, in output order.
    pub const ALL: [Target; 5] = [Target::Compose, Target::Helm, Target::Aws, Target::Azure, Target::Ecs];

    /// `compose`, `helm`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Compose => "compose",
            Target::Helm => "helm",
            Target::Aws => "aws",
            Target::Azure => "azure",
            Target::Ecs => "ecs",
        }
    }

    /// Parse the spelling.
    pub fn parse(text: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|target| target.as_str() == text)
    }

    /// The folder of the output that holds this target's files, and nothing else (SPEC §3).
    pub fn folder(self) -> &'static str {
        match self {
            Target::Compose => "compose",
            Target::Helm => "helm",
            Target::Aws => "terraform/aws",
            Target::Azure => "terraform/azure",
            Target::Ecs => "ecs",
        }
    }

    /// The target whose folder holds `path` (relative to the output folder), if any: what a
    /// generated file that does not exist would belong to (a patch may name one).
    pub fn owning(path: &str) -> Option<Target> {
        Target::ALL
            .into_iter()
            .find(|target| path.strip_prefix(target.folder()).is_some_and(|rest| rest.starts_with('/')))
    }
}

/// Which environments and targets a command works on (`--env`, `--target`); empty means all.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub environments: Vec<String>,
    pub targets: Vec<Target>,
}

impl Filter {
    /// Whether `target` is selected.
    pub fn target(&self, target: Target) -> bool {
        self.targets.is_empty() || self.targets.contains(&target)
    }

    /// Whether `environment` is selected (`None`: shared files, selected when the target is).
    pub fn environment(&self, environment: Option<&str>) -> bool {
        match environment {
            None => true,
            Some(name) => self.environments.is_empty() || self.environments.iter().any(|e| e == name),
        }
    }
}

impl Filter {
    /// Whether a generated file is in scope: its target and its environment are selected.
    pub fn selects(&self, file: &GeneratedFile) -> bool {
        self.target(file.target) && self.environment(file.environment.as_deref())
    }

    /// Keep only the files in scope.
    pub fn retain(&self, files: &mut FileSet) {
        if !self.targets.is_empty() || !self.environments.is_empty() {
            files.files.retain(|_, file| self.selects(file));
        }
    }
}
