//! The header comment of a root's main.tf: what the environment is, how each workload was rounded
//! to a Fargate size, where its ECR repositories come from, and what the platform does not enforce
//! or rounds (job timeout and concurrency, storage below RDS's minimum, memory-only autoscaling).

use crate::ir::{Field, Job, Resource, Service};
use crate::model::placeholder::{Placeholder, ResourceAttr};
use crate::targets::aws::Environment;
use crate::targets::aws::sizing::MIN_STORAGE_GIB;
use crate::targets::fargate::size;

/// Width of the header comment lines, `# ` included.
const COMMENT_WIDTH: usize = 100;

/// The lines of main.tf's header comment, after the first (which names the model file).
pub fn header(environment: &Environment<'_>) -> Vec<String> {
    let stack = environment.stack;
    let aws = &environment.aws;
    let mut lines = vec![
        String::new(),
        format!(
            "Environment {} of project {} on AWS ({}, account {}).",
            stack.environment, stack.project, aws.region, aws.account_id
        ),
    ];
    let sizes: Vec<String> = stack
        .services
        .values()
        .map(|s| (&s.name, &s.compute))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.compute)))
        .filter_map(|(name, compute)| Some(size::describe(name, compute, *environment.sizes.get(name)?)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !sizes.is_empty() {
        lines.extend(wrap("Fargate sizes:", &sizes));
    }
    lines.extend(connection_urls(environment));
    if let Some(registry) = &environment.registry {
        let line = format!(
            "ECR repositories of account {} in {} are created by terraform/aws/{} (apply it first).",
            aws.account_id,
            aws.region,
            registry.dir()
        );
        lines.extend(fill(line.split(' ').map(String::from).collect()));
    }
    for note in &environment.notes {
        lines.extend(fill(note.split(' ').map(String::from).collect()));
    }
    lines
}

/// Connection URLs (`${resources.<r>.url}`) and the variable that carries each one's password:
/// ECS injects a secret only as a whole variable, and RDS rotates its managed password, so a URL
/// with the password composed here would go stale (README: aws).
fn connection_urls(environment: &Environment<'_>) -> Vec<String> {
    let stack = environment.stack;
    let workloads = stack
        .services
        .values()
        .map(|s| (&s.name, &s.env, &s.secrets))
        .chain(stack.jobs.values().map(|j| (&j.name, &j.env, &j.secrets)));
    let mut urls = Vec::new();
    for (name, env, secrets) in workloads {
        for (variable, value) in env {
            for (placeholder, _) in value.template.placeholders() {
                let Placeholder::Resource { name: resource, attr: ResourceAttr::Url } = placeholder else { continue };
                if let Some(password) = crate::ir::password_env(secrets, resource) {
                    urls.push(format!("{name} {variable} (password in {password})"));
                }
            }
        }
    }
    if urls.is_empty() {
        return urls;
    }
    wrap("Connection URLs without their password:", &urls)
}

/// Job `timeout` and `concurrency` have no EventBridge Scheduler or ECS equivalent.
pub fn job(job: &Job) -> Option<String> {
    let set = |field: &Field| job.origins.get(field).is_some_and(|origin| origin.span.is_some());
    let unenforced: Vec<&str> = [("timeout", set(&Field::Timeout)), ("concurrency", set(&Field::Concurrency))]
        .into_iter()
        .filter_map(|(field, is_set)| is_set.then_some(field))
        .collect();
    (!unenforced.is_empty()).then(|| {
        format!(
            "{}: {} not enforced on AWS (EventBridge Scheduler and ECS have no equivalent).",
            job.name,
            unenforced.join(" and ")
        )
    })
}

/// A database smaller than RDS allocates.
pub fn storage(name: &str, resource: &Resource) -> Option<String> {
    (resource.storage.gibibytes_ceil() < MIN_STORAGE_GIB).then(|| {
        format!(
            "{name}: storage {} raised to {MIN_STORAGE_GIB} GiB, the smallest RDS allocates.",
            resource.storage.kubernetes()
        )
    })
}

/// The service module always takes a CPU target.
pub fn service(service: &Service) -> Option<String> {
    let autoscale = service.autoscale.as_ref()?;
    autoscale.cpu.is_none().then(|| {
        format!(
            "{}: autoscaling on memory only; the service module also needs a CPU target, set to 100 % so it never adds tasks.",
            service.name
        )
    })
}

/// `lead a; b; c.` wrapped at [`COMMENT_WIDTH`] between entries.
fn wrap(lead: &str, entries: &[String]) -> Vec<String> {
    let mut pieces = vec![lead.to_string()];
    for (index, entry) in entries.iter().enumerate() {
        pieces.push(if index + 1 == entries.len() { format!("{entry}.") } else { format!("{entry};") });
    }
    fill(pieces)
}

/// Unbreakable pieces joined by spaces, as many per line as fit in [`COMMENT_WIDTH`] (with `# `).
pub fn fill(pieces: Vec<String>) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        if line.is_empty() {
            line = piece;
        } else if 2 + line.len() + 1 + piece.len() <= COMMENT_WIDTH {
            line.push(' ');
            line.push_str(&piece);
        } else {
            lines.push(std::mem::replace(&mut line, piece));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_entries_at_the_comment_width() {
        let entries = [
            String::from("dox-auth 250m/512Mi -> 256/512"),
            String::from("dox-core-store 500m/1Gi -> 512/1024"),
            String::from("nightly-report 250m/512Mi -> 256/512"),
        ];
        assert_eq!(
            wrap("Fargate sizes:", &entries),
            [
                "Fargate sizes: dox-auth 250m/512Mi -> 256/512; dox-core-store 500m/1Gi -> 512/1024;",
                "nightly-report 250m/512Mi -> 256/512.",
            ]
        );
    }
}
