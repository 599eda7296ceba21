//! `iacgen import compose`: every case under `tests/import/<case>/` holds a real-world compose file
//! (and the files it mounts). Each is imported into a copy of its folder; the written model and the
//! report are snapshots (`tests/snapshots/import/`); the model must validate without a diagnostic and
//! build; and the built compose.yaml must keep every mapped service, image, published port, env var
//! and health check of the input. No secret value of the input may reach the model, the report or the
//! output.

use std::path::{Path, PathBuf};
use std::process::Command;

use iacgen::import::{Import, Imported, NoteKind};
use iacgen::shared::span::{FileId, SourceFile};
use iacgen::source::reader::Reader;
use iacgen::source::yaml::{self, Node, NodeKind};

use crate::common;

/// Literal secrets written in the fixtures: none may appear in anything the import produces.
const SECRET_LITERALS: &[&str] = &["mailpass-9f2c", "example-root-pw", "devpass"];

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots/import", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

/// The case folder `tests/import/<case>` and its compose file.
fn case_files(case: &str) -> (PathBuf, String) {
    let dir = common::project("tests/import", case);
    let file = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]
        .into_iter()
        .find(|name| dir.join(name).is_file())
        .unwrap_or_else(|| panic!("tests/import/{case} has no compose file"));
    (dir, file.to_string())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn parse(text: &str) -> Node {
    let file = SourceFile::new("f.yaml".into(), text.into());
    yaml::parse(FileId(0), &file).unwrap_or_else(|d| panic!("{d:?}"))
}

fn entries(node: &Node) -> &[(Node, Node)] {
    match &node.kind {
        NodeKind::Map(entries) => entries,
        _ => &[],
    }
}

fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    entries(node).iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
}

fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items,
        _ => &[],
    }
}

/// The variable names of an `environment:` block (map or `KEY=value` list).
fn env_names(node: Option<&Node>) -> Vec<String> {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Map(entries)) => entries.iter().filter_map(|(k, _)| k.as_str()).map(str::to_string).collect(),
        Some(NodeKind::Seq(items)) => {
            items.iter().filter_map(Node::as_str).map(|t| t.split('=').next().unwrap_or(t).to_string()).collect()
        }
        _ => Vec::new(),
    }
}

