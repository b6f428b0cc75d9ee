//! The tamper-evident audit trail: typed records, a hash chain of entries, and signed daily
//! checkpoints.
//!
//! Every audited action becomes an [`AuditRecord`], whose types leave no room for a secret
//! (see below). [`Chain::append`] turns it into the bytes of the next entry, linked
//! to the one before by its hash, and the new [`ChainHead`]; the server stores both in the
//! same batch as the change they record. [`verify`] checks stored entries against a trusted
//! head and [`Checkpoint`]s, which [`sign_checkpoint`] signs with Ed25519 to hand to an
//! outside party. The byte formats are specified in the crate's `README.md`.
//!
//! Pure: no IO, no clock, no randomness (callers pass timestamps and key seeds), no panics on
//! input. Verification works on the stored bytes, never on a re-serialisation.
//!
//! # Why no record can carry a secret
//!
//! A record is built only from [`AuditRecord`], [`Actor`], [`Outcome`], [`AuditAction`],
//! [`LoginMethod`], [`Change`] and [`TokenId`], and none of them has a place for a secret.
//! There is no free-form field (no "details", no map, no raw request): every field
//! is named for what it holds, and what it holds is an identifier (user, organisation,
//! item, alert, collection, list names), a count, a marking or role name, an enum, or the
//! analyst's query text. A login records the *method* ([`LoginMethod`]), never the password or
//! token presented; issuing or revoking a token records a [`TokenId`], a public handle of at
//! most 16 characters, too short to hold a token or its 64-character SHA-256; signing a
//! checkpoint records the entry count, not the key. Records are read back strictly (see
//! [`AuditRecord`]), so an entry with an extra field does not decode either.
//!
//! A test (`tests/it/schema.rs`) serialises one record of every [`AuditAction`] variant and
//! checks every field name against an allow-list, so adding a field such as `password`,
//! `token`, `secret` or `hash` fails it; a variant it does not sample fails to compile there.
//! What the types cannot stop is a caller putting a secret into a name or a query: the server
//! must, for instance, record a refused login under the account name only if that account
//! exists, since users do type passwords into the user name field.

#![forbid(unsafe_code)]

mod checkpoint;
mod digest;
mod entry;
mod error;
mod record;
mod verify;

pub use checkpoint::{Checkpoint, public_key_of, sign_checkpoint, verify_checkpoint};
pub use digest::{ChainHead, Digest};
pub use entry::{
    AuditEntry, Chain, ENTRY_HEADER_LEN, ENTRY_MAGIC, decode_entry, encode_entry, entry_key, parse_entry_key,
};
pub use error::AuditError;
pub use record::{Actor, AuditAction, AuditRecord, Change, LoginMethod, Outcome, TokenId};
pub use verify::{Problem, Trust, Verified, VerifyError, verify};
