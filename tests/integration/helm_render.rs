//! The rendered manifests of every Helm chart of the test cases, as Helm v4 itself renders them
//! (helm-python-sdk from the oracle environment), one insta snapshot per chart and values file.
//! One test per case of `tests/cases/` (a case without a chart passes at once).
//! Skipped with a note when the oracle environment is not installed (`../shared/tools/setup-oracles`);
//! CI installs it first and sets IACGEN_REQUIRE_ORACLES so it cannot be skipped there.

use std::path::PathBuf;
use std::process::Command;

use crate::common;

const RENDER: &str = r#"
import json, os, sys
import helm_python as helm
chart_dir = sys.argv[1]
out = {}
sets = [("values.yaml", None)] + [(f, os.path.join(chart_dir, f)) for f in sorted(os.listdir(chart_dir)) if f.startswith("values-") and f.endswith(".yaml")]
chart = helm.Chart.load(chart_dir)
with chart:
    for name, path in sets:
        values = helm.values_from_yaml(open(path).read()) if path else None
        rendered = chart.render(values, name=chart.name, namespace="default", is_install=True)
        out[name] = {k: v for k, v in sorted(rendered.items()) if v.strip()}
print(json.dumps(out, sort_keys=True))
"#;

fn oracle_python() -> Option<PathBuf> {
    let venv = std::env::var_os("IACGEN_ORACLE_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/iacgen-oracles/venv")))?;
    let python = venv.join("bin/python");
    python.is_file().then_some(python)
}

/// Render every chart of `tests/cases/<case>` with each of its values files and compare the
/// manifests with their snapshots (every chart and values file, also after a mismatch).
fn rendered_manifests_match_their_snapshots(case: &str) {
    let Some(python) = oracle_python() else {
        assert!(std::env::var_os("IACGEN_REQUIRE_ORACLES").is_none(), "the oracle environment is missing");
        eprintln!("note: helm-python-sdk is not installed (run ../shared/tools/setup-oracles); skipping");
        return;
    };
    let files = common::compile(&common::project("tests/cases", case));
    if !files.files.keys().any(|path| path.starts_with("helm/")) {
        return;
    }
    let scratch = tempfile::tempdir().expect("temp dir");
    for (path, file) in &files.files {
        if let Some(relative) = path.strip_prefix("helm/") {
            let target = scratch.path().join(relative);
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::write(target, file.contents.as_bytes()).expect("write");
        }
    }
    let mut charts: Vec<PathBuf> =
        std::fs::read_dir(scratch.path()).expect("read").flatten().map(|e| e.path()).collect();
    charts.sort();
    common::each(charts.iter().map(|chart| (chart.display(), chart)), |chart| {
        let output = Command::new(&python).arg("-c").arg(RENDER).arg(chart).output().expect("run python");
        assert!(
            output.status.success(),
            "helm cannot render {}: {}",
            chart.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let rendered: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
        let chart_name = chart.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let values_files = rendered.as_object().into_iter().flatten();
        common::each(
            values_files.map(|(values, manifests)| (values.clone(), (values, manifests))),
            |(values, manifests)| {
                let mut text = String::new();
                for (template, manifest) in manifests.as_object().into_iter().flatten() {
                    text.push_str(&format!("# Source: {template}\n{}\n", manifest.as_str().unwrap_or("").trim_end()));
                }
                let name = format!("{case}__{chart_name}__{}", values.trim_end_matches(".yaml"));
                insta::with_settings!({ snapshot_path => "../snapshots/helm_render", prepend_module_to_snapshot => false, omit_expression => true }, {
                    insta::assert_snapshot!(name, text);
                });
            },
        );
    });
}

macro_rules! render_tests {
    ($($name:ident: $folder:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                rendered_manifests_match_their_snapshots($folder);
            }
        )*
    };
}

common::lists::target_cases!(render_tests);

#[test]
fn some_case_has_a_chart() {
    let has_chart = |case: &&str| {
        common::compile(&common::project("tests/cases", case)).files.keys().any(|path| path.starts_with("helm/"))
    };
    assert!(common::lists::TARGET_CASES.iter().any(has_chart), "no Helm chart in the test cases");
}
