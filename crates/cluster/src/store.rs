//! [`ClusterStore`]: the [`ItemStore`] of cluster mode.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use muninn_model::{Item, ItemId, Source, SourceId};
use muninn_store::wire::{LogEntry, decode_message, encode_message};
use muninn_store::{
    AppendBatch, AppendOutcome, Document, ItemStore, ItemSummary, ListQuery, SourceSummary, StoreError,
    StoreStats,
};

use crate::log::{Acked, ItemLog, Outgoing};
use crate::records::{ChangedDocument, Records};
use crate::worker::RECORDS_CONSUMER;
use crate::{ClusterConfig, ClusterError};

/// How long a write that must be readable at once (a source, a document) waits for the
/// records workers to apply it.
const READ_YOUR_WRITES: Duration = Duration::from_secs(30);

/// The item log on JetStream and the record tables on PostgreSQL, as one [`ItemStore`].
///
/// Appends return once JetStream has acknowledged every message (replicated and written).
/// Item records become readable when a `muninn worker ingest` has applied them, usually within
/// milliseconds: reads lag appends. [`ItemStore::put_source`] and
/// [`ItemStore::put_documents`] wait for that, so a caller reads what it just wrote;
/// [`ClusterStore::wait_applied`] does the same for everything this store appended.
pub struct ClusterStore {
    runtime: tokio::runtime::Runtime,
    log: ItemLog,
    records: Records,
    /// The highest sequence number this store has had acknowledged.
    last_acked: u64,
    schema_version: i32,
    /// Message ids of entries that are not items: unique per process and message.
    id_prefix: String,
    next_id: AtomicU64,
}

impl std::fmt::Debug for ClusterStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterStore")
            .field("stream", &self.log.config.stream)
            .field("last_acked", &self.last_acked)
            .finish()
    }
}

/// Where the log and the record tables stand ([`ClusterStore::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterStatus {
    /// The stream's name.
    pub stream: String,
    /// Its replicas.
    pub replicas: usize,
    /// Its partitions.
    pub partitions: u32,
    /// Messages in it.
    pub messages: u64,
    /// Bytes in it.
    pub bytes: u64,
    /// Its last sequence number.
    pub last_seq: u64,
    /// The records workers have applied every message up to this one.
    pub records_applied_through: u64,
    /// Messages the records workers have not yet applied.
    pub records_pending: u64,
    /// The database's schema version.
    pub schema_version: i32,
}

impl ClusterStore {
    /// Connects to both engines, creates the stream if it does not exist and migrates the
    /// database's schema.
    pub fn connect(config: &ClusterConfig) -> Result<ClusterStore, ClusterError> {
        config.validate()?;
        let runtime = crate::runtime("muninn-cluster", 1)?;
        let (log, records, schema_version) = runtime.block_on(async {
            let log = ItemLog::connect(config).await?;
            let mut records = Records::connect(&config.postgres, config.partitions).await?;
            let schema_version = records.migrate().await?;
            // The records consumer exists from the start, so that its acknowledgement floor
            // covers every message (read-your-writes waits on it).
            log.durable_consumer(RECORDS_CONSUMER).await?;
            Ok::<_, ClusterError>((log, records, schema_version))
        })?;
        let random = std::collections::hash_map::RandomState::new().build_hasher().finish();
        Ok(ClusterStore {
            runtime,
            log,
            records,
            last_acked: 0,
            schema_version,
            id_prefix: format!("m.{random:016x}.{}", std::process::id()),
            next_id: AtomicU64::new(0),
        })
    }

