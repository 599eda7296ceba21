//! Compose containers for databases and caches: the official image at the pinned major version, a
//! named volume, a health check, no published port. The table of sizes is in the README.

use crate::ir::{Auth, Resource, ResourceKind, Size};
use crate::targets::compose::{password_variable, required_variable, workload};
use crate::targets::yaml_out::Yaml;

/// Memory limit per size for local containers, in MiB.
pub fn memory_mebibytes(size: Size) -> u32 {
    match size {
        Size::Small => 512,
        Size::Medium => 1024,
        Size::Large => 2048,
    }
}

/// Compose's spelling of a limit in MiB: `512M`, `2G`.
fn compose_memory(mebibytes: u32) -> String {
    if mebibytes.is_multiple_of(1024) { format!("{}G", mebibytes / 1024) } else { format!("{mebibytes}M") }
}

/// The least memory an engine starts with, in MiB: SQL Server on Linux refuses to start below 2000 MB
/// ("This program requires a machine with at least 2000 megabytes of memory") and is OOM-killed
/// under a smaller cgroup limit. The other engines start within the smallest size (512M).
pub fn minimum_mebibytes(kind: ResourceKind) -> u32 {
    match kind {
        ResourceKind::Mssql => 2048,
        ResourceKind::Postgres | ResourceKind::Mysql | ResourceKind::Redis => 512,
    }
}

/// The container's memory limit: the size's, raised to the engine's minimum, with a header note
/// when raised.
pub fn memory_limit(resource: &Resource) -> (String, Option<String>) {
    let sized = memory_mebibytes(resource.size);
    let minimum = minimum_mebibytes(resource.kind);
    if sized >= minimum {
        return (compose_memory(sized), None);
    }
    let (raised, sized) = (compose_memory(minimum), compose_memory(sized));
    let note = format!(
        "{}: memory limit {raised}, not the {sized} of size {}: {} needs at least {raised} to start.",
        resource.name,
        resource.size.as_str(),
        resource.kind.as_str()
    );
    (raised, Some(note))
}

/// CPU limit per size for local containers.
pub fn cpus(size: Size) -> &'static str {
    match size {
        Size::Small => "0.5",
        Size::Medium => "1",
        Size::Large => "2",
    }
}

/// The image the resource's container runs: the model's own (a digest, a variant such as -alpine,
/// mariadb or valkey), else the official one at the pinned version.
pub fn image(resource: &Resource) -> String {
    resource.image.clone().unwrap_or_else(|| official_image(resource))
}

fn official_image(resource: &Resource) -> String {
    match resource.kind {
        ResourceKind::Postgres => format!("postgres:{}", resource.version),
        ResourceKind::Mysql => format!("mysql:{}", resource.version),
        ResourceKind::Mssql => format!("mcr.microsoft.com/mssql/server:{}-latest", resource.version),
        ResourceKind::Redis => format!("redis:{}", resource.version),
    }
}

