//! `diff`'s formats, from a list of [`Change`]s: unified diffs (optionally coloured), a stat, JSON,
//! and Markdown for a pull-request comment that stays under GitHub's 65,536-character limit; each
//! with the semantic summary above the files.

use serde_json::json;
use similar::{ChangeTag, TextDiff};

use crate::commands::diff::Diffed;
use crate::output::changes::{Change, Kind};
use crate::shared::Target;

/// GitHub refuses comments longer than this.
pub const COMMENT_LIMIT: usize = 65_536;

/// The output format of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Unified,
    Stat,
    Markdown,
    Json,
}

/// The whole output of `diff` in `format`: the semantic summary, then the files.
pub fn render(diffed: &Diffed, format: DiffFormat, color: bool) -> String {
    let (changes, output, semantic) = (&diffed.changes, diffed.output.as_str(), &diffed.semantic);
    match format {
        DiffFormat::Unified => {
            let mut text: String = semantic.iter().map(|line| format!("# {line}\n")).collect();
            for change in changes {
                text.push_str(&unified(change, output, color));
            }
            text
        }
        DiffFormat::Stat => {
            let mut text: String = semantic.iter().map(|line| format!("{line}\n")).collect();
            text.push_str(&stat(changes, output));
            text
        }
        DiffFormat::Markdown => {
            let graph =
                diffed.graphs.as_ref().and_then(|(old, new)| crate::graph::changes::markdown(old, new, semantic));
            markdown_with_graph(changes, output, semantic, graph.as_deref().unwrap_or(""))
        }
        DiffFormat::Json => json(changes, output, semantic),
    }
}

