//! The JSON Schema of iacgen.yaml (`schema/iacgen.schema.json`), for editors and `iacgen schema`.

/// The schema text, as kept in the repository.
pub const SCHEMA: &str = include_str!("../schema/iacgen.schema.json");
