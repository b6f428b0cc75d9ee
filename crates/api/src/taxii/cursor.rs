//! The `next` token of TAXII pages: opaque to clients, authenticated by the server.
//!
//! A token is base64url (no padding) of 49 bytes: a format byte (1), the position (the
//! `date_added` of the last object returned, 8 bytes big-endian), the expiry (Unix seconds,
//! 8 bytes big-endian) and an HMAC-SHA256 (32 bytes) with the server's secret over the format
//! byte, the [`Scope`] (user, collection, endpoint, every filter parameter) and both numbers.
//! A token changed in any bit, used by another user, on another collection or endpoint, with
//! other filters, or after its expiry is refused. It carries a position only: what the caller
//! may see is decided again on every page.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const FORMAT: u8 = 1;
const LENGTH: usize = 1 + 8 + 8 + 32;

/// What a token is valid for.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The user it was issued to.
    pub user: &'a str,
    /// The collection it pages through.
    pub collection: &'a str,
    /// Which listing: `objects`, `manifest`, `object/ID`, `versions/ID`.
    pub endpoint: &'a str,
    /// The filter parameters of the request (all but `limit` and `next`), sorted.
    pub filters: &'a [(String, String)],
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CursorError {
    /// Not a token of this server, changed, or issued for another request.
    #[error("the next token is not valid for this request")]
    Invalid,
    /// Valid, but expired.
    #[error("the next token has expired; start again without it")]
    Expired,
}

/// A token for `position`, valid until `expires` (Unix seconds).
pub fn seal(secret: &[u8; 32], scope: &Scope<'_>, position: u64, expires: i64) -> String {
    let mut bytes = Vec::with_capacity(LENGTH);
    bytes.push(FORMAT);
    bytes.extend_from_slice(&position.to_be_bytes());
    bytes.extend_from_slice(&expires.to_be_bytes());
    let tag = mac(secret, scope, position, expires).finalize().into_bytes();
    bytes.extend_from_slice(&tag);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The position of a token, if it is valid for `scope` at `now` (Unix seconds).
pub fn open(secret: &[u8; 32], scope: &Scope<'_>, token: &str, now: i64) -> Result<u64, CursorError> {
    if token.len() > 2 * LENGTH {
        return Err(CursorError::Invalid);
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| CursorError::Invalid)?;
    if bytes.len() != LENGTH || bytes[0] != FORMAT {
        return Err(CursorError::Invalid);
    }
    let number = |range: std::ops::Range<usize>| -> [u8; 8] { bytes[range].try_into().unwrap_or_default() };
    let position = u64::from_be_bytes(number(1..9));
    let expires = i64::from_be_bytes(number(9..17));
    // Constant-time comparison of the tag.
    mac(secret, scope, position, expires).verify_slice(&bytes[17..]).map_err(|_| CursorError::Invalid)?;
    if now >= expires {
        return Err(CursorError::Expired);
    }
    Ok(position)
}

fn mac(secret: &[u8; 32], scope: &Scope<'_>, position: u64, expires: i64) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    let mut field = |bytes: &[u8]| {
        mac.update(&(bytes.len() as u64).to_be_bytes());
        mac.update(bytes);
    };
    field(b"muninn taxii next");
    field(&[FORMAT]);
    field(scope.user.as_bytes());
    field(scope.collection.as_bytes());
    field(scope.endpoint.as_bytes());
    field(&(scope.filters.len() as u64).to_be_bytes());
    for (name, value) in scope.filters {
        field(name.as_bytes());
        field(value.as_bytes());
    }
    field(&position.to_be_bytes());
    field(&expires.to_be_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 32] = [7; 32];

    fn scope<'a>(user: &'a str, filters: &'a [(String, String)]) -> Scope<'a> {
        Scope { user, collection: "c", endpoint: "objects", filters }
    }

    #[test]
    fn a_token_opens_only_for_its_scope_and_before_its_expiry() {
        let filters = vec![("match[type]".to_owned(), "indicator".to_owned())];
        let token = seal(&SECRET, &scope("alice", &filters), 42, 1000);
        assert_eq!(open(&SECRET, &scope("alice", &filters), &token, 999), Ok(42));
        assert_eq!(open(&SECRET, &scope("alice", &filters), &token, 1000), Err(CursorError::Expired));
        assert_eq!(open(&SECRET, &scope("bob", &filters), &token, 0), Err(CursorError::Invalid));
        assert_eq!(open(&SECRET, &scope("alice", &[]), &token, 0), Err(CursorError::Invalid));
        let other = Scope { collection: "d", ..scope("alice", &filters) };
        assert_eq!(open(&SECRET, &other, &token, 0), Err(CursorError::Invalid));
        assert_eq!(open(&[8; 32], &scope("alice", &filters), &token, 0), Err(CursorError::Invalid));
        // Every single-character change of the token is refused.
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for at in 0..token.len() {
            for replacement in alphabet.chars().step_by(7) {
                let mut changed: Vec<char> = token.chars().collect();
                if changed[at] == replacement {
                    continue;
                }
                changed[at] = replacement;
                let changed: String = changed.into_iter().collect();
                assert!(open(&SECRET, &scope("alice", &filters), &changed, 0).is_err(), "{changed}");
            }
        }
        assert_eq!(open(&SECRET, &scope("alice", &filters), "", 0), Err(CursorError::Invalid));
        assert_eq!(
            open(&SECRET, &scope("alice", &filters), &"A".repeat(10_000), 0),
            Err(CursorError::Invalid)
        );
    }
}
