//! Reading a compose file: the top level, the classification of each service (a database or cache
//! image becomes a resource, anything else a service) and the names they get in the model.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::import::draft::Draft;
use crate::import::resource::{self, Password};
use crate::import::{Import, Imported, Note, NoteKind, absolute, fields, interpolate, label, relative, write};
use crate::pipeline::Failure;
use crate::shared::span::{SourceMap, Span};
use crate::source::reader::Reader;
use crate::source::yaml::{self, Node, NodeKind};

/// What every mapper needs: the notes and errors so far, the file's folders, and what the other
/// services became (for `depends_on` and shared passwords).
pub struct Ctx<'a> {
    pub sources: &'a SourceMap,
    pub notes: Vec<Note>,
    pub diagnostics: Diagnostics,
    /// The folder holding the compose file (its relative paths start there).
    pub compose_dir: PathBuf,
    /// The folder the model will live in (the model's relative paths start there).
    pub out_dir: PathBuf,
    /// Compose service name → what it becomes.
    pub names: BTreeMap<String, Imported>,
    /// Resource → how the compose file set its password.
    pub passwords: BTreeMap<String, Password>,
    /// Resource → the user and database its container was created with.
    pub accounts: BTreeMap<String, (Option<String>, Option<String>)>,
    /// Resource → its kind (which variable names can be about it).
    pub kinds: BTreeMap<String, crate::model::ResourceKind>,
    /// The project's `.env` (compose reads it for `${VAR}`).
    pub vars: interpolate::Vars,
    /// Old host name (compose service name or `container_name`) → the model's name, where they differ.
    pub renamed: BTreeMap<String, String>,
    /// Host name (compose service name or `container_name`) → the resource it became.
    pub resource_hosts: BTreeMap<String, String>,
    /// Named volume → where it was first mounted and the services that mount it.
    pub volume_users: BTreeMap<String, (Span, BTreeSet<String>)>,
    /// Top-level `volumes:` declarations that are `external`.
    pub external_volumes: BTreeSet<String>,
}

impl Ctx<'_> {
    /// The 1-based line of a span.
    pub fn line(&self, span: Span) -> usize {
        self.sources.location(span).line
    }

    /// Record something the model has no equivalent for.
    pub fn not_mapped(&mut self, span: Span, path: &str, message: impl Into<String>) {
        self.note(NoteKind::NotMapped, span, path, message);
    }

    /// Record something imported with a difference.
    pub fn changed(&mut self, span: Span, path: &str, message: impl Into<String>) {
        self.note(NoteKind::Changed, span, path, message);
    }

    /// Record something the model has no equivalent for, whose loss may stop the service working.
    pub fn lost(&mut self, span: Span, path: &str, message: impl Into<String>) {
        self.push(NoteKind::NotMapped, true, span, path, message);
    }

    /// Record something imported with a difference that may stop the service working as it did.
    pub fn differs(&mut self, span: Span, path: &str, message: impl Into<String>) {
        self.push(NoteKind::Changed, true, span, path, message);
    }

    fn note(&mut self, kind: NoteKind, span: Span, path: &str, message: impl Into<String>) {
        self.push(kind, false, span, path, message);
    }

    fn push(&mut self, kind: NoteKind, breaks: bool, span: Span, path: &str, message: impl Into<String>) {
        let line = self.line(span);
        self.notes.push(Note { line, path: path.to_string(), kind, breaks, message: message.into() });
    }

    /// Read a file the compose file names (`env_file`), relative to the compose file's folder.
    pub fn read_beside(&self, path: &str) -> Result<String, String> {
        crate::source::read_text(&Reader::Disk { root: self.compose_dir.clone() }, path.trim_start_matches("./"))
    }

    /// A shape compose itself would reject: an error (the import stops, exit 2).
    pub fn wrong_type(&mut self, node: &Node, expected: &str, path: &str) {
        self.diagnostics.push(
            Diagnostic::new(
                codes::WRONG_TYPE,
                node.span,
                format!("`{path}` must be {expected}, not {}", node.type_name()),
            )
            .with_label(format!("expected {expected}"))
            .with_help("fix the compose file (`docker compose config` shows what compose reads)"),
        );
    }
}

/// The entries of a map node; `null` is an empty map.
pub fn entries(node: &Node) -> Option<&[(Node, Node)]> {
    match &node.kind {
        NodeKind::Map(entries) => Some(entries),
        NodeKind::Null => Some(&[]),
        _ => None,
    }
}

/// The value under `key`.
pub fn get<'n>(map: &'n [(Node, Node)], key: &str) -> Option<&'n Node> {
    map.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
}

