//! Azure resource names, derived so that they always fit Azure's rules (modules/azure/README.md, section 2).
//!
//! Globally unique names (DNS names) always carry a 4-hex SHA-256 suffix of their parts, so a common name
//! is unlikely to be taken by someone else; names unique inside the resource group keep their plain form
//! when it fits and are cut + suffixed otherwise. Model names are DNS-1123 labels starting with a letter
//! and the project is at most 24 characters, so every derived name starts with a letter, has no `--` and
//! stays within its limit: no diagnostic is needed for length or characters.

use sha2::{Digest, Sha256};

/// The first 4 lowercase hex digits of SHA-256 of `parts` joined with `/`.
pub fn h4(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("/").as_bytes());
    digest.iter().take(2).map(|byte| format!("{byte:02x}")).collect()
}

/// `parts` joined with `-`, runs of `-` collapsed to one.
pub fn joined(parts: &[&str]) -> String {
    let mut out = String::new();
    for character in parts.join("-").chars() {
        if character == '-' && out.ends_with('-') {
            continue;
        }
        out.push(character);
    }
    out
}

/// `joined(parts)` cut to `max - 5` characters, trailing `-` removed, then `-` + `h4(parts)`.
pub fn unique(parts: &[&str], max: usize) -> String {
    let base = joined(parts);
    let body: String = base.chars().take(max.saturating_sub(5)).collect();
    format!("{}-{}", body.trim_end_matches('-'), h4(parts))
}

/// `joined(parts)` if it fits in `max`, else `unique(parts, max)`.
pub fn bounded(parts: &[&str], max: usize) -> String {
    let base = joined(parts);
    if base.chars().count() <= max { base } else { unique(parts, max) }
}

/// `parts` concatenated without `-`, cut to `max - 4`, then `h4(parts)`.
pub fn alnum(parts: &[&str], max: usize) -> String {
    let base: String = parts.concat().chars().filter(|c| *c != '-').take(max.saturating_sub(4)).collect();
    format!("{base}{}", h4(parts))
}

/// The names of one environment's Azure resources.
pub struct Names<'a> {
    pub project: &'a str,
    pub environment: &'a str,
}

impl Names<'_> {
    fn parts<'b>(&'b self, rest: &[&'b str]) -> Vec<&'b str> {
        let mut parts = vec![self.project, self.environment];
        parts.extend_from_slice(rest);
        parts
    }

    /// `<project>-<env>-rg`.
    pub fn resource_group(&self) -> String {
        bounded(&self.parts(&["rg"]), 90)
    }

    /// The shared App Service plan.
    pub fn plan(&self) -> String {
        bounded(&self.parts(&["plan"]), 60)
    }

    /// The dedicated plan of an autoscaled service.
    pub fn dedicated_plan(&self, service: &str) -> String {
        bounded(&self.parts(&[service, "plan"]), 60)
    }

    /// A service's web app (global: `<name>.azurewebsites.net`).
    pub fn web_app(&self, service: &str) -> String {
        unique(&self.parts(&[service]), 60)
    }

    /// The Key Vault (global: `<name>.vault.azure.net`).
    pub fn key_vault(&self) -> String {
        unique(&self.parts(&["kv"]), 24)
    }

    /// The container registry (global: `<name>.azurecr.io`, letters and digits only).
    pub fn registry(&self) -> String {
        alnum(&self.parts(&[]), 50)
    }

    /// The Log Analytics workspace.
    pub fn workspace(&self) -> String {
        bounded(&self.parts(&["logs"]), 63)
    }

    /// The Application Insights component.
    pub fn insights(&self) -> String {
        bounded(&self.parts(&["insights"]), 255)
    }

    /// The Container Apps environment of the jobs and migrations.
    pub fn jobs_environment(&self) -> String {
        bounded(&self.parts(&["jobs"]), 60)
    }

    /// A scheduled job.
    pub fn job(&self, job: &str) -> String {
        bounded(&self.parts(&[job]), 32)
    }

    /// A service's migration job.
    pub fn migration(&self, service: &str) -> String {
        bounded(&self.parts(&[service, "migrate"]), 32)
    }

    /// A database server or cache (global DNS name).
    /// The storage account of the environment's Azure Files shares: globally unique, 3-24 lowercase
    /// letters and digits.
    pub fn file_storage(&self) -> String {
        alnum(&self.parts(&["files"]), 24)
    }

    pub fn server(&self, resource: &str) -> String {
        unique(&self.parts(&[resource]), 63)
    }
}

