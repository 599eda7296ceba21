//! Does a name or a value look like a credential? Pure functions over text, shared by the rules
//! (IAC103 by name, IAC108 by value), the redaction of diagnostics and `import compose`.
//!
//! Values are recognised by shape: a URL with a password in it, the published token formats of the
//! big providers (the prefixes GitHub, GitLab, AWS, Stripe, Slack, Google, OpenAI, npm, PyPI and
//! SendGrid document for secret scanning, as gitleaks and GitHub's own scanner match them), PEM
//! private keys, JSON Web Tokens, and long random strings. A random string must be at least 32
//! characters of one token, mix upper case, lower case and digits and carry more than 4.5 bits of
//! entropy per character, which keeps out words, paths, host names, versions, UUIDs and hex digests.

use std::sync::LazyLock;

use regex::Regex;

/// What a value looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `scheme://user:password@host`.
    UrlPassword,
    /// A token of a known provider (its name).
    Token(&'static str),
    /// `-----BEGIN ... PRIVATE KEY-----`.
    PrivateKey,
    /// A JSON Web Token (`eyJ...`): often a bearer credential.
    Jwt,
    /// A long string of random-looking characters.
    Random,
}

impl Kind {
    /// What it is, in words, for a diagnostic (never the value itself).
    pub fn describe(self) -> String {
        match self {
            Kind::UrlPassword => String::from("a URL with a password in it"),
            Kind::Token(provider) => format!("a {provider} token"),
            Kind::PrivateKey => String::from("a private key"),
            Kind::Jwt => String::from("a JSON Web Token"),
            Kind::Random => String::from("a long random string, like a generated key"),
        }
    }
}

/// One credential-looking part of a text: what it is and its byte range (for a URL, only the
/// password), so callers can point at it or hide it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// What to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scan {
    /// Every shape: an env value or a command argument.
    Value,
    /// Only the unmistakable shapes (no random strings): a whole file, where hashes, checksums
    /// and encoded data are common.
    Document,
}

/// Known token formats: (provider, pattern).
static TOKENS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    [
        ("GitHub", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b"),
        ("GitHub", r"\bgithub_pat_[A-Za-z0-9_]{22,}\b"),
        ("GitLab", r"\bglpat-[A-Za-z0-9_-]{20,}"),
        ("AWS access key", r"\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b"),
        ("Stripe", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b"),
        ("Slack", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        ("Slack", r"\bxapp-[0-9]-[A-Za-z0-9-]{10,}"),
        ("Slack webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9_/]{20,}"),
        ("Google API", r"\bAIza[0-9A-Za-z_-]{35}"),
        ("OpenAI or Anthropic", r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}"),
        ("npm", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("PyPI", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
        ("SendGrid", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
    ]
    .into_iter()
    .filter_map(|(provider, pattern)| Regex::new(pattern).ok().map(|regex| (provider, regex)))
    .collect()
});

/// `scheme://user:password@`: the password is group 1. A user part may be empty (`redis://:pw@`).
static URL_PASSWORD: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/?#@]*:([^\s/?#@]+)@").ok());

/// A PEM private key header (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP ... or none).
static PRIVATE_KEY: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----").ok());

/// Three base64url parts whose first two are JSON objects (`{"` encodes as `eyJ`).
static JWT: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}").ok());

/// A run of characters that keys and tokens are made of (base64, base64url, hex).
static RANDOM_RUN: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/=_-]{32,}").ok());

/// Every credential-looking part of `text`, in order of position.
pub fn find(text: &str, scan: Scan) -> Vec<Found> {
    let mut found = Vec::new();
    let mut add = |kind: Kind, start: usize, end: usize| found.push(Found { kind, start, end });
    if let Some(regex) = URL_PASSWORD.as_ref() {
        for captures in regex.captures_iter(text) {
            if let Some(password) = captures.get(1)
                && !is_stand_in(password.as_str())
            {
                add(Kind::UrlPassword, password.start(), password.end());
            }
        }
    }
    for (provider, regex) in TOKENS.iter() {
        for token in regex.find_iter(text) {
            add(Kind::Token(provider), token.start(), token.end());
        }
    }
    if let Some(regex) = PRIVATE_KEY.as_ref() {
        for header in regex.find_iter(text) {
            // The whole key: from the header to its END line (or the end of the text).
            let end = text[header.end()..].find("-----END").map_or(text.len(), |at| header.end() + at);
            if has_key_material(&text[header.end()..end]) {
                add(Kind::PrivateKey, header.start(), end);
            }
        }
    }
    if let Some(regex) = JWT.as_ref() {
        for token in regex.find_iter(text) {
            add(Kind::Jwt, token.start(), token.end());
        }
    }
    if scan == Scan::Value
        && let Some(regex) = RANDOM_RUN.as_ref()
    {
        for run in regex.find_iter(text).filter(|run| looks_random(run.as_str())) {
            add(Kind::Random, run.start(), run.end());
        }
    }
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    // A token is also a random run: keep the first, most specific finding of each place.
    let mut out: Vec<Found> = Vec::new();
    for item in found {
        if out.last().is_none_or(|last| item.start >= last.end) {
            out.push(item);
        }
    }
    out
}

/// Whether a PEM body holds key material rather than a placeholder: base64 of a key's bytes mixes
/// upper and lower case; an example's `privatekeyprivatekey...`, `XXXX` or `...` does not (Sentry's
/// `config.example.yml` documents its GitHub App key that way).
fn has_key_material(body: &str) -> bool {
    let base64 = body.bytes().filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'));
    let (mut upper, mut lower, mut count) = (false, false, 0usize);
    for byte in base64 {
        upper |= byte.is_ascii_uppercase();
        lower |= byte.is_ascii_lowercase();
        count += 1;
    }
    upper && lower && count >= 16
}

/// A password that only stands in for one: a variable the container's shell or Kubernetes
/// expands (`$DB_PASS`, `${DB_PASS}`, `$(DB_PASS)`), or a template slot (`<password>`, `{{ pw }}`).
fn is_stand_in(password: &str) -> bool {
    let variable = |name: &str| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    };
    let inner = password
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .or_else(|| password.strip_prefix("$(").and_then(|rest| rest.strip_suffix(')')))
        .or_else(|| password.strip_prefix('$'));
    inner.is_some_and(variable)
        || (password.starts_with('<') && password.ends_with('>'))
        || (password.starts_with("{{") && password.ends_with("}}"))
}

/// Whether a run of key characters looks generated: upper case, lower case and digits mixed, and
/// more than 4.5 bits of Shannon entropy per character (English words, identifiers, paths and
/// hex digests stay well below, or lack a case).
fn looks_random(run: &str) -> bool {
    let has = |test: fn(&u8) -> bool| run.as_bytes().iter().any(test);
    if !(has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)) {
        return false;
    }
    entropy(run) > 4.5
}

