//! One environment of the ecs target: task definitions, schedules and the README beside them.

use std::collections::BTreeSet;

use crate::ir::{Compute, EcsOptions, Field, Job, SecretRef, Service, Stack, Target, Volume};
use crate::model::placeholder::{Placeholder, ResourceAttr, ServiceAttr, Template};
use crate::shared::FileSet;
use crate::targets::fargate::container::{self, Place, Values, Workload};
use crate::targets::fargate::node::{self, Layout, Node};
use crate::targets::fargate::schedule;
use crate::targets::fargate::size::{self, TaskSize};
use crate::targets::yaml_out::Yaml;
use crate::targets::{EmitOptions, connection, header, yaml_out};

/// Placeholders and secrets as plain strings: the environment's pinned values and Secrets Manager ARNs.
struct Literal<'a> {
    stack: &'a Stack,
    region: &'a str,
    account: &'a str,
}

impl Literal<'_> {
    fn placeholder(&self, placeholder: &Placeholder) -> String {
        let stack = self.stack;
        match placeholder {
            Placeholder::Environment => stack.environment.clone(),
            Placeholder::Project => stack.project.clone(),
            Placeholder::Resource { name, attr } => match stack.resources.get(name) {
                Some(resource) => match attr {
                    ResourceAttr::Host => resource.host.clone().unwrap_or_default(),
                    ResourceAttr::Port => resource.port.to_string(),
                    ResourceAttr::Name => resource.database.clone(),
                    ResourceAttr::User => resource.user.clone(),
                    // ECS injects whole secrets only: the URL carries no password, which the task
                    // gets in its own variable (README: ecs).
                    ResourceAttr::Url => connection::url(connection::UrlParts {
                        kind: resource.kind,
                        tls: resource.tls,
                        user: &connection::escape(&resource.user),
                        password: None,
                        host: resource.host.as_deref().unwrap_or_default(),
                        port: &resource.port.to_string(),
                        database: &connection::escape(&resource.database),
                    }),
                },
                None => String::new(),
            },
            Placeholder::Service { name, attr } => {
                let host = service_host(stack, name);
                let port = stack.services.get(name).and_then(Service::http_port).map(|p| p.to_string());
                let port = port.unwrap_or_default();
                match attr {
                    ServiceAttr::Host => host,
                    ServiceAttr::Port => port,
                    ServiceAttr::Url => format!("http://{host}:{port}"),
                }
            }
        }
    }

    fn secret_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:secretsmanager:{}:{}:secret:{}/{}/{name}",
            self.region, self.account, self.stack.project, self.stack.environment
        )
    }
}

impl Values for Literal<'_> {
    fn env(&self, template: &Template) -> Node {
        Node::Str(template.render(|placeholder| self.placeholder(placeholder)))
    }

    fn secret(&self, reference: &SecretRef) -> Node {
        match reference {
            SecretRef::Declared(name) => Node::Str(self.secret_arn(name)),
            SecretRef::ResourcePassword(resource) => Node::Str(format!("{}:password::", self.secret_arn(resource))),
        }
    }
}

/// `<service>.<project>-<env>.internal`: the Cloud Map name the aws target registers.
pub fn service_host(stack: &Stack, service: &str) -> String {
    format!("{service}.{}-{}.internal", stack.project, stack.environment)
}

