//! Fuzz target: any bytes, read as a project laid out on disk with links, named pipes and
//! folders among its files (`#@> path -> target`, `#@| path`, `#@/ path`; see
//! `tests/integration/common/layout.rs`), next to files outside the project that hold a canary. A panic, a
//! hang (a pipe opened for reading), the canary in any output or diagnostic, disk and memory
//! compiling regular files differently, or a build changing anything outside the project is a
//! finding.

#![no_main]

#[path = "../../tests/integration/common/layout.rs"]
mod layout;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = layout::run(data);
});
