//! Patches on generated Terraform, by block address: `module.catalog.desired_count`,
//! `resource.aws_ecs_service.catalog.desired_count`, `data.aws_iam_policy_document.x.version`.
//! The edit is textual (the generated files are in `terraform fmt` layout); afterwards the block's
//! `=` signs are re-aligned as `terraform fmt` does.

use crate::patches::path::{self, Step};

/// An attribute inside a block: the block's header labels and the attribute's name.
struct Address {
    header: String,
    attribute: String,
}

fn address(text: &str) -> Result<Address, String> {
    let steps = path::parse(text)?;
    let keys: Vec<&str> = steps
        .iter()
        .map(|step| match step {
            Step::Key(key) => Ok(key.as_str()),
            Step::Index(_) => Err(format!("`{text}`: list indices are not supported in Terraform addresses")),
        })
        .collect::<Result<_, _>>()?;
    let (header, rest) = match keys.as_slice() {
        ["module", name, rest @ ..] => (format!("module \"{name}\" {{"), rest),
        ["resource", kind, name, rest @ ..] => (format!("resource \"{kind}\" \"{name}\" {{"), rest),
        ["data", kind, name, rest @ ..] => (format!("data \"{kind}\" \"{name}\" {{"), rest),
        [kind, name, rest @ ..] if kind.contains('_') => (format!("resource \"{kind}\" \"{name}\" {{"), rest),
        _ => {
            return Err(format!(
                "`{text}` is not a Terraform address: use module.<name>.<argument> or resource.<type>.<name>.<argument>"
            ));
        }
    };
    match rest {
        [attribute] => Ok(Address { header, attribute: (*attribute).to_string() }),
        [] => Err(format!("`{text}` names a block, not an argument inside it")),
        _ => Err(format!("`{text}`: only top-level arguments of a block can be patched")),
    }
}

/// A JSON value as an HCL expression on one line.
pub fn hcl_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::from("null"),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        // HCL's escapes, not JSON's: HCL has no `\b` or `\f`, so a JSON-escaped string with a
        // backspace or form feed would not parse.
        serde_json::Value::String(s) => crate::targets::hcl::quote(s),
        serde_json::Value::Array(items) => format!("[{}]", items.iter().map(hcl_value).collect::<Vec<_>>().join(", ")),
        serde_json::Value::Object(map) => {
            if map.is_empty() {
                return String::from("{}");
            }
            let parts: Vec<String> = map.iter().map(|(k, v)| format!("{} = {}", hcl_key(k), hcl_value(v))).collect();
            format!("{{ {} }}", parts.join(", "))
        }
    }
}

fn hcl_key(key: &str) -> String {
    let bare = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { key.to_string() } else { serde_json::Value::String(key.to_string()).to_string() }
}

/// Where a block's body is: the line index of its header and of its closing brace.
fn find_block(lines: &[String], header: &str) -> Option<(usize, usize)> {
    let start = lines.iter().position(|line| line.trim_end() == header)?;
    let mut depth = 0i32;
    for (index, line) in lines.iter().enumerate().skip(start) {
        depth += brace_delta(line);
        if depth == 0 {
            return Some((start, index));
        }
    }
    None
}

/// Net `{`/`[`/`(` minus closers on a line, ignoring those inside strings.
fn brace_delta(line: &str) -> i32 {
    let mut delta = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        if in_string {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => in_string = false,
                _ => escaped = false,
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' | '(' => delta += 1,
            '}' | ']' | ')' => delta -= 1,
            '#' => break,
            _ => {}
        }
    }
    delta
}

/// The lines `[first, last]` of a top-level argument inside the block body.
fn find_argument(lines: &[String], start: usize, end: usize, name: &str) -> Option<(usize, usize)> {
    let mut depth = 0;
    let mut index = start + 1;
    while index < end {
        let line = &lines[index];
        if depth == 0 {
            let trimmed = line.trim_start();
            let is_it = trimmed.strip_prefix(name).is_some_and(|rest| rest.trim_start().starts_with('='));
            if is_it {
                let mut last = index;
                let mut inner = brace_delta(line);
                while inner > 0 && last + 1 < end {
                    last += 1;
                    inner += brace_delta(&lines[last]);
                }
                return Some((index, last));
            }
        }
        depth += brace_delta(line);
        index += 1;
    }
    None
}

