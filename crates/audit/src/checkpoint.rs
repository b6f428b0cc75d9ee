//! Signed checkpoints: a chain head, dated and signed with Ed25519, to hand to an outside
//! party.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::digest::{decode_hex_array, encode_hex};
use crate::{AuditError, ChainHead, Digest};

/// The first line of the message a checkpoint's signature covers.
const CHECKPOINT_DOMAIN: &str = "muninn-audit-checkpoint 1";

/// A signed statement that on `date` the chain held `seq` entries and its last entry's hash
/// was `head`.
///
/// Its JSON form (field order as below) is what the server hands out:
/// `{"date": "2024-06-01", "seq": 42, "head": "<64 hex>", "public_key": "<64 hex>",
/// "signature": "<128 hex>"}`. The signature is Ed25519 over the UTF-8 bytes of
/// [`Checkpoint::signed_message`]; anyone with the public key can check it without this crate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The day it was signed for, `YYYY-MM-DD`.
    pub date: String,
    /// How many entries it covers (entries `0..seq`): the chain head's `next_seq`.
    pub seq: u64,
    /// The hash of entry `seq - 1` ([`Digest::ZERO`] when `seq` is 0).
    pub head: Digest,
    /// The signer's Ed25519 public key, 64 lowercase hex characters.
    pub public_key: String,
    /// The Ed25519 signature, 128 lowercase hex characters.
    pub signature: String,
}

impl Checkpoint {
    /// The chain head this checkpoint vouches for.
    pub fn chain_head(&self) -> ChainHead {
        ChainHead { next_seq: self.seq, hash: self.head }
    }

    /// The exact text the signature covers:
    /// `"muninn-audit-checkpoint 1\n{date}\n{seq}\n{head}"`, with `seq` in decimal, `head` in
    /// lowercase hex and no final newline.
    pub fn signed_message(&self) -> String {
        signed_message(&self.date, self.seq, &self.head)
    }
}

/// Signs a checkpoint of `head` for `date` with the Ed25519 key whose 32-byte secret seed is
/// `seed`.
///
/// Refuses a date whose year is outside 0000 to 9999 (it would not be written `YYYY-MM-DD`).
pub fn sign_checkpoint(
    seed: &[u8; 32],
    date: jiff::civil::Date,
    head: &ChainHead,
) -> Result<Checkpoint, AuditError> {
    let date_text = date.to_string();
    check_date(&date_text)?;
    let signing_key = SigningKey::from_bytes(seed);
    let signature = signing_key.sign(signed_message(&date_text, head.next_seq, &head.hash).as_bytes());
    Ok(Checkpoint {
        date: date_text,
        seq: head.next_seq,
        head: head.hash,
        public_key: encode_hex(signing_key.verifying_key().as_bytes()),
        signature: encode_hex(&signature.to_bytes()),
    })
}

/// Checks a checkpoint: its date is written `YYYY-MM-DD`, its key and signature are well-formed
/// and the signature verifies (strictly: no malleable or small-order forms) over its date, entry
/// count and head.
///
/// With `expected_public_key` (hex), also that it was signed by that key: without it, a valid
/// signature only shows that the checkpoint is intact, not who made it, since anyone can sign
/// one with a key of their own.
pub fn verify_checkpoint(
    checkpoint: &Checkpoint,
    expected_public_key: Option<&str>,
) -> Result<(), AuditError> {
    check_date(&checkpoint.date)?;
    let key_bytes: [u8; 32] = decode_hex_array(&checkpoint.public_key, "public key")?;
    if let Some(expected) = expected_public_key {
        let expected_bytes: [u8; 32] = decode_hex_array(expected, "public key")?;
        if expected_bytes != key_bytes {
            return Err(AuditError::UntrustedKey {
                expected: expected.to_owned(),
                found: checkpoint.public_key.clone(),
            });
        }
    }
    let verifying_key = VerifyingKey::from_bytes(&key_bytes)
        .map_err(|_| AuditError::InvalidPublicKey(checkpoint.public_key.clone()))?;
    let signature_bytes: [u8; 64] = decode_hex_array(&checkpoint.signature, "signature")?;
    let signature = Signature::from_bytes(&signature_bytes);
    verifying_key
        .verify_strict(checkpoint.signed_message().as_bytes(), &signature)
        .map_err(|_| AuditError::BadSignature)
}

