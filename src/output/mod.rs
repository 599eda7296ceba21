//! The `output` stage: write a [`FileSet`] to the output folder (`build`), compare it with the folder
//! (`check`), or render the difference (`diff`). The only stage that writes.

pub mod changes;
pub mod dotenv;
pub mod fs_safe;
pub mod manifest;
pub mod semantic;
pub mod write;

use std::fmt;

/// A failure of the output stage (I/O, or a refusal to touch something that is not ours).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputError {
    pub message: String,
}

impl OutputError {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> OutputError {
        OutputError { message: message.into() }
    }
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}
