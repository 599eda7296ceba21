//! Waivers: `waivers: { IAC104: "reason" }` on a service silences a waivable rule for it. A waiver
//! without a reason (IAC190), or for a rule that is not waivable or does not fire (IAC191), is
//! reported itself.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Finding;
use crate::diagnostic::{Diagnostic, codes};
use crate::model::{Model, Waiver};

/// Drop the findings that a waiver covers and add the waiver diagnostics. A waiver for a rule that
/// does not fire is reported only when `complete`: when every environment, target and definition
/// was checked (a filtered build may simply not have looked where it fires).
pub fn apply(model: &Model, findings: Vec<Finding>, complete: bool) -> Vec<Finding> {
    let mut waivers: BTreeMap<&str, Vec<&Waiver>> = BTreeMap::new();
    for service in model.services.values() {
        waivers.entry(&service.name.value).or_default().extend(service.spec.waivers.values());
    }
    for job in model.jobs.values() {
        waivers.entry(&job.name.value).or_default().extend(job.spec.waivers.values());
    }
    for environment in model.environments.values() {
        for (name, spec) in environment.services.values().chain(environment.jobs.values()) {
            waivers.entry(&name.value).or_default().extend(spec.waivers.values());
        }
    }

    let mut used: BTreeSet<(String, u16)> = BTreeSet::new();
    let mut out = Vec::new();
    for finding in findings {
        let waived = finding.diagnostic.code.waivable;
        let subject = finding.subject.clone().unwrap_or_default();
        let has_waiver = waived
            && waivers.get(subject.as_str()).is_some_and(|list| {
                list.iter()
                    .any(|w| codes::find(&w.code.value).is_some_and(|c| c.number == finding.diagnostic.code.number))
            });
        if has_waiver {
            used.insert((subject, finding.diagnostic.code.number));
        } else {
            out.push(finding);
        }
    }

    for (subject, list) in &waivers {
        for waiver in list {
            let environment = String::new();
            if waiver.reason.value.trim().is_empty() {
                out.push(Finding {
                    diagnostic: Diagnostic::new(
                        codes::WAIVER_WITHOUT_REASON,
                        waiver.reason.span,
                        format!("waiver of `{}` has no reason", waiver.code.value),
                    )
                    .with_label("empty reason")
                    .with_help(codes::WAIVER_WITHOUT_REASON.fix),
                    subject: Some(subject.to_string()),
                    environment: environment.clone(),
                });
            }
            let code = codes::find(&waiver.code.value);
            let problem = match code {
                None => Some(format!("`{}` is not a rule code", waiver.code.value)),
                Some(code) if !code.waivable => Some(format!("rule {} ({}) cannot be waived", code.id(), code.name)),
                Some(code) if complete && !used.contains(&(subject.to_string(), code.number)) => {
                    Some(format!("rule {} ({}) does not fire on `{subject}`", code.id(), code.name))
                }
                Some(_) => None,
            };
            if let Some(message) = problem {
                out.push(Finding {
                    diagnostic: Diagnostic::new(codes::UNUSED_WAIVER, waiver.code.span, message)
                        .with_label("unused waiver")
                        .with_help("remove the waiver (`iacgen rules` lists the waivable rules)"),
                    subject: Some(subject.to_string()),
                    environment,
                });
            }
        }
    }
    out
}
