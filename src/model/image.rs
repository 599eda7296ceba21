//! Image references: `repository[:tag][@sha256:digest]`.

use std::fmt;

/// What pins an image: a tag or a digest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImagePin {
    Tag(String),
    Digest(String),
}

/// A parsed image reference from the model (`image:`), possibly without a pin.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageRef {
    pub repository: String,
    pub pin: Option<ImagePin>,
}

impl ImageRef {
    /// Parse `ghcr.io/org/app`, `nginx:1.27`, `repo@sha256:...`, `host:5000/app:1`.
    pub fn parse(text: &str) -> Result<ImageRef, String> {
        let text = text.trim();
        if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("invalid image reference `{text}`"));
        }
        if let Some((repository, digest)) = text.split_once('@') {
            check_digest(digest)?;
            check_repository(repository)?;
            return Ok(ImageRef {
                repository: repository.to_string(),
                pin: Some(ImagePin::Digest(digest.to_string())),
            });
        }
        // A ':' after the last '/' separates the tag; one before it belongs to a registry port.
        let last_slash = text.rfind('/').map_or(0, |i| i + 1);
        if let Some(colon) = text[last_slash..].rfind(':') {
            let (repository, tag) = (&text[..last_slash + colon], &text[last_slash + colon + 1..]);
            check_tag(tag)?;
            check_repository(repository)?;
            return Ok(ImageRef { repository: repository.to_string(), pin: Some(ImagePin::Tag(tag.to_string())) });
        }
        check_repository(text)?;
        Ok(ImageRef { repository: text.to_string(), pin: None })
    }
}

impl ImageRef {
    /// The reference as written: `repository[:tag]` or `repository@digest`.
    pub fn reference(&self) -> String {
        match &self.pin {
            None => self.repository.clone(),
            Some(ImagePin::Tag(tag)) => format!("{}:{tag}", self.repository),
            Some(ImagePin::Digest(digest)) => format!("{}@{digest}", self.repository),
        }
    }
}

/// Parse a `version:` value: a tag or a digest.
pub fn parse_pin(text: &str) -> Result<ImagePin, String> {
    let text = text.trim();
    if text.starts_with("sha256:") {
        check_digest(text)?;
        return Ok(ImagePin::Digest(text.to_string()));
    }
    if let Some(digest) = text.strip_prefix('@') {
        check_digest(digest)?;
        return Ok(ImagePin::Digest(digest.to_string()));
    }
    check_tag(text)?;
    Ok(ImagePin::Tag(text.to_string()))
}

fn check_repository(repository: &str) -> Result<(), String> {
    let valid = !repository.is_empty()
        && repository.chars().all(|c| c.is_ascii_alphanumeric() || "._-/:".contains(c))
        && !repository.starts_with('/')
        && !repository.ends_with('/');
    if valid { Ok(()) } else { Err(format!("invalid image repository `{repository}`")) }
}

fn check_tag(tag: &str) -> Result<(), String> {
    let valid = !tag.is_empty()
        && tag.len() <= 128
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && !tag.starts_with(['.', '-']);
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid image tag `{tag}`: letters, digits, '.', '_' and '-', at most 128, not starting with '.' or '-'"
        ))
    }
}

fn check_digest(digest: &str) -> Result<(), String> {
    let hex = digest.strip_prefix("sha256:").unwrap_or("");
    if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(format!("invalid image digest `{digest}`: expected sha256: and 64 lowercase hex digits"))
    }
}

impl fmt::Display for ImagePin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImagePin::Tag(tag) => write!(f, "{tag}"),
            ImagePin::Digest(digest) => write!(f, "{digest}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let image = ImageRef::parse("localhost:5000/app:1.2").expect("valid");
        assert_eq!(image.repository, "localhost:5000/app");
        assert_eq!(image.pin, Some(ImagePin::Tag("1.2".into())));
        let image = ImageRef::parse("localhost:5000/app").expect("valid");
        assert_eq!(image.pin, None);
        assert!(ImageRef::parse("app@sha256:abc").is_err());
        assert!(parse_pin("v1.2.3").is_ok());
        assert!(parse_pin("bad tag").is_err());
    }
}
