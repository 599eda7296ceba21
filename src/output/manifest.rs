//! `.iacgen-manifest.json`: every file the build generated, with its SHA-256, target and environment.
//! It is how iacgen knows which files are its own (and may be replaced or removed) and which were
//! edited by hand.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ir::Target;
use crate::targets::{FileSet, Filter};

/// The manifest's file name, inside the output folder.
pub const MANIFEST: &str = ".iacgen-manifest.json";

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub sha256: String,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Present only while a build runs (and after one was interrupted): the hash of the bytes the
    /// build is replacing, which are still iacgen's own if the build stopped before renaming.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacing: Option<String>,
}

impl Entry {
    /// Whether a file with this hash is what iacgen wrote (not edited by hand).
    pub fn is_ours(&self, sha256: &str) -> bool {
        self.sha256 == sha256 || self.replacing.as_deref() == Some(sha256)
    }
}

/// The manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub generator: String,
    pub model: String,
    pub files: BTreeMap<String, Entry>,
}

impl Manifest {
    /// The manifest in `out_dir`; a missing or corrupt one is empty (nothing is then treated as ours).
    pub fn read(out_dir: &std::path::Path) -> Manifest {
        crate::output::fs_safe::read_existing(&out_dir.join(MANIFEST))
            .map(|bytes| Manifest::parse(&String::from_utf8_lossy(&bytes)))
            .unwrap_or_default()
    }

    /// Parse a manifest; a missing or corrupt one is empty (nothing is then treated as ours).
    pub fn parse(text: &str) -> Manifest {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// The manifest of `files`, keeping `previous` entries that `filter` leaves out of this build.
    pub fn of(files: &FileSet, previous: &Manifest, filter: &Filter, model_file: &str) -> Manifest {
        let mut entries: BTreeMap<String, Entry> = previous
            .files
            .iter()
            .filter(|(_, entry)| !in_scope(entry, filter))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        // Hashing is most of the work (every byte of the build): in parallel, merged in path order.
        use rayon::prelude::*;
        let hashed: Vec<(String, Entry)> = files
            .files
            .par_iter()
            .map(|(path, file)| {
                let entry = Entry {
                    sha256: sha256(file.contents.as_bytes()),
                    target: file.target.as_str().to_string(),
                    environment: file.environment.clone(),
                    replacing: None,
                };
                (path.clone(), entry)
            })
            .collect();
        entries.extend(hashed);
        Manifest { generator: String::from("iacgen"), model: model_file.to_string(), files: entries }
    }

    /// The JSON text (sorted keys, two-space indent, final newline).
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Whether a manifest entry belongs to the targets and environments this build covers.
pub fn in_scope(entry: &Entry, filter: &Filter) -> bool {
    let target_selected = Target::parse(&entry.target).is_none_or(|target| filter.target(target));
    target_selected && filter.environment(entry.environment.as_deref())
}

/// Lowercase hex SHA-256.
pub fn sha256(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut text = String::with_capacity(64);
    for byte in digest.iter() {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}
