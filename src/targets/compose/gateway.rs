//! The gateway (nginx, hardened: TLS termination with the model's certificate, security headers,
//! gzip, rate limits, least-connections upstreams that follow recreated containers through Docker's
//! DNS, keepalive and failure detection, optional caches) and Prometheus, for
//! `targets.compose.gateway` and `monitoring`.

use std::collections::BTreeMap;

use serde_json::json;

use crate::ir::{Gateway, Stack};
use crate::model::quantity::Duration;
use crate::targets::compose::ports::{self, GATEWAY_PORT, GATEWAY_TLS_PORT};
use crate::targets::compose::workload;
use crate::targets::yaml_out::{self, Yaml};
use crate::targets::{EmitOptions, embedded, header};

/// The default zone's rate and burst, and the stricter one for auth routes.
const API_RATE: &str = "100r/s";
const API_BURST: u32 = 200;
const AUTH_RATE: &str = "10r/m";
const AUTH_BURST: u32 = 5;

/// The gateway service and its nginx.conf.
pub fn nginx(stack: &Stack, gateway: &Gateway, options: &EmitOptions) -> (Yaml, String) {
    (gateway_service(stack, gateway, &options.output), nginx_conf(stack, gateway, &options.model_file))
}

/// Where the certificate and key are mounted in the gateway container.
const TLS_CERTIFICATE: &str = "/etc/nginx/tls/tls.crt";
const TLS_KEY: &str = "/etc/nginx/tls/tls.key";

fn gateway_service(stack: &Stack, gateway: &Gateway, output: &str) -> Yaml {
    let mut depends = Yaml::map();
    for service in stack.services.values().filter(|s| s.ingress.is_some() && s.http_port().is_some()) {
        let condition = if workload::has_container_check(service) { "service_healthy" } else { "service_started" };
        depends.insert(service.name.clone(), Yaml::map().with("condition", Yaml::str(condition)));
    }
    let mut yaml = Yaml::map().with("image", Yaml::str(GATEWAY_IMAGE));
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
    yaml.insert("ports", Yaml::strs(ports::gateway_bindings_for(stack, gateway)));
    let mut volumes = vec![String::from("./nginx.conf:/etc/nginx/nginx.conf:ro")];
    if let (Some(tls), true) = (&gateway.tls, ports::serves_tls(stack, gateway)) {
        volumes.push(format!("{}:{TLS_CERTIFICATE}:ro", workload::host_path(&tls.certificate, output)));
        volumes.push(format!("{}:{TLS_KEY}:ro", workload::host_path(&tls.key, output)));
    }
    if gateway.cache_static.is_some() || gateway.cache_get.is_some() {
        volumes.push(format!("{CACHE_VOLUME}:/var/cache/nginx"));
    }
    yaml.insert("volumes", Yaml::strs(volumes));
    harden(&mut yaml, "101:101", Some("/tmp"), "256M");
    yaml
}

/// The named volume of the gateway's caches (a tmpfs would count against its memory limit).
pub const CACHE_VOLUME: &str = "gateway-cache";

/// nginx 1.28 (stable): upstream servers with `resolve` need 1.27.3 or later.
pub const GATEWAY_IMAGE: &str = "nginxinc/nginx-unprivileged:1.28-alpine";