/// The compose service of a resource and the name of its data volume.
pub fn container(resource: &Resource) -> (Yaml, String) {
    let volume = format!("{}-data", resource.name);
    let no_password = resource.auth == Auth::None;
    let password = required_variable(&password_variable(&resource.name));
    let mut yaml = Yaml::map();
    let (official, data_path, environment, test, command, caps): (
        String,
        &str,
        Vec<(&str, String)>,
        Vec<String>,
        Option<Vec<String>>,
        &[&str],
    ) = match resource.kind {
        ResourceKind::Postgres => (
            format!("postgres:{}", resource.version),
            "/var/lib/postgresql/data",
            vec![
                ("POSTGRES_DB", resource.database.clone()),
                if no_password {
                    ("POSTGRES_HOST_AUTH_METHOD", String::from("trust"))
                } else {
                    ("POSTGRES_PASSWORD", password)
                },
                ("POSTGRES_USER", resource.user.clone()),
            ],
            vec![String::from("CMD-SHELL"), format!("pg_isready -U {} -d {}", resource.user, resource.database)],
            None,
            &["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
        ),
        ResourceKind::Mysql => (
            format!("mysql:{}", resource.version),
            "/var/lib/mysql",
            mysql_environment(resource, password),
            vec![String::from("CMD-SHELL"), {
                let password = if no_password { "" } else { " --password=\"$$MYSQL_ROOT_PASSWORD\"" };
                let ping = format!("ping -h 127.0.0.1 -u root{password} --silent");
                match &resource.image {
                    // A model's own image may be MariaDB 11+, which ships mariadb-admin only.
                    Some(_) => format!("mysqladmin {ping} || mariadb-admin {ping}"),
                    None => format!("mysqladmin {ping}"),
                }
            }],
            None,
            &["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
        ),
        ResourceKind::Mssql => (
            format!("mcr.microsoft.com/mssql/server:{}-latest", resource.version),
            "/var/opt/mssql",
            vec![
                ("ACCEPT_EULA", String::from("Y")),
                ("MSSQL_PID", String::from("Developer")),
                ("MSSQL_SA_PASSWORD", password),
            ],
            vec![
                String::from("CMD-SHELL"),
                String::from(
                    "/opt/mssql-tools18/bin/sqlcmd -C -S localhost -U sa -P \"$$MSSQL_SA_PASSWORD\" -Q \"SELECT 1\" -b -o /dev/null",
                ),
            ],
            None,
            &[],
        ),
        ResourceKind::Redis if no_password => (
            format!("redis:{}", resource.version),
            "/data",
            Vec::new(),
            vec![String::from("CMD-SHELL"), String::from("redis-cli ping | grep -q PONG")],
            Some(vec![String::from("redis-server"), String::from("--appendonly"), String::from("yes")]),
            &["SETGID", "SETUID"],
        ),
        ResourceKind::Redis => (
            format!("redis:{}", resource.version),
            "/data",
            vec![("REDIS_PASSWORD", password)],
            vec![
                String::from("CMD-SHELL"),
                String::from("redis-cli -a \"$$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG"),
            ],
            Some(vec![
                String::from("sh"),
                String::from("-c"),
                String::from("exec redis-server --appendonly yes --requirepass \"$$REDIS_PASSWORD\""),
            ]),
            &["SETGID", "SETUID"],
        ),
    };
    // The model's own image (a digest, a variant such as -alpine, mariadb or valkey), else the official one.
    debug_assert_eq!(official, official_image(resource));
    yaml.insert("image", Yaml::str(image(resource)));
    if let Some(command) = command {
        yaml.insert("command", Yaml::strs(command));
    }
    if !environment.is_empty() {
        yaml.insert(
            "environment",
            Yaml::Map(
                environment
                    .into_iter()
                    .map(|(k, v)| crate::targets::yaml_out::Entry {
                        key: k.to_string(),
                        value: Yaml::Str(v),
                        comment: None,
                    })
                    .collect(),
            ),
        );
    }
    yaml.insert(
        "healthcheck",
        Yaml::map()
            .with("test", Yaml::strs(test))
            .with("interval", Yaml::str("10s"))
            .with("timeout", Yaml::str("5s"))
            .with("retries", Yaml::Int(5))
            .with("start_period", Yaml::str("30s")),
    );
    yaml.insert("volumes", Yaml::strs([format!("{volume}:{data_path}")]));
    yaml.insert("cap_drop", Yaml::strs(["ALL"]));
    if !caps.is_empty() {
        // The official images start as root to own their data folder, then drop to their own user.
        yaml.insert("cap_add", Yaml::strs(caps.iter().copied()));
    }
    yaml.insert("security_opt", Yaml::strs(["no-new-privileges:true"]));
    yaml.insert(
        "deploy",
        Yaml::map().with(
            "resources",
            Yaml::map().with(
                "limits",
                Yaml::map()
                    .with("cpus", Yaml::str(cpus(resource.size)))
                    .with("memory", Yaml::str(memory_limit(resource).0)),
            ),
        ),
    );
    yaml.insert("logging", workload::logging());
    yaml.insert("restart", Yaml::str("unless-stopped"));
    (yaml, volume)
}

fn mysql_environment(resource: &Resource, password: String) -> Vec<(&'static str, String)> {
    let mut environment = vec![("MYSQL_DATABASE", resource.database.clone())];
    if resource.auth == Auth::None {
        // Both official images read the MYSQL_ names (MariaDB's own are MARIADB_).
        environment.push(("MYSQL_ALLOW_EMPTY_PASSWORD", String::from("yes")));
        if resource.user != "root" {
            environment.push(("MYSQL_USER", resource.user.clone()));
        }
        return environment;
    }
    if resource.user == "root" {
        environment.push(("MYSQL_ROOT_PASSWORD", password));
    } else {
        environment.push(("MYSQL_PASSWORD", password.clone()));
        environment.push(("MYSQL_ROOT_PASSWORD", password));
        environment.push(("MYSQL_USER", resource.user.clone()));
    }
    environment
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::quantity::Memory;

    fn resource(kind: ResourceKind, size: Size) -> Resource {
        Resource {
            name: String::from("db"),
            kind,
            version: String::from(kind.default_version()),
            size,
            storage: Memory { mebibytes: 20 * 1024 },
            backup_days: 7,
            backup_days_span: None,
            backup_time: crate::model::BackupTime::DEFAULT,
            backup_copy: None,
            database: String::from("db"),
            allow_azure_services: false,
            host: None,
            port: kind.default_port(),
            user: String::from(kind.default_user()),
            tls: false,
            image: None,
            auth: crate::ir::Auth::Password,
            alerts: None,
            origin: crate::shared::span::Span::default(),
        }
    }

    #[test]
    fn sql_server_gets_the_two_gigabytes_it_needs_with_a_note() {
        let (limit, note) = memory_limit(&resource(ResourceKind::Mssql, Size::Small));
        assert_eq!(limit, "2G");
        assert_eq!(
            note.as_deref(),
            Some("db: memory limit 2G, not the 512M of size small: mssql needs at least 2G to start.")
        );
        assert_eq!(memory_limit(&resource(ResourceKind::Mssql, Size::Large)), (String::from("2G"), None));
        assert_eq!(memory_limit(&resource(ResourceKind::Postgres, Size::Small)), (String::from("512M"), None));
        assert_eq!(memory_limit(&resource(ResourceKind::Mysql, Size::Medium)), (String::from("1G"), None));
    }
}