/// Emit `ecs/<env>/` of one environment.
pub fn emit_environment(stack: &Stack, options: &EmitOptions, files: &mut FileSet) {
    let ecs = stack.config.ecs.clone().unwrap_or_default();
    let environment = stack.environment.as_str();
    let place = Place { project: &stack.project, environment, region: &ecs.region };
    let values = Literal { stack, region: &ecs.region, account: &ecs.account_id };
    let dir = format!("ecs/{environment}");
    if stack.targets.contains(&Target::Aws) {
        let text = deferred_readme(stack, &place, options);
        files.insert(format!("{dir}/README.md"), Target::Ecs, Some(environment), text);
        return;
    }
    let mut notes = Notes::default();
    let add = |files: &mut FileSet, name: String, text: String| {
        files.insert(format!("{dir}/{name}"), Target::Ecs, Some(environment), text);
    };

    // `checks` rejected workloads larger than any Fargate task and schedules EventBridge cannot
    // express before emission: none is skipped here.
    for service in stack.services.values() {
        let Some(size) = size::for_compute(&service.compute) else { continue };
        notes.size(&service.name, &service.compute, size);
        notes.volumes(&service.name, &service.volumes, &ecs);
        let definition = task_definition(stack, &place, &ecs.account_id, Workload::Service(service), size, &values);
        add(files, format!("{}.json", service.name), node::to_json(&definition));
        notes.secrets.extend(Workload::Service(service).secret_refs());
        notes.connections(&place.prefix(&service.name), &service.egress, &service.env, &service.secrets);
        notes.roles.insert(service.name.clone());
        notes.registrations.push(format!("{}.json", service.name));
        if service.migrate.is_some() {
            let migration = Workload::Migration(service);
            let definition = task_definition(stack, &place, &ecs.account_id, migration, size, &values);
            add(files, format!("{}-migrate.json", service.name), node::to_json(&definition));
            notes.registrations.push(format!("{}-migrate.json", service.name));
            notes.secrets.extend(migration.secret_refs());
        }
    }
    for job in stack.jobs.values() {
        let Some(size) = size::for_compute(&job.compute) else { continue };
        let Ok(expression) = schedule::eventbridge(&job.schedule) else { continue };
        notes.size(&job.name, &job.compute, size);
        notes.volumes(&job.name, &job.volumes, &ecs);
        let definition = task_definition(stack, &place, &ecs.account_id, Workload::Job(job), size, &values);
        add(files, format!("{}.json", job.name), node::to_json(&definition));
        let schedule = schedule_input(stack, &place, &ecs.account_id, job, &expression);
        add(
            files,
            format!("{}.schedule.yaml", job.name),
            format!(
                "{}{}",
                header::hash_comment(&options.model_file, &schedule_comment(stack, job, &expression)),
                yaml_out::to_string(&schedule)
            ),
        );
        notes.secrets.extend(Workload::Job(job).secret_refs());
        notes.connections(&place.prefix(&job.name), &job.egress, &job.env, &job.secrets);
        notes.roles.insert(job.name.clone());
        notes.registrations.push(format!("{}.json", job.name));
        notes.schedules.push(job.name.clone());
    }
    add(files, String::from("README.md"), notes.render(stack, &place, &ecs.account_id, options));
}

/// The README of an environment that also targets aws, in place of the task definitions: there
/// Terraform registers every family with the endpoints and secrets it creates (RDS endpoints and
/// RDS-managed secrets exist only after its apply), so a second registration of the same family
/// from pinned values would be a different task. The README says so, and how to get Terraform's.
fn deferred_readme(stack: &Stack, place: &Place<'_>, options: &EmitOptions) -> String {
    let environment = &stack.environment;
    let mut families: Vec<String> = Vec::new();
    for service in stack.services.values() {
        families.push(place.prefix(&service.name));
        if service.migrate.is_some() {
            families.push(format!("{}-migrate", place.prefix(&service.name)));
        }
    }
    families.extend(stack.jobs.values().map(|job| place.prefix(&job.name)));
    families.sort();
    let mut out = format!("<!-- {} -->\n\n", header::text(&options.model_file));
    out.push_str(&format!("# ECS task definitions: environment `{environment}` of `{}`\n\n", stack.project));
    out.push_str(&format!(
        "This environment also targets `aws`: its Terraform root, `terraform/aws/{environment}/`, registers the task definitions of every service, migration and job, creates the schedules and rolls the services, with the database and cache endpoints and the secrets it creates. So the ecs target writes no task definition here: registering the same families again from the environment's pinned values would make a different task (other hosts and secret ARNs) the next revision of each family.\n\n"
    ));
    out.push_str("Deploy with Terraform: set the version in the model, run `iacgen build`, then `terraform apply` in the root (each service's migration runs to completion before the service rolls).\n\n");
    out.push_str(&format!("Families registered by Terraform, in cluster `{}-{environment}`:\n\n", stack.project));
    for family in &families {
        out.push_str(&format!("- `{family}`\n"));
    }
    out.push_str(&format!(
        "\nTo take one as `register-task-definition` input (for a tool that registers revisions itself), read it back from ECS:\n\n```sh\naws ecs describe-task-definition --region {} --task-definition <family> --query taskDefinition > <family>.json\n```\n\nand drop the fields ECS adds (`taskDefinitionArn`, `revision`, `status`, `requiresAttributes`, `compatibilities`, `registeredAt`, `registeredBy`) before registering it.\n",
        place.region
    ));
    out
}

