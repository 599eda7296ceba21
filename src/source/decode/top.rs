//! Decoding of the top level of iacgen.yaml: project fields, resources, secrets, environments, targets.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, codes};
use crate::model::image::ImageRef;
use crate::model::quantity::{Duration, Memory};
use crate::model::{
    Auth, AwsConfig, AwsVpc, AzureConfig, BackupTime, ComposeConfig, EcsConfig, EfsPin, EnvironmentDef, Expose,
    GatewayConfig, HelmConfig, JobDef, Model, Patch, ResourceDef, ResourceKind, ResourcePin, SecretDef, ServiceDef,
    Size, Stage, TargetsConfig, TemplateDir,
};
use crate::shared::Target;
use crate::shared::span::Spanned;
use crate::source::decode::alerts::{AlertsPlace, alerts};
use crate::source::decode::service::{LayerKind, service_spec};
use crate::source::decode::{
    Ctx, boolean, check_keys, choice, entries, get, integer, name_list, parsed, string, string_list, string_map,
};
use crate::source::yaml::{Node, NodeKind};

/// Top-level keys of iacgen.yaml.
pub const TOP_KEYS: &[&str] = &[
    "version",
    "project",
    "registry",
    "tags",
    "defaults",
    "services",
    "resources",
    "secrets",
    "jobs",
    "environments",
    "targets",
    "alerts",
    "output",
    "patches",
];

/// Keys of an environment.
pub const ENVIRONMENT_KEYS: &[&str] =
    &["targets", "stage", "defaults", "services", "jobs", "resources", "targets_config", "alerts"];

/// Keys of a resource.
pub const RESOURCE_KEYS: &[&str] = &[
    "kind",
    "version",
    "size",
    "storage",
    "backup_days",
    "backup_time",
    "backup_copy",
    "database",
    "allow_azure_services",
    "image",
    "auth",
    "alerts",
];

/// Keys of an environment's resource pin.
pub const PIN_KEYS: &[&str] = &["host", "port", "name", "user", "tls"];

/// Decode the root of iacgen.yaml.
pub fn model(ctx: &mut Ctx<'_>, node: &Node) -> Model {
    let mut model = Model { span: node.span, ..Model::default() };
    let Some(map) = entries(ctx, node, "iacgen.yaml") else { return model };
    check_keys(ctx, map, TOP_KEYS, "");

    model.version = get(map, "version").and_then(|n| integer(ctx, n, "version"));
    model.project = get(map, "project").and_then(|n| string(ctx, n, "project"));
    model.registry = get(map, "registry").and_then(|n| string(ctx, n, "registry"));
    if let Some(n) = get(map, "tags") {
        model.tags = string_map(ctx, n, "tags");
    }
    if let Some(n) = get(map, "defaults") {
        model.defaults = service_spec(ctx, n, "defaults", LayerKind::Service);
    }
    if let Some(n) = get(map, "services") {
        for (name, value) in named_entries(ctx, n, "services") {
            let spec = service_spec(ctx, value, &format!("services.{}", name.value), LayerKind::Service);
            model.services.insert(name.value.clone(), ServiceDef { name, spec });
        }
    }
    if let Some(n) = get(map, "jobs") {
        for (name, value) in named_entries(ctx, n, "jobs") {
            if let NodeKind::Map(fields) = &value.kind {
                if get(fields, "schedule").is_none() {
                    ctx.report(
                        Diagnostic::new(
                            codes::MISSING_FIELD,
                            name.span,
                            format!("job `{}` has no `schedule`", name.value),
                        )
                        .with_label("`schedule` missing")
                        .with_help("add `schedule: \"0 12 * * *\"` (five-field cron, UTC)"),
                    );
                }
            }
            let spec = service_spec(ctx, value, &format!("jobs.{}", name.value), LayerKind::Job);
            model.jobs.insert(name.value.clone(), JobDef { name, spec });
        }
    }
    if let Some(n) = get(map, "resources") {
        for (name, value) in named_entries(ctx, n, "resources") {
            if let Some(resource) = resource(ctx, name.clone(), value) {
                model.resources.insert(name.value, resource);
            }
        }
    }
    if let Some(n) = get(map, "secrets") {
        for (name, value) in named_entries(ctx, n, "secrets") {
            let context = format!("secrets.{}", name.value);
            let mut description = None;
            if let Some(fields) = entries(ctx, value, &context) {
                check_keys(ctx, fields, &["description"], &context);
                description =
                    get(fields, "description").and_then(|d| string(ctx, d, &format!("{context}.description")));
            }
            model.secrets.insert(name.value.clone(), SecretDef { name, description });
        }
    }
    if let Some(n) = get(map, "environments") {
        for (name, value) in named_entries(ctx, n, "environments") {
            let environment = environment(ctx, name.clone(), value);
            model.environments.insert(name.value, environment);
        }
    }
    if let Some(n) = get(map, "targets") {
        model.targets = targets(ctx, n, "targets");
    }
    if let Some(n) = get(map, "alerts") {
        model.alerts = alerts(ctx, n, "alerts", AlertsPlace::Project);
    }
    model.output = get(map, "output").and_then(|n| string(ctx, n, "output"));
    if let Some(n) = get(map, "patches") {
        model.patches = patches(ctx, n);
    }
    model
}

