//! The `resolve` stage: defaults and environment overlays → one concrete [`Stack`] per environment.
//!
//! Resolution assumes `validate` ran: references exist. It never fails; what can only be judged on
//! the resolved values (a `latest` tag in production) is checked afterwards by `validate::stack`.

pub mod alerts;
pub mod layers;

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    AwsOptions, AzureOptions, Compilation, ComposeOptions, DEFAULT_CSP, EcsOptions, Expose, Field, Gateway, GatewayTls,
    HelmOptions, Job, Layer, Resource, Secret, Service, Stack, TargetConfig,
};
use crate::model::quantity::Memory;
use crate::model::{Auth, EnvironmentDef, GatewayConfig, Model, ServiceSpec, Size, Stage, TargetsConfig};
use crate::resolve::layers::Layers;
use crate::shared::DEFAULT_OUTPUT;

/// Resolve every environment (and the base) of a validated model.
pub fn resolve(model: &Model) -> Compilation {
    let project = model.project.as_ref().map(|p| p.value.clone()).unwrap_or_default();
    // The base and each environment resolve independently: in parallel, kept in model order.
    use rayon::prelude::*;
    let layers: Vec<Option<&EnvironmentDef>> =
        std::iter::once(None).chain(model.environments.values().map(Some)).collect();
    let mut stacks = layers.par_iter().map(|environment| stack(model, *environment)).collect::<Vec<_>>().into_iter();
    let base = stacks.next().unwrap_or_else(|| stack(model, None));
    let environments = model
        .environments
        .values()
        .zip(stacks)
        .map(|(environment, stack)| (environment.name.value.clone(), stack))
        .collect();
    let output = model.output.as_ref().map_or_else(|| DEFAULT_OUTPUT.to_string(), |o| o.value.clone());
    let output = crate::source::project_relative(&output).unwrap_or_else(|_| DEFAULT_OUTPUT.to_string());
    let patches = model.patches.iter().flat_map(crate::model::Patch::describe).collect();
    Compilation { project, base, environments, output, patches }
}