/// The `register-task-definition` input of one workload.
fn task_definition(
    stack: &Stack,
    place: &Place<'_>,
    account: &str,
    workload: Workload<'_>,
    size: TaskSize,
    values: &Literal<'_>,
) -> Node {
    let (owner, family, volumes) = match workload {
        Workload::Service(service) => (&service.name, place.prefix(&service.name), &service.volumes),
        Workload::Migration(service) => {
            (&service.name, format!("{}-migrate", place.prefix(&service.name)), &service.volumes)
        }
        Workload::Job(job) => (&job.name, place.prefix(&job.name), &job.volumes),
    };
    let role = |suffix: &str| Node::Str(format!("arn:aws:iam::{account}:role/{}-{suffix}", place.prefix(owner)));
    let mut task = Node::object(Layout::Block)
        .with("family", Node::Str(family))
        .with("requiresCompatibilities", Node::strs(["FARGATE"]))
        .with("networkMode", Node::str("awsvpc"))
        .with("cpu", Node::Str(size.cpu.to_string()))
        .with("memory", Node::Str(size.memory.to_string()))
        .with(
            "runtimePlatform",
            Node::object(Layout::Block)
                .with("operatingSystemFamily", Node::str("LINUX"))
                .with("cpuArchitecture", Node::str("X86_64")),
        )
        .with("executionRoleArn", role("execution"))
        .with("taskRoleArn", role("task"))
        .with(
            "containerDefinitions",
            Node::List(vec![container::definition(workload, size, place, values)], Layout::Block),
        );
    let volumes = container::task_volumes(volumes);
    if !volumes.is_empty() {
        let pin = stack.config.ecs.as_ref().and_then(|ecs| ecs.volumes.get(owner)).map(|(pin, _)| pin);
        let volumes = volumes
            .into_iter()
            .map(|volume| {
                let node = Node::object(Layout::Inline).with("name", Node::Str(volume.name));
                if !volume.persistent {
                    return node;
                }
                // Validation (IAC035) makes sure both ids are pinned.
                let file_system = pin.map(|pin| pin.file_system.clone()).unwrap_or_default();
                let access_point = pin.and_then(|pin| pin.access_points.get(&volume.path)).cloned().unwrap_or_default();
                node.with(
                    "efsVolumeConfiguration",
                    Node::object(Layout::Block)
                        .with("fileSystemId", Node::Str(file_system))
                        .with("transitEncryption", Node::str("ENABLED"))
                        .with(
                            "authorizationConfig",
                            Node::object(Layout::Inline)
                                .with("accessPointId", Node::Str(access_point))
                                .with("iam", Node::str("ENABLED")),
                        ),
                )
            })
            .collect();
        task.push("volumes", Node::List(volumes, Layout::Block));
    }
    task.push("tags", tags(stack));
    task
}

/// The model's tags plus `Project`, `Environment` and `ManagedBy` (which win, in the model's spelling
/// when it has one of them in another case), sorted by key.
fn tags(stack: &Stack) -> Node {
    let tags = crate::targets::tags::with_own(
        &stack.tags,
        &[("Project", &stack.project), ("Environment", &stack.environment), ("ManagedBy", "iacgen")],
    );
    let list = tags
        .into_iter()
        .map(|(key, value)| Node::object(Layout::Inline).with("key", Node::Str(key)).with("value", Node::Str(value)))
        .collect();
    Node::List(list, Layout::Block)
}

