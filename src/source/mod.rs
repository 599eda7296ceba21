//! The `source` stage: find and read the model's files (from disk or from a git revision) into a
//! [`Model`]. It is the only stage that reads model files.

pub mod decode;
pub mod disk;
pub mod git;
pub mod reader;
pub mod yaml;

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::model::{FileSource, Model, ServiceDef, ServiceSpec, TemplateDir};
use crate::shared::MODEL_FILE;
use crate::shared::span::{FileId, SourceMap, Span, Spanned};
use crate::source::decode::Ctx;
use crate::source::reader::{EntryKind, Reader};

/// Largest model file read (hostile input must not exhaust memory).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// A loaded model with its sources and any warnings.
#[derive(Debug)]
pub struct Loaded {
    pub model: Model,
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}

/// A failed load: the sources read so far (to render diagnostics) and the errors.
#[derive(Debug)]
pub struct LoadError {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}

/// Read and decode the whole model. Every problem of every file is reported at once: only a main
/// file that cannot be read or parsed is an `Err`; decoding problems come back as diagnostics.
pub fn load(reader: &Reader) -> Result<Loaded, LoadError> {
    let mut sources = SourceMap::default();
    let mut diagnostics = Diagnostics::new();

    let Some(root) = read_yaml(reader, MODEL_FILE, &mut sources, &mut diagnostics) else {
        return Err(LoadError { sources, diagnostics });
    };
    let mut model = {
        let mut ctx = Ctx { diagnostics: &mut diagnostics, sources: &sources };
        decode::model(&mut ctx, &root.1)
    };

    for path in model_files(reader, "services", &mut diagnostics) {
        let Some((file_id, node)) = read_yaml(reader, &path, &mut sources, &mut diagnostics) else {
            // Keep the name, so references to a service whose file is broken are not reported too.
            let name = stem(&path);
            let spec = ServiceSpec::default();
            model
                .services
                .entry(name.clone())
                .or_insert(ServiceDef { name: Spanned::new(name, Span::default()), spec });
            continue;
        };
        let name = Spanned::new(stem(&path), Span::new(file_id, 0, 0));
        let spec = {
            let mut ctx = Ctx { diagnostics: &mut diagnostics, sources: &sources };
            decode::service_spec(&mut ctx, &node, &format!("services.{}", name.value), decode::LayerKind::Service)
        };
        let name = Spanned::new(name.value, name_span(&spec));
        if let Some(existing) = model.services.get(&name.value) {
            diagnostics.push(duplicate("service", &name, existing.name.span));
            continue;
        }
        model.services.insert(name.value.clone(), ServiceDef { name, spec });
    }
    for path in model_files(reader, "environments", &mut diagnostics) {
        let Some((file_id, node)) = read_yaml(reader, &path, &mut sources, &mut diagnostics) else { continue };
        let name = Spanned::new(stem(&path), Span::new(file_id, 0, 0));
        let environment = {
            let mut ctx = Ctx { diagnostics: &mut diagnostics, sources: &sources };
            decode::environment_file(&mut ctx, name.clone(), &node)
        };
        let name = Spanned::new(name.value, environment.span);
        if let Some(existing) = model.environments.get(&name.value) {
            diagnostics.push(duplicate("environment", &name, existing.name.span));
            continue;
        }
        let mut environment = environment;
        environment.name = name.clone();
        model.environments.insert(name.value, environment);
    }

    read_file_sources(reader, &mut model, &sources, &mut diagnostics);
    read_template_dirs(reader, &mut model, &mut diagnostics);

    Ok(Loaded { model, sources, diagnostics })
}

fn name_span(spec: &ServiceSpec) -> Span {
    Span { end: spec.span.start, ..spec.span }
}

fn stem(path: &str) -> String {
    let file = path.rsplit('/').next().unwrap_or(path);
    model_stem(file).unwrap_or(file).to_string()
}

/// The name a model file defines: its file name without `.yaml` or `.yml` (lowercase only, so a
/// name means one file on case-sensitive and case-insensitive file systems alike).
fn model_stem(file: &str) -> Result<&str, String> {
    if let Some(stem) = file.strip_suffix(".yaml").or_else(|| file.strip_suffix(".yml")) {
        return Ok(stem);
    }
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        return Err(String::from("its extension must be written in lowercase (`.yaml` or `.yml`)"));
    }
    Err(String::from("only `.yaml` and `.yml` files are model files"))
}