/// Shannon entropy of `text`'s bytes, in bits per byte.
fn entropy(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for byte in text.bytes() {
        counts[usize::from(byte)] += 1;
    }
    let len = text.len() as f64;
    counts.iter().filter(|&&n| n > 0).map(|&n| n as f64 / len).map(|p| -p * p.log2()).sum()
}

/// Words that name a secret wherever they appear in a variable name.
const SECRET_PARTS: &[&str] =
    &["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "PRIVATEKEY", "ACCESSKEY", "CREDENTIAL"];

/// Whole words that name a secret (`DB_PASS`, `SMTP_PWD`, `GITHUB_PAT`).
const SECRET_WORDS: &[&str] = &["PASS", "PWD", "PAT"];

/// Last words that say the variable holds something about a secret, not the secret itself
/// (`POSTGRES_PASSWORD_FILE`, `TOKEN_URL`, `JWT_SECRET_NAME`).
const NOT_THE_SECRET: &[&str] = &[
    "FILE",
    "PATH",
    "DIR",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "NAME",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "LENGTH",
    "HEADER",
    "TYPE",
    "ENABLED",
    "ALGORITHM",
    "ISSUER",
    "AUDIENCE",
];

/// Whether an env var name says it holds a secret: `*PASSWORD*`, `*PASSWD*`, `*SECRET*`, `*TOKEN*`,
/// `*APIKEY*`/`ApiKey`, `*CREDENTIAL*`, a word `PASS`, `PWD` or `PAT`, or a last word `KEY`
/// (`API_KEY`), unless its last word says it is about the secret (`*_FILE`, `*_URL`, `*_NAME`, ...).
/// `PWD` alone is the shell's working folder, not a password.
pub fn secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else { return false };
    if NOT_THE_SECRET.contains(&last.as_str()) || (words.len() == 1 && last == "PWD") {
        return false;
    }
    let joined: String = words.concat();
    SECRET_PARTS.iter().any(|part| joined.contains(part))
        || words.iter().any(|word| SECRET_WORDS.contains(&word.as_str()))
        || last == "KEY"
}

