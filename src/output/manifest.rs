//! `.iacgen-manifest.json`: every file the build generated, with its SHA-256, target and environment.
//! It is how iacgen knows which files are its own (and may be replaced or removed) and which were
//! edited by hand.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ir::Target;
use crate::shared::{FileSet, Filter, GeneratedFile};

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
    #[serde(deserialize_with = "files_in_bulk")]
    pub files: BTreeMap<String, Entry>,
    /// True only in the manifest a build writes before it writes any file, and so found only after
    /// a build was interrupted: the next build then looks through the whole folder for the temp
    /// files it may have left (a build that finished leaves none, and walking 26,000 files costs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub building: bool,
}

/// The `files` map read as a list and then laid out in bulk: a manifest lists tens of thousands of
/// paths with long shared prefixes, which inserting one by one compares again and again.
fn files_in_bulk<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<BTreeMap<String, Entry>, D::Error> {
    struct Files;
    impl<'de> serde::de::Visitor<'de> for Files {
        type Value = Vec<(String, Entry)>;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a map of paths to entries")
        }
        fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
            let mut files = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(entry) = map.next_entry()? {
                files.push(entry);
            }
            Ok(files)
        }
    }
    Ok(deserializer.deserialize_map(Files)?.into_iter().collect())
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
        Manifest::of_hashed(files, &hashes(files), previous, filter, model_file)
    }

    /// [`Manifest::of`] with the files' hashes already computed (`hashes[i]` is the hash of the
    /// i-th file in path order), so a build hashes each file once.
    pub fn of_hashed(
        files: &FileSet,
        hashes: &[String],
        previous: &Manifest,
        filter: &Filter,
        model_file: &str,
    ) -> Manifest {
        let kept = previous.files.iter().filter(|(_, entry)| !in_scope(entry, filter));
        let kept = kept.map(|(path, entry)| (path.clone(), entry.clone()));
        let built = files.files.iter().zip(hashes).map(|((path, file), sha256)| (path.clone(), entry(file, sha256)));
        // Collected in bulk (sorted runs, laid out once) rather than inserted path by path.
        let entries: BTreeMap<String, Entry> = kept.chain(built).collect();
        Manifest { generator: String::from("iacgen"), model: model_file.to_string(), files: entries, building: false }
    }

    /// Whether this manifest lists exactly the files [`Manifest::of_hashed`] would list for `files`,
    /// without building that manifest: `check` asks it of every build.
    pub fn describes(&self, files: &FileSet, hashes: &[String], filter: &Filter) -> bool {
        let mut mine = self.files.iter().filter(|(_, entry)| in_scope(entry, filter));
        let mut built = files.files.iter().zip(hashes);
        loop {
            match (mine.next(), built.next()) {
                (None, None) => return true,
                (Some((path, entry)), Some(((file_path, file), sha256))) => {
                    let same = path == file_path
                        && entry.sha256 == *sha256
                        && entry.target == file.target.as_str()
                        && entry.environment == file.environment
                        && entry.replacing.is_none();
                    if !same {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }

    /// The JSON text (sorted keys, two-space indent, final newline).
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The entry of a generated file with hash `sha256`.
fn entry(file: &GeneratedFile, sha256: &str) -> Entry {
    Entry {
        sha256: sha256.to_string(),
        target: file.target.as_str().to_string(),
        environment: file.environment.clone(),
        replacing: None,
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

/// The SHA-256 of every file of `files`, in path order. Hashing is most of a manifest's work (every
/// byte of the build): in parallel, and each embedded generic file (a Helm template is copied into
/// every chart) is hashed once per process.
pub fn hashes(files: &FileSet) -> Vec<String> {
    use rayon::prelude::*;
    let contents: Vec<&Cow<'static, str>> = files.files.values().map(|file| &file.contents).collect();
    contents.par_iter().map(|text| contents_sha256(text)).collect()
}

/// The SHA-256 of a generated file's text: remembered for embedded files, computed for the rest.
#[allow(clippy::ptr_arg, reason = "whether the text is borrowed (embedded) is the point")]
pub fn contents_sha256(contents: &Cow<'static, str>) -> String {
    match contents {
        Cow::Borrowed(text) => match embedded_hash(text) {
            Some(memo) => memo.get_or_init(|| sha256(text.as_bytes())).clone(),
            None => sha256(text.as_bytes()),
        },
        Cow::Owned(text) => sha256(text.as_bytes()),
    }
}

/// The memo slot of an embedded file, found by address: borrowed text is one of
/// [`crate::targets::embedded::FILES`] exactly when it starts there with the same length.
fn embedded_hash(text: &'static str) -> Option<&'static OnceLock<String>> {
    type Memo = HashMap<(usize, usize), OnceLock<String>>;
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let memo = MEMO.get_or_init(|| {
        crate::targets::embedded::FILES
            .iter()
            .map(|(_, contents)| ((contents.as_ptr() as usize, contents.len()), OnceLock::new()))
            .collect()
    });
    memo.get(&(text.as_ptr() as usize, text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_exactly_the_manifest_a_build_writes() {
        use crate::ir::Target;
        let mut files = FileSet::default();
        files.insert("compose/dev/compose.yaml", Target::Compose, Some("dev"), "a");
        files.insert("helm/web/Chart.yaml", Target::Helm, None, "b");
        let all = Filter::default();
        let hashes = hashes(&files);
        let written = Manifest::of_hashed(&files, &hashes, &Manifest::default(), &all, "iacgen.yaml");
        assert!(written.describes(&files, &hashes, &all));

        let mut edited = written.clone();
        edited.files.values_mut().for_each(|entry| entry.sha256 = sha256(b"other"));
        assert!(!edited.describes(&files, &hashes, &all), "another hash");
        let mut extra = written.clone();
        extra.files.insert(String::from("helm/old/Chart.yaml"), written.files["helm/web/Chart.yaml"].clone());
        assert!(!extra.describes(&files, &hashes, &all), "a file the build no longer writes");
        let mut fewer = written.clone();
        fewer.files.remove("helm/web/Chart.yaml");
        assert!(!fewer.describes(&files, &hashes, &all), "a file missing from the manifest");

        // Out of the filter's scope, other entries are kept as they are and do not count.
        let compose_only = Filter { environments: Vec::new(), targets: vec![Target::Compose] };
        let mut compose = FileSet::default();
        compose.insert("compose/dev/compose.yaml", Target::Compose, Some("dev"), "a");
        assert!(written.describes(&compose, &self::hashes(&compose), &compose_only));
    }

    #[test]
    fn remembered_hashes_of_embedded_files_are_their_hashes() {
        let (_, text) = crate::targets::embedded::FILES[0];
        let expected = sha256(text.as_bytes());
        assert_eq!(contents_sha256(&Cow::Borrowed(text)), expected);
        assert_eq!(contents_sha256(&Cow::Borrowed(text)), expected, "the remembered value");
        assert_eq!(contents_sha256(&Cow::Owned(text.to_string())), expected);
        // A borrowed text that only starts where an embedded file starts is hashed itself.
        if let Some(prefix) = text.get(..text.len() / 2) {
            assert_eq!(contents_sha256(&Cow::Borrowed(prefix)), sha256(prefix.as_bytes()));
        }
        assert_eq!(contents_sha256(&Cow::Borrowed("not embedded")), sha256(b"not embedded"));
    }
}
