//! Target cases: every project under `tests/cases/<target>-<case>/` compiles, and each generated file
//! is an insta snapshot named `<case>__<path>` (review changes with `cargo insta review`).

mod common;

#[test]
fn every_case_matches_its_snapshots() {
    // Verbatim copies of the generic files under targets/ and modules/ (Helm templates, vendored
    // modules) are reviewed where they live, not once per case and chart.
    let generic: std::collections::BTreeSet<&str> =
        iacgen::targets::embedded::under("").into_iter().map(|(_, contents)| contents).collect();
    for dir in common::projects(&common::repo().join("tests/cases")) {
        let case = common::name(&dir);
        let files = common::compile(&dir);
        assert!(!files.files.is_empty(), "case {case} generates no file");
        for (path, file) in &files.files {
            // Vendored Terraform modules are reviewed where they live too (main's rule).
            let vendored_module = path.starts_with("terraform/") && path.split('/').nth(2) == Some("modules");
            if vendored_module || generic.contains(file.contents.as_ref()) {
                continue;
            }
            let snapshot = format!("{case}__{}", path.replace('/', "__"));
            insta::with_settings!({ snapshot_path => "snapshots/cases", prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(snapshot, file.contents);
            });
        }
    }
}
