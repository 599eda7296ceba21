//! `iacgen import compose`: every case under `tests/import/<case>/` holds a real-world compose file
//! (and the files it reads; origins in `tests/import/README.md`). Each is imported into a copy of its
//! folder; the written model and the report are snapshots (`tests/snapshots/import/`); the model must
//! validate without a diagnostic and build; the built compose.yaml must keep every mapped service,
//! image (registry, tag or digest), published host port, env var (`environment:` and `env_file:`),
//! start order and health check of the input; per-case assertions check credentials by role, renamed
//! hosts, authentication and users. No credential of the input may reach the model, the report or
//! the output.

use std::path::{Path, PathBuf};

use iacgen::import::{Import, Imported, NoteKind};
use iacgen::shared::span::{FileId, SourceFile};
use iacgen::source::reader::Reader;
use iacgen::source::yaml::{self, Node, NodeKind};

use crate::common;

/// Literal credentials written in the cases (compose files, `.env`, env files): none may appear in
/// anything the import produces. (Cases whose password equals the user name, `wordpress`/`wordpress`,
/// are checked by role in [`case_assertions`] instead.)
const SECRET_LITERALS: &[&str] = &[
    "mailpass-9f2c",
    "example-root-pw",
    "devpass",
    "somewordpress",
    "J5brHrAXFLQSif0K",
    "H733Kdjndks81",
    "t4Ph722qJ5QHeQ1qfu36",
    "r(m)9nLGnz",
    "0123456789abcdef0123456789abcdef01234567",
    "STRONG_DB_PASSWORD",
    "REPLACE_WITH_LONG_SECRET",
    "supersecret",
    "db-frknz",
    "db-btf5q",
];

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

/// `KEY=value` lines of a dotenv file (quotes removed; enough for the cases' files).
fn dotenv(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_string(), value.trim().trim_matches(['\'', '"']).to_string()))
        .collect()
}

