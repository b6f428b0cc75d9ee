//! SHA-256 digests and the head of the chain.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::AuditError;

/// A SHA-256 digest: an entry's hash, or the hash a chain head or checkpoint names.
///
/// Displayed, parsed and serialised as 64 lowercase hexadecimal characters; parsing refuses
/// uppercase so that one digest has one spelling.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The all-zero digest: the `prev` of the first entry and the hash of the empty chain.
    pub const ZERO: Digest = Digest([0; 32]);
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_hex(&self.0))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({self})")
    }
}

impl FromStr for Digest {
    type Err = AuditError;

    fn from_str(text: &str) -> Result<Digest, AuditError> {
        decode_hex_array(text, "digest").map(Digest)
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Digest, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where a chain ends: the number of entries in it (so also the sequence number the next entry
/// gets) and the hash of its last entry.
///
/// The server keeps one as the chain's head record, written in the same batch as the entry
/// that moves it; [`crate::verify`] compares the chain against it to detect a truncated tail.
/// Its JSON form is `{"next_seq": 42, "hash": "<64 hex>"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainHead {
    /// How many entries the chain holds; the next entry's sequence number.
    pub next_seq: u64,
    /// The hash of the last entry ([`Digest::ZERO`] for the empty chain).
    pub hash: Digest,
}

impl ChainHead {
    /// The head of the empty chain: no entries, all-zero hash.
    pub const GENESIS: ChainHead = ChainHead { next_seq: 0, hash: Digest::ZERO };
}

/// Lowercase hexadecimal of `bytes`.
pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// Parses exactly `N` bytes of lowercase hexadecimal; `what` names the value in the error.
pub(crate) fn decode_hex_array<const N: usize>(
    text: &str,
    what: &'static str,
) -> Result<[u8; N], AuditError> {
    let invalid = || AuditError::InvalidHex { what, value: text.to_owned(), expected_len: N * 2 };
    if text.len() != N * 2 {
        return Err(invalid());
    }
    let mut bytes = [0u8; N];
    for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let high = hex_value(pair[0]).ok_or_else(invalid)?;
        let low = hex_value(pair[1]).ok_or_else(invalid)?;
        *byte = (high << 4) | low;
    }
    Ok(bytes)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_other_spellings() {
        let digest = Digest([0xab; 32]);
        let text = digest.to_string();
        assert_eq!(text, "ab".repeat(32));
        assert_eq!(text.parse::<Digest>(), Ok(digest));
        assert!("AB".repeat(32).parse::<Digest>().is_err());
        assert!("ab".repeat(31).parse::<Digest>().is_err());
        assert!("zz".repeat(32).parse::<Digest>().is_err());
        // Multi-byte characters must not be split mid-character.
        assert!("é".repeat(32).parse::<Digest>().is_err());
    }

    #[test]
    fn chain_head_json() {
        let head = ChainHead { next_seq: 3, hash: Digest([1; 32]) };
        let json = serde_json::to_string(&head).expect("serialises");
        assert_eq!(json, format!(r#"{{"next_seq":3,"hash":"{}"}}"#, "01".repeat(32)));
        assert_eq!(serde_json::from_str::<ChainHead>(&json).expect("parses"), head);
    }
}
