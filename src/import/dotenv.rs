//! `.env` and `env_file:` files, read the way compose reads them: `KEY=value` lines, `export`
//! allowed, `#` comments, single quotes literal, double quotes with `\n` escapes, an unquoted value
//! ends at ` #`, and `${VAR}` in an unquoted or double-quoted value reads the variables above it in
//! the same file, then the project's `.env`.

use crate::import::interpolate::{self, Vars};

/// One `KEY=value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line in the file.
    pub line: usize,
    pub key: String,
    /// The value as compose sees it (quotes removed, variables expanded).
    pub value: String,
}

/// The entries of a dotenv file, in order; lines that are not `KEY=value` are skipped (compose
/// would reject them; the importer reads what it can).
pub fn parse(text: &str, project: &Vars) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut seen = project.clone();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((key, value)) = line.split_once('=') else { continue };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-') {
            continue;
        }
        let value = value.trim_start();
        let value = if let Some(rest) = value.strip_prefix('\'') {
            rest.split_once('\'').map_or(rest, |(inside, _)| inside).to_string()
        } else if let Some(rest) = value.strip_prefix('"') {
            let inside = rest.rsplit_once('"').map_or(rest, |(inside, _)| inside);
            expand(&inside.replace("\\n", "\n").replace("\\\"", "\""), &seen)
        } else {
            let value = value.split_once(" #").map_or(value, |(before, _)| before).trim_end();
            expand(value, &seen)
        };
        seen.insert(key.to_string(), value.clone());
        out.push(Line { line: index + 1, key: key.to_string(), value });
    }
    out
}

/// The variables of a dotenv file, later lines winning.
pub fn vars(text: &str) -> Vars {
    parse(text, &Vars::new()).into_iter().map(|line| (line.key, line.value)).collect()
}

fn expand(value: &str, vars: &Vars) -> String {
    interpolate::resolve_text_with(value, vars).map_or_else(|_| value.to_string(), |resolved| resolved.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_compose_reads() {
        let text = "# c\nA=1\nexport B='x ${A}'\nC=\"line\\nnext ${A}\"\nD=plain # comment\nE=\nbad line\nWORDPRESS_DB_HOST=${A}-h\n";
        let lines = parse(text, &Vars::new());
        let pairs: Vec<(&str, &str)> = lines.iter().map(|l| (l.key.as_str(), l.value.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("A", "1"),
                ("B", "x ${A}"),
                ("C", "line\nnext 1"),
                ("D", "plain"),
                ("E", ""),
                ("WORDPRESS_DB_HOST", "1-h")
            ]
        );
        assert_eq!(lines[3].line, 5);
    }
}
