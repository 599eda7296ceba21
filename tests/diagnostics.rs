//! Every `fixtures/err/<case>/` must fail, and its rendered diagnostics (no colour, 80 columns) are a
//! snapshot named after the case. Every diagnostic code is exercised by at least one case.

mod common;

use std::collections::BTreeSet;

use iacgen::shared::Filter;
use iacgen::source::reader::Reader;

/// Codes that need a setting no static fixture can give (a missing model is a CLI test).
const NOT_IN_FIXTURES: &[&str] = &["IAC005"];

#[test]
fn every_error_case_matches_its_snapshot() {
    let mut seen = BTreeSet::new();
    for dir in common::projects(&common::repo().join("fixtures/err")) {
        let case = common::name(&dir);
        let failure = match iacgen::compile(&Reader::Disk { root: dir.clone() }, &Filter::default()) {
            Ok(_) => panic!("fixtures/err/{case} compiles, but an err case must fail"),
            Err(failure) => failure,
        };
        assert!(failure.diagnostics.has_errors(), "fixtures/err/{case} has no error");
        seen.extend(failure.diagnostics.items.iter().map(|d| d.code.id()));
        let rendered = common::render(&failure);
        insta::with_settings!({ snapshot_path => "snapshots/diagnostics", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(case, rendered);
        });
    }
    let missing: Vec<String> = iacgen::diagnostic::codes::ALL
        .iter()
        .map(|code| code.id())
        .filter(|id| !seen.contains(id) && !NOT_IN_FIXTURES.contains(&id.as_str()))
        .collect();
    assert!(missing.is_empty(), "codes without an err fixture: {missing:?}");
}
