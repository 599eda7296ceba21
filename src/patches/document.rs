//! A generated YAML or JSON file as an ordered tree that patches can change and write back.
//! Both formats read through the project's YAML parser (JSON is YAML 1.2), so key order survives.

use crate::patches::path::{Step, display};
use crate::shared::span::{FileId, SourceFile};
use crate::source::yaml::{self, Node, NodeKind};
use crate::targets::yaml_out::{self, Entry, Yaml};

/// The text format of a patched file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// Parse `text`; for YAML also return its leading comment lines (the generated header), which are kept.
pub fn parse(text: &str, path: &str) -> Result<(String, Yaml), String> {
    let header: String =
        text.lines().take_while(|line| line.starts_with('#')).map(|line| format!("{line}\n")).collect();
    let file = SourceFile::new(path.to_string(), text.to_string());
    let node = yaml::parse(FileId(0), &file).map_err(|_| format!("`{path}` could not be read back for patching"))?;
    // A document of comments only (a Helm values file that changes nothing) is an empty map to patch.
    let document = match from_node(&node) {
        Yaml::Null => Yaml::map(),
        document => document,
    };
    Ok((header, document))
}

/// Write the tree back in `format`.
pub fn render(format: Format, header: &str, document: &Yaml) -> String {
    match format {
        Format::Yaml => format!("{header}{}", yaml_out::to_string(document)),
        Format::Json => yaml_out::to_json(document),
    }
}

fn from_node(node: &Node) -> Yaml {
    match &node.kind {
        NodeKind::Null => Yaml::Null,
        NodeKind::Scalar { text, plain: true } => scalar(text),
        NodeKind::Scalar { text, plain: false } => Yaml::Str(text.clone()),
        NodeKind::Seq(items) => Yaml::Seq(items.iter().map(from_node).collect()),
        NodeKind::Map(entries) => Yaml::Map(
            entries
                .iter()
                .map(|(key, value)| Entry {
                    key: key.as_str().unwrap_or("").to_string(),
                    value: from_node(value),
                    comment: None,
                })
                .collect(),
        ),
    }
}

/// A plain scalar as YAML 1.2 core types.
fn scalar(text: &str) -> Yaml {
    match text {
        "true" => Yaml::Bool(true),
        "false" => Yaml::Bool(false),
        _ => match text.parse::<i64>() {
            Ok(number) => Yaml::Int(number),
            Err(_) if text.parse::<f64>().is_ok() && text.chars().any(|c| c.is_ascii_digit()) => {
                Yaml::Raw(text.to_string())
            }
            Err(_) => Yaml::Str(text.to_string()),
        },
    }
}

/// A patch value (from the model, as JSON) as a tree.
pub fn from_json(value: &serde_json::Value) -> Yaml {
    match value {
        serde_json::Value::Null => Yaml::Null,
        serde_json::Value::Bool(b) => Yaml::Bool(*b),
        serde_json::Value::Number(n) => n.as_i64().map_or_else(|| Yaml::Raw(n.to_string()), Yaml::Int),
        serde_json::Value::String(s) => Yaml::Str(s.clone()),
        serde_json::Value::Array(items) => Yaml::Seq(items.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Yaml::Map(map.iter().map(|(k, v)| Entry { key: k.clone(), value: from_json(v), comment: None }).collect())
        }
    }
}

/// The container that holds the last step, or why it does not exist.
fn parent<'a>(document: &'a mut Yaml, steps: &[Step]) -> Result<&'a mut Yaml, String> {
    let mut current = document;
    for (depth, step) in steps[..steps.len() - 1].iter().enumerate() {
        let here = display(&steps[..=depth]);
        current = match (current, step) {
            (Yaml::Map(entries), Step::Key(key)) => match entries.iter_mut().find(|e| &e.key == key) {
                Some(entry) => &mut entry.value,
                None => return Err(format!("`{here}` does not exist")),
            },
            (Yaml::Seq(items), Step::Index(index)) => {
                let len = items.len();
                items.get_mut(*index).ok_or_else(|| format!("`{here}` is out of range (the list has {len} items)"))?
            }
            (Yaml::Map(_), Step::Index(_)) => {
                return Err(format!("`{}` is a map, not a list", display(&steps[..depth])));
            }
            (Yaml::Seq(_), Step::Key(_)) => return Err(format!("`{}` is a list, not a map", display(&steps[..depth]))),
            _ => return Err(format!("`{}` is a value, not a map or list", display(&steps[..depth]))),
        };
    }
    Ok(current)
}

/// Set the value at `steps` (the last key may be new; everything above it must exist).
pub fn set(document: &mut Yaml, steps: &[Step], value: Yaml) -> Result<(), String> {
    let Some(last) = steps.last() else { return Err(String::from("empty key path")) };
    match (parent(document, steps)?, last) {
        (Yaml::Map(entries), Step::Key(key)) => {
            match entries.iter_mut().find(|e| &e.key == key) {
                Some(entry) => entry.value = value,
                None => entries.push(Entry { key: key.clone(), value, comment: None }),
            }
            Ok(())
        }
        (Yaml::Seq(items), Step::Index(index)) => {
            let len = items.len();
            if *index == len {
                items.push(value);
                return Ok(());
            }
            let slot = items
                .get_mut(*index)
                .ok_or_else(|| format!("`{}` is out of range (the list has {len} items)", display(steps)))?;
            *slot = value;
            Ok(())
        }
        _ => Err(format!("`{}` cannot be set: its parent is not a map or list of that shape", display(steps))),
    }
}

/// Remove the value at `steps`, which must exist.
pub fn remove(document: &mut Yaml, steps: &[Step]) -> Result<(), String> {
    let Some(last) = steps.last() else { return Err(String::from("empty key path")) };
    match (parent(document, steps)?, last) {
        (Yaml::Map(entries), Step::Key(key)) => match entries.iter().position(|e| &e.key == key) {
            Some(index) => {
                entries.remove(index);
                Ok(())
            }
            None => Err(format!("`{}` does not exist", display(steps))),
        },
        (Yaml::Seq(items), Step::Index(index)) if *index < items.len() => {
            items.remove(*index);
            Ok(())
        }
        _ => Err(format!("`{}` does not exist", display(steps))),
    }
}