/// Lines added and removed by one change.
pub fn counts(change: &Change) -> (usize, usize) {
    let old = change.old.as_deref().unwrap_or("");
    let new = change.new.as_deref().unwrap_or("");
    let diff = TextDiff::from_lines(old, new);
    let mut added = 0;
    let mut removed = 0;
    for op in diff.iter_all_changes() {
        match op.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    (added, removed)
}

/// A unified diff of one file with `a/` and `b/` prefixes under `root` (the output folder).
pub fn unified(change: &Change, root: &str, color: bool) -> String {
    let old = change.old.as_deref().unwrap_or("");
    let new = change.new.as_deref().unwrap_or("");
    let old_name =
        if change.kind == Kind::Added { String::from("/dev/null") } else { format!("a/{root}/{}", change.path) };
    let new_name =
        if change.kind == Kind::Removed { String::from("/dev/null") } else { format!("b/{root}/{}", change.path) };
    let diff = TextDiff::from_lines(old, new);
    let text =
        diff.unified_diff().context_radius(3).header(&old_name, &new_name).missing_newline_hint(true).to_string();
    if !color {
        return text;
    }
    text.lines()
        .map(|line| {
            let code = if line.starts_with("+++") || line.starts_with("---") {
                "1"
            } else if line.starts_with('+') {
                "32"
            } else if line.starts_with('-') {
                "31"
            } else if line.starts_with("@@") {
                "36"
            } else {
                ""
            };
            if code.is_empty() { format!("{line}\n") } else { format!("\x1b[{code}m{line}\x1b[0m\n") }
        })
        .collect()
}

/// `path | +a -r` per file and a total.
pub fn stat(changes: &[Change], root: &str) -> String {
    let mut out = String::new();
    let (mut total_added, mut total_removed) = (0, 0);
    let width = changes.iter().map(|c| c.path.len() + root.len() + 1).max().unwrap_or(0);
    for change in changes {
        let (added, removed) = counts(change);
        total_added += added;
        total_removed += removed;
        let path = format!("{root}/{}", change.path);
        out.push_str(&format!("{path:<width$} | {:<8} +{added} -{removed}\n", change.kind.as_str()));
    }
    let files = if changes.len() == 1 { String::from("1 file") } else { format!("{} files", changes.len()) };
    out.push_str(&format!("{files} changed, {total_added} insertions(+), {total_removed} deletions(-)\n"));
    out
}

/// Machine-readable: per file status, counts and hunks, plus a summary.
pub fn json(changes: &[Change], root: &str, semantic: &[String]) -> String {
    let files: Vec<serde_json::Value> = changes
        .iter()
        .map(|change| {
            let (added, removed) = counts(change);
            let old = change.old.as_deref().unwrap_or("");
            let new = change.new.as_deref().unwrap_or("");
            let diff = TextDiff::from_lines(old, new);
            let hunks: Vec<serde_json::Value> = diff
                .unified_diff()
                .context_radius(3)
                .iter_hunks()
                .map(|hunk| {
                    let header = hunk.header().to_string();
                    let lines: Vec<String> = hunk
                        .iter_changes()
                        .map(|line| {
                            let sign = match line.tag() {
                                ChangeTag::Insert => '+',
                                ChangeTag::Delete => '-',
                                ChangeTag::Equal => ' ',
                            };
                            format!("{sign}{}", line.value().trim_end_matches('\n'))
                        })
                        .collect();
                    json!({"header": header.trim_end(), "lines": lines})
                })
                .collect();
            json!({
                "path": format!("{root}/{}", change.path),
                "status": change.kind.as_str(),
                "added": added,
                "removed": removed,
                "hand_edited": change.hand_edited,
                "hunks": hunks,
            })
        })
        .collect();
    let (added, removed) = changes.iter().map(counts).fold((0, 0), |acc, c| (acc.0 + c.0, acc.1 + c.1));
    let summary = json!({
        "files": changes.len(),
        "added_files": changes.iter().filter(|c| c.kind == Kind::Added).count(),
        "modified_files": changes.iter().filter(|c| c.kind == Kind::Modified).count(),
        "removed_files": changes.iter().filter(|c| c.kind == Kind::Removed).count(),
        "insertions": added,
        "deletions": removed,
    });
    let document = json!({"semantic": semantic, "summary": summary, "files": files});
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

/// Markdown for a pull-request comment: semantic summary, a table per target and environment, then
/// one collapsible section per file. Diffs are cut so the whole stays under [`COMMENT_LIMIT`].
pub fn markdown(changes: &[Change], root: &str, semantic: &[String]) -> String {
    markdown_with_graph(changes, root, semantic, "")
}

/// [`markdown`] with `graph` (a Markdown block: the change graph of `graph::changes`) between the
/// summary and the table; its size counts against the limit like the rest.
pub fn markdown_with_graph(changes: &[Change], root: &str, semantic: &[String], graph: &str) -> String {
    let mut out = String::from("## iacgen: rendered changes\n\n");
    if changes.is_empty() && semantic.is_empty() {
        out.push_str("No change to the generated files.\n");
        return out;
    }
    if !semantic.is_empty() {
        out.push_str("**What changes**\n\n");
        for line in semantic.iter().take(200) {
            out.push_str(&format!("- {}\n", escape_markdown(line)));
        }
        if semantic.len() > 200 {
            out.push_str(&format!("- … and {} more\n", semantic.len() - 200));
        }
        out.push('\n');
    }
    out.push_str(graph);
    let mut groups: std::collections::BTreeMap<(String, String), [usize; 5]> = std::collections::BTreeMap::new();
    for change in changes {
        let (target, environment) = scope_label(change);
        let (added, removed) = counts(change);
        let row = groups.entry((target, environment)).or_default();
        match change.kind {
            Kind::Added => row[0] += 1,
            Kind::Modified => row[1] += 1,
            Kind::Removed => row[2] += 1,
        }
        row[3] += added;
        row[4] += removed;
    }
    out.push_str("| target | environment | added | changed | removed | lines |\n|---|---|---:|---:|---:|---|\n");
    for ((target, environment), row) in &groups {
        out.push_str(&format!(
            "| {target} | {environment} | {} | {} | {} | +{} -{} |\n",
            row[0], row[1], row[2], row[3], row[4]
        ));
    }
    out.push('\n');
    // Keep room for the closing note; each file gets what is left, in order.
    let reserve = 400;
    let mut omitted = 0;
    for (index, change) in changes.iter().enumerate() {
        let (added, removed) = counts(change);
        let mut body = unified(change, root, false);
        let head = format!(
            "<details><summary><code>{root}/{}</code> ({}, +{added} -{removed})</summary>\n\n```diff\n",
            change.path,
            change.kind.as_str()
        );
        let tail = "```\n\n</details>\n\n";
        let budget = COMMENT_LIMIT.saturating_sub(out.len() + head.len() + tail.len() + reserve);
        if budget < 200 {
            omitted = changes.len() - index;
            break;
        }
        let per_file = budget.min(20_000);
        if body.len() > per_file {
            let mut cut = per_file;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            if let Some(newline) = body.rfind('\n') {
                body.truncate(newline + 1);
            }
            body.push_str("... diff cut here to keep the comment under GitHub's size limit; run `iacgen diff` locally for all of it\n");
        }
        out.push_str(&head);
        out.push_str(&body.replace("```", "` ` `"));
        out.push_str(tail);
    }
    if omitted > 0 {
        out.push_str(&format!(
            "_{omitted} more changed files are not shown, to keep this comment under GitHub's 65,536-character limit. Run `iacgen diff` locally to see them._\n"
        ));
    }
    out
}

/// How the pull-request table names a change's target and environment: the recorded scope, with
/// files shared by every environment shown as `(modules)` (vendored Terraform modules) or `(all)`.
fn scope_label(change: &Change) -> (String, String) {
    let target = change.target.map_or("-", Target::as_str).to_string();
    let environment = match (&change.environment, change.target) {
        (Some(environment), _) => environment.clone(),
        (None, Some(Target::Aws | Target::Azure)) => String::from("(modules)"),
        (None, Some(_)) => String::from("(all)"),
        (None, None) => String::from("-"),
    };
    (target, environment)
}

fn escape_markdown(text: &str) -> String {
    text.replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;")
}