/// Decode an environment written in its own file (`environments/<name>.yaml`).
pub fn environment_file(ctx: &mut Ctx<'_>, name: Spanned<String>, node: &Node) -> EnvironmentDef {
    environment(ctx, name, node)
}

/// The entries of a map of named things; names keep the key's span.
pub fn named_entries<'n>(ctx: &mut Ctx<'_>, node: &'n Node, context: &str) -> Vec<(Spanned<String>, &'n Node)> {
    let Some(map) = entries(ctx, node, context) else { return Vec::new() };
    map.iter().map(|(key, value)| (Spanned::new(key.as_str().unwrap_or("").to_string(), key.span), value)).collect()
}

fn resource(ctx: &mut Ctx<'_>, name: Spanned<String>, node: &Node) -> Option<ResourceDef> {
    let context = format!("resources.{}", name.value);
    let map = entries(ctx, node, &context)?;
    check_keys(ctx, map, RESOURCE_KEYS, &context);
    let at = |field: &str| format!("{context}.{field}");
    let kind = match get(map, "kind") {
        Some(n) => choice(
            ctx,
            n,
            &at("kind"),
            &[
                ("postgres", ResourceKind::Postgres),
                ("mysql", ResourceKind::Mysql),
                ("mssql", ResourceKind::Mssql),
                ("redis", ResourceKind::Redis),
            ],
        ),
        None => {
            ctx.report(
                Diagnostic::new(codes::MISSING_FIELD, node.span, format!("`{context}` needs `kind`"))
                    .with_label("`kind` missing")
                    .with_help("add `kind: postgres` (or mysql, mssql, redis)"),
            );
            None
        }
    };
    let version = get(map, "version").and_then(|n| string(ctx, n, &at("version")));
    let size = get(map, "size").and_then(|n| {
        choice(ctx, n, &at("size"), &[("small", Size::Small), ("medium", Size::Medium), ("large", Size::Large)])
    });
    let storage = get(map, "storage").and_then(|n| parsed(ctx, n, &at("storage"), Memory::parse));
    let backup_days = get(map, "backup_days").and_then(|n| integer(ctx, n, &at("backup_days")));
    let database = get(map, "database").and_then(|n| string(ctx, n, &at("database")));
    let allow_azure_services =
        get(map, "allow_azure_services").and_then(|n| boolean(ctx, n, &at("allow_azure_services")));
    let image = get(map, "image").and_then(|n| parsed(ctx, n, &at("image"), ImageRef::parse));
    let auth = get(map, "auth")
        .and_then(|n| choice(ctx, n, &at("auth"), &[("password", Auth::Password), ("none", Auth::None)]));
    let backup_time = get(map, "backup_time").and_then(|n| parsed(ctx, n, &at("backup_time"), BackupTime::parse));
    let backup_copy = get(map, "backup_copy").and_then(|n| boolean(ctx, n, &at("backup_copy")));
    let resource_alerts = get(map, "alerts").and_then(|n| alerts(ctx, n, &at("alerts"), AlertsPlace::Resource));
    Some(ResourceDef {
        name,
        kind: kind?,
        version,
        size,
        storage,
        backup_days,
        database,
        allow_azure_services,
        image,
        auth,
        backup_time,
        backup_copy,
        alerts: resource_alerts,
        span: node.span,
    })
}

