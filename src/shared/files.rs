//! The files of a build: what targets produce, patches change and `output` writes or compares.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::shared::Target;

/// One generated file and the scope it belongs to (so filtered builds only prune their own files).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The text; generic files copied verbatim borrow the embedded copy instead of allocating one
    /// per chart or environment.
    pub contents: Cow<'static, str>,
    pub target: Target,
    /// `None` for files shared by every environment of the target (vendored modules, charts).
    pub environment: Option<String>,
}

/// Every file of a build, by path relative to the output folder (`/`-separated), sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSet {
    pub files: BTreeMap<String, GeneratedFile>,
}

impl FileSet {
    /// Add a file.
    pub fn insert(
        &mut self,
        path: impl Into<String>,
        target: Target,
        environment: Option<&str>,
        contents: impl Into<Cow<'static, str>>,
    ) {
        let file = GeneratedFile { contents: contents.into(), target, environment: environment.map(String::from) };
        self.files.insert(path.into(), file);
    }

    /// Add every file of `other` (a file of `other` replaces one at the same path).
    pub fn extend(&mut self, other: FileSet) {
        // Inserting tens of thousands of paths one by one compares long shared prefixes ~15 times
        // each; rebuilding from the two sorted runs is linear. A few files are still inserted.
        if other.files.len() * 8 < self.files.len() {
            self.files.extend(other.files);
        } else {
            let mine = std::mem::take(&mut self.files);
            *self = mine.into_iter().chain(other.files).collect();
        }
    }
}

impl FromIterator<(String, GeneratedFile)> for FileSet {
    /// Built in bulk (sorted once, then laid out), not by insertion; a later file replaces an
    /// earlier one at the same path, as [`FileSet::insert`] does.
    fn from_iter<I: IntoIterator<Item = (String, GeneratedFile)>>(files: I) -> FileSet {
        FileSet { files: files.into_iter().collect() }
    }
}
