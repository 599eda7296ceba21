//! One run of the whole pipeline on a project packed into one byte string, with every invariant
//! that must hold for any input. Shared by the fuzz target (`fuzz/fuzz_targets/load_validate.rs`
//! includes this file) and the corpus regression test (`tests/integration/fuzz_corpus.rs`).
//!
//! Bundle format: the bytes up to the first line `#@ <path>` are `iacgen.yaml`; each such line
//! starts the file `<path>` (for example `#@ services/api.yaml`). The marker is a YAML comment, so a
//! seed made from a fixture with `services/*.yaml` is still readable.

#![allow(dead_code)]

use std::collections::BTreeMap;

use iacgen::render::{self, Format, HumanOptions};
use iacgen::shared::Filter;
use iacgen::source::reader::Reader;

/// The line prefix that starts another file of a bundle.
pub const FILE_MARKER: &[u8] = b"#@ ";

/// Split a bundle into files.
pub fn unbundle(data: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut name = String::from(iacgen::shared::MODEL_FILE);
    let mut current = Vec::new();
    for line in data.split_inclusive(|byte| *byte == b'\n') {
        if let Some(rest) = line.strip_prefix(FILE_MARKER) {
            let next = String::from_utf8_lossy(rest).trim().to_string();
            // A path given twice keeps its first contents.
            files.entry(std::mem::replace(&mut name, next)).or_insert(std::mem::take(&mut current));
            continue;
        }
        current.extend_from_slice(line);
    }
    files.entry(name).or_insert(current);
    files
}

/// Pack files into a bundle (the inverse of [`unbundle`] for files without marker lines).
pub fn bundle(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut out = files.get(iacgen::shared::MODEL_FILE).cloned().unwrap_or_default();
    for (path, bytes) in files {
        if path == iacgen::shared::MODEL_FILE {
            continue;
        }
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.extend_from_slice(FILE_MARKER);
        out.extend_from_slice(path.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(bytes);
    }
    out
}

/// How one input ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It compiled to this many files.
    Compiled(usize),
    /// It was rejected with this many diagnostics.
    Rejected(usize),
}

/// A path that stays inside the output folder: `/`-separated normal components only.
pub fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\') && !part.contains('\0'))
}

/// Run the pipeline on a bundle and assert every invariant. Panics (the fuzzer's crash) when one
/// does not hold.
pub fn run(data: &[u8]) -> Outcome {
    let reader = Reader::Memory { files: unbundle(data) };
    let filter = Filter::default();
    match iacgen::compile(&reader, &filter) {
        Err(failure) => {
            assert!(failure.diagnostics.has_errors(), "a rejected model must carry at least one error");
            let human = HumanOptions { color: false, width: 80 };
            for format in [Format::Human, Format::Json, Format::Github] {
                let text = render::diagnostics(&failure.diagnostics, &failure.sources, format, human);
                assert!(!text.is_empty(), "{format:?} rendered nothing");
                if format == Format::Json {
                    let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
                    assert!(parsed.is_ok(), "the JSON diagnostics are not JSON:\n{text}");
                }
            }
            Outcome::Rejected(failure.diagnostics.items.len())
        }
        Ok(compiled) => {
            let output = &compiled.resolved.compilation.output;
            assert!(is_plain_relative(output), "output folder `{output}` leaves the project");
            for (path, file) in &compiled.files.files {
                assert!(is_plain_relative(path), "generated path `{path}` leaves the output folder");
                assert!(
                    !path.split('/').any(|part| part.contains(".iacgen-tmp") || part == ".iacgen-manifest.json"),
                    "generated path `{path}` clashes with iacgen's own files"
                );
                assert!(!file.contents.contains('\r'), "`{path}` contains a carriage return");
                assert!(
                    file.contents.is_empty() || file.contents.ends_with('\n'),
                    "`{path}` does not end with a newline"
                );
                if path.ends_with(".json") {
                    let parsed: Result<serde_json::Value, _> = serde_json::from_str(&file.contents);
                    assert!(parsed.is_ok(), "`{path}` is not valid JSON:\n{}", file.contents);
                }
            }
            let again = iacgen::compile(&reader, &filter);
            assert!(
                again.as_ref().is_ok_and(|second| second.files == compiled.files),
                "two compilations of the same input differ"
            );
            Outcome::Compiled(compiled.files.files.len())
        }
    }
}
