//! The crate's error type.

/// A value or stored entry this crate refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// A hexadecimal value (digest, public key, signature) of the wrong length or spelling.
    #[error("invalid {what} {value:?}: expected {expected_len} lowercase hexadecimal characters")]
    InvalidHex {
        /// Which kind of value was parsed.
        what: &'static str,
        /// The refused value.
        value: String,
        /// How many hex characters were expected.
        expected_len: usize,
    },
    /// A token id that is not a short public handle.
    #[error(
        "invalid token id {0:?}: expected 1-16 characters of A-Z, a-z, 0-9, '-' or '_' (a public id, never the token)"
    )]
    InvalidTokenId(String),
    /// A store key that is not an audit entry's zero-padded sequence number.
    #[error("invalid audit entry key {0:?}: expected 20 decimal digits")]
    InvalidEntryKey(String),
    /// Bytes that are not an audit entry at all (too short, wrong magic).
    #[error("not a muninn audit entry: {0}")]
    Malformed(&'static str),
    /// An entry whose stored hash does not match its contents.
    #[error("entry {seq}: hash does not match its contents (edited)")]
    Edited {
        /// The sequence number in the entry's header.
        seq: u64,
    },
    /// An entry whose hash matches but whose record is not a record this version knows.
    #[error("entry {seq}: record does not parse: {reason}")]
    Record {
        /// The sequence number in the entry's header.
        seq: u64,
        /// What the JSON parser said.
        reason: String,
    },
    /// A checkpoint date that is not a calendar date written `YYYY-MM-DD`.
    #[error("invalid checkpoint date {0:?}: expected a calendar date written YYYY-MM-DD")]
    InvalidDate(String),
    /// A public key that is not an Ed25519 point.
    #[error("public key {0} is not a valid Ed25519 key")]
    InvalidPublicKey(String),
    /// A checkpoint signed by another key than the one trusted.
    #[error("checkpoint is signed by key {found}, not by the trusted key {expected}")]
    UntrustedKey {
        /// The key the caller trusts.
        expected: String,
        /// The key named in the checkpoint.
        found: String,
    },
    /// A checkpoint whose signature does not verify over its date, sequence number and head.
    #[error("checkpoint signature does not verify (date, entry count, head or signature altered)")]
    BadSignature,
}
