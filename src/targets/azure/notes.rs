//! Notes: model values that App Service or Container Apps decide by themselves, written as comments right
//! above the module block they concern so nothing is dropped silently. Only values the model sets
//! (not built-in defaults) get a note; the README documents the defaults (section 1.2).

use crate::ir::{Concurrency, Field, HealthCheck, Job, Layer, Resource, ResourceKind, Service};
use crate::model::placeholder::{Placeholder, ResourceAttr};
use crate::targets::azure::Environment;
use crate::targets::azure::sizing;
use crate::targets::azure::values::Source;

fn set(origins: &crate::ir::Origins, fields: &[Field]) -> bool {
    fields.iter().any(|field| origins.get(field).is_some_and(|origin| origin.layer != Layer::BuiltIn))
}

/// Notes above a service's `web_app` block.
pub fn service(environment: &Environment<'_>, service: &Service, source: &Source) -> Vec<String> {
    let mut notes = Vec::new();
    let origins = &service.origins;
    if set(origins, &[Field::Cpu, Field::Memory, Field::CpuLimit, Field::MemoryLimit]) {
        let compute = service.compute;
        let migration = if service.migrate.is_some() { "; its migration job uses them" } else { "" };
        notes.push(format!(
            "Note: App Service sets no per-app CPU or memory limit (resources: cpu {}, memory {}): the plan SKU {} sizes each instance, shared by the plan's apps{migration}.",
            compute.cpu_limit.cores(),
            compute.memory_limit.kubernetes(),
            environment.options.plan_sku
        ));
    }
    if set(origins, &[Field::User, Field::Group, Field::ReadOnlyRoot, Field::Capabilities]) {
        notes.push(security(&service.security));
    }
    if let Some(HealthCheck::Http { path, ready }) = service.health.as_ref().map(|h| &h.check)
        && ready != path
    {
        notes.push(format!(
            "Note: App Service has one health check: it probes {path}; the readiness path {ready} is not used."
        ));
    }
    if let Some(ingress) = &service.ingress {
        if let Some(host) = &ingress.host {
            notes.push(format!(
                "Note: ingress.host {host} is not configured here (a custom domain needs DNS validation): the app serves https://{}.azurewebsites.net.",
                environment.names.web_app(&service.name)
            ));
        }
        if ingress.path != "/" {
            notes.push(format!(
                "Note: App Service has no path routing: ingress.path {} is not applied, the app serves every path.",
                ingress.path
            ));
        }
        if let Some(rate) = &ingress.rate_limit {
            notes.push(format!("Note: ingress.rate_limit {rate} is not enforced by App Service."));
        }
    }
    if let Some(metrics) = &service.metrics {
        notes.push(format!(
            "Note: metrics ({} on port {}) are not scraped on App Service; Application Insights receives telemetry instead.",
            metrics.path, metrics.port
        ));
    }
    if let Source::External { host, .. } = source {
        notes.push(external(host));
    }
    for (path, volume) in &service.volumes {
        if let crate::ir::Volume::Persistent(size) = volume {
            let migration = if service.migrate.is_some() { "; its migration job does not mount it" } else { "" };
            notes.push(format!(
                "Note: {path} ({}) is the Azure Files share {} (SMB), shared by every instance and mounted by App Service with its own owner and modes, whatever the container's user{migration}.",
                size.kubernetes(),
                crate::targets::azure::names::share(&service.name, path)
            ));
        }
    }
    notes.extend(connections(environment, &service.env, &service.egress, "App Service"));
    if let Some(members) = environment.wiring.cycles.get(&service.name) {
        let list: Vec<&str> = members.iter().map(String::as_str).collect();
        notes.push(format!(
            "Note: internal services {} call each other, so their callers' addresses cannot be wired without a Terraform cycle: any App Service app may reach {} (allowed_service_tags).",
            list.join(", "),
            service.name
        ));
    }
    notes
}

/// Notes above a job's `container_job` block.
pub fn job(environment: &Environment<'_>, job: &Job, source: &Source) -> Vec<String> {
    let mut notes = connections(environment, &job.env, &job.egress, "Container Apps");
    if set(&job.origins, &[Field::User, Field::Group, Field::ReadOnlyRoot, Field::Capabilities]) {
        notes.push(security(&job.security));
    }
    if job.concurrency != Concurrency::Allow && set(&job.origins, &[Field::Concurrency]) {
        let timeout = job.timeout.map_or_else(|| String::from("30m"), |t| t.to_string());
        let mode = if job.concurrency == Concurrency::Forbid { "forbid" } else { "replace" };
        notes.push(format!(
            "Note: concurrency: {mode} is not enforced by Container Apps (a run starts on every schedule tick); keep the timeout ({timeout}) below the schedule's interval."
        ));
    }
    if let Source::External { host, .. } = source {
        notes.push(external(host));
    }
    notes
}

/// Notes above a resource's block.
pub fn resource(resource: &Resource) -> Vec<String> {
    let mut notes = Vec::new();
    if resource.kind == ResourceKind::Redis
        && let Ok((served, true)) = sizing::redis_version(&resource.version)
    {
        notes.push(format!(
            "Note: Azure Cache for Redis stops at version {served}: the model's Redis {} runs on {served}.",
            resource.version
        ));
    }
    notes
}

fn security(security: &crate::ir::Security) -> String {
    let mut note = format!(
        "Note: the platform runs the image's USER and cannot make the root filesystem read-only (security: user {}, read_only_root {}): set USER in the image.",
        security.user, security.read_only_root
    );
    if !security.capabilities.is_empty() {
        note.push_str(&format!(
            " Capabilities are the platform's own (the model keeps {}).",
            security.capabilities.join(", ")
        ));
    }
    note
}

/// What the platform does with the workload's declared egress and with connection URLs written
/// inside other text (which cannot hold a Key Vault reference).
fn connections(
    environment: &Environment<'_>,
    env: &std::collections::BTreeMap<String, crate::ir::EnvValue>,
    egress: &[crate::ir::Egress],
    platform: &str,
) -> Vec<String> {
    let mut notes = Vec::new();
    if !egress.is_empty() {
        let hosts: Vec<String> = egress.iter().map(ToString::to_string).collect();
        notes.push(format!(
            "Note: egress {} is not filtered: {platform} reaches every outside address (narrowing it needs VNet integration with an NSG or Azure Firewall, which this target does not create).",
            hosts.join(", ")
        ));
    }
    for (name, value) in env {
        let in_text = value
            .template
            .placeholders()
            .any(|(placeholder, _)| matches!(placeholder, Placeholder::Resource { attr: ResourceAttr::Url, .. }))
            && crate::targets::azure::values::whole_url(environment.stack, value).is_none();
        if in_text {
            notes.push(format!(
                "Note: {name} carries a connection URL without its password (a Key Vault reference must be a whole setting): the password is in its own setting."
            ));
        }
    }
    notes
}

fn external(host: &str) -> String {
    format!(
        "Note: the image is pulled anonymously from {host}: only public images work (no registry credentials are stored)."
    )
}