/// Whether the folder `dir` directly holds `.yaml` or `.yml` files.
fn holds_yaml(reader: &Reader, dir: &str) -> bool {
    reader.entries(dir).unwrap_or_default().iter().any(|(path, kind)| {
        let name = path.rsplit('/').next().unwrap_or(path);
        matches!(kind, EntryKind::File | EntryKind::Link) && model_stem(name).is_ok() && !name.starts_with('.')
    })
}

/// The model files directly in `dir` (`services` or `environments`): `.yaml` and `.yml` files and
/// links to them (reading a link refuses one that leaves the project). Anything else there is
/// skipped with a warning, so a model file is never ignored silently; hidden files (`.gitkeep`,
/// editor swap files) and folders without YAML in them are skipped without one.
fn model_files(reader: &Reader, dir: &str, diagnostics: &mut Diagnostics) -> Vec<String> {
    let entries = match reader.entries(dir) {
        Ok(entries) => entries,
        Err(message) => {
            diagnostics.push(Diagnostic::global(codes::READ_FAILED, message));
            return Vec::new();
        }
    };
    let mut files = Vec::new();
    for (path, kind) in entries {
        let name = path.rsplit('/').next().unwrap_or(&path);
        if name.starts_with('.') {
            continue;
        }
        let (why, help) = match (kind, model_stem(name)) {
            (EntryKind::File | EntryKind::Link, Ok(_)) => {
                files.push(path);
                continue;
            }
            // Named as a model file but not one: an error, so a service is never lost to a warning.
            (EntryKind::Folder, Ok(_)) => {
                diagnostics.push(Diagnostic::global(
                    codes::READ_FAILED,
                    format!("failed to read `{path}`: it is a directory"),
                ));
                continue;
            }
            (EntryKind::Other(what), Ok(_)) => {
                diagnostics.push(Diagnostic::global(
                    codes::READ_FAILED,
                    format!("failed to read `{path}`: it is {what}, not a regular file"),
                ));
                continue;
            }
            // A folder of source code (`services/api/` with a Dockerfile) is common and no mistake;
            // one holding YAML looks like a model file put one level too deep.
            (EntryKind::Folder, Err(_)) if !holds_yaml(reader, &path) => continue,
            (EntryKind::Folder, Err(_)) => (
                format!("it is a folder, and model files sit directly in `{dir}/`: its YAML files are not read"),
                format!("move a model file in it up into `{dir}/`"),
            ),
            (EntryKind::Other(what), Err(_)) => {
                (format!("it is {what}, not a regular file"), format!("move it out of `{dir}/`"))
            }
            (EntryKind::File | EntryKind::Link, Err(why)) => {
                (why, format!("rename it to `<name>.yaml` if it is part of the model, or move it out of `{dir}/`"))
            }
        };
        diagnostics.push(Diagnostic::global(codes::SKIPPED_FILE, format!("skipped `{path}`: {why}")).with_help(help));
    }
    files
}

fn duplicate(what: &str, name: &Spanned<String>, first: Span) -> Diagnostic {
    Diagnostic::new(codes::DUPLICATE_DEFINITION, name.span, format!("{what} `{}` is defined twice", name.value))
        .with_label("defined again here")
        .with_related(first, "first defined here")
        .with_help("keep one definition")
}

/// Read one YAML file into the source map and parse it.
fn read_yaml(
    reader: &Reader,
    path: &str,
    sources: &mut SourceMap,
    diagnostics: &mut Diagnostics,
) -> Option<(FileId, yaml::Node)> {
    let text = match read_text(reader, path) {
        Ok(text) => text,
        Err(message) => {
            diagnostics.push(Diagnostic::global(codes::READ_FAILED, message));
            return None;
        }
    };
    let file_id = sources.add(path.to_string(), text);
    let file = sources.get(file_id)?;
    match yaml::parse(file_id, file) {
        Ok(node) => Some((file_id, node)),
        Err(errors) => {
            diagnostics.extend(errors);
            None
        }
    }
}