fn schedule_comment(stack: &Stack, job: &Job, expression: &str) -> Vec<String> {
    let mut lines = vec![
        format!(
            "EventBridge Scheduler schedule of job `{}`: \"{}\" (cron, UTC) is {expression}.",
            job.name, job.schedule.expression
        ),
        format!(
            "Register {}.json first, then: aws scheduler create-schedule --cli-input-yaml file://{}.schedule.yaml",
            job.name, job.name
        ),
        String::from("The role in Target.RoleArn must trust scheduler.amazonaws.com and may ecs:RunTask this family"),
        String::from("and iam:PassRole its execution and task roles (see README.md)."),
    ];
    if stack.config.ecs.as_ref().is_none_or(|ecs| ecs.subnets.is_empty()) {
        lines.push(String::from(
            "No network configuration: set `targets.ecs.subnets` and `security_groups` in the model, or add",
        ));
        lines.push(String::from(
            "Target.EcsParameters.NetworkConfiguration before creating it (Fargate tasks need one).",
        ));
    }
    if job.timeout.is_some() || job.origins.get(&Field::Concurrency).is_some_and(|o| o.span.is_some()) {
        lines.push(String::from("Not enforced on AWS: the job's timeout and concurrency (ECS has no equivalent)."));
    }
    lines
}

/// The `create-schedule` input: UTC, no flexible window, one Fargate task of the latest revision.
fn schedule_input(stack: &Stack, place: &Place<'_>, account: &str, job: &Job, expression: &str) -> Yaml {
    let region = place.region;
    let name = place.prefix(&job.name);
    let cluster = format!("{}-{}", stack.project, stack.environment);
    let ecs = stack.config.ecs.clone().unwrap_or_default();
    let mut parameters = Yaml::map()
        .with("TaskDefinitionArn", Yaml::str(format!("arn:aws:ecs:{region}:{account}:task-definition/{name}")))
        .with("TaskCount", Yaml::Int(1))
        .with("LaunchType", Yaml::str("FARGATE"))
        .with("PlatformVersion", Yaml::str("LATEST"));
    if !ecs.subnets.is_empty() {
        let mut awsvpc = Yaml::map().with("Subnets", Yaml::strs(ecs.subnets.iter().cloned()));
        if !ecs.security_groups.is_empty() {
            awsvpc.insert("SecurityGroups", Yaml::strs(ecs.security_groups.iter().cloned()));
        }
        awsvpc.insert("AssignPublicIp", Yaml::str("DISABLED"));
        parameters.insert("NetworkConfiguration", Yaml::map().with("awsvpcConfiguration", awsvpc));
    }
    parameters.insert("PropagateTags", Yaml::str("TASK_DEFINITION"));
    Yaml::map()
        .with("Name", Yaml::str(name.clone()))
        .with("Description", Yaml::str(format!("Runs {name} on {expression} (UTC)")))
        .with("ScheduleExpression", Yaml::str(expression))
        .with("ScheduleExpressionTimezone", Yaml::str("UTC"))
        .with("FlexibleTimeWindow", Yaml::map().with("Mode", Yaml::str("OFF")))
        .with("State", Yaml::str("ENABLED"))
        .with(
            "Target",
            Yaml::map()
                .with("Arn", Yaml::str(format!("arn:aws:ecs:{region}:{account}:cluster/{cluster}")))
                .with("RoleArn", Yaml::str(format!("arn:aws:iam::{account}:role/{name}-scheduler")))
                .with(
                    "RetryPolicy",
                    Yaml::map()
                        .with("MaximumRetryAttempts", Yaml::Int(i64::from(job.retries)))
                        .with("MaximumEventAgeInSeconds", Yaml::Int(3600)),
                )
                .with("EcsParameters", parameters),
        )
}

/// What the README beside the task definitions lists.
#[derive(Default)]
struct Notes {
    sizes: Vec<String>,
    registrations: Vec<String>,
    schedules: Vec<String>,
    roles: BTreeSet<String>,
    secrets: BTreeSet<SecretRef>,
    /// Per family: the outbound TCP its security groups must allow (the model's `egress`).
    egress: Vec<String>,
    /// Per family: connection URLs that carry no password, and the variable that does.
    urls: Vec<String>,
    /// One line per workload with persistent volumes: its EFS file system and access points.
    file_systems: Vec<String>,
}

