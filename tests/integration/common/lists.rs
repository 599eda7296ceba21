//! The folders that data-driven suites run one test per case over. Each list is a macro that hands
//! `name: "folder"` pairs to a suite's own test-generating macro; [`folders`] checks every list
//! against the folder on disk, so a new case cannot be left out.

/// `tests/cases/<case>/`: target snapshot cases.
macro_rules! target_cases {
    ($suite:ident) => {
        $suite! {
            aws_alerts: "aws-alerts",
            aws_backups: "aws-backups",
            aws_basic: "aws-basic",
            aws_egress: "aws-egress",
            aws_existing_vpc: "aws-existing-vpc",
            aws_mssql: "aws-mssql",
            azure_alerts: "azure-alerts",
            azure_basic: "azure-basic",
            azure_files: "azure-files",
            azure_postgres_job: "azure-postgres-job",
            compose_alerts_backups: "compose-alerts-backups",
            compose_basic: "compose-basic",
            compose_patches: "compose-patches",
            compose_server_gateway: "compose-server-gateway",
            connect_all_targets: "connect-all-targets",
            ecs_basic: "ecs-basic",
            ecs_probes: "ecs-probes",
            helm_alerts: "helm-alerts",
            helm_basic: "helm-basic",
            helm_edge: "helm-edge",
            helm_external_secrets: "helm-external-secrets",
            helm_ha: "helm-ha",
            helm_seed_names: "helm-seed-names",
            helm_slotwise: "helm-slotwise",
            patches_all_targets: "patches-all-targets",
            runtime_from_compose: "runtime-from-compose",
            stateful_all_targets: "stateful-all-targets",
        }
    };
}

/// `fixtures/err/<case>/`: models that must fail, with their rendered diagnostics.
macro_rules! error_cases {
    ($suite:ident) => {
        $suite! {
            alerts_limited: "alerts-limited",
            autoscale_bounds: "autoscale-bounds",
            azure_unsupported: "azure-unsupported",
            backup_limited: "backup-limited",
            credential_not_mapped: "credential-not-mapped",
            derived_name_invalid: "derived-name-invalid",
            duplicate_definition: "duplicate-definition",
            duplicate_key: "duplicate-key",
            duplicate_route: "duplicate-route",
            duplicate_service_file: "duplicate-service-file",
            fargate_size: "fargate-size",
            health_check_range: "health-check-range",
            health_check_shape: "health-check-shape",
            implicit_stage: "implicit-stage",
            invalid_cron: "invalid-cron",
            invalid_egress: "invalid-egress",
            invalid_gateway: "invalid-gateway",
            invalid_name: "invalid-name",
            invalid_port: "invalid-port",
            invalid_value: "invalid-value",
            limit_below_request: "limit-below-request",
            limit_exceeded: "limit-exceeded",
            missing_field: "missing-field",
            output_outside_project: "output-outside-project",
            patch_failed: "patch-failed",
            pin_missing: "pin-missing",
            read_failed: "read-failed",
            read_outside_project: "read-outside-project",
            runnable: "runnable",
            secret_values: "secret-values",
            standards: "standards",
            start_order_and_auth: "start-order-and-auth",
            stateful_blue_green: "stateful-blue-green",
            strip_prefix_on_aws: "strip-prefix-on-aws",
            tag_case: "tag-case",
            target_limits: "target-limits",
            target_not_configured: "target-not-configured",
            unknown_key: "unknown-key",
            unknown_placeholder: "unknown-placeholder",
            unknown_port_name: "unknown-port-name",
            unknown_reference: "unknown-reference",
            unsupported_on_target: "unsupported-on-target",
            unsupported_version: "unsupported-version",
            waivers: "waivers",
            windows_reserved_name: "windows-reserved-name",
            wrong_type: "wrong-type",
            yaml_syntax: "yaml-syntax",
        }
    };
}

/// `fixtures/ok/<system>/`: the seed systems with committed output.
macro_rules! ok_fixtures {
    ($suite:ident) => {
        $suite! {
            example: "example",
            pact: "pact",
            personal_system: "personal-system",
            slotwise: "slotwise",
            softfactory: "softfactory",
            tms: "tms",
        }
    };
}

/// `tests/import/<case>/`: compose files to import.
macro_rules! import_cases {
    ($suite:ident) => {
        $suite! {
            build_profiles_anchors: "build-profiles-anchors",
            docmost: "docmost",
            gitea_postgres: "gitea-postgres",
            immich: "immich",
            mastodon: "mastodon",
            monitoring_stack: "monitoring-stack",
            netbox: "netbox",
            nextcloud_redis_mariadb: "nextcloud-redis-mariadb",
            nginx_golang_postgres: "nginx-golang-postgres",
            paperless_postgres: "paperless-postgres",
            react_express_mariadb: "react-express-mariadb",
            sentry_self_hosted: "sentry-self-hosted",
            web_postgres_redis_worker: "web-postgres-redis-worker",
            wordpress_mariadb: "wordpress-mariadb",
            wp_graphql: "wp-graphql",
        }
    };
}

pub(crate) use {error_cases, import_cases, ok_fixtures, target_cases};

/// The folder names of a list, in order.
macro_rules! names {
    ($($name:ident: $folder:literal),* $(,)?) => {
        &[$($folder),*]
    };
}

pub const TARGET_CASES: &[&str] = target_cases!(names);
pub const ERROR_CASES: &[&str] = error_cases!(names);
pub const OK_FIXTURES: &[&str] = ok_fixtures!(names);
pub const IMPORT_CASES: &[&str] = import_cases!(names);

#[cfg(test)]
mod folders {
    use super::*;
    use crate::common;

    fn on_disk(root: &str, marker: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(common::repo().join(root))
            .expect("case folder")
            .flatten()
            .map(|entry| entry.path())
            .filter(|dir| marker.iter().any(|file| dir.join(file).is_file()))
            .map(|dir| common::name(&dir))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_case_folder_is_listed() {
        let compose = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];
        for (root, list, marker) in [
            ("tests/cases", TARGET_CASES, &["iacgen.yaml"][..]),
            ("fixtures/err", ERROR_CASES, &["iacgen.yaml"][..]),
            ("fixtures/ok", OK_FIXTURES, &["iacgen.yaml"][..]),
            ("tests/import", IMPORT_CASES, &compose[..]),
        ] {
            assert_eq!(
                on_disk(root, marker),
                list,
                "{root}: add the folder to its list in tests/integration/common/lists.rs"
            );
        }
    }
}