/// What every service iacgen adds on its own gets: its image's non-root user, a read-only root,
/// no capabilities, no privilege escalation, limits, rotated logs.
pub(super) fn harden(yaml: &mut Yaml, user: &str, tmpfs: Option<&str>, memory: &str) {
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

/// nginx's spelling of a whole number of seconds: `30d`, `10m`, `45s`.
fn nginx_time(duration: Duration) -> String {
    let seconds = duration.secs_ceil();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds.is_multiple_of(size) {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

/// One routed service, as nginx.conf places it.
struct Route {
    host: Option<String>,
    path: String,
    tls: bool,
    upstream: String,
    zone: String,
    burst: u32,
    /// The backend sees the path without `path` (`ingress.strip_prefix`).
    strip: bool,
    /// The metrics path when metrics are served on the routed (http) port under this route.
    hidden_metrics: Option<String>,
}

/// Render nginx.conf from the embedded template.
pub fn nginx_conf(stack: &Stack, gateway: &Gateway, model_file: &str) -> String {
    let mut zones = vec![json!({"name": "api", "rate": API_RATE}), json!({"name": "auth", "rate": AUTH_RATE})];
    let mut upstreams = Vec::new();
    let mut routes = Vec::new();
    for service in stack.services.values() {
        let (Some(ingress), Some(port)) = (&service.ingress, service.http_port()) else { continue };
        upstreams.push(
            json!({"name": service.name, "zone": service.name.replace('-', "_"), "host": service.name, "port": port}),
        );
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
        let strip = ingress.strip_prefix && ingress.path != "/";
        // The public path of the metrics endpoint, when it is served on the routed port.
        let hidden_metrics = service.metrics.as_ref().filter(|m| m.port == port).and_then(|m| {
            if strip {
                Some(format!("{}{}", ingress.path.trim_end_matches('/'), m.path.trim_end_matches('/')))
            } else {
                under(&m.path, &ingress.path).then(|| m.path.trim_end_matches('/').to_string())
            }
        });
        routes.push(Route {
            host: ingress.host.clone(),
            path: ingress.path.clone(),
            // Without a certificate every route is plain HTTP (validation allows that only in development).
            tls: ingress.tls && gateway.tls.is_some(),
            upstream: service.name.clone(),
            zone,
            burst,
            strip,
            hidden_metrics,
        });
    }
    let mut servers = Vec::new();
    let any_tls = routes.iter().any(|r| r.tls);
    // Plain HTTP: every route without TLS, redirects for the others, and the container's /healthz.
    servers.extend(server_blocks(&routes, false, |route| !route.tls));
    if any_tls {
        servers.extend(server_blocks(&routes, true, |_| true));
    }
    let cache_static = gateway.cache_static.map(nginx_time);
    let cache_get = gateway.cache_get.map(nginx_time);
    let data = json!({
        "header": header::text(model_file),
        "project": stack.project,
        "environment": stack.environment,
        "http_port": GATEWAY_PORT,
        "https_port": GATEWAY_TLS_PORT,
        "tls": any_tls,
        "csp": gateway.csp,
        "cache_any": cache_static.is_some() || cache_get.is_some(),
        "cache_static": cache_static,
        "cache_get": cache_get,
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

/// Whether `path` lies under the route prefix `prefix` (nginx prefix matching).
fn under(path: &str, prefix: &str) -> bool {
    path.starts_with(prefix)
}

/// The server blocks of one listener (`https` or plain HTTP), one per host; the host-less routes go to
/// the default server. `serve` says which routes this listener proxies; on plain HTTP the others
/// redirect to HTTPS.
fn server_blocks(routes: &[Route], https: bool, serve: impl Fn(&Route) -> bool) -> Vec<serde_json::Value> {
    let mut hosts: BTreeMap<Option<String>, Vec<&Route>> = BTreeMap::new();
    hosts.entry(None).or_default();
    for route in routes {
        hosts.entry(route.host.clone()).or_default().push(route);
    }
    // A path-only route matches every host: the named hosts' servers carry it too, unless they
    // route the same path themselves.
    let anywhere: Vec<&Route> = routes.iter().filter(|r| r.host.is_none()).collect();
    for list in hosts.iter_mut().filter(|(host, _)| host.is_some()).map(|(_, list)| list) {
        for route in &anywhere {
            if !list.iter().any(|r| r.path == route.path) {
                list.push(route);
            }
        }
    }
    hosts
        .into_iter()
        .map(|(host, mut routes)| {
            // Longer paths first reads best; nginx picks the longest prefix anyway.
            routes.sort_by(|a, b| b.path.len().cmp(&a.path.len()).then(a.path.cmp(&b.path)));
            let served: Vec<&&Route> = routes.iter().filter(|r| serve(r)).collect();
            let locations: Vec<serde_json::Value> = served
                .iter()
                .map(|r| {
                    // A stripped prefix: `location /api/` with `proxy_pass http://up/` replaces it with `/`
                    // (nginx redirects `/api` to `/api/`).
                    let prefix = r.path.trim_end_matches('/');
                    let path = if r.strip { format!("{prefix}/") } else { r.path.clone() };
                    json!({"path": path, "prefix": prefix, "strip": r.strip, "upstream": r.upstream, "zone": r.zone, "burst": r.burst})
                })
                .collect();
            let mut redirects: Vec<String> =
                if https { Vec::new() } else { routes.iter().filter(|r| !serve(r)).map(|r| r.path.clone()).collect() };
            // Unknown paths on plain HTTP go to HTTPS too, unless a plain route owns `/`.
            if !https
                && !redirects.is_empty()
                && !served.iter().any(|r| r.path == "/")
                && !redirects.iter().any(|p| p == "/")
            {
                redirects.push(String::from("/"));
            }
            let mut hidden: Vec<serde_json::Value> = served
                .iter()
                .filter_map(|r| r.hidden_metrics.as_ref().map(|path| json!({"path": path, "service": r.upstream})))
                .collect();
            hidden.dedup();
            json!({
                "name": host.clone().unwrap_or_else(|| String::from("_")),
                "default": host.is_none(),
                "https": https,
                // The container's health check asks the default plain-HTTP server.
                "health": host.is_none() && !https,
                "hidden": hidden,
                "redirects": redirects,
                "locations": locations,
            })
        })
        .collect()
}

/// The Prometheus service and its prometheus.yml scraping every service's metrics port.
pub fn prometheus(stack: &Stack, options: &EmitOptions, alerting: Option<&super::alerts::Alerting>) -> (Yaml, String) {
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
        .with("volumes", {
            let mut volumes = vec![
                String::from("./prometheus.yml:/etc/prometheus/prometheus.yml:ro"),
                String::from("prometheus-data:/prometheus"),
            ];
            if alerting.is_some() {
                volumes.push(format!("./alerts.yml:{}:ro", super::alerts::RULES_PATH));
            }
            Yaml::strs(volumes)
        });
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
    let mut config = Yaml::map().with(
        "global",
        Yaml::map().with("scrape_interval", Yaml::str("15s")).with("evaluation_interval", Yaml::str("15s")),
    );
    if let Some(alerting) = alerting {
        config.insert("rule_files", Yaml::strs([super::alerts::RULES_PATH]));
        if alerting.alertmanager.is_some() {
            config.insert(
                "alerting",
                Yaml::map().with(
                    "alertmanagers",
                    Yaml::Seq(vec![Yaml::map().with(
                        "static_configs",
                        Yaml::Seq(vec![Yaml::map().with("targets", Yaml::strs(["alertmanager:9093"]))]),
                    )]),
                ),
            );
        }
    }
    let config = config.with("scrape_configs", Yaml::Seq(jobs));
    let text = format!("{}{}", header::hash_comment(&options.model_file, &[]), yaml_out::to_string(&config));
    (yaml, text)
}
