//! Organisations, users and API tokens, and how a request proves which user it comes from.
//!
//! Nothing here reads a clock or draws random bytes: the caller passes salts, token bytes and
//! times, and stores the [`Directory`] wherever it likes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{AccessError, OrgId, Principal, Role, UserId};

/// The longest password accepted, in bytes: enough for any passphrase, short enough that
/// nobody makes the server hash megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Argon2id memory cost of new password hashes, in KiB (OWASP's minimum: 19 MiB).
pub const PASSWORD_MEMORY_KIB: u32 = 19_456;
/// Argon2id passes over memory of new password hashes (OWASP's minimum with 19 MiB).
pub const PASSWORD_ITERATIONS: u32 = 2;
/// Argon2id lanes of new password hashes.
pub const PASSWORD_PARALLELISM: u32 = 1;

/// The prefix of every API token, so that a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "mnn_";

/// The largest Argon2 memory cost a stored hash may ask of [`verify_password`] (256 MiB), so
/// that a corrupted or planted hash cannot exhaust memory.
const MAX_VERIFY_MEMORY_KIB: u32 = 262_144;
/// The largest Argon2 iteration count a stored hash may ask of [`verify_password`].
const MAX_VERIFY_ITERATIONS: u32 = 16;

/// A made-up Argon2id hash with the production parameters (an all-zero salt, an output no
/// password is known to give): verified against when the user is unknown or has no password,
/// so that the answer takes as long as for a real user and does not reveal which ids exist.
const DUMMY_PASSWORD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$gDJVqeB4d2ytuLRsdx3i3xBJkHw6kNj8tdYmEnCCNNA";

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Org {
    /// Its id.
    pub id: OrgId,
    /// Its display name.
    pub name: String,
    /// The organisations that are its clients: they receive its TLP:AMBER when the originator
    /// allows it to reach clients.
    #[serde(default)]
    pub clients: BTreeSet<OrgId>,
}

/// A user account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its id.
    pub id: UserId,
    /// The organisation it belongs to.
    pub org: OrgId,
    /// What it may do.
    pub role: Role,
    /// The need-to-know compartments it holds.
    #[serde(default)]
    pub groups: BTreeSet<String>,
    /// Its display name.
    pub name: String,
    /// The PHC string of its Argon2id password hash ([`hash_password`]); never the password.
    /// `None`: it signs in with tokens only.
    #[serde(default)]
    pub password_hash: Option<String>,
    /// A disabled account authenticates by no means.
    #[serde(default)]
    pub disabled: bool,
}

/// Leaves the password hash out: a hash in a log can be attacked offline.
impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("org", &self.org)
            .field("role", &self.role)
            .field("groups", &self.groups)
            .field("name", &self.name)
            .field("password_hash", &self.password_hash.as_ref().map(|_| "<redacted>"))
            .field("disabled", &self.disabled)
            .finish()
    }
}

/// An issued API token, as stored: its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// The first 12 hex digits of the hash ([`token_id`]): shown in listings, used to revoke.
    pub id: String,
    /// The SHA-256 of the token, in lowercase hex ([`token_hash`]).
    pub hash: String,
    /// The user it authenticates as.
    pub user: UserId,
    /// What its holder said it is for.
    pub label: String,
    /// When it was issued (seconds since the Unix epoch, as the caller's clock said).
    pub created_at_unix: i64,
    /// A revoked token authenticates nobody.
    #[serde(default)]
    pub revoked: bool,
}

/// Hashes `password` with Argon2id (19 MiB, 2 passes, 1 lane: OWASP's minimum) and `salt`
/// (16 random bytes from the caller), as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash_password(password: &str, salt: &[u8; 16]) -> Result<String, AccessError> {
    hash_password_with(password, salt, PASSWORD_MEMORY_KIB, PASSWORD_ITERATIONS)
}

/// [`hash_password`] with other costs: the unit tests' cheap hashes.
fn hash_password_with(
    password: &str,
    salt: &[u8; 16],
    memory_kib: u32,
    iterations: u32,
) -> Result<String, AccessError> {
    check_password_length(password)?;
    let internal = |error: argon2::password_hash::Error| AccessError::PasswordHash(error.to_string());
    let params = Params::new(memory_kib, iterations, PASSWORD_PARALLELISM, None)
        .map_err(|error| AccessError::PasswordHash(error.to_string()))?;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::encode_b64(salt).map_err(internal)?;
    let hash = hasher.hash_password(password.as_bytes(), &salt).map_err(internal)?;
    Ok(hash.to_string())
}

fn check_password_length(password: &str) -> Result<(), AccessError> {
    if password.is_empty() {
        return Err(AccessError::EmptyPassword);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccessError::PasswordTooLong { len: password.len() });
    }
    Ok(())
}

/// Whether `password` matches the PHC string `phc`. The comparison of the hashes is
/// constant-time (the argon2 crate's). False for an empty or over-long password, for a hash
/// that is not Argon2id, and for one whose costs exceed 256 MiB or 16 passes.
pub fn verify_password(password: &str, phc: &str) -> bool {
    if check_password_length(password).is_err() {
        return false;
    }
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let affordable = params.m_cost() <= MAX_VERIFY_MEMORY_KIB && params.t_cost() <= MAX_VERIFY_ITERATIONS;
    if hash.algorithm != Algorithm::Argon2id.ident() || !affordable {
        return false;
    }
    Argon2::default().verify_password(password.as_bytes(), &hash).is_ok()
}

/// A new API token from 32 random bytes supplied by the caller: the token to hand to the user
/// once (`mnn_` and 64 hex digits) and its hash, the only thing to store.
pub fn issue_token(random: &[u8; 32]) -> (String, String) {
    let token = format!("{TOKEN_PREFIX}{}", hex(random));
    let hash = token_hash(&token);
    (token, hash)
}

