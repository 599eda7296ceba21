//! The import order of the library's modules (the code map in `src/lib.rs`): each stage imports only
//! the stages before it and the low modules, so no two stages depend on each other. A new import
//! against that order (a back-edge) fails here, with the file and line that makes it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The top-level modules, lowest first. A module may import the modules of earlier rows only;
/// modules on one row do not import each other. The crate root (`lib.rs`) re-exports the pipeline
/// for users of the library and is imported by nobody; the binary (`main.rs`, `cli.rs`) sits above.
const LAYERS: &[&[&str]] = &[
    &["shared"],
    &["diagnostic"],
    &["schema"],
    &["model"],
    &["source"],
    &["ir"],
    &["resolve"],
    &["targets"],
    &["validate"],
    &["patches"],
    &["output"],
    &["pipeline"],
    &["graph", "import", "local_env"],
    &["commands"],
    &["render"],
];

/// Back-edges that exist today, each with why and what removes it. Nothing may be added here.
const KNOWN: &[(&str, &str, &str)] = &[];

/// Files of the binary, not the library.
const BINARY: &[&str] = &["main.rs", "cli.rs"];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|row| row.contains(&module))
}

/// The top-level module a file under `src/` belongs to (`None`: the crate root or the binary).
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_string_lossy().into_owned();
    if first == "lib.rs" || BINARY.contains(&first.as_str()) {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_string())
}

/// The first segments of every `crate::` path in `text`, with their line numbers; `crate::{a, b::c}`
/// gives `a` and `b`. Unit tests (the `#[cfg(test)] mod tests` that ends a file) are left out: they
/// may drive the whole pipeline.
fn references(text: &str) -> Vec<(usize, String)> {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(end) => &text[..end],
        None => text,
    };
    let mut out = Vec::new();
    for (index, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                let mut depth = 0;
                let mut name = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => out.push((index + 1, std::mem::take(&mut name))),
                        _ if depth == 0 => name.push(c),
                        _ => {}
                    }
                }
                out.push((index + 1, name));
            } else {
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                out.push((index + 1, name));
            }
            rest = after;
        }
    }
    out.into_iter()
        .map(|(line, name)| (line, name.trim().split("::").next().unwrap_or("").trim().to_string()))
        .filter(|(_, name)| !name.is_empty())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_top_level_module_has_a_place_in_the_order() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut unplaced = Vec::new();
    for entry in std::fs::read_dir(&src).expect("read src").flatten() {
        let Some(module) = module_of(Path::new(&entry.file_name())) else { continue };
        if rank(&module).is_none() {
            unplaced.push(module);
        }
    }
    unplaced.sort();
    assert!(unplaced.is_empty(), "modules missing from LAYERS in tests/integration/layers.rs: {unplaced:?}");
}

#[test]
fn imports_follow_the_pipeline_order() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut problems = BTreeSet::new();
    let mut used_known = BTreeSet::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let Some(module) = module_of(relative) else { continue };
        let Some(from) = rank(&module) else { continue };
        let text = std::fs::read_to_string(file).expect("read source");
        for (line, name) in references(&text) {
            if name == module {
                continue;
            }
            let place = format!("src/{}:{line}", relative.display());
            let problem = match rank(&name) {
                Some(to) if to < from => continue,
                _ if KNOWN.iter().any(|(a, b, _)| *a == module && *b == name) => {
                    used_known.insert((module.clone(), name.clone()));
                    continue;
                }
                Some(to) if to == from => format!("{place}: `{module}` imports `{name}`, on the same row of LAYERS"),
                Some(_) => format!("{place}: `{module}` imports `{name}`, a later stage"),
                None => format!(
                    "{place}: `{module}` imports `crate::{name}`, which is no module of LAYERS (the crate root's re-exports are for users of the library: import the module that defines it)"
                ),
            };
            problems.insert(problem);
        }
    }
    let problems: Vec<String> = problems.into_iter().collect();
    assert!(problems.is_empty(), "imports against the order of tests/integration/layers.rs:\n{}", problems.join("\n"));
    let stale: Vec<String> = KNOWN
        .iter()
        .filter(|(a, b, _)| !used_known.contains(&(a.to_string(), b.to_string())))
        .map(|(a, b, _)| format!("{a} -> {b}"))
        .collect();
    assert!(stale.is_empty(), "known back-edges that no longer exist (remove them from KNOWN): {stale:?}");
}

#[test]
fn references_are_read_from_paths_and_groups() {
    let text = "use crate::a::b;\nuse crate::{c, d::{e, f}, g};\nlet x = crate::h(1);\n#[cfg(test)]\nmod tests {\n    use crate::z;\n}\n";
    let names: Vec<String> = references(text).into_iter().map(|(_, name)| name).collect();
    assert_eq!(names, ["a", "c", "d", "g", "h"]);
}
