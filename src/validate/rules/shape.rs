//! Checks of one layer's shape that need no resolution: alternatives written together
//! (IAC013 invalid-value, IAC033 health-check-shape), autoscale bounds (IAC031), and a job's schedule
//! (IAC012 missing-field).

use crate::diagnostic::{Diagnostic, Diagnostics, codes};
use crate::model::{Model, ServiceSpec};
use crate::validate::rules::references::layers;

/// Run the checks.
pub fn check(model: &Model, diagnostics: &mut Diagnostics) {
    for (context, spec) in layers(model) {
        check_layer(&context, spec, diagnostics);
    }
}

fn check_layer(context: &str, spec: &ServiceSpec, diagnostics: &mut Diagnostics) {
    if let (Some(port), Some(ports)) = (&spec.port, &spec.ports) {
        diagnostics.push(
            Diagnostic::new(codes::INVALID_VALUE, port.span, format!("`{context}` sets both `port` and `ports`"))
                .with_label("`port` here")
                .with_related(ports.span, "`ports` here")
                .with_help("`port: N` is short for `ports: { http: N }`: keep one"),
        );
    }
    if let (Some(image), Some(version)) = (&spec.image, &spec.version) {
        if image.value.pin.is_some() {
            diagnostics.push(
                Diagnostic::new(codes::INVALID_VALUE, version.span, format!("`{context}` pins the image twice"))
                    .with_label("`version` here")
                    .with_related(image.span, "the image already has a tag or digest")
                    .with_help("remove the tag from `image` or remove `version`"),
            );
        }
    }
    if let Some(health) = &spec.health {
        if let (Some(path), Some(command)) = (&health.path, &health.command) {
            diagnostics.push(
                Diagnostic::new(
                    codes::HEALTH_CHECK_SHAPE,
                    command.span,
                    format!("`{context}.health` has both `path` and `command`"),
                )
                .with_label("`command` here")
                .with_related(path.span, "`path` here")
                .with_help("give exactly one: `path` for an HTTP check, `command` for an exec check"),
            );
        }
        if let (Some(ready), Some(command)) = (&health.ready, &health.command) {
            if health.path.is_none() {
                diagnostics.push(
                    Diagnostic::new(
                        codes::HEALTH_CHECK_SHAPE,
                        ready.span,
                        format!("`{context}.health.ready` needs an HTTP check"),
                    )
                    .with_label("readiness path with an exec check")
                    .with_related(command.span, "exec check here")
                    .with_help("remove `ready`, or use `path` instead of `command`"),
                );
            }
        }
    }
    if let Some(autoscale) = &spec.autoscale {
        if let Some(autoscale) = &autoscale.value {
            if autoscale.min.value < 1 {
                diagnostics.push(
                    Diagnostic::new(codes::AUTOSCALE_BOUNDS, autoscale.min.span, "`autoscale.min` must be at least 1")
                        .with_label("below 1")
                        .with_help(codes::AUTOSCALE_BOUNDS.fix),
                );
            }
            if autoscale.min.value > autoscale.max.value {
                diagnostics.push(
                    Diagnostic::new(
                        codes::AUTOSCALE_BOUNDS,
                        autoscale.max.span,
                        format!(
                            "`autoscale.max` ({}) is below `autoscale.min` ({})",
                            autoscale.max.value, autoscale.min.value
                        ),
                    )
                    .with_label("max below min")
                    .with_related(autoscale.min.span, "min here")
                    .with_help(codes::AUTOSCALE_BOUNDS.fix),
                );
            }
            for target in [&autoscale.cpu, &autoscale.memory].into_iter().flatten() {
                if target.value < 1 || target.value > 100 {
                    diagnostics.push(
                        Diagnostic::new(
                            codes::AUTOSCALE_BOUNDS,
                            target.span,
                            format!("utilisation target {}% is outside 1-100", target.value),
                        )
                        .with_label("not a percentage")
                        .with_help(codes::AUTOSCALE_BOUNDS.fix),
                    );
                }
            }
        }
    }
}
