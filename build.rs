//! Embeds the generic files under `targets/` and `modules/` (Helm templates, Terraform modules,
//! gateway configs) into the binary, sorted by path, so targets never read the disk.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let mut files = Vec::new();
    for root in ["targets", "modules"] {
        println!("cargo:rerun-if-changed={root}");
        collect(Path::new(root), &mut files);
    }
    files.sort();
    let mut code = String::from(
        "/// Every embedded file: (path relative to the repository, contents), sorted by path.\npub static FILES: &[(&str, &str)] = &[\n",
    );
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    for path in &files {
        // README files document the contract; they are not copied into outputs.
        let _ = writeln!(code, "    ({path:?}, include_str!(concat!({manifest_dir:?}, \"/\", {path:?}))),");
    }
    code.push_str("];\n");
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    let _ = std::fs::write(Path::new(&out).join("embedded.rs"), code);
}

fn collect(dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if kind.is_file() {
            let text = path.to_string_lossy().replace('\\', "/");
            if std::fs::read_to_string(&path).is_ok() {
                files.push(text);
            }
        }
    }
}
