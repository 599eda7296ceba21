//! Scheduled backups of the compose databases: compose has no scheduler, so each database gets a
//! long-running `<resource>-backup` container of the resource's own image (its dump tool matches the
//! server's version) that sleeps until `backup_time` (UTC), dumps into the named volume
//! `<resource>-backups`, deletes dumps older than `backup_days`, and reports a failed dump through
//! its health check. A container rather than a host cron job, so that `docker compose up` on a
//! server is the whole deployment and the schedule lives beside the database it protects.

use crate::ir::{Auth, Resource, ResourceKind, Stack, Stage};
use crate::targets::compose::{literal, password_variable, required_variable};
use crate::targets::yaml_out::{Entry, Yaml};

/// Whether `resource` gets a backup container in `stack`, and if not, why (a line of compose.yaml's
/// header; `None` for both: nothing to say).
pub enum Plan {
    Container,
    Note(String),
}

/// What compose does with `resource`'s backups in `stack`.
pub fn plan(stack: &Stack, resource: &Resource) -> Plan {
    let name = &resource.name;
    if resource.backup_days == 0 {
        return Plan::Note(format!("{name}: no backups (backup_days: 0)."));
    }
    if stack.stage == Stage::Development {
        return Plan::Note(format!(
            "{name}: no scheduled backups in a development environment (backup_days applies to staging and production)."
        ));
    }
    if resource.kind == ResourceKind::Mssql {
        return Plan::Note(format!(
            "{name}: SQL Server writes its backups on the server's own disk, so compose does not schedule them: run `BACKUP DATABASE` from the host (see README, compose backups)."
        ));
    }
    Plan::Container
}

/// The named volume of `resource`'s dumps.
pub fn volume(resource: &Resource) -> String {
    format!("{}-backups", resource.name)
}

/// The `<resource>-backup` service.
pub fn container(resource: &Resource, image: &str) -> Yaml {
    let name = &resource.name;
    let password = required_variable(&password_variable(name));
    let with_password = resource.auth == Auth::Password;
    let (environment, dump, extension): (Vec<(&str, String)>, String, &str) = match resource.kind {
        ResourceKind::Postgres => {
            let mut environment = vec![
                ("PGDATABASE", resource.database.clone()),
                ("PGHOST", name.clone()),
                ("PGUSER", resource.user.clone()),
            ];
            if with_password {
                environment.push(("PGPASSWORD", password));
            }
            // The custom format is compressed and restores with pg_restore, table by table if need be.
            (environment, String::from("pg_dump --format=custom --file=\"$part\""), "dump")
        }
        ResourceKind::Mysql => {
            let mut environment = vec![("MYSQL_HOST", name.clone())];
            if with_password {
                environment.push(("MYSQL_PWD", password));
            }
            let dump = format!(
                "mysqldump --user={} --single-transaction --routines --events --result-file=\"$part\" {}",
                resource.user, resource.database
            );
            (environment, dump, "sql")
        }
        // `--rdb` asks the server for a fresh snapshot (what BGSAVE writes) and stores a copy here.
        ResourceKind::Redis => {
            let mut environment = Vec::new();
            if with_password {
                environment.push(("REDISCLI_AUTH", password));
            }
            (environment, format!("redis-cli -h {name} --rdb \"$part\""), "rdb")
        }
        // Not scheduled (see `plan`); kept total so a caller's mistake is a harmless no-op loop.
        ResourceKind::Mssql => (Vec::new(), String::from("false"), "bak"),
    };
    let script = script(resource, &dump, extension);
    let mut yaml = Yaml::map()
        .with("image", Yaml::str(image))
        .with("entrypoint", Yaml::strs(["/bin/sh", "-c"]))
        .with("command", Yaml::Seq(vec![Yaml::Str(literal(&script))]));
    if !environment.is_empty() {
        let entries = environment
            .into_iter()
            .map(|(key, value)| Entry { key: key.to_string(), value: Yaml::Str(value), comment: None })
            .collect();
        yaml.insert("environment", Yaml::Map(entries));
    }
    yaml.insert(
        "depends_on",
        Yaml::map().with(name.clone(), Yaml::map().with("condition", Yaml::str("service_healthy"))),
    );
    yaml.insert(
        "healthcheck",
        Yaml::map()
            .with("test", Yaml::strs(["CMD-SHELL", "test ! -e /backups/.failed"]))
            .with("interval", Yaml::str("5m"))
            .with("timeout", Yaml::str("5s"))
            .with("retries", Yaml::Int(1))
            .with("start_period", Yaml::str("10s")),
    );
    yaml.insert("volumes", Yaml::strs([format!("{}:/backups", volume(resource))]));
    // Root without capabilities: the named volume belongs to root, and nothing else is needed.
    super::gateway::harden(&mut yaml, "0:0", Some("/tmp"), "256M");
    yaml
}

/// The schedule loop: sleep until the backup time, dump to a partial file, rename it when complete,
/// mark a failure for the health check, delete what is older than the retention.
fn script(resource: &Resource, dump: &str, extension: &str) -> String {
    let name = &resource.name;
    let at = resource.backup_time.seconds();
    let keep = resource.backup_days.saturating_sub(1);
    [
        format!("# Daily at {} UTC; dumps older than {} days are deleted.", resource.backup_time, resource.backup_days),
        String::from("while :; do"),
        format!("  delay=$(( ({at} - $(date -u +%s) % 86400 + 86400) % 86400 ))"),
        String::from("  [ \"$delay\" -gt 0 ] || delay=86400"),
        String::from("  sleep \"$delay\""),
        format!("  file=/backups/{name}-$(date -u +%Y%m%dT%H%MZ).{extension}"),
        String::from("  part=\"$file.partial\""),
        format!("  if {dump} 2>/tmp/error && mv \"$part\" \"$file\"; then"),
        String::from("    rm -f /backups/.failed"),
        String::from("  else"),
        format!(
            "    rm -f \"$part\"; cat /tmp/error >&2; date -u > /backups/.failed; echo \"backup of {name} failed\" >&2"
        ),
        String::from("  fi"),
        format!("  find /backups -name '{name}-*' -type f -mtime +{keep} -delete"),
        String::from("done"),
    ]
    .join("\n")
        + "\n"
}