/// Read a UTF-8 text file through `reader`, within the size limit, without a BOM.
pub fn read_text(reader: &Reader, path: &str) -> Result<String, String> {
    let bytes = reader.read(path, MAX_FILE_BYTES)?;
    let text = String::from_utf8(bytes).map_err(|error| {
        format!(
            "failed to read `{path}`: not valid UTF-8 (invalid byte at offset {})",
            error.utf8_error().valid_up_to()
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

/// Read every `files: { path: { source: ... } }` into the model, so targets never touch the disk.
fn read_file_sources(reader: &Reader, model: &mut Model, sources: &SourceMap, diagnostics: &mut Diagnostics) {
    let mut specs: Vec<&mut ServiceSpec> = Vec::new();
    specs.push(&mut model.defaults);
    specs.extend(model.services.values_mut().map(|s| &mut s.spec));
    specs.extend(model.jobs.values_mut().map(|j| &mut j.spec));
    for environment in model.environments.values_mut() {
        specs.push(&mut environment.defaults);
        specs.extend(environment.services.values_mut().map(|(_, s)| s));
        specs.extend(environment.jobs.values_mut().map(|(_, s)| s));
    }
    for spec in specs {
        for file in spec.files.values_mut() {
            let FileSource::Source { path, content } = &mut file.value else { continue };
            let relative = match project_relative(path) {
                Ok(relative) => relative,
                Err(message) => {
                    diagnostics.push(
                        Diagnostic::new(codes::INVALID_VALUE, file.span, message)
                            .with_label("outside the project")
                            .with_help("write a path relative to iacgen.yaml that stays inside the project"),
                    );
                    continue;
                }
            };
            match read_text(reader, &relative) {
                Ok(text) => *content = text,
                Err(message) => {
                    let _ = sources;
                    diagnostics.push(
                        Diagnostic::new(codes::READ_FAILED, file.span, message).with_label("cannot read this file"),
                    );
                }
            }
        }
    }
}

fn read_template_dirs(reader: &Reader, model: &mut Model, diagnostics: &mut Diagnostics) {
    let targets = &mut model.targets;
    let dirs: Vec<&mut Spanned<TemplateDir>> = [
        targets.compose.as_mut().and_then(|c| c.templates.as_mut()),
        targets.helm.as_mut().and_then(|c| c.templates.as_mut()),
        targets.aws.as_mut().and_then(|c| c.templates.as_mut()),
        targets.azure.as_mut().and_then(|c| c.templates.as_mut()),
    ]
    .into_iter()
    .flatten()
    .collect();
    for dir in dirs {
        let relative = match project_relative(&dir.value.path) {
            Ok(relative) => relative,
            Err(message) => {
                diagnostics
                    .push(Diagnostic::new(codes::INVALID_VALUE, dir.span, message).with_label("outside the project"));
                continue;
            }
        };
        let mut files = BTreeMap::new();
        let listed = match reader.list_recursive(&relative) {
            Ok(listed) => listed,
            Err(message) => {
                diagnostics
                    .push(Diagnostic::new(codes::READ_FAILED, dir.span, message).with_label("cannot read this folder"));
                continue;
            }
        };
        if listed.is_empty() {
            diagnostics.push(
                Diagnostic::new(
                    codes::READ_FAILED,
                    dir.span,
                    format!("template folder `{}` is missing or empty", dir.value.path),
                )
                .with_label("no files here"),
            );
            continue;
        }
        for path in listed {
            match read_text(reader, &path) {
                Ok(text) => {
                    let inside = path.strip_prefix(&format!("{relative}/")).unwrap_or(&path).to_string();
                    // Templates are copied into the output as they are: with LF line endings only,
                    // so a checkout with CRLF (Windows, autocrlf) builds the same bytes.
                    files.insert(inside, text.replace("\r\n", "\n").replace('\r', "\n"));
                }
                Err(message) => diagnostics.push(Diagnostic::new(codes::READ_FAILED, dir.span, message)),
            }
        }
        dir.value.files = files;
    }
}

/// Normalise a path written in the model relative to the project root; reject ones that leave it.
pub fn project_relative(path: &str) -> Result<String, String> {
    if path.starts_with('/') || path.starts_with('\\') || path.contains(':') || path.contains('\\') {
        return Err(format!("`{path}` must be a relative path inside the project"));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("`{path}` points outside the project"));
                }
            }
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(format!("`{path}` names the project folder itself"));
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_stay_inside() {
        assert_eq!(project_relative("./config/a.yaml"), Ok("config/a.yaml".into()));
        assert!(project_relative("../etc/passwd").is_err());
        assert!(project_relative("/etc/passwd").is_err());
        assert!(project_relative("a/../../b").is_err());
    }
}
