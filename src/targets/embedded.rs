//! The generic files kept in this repository (`targets/`, `modules/`), embedded at build time.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Every embedded file below `prefix` (e.g. `modules/aws/`), with paths relative to it, sorted.
pub fn under(prefix: &str) -> Vec<(&'static str, &'static str)> {
    FILES
        .iter()
        .filter_map(|(path, contents)| path.strip_prefix(prefix).map(|relative| (relative, *contents)))
        .filter(|(relative, _)| !relative.ends_with("README.md"))
        .collect()
}

/// One embedded file by its repository path.
pub fn get(path: &str) -> Option<&'static str> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, contents)| *contents)
}
