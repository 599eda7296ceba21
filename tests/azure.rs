//! The azure target's diagnostics: every project under `tests/azure-errors/<case>/` must fail to compile,
//! and the rendered diagnostics are an insta snapshot named after the case.

mod common;

use iacgen::source::reader::Reader;
use iacgen::targets::Filter;

#[test]
fn every_error_case_matches_its_snapshot() {
    for dir in common::projects(&common::repo().join("tests/azure-errors")) {
        let case = common::name(&dir);
        let failure = match iacgen::compile(&Reader::Disk { root: dir.clone() }, &Filter::default()) {
            Ok(_) => panic!("case {case} compiles, but it should fail"),
            Err(failure) => failure,
        };
        assert!(!failure.diagnostics.is_empty(), "case {case} fails without a diagnostic");
        let rendered = common::render(&failure);
        insta::with_settings!({ snapshot_path => "snapshots/azure", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(case, rendered);
        });
    }
}
