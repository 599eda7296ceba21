//! Compose's `${VAR}` interpolation: variables take their value from the project's `.env` (as compose
//! does), else their default; `$$` is a literal `$`. Callers decide first whether a variable is a
//! credential: those are never resolved (their values never reach the model).

/// One piece of a compose value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// `${NAME}`, `$NAME`, `${NAME:-default}`, `${NAME:?message}`, `${NAME:+alternative}`...
    Var {
        name: String,
        op: Op,
        arg: String,
    },
}

/// What a variable reference does when the variable is unset (or empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `${NAME}`: empty when unset.
    Plain,
    /// `${NAME:-x}` / `${NAME-x}`: `x` when unset.
    Default,
    /// `${NAME:?msg}` / `${NAME?msg}`: an error when unset.
    Required,
    /// `${NAME:+x}` / `${NAME+x}`: `x` when set, else empty.
    Alternative,
}

/// Split `text` into literal text and variable references. `$$` is a literal `$`.
pub fn parse(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(index) = rest.find('$') {
        literal.push_str(&rest[..index]);
        let after = &rest[index + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            literal.push('$');
            rest = tail;
            continue;
        }
        if let Some(inner) = after.strip_prefix('{') {
            let close = matching_brace(inner).ok_or_else(|| format!("unterminated `${{` in `{text}`"))?;
            let body = &inner[..close];
            let (name, op, arg) = split_body(body);
            if !is_name(name) {
                return Err(format!("invalid variable reference `${{{body}}}`"));
            }
            push_text(&mut pieces, &mut literal);
            pieces.push(Piece::Var { name: name.to_string(), op, arg: arg.to_string() });
            rest = &inner[close + 1..];
            continue;
        }
        let length = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        if length > 0 && is_name(&after[..length]) {
            push_text(&mut pieces, &mut literal);
            pieces.push(Piece::Var { name: after[..length].to_string(), op: Op::Plain, arg: String::new() });
            rest = &after[length..];
        } else {
            // Compose rejects a lone `$`; keeping it as text is the lenient reading.
            literal.push('$');
            rest = after;
        }
    }
    literal.push_str(rest);
    push_text(&mut pieces, &mut literal);
    Ok(pieces)
}

fn push_text(pieces: &mut Vec<Piece>, literal: &mut String) {
    if !literal.is_empty() {
        pieces.push(Piece::Text(std::mem::take(literal)));
    }
}

/// Index of the `}` that closes a `${`, counting nested `${...}` in defaults.
fn matching_brace(inner: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(index),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn split_body(body: &str) -> (&str, Op, &str) {
    let end = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
    let (name, modifier) = body.split_at(end);
    let modifier = modifier.strip_prefix(':').unwrap_or(modifier);
    let op = match modifier.chars().next() {
        Some('-') => Op::Default,
        Some('?') => Op::Required,
        Some('+') => Op::Alternative,
        _ => return (body, Op::Plain, ""),
    };
    (name, op, &modifier[1..])
}

fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The project's variables (its `.env`), by name.
pub type Vars = std::collections::BTreeMap<String, String>;

/// A value with every variable replaced by what compose would use: the `.env` value, else the
/// default, else empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    pub text: String,
    /// Variables whose value came from `.env`.
    pub from_env: Vec<String>,
    /// `(variable, default)` for every default that was taken.
    pub defaults: Vec<(String, String)>,
    /// Variables with no value and no default (empty here; compose would read the shell).
    pub unset: Vec<String>,
    /// Credential variables left as `$NAME` for the container's shell (see [`resolve_keeping`]).
    pub kept: Vec<String>,
}

impl Resolved {
    /// Every variable the value read, in order of kind.
    pub fn variables(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.from_env.iter().map(String::as_str).collect();
        names.extend(self.defaults.iter().map(|(name, _)| name.as_str()));
        names.extend(self.unset.iter().map(String::as_str));
        names
    }

    /// What the importer says about a value it resolved this way, if anything.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        for name in &self.from_env {
            parts.push(format!("`${{{name}}}` took its value from .env"));
        }
        for (name, default) in &self.defaults {
            if default.is_empty() {
                parts.push(format!("`${{{name}}}` took its empty default"));
            } else {
                parts.push(format!("`${{{name}}}` took its default `{default}`"));
            }
        }
        for name in &self.unset {
            parts.push(format!("`${{{name}}}` has no value in .env and no default, and was left empty"));
        }
        if parts.is_empty() { None } else { Some(parts.join(", ")) }
    }
}

