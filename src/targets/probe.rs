//! The command a container runs for an HTTP health check (compose, ecs and the aws task
//! definitions, which reuse the ecs container definitions), with the tool the image has
//! (`health.probe`). Images differ: `python:3.11-slim` has neither curl nor wget, busybox images have
//! wget only, distroless ones have no shell at all.

use crate::diagnostic::{Diagnostic, Finding, codes};
use crate::ir::{Field, HealthCheck, Probe, Stack};
use crate::model::image::ImagePin;
use crate::targets::checks::span_of;

/// A container health check command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerCheck {
    /// `CMD`: argv, no shell needed.
    Exec(Vec<String>),
    /// `CMD-SHELL`: one line for /bin/sh.
    Shell(String),
}

/// The python3 one-liner: urlopen raises (exit 1) on connection errors and on HTTP 4xx/5xx.
fn python_code(url: &str, timeout_secs: u64) -> String {
    format!("import urllib.request; urllib.request.urlopen('{url}', timeout={timeout_secs})")
}

/// The check for GET `url` (an http URL on 127.0.0.1; its path is restricted to characters that
/// need no quoting in sh, Python or JSON). `None` for `probe: none`.
pub fn http(probe: Probe, url: &str, timeout_secs: u64) -> Option<ContainerCheck> {
    let argv = |items: &[&str]| ContainerCheck::Exec(items.iter().map(|s| (*s).to_string()).collect());
    Some(match probe {
        Probe::Curl => argv(&["curl", "-fsS", "-o", "/dev/null", url]),
        Probe::Wget => argv(&["wget", "-q", "-O", "/dev/null", url]),
        Probe::Python => argv(&["python3", "-c", &python_code(url, timeout_secs)]),
        Probe::Auto => ContainerCheck::Shell(format!(
            "curl -fsS -o /dev/null {url} || wget -q -O /dev/null {url} || python3 -c \"{}\" || exit 1",
            python_code(url, timeout_secs)
        )),
        Probe::None => return None,
    })
}

/// Official images whose tools are known: `(repository, tag contains, tools)`. The first match wins;
/// images not listed (the team's own) are not judged.
const KNOWN_IMAGES: &[(&str, &str, &[&str])] = &[
    ("python", "alpine", &["sh", "wget", "python3"]),
    ("python", "slim", &["sh", "python3"]),
    ("python", "", &["sh", "curl", "wget", "python3"]),
    ("node", "alpine", &["sh", "wget"]),
    ("node", "slim", &["sh"]),
    ("node", "", &["sh", "curl", "wget"]),
    ("golang", "alpine", &["sh", "wget"]),
    ("alpine", "", &["sh", "wget"]),
    ("busybox", "", &["sh", "wget"]),
    ("debian", "", &["sh"]),
    ("ubuntu", "", &["sh"]),
    ("gcr.io/distroless/", "", &[]),
    ("cgr.dev/chainguard/static", "", &[]),
];

/// The tools an image is known to ship, when iacgen knows the image.
fn known_tools(repository: &str, tag: &str) -> Option<&'static [&'static str]> {
    let name = repository.strip_prefix("docker.io/").unwrap_or(repository);
    let name = name.strip_prefix("library/").unwrap_or(name);
    KNOWN_IMAGES
        .iter()
        .find(|(image, flavour, _)| {
            let matches = if image.ends_with('/') { name.starts_with(image) } else { name == *image };
            matches && tag.contains(flavour)
        })
        .map(|(_, _, tools)| *tools)
}

/// What a probe needs: a shell for `auto` (and one of its tools), else the tool itself.
/// Returns the tool the image lacks, when the image is known and lacks it.
pub fn missing_tool(probe: Probe, repository: &str, tag: &str) -> Option<&'static str> {
    let tools = known_tools(repository, tag)?;
    let has = |tool: &str| tools.contains(&tool);
    match probe {
        Probe::None => None,
        Probe::Curl => (!has("curl")).then_some("curl"),
        Probe::Wget => (!has("wget")).then_some("wget"),
        Probe::Python => (!has("python3")).then_some("python3"),
        Probe::Auto if !has("sh") => Some("a shell (/bin/sh)"),
        Probe::Auto => (!["curl", "wget", "python3"].iter().any(|t| has(t))).then_some("curl, wget and python3"),
    }
}

/// IAC045: an HTTP check that runs inside the container needs a tool the (known) image lacks. For
/// the targets whose containers run the check themselves: compose, ecs and aws.
pub fn check_tools(stack: &Stack, out: &mut Vec<Finding>) {
    for service in stack.services.values() {
        let Some(health) = &service.health else { continue };
        if !matches!(health.check, HealthCheck::Http { .. }) {
            continue;
        }
        let ImagePin::Tag(tag) = &service.image.pin else { continue };
        let Some(missing) = missing_tool(health.probe, &service.image.repository, tag) else { continue };
        let field = if service.origins.get(&Field::HealthProbe).is_some_and(|o| o.span.is_some()) {
            Field::HealthProbe
        } else {
            Field::HealthPath
        };
        let name = &service.name;
        out.push(Finding::new(
            Diagnostic::new(
                codes::HEALTH_PROBE_TOOL,
                span_of(&service.origins, &field, service.origin),
                format!(
                    "the HTTP health check of `{name}` (probe `{}`) needs {missing}, which image `{}` does not have",
                    health.probe.as_str(),
                    service.image.reference()
                ),
            )
            .with_label(format!("{missing} missing in the image"))
            .with_help(codes::HEALTH_PROBE_TOOL.fix),
            Some(name),
            &stack.environment,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_slim_images_have_python_but_no_curl() {
        assert_eq!(missing_tool(Probe::Curl, "python", "3.11-slim"), Some("curl"));
        assert_eq!(missing_tool(Probe::Python, "python", "3.11-slim"), None);
        assert_eq!(missing_tool(Probe::Auto, "python", "3.11-slim"), None);
        assert_eq!(
            missing_tool(Probe::Auto, "gcr.io/distroless/static-debian12", "nonroot"),
            Some("a shell (/bin/sh)")
        );
        assert_eq!(missing_tool(Probe::Auto, "node", "20-slim"), Some("curl, wget and python3"));
        assert_eq!(missing_tool(Probe::Curl, "ghcr.io/team/api", "1.0"), None);
    }

    #[test]
    fn the_python_check_needs_no_shell() {
        let check = http(Probe::Python, "http://127.0.0.1:8000/health", 5);
        assert_eq!(
            check,
            Some(ContainerCheck::Exec(vec![
                String::from("python3"),
                String::from("-c"),
                String::from(
                    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=5)"
                ),
            ]))
        );
    }
}