/// Apply `set` (with a value) or remove (`None`) to the argument at `address_text`.
pub fn apply(text: &str, address_text: &str, value: Option<&serde_json::Value>) -> Result<String, String> {
    let address = address(address_text)?;
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let (start, end) = find_block(&lines, &address.header)
        .ok_or_else(|| format!("no block `{}` in this file", address.header.trim_end_matches(" {")))?;
    let indent = "  ";
    match (find_argument(&lines, start, end, &address.attribute), value) {
        (Some((first, last)), Some(value)) => {
            lines.splice(first..=last, [format!("{indent}{} = {}", address.attribute, hcl_value(value))]);
        }
        (None, Some(value)) => {
            lines.insert(end, format!("{indent}{} = {}", address.attribute, hcl_value(value)));
        }
        (Some((first, last)), None) => {
            lines.drain(first..=last);
        }
        (None, None) => return Err(format!("`{address_text}` does not exist")),
    }
    let mut out = align(&lines).join("\n");
    out.push('\n');
    Ok(out)
}

/// Re-align `=` in runs of consecutive single-line arguments at the same indentation, as
/// `terraform fmt` does: a line that opens a multi-line value (`tags = {`) is not aligned and ends the run.
pub fn align(lines: &[String]) -> Vec<String> {
    let single_line = |line: &str| split_argument(line).filter(|_| brace_delta(line) == 0);
    let mut out: Vec<String> = lines.to_vec();
    let mut index = 0;
    while index < out.len() {
        let Some((indent, _, _)) = single_line(&out[index]) else {
            index += 1;
            continue;
        };
        let mut run = vec![index];
        let mut next = index + 1;
        while next < out.len() {
            match single_line(&out[next]) {
                Some((other_indent, _, _)) if other_indent == indent => {
                    run.push(next);
                    next += 1;
                }
                _ => break,
            }
        }
        let width = run
            .iter()
            .filter_map(|&i| split_argument(&out[i]).map(|(_, key, _)| key.chars().count()))
            .max()
            .unwrap_or(0);
        for &i in &run {
            if let Some((indent, key, value)) = split_argument(&out[i]) {
                out[i] = format!("{indent}{key:<width$} = {value}");
            }
        }
        index = next;
    }
    out
}

/// `  key = value` → (indent, key, value).
fn split_argument(line: &str) -> Option<(String, String, String)> {
    let indent_len = line.len() - line.trim_start().len();
    let body = &line[indent_len..];
    let (key, value) = body.split_once('=')?;
    let key = key.trim_end();
    let valid_key =
        !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '"');
    if !valid_key || value.starts_with('=') || body.starts_with('#') {
        return None;
    }
    Some((line[..indent_len].to_string(), key.to_string(), value.trim_start().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_values_use_hcl_escapes() {
        let value = serde_json::Value::String(String::from("a\u{8}b\u{c}\"${x}%{y}\n"));
        assert_eq!(hcl_value(&value), "\"a\\u0008b\\u000c\\\"$${x}%%{y}\\n\"");
    }

    const ROOT: &str = "module \"catalog\" {\n  source        = \"../modules/service\"\n  desired_count = 2\n  name          = \"catalog\"\n\n  tags = {\n    a = \"b\"\n  }\n}\n";

    #[test]
    fn sets_replaces_and_removes_arguments() {
        let set = apply(ROOT, "module.catalog.desired_count", Some(&serde_json::json!(5))).expect("set");
        assert!(set.contains("  desired_count = 5\n"));
        let added = apply(ROOT, "module.catalog.cpu_architecture", Some(&serde_json::json!("ARM64"))).expect("add");
        assert!(added.contains("  cpu_architecture = \"ARM64\"\n}"), "{added}");
        let removed = apply(ROOT, "module.catalog.name", None).expect("remove");
        assert!(removed.contains("  source        = \"../modules/service\"\n  desired_count = 2\n\n"), "{removed}");
        assert!(apply(ROOT, "module.orders.desired_count", Some(&serde_json::json!(1))).is_err());
        assert!(apply(ROOT, "module.catalog.nope", None).is_err());
    }

    #[test]
    fn leaves_lines_that_open_a_multi_line_value_unaligned() {
        let root = "module \"api\" {\n  port = 1\n  app_settings = {\n    A = \"b\"\n  }\n  tags = local.tags\n}\n";
        let set = apply(root, "module.api.port", Some(&serde_json::json!(8080))).expect("set");
        assert_eq!(set, root.replace("port = 1", "port = 8080"));
    }
}