/// `${NAME:-default}` → `default` (what the importer takes when `.env` is not read).
fn with_defaults(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        let inner = &rest[start + 2..end];
        out.push_str(inner.split_once(":-").map_or("", |(_, default)| default));
        rest = rest.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn dropped(import: &Import, path: &str) -> bool {
    import.notes_of(NoteKind::NotMapped).any(|note| note.path == path || note.path.starts_with(&format!("{path}.")))
}

/// The built compose file keeps what the import says it mapped.
fn check_equivalence(case: &str, input: &Node, built: &Node, import: &Import) {
    let built_services = get(built, "services").expect("built services");
    for (key, service) in entries(get(input, "services").expect("input services")) {
        let compose_name = key.as_str().unwrap_or("");
        let prefix = format!("services.{compose_name}");
        match import.names.get(compose_name) {
            Some(Imported::Resource(name)) => {
                let out = get(built_services, name).unwrap_or_else(|| panic!("{case}: resource {name} not built"));
                let image = get(out, "image").and_then(Node::as_str).unwrap_or("");
                assert!(
                    ["postgres:", "mysql:", "redis:", "mcr.microsoft.com/mssql/server:"]
                        .iter()
                        .any(|p| image.starts_with(p)),
                    "{case}: resource {name} runs {image}"
                );
            }
            Some(Imported::Service(name)) => {
                let out = get(built_services, name).unwrap_or_else(|| panic!("{case}: service {name} not built"));
                if let Some(image) = get(service, "image").and_then(Node::as_str) {
                    let expected = with_defaults(image);
                    let built_image = get(out, "image").and_then(Node::as_str).unwrap_or("");
                    assert!(
                        built_image == expected || built_image == format!("{expected}:latest"),
                        "{case}: {name} runs {built_image}, the input said {image}"
                    );
                }
                let built_env = env_names(get(out, "environment"));
                for variable in env_names(get(service, "environment")) {
                    if !dropped(import, &format!("{prefix}.environment.{variable}")) {
                        assert!(built_env.contains(&variable), "{case}: {name} lost {variable}");
                    }
                }
                let published: Vec<&str> = items(get(out, "ports")).iter().filter_map(Node::as_str).collect();
                for (index, port) in items(get(service, "ports")).iter().enumerate() {
                    if dropped(import, &format!("{prefix}.ports[{index}]")) {
                        continue;
                    }
                    let container = match &port.kind {
                        NodeKind::Map(_) => get(port, "target").and_then(Node::as_str).unwrap_or("").to_string(),
                        _ => port.as_str().unwrap_or("").rsplit(':').next().unwrap_or("").to_string(),
                    };
                    assert!(
                        published.iter().any(|p| p.ends_with(&format!(":{container}"))),
                        "{case}: {name} does not publish container port {container} ({published:?})"
                    );
                }
                if get(service, "healthcheck").is_some() && !dropped(import, &format!("{prefix}.healthcheck")) {
                    assert!(get(out, "healthcheck").is_some(), "{case}: {name} lost its health check");
                }
            }
            None => panic!("{case}: {compose_name} was not imported"),
        }
    }
}

/// Import `tests/import/<case>`: snapshots of the model and the report, a model that validates and
/// builds, keeps what it maps, holds no secret value, and imports to the same bytes elsewhere.
fn imports_validates_builds_and_keeps_what_it_maps(case: &str) {
    let (dir, file) = case_files(case);
    let temp = tempfile::tempdir().expect("temp dir");
    let project = temp.path().join(case);
    copy_dir(&dir, &project);
    let import = iacgen::import::compose(&project.join(&file), &project)
        .unwrap_or_else(|failure| panic!("{case} does not import:\n{}", common::render(&failure)));
    snapshot(&format!("{case}__iacgen.yaml"), &import.model);
    snapshot(&format!("{case}__report"), &import.report());

    std::fs::write(project.join("iacgen.yaml"), &import.model).expect("write model");
    let resolved = iacgen::resolve_model(&Reader::Disk { root: project.clone() }).unwrap_or_else(|failure| {
        panic!("{case}: the imported model does not validate:\n{}", common::render(&failure))
    });
    assert!(resolved.diagnostics.is_empty(), "{case}: validate reports {:?}", resolved.diagnostics);
    let files = common::compile(&project);
    let built = &files.files.get("compose/development/compose.yaml").expect("compose file").contents;

    let input = std::fs::read_to_string(project.join(&file)).expect("read input");
    check_equivalence(case, &parse(&input), &parse(built), &import);

    for literal in SECRET_LITERALS {
        assert!(!import.model.contains(literal), "{case}: the model holds a secret value");
        assert!(!import.report().contains(literal), "{case}: the report holds a secret value");
        for (path, generated) in &files.files {
            assert!(!generated.contents.contains(literal), "{case}: {path} holds a secret value");
        }
    }

    // The same input imports to the same bytes from another folder.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let copy = elsewhere.path().join("nested").join(case);
    copy_dir(&dir, &copy);
    let again = iacgen::import::compose(&copy.join(&file), &copy).expect("imports again");
    assert_eq!(again.model, import.model, "{case}: the import is not deterministic");
}

macro_rules! import_tests {
    ($($name:ident: $folder:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                imports_validates_builds_and_keeps_what_it_maps($folder);
            }
        )*
    };
}

common::lists::import_cases!(import_tests);

/// Run the binary in `dir`: exit code and a transcript with the folder shown as [ROOT].
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run iacgen");
    let code = output.status.code().unwrap_or(-1);
    let root = dir.display().to_string();
    let stdout = String::from_utf8_lossy(&output.stdout).replace(&root, "[ROOT]");
    let stderr = String::from_utf8_lossy(&output.stderr).replace(&root, "[ROOT]");
    (code, format!("exit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}"))
}

#[test]
fn cli_writes_reports_and_never_overwrites() {
    let temp = tempfile::tempdir().expect("temp dir");
    let source = common::repo().join("tests/import/monitoring-stack");
    copy_dir(&source, temp.path());
    let (code, transcript) = run(temp.path(), &["import", "compose", "docker-compose.yml", "-o", "platform"]);
    assert_eq!(code, 0, "{transcript}");
    snapshot("cli_import_into_folder", &transcript);
    let model = std::fs::read_to_string(temp.path().join("platform/iacgen.yaml")).expect("written");
    assert!(model.starts_with("# Imported by `iacgen import compose` from ../docker-compose.yml."));
    assert_eq!(run(&temp.path().join("platform"), &["validate", "-q"]).0, 0);

    let (code, transcript) = run(temp.path(), &["import", "compose", "docker-compose.yml", "-o", "platform"]);
    assert_eq!(code, 2);
    snapshot("cli_import_refuses_to_overwrite", &transcript);
}