/// Resolve one environment (`None`: the base, without any environment layer).
pub fn stack(model: &Model, environment: Option<&EnvironmentDef>) -> Stack {
    let project = model.project.as_ref().map(|p| p.value.clone()).unwrap_or_default();
    let registry = model.registry.as_ref().map(|r| r.value.clone());
    let empty = ServiceSpec::default();
    let stage = match environment {
        Some(environment) => {
            environment.stage.as_ref().map_or_else(|| Stage::from_name(&environment.name.value), |s| s.value)
        }
        None => Stage::Staging,
    };
    let alerting = alerts::alerting(model, environment, stage);

    // Resources whose clients send a password (a connection URL carries it).
    let has_password = |resource: &str| {
        model.resources.get(resource).is_some_and(|r| r.auth.as_ref().is_none_or(|a| a.value == Auth::Password))
    };
    let mut services = BTreeMap::new();
    for (name, definition) in &model.services {
        let override_ = environment.and_then(|e| e.services.get(name)).map(|(_, spec)| spec);
        let layers = layers_of(model, environment, &definition.spec, override_, &empty);
        let mut service = service(name, &layers, registry.as_deref(), definition.name.span, &has_password);
        let specs: Vec<&ServiceSpec> = layers.layers.iter().map(|(_, spec)| *spec).collect();
        service.alerts = alerts::service(model, environment, &specs, alerting.is_some());
        services.insert(name.clone(), service);
    }
    let mut jobs = BTreeMap::new();
    for (name, definition) in &model.jobs {
        let override_ = environment.and_then(|e| e.jobs.get(name)).map(|(_, spec)| spec);
        let layers = layers_of(model, environment, &definition.spec, override_, &empty);
        if let Some(job) = job(name, &layers, registry.as_deref(), definition.name.span, &has_password) {
            jobs.insert(name.clone(), job);
        }
    }
    link_callers(&mut services, &jobs);

    let resources = model
        .resources
        .iter()
        .map(|(name, definition)| {
            let pin = environment.and_then(|e| e.resources.get(name));
            let kind = definition.kind.value;
            let resource = Resource {
                name: name.clone(),
                kind,
                version: version_of(definition),
                size: definition.size.as_ref().map_or(Size::Small, |s| s.value),
                storage: definition.storage.as_ref().map_or(Memory { mebibytes: 20 * 1024 }, |s| s.value),
                backup_days: definition.backup_days.as_ref().map_or(7, |b| b.value),
                backup_days_span: definition.backup_days.as_ref().map(|b| b.span),
                backup_time: definition.backup_time.as_ref().map_or(crate::model::BackupTime::DEFAULT, |t| t.value),
                backup_copy: definition.backup_copy.as_ref().filter(|copy| copy.value).map(|copy| copy.span),
                database: pin
                    .and_then(|p| p.name.as_ref())
                    .or(definition.database.as_ref())
                    .map_or_else(|| name.replace('-', "_"), |d| d.value.clone()),
                allow_azure_services: definition.allow_azure_services.as_ref().is_some_and(|a| a.value),
                host: pin.and_then(|p| p.host.as_ref()).map(|h| h.value.clone()),
                port: pin.and_then(|p| p.port.as_ref()).map_or(kind.default_port(), |p| p.value),
                user: pin
                    .and_then(|p| p.user.as_ref())
                    .map_or_else(|| kind.default_user().to_string(), |u| u.value.clone()),
                tls: pin.and_then(|p| p.tls.as_ref()).is_some_and(|t| t.value),
                image: definition.image.as_ref().map(|image| match &image.value.pin {
                    Some(_) => image.value.reference(),
                    None => format!("{}:{}", image.value.repository, version_of(definition)),
                }),
                auth: definition.auth.as_ref().map_or(Auth::Password, |a| a.value),
                alerts: alerts::resource(model, environment, definition, alerting.is_some()),
                origin: definition.name.span,
            };
            (name.clone(), resource)
        })
        .collect();
    let secrets = model
        .secrets
        .iter()
        .map(|(name, secret)| {
            (
                name.clone(),
                Secret { name: name.clone(), description: secret.description.as_ref().map(|d| d.value.clone()) },
            )
        })
        .collect();
    let targets = environment
        .and_then(|e| e.targets.as_ref())
        .map(|targets| targets.value.iter().map(|t| t.value).collect())
        .unwrap_or_default();
    Stack {
        project,
        project_span: model.project.as_ref().map(|p| p.span),
        environment: environment.map(|e| e.name.value.clone()).unwrap_or_default(),
        environment_span: environment.map(|e| e.name.span),
        stage,
        targets,
        tags: model.tags.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect(),
        tag_spans: model.tags.iter().map(|(k, v)| (k.clone(), v.span)).collect(),
        registry,
        services,
        jobs,
        resources,
        secrets,
        config: config(&model.targets, environment.map(|e| &e.targets_config), stage),
        alerting,
    }
}

/// A resource's version: as written, else its kind's default.
fn version_of(definition: &crate::model::ResourceDef) -> String {
    definition.version.as_ref().map_or_else(|| definition.kind.value.default_version().to_string(), |v| v.value.clone())
}

fn layers_of<'a>(
    model: &'a Model,
    environment: Option<&'a EnvironmentDef>,
    definition: &'a ServiceSpec,
    override_: Option<&'a ServiceSpec>,
    empty: &'a ServiceSpec,
) -> Layers<'a> {
    Layers {
        layers: vec![
            (Layer::ProjectDefaults, &model.defaults),
            (Layer::EnvironmentDefaults, environment.map_or(empty, |e| &e.defaults)),
            (Layer::Service, definition),
            (Layer::EnvironmentOverride, override_.unwrap_or(empty)),
        ],
    }
}

