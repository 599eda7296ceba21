//! `healthcheck:` → `health`: an HTTP path when the test is plainly `curl`/`wget` of
//! `http://localhost:<http port>/path`, else the test as a command (`CMD-SHELL x` → `[sh, -c, x]`).

use crate::import::compose::{Ctx, get};
use crate::import::draft::{Check, Health, Service};
use crate::model::quantity::Duration;
use crate::source::decode::http_path;
use crate::source::yaml::{Node, NodeKind};

/// Map a `healthcheck:` block; `None` when there is no check to carry (disabled, or no test).
pub fn map(ctx: &mut Ctx<'_>, service: &Service, node: &Node, path: &str) -> Option<Health> {
    let NodeKind::Map(map) = &node.kind else {
        ctx.wrong_type(node, "a map", path);
        return None;
    };
    if get(map, "disable").and_then(Node::as_str) == Some("true") {
        ctx.not_mapped(node.span, path, "a disabled health check: the model has none for this service");
        return None;
    }
    let Some(test) = get(map, "test") else {
        ctx.not_mapped(node.span, path, "no `test`: the image's own HEALTHCHECK is not known to the importer");
        return None;
    };
    let test_path = format!("{path}.test");
    let command = match &test.kind {
        NodeKind::Scalar { text, .. } => shell(text),
        NodeKind::Seq(items) => {
            let mut words = Vec::new();
            for item in items {
                let Some(text) = item.as_str() else {
                    ctx.wrong_type(item, "a string", &test_path);
                    return None;
                };
                words.push(text.to_string());
            }
            match words.split_first() {
                Some((first, rest)) if first == "CMD" && !rest.is_empty() => rest.to_vec(),
                Some((first, rest)) if first == "CMD-SHELL" && !rest.is_empty() => shell(&rest.join(" ")),
                Some((first, _)) if first == "NONE" => {
                    ctx.not_mapped(
                        test.span,
                        &test_path,
                        "`NONE` disables the image's health check: the model has none",
                    );
                    return None;
                }
                _ => {
                    ctx.not_mapped(test.span, &test_path, "a test list starts with CMD, CMD-SHELL or NONE");
                    return None;
                }
            }
        }
        _ => {
            ctx.wrong_type(test, "a string or a list", &test_path);
            return None;
        }
    };
    let mut resolved_command = Vec::new();
    for word in &command {
        match crate::import::command::resolve_word(word, &ctx.vars) {
            Ok(resolved) => {
                if let Some(description) = resolved.describe() {
                    ctx.changed(test.span, &test_path, description);
                }
                resolved_command.push(resolved.text);
            }
            Err(message) => {
                ctx.not_mapped(test.span, &test_path, message);
                return None;
            }
        }
    }
    let check = match http_check(&resolved_command) {
        Some((port, check_path)) if service.ports.get("http") == Some(&port) => Check::Path(check_path),
        _ => Check::Command(resolved_command),
    };

    let mut health = Health { check, interval: None, timeout: None, retries: None, start_period: None };
    for (key, value) in map {
        let key_name = key.as_str().unwrap_or("");
        let key_path = format!("{path}.{key_name}");
        match key_name {
            "test" | "disable" => {}
            "interval" | "timeout" | "start_period" => {
                let Some(text) = value.as_str() else {
                    ctx.wrong_type(value, "a duration", &key_path);
                    continue;
                };
                let resolved = crate::import::interpolate::resolve_text_with(text, &ctx.vars);
                let text = resolved.as_ref().map_or(text, |r| r.text.as_str());
                match go_duration(text) {
                    Ok(millis) if millis > 0 || key_name == "start_period" => {
                        let duration = Duration { millis }.to_string();
                        match key_name {
                            "interval" => health.interval = Some(duration),
                            "timeout" => health.timeout = Some(duration),
                            _ => health.start_period = Some(duration),
                        }
                    }
                    Ok(_) => ctx.not_mapped(value.span, &key_path, "a zero duration: the model's default applies"),
                    Err(message) => ctx.not_mapped(value.span, &key_path, message),
                }
            }
            "retries" => match value
                .as_str()
                .and_then(|text| crate::import::interpolate::resolve_text_with(text, &ctx.vars).ok())
                .and_then(|resolved| resolved.text.parse::<u32>().ok())
            {
                Some(retries) => health.retries = Some(retries),
                None => ctx.not_mapped(value.span, &key_path, "not a whole number"),
            },
            _ => ctx.not_mapped(key.span, &key_path, "the model's health checks have no equivalent"),
        }
    }
    Some(health)
}

/// `CMD-SHELL x` runs `/bin/sh -c x`; the model's checks are argument lists.
fn shell(text: &str) -> Vec<String> {
    vec![String::from("sh"), String::from("-c"), text.to_string()]
}

