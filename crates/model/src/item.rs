//! Items: the unit of collected material.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{AdmiraltyGrade, ModelError, SourceId, Tlp};

/// The SHA-256 of an item's content (see [`content_hash_of`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ContentHash(pub [u8; 32]);

/// An item's identifier: the first 128 bits of its content hash, so the same content gets the
/// same id on every machine and in every rebuild.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct ItemId(pub [u8; 16]);

/// Computes the content hash of an item: SHA-256 over a versioned, length-prefixed encoding of
/// title and body. Two items are exact duplicates when these hashes are equal, whatever their
/// source or markings.
pub fn content_hash_of(title: Option<&str>, body: &str) -> ContentHash {
    let mut hasher = Sha256::new();
    hasher.update(b"muninn/content/v1\n");
    let title = title.unwrap_or("");
    hasher.update((title.len() as u64).to_le_bytes());
    hasher.update(title.as_bytes());
    hasher.update((body.len() as u64).to_le_bytes());
    hasher.update(body.as_bytes());
    ContentHash(hasher.finalize().into())
}

impl ContentHash {
    /// SHA-256 of arbitrary bytes (used for raw bytes).
    pub fn of_bytes(bytes: &[u8]) -> ContentHash {
        ContentHash(Sha256::digest(bytes).into())
    }

    /// The item id this hash gives.
    pub fn item_id(&self) -> ItemId {
        let mut id = [0u8; 16];
        id.copy_from_slice(&self.0[..16]);
        ItemId(id)
    }
}

/// Lowercase hexadecimal without the formatting machinery: ids and hashes are encoded for every
/// item written, so this is on the ingest hot path.
fn write_hex(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buffer = [0u8; 64];
    let len = bytes.len().min(32) * 2;
    for (index, byte) in bytes.iter().take(32).enumerate() {
        buffer[index * 2] = DIGITS[usize::from(byte >> 4)];
        buffer[index * 2 + 1] = DIGITS[usize::from(byte & 0x0f)];
    }
    // Only ASCII hex digits were written.
    f.write_str(std::str::from_utf8(&buffer[..len]).map_err(|_| fmt::Error)?)
}

fn parse_hex<const N: usize>(text: &str, what: &'static str) -> Result<[u8; N], ModelError> {
    let invalid = || ModelError::InvalidHex { what, value: text.to_owned(), expected_len: N * 2 };
    if text.len() != N * 2 || !text.is_ascii() {
        return Err(invalid());
    }
    // A digit at a time: `u8::from_str_radix` took a sign (`+f`) and was a visible share of
    // reading items back (two digests per item).
    let nibble = |digit: u8| match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        *byte = (nibble(pair[0]).ok_or_else(invalid)? << 4) | nibble(pair[1]).ok_or_else(invalid)?;
    }
    Ok(out)
}

macro_rules! hex_newtype {
    ($ty:ident, $len:expr, $what:expr) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_hex(&self.0, f)
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(", stringify!($ty))?;
                write_hex(&self.0, f)?;
                f.write_str(")")
            }
        }
        impl FromStr for $ty {
            type Err = ModelError;
            fn from_str(text: &str) -> Result<$ty, ModelError> {
                parse_hex::<$len>(text, $what).map($ty)
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.to_string()
            }
        }
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = ModelError;
            fn try_from(text: String) -> Result<$ty, ModelError> {
                text.parse()
            }
        }
    };
}

hex_newtype!(ContentHash, 32, "content hash");
hex_newtype!(ItemId, 16, "item id");

/// An ISO 639 language code, lowercase, 2 or 3 letters (`en`, `ru`, `ar`, `zh`, `fil`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

impl LanguageTag {
    /// Validates a code; uppercase is folded.
    pub fn new(code: &str) -> Result<LanguageTag, ModelError> {
        let lower = code.trim().to_ascii_lowercase();
        if !(2..=3).contains(&lower.len()) || !lower.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(ModelError::InvalidLanguage(code.to_owned()));
        }
        Ok(LanguageTag(lower))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = ModelError;
    fn try_from(text: String) -> Result<LanguageTag, ModelError> {
        LanguageTag::new(&text)
    }
}

impl From<LanguageTag> for String {
    fn from(tag: LanguageTag) -> String {
        tag.0
    }
}

/// The handling markings of an item: a TLP label plus optional need-to-know compartments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markings {
    /// The TLP 2.0 label.
    pub tlp: Tlp,
    /// Need-to-know compartments (group names); empty means none beyond TLP.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub compartments: BTreeSet<String>,
    /// The organisation the material came from: the boundary of TLP:AMBER and AMBER+STRICT,
    /// and the only one that may widen the markings. `None` in data written before
    /// organisations existed, read as [`LOCAL_ORG`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub originator: Option<String>,
    /// For TLP:RED, the users it is addressed to by name (nobody else sees it).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub recipients: BTreeSet<String>,
    /// The originator's permission for TLP:AMBER to reach the clients of its organisation.
    /// Off by default: AMBER goes to a client (an outsourced provider, a constituent) only
    /// when the originator says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub amber_to_clients: bool,
    /// The originator's additional restriction (TLP 2.0 section 1g): when not empty, only these
    /// organisations (and the originator) may see the material, whatever its TLP.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub only_orgs: BTreeSet<String>,
}