fn service(
    name: &str,
    layers: &Layers<'_>,
    registry: Option<&str>,
    origin: crate::shared::span::Span,
    has_password: &dyn Fn(&str) -> bool,
) -> Service {
    let mut origins = BTreeMap::new();
    let image = layers.image(name, registry, &mut origins);
    let ports = layers.ports(&mut origins);
    let env = layers.env(&mut origins);
    let uses = layers.links(Field::Uses, |s| s.uses.as_ref(), &env, &mut origins);
    let calls = layers.links(Field::Calls, |s| s.calls.as_ref(), &env, &mut origins);
    let after = layers.pick(|s| s.after.as_ref()).map_or_else(BTreeSet::new, |(names, origin)| {
        origins.insert(Field::After, origin);
        names.into_iter().map(|name| name.value).collect()
    });
    Service {
        name: name.to_string(),
        build: layers.build(&mut origins),
        command: layers.command(&mut origins),
        health: layers.health(&mut origins),
        secrets: layers.secrets_with_url_passwords(&env, has_password, &mut origins),
        egress: layers.egress(&mut origins),
        compute: layers.compute(&mut origins),
        replicas: layers.replicas(&mut origins),
        autoscale: layers.autoscale(&mut origins),
        ingress: layers.ingress(&mut origins),
        metrics: layers.metrics(&ports, &mut origins),
        security: layers.security(&mut origins),
        volumes: layers.volumes(&mut origins),
        files: layers.files(&mut origins),
        migrate: layers.block(Field::Migrate, |s| s.migrate.as_ref(), &mut origins).map(|m| m.command),
        strategy: layers.strategy(&mut origins),
        alerts: None,
        called_by: BTreeSet::new(),
        image,
        ports,
        env,
        uses,
        calls,
        after,
        origin,
        origins,
    }
}

fn job(
    name: &str,
    layers: &Layers<'_>,
    registry: Option<&str>,
    origin: crate::shared::span::Span,
    has_password: &dyn Fn(&str) -> bool,
) -> Option<Job> {
    let mut origins = BTreeMap::new();
    let (schedule, schedule_origin) = layers.pick(|s| s.schedule.as_ref())?;
    origins.insert(Field::Schedule, schedule_origin);
    let image = layers.image(name, registry, &mut origins);
    let env = layers.env(&mut origins);
    let uses = layers.links(Field::Uses, |s| s.uses.as_ref(), &env, &mut origins);
    let calls = layers.links(Field::Calls, |s| s.calls.as_ref(), &env, &mut origins);
    Some(Job {
        name: name.to_string(),
        build: layers.build(&mut origins),
        command: layers.command(&mut origins),
        secrets: layers.secrets_with_url_passwords(&env, has_password, &mut origins),
        egress: layers.egress(&mut origins),
        compute: layers.compute(&mut origins),
        security: layers.security(&mut origins),
        volumes: layers.volumes(&mut origins),
        files: layers.files(&mut origins),
        timeout: layers.timeout(&mut origins),
        retries: layers.retries(&mut origins),
        concurrency: layers.concurrency(&mut origins),
        schedule,
        image,
        env,
        uses,
        calls,
        origin,
        origins,
    })
}

/// Fill `called_by`: the reverse of every service's and job's `calls`.
fn link_callers(services: &mut BTreeMap<String, Service>, jobs: &BTreeMap<String, Job>) {
    let mut edges: Vec<(String, String)> = Vec::new();
    for service in services.values() {
        edges.extend(service.calls.iter().map(|callee| (callee.clone(), service.name.clone())));
    }
    for job in jobs.values() {
        edges.extend(job.calls.iter().map(|callee| (callee.clone(), job.name.clone())));
    }
    for (callee, caller) in edges {
        if let Some(service) = services.get_mut(&callee) {
            service.called_by.insert(caller);
        }
    }
}

/// What counts as inside the platform when nothing says otherwise: the private ranges of RFC 1918
/// (where clusters put pods, services and nodes), the shared address space of RFC 6598 (some CNIs'
/// pod ranges) and link-local (the cloud's instance metadata service, 169.254.169.254).
pub const DEFAULT_INTERNAL_CIDRS: &[&str] =
    &["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"];