impl Notes {
    /// What a family reaches outside the platform, and its connection URLs without a password.
    fn connections(
        &mut self,
        family: &str,
        egress: &[crate::ir::Egress],
        env: &std::collections::BTreeMap<String, crate::ir::EnvValue>,
        secrets: &std::collections::BTreeMap<String, crate::ir::SecretEnv>,
    ) {
        if !egress.is_empty() {
            let rules: Vec<String> = egress
                .iter()
                .map(|entry| {
                    let cidr = entry.host.cidr().unwrap_or_else(|| String::from("0.0.0.0/0"));
                    format!("TCP {} to {cidr} ({entry})", entry.port)
                })
                .collect();
            self.egress.push(format!("- `{family}`: {}", rules.join("; ")));
        }
        for (name, value) in env {
            for (placeholder, _) in value.template.placeholders() {
                let Placeholder::Resource { name: resource, attr: ResourceAttr::Url } = placeholder else { continue };
                if let Some(password) = crate::ir::password_env(secrets, resource) {
                    self.urls.push(format!("- `{family}`: `{name}` (its password is in `{password}`)"));
                }
            }
        }
    }

    fn size(&mut self, name: &str, compute: &Compute, size: TaskSize) {
        self.sizes.push(size::describe(name, compute, size));
    }

    fn volumes(&mut self, name: &str, volumes: &std::collections::BTreeMap<String, Volume>, ecs: &EcsOptions) {
        let persistent = container::persistent_volumes(volumes);
        if persistent.is_empty() {
            return;
        }
        let pin = ecs.volumes.get(name).map(|(pin, _)| pin);
        let file_system = pin.map(|pin| pin.file_system.as_str()).unwrap_or_default();
        let points: Vec<String> = persistent
            .iter()
            .map(|(path, _)| {
                let point = pin.and_then(|pin| pin.access_points.get(path)).map(String::as_str).unwrap_or_default();
                format!("`{path}` through access point `{point}`")
            })
            .collect();
        self.file_systems.push(format!("`{name}`: file system `{file_system}`, {}", points.join(", ")));
    }

