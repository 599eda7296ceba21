//! The aws target reproduces the example roots of `modules/aws/README.md` (section 9) byte for byte:
//! production from the `aws-mssql` case, staging from the `aws-existing-vpc` case.

use std::collections::BTreeMap;

use crate::common;

/// `terraform/aws/<env>/<file>` → the hcl block that follows it in the README.
fn examples() -> BTreeMap<String, String> {
    let readme = std::fs::read_to_string(common::repo().join("modules/aws/README.md")).expect("README");
    let mut out = BTreeMap::new();
    let mut lines = readme.lines();
    let mut current: Option<String> = None;
    while let Some(line) = lines.next() {
        if let Some(path) = line.strip_prefix('`').and_then(|l| l.strip_suffix('`')) {
            if path.starts_with("terraform/aws/") && path.ends_with(".tf") {
                current = Some(path.to_string());
            }
            continue;
        }
        if line == "```hcl"
            && let Some(path) = current.take()
        {
            let mut text = String::new();
            for body in lines.by_ref() {
                if body == "```" {
                    break;
                }
                text.push_str(body);
                text.push('\n');
            }
            out.insert(path, text);
        }
    }
    out
}

#[test]
fn example_roots_are_reproduced() {
    let examples = examples();
    assert_eq!(examples.len(), 10, "five files for each of the two example environments");
    let production = common::compile(&common::repo().join("tests/cases/aws-mssql"));
    let staging = common::compile(&common::repo().join("tests/cases/aws-existing-vpc"));
    for (path, expected) in &examples {
        let files = if path.contains("/production/") { &production } else { &staging };
        let generated = files.files.get(path).unwrap_or_else(|| panic!("{path} is not generated"));
        assert!(generated.contents == *expected, "{path} differs from the README example:\n{}", generated.contents);
    }
}

#[test]
fn every_generated_terraform_file_parses() {
    common::each(common::lists::TARGET_CASES.iter().map(|case| (case, case)), |case| {
        let files = common::compile(&common::project("tests/cases", case));
        for (path, file) in &files.files {
            if path.starts_with("terraform/aws/")
                && path.ends_with(".tf")
                && let Err(error) = hcl::parse(&file.contents)
            {
                panic!("{case}: {path} does not parse: {error}");
            }
        }
    });
}
