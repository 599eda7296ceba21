//! The numbers the model gives, turned into what Azure accepts (modules/azure/README.md, sections 1.2,
//! 1.6, 1.7 and 3). Each function is pure; an impossible request is an `Err` with the reason, and the
//! caller adds the place in the model.

use crate::ir::{Health, ResourceKind, Size};
use crate::model::quantity::{Cpu, Memory};

/// Whether `sku` is an App Service plan SKU the `plan` module accepts (Basic, Standard, Premium,
/// Isolated; not Free or Shared, which cannot keep a container always on).
pub fn valid_plan_sku(sku: &str) -> bool {
    let digits = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    let in_range =
        |text: &str, low: char, high: char| text.len() == 1 && text.chars().all(|c| (low..=high).contains(&c));
    if let Some(rest) = sku.strip_prefix('B').or_else(|| sku.strip_prefix('S')) {
        return in_range(rest, '1', '3');
    }
    if let Some(rest) = sku.strip_prefix('P') {
        if in_range(rest, '1', '3') {
            return true;
        }
        let Some((number, version)) = rest.split_once('v') else { return false };
        let number = number.strip_suffix('m').unwrap_or(number);
        return digits(number) && in_range(version, '2', '4');
    }
    if let Some(rest) = sku.strip_prefix('I') {
        let Some((number, version)) = rest.split_once('v') else { return false };
        let number = number.strip_suffix('m').unwrap_or(number);
        return in_range(number, '1', '6') && version == "2";
    }
    false
}

/// Whether a plan of `sku` can have deployment slots and autoscale (Standard or higher).
pub fn plan_supports_slots(sku: &str) -> bool {
    !sku.starts_with('B')
}

/// Zone balancing: Premium v2/v3/v4 (or memory-optimised `P<n>mv3|mv4`) with at least 2 instances.
pub fn zone_balancing(sku: &str, capacity: u32) -> bool {
    let premium_v2_plus =
        sku.strip_prefix('P').and_then(|rest| rest.split_once('v')).is_some_and(|(number, version)| {
            let number = number.strip_suffix('m').unwrap_or(number);
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) && matches!(version, "2" | "3" | "4")
        });
    premium_v2_plus && capacity >= 2
}

/// Minutes an instance may fail the health check: `ceil(interval × retries / 60 s)` clamped to 2..10.
pub fn eviction_minutes(health: &Health) -> u64 {
    let millis = health.interval.millis.saturating_mul(u64::from(health.retries));
    millis.div_ceil(60_000).clamp(2, 10)
}

/// `WEBSITES_CONTAINER_START_TIME_LIMIT`: only when the start period exceeds App Service's 230 s default.
pub fn start_time_limit(health: &Health) -> Option<u64> {
    let seconds = health.start_period.secs_ceil();
    (seconds > 230).then(|| seconds.min(1800))
}

/// The smallest Consumption pair covering `cpu` and `memory`: vCPU in quarters, memory twice the vCPU
/// in Gi. Returns (`cpu`, `memory`) as written in the root, e.g. (`0.5`, `1Gi`).
pub fn job_size(cpu: Cpu, memory: Memory) -> Result<(String, String), String> {
    let quarters = u64::from(cpu.millis).div_ceil(250).max(u64::from(memory.mebibytes).div_ceil(512)).max(1);
    if quarters > 16 {
        return Err(format!(
            "{} vCPU and {} of memory, more than a Container Apps Consumption job offers (4 vCPU, 8Gi)",
            cpu.cores(),
            memory.kubernetes()
        ));
    }
    Ok((quarters_text(quarters), format!("{}Gi", quarters_text(quarters * 2))))
}

/// `n / 4` as Terraform writes the number: `0.25`, `0.5`, `1`, `1.75`.
fn quarters_text(quarters: u64) -> String {
    let whole = quarters / 4;
    match quarters % 4 {
        0 => whole.to_string(),
        1 => format!("{whole}.25"),
        2 => format!("{whole}.5"),
        _ => format!("{whole}.75"),
    }
}

/// The `postgres_version` of a model version (`"16"`, `"15.4"` → `"15"`).
pub fn postgres_version(version: &str) -> Result<String, String> {
    let major = version.split('.').next().unwrap_or_default();
    match major.parse::<u32>() {
        Ok(12..=17) => Ok(major.to_string()),
        _ => Err(format!(
            "PostgreSQL {version} is not offered by Azure Database for PostgreSQL flexible server (12 to 17)"
        )),
    }
}

/// The `mysql_version` of a model version: 8 / 8.0 → `8.0.21`, 5.7.
pub fn mysql_version(version: &str) -> Result<String, String> {
    match version {
        "8" | "8.0" | "8.0.21" => Ok(String::from("8.0.21")),
        "5.7" => Ok(String::from("5.7")),
        _ => Err(format!("MySQL {version} is not offered by Azure Database for MySQL flexible server (8.0, 5.7)")),
    }
}

/// The `redis_version` of a model version, and whether it is served by an older major (7 → 6).
pub fn redis_version(version: &str) -> Result<(String, bool), String> {
    let major = version.split('.').next().unwrap_or_default();
    match major {
        "6" => Ok((String::from("6"), false)),
        "7" => Ok((String::from("6"), true)),
        "4" => Ok((String::from("4"), false)),
        _ => Err(format!("Redis {version} is not offered by Azure Cache for Redis (4, 6; 7 is served by 6)")),
    }
}

