//! The byte form of an entry, and the chain that appends them.
//!
//! An entry is a fixed header followed by the record's JSON:
//!
//! | bytes | field |
//! |---|---|
//! | 14 | magic `muninn-audit 1` |
//! | 8 | sequence number, little-endian |
//! | 32 | `prev`: the hash of the entry before (zero for entry 0) |
//! | 32 | `hash`: this entry's hash |
//! | rest | the record, JSON |
//!
//! `hash = SHA-256("muninn-audit-entry 1\n" || seq (8 bytes LE) || prev || record bytes)`,
//! over the record bytes exactly as stored, so any change to any byte of an entry shows: the
//! magic is checked, the sequence number and `prev` are hashed, the hash is recomputed, and
//! every record byte is hashed.

use sha2::{Digest as _, Sha256};

use crate::record::parse_record;
use crate::{AuditError, AuditRecord, ChainHead, Digest};

/// The first bytes of every entry: the format and its version.
pub const ENTRY_MAGIC: &[u8; 14] = b"muninn-audit 1";

/// The length of an entry's fixed header (magic, sequence number, `prev`, `hash`).
pub const ENTRY_HEADER_LEN: usize = ENTRY_MAGIC.len() + 8 + 32 + 32;

/// The domain-separation prefix hashed before an entry's fields.
const ENTRY_DOMAIN: &[u8] = b"muninn-audit-entry 1\n";

/// The width of an entry's store key.
const KEY_DIGITS: usize = 20;

/// A decoded entry whose hash matched its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its position in the chain, from 0.
    pub seq: u64,
    /// The hash of the entry before it ([`Digest::ZERO`] for entry 0).
    pub prev: Digest,
    /// Its own hash.
    pub hash: Digest,
    /// What it records.
    pub record: AuditRecord,
}

/// Builds the stored bytes of entry `seq` that follows an entry hashed `prev`, and the head of
/// the chain once it is appended.
pub fn encode_entry(seq: u64, prev: &Digest, record: &AuditRecord) -> (Vec<u8>, ChainHead) {
    // Serialising an `AuditRecord` cannot fail: every field is a string, integer, enum or
    // timestamp, with no maps (the only source of serde_json errors besides IO and custom
    // `Serialize` impls, of which these types have none that fail).
    let record_bytes = serde_json::to_vec(record).expect("an AuditRecord always serialises to JSON");
    let hash = entry_hash(seq, prev, &record_bytes);
    let mut bytes = Vec::with_capacity(ENTRY_HEADER_LEN + record_bytes.len());
    bytes.extend_from_slice(ENTRY_MAGIC);
    bytes.extend_from_slice(&seq.to_le_bytes());
    bytes.extend_from_slice(&prev.0);
    bytes.extend_from_slice(&hash.0);
    bytes.extend_from_slice(&record_bytes);
    (bytes, ChainHead { next_seq: seq.saturating_add(1), hash })
}

/// Decodes one stored entry: checks the magic, recomputes the hash over the stored bytes, then
/// parses the record. Does not check that the entry links to the one before; [`crate::verify`]
/// does that.
pub fn decode_entry(bytes: &[u8]) -> Result<AuditEntry, AuditError> {
    let header = parse_header(bytes).map_err(AuditError::Malformed)?;
    if entry_hash(header.seq, &header.prev, header.record_bytes) != header.hash {
        return Err(AuditError::Edited { seq: header.seq });
    }
    let record =
        parse_record(header.record_bytes).map_err(|reason| AuditError::Record { seq: header.seq, reason })?;
    Ok(AuditEntry { seq: header.seq, prev: header.prev, hash: header.hash, record })
}

/// The store key of entry `seq`: its sequence number in 20 zero-padded decimal digits, so that
/// keys sort in chain order.
pub fn entry_key(seq: u64) -> String {
    format!("{seq:0KEY_DIGITS$}")
}

/// The sequence number in an entry's store key, as written by [`entry_key`].
pub fn parse_entry_key(key: &str) -> Result<u64, AuditError> {
    let invalid = || AuditError::InvalidEntryKey(key.to_owned());
    if key.len() != KEY_DIGITS || !key.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid());
    }
    key.parse().map_err(|_| invalid())
}

/// Appends records to a chain, starting from its stored head.
///
/// ```
/// use muninn_audit::{Actor, AuditAction, AuditRecord, Chain, ChainHead, Outcome, Trust, verify};
///
/// let mut chain = Chain::resume(ChainHead::GENESIS);
/// let record = AuditRecord {
///     at: "2024-06-01T12:00:00Z".parse().unwrap(),
///     actor: Actor::Local,
///     request_id: None,
///     outcome: Outcome::Allowed,
///     action: AuditAction::AuditRead,
/// };
/// let (bytes, head) = chain.append(&record);
/// let trust = Trust { head: Some(head), ..Trust::default() };
/// assert_eq!(verify([(0, bytes)], &trust).unwrap().head, head);
/// ```
#[derive(Debug, Clone)]
pub struct Chain {
    head: ChainHead,
}

