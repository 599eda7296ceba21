//! The helm target: one chart `helm/<name>/` per service and per scheduled job of the project.
//!
//! A chart is the generic templates of `targets/helm/` (embedded, copied verbatim, then the project's
//! own `targets.helm.templates` added or replacing by relative path), a `Chart.yaml`, a `values.yaml`
//! built from the model without any environment layer (`Compilation::base`) and one
//! `values-<env>.yaml` per environment that names helm, holding only what differs from `values.yaml`
//! the way Helm merges it (see [`diff`]). `targets/helm/README.md` is the values contract.

mod certificates;
mod chart;
pub mod checks;
mod diff;
mod labels;
mod network;
mod placeholders;
mod values;

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::diagnostic::Diagnostic;

use crate::ir::{Compilation, Stack, Target};
use crate::shared::{FileSet, GeneratedFile};
use crate::targets::EmitOptions;
use crate::targets::header;
use crate::targets::helm::values::{Scope, Workload};
use crate::targets::yaml_out;

/// Emit a chart for every service and job, with a values file for each environment in `stacks`
/// (checked by [`checks`], which reports what the value builders skip: their sinks are dropped here).
pub fn emit(compilation: &Compilation, stacks: &[&Stack], options: &EmitOptions) -> FileSet {
    let mut sink = Sink::default();
    let base = &compilation.base;
    let common_labels = labels::common_labels(base, &mut sink);
    let templates = chart::template_files(base, &mut sink);

    let base_scope = Scope::new(base, &common_labels, true);
    let scopes: Vec<Scope<'_>> = stacks.iter().map(|stack| Scope::new(stack, &common_labels, false)).collect();
    let workloads =
        base.services.values().map(Workload::Service).chain(base.jobs.values().map(Workload::Job)).collect::<Vec<_>>();

    // Charts are independent: render them in parallel, then merge in workload order.
    use rayon::prelude::*;
    let charts: Vec<Vec<(String, Option<&str>, Cow<'static, str>)>> = workloads
        .par_iter()
        .map(|workload| {
            let mut sink = Sink::default();
            let mut out = Vec::new();
            let workload = *workload;
            let name = workload.name();
            let dir = format!("helm/{name}");
            let base_values = values::build(&base_scope, workload, &mut sink);
            for scope in &scopes {
                let Some(resolved) = Workload::find(scope.stack, name, workload) else { continue };
                let values = values::build(scope, resolved, &mut sink);
                let difference = diff::diff(&base_values, &values);
                let environment = scope.stack.environment.as_str();
                let text = format!(
                    "{}{}",
                    header::hash_comment(&options.model_file, &environment_notes(scope, name)),
                    body(&difference)
                );
                out.push((format!("{dir}/values-{environment}.yaml"), Some(environment), Cow::Owned(text)));
            }
            let text = format!(
                "{}{}",
                header::hash_comment(&options.model_file, &values_notes(workload, base)),
                body(&base_values)
            );
            out.push((format!("{dir}/values.yaml"), None, Cow::Owned(text)));
            out.push((format!("{dir}/Chart.yaml"), None, Cow::Owned(chart::chart_yaml(workload, base, options))));
            for (path, contents) in &templates {
                out.push((format!("{dir}/{path}"), None, contents.clone()));
            }
            out
        })
        .collect();
    let mut entries = Vec::new();
    for out in charts {
        for (path, environment, contents) in out {
            entries.push((
                path,
                GeneratedFile { contents, target: Target::Helm, environment: environment.map(String::from) },
            ));
        }
    }
    entries.into_iter().collect()
}

/// A values document: the YAML, or nothing at all when it is empty (an env file that changes nothing).
fn body(values: &yaml_out::Yaml) -> String {
    if values.is_empty_collection() { String::new() } else { yaml_out::to_string(values) }
}

/// The comment at the top of values-<env>.yaml: what it holds and the install command.
fn environment_notes(scope: &Scope<'_>, name: &str) -> Vec<String> {
    let environment = &scope.stack.environment;
    let namespace = scope.helm.namespace.as_deref().unwrap_or("<namespace>");
    vec![
        format!(
            "Environment `{environment}`: only what differs from values.yaml (Helm merges this file over it; `null` removes a key)."
        ),
        format!(
            "helm upgrade --install {name} helm/{name} -n {namespace} -f helm/{name}/values-{environment}.yaml --timeout 15m"
        ),
    ]
}

/// The comment at the top of values.yaml: how to install, and the rule for environment-only values.
fn values_notes(workload: Workload<'_>, base: &Stack) -> Vec<String> {
    let name = workload.name();
    let services = match base.config.helm.as_ref().and_then(|helm| helm.namespace.as_deref()) {
        Some(namespace) => format!("services → <service>.{namespace}.svc.cluster.local (targets.helm.namespace),"),
        None => String::from("services → <service> (no targets.helm.namespace: the release's own namespace),"),
    };
    vec![
        format!("Values of the chart `{name}` (project `{}`): the model without any environment layer.", base.project),
        format!(
            "Install with an environment's file: helm upgrade --install {name} helm/{name} -n <namespace> -f helm/{name}/values-<env>.yaml --timeout 15m"
        ),
        String::new(),
        String::from("Values only an environment knows are not written here: an env var whose value needs"),
        String::from("${environment} or the host of a resource (pinned under environments.<env>.resources)"),
        String::from("is left out of this file and set by every values-<env>.yaml. Other placeholders take"),
        format!("the project-level values: {services}"),
        String::from("a resource's port, database name and user → their defaults in iacgen.yaml."),
    ]
}

/// A diagnostic's identity: code, place (file, start, end) and message.
type SeenKey = (u16, Option<(u32, u32, u32)>, String);

/// What the value builders find a chart cannot express, each reported once even when several
/// environments find it, with the service or job it is about. `checks` reports them; the emitter
/// drops its own (the same problems, already reported).
#[derive(Default)]
pub struct Sink {
    items: Vec<(Option<String>, Diagnostic)>,
    seen: BTreeSet<SeenKey>,
    subject: Option<String>,
}

impl Sink {
    /// Report `diagnostic` unless the same one (code, place, message) was already reported.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        let span = diagnostic.span.map(|s| (s.file.0, s.start, s.end));
        if self.seen.insert((diagnostic.code.number, span, diagnostic.message.clone())) {
            self.items.push((self.subject.clone(), diagnostic));
        }
    }

    /// From now on the diagnostics are about `subject` (`None`: about the chart's shared files).
    fn about(&mut self, subject: Option<&str>) {
        self.subject = subject.map(String::from);
    }
}
