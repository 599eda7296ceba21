//! What Helm or Kubernetes would reject in a chart built from a valid model, reported at the model
//! value that causes it: release names, derived object names, volume and file names that collide,
//! tags that cannot be labels, template files that would replace generated ones, placeholders that
//! need an http port, and resource hosts the environment must pin (helm provisions no databases).

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Compilation, Field, Service, Stack, Strategy, Target, Volume};
use crate::targets::checks::{backups_elsewhere, derived_name, pinned_hosts};
use crate::targets::helm::values::{Scope, Workload};
use crate::targets::helm::{Sink, chart, labels, placeholders};

/// Every problem of the charts and of the values files of the environments in `stacks`.
pub fn check(compilation: &Compilation, stacks: &[&Stack]) -> Vec<Finding> {
    let mut sink = Sink::default();
    let base = &compilation.base;
    let common_labels = labels::common_labels(base, &mut sink);
    chart::template_files(base, &mut sink);
    release_names(base, &mut sink);
    let base_scope = Scope::new(base, &common_labels, true);
    let scopes: Vec<Scope<'_>> = stacks.iter().map(|stack| Scope::new(stack, &common_labels, false)).collect();
    let workloads = base.services.values().map(Workload::Service).chain(base.jobs.values().map(Workload::Job));
    for workload in workloads {
        sink.about(Some(workload.name()));
        placeholders::env(&base_scope, workload, &mut sink);
        for scope in &scopes {
            let Some(resolved) = Workload::find(scope.stack, workload.name(), workload) else { continue };
            self::workload(resolved, &mut sink);
            placeholders::env(scope, resolved, &mut sink);
        }
        self::workload(workload, &mut sink);
    }
    // Found once for every environment: the messages name none.
    let mut out: Vec<Finding> =
        sink.items.into_iter().map(|(subject, diagnostic)| Finding::new(diagnostic, subject.as_deref(), "")).collect();
    for stack in stacks {
        pinned_hosts(stack, Target::Helm, &mut out);
        job_names(stack, &mut out);
        backups_elsewhere(stack, Target::Helm, &mut out);
        project_rules(stack, &mut out);
    }
    out
}

/// IAC024: a migration runs as the Job `<service>-migrate` (63 characters at most) and a scheduled
/// job as a CronJob (52: Kubernetes appends 11 characters to the Jobs it creates).
fn job_names(stack: &Stack, out: &mut Vec<Finding>) {
    for service in stack.services.values() {
        if service.migrate.is_some() && service.name.len() + "-migrate".len() > 63 {
            let name = format!("{}-migrate", service.name);
            out.push(derived_name(stack, &service.name, service.origin, name, 63, "Kubernetes Job name"));
        }
    }
    for job in stack.jobs.values() {
        if job.name.len() > 52 {
            out.push(derived_name(stack, &job.name, job.origin, job.name.clone(), 52, "Kubernetes CronJob name"));
        }
    }
}

/// Helm release names are at most 53 characters, and a chart is installed under its own name.
const RELEASE_NAME_MAX: usize = 53;

/// Every service and job must fit in a Helm release name.
fn release_names(stack: &Stack, sink: &mut Sink) {
    let names =
        stack.services.values().map(|s| (&s.name, s.origin)).chain(stack.jobs.values().map(|j| (&j.name, j.origin)));
    for (name, span) in names {
        sink.about(Some(name));
        if name.len() > RELEASE_NAME_MAX {
            sink.push(
                Diagnostic::new(
                    codes::DERIVED_NAME_INVALID,
                    span,
                    format!(
                        "Helm release name `{name}` is {} characters, more than {RELEASE_NAME_MAX}",
                        name.chars().count()
                    ),
                )
                .with_label("the chart is installed as a release of this name")
                .with_help(format!("shorten the name to at most {RELEASE_NAME_MAX} characters")),
            );
        }
    }
}

