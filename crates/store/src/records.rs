//! The record tables beside the log, in redb. Everything here is derived from the log and is
//! rebuilt from it when missing, behind or of another schema version.
//!
//! Commits are not fsynced one by one: the log already holds every entry durably. Every
//! [`DURABLE_EVERY`] commits (and when the store closes) a commit is made durable, and after a
//! crash the tables fall back to their last durable commit and replay the log from there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use muninn_model::{AdmiraltyGrade, ItemId, Source, SourceId, Timestamp, Tlp};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::entry::Entry;
use crate::log::FramePos;
use crate::{ItemSummary, ListQuery, SourceSummary, StoreError, StoreStats};

/// Schema version of the record tables. A mismatch means: drop and rebuild from the log.
const RECORDS_SCHEMA_VERSION: u64 = 1;
/// Make a commit durable after this many non-durable ones, or after [`DURABLE_INTERVAL`].
const DURABLE_EVERY: u32 = 64;
const DURABLE_INTERVAL: Duration = Duration::from_secs(2);

const META: TableDefinition<'_, &str, u64> = TableDefinition::new("meta");
const ID_TO_SEQ: TableDefinition<'_, &[u8], u64> = TableDefinition::new("id_to_seq");
const ITEMS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("items");
const BY_SOURCE: TableDefinition<'_, (&str, u64), ()> = TableDefinition::new("items_by_source");
const SOURCES: TableDefinition<'_, &str, &str> = TableDefinition::new("sources");
const CHECKPOINTS: TableDefinition<'_, &str, u64> = TableDefinition::new("checkpoints");
const DUPLICATES: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("duplicates");
/// (dimension, key) → count: items per language, TLP and source; duplicates per source; and
/// the newest collection time per source.
const COUNTS: TableDefinition<'_, (&str, &str), u64> = TableDefinition::new("counts");

/// How far the tables reflect the log: the last applied frame's seq and the end of its frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    pub seq: u64,
    pub segment: u64,
    pub end_offset: u64,
}

/// An item's row: its place in the log and what listings show.
#[derive(Debug, Serialize, Deserialize)]
struct ItemRow {
    id: [u8; 16],
    segment: u64,
    offset: u64,
    len: u32,
    source: String,
    collected_ms: i64,
    event_ms: Option<i64>,
    title: Option<String>,
    lang: Option<String>,
    tlp: Tlp,
    grade: AdmiraltyGrade,
    duplicates: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct DuplicateRow {
    item: [u8; 16],
    source: String,
    collected_ms: i64,
}

pub(crate) struct Records {
    db: Database,
    path: PathBuf,
    commits_since_durable: u32,
    last_durable: Instant,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records").field("path", &self.path).finish()
    }
}

/// Attaches the database path to an engine error.
trait OrRecords<T> {
    fn or_records(self, path: &Path) -> Result<T, StoreError>;
}

