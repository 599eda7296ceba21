//! `command:`: a list, or a string split into words the way compose splits it (quotes and
//! backslashes, no expansion); `${VAR:-default}` in it takes its default.

use crate::import::compose::Ctx;
use crate::import::interpolate;
use crate::source::yaml::{Node, NodeKind};

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
        match interpolate::resolve_text(&word) {
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
}
