//! The stable diagnostic codes. A code never changes meaning once released; `iacgen rules` lists them.

use crate::diagnostic::Severity;

/// A diagnostic code: `IAC` + number, a kebab-case name, and its documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    pub number: u16,
    pub name: &'static str,
    pub severity: Severity,
    /// Whether a service may waive it with a reason (`waivers: { IAC104: "..." }`).
    pub waivable: bool,
    /// What it checks.
    pub what: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

impl Code {
    /// `IAC104`.
    pub fn id(&self) -> String {
        format!("IAC{:03}", self.number)
    }
}

macro_rules! codes {
    ($($ident:ident = $number:literal, $name:literal, $severity:ident, $waivable:literal, $what:literal, $fix:literal;)*) => {
        $(
            #[doc = $what]
            pub const $ident: Code = Code {
                number: $number,
                name: $name,
                severity: Severity::$severity,
                waivable: $waivable,
                what: $what,
                fix: $fix,
            };
        )*
        /// Every code, in numeric order.
        pub const ALL: &[Code] = &[$($ident),*];
    };
}

codes! {
    READ_FAILED = 1, "read-failed", Error, false,
        "A model file could not be read: missing, unreadable, not UTF-8, too large, not a regular file (a folder, a named pipe, a device), or reached through a symbolic link that leads outside the project.",
        "Check the path, the file's encoding (UTF-8) and size (at most 8 MiB); keep every file the model reads inside the project, as a regular file.";
    YAML_SYNTAX = 2, "yaml-syntax", Error, false,
        "The file is not valid YAML.",
        "Fix the YAML syntax at the position shown.";
    DUPLICATE_KEY = 3, "duplicate-key", Error, false,
        "A mapping has the same key twice; YAML parsers disagree on which one wins. Tag keys also count as the same when they differ only in case: AWS and Azure compare them case-insensitively.",
        "Remove one of the two keys.";
    LIMIT_EXCEEDED = 4, "limit-exceeded", Error, false,
        "The document is nested too deeply, expands too many aliases or has too many nodes.",
        "Flatten the document; iacgen models never need more than a few levels.";
    MODEL_NOT_FOUND = 5, "model-not-found", Error, false,
        "No iacgen.yaml in the directory or any parent.",
        "Run iacgen in a project, pass -C DIR, or create one with `iacgen init`.";
    SKIPPED_FILE = 6, "skipped-file", Warning, false,
        "An entry of `services/` or `environments/` that is not read: not a `.yaml` or `.yml` file, a folder, a named pipe or another special file.",
        "Move it out of the folder, or make it a `.yaml` file if it is part of the model.";
    UNKNOWN_KEY = 10, "unknown-key", Error, false,
        "A key that the model format does not define.",
        "Use one of the keys listed in the help line (the JSON Schema is printed by `iacgen schema`).";
    WRONG_TYPE = 11, "wrong-type", Error, false,
        "A value of the wrong type (a list where a map is expected, text where a number is).",
        "Write a value of the type named in the message.";
    MISSING_FIELD = 12, "missing-field", Error, false,
        "A required field is absent.",
        "Add the field named in the message.";
    INVALID_VALUE = 13, "invalid-value", Error, false,
        "A value that does not parse: a duration, CPU or memory quantity, image reference, port, cron expression.",
        "Write the value in the format shown in the help line.";
    UNSUPPORTED_VERSION = 14, "unsupported-version", Error, false,
        "The model's `version` is not one this iacgen reads.",
        "Set `version: 1`.";
    INVALID_NAME = 20, "invalid-name", Error, false,
        "A name of a service, resource, secret, job or environment is not a DNS-1123 label.",
        "Use lowercase letters, digits and '-', starting with a letter, at most 63 characters.";
    DUPLICATE_DEFINITION = 21, "duplicate-definition", Error, false,
        "The same name is defined twice (for example in iacgen.yaml and in services/<name>.yaml).",
        "Keep one definition.";
    UNKNOWN_REFERENCE = 22, "unknown-reference", Error, false,
        "A reference to a secret, resource, service, environment or target that is not defined.",
        "Define it, or fix the name (the help line suggests the closest one).";
    UNKNOWN_PLACEHOLDER = 23, "unknown-placeholder", Error, false,
        "A `${...}` placeholder that iacgen does not know.",
        "Use ${resources.<r>.host|port|name|user|url}, ${services.<s>.host|port|url}, ${environment} or ${project}; write $${ for a literal ${.";
    DERIVED_NAME_INVALID = 24, "derived-name-invalid", Error, false,
        "A cloud resource name derived from the model breaks the provider's naming rules.",
        "Shorten the project, environment, service, job or resource name named in the message.";
    OUTPUT_OUTSIDE_PROJECT = 25, "output-outside-project", Error, false,
        "`output` points outside the project folder.",
        "Use a relative path inside the project, such as `deploy`.";
    TARGET_NOT_CONFIGURED = 26, "target-not-configured", Error, false,
        "An environment names a target that has no configuration under `targets:`.",
        "Add the target under `targets:` or remove it from the environment.";
    INVALID_PORT = 30, "invalid-port", Error, false,
        "A port number outside 1-65535, or two names for the same container port.",
        "Use distinct ports between 1 and 65535.";
    AUTOSCALE_BOUNDS = 31, "autoscale-bounds", Error, false,
        "Autoscaling bounds are inconsistent (min > max, min < 1, a utilisation target outside 1-100).",
        "Set 1 <= min <= max and targets between 1 and 100.";
    LIMIT_BELOW_REQUEST = 32, "limit-below-request", Error, false,
        "A CPU or memory limit below its request.",
        "Raise the limit to at least the request.";
    HEALTH_CHECK_SHAPE = 33, "health-check-shape", Error, false,
        "A health check that cannot work: both `path` and `command`, an HTTP check without an http port.",
        "Give exactly one of `path` and `command`; an HTTP check needs `ports.http`.";
    UNKNOWN_PORT_NAME = 34, "unknown-port-name", Error, false,
        "`metrics.port` names a port that the service does not declare.",
        "Name one of the service's `ports`.";
    PIN_MISSING = 35, "pin-missing", Error, false,
        "A resource used in an environment that targets helm or ecs has no pinned `host` there (those targets do not provision resources).",
        "Set environments.<env>.resources.<resource>.host.";
    FARGATE_SIZE = 36, "fargate-size", Error, false,
        "The service asks for more CPU or memory than any Fargate task size offers.",
        "Lower the request to at most 16 vCPU and 120 GiB.";
    UNSUPPORTED_ON_TARGET = 37, "unsupported-on-target", Error, false,
        "A model feature that a target cannot express faithfully (a mounted file on Fargate or App Service, a persistent volume or a day-of-month-and-week schedule on AWS).",
        "Remove the feature for that environment, or leave the target out of the environment.";
    DUPLICATE_ROUTE = 38, "duplicate-route", Error, false,
        "Two public services claim the same ingress host and path.",
        "Give each service its own host or path.";
    HEALTH_CHECK_RANGE = 39, "health-check-range", Error, false,
        "A health check timing that the environment's platform does not accept (ECS: interval 5-300 s, timeout 2-60 s, retries 1-10, start period 0-300 s).",
        "Set the timing within the range named in the message.";
    PATCH_FAILED = 40, "patch-failed", Error, false,
        "A patch names a file or a path that the build no longer produces.",
        "Update or remove the patch.";
    PATCH_NO_EFFECT = 41, "patch-no-effect", Warning, false,
        "A patch sets a value the generated file already has, or removes a path that is absent.",
        "Remove the patch.";
    IMPLICIT_STAGE = 42, "implicit-stage", Warning, false,
        "An environment whose name contains `prod` is not production by its name (only `prod`, `production`, `prd` and `live` are), so it gets none of production's rules and protection.",
        "Set the environment's `stage:` (`production`, or `staging` to confirm the guess).";
    LOCAL_ENV_REFUSED = 43, "local-env-refused", Error, false,
        "`iacgen env` was asked for an environment it does not write local secrets for: unknown, not of the development stage, or without the compose target.",
        "Run `iacgen env` for a development environment that targets compose; staging and production secrets belong in the platform's secret store.";
    TLS_WITHOUT_CERTIFICATE = 44, "tls-without-certificate", Error, false,
        "A route asks for TLS (`ingress.tls`, the default) in a compose environment outside development, but the compose gateway has no certificate to serve it with.",
        "Name the certificate files: `targets.compose.gateway: { tls: { certificate: ..., key: ... } }` (or the environment's `targets_config.compose.gateway`).";
    HEALTH_PROBE_TOOL = 45, "health-probe-tool", Warning, false,
        "An HTTP health check that runs inside the container (compose, ecs, aws) needs a tool that the service's image is known to lack (python:*-slim has no curl or wget; distroless images have no shell).",
        "Set `health.probe` to a tool the image has (curl, wget, python), or use `health.command`.";
    CREDENTIAL_NOT_MAPPED = 46, "credential-not-mapped", Warning, true,
        "A service or job uses a resource that requires a password (a cache with AUTH, a database) but no variable of it reads that password: its connections are refused (NOAUTH, authentication failed).",
        "Map the password (`secrets: { CACHE_PASSWORD: cache.password }`), or use `${resources.<r>.url}`, which carries it; waive it with a reason when the client authenticates otherwise.";
    ALERTS_LIMITED = 47, "alerts-limited", Warning, false,
        "Alerting the model asks for that a target cannot deliver as written: alerts in a compose environment without Prometheus, email without a mail relay, a PromQL rule where no Prometheus evaluates it, a webhook that Terraform would have to read into its state.",
        "Follow the help line: add what the target needs (`monitoring: prometheus`, `notify.smtp`), move the rule to a service, or use the notification the target supports.";
    BACKUP_LIMITED = 48, "backup-limited", Warning, false,
        "Backups the model asks for that a target keeps differently: a retention beyond what the platform allows (clamped to its maximum), a database the target does not run (helm, ecs), copies in a second location where the target has none, SQL Server on compose.",
        "Lower `backup_days` to the platform's maximum, or take the backups where the database runs (the message says where).";
    MISSING_HEALTH_CHECK = 101, "missing-health-check", Error, true,
        "A service with a port has no health check, so no platform can tell when it is ready or stuck.",
        "Add `health: { path: /health }` (or `command: [...]`).";
    LATEST_TAG = 102, "latest-tag", Error, true,
        "An image without a pinned version (`latest`) outside a development environment: deployments are not reproducible and cannot be rolled back.",
        "Set `version:` to an immutable tag or a digest.";
    LITERAL_SECRET = 103, "literal-secret", Error, true,
        "A literal env value under a name that looks secret (*PASSWORD*, *PASSWD*, *SECRET*, *TOKEN*, *APIKEY*/ApiKey, *CREDENTIAL*, a word PASS, PWD or PAT, a last word KEY; not *_FILE, *_URL, *_NAME and the like): it would be committed in the generated code.",
        "Declare it under `secrets:` and reference it from the service's `secrets:`.";
    RUNS_AS_ROOT = 104, "runs-as-root", Error, true,
        "A container that runs as root (user 0): a container escape becomes a host compromise.",
        "Use a non-root `security.user` (the default is 1000).";
    WRITABLE_ROOT = 105, "writable-root-filesystem", Warning, true,
        "A container with a writable root filesystem lets an attacker persist tools in it.",
        "Keep `security.read_only_root: true` and mount `volumes: { /tmp: scratch }` where the app writes.";
    PRODUCTION_REPLICAS = 106, "production-replicas", Error, true,
        "A production service with fewer than two replicas (or autoscale min) has downtime on every deploy and node failure.",
        "Set `replicas: 2` or more (or `autoscale.min`) in production.";
    INGRESS_WITHOUT_TLS = 107, "ingress-without-tls", Error, true,
        "A public route without TLS outside development.",
        "Set `ingress.tls: true`.";
    SECRET_VALUE = 108, "secret-value", Error, true,
        "A literal that looks like a credential by its value, in an env value, a command or a mounted file: a URL with a password, a known token (ghp_, github_pat_, glpat-, AKIA, sk_live_, xox, AIza, npm_, ...), a private key, a JSON Web Token or a long random string. It would be committed in the generated code.",
        "Declare a secret under `secrets:` and reference it from the service's `secrets:` (build URLs from placeholders such as ${resources.db.host}); if the value is not secret, waive IAC108 with the reason.";
    WAIVER_WITHOUT_REASON = 190, "waiver-without-reason", Error, false,
        "A waiver with an empty reason.",
        "Say why the rule does not apply: `waivers: { IAC104: \"reason\" }`.";
    UNUSED_WAIVER = 191, "unused-waiver", Warning, false,
        "A waiver for a rule that does not fire on the service (or is not waivable).",
        "Remove the waiver.";
}

/// The code with this id (`IAC104` or `104`), if any.
pub fn find(id: &str) -> Option<Code> {
    let digits = id.strip_prefix("IAC").unwrap_or(id);
    let number: u16 = digits.parse().ok()?;
    ALL.iter().copied().find(|code| code.number == number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sorted() {
        for pair in ALL.windows(2) {
            assert!(pair[0].number < pair[1].number, "{} then {}", pair[0].id(), pair[1].id());
        }
        assert_eq!(find("IAC104"), Some(RUNS_AS_ROOT));
    }
}
