//! Muninn's store: where items live once acknowledged.
//!
//! The pipeline talks to the [`ItemStore`] trait. [`EmbeddedStore`] implements it in one data
//! directory: an append-only, checksummed item log (the source of truth) and redb record tables
//! derived from it. A distributed back end (JetStream and PostgreSQL) implements the same trait.
//!
//! Besides items the store keeps [`Document`]s: keyed records that are not derived from items
//! (watchlists, alerts and their triage state). They live in the same log, are made durable in the
//! same fsync as the items they are appended with, and the latest version per key is what reads
//! return. The store does not know what they mean: a table name, a key and opaque bytes.
//!
//! **Invariant:** an [`ItemStore::append`] that returns `Ok` has made every entry of its batch
//! durable (fsynced). An fsync failure stops the store; it must be reopened.

mod document;
mod embedded;
mod entry;
mod error;
mod log;
mod records;
mod row;
pub mod wire;

use std::collections::HashSet;

use muninn_model::{AdmiraltyGrade, Item, ItemId, Source, SourceId, Timestamp, Tlp};

pub use document::{Document, MAX_DOCUMENT_VALUE_BYTES, MAX_KEY_BYTES, MAX_TABLE_CHARS};
pub use embedded::{EmbeddedStore, FORMAT_VERSION, FaultPlan, StoreConfig, VerifyReport};
pub use error::{ErrorCode, StoreError};

/// What an append does with one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// A new item, now durable at this log sequence number.
    Stored {
        /// Its id.
        id: ItemId,
        /// Its sequence number in the log.
        seq: u64,
    },
    /// The same content is already stored under this id; the sighting was counted.
    Duplicate {
        /// The id of the stored item.
        id: ItemId,
    },
}

/// A batch to make durable with one fsync (group commit).
#[derive(Debug, Default)]
pub struct AppendBatch {
    /// Items with the raw bytes to keep beside them.
    pub items: Vec<(Item, Option<Vec<u8>>)>,
    /// Inputs consumed up to a position, recorded atomically with the items.
    pub checkpoints: Vec<(String, u64)>,
    /// Documents to write atomically with the items, in this order, after them. A document whose
    /// [`Document::if_new_item`] names an item this batch does not store new is dropped.
    pub documents: Vec<Document>,
}

/// What [`ItemStore::append_with_report`] did with a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppendReport {
    /// One per item, in batch order (what [`ItemStore::append`] returns).
    pub outcomes: Vec<AppendOutcome>,
    /// Documents written: those without a condition, and those whose item was stored new.
    pub documents_written: usize,
}

/// Which items to list.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// Only this source.
    pub source: Option<SourceId>,
    /// Only items after this log sequence number (the cursor of the previous page).
    pub after_seq: Option<u64>,
    /// Page size.
    pub limit: u32,
}

/// An item's record without its text.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemSummary {
    /// Log sequence number (also the listing cursor).
    pub seq: u64,
    /// Item id.
    pub id: ItemId,
    /// Source.
    pub source: SourceId,
    /// Collection time.
    pub collected_at: Timestamp,
    /// Event time.
    pub event_time: Option<Timestamp>,
    /// Title, cut to 300 characters.
    pub title: Option<String>,
    /// Language code.
    pub language: Option<String>,
    /// TLP label.
    pub tlp: Tlp,
    /// Admiralty grade.
    pub grade: AdmiraltyGrade,
    /// How many times the same content arrived again.
    pub duplicates: u64,
}

/// A source with its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSummary {
    /// The source.
    pub source: Source,
    /// Items first collected from it.
    pub items: u64,
    /// Duplicates it delivered.
    pub duplicates_seen: u64,
    /// Newest collection time of its items.
    pub last_collected_at: Option<Timestamp>,
}

