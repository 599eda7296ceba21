//! The pipeline: load, validate and resolve a model, then emit the selected targets and apply the
//! patches. Every command runs it (or its first half) and hands the result to `output`.

use crate::diagnostic::Diagnostics;
use crate::ir::Compilation;
use crate::model::Model;
use crate::shared::span::SourceMap;
use crate::shared::{FileSet, Filter};
use crate::source::reader::Reader;
use crate::targets::{self, EmitOptions};
use crate::{patches, resolve, source, validate};

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

/// Load, validate and resolve, checking every environment and every target.
pub fn resolve_model(reader: &Reader) -> Result<Resolved, Failure> {
    resolve_for(reader, &Filter::default())
}

/// Load, validate and resolve, checking the environments and targets `filter` selects: a filtered
/// build reports what blocks its own scope. The resolved model is checked even when the model has
/// errors, as far as they leave it reliable (`validate::Broken`), so one run shows every problem.
pub fn resolve_for(reader: &Reader, filter: &Filter) -> Result<Resolved, Failure> {
    let mut loaded =
        source::load(reader).map_err(|error| Failure { sources: error.sources, diagnostics: error.diagnostics })?;
    // Secret values never reach a log: no diagnostic's snippet may show them.
    for span in validate::rules::secret_values::spans(&loaded.model, &loaded.sources) {
        loaded.sources.redact(span);
    }
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(validate::model(&loaded.model));
    let broken = validate::Broken::of(&loaded.model, &diagnostics);
    if broken == validate::Broken::Everything {
        diagnostics.sort(&loaded.sources);
        return Err(Failure { sources: loaded.sources, diagnostics });
    }
    let compilation = resolve::resolve(&loaded.model);
    diagnostics.extend(validate::compilation(&loaded.model, &compilation, filter, &broken));
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
    let resolved = resolve_for(reader, filter)?;
    let options = EmitOptions { output: resolved.compilation.output.clone(), ..EmitOptions::default() };
    let (mut files, extra) =
        rayon::join(|| targets::emit_all(&resolved.compilation, &options, filter), || alongside(&resolved.compilation));
    let mut diagnostics = patches::apply(&resolved.model.patches, &mut files, filter);
    filter.retain(&mut files);
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
