//! `command:`: a list, or a string split into words the way compose splits it (quotes and
//! backslashes, no expansion); `${VAR}` in it takes its `.env` value or default, except credentials,
//! which are never written: a literal password (`--password x`, `curl -u admin:x`, a URL with one)
//! and a credential variable become a secret env var that the container's shell expands.

use crate::import::compose::Ctx;
use crate::import::credentials::{self, is_credential_name};
use crate::import::draft::{Draft, Service};
use crate::import::{env, interpolate};
use crate::shared::span::Span;
use crate::source::yaml::{Node, NodeKind};
use crate::targets::compose::secret_variable;

/// The command's words, or `None` when there is none to carry.
pub fn map(ctx: &mut Ctx<'_>, node: &Node, path: &str) -> Option<Vec<String>> {
    let words = match &node.kind {
        NodeKind::Scalar { text, .. } => match split_words(text) {
            Ok(words) => words,
            Err(message) => {
                ctx.not_mapped(node.span, path, message);
                return None;
            }
        },
        NodeKind::Seq(items) => items.iter().map(|item| item.as_str().unwrap_or("").to_string()).collect(),
        NodeKind::Null => return None,
        NodeKind::Map(_) => {
            ctx.wrong_type(node, "a string or a list", path);
            return None;
        }
    };
    let mut out = Vec::new();
    for word in words {
        match resolve_word(&word, &ctx.vars) {
            Ok(resolved) => {
                if let Some(description) = resolved.describe() {
                    ctx.changed(node.span, path, description);
                }
                out.push(resolved.text);
            }
            Err(message) => {
                ctx.not_mapped(node.span, path, message);
                return None;
            }
        }
    }
    Some(out)
}

/// One word of a command or health check with compose's interpolation done; credential variables
/// stay `$NAME` (see [`without_credentials`]).
pub fn resolve_word(word: &str, vars: &interpolate::Vars) -> Result<interpolate::Resolved, String> {
    interpolate::parse(word).map(|pieces| interpolate::resolve_keeping(&pieces, vars, is_credential_name))
}

/// `words` with every credential in them replaced by an env var of the service that holds a
/// declared secret, run through `sh -c` so the container's shell expands it (a command that already
/// is `sh -c` only gets the env var).
pub fn without_credentials(
    ctx: &mut Ctx<'_>,
    draft: &mut Draft,
    service: &mut Service,
    name: &str,
    words: Vec<String>,
    (span, path): (Span, &str),
) -> Vec<String> {
    let shell = words.len() == 3 && words[0] == "sh" && words[1] == "-c";
    let mut words = words;
    let mut expanded = Vec::new();
    let mut found: Vec<String> = Vec::new();
    // Credential variables the interpolation left as `$NAME`: the secret goes in under that name.
    for word in &words {
        let mut rest = word.as_str();
        while let Some(index) = rest.find('$') {
            let after = &rest[index + 1..];
            let length = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            let variable = &after[..length];
            if !variable.is_empty() && is_credential_name(variable) && !found.iter().any(|f| f == variable) {
                found.push(variable.to_string());
            }
            rest = &after[length..];
        }
    }
    for variable in &found {
        if service.secrets.contains_key(variable) {
            continue;
        }
        let secret = env::declare(draft, variable, &format!("${{{variable}}}"), name, variable);
        ctx.changed(
            span,
            path,
            format!(
                "`${variable}` is the secret `{secret}` (read from .env as {}), expanded by the container's shell",
                secret_variable(&secret)
            ),
        );
        service.secrets.insert(variable.clone(), secret);
    }
    // Literal credentials: replaced by `$COMMAND_PASSWORD` (numbered when there are several).
    let literal =
        if shell { credentials::in_command(&shell_words(&words[2])) } else { credentials::in_command(&words) };
    if shell && !literal.is_empty() {
        // Replace each credential where it stands in the script, so pipes and `||` stay as written.
        let mut inner = shell_words(&words[2]);
        let mut script = Some(words[2].clone());
        let mut replaced = Vec::new();
        for (index, credential) in literal.iter().enumerate() {
            let variable = command_variable(path, index);
            let old = inner[credential.word].clone();
            let new = (credential.replace)(&old, &variable);
            script = script.and_then(|script| replace_in_script(&script, &old, &new, &variable));
            inner[credential.word] = new;
            replaced.push(credential.word);
            declare_literal(ctx, draft, service, name, (&variable, &old, &credential.what), (span, path));
        }
        words[2] = match script {
            Some(script) => script,
            None => {
                // A credential written with escapes cannot be found as is: the script is written
                // again word by word (its value must not stay), which quotes `|` and `||` too.
                ctx.changed(span, path, "rewritten word by word to take a credential out: check its pipes and `||`");
                credentials::shell_script(&inner, &replaced)
            }
        };
        return words;
    }
    for (index, credential) in literal.iter().enumerate() {
        let variable = command_variable(path, index);
        let secret_value = words[credential.word].clone();
        words[credential.word] = (credential.replace)(&words[credential.word], &variable);
        declare_literal(ctx, draft, service, name, (&variable, &secret_value, &credential.what), (span, path));
        expanded.push(credential.word);
    }
    if (expanded.is_empty() && found.is_empty()) || shell {
        return words;
    }
    // Variables hidden in the words are only expanded by a shell.
    for (index, word) in words.iter().enumerate() {
        if found.iter().any(|variable| word.contains(&format!("${variable}"))) && !expanded.contains(&index) {
            expanded.push(index);
        }
    }
    ctx.changed(
        span,
        path,
        "now run through `sh -c` so the container's shell expands the secret (the image needs a shell)",
    );
    vec![String::from("sh"), String::from("-c"), credentials::shell_script(&words, &expanded)]
}

