//! `iacgen env <environment>`: the git-ignored `.env` beside `compose/<env>/compose.yaml`, with a
//! random value for every name that `.env.example` lists, so `docker compose up` works on the first
//! try on a developer's machine.
//!
//! Only for development-stage environments that target compose: staging and production secrets
//! belong in a secret store, never in a generated file. The writing (mode 0600, only missing names
//! appended, never through a link, values never printed) is `output::dotenv`.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::ir::{Stage, Target};
use crate::model::Model;
use crate::output::OutputError;
use crate::output::dotenv::{self, EnvReport};
use crate::pipeline::{Compiled, Failure};
use crate::shared::Filter;
use crate::source::reader::Reader;

/// Why `iacgen env` stopped.
#[derive(Debug)]
pub enum EnvError {
    /// The model does not compile, or the environment is not one `env` writes secrets for.
    Model(Failure),
    /// The folder is missing, or a file could not be read or written.
    Output(OutputError),
}

/// Write (or complete) `<output>/compose/<environment>/.env` for the project at `root`.
pub fn write(root: &Path, reader: &Reader, environment: &str) -> Result<EnvReport, EnvError> {
    let filter = Filter { environments: vec![environment.to_string()], targets: vec![Target::Compose] };
    let compiled = crate::pipeline::compile(reader, &filter).map_err(EnvError::Model)?;
    if let Some(diagnostic) = refusal(&compiled, environment) {
        let Compiled { resolved, .. } = compiled;
        return Err(EnvError::Model(Failure { sources: resolved.sources, diagnostics: Diagnostics::from(diagnostic) }));
    }
    let output = compiled.resolved.compilation.output.clone();
    let folder = format!("{output}/compose/{environment}");
    let example = compiled
        .files
        .files
        .get(&format!("compose/{environment}/.env.example"))
        .map(|file| file.contents.to_string())
        .unwrap_or_default();
    let names = dotenv::example_names(&example);
    dotenv::complete(root, &folder, environment, &names).map_err(EnvError::Output)
}

/// Why `environment` gets no `.env`, if it does not. Only a development-stage environment that
/// targets compose gets one: anything else would put real secrets of a shared environment in a file
/// on one machine.
fn refusal(compiled: &Compiled, environment: &str) -> Option<Diagnostic> {
    let model: &Model = &compiled.resolved.model;
    let Some(definition) = model.environments.get(environment) else {
        let known: Vec<&str> = model.environments.keys().map(String::as_str).collect();
        return Some(
            Diagnostic::global(
                codes::LOCAL_ENV_REFUSED,
                format!("unknown environment `{environment}` (defined: {})", known.join(", ")),
            )
            .with_help(codes::LOCAL_ENV_REFUSED.fix),
        );
    };
    let Some(stack) = compiled.resolved.compilation.environments.get(environment) else {
        return Some(Diagnostic::global(codes::LOCAL_ENV_REFUSED, format!("unknown environment `{environment}`")));
    };
    if stack.stage != Stage::Development {
        let mut diagnostic = Diagnostic::new(
            codes::LOCAL_ENV_REFUSED,
            definition.name.span,
            format!(
                "`{environment}` is {}; `iacgen env` writes local secrets for development environments only",
                stage_name(stack.stage)
            ),
        )
        .with_label("not a development environment");
        if let Some(stage) = &definition.stage {
            diagnostic = diagnostic.with_related(stage.span, "the stage is set here");
        }
        return Some(diagnostic.with_help(codes::LOCAL_ENV_REFUSED.fix));
    }
    if !stack.targets.contains(&Target::Compose) {
        let span = definition.targets.as_ref().map_or(definition.name.span, |targets| targets.span);
        return Some(
            Diagnostic::new(
                codes::LOCAL_ENV_REFUSED,
                span,
                format!("`{environment}` does not target compose, so there is no compose.yaml to write a .env for"),
            )
            .with_label("no compose here")
            .with_help(codes::LOCAL_ENV_REFUSED.fix),
        );
    }
    None
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Development => "a development environment",
        Stage::Staging => "a staging environment",
        Stage::Production => "a production environment",
    }
}
