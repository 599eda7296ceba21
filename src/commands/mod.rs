//! The commands of `iacgen` as library operations: each locates the project, runs the pipeline and
//! the output stage, and returns a report for the command line to print (with `render`) and to map
//! to an exit status. Nothing here prints.
//!
//! Every operation returns an [`Outcome`]: the model's warnings (printed first), then the report or
//! why the command stopped. Reports own what they computed, the compiled files included, so a
//! caller that is about to exit can skip freeing them (`cli` does: at 1,000 services freeing costs
//! more than printing).

pub mod build;
pub mod check;
pub mod diff;
pub mod env;
pub mod explain;
pub mod graph;
pub mod import;
pub mod init;
pub mod validate;

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::pipeline::{Failure, Resolved};
use crate::shared::span::SourceMap;
use crate::shared::{Filter, MODEL_FILE};
use crate::source::reader::Reader;

/// What every command is given besides its own arguments.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `-C DIR`: where to start looking for the project (default: the current directory).
    pub chdir: Option<PathBuf>,
    /// `--env`, `--target`.
    pub filter: Filter,
}

/// Diagnostics that did not stop a command, with the sources to render them.
#[derive(Debug, Default)]
pub struct Warnings {
    pub diagnostics: Diagnostics,
    pub sources: SourceMap,
}

impl Warnings {
    /// The warnings of a resolved model, taken out of it (the sources are copied only when there is
    /// something to render).
    pub fn take(resolved: &mut Resolved) -> Warnings {
        let diagnostics = std::mem::take(&mut resolved.diagnostics);
        let sources = if diagnostics.is_empty() { SourceMap::default() } else { resolved.sources.clone() };
        Warnings { diagnostics, sources }
    }
}

/// Why a command stopped.
#[derive(Debug)]
pub enum Stop {
    /// The model (or another input) is invalid: located diagnostics, after `heading` if any (a line
    /// such as `error: the model at REV does not compile:`).
    Invalid { heading: Option<String>, failure: Failure },
    /// Anything else (a usage mistake, an I/O error, a refusal): printed as `error: <message>`.
    Error(String),
}

impl From<Failure> for Stop {
    fn from(failure: Failure) -> Stop {
        Stop::Invalid { heading: None, failure }
    }
}

/// The model's warnings, then the report or why the command stopped.
#[derive(Debug)]
pub struct Outcome<T> {
    pub warnings: Warnings,
    pub result: Result<T, Stop>,
}

impl<T> Outcome<T> {
    /// A command that stopped before any warning.
    pub fn stopped(stop: impl Into<Stop>) -> Outcome<T> {
        Outcome { warnings: Warnings::default(), result: Err(stop.into()) }
    }
}

impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop::Error(message)
    }
}

/// The folder holding iacgen.yaml: `start` (or the current directory) or its nearest parent that has one.
pub fn find_project(start: Option<&Path>) -> Result<PathBuf, Stop> {
    let not_found = |diagnostic: Diagnostic| Stop::Invalid {
        heading: None,
        failure: Failure { sources: SourceMap::default(), diagnostics: Diagnostics::from(diagnostic) },
    };
    let start = match start {
        Some(dir) => dir.to_path_buf(),
        None => std::env::current_dir()
            .map_err(|e| not_found(Diagnostic::global(codes::MODEL_NOT_FOUND, format!("no current directory: {e}"))))?,
    };
    if !start.is_dir() {
        return Err(not_found(
            Diagnostic::global(codes::MODEL_NOT_FOUND, format!("`{}` is not a folder", start.display()))
                .with_help(codes::MODEL_NOT_FOUND.fix),
        ));
    }
    let mut dir = Some(start.as_path());
    while let Some(current) = dir {
        if current.join(MODEL_FILE).is_file() {
            return Ok(current.to_path_buf());
        }
        dir = current.parent();
    }
    Err(not_found(
        Diagnostic::global(
            codes::MODEL_NOT_FOUND,
            format!("no {MODEL_FILE} in `{}` or any parent folder", start.display()),
        )
        .with_help(codes::MODEL_NOT_FOUND.fix),
    ))
}

/// The project's folder and a reader of its files on disk.
fn project(options: &Options) -> Result<(PathBuf, Reader), Stop> {
    let root = find_project(options.chdir.as_deref())?;
    let reader = Reader::Disk { root: root.clone() };
    Ok((root, reader))
}

/// `path` as given on the command line: absolute, or relative to `-C DIR` (or the current directory).
fn given(options: &Options, path: Option<PathBuf>) -> PathBuf {
    let base = options.chdir.clone().unwrap_or_else(|| PathBuf::from("."));
    match path {
        Some(path) if path.is_absolute() => path,
        Some(path) => base.join(path),
        None => base,
    }
}
