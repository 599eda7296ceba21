//! `iacgen import compose`: an existing docker-compose file → an iacgen model (`iacgen.yaml` text).
//!
//! ```text
//! compose   read the file with the spanned YAML parser; classify each service (database/cache
//!           image → resource, anything else → service) and map its fields into a [`draft::Draft`]
//! write     the draft → iacgen.yaml text, deterministic, with the report as a closing comment
//! ```
//!
//! Everything the importer cannot carry into the model, or carries with a difference, becomes a
//! [`Note`] naming the compose line it came from; notes about what may stop working as it did are
//! marked so the report lists them first. `${VAR}` reads the project's `.env` as compose does, and
//! `env_file:` files are read, but no credential (a password, a URL with one, a token) ever reaches
//! the model or the report: each becomes a declared secret read from the compose output's `.env`.

mod command;
mod compose;
mod compute;
mod credentials;
mod dotenv;
mod draft;
mod env;
mod fields;
mod health;
mod hosts;
mod interpolate;
mod ports;
mod resource;
mod volumes;
mod write;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::pipeline::Failure;

/// Whether a note is about something dropped or something carried over with a difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NoteKind {
    /// The model has no equivalent: it is not in the imported model.
    NotMapped,
    /// Imported, but not exactly as written (a default picked, a name changed, a kind substituted).
    Changed,
}

/// One item of the import report.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    /// 1-based line in the compose file (of the merged-in anchor when it came through `<<:`).
    pub line: usize,
    /// Where in the compose document: `services.web.ports[1]`, `services.db.environment.PGDATA`.
    pub path: String,
    pub kind: NoteKind,
    /// Whether what the compose file ran may not work as it did (listed first in the report).
    pub breaks: bool,
    pub message: String,
}

impl Note {
    /// What the note is about, for the counts of the report: `environment`, `ports`, `image`...
    pub fn topic(&self) -> &str {
        let mut parts = self.path.split('.');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("services"), Some(_), Some(field)) => field.split(['[', '(']).next().unwrap_or(field),
            (Some("services"), Some(_), None) => "service",
            (Some(top), _, _) => top.split('[').next().unwrap_or(top),
            (None, _, _) => "",
        }
    }
}

/// What a compose service became.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Imported {
    Service(String),
    Resource(String),
}

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Import {
    /// The text of `iacgen.yaml`.
    pub model: String,
    /// The compose file as named in the report and the model's header (relative to the output folder).
    pub display: String,
    /// Sorted by line.
    pub notes: Vec<Note>,
    /// Compose service name → what it became.
    pub names: BTreeMap<String, Imported>,
    /// `N services, N resources, N secrets`.
    pub summary: String,
    /// One line per hardening the imported model leaves off to run what the compose file ran.
    pub hardening: Vec<String>,
}

impl Import {
    /// Notes of one kind.
    pub fn notes_of(&self, kind: NoteKind) -> impl Iterator<Item = &Note> {
        self.notes.iter().filter(move |note| note.kind == kind)
    }

    /// The report printed to stderr: what may not work as it did, then counts per kind of change,
    /// then the hardening the user can turn on. [`Import::details`] adds every note.
    pub fn report(&self) -> String {
        let mut out = format!("imported {}: {}\n", self.display, self.summary);
        let breaks: Vec<&Note> = self.notes.iter().filter(|note| note.breaks).collect();
        if !breaks.is_empty() {
            out.push_str(&format!("\nmay not work as it did ({}):\n", breaks.len()));
            for (line, path, message) in grouped(&breaks, 3) {
                out.push_str(&format!("  {}:{line}: {path}: {message}\n", self.display));
            }
        }
        let mut counts: BTreeMap<(&str, NoteKind), usize> = BTreeMap::new();
        for note in self.notes.iter().filter(|note| !note.breaks) {
            *counts.entry((note.topic(), note.kind)).or_default() += 1;
        }
        if !counts.is_empty() {
            let total: usize = counts.values().sum();
            out.push_str(&format!("\nother changes ({total}; each one with -v, and at the end of iacgen.yaml):\n"));
            let mut topics: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
            for ((topic, kind), count) in counts {
                let entry = topics.entry(topic).or_default();
                match kind {
                    NoteKind::Changed => entry.0 += count,
                    NoteKind::NotMapped => entry.1 += count,
                }
            }
            for (topic, (changed, not_mapped)) in topics {
                let mut parts = Vec::new();
                if changed > 0 {
                    parts.push(format!("{changed} changed"));
                }
                if not_mapped > 0 {
                    parts.push(format!("{not_mapped} not mapped"));
                }
                out.push_str(&format!("  {topic:<16} {}\n", parts.join(", ")));
            }
        }
        if !self.hardening.is_empty() {
            out.push_str("\nhardening to turn on once each service allows it:\n");
            for line in &self.hardening {
                out.push_str(&format!("  {line}\n"));
            }
        }
        out
    }

