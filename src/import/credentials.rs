//! Finding credentials in what a compose file says: by the variable's name and by the value's shape,
//! with the same detector `validate` uses (IAC103 and IAC108, [`crate::validate::secrets`]), so
//! every credential an imported model would be refused for is turned into a secret here; and in
//! commands by the flag before it (`--password x`, `--requirepass x`, `curl -u user:x`). What is
//! found becomes a declared secret; its value is never written.

use crate::validate::secrets::{self, Scan};

/// Whether a variable's name says it holds a credential (`*PASSWORD*`, `DB_PASS`, `MYSQL_PWD`,
/// `API_KEY`, ...; not `*_FILE`, `*_URL`, ...).
pub fn is_credential_name(name: &str) -> bool {
    secrets::secret_name(name)
}

/// What a value is, in words, when its shape says it is a credential whatever its name (a URL with
/// a password, a known token, a private key, a JSON Web Token, a long random string).
pub fn credential_value(value: &str) -> Option<String> {
    secrets::find(value, Scan::Value).first().map(|found| found.kind.describe())
}

/// `word` with each credential-looking part replaced by `$variable` (for a URL, only its password).
fn without_value(word: &str, variable: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    for found in secrets::find(word, Scan::Value) {
        out.push_str(&word[at..found.start]);
        out.push('$');
        out.push_str(variable);
        at = found.end;
    }
    out.push_str(&word[at..]);
    out
}

/// Flags whose next word (or `=value`) is a password.
const PASSWORD_FLAGS: [&str; 6] = ["--password", "--requirepass", "--pass", "--passwd", "--masterauth", "--auth"];

/// A credential found in a command: where and what kind.
#[derive(Clone, Debug)]
pub struct InCommand {
    /// Index of the word that holds it.
    pub word: usize,
    /// What the word becomes once the credential is replaced by `$VARIABLE` (shell syntax).
    pub replace: fn(&str, &str) -> String,
    /// Which credential, for the report: "after `--password`", "after `curl -u`", "(a GitHub token)".
    pub what: String,
}

/// Credentials written literally in a command's words (each word as the process receives it, or a
/// shell script when the command is `sh -c`).
pub fn in_command(words: &[String]) -> Vec<InCommand> {
    let mut found = Vec::new();
    let tool = words.first().map(|w| w.rsplit('/').next().unwrap_or(w)).unwrap_or("");
    for (index, word) in words.iter().enumerate() {
        let previous = index.checked_sub(1).and_then(|i| words.get(i)).map(String::as_str).unwrap_or("");
        let literal = |value: &str| !value.is_empty() && !value.starts_with('$');
        if PASSWORD_FLAGS.contains(&previous) && literal(word) {
            found.push(InCommand {
                word: index,
                replace: |_, var| format!("${var}"),
                what: format!("after `{previous}`"),
            });
        } else if let Some((flag, value)) = word.split_once('=')
            && PASSWORD_FLAGS.contains(&flag)
            && literal(value)
        {
            found.push(InCommand {
                word: index,
                replace: |word, var| format!("{}=${var}", word.split_once('=').map_or(word, |(f, _)| f)),
                what: format!("after `{flag}`"),
            });
        } else if matches!(previous, "-u" | "--user")
            && tool == "curl"
            && word.split_once(':').is_some_and(|(_, p)| literal(p))
        {
            found.push(InCommand {
                word: index,
                replace: |word, var| format!("{}:${var}", word.split_once(':').map_or(word, |(u, _)| u)),
                what: String::from("after `curl -u`"),
            });
        } else if previous == "-a" && tool == "redis-cli" && literal(word) {
            found.push(InCommand {
                word: index,
                replace: |_, var| format!("${var}"),
                what: String::from("after `redis-cli -a`"),
            });
        } else if let Some(credential) = secrets::find(word, Scan::Value).first() {
            found.push(InCommand {
                word: index,
                replace: without_value,
                what: format!("({})", credential.kind.describe()),
            });
        }
    }
    found
}

/// `words` as one `sh -c` script, each word quoted for the shell except the `$VARIABLE`s the
/// credentials were replaced with (so the shell expands them from the container's environment).
pub fn shell_script(words: &[String], expanded: &[usize]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            if expanded.contains(&index) {
                format!("\"{}\"", word.replace('"', "\\\""))
            } else if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c)) {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', "'\\''"))
            }
        })
        .collect();
    format!("exec {}", quoted.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn names_and_values() {
        for name in
            ["DB_PASSWORD", "DB_PASSWD", "DB_PASS", "MYSQL_PWD", "API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY"]
        {
            assert!(is_credential_name(name), "{name}");
        }
        for name in ["DB_USER", "PASSENGER_COUNT", "KEYCLOAK_HOST", "COMPASS_URL"] {
            assert!(!is_credential_name(name), "{name}");
        }
        let url = |value: &str| in_command(&[value.to_string()]).first().map(|found| (found.replace)(value, "P"));
        assert_eq!(
            url("postgresql://docmost:STRONG@db:5432/docmost").as_deref(),
            Some("postgresql://docmost:$P@db:5432/docmost")
        );
        assert_eq!(url("redis://redis:6379/0"), None);
        assert_eq!(url("postgres://u:${DB_PASSWORD}@db/x"), None);
        assert_eq!(credential_value("postgres://u:hunter2@db/x").as_deref(), Some("a URL with a password in it"));
        assert_eq!(credential_value("ghp_0123456789abcdefghijABCDEFGHIJ012345").as_deref(), Some("a GitHub token"));
        assert_eq!(credential_value("http://snuba-api:1218"), None);
    }

    #[test]
    fn commands() {
        let command = words("mysqld --password secret --user=mysql");
        let found = in_command(&command);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].replace)(&command[2], "P"), "$P");
        let command = words("curl -fsS -u admin:x http://localhost/");
        let found = in_command(&command);
        assert_eq!((found[0].replace)(&command[3], "P"), "admin:$P");
        let command = words("redis-server --requirepass=abc");
        assert_eq!((in_command(&command)[0].replace)(&command[1], "P"), "--requirepass=$P");
        assert!(in_command(&words("redis-server --requirepass $REDIS_PASSWORD")).is_empty());
        let command = words("app --token ghp_0123456789abcdefghijABCDEFGHIJ012345 --listen :80");
        let found = in_command(&command);
        assert_eq!((found.len(), found[0].what.as_str()), (1, "(a GitHub token)"));
        assert_eq!((found[0].replace)(&command[2], "P"), "$P");
        let script = shell_script(&words("curl -u admin:$P http://x/a b'c"), &[2]);
        assert_eq!(script, "exec curl -u \"admin:$P\" http://x/a 'b'\\''c'");
    }
}