/// The gateway, when the project or the environment asks for one, merged field by field.
fn gateway(
    base: Option<&crate::shared::span::Spanned<GatewayConfig>>,
    over: Option<&crate::shared::span::Spanned<GatewayConfig>>,
) -> Option<Gateway> {
    use crate::shared::span::Spanned;
    fn field_of<T: Clone>(
        base: Option<&Spanned<GatewayConfig>>,
        over: Option<&Spanned<GatewayConfig>>,
        field: impl Fn(&GatewayConfig) -> Option<&Spanned<T>>,
    ) -> Option<T> {
        over.and_then(|o| field(&o.value)).or_else(|| base.and_then(|b| field(&b.value))).map(|v| v.value.clone())
    }
    let span = over.or(base)?.span;
    let certificate = field_of(base, over, |g| g.certificate.as_ref());
    let key = field_of(base, over, |g| g.certificate_key.as_ref());
    Some(Gateway {
        expose: field_of(base, over, |g| g.expose.as_ref()).unwrap_or(Expose::Local),
        tls: certificate.zip(key).map(|(certificate, key)| GatewayTls { certificate, key }),
        cache_static: field_of(base, over, |g| g.cache_static.as_ref()),
        cache_get: field_of(base, over, |g| g.cache_get.as_ref()),
        csp: field_of(base, over, |g| g.csp.as_ref()).unwrap_or_else(|| DEFAULT_CSP.to_string()),
        span,
    })
}