/// The words of a name, upper case: split at `_`, `-`, `.` and where lower case meets upper case
/// (`ApiKey` → `API`, `KEY`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '-' | '.') {
            words.push(std::mem::take(&mut current));
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_uppercase());
    }
    words.push(current);
    words.retain(|word| !word.is_empty());
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        find(text, Scan::Value).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn names_that_hold_secrets() {
        for name in [
            "DB_PASSWORD",
            "DB_PASS",
            "PASSWD",
            "SMTP_PWD",
            "GITHUB_PAT",
            "ApiKey",
            "apiKey",
            "API_KEY",
            "APIKEY",
            "JWT_SECRET",
            "SLACK_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "GOOGLE_CREDENTIALS",
            "secret",
            "MasterPassword",
            "db.password",
            "GPG_PASSPHRASE",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "LOG_LEVEL",
            "PWD",
            "PATH",
            "DATABASE_URL",
            "PORT",
            "POSTGRES_PASSWORD_FILE",
            "TOKEN_URL",
            "KEYCLOAK_HOST",
            "COMPASS_URL",
            "PASSENGER_COUNT",
            "PATTERN",
            "MONKEY",
            "KEYS_DIR",
            "JWT_SECRET_NAME",
            "TOKEN_TTL",
            "",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }

    #[test]
    fn url_passwords_are_found_and_only_the_password_is_marked() {
        let text = "postgres://u:hunter2@db/x";
        assert_eq!(find(text, Scan::Value), vec![Found { kind: Kind::UrlPassword, start: 13, end: 20 }]);
        assert_eq!(&text[13..20], "hunter2");
        assert_eq!(kinds("redis://:s3cr3t@cache:6379"), vec![Kind::UrlPassword]);
        assert_eq!(kinds("amqp://guest:guest@rabbit:5672/"), vec![Kind::UrlPassword]);
        for clean in [
            "postgres://db:5432/app",
            "https://user@example.com/",
            "postgres://u:${DB_PASS}@db/x",
            "postgres://u:$(DB_PASS)@db/x",
            "postgres://u:$DB_PASS@db/x",
            "postgresql://<user>:<password>@<host>/db",
            "http://localhost:8080/health",
            "git@github.com:org/repo.git",
        ] {
            assert_eq!(kinds(clean), vec![], "{clean}");
        }
    }

    #[test]
    fn known_token_shapes() {
        let cases = [
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "GitHub"),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
                "GitHub",
            ),
            ("glpat-abcdefghij0123456789", "GitLab"),
            ("AKIAIOSFODNN7EXAMPLE", "AWS access key"),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe"),
            ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack"),
            ("AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI", "Google API"),
            ("npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm"),
        ];
        for (token, provider) in cases {
            assert_eq!(kinds(&format!("Bearer {token}")), vec![Kind::Token(provider)], "{token}");
        }
    }

    #[test]
    fn keys_jwts_and_random_strings() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(kinds(key), vec![Kind::PrivateKey]);
        assert_eq!(find(key, Scan::Document)[0].end, key.find("-----END").unwrap_or(0));
        // An example's placeholder body is not a key.
        let example =
            "# -----BEGIN RSA PRIVATE KEY-----\n#   privatekeyprivatekeyprivatekey\n# -----END RSA PRIVATE KEY-----\n";
        assert_eq!(kinds(example), vec![]);
        assert_eq!(kinds("-----BEGIN PRIVATE KEY-----\nXXXXXXXXXXXXXXXXXXXXXXXX\n-----END PRIVATE KEY-----"), vec![]);
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(kinds(jwt), vec![Kind::Jwt]);
        // An AWS secret access key and a Django secret key: random.
        assert_eq!(kinds("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), vec![Kind::Random]);
        assert_eq!(kinds("x9Qm2ZtLr7vB4nK8pW3sY6dF1hJ5gC0aE2uT"), vec![Kind::Random]);
        // Documents skip random strings: checksums and encoded data are common there.
        assert_eq!(find("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", Scan::Document), vec![]);
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        for value in [
            "info",
            "production",
            "https://example.com/api/v1/users/profile/settings",
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            "0123456789abcdef0123456789abcdef01234567",
            "123e4567-e89b-12d3-a456-426614174000",
            "-XX:MaxRAMPercentage=75.0 -Dspring.profiles.active=production",
            "ghcr.io/example/very-long-image-name-for-the-service:1.2.3",
            "SomeLongJavaClassNameForTestingPurposes",
            "com.example.application.configuration.DatabaseConfiguration",
            "/var/lib/application/data/storage/persistent/volume1",
            "my-service.my-namespace.svc.cluster.local",
            "America/Argentina/Buenos_Aires",
            "ThisIsAVeryLongCamelCaseIdentifier2024",
            "",
        ] {
            assert_eq!(kinds(value), vec![], "{value}");
        }
    }
}
