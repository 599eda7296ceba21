//! IAC014 unsupported-version, IAC012 missing-field (project), IAC020 invalid-name (also names
//! Windows reserves for devices),
//! IAC021 duplicate-definition (across services, jobs and resources, which share one namespace in
//! every target), IAC025 output-outside-project, IAC003 duplicate-key (tag keys that differ only in
//! case), IAC042 implicit-stage (a `prod` environment name guessed as another stage).

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::model::{Model, Stage};
use crate::shared::span::Span;

/// Run the checks.
pub fn check(model: &Model, diagnostics: &mut Diagnostics) {
    match &model.version {
        None => diagnostics.push(
            Diagnostic::new(
                codes::MISSING_FIELD,
                Span { end: model.span.start, ..model.span },
                "the model has no `version`",
            )
            .with_label("`version` missing")
            .with_help("add `version: 1` at the top of iacgen.yaml"),
        ),
        Some(version) if version.value != 1 => diagnostics.push(
            Diagnostic::new(
                codes::UNSUPPORTED_VERSION,
                version.span,
                format!("model version {} is not supported", version.value),
            )
            .with_label("unsupported version")
            .with_help("this iacgen reads `version: 1`"),
        ),
        Some(_) => {}
    }
    match &model.project {
        None => diagnostics.push(
            Diagnostic::new(
                codes::MISSING_FIELD,
                Span { end: model.span.start, ..model.span },
                "the model has no `project`",
            )
            .with_label("`project` missing")
            .with_help("add `project: <name>` (lowercase letters, digits and '-', at most 24 characters)"),
        ),
        Some(project) => {
            diagnostics.items.extend(reserved("project", &project.value, project.span));
            if let Err(why) = label(&project.value, 24) {
                diagnostics.push(
                    Diagnostic::new(
                        codes::INVALID_NAME,
                        project.span,
                        format!("invalid project name `{}`: {why}", project.value),
                    )
                    .with_label("invalid name")
                    .with_help("use lowercase letters, digits and '-', starting with a letter, at most 24 characters"),
                );
            }
        }
    }

    let mut kinds: Vec<(&str, Vec<(&String, Span)>)> = vec![
        ("service", model.services.values().map(|s| (&s.name.value, s.name.span)).collect()),
        ("job", model.jobs.values().map(|j| (&j.name.value, j.name.span)).collect()),
        ("resource", model.resources.values().map(|r| (&r.name.value, r.name.span)).collect()),
        ("secret", model.secrets.values().map(|s| (&s.name.value, s.name.span)).collect()),
        ("environment", model.environments.values().map(|e| (&e.name.value, e.name.span)).collect()),
    ];
    for (kind, names) in &mut kinds {
        for (name, span) in names.iter() {
            diagnostics.items.extend(reserved(kind, name, *span));
            if let Err(why) = label(name, 63) {
                diagnostics.push(
                    Diagnostic::new(
                        codes::INVALID_NAME,
                        *span,
                        format!("invalid {kind} name `{}`: {why}", printable(name)),
                    )
                    .with_label("not a DNS-1123 label")
                    .with_help(codes::INVALID_NAME.fix),
                );
            }
        }
    }

    // Services, jobs and resources become containers, charts and modules side by side.
    let mut seen: BTreeMap<&str, (&str, Span)> = BTreeMap::new();
    for (kind, names) in kinds.iter().take(3) {
        for (name, span) in names {
            if let Some((first_kind, first_span)) = seen.get(name.as_str()) {
                diagnostics.push(
                    Diagnostic::new(
                        codes::DUPLICATE_DEFINITION,
                        *span,
                        format!("{kind} `{name}` has the same name as {first_kind} `{name}`"),
                    )
                    .with_label("defined again here")
                    .with_related(*first_span, format!("the {first_kind} is defined here"))
                    .with_help("services, jobs and resources share one namespace in every target: rename one"),
                );
            } else {
                seen.insert(name.as_str(), (kind, *span));
            }
        }
    }

    tag_case(model, diagnostics);
    implicit_stage(model, diagnostics);

    if let Some(output) = &model.output {
        if let Err(message) = crate::source::project_relative(&output.value) {
            diagnostics.push(
                Diagnostic::new(codes::OUTPUT_OUTSIDE_PROJECT, output.span, message)
                    .with_label("outside the project")
                    .with_help(codes::OUTPUT_OUTSIDE_PROJECT.fix),
            );
        }
    }
}