/// Names derived from one workload's paths in one environment (Helm's release-name limit also
/// keeps `<name>-preview` and `<name>-migrate` within 63).
fn workload(workload: Workload<'_>, sink: &mut Sink) {
    let origins = workload.origins();
    let span_of = |field: &Field| origins.get(field).and_then(|o| o.span).unwrap_or(workload.origin());
    let mut volume_names: BTreeMap<String, &String> = BTreeMap::new();
    for path in workload.volumes().keys() {
        let name = volume_name(path);
        if let Some(first) = volume_names.get(&name) {
            sink.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    span_of(&Field::Volume(path.to_string())),
                    format!("volume paths `{first}` and `{path}` give the same Kubernetes volume name `{name}`"),
                )
                .with_label("same volume name")
                .with_help(
                    "Kubernetes names a volume after its path's letters and digits: mount one of them elsewhere",
                ),
            );
        } else if name == "v" {
            sink.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    span_of(&Field::Volume(path.to_string())),
                    format!("volume path `{path}` has no letter or digit to name a Kubernetes volume"),
                )
                .with_label("cannot name this volume")
                .with_help("mount the volume at a path such as /data"),
            );
        }
        volume_names.insert(name, path);
    }
    if let Workload::Service(service) = workload {
        blue_green_with_own_volumes(service, sink);
    }
    let mut file_keys: BTreeMap<String, &String> = BTreeMap::new();
    for path in workload.files().keys() {
        let key = file_key(path);
        if let Some(first) = file_keys.get(&key) {
            sink.push(
                Diagnostic::new(
                    codes::INVALID_VALUE,
                    span_of(&Field::File(path.to_string())),
                    format!("file paths `{first}` and `{path}` give the same ConfigMap key `{key}`"),
                )
                .with_label("same ConfigMap key")
                .with_help("mount one of the files at another path"),
            );
        }
        file_keys.insert(key, path);
    }
}

/// A service whose pods each need their own ReadWriteOnce volume (a persistent volume and more than
/// one pod) runs as a StatefulSet; blue-green's second slot would start on empty volumes of its own.
fn blue_green_with_own_volumes(service: &Service, sink: &mut Sink) {
    let several = service.autoscale.is_some() || service.replicas > 1;
    let persistent = service.volumes.iter().find(|(_, volume)| matches!(volume, Volume::Persistent(_)));
    let (Some((path, _)), true, Strategy::BlueGreen) = (persistent, several, service.strategy) else { return };
    let span_of = |field: &Field| service.origins.get(field).and_then(|o| o.span).unwrap_or(service.origin);
    let pods = if service.autoscale.is_some() { "autoscaled" } else { "replicated" };
    let mut diagnostic = Diagnostic::new(
        codes::UNSUPPORTED_ON_TARGET,
        span_of(&Field::Volume(path.to_string())),
        format!(
            "`{}` keeps `{path}` on a persistent volume and is {pods} with `strategy: blue-green`, which the helm target cannot run",
            service.name
        ),
    )
    .with_label("one ReadWriteOnce volume per pod")
    .with_help(
        "several pods each get a volume of their own (a StatefulSet), so a blue-green slot would start on empty volumes: use `strategy: rolling`, one replica without autoscale, or keep the data in a resource",
    );
    if let Some(span) = service.origins.get(&Field::Strategy).and_then(|o| o.span) {
        diagnostic = diagnostic.with_related(span, "blue-green set here");
    }
    sink.push(diagnostic);
}

/// The pod volume name the chart gives a path (`iacgen.volumeName` in `_helpers.tpl`).
pub fn volume_name(path: &str) -> String {
    let slug = collapse(&path.to_ascii_lowercase(), |c| c.is_ascii_lowercase() || c.is_ascii_digit(), '-');
    let name = format!("v-{}", slug.trim_matches('-'));
    let cut: String = name.chars().take(63).collect();
    cut.trim_end_matches('-').to_string()
}

/// The ConfigMap key the chart gives a mounted file (`iacgen.fileKey` in `_helpers.tpl`).
pub fn file_key(path: &str) -> String {
    collapse(path.strip_prefix('/').unwrap_or(path), |c| c.is_ascii_alphanumeric() || "-._".contains(c), '_')
}

/// Every run of characters that `keep` rejects becomes one `with`.
fn collapse(text: &str, keep: impl Fn(char) -> bool, with: char) -> String {
    let mut out = String::new();
    let mut in_run = false;
    for c in text.chars() {
        if keep(c) {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push(with);
            in_run = true;
        }
    }
    out
}

/// IAC047: a chart is one service, so the project-wide `alerts.rules` have no chart to live in.
fn project_rules(stack: &Stack, out: &mut Vec<Finding>) {
    let Some(alerting) = &stack.alerting else { return };
    for rule in &alerting.rules {
        let diagnostic = Diagnostic::new(
            codes::ALERTS_LIMITED,
            rule.span,
            format!("the helm charts have no place for the project-wide rule `{}`", rule.name),
        )
        .with_label("project-wide rule")
        .with_help("each chart is one service: write the rule under that service's `alerts.rules` (its PrometheusRule then carries it)");
        out.push(Finding::new(diagnostic, None, &stack.environment));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_templates() {
        assert_eq!(volume_name("/tmp"), "v-tmp");
        assert_eq!(volume_name("/var/lib/Data"), "v-var-lib-data");
        assert_eq!(volume_name("/"), "v");
        assert_eq!(file_key("/etc/config/config.yaml"), "etc_config_config.yaml");
    }
}
