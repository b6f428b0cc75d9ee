//! The record tables on PostgreSQL: the schema, its migrations, applying log messages and the
//! reads of [`muninn_store::ItemStore`].
//!
//! Every table carries the log sequence number its row came from, and a row is only replaced
//! by one from a later message: applying is idempotent and order-free, which is what lets many
//! workers share one consumer and a redelivered batch change nothing.
//!
//! Distribution (Citus): each table's first primary-key column is its distribution column
//! (`items.id`, `sightings.item_id`, `sources.id`, `checkpoints.input`, `documents.key`);
//! `SELECT create_distributed_table('items', 'id')` and so on shard it. No query joins two
//! tables on anything but that column, and the item insert names no conflict target (`ON
//! CONFLICT DO NOTHING`), which is what PostgreSQL allows on a foreign partition: the tests
//! hash-partition `items` over two servers with postgres_fdw.

use std::collections::{BTreeMap, HashMap, HashSet};

use muninn_model::{AdmiraltyGrade, Item, ItemId, Source, SourceId, Timestamp, Tlp};
use muninn_store::wire::LogEntry;
use muninn_store::{ItemSummary, ListQuery, SourceSummary};
use tokio_postgres::{Client, NoTls};

use crate::ClusterError;

/// A document as written at a log position: (position, key, value; `None` when deleted).
pub type ChangedDocument = (u64, String, Option<Vec<u8>>);

/// The titles kept in item records, in characters (as the embedded store).
const TITLE_CHARS: usize = 200;

/// The migrations, in order; each runs once, in a transaction. Never edit one that shipped:
/// add the next.
const MIGRATIONS: &[(i32, &str)] = &[
    (
        1,
        r#"
CREATE TABLE items (
    id bytea PRIMARY KEY,
    seq bigint NOT NULL,
    part integer NOT NULL,
    source text NOT NULL,
    collected_ms bigint NOT NULL,
    event_ms bigint,
    title text,
    language text,
    tlp text NOT NULL,
    grade text NOT NULL,
    has_raw boolean NOT NULL,
    item bytea NOT NULL
);
CREATE INDEX items_by_seq ON items (seq);
CREATE INDEX items_by_partition ON items (part, seq);
CREATE INDEX items_by_source ON items (source, seq);
CREATE TABLE sightings (
    item_id bytea NOT NULL,
    seq bigint NOT NULL,
    source text NOT NULL,
    collected_ms bigint NOT NULL,
    PRIMARY KEY (item_id, seq)
);
CREATE TABLE sources (
    id text PRIMARY KEY,
    seq bigint NOT NULL,
    source bytea NOT NULL
);
CREATE TABLE checkpoints (
    input text PRIMARY KEY,
    seq bigint NOT NULL,
    position bigint NOT NULL
);
CREATE TABLE documents (
    key text COLLATE "C" NOT NULL,
    tbl text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    value bytea,
    PRIMARY KEY (key, tbl)
);
CREATE INDEX documents_by_table ON documents (tbl, key);
CREATE TABLE index_shards (
    shard integer PRIMARY KEY,
    last_seq bigint NOT NULL,
    meta text NOT NULL,
    files text[] NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
"#,
    ),
    // The servers follow new alerts (and any table) by the log position of their last write.
    (2, "CREATE INDEX documents_by_table_seq ON documents (tbl, seq);"),
];

/// Serialises migrations between processes that start at once.
const MIGRATION_LOCK: i64 = 0x6d75_6e69_6e6e;

pub(crate) struct Records {
    client: Client,
    /// The log's partitions (an item's partition is kept with it, for the index shards).
    partitions: u32,
}

/// A published index shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub shard: u32,
    pub last_seq: u64,
    pub meta: String,
    pub files: Vec<String>,
}

/// The advisory locks of the index shards: this base plus the shard number.
const SHARD_LOCK_BASE: i64 = 0x6d75_6e69_0000;