fn environment(ctx: &mut Ctx<'_>, name: Spanned<String>, node: &Node) -> EnvironmentDef {
    let context = format!("environments.{}", name.value);
    let mut environment = EnvironmentDef { name: name.clone(), span: node.span, ..EnvironmentDef::default() };
    let Some(map) = entries(ctx, node, &context) else { return environment };
    check_keys(ctx, map, ENVIRONMENT_KEYS, &context);
    let at = |field: &str| format!("{context}.{field}");
    if let Some(n) = get(map, "targets") {
        if let Some(names) = name_list(ctx, n, &at("targets")) {
            let mut list = Vec::new();
            for item in names.value {
                match Target::parse(&item.value) {
                    Some(target) => list.push(Spanned::new(target, item.span)),
                    None => {
                        let words = Target::ALL.map(Target::as_str);
                        let mut diagnostic = Diagnostic::new(
                            codes::UNKNOWN_REFERENCE,
                            item.span,
                            format!("unknown target `{}`", item.value),
                        )
                        .with_label("not a target");
                        diagnostic = match crate::diagnostic::did_you_mean(&item.value, words) {
                            Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
                            None => diagnostic.with_help(format!("expected one of: {}", words.join(", "))),
                        };
                        ctx.report(diagnostic);
                    }
                }
            }
            environment.targets = Some(Spanned::new(list, names.span));
        }
    }
    if let Some(n) = get(map, "stage") {
        environment.stage = choice(
            ctx,
            n,
            &at("stage"),
            &[("development", Stage::Development), ("staging", Stage::Staging), ("production", Stage::Production)],
        );
    }
    if let Some(n) = get(map, "defaults") {
        environment.defaults = service_spec(ctx, n, &at("defaults"), LayerKind::Service);
    }
    if let Some(n) = get(map, "services") {
        for (service, value) in named_entries(ctx, n, &at("services")) {
            let spec = service_spec(ctx, value, &format!("{context}.services.{}", service.value), LayerKind::Service);
            environment.services.insert(service.value.clone(), (service, spec));
        }
    }
    if let Some(n) = get(map, "jobs") {
        for (job, value) in named_entries(ctx, n, &at("jobs")) {
            let spec = service_spec(ctx, value, &format!("{context}.jobs.{}", job.value), LayerKind::Job);
            environment.jobs.insert(job.value.clone(), (job, spec));
        }
    }
    if let Some(n) = get(map, "resources") {
        for (resource, value) in named_entries(ctx, n, &at("resources")) {
            let pin_context = format!("{context}.resources.{}", resource.value);
            let mut pin = ResourcePin { name_span: resource.span, ..ResourcePin::default() };
            if let Some(fields) = entries(ctx, value, &pin_context) {
                check_keys(ctx, fields, PIN_KEYS, &pin_context);
                pin.host = get(fields, "host").and_then(|h| string(ctx, h, &format!("{pin_context}.host")));
                pin.port = get(fields, "port").and_then(|p| integer(ctx, p, &format!("{pin_context}.port")));
                pin.name = get(fields, "name").and_then(|p| string(ctx, p, &format!("{pin_context}.name")));
                pin.user = get(fields, "user").and_then(|p| string(ctx, p, &format!("{pin_context}.user")));
                pin.tls = get(fields, "tls").and_then(|p| boolean(ctx, p, &format!("{pin_context}.tls")));
            }
            environment.resources.insert(resource.value, pin);
        }
    }
    if let Some(n) = get(map, "targets_config") {
        environment.targets_config = targets(ctx, n, &at("targets_config"));
    }
    if let Some(n) = get(map, "alerts") {
        environment.alerts = alerts(ctx, n, &at("alerts"), AlertsPlace::Project);
    }
    environment
}

