//! The record tables beside the log, in redb. Everything here is derived from the log and is
//! rebuilt from it when missing, behind or of another schema version.
//!
//! Commits are not fsynced one by one: the log already holds every entry durably. Every
//! [`DURABLE_EVERY`] commits (and when the store closes) a commit is made durable, and after a
//! crash the tables fall back to their last durable commit and replay the log from there.

mod documents;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use muninn_model::{ItemId, Source, SourceId, Timestamp};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

use self::writer::{Job, Shared, Writer, lock};
use serde::{Deserialize, Serialize};

use crate::entry::Entry;
use crate::log::FramePos;
use crate::row::ItemRow;
use crate::{ItemSummary, ListQuery, SourceSummary, StoreError, StoreStats};

/// Schema version of the record tables. A mismatch means: drop and rebuild from the log.
/// 3: documents (entry kind 5) and their table.
const RECORDS_SCHEMA_VERSION: u64 = 3;
/// Entries gathered before they are handed to the writer thread.
const WRITE_BEHIND: usize = 32_768;

pub(super) const META: TableDefinition<'_, &str, u64> = TableDefinition::new("meta");
pub(super) const ID_TO_SEQ: TableDefinition<'_, &[u8], u64> = TableDefinition::new("id_to_seq");
pub(super) const ITEMS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("items");
pub(super) const BY_SOURCE: TableDefinition<'_, (&str, u64), ()> = TableDefinition::new("items_by_source");
pub(super) const SOURCES: TableDefinition<'_, &str, &str> = TableDefinition::new("sources");
pub(super) const CHECKPOINTS: TableDefinition<'_, &str, u64> = TableDefinition::new("checkpoints");
pub(super) const DUPLICATES: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("duplicates");
/// (dimension, key) → count: items per language, TLP and source; duplicates per source; and
/// the newest collection time per source; keys per document table.
pub(super) const COUNTS: TableDefinition<'_, (&str, &str), u64> = TableDefinition::new("counts");
/// (table, key) → the log position of the document's latest version (see `documents.rs`).
/// Deleted keys have no row. The number of keys per table is in [`COUNTS`] as
/// ("documents", table).
pub(super) const DOCUMENTS: TableDefinition<'_, (&str, &str), &[u8]> = TableDefinition::new("documents");

/// How far the tables reflect the log: the last applied frame's seq and the end of its frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    pub seq: u64,
    pub segment: u64,
    pub end_offset: u64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct DuplicateRow {
    pub item: [u8; 16],
    pub source: String,
    pub collected_ms: i64,
}

pub(crate) struct Records {
    db: Arc<Database>,
    path: PathBuf,
    shared: Arc<Mutex<Shared>>,
    /// Applied entries not yet handed to the writer.
    buffer: Mutex<Buffer>,
    writer: Writer,
}

#[derive(Default)]
struct Buffer {
    entries: Vec<(u64, FramePos, Entry)>,
    applied: Option<Applied>,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records").field("path", &self.path).finish()
    }
}

/// Attaches the database path to an engine error.
pub(super) trait OrRecords<T> {
    fn or_records(self, path: &Path) -> Result<T, StoreError>;
}

impl<T, E: Into<redb::Error>> OrRecords<T> for Result<T, E> {
    fn or_records(self, path: &Path) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Records { path: path.to_owned(), source: source.into() })
    }
}

fn corrupt(path: &Path, detail: String) -> StoreError {
    StoreError::Corrupt { path: path.to_owned(), offset: 0, detail }
}

