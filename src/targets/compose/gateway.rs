//! The local gateway (nginx, hardened: security headers, gzip, rate limits, upstream keepalive and
//! failure detection) and Prometheus, for `targets.compose.gateway` and `monitoring`.

use std::collections::BTreeMap;

use serde_json::json;

use crate::ir::Stack;
use crate::targets::compose::ports::GATEWAY_PORT;
use crate::targets::compose::workload;
use crate::targets::yaml_out::{self, Yaml};
use crate::targets::{EmitOptions, embedded, header};

/// The default zone's rate and burst, and the stricter one for auth routes.
const API_RATE: &str = "100r/s";
const API_BURST: u32 = 200;
const AUTH_RATE: &str = "10r/m";
const AUTH_BURST: u32 = 5;

/// The gateway service and its nginx.conf.
pub fn nginx(stack: &Stack, options: &EmitOptions) -> (Yaml, String) {
    (gateway_service(stack), nginx_conf(stack, &options.model_file))
}

fn gateway_service(stack: &Stack) -> Yaml {
    let mut depends = Yaml::map();
    for service in stack.services.values().filter(|s| s.ingress.is_some() && s.http_port().is_some()) {
        let condition = if service.health.is_some() { "service_healthy" } else { "service_started" };
        depends.insert(service.name.clone(), Yaml::map().with("condition", Yaml::str(condition)));
    }
    let mut yaml = Yaml::map().with("image", Yaml::str("nginxinc/nginx-unprivileged:1.27-alpine"));
    if !depends.is_empty_collection() {
        yaml.insert("depends_on", depends);
    }
    yaml.insert(
        "healthcheck",
        Yaml::map()
            .with(
                "test",
                Yaml::strs([
                    "CMD-SHELL".to_string(),
                    format!("wget -q -O /dev/null http://127.0.0.1:{GATEWAY_PORT}/healthz || exit 1"),
                ]),
            )
            .with("interval", Yaml::str("30s"))
            .with("timeout", Yaml::str("5s"))
            .with("retries", Yaml::Int(3))
            .with("start_period", Yaml::str("5s")),
    );
    yaml.insert("ports", Yaml::strs([format!("127.0.0.1:{GATEWAY_PORT}:{GATEWAY_PORT}")]));
    yaml.insert("volumes", Yaml::strs(["./nginx.conf:/etc/nginx/nginx.conf:ro"]));
    harden(&mut yaml, "101:101", Some("/tmp"), "256M");
    yaml
}

/// What every service iacgen adds on its own gets: its image's non-root user, a read-only root,
/// no capabilities, no privilege escalation, limits, rotated logs.
fn harden(yaml: &mut Yaml, user: &str, tmpfs: Option<&str>, memory: &str) {
    yaml.insert("user", Yaml::str(user));
    yaml.insert("read_only", Yaml::Bool(true));
    if let Some(path) = tmpfs {
        yaml.insert("tmpfs", Yaml::strs([path]));
    }
    yaml.insert("cap_drop", Yaml::strs(["ALL"]));
    yaml.insert("security_opt", Yaml::strs(["no-new-privileges:true"]));
    yaml.insert(
        "deploy",
        Yaml::map().with(
            "resources",
            Yaml::map().with("limits", Yaml::map().with("cpus", Yaml::str("0.5")).with("memory", Yaml::str(memory))),
        ),
    );
    yaml.insert("logging", workload::logging());
    yaml.insert("restart", Yaml::str("unless-stopped"));
}

/// Whether a route serves authentication (it gets the stricter zone unless it sets its own limit).
fn is_auth_route(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    ["auth", "login", "signin", "token"].iter().any(|word| lower.contains(word))
}