/// `(port, path)` when the command only fetches a local URL with curl or wget.
fn http_check(command: &[String]) -> Option<(u16, String)> {
    let words: Vec<String> = match command {
        [sh, flag, script] if sh == "sh" && flag == "-c" => {
            let script = script.trim();
            let script = ["|| exit 1", "||exit 1", "|| false"]
                .iter()
                .find_map(|suffix| script.strip_suffix(suffix))
                .unwrap_or(script)
                .trim();
            if script.contains(['|', '&', ';', '$', '>', '<', '`', '"', '\'', '(']) {
                return None;
            }
            script.split_whitespace().map(str::to_string).collect()
        }
        words => words.to_vec(),
    };
    let (tool, args) = words.split_first()?;
    let tool = tool.rsplit('/').next().unwrap_or(tool);
    let mut url = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg.starts_with("http://") {
            if url.is_some() {
                return None;
            }
            url = Some(arg.as_str());
            continue;
        }
        let takes_value = match tool {
            "curl" => curl_flag(arg)?,
            "wget" => wget_flag(arg)?,
            _ => return None,
        };
        if takes_value {
            let value = args.next()?;
            let fine = value == "/dev/null" || value == "-" || value.parse::<u32>().is_ok();
            if !fine {
                return None;
            }
        }
    }
    local_url(url?)
}

/// Whether `arg` is a harmless curl flag, and whether it takes a value; `None` for anything else.
fn curl_flag(arg: &str) -> Option<bool> {
    match arg {
        "--fail" | "--silent" | "--show-error" | "--location" | "--head" | "--fail-with-body" => Some(false),
        "-o" | "--output" | "-m" | "--max-time" | "--connect-timeout" => Some(true),
        _ => {
            let letters = arg.strip_prefix('-').filter(|l| !l.is_empty() && !l.starts_with('-'))?;
            letters.chars().all(|c| "fsSLI".contains(c)).then_some(false)
        }
    }
}

/// Whether `arg` is a harmless wget flag, and whether it takes a value; `None` for anything else.
fn wget_flag(arg: &str) -> Option<bool> {
    match arg {
        "-q" | "--quiet" | "--spider" | "--no-verbose" | "-nv" | "-O-" | "-qO-" | "-S" => Some(false),
        "-O" | "-qO" | "-t" | "-T" => Some(true),
        _ if arg.starts_with("--tries=") || arg.starts_with("--timeout=") || arg == "--output-document=/dev/null" => {
            Some(false)
        }
        _ => None,
    }
}

fn local_url(url: &str) -> Option<(u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(index) => (&rest[..index], &rest[index..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !host.ends_with(':') => (host, port.parse().ok()?),
        _ => (authority, 80),
    };
    if !matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]") {
        return None;
    }
    Some((port, http_path(path).ok()?))
}

/// A Go duration (`1m30s`, `1.5s`, `500ms`, `10us`) in milliseconds, rounded up.
pub fn go_duration(text: &str) -> Result<u64, String> {
    let invalid = || format!("`{text}` is not a duration (like 30s, 1m30s or 500ms)");
    let mut nanos: f64 = 0.0;
    let mut rest = text.trim();
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(invalid)?;
        let number: f64 = rest[..number_len].parse().map_err(|_| invalid())?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(invalid()),
        };
        nanos += number * factor;
        rest = &rest[unit_len..];
    }
    let millis = (nanos / 1e6).ceil();
    if !millis.is_finite() || millis > 1e15 {
        return Err(invalid());
    }
    Ok(millis as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn recognises_http_checks() {
        assert_eq!(
            http_check(&shell("curl -fsS http://localhost:8000/healthz || exit 1")),
            Some((8000, "/healthz".into()))
        );
        assert_eq!(
            http_check(&words(&["wget", "-q", "--spider", "http://localhost:9090/-/healthy"])),
            Some((9090, "/-/healthy".into()))
        );
        assert_eq!(
            http_check(&shell("wget --no-verbose --tries=1 --spider http://localhost:3000/api/health || exit 1")),
            Some((3000, "/api/health".into()))
        );
        assert_eq!(http_check(&words(&["wget", "-qO-", "http://127.0.0.1/"])), Some((80, "/".into())));
        assert_eq!(http_check(&shell("curl -f -H 'X: y' http://localhost/")), None);
        assert_eq!(http_check(&shell("curl -f http://db:5432/")), None);
        assert_eq!(http_check(&shell("pg_isready")), None);
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration("1m30s"), Ok(90_000));
        assert_eq!(go_duration("1.5s"), Ok(1500));
        assert_eq!(go_duration("10us"), Ok(1));
        assert_eq!(go_duration("0"), Ok(0));
        assert!(go_duration("10").is_err());
        assert!(go_duration("5x").is_err());
    }
}
