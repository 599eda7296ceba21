//! `iacgen explain`: the resolved values, aligned for people or as JSON.

use serde_json::json;

use crate::commands::explain::{Explained, Line};

/// The text of `explain`: a title, the aligned values, and the patches that change the files.
pub fn text(explained: &Explained) -> String {
    let title = format!("{} {} in environment {}", explained.kind, explained.name, explained.environment);
    let mut text = aligned(&title, &explained.lines);
    if !explained.patches.is_empty() {
        text.push_str("patches applied to its generated files:\n");
        for line in &explained.patches {
            text.push_str(&format!("  {line}\n"));
        }
    }
    text
}

/// Aligned text: `field  value  (layer, file:line:col)`.
fn aligned(title: &str, lines: &[Line]) -> String {
    let field_width = lines.iter().map(|l| l.field.len()).max().unwrap_or(0);
    let value_width = lines.iter().map(|l| l.value.chars().count()).max().unwrap_or(0).min(48);
    let mut out = format!("{title}\n");
    for line in lines {
        let place = match &line.location {
            Some(location) => format!("{}, {location}", line.layer),
            None => line.layer.clone(),
        };
        out.push_str(&format!("  {:<field_width$}  {:<value_width$}  ({place})\n", line.field, line.value));
    }
    out
}

/// JSON: `{ "environment", "<kind>": name, "values": [{field, value, layer, location}], "patches" }`.
pub fn json(explained: &Explained) -> String {
    let (environment, name, kind, lines, patches) =
        (&explained.environment, &explained.name, explained.kind, &explained.lines, &explained.patches);
    let values: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| json!({"field": l.field, "value": l.value, "layer": l.layer, "location": l.location}))
        .collect();
    let mut out = serde_json::to_string_pretty(
        &json!({"environment": environment, kind: name, "values": values, "patches": patches}),
    )
    .unwrap_or_default();
    out.push('\n');
    out
}