fn targets(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> TargetsConfig {
    let mut config = TargetsConfig::default();
    let Some(map) = entries(ctx, node, context) else { return config };
    check_keys(ctx, map, &Target::ALL.map(Target::as_str), context);
    for (key, value) in map {
        let Some(target) = key.as_str().and_then(Target::parse) else { continue };
        let at = format!("{context}.{}", target.as_str());
        let Some(fields) = entries(ctx, value, &at) else { continue };
        let field =
            |ctx: &mut Ctx<'_>, name: &str| get(fields, name).and_then(|n| string(ctx, n, &format!("{at}.{name}")));
        match target {
            Target::Compose => {
                check_keys(ctx, fields, &["gateway", "monitoring", "publish", "templates"], &at);
                let gateway = get(fields, "gateway").and_then(|n| gateway(ctx, n, &format!("{at}.gateway")));
                let monitoring = get(fields, "monitoring")
                    .and_then(|n| choice(ctx, n, &format!("{at}.monitoring"), &[("prometheus", "prometheus")]));
                let mut publish = BTreeMap::new();
                if let Some(node) = get(fields, "publish") {
                    for (service, port) in entries(ctx, node, &format!("{at}.publish")).unwrap_or(&[]) {
                        let name = service.as_str().unwrap_or("").to_string();
                        if let Some(port) = super::service::port(ctx, port, &format!("{at}.publish.{name}")) {
                            publish.insert(name, port);
                        }
                    }
                }
                config.compose = Some(ComposeConfig {
                    gateway,
                    publish,
                    monitoring: monitoring.map(|s| s.map(String::from)),
                    templates: template_dir(ctx, fields, &at),
                    span: value.span,
                });
            }
            Target::Helm => {
                check_keys(
                    ctx,
                    fields,
                    &[
                        "namespace",
                        "ingress_class",
                        "cluster_issuer",
                        "secrets",
                        "secret_store",
                        "ingress_namespace",
                        "monitoring_namespace",
                        "internal_cidrs",
                        "service_port",
                        "app_labels",
                        "secret_names",
                        "templates",
                    ],
                    &at,
                );
                let secret_names = get(fields, "secret_names").and_then(|n| {
                    choice(
                        ctx,
                        n,
                        &format!("{at}.secret_names"),
                        &[("per-secret", "per-secret"), ("per-service", "per-service")],
                    )
                });
                let service_port = get(fields, "service_port").and_then(|n| {
                    integer::<u16>(ctx, n, &format!("{at}.service_port")).filter(|p| {
                        if p.value == 0 {
                            ctx.report(
                                Diagnostic::new(
                                    codes::INVALID_PORT,
                                    n.span,
                                    format!("`{at}.service_port` must be between 1 and 65535"),
                                )
                                .with_label("port 0"),
                            );
                        }
                        p.value != 0
                    })
                });
                let secrets = get(fields, "secrets").and_then(|n| {
                    choice(
                        ctx,
                        n,
                        &format!("{at}.secrets"),
                        &[("existing", "existing"), ("external-secrets", "external-secrets")],
                    )
                });
                config.helm = Some(HelmConfig {
                    namespace: field(ctx, "namespace"),
                    ingress_class: field(ctx, "ingress_class"),
                    cluster_issuer: field(ctx, "cluster_issuer"),
                    secrets: secrets.map(|s| s.map(String::from)),
                    secret_store: field(ctx, "secret_store"),
                    ingress_namespace: field(ctx, "ingress_namespace"),
                    monitoring_namespace: field(ctx, "monitoring_namespace"),
                    internal_cidrs: get(fields, "internal_cidrs")
                        .and_then(|n| cidr_list(ctx, n, &format!("{at}.internal_cidrs"))),
                    service_port,
                    app_labels: get(fields, "app_labels").and_then(|n| boolean(ctx, n, &format!("{at}.app_labels"))),
                    secret_names: secret_names.map(|s| s.map(String::from)),
                    templates: template_dir(ctx, fields, &at),
                    span: value.span,
                });
            }
            Target::Aws => {
                check_keys(
                    ctx,
                    fields,
                    &[
                        "region",
                        "account_id",
                        "state",
                        "certificate_arn",
                        "vpc",
                        "single_nat_gateway",
                        "backup_region",
                        "protect",
                        "templates",
                    ],
                    &at,
                );
                let mut aws = AwsConfig {
                    region: field(ctx, "region"),
                    account_id: field(ctx, "account_id"),
                    certificate_arn: field(ctx, "certificate_arn"),
                    vpc: get(fields, "vpc").and_then(|n| aws_vpc(ctx, n, &format!("{at}.vpc"))),
                    single_nat_gateway: get(fields, "single_nat_gateway")
                        .and_then(|n| boolean(ctx, n, &format!("{at}.single_nat_gateway"))),
                    backup_region: field(ctx, "backup_region"),
                    protect: get(fields, "protect").and_then(|n| boolean(ctx, n, &format!("{at}.protect"))),
                    templates: template_dir(ctx, fields, &at),
                    span: value.span,
                    ..AwsConfig::default()
                };
                if let Some(state) = get(fields, "state") {
                    let state_at = format!("{at}.state");
                    if let Some(state_fields) = entries(ctx, state, &state_at) {
                        check_keys(ctx, state_fields, &["bucket", "lock_table"], &state_at);
                        aws.state_bucket =
                            get(state_fields, "bucket").and_then(|n| string(ctx, n, &format!("{state_at}.bucket")));
                        aws.state_lock_table = get(state_fields, "lock_table")
                            .and_then(|n| string(ctx, n, &format!("{state_at}.lock_table")));
                    }
                }
                config.aws = Some(aws);
            }
            Target::Azure => {
                check_keys(ctx, fields, &["location", "plan_sku", "state", "templates"], &at);
                let mut azure = AzureConfig {
                    location: field(ctx, "location"),
                    plan_sku: field(ctx, "plan_sku"),
                    templates: template_dir(ctx, fields, &at),
                    span: value.span,
                    ..AzureConfig::default()
                };
                if let Some(state) = get(fields, "state") {
                    let state_at = format!("{at}.state");
                    if let Some(state_fields) = entries(ctx, state, &state_at) {
                        check_keys(ctx, state_fields, &["resource_group", "storage_account", "container"], &state_at);
                        let get_state = |ctx: &mut Ctx<'_>, name: &str| {
                            get(state_fields, name).and_then(|n| string(ctx, n, &format!("{state_at}.{name}")))
                        };
                        azure.state_resource_group = get_state(ctx, "resource_group");
                        azure.state_storage_account = get_state(ctx, "storage_account");
                        azure.state_container = get_state(ctx, "container");
                    }
                }
                config.azure = Some(azure);
            }
            Target::Ecs => {
                check_keys(ctx, fields, &["subnets", "security_groups", "volumes"], &at);
                config.ecs = Some(EcsConfig {
                    subnets: get(fields, "subnets").and_then(|n| string_list(ctx, n, &format!("{at}.subnets"))),
                    security_groups: get(fields, "security_groups")
                        .and_then(|n| string_list(ctx, n, &format!("{at}.security_groups"))),
                    volumes: get(fields, "volumes")
                        .map(|n| efs_pins(ctx, n, &format!("{at}.volumes")))
                        .unwrap_or_default(),
                    span: value.span,
                });
            }
        }
    }
    config
}

