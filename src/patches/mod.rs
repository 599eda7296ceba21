//! Patches (SPEC §2.9): escape hatches that change one generated file at a path inside it, applied on
//! every build after the targets render and before the output stage, so `check` and `diff` see the
//! patched files. A patch whose file or path no longer exists is an error at the patch's own line; a
//! patch that changes nothing is a warning.

pub mod document;
pub mod path;
pub mod terraform;

use crate::diagnostic::{Diagnostic, Diagnostics, codes, did_you_mean};
use crate::model::Patch;
use crate::patches::document::Format;
use crate::shared::{FileSet, Filter, Target};

/// Apply every patch to `files` (every environment of the selected targets). Patches on files the
/// filter leaves out are skipped; a patch on a file that no selected target produces is an error,
/// unless the file lies in the folder of a target the filter leaves out.
pub fn apply(patches: &[Patch], files: &mut FileSet, filter: &Filter) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for patch in patches {
        let name = &patch.file.value;
        let Some(file) = files.files.get_mut(name) else {
            if Target::owning(name).is_none_or(|target| filter.target(target)) {
                let mut diagnostic = Diagnostic::new(
                    codes::PATCH_FAILED,
                    patch.file.span,
                    format!("patch names `{name}`, which the build does not produce"),
                )
                .with_label("no such generated file");
                let paths: Vec<&str> = files.files.keys().map(String::as_str).collect();
                diagnostic = match did_you_mean(name, paths.iter().copied()) {
                    Some(suggestion) => diagnostic.with_help(format!("did you mean `{suggestion}`?")),
                    None => {
                        diagnostic.with_help("name a file relative to the output folder, as `iacgen build` lists it")
                    }
                };
                diagnostics.push(diagnostic);
            }
            continue;
        };
        if !filter.selects(file) {
            continue;
        }
        let format = if name.ends_with(".yaml") || name.ends_with(".yml") {
            Some(Format::Yaml)
        } else if name.ends_with(".json") {
            Some(Format::Json)
        } else {
            None
        };
        let before = file.contents.clone();
        let result = match format {
            Some(format) => apply_structured(&file.contents, name, format, patch, &mut diagnostics),
            None if name.ends_with(".tf") => apply_terraform(&file.contents, patch, &mut diagnostics),
            None => {
                diagnostics.push(
                    Diagnostic::new(
                        codes::PATCH_FAILED,
                        patch.file.span,
                        format!("`{name}` is not a YAML, JSON or Terraform file"),
                    )
                    .with_label("cannot patch this file")
                    .with_help("patch a structured file (.yaml, .json, .tf)"),
                );
                None
            }
        };
        if let Some(text) = result {
            if text == before {
                diagnostics.push(
                    Diagnostic::new(
                        codes::PATCH_NO_EFFECT,
                        patch.file.span,
                        format!("patch of `{name}` changes nothing"),
                    )
                    .with_label("no effect")
                    .with_help("the generated file already has these values: remove the patch"),
                );
            }
            file.contents = text.into();
        }
    }
    diagnostics
}

fn apply_structured(
    text: &str,
    name: &str,
    format: Format,
    patch: &Patch,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let (header, mut document) = match document::parse(text, name) {
        Ok(parsed) => parsed,
        Err(message) => {
            diagnostics.push(Diagnostic::new(codes::PATCH_FAILED, patch.file.span, message));
            return None;
        }
    };
    let mut failed = false;
    for (key, value) in &patch.set {
        let result = path::parse(&key.value)
            .and_then(|steps| document::set(&mut document, &steps, document::from_json(&value.value)));
        if let Err(message) = result {
            diagnostics.push(failure(key.span, name, &message));
            failed = true;
        }
    }
    for key in &patch.remove {
        let result = path::parse(&key.value).and_then(|steps| document::remove(&mut document, &steps));
        if let Err(message) = result {
            diagnostics.push(failure(key.span, name, &message));
            failed = true;
        }
    }
    if failed {
        return None;
    }
    // Re-rendering normalises layout; keep the file as generated when nothing changed.
    let rendered = document::render(format, &header, &document);
    let (_, original) = document::parse(text, name).ok()?;
    Some(if original == document { text.to_string() } else { rendered })
}

fn apply_terraform(text: &str, patch: &Patch, diagnostics: &mut Diagnostics) -> Option<String> {
    let mut current = text.to_string();
    let mut failed = false;
    for (key, value) in &patch.set {
        match terraform::apply(&current, &key.value, Some(&value.value)) {
            Ok(next) => current = next,
            Err(message) => {
                diagnostics.push(failure(key.span, &patch.file.value, &message));
                failed = true;
            }
        }
    }
    for key in &patch.remove {
        match terraform::apply(&current, &key.value, None) {
            Ok(next) => current = next,
            Err(message) => {
                diagnostics.push(failure(key.span, &patch.file.value, &message));
                failed = true;
            }
        }
    }
    if failed { None } else { Some(current) }
}

fn failure(span: crate::shared::span::Span, file: &str, message: &str) -> Diagnostic {
    Diagnostic::new(codes::PATCH_FAILED, span, format!("patch of `{file}` no longer applies: {message}"))
        .with_label("this path")
        .with_help("the model changed what the file contains: update the patch's path or remove it")
}