impl Chain {
    /// Continues the chain whose head is `head` ([`ChainHead::GENESIS`] for a new one).
    pub fn resume(head: ChainHead) -> Chain {
        Chain { head }
    }

    /// Builds the next entry and moves the head past it. The caller stores the returned bytes
    /// under [`entry_key`] of the old head's `next_seq`, and the new head, in one batch.
    pub fn append(&mut self, record: &AuditRecord) -> (Vec<u8>, ChainHead) {
        let (bytes, head) = encode_entry(self.head.next_seq, &self.head.hash, record);
        self.head = head;
        (bytes, head)
    }

    /// Where the chain ends now.
    pub fn head(&self) -> ChainHead {
        self.head
    }
}

/// An entry's header fields and its record bytes, not yet checked against each other.
pub(crate) struct Header<'a> {
    pub(crate) seq: u64,
    pub(crate) prev: Digest,
    pub(crate) hash: Digest,
    pub(crate) record_bytes: &'a [u8],
}

/// Splits stored bytes into header fields and record bytes; the error says what is wrong.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Header<'_>, &'static str> {
    let Some((magic, rest)) = bytes.split_first_chunk::<14>() else {
        return Err("shorter than its header");
    };
    if magic != ENTRY_MAGIC {
        return Err("wrong magic (not \"muninn-audit 1\")");
    }
    let Some((seq, rest)) = rest.split_first_chunk::<8>() else {
        return Err("shorter than its header");
    };
    let Some((prev, rest)) = rest.split_first_chunk::<32>() else {
        return Err("shorter than its header");
    };
    let Some((hash, record_bytes)) = rest.split_first_chunk::<32>() else {
        return Err("shorter than its header");
    };
    Ok(Header { seq: u64::from_le_bytes(*seq), prev: Digest(*prev), hash: Digest(*hash), record_bytes })
}

/// The hash of entry `seq` after `prev` with these record bytes.
pub(crate) fn entry_hash(seq: u64, prev: &Digest, record_bytes: &[u8]) -> Digest {
    let mut hasher = Sha256::new();
    hasher.update(ENTRY_DOMAIN);
    hasher.update(seq.to_le_bytes());
    hasher.update(prev.0);
    hasher.update(record_bytes);
    Digest(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, AuditAction, Outcome};

    fn record() -> AuditRecord {
        AuditRecord {
            at: jiff::Timestamp::from_second(1_717_243_200).expect("timestamp"),
            actor: Actor::Local,
            request_id: Some("req-1".to_owned()),
            outcome: Outcome::Allowed,
            action: AuditAction::Ingest { items: 3 },
        }
    }

    #[test]
    fn entry_round_trips() {
        let (bytes, head) = encode_entry(7, &Digest([9; 32]), &record());
        assert_eq!(&bytes[..14], b"muninn-audit 1");
        assert_eq!(head.next_seq, 8);
        let entry = decode_entry(&bytes).expect("decodes");
        assert_eq!(entry, AuditEntry { seq: 7, prev: Digest([9; 32]), hash: head.hash, record: record() });
    }

    #[test]
    fn decode_names_the_problem() {
        let (bytes, _) = encode_entry(7, &Digest::ZERO, &record());
        assert_eq!(decode_entry(&bytes[..20]), Err(AuditError::Malformed("shorter than its header")));
        let mut edited = bytes.clone();
        *edited.last_mut().expect("not empty") ^= 1;
        assert_eq!(
            decode_entry(&edited).map_err(|error| error.to_string()),
            Err("entry 7: hash does not match its contents (edited)".to_owned())
        );
        let mut wrong_magic = bytes;
        wrong_magic[0] = b'M';
        assert!(matches!(decode_entry(&wrong_magic), Err(AuditError::Malformed(_))));
    }

    #[test]
    fn keys_are_zero_padded_and_sort_in_chain_order() {
        assert_eq!(entry_key(41), "00000000000000000041");
        assert_eq!(entry_key(u64::MAX), "18446744073709551615");
        assert!(entry_key(9) < entry_key(10));
        assert_eq!(parse_entry_key("00000000000000000041"), Ok(41));
        assert!(parse_entry_key("41").is_err());
        assert!(parse_entry_key("+0000000000000000041").is_err());
        assert!(parse_entry_key("99999999999999999999").is_err());
    }
}
