//! The crate's error type.

/// A value or request this crate refuses. Messages name the refused value (never a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// An organisation or user id that is not a lowercase slug.
    #[error("invalid {kind} id {value:?}: {reason}")]
    InvalidId {
        /// `"organisation"` or `"user"`.
        kind: &'static str,
        /// The refused value (its first 80 characters).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A role name that is not one of `admin`, `analyst`, `reader`, `partner`.
    #[error("unknown role {0:?}: expected admin, analyst, reader or partner")]
    UnknownRole(String),
    /// An empty password.
    #[error("the password is empty")]
    EmptyPassword,
    /// A password longer than [`crate::MAX_PASSWORD_BYTES`].
    #[error("the password is {len} bytes long: at most {max} are accepted", max = crate::MAX_PASSWORD_BYTES)]
    PasswordTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The password hasher failed (an internal fault: the parameters are fixed and valid).
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
}