/// `volumes: { <workload>: { file_system: fs-…, access_points: { <path>: fsap-… } } }`.
fn efs_pins(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> BTreeMap<String, Spanned<EfsPin>> {
    let mut out = BTreeMap::new();
    for (key, value) in entries(ctx, node, context).unwrap_or_default() {
        let name = key.as_str().unwrap_or("").to_string();
        let at = format!("{context}.{name}");
        let Some(fields) = entries(ctx, value, &at) else { continue };
        check_keys(ctx, fields, &["file_system", "access_points"], &at);
        let mut pin = EfsPin::default();
        match get(fields, "file_system") {
            Some(id) => {
                if let Some(id) = efs_id(ctx, id, &format!("{at}.file_system"), "fs-") {
                    pin.file_system = id;
                }
            }
            None => ctx.report(
                Diagnostic::new(codes::MISSING_FIELD, value.span, format!("`{at}.file_system` is required"))
                    .with_label("`file_system` missing")
                    .with_help("give the id of the EFS file system (`fs-…`) that holds the volumes"),
            ),
        }
        if let Some(points) = get(fields, "access_points") {
            let points_at = format!("{at}.access_points");
            for (path, id) in entries(ctx, points, &points_at).unwrap_or_default() {
                let path_text = path.as_str().unwrap_or("").to_string();
                if !path_text.starts_with('/') {
                    ctx.report(
                        Diagnostic::new(
                            codes::INVALID_VALUE,
                            path.span,
                            format!("`{path_text}` is not an absolute container path"),
                        )
                        .with_label("not a path")
                        .with_help(
                            "key each access point by the volume's path, as in the workload's `volumes` (e.g. `/data`)",
                        ),
                    );
                    continue;
                }
                if let Some(id) = efs_id(ctx, id, &format!("{points_at}.{path_text}"), "fsap-") {
                    pin.access_points.insert(path_text, id);
                }
            }
        }
        out.insert(name, Spanned::new(pin, value.span));
    }
    out
}

/// An EFS id: `prefix` and 8 to 40 lowercase hex digits (`fs-0123abcd`, `fsap-0123456789abcdef0`).
fn efs_id(ctx: &mut Ctx<'_>, node: &Node, context: &str, prefix: &str) -> Option<String> {
    let id = string(ctx, node, context)?;
    let digits = id.value.strip_prefix(prefix).unwrap_or("");
    if (8..=40).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) {
        return Some(id.value);
    }
    let what = if prefix == "fs-" { "file system" } else { "access point" };
    ctx.report(
        Diagnostic::new(codes::INVALID_VALUE, id.span, format!("`{}` is not an EFS {what} id", id.value))
            .with_label(format!("expected `{prefix}` and 8 to 40 hex digits"))
            .with_help(format!(
                "copy the id from the AWS console or `aws efs describe-{}s` (e.g. `{prefix}0123456789abcdef0`)",
                if prefix == "fs-" { "file-system" } else { "access-point" }
            )),
    );
    None
}