/// The SHA-256 of `token`, in lowercase hex: what is stored and looked up.
///
/// A fast hash is right here, unlike for passwords: a token carries 256 random bits, so there
/// is nothing to guess and nothing a slow hash would protect, while every API request verifies
/// one. (Argon2 exists to make guessing low-entropy passwords expensive.)
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The display id of a token: the first 12 hex digits of its hash (48 bits: unique among any
/// realistic number of tokens, and useless for authenticating).
pub fn token_id(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// Whether `token` has the shape [`issue_token`] gives: `mnn_` then 64 lowercase hex digits.
fn is_token_shaped(token: &str) -> bool {
    token.strip_prefix(TOKEN_PREFIX).is_some_and(|digits| {
        digits.len() == 64 && digits.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Every organisation, user and token of a deployment: what authentication reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// Organisations by id.
    #[serde(default)]
    pub orgs: BTreeMap<OrgId, Org>,
    /// Users by id.
    #[serde(default)]
    pub users: BTreeMap<UserId, User>,
    /// Tokens by hash ([`token_hash`]).
    #[serde(default)]
    pub tokens: BTreeMap<String, TokenRecord>,
}

impl Directory {
    /// The principal of `user`, or `None` when the user is unknown, disabled, or of an
    /// organisation the directory does not hold. Its `client_of` is every organisation that
    /// lists the user's organisation among its clients.
    pub fn principal(&self, user: &UserId) -> Option<Principal> {
        let record = self.users.get(user)?;
        if record.disabled || !self.orgs.contains_key(&record.org) {
            return None;
        }
        let client_of = self
            .orgs
            .values()
            .filter(|org| org.clients.contains(&record.org))
            .map(|org| org.id.clone())
            .collect();
        Some(Principal {
            user: record.id.clone(),
            org: record.org.clone(),
            role: record.role,
            groups: record.groups.clone(),
            client_of,
        })
    }

    /// The principal an API token authenticates, or `None` when the token is malformed,
    /// unknown, revoked, or its user cannot authenticate ([`Directory::principal`]). The
    /// lookup is by the token's hash, so its timing says nothing about the token itself.
    pub fn authenticate_token(&self, token: &str) -> Option<Principal> {
        if !is_token_shaped(token) {
            return None;
        }
        let record = self.tokens.get(&token_hash(token))?;
        if record.revoked {
            return None;
        }
        self.principal(&record.user)
    }

    /// The principal whose password `password` is, or `None`. An unknown user, or one without
    /// a password, is checked against a dummy hash so that it takes as long as a wrong
    /// password: the timing does not tell which user ids exist.
    pub fn authenticate_password(&self, user: &UserId, password: &str) -> Option<Principal> {
        let stored = self.users.get(user).and_then(|record| record.password_hash.as_deref());
        let matches = verify_password(password, stored.unwrap_or(DUMMY_PASSWORD_HASH));
        if matches && stored.is_some() { self.principal(user) } else { None }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Cheap parameters for the many hashes of the properties; the production ones are tested
    /// once in `tests/it/identity.rs`.
    fn cheap_hash(password: &str, salt: &[u8; 16]) -> String {
        hash_password_with(password, salt, 64, 1).expect("valid parameters")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn a_password_verifies_and_any_other_is_refused(
            password in "\\PC{1,40}",
            other in "\\PC{1,40}",
            salt in any::<[u8; 16]>(),
        ) {
            let phc = cheap_hash(&password, &salt);
            prop_assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{}", phc);
            prop_assert!(verify_password(&password, &phc));
            prop_assert_eq!(verify_password(&other, &phc), other == password);
        }
    }

    #[test]
    fn the_dummy_hash_uses_the_production_parameters() {
        let hash = PasswordHash::new(DUMMY_PASSWORD_HASH).expect("a PHC string");
        let params = Params::try_from(&hash).expect("argon2 parameters");
        assert_eq!(hash.algorithm, Algorithm::Argon2id.ident());
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (PASSWORD_MEMORY_KIB, PASSWORD_ITERATIONS, PASSWORD_PARALLELISM)
        );
    }

    #[test]
    fn empty_and_over_long_passwords_are_refused() {
        let salt = [7; 16];
        assert_eq!(hash_password("", &salt), Err(AccessError::EmptyPassword));
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert_eq!(hash_password(&long, &salt), Err(AccessError::PasswordTooLong { len: 1025 }));
        let longest = "x".repeat(MAX_PASSWORD_BYTES);
        let phc = cheap_hash(&longest, &salt);
        assert!(verify_password(&longest, &phc));
        assert!(!verify_password("", &phc));
        assert!(!verify_password(&long, &phc));
    }

    #[test]
    fn hashes_that_are_not_affordable_argon2id_are_refused() {
        let salt = [9; 16];
        let phc = cheap_hash("secret", &salt);
        let argon2i = phc.replacen("argon2id", "argon2i", 1);
        let huge = phc.replacen("m=64", "m=4194304", 1);
        let cases = ["", "not a hash", "$argon2id$v=19$m=64,t=1,p=1$", argon2i.as_str(), huge.as_str()];
        for case in cases {
            assert!(!verify_password("secret", case), "{case:?}");
        }
    }

    #[test]
    fn debug_output_leaves_the_password_hash_out() {
        let user = User {
            id: "ann".parse().expect("valid"),
            org: "acme".parse().expect("valid"),
            role: Role::Reader,
            groups: BTreeSet::new(),
            name: "Ann".into(),
            password_hash: Some("$argon2id$secret-material".into()),
            disabled: false,
        };
        let debug = format!("{user:?}");
        assert!(!debug.contains("secret-material"), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
    }
}
