//! `schema/iacgen.schema.json` and the Rust decoder agree: the same keys at every level, and every
//! example model validates against the schema (so editors with the YAML language server see no false
//! errors).

use std::collections::BTreeSet;

use iacgen::source::decode;
use serde_json::Value;

use crate::common;

fn schema() -> Value {
    serde_json::from_str(iacgen::schema::SCHEMA).expect("the schema is JSON")
}

fn keys(object: &Value) -> BTreeSet<String> {
    object["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// A nullable `{ oneOf: [null, object] }` or a plain object.
fn object_of(value: &Value) -> &Value {
    value["oneOf"]
        .as_array()
        .and_then(|alternatives| alternatives.iter().find(|a| a["type"] == "object"))
        .unwrap_or(value)
}

#[test]
fn schema_keys_match_the_decoder() {
    let schema = schema();
    let definitions = &schema["definitions"];
    let service = &definitions["service"];
    let pairs: Vec<(&str, BTreeSet<String>, &[&str])> = vec![
        ("top level", keys(&schema), decode::TOP_KEYS),
        ("service", keys(service), decode::SERVICE_KEYS),
        ("job", keys(&definitions["job"]), decode::JOB_KEYS),
        ("environment", keys(&definitions["environment"]), decode::ENVIRONMENT_KEYS),
        ("health", keys(&service["properties"]["health"]), decode::HEALTH_KEYS),
        ("resources (compute)", keys(&service["properties"]["resources"]), decode::COMPUTE_KEYS),
        ("autoscale", keys(object_of(&service["properties"]["autoscale"])), decode::AUTOSCALE_KEYS),
        ("ingress", keys(object_of(&service["properties"]["ingress"])), decode::INGRESS_KEYS),
        ("metrics", keys(object_of(&service["properties"]["metrics"])), decode::METRICS_KEYS),
        ("security", keys(&service["properties"]["security"]), decode::SECURITY_KEYS),
        ("resource", keys(&schema["properties"]["resources"]["additionalProperties"]), decode::RESOURCE_KEYS),
        (
            "resource pin",
            keys(&definitions["environment"]["properties"]["resources"]["additionalProperties"]),
            decode::PIN_KEYS,
        ),
        ("targets", keys(&definitions["targets"]), &["compose", "helm", "aws", "azure", "ecs"]),
        ("alerts", keys(object_of(&definitions["alerts"])), decode::PROJECT_ALERT_KEYS),
        ("service alerts", keys(object_of(&service["properties"]["alerts"])), decode::SERVICE_ALERT_KEYS),
        (
            "resource alerts",
            keys(object_of(&schema["properties"]["resources"]["additionalProperties"]["properties"]["alerts"])),
            decode::RESOURCE_ALERT_KEYS,
        ),
        ("alerts.notify", keys(&object_of(&definitions["alerts"])["properties"]["notify"]), decode::NOTIFY_KEYS),
        (
            "alerts.notify.smtp",
            keys(&object_of(&definitions["alerts"])["properties"]["notify"]["properties"]["smtp"]),
            decode::SMTP_KEYS,
        ),
        ("alerts.http", keys(&object_of(&definitions["alerts"])["properties"]["http"]), decode::HTTP_METRICS_KEYS),
        ("alerts.rules", keys(&object_of(&definitions["alerts"])["properties"]["rules"]["items"]), decode::RULE_KEYS),
    ];
    for (what, schema_keys, decoder_keys) in pairs {
        assert_eq!(schema_keys, set(decoder_keys), "schema and decoder disagree on the keys of {what}");
    }
}

#[test]
fn every_example_model_validates_against_the_schema() {
    let schema = schema();
    let validator = jsonschema::draft7::new(&schema).expect("a valid draft-07 schema");
    let service_validator = jsonschema::draft7::new(&serde_json::json!({
        "$ref": "#/definitions/service", "definitions": schema["definitions"].clone()
    }))
    .expect("service schema");
    let environment_validator = jsonschema::draft7::new(&serde_json::json!({
        "$ref": "#/definitions/environment", "definitions": schema["definitions"].clone()
    }))
    .expect("environment schema");
    let roots = [common::repo().join("fixtures/ok"), common::repo().join("tests/cases")];
    let projects: Vec<std::path::PathBuf> = roots.iter().flat_map(|root| common::projects(root)).collect();
    common::each(projects.iter().map(|dir| (dir.display(), dir)), |dir| {
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(dir).expect("inside");
            let Some(text) = relative.to_str() else { continue };
            let chosen = if text == "iacgen.yaml" {
                &validator
            } else if text.starts_with("services/") && text.ends_with(".yaml") {
                &service_validator
            } else if text.starts_with("environments/") && text.ends_with(".yaml") {
                &environment_validator
            } else {
                continue;
            };
            let value = yaml_to_json(path);
            let errors: Vec<String> =
                chosen.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
            assert!(errors.is_empty(), "{} does not validate against the schema: {errors:#?}", path.display());
        }
    });
}

fn yaml_to_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read");
    let file = iacgen::shared::span::SourceFile::new(path.display().to_string(), text);
    let node = iacgen::source::yaml::parse(iacgen::shared::span::FileId(0), &file).expect("valid YAML");
    decode::to_json(&node)
}

#[test]
fn the_schema_rejects_what_the_decoder_rejects() {
    let schema = schema();
    let validator = jsonschema::draft7::new(&schema).expect("a valid draft-07 schema");
    for case in ["unknown-key", "wrong-type", "unsupported-version", "invalid-name"] {
        let value = yaml_to_json(&common::repo().join("fixtures/err").join(case).join("iacgen.yaml"));
        assert!(!validator.is_valid(&value), "the schema accepts fixtures/err/{case}");
    }
}

#[test]
fn the_schema_id_is_the_url_init_writes() {
    let schema = schema();
    let id = schema["$id"].as_str().expect("the schema has an $id");
    let first_line = iacgen::commands::init::EXAMPLE.lines().next();
    assert_eq!(first_line, Some(format!("# yaml-language-server: $schema={id}").as_str()));
}
