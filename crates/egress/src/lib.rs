//! Muninn's one outbound HTTP client, and the TAXII 2.1 client built on it.
//!
//! Every request Muninn makes to another server goes through [`EgressClient`], which applies an
//! [`EgressPolicy`] set by an administrator:
//! - only `https` (and `http` when the policy allows it), URLs parsed strictly ([`Url`]), so
//!   numeric-host tricks (`http://0x7f000001`, `http://2130706433`), trailing dots, userinfo
//!   and the like are refused rather than normalised;
//! - the host is resolved **once**, every address it resolves to is checked against the deny
//!   list (loopback, RFC 1918, carrier-grade NAT, link-local and cloud metadata, unique local,
//!   multicast, unspecified, reserved, and IPv6 forms that embed any of those), unless the
//!   host is on the policy's allow-list, and the connection goes to those vetted addresses;
//! - each redirect is vetted like the first URL, at most three;
//! - connect, per-read and total timeouts, a cap on the body and on the headers.
//!
//! [`vet_url`] is the pure part (no network): the checks a URL passes before any connection.
//! [`taxii`] is the TAXII 2.1 client: discovery, API roots, collections and a resumable,
//! bounded pull of a collection's objects.
//!
//! **Invariant:** the only crate that knows the HTTP library; nothing else in Muninn opens an
//! outbound connection.

#![forbid(unsafe_code)]

mod client;
mod deny;
mod error;
pub mod taxii;
mod url;
mod vet;

pub use client::{EgressClient, MAX_HEADER_BYTES, Method, Request, Response};
pub use deny::{Denied, denied};
pub use error::{EgressError, UrlError};
pub use url::{Host, MAX_URL_BYTES, Scheme, Url, encode_query_value};
pub use vet::{EgressPolicy, MAX_REDIRECTS_LIMIT, VettedTarget, check_addresses, vet, vet_url};
