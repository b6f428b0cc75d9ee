use std::io;
use std::path::PathBuf;

/// Why a scenario was refused or a flow could not be written.
///
/// User faults (the scenario) and IO faults are separate variants so that a caller can tell
/// "fix your scenario" from "fix your disk".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExerciseError {
    /// The scenario text is not TOML, or does not have the scenario's shape (a missing or unknown
    /// key, a value of the wrong type, an unknown signal kind). The message comes from the TOML
    /// parser and names the line and the key.
    #[error("scenario is not valid TOML: {message}")]
    ScenarioSyntax {
        /// The parser's message.
        message: String,
    },
    /// A scenario field has a value the generator cannot use.
    #[error("scenario field `{field}` {reason}")]
    InvalidScenario {
        /// The field, as a TOML path with 0-based array indexes: `signal[2].day`.
        field: String,
        /// What is wrong with it, lowercase, as the end of a sentence.
        reason: String,
    },
    /// A text that is not an item key such as `news:000123`.
    #[error("{0:?} is not an item key such as \"news:000123\"")]
    InvalidKey(String),
    /// Creating or writing an output file failed.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file or directory being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

impl ExerciseError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ExerciseError {
        ExerciseError::InvalidScenario { field: field.into(), reason: reason.into() }
    }

    /// The field an [`ExerciseError::InvalidScenario`] names, for callers that point at it.
    pub fn field(&self) -> Option<&str> {
        match self {
            ExerciseError::InvalidScenario { field, .. } => Some(field),
            _ => None,
        }
    }
}