/// Resolve `pieces` with defaults only (see [`Resolved`]).
pub fn resolve(pieces: &[Piece]) -> Resolved {
    resolve_with(pieces, &Vars::new())
}

/// Resolve `pieces` with the project's variables, then defaults.
pub fn resolve_with(pieces: &[Piece], vars: &Vars) -> Resolved {
    resolve_keeping(pieces, vars, |_| false)
}

/// [`resolve_with`], leaving each variable that `keep` names as `$NAME` (its value, a credential,
/// must not be written; the container's shell expands it from the environment instead).
pub fn resolve_keeping(pieces: &[Piece], vars: &Vars, keep: impl Fn(&str) -> bool) -> Resolved {
    let mut out = Resolved::default();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.text.push_str(text),
            Piece::Var { name, .. } if keep(name) => {
                out.text.push('$');
                out.text.push_str(name);
                out.kept.push(name.clone());
            }
            Piece::Var { name, op, arg } => {
                let value = vars.get(name);
                let set = value.is_some_and(|v| !v.is_empty());
                match op {
                    Op::Alternative => {
                        if set {
                            out.from_env.push(name.clone());
                            out.text.push_str(arg);
                        }
                    }
                    Op::Default if !set => {
                        let inner = parse(arg)
                            .map(|p| resolve_with(&p, vars))
                            .unwrap_or_else(|_| Resolved { text: arg.clone(), ..Resolved::default() });
                        out.text.push_str(&inner.text);
                        out.defaults.push((name.clone(), inner.text));
                        out.from_env.extend(inner.from_env);
                        out.defaults.extend(inner.defaults);
                        out.unset.extend(inner.unset);
                    }
                    _ => match value {
                        Some(value) => {
                            out.from_env.push(name.clone());
                            out.text.push_str(value);
                        }
                        None => out.unset.push(name.clone()),
                    },
                }
            }
        }
    }
    out
}

/// Parse and resolve with defaults only; an unparsable value is an error message.
pub fn resolve_text(text: &str) -> Result<Resolved, String> {
    parse(text).map(|pieces| resolve(&pieces))
}

/// Parse and resolve with the project's variables.
pub fn resolve_text_with(text: &str, vars: &Vars) -> Result<Resolved, String> {
    parse(text).map(|pieces| resolve_with(&pieces, vars))
}

/// The variables a value refers to, in order.
pub fn variables(pieces: &[Piece]) -> Vec<&str> {
    pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Var { name, .. } => Some(name.as_str()),
            Piece::Text(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form() {
        let pieces = parse("a${X}b$Y c$$d ${Z:-dflt} ${W:?need it}").expect("valid");
        assert_eq!(variables(&pieces), ["X", "Y", "Z", "W"]);
        let resolved = resolve(&pieces);
        assert_eq!(resolved.text, "ab c$d dflt ");
        assert_eq!(resolved.defaults, [("Z".to_string(), "dflt".to_string())]);
        assert_eq!(resolved.unset, ["X", "Y", "W"]);
    }

    #[test]
    fn nested_defaults_and_errors() {
        let resolved = resolve_text("${A:-${B:-x}y}").expect("valid");
        assert_eq!(resolved.text, "xy");
        assert!(parse("${A").is_err());
        assert!(parse("${1A}").is_err());
        assert_eq!(resolve_text("cost $5").map(|r| r.text), Ok("cost $5".into()));
    }

    #[test]
    fn dotenv_values_come_before_defaults() {
        let vars: Vars = [("TAG".to_string(), "1.2".to_string()), ("EMPTY".to_string(), String::new())].into();
        let resolved = resolve_text_with("app:${TAG:-dev}-${EMPTY:-x}${NONE}${TAG:+!}", &vars).expect("valid");
        assert_eq!(resolved.text, "app:1.2-x!");
        assert_eq!(resolved.from_env, ["TAG", "TAG"]);
        assert_eq!(resolved.defaults, [("EMPTY".to_string(), "x".to_string())]);
        assert_eq!(resolved.unset, ["NONE"]);
    }
}