/// The Ed25519 public key (64 lowercase hex characters) of the secret seed `seed`: what the
/// server publishes so that others can check its checkpoints.
pub fn public_key_of(seed: &[u8; 32]) -> String {
    encode_hex(SigningKey::from_bytes(seed).verifying_key().as_bytes())
}

fn signed_message(date: &str, seq: u64, head: &Digest) -> String {
    format!("{CHECKPOINT_DOMAIN}\n{date}\n{seq}\n{head}")
}

/// Accepts exactly `YYYY-MM-DD` naming a real calendar day.
fn check_date(date: &str) -> Result<(), AuditError> {
    let invalid = || AuditError::InvalidDate(date.to_owned());
    let bytes = date.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(invalid());
    }
    let number =
        |range: std::ops::Range<usize>| date.get(range).and_then(|digits| digits.parse::<i16>().ok());
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return Err(invalid());
    };
    let (Ok(month), Ok(day)) = (i8::try_from(month), i8::try_from(day)) else {
        return Err(invalid());
    };
    jiff::civil::Date::new(year, month, day).map(|_| ()).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: [u8; 32] = [7; 32];

    fn checkpoint() -> Checkpoint {
        let head = ChainHead { next_seq: 42, hash: Digest([3; 32]) };
        sign_checkpoint(&SEED, jiff::civil::date(2024, 6, 1), &head).expect("signs")
    }

    #[test]
    fn signed_checkpoint_verifies() {
        let checkpoint = checkpoint();
        assert_eq!(checkpoint.date, "2024-06-01");
        assert_eq!(checkpoint.public_key, public_key_of(&SEED));
        assert_eq!(
            checkpoint.signed_message(),
            format!("muninn-audit-checkpoint 1\n2024-06-01\n42\n{}", "03".repeat(32))
        );
        assert_eq!(verify_checkpoint(&checkpoint, None), Ok(()));
        assert_eq!(verify_checkpoint(&checkpoint, Some(&public_key_of(&SEED))), Ok(()));
        let json = serde_json::to_string(&checkpoint).expect("serialises");
        assert_eq!(serde_json::from_str::<Checkpoint>(&json).expect("parses"), checkpoint);
    }

    #[test]
    fn another_signer_is_refused_when_a_key_is_expected() {
        let other = [8; 32];
        let forged = sign_checkpoint(&other, jiff::civil::date(2024, 6, 1), &checkpoint().chain_head())
            .expect("signs");
        assert_eq!(verify_checkpoint(&forged, None), Ok(()));
        assert!(matches!(
            verify_checkpoint(&forged, Some(&public_key_of(&SEED))),
            Err(AuditError::UntrustedKey { .. })
        ));
    }

    #[test]
    fn dates_must_be_canonical_calendar_days() {
        for date in [
            "2024-6-01",
            "2024-06-31",
            "2024-13-01",
            "20240601",
            "2024/06/01",
            "+02024-06-01",
            "2024-06-01\n",
        ] {
            assert_eq!(check_date(date), Err(AuditError::InvalidDate(date.to_owned())), "{date:?}");
        }
        assert_eq!(check_date("2024-02-29"), Ok(()));
        assert_eq!(check_date("0000-01-01"), Ok(()));
        let negative_year = jiff::civil::date(-1, 1, 1);
        assert!(sign_checkpoint(&SEED, negative_year, &ChainHead::GENESIS).is_err());
    }
}
