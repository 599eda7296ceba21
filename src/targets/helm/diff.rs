//! The difference between two values documents as Helm merges them: `helm -f values-<env>.yaml`
//! merges maps key by key, replaces lists and scalars, and deletes a key set to `null`.

use crate::targets::yaml_out::{Entry, Yaml};

/// What `overlay` must say so that Helm, merging it over `base`, gives `target`: for maps only the
/// keys that differ (recursively), `null` for keys `target` lacks; anything else whole when it
/// differs. An empty map when nothing differs.
pub fn diff(base: &Yaml, target: &Yaml) -> Yaml {
    match (base, target) {
        (Yaml::Map(_), Yaml::Map(_)) => map_diff(base, target).unwrap_or_else(Yaml::map),
        _ => target.clone(),
    }
}

fn map_diff(base: &Yaml, target: &Yaml) -> Option<Yaml> {
    let (Yaml::Map(base_entries), Yaml::Map(target_entries)) = (base, target) else {
        return (base != target).then(|| target.clone());
    };
    let mut out = Vec::new();
    for entry in target_entries {
        match base.get(&entry.key) {
            None => out.push(plain(&entry.key, entry.value.clone())),
            Some(old) => {
                if let Some(changed) = value_diff(old, &entry.value) {
                    out.push(plain(&entry.key, changed));
                }
            }
        }
    }
    for entry in base_entries {
        if target.get(&entry.key).is_none() {
            out.push(plain(&entry.key, Yaml::Null));
        }
    }
    if out.is_empty() { None } else { Some(Yaml::Map(out)) }
}

fn value_diff(old: &Yaml, new: &Yaml) -> Option<Yaml> {
    match (old, new) {
        // A non-empty map merges into a non-empty map; an empty one on either side replaces as a whole
        // would not (merging `{}` deletes nothing), so recurse only where both hold keys.
        (Yaml::Map(old_entries), Yaml::Map(_)) if !old_entries.is_empty() => map_diff(old, new),
        _ if strip(old) == strip(new) => None,
        _ => Some(new.clone()),
    }
}

/// The value without comments (they do not reach Helm).
fn strip(value: &Yaml) -> Yaml {
    match value {
        Yaml::Map(entries) => Yaml::Map(entries.iter().map(|e| plain(&e.key, strip(&e.value))).collect()),
        Yaml::Seq(items) => Yaml::Seq(items.iter().map(strip).collect()),
        other => other.clone(),
    }
}

fn plain(key: &str, value: Yaml) -> Entry {
    Entry { key: key.to_string(), value: strip(&value), comment: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::yaml_out::to_string;

    fn env(pairs: &[(&str, &str)]) -> Yaml {
        Yaml::Map(pairs.iter().map(|(k, v)| plain(k, Yaml::str(*v))).collect())
    }

    #[test]
    fn keeps_only_what_differs() {
        let base = Yaml::map()
            .with("replicas", Yaml::Int(1))
            .with("env", env(&[("A", "1"), ("B", "2")]))
            .with("args", Yaml::strs(["a", "b"]))
            .with("files", Yaml::map());
        let target = Yaml::map()
            .with("replicas", Yaml::Int(1))
            .with("env", env(&[("A", "1"), ("C", "3")]))
            .with("args", Yaml::strs(["a", "c"]))
            .with("files", env(&[("/x", "y")]));
        let out = to_string(&diff(&base, &target));
        assert_eq!(out, "env:\n  C: \"3\"\n  B: null\nargs:\n  - a\n  - c\nfiles:\n  /x: \"y\"\n");
    }

    #[test]
    fn nothing_differs() {
        let base = Yaml::map().with("a", env(&[("x", "1")]));
        assert_eq!(diff(&base, &base.clone()), Yaml::map());
    }

    #[test]
    fn a_removed_map_becomes_null() {
        let base = Yaml::map().with("blueGreen", env(&[("active", "blue")])).with("strategy", Yaml::str("blue-green"));
        let target = Yaml::map().with("strategy", Yaml::str("rolling"));
        assert_eq!(to_string(&diff(&base, &target)), "strategy: rolling\nblueGreen: null\n");
    }
}
