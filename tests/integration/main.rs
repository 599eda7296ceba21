//! The integration tests, in one binary with a module per concern (as the `just` repository does):
//! `cargo test` links the library into one test program instead of one per file.
//!
//! Suites over folders of cases have one test per case, generated from the lists in
//! `common/lists.rs` (a test there fails when a folder is missing from its list), so `cargo test`
//! names every failing case, and a case's own checks run to the end (`common::each`) so one
//! mismatch does not hide the next. `cargo test cases::helm_basic` runs one case.

mod common;

mod aws_apply;
mod aws_contract;
mod aws_deploy;
mod cases;
mod cli;
mod compose_networks;
mod diagnostics;
mod diff_base;
mod fixtures;
mod fuzz_corpus;
mod graph;
mod helm;
mod helm_render;
mod hostile;
mod import;
mod interrupt;
mod io_errors;
mod layers;
mod local_env;
mod nginx;
mod ownership;
mod promtool;
mod properties;
mod run_migration;
mod schema;
mod team_tools;