fn from_millis(value: i64) -> Timestamp {
    Timestamp::from_millisecond(value).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl Records {
    pub(crate) fn open(path: &Path) -> Result<Records, StoreError> {
        let db = redb::Builder::new()
            .set_cache_size(256 << 20)
            .create(path)
            .map_err(|source| StoreError::Records { path: path.to_owned(), source: source.into() })?;
        let db = Arc::new(db);
        let shared = Arc::new(Mutex::new(Shared::default()));
        let writer = Writer::start(Arc::clone(&db), path.to_owned(), Arc::clone(&shared))?;
        let mut records =
            Records { db, path: path.to_owned(), shared, buffer: Mutex::new(Buffer::default()), writer };
        match records.meta("schema_version")? {
            Some(RECORDS_SCHEMA_VERSION) => {}
            Some(other) => {
                tracing::warn!(
                    found = other,
                    expected = RECORDS_SCHEMA_VERSION,
                    "record tables of another schema version; rebuilding from the log"
                );
                records.clear()?;
            }
            None => records.clear()?,
        }
        Ok(records)
    }

    fn corrupt(&self, detail: String) -> StoreError {
        corrupt(&self.path, detail)
    }

    fn meta(&self, key: &str) -> Result<Option<u64>, StoreError> {
        let read = self.db.begin_read().or_records(&self.path)?;
        let table = match read.open_table(META) {
            Ok(table) => table,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(error) => {
                return Err(StoreError::Records { path: self.path.clone(), source: error.into() });
            }
        };
        Ok(table.get(key).or_records(&self.path)?.map(|value| value.value()))
    }

    /// Drops every derived row so that the tables are rebuilt from the start of the log.
    pub(crate) fn clear(&mut self) -> Result<(), StoreError> {
        self.flush()?;
        {
            let mut shared = lock(&self.shared);
            shared.ids.clear();
            shared.documents.clear();
        }
        let mut tx = self.db.begin_write().or_records(&self.path)?;
        tx.set_durability(Durability::Immediate).or_records(&self.path)?;
        {
            tx.delete_table(META).or_records(&self.path)?;
            tx.delete_table(ID_TO_SEQ).or_records(&self.path)?;
            tx.delete_table(ITEMS).or_records(&self.path)?;
            tx.delete_table(BY_SOURCE).or_records(&self.path)?;
            tx.delete_table(SOURCES).or_records(&self.path)?;
            tx.delete_table(CHECKPOINTS).or_records(&self.path)?;
            tx.delete_table(DUPLICATES).or_records(&self.path)?;
            tx.delete_table(COUNTS).or_records(&self.path)?;
            tx.delete_table(DOCUMENTS).or_records(&self.path)?;
            let mut meta = tx.open_table(META).or_records(&self.path)?;
            meta.insert("schema_version", RECORDS_SCHEMA_VERSION).or_records(&self.path)?;
            // Create every table, so that readers never meet a missing one.
            tx.open_table(ID_TO_SEQ).or_records(&self.path)?;
            tx.open_table(ITEMS).or_records(&self.path)?;
            tx.open_table(BY_SOURCE).or_records(&self.path)?;
            tx.open_table(SOURCES).or_records(&self.path)?;
            tx.open_table(CHECKPOINTS).or_records(&self.path)?;
            tx.open_table(DUPLICATES).or_records(&self.path)?;
            tx.open_table(COUNTS).or_records(&self.path)?;
            tx.open_table(DOCUMENTS).or_records(&self.path)?;
        }
        tx.commit().or_records(&self.path)
    }

    pub(crate) fn applied(&self) -> Result<Option<Applied>, StoreError> {
        match (self.meta("applied_seq")?, self.meta("applied_segment")?, self.meta("applied_end")?) {
            (Some(seq), Some(segment), Some(end_offset)) => Ok(Some(Applied { seq, segment, end_offset })),
            _ => Ok(None),
        }
    }

    fn buffer(&self) -> MutexGuard<'_, Buffer> {
        self.buffer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check_writer(&self) -> Result<(), StoreError> {
        match &lock(&self.shared).failure {
            Some(cause) => Err(StoreError::Stopped { cause: format!("record tables: {cause}") }),
            None => Ok(()),
        }
    }

    /// Takes decoded log entries, in log order, and records how far the tables will then reach.
    /// They are written behind, in groups, by the writer thread; reads see them at once.
    pub(crate) fn apply(
        &mut self,
        entries: Vec<(u64, FramePos, Entry)>,
        applied: Applied,
    ) -> Result<(), StoreError> {
        self.check_writer()?;
        let full = {
            let mut buffer = self.buffer();
            let mut shared = lock(&self.shared);
            for (seq, pos, mut entry) in entries {
                // The tables never need raw bytes or document values.
                entry.drop_payload();
                match &entry {
                    Entry::Item { item, .. } => {
                        shared.ids.insert(item.id, (seq, pos));
                    }
                    Entry::Document(document) => {
                        let latest = document.value.is_some().then_some(pos);
                        shared
                            .documents
                            .insert((document.table.clone(), document.key.clone()), (seq, latest));
                    }
                    _ => {}
                }
                buffer.entries.push((seq, pos, entry));
            }
            buffer.applied = Some(applied);
            buffer.entries.len() >= WRITE_BEHIND
        };
        if full {
            self.hand_off()?;
        }
        Ok(())
    }

    /// Hands the buffered entries to the writer.
    fn hand_off(&self) -> Result<(), StoreError> {
        let (entries, applied) = {
            let mut buffer = self.buffer();
            // The next buffer starts as large as this one ended: growing a buffer of 32k
            // entries by doubling copied it and faulted in fresh pages at every step.
            let capacity = buffer.entries.len();
            (std::mem::replace(&mut buffer.entries, Vec::with_capacity(capacity)), buffer.applied.take())
        };
        let Some(applied) = applied else {
            return Ok(());
        };
        if !self.writer.send(Job::Write { entries, applied }) {
            return Err(StoreError::Stopped { cause: "the record writer has stopped".to_owned() });
        }
        Ok(())
    }

    /// Writes everything applied so far to the tables, and waits for it.
    pub(crate) fn flush(&self) -> Result<(), StoreError> {
        self.hand_off()?;
        if !self.writer.sync(false) {
            return Err(StoreError::Stopped { cause: "the record writer has stopped".to_owned() });
        }
        self.check_writer()
    }

    /// Writes everything and makes it durable (on close).
    fn make_durable(&self) -> Result<(), StoreError> {
        self.hand_off()?;
        self.writer.sync(true);
        self.check_writer()
    }

    /// A read of the tables as they stand after every applied entry.
    fn read<T>(
        &self,
        f: impl FnOnce(&redb::ReadTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.flush()?;
        self.read_written(f)
    }

    /// A read of what is written, ignoring pending entries.
    fn read_written<T>(
        &self,
        f: impl FnOnce(&redb::ReadTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let read = self.db.begin_read().or_records(&self.path)?;
        f(&read)
    }

    fn row(&self, bytes: &[u8]) -> Result<ItemRow, StoreError> {
        ItemRow::decode(bytes).ok_or_else(|| self.corrupt("unreadable item row".to_owned()))
    }

    /// Which of these items are stored already (one read transaction for the whole batch).
    pub(crate) fn contains_each(&self, ids: &[ItemId]) -> Result<Vec<bool>, StoreError> {
        let in_pending: Vec<bool> = {
            let shared = lock(&self.shared);
            ids.iter().map(|id| shared.ids.contains_key(id)).collect()
        };
        self.read_written(|read| {
            let table = read.open_table(ID_TO_SEQ).or_records(&self.path)?;
            ids.iter()
                .zip(in_pending)
                .map(|(id, pending)| Ok(pending || table.get(&id.0[..]).or_records(&self.path)?.is_some()))
                .collect()
        })
    }

    pub(crate) fn position(&self, id: &ItemId) -> Result<Option<(u64, FramePos)>, StoreError> {
        if let Some(found) = lock(&self.shared).ids.get(id) {
            return Ok(Some(*found));
        }
        self.read_written(|read| {
            let index = read.open_table(ID_TO_SEQ).or_records(&self.path)?;
            let Some(seq) = index.get(&id.0[..]).or_records(&self.path)?.map(|v| v.value()) else {
                return Ok(None);
            };
            let items = read.open_table(ITEMS).or_records(&self.path)?;
            let bytes = items
                .get(seq)
                .or_records(&self.path)?
                .ok_or_else(|| self.corrupt(format!("item {id} indexed without a row")))?;
            let row = self.row(bytes.value())?;
            Ok(Some((seq, FramePos { segment: row.segment, offset: row.offset, len: row.len })))
        })
    }

    pub(crate) fn checkpoint(&self, input: &str) -> Result<Option<u64>, StoreError> {
        self.read(|read| {
            let table = read.open_table(CHECKPOINTS).or_records(&self.path)?;
            Ok(table.get(input).or_records(&self.path)?.map(|v| v.value()))
        })
    }

    fn parse_source(&self, json: &str) -> Result<Source, StoreError> {
        serde_json::from_str(json).map_err(|error| self.corrupt(format!("unreadable source row: {error}")))
    }

    pub(crate) fn source(&self, id: &SourceId) -> Result<Option<Source>, StoreError> {
        self.read(|read| {
            let table = read.open_table(SOURCES).or_records(&self.path)?;
            let json = table.get(id.as_str()).or_records(&self.path)?.map(|v| v.value().to_owned());
            json.map(|json| self.parse_source(&json)).transpose()
        })
    }

    fn counts(&self) -> Result<Vec<(String, String, u64)>, StoreError> {
        self.read(|read| {
            let table = read.open_table(COUNTS).or_records(&self.path)?;
            let mut out = Vec::new();
            for entry in table.iter().or_records(&self.path)? {
                let (key, value) = entry.or_records(&self.path)?;
                let (dimension, name) = key.value();
                out.push((dimension.to_owned(), name.to_owned(), value.value()));
            }
            Ok(out)
        })
    }

    pub(crate) fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        let counts = self.counts()?;
        let count = |dimension: &str, name: &str| {
            counts.iter().find(|(d, n, _)| d == dimension && n == name).map(|(_, _, v)| *v)
        };
        let rows: Vec<String> = self.read(|read| {
            let table = read.open_table(SOURCES).or_records(&self.path)?;
            let mut rows = Vec::new();
            for entry in table.iter().or_records(&self.path)? {
                rows.push(entry.or_records(&self.path)?.1.value().to_owned());
            }
            Ok(rows)
        })?;
        rows.iter()
            .map(|json| {
                let source = self.parse_source(json)?;
                let id = source.id.to_string();
                Ok(SourceSummary {
                    items: count("source", &id).unwrap_or(0),
                    duplicates_seen: count("source_dup", &id).unwrap_or(0),
                    last_collected_at: count("source_last", &id).map(|ms| from_millis(ms as i64)),
                    source,
                })
            })
            .collect()
    }

    fn summary(&self, seq: u64, row: ItemRow) -> Result<ItemSummary, StoreError> {
        Ok(ItemSummary {
            seq,
            id: ItemId(row.id),
            source: SourceId::new(&row.source).map_err(|e| self.corrupt(e.to_string()))?,
            collected_at: from_millis(row.collected_ms),
            event_time: row.event_ms.map(from_millis),
            title: row.title,
            language: row.lang,
            tlp: row.tlp,
            grade: row.grade,
            duplicates: row.duplicates,
        })
    }

    pub(crate) fn list(&self, query: &ListQuery) -> Result<Vec<ItemSummary>, StoreError> {
        let start = query.after_seq.map_or(0, |after| after.saturating_add(1));
        let limit = query.limit as usize;
        self.read(|read| {
            let items = read.open_table(ITEMS).or_records(&self.path)?;
            let mut out = Vec::new();
            match &query.source {
                Some(source) => {
                    let index = read.open_table(BY_SOURCE).or_records(&self.path)?;
                    let range = index
                        .range((source.as_str(), start)..=(source.as_str(), u64::MAX))
                        .or_records(&self.path)?;
                    for entry in range.take(limit) {
                        let seq = entry.or_records(&self.path)?.0.value().1;
                        let bytes = items
                            .get(seq)
                            .or_records(&self.path)?
                            .ok_or_else(|| self.corrupt(format!("seq {seq} indexed without a row")))?;
                        out.push(self.summary(seq, self.row(bytes.value())?)?);
                    }
                }
                None => {
                    for entry in items.range(start..).or_records(&self.path)?.take(limit) {
                        let (seq, bytes) = entry.or_records(&self.path)?;
                        out.push(self.summary(seq.value(), self.row(bytes.value())?)?);
                    }
                }
            }
            Ok(out)
        })
    }

    pub(crate) fn stats(&self) -> Result<StoreStats, StoreError> {
        let counts = self.counts()?;
        let grouped = |dimension: &str| -> Vec<(String, u64)> {
            let mut list: Vec<(String, u64)> =
                counts.iter().filter(|(d, _, _)| d == dimension).map(|(_, n, v)| (n.clone(), *v)).collect();
            list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            list
        };
        let total =
            |name: &str| counts.iter().find(|(d, n, _)| d == "total" && n == name).map_or(0, |(_, _, v)| *v);
        let (sources, inputs_checkpointed) = self.read(|read| {
            let sources = read.open_table(SOURCES).or_records(&self.path)?.len().or_records(&self.path)?;
            let checkpoints =
                read.open_table(CHECKPOINTS).or_records(&self.path)?.len().or_records(&self.path)?;
            Ok((sources, checkpoints))
        })?;
        Ok(StoreStats {
            items: total("items"),
            duplicates_seen: total("duplicates"),
            sources,
            inputs_checkpointed,
            by_language: grouped("lang"),
            by_tlp: grouped("tlp"),
            by_source: grouped("source"),
            log_bytes: 0,
            log_segments: 0,
            last_seq: 0,
        })
    }

    /// Every item row's (seq, id, position), in seq order: for verification.
    pub(crate) fn all_positions(&self) -> Result<Vec<(u64, ItemId, FramePos)>, StoreError> {
        self.read(|read| {
            let items = read.open_table(ITEMS).or_records(&self.path)?;
            let mut out = Vec::new();
            for entry in items.iter().or_records(&self.path)? {
                let (seq, bytes) = entry.or_records(&self.path)?;
                let row = self.row(bytes.value())?;
                out.push((
                    seq.value(),
                    ItemId(row.id),
                    FramePos { segment: row.segment, offset: row.offset, len: row.len },
                ));
            }
            Ok(out)
        })
    }
}

impl Drop for Records {
    fn drop(&mut self) {
        if let Err(error) = self.make_durable() {
            tracing::warn!(%error, "record tables not made durable on close; they will catch up from the log");
        }
    }
}

pub(super) fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
