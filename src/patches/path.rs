//! Key paths of patches: `services.catalog.environment.FEATURE_X`, `containerDefinitions[0].cpu`,
//! `podAnnotations."sidecar.istio.io/inject"`.

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Step::Key(key) if key.contains(['.', '[', ']', '"']) => write!(f, "\"{key}\""),
            Step::Key(key) => write!(f, "{key}"),
            Step::Index(index) => write!(f, "[{index}]"),
        }
    }
}

/// Parse a key path; `"..."` quotes a key that contains dots; `[n]` or a numeric segment is an index.
pub fn parse(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut chars = text.chars().peekable();
    let mut current = String::new();
    let mut quoted = false;
    let mut after_quote = false;
    let finish = |current: &mut String, steps: &mut Vec<Step>, was_quoted: bool| {
        if current.is_empty() && !was_quoted {
            return;
        }
        let step = match current.parse::<usize>() {
            Ok(index) if !was_quoted => Step::Index(index),
            _ => Step::Key(current.clone()),
        };
        steps.push(step);
        current.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => {
                quoted = false;
                after_quote = true;
            }
            '"' if current.is_empty() => quoted = true,
            _ if quoted => current.push(c),
            '.' => {
                if current.is_empty() && !after_quote && steps.is_empty() {
                    return Err(format!("invalid key path `{text}`: empty segment"));
                }
                finish(&mut current, &mut steps, after_quote);
                after_quote = false;
            }
            '[' => {
                finish(&mut current, &mut steps, after_quote);
                after_quote = false;
                let mut digits = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    digits.push(d);
                }
                let index = digits.parse().map_err(|_| format!("invalid index `[{digits}]` in `{text}`"))?;
                steps.push(Step::Index(index));
            }
            _ => current.push(c),
        }
    }
    if quoted {
        return Err(format!("invalid key path `{text}`: unterminated quote"));
    }
    finish(&mut current, &mut steps, after_quote);
    if steps.is_empty() {
        return Err(String::from("empty key path"));
    }
    Ok(steps)
}

/// The path as text.
pub fn display(steps: &[Step]) -> String {
    let mut out = String::new();
    for (index, step) in steps.iter().enumerate() {
        if index > 0 && matches!(step, Step::Key(_)) {
            out.push('.');
        }
        out.push_str(&step.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths() {
        assert_eq!(
            parse("services.catalog.environment.FEATURE_X"),
            Ok(vec![
                Step::Key("services".into()),
                Step::Key("catalog".into()),
                Step::Key("environment".into()),
                Step::Key("FEATURE_X".into())
            ])
        );
        assert_eq!(
            parse("containerDefinitions[0].cpu"),
            Ok(vec![Step::Key("containerDefinitions".into()), Step::Index(0), Step::Key("cpu".into())])
        );
        assert_eq!(
            parse("podAnnotations.\"sidecar.istio.io/inject\""),
            Ok(vec![Step::Key("podAnnotations".into()), Step::Key("sidecar.istio.io/inject".into())])
        );
        assert!(parse("a.\"b").is_err());
    }
}
