//! Who may see and do what in Muninn: the TLP 2.0 visibility rule, the role table every
//! request is authorised against, the rules for changing markings, user administration,
//! identities (passwords, API tokens) and the sign-in rate limiter.
//!
//! Pure: no IO, no clock, no randomness. Callers pass times, salts and random bytes, and keep
//! the [`Directory`] and the [`RateLimiter`] wherever they like.
//!
//! The rules, with a table of who sees each label, are in the crate's `README.md`.

#![forbid(unsafe_code)]

mod error;
mod identity;
mod ids;
mod markings;
mod policy;
mod principal;
mod rate;

pub use error::AccessError;
pub use identity::{
    Directory, MAX_PASSWORD_BYTES, Org, PASSWORD_ITERATIONS, PASSWORD_MEMORY_KIB, PASSWORD_PARALLELISM,
    TOKEN_PREFIX, TokenRecord, User, hash_password, issue_token, token_hash, token_id, verify_password,
};
pub use ids::{MAX_ID_LEN, OrgId, Role, UserId};
pub use markings::{ingest_markings, is_widening, widens_visibility};
pub use policy::{Action, Denied, UserAction, authorize, authorize_user_admin, can_see};
pub use principal::Principal;
pub use rate::{RateLimiter, RateLimits, RetryAfter};
