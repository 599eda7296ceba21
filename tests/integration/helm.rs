//! Models that the helm target rejects: each compiles in a temporary folder and its rendered
//! diagnostics are a snapshot (`helm__<case>`).

use std::path::Path;

use iacgen::shared::Filter;
use iacgen::source::reader::Reader;

use crate::common;

const HEAD: &str = "version: 1\nproject: shop\nregistry: ghcr.io/example\n";
const HELM: &str = "environments:\n  staging:\n    targets: [helm]\ntargets:\n  helm: { namespace: shop }\n";

/// Compile `files` (path → text) as a project and render the diagnostics it fails with.
fn diagnostics(files: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(&full, text).expect("write file");
    }
    let reader = Reader::Disk { root: Path::new(dir.path()).to_path_buf() };
    match iacgen::compile(&reader, &Filter::default()) {
        Ok(_) => panic!("the model compiles"),
        Err(failure) => common::render(&failure),
    }
}

fn snapshot(name: &str, rendered: String) {
    insta::with_settings!({ snapshot_path => "../snapshots/helm", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, rendered);
    });
}

#[test]
fn service_port_of_a_service_without_http_port() {
    let model = format!(
        "{HEAD}services:\n  api:\n    version: \"1\"\n    port: 8080\n    health: {{ path: /health }}\n    env:\n      WORKER_URL: ${{services.worker.url}}\n  worker:\n    version: \"1\"\n{HELM}"
    );
    snapshot("helm__placeholder_without_http_port", diagnostics(&[("iacgen.yaml", &model)]));
}

#[test]
fn tags_that_cannot_be_labels() {
    let model = format!(
        "{HEAD}tags:\n  \"!!!\": x\n  cost-center: a\n  \"cost center\": b\nservices:\n  api:\n    version: \"1\"\n{HELM}"
    );
    snapshot("helm__tags_that_cannot_be_labels", diagnostics(&[("iacgen.yaml", &model)]));
}

#[test]
fn template_folder_replacing_generated_files() {
    let model = format!(
        "{HEAD}services:\n  api:\n    version: \"1\"\nenvironments:\n  staging:\n    targets: [helm]\ntargets:\n  helm: {{ templates: ./charts }}\n"
    );
    let files = [
        ("iacgen.yaml", model.as_str()),
        ("charts/values.yaml", "replicas: 5\n"),
        ("charts/templates/extra.yaml", "# nothing\n"),
    ];
    snapshot("helm__template_folder_replacing_generated_files", diagnostics(&files));
}

#[test]
fn names_kubernetes_rejects() {
    let long = "a".repeat(54);
    let model = format!(
        "{HEAD}services:\n  {long}:\n    version: \"1\"\n  api:\n    version: \"1\"\n    volumes:\n      /var/cache: scratch\n      /var.cache: scratch\n    files:\n      /etc/a/b_c: {{ content: x }}\n      /etc/a_b/c: {{ content: y }}\n{HELM}"
    );
    snapshot("helm__names_kubernetes_rejects", diagnostics(&[("iacgen.yaml", &model)]));
}