/// The root module block name of a model name: `-` → `_`.
/// The Azure Files share of a service's persistent volume at `path`: `<service>-<path as a slug>`,
/// 3-63 lowercase letters, digits and single '-' (`/var/cache/previews` → `web-var-cache-previews`).
pub fn share(service: &str, path: &str) -> String {
    let slug: String =
        path.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let name = bounded(&[service, slug.trim_matches('-')], 63);
    if name.len() < 3 { format!("{name}-share") } else { name }
}

pub fn block(name: &str) -> String {
    name.replace('-', "_")
}

/// The Key Vault secret that holds a resource's password.
pub fn password_secret(resource: &str) -> String {
    format!("{resource}-password")
}

/// The Key Vault secret of a resource's connection URL (with its password): `<resource>-url`.
pub fn url_secret(resource: &str) -> String {
    format!("{resource}-url")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked values of the README (computed by the reference script `names.py`).
    #[test]
    fn matches_the_readme_worked_values() {
        let production = Names { project: "pact", environment: "production" };
        let staging = Names { project: "pact", environment: "staging" };
        assert_eq!(production.resource_group(), "pact-production-rg");
        assert_eq!(production.key_vault(), "pact-production-kv-296c");
        assert_eq!(staging.key_vault(), "pact-staging-kv-1344");
        assert_eq!(production.registry(), "pactproductiond3ca");
        assert_eq!(staging.registry(), "pactstaging521b");
        assert_eq!(production.web_app("dox-core-store"), "pact-production-dox-core-store-4598");
        assert_eq!(staging.web_app("dox-core-store"), "pact-staging-dox-core-store-68a7");
        assert_eq!(production.web_app("dox-worker"), "pact-production-dox-worker-bace");
        assert_eq!(production.dedicated_plan("dox-core-store"), "pact-production-dox-core-store-plan");
        assert_eq!(production.migration("dox-core-store"), "pact-production-dox-core-st-6547");
        assert_eq!(production.job("nightly-report"), "pact-production-nightly-report");
        assert_eq!(production.server("db"), "pact-production-db-5cea");
        assert_eq!(production.server("cache"), "pact-production-cache-c6c0");
        assert_eq!(share("web", "/var/cache/previews"), "web-var-cache-previews");
        assert!(production.file_storage().len() <= 24);
    }

    #[test]
    fn long_names_always_fit() {
        let project = "a".repeat(24);
        let environment = format!("e-{}", "x".repeat(61));
        let names = Names { project: &project, environment: &environment };
        assert_eq!(names.key_vault().len(), 24);
        assert!(!names.key_vault().contains("--"));
        assert!(names.registry().len() <= 50);
        assert!(names.registry().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert_eq!(names.web_app("s").len(), 60);
        assert!(names.job("j").len() <= 32);
        assert!(names.migration("service").len() <= 32);
        assert!(names.workspace().len() <= 63);
        assert!(!names.job("j").ends_with('-'));
    }

    #[test]
    fn collapses_and_trims_dashes() {
        assert_eq!(joined(&["a--b", "c"]), "a-b-c");
        // The cut lands on a '-': it is removed before the suffix.
        assert_eq!(unique(&["abcd", "efgh"], 10), format!("abcd-{}", h4(&["abcd", "efgh"])));
    }
}
