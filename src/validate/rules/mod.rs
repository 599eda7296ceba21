//! The rules, one concern per file. Codes and their documentation live in `diagnostic::codes`.

pub mod credentials;
pub mod names;
pub mod references;
pub mod resolved;
pub mod runtime;
pub mod secret_values;
pub mod shape;
pub mod standards;
