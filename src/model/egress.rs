//! `egress:` entries: what a workload reaches outside the platform, as `host:port`.
//!
//! The host is a DNS name (`api.stripe.com`, or `*.stripe.com` for a family of names), an IPv4
//! address (`203.0.113.10`) or an IPv4 network (`10.20.0.0/16`, an on-premises range). Platforms
//! filter outbound traffic by address and port, never by name: a name documents the intent and opens
//! its port to addresses outside the platform, while an address or network is matched exactly.

use std::fmt;
use std::net::Ipv4Addr;

/// What an egress entry names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EgressHost {
    /// A DNS name, possibly a `*.` wildcard.
    Name(String),
    /// An IPv4 network (an address is a /32).
    Network { address: Ipv4Addr, prefix: u8 },
}

impl EgressHost {
    /// The network as CIDR text (`203.0.113.10/32`), for a host given as an address or network.
    pub fn cidr(&self) -> Option<String> {
        match self {
            EgressHost::Name(_) => None,
            EgressHost::Network { address, prefix } => Some(format!("{address}/{prefix}")),
        }
    }
}

impl fmt::Display for EgressHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EgressHost::Name(name) => f.write_str(name),
            EgressHost::Network { address, prefix: 32 } => write!(f, "{address}"),
            EgressHost::Network { address, prefix } => write!(f, "{address}/{prefix}"),
        }
    }
}

/// One `host:port` a workload reaches outside the platform (TCP).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Egress {
    pub host: EgressHost,
    pub port: u16,
}

impl fmt::Display for Egress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

impl Egress {
    /// Parse `host:port`.
    pub fn parse(text: &str) -> Result<Egress, String> {
        let shape = "write `host:port`, such as `api.stripe.com:443`, `203.0.113.10:8443` or `10.20.0.0/16:5432`";
        let Some((host, port)) = text.rsplit_once(':') else {
            return Err(format!("`{text}` has no port: {shape}"));
        };
        let port = match port.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err(format!("`{port}` in `{text}` is not a port between 1 and 65535")),
        };
        if host.contains(':') || host.starts_with('[') {
            return Err(format!("`{text}`: IPv6 addresses are not supported; {shape}"));
        }
        Ok(Egress { host: parse_host(host).map_err(|why| format!("`{text}`: {why}"))?, port })
    }
}

fn parse_host(host: &str) -> Result<EgressHost, String> {
    if host.contains('/') || host.parse::<Ipv4Addr>().is_ok() {
        let (address, prefix) = parse_cidr(if host.contains('/') { host.to_string() } else { format!("{host}/32") })?;
        return Ok(EgressHost::Network { address, prefix });
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    if is_dns_name(name) && !name.split('.').all(|label| label.chars().all(|c| c.is_ascii_digit())) {
        Ok(EgressHost::Name(host.to_string()))
    } else {
        Err(format!(
            "`{host}` is not a lowercase DNS name (`api.example.com`, `*.example.com`), an IPv4 address or an IPv4 network"
        ))
    }
}

/// A canonical IPv4 CIDR (`10.0.0.0/8`: no host bits set), as address and prefix length.
pub fn parse_cidr(text: impl AsRef<str>) -> Result<(Ipv4Addr, u8), String> {
    let text = text.as_ref();
    let invalid = || format!("`{text}` is not an IPv4 network such as `10.0.0.0/8`");
    let (address, prefix) = text.split_once('/').ok_or_else(invalid)?;
    let address: Ipv4Addr = address.parse().map_err(|_| invalid())?;
    let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32).ok_or_else(invalid)?;
    let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
    if u32::from(address) & !mask != 0 {
        let network = Ipv4Addr::from(u32::from(address) & mask);
        return Err(format!("`{text}` has host bits set: the network is `{network}/{prefix}`"));
    }
    Ok((address, prefix))
}

/// Lowercase DNS labels separated by dots (also what an ingress host must be).
pub fn is_dns_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_addresses_and_networks() {
        let stripe = Egress::parse("api.stripe.com:443").expect("name");
        assert_eq!(stripe.host, EgressHost::Name(String::from("api.stripe.com")));
        assert_eq!(stripe.to_string(), "api.stripe.com:443");
        assert!(Egress::parse("*.stripe.com:443").is_ok());
        let address = Egress::parse("203.0.113.10:8443").expect("address");
        assert_eq!(address.host.cidr().as_deref(), Some("203.0.113.10/32"));
        assert_eq!(address.to_string(), "203.0.113.10:8443");
        let network = Egress::parse("10.20.0.0/16:5432").expect("network");
        assert_eq!(network.to_string(), "10.20.0.0/16:5432");
    }

    #[test]
    fn refuses_what_no_platform_can_filter() {
        for bad in [
            "api.stripe.com",
            "api.stripe.com:0",
            "api.stripe.com:70000",
            "API.example.com:443",
            "10.20.0.1/16:5432",
            "[::1]:443",
            "999.1.1.1:80",
            ":443",
        ] {
            assert!(Egress::parse(bad).is_err(), "{bad} parsed");
        }
    }
}
