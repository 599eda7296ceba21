//! `iacgen env ENV`: write (or complete) the git-ignored compose `.env` of a development
//! environment with random local secrets.

use crate::commands::{Options, Outcome, Stop, project};
use crate::local_env::{self, EnvError};
use crate::output::dotenv::EnvReport;

/// What was written.
#[derive(Debug)]
pub struct Written {
    pub report: EnvReport,
}

/// Write `<output>/compose/<environment>/.env` for the project.
pub fn run(options: &Options, environment: &str) -> Outcome<Written> {
    let (root, reader) = match project(options) {
        Ok(found) => found,
        Err(stop) => return Outcome::stopped(stop),
    };
    match local_env::write(&root, &reader, environment) {
        Ok(report) => Outcome { warnings: Default::default(), result: Ok(Written { report }) },
        Err(EnvError::Model(failure)) => Outcome::stopped(failure),
        Err(EnvError::Output(error)) => Outcome::stopped(Stop::Error(error.message)),
    }
}
