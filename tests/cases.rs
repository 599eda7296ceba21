//! Target cases: every project under `tests/cases/<target>-<case>/` compiles, and each generated file
//! is an insta snapshot named `<case>__<path>` (review changes with `cargo insta review`). Vendored
//! module copies (`terraform/<target>/modules/`) are the repository's own files, not snapshotted.

mod common;

#[test]
fn every_case_matches_its_snapshots() {
    for dir in common::projects(&common::repo().join("tests/cases")) {
        let case = common::name(&dir);
        let files = common::compile(&dir);
        assert!(!files.files.is_empty(), "case {case} generates no file");
        for (path, file) in &files.files {
            if is_vendored(path) {
                continue;
            }
            let snapshot = format!("{case}__{}", path.replace('/', "__"));
            insta::with_settings!({ snapshot_path => "snapshots/cases", prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(snapshot, file.contents);
            });
        }
    }
}

/// `terraform/<target>/modules/...`: a copy of `modules/<target>/`.
fn is_vendored(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    parts.len() > 3 && parts[0] == "terraform" && parts[2] == "modules"
}