impl<T, E: Into<redb::Error>> OrRecords<T> for Result<T, E> {
    fn or_records(self, path: &Path) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Records { path: path.to_owned(), source: source.into() })
    }
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
        let mut records =
            Records { db, path: path.to_owned(), commits_since_durable: 0, last_durable: Instant::now() };
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
        StoreError::Corrupt { path: self.path.clone(), offset: 0, detail }
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
        }
        tx.commit().or_records(&self.path)
    }

    pub(crate) fn applied(&self) -> Result<Option<Applied>, StoreError> {
        match (self.meta("applied_seq")?, self.meta("applied_segment")?, self.meta("applied_end")?) {
            (Some(seq), Some(segment), Some(end_offset)) => Ok(Some(Applied { seq, segment, end_offset })),
            _ => Ok(None),
        }
    }

    /// Applies decoded log entries in one transaction, and records how far the tables now reach.
    pub(crate) fn apply(
        &mut self,
        entries: &[(u64, FramePos, &Entry)],
        applied: Applied,
    ) -> Result<(), StoreError> {
        let durable = self.commits_since_durable + 1 >= DURABLE_EVERY
            || self.last_durable.elapsed() >= DURABLE_INTERVAL;
        let mut tx = self.db.begin_write().or_records(&self.path)?;
        if durable {
            tx.set_durability(Durability::Immediate).or_records(&self.path)?;
            tx.set_quick_repair(true);
        } else {
            tx.set_durability(Durability::None).or_records(&self.path)?;
        }
        {
            let mut id_to_seq = tx.open_table(ID_TO_SEQ).or_records(&self.path)?;
            let mut items = tx.open_table(ITEMS).or_records(&self.path)?;
            let mut by_source = tx.open_table(BY_SOURCE).or_records(&self.path)?;
            let mut sources = tx.open_table(SOURCES).or_records(&self.path)?;
            let mut checkpoints = tx.open_table(CHECKPOINTS).or_records(&self.path)?;
            let mut duplicates = tx.open_table(DUPLICATES).or_records(&self.path)?;
            let mut counts = tx.open_table(COUNTS).or_records(&self.path)?;
            // Counts change once per batch, not once per item: (dimension, key) -> delta.
            let mut deltas: HashMap<(&'static str, String), u64> = HashMap::new();
            let mut newest: HashMap<String, u64> = HashMap::new();
            for (seq, pos, entry) in entries {
                match entry {
                    Entry::Item { item, .. } => {
                        if id_to_seq.insert(&item.id.0[..], *seq).or_records(&self.path)?.is_some() {
                            return Err(self.corrupt(format!("item {} appears twice in the log", item.id)));
                        }
                        let row = ItemRow {
                            id: item.id.0,
                            segment: pos.segment,
                            offset: pos.offset,
                            len: pos.len,
                            source: item.source.to_string(),
                            collected_ms: item.collected_at.as_millisecond(),
                            event_ms: item.event_time.map(|t| t.as_millisecond()),
                            title: item.title.as_deref().map(|t| truncate_chars(t, 300).to_owned()),
                            lang: item.language.as_ref().map(|l| l.as_str().to_owned()),
                            tlp: item.markings.tlp,
                            grade: item.grade,
                            duplicates: 0,
                        };
                        items
                            .insert(
                                *seq,
                                serde_json::to_vec(&row).map_err(|e| self.corrupt(e.to_string()))?.as_slice(),
                            )
                            .or_records(&self.path)?;
                        by_source.insert((item.source.as_str(), *seq), ()).or_records(&self.path)?;
                        *deltas.entry(("total", "items".to_owned())).or_default() += 1;
                        let lang = row.lang.clone().unwrap_or_else(|| "unknown".to_owned());
                        *deltas.entry(("lang", lang)).or_default() += 1;
                        *deltas.entry(("tlp", item.markings.tlp.short().to_owned())).or_default() += 1;
                        *deltas.entry(("source", row.source.clone())).or_default() += 1;
                        let newest_ms = newest.entry(row.source.clone()).or_default();
                        *newest_ms = (*newest_ms).max(row.collected_ms.max(0) as u64);
                    }
                    Entry::Duplicate(duplicate) => {
                        let row = DuplicateRow {
                            item: duplicate.item.0,
                            source: duplicate.source.to_string(),
                            collected_ms: duplicate.collected_at.as_millisecond(),
                        };
                        duplicates
                            .insert(
                                *seq,
                                serde_json::to_vec(&row).map_err(|e| self.corrupt(e.to_string()))?.as_slice(),
                            )
                            .or_records(&self.path)?;
                        let original =
                            id_to_seq.get(&duplicate.item.0[..]).or_records(&self.path)?.map(|v| v.value());
                        let Some(original) = original else {
                            return Err(self.corrupt(format!("duplicate of unknown item {}", duplicate.item)));
                        };
                        let bytes = items.get(original).or_records(&self.path)?.map(|v| v.value().to_vec());
                        let mut item_row: ItemRow =
                            bytes.and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(|| {
                                self.corrupt(format!("row of item {} unreadable", duplicate.item))
                            })?;
                        item_row.duplicates += 1;
                        items
                            .insert(
                                original,
                                serde_json::to_vec(&item_row)
                                    .map_err(|e| self.corrupt(e.to_string()))?
                                    .as_slice(),
                            )
                            .or_records(&self.path)?;
                        *deltas.entry(("total", "duplicates".to_owned())).or_default() += 1;
                        *deltas.entry(("source_dup", duplicate.source.to_string())).or_default() += 1;
                    }
                    Entry::Checkpoint(checkpoint) => {
                        checkpoints
                            .insert(checkpoint.input.as_str(), checkpoint.position)
                            .or_records(&self.path)?;
                    }
                    Entry::Source(source) => {
                        let json = serde_json::to_string(source).map_err(|e| self.corrupt(e.to_string()))?;
                        sources.insert(source.id.as_str(), json.as_str()).or_records(&self.path)?;
                    }
                }
            }
            for ((dimension, key), delta) in &deltas {
                let current =
                    counts.get((*dimension, key.as_str())).or_records(&self.path)?.map_or(0, |v| v.value());
                counts.insert((*dimension, key.as_str()), current + delta).or_records(&self.path)?;
            }
            for (source, newest_ms) in &newest {
                let current = counts
                    .get(("source_last", source.as_str()))
                    .or_records(&self.path)?
                    .map_or(0, |v| v.value());
                counts
                    .insert(("source_last", source.as_str()), current.max(*newest_ms))
                    .or_records(&self.path)?;
            }
            let mut meta = tx.open_table(META).or_records(&self.path)?;
            meta.insert("applied_seq", applied.seq).or_records(&self.path)?;
            meta.insert("applied_segment", applied.segment).or_records(&self.path)?;
            meta.insert("applied_end", applied.end_offset).or_records(&self.path)?;
        }
        tx.commit().or_records(&self.path)?;
        if durable {
            self.commits_since_durable = 0;
            self.last_durable = Instant::now();
        } else {
            self.commits_since_durable += 1;
        }
        Ok(())
    }

    /// Makes everything applied so far durable (on close).
    fn make_durable(&mut self) -> Result<(), StoreError> {
        if self.commits_since_durable == 0 {
            return Ok(());
        }
        let mut tx = self.db.begin_write().or_records(&self.path)?;
        tx.set_durability(Durability::Immediate).or_records(&self.path)?;
        tx.set_quick_repair(true);
        tx.commit().or_records(&self.path)?;
        self.commits_since_durable = 0;
        Ok(())
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&redb::ReadTransaction) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let read = self.db.begin_read().or_records(&self.path)?;
        f(&read)
    }

    fn row(&self, bytes: &[u8]) -> Result<ItemRow, StoreError> {
        serde_json::from_slice(bytes).map_err(|e| self.corrupt(format!("unreadable item row: {e}")))
    }

    /// Which of these items are stored already (one read transaction for the whole batch).
    pub(crate) fn contains_each(&self, ids: &[ItemId]) -> Result<Vec<bool>, StoreError> {
        self.read(|read| {
            let table = read.open_table(ID_TO_SEQ).or_records(&self.path)?;
            ids.iter().map(|id| Ok(table.get(&id.0[..]).or_records(&self.path)?.is_some())).collect()
        })
    }

    pub(crate) fn position(&self, id: &ItemId) -> Result<Option<(u64, FramePos)>, StoreError> {
        self.read(|read| {
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

fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
