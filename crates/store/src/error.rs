use std::path::PathBuf;

/// What a store operation can fail with. User faults, IO faults and damage are kept apart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing a file failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("write", "fsync", "open", ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// An earlier write or fsync failed. Nothing more is accepted: the state of the page cache is
    /// unknown after a failed fsync, so the only safe step is to reopen and recover from disk.
    #[error("the store stopped after a failed write or fsync ({cause}); reopen it to recover")]
    Stopped {
        /// The first failure.
        cause: String,
    },
    /// A file is damaged in a way recovery must not guess about.
    #[error("corrupt store file {path} at byte {offset}: {detail}")]
    Corrupt {
        /// The damaged file.
        path: PathBuf,
        /// Where the damage starts.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// The data directory was written by an incompatible version.
    #[error("data directory {path} has format {found:?}; this build reads formats 1 to {expected}")]
    Format {
        /// The directory.
        path: PathBuf,
        /// What the FORMAT file says.
        found: String,
        /// The newest format this build reads (it reads every older one too).
        expected: u32,
    },
    /// Another process holds the data directory.
    #[error("data directory {path} is in use by another muninn process")]
    Locked {
        /// The directory.
        path: PathBuf,
    },
    /// The record tables failed.
    #[error("record table error in {path}: {source}")]
    Records {
        /// The database file.
        path: PathBuf,
        /// The engine's error.
        source: redb::Error,
    },
    /// A caller asked for something the store refuses (unknown source, oversized entry).
    #[error("{0}")]
    Invalid(String),
    /// A document was refused: a bad table name or key, a value over the size limit, or a
    /// condition where none is allowed. Nothing of the call was written.
    #[error("document {key:?} in table {table:?} refused: {problem}")]
    InvalidDocument {
        /// The table name given (cut to 80 characters).
        table: String,
        /// The key given (cut to 80 characters).
        key: String,
        /// What is wrong.
        problem: String,
    },
    /// A back end's engine failed (the cluster's JetStream or PostgreSQL): its message.
    #[error("{0}")]
    Backend(String),
}

impl StoreError {
    /// A small, stable classification for callers that map errors to exit codes or HTTP.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Io { .. }
            | StoreError::Stopped { .. }
            | StoreError::Records { .. }
            | StoreError::Backend(_) => ErrorCode::Io,
            StoreError::Corrupt { .. } | StoreError::Format { .. } => ErrorCode::Corrupt,
            StoreError::Locked { .. } => ErrorCode::Busy,
            StoreError::Invalid(_) | StoreError::InvalidDocument { .. } => ErrorCode::InvalidInput,
        }
    }
}

/// The kind of a [`StoreError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The caller's request was refused.
    InvalidInput,
    /// The disk failed; the store stopped.
    Io,
    /// The data on disk is damaged or of another format.
    Corrupt,
    /// Another process holds the store.
    Busy,
}
