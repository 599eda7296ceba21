//! `iacgen env`: the git-ignored compose `.env` with random local secrets. The refusals are
//! `fixtures/err/env/<case>/` (the environment asked for is in the case's `environment` file), each
//! an exact rendered snapshot; the command itself runs end to end on an `iacgen init` project.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use iacgen::local_env::{self, EnvError};
use iacgen::source::reader::Reader;

#[test]
fn every_refusal_matches_its_snapshot() {
    let cases = common::projects(&common::repo().join("fixtures/err/env"));
    assert_eq!(cases.len(), 3);
    for dir in cases {
        let case = common::name(&dir);
        let environment = std::fs::read_to_string(dir.join("environment")).expect("environment file");
        let failure = match local_env::write(&dir, &Reader::Disk { root: dir.clone() }, environment.trim()) {
            Err(EnvError::Model(failure)) => failure,
            other => panic!("fixtures/err/env/{case}: expected a refusal, got {other:?}"),
        };
        assert!(!dir.join("deploy").exists(), "fixtures/err/env/{case} wrote something");
        insta::with_settings!({ snapshot_path => "../snapshots/diagnostics", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("env-{case}"), common::render(&failure));
        });
    }
}

fn iacgen(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_iacgen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run iacgen");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code().unwrap_or(-1), text(&output.stdout), text(&output.stderr))
}

fn value_of<'a>(dotenv: &'a str, name: &str) -> &'a str {
    dotenv.lines().find_map(|line| line.strip_prefix(&format!("{name}="))).unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn env_writes_random_values_once_and_only_adds_missing_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    assert_eq!(iacgen(root, &["init"]).0, 0);

    // Before the first build there is no folder (and no .gitignore to keep .env out of git).
    let (code, _, stderr) = iacgen(root, &["env", "development"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: `deploy/compose/development` does not exist: run `iacgen build` first (its .gitignore keeps .env out of git)\n"
    );

    assert_eq!(iacgen(root, &["build", "-q"]).0, 0);
    let (code, stdout, stderr) = iacgen(root, &["env", "development"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let names = "CACHE_PASSWORD, DB_PASSWORD, JWT_SECRET";
    assert_eq!(stdout, format!("wrote deploy/compose/development/.env with random values for {names}\n"));
    let path = root.join("deploy/compose/development/.env");
    let first = std::fs::read_to_string(&path).expect(".env");
    assert_eq!(std::fs::metadata(&path).expect("metadata").permissions().mode() & 0o777, 0o600);
    for name in ["CACHE_PASSWORD", "DB_PASSWORD", "JWT_SECRET"] {
        let value = value_of(&first, name);
        assert_eq!(value.len(), 32, "{name}");
        assert!(!stdout.contains(value), "a value was printed");
    }
    assert_ne!(value_of(&first, "DB_PASSWORD"), value_of(&first, "CACHE_PASSWORD"));

    // Not generated output: the manifest does not list it and check stays clean.
    let manifest = std::fs::read_to_string(root.join("deploy/.iacgen-manifest.json")).expect("manifest");
    assert!(!manifest.contains("/.env\""), "{manifest}");
    assert_eq!(iacgen(root, &["check", "-q"]).0, 0);
    assert_eq!(iacgen(root, &["build", "-q"]).0, 0);
    assert_eq!(std::fs::read_to_string(&path).expect(".env"), first, "build touched .env");

    // Never rewritten: a second run writes nothing; a removed name is appended, the rest kept.
    let (code, stdout, _) = iacgen(root, &["env", "development"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "deploy/compose/development/.env already sets every name .env.example lists; nothing written\n");
    let edited: String = first.lines().filter(|l| !l.starts_with("JWT_SECRET=")).map(|l| format!("{l}\n")).collect();
    let edited = edited.replace(value_of(&first, "DB_PASSWORD"), "my-own-password");
    std::fs::write(&path, &edited).expect("edit");
    let (code, stdout, _) = iacgen(root, &["env", "development"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "added random values for JWT_SECRET to deploy/compose/development/.env (kept 2 it had)\n");
    let after = std::fs::read_to_string(&path).expect(".env");
    assert!(after.starts_with(&edited), "existing lines changed:\n{after}");
    assert_eq!(value_of(&after, "DB_PASSWORD"), "my-own-password");
    assert_eq!(value_of(&after, "JWT_SECRET").len(), 32);

    // A name copied from .env.example without a value is kept, with a warning.
    std::fs::write(&path, "DB_PASSWORD=\nCACHE_PASSWORD=x\nJWT_SECRET=y\n").expect("edit");
    let (code, stdout, stderr) = iacgen(root, &["env", "development"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("nothing written"), "{stdout}");
    assert!(stderr.starts_with("warning: DB_PASSWORD is empty in `deploy/compose/development/.env`"), "{stderr}");
}

#[test]
fn env_never_writes_through_a_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    assert_eq!(iacgen(root, &["init"]).0, 0);
    assert_eq!(iacgen(root, &["build", "-q"]).0, 0);
    let outside = root.join("outside.txt");
    std::os::unix::fs::symlink(&outside, root.join("deploy/compose/development/.env")).expect("symlink");
    let (code, _, stderr) = iacgen(root, &["env", "development"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: refusing to write `deploy/compose/development/.env`: it is not a regular file (iacgen never writes through links)\n"
    );
    assert!(!outside.exists());
}