/// Keys of `targets.compose.gateway` in its map form.
pub const GATEWAY_KEYS: &[&str] = &["expose", "tls", "cache", "csp"];

/// `gateway: nginx`, or `gateway: { expose, tls: { certificate, key }, cache: { static, get }, csp }`.
fn gateway(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<GatewayConfig>> {
    if let NodeKind::Scalar { .. } = &node.kind {
        return choice(ctx, node, context, &[("nginx", ())]).map(|s| s.map(|()| GatewayConfig::default()));
    }
    let fields = entries(ctx, node, context)?;
    check_keys(ctx, fields, GATEWAY_KEYS, context);
    let mut config = GatewayConfig::default();
    if let Some(n) = get(fields, "expose") {
        config.expose =
            choice(ctx, n, &format!("{context}.expose"), &[("local", Expose::Local), ("server", Expose::Server)]);
    }
    if let Some(n) = get(fields, "tls") {
        let tls_at = format!("{context}.tls");
        if let Some(tls) = entries(ctx, n, &tls_at) {
            check_keys(ctx, tls, &["certificate", "key"], &tls_at);
            config.certificate =
                get(tls, "certificate").and_then(|f| parsed(ctx, f, &format!("{tls_at}.certificate"), host_file));
            config.certificate_key = get(tls, "key").and_then(|f| parsed(ctx, f, &format!("{tls_at}.key"), host_file));
            for key in ["certificate", "key"] {
                if get(tls, key).is_none() {
                    ctx.report(
                        Diagnostic::new(codes::MISSING_FIELD, n.span, format!("`{tls_at}` needs `{key}`"))
                            .with_label(format!("`{key}` missing"))
                            .with_help("name the certificate chain and its private key: `tls: { certificate: ./nginx/ssl/fullchain.pem, key: ./nginx/ssl/privkey.pem }`"),
                    );
                }
            }
            config.tls_span = Some(n.span);
        }
    }
    if let Some(n) = get(fields, "cache") {
        let cache_at = format!("{context}.cache");
        if let Some(cache) = entries(ctx, n, &cache_at) {
            check_keys(ctx, cache, &["static", "get"], &cache_at);
            let ttl = |ctx: &mut Ctx<'_>, key: &str| {
                get(cache, key).and_then(|f| parsed(ctx, f, &format!("{cache_at}.{key}"), whole_seconds))
            };
            config.cache_static = ttl(ctx, "static");
            config.cache_get = ttl(ctx, "get");
        }
    }
    if let Some(n) = get(fields, "csp") {
        config.csp = parsed(ctx, n, &format!("{context}.csp"), header_value);
    }
    Some(Spanned::new(config, node.span))
}