/// AWS and Azure compare tag keys case-insensitively (IAM rejects `Project` next to `project`), so
/// two model tags that differ only in case are the same key twice. Reported at the later one.
fn tag_case(model: &Model, diagnostics: &mut Diagnostics) {
    let mut tags: Vec<(&String, Span)> = model.tags.iter().map(|(key, value)| (key, value.span)).collect();
    tags.sort_by_key(|(key, span)| (span.file.0, span.start, *key));
    let mut seen: BTreeMap<String, (&String, Span)> = BTreeMap::new();
    for (key, span) in tags {
        match seen.get(&key.to_ascii_lowercase()) {
            Some((first, first_span)) => diagnostics.push(
                Diagnostic::new(
                    codes::DUPLICATE_KEY,
                    span,
                    format!("tags `{}` and `{}` differ only in case", printable(first), printable(key)),
                )
                .with_label("the same tag key on AWS and Azure")
                .with_related(*first_span, format!("`{}` is set here", printable(first)))
                .with_help("cloud tag keys are case-insensitive: keep one of the two"),
            ),
            None => {
                seen.insert(key.to_ascii_lowercase(), (key, span));
            }
        }
    }
}

/// An environment named like `prod-aws` or `preprod` is staging by its name; say so where the name
/// is, unless `stage:` is set (which is how the user confirms or corrects the guess).
fn implicit_stage(model: &Model, diagnostics: &mut Diagnostics) {
    for environment in model.environments.values() {
        let name = &environment.name.value;
        let guessed = Stage::from_name(name);
        if environment.stage.is_none() && name.contains("prod") && guessed != Stage::Production {
            diagnostics.push(
                Diagnostic::new(
                    codes::IMPLICIT_STAGE,
                    environment.name.span,
                    format!("environment `{}` is {} by its name, not production", printable(name), guessed.as_str()),
                )
                .with_label(format!("`stage:` not set: {}", guessed.as_str()))
                .with_help(
                    "only `prod`, `production`, `prd` and `live` are production by name: set `stage: production` (deletion protection, Multi-AZ, two replicas) or `stage: staging` to confirm",
                ),
            );
        }
    }
}

/// A DNS-1123 label of at most `max` characters, starting with a letter.
pub fn label(name: &str, max: usize) -> Result<(), String> {
    if name.is_empty() {
        return Err(String::from("it is empty"));
    }
    if name.chars().count() > max {
        return Err(format!("it is longer than {max} characters"));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
        return Err(format!("`{}` is not a lowercase letter, digit or '-'", bad.escape_debug()));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(String::from("it must start with a letter"));
    }
    if name.ends_with('-') {
        return Err(String::from("it must not end with '-'"));
    }
    Ok(())
}

/// The diagnostic for a `kind` name (`service`, `project`, ...) that Windows reserves, if it is one.
fn reserved(kind: &str, name: &str, span: Span) -> Option<Diagnostic> {
    windows_reserved(name).then(|| {
        Diagnostic::new(
            codes::INVALID_NAME,
            span,
            format!("invalid {kind} name `{name}`: Windows reserves it for a device, so no file or folder there can be called that"),
        )
        .with_label("reserved on Windows")
        .with_help("choose another name: the generated files could not be checked out on Windows (con, prn, aux, nul, com0-com9 and lpt0-lpt9 are reserved)")
    })
}

/// Whether Windows reserves `name` for a device, with or without an extension (`con`, `nul.txt`,
/// `com1`, `LPT9.tar.gz`): such a file or folder cannot be created there, and names become folders
/// and files of the output (`compose/<environment>/`, `helm/<service>/`). Windows ignores case and
/// trailing dots and spaces before the extension.
pub fn windows_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches([' ', '.']).to_ascii_uppercase();
    if matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$") {
        return true;
    }
    let Some(number) = stem.strip_prefix("COM").or_else(|| stem.strip_prefix("LPT")) else { return false };
    // COM0-9 and LPT0-9, and the superscript digits Windows also treats as device numbers.
    let mut chars = number.chars();
    matches!((chars.next(), chars.next()), (Some('0'..='9' | '¹' | '²' | '³'), None))
}

/// The name with control and invisible characters escaped, so messages cannot spoof the terminal.
pub fn printable(name: &str) -> String {
    name.chars()
        .flat_map(|c| if c.is_ascii_graphic() || c == ' ' { vec![c] } else { c.escape_unicode().collect() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(label("auth-service", 63).is_ok());
        assert!(label("../../etc", 63).is_err());
        assert!(label("Auth", 63).is_err());
        assert!(label("аuth", 63).is_err());
        assert!(label("1st", 63).is_err());
    }

    #[test]
    fn windows_device_names() {
        for name in [
            "con",
            "CON",
            "nul",
            "aux",
            "prn",
            "com1",
            "com9",
            "lpt1",
            "LPT9",
            "com0",
            "nul.txt",
            "con.tar.gz",
            "aux .yaml",
            "com¹",
            "conin$",
        ] {
            assert!(windows_reserved(name), "{name}");
        }
        for name in ["console", "com10", "lpt", "com", "icon", "nul-service", "auxiliary", "com1a", "my-con", ""] {
            assert!(!windows_reserved(name), "{name}");
        }
    }
}