/// The organisation of material that names none: the deployment's own.
pub const LOCAL_ORG: &str = "local";

impl Markings {
    /// Markings with a TLP label and no compartment, from no named organisation.
    pub fn tlp(tlp: Tlp) -> Markings {
        Markings {
            tlp,
            compartments: BTreeSet::new(),
            originator: None,
            recipients: BTreeSet::new(),
            amber_to_clients: false,
            only_orgs: BTreeSet::new(),
        }
    }

    /// The originating organisation, [`LOCAL_ORG`] when none is recorded.
    pub fn originator(&self) -> &str {
        self.originator.as_deref().unwrap_or(LOCAL_ORG)
    }
}

/// Where the bytes an item was read from are kept, and how to check them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawRef {
    /// SHA-256 of the raw bytes.
    pub sha256: ContentHash,
    /// Their length.
    pub len: u64,
    /// Their media type, as read (`message/rfc822`, `application/json`, ...).
    pub media_type: String,
}

/// A stored item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Derived from the content hash.
    pub id: ItemId,
    /// The source it was collected from.
    pub source: SourceId,
    /// When Muninn collected it.
    pub collected_at: Timestamp,
    /// When the event it tells of happened (or the document says it was written), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time: Option<Timestamp>,
    /// Title or subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text.
    pub body: String,
    /// Detected or declared language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<LanguageTag>,
    /// See [`content_hash_of`].
    pub content_hash: ContentHash,
    /// Handling markings.
    pub markings: Markings,
    /// Admiralty grade of this item.
    pub grade: AdmiraltyGrade,
    /// The raw bytes the item was read from, when kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<RawRef>,
    /// Free attributes: reader-specific fields (sender, URL, CSV columns, attachment list).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// An item as a reader produces it, before its hash and id are computed.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDraft {
    /// The source it is collected from.
    pub source: SourceId,
    /// When it was collected.
    pub collected_at: Timestamp,
    /// When the event happened, if known.
    pub event_time: Option<Timestamp>,
    /// Title or subject.
    pub title: Option<String>,
    /// The text.
    pub body: String,
    /// Declared or detected language.
    pub language: Option<LanguageTag>,
    /// Handling markings.
    pub markings: Markings,
    /// Admiralty grade.
    pub grade: AdmiraltyGrade,
    /// The raw bytes and their media type, when they are to be kept.
    pub raw: Option<(Vec<u8>, String)>,
    /// Free attributes.
    pub attributes: BTreeMap<String, serde_json::Value>,
}

impl ItemDraft {
    /// Computes hash and id; returns the item and the raw bytes to store beside it.
    pub fn into_item(self) -> (Item, Option<Vec<u8>>) {
        let content_hash = content_hash_of(self.title.as_deref(), &self.body);
        let (raw_ref, raw_bytes) = match self.raw {
            Some((bytes, media_type)) => (
                Some(RawRef { sha256: ContentHash::of_bytes(&bytes), len: bytes.len() as u64, media_type }),
                Some(bytes),
            ),
            None => (None, None),
        };
        let item = Item {
            id: content_hash.item_id(),
            source: self.source,
            collected_at: self.collected_at,
            event_time: self.event_time,
            title: self.title,
            body: self.body,
            language: self.language,
            content_hash,
            markings: self.markings,
            grade: self.grade,
            raw: raw_ref,
            attributes: self.attributes,
        };
        (item, raw_bytes)
    }
}

impl Item {
    /// Whether the stored hash still matches the content: the check for a damaged record.
    pub fn is_intact(&self) -> bool {
        content_hash_of(self.title.as_deref(), &self.body) == self.content_hash
            && self.content_hash.item_id() == self.id
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn content_hash_is_stable() {
        // A change here changes every item id on disk: it needs a new format version.
        let hash = content_hash_of(Some("APT28 report"), "Fancy Bear used 192.0.2.1");
        expect!["9ab2d60e9807e7e73f5f4d02362eb9d08f3ebf455214b73f48e5c87618ad2184"]
            .assert_eq(&hash.to_string());
        expect!["9ab2d60e9807e7e73f5f4d02362eb9d0"].assert_eq(&hash.item_id().to_string());
    }

    #[test]
    fn ids_are_hex_digits_only() {
        let good = "00112233445566778899aabbccddeeff";
        assert!(good.parse::<ItemId>().is_ok());
        assert!(good.to_uppercase().parse::<ItemId>().is_ok());
        for bad in ["+0112233445566778899aabbccddeeff", "0g112233445566778899aabbccddeeff", "00112233"] {
            assert!(bad.parse::<ItemId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn title_and_body_cannot_be_confused() {
        assert_ne!(content_hash_of(Some("ab"), "c"), content_hash_of(Some("a"), "bc"));
        assert_eq!(content_hash_of(None, "x"), content_hash_of(Some(""), "x"));
    }

    proptest! {
        #[test]
        fn ids_round_trip_through_text(bytes in any::<[u8; 16]>()) {
            let id = ItemId(bytes);
            prop_assert_eq!(id.to_string().parse::<ItemId>(), Ok(id));
        }

        #[test]
        fn hex_parsing_never_panics(text in "\\PC{0,40}") {
            let _ = text.parse::<ItemId>();
            let _ = text.parse::<ContentHash>();
        }
    }
}
