//! Finding credentials in what a compose file says: by the variable's name (`*PASSWORD*`, `*_PASS`,
//! `*SECRET*`, `*TOKEN*`, `*_KEY`, ...), by the value's shape (a URL with a password, well-known token
//! prefixes, PEM keys), and in commands (`--password x`, `--requirepass x`, `curl -u user:x`). What
//! is found becomes a declared secret; its value is never written.

use crate::validate::rules::standards::looks_secret;

/// Whether a variable's name says it holds a credential.
pub fn is_credential_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    looks_secret(name)
        || upper.contains("PASSWD")
        || upper.contains("PWD")
        || upper.ends_with("_PASS")
        || upper.contains("_PASS_")
        || upper == "PASS"
        || upper.contains("CREDENTIAL")
        || upper.ends_with("APIKEY")
        || upper.contains("PRIVATE_KEY")
}

/// Why a value is a credential whatever its name, if it is one.
pub fn credential_value(value: &str) -> Option<&'static str> {
    if url_password(value).is_some() {
        return Some("a URL with a password");
    }
    const TOKENS: [&str; 8] = ["ghp_", "gho_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "sk_live_", "AKIA"];
    let token = value
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .any(|word| TOKENS.iter().any(|prefix| word.starts_with(prefix) && word.len() >= prefix.len() + 12));
    if token {
        return Some("a token");
    }
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    None
}

/// The password of the first `scheme://user:password@host` in `value` (a non-empty password that is
/// not itself a `${...}` reference).
pub fn url_password(value: &str) -> Option<&str> {
    let mut rest = value;
    while let Some(index) = rest.find("://") {
        let after = &rest[index + 3..];
        let authority_end = after.find(['/', '?', '#', ' ']).unwrap_or(after.len());
        let authority = &after[..authority_end];
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
            && !password.is_empty()
            && !password.starts_with("${")
            && !password.starts_with('$')
        {
            return Some(password);
        }
        rest = after;
    }
    None
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
    /// `--password`, `curl -u`, `a URL with a password`.
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
            found.push(InCommand { word: index, replace: |_, var| format!("${var}"), what: previous.to_string() });
        } else if let Some((flag, value)) = word.split_once('=')
            && PASSWORD_FLAGS.contains(&flag)
            && literal(value)
        {
            found.push(InCommand {
                word: index,
                replace: |word, var| format!("{}=${var}", word.split_once('=').map_or(word, |(f, _)| f)),
                what: flag.to_string(),
            });
        } else if matches!(previous, "-u" | "--user")
            && tool == "curl"
            && word.split_once(':').is_some_and(|(_, p)| literal(p))
        {
            found.push(InCommand {
                word: index,
                replace: |word, var| format!("{}:${var}", word.split_once(':').map_or(word, |(u, _)| u)),
                what: String::from("curl -u"),
            });
        } else if previous == "-a" && tool == "redis-cli" && literal(word) {
            found.push(InCommand {
                word: index,
                replace: |_, var| format!("${var}"),
                what: String::from("redis-cli -a"),
            });
        } else if let Some(password) = url_password(word) {
            let _ = password;
            found.push(InCommand {
                word: index,
                replace: |word, var| match url_password(word) {
                    Some(password) => word.replacen(&format!(":{password}@"), &format!(":${var}@"), 1),
                    None => word.to_string(),
                },
                what: String::from("a URL with a password"),
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
        assert_eq!(url_password("postgresql://docmost:STRONG@db:5432/docmost"), Some("STRONG"));
        assert_eq!(url_password("redis://redis:6379/0"), None);
        assert_eq!(url_password("postgres://u:${DB_PASSWORD}@db/x"), None);
        assert_eq!(credential_value("postgres://u:hunter2@db/x"), Some("a URL with a password"));
        assert_eq!(credential_value("ghp_0123456789abcdef0123"), Some("a token"));
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
        let script = shell_script(&words("curl -u admin:$P http://x/a b'c"), &[2]);
        assert_eq!(script, "exec curl -u \"admin:$P\" http://x/a 'b'\\''c'");
    }
}
