//! The crate's error type.

/// What can go wrong when reading warning lists or naming kinds. Extraction itself never fails.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// A warning list is not valid JSON or lacks a required field.
    #[error("warning list is not valid: {source}")]
    WarningListJson {
        /// The JSON error, with its line and column.
        #[from]
        source: serde_json::Error,
    },
    /// A warning list declares a `type` this crate does not know.
    #[error("warning list {name:?} has unknown type {list_type:?}")]
    UnknownListType {
        /// The list's name.
        name: String,
        /// The declared type.
        list_type: String,
    },
    /// An indicator kind name that is not one of [`crate::IndicatorKind::name`]'s.
    #[error("unknown indicator kind {name:?}")]
    UnknownKind {
        /// The name given.
        name: String,
    },
}