fn to_millis(timestamp: Timestamp) -> i64 {
    timestamp.as_millisecond()
}

fn from_millis(ms: i64) -> Timestamp {
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn seq_i64(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

fn damaged(detail: String) -> ClusterError {
    ClusterError::Records(format!("a stored row does not decode: {detail}"))
}

fn item_id(bytes: &[u8]) -> Result<ItemId, ClusterError> {
    <[u8; 16]>::try_from(bytes).map(ItemId).map_err(|_| damaged(format!("item id of {} bytes", bytes.len())))
}

/// Visits items page by page: `fetch(after)` gives the next page after a sequence number, in
/// order; an empty page ends it.
pub(crate) fn visit_pages(
    after_seq: u64,
    mut fetch: impl FnMut(u64) -> Result<Vec<(u64, Item)>, muninn_store::StoreError>,
    visit: &mut dyn FnMut(u64, &Item) -> Result<(), muninn_store::StoreError>,
) -> Result<(), muninn_store::StoreError> {
    let mut after = after_seq;
    loop {
        let page = fetch(after)?;
        let Some(&(last, _)) = page.last() else { return Ok(()) };
        for (seq, item) in &page {
            visit(*seq, item)?;
        }
        after = last;
    }
}

/// What one batch did to the tables.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    pub items: u64,
    pub sightings: u64,
    pub documents: u64,
    pub redelivered: u64,
}

/// A row to upsert under "the later sequence number wins".
struct Versioned<T> {
    seq: i64,
    value: T,
}

/// Keeps the latest version per key (one statement cannot update a row twice).
fn latest<K: Ord, T>(rows: &mut BTreeMap<K, Versioned<T>>, key: K, seq: i64, value: T) {
    match rows.get(&key) {
        Some(existing) if existing.seq >= seq => {}
        _ => {
            rows.insert(key, Versioned { seq, value });
        }
    }
}

impl Records {
    /// Connects (the connection runs on the current tokio runtime).
    pub async fn connect(dsn: &str, partitions: u32) -> Result<Records, ClusterError> {
        let (client, connection) = tokio_postgres::connect(dsn, NoTls).await?;
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(%error, "PostgreSQL connection ended");
            }
        });
        Ok(Records { client, partitions })
    }

    /// Brings the schema to the newest version; safe to run from many processes at once.
    pub async fn migrate(&mut self) -> Result<i32, ClusterError> {
        let transaction = self.client.transaction().await?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
        transaction
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS muninn_migrations (
                     version integer PRIMARY KEY,
                     applied_at timestamptz NOT NULL DEFAULT now())",
            )
            .await?;
        let current: i32 = transaction
            .query_one("SELECT COALESCE(max(version), 0) FROM muninn_migrations", &[])
            .await?
            .get(0);
        let newest = MIGRATIONS.last().map_or(0, |(version, _)| *version);
        if current > newest {
            return Err(ClusterError::Records(format!(
                "the database's schema is version {current}; this build knows up to {newest}"
            )));
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(version, _)| *version > current) {
            transaction.batch_execute(sql).await?;
            transaction.execute("INSERT INTO muninn_migrations (version) VALUES ($1)", &[version]).await?;
        }
        transaction.commit().await?;
        Ok(newest)
    }

    /// Applies messages (stream sequence number, entries) in one transaction.
    pub async fn apply(&mut self, messages: Vec<(u64, Vec<LogEntry>)>) -> Result<Applied, ClusterError> {
        let mut applied = Applied::default();
        // An item message: the item first, then the documents conditional on it being new.
        let mut items: Vec<(i64, Item, bool, Vec<LogEntry>)> = Vec::new();
        let mut sightings: Vec<(Vec<u8>, i64, String, i64)> = Vec::new();
        let mut documents: BTreeMap<(String, String), Versioned<Option<Vec<u8>>>> = BTreeMap::new();
        let mut sources: BTreeMap<String, Versioned<Vec<u8>>> = BTreeMap::new();
        let mut checkpoints: BTreeMap<String, Versioned<i64>> = BTreeMap::new();
        for (seq, entries) in messages {
            let seq = seq_i64(seq);
            let mut entries = entries.into_iter();
            let Some(first) = entries.next() else { continue };
            let rest: Vec<LogEntry> = entries.collect();
            let mut loose = rest;
            match first {
                LogEntry::Item { item, raw } => {
                    items.push((seq, item, raw.is_some(), std::mem::take(&mut loose)));
                }
                other => loose.insert(0, other),
            }
            for entry in loose {
                match entry {
                    LogEntry::Item { .. } => {
                        return Err(ClusterError::Damaged {
                            seq: seq as u64,
                            detail: "an item after the first entry".to_owned(),
                        });
                    }
                    LogEntry::Sighting { item, source, collected_at } => {
                        sightings.push((
                            item.0.to_vec(),
                            seq,
                            source.as_str().to_owned(),
                            to_millis(collected_at),
                        ));
                    }
                    LogEntry::Checkpoint { input, position } => {
                        latest(&mut checkpoints, input, seq, i64::try_from(position).unwrap_or(i64::MAX));
                    }
                    LogEntry::Source(source) => {
                        let bytes = serde_json::to_vec(&source).map_err(|e| damaged(e.to_string()))?;
                        latest(&mut sources, source.id.as_str().to_owned(), seq, bytes);
                    }
                    LogEntry::Document { table, key, value } => {
                        latest(&mut documents, (table, key), seq, value)
                    }
                }
            }
        }

        let transaction = self.client.transaction().await?;
        if !items.is_empty() {
            let mut ids = Vec::with_capacity(items.len());
            let mut seqs = Vec::with_capacity(items.len());
            let mut parts = Vec::with_capacity(items.len());
            let mut source_ids = Vec::with_capacity(items.len());
            let mut collected = Vec::with_capacity(items.len());
            let mut events = Vec::with_capacity(items.len());
            let mut titles = Vec::with_capacity(items.len());
            let mut languages = Vec::with_capacity(items.len());
            let mut tlps = Vec::with_capacity(items.len());
            let mut grades = Vec::with_capacity(items.len());
            let mut raws = Vec::with_capacity(items.len());
            let mut bodies = Vec::with_capacity(items.len());
            for (seq, item, has_raw, _) in &items {
                ids.push(item.id.0.to_vec());
                seqs.push(*seq);
                parts.push(crate::config::partition_of(&item.id.0, self.partitions) as i32);
                source_ids.push(item.source.as_str().to_owned());
                collected.push(to_millis(item.collected_at));
                events.push(item.event_time.map(to_millis));
                titles.push(item.title.as_deref().map(|t| t.chars().take(TITLE_CHARS).collect::<String>()));
                languages.push(item.language.as_ref().map(ToString::to_string));
                tlps.push(item.markings.tlp.to_string());
                grades.push(item.grade.to_string());
                raws.push(*has_raw);
                bodies.push(serde_json::to_vec(item).map_err(|e| damaged(e.to_string()))?);
            }
            let inserted: HashSet<Vec<u8>> = transaction
                .query(
                    "INSERT INTO items (id, seq, part, source, collected_ms, event_ms, title, language, tlp, grade, has_raw, item)
                     SELECT * FROM UNNEST($1::bytea[], $2::int8[], $3::int4[], $4::text[], $5::int8[], $6::int8[],
                                          $7::text[], $8::text[], $9::text[], $10::text[], $11::bool[], $12::bytea[])
                     ON CONFLICT DO NOTHING
                     RETURNING id",
                    &[
                        &ids, &seqs, &parts, &source_ids, &collected, &events, &titles, &languages, &tlps, &grades,
                        &raws, &bodies,
                    ],
                )
                .await?
                .iter()
                .map(|row| row.get::<_, Vec<u8>>(0))
                .collect();
            let others: Vec<Vec<u8>> = ids.iter().filter(|id| !inserted.contains(*id)).cloned().collect();
            let stored_seq: HashMap<Vec<u8>, i64> = if others.is_empty() {
                HashMap::new()
            } else {
                transaction
                    .query("SELECT id, seq FROM items WHERE id = ANY($1)", &[&others])
                    .await?
                    .iter()
                    .map(|row| (row.get::<_, Vec<u8>>(0), row.get::<_, i64>(1)))
                    .collect()
            };
            let mut first_of_batch: HashSet<Vec<u8>> = HashSet::new();
            for (seq, item, _, conditional) in items {
                let id = item.id.0.to_vec();
                if inserted.contains(&id) && first_of_batch.insert(id.clone()) {
                    applied.items += 1;
                    for entry in conditional {
                        if let LogEntry::Document { table, key, value } = entry {
                            latest(&mut documents, (table, key), seq, value);
                        }
                    }
                } else if stored_seq.get(&id) == Some(&seq) {
                    // This very message was applied before (a redelivery): nothing to do.
                    applied.redelivered += 1;
                } else {
                    sightings.push((id, seq, item.source.as_str().to_owned(), to_millis(item.collected_at)));
                }
            }
        }
        if !sightings.is_empty() {
            let (ids, seqs, sources_of, collected): (Vec<_>, Vec<_>, Vec<_>, Vec<_>) =
                sightings.into_iter().fold(
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
                    |mut columns, (id, seq, source, ms)| {
                        columns.0.push(id);
                        columns.1.push(seq);
                        columns.2.push(source);
                        columns.3.push(ms);
                        columns
                    },
                );
            applied.sightings = transaction
                .execute(
                    "INSERT INTO sightings (item_id, seq, source, collected_ms)
                     SELECT * FROM UNNEST($1::bytea[], $2::int8[], $3::text[], $4::int8[])
                     ON CONFLICT DO NOTHING",
                    &[&ids, &seqs, &sources_of, &collected],
                )
                .await?;
        }
        if !documents.is_empty() {
            let mut keys = Vec::new();
            let mut tables = Vec::new();
            let mut seqs = Vec::new();
            let mut values = Vec::new();
            for ((table, key), version) in documents {
                tables.push(table);
                keys.push(key);
                seqs.push(version.seq);
                values.push(version.value);
            }
            applied.documents = transaction
                .execute(
                    "INSERT INTO documents (key, tbl, seq, value)
                     SELECT * FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::bytea[])
                     ON CONFLICT (key, tbl) DO UPDATE SET seq = EXCLUDED.seq, value = EXCLUDED.value
                     WHERE documents.seq < EXCLUDED.seq",
                    &[&keys, &tables, &seqs, &values],
                )
                .await?;
        }
        for (id, version) in sources {
            transaction
                .execute(
                    "INSERT INTO sources (id, seq, source) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, source = EXCLUDED.source
                     WHERE sources.seq < EXCLUDED.seq",
                    &[&id, &version.seq, &version.value],
                )
                .await?;
        }
        for (input, version) in checkpoints {
            transaction
                .execute(
                    "INSERT INTO checkpoints (input, seq, position) VALUES ($1, $2, $3)
                     ON CONFLICT (input) DO UPDATE SET seq = EXCLUDED.seq, position = EXCLUDED.position
                     WHERE checkpoints.seq < EXCLUDED.seq",
                    &[&input, &version.seq, &version.value],
                )
                .await?;
        }
        transaction.commit().await?;
        Ok(applied)
    }

    /// Which of these ids are stored.
    pub async fn existing(&self, ids: &[ItemId]) -> Result<HashSet<ItemId>, ClusterError> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let ids: Vec<Vec<u8>> = ids.iter().map(|id| id.0.to_vec()).collect();
        self.client
            .query("SELECT id FROM items WHERE id = ANY($1)", &[&ids])
            .await?
            .iter()
            .map(|row| item_id(row.get::<_, &[u8]>(0)))
            .collect()
    }

    /// An item and whether its raw bytes are in its log message, with the message's number.
    pub async fn item(&self, id: &ItemId) -> Result<Option<(u64, Item, bool)>, ClusterError> {
        let row = self
            .client
            .query_opt("SELECT seq, item, has_raw FROM items WHERE id = $1", &[&id.0.as_slice()])
            .await?;
        row.map(|row| {
            let item: Item =
                serde_json::from_slice(row.get::<_, &[u8]>(1)).map_err(|e| damaged(e.to_string()))?;
            Ok((row.get::<_, i64>(0) as u64, item, row.get(2)))
        })
        .transpose()
    }

    /// Several items in one query, in the order asked.
    pub async fn items(&self, ids: &[ItemId]) -> Result<Vec<Option<Item>>, ClusterError> {
        let keys: Vec<Vec<u8>> = ids.iter().map(|id| id.0.to_vec()).collect();
        let rows = self.client.query("SELECT id, item FROM items WHERE id = ANY($1)", &[&keys]).await?;
        let mut found = HashMap::with_capacity(rows.len());
        for row in &rows {
            let item: Item =
                serde_json::from_slice(row.get::<_, &[u8]>(1)).map_err(|e| damaged(e.to_string()))?;
            found.insert(item_id(row.get::<_, &[u8]>(0))?, item);
        }
        Ok(ids.iter().map(|id| found.get(id).cloned()).collect())
    }

    fn summary(row: &tokio_postgres::Row) -> Result<ItemSummary, ClusterError> {
        let text = |index: usize| row.get::<_, Option<String>>(index);
        Ok(ItemSummary {
            seq: row.get::<_, i64>(0) as u64,
            id: item_id(row.get::<_, &[u8]>(1))?,
            source: SourceId::new(row.get::<_, &str>(2)).map_err(|e| damaged(e.to_string()))?,
            collected_at: from_millis(row.get(3)),
            event_time: row.get::<_, Option<i64>>(4).map(from_millis),
            title: text(5),
            language: text(6),
            tlp: row.get::<_, &str>(7).parse::<Tlp>().map_err(|e| damaged(e.to_string()))?,
            grade: row.get::<_, &str>(8).parse::<AdmiraltyGrade>().map_err(|e| damaged(e.to_string()))?,
            duplicates: row.get::<_, i64>(9) as u64,
        })
    }

    /// A page of item records in log order.
    pub async fn list(&self, query: &ListQuery) -> Result<Vec<ItemSummary>, ClusterError> {
        let after = query.after_seq.map_or(-1, seq_i64);
        let limit = i64::from(query.limit);
        let source = query.source.as_ref().map(|s| s.as_str().to_owned());
        let rows = self
            .client
            .query(
                "SELECT seq, id, source, collected_ms, event_ms, title, language, tlp, grade,
                        (SELECT count(*) FROM sightings s WHERE s.item_id = items.id)
                 FROM items
                 WHERE seq > $1 AND ($2::text IS NULL OR source = $2)
                 ORDER BY seq LIMIT $3",
                &[&after, &source, &limit],
            )
            .await?;
        rows.iter().map(Records::summary).collect()
    }

    /// Items after a sequence number, in log order, a page at a time.
    pub async fn items_after(&self, after_seq: u64, limit: i64) -> Result<Vec<(u64, Item)>, ClusterError> {
        let rows = self
            .client
            .query(
                "SELECT seq, item FROM items WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&seq_i64(after_seq), &limit],
            )
            .await?;
        rows.iter()
            .map(|row| {
                let item: Item =
                    serde_json::from_slice(row.get::<_, &[u8]>(1)).map_err(|e| damaged(e.to_string()))?;
                Ok((row.get::<_, i64>(0) as u64, item))
            })
            .collect()
    }

    /// Sources with their counts; one when `only` names it.
    pub async fn sources(&self, only: Option<&SourceId>) -> Result<Vec<SourceSummary>, ClusterError> {
        let only = only.map(|s| s.as_str().to_owned());
        let rows = self
            .client
            .query(
                "SELECT s.source,
                        (SELECT count(*) FROM items i WHERE i.source = s.id),
                        (SELECT count(*) FROM sightings g WHERE g.source = s.id),
                        (SELECT max(collected_ms) FROM items i WHERE i.source = s.id)
                 FROM sources s WHERE ($1::text IS NULL OR s.id = $1) ORDER BY s.id",
                &[&only],
            )
            .await?;
        rows.iter()
            .map(|row| {
                let source: Source =
                    serde_json::from_slice(row.get::<_, &[u8]>(0)).map_err(|e| damaged(e.to_string()))?;
                Ok(SourceSummary {
                    source,
                    items: row.get::<_, i64>(1) as u64,
                    duplicates_seen: row.get::<_, i64>(2) as u64,
                    last_collected_at: row.get::<_, Option<i64>>(3).map(from_millis),
                })
            })
            .collect()
    }

    pub async fn checkpoint(&self, input: &str) -> Result<Option<u64>, ClusterError> {
        let row =
            self.client.query_opt("SELECT position FROM checkpoints WHERE input = $1", &[&input]).await?;
        Ok(row.map(|row| row.get::<_, i64>(0) as u64))
    }

    /// (items, sightings, sources, checkpoints, by language, by TLP, by source).
    #[allow(clippy::type_complexity)]
    pub async fn counts(
        &self,
    ) -> Result<(u64, u64, u64, u64, Vec<(String, u64)>, Vec<(String, u64)>, Vec<(String, u64)>), ClusterError>
    {
        let one = |sql: &'static str| async move {
            Ok::<u64, ClusterError>(self.client.query_one(sql, &[]).await?.get::<_, i64>(0) as u64)
        };
        let grouped = |sql: &'static str| async move {
            let rows = self.client.query(sql, &[]).await?;
            Ok::<Vec<(String, u64)>, ClusterError>(
                rows.iter().map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1) as u64)).collect(),
            )
        };
        let by_tlp = grouped("SELECT tlp, count(*) FROM items GROUP BY tlp ORDER BY 2 DESC, 1").await?;
        let by_tlp = by_tlp
            .into_iter()
            .map(|(tlp, n)| (tlp.parse::<Tlp>().map(|t| t.short().to_owned()).unwrap_or(tlp), n))
            .collect();
        Ok((
            one("SELECT count(*) FROM items").await?,
            one("SELECT count(*) FROM sightings").await?,
            one("SELECT count(*) FROM sources").await?,
            one("SELECT count(*) FROM checkpoints").await?,
            grouped(
                "SELECT COALESCE(language, 'unknown'), count(*) FROM items GROUP BY 1 ORDER BY 2 DESC, 1",
            )
            .await?,
            by_tlp,
            grouped("SELECT source, count(*) FROM items GROUP BY source ORDER BY 2 DESC, 1").await?,
        ))
    }

    pub async fn document(&self, table: &str, key: &str) -> Result<Option<Vec<u8>>, ClusterError> {
        let row = self
            .client
            .query_opt("SELECT value FROM documents WHERE key = $1 AND tbl = $2", &[&key, &table])
            .await?;
        Ok(row.and_then(|row| row.get::<_, Option<Vec<u8>>>(0)))
    }

    /// The documents of `table` written at log positions in `(after_seq, through]`, in log
    /// order: (position, key, value; `None` for a deleted key). Whole positions only (one
    /// message can write several documents), at most `positions` of them.
    pub async fn documents_since(
        &self,
        table: &str,
        after_seq: u64,
        through: u64,
        positions: usize,
    ) -> Result<Vec<ChangedDocument>, ClusterError> {
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let through = i64::try_from(through).unwrap_or(i64::MAX);
        let limit = i64::try_from(positions).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                "SELECT seq, key, value FROM documents WHERE tbl = $1 AND seq IN (
                     SELECT DISTINCT seq FROM documents WHERE tbl = $1 AND seq > $2 AND seq <= $3
                     ORDER BY seq LIMIT $4)
                 ORDER BY seq, key",
                &[&table, &after, &through, &limit],
            )
            .await?;
        Ok(rows.iter().map(|row| (row.get::<_, i64>(0) as u64, row.get(1), row.get(2))).collect())
    }

    pub async fn documents(
        &self,
        table: &str,
        after_key: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, ClusterError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                "SELECT key, value FROM documents
                 WHERE tbl = $1 AND value IS NOT NULL AND ($2::text IS NULL OR key > $2)
                 ORDER BY key LIMIT $3",
                &[&table, &after_key, &limit],
            )
            .await?;
        Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    pub async fn document_count(&self, table: &str) -> Result<u64, ClusterError> {
        let row = self
            .client
            .query_one("SELECT count(*) FROM documents WHERE tbl = $1 AND value IS NOT NULL", &[&table])
            .await?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    /// The items of some partitions with sequence numbers in `(after, through]`, in order.
    pub async fn partition_items(
        &self,
        parts: &[i32],
        after: u64,
        through: u64,
        limit: i64,
    ) -> Result<Vec<(u64, Item)>, ClusterError> {
        let rows = self
            .client
            .query(
                "SELECT seq, item FROM items WHERE part = ANY($1) AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4",
                &[&parts, &seq_i64(after), &seq_i64(through), &limit],
            )
            .await?;
        rows.iter()
            .map(|row| {
                let item: Item =
                    serde_json::from_slice(row.get::<_, &[u8]>(1)).map_err(|e| damaged(e.to_string()))?;
                Ok((row.get::<_, i64>(0) as u64, item))
            })
            .collect()
    }

    /// Takes the lock of an index shard for this connection's lifetime; false if another
    /// worker holds it.
    pub async fn try_claim_shard(&self, shard: u32) -> Result<bool, ClusterError> {
        let key = SHARD_LOCK_BASE + i64::from(shard);
        Ok(self.client.query_one("SELECT pg_try_advisory_lock($1)", &[&key]).await?.get(0))
    }

    /// Takes a named lock for this connection's lifetime (one process of a kind per cluster);
    /// false if another process holds it.
    pub async fn try_lock(&self, key: i64) -> Result<bool, ClusterError> {
        Ok(self.client.query_one("SELECT pg_try_advisory_lock($1)", &[&key]).await?.get(0))
    }

    /// Gives a shard's lock back.
    pub async fn release_shard(&self, shard: u32) -> Result<(), ClusterError> {
        let key = SHARD_LOCK_BASE + i64::from(shard);
        self.client.execute("SELECT pg_advisory_unlock($1)", &[&key]).await?;
        Ok(())
    }

    /// The published index shards.
    pub async fn manifests(&self) -> Result<Vec<Manifest>, ClusterError> {
        let rows = self
            .client
            .query("SELECT shard, last_seq, meta, files FROM index_shards ORDER BY shard", &[])
            .await?;
        Ok(rows
            .iter()
            .map(|row| Manifest {
                shard: row.get::<_, i32>(0) as u32,
                last_seq: row.get::<_, i64>(1) as u64,
                meta: row.get(2),
                files: row.get(3),
            })
            .collect())
    }

    /// Publishes a shard's new manifest (its files are in object storage already).
    pub async fn publish_manifest(&self, manifest: &Manifest) -> Result<(), ClusterError> {
        self.client
            .execute(
                "INSERT INTO index_shards (shard, last_seq, meta, files) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (shard) DO UPDATE SET last_seq = EXCLUDED.last_seq, meta = EXCLUDED.meta,
                     files = EXCLUDED.files, updated_at = now()",
                &[&(manifest.shard as i32), &seq_i64(manifest.last_seq), &manifest.meta, &manifest.files],
            )
            .await?;
        Ok(())
    }
}