/// Compose's interpolation of `text` with the case's `.env`: `${X}`, `$X`, `${X:-d}`, `${X-d}`.
fn interpolate(text: &str, vars: &[(String, String)]) -> String {
    let value = |name: &str| vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(inner_start) = after.strip_prefix('{') {
            let end = inner_start.find('}').unwrap_or(inner_start.len());
            let inner = &inner_start[..end];
            let (name, default) = match inner.find([':', '-']) {
                Some(i) => (&inner[..i], Some(inner[i..].trim_start_matches(':').trim_start_matches('-'))),
                None => (inner, None),
            };
            out.push_str(&value(name).filter(|v| !v.is_empty()).or(default.map(str::to_string)).unwrap_or_default());
            rest = inner_start.get(end + 1..).unwrap_or("");
        } else {
            let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            out.push_str(&value(&after[..end]).unwrap_or_default());
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The names of a service's `depends_on` (list or map).
fn depends_on(node: Option<&Node>) -> Vec<String> {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items.iter().filter_map(Node::as_str).map(str::to_string).collect(),
        Some(NodeKind::Map(entries)) => entries.iter().filter_map(|(k, _)| k.as_str()).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The variables of a service's `env_file:` files.
fn env_file_names(dir: &Path, node: Option<&Node>) -> Vec<String> {
    let files: Vec<String> = match node.map(|n| &n.kind) {
        Some(NodeKind::Scalar { text, .. }) => vec![text.clone()],
        Some(NodeKind::Seq(items)) => items.iter().filter_map(Node::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    files
        .iter()
        .filter_map(|file| std::fs::read_to_string(dir.join(file)).ok())
        .flat_map(|text| dotenv(&text).into_iter().map(|(k, _)| k))
        .collect()
}

fn dropped(import: &Import, path: &str) -> bool {
    import.notes_of(NoteKind::NotMapped).any(|note| note.path == path || note.path.starts_with(&format!("{path}.")))
}

/// The built compose file keeps what the import says it mapped.
fn check_equivalence(case: &str, dir: &Path, input: &Node, built: &Node, import: &Import) {
    let vars = std::fs::read_to_string(dir.join(".env")).map(|t| dotenv(&t)).unwrap_or_default();
    let built_services = get(built, "services").expect("built services");
    for (key, service) in entries(get(input, "services").expect("input services")) {
        let compose_name = key.as_str().unwrap_or("");
        let prefix = format!("services.{compose_name}");
        let input_image = get(service, "image").and_then(Node::as_str).map(|i| interpolate(i, &vars));
        match import.names.get(compose_name) {
            Some(Imported::Resource(name)) => {
                let out = get(built_services, name).unwrap_or_else(|| panic!("{case}: resource {name} not built"));
                let image = get(out, "image").and_then(Node::as_str).unwrap_or("");
                // The image as written: registry, repository, tag or digest.
                let expected = input_image.clone().unwrap_or_default();
                assert!(
                    image == expected || image == format!("{expected}:latest"),
                    "{case}: resource {name} runs {image}, the input said {expected}"
                );
            }
            Some(Imported::Service(name)) => {
                let out = get(built_services, name).unwrap_or_else(|| panic!("{case}: service {name} not built"));
                let built_image = get(out, "image").and_then(Node::as_str).unwrap_or("");
                if let Some(expected) = &input_image {
                    assert!(
                        built_image == expected || built_image == format!("{expected}:latest"),
                        "{case}: {name} runs {built_image}, the input said {expected}"
                    );
                } else if get(service, "build").is_some() {
                    assert!(get(out, "build").is_some(), "{case}: {name} lost its build");
                    assert!(!built_image.is_empty(), "{case}: {name} has no image name");
                }
                let built_env = env_names(get(out, "environment"));
                for variable in env_names(get(service, "environment")) {
                    if !dropped(import, &format!("{prefix}.environment.{variable}")) {
                        assert!(built_env.contains(&variable), "{case}: {name} lost {variable}");
                    }
                }
                for variable in env_file_names(dir, get(service, "env_file")) {
                    let lost = import.notes_of(NoteKind::NotMapped).any(|note| {
                        note.path.starts_with(&format!("{prefix}.env_file("))
                            && note.path.ends_with(&format!(".{variable}"))
                    });
                    if !lost && !dropped(import, &format!("{prefix}.environment.{variable}")) {
                        assert!(built_env.contains(&variable), "{case}: {name} lost {variable} of its env_file");
                    }
                }
                let published: Vec<&str> = items(get(out, "ports")).iter().filter_map(Node::as_str).collect();
                for (index, port) in items(get(service, "ports")).iter().enumerate() {
                    if dropped(import, &format!("{prefix}.ports[{index}]")) {
                        continue;
                    }
                    let written = match &port.kind {
                        NodeKind::Map(_) => format!(
                            "{}:{}",
                            get(port, "published").and_then(Node::as_str).unwrap_or(""),
                            get(port, "target").and_then(Node::as_str).unwrap_or("")
                        ),
                        _ => interpolate(port.as_str().unwrap_or(""), &vars),
                    };
                    let written = written.trim_end_matches("/tcp");
                    let mut parts = written.rsplit(':');
                    let container = parts.next().unwrap_or("").to_string();
                    let host = parts.next().filter(|h| !h.is_empty()).unwrap_or(&container).to_string();
                    assert!(
                        published.iter().any(|p| p.ends_with(&format!(":{host}:{container}"))),
                        "{case}: {name} does not publish container port {container} on host port {host} ({published:?})"
                    );
                }
                let built_depends = depends_on(get(out, "depends_on"));
                for dependency in depends_on(get(service, "depends_on")) {
                    let target = match import.names.get(&dependency) {
                        Some(Imported::Service(n) | Imported::Resource(n)) => n.clone(),
                        None => continue,
                    };
                    if !dropped(import, &format!("{prefix}.depends_on.{dependency}")) {
                        assert!(built_depends.contains(&target), "{case}: {name} no longer starts after {target}");
                    }
                }
                if get(service, "healthcheck").is_some() && !dropped(import, &format!("{prefix}.healthcheck")) {
                    assert!(get(out, "healthcheck").is_some(), "{case}: {name} lost its health check");
                }
                // User and read-only root as in the source.
                let user = get(out, "user").and_then(Node::as_str).unwrap_or("");
                match get(service, "user").and_then(Node::as_str) {
                    Some(written) if written.split(':').all(|p| p.parse::<u32>().is_ok()) => {
                        assert!(user.starts_with(written), "{case}: {name} runs as {user}, the input said {written}")
                    }
                    _ => assert!(user.starts_with("0:"), "{case}: {name} runs as {user}, not as compose ran it"),
                }
                let read_only = get(service, "read_only").and_then(Node::as_str) == Some("true");
                let built_read_only = get(out, "read_only").and_then(Node::as_str) == Some("true");
                assert_eq!(read_only, built_read_only, "{case}: {name} read_only differs");
            }
            None => panic!("{case}: {compose_name} was not imported"),
        }
    }
}

/// What each case is there for (see tests/import/README.md).
fn case_assertions(case: &str, import: &Import, built: &Node) {
    let model = &import.model;
    let has = |text: &str| assert!(model.contains(text), "{case}: the model lacks `{text}`:\n{model}");
    let built_service = |name: &str| {
        get(get(built, "services").expect("services"), name).unwrap_or_else(|| panic!("{case}: no {name}")).clone()
    };
    match case {
        "wordpress-mariadb" => {
            // Same literal for user, database and password: mapped by role, not by value.
            has("WORDPRESS_DB_USER: \"${resources.db.user}\"");
            has("WORDPRESS_DB_NAME: \"${resources.db.name}\"");
            has("WORDPRESS_DB_PASSWORD: db.password");
            has("image: mariadb:10.6.4-focal");
            has("      db:\n        user: wordpress");
        }
        "immich" => {
            has("image: ghcr.io/immich-app/immich-server\n    version: release");
            has(
                "image: docker.io/valkey/valkey:8-bookworm@sha256:a137a2b60aca1a75130022d6bb96af423fefae4eb55faf395732db3544803280",
            );
            // container_name host names follow the model's names.
            has("DB_HOSTNAME: database");
            has("REDIS_HOSTNAME: \"${resources.redis.host}\"");
            let volumes = get(built, "volumes").map(entries).unwrap_or_default();
            assert!(
                volumes.iter().all(|(k, _)| !k.as_str().unwrap_or("").ends_with('-')),
                "{case}: an empty volume name"
            );
            assert!(import.notes.iter().any(|n| n.breaks && n.message.contains("`${DB_DATA_LOCATION}`")));
            assert!(import.report().contains("`${IMMICH_VERSION}`"), "{case}: the tag variable is not named");
        }
        "netbox" => {
            has("image: docker.io/netboxcommunity/netbox\n    version: v4.1-3.0.2");
            has("DB_PASSWORD: postgres.password");
            has("REDIS_PASSWORD: redis.password");
            has("REDIS_CACHE_PASSWORD: redis-cache.password");
            has("compose runs it as `unit:root`");
            let worker = built_service("netbox-worker");
            assert_eq!(depends_on(get(&worker, "depends_on")), ["netbox", "postgres", "redis", "redis-cache"]);
            assert!(import.notes.iter().any(|n| n.breaks && n.path == "volumes.netbox-media-files"));
        }
        "mastodon" => {
            has(
                "  db:\n    kind: postgres\n    version: \"14\"\n    database: postgres\n    image: postgres:14-alpine\n    # No password",
            );
            let db = built_service("db");
            let environment = get(&db, "environment").expect("environment");
            assert_eq!(get(environment, "POSTGRES_HOST_AUTH_METHOD").and_then(Node::as_str), Some("trust"));
            let redis = built_service("redis");
            assert!(get(&redis, "environment").is_none(), "{case}: redis got a password");
        }
        "wp-graphql" => {
            has("DB_HOST: \"${resources.app-db.host}\"");
            has("  compose:\n    # The host ports compose published these services on.\n    publish:\n      app: 8091");
        }
        "docmost" => {
            has("DATABASE_URL: database-url");
            has("APP_SECRET: app-secret");
        }
        "nginx-golang-postgres" => {
            has("image: nginx-golang-postgres-backend");
            let proxy = built_service("proxy");
            assert_eq!(depends_on(get(&proxy, "depends_on")), ["backend"]);
        }
        "paperless-postgres" => {
            has("image: docker.io/library/postgres:18");
            has("PAPERLESS_REDIS: redis://broker:6379");
        }
        "sentry-self-hosted" => {
            // The report of a 57-service file stays readable; the details are in the model.
            let lines = import.report().lines().count();
            assert!(lines < 60, "{case}: the report has {lines} lines");
        }
        _ => {}
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
    snapshot(&format!("{case}__report"), &format!("{}{}", import.report(), import.details()));

    std::fs::write(project.join("iacgen.yaml"), &import.model).expect("write model");
    let resolved = iacgen::resolve_model(&Reader::Disk { root: project.clone() }).unwrap_or_else(|failure| {
        panic!("{case}: the imported model does not validate:\n{}", common::render(&failure))
    });
    // IAC044 credential-not-mapped is the model telling the truth about the source: the compose file
    // gave a service a database's password in a way the model cannot hold by role (a compose secret
    // file, an env file or URL it did not map), so that service would reach the database without it
    // on the other targets. Anything else is a defect of the import.
    let unexpected: Vec<_> = resolved
        .diagnostics
        .items
        .iter()
        .filter(|d| d.code != iacgen::diagnostic::codes::CREDENTIAL_NOT_MAPPED)
        .collect();
    assert!(unexpected.is_empty(), "{case}: validate reports {unexpected:?}");
    let files = common::compile(&project);
    let built = &files.files.get("compose/development/compose.yaml").expect("compose file").contents;

    let input = std::fs::read_to_string(project.join(&file)).expect("read input");
    let built = parse(built);
    check_equivalence(case, &project, &parse(&input), &built, &import);
    case_assertions(case, &import, &built);

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
    crate::common::transcript(dir, dir, args)
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
  creds:
    image: registry.example/team/app:${APP_VERSION}
    command: ["server", "--password", "s3cr3t-cmd"]
    healthcheck: {test: ["CMD-SHELL", "curl -fsS -u admin:s3cr3t-health http://localhost:8080/ || exit 1"]}
    environment:
      DATABASE_URL: "postgres://u:hunter2@db/x"
      GH: ghp_abcdefghijklmnopqrstuvwxyz0123456789
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

    // Credentials in commands, health checks and values become secrets; their values are never written.
    for literal in ["s3cr3t-cmd", "s3cr3t-health", "hunter2", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"] {
        assert!(!import.model.contains(literal), "the model holds `{literal}`");
        assert!(
            !import.report().contains(literal) && !import.details().contains(literal),
            "the report holds `{literal}`"
        );
        for (path, generated) in &files.files {
            assert!(!generated.contents.contains(literal), "{path} holds `{literal}`");
        }
    }
    assert!(import.model.contains("exec server --password \"$COMMAND_PASSWORD\""), "{}", import.model);
    assert!(
        import.model.contains("curl -fsS -u admin:$HEALTHCHECK_PASSWORD http://localhost:8080/ || exit 1"),
        "{}",
        import.model
    );
    // A tag variable without a value keeps the registry and repository, and is named in the report.
    assert!(import.model.contains("image: registry.example/team/app\n"), "{}", import.model);
    assert!(import.report().contains("`${APP_VERSION}`"), "{}", import.report());
}

/// Every credential that `validate` finds by its value (IAC108: known token shapes, JSON Web
/// Tokens, long random strings, in env values under ordinary names, in commands and in health
/// checks) is found by the import too: it becomes a declared secret and a reference, its value is
/// written nowhere, and the imported model validates without a diagnostic.
#[test]
fn credentials_found_by_their_shape_become_secrets() {
    const JWT: &str =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiJ9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    const STRIPE: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    const GOOGLE: &str = "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI";
    const RANDOM: &str = "x9Qm2ZtLr7vB4nK8pW3sY6dF1hJ5gC0aE2uT";
    const GITHUB: &str = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    const BEARER: &str = "Zq8Lm3Xv7Tn2Rb5Kw9Hc4Jd6Fg1Ps0Ya3Ue8Wi";
    let compose = format!(
        r#"services:
  app:
    image: registry.example/app:1.2
    command: ["app", "--github-token", "{GITHUB}", "--listen", ":8080"]
    healthcheck:
      test: ["CMD-SHELL", "curl -fsS -H 'Authorization: Bearer {BEARER}' http://localhost:8080/health || exit 1"]
    environment:
      SUPABASE_ANON: "{JWT}"
      STRIPE_API: "{STRIPE}"
      MAPS: "{GOOGLE}"
      SIGNING: "{RANDOM}"
      LOG_LEVEL: info
"#
    );
    let temp = tempfile::tempdir().expect("temp dir");
    std::fs::write(temp.path().join("compose.yaml"), compose).expect("write");
    let import = iacgen::import::compose(&temp.path().join("compose.yaml"), temp.path())
        .unwrap_or_else(|failure| panic!("does not import:\n{}", common::render(&failure)));
    std::fs::write(temp.path().join("iacgen.yaml"), &import.model).expect("write model");
    let resolved = iacgen::resolve_model(&Reader::Disk { root: temp.path().to_path_buf() })
        .unwrap_or_else(|failure| panic!("the imported model does not validate:\n{}", common::render(&failure)));
    assert!(resolved.diagnostics.is_empty(), "validate reports {:?}", resolved.diagnostics);
    let files = common::compile(temp.path());
    for literal in [JWT, STRIPE, GOOGLE, RANDOM, GITHUB, BEARER] {
        assert!(!import.model.contains(literal), "the model holds `{literal}`:\n{}", import.model);
        assert!(
            !import.report().contains(literal) && !import.details().contains(literal),
            "the report holds `{literal}`"
        );
        for (path, generated) in &files.files {
            assert!(!generated.contents.contains(literal), "{path} holds `{literal}`");
        }
    }
    // Each is a reference to a declared secret; the value that is not a credential stays.
    let model = parse(&import.model);
    let app = get(&model, "services").and_then(|services| get(services, "app")).expect("service app");
    let secrets = get(app, "secrets").map(entries).unwrap_or_default();
    let referenced: Vec<&str> = secrets.iter().filter_map(|(key, _)| key.as_str()).collect();
    assert_eq!(
        referenced,
        ["COMMAND_PASSWORD", "HEALTHCHECK_PASSWORD", "MAPS", "SIGNING", "STRIPE_API", "SUPABASE_ANON"],
        "{}",
        import.model
    );
    assert!(import.model.contains("LOG_LEVEL: info"), "{}", import.model);
    assert!(import.model.contains("--github-token"), "{}", import.model);
    // The reference in the single-quoted header closes the quotes so the shell expands it (the
    // model writes the script as a double-quoted YAML string).
    assert!(
        import.model.contains(
            r#"curl -fsS -H 'Authorization: Bearer '\"$HEALTHCHECK_PASSWORD\"'' http://localhost:8080/health"#
        ),
        "{}",
        import.model
    );
}
