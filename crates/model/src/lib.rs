//! Muninn's domain model: the types every pipeline stage shares.
//!
//! Pure: no IO, no global state, no panics on input. Parsing functions return
//! [`ModelError`] naming the value that was refused.

mod admiralty;
mod error;
mod item;
mod source;
mod tlp;

pub use admiralty::{AdmiraltyGrade, Credibility, Reliability};
pub use error::ModelError;
pub use item::{
    ContentHash, Item, ItemDraft, ItemId, LOCAL_ORG, LanguageTag, Markings, RawRef, content_hash_of,
};
pub use source::{Source, SourceId, SourceKind};
pub use tlp::{TLP1_MARKING_IDS, TLP2_EXTENSION_ID, TLP2_MARKING_IDS, Tlp};

/// Timestamps are UTC instants; re-exported so that dependants name one type.
pub use jiff::Timestamp;