/// A file on the Docker host: absolute, or relative to the project. It is mounted (never read by
/// iacgen), so it only has to be writable into a compose short volume: no `:`, `$`, spaces or
/// control characters.
fn host_file(text: &str) -> Result<String, String> {
    let bad = |c: char| c == ':' || c == '$' || c.is_whitespace() || c.is_control();
    if text.is_empty() || text.ends_with('/') || text.chars().any(bad) {
        let shown: String = text.chars().flat_map(char::escape_debug).collect();
        return Err(format!(
            "`{shown}` is not a file path on the Docker host: write an absolute path or one relative to the project, without `:`, `$` or spaces"
        ));
    }
    Ok(text.to_string())
}

/// A cache time in whole seconds, at least one.
fn whole_seconds(text: &str) -> Result<Duration, String> {
    let duration = Duration::parse(text)?;
    if duration.millis == 0 || !duration.millis.is_multiple_of(1000) {
        return Err(format!("`{text}` must be a whole number of seconds, at least 1s (e.g. 10m or 720h)"));
    }
    Ok(duration)
}

/// An HTTP header value written inside double quotes in nginx.conf: printable ASCII without `"`,
/// `\` and `$` (nginx would read `$name` as a variable).
fn header_value(text: &str) -> Result<String, String> {
    if !text.is_empty() && text.chars().all(|c| (' '..='~').contains(&c) && !matches!(c, '"' | '\\' | '$')) {
        return Ok(text.to_string());
    }
    let shown: String = text.chars().flat_map(char::escape_default).collect();
    let shown = if text.chars().any(char::is_control) { shown } else { text.to_string() };
    Err(format!("`{shown}` cannot be a header value here: use printable ASCII without `\"`, `\\` or `$`"))
}