/// Counts over the whole store.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoreStats {
    /// Distinct items.
    pub items: u64,
    /// Duplicate arrivals counted.
    pub duplicates_seen: u64,
    /// Sources defined.
    pub sources: u64,
    /// Inputs with a resume checkpoint.
    pub inputs_checkpointed: u64,
    /// Items per language.
    pub by_language: Vec<(String, u64)>,
    /// Items per TLP label.
    pub by_tlp: Vec<(String, u64)>,
    /// Items per source.
    pub by_source: Vec<(String, u64)>,
    /// Bytes in the log.
    pub log_bytes: u64,
    /// Segment files in the log.
    pub log_segments: u64,
    /// The last log sequence number written.
    pub last_seq: u64,
}

/// The store as the pipeline sees it. `Send`: ingest appends a batch on a thread of its own
/// while it prepares the next.
pub trait ItemStore: Send {
    /// Makes a batch durable. `Ok` means every entry is fsynced; outcomes are in batch order.
    ///
    /// Every document is checked first: one that is refused fails the whole batch with
    /// [`StoreError::InvalidDocument`], and nothing of it is written.
    fn append(&mut self, batch: AppendBatch) -> Result<Vec<AppendOutcome>, StoreError>;
    /// [`ItemStore::append`], also counting the documents written.
    ///
    /// The count follows from the outcomes (a conditional document is written exactly when its
    /// item's outcome is [`AppendOutcome::Stored`]), so this is not a second write path: stores
    /// implement `append` only.
    fn append_with_report(&mut self, batch: AppendBatch) -> Result<AppendReport, StoreError> {
        let conditions: Vec<Option<ItemId>> = batch.documents.iter().map(|d| d.if_new_item).collect();
        let outcomes = self.append(batch)?;
        let documents_written = if conditions.iter().all(Option::is_none) {
            conditions.len()
        } else {
            let stored: HashSet<ItemId> = outcomes
                .iter()
                .filter_map(|outcome| match outcome {
                    AppendOutcome::Stored { id, .. } => Some(*id),
                    AppendOutcome::Duplicate { .. } => None,
                })
                .collect();
            conditions.iter().filter(|condition| condition.is_none_or(|id| stored.contains(&id))).count()
        };
        Ok(AppendReport { outcomes, documents_written })
    }
    /// Defines or redefines a source, durably.
    fn put_source(&mut self, source: Source) -> Result<(), StoreError>;
    /// One source.
    fn source(&self, id: &SourceId) -> Result<Option<Source>, StoreError>;
    /// Every source with its counts.
    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError>;
    /// One item, read from the log and checked.
    fn item(&self, id: &ItemId) -> Result<Option<Item>, StoreError>;
    /// Several items at once, in the order asked (`None` for an id not stored). Back ends
    /// where each read is a round trip (the cluster's database) answer in one.
    fn items(&self, ids: &[ItemId]) -> Result<Vec<Option<Item>>, StoreError> {
        ids.iter().map(|id| self.item(id)).collect()
    }
    /// The raw bytes an item was read from.
    fn raw(&self, id: &ItemId) -> Result<Option<Vec<u8>>, StoreError>;
    /// A page of item records in log order.
    fn list(&self, query: &ListQuery) -> Result<Vec<ItemSummary>, StoreError>;
    /// How far an input has been ingested.
    fn checkpoint(&self, input: &str) -> Result<Option<u64>, StoreError>;
    /// Counts.
    fn stats(&self) -> Result<StoreStats, StoreError>;
    /// Writes documents durably (one fsync for all of them), in order. Each must be valid and
    /// unconditional (`if_new_item` is `None`); otherwise nothing is written and the error is
    /// [`StoreError::InvalidDocument`].
    fn put_documents(&mut self, documents: Vec<Document>) -> Result<(), StoreError>;
    /// The latest value of a document; `None` if the key was never written or is deleted.
    fn document(&self, table: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// A page of a table's documents: up to `limit` (key, value) pairs with keys after
    /// `after_key` (the last key of the previous page), in the byte order of the keys.
    fn documents(
        &self,
        table: &str,
        after_key: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError>;
    /// How many keys a table holds (deleted keys not counted).
    fn document_count(&self, table: &str) -> Result<u64, StoreError>;
    /// Visits the stored items after a log sequence number, in log order (the feed of the
    /// full-text index and of `reindex`, which passes 0).
    fn for_each_item(
        &self,
        after_seq: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
}