    fn message_id(&self) -> String {
        format!("{}.{}", self.id_prefix, self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    fn item_partition(&self, id: &ItemId) -> u32 {
        crate::config::partition_of(&id.0, self.log.config.partitions)
    }

    fn message(&self, partition: u32, id: String, entries: Vec<LogEntry>) -> Result<Outgoing, StoreError> {
        Ok(Outgoing { partition, id, payload: encode_message(entries)? })
    }

    fn publish(&mut self, messages: Vec<Outgoing>) -> Result<Vec<Acked>, StoreError> {
        let acks = crate::block_on(&self.runtime, self.log.publish(messages))?;
        self.last_acked = acks.iter().map(|ack| ack.seq).fold(self.last_acked, u64::max);
        Ok(acks)
    }

    /// Waits until the records workers have applied every message up to `seq`.
    pub fn wait_applied(&self, seq: u64, patience: Duration) -> Result<(), ClusterError> {
        let started = Instant::now();
        crate::block_on(&self.runtime, async {
            loop {
                let floor = self.log.ack_floor(RECORDS_CONSUMER).await?;
                if floor >= seq {
                    return Ok(());
                }
                if started.elapsed() > patience {
                    return Err(ClusterError::Timeout(format!(
                        "the record tables have applied the log up to message {floor}, not yet {seq}, after {} s: \
                         is a `muninn worker ingest` running?",
                        patience.as_secs()
                    )));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    }

    /// Waits until everything this store appended is readable.
    pub fn wait_all_applied(&self, patience: Duration) -> Result<(), ClusterError> {
        self.wait_applied(self.last_acked, patience)
    }

    /// Where the log and the record tables stand.
    pub fn status(&self) -> Result<ClusterStatus, ClusterError> {
        crate::block_on(&self.runtime, async {
            let (messages, bytes, last_seq) = self.log.state().await?;
            let (applied_through, pending) = self.log.consumer_progress(RECORDS_CONSUMER).await?;
            Ok(ClusterStatus {
                stream: self.log.config.stream.clone(),
                replicas: self.log.config.replicas,
                partitions: self.log.config.partitions,
                messages,
                bytes,
                last_seq,
                records_applied_through: applied_through,
                records_pending: pending,
                schema_version: self.schema_version,
            })
        })
    }

    /// Every message up to this log sequence number is applied to the record tables.
    pub fn applied_through(&self) -> Result<u64, ClusterError> {
        crate::block_on(&self.runtime, self.log.ack_floor(RECORDS_CONSUMER))
    }

    /// Takes lock `key` for this store's connection lifetime (one worker per partition of a
    /// kind); false if another process holds it.
    pub fn try_lock(&self, key: i64) -> Result<bool, ClusterError> {
        crate::block_on(&self.runtime, self.records.try_lock(key))
    }

    /// The log's partitions.
    pub fn partitions(&self) -> u32 {
        self.log.config.partitions
    }

    /// Visits the items of the log partitions `parts` with sequence numbers in
    /// `(after_seq, through]`, in order, a page at a time.
    pub fn for_each_item_of_partitions(
        &self,
        parts: &[u32],
        after_seq: u64,
        through: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let parts: Vec<i32> = parts.iter().map(|&p| p as i32).collect();
        crate::records::visit_pages(
            after_seq,
            |after| self.block(self.records.partition_items(&parts, after, through, 2000)),
            visit,
        )
    }

    /// The documents of `table` written after log position `after_seq` and applied with
    /// everything before them (up to the records consumer's acknowledgement floor, so none is
    /// skipped while workers apply out of order), in log order: (position, key, value or `None`
    /// when deleted), whole positions, at most `positions` of them. Also the position the
    /// caller has now read up to.
    pub fn documents_since(
        &self,
        table: &str,
        after_seq: u64,
        positions: usize,
    ) -> Result<(u64, Vec<ChangedDocument>), ClusterError> {
        let through = self.applied_through()?;
        let page = crate::block_on(
            &self.runtime,
            self.records.documents_since(table, after_seq, through, positions),
        )?;
        let full = page.iter().map(|(seq, _, _)| seq).collect::<HashSet<_>>().len() >= positions;
        let reached = match page.last() {
            Some((seq, _, _)) if full => *seq,
            _ => through.max(after_seq),
        };
        Ok((reached, page))
    }

    /// The highest log sequence number this store has had acknowledged.
    pub fn last_acked(&self) -> u64 {
        self.last_acked
    }

    fn block<T: Send>(
        &self,
        future: impl Future<Output = Result<T, ClusterError>> + Send,
    ) -> Result<T, StoreError> {
        Ok(crate::block_on(&self.runtime, future)?)
    }
}

impl ItemStore for ClusterStore {
    fn append(&mut self, batch: AppendBatch) -> Result<Vec<AppendOutcome>, StoreError> {
        let mut conditional: HashMap<ItemId, Vec<LogEntry>> = HashMap::new();
        let mut loose = Vec::new();
        for document in batch.documents {
            let condition = document.if_new_item;
            let entry = LogEntry::document(document)?;
            match condition {
                Some(id) => conditional.entry(id).or_default().push(entry),
                None => loose.push(entry),
            }
        }
        let ids: Vec<ItemId> = batch.items.iter().map(|(item, _)| item.id).collect();
        let existing = self.block(self.records.existing(&ids))?;
        let mut seen = HashSet::new();
        let mut messages = Vec::with_capacity(batch.items.len());
        let mut candidates = Vec::with_capacity(batch.items.len());
        for (item, raw) in batch.items {
            let id = item.id;
            let partition = self.item_partition(&id);
            if existing.contains(&id) || !seen.insert(id) {
                let sighting =
                    LogEntry::Sighting { item: id, source: item.source, collected_at: item.collected_at };
                messages.push(self.message(partition, self.message_id(), vec![sighting])?);
                candidates.push((id, false));
            } else {
                let mut entries = vec![LogEntry::Item { item, raw }];
                entries.extend(conditional.remove(&id).unwrap_or_default());
                // The id makes a retried publish of the same item a no-op within JetStream's
                // duplicate window.
                messages.push(self.message(partition, format!("i.{id}"), entries)?);
                candidates.push((id, true));
            }
        }
        let acks = self.publish(messages)?;
        let outcomes = candidates
            .into_iter()
            .zip(acks)
            .map(|((id, new), ack)| {
                if new && !ack.duplicate {
                    AppendOutcome::Stored { id, seq: ack.seq }
                } else {
                    AppendOutcome::Duplicate { id }
                }
            })
            .collect();
        // Documents, then checkpoints last: a checkpoint acknowledged means everything before
        // it in the batch is too, so a resumed run neither loses nor repeats an input's units.
        let mut tail = Vec::new();
        for entry in loose {
            let partition = match &entry {
                LogEntry::Document { key, .. } => {
                    crate::config::partition_of(key.as_bytes(), self.log.config.partitions)
                }
                _ => 0,
            };
            tail.push(self.message(partition, self.message_id(), vec![entry])?);
        }
        if !tail.is_empty() {
            self.publish(tail)?;
        }
        let checkpoints: Vec<Outgoing> = batch
            .checkpoints
            .into_iter()
            .map(|(input, position)| {
                self.message(0, self.message_id(), vec![LogEntry::Checkpoint { input, position }])
            })
            .collect::<Result<_, _>>()?;
        if !checkpoints.is_empty() {
            self.publish(checkpoints)?;
        }
        Ok(outcomes)
    }

    fn put_source(&mut self, source: Source) -> Result<(), StoreError> {
        let message = self.message(0, self.message_id(), vec![LogEntry::Source(source)])?;
        let acks = self.publish(vec![message])?;
        Ok(self.wait_applied(acks[0].seq, READ_YOUR_WRITES)?)
    }

    fn source(&self, id: &SourceId) -> Result<Option<Source>, StoreError> {
        Ok(self.block(self.records.sources(Some(id)))?.into_iter().next().map(|summary| summary.source))
    }

    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        self.block(self.records.sources(None))
    }

    fn item(&self, id: &ItemId) -> Result<Option<Item>, StoreError> {
        Ok(self.block(self.records.item(id))?.map(|(_, item, _)| item))
    }

    fn items(&self, ids: &[ItemId]) -> Result<Vec<Option<Item>>, StoreError> {
        self.block(self.records.items(ids))
    }

    fn raw(&self, id: &ItemId) -> Result<Option<Vec<u8>>, StoreError> {
        let Some((seq, _, true)) = self.block(self.records.item(id))? else {
            return Ok(None);
        };
        let payload = self.block(self.log.read(seq))?;
        let entries = decode_message(&payload).map_err(|detail| ClusterError::Damaged { seq, detail })?;
        match entries.into_iter().next() {
            Some(LogEntry::Item { raw, .. }) => Ok(raw),
            _ => {
                Err(ClusterError::Damaged { seq, detail: "the item's message holds no item".to_owned() }
                    .into())
            }
        }
    }

    fn list(&self, query: &ListQuery) -> Result<Vec<ItemSummary>, StoreError> {
        self.block(self.records.list(query))
    }

    fn checkpoint(&self, input: &str) -> Result<Option<u64>, StoreError> {
        self.block(self.records.checkpoint(input))
    }

    fn stats(&self) -> Result<StoreStats, StoreError> {
        let (items, duplicates_seen, sources, inputs_checkpointed, by_language, by_tlp, by_source) =
            self.block(self.records.counts())?;
        let (_, log_bytes, last_seq) = self.block(self.log.state())?;
        Ok(StoreStats {
            items,
            duplicates_seen,
            sources,
            inputs_checkpointed,
            by_language,
            by_tlp,
            by_source,
            log_bytes,
            log_segments: u64::from(self.log.config.partitions),
            last_seq,
        })
    }

    fn put_documents(&mut self, documents: Vec<Document>) -> Result<(), StoreError> {
        let mut messages = Vec::with_capacity(documents.len());
        for document in documents {
            if document.if_new_item.is_some() {
                return Err(StoreError::InvalidDocument {
                    table: document.table.chars().take(80).collect(),
                    key: document.key.chars().take(80).collect(),
                    problem: "a condition on an item is only allowed in an append".to_owned(),
                });
            }
            let partition = crate::config::partition_of(document.key.as_bytes(), self.log.config.partitions);
            let entry = LogEntry::document(document)?;
            messages.push((partition, entry));
        }
        let messages = messages
            .into_iter()
            .map(|(partition, entry)| self.message(partition, self.message_id(), vec![entry]))
            .collect::<Result<Vec<_>, _>>()?;
        if messages.is_empty() {
            return Ok(());
        }
        let acks = self.publish(messages)?;
        let last = acks.iter().map(|ack| ack.seq).max().unwrap_or(0);
        Ok(self.wait_applied(last, READ_YOUR_WRITES)?)
    }

    fn document(&self, table: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.block(self.records.document(table, key))
    }

    fn documents(
        &self,
        table: &str,
        after_key: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.block(self.records.documents(table, after_key, limit))
    }

    fn document_count(&self, table: &str) -> Result<u64, StoreError> {
        self.block(self.records.document_count(table))
    }

    fn for_each_item(
        &self,
        after_seq: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        crate::records::visit_pages(
            after_seq,
            |after| self.block(self.records.items_after(after, 1000)),
            visit,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_stable_and_spread() {
        use crate::config::partition_of;
        // FNV-1a of "abc" is 0x1a47e90b.
        assert_eq!(partition_of(b"abc", 16), 0xb, "the same in every process and build");
        let used: HashSet<u32> = (0u32..1000).map(|n| partition_of(&n.to_le_bytes(), 16)).collect();
        assert_eq!(used.len(), 16);
    }
}
