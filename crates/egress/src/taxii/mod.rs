//! The TAXII 2.1 client: discovery, API roots, collections, and a bounded, resumable pull of a
//! collection's objects, all through the [`EgressClient`](crate::EgressClient).
//!
//! - `resources`: the resources, parsed and checked without IO (API roots per section 4.1.1).
//! - `pagination`: the pull as a pure state machine (what to ask, what cursor to persist,
//!   when a server is looping).
//! - `client`: the requests.
//!
//! A pull hands each page's objects (the exact JSON text received) to a callback together with
//! the [`Cursor`] to persist; a caller that stores both in one write resumes after a crash
//! without losing or duplicating a page. Credentials are only sent to the origin of the URL the
//! caller gave, never to an API root or a redirect on another host.

mod client;
mod pagination;
mod resources;

pub use client::{Auth, CollectionLocation, Page, PullSummary, TaxiiClient};
pub use pagination::{Ask, Cursor, PageMeta, Pagination, PullConfig, StopReason};
pub use resources::{
    ApiRoot, Collection, Discovery, Envelope, MAX_API_ROOTS, MAX_NEXT_BYTES, MEDIA_TYPE, Timestamp,
    check_media_type, error_message, is_api_root, parse_api_root, parse_collections, parse_discovery,
    parse_envelope, resolve_api_root,
};

use crate::EgressError;

/// The error a page callback returns (the caller's own error, boxed).
pub type CallbackError = Box<dyn std::error::Error + Send + Sync>;

/// What went wrong talking to a TAXII server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TaxiiError {
    /// The request was refused by the egress policy or failed on the network.
    #[error(transparent)]
    Egress(#[from] EgressError),
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}{message}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// `": "` and the TAXII error's title and description, when the body had them.
        message: String,
    },
    /// The response is not of the TAXII media type.
    #[error("{url} answered with Content-Type {found:?}, not {MEDIA_TYPE}")]
    MediaType {
        /// The URL.
        url: String,
        /// The `Content-Type` received.
        found: String,
    },
    /// The response body is not the resource expected.
    #[error("malformed response from {url}: {problem}")]
    Malformed {
        /// The URL.
        url: String,
        /// What is wrong.
        problem: String,
    },
    /// A discovery resource lists an API root that section 4.1.1 forbids.
    #[error("invalid API root {value:?} in the discovery resource: {problem}")]
    ApiRoot {
        /// The value listed.
        value: String,
        /// What is wrong.
        problem: String,
    },
    /// No API root has the collection.
    #[error("no API root of {url} has a collection {id:?} ({searched} API roots searched)")]
    NoCollection {
        /// The URL given.
        url: String,
        /// The collection asked for.
        id: String,
        /// How many API roots were searched.
        searched: usize,
    },
    /// The collection exists but cannot be read.
    #[error("collection {id:?} cannot be read with these credentials")]
    NotReadable {
        /// The collection.
        id: String,
    },
    /// The server sent a page it had already sent: its `next` would never end.
    #[error("the server repeats the same page (next {next:?}): stopped")]
    RepeatingNext {
        /// The `next` value.
        next: String,
    },
    /// The server keeps sending empty pages that say there is more.
    #[error("the server sent {count} empty pages in a row, each saying more: true: stopped")]
    EmptyPages {
        /// Empty pages in a row.
        count: u32,
    },
    /// The server says there is more but gives no way to ask for it.
    #[error(
        "the server says there is more but gives neither a next nor a later X-TAXII-Date-Added-Last: stopped"
    )]
    NoProgress,
    /// A TAXII header that does not parse.
    #[error("invalid {name} header {value:?}")]
    Header {
        /// The header.
        name: &'static str,
        /// Its value (at most 60 characters of it).
        value: String,
    },
    /// The first page alone is larger than the byte budget of the pull.
    #[error("a page is larger than the byte budget of {limit} bytes")]
    PageOverBudget {
        /// The budget.
        limit: u64,
    },
    /// The page callback failed (the caller's store, typically); the pull stopped there.
    #[error("storing page {page} failed: {source}")]
    Callback {
        /// The page's number in this pull, from 1.
        page: u32,
        /// The callback's error.
        source: CallbackError,
    },
}
