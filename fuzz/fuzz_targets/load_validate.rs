//! Fuzz target: any bytes, read as a project bundle (`iacgen.yaml`, optionally followed by
//! `#@ services/<name>.yaml` sections), through load, validation, resolution, every target and
//! patches. A panic, a hang or a broken invariant (see `tests/integration/common/pipeline.rs`) is a finding.

#![no_main]

#[path = "../../tests/integration/common/pipeline.rs"]
mod pipeline;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = pipeline::run(data);
});