/// `vpc: { id, public_subnets, private_subnets }`: all three are required.
fn aws_vpc(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<AwsVpc>> {
    let fields = entries(ctx, node, context)?;
    check_keys(ctx, fields, &["id", "public_subnets", "private_subnets"], context);
    let mut missing = false;
    let mut required = |ctx: &mut Ctx<'_>, key: &str| {
        if get(fields, key).is_none() {
            ctx.report(
                Diagnostic::new(codes::MISSING_FIELD, node.span, format!("`{context}.{key}` is required"))
                    .with_label(format!("`{key}` missing"))
                    .with_help("give the VPC's id and its public and private subnet ids"),
            );
            missing = true;
        }
    };
    required(ctx, "id");
    required(ctx, "public_subnets");
    required(ctx, "private_subnets");
    if missing {
        return None;
    }
    let id = get(fields, "id").and_then(|n| string(ctx, n, &format!("{context}.id")))?;
    let public =
        get(fields, "public_subnets").and_then(|n| string_list(ctx, n, &format!("{context}.public_subnets")))?;
    let private =
        get(fields, "private_subnets").and_then(|n| string_list(ctx, n, &format!("{context}.private_subnets")))?;
    let vpc = AwsVpc { id: id.value, public_subnets: public.value, private_subnets: private.value };
    Some(Spanned::new(vpc, node.span))
}

/// A list of canonical IPv4 networks (`[10.0.0.0/8, 172.16.0.0/12]`).
fn cidr_list(ctx: &mut Ctx<'_>, node: &Node, context: &str) -> Option<Spanned<Vec<String>>> {
    let NodeKind::Seq(items) = &node.kind else {
        ctx.wrong_type(node, "a list of IPv4 networks", context);
        return None;
    };
    let cidrs = items.iter().filter_map(|item| {
        parsed(ctx, item, context, |text| crate::model::egress::parse_cidr(text).map(|_| text.to_string()))
    });
    Some(Spanned::new(cidrs.map(|cidr| cidr.value).collect(), node.span))
}

fn template_dir(ctx: &mut Ctx<'_>, fields: &[(Node, Node)], context: &str) -> Option<Spanned<TemplateDir>> {
    let node = get(fields, "templates")?;
    let path = string(ctx, node, &format!("{context}.templates"))?;
    Some(path.map(|path| TemplateDir { path, files: BTreeMap::new() }))
}

fn patches(ctx: &mut Ctx<'_>, node: &Node) -> Vec<Patch> {
    let NodeKind::Seq(items) = &node.kind else {
        ctx.wrong_type(node, "a list", "patches");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let context = format!("patches[{index}]");
        let Some(fields) = entries(ctx, item, &context) else { continue };
        check_keys(ctx, fields, &["file", "set", "remove"], &context);
        let Some(file) = get(fields, "file").and_then(|n| string(ctx, n, &format!("{context}.file"))) else {
            if get(fields, "file").is_none() {
                ctx.report(
                    Diagnostic::new(codes::MISSING_FIELD, item.span, format!("`{context}` needs `file`"))
                        .with_label("`file` missing"),
                );
            }
            continue;
        };
        let mut set = Vec::new();
        if let Some(set_node) = get(fields, "set") {
            if let Some(set_entries) = entries(ctx, set_node, &format!("{context}.set")) {
                for (key, value) in set_entries {
                    let path = Spanned::new(key.as_str().unwrap_or("").to_string(), key.span);
                    set.push((path, Spanned::new(to_json(value), value.span)));
                }
            }
        }
        let mut remove = Vec::new();
        if let Some(remove_node) = get(fields, "remove") {
            if let Some(list) = name_list(ctx, remove_node, &format!("{context}.remove")) {
                remove = list.value;
            }
        }
        out.push(Patch { file, set, remove, span: item.span });
    }
    out
}

/// A YAML node as JSON, reading plain scalars as YAML 1.2 core types.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Scalar { text, plain } => {
            if *plain {
                match text.as_str() {
                    "true" => return Value::Bool(true),
                    "false" => return Value::Bool(false),
                    _ => {}
                }
                if let Ok(number) = text.parse::<i64>() {
                    return Value::from(number);
                }
                if let Ok(number) = text.parse::<f64>() {
                    if number.is_finite() && text.chars().any(|c| c.is_ascii_digit()) {
                        if let Some(number) = serde_json::Number::from_f64(number) {
                            return Value::Number(number);
                        }
                    }
                }
            }
            Value::String(text.clone())
        }
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries.iter().map(|(key, value)| (key.as_str().unwrap_or("").to_string(), to_json(value))).collect(),
        ),
    }
}
