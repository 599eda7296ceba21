//! One certificate per host: every Ingress of an environment that serves a host with TLS names the
//! same Secret, `<host>-tls`, and exactly one of them — the first service by name that routes the
//! host — carries the cert-manager issuer annotation.
//!
//! cert-manager's ingress-shim creates one Certificate per TLS secret of an annotated Ingress, named
//! after the secret and owned by that Ingress; a second annotated Ingress asking for the same secret
//! would fight over it ("not owned by this object"), and one secret per Ingress orders one
//! certificate per service for the same name (Let's Encrypt allows five duplicates a week). The other
//! Ingresses only reference the Secret, which lives in the same namespace: until the issuing chart is
//! installed, ingress-nginx serves its default certificate for the host.

use sha2::{Digest, Sha256};

use crate::ir::{Service, Stack};

/// The TLS Secret (and Certificate) name of a host: `api.example.com` → `api.example.com-tls`, a
/// valid DNS subdomain like the host itself (dots kept, so two hosts never share a name). A host
/// too long for the suffix keeps its last labels behind a hash label.
pub fn secret_name(host: &str) -> String {
    const LIMIT: usize = 253;
    let name = format!("{host}-tls");
    if name.len() <= LIMIT {
        return name;
    }
    let digest = Sha256::digest(host.as_bytes());
    let hash: String = digest.iter().take(4).map(|byte| format!("{byte:02x}")).collect();
    let mut tail = host;
    while hash.len() + 1 + tail.len() + 4 > LIMIT {
        tail = tail.split_once('.').map_or("", |(_, rest)| rest);
    }
    if tail.is_empty() { format!("{hash}-tls") } else { format!("{hash}.{tail}-tls") }
}

/// Whether `service`'s Ingress asks cert-manager for its host's certificate: it is the first service
/// by name in `stack` that routes that host with TLS.
pub fn issues(stack: &Stack, service: &Service) -> bool {
    let Some(host) = service.ingress.as_ref().filter(|i| i.tls).and_then(|i| i.host.as_deref()) else {
        return false;
    };
    let first = stack.services.values().find(|other| {
        other.ingress.as_ref().is_some_and(|ingress| ingress.tls && ingress.host.as_deref() == Some(host))
    });
    first.is_some_and(|first| first.name == service.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_host() {
        assert_eq!(secret_name("api.slotwise.com"), "api.slotwise.com-tls");
        let label = "a".repeat(60);
        let long = [label.as_str(); 5].join(".");
        let name = secret_name(&long);
        assert!(name.len() <= 253, "{name}");
        assert!(name.ends_with(&format!("{label}-tls")));
        assert_ne!(secret_name(&long), secret_name(&format!("b{}", &long[1..])));
    }
}