/// Import `file` for a model in `output_dir`.
pub fn import(file: &Path, output_dir: &Path) -> Result<Import, Failure> {
    let file = absolute(file);
    let out_dir = absolute(output_dir);
    let compose_dir = file.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("/"));
    let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("compose.yaml").to_string();
    let display = relative(&out_dir, &file).filter(|r| !r.is_empty()).unwrap_or_else(|| file_name.clone());

    let mut sources = SourceMap::default();
    let text = match crate::source::read_text(&Reader::Disk { root: compose_dir.clone() }, &file_name) {
        Ok(text) => text,
        Err(message) => {
            let message = message.replace(&format!("`{file_name}`"), &format!("`{display}`"));
            return Err(Failure {
                sources,
                diagnostics: Diagnostics::from(Diagnostic::global(codes::READ_FAILED, message)),
            });
        }
    };
    let file_id = sources.add(display.clone(), text);
    let root = match sources.get(file_id).map(|source| yaml::parse(file_id, source)) {
        Some(Ok(root)) => root,
        Some(Err(diagnostics)) => return Err(Failure { sources, diagnostics }),
        None => return Err(Failure { sources, diagnostics: Diagnostics::new() }),
    };

    let mut draft = Draft::default();
    let (notes, names, diagnostics) = {
        let mut ctx = Ctx {
            sources: &sources,
            notes: Vec::new(),
            diagnostics: Diagnostics::new(),
            compose_dir,
            out_dir,
            names: BTreeMap::new(),
            passwords: BTreeMap::new(),
            accounts: BTreeMap::new(),
            kinds: BTreeMap::new(),
            vars: interpolate::Vars::new(),
            renamed: BTreeMap::new(),
            resource_hosts: BTreeMap::new(),
            volume_users: BTreeMap::new(),
            external_volumes: BTreeSet::new(),
        };
        // Compose reads `.env` beside the compose file for `${VAR}`; a missing one is no error.
        if let Ok(text) = ctx.read_beside(".env") {
            ctx.vars = crate::import::dotenv::vars(&text);
        }
        read_document(&mut ctx, &root, &mut draft, &file);
        (ctx.notes, ctx.names, ctx.diagnostics)
    };
    if diagnostics.has_errors() {
        let mut diagnostics = diagnostics;
        diagnostics.sort(&sources);
        return Err(Failure { sources, diagnostics });
    }
    let mut notes = notes;
    notes.sort();
    notes.dedup();
    let summary = format!(
        "{} services, {} resources, {} secrets; environment `development` targets compose",
        draft.services.len(),
        draft.resources.len(),
        draft.secrets.len()
    );
    let hardening = write::hardening(&draft);
    let mut import = Import { model: String::new(), display, notes, names, summary, hardening };
    import.model = write::model(&draft, &import);
    Ok(import)
}

fn read_document(ctx: &mut Ctx<'_>, root: &Node, draft: &mut Draft, file: &Path) {
    let Some(top) = entries(root).filter(|_| root.kind != NodeKind::Null) else {
        ctx.diagnostics.push(
            Diagnostic::new(codes::WRONG_TYPE, root.span, "a compose file is a map with a `services:` key")
                .with_label("not a compose file")
                .with_help("pass a docker-compose file (compose.yaml, docker-compose.yml)"),
        );
        return;
    };
    let Some(services) = get(top, "services") else {
        ctx.diagnostics.push(
            Diagnostic::new(
                codes::MISSING_FIELD,
                Span { end: root.span.start, ..root.span },
                "the compose file has no `services:`",
            )
            .with_label("`services` missing")
            .with_help("pass a docker-compose file (compose.yaml, docker-compose.yml)"),
        );
        return;
    };
    let Some(services) = entries(services) else {
        ctx.wrong_type(services, "a map of services", "services");
        return;
    };

    draft.project = project_name(ctx, top, file);
    for (key, value) in top {
        let name = key.as_str().unwrap_or("");
        match name {
            "services" | "name" | "version" => {}
            "volumes" => top_volumes(ctx, value),
            _ if name.starts_with("x-") => {}
            "networks" => ctx.not_mapped(key.span, name, "networks are not imported: every service shares compose's default network, so services isolated on separate networks can reach each other"),
            "secrets" | "configs" => ctx.not_mapped(
                key.span,
                name,
                format!("top-level `{name}` are not imported: declare values under the model's `secrets:` (or mount files with `files:`)"),
            ),
            "include" => ctx.not_mapped(key.span, name, "included compose files are not read: import each one on its own"),
            _ => ctx.not_mapped(key.span, name, "iacgen has no equivalent"),
        }
    }

    classify(ctx, services);
    for (key, node) in services {
        let compose_name = key.as_str().unwrap_or("").to_string();
        let Some(map) = entries(node) else { continue };
        if let Some(Imported::Resource(name)) = ctx.names.get(&compose_name).cloned() {
            let imported = resource::map(ctx, &compose_name, &name, map);
            draft.resources.insert(name, imported);
        }
    }
    for (key, node) in services {
        let compose_name = key.as_str().unwrap_or("").to_string();
        let Some(map) = entries(node) else { continue };
        if let Some(Imported::Service(name)) = ctx.names.get(&compose_name).cloned() {
            let service = fields::service(ctx, draft, (&compose_name, key.span), &name, map);
            draft.services.insert(name, service);
        }
    }
    shared_volumes(ctx);
}

