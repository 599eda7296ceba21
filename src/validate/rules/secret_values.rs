//! IAC108 secret-value: a literal that looks like a credential by its value (a URL with a
//! password, a known token, a private key, a JWT, a long random string) in an env value, a
//! command or a mounted file. IAC103 catches literals under secret-looking names; this catches the
//! rest (`DATABASE_URL: postgres://u:hunter2@db/x`). Waivable per service with a reason.
//!
//! Also: where the model's text holds such a value, so diagnostics can hide it ([`spans`]). A
//! diagnostic names what the value looks like, never the value.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{EnvValue, Field, HealthCheck, Origin, Stack};
use crate::model::placeholder::{Segment, Template};
use crate::model::{FileSource, Model, ServiceSpec};
use crate::shared::span::{SourceMap, Span};
use crate::validate::Finding;
use crate::validate::secrets::{self, Scan};

/// Run the rule on `stack`.
pub fn check(stack: &Stack, findings: &mut Vec<Finding>) {
    let mut push = |diagnostic: Diagnostic, subject: &str| {
        findings.push(Finding::new(diagnostic, Some(subject), &stack.environment));
    };
    for service in stack.services.values() {
        let name = service.name.as_str();
        let workload = Workload { name, origins: &service.origins, fallback: service.origin };
        env(&workload, &service.env, &mut push);
        command(&workload, Field::Command, service.command.as_deref(), &mut push);
        command(&workload, Field::Migrate, service.migrate.as_deref(), &mut push);
        if let Some(HealthCheck::Exec { command: health }) = service.health.as_ref().map(|h| &h.check) {
            command(&workload, Field::HealthCommand, Some(health), &mut push);
        }
        files(&workload, &service.files, &mut push);
    }
    for job in stack.jobs.values() {
        let workload = Workload { name: job.name.as_str(), origins: &job.origins, fallback: job.origin };
        env(&workload, &job.env, &mut push);
        command(&workload, Field::Command, job.command.as_deref(), &mut push);
        files(&workload, &job.files, &mut push);
    }
}

/// A service or job: its name and where its fields came from.
struct Workload<'a> {
    name: &'a str,
    origins: &'a BTreeMap<Field, Origin>,
    fallback: Span,
}

impl Workload<'_> {
    fn span(&self, field: &Field) -> Span {
        self.origins.get(field).and_then(|origin| origin.span).unwrap_or(self.fallback)
    }

    fn diagnostic(&self, field: &Field, what: String, kind: secrets::Kind) -> Diagnostic {
        Diagnostic::new(
            codes::SECRET_VALUE,
            self.span(field),
            format!("{what} of `{}` holds what looks like a credential: {}", self.name, kind.describe()),
        )
        .with_label("looks like a credential (value not shown)")
        .with_help(codes::SECRET_VALUE.fix)
    }
}

fn env(workload: &Workload, env: &BTreeMap<String, EnvValue>, push: &mut impl FnMut(Diagnostic, &str)) {
    for (variable, value) in env {
        // A literal under a secret-looking name is IAC103's already.
        if secrets::secret_name(variable) && value.template.as_literal().is_some() {
            continue;
        }
        if let Some(found) =
            literal_parts(&value.template).find_map(|text| secrets::find(text, Scan::Value).first().copied())
        {
            let diagnostic = workload.diagnostic(&Field::Env(variable.clone()), format!("`{variable}`"), found.kind);
            push(Diagnostic { span: value.origin.span.or(diagnostic.span), ..diagnostic }, workload.name);
        }
    }
}

fn command(workload: &Workload, field: Field, command: Option<&[String]>, push: &mut impl FnMut(Diagnostic, &str)) {
    let Some(command) = command else { return };
    if let Some(found) = command.iter().find_map(|arg| secrets::find(arg, Scan::Value).first().copied()) {
        let what = match field {
            Field::Migrate => String::from("the migration command"),
            Field::HealthCommand => String::from("the health check command"),
            _ => String::from("the command"),
        };
        push(workload.diagnostic(&field, what, found.kind), workload.name);
    }
}

fn files(workload: &Workload, files: &BTreeMap<String, String>, push: &mut impl FnMut(Diagnostic, &str)) {
    for (path, content) in files {
        if let Some(found) = secrets::find(content, Scan::Document).first() {
            let field = Field::File(path.clone());
            push(workload.diagnostic(&field, format!("the file mounted at `{path}`"), found.kind), workload.name);
        }
    }
}

/// The literal text of a template, piece by piece (placeholders are not text).
fn literal_parts(template: &Template) -> impl Iterator<Item = &str> {
    template.segments.iter().filter_map(|segment| match segment {
        Segment::Text(text) => Some(text.as_str()),
        Segment::Placeholder(..) => None,
    })
}

/// Where the model's text holds a secret value, in every layer (including ones other layers
/// override): a literal under a secret-looking name (the whole value) and each credential-looking
/// part of an env value, a command or an inline file. Hidden from diagnostics before they render.
pub fn spans(model: &Model, sources: &SourceMap) -> Vec<Span> {
    let mut specs: Vec<&ServiceSpec> = vec![&model.defaults];
    specs.extend(model.services.values().map(|s| &s.spec));
    specs.extend(model.jobs.values().map(|j| &j.spec));
    for environment in model.environments.values() {
        specs.push(&environment.defaults);
        specs.extend(environment.services.values().chain(environment.jobs.values()).map(|(_, spec)| spec));
    }
    let mut out = Vec::new();
    for spec in specs {
        for (variable, value) in &spec.env {
            if secrets::secret_name(variable) && value.value.as_literal().is_some() {
                out.push(value.span);
                continue;
            }
            for text in literal_parts(&value.value) {
                out.extend(within(value.span, text, Scan::Value, sources));
            }
        }
        let commands = [spec.command.as_ref(), spec.health.as_ref().and_then(|health| health.command.as_ref())];
        for command in commands.into_iter().flatten() {
            for arg in &command.value {
                out.extend(within(command.span, arg, Scan::Value, sources));
            }
        }
        if let Some(migrate) = spec.migrate.as_ref() {
            for arg in migrate.value.iter().flat_map(|migrate| &migrate.command) {
                out.extend(within(migrate.span, arg, Scan::Value, sources));
            }
        }
        for file in spec.files.values() {
            if let FileSource::Content(content) = &file.value {
                out.extend(within(file.span, content, Scan::Document, sources));
            }
        }
    }
    out
}

/// The spans, inside `span` of the source, of the secrets found in `text` (a value written
/// there): each secret's own text where the source holds it as is, line by line where a block
/// scalar indents it, else the whole value (an escaped or folded scalar).
fn within(span: Span, text: &str, scan: Scan, sources: &SourceMap) -> Vec<Span> {
    let source = sources.text(span);
    let mut out = Vec::new();
    for found in secrets::find(text, scan) {
        let secret = &text[found.start..found.end];
        if let Some(at) = source.find(secret) {
            out.push(span.slice(at, secret.len()));
            continue;
        }
        let mut cursor = 0;
        let mut lines = Vec::new();
        for line in secret.lines().map(str::trim).filter(|line| !line.is_empty()) {
            let Some(at) = source.get(cursor..).and_then(|rest| rest.find(line)) else { break };
            lines.push(span.slice(cursor + at, line.len()));
            cursor += at + line.len();
        }
        if lines.len() == secret.lines().map(str::trim).filter(|line| !line.is_empty()).count() {
            out.extend(lines);
        } else {
            // The value without the line breaks and indentation that follow it in the source.
            out.push(span.slice(0, source.trim_end().len()));
        }
    }
    out
}
