//! `.iacgen-manifest.json`: every file the build generated, with its SHA-256, target and environment.
//! It is how iacgen knows which files are its own (and may be replaced or removed) and which were
//! edited by hand.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ir::Target;
use crate::output::OutputError;
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
    /// The model that owns the folder: its file, relative to the output folder (`../iacgen.yaml`),
    /// so two projects whose output folders meet are told apart. Manifests written before owners
    /// were recorded say `iacgen.yaml` (see [`owner`]).
    pub model: String,
    #[serde(deserialize_with = "files_in_bulk")]
    pub files: BTreeMap<String, Entry>,
    /// True only in the manifest a build writes before it writes any file, and so found only after
    /// a build was interrupted: the next build then looks through the whole folder for the temp
    /// files it may have left (a build that finished leaves none, and walking 26,000 files costs).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub building: bool,
    /// Why the manifest on disk could not be read (truncated, not JSON, not a manifest): set by
    /// [`Manifest::read`], never written. A damaged manifest is empty, so nothing is treated as ours.
    #[serde(skip)]
    pub damaged: Option<String>,
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
    /// The manifest in `out_dir`; a missing one is empty, and so is a damaged one, with the reason
    /// in [`Manifest::damaged`] (nothing is then treated as ours).
    pub fn read(out_dir: &std::path::Path) -> Manifest {
        match crate::output::fs_safe::read_existing(&out_dir.join(MANIFEST)) {
            Some(bytes) => Manifest::parse_checked(&String::from_utf8_lossy(&bytes))
                .unwrap_or_else(|why| Manifest { damaged: Some(why), ..Manifest::default() }),
            None => Manifest::default(),
        }
    }

    /// Parse a manifest; a corrupt one is empty (nothing is then treated as ours).
    pub fn parse(text: &str) -> Manifest {
        Manifest::parse_checked(text).unwrap_or_default()
    }

    /// Parse a manifest, or say why it is not one.
    pub fn parse_checked(text: &str) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|error| error.to_string())?;
        if manifest.generator != "iacgen" {
            return Err(String::from("it was not written by iacgen"));
        }
        Ok(manifest)
    }

    /// Refuse a damaged manifest (unless `force`): without it iacgen cannot tell its files from
    /// anyone else's, and would otherwise call every file "not in the manifest".
    pub fn check_damage(&self, output: &str, force: bool) -> Result<(), OutputError> {
        match &self.damaged {
            Some(why) if !force => Err(OutputError::new(format!(
                "`{output}/{MANIFEST}` is damaged ({why}), so iacgen cannot tell the files it generated from yours; restore it from git (`git checkout -- {output}/{MANIFEST}`), or check `{output}/` by hand and run `iacgen build --force` to write a new one"
            ))),
            _ => Ok(()),
        }
    }

    /// Refuse to treat the folder as this model's when another model owns it (two projects whose
    /// output folders are the same folder would delete each other's files), unless `force`.
    /// A manifest from before owners were recorded (`iacgen.yaml`) is adopted.
    pub fn check_owner(&self, output: &str, owner: &str, force: bool) -> Result<(), OutputError> {
        let unowned = self.model.is_empty() || self.model == crate::shared::MODEL_FILE;
        if unowned || self.model == owner || force {
            return Ok(());
        }
        Err(OutputError::new(format!(
            "`{output}` holds the output of another model (`{}`, seen from `{output}`; this model is `{owner}`): two projects must not share an output folder; set another `output:`, or, if this model now owns the folder (it was moved), run `iacgen build --force`",
            self.model
        )))
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
        Manifest {
            generator: String::from("iacgen"),
            model: model_file.to_string(),
            files: entries,
            ..Manifest::default()
        }
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

/// The model file `model_file` (in the project folder) as seen from the output folder `output` (a
/// relative path inside the project): what a manifest records as its folder's owner.
pub fn owner(output: &str, model_file: &str) -> String {
    let depth = output.split('/').filter(|part| !part.is_empty() && *part != ".").count();
    format!("{}{model_file}", "../".repeat(depth))
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
    fn owners_and_damage() {
        assert_eq!(owner("deploy", "iacgen.yaml"), "../iacgen.yaml");
        assert_eq!(owner("generated/deploy", "iacgen.yaml"), "../../iacgen.yaml");
        let mine = Manifest {
            generator: String::from("iacgen"),
            model: owner("deploy", "iacgen.yaml"),
            ..Manifest::default()
        };
        assert!(mine.check_owner("deploy", "../iacgen.yaml", false).is_ok());
        assert!(mine.check_owner("deploy", "../../iacgen.yaml", false).is_err(), "another model");
        assert!(mine.check_owner("deploy", "../../iacgen.yaml", true).is_ok(), "taken over with --force");
        let legacy = Manifest { model: String::from("iacgen.yaml"), ..mine.clone() };
        assert!(legacy.check_owner("deploy", "../../iacgen.yaml", false).is_ok(), "adopted");
        assert_eq!(Manifest::parse_checked(&mine.render()), Ok(mine.clone()));
        let text = mine.render();
        assert!(Manifest::parse_checked(&text[..text.len() / 2]).is_err(), "truncated");
        assert!(Manifest::parse_checked("{\"generator\": \"other\", \"model\": \"\", \"files\": {}}").is_err());
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