/// `script` with the first `old` (a word of it, as the shell reads it) replaced by `new`, where
/// `$variable` must expand: inside single quotes, where the shell expands nothing, the reference
/// closes and reopens them (`'Bearer '"$TOKEN"''`). `None` when `old` is not written as is in the
/// script (it holds escaped characters).
fn replace_in_script(script: &str, old: &str, new: &str, variable: &str) -> Option<String> {
    let at = script.find(old)?;
    let new = if inside_single_quotes(&script[..at]) {
        new.replace(&format!("${variable}"), &format!("'\"${variable}\"'"))
    } else {
        new.to_string()
    };
    Some(format!("{}{new}{}", &script[..at], &script[at + old.len()..]))
}

/// Whether a shell script that starts with `before` is inside single quotes at its end.
fn inside_single_quotes(before: &str) -> bool {
    let (mut single, mut double, mut escaped) = (false, false, false);
    for c in before.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !single => escaped = true,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
    }
    single
}

fn command_variable(path: &str, index: usize) -> String {
    let base = if path.ends_with("healthcheck") { "HEALTHCHECK_PASSWORD" } else { "COMMAND_PASSWORD" };
    if index == 0 { base.to_string() } else { format!("{base}_{}", index + 1) }
}

fn declare_literal(
    ctx: &mut Ctx<'_>,
    draft: &mut Draft,
    service: &mut Service,
    name: &str,
    (variable, value, what): (&str, &str, &str),
    (span, path): (Span, &str),
) {
    let secret = env::declare(draft, &format!("{name}-{variable}"), value, name, variable);
    ctx.changed(
        span,
        path,
        format!(
            "the literal credential {what} is not imported: it is the secret `{secret}` (read from .env as {}), passed as ${variable}",
            secret_variable(&secret)
        ),
    );
    service.secrets.insert(variable.to_string(), secret);
}

/// The words of a shell script, split the way [`split_words`] splits a compose command.
fn shell_words(script: &str) -> Vec<String> {
    split_words(script).unwrap_or_else(|_| vec![script.to_string()])
}

/// Split a command string the way compose does (shell words: quotes and backslashes, no expansion).
fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(String::from("unterminated quote in the command")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(String::from("unterminated quote in the command")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(String::from("unterminated quote in the command")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_commands_like_compose() {
        assert_eq!(
            split_words("celery -A shop worker --loglevel=info").ok(),
            Some(vec!["celery".into(), "-A".into(), "shop".into(), "worker".into(), "--loglevel=info".into()])
        );
        assert_eq!(
            split_words(r#"sh -c "echo 'a b' \"c\"""#).ok(),
            Some(vec!["sh".into(), "-c".into(), "echo 'a b' \"c\"".into()])
        );
        assert!(split_words("echo 'open").is_err());
    }

    #[test]
    fn a_reference_expands_wherever_the_credential_stood() {
        // Unquoted, in double quotes and in single quotes: the shell gives the variable's value.
        let script = r#"printf '%s|' -u admin:pw1 "token pw2" 'Bearer pw3'"#;
        let mut out = script.to_string();
        for (old, new, variable) in
            [("admin:pw1", "admin:$A", "A"), ("token pw2", "token $B", "B"), ("Bearer pw3", "Bearer $C", "C")]
        {
            out = replace_in_script(&out, old, new, variable).unwrap_or_default();
        }
        assert_eq!(out, r#"printf '%s|' -u admin:$A "token $B" 'Bearer '"$C"''"#);
        let ran =
            std::process::Command::new("sh").args(["-c", &out]).env("A", "x").env("B", "y").env("C", "z").output();
        if let Ok(ran) = ran {
            assert_eq!(String::from_utf8_lossy(&ran.stdout), "-u|admin:x|token y|Bearer z|");
        }
        assert_eq!(replace_in_script(r#"echo "a\"b""#, "a\"b", "$A", "A"), None);
    }
}