/// Render nginx.conf from the embedded template.
pub fn nginx_conf(stack: &Stack, model_file: &str) -> String {
    let mut zones = vec![json!({"name": "api", "rate": API_RATE}), json!({"name": "auth", "rate": AUTH_RATE})];
    let mut upstreams = Vec::new();
    let mut servers: BTreeMap<Option<String>, Vec<serde_json::Value>> = BTreeMap::new();
    servers.entry(None).or_default();
    for service in stack.services.values() {
        let (Some(ingress), Some(port)) = (&service.ingress, service.http_port()) else { continue };
        upstreams.push(json!({"name": service.name, "host": service.name, "port": port}));
        let (zone, burst) = match ingress.rate_limit {
            Some(limit) => {
                let zone = format!("svc_{}", service.name.replace('-', "_"));
                let rate = format!("{}r/{}", limit.requests, if limit.per_minute { "m" } else { "s" });
                zones.push(json!({"name": zone, "rate": rate}));
                (zone, (limit.requests * 2).max(1))
            }
            None if is_auth_route(&ingress.path) => (String::from("auth"), AUTH_BURST),
            None => (String::from("api"), API_BURST),
        };
        servers.entry(ingress.host.clone()).or_default().push(json!({
            "path": ingress.path,
            "upstream": service.name,
            "zone": zone,
            "burst": burst,
        }));
    }
    let servers: Vec<serde_json::Value> = servers
        .into_iter()
        .map(|(host, mut locations)| {
            // Longer paths first reads best; nginx picks the longest prefix anyway.
            locations.sort_by(|a, b| b["path"].as_str().map(str::len).cmp(&a["path"].as_str().map(str::len)).then(a["path"].as_str().cmp(&b["path"].as_str())));
            json!({"name": host.clone().unwrap_or_else(|| String::from("_")), "default": host.is_none(), "locations": locations})
        })
        .collect();
    let data = json!({
        "header": header::text(model_file),
        "project": stack.project,
        "environment": stack.environment,
        "port": GATEWAY_PORT,
        "zones": zones,
        "upstreams": upstreams,
        "servers": servers,
    });
    let mut handlebars = handlebars::Handlebars::new();
    handlebars.register_escape_fn(handlebars::no_escape);
    handlebars.set_strict_mode(true);
    let template = embedded::get("targets/compose/nginx.conf.hbs").unwrap_or_default();
    handlebars.render_template(template, &data).unwrap_or_else(|error| format!("# template error: {error}\n"))
}

/// The Prometheus service and its prometheus.yml scraping every service's metrics port.
pub fn prometheus(stack: &Stack, options: &EmitOptions) -> (Yaml, String) {
    let mut yaml = Yaml::map()
        .with("image", Yaml::str("prom/prometheus:v2.55.1"))
        .with(
            "command",
            Yaml::strs([
                "--config.file=/etc/prometheus/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=15d",
            ]),
        )
        .with(
            "healthcheck",
            Yaml::map()
                .with(
                    "test",
                    Yaml::strs(["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:9090/-/healthy || exit 1"]),
                )
                .with("interval", Yaml::str("30s"))
                .with("timeout", Yaml::str("5s"))
                .with("retries", Yaml::Int(3))
                .with("start_period", Yaml::str("10s")),
        )
        .with(
            "volumes",
            Yaml::strs(["./prometheus.yml:/etc/prometheus/prometheus.yml:ro", "prometheus-data:/prometheus"]),
        );
    harden(&mut yaml, "65534:65534", None, "512M");

    let mut jobs = Vec::new();
    for service in stack.services.values() {
        let Some(metrics) = &service.metrics else { continue };
        jobs.push(
            Yaml::map()
                .with("job_name", Yaml::str(service.name.clone()))
                .with("metrics_path", Yaml::str(metrics.path.clone()))
                .with(
                    "static_configs",
                    Yaml::Seq(vec![
                        Yaml::map().with("targets", Yaml::strs([format!("{}:{}", service.name, metrics.port)])),
                    ]),
                ),
        );
    }
    let config = Yaml::map()
        .with(
            "global",
            Yaml::map().with("scrape_interval", Yaml::str("15s")).with("evaluation_interval", Yaml::str("15s")),
        )
        .with("scrape_configs", Yaml::Seq(jobs));
    let text = format!("{}{}", header::hash_comment(&options.model_file, &[]), yaml_out::to_string(&config));
    (yaml, text)
}