    /// Every note that [`Import::report`] only counts, by kind and line.
    pub fn details(&self) -> String {
        let mut out = String::new();
        for (kind, title) in [(NoteKind::NotMapped, "not mapped"), (NoteKind::Changed, "changed")] {
            let notes: Vec<&Note> = self.notes_of(kind).filter(|note| !note.breaks).collect();
            if notes.is_empty() {
                continue;
            }
            out.push_str(&format!("\n{title} ({}):\n", notes.len()));
            for (line, path, message) in grouped(&notes, usize::MAX) {
                out.push_str(&format!("  {}:{line}: {path}: {message}\n", self.display));
            }
        }
        out
    }
}

/// Notes that say the same about several services (a `<<:` anchor they share) as one line each:
/// `services.{web,worker}.entrypoint`, naming at most `names` services (then `+N`).
fn grouped(notes: &[&Note], names: usize) -> Vec<(usize, String, String)> {
    let mut groups: Vec<((usize, String, String), Vec<String>)> = Vec::new();
    for note in notes {
        let (service, rest) = match note.path.strip_prefix("services.").and_then(|p| p.split_once('.')) {
            Some((service, rest)) => (Some(service.to_string()), rest.to_string()),
            None => (None, note.path.clone()),
        };
        let key = (note.line, if service.is_some() { rest } else { note.path.clone() }, note.message.clone());
        match (service, groups.iter_mut().find(|(k, _)| *k == key)) {
            (Some(service), Some((_, services))) => services.push(service),
            (Some(service), None) => groups.push((key, vec![service])),
            (None, _) => groups.push((key, Vec::new())),
        }
    }
    groups
        .into_iter()
        .map(|((line, rest, message), services)| {
            let path = match services.as_slice() {
                [] => rest,
                [one] => format!("services.{one}.{rest}"),
                many => {
                    let mut shown: Vec<String> = many.iter().take(names).cloned().collect();
                    if many.len() > names {
                        shown.push(format!("+{}", many.len() - names));
                    }
                    format!("services.{{{}}}.{rest}", shown.join(","))
                }
            };
            (line, path, message)
        })
        .collect()
}

/// Import the compose file `file` into a model meant to live in `output_dir` (paths in the model
/// are relative to it). Fails with located diagnostics when the file cannot be read or is not a
/// compose file; everything else it cannot map is a [`Note`].
pub fn compose(file: &Path, output_dir: &Path) -> Result<Import, Failure> {
    compose::import(file, output_dir)
}

/// A DNS-1123 label from a compose name: lowercase, `_`, `.` and other characters → `-`, starting
/// with a letter, at most `max` characters. Empty when nothing usable is left.
pub fn label(name: &str, max: usize) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "x-");
    }
    out.truncate(max);
    out.trim_end_matches('-').to_string()
}

/// `path` made absolute (against the current directory) and normalised without touching the disk.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map(|dir| dir.join(path)).unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `target` relative to the folder `base` (both absolute and normalised), `/`-separated.
pub fn relative(base: &Path, target: &Path) -> Option<String> {
    let base: Vec<Component> = base.components().collect();
    let target: Vec<Component> = target.components().collect();
    let common = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut parts: Vec<String> = vec![String::from(".."); base.len() - common];
    for component in &target[common..] {
        parts.push(component.as_os_str().to_str()?.to_string());
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_from_compose_names() {
        assert_eq!(label("Queue_Worker", 63), "queue-worker");
        assert_eq!(label("web.app--1", 63), "web-app-1");
        assert_eq!(label("2fa", 63), "x-2fa");
        assert_eq!(label("__", 63), "");
        assert_eq!(label("a-very-long-project-name-indeed", 24), "a-very-long-project-name");
    }

    #[test]
    fn relative_paths() {
        let base = Path::new("/work/app");
        assert_eq!(relative(base, Path::new("/work/app/compose.yaml")), Some("compose.yaml".into()));
        assert_eq!(relative(base, Path::new("/work/other/x")), Some("../other/x".into()));
        assert_eq!(relative(base, Path::new("/work/app")), Some(String::new()));
        assert_eq!(absolute(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}
