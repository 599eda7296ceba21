//! Target cases: every project under `tests/cases/<target>-<case>/` compiles, and each generated file
//! is an insta snapshot named `<case>__<path>` (review changes with `cargo insta review`). One test
//! per case; within a case every file is compared, also after a mismatch.

use crate::common;

/// Compile `tests/cases/<case>` and compare every generated file with its snapshot.
fn matches_its_snapshots(case: &str) {
    // Verbatim copies of the generic files under targets/ and modules/ (Helm templates, vendored
    // modules) are reviewed where they live, not once per case and chart.
    let generic: std::collections::BTreeSet<&str> =
        iacgen::targets::embedded::under("").into_iter().map(|(_, contents)| contents).collect();
    let files = common::compile(&common::project("tests/cases", case));
    assert!(!files.files.is_empty(), "case {case} generates no file");
    let compared = files.files.iter().filter(|(path, file)| {
        // Vendored Terraform modules are reviewed where they live too (main's rule).
        let vendored_module = path.starts_with("terraform/") && path.split('/').nth(2) == Some("modules");
        !vendored_module && !generic.contains(file.contents.as_ref())
    });
    common::each(compared.map(|(path, file)| (path, (path, file))), |(path, file)| {
        let snapshot = format!("{case}__{}", path.replace('/', "__"));
        insta::with_settings!({ snapshot_path => "../snapshots/cases", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(snapshot, file.contents);
        });
    });
}

macro_rules! snapshot_tests {
    ($($name:ident: $folder:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                matches_its_snapshots($folder);
            }
        )*
    };
}

common::lists::target_cases!(snapshot_tests);
