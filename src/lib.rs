//! iacgen compiles one typed model of a platform into the deployment code that a team's standards
//! ask for: docker-compose files, Helm charts, ECS task definitions and Terraform for AWS and Azure.
//!
//! # Code map
//!
//! ```text
//! source    iacgen.yaml (+ services/*.yaml, environments/*.yaml) → model::Model, with spans
//! validate  names, references and shapes on the model; then the standards on every resolved stack
//! resolve   defaults < environment defaults < service < environment override → ir::Compilation
//! targets   ir → FileSet: compose | helm | aws | azure | ecs (one module each)
//! patches   escape hatches applied to the rendered files
//! output    FileSet → disk (build) | drift report (check) | rendered difference (diff)
//! cli       the thin command-line layer: parses, calls one function here, prints, maps exit codes
//! import    a docker-compose file → iacgen.yaml text and a report of what did not map (`iacgen import`)
//! ```
//!
//! Invariants: every stage is a pure function of its input (no clock, no host, no hash-map order:
//! `BTreeMap` everywhere output is built); only `source` reads model files and only `output` writes;
//! nothing after `resolve` sees YAML; every problem in a model is a located diagnostic, never a panic.

pub mod diagnostic;
pub mod explain;
pub mod import;
pub mod ir;
pub mod model;
pub mod output;
pub mod patches;
pub mod resolve;
pub mod schema;
pub mod source;
pub mod targets;
pub mod validate;

use crate::diagnostic::Diagnostics;
use crate::ir::Compilation;
use crate::model::Model;
use crate::source::reader::Reader;
use crate::source::span::SourceMap;
use crate::targets::{EmitOptions, FileSet, Filter};

/// A model that loaded, validated and resolved.
#[derive(Debug)]
pub struct Resolved {
    pub model: Model,
    pub sources: SourceMap,
    pub compilation: Compilation,
    /// Warnings (errors stop the pipeline).
    pub diagnostics: Diagnostics,
}

/// A model that compiled to files.
#[derive(Debug)]
pub struct Compiled {
    pub resolved: Resolved,
    pub files: FileSet,
}

/// Why the pipeline stopped: located diagnostics and the sources to render them with.
#[derive(Debug)]
pub struct Failure {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}

/// Load, validate and resolve.
pub fn resolve_model(reader: &Reader) -> Result<Resolved, Failure> {
    let mut loaded =
        source::load(reader).map_err(|error| Failure { sources: error.sources, diagnostics: error.diagnostics })?;
    // Secret values never reach a log: no diagnostic's snippet may show them.
    for span in validate::rules::secret_values::spans(&loaded.model, &loaded.sources) {
        loaded.sources.redact(span);
    }
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(validate::model(&loaded.model));
    if diagnostics.has_errors() {
        diagnostics.sort(&loaded.sources);
        return Err(Failure { sources: loaded.sources, diagnostics });
    }
    let compilation = resolve::resolve(&loaded.model);
    diagnostics.extend(validate::compilation(&loaded.model, &compilation));
    diagnostics.sort(&loaded.sources);
    if diagnostics.has_errors() {
        return Err(Failure { sources: loaded.sources, diagnostics });
    }
    Ok(Resolved { model: loaded.model, sources: loaded.sources, compilation, diagnostics })
}

/// Load, validate, resolve and emit every selected target.
pub fn compile(reader: &Reader, filter: &Filter) -> Result<Compiled, Failure> {
    compile_alongside(reader, filter, |_| ()).map(|(compiled, ())| compiled)
}

/// [`compile`], running `alongside` on the resolved model while the targets render (on the other
/// core when one is free): `check` reads the committed manifest there.
pub fn compile_alongside<T: Send>(
    reader: &Reader,
    filter: &Filter,
    alongside: impl FnOnce(&Compilation) -> T + Send,
) -> Result<(Compiled, T), Failure> {
    let resolved = resolve_model(reader)?;
    let options = EmitOptions { output: resolved.compilation.output.clone(), ..EmitOptions::default() };
    let (emitted, extra) =
        rayon::join(|| targets::emit_all(&resolved.compilation, &options, filter), || alongside(&resolved.compilation));
    match emitted {
        Ok(mut files) => {
            let mut diagnostics = patches::apply(&resolved.model.patches, &mut files, filter);
            if diagnostics.has_errors() {
                diagnostics.extend(resolved.diagnostics);
                diagnostics.sort(&resolved.sources);
                return Err(Failure { sources: resolved.sources, diagnostics });
            }
            let mut resolved = resolved;
            resolved.diagnostics.extend(diagnostics);
            resolved.diagnostics.sort(&resolved.sources);
            Ok((Compiled { resolved, files }, extra))
        }
        Err(mut diagnostics) => {
            diagnostics.extend(resolved.diagnostics);
            diagnostics.sort(&resolved.sources);
            Err(Failure { sources: resolved.sources, diagnostics })
        }
    }
}
