//! iacgen compiles one typed model of a platform into the deployment code that a team's standards
//! ask for: docker-compose files, Helm charts, ECS task definitions and Terraform for AWS and Azure.
//!
//! # Code map
//!
//! ```text
//! source    iacgen.yaml (+ services/*.yaml, environments/*.yaml) → model::Model, with spans
//! validate  names, references and shapes on the model; then, on the environments and targets a
//!           command selects, the standards and each target's checks (targets::checks) on every
//!           resolved stack, leaving out definitions the model's own errors make unreliable
//! resolve   defaults < environment defaults < service < environment override → ir::Compilation
//! targets   ir → FileSet: compose | helm | aws | azure | ecs (one module each; ecs and aws share
//!           `targets::fargate`, aws and azure have the same layout)
//! patches   escape hatches applied to the rendered files
//! output    FileSet → disk (build) | drift (check) | the changes `diff` shows
//! pipeline  the stages above in order: resolve_model, compile
//! graph     the resolved model as a picture: nodes, edges, placements → Mermaid, DOT, SVG
//! local_env the git-ignored compose `.env` with random local secrets
//! import    a docker-compose file → iacgen.yaml text and a report of what did not map
//! commands  build, check, diff, env, explain, graph, init, import, validate: each locates the
//!           project, runs the pipeline and the output stage, and returns a report (nothing printed)
//! render    every report as text: diagnostics and drift (human, json, github), diff's formats,
//!           build's summary, explain, the rule list
//! cli       (the binary) parses arguments, calls one command, prints its report with render, maps
//!           exit codes
//!
//! shared      spans, MODEL_FILE, DEFAULT_OUTPUT, Target, Filter, FileSet/GeneratedFile: every stage's vocabulary
//! diagnostic  located diagnostics and their codes
//! model, ir   the types of the model as written and as resolved (ir::Field keys provenance)
//! ```
//!
//! Import order, lowest first (`tests/integration/layers.rs` fails on an import against it): shared,
//! diagnostic, schema, model, source, ir, resolve, targets, validate, patches, output, pipeline,
//! then graph, import and local_env, then commands, then render. A module imports only modules
//! before it; a stage never calls a later one. (`validate` comes after `targets` because it runs
//! each target's checks on the resolved model.)
//!
//! Invariants: every stage is a pure function of its input (no clock, no host, no hash-map order:
//! `BTreeMap` everywhere output is built); only `source` reads model files and only `output` writes;
//! nothing after `resolve` sees YAML; every problem in a model is a located diagnostic, never a panic.

pub mod commands;
pub mod diagnostic;
pub mod graph;
pub mod import;
pub mod ir;
pub mod local_env;
pub mod model;
pub mod output;
pub mod patches;
pub mod pipeline;
pub mod render;
pub mod resolve;
pub mod schema;
pub mod shared;
pub mod source;
pub mod targets;
pub mod validate;

pub use pipeline::{Compiled, Failure, Resolved, compile, compile_alongside, resolve_model};