/// Give every compose service its model name and kind.
fn classify(ctx: &mut Ctx<'_>, services: &[(Node, Node)]) {
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (key, node) in services {
        let compose_name = key.as_str().unwrap_or("").to_string();
        let Some(map) = entries(node) else {
            ctx.wrong_type(node, "a map", &format!("services.{compose_name}"));
            continue;
        };
        let base = match label(&compose_name, 63) {
            empty if empty.is_empty() => String::from("service"),
            base => base,
        };
        let mut name = base.clone();
        let mut counter = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}-{counter}");
            counter += 1;
        }
        if name != compose_name {
            ctx.changed(
                key.span,
                &format!("services.{compose_name}"),
                format!(
                    "named `{name}`: iacgen names are DNS-1123 labels (lowercase letters, digits, '-'); host names in env values follow"
                ),
            );
            ctx.renamed.insert(compose_name.clone(), name.clone());
        }
        // Other containers may reach it by its container_name too; the compose output names none.
        let container_name = get(map, "container_name").and_then(Node::as_str).map(str::to_string);
        if let Some(container_name) = container_name.as_ref().filter(|c| **c != name) {
            ctx.renamed.insert(container_name.clone(), name.clone());
        }
        let is_resource = get(map, "build").is_none()
            && get(map, "image")
                .and_then(Node::as_str)
                .and_then(|image| interpolate::resolve_text_with(image, &ctx.vars).ok())
                .is_some_and(|image| resource::detect(&image.text).is_some());
        if is_resource {
            ctx.resource_hosts.insert(compose_name.clone(), name.clone());
            if let Some(container_name) = container_name {
                ctx.resource_hosts.insert(container_name, name.clone());
            }
        }
        let imported = if is_resource { Imported::Resource(name) } else { Imported::Service(name) };
        ctx.names.insert(compose_name, imported);
    }
}

/// `name:`, else the compose file's folder name (compose's own default), as a project name.
fn project_name(ctx: &mut Ctx<'_>, top: &[(Node, Node)], file: &Path) -> String {
    let (written, span) = match get(top, "name").and_then(|node| node.as_str().map(|text| (text, node.span))) {
        Some((text, span)) => (text.to_string(), Some(span)),
        None => {
            let folder = file.parent().and_then(Path::file_name).and_then(|n| n.to_str()).unwrap_or("");
            (folder.to_string(), None)
        }
    };
    let project = match label(&written, 24) {
        empty if empty.is_empty() => String::from("app"),
        project => project,
    };
    if let Some(span) = span.filter(|_| project != written) {
        ctx.changed(
            span,
            "name",
            format!("project named `{project}`: lowercase letters, digits and '-', at most 24 characters"),
        );
    }
    project
}

fn top_volumes(ctx: &mut Ctx<'_>, node: &Node) {
    let Some(map) = entries(node) else {
        ctx.wrong_type(node, "a map", "volumes");
        return;
    };
    for (key, value) in map {
        let name = key.as_str().unwrap_or("").to_string();
        let Some(options) = entries(value) else { continue };
        for (option, _) in options {
            let option_name = option.as_str().unwrap_or("");
            let path = format!("volumes.{name}.{option_name}");
            match option_name {
                "external" => {
                    ctx.external_volumes.insert(name.clone());
                }
                "name" | "labels" => {}
                _ => ctx.not_mapped(
                    option.span,
                    &path,
                    "volume options are not imported: iacgen's volumes use the default driver",
                ),
            }
        }
    }
}

/// Compose lets services share a named volume; the model gives each service its own.
fn shared_volumes(ctx: &mut Ctx<'_>) {
    let shared: Vec<(String, Span, Vec<String>)> = ctx
        .volume_users
        .iter()
        .filter(|(_, (_, users))| users.len() > 1)
        .map(|(volume, (span, users))| (volume.clone(), *span, users.iter().cloned().collect()))
        .collect();
    for (volume, span, users) in shared {
        ctx.lost(
            span,
            &format!("volumes.{volume}"),
            format!(
                "shared by {}: the model's volumes belong to one service each (Kubernetes and ECS have no volume two services write), so each gets its own and they no longer see each other's files",
                users.join(", ")
            ),
        );
    }
}
