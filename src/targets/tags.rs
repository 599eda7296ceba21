//! Cloud tags: the model's `tags` plus the keys iacgen adds to every resource (project,
//! environment, managed-by). AWS and Azure compare tag keys case-insensitively — IAM rejects a role
//! tagged both `Project` and `project` ("Duplicate tag keys found") — so an iacgen key that a model
//! tag spells in another case takes the model's spelling (and iacgen's value, as for the same key).
//! Two model tags that differ only in case are an error on the model (IAC003).

use std::collections::BTreeMap;

/// The model's tags with `own` added: each own key replaces the model tag that matches it ignoring
/// case, keeping the model's spelling; iacgen's value wins. Sorted by key.
pub fn with_own(model: &BTreeMap<String, String>, own: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut tags = model.clone();
    for (key, value) in own {
        let spelled = model.keys().find(|model_key| model_key.eq_ignore_ascii_case(key)).map_or(*key, String::as_str);
        tags.insert(spelled.to_string(), value.to_string());
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn an_own_key_takes_the_models_spelling() {
        // personal-system: `Project` in the model, `project` from iacgen (issue 17, item 3).
        let tags = with_own(
            &map(&[("Project", "personal-system"), ("ManagedBy", "terraform")]),
            &[("environment", "dev"), ("managed-by", "iacgen"), ("project", "personal-system")],
        );
        assert_eq!(
            tags,
            map(&[
                ("ManagedBy", "terraform"),
                ("Project", "personal-system"),
                ("environment", "dev"),
                ("managed-by", "iacgen"),
            ])
        );
    }

    #[test]
    fn iacgens_value_wins_under_the_models_spelling() {
        let tags = with_own(&map(&[("ENVIRONMENT", "whatever"), ("owner", "me")]), &[("environment", "prod")]);
        assert_eq!(tags, map(&[("ENVIRONMENT", "prod"), ("owner", "me")]));
    }
}
