//! The files of a chart that do not depend on values: `Chart.yaml` and the templates (the generic ones
//! of `targets/helm/`, then the project's `targets.helm.templates`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::Stack;
use crate::targets::helm::Sink;
use crate::targets::helm::values::Workload;
use crate::targets::yaml_out::{quote, scalar_string};
use crate::targets::{EmitOptions, embedded, header};

/// The chart version: fixed, so a model change shows in the values and `appVersion`, not in every
/// object's `helm.sh/chart` label.
pub const CHART_VERSION: &str = "0.1.0";

/// `Chart.yaml` of `workload`: the base image's tag (or digest) is the app version.
pub fn chart_yaml(workload: Workload<'_>, base: &Stack, options: &EmitOptions) -> String {
    let name = workload.name();
    let description = match workload {
        Workload::Service(_) => format!("Service {name} of project {}", base.project),
        Workload::Job(_) => format!("Scheduled job {name} of project {}", base.project),
    };
    let notes = [format!("Chart `{name}`: install as release `{name}` with -f values-<env>.yaml (see values.yaml).")];
    format!(
        "{}apiVersion: v2\nname: {name}\ndescription: {}\ntype: application\nversion: {CHART_VERSION}\nappVersion: {}\n",
        header::hash_comment(&options.model_file, &notes),
        scalar_string(&description),
        quote(&workload.image().version()),
    )
}

/// Chart files that a project's template folder may not replace: iacgen writes them per chart.
fn is_generated(path: &str) -> bool {
    path == "Chart.yaml"
        || path == "values.yaml"
        || (path.starts_with("values-") && path.ends_with(".yaml") && !path.contains('/'))
}

/// Every template file of a chart, by path relative to the chart: the embedded generic files, then
/// the project's own (`targets.helm.templates`, laid out like a chart folder: `templates/x.yaml`
/// adds or replaces a template, `values.schema.json` the schema).
pub fn template_files(base: &Stack, sink: &mut Sink) -> BTreeMap<String, Cow<'static, str>> {
    // Borrowed: every chart carries the same generic files, so they are not copied per chart.
    let mut files: BTreeMap<String, Cow<'static, str>> = embedded::under("targets/helm/")
        .into_iter()
        .map(|(path, text)| (path.to_string(), Cow::Borrowed(text)))
        .collect();
    let Some(helm) = &base.config.helm else { return files };
    for (path, text) in &helm.templates {
        if is_generated(path) {
            if let Some(span) = helm.templates_span {
                sink.push(
                    Diagnostic::new(
                        codes::INVALID_VALUE,
                        span,
                        format!("template folder file `{path}` would replace a file iacgen generates for every chart"),
                    )
                    .with_label("this folder holds it")
                    .with_help("change values with `patches:` on helm/<name>/values*.yaml; keep only templates here"),
                );
            }
            continue;
        }
        files.insert(path.clone(), Cow::Owned(text.clone()));
    }
    files
}