    fn render(&self, stack: &Stack, place: &Place<'_>, account: &str, options: &EmitOptions) -> String {
        let environment = &stack.environment;
        let region = place.region;
        let mut out = format!("<!-- {} -->\n\n", header::text(&options.model_file));
        out.push_str(&format!("# ECS task definitions: environment `{environment}` of `{}`\n\n", stack.project));
        out.push_str(&format!(
            "Fargate task definitions for cluster `{}-{environment}` in account {account}, region {region}.\n\n",
            stack.project
        ));
        out.push_str(
            "Register each one (every registration adds a revision; a service runs it after `aws ecs update-service --task-definition <family>`):\n\n```sh\n",
        );
        for file in &self.registrations {
            out.push_str(&format!(
                "aws ecs register-task-definition --region {region} --cli-input-json file://{file}\n"
            ));
        }
        out.push_str("```\n\n");
        if !self.schedules.is_empty() {
            out.push_str("Then create each schedule (EventBridge Scheduler, UTC):\n\n```sh\n");
            for job in &self.schedules {
                out.push_str(&format!(
                    "aws scheduler create-schedule --region {region} --cli-input-yaml file://{job}.schedule.yaml\n"
                ));
            }
            out.push_str("```\n\n");
            if stack.config.ecs.as_ref().is_none_or(|ecs| ecs.subnets.is_empty()) {
                out.push_str(
                    "The schedules carry no network configuration: set `targets.ecs.subnets` and `security_groups` in the model, or add `Target.EcsParameters.NetworkConfiguration` before creating them.\n\n",
                );
            }
        }
        let migrations: Vec<&String> =
            self.registrations.iter().filter(|file| file.ends_with("-migrate.json")).collect();
        if !migrations.is_empty() {
            out.push_str("Run each migration to completion before deploying its service's new revision:\n\n```sh\n");
            let ecs = stack.config.ecs.clone().unwrap_or_default();
            let list = |items: &[String]| if items.is_empty() { String::from("...") } else { items.join(",") };
            let network = format!(
                "awsvpcConfiguration={{subnets=[{}],securityGroups=[{}]}}",
                list(&ecs.subnets),
                list(&ecs.security_groups)
            );
            for file in migrations {
                let family = place.prefix(file.trim_end_matches(".json").trim_end_matches("-migrate"));
                out.push_str(&format!(
                    "aws ecs run-task --region {region} --cluster {}-{environment} --launch-type FARGATE --task-definition {family}-migrate --network-configuration '{network}'\n",
                    stack.project
                ));
            }
            out.push_str("```\n\n");
        }
        out.push_str(
            "These are task definitions only: the ECS services (desired count, load balancer, autoscaling) and the network are created with `aws ecs create-service`, or by the aws target.\n\n",
        );
        if !self.egress.is_empty() {
            out.push_str("Outbound access the tasks need beyond the VPC (the model's `egress`): allow it in the security groups the tasks run with. Security groups match addresses, not names, so a host name needs its port open to every address:\n\n");
            for line in &self.egress {
                out.push_str(&format!("{line}\n"));
            }
            out.push('\n');
        }
        if !self.urls.is_empty() {
            out.push_str("Connection URLs (`${resources.<r>.url}`) carry no password here: ECS injects a secret only as a whole variable, so the task gets the password in its own variable and the application adds it to the URL (redis-py `password=`, ioredis `password`, libpq `PGPASSWORD`):\n\n");
            for line in &self.urls {
                out.push_str(&format!("{line}\n"));
            }
            out.push('\n');
        }
        out.push_str(
            "HTTP health checks run inside the container with the tool `health.probe` names (`curl`, `wget` or `python` (python3's urllib, no shell needed)); by default (`auto`) `/bin/sh` tries curl, then wget, then python3. An image with none of them needs `health.command`, or `probe: none` (no container check; the load balancer still checks the path).\n\n",
        );
        out.push_str(
            "## Fargate sizes\n\nThe smallest valid task size that covers each workload's limits (CPU units/MiB):\n\n",
        );
        for line in &self.sizes {
            out.push_str(&format!("- {line}\n"));
        }
        out.push_str("\n## What must exist first\n\n");
        out.push_str("IAM roles (the execution role pulls the image, writes logs and reads the secrets below; the task role is the application's identity):\n\n");
        for name in &self.roles {
            let prefix = place.prefix(name);
            out.push_str(&format!("- `{prefix}-execution`, `{prefix}-task`"));
            if self.schedules.contains(name) {
                out.push_str(&format!(", `{prefix}-scheduler` (trusted by scheduler.amazonaws.com)"));
            }
            out.push('\n');
        }
        out.push_str("\nCloudWatch log groups (the execution role may not create them):\n\n");
        for name in &self.roles {
            out.push_str(&format!("- `{}`\n", place.log_group(name)));
        }
        if !self.file_systems.is_empty() {
            out.push_str("\nEFS file systems of the persistent volumes (`targets.ecs.volumes`; the aws target creates them so). The task definitions mount them with transit encryption and IAM authorization, so each must have mount targets in the tasks' subnets whose security group admits NFS (TCP 2049) from the tasks, each access point must set the workload's user and group and a root folder of its own, and the task role needs `elasticfilesystem:ClientMount` and `elasticfilesystem:ClientWrite` on its file system:\n\n");
            for line in &self.file_systems {
                out.push_str(&format!("- {line}\n"));
            }
        }
        if !self.secrets.is_empty() {
            out.push_str("\nSecrets Manager secrets (values are never in the model or this folder):\n\n");
            for secret in &self.secrets {
                match secret {
                    SecretRef::Declared(name) => {
                        out.push_str(&format!("- `{}/{environment}/{name}`: a plain string\n", stack.project));
                    }
                    SecretRef::ResourcePassword(resource) => out.push_str(&format!(
                        "- `{}/{environment}/{resource}`: JSON `{{\"username\": ..., \"password\": ...}}` (the shape of an RDS-managed secret); tasks read the key `password`\n",
                        stack.project
                    )),
                }
            }
        }
        out
    }
}
