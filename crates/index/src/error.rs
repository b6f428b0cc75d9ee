use std::path::PathBuf;

/// What the index can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The query cannot be run: a field that is not indexed yet, a pattern too broad.
    #[error("{0}")]
    Query(String),
    /// No entity of the gazetteer has this name, alias or id (or matches this pattern).
    #[error("no entity named {0:?} in the gazetteer (see `muninn entities list`)")]
    UnknownEntity(String),
    /// A cursor that was not made by this index.
    #[error("invalid cursor {0:?}: pass the `next` value of the previous page unchanged")]
    Cursor(String),
    /// No item of this id is indexed, or the caller may not see it (the two are not told
    /// apart).
    #[error("no item {0} in the index")]
    UnknownItem(String),
    /// Reading the log failed.
    #[error(transparent)]
    Store(#[from] muninn_store::StoreError),
    /// A file of the index could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The search engine failed.
    #[error("full-text index {path}: {detail}")]
    Engine {
        /// The index directory.
        path: PathBuf,
        /// What tantivy said.
        detail: String,
    },
    /// The index holds something it should not.
    #[error("full-text index {path} is damaged: {detail}; run `muninn reindex`")]
    Corrupt {
        /// The index directory.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}

impl IndexError {
    pub(crate) fn engine(path: &std::path::Path, error: impl std::fmt::Display) -> IndexError {
        IndexError::Engine { path: path.to_owned(), detail: error.to_string() }
    }
}
