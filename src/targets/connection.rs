//! Connection URLs (`${resources.<r>.url}`): one shape per resource kind, filled in by each target
//! with what is true there.
//!
//! | kind | URL | with TLS |
//! |---|---|---|
//! | postgres | `postgresql://<user>[:<password>]@<host>:<port>/<database>` | `?sslmode=require` (libpq) |
//! | mysql | `mysql://<user>[:<password>]@<host>:<port>/<database>` | `?ssl-mode=REQUIRED` (MySQL's URI form) |
//! | redis | `redis://[:<password>@]<host>:<port>` | scheme `rediss://` |
//!
//! A redis URL names no user for the `default` user (`:<password>@`: Redis before 6, Redis with
//! `requirepass` and ElastiCache with an AUTH token all accept a bare password). SQL Server has no
//! URL its drivers agree on; validation refuses `url` for it. The password is whatever the target
//! can put there: a compose `.env` interpolation, a Kubernetes `$(VAR)` reference, or nothing where
//! the platform injects whole secrets only (the password then travels in its own variable).

use crate::ir::ResourceKind;

/// The pieces of one URL, each already in the target's syntax (a literal, an interpolation, a
/// Terraform expression).
pub struct UrlParts<T> {
    pub kind: ResourceKind,
    pub tls: bool,
    /// The resource's user (redis: `default` is left out of the URL).
    pub user: T,
    /// The password as the target references it; `None`: not in the URL.
    pub password: Option<T>,
    pub host: T,
    pub port: T,
    pub database: T,
}

/// A URL piece: fixed text of the URL's shape, or one of the parts.
pub enum Piece<T> {
    Text(&'static str),
    Part(T),
}

/// The URL as a sequence of fixed text and parts, for targets that write expressions.
pub fn pieces<T>(parts: UrlParts<T>, redis_user_is_default: bool) -> Vec<Piece<T>> {
    let UrlParts { kind, tls, user, password, host, port, database } = parts;
    let mut out = Vec::new();
    match kind {
        ResourceKind::Redis => {
            out.push(Piece::Text(if tls { "rediss://" } else { "redis://" }));
            if let Some(password) = password {
                if !redis_user_is_default {
                    out.push(Piece::Part(user));
                }
                out.extend([Piece::Text(":"), Piece::Part(password), Piece::Text("@")]);
            }
            out.extend([Piece::Part(host), Piece::Text(":"), Piece::Part(port)]);
        }
        kind => {
            let (scheme, query) = match kind {
                ResourceKind::Mysql => ("mysql://", "?ssl-mode=REQUIRED"),
                _ => ("postgresql://", "?sslmode=require"),
            };
            out.extend([Piece::Text(scheme), Piece::Part(user)]);
            if let Some(password) = password {
                out.extend([Piece::Text(":"), Piece::Part(password)]);
            }
            out.extend([
                Piece::Text("@"),
                Piece::Part(host),
                Piece::Text(":"),
                Piece::Part(port),
                Piece::Text("/"),
                Piece::Part(database),
            ]);
            if tls {
                out.push(Piece::Text(query));
            }
        }
    }
    out
}

/// The URL as text, every part already text.
pub fn url(parts: UrlParts<&str>) -> String {
    let default_user = parts.user == "default";
    pieces(parts, default_user)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(text) | Piece::Part(text) => text,
        })
        .collect()
}

/// Text for the user-info or path part of a URL: everything but RFC 3986's unreserved characters
/// percent-encoded (pinned users and database names are model text).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(kind: ResourceKind, tls: bool, password: Option<&str>) -> String {
        url(UrlParts { kind, tls, user: "app", password, host: "db", port: "5432", database: "shop" })
    }

    #[test]
    fn one_shape_per_kind() {
        assert_eq!(parts(ResourceKind::Postgres, false, Some("pw")), "postgresql://app:pw@db:5432/shop");
        assert_eq!(parts(ResourceKind::Postgres, true, None), "postgresql://app@db:5432/shop?sslmode=require");
        assert_eq!(parts(ResourceKind::Mysql, true, Some("pw")), "mysql://app:pw@db:5432/shop?ssl-mode=REQUIRED");
        assert_eq!(parts(ResourceKind::Redis, true, Some("pw")), "rediss://app:pw@db:5432");
        let redis = UrlParts {
            kind: ResourceKind::Redis,
            tls: false,
            user: "default",
            password: Some("pw"),
            host: "cache",
            port: "6379",
            database: "",
        };
        assert_eq!(url(redis), "redis://:pw@cache:6379");
        let open = UrlParts {
            kind: ResourceKind::Redis,
            tls: false,
            user: "default",
            password: None,
            host: "cache",
            port: "6379",
            database: "",
        };
        assert_eq!(url(open), "redis://cache:6379");
    }

    #[test]
    fn escapes_model_text() {
        assert_eq!(escape("app_user"), "app_user");
        assert_eq!(escape("a@b:c/d"), "a%40b%3Ac%2Fd");
    }
}