/// The storage argument of a database, in whole GiB, or why Azure cannot hold it.
pub fn storage_gb(kind: ResourceKind, size: Size, storage: Memory) -> Result<u32, String> {
    let gib = storage.gibibytes_ceil();
    let limit = match (kind, size) {
        (ResourceKind::Mssql, Size::Small) => 250,
        (ResourceKind::Mssql, _) => 1024,
        (ResourceKind::Postgres, _) => 32767,
        (ResourceKind::Mysql, _) => 16384,
        (ResourceKind::Redis, _) => u32::MAX,
    };
    if gib > limit {
        return Err(format!(
            "{gib} GiB is more than a {} {} database holds on Azure ({limit} GiB)",
            size.as_str(),
            kind.as_str()
        ));
    }
    Ok(gib)
}

/// `backup_retention_days`, or why it is out of Azure's range (postgres 7-35, mysql and mssql 1-35).
pub fn backup_days(kind: ResourceKind, days: u32) -> Result<u32, String> {
    let low = if kind == ResourceKind::Postgres { 7 } else { 1 };
    if (low..=35).contains(&days) {
        Ok(days)
    } else {
        Err(format!("{} on Azure keeps backups for {low} to 35 days, not {days}", kind.as_str()))
    }
}

/// Whether a database name is accepted by the server kind.
pub fn valid_database_name(kind: ResourceKind, name: &str) -> bool {
    let mut characters = name.chars();
    match kind {
        ResourceKind::Postgres => {
            name.len() <= 63
                && characters.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && characters.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        ResourceKind::Mysql => {
            !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        }
        ResourceKind::Mssql => {
            !name.is_empty()
                && name.chars().count() <= 128
                && !name.chars().any(|c| "<>*%&:\\/?".contains(c))
                && !name.ends_with('.')
                && !name.ends_with(' ')
        }
        ResourceKind::Redis => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::HealthCheck;
    use crate::model::quantity::Duration;

    fn health(interval: u64, retries: u32, start: u64) -> Health {
        Health {
            check: HealthCheck::Http { path: String::from("/"), ready: String::from("/") },
            interval: Duration::from_secs(interval),
            timeout: Duration::from_secs(5),
            retries,
            start_period: Duration::from_secs(start),
            probe: crate::ir::Probe::Auto,
            readiness: crate::ir::Timings {
                interval: Duration::from_secs(interval),
                timeout: Duration::from_secs(5),
                retries,
                start_period: Duration::from_secs(start),
            },
        }
    }

    #[test]
    fn plan_skus() {
        for sku in ["B1", "B3", "S1", "P1", "P1v3", "P2v2", "P1mv3", "P0v4", "I1v2", "I2mv2"] {
            assert!(valid_plan_sku(sku), "{sku}");
        }
        for sku in ["F1", "D1", "B4", "P1v1", "Y1", "p1v3", "", "I7v2"] {
            assert!(!valid_plan_sku(sku), "{sku}");
        }
        assert!(zone_balancing("P1v3", 2));
        assert!(zone_balancing("P1mv3", 3));
        assert!(!zone_balancing("P1v3", 1));
        assert!(!zone_balancing("S1", 3));
        assert!(!zone_balancing("P1", 3));
        assert!(!plan_supports_slots("B2"));
        assert!(plan_supports_slots("S1"));
    }

    #[test]
    fn health_timing() {
        assert_eq!(eviction_minutes(&health(30, 3, 5)), 2);
        assert_eq!(eviction_minutes(&health(60, 5, 5)), 5);
        assert_eq!(eviction_minutes(&health(300, 10, 5)), 10);
        assert_eq!(start_time_limit(&health(30, 3, 5)), None);
        assert_eq!(start_time_limit(&health(30, 3, 300)), Some(300));
        assert_eq!(start_time_limit(&health(30, 3, 3600)), Some(1800));
    }

    #[test]
    fn job_sizes() {
        let size = |cpu: u32, memory: u32| job_size(Cpu { millis: cpu }, Memory { mebibytes: memory });
        assert_eq!(size(500, 1024), Ok((String::from("0.5"), String::from("1Gi"))));
        assert_eq!(size(250, 1024), Ok((String::from("0.5"), String::from("1Gi"))));
        assert_eq!(size(250, 512), Ok((String::from("0.25"), String::from("0.5Gi"))));
        assert_eq!(size(1100, 256), Ok((String::from("1.25"), String::from("2.5Gi"))));
        assert_eq!(size(4000, 8192), Ok((String::from("4"), String::from("8Gi"))));
        assert!(size(4001, 256).is_err());
        assert!(size(250, 8193).is_err());
    }

    #[test]
    fn versions_and_storage() {
        assert_eq!(postgres_version("15.4"), Ok(String::from("15")));
        assert!(postgres_version("11").is_err());
        assert_eq!(mysql_version("8"), Ok(String::from("8.0.21")));
        assert!(mysql_version("8.4").is_err());
        assert_eq!(redis_version("7"), Ok((String::from("6"), true)));
        assert!(redis_version("5").is_err());
        let gib = |n: u32| Memory { mebibytes: n * 1024 };
        assert_eq!(storage_gb(ResourceKind::Mssql, Size::Small, gib(20)), Ok(20));
        assert!(storage_gb(ResourceKind::Mssql, Size::Small, gib(251)).is_err());
        assert_eq!(storage_gb(ResourceKind::Postgres, Size::Small, Memory { mebibytes: 20 * 1024 + 1 }), Ok(21));
        assert!(backup_days(ResourceKind::Postgres, 3).is_err());
        assert_eq!(backup_days(ResourceKind::Mssql, 3), Ok(3));
        assert!(valid_database_name(ResourceKind::Postgres, "pact_production"));
        assert!(!valid_database_name(ResourceKind::Postgres, "pact-production"));
    }
}
