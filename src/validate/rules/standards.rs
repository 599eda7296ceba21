//! The rules that encode the teams' standards on a resolved environment. Each can be waived per
//! service with a reason: IAC101 missing-health-check, IAC102 latest-tag, IAC103 literal-secret,
//! IAC104 runs-as-root, IAC105 writable-root-filesystem, IAC106 production-replicas,
//! IAC107 ingress-without-tls.

use std::collections::BTreeMap;

use crate::diagnostic::Finding;
use crate::diagnostic::{Diagnostic, codes};
use crate::ir::{EnvValue, Field, Image, Security, Stack, Stage};
use crate::model::image::ImagePin;
use crate::shared::span::Span;

/// Run the rules on `stack`.
pub fn check(stack: &Stack, findings: &mut Vec<Finding>) {
    let mut push = |diagnostic: Diagnostic, subject: &str| {
        findings.push(Finding {
            diagnostic,
            subject: Some(subject.to_string()),
            environment: stack.environment.clone(),
        });
    };
    for service in stack.services.values() {
        let name = service.name.as_str();
        let span = |field: &Field| span_of(&service.origins, field, service.origin);
        if !service.ports.is_empty() && service.health.is_none() {
            push(
                Diagnostic::new(
                    codes::MISSING_HEALTH_CHECK,
                    service.origin,
                    format!("service `{name}` has a port but no health check"),
                )
                .with_label("no `health`")
                .with_help(codes::MISSING_HEALTH_CHECK.fix),
                name,
            );
        }
        image_rules(stack, name, &service.image, span(&Field::Version), &mut push);
        secret_rules(name, &service.env, &mut push);
        security_rules(name, &service.security, &service.origins, service.origin, &mut push);
        if stack.stage == Stage::Production {
            let (count, field) = match &service.autoscale {
                Some(autoscale) => (autoscale.min, Field::Autoscale),
                None => (service.replicas, Field::Replicas),
            };
            if count < 2 {
                push(
                    Diagnostic::new(
                        codes::PRODUCTION_REPLICAS,
                        span(&field),
                        format!("service `{name}` runs {count} replica in production"),
                    )
                    .with_label("fewer than 2")
                    .with_help(codes::PRODUCTION_REPLICAS.fix),
                    name,
                );
            }
        }
        if let Some(ingress) = &service.ingress {
            if !ingress.tls && stack.stage != Stage::Development {
                push(
                    Diagnostic::new(
                        codes::INGRESS_WITHOUT_TLS,
                        span(&Field::Ingress),
                        format!("service `{name}` has a public route without TLS"),
                    )
                    .with_label("`tls: false`")
                    .with_help(codes::INGRESS_WITHOUT_TLS.fix),
                    name,
                );
            }
        }
    }
    for job in stack.jobs.values() {
        let name = job.name.as_str();
        image_rules(stack, name, &job.image, span_of(&job.origins, &Field::Version, job.origin), &mut push);
        secret_rules(name, &job.env, &mut push);
        security_rules(name, &job.security, &job.origins, job.origin, &mut push);
    }
}

fn span_of(origins: &crate::ir::Origins, field: &Field, fallback: Span) -> Span {
    origins.get(field).and_then(|o| o.span).unwrap_or(fallback)
}

fn image_rules(stack: &Stack, name: &str, image: &Image, span: Span, push: &mut impl FnMut(Diagnostic, &str)) {
    if stack.stage == Stage::Development {
        return;
    }
    if image.pin == ImagePin::Tag(String::from("latest")) {
        push(
            Diagnostic::new(
                codes::LATEST_TAG,
                span,
                format!("`{name}` runs image `{}` without a pinned version", image.reference()),
            )
            .with_label("`latest`")
            .with_help(codes::LATEST_TAG.fix),
            name,
        );
    }
}

/// Whether an env var name looks like it holds a secret (kept for `import`; the words it knows are
/// in [`crate::validate::secrets::secret_name`]).
pub fn looks_secret(name: &str) -> bool {
    crate::validate::secrets::secret_name(name)
}

fn secret_rules(name: &str, env: &BTreeMap<String, EnvValue>, push: &mut impl FnMut(Diagnostic, &str)) {
    for (variable, value) in env {
        if looks_secret(variable) && value.template.as_literal().is_some() {
            let span = value.origin.span.unwrap_or_default();
            push(
                Diagnostic::new(
                    codes::LITERAL_SECRET,
                    span,
                    format!("`{variable}` of `{name}` looks secret but has a literal value"),
                )
                .with_label("literal value")
                .with_help(format!(
                    "declare a secret under `secrets:` and reference it: `secrets: {{ {variable}: <secret-name> }}`"
                )),
                name,
            );
        }
    }
}

fn security_rules(
    name: &str,
    security: &Security,
    origins: &crate::ir::Origins,
    fallback: Span,
    push: &mut impl FnMut(Diagnostic, &str),
) {
    if security.user == 0 {
        push(
            Diagnostic::new(
                codes::RUNS_AS_ROOT,
                span_of(origins, &Field::User, fallback),
                format!("`{name}` runs as root"),
            )
            .with_label("user 0")
            .with_help(codes::RUNS_AS_ROOT.fix),
            name,
        );
    }
    if !security.read_only_root {
        push(
            Diagnostic::new(
                codes::WRITABLE_ROOT,
                span_of(origins, &Field::ReadOnlyRoot, fallback),
                format!("`{name}` has a writable root filesystem"),
            )
            .with_label("`read_only_root: false`")
            .with_help(codes::WRITABLE_ROOT.fix),
            name,
        );
    }
}
