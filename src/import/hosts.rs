//! Host names in env values follow renamed services: compose reaches a service by its service name
//! (and by its `container_name`), the compose output by the model's name, so `app_db` in
//! `DB_HOST=app_db` or `mysql://app_db:3306/x` becomes `app-db`.

use std::collections::BTreeMap;

/// Replace every whole-word occurrence of an old host name (a key of `renamed`) by its new name.
/// A word is bounded by the start or end of the text or a character that cannot be in a host name
/// (`/`, `:`, `@`, `,`, `=`, space...), so `db` inside `mydb` or `db.example.com` is left alone.
pub fn rewrite(text: &str, renamed: &BTreeMap<String, String>) -> String {
    if renamed.is_empty() {
        return text.to_string();
    }
    let is_host_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let trimmed = word.trim_end_matches('.');
        match renamed.get(trimmed) {
            Some(new) => {
                out.push_str(new);
                out.push_str(&word[trimmed.len()..]);
            }
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if is_host_char(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_whole_host_names_only() {
        let renamed: BTreeMap<String, String> =
            [("app_db".to_string(), "app-db".to_string()), ("immich_postgres".to_string(), "database".to_string())]
                .into();
        assert_eq!(rewrite("app_db", &renamed), "app-db");
        assert_eq!(rewrite("mysql://u@app_db:3306/x", &renamed), "mysql://u@app-db:3306/x");
        assert_eq!(rewrite("my_app_db app_db.example.com", &renamed), "my_app_db app_db.example.com");
        assert_eq!(rewrite("immich_postgres", &renamed), "database");
        assert_eq!(rewrite("host=app_db.", &renamed), "host=app-db.");
    }
}
