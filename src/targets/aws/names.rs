//! Names the aws target computes: module labels and the names AWS limits to 32 characters (load
//! balancer, target groups). Everything else is derived by the modules from `<project>-<env>`;
//! its limits are checked on the model (IAC024, `aws::checks`).

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use crate::ir::Stack;

/// Module labels the root's shared blocks use.
const RESERVED: [&str; 6] = ["kms", "network", "cluster", "registry", "secrets", "load_balancer"];

/// What a module block stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Service,
    Resource,
    Job,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Resource => "resource",
            Kind::Job => "job",
        }
    }
}

/// Module labels of an environment's services, resources and jobs: the model name with `-` → `_`;
/// a label that is taken by a shared block or by another kind gets `_<kind>` appended.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    labels: BTreeMap<(Kind, String), String>,
}

impl Labels {
    /// Labels of every service, resource and job of `stack`.
    pub fn of(stack: &Stack) -> Labels {
        let names: Vec<(Kind, &String)> = stack
            .services
            .keys()
            .map(|n| (Kind::Service, n))
            .chain(stack.resources.keys().map(|n| (Kind::Resource, n)))
            .chain(stack.jobs.keys().map(|n| (Kind::Job, n)))
            .collect();
        let mut kinds_by_base: BTreeMap<String, BTreeSet<Kind>> = BTreeMap::new();
        for (kind, name) in &names {
            kinds_by_base.entry(name.replace('-', "_")).or_default().insert(*kind);
        }
        let labels = names
            .into_iter()
            .map(|(kind, name)| {
                let base = name.replace('-', "_");
                let shared = kinds_by_base.get(&base).is_some_and(|kinds| kinds.len() > 1);
                let label = if RESERVED.contains(&base.as_str()) || shared {
                    format!("{base}_{}", kind.as_str())
                } else {
                    base
                };
                ((kind, name.clone()), label)
            })
            .collect();
        Labels { labels }
    }

    /// The label of `name` of `kind` (the name itself, adapted, if it was not registered).
    pub fn get(&self, kind: Kind, name: &str) -> String {
        self.labels.get(&(kind, name.to_string())).cloned().unwrap_or_else(|| name.replace('-', "_"))
    }
}

/// `name` if it fits in 32 characters; otherwise its first 27 characters without trailing `-`,
/// then `-` and the first 4 hex digits of the SHA-256 of the full name (stable and unique enough
/// to keep two long names apart).
pub fn fit_32(name: &str) -> String {
    if name.len() <= 32 {
        return name.to_string();
    }
    let digest = Sha256::digest(name.as_bytes());
    let hash: String = digest.iter().take(2).map(|byte| format!("{byte:02x}")).collect();
    let head: String = name.chars().take(27).collect();
    format!("{}-{hash}", head.trim_end_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_names_in_32_characters() {
        assert_eq!(fit_32("pact-production-dox-core-store"), "pact-production-dox-core-store");
        let long = "softfactory-production-notification-service";
        let fitted = fit_32(long);
        assert!(fitted.len() <= 32, "{fitted}");
        assert!(fitted.starts_with("softfactory-production-noti-"), "{fitted}");
        assert_ne!(fitted, fit_32("softfactory-production-notification-worker"));
        // A cut that ends on `-` drops it before the hash.
        assert_eq!(fit_32("abcdefghijklmnopqrstuvwxyz-abcdefgh").len(), 31);
    }
}
