//! `ports:` and `expose:` → named container ports. The first published port (else the first exposed
//! one) is `http`, the others `port-<n>`. A service that publishes a port gets a development ingress,
//! which is how the compose output publishes it (on 127.0.0.1, the http port only).

use crate::import::compose::{Ctx, get};
use crate::import::draft::Service;
use crate::import::interpolate;
use crate::shared::span::Span;
use crate::source::yaml::{Node, NodeKind};

/// One port entry.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Port {
    container: u16,
    /// The host side as written (`8080`, `127.0.0.1:8080`), `None` for `expose:`.
    host: Option<String>,
}

/// Map `ports:` and `expose:` of a service.
pub fn map(ctx: &mut Ctx<'_>, service: &mut Service, map: &[(Node, Node)], prefix: &str) {
    let mut found: Vec<(Port, Span, String)> = Vec::new();
    for key in ["ports", "expose"] {
        let Some(node) = get(map, key) else { continue };
        let path = format!("{prefix}.{key}");
        let items = match &node.kind {
            NodeKind::Seq(items) => items,
            NodeKind::Null => continue,
            _ => {
                ctx.wrong_type(node, "a list", &path);
                continue;
            }
        };
        for (index, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{index}]");
            match parse(item, key == "ports", &ctx.vars) {
                Ok(port) => found.push((port, item.span, item_path)),
                Err(reason) => ctx.not_mapped(item.span, &item_path, reason),
            }
        }
    }
    for (index, (port, span, path)) in found.iter().enumerate() {
        if found[..index].iter().any(|(earlier, _, _)| earlier.container == port.container) {
            if port.host.is_some() {
                ctx.not_mapped(
                    *span,
                    path,
                    format!("container port {} is published once (as the model's port)", port.container),
                );
            }
            continue;
        }
        let name = if service.ports.is_empty() { String::from("http") } else { format!("port-{}", port.container) };
        let Some(host) = &port.host else {
            service.ports.insert(name, port.container);
            continue;
        };
        if name == "http" {
            service.published = true;
            let host_port = host.rsplit(':').next().and_then(|p| p.parse::<u16>().ok()).unwrap_or(port.container);
            if host_port != port.container {
                service.host_port = Some(host_port);
            }
            if *host != format!("127.0.0.1:{host_port}") {
                ctx.changed(
                    *span,
                    path,
                    format!(
                        "published by the compose output as 127.0.0.1:{host_port}:{} (the http port, on the loopback address only)",
                        port.container
                    ),
                );
            }
        } else {
            ctx.not_mapped(
                *span,
                path,
                format!("only the http port is published: {} stays internal as `{name}`", port.container),
            );
        }
        service.ports.insert(name, port.container);
    }
}

fn parse(node: &Node, published: bool, vars: &interpolate::Vars) -> Result<Port, String> {
    let port_number = |text: &str| -> Result<u16, String> {
        match text.trim().parse::<u16>() {
            Ok(0) | Err(_) if text.contains('-') => {
                Err(format!("`{text}` is a port range: the model names single ports"))
            }
            Ok(0) | Err(_) => Err(format!("`{text}` is not a port number")),
            Ok(port) => Ok(port),
        }
    };
    match &node.kind {
        NodeKind::Scalar { text, .. } => {
            let text = interpolate::resolve_text_with(text, vars)?.text;
            let (body, protocol) = text.rsplit_once('/').unwrap_or((&text, "tcp"));
            if protocol != "tcp" {
                return Err(format!("a {protocol} port: the model's ports are TCP"));
            }
            let (host, container) = match body.rsplit_once(':') {
                Some((host, container)) => (Some(host.to_string()), container),
                None => (None, body),
            };
            let container = port_number(container)?;
            let host = if published { Some(host.unwrap_or_default()) } else { None };
            Ok(Port { container, host })
        }
        NodeKind::Map(map) => {
            let text = |key: &str| get(map, key).and_then(Node::as_str).map(str::to_string);
            if let Some(protocol) = text("protocol").filter(|p| p != "tcp") {
                return Err(format!("a {protocol} port: the model's ports are TCP"));
            }
            let container = port_number(&text("target").unwrap_or_default())?;
            let host = match (text("host_ip"), text("published")) {
                (Some(ip), Some(port)) => format!("{ip}:{port}"),
                (None, Some(port)) => port,
                (ip, None) => ip.unwrap_or_default(),
            };
            Ok(Port { container, host: published.then_some(host) })
        }
        _ => Err(String::from("not a port")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::span::{FileId, SourceFile};

    fn port(text: &str) -> Result<Port, String> {
        let file = SourceFile::new("t.yaml".into(), format!("- \"{text}\"\n"));
        let node = crate::source::yaml::parse(FileId(0), &file).unwrap_or_else(|d| panic!("{d:?}"));
        let NodeKind::Seq(items) = &node.kind else { panic!("list") };
        parse(&items[0], true, &interpolate::Vars::new())
    }

    #[test]
    fn short_syntax() {
        assert_eq!(port("8080:80"), Ok(Port { container: 80, host: Some("8080".into()) }));
        assert_eq!(port("127.0.0.1:4000:4000"), Ok(Port { container: 4000, host: Some("127.0.0.1:4000".into()) }));
        assert_eq!(port("9090"), Ok(Port { container: 9090, host: Some(String::new()) }));
        assert_eq!(port("[::1]:53:53"), Ok(Port { container: 53, host: Some("[::1]:53".into()) }));
        assert!(port("53:53/udp").is_err());
        assert!(port("3000-3005:3000-3005").is_err());
    }
}