/// Target options with the environment's `targets_config` applied field by field.
fn config(targets: &TargetsConfig, overrides: Option<&TargetsConfig>, stage: Stage) -> TargetConfig {
    fn value<T: Clone>(
        base: Option<&crate::shared::span::Spanned<T>>,
        over: Option<&crate::shared::span::Spanned<T>>,
    ) -> Option<T> {
        over.or(base).map(|v| v.value.clone())
    }
    let o = overrides;
    let compose = targets.compose.as_ref().map(|c| {
        let over = o.and_then(|o| o.compose.as_ref());
        ComposeOptions {
            gateway: gateway(c.gateway.as_ref(), over.and_then(|x| x.gateway.as_ref())),
            monitoring: value(c.monitoring.as_ref(), over.and_then(|x| x.monitoring.as_ref())).is_some(),
            // An environment's `publish` replaces the project's, like every other option.
            publish: over
                .filter(|x| !x.publish.is_empty())
                .map_or(&c.publish, |x| &x.publish)
                .iter()
                .map(|(service, port)| (service.clone(), port.value))
                .collect(),
            templates: c.templates.as_ref().map(|t| t.value.files.clone()).unwrap_or_default(),
        }
    });
    let helm = targets.helm.as_ref().map(|h| {
        let over = o.and_then(|o| o.helm.as_ref());
        HelmOptions {
            namespace: value(h.namespace.as_ref(), over.and_then(|x| x.namespace.as_ref())),
            ingress_class: value(h.ingress_class.as_ref(), over.and_then(|x| x.ingress_class.as_ref()))
                .unwrap_or_else(|| String::from("nginx")),
            cluster_issuer: value(h.cluster_issuer.as_ref(), over.and_then(|x| x.cluster_issuer.as_ref())),
            external_secrets: value(h.secrets.as_ref(), over.and_then(|x| x.secrets.as_ref()))
                .is_some_and(|mode| mode == "external-secrets"),
            secret_store: value(h.secret_store.as_ref(), over.and_then(|x| x.secret_store.as_ref()))
                .unwrap_or_else(|| String::from("default")),
            ingress_namespace: value(h.ingress_namespace.as_ref(), over.and_then(|x| x.ingress_namespace.as_ref()))
                .unwrap_or_else(|| String::from("ingress-nginx")),
            monitoring_namespace: value(
                h.monitoring_namespace.as_ref(),
                over.and_then(|x| x.monitoring_namespace.as_ref()),
            )
            .unwrap_or_else(|| String::from("monitoring")),
            internal_cidrs: value(h.internal_cidrs.as_ref(), over.and_then(|x| x.internal_cidrs.as_ref()))
                .unwrap_or_else(|| DEFAULT_INTERNAL_CIDRS.iter().map(|c| c.to_string()).collect()),
            service_port: value(h.service_port.as_ref(), over.and_then(|x| x.service_port.as_ref())),
            app_labels: value(h.app_labels.as_ref(), over.and_then(|x| x.app_labels.as_ref())).unwrap_or(false),
            per_service_secrets: value(h.secret_names.as_ref(), over.and_then(|x| x.secret_names.as_ref()))
                .is_some_and(|names| names == "per-service"),
            templates: h.templates.as_ref().map(|t| t.value.files.clone()).unwrap_or_default(),
            templates_span: h.templates.as_ref().map(|t| t.span),
        }
    });
    let aws = targets.aws.as_ref().map(|a| {
        let over = o.and_then(|o| o.aws.as_ref());
        AwsOptions {
            region: value(a.region.as_ref(), over.and_then(|x| x.region.as_ref())).unwrap_or_default(),
            account_id: value(a.account_id.as_ref(), over.and_then(|x| x.account_id.as_ref())).unwrap_or_default(),
            state_bucket: value(a.state_bucket.as_ref(), over.and_then(|x| x.state_bucket.as_ref()))
                .unwrap_or_default(),
            state_lock_table: value(a.state_lock_table.as_ref(), over.and_then(|x| x.state_lock_table.as_ref())),
            certificate_arn: value(a.certificate_arn.as_ref(), over.and_then(|x| x.certificate_arn.as_ref())),
            vpc: value(a.vpc.as_ref(), over.and_then(|x| x.vpc.as_ref())),
            single_nat_gateway: value(a.single_nat_gateway.as_ref(), over.and_then(|x| x.single_nat_gateway.as_ref()))
                .unwrap_or(false),
            backup_region: value(a.backup_region.as_ref(), over.and_then(|x| x.backup_region.as_ref())),
            backup_region_span: over
                .and_then(|x| x.backup_region.as_ref())
                .or(a.backup_region.as_ref())
                .map(|s| s.span),
            protect: value(a.protect.as_ref(), over.and_then(|x| x.protect.as_ref()))
                .unwrap_or(stage == Stage::Production),
            templates: a.templates.as_ref().map(|t| t.value.files.clone()).unwrap_or_default(),
        }
    });
    let azure = targets.azure.as_ref().map(|a| {
        let over = o.and_then(|o| o.azure.as_ref());
        AzureOptions {
            location: value(a.location.as_ref(), over.and_then(|x| x.location.as_ref())).unwrap_or_default(),
            plan_sku: value(a.plan_sku.as_ref(), over.and_then(|x| x.plan_sku.as_ref()))
                .unwrap_or_else(|| String::from("B1")),
            plan_sku_span: over.and_then(|x| x.plan_sku.as_ref()).or(a.plan_sku.as_ref()).map(|s| s.span),
            state_resource_group: value(
                a.state_resource_group.as_ref(),
                over.and_then(|x| x.state_resource_group.as_ref()),
            )
            .unwrap_or_default(),
            state_storage_account: value(
                a.state_storage_account.as_ref(),
                over.and_then(|x| x.state_storage_account.as_ref()),
            )
            .unwrap_or_default(),
            state_container: value(a.state_container.as_ref(), over.and_then(|x| x.state_container.as_ref()))
                .unwrap_or_else(|| String::from("tfstate")),
            templates: a.templates.as_ref().map(|t| t.value.files.clone()).unwrap_or_default(),
        }
    });
    let ecs = targets.ecs.as_ref().map(|e| {
        let over = o.and_then(|o| o.ecs.as_ref());
        EcsOptions {
            region: aws.as_ref().map(|a| a.region.clone()).unwrap_or_default(),
            account_id: aws.as_ref().map(|a| a.account_id.clone()).unwrap_or_default(),
            subnets: value(e.subnets.as_ref(), over.and_then(|x| x.subnets.as_ref())).unwrap_or_default(),
            security_groups: value(e.security_groups.as_ref(), over.and_then(|x| x.security_groups.as_ref()))
                .unwrap_or_default(),
            volumes: e
                .volumes
                .iter()
                .chain(over.map(|x| &x.volumes).into_iter().flatten())
                .map(|(name, pin)| (name.clone(), (pin.value.clone(), pin.span)))
                .collect(),
        }
    });
    TargetConfig { compose, helm, aws, azure, ecs }
}