#[test]
fn cli_rejects_what_is_not_a_compose_file() {
    let temp = tempfile::tempdir().expect("temp dir");
    let (code, transcript) = run(temp.path(), &["import", "compose", "missing.yaml"]);
    assert_eq!(code, 2);
    snapshot("cli_import_missing_file", &transcript);

    std::fs::write(temp.path().join("bad.yaml"), "services:\n  web:\n    image: nginx\n    ports: [\"80\"\n")
        .expect("write");
    let (code, transcript) = run(temp.path(), &["import", "compose", "bad.yaml"]);
    assert_eq!(code, 2);
    snapshot("cli_import_invalid_yaml", &transcript);

    std::fs::write(
        temp.path().join("shape.yaml"),
        "services:\n  web: nginx\n  api:\n    image: api:1\n    ports: 8080\n",
    )
    .expect("write");
    let (code, transcript) = run(temp.path(), &["import", "compose", "shape.yaml"]);
    assert_eq!(code, 2);
    snapshot("cli_import_wrong_shapes", &transcript);

    std::fs::write(temp.path().join("helm.yaml"), "apiVersion: v2\nname: chart\n").expect("write");
    let (code, transcript) = run(temp.path(), &["import", "compose", "helm.yaml"]);
    assert_eq!(code, 2);
    snapshot("cli_import_not_compose", &transcript);
    assert!(!temp.path().join("iacgen.yaml").exists(), "a failed import writes nothing");
}

/// Odd but valid compose: whatever the importer makes of it must validate (no snapshot: the point is
/// that no input it accepts gives an invalid model).
#[test]
fn odd_inputs_still_give_a_valid_model() {
    let compose = r#"
name: "My Project_2024 (Staging)"
services:
  Web:
    image: nginx
    ports: ["53:53/udp", "3000-3002:3000-3002", "8080:80", "8081:80", {target: 443, published: "8443"}]
    expose: ["80", "9000"]
    environment:
      - "A=1"
      - "A=2"
      - "9BAD=x"
      - "PRICE=$$5 and $${HOME} and ${MISSING:-}"
      - "API_TOKEN"
      - "PLAIN_PASS_THROUGH"
      - "SESSION_SECRET=${SESSION_SECRET:+set}"
    healthcheck: {test: ["CMD", "true"], interval: 0s, timeout: 1.5s, retries: lots, start_period: 0}
    deploy: {resources: {limits: {cpus: "0.1", memory: 100000000000G}, reservations: {cpus: "4", memory: 10k}}}
    user: "nginx:nginx"
    volumes: ["/data", "named:/var/lib/x:ro", "./nope.conf:/etc/nope.conf:ro", "relative/path", "vol:/bad path"]
    tmpfs: /run:size=1m
    command: "sh -c 'echo ${GREETING:-hello world}'"
    depends_on: [web, ghost, Web]
  web:
    build: {context: "https://github.com/example/app.git#main", args: [A=1]}
    read_only: true
    healthcheck: {test: ["NONE"]}
  empty: {}
  db:
    image: postgres@sha256:0000000000000000000000000000000000000000000000000000000000000000
    environment: {POSTGRES_HOST_AUTH_METHOD: trust}
  cache:
    image: redis
  cache2:
    image: redis:latest
    environment: [REDIS_PASSWORD]
volumes: {named: {driver: local, external: true}, vol: {}}
"#;
    let temp = tempfile::tempdir().expect("temp dir");
    std::fs::write(temp.path().join("compose.yaml"), compose).expect("write");
    let import = iacgen::import::compose(&temp.path().join("compose.yaml"), temp.path())
        .unwrap_or_else(|failure| panic!("does not import:\n{}", common::render(&failure)));
    std::fs::write(temp.path().join("iacgen.yaml"), &import.model).expect("write model");
    let files = common::compile(temp.path());
    assert!(files.files.contains_key("compose/development/compose.yaml"));
    assert_eq!(import.names.get("Web"), Some(&Imported::Service("web".into())));
    assert_eq!(import.names.get("web"), Some(&Imported::Service("web-2".into())));
    assert!(import.model.contains("\nproject: my-project-2024-staging\n"), "{}", import.model);
}
