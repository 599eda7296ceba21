//! `${...}` placeholders inside env values, parsed into typed references.

use crate::shared::span::Span;

/// An attribute of a resource that a placeholder may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceAttr {
    Host,
    Port,
    Name,
    User,
    /// A connection URL: scheme (TLS where the target turns it on), user, the password as the
    /// target can reference it, host, port and database.
    Url,
}

/// An attribute of a service that a placeholder may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServiceAttr {
    Host,
    Port,
    Url,
}

/// What a placeholder refers to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placeholder {
    Resource { name: String, attr: ResourceAttr },
    Service { name: String, attr: ServiceAttr },
    Environment,
    Project,
}

/// A piece of an env value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Text(String),
    /// A placeholder and where it was written (for "unknown resource" diagnostics).
    Placeholder(Placeholder, Span),
}

/// An env value: literal text with placeholders in it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Template {
    pub segments: Vec<Segment>,
}

impl Template {
    /// A template of plain text.
    pub fn text(text: impl Into<String>) -> Template {
        Template { segments: vec![Segment::Text(text.into())] }
    }

    /// The literal text if there is no placeholder.
    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Placeholder(..) => return None,
            }
        }
        Some(out)
    }

    /// Substitute each placeholder with `f`'s answer.
    pub fn render(&self, mut f: impl FnMut(&Placeholder) -> String) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Placeholder(placeholder, _) => out.push_str(&f(placeholder)),
            }
        }
        out
    }

    /// The placeholders, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = (&Placeholder, Span)> {
        self.segments.iter().filter_map(|segment| match segment {
            Segment::Placeholder(placeholder, span) => Some((placeholder, *span)),
            Segment::Text(_) => None,
        })
    }
}

/// An unknown placeholder: its byte range inside the value and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceholderError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
}

/// Parse `text`. `span_of(offset, len)` maps a byte range of `text` to a span in the model file.
pub fn parse(text: &str, span_of: impl Fn(usize, usize) -> Span) -> Result<Template, Vec<PlaceholderError>> {
    let mut segments = Vec::new();
    let mut errors = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(index) = rest.find('$') {
        literal.push_str(&rest[..index]);
        let after = &rest[index..];
        if after.starts_with("$${") {
            literal.push_str("${");
            rest = &after[3..];
            offset += index + 3;
            continue;
        }
        if !after.starts_with("${") {
            literal.push('$');
            rest = &after[1..];
            offset += index + 1;
            continue;
        }
        let Some(close) = after.find('}') else {
            errors.push(PlaceholderError {
                offset: offset + index,
                len: after.len(),
                message: String::from("unterminated placeholder: missing `}`"),
            });
            rest = "";
            break;
        };
        let inner = &after[2..close];
        let start = offset + index;
        match parse_inner(inner) {
            Ok(placeholder) => {
                if !literal.is_empty() {
                    segments.push(Segment::Text(std::mem::take(&mut literal)));
                }
                segments.push(Segment::Placeholder(placeholder, span_of(start, close + 1)));
            }
            Err(message) => errors.push(PlaceholderError { offset: start, len: close + 1, message }),
        }
        rest = &after[close + 1..];
        offset = start + close + 1;
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        segments.push(Segment::Text(literal));
    }
    if errors.is_empty() { Ok(Template { segments }) } else { Err(errors) }
}

fn parse_inner(inner: &str) -> Result<Placeholder, String> {
    let parts: Vec<&str> = inner.trim().split('.').collect();
    match parts.as_slice() {
        ["environment"] => Ok(Placeholder::Environment),
        ["project"] => Ok(Placeholder::Project),
        ["resources", name, attr] => {
            let attr = match *attr {
                "host" => ResourceAttr::Host,
                "port" => ResourceAttr::Port,
                "name" => ResourceAttr::Name,
                "user" => ResourceAttr::User,
                "url" => ResourceAttr::Url,
                other => {
                    return Err(format!(
                        "unknown resource attribute `{other}` (expected host, port, name, user or url)"
                    ));
                }
            };
            Ok(Placeholder::Resource { name: (*name).to_string(), attr })
        }
        ["services", name, attr] => {
            let attr = match *attr {
                "host" => ServiceAttr::Host,
                "port" => ServiceAttr::Port,
                "url" => ServiceAttr::Url,
                other => return Err(format!("unknown service attribute `{other}` (expected host, port or url)")),
            };
            Ok(Placeholder::Service { name: (*name).to_string(), attr })
        }
        _ => Err(format!("unknown placeholder `${{{inner}}}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::span::FileId;

    fn span(offset: usize, len: usize) -> Span {
        Span::new(FileId(0), offset, offset + len)
    }

    #[test]
    fn parses_and_escapes() {
        let template = parse("postgres://${resources.db.host}:${resources.db.port}/x $${HOME} $5", span).expect("ok");
        assert_eq!(template.placeholders().count(), 2);
        let rendered = template.render(|_| "V".into());
        assert_eq!(rendered, "postgres://V:V/x ${HOME} $5");
    }

    #[test]
    fn locates_unknown_placeholders() {
        let errors = parse("a ${resources.db.hots} b", span).expect_err("bad");
        assert_eq!(errors[0].offset, 2);
        assert_eq!(errors[0].len, 20);
    }
}
