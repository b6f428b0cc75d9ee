//! Muninn's scale-out back end: the same [`muninn_store::ItemStore`] on engines that replicate,
//! so that Muninn's own processes hold nothing that cannot be rebuilt.
//!
//! - **Item log:** a NATS JetStream stream (`log.rs`), replicated (3 replicas on a 3-node
//!   cluster), partitioned by subject (`<stream>.p<N>`, by item id or document key). One message
//!   carries the entries that must apply together (an item and the documents conditional on it
//!   being new) in the store's own entry format ([`muninn_store::wire`]). A batch is
//!   acknowledged once JetStream has acknowledged every message: replicated to a quorum and
//!   written by each replica.
//! - **Record tables:** PostgreSQL (`records.rs`, with migrations), derived from the log by
//!   `muninn worker ingest` processes (`worker.rs`) reading one durable consumer: they apply each
//!   fetched batch in one transaction and acknowledge its messages after the commit. Applying is
//!   idempotent and independent of order (every row carries the log sequence number it came
//!   from), so any number of workers can share the consumer, and one killed in the middle of a
//!   batch loses nothing: its messages are delivered again.
//! - [`ClusterStore`] (`store.rs`) is the `ItemStore` over both: appends go to the log, reads to
//!   the tables.
//! - **Full-text index:** split into shards (a shard indexes the items of some log
//!   partitions). `muninn worker index` processes (`index.rs`) each claim shards (a PostgreSQL
//!   advisory lock per shard), follow the item records of their partitions up to what the
//!   records workers have applied (so an item is indexed once, however often it was published),
//!   and publish each shard's segment files to S3-compatible object storage (`objects.rs`) with
//!   a manifest in PostgreSQL. A searcher ([`SearcherCache`]) fetches and caches the segment
//!   files of every shard and searches them as one index, so relevance is computed over all of
//!   them: the same query gives the same hits as the embedded index.
//! - **Shared locks:** [`SharedLocks`] (`locks.rs`), PostgreSQL advisory locks that every
//!   process of the cluster sees, which is how any number of `muninn serve` processes append to
//!   one audit chain and change watchlists and TAXII collections without losing a write.
//!
//! **Invariant:** the log is the source of truth; every table row is derived from it, and
//! replaying the stream into an empty database gives the same tables.
//! **Invariant:** only this crate knows async-nats and tokio-postgres.

mod config;
mod index;
mod locks;
mod log;
mod objects;
mod records;
mod search;
mod store;
mod worker;

pub use config::{ClusterConfig, S3Config};
pub use index::{IndexWorkerReport, SearcherCache, run_index_worker};
pub use locks::{SharedLockGuard, SharedLocks};
pub use records::ChangedDocument;
pub use search::{SHARD_TIMEOUT, SearchClient, SearchWorkerReport, run_search_worker, search_subject};
pub use store::{ClusterStatus, ClusterStore};
pub use worker::{RECORDS_CONSUMER, WorkerReport, run_records_worker};

/// Runs `future` to completion on `runtime`, from synchronous code. Inside another runtime's
/// context (an HTTP handler of the server, a blocking task of it), where blocking on a runtime is
/// refused, it runs on a scoped thread of its own instead.
/// A tokio runtime of `threads` worker threads named `name`, for a blocking caller.
pub(crate) fn runtime(name: &str, threads: usize) -> Result<tokio::runtime::Runtime, ClusterError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|error| ClusterError::Config(format!("cannot start the async runtime: {error}")))
}

pub(crate) fn block_on<F>(runtime: &tokio::runtime::Runtime, future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return runtime.block_on(future);
    }
    std::thread::scope(|scope| match scope.spawn(|| runtime.block_on(future)).join() {
        Ok(output) => output,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// What the cluster back end can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// The configuration is incomplete or wrong.
    #[error("cluster configuration: {0}")]
    Config(String),
    /// NATS or JetStream refused or failed.
    #[error("NATS JetStream: {0}")]
    Log(String),
    /// The object store refused or failed.
    #[error("object storage: {0}")]
    Objects(String),
    /// The full-text index failed.
    #[error("index: {0}")]
    Index(String),
    /// PostgreSQL refused or failed.
    #[error("PostgreSQL: {0}")]
    Records(String),
    /// A message in the log does not decode: named by its sequence number.
    #[error("log message {seq} is damaged: {detail}")]
    Damaged {
        /// Its stream sequence number.
        seq: u64,
        /// What is wrong.
        detail: String,
    },
    /// Waited too long for something the cluster should do.
    #[error("{0}")]
    Timeout(String),
}

impl From<tokio_postgres::Error> for ClusterError {
    fn from(error: tokio_postgres::Error) -> ClusterError {
        // The server's message when there is one (`{error}` alone says only "db error").
        match error.as_db_error() {
            Some(db) => ClusterError::Records(format!("{}: {}", db.code().code(), db.message())),
            None => ClusterError::Records(error.to_string()),
        }
    }
}

impl From<ClusterError> for muninn_store::StoreError {
    fn from(error: ClusterError) -> muninn_store::StoreError {
        muninn_store::StoreError::Backend(error.to_string())
    }
}
