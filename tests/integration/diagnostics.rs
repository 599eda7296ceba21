//! Every `fixtures/err/<case>/` must fail, and its rendered diagnostics (no colour, 80 columns) are a
//! snapshot named after the case: one test per case. A case may hold a `filters` file: each line is
//! `--target`/`--env` arguments, and what the case gives with them (its diagnostics, or the number
//! of files when nothing blocks that scope) is one more snapshot, `<case>@<arguments>`. Every
//! diagnostic code is exercised by at least one case.

use std::collections::BTreeSet;

use iacgen::shared::{Filter, Target};
use iacgen::source::reader::Reader;

use crate::common;

/// Codes that need a setting no static fixture can give (a missing model is a CLI test; IAC043 is
/// refused by `iacgen env`, whose cases are `fixtures/err/env/` in local_env.rs).
const NOT_IN_FIXTURES: &[&str] = &["IAC005", "IAC043"];

/// The failure of `fixtures/err/<case>`, which must not compile.
fn failure(case: &str) -> iacgen::Failure {
    let dir = common::project("fixtures/err", case);
    match iacgen::compile(&Reader::Disk { root: dir }, &Filter::default()) {
        Ok(_) => panic!("fixtures/err/{case} compiles, but an err case must fail"),
        Err(failure) => failure,
    }
}

fn matches_its_snapshot(case: &str) {
    let failure = failure(case);
    assert!(failure.diagnostics.has_errors(), "fixtures/err/{case} has no error");
    snapshot(case, &common::render(&failure));
    let filters = std::fs::read_to_string(common::project("fixtures/err", case).join("filters")).unwrap_or_default();
    let runs = filters.lines().map(str::trim).filter(|line| !line.is_empty());
    common::each(runs.map(|line| (line, line)), |line| {
        let dir = common::project("fixtures/err", case);
        let text = match iacgen::compile(&Reader::Disk { root: dir }, &filter(line)) {
            Ok(compiled) => format!("compiles: {} files\n{}", compiled.files.files.len(), render_warnings(&compiled)),
            Err(failure) => common::render(&failure),
        };
        snapshot(&format!("{case}@{}", line.trim_start_matches('-').replace(" --", "@").replace(' ', "-")), &text);
    });
}

fn snapshot(name: &str, rendered: &str) {
    insta::with_settings!({ snapshot_path => "../snapshots/diagnostics", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, rendered);
    });
}

/// A filter from command-line arguments: `--target helm --env prod`.
fn filter(arguments: &str) -> Filter {
    let mut filter = Filter::default();
    let words: Vec<&str> = arguments.split_whitespace().collect();
    for pair in words.chunks(2) {
        match pair {
            ["--target", name] => filter.targets.push(Target::parse(name).expect("a target")),
            ["--env", name] => filter.environments.push((*name).to_string()),
            _ => panic!("`{arguments}`: expected `--target NAME` and `--env NAME` pairs"),
        }
    }
    filter
}

fn render_warnings(compiled: &iacgen::Compiled) -> String {
    let failure = iacgen::Failure {
        sources: compiled.resolved.sources.clone(),
        diagnostics: compiled.resolved.diagnostics.clone(),
    };
    common::render(&failure)
}

macro_rules! snapshot_tests {
    ($($name:ident: $folder:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                matches_its_snapshot($folder);
            }
        )*
    };
}

common::lists::error_cases!(snapshot_tests);

#[test]
fn every_code_has_an_error_case() {
    let mut seen = BTreeSet::new();
    for case in common::lists::ERROR_CASES {
        seen.extend(failure(case).diagnostics.items.iter().map(|d| d.code.id()));
    }
    let missing: Vec<String> = iacgen::diagnostic::codes::ALL
        .iter()
        .map(|code| code.id())
        .filter(|id| !seen.contains(id) && !NOT_IN_FIXTURES.contains(&id.as_str()))
        .collect();
    assert!(missing.is_empty(), "codes without an err fixture: {missing:?}");
}
