//! The record tables beside the log, in SQLite. Everything here is derived from the log and is
//! rebuilt from it when missing or behind.

use std::path::{Path, PathBuf};

use muninn_model::{ItemId, Source, SourceId, Timestamp, Tlp};
use rusqlite::{Connection, OptionalExtension, params};

use crate::entry::Entry;
use crate::log::FramePos;
use crate::{ItemSummary, ListQuery, SourceSummary, StoreError, StoreStats};

/// Schema version of the record tables. A mismatch means: drop and rebuild from the log.
const RECORDS_SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
    seq INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE,
    segment INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    len INTEGER NOT NULL,
    source TEXT NOT NULL,
    collected_at INTEGER NOT NULL,
    event_time INTEGER,
    title TEXT,
    lang TEXT,
    tlp TEXT NOT NULL,
    grade TEXT NOT NULL,
    duplicates INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS items_by_source ON items (source, seq);
CREATE TABLE IF NOT EXISTS duplicates (
    seq INTEGER PRIMARY KEY,
    item BLOB NOT NULL,
    source TEXT NOT NULL,
    collected_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (input TEXT PRIMARY KEY, position INTEGER NOT NULL);
";

/// How far the tables reflect the log: the last applied frame's seq and the end of its frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied {
    pub seq: u64,
    pub segment: u64,
    pub end_offset: u64,
}

pub(crate) struct Records {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records").field("path", &self.path).finish()
    }
}

fn millis(timestamp: Timestamp) -> i64 {
    timestamp.as_millisecond()
}

fn from_millis(value: i64) -> Timestamp {
    Timestamp::from_millisecond(value).unwrap_or(Timestamp::UNIX_EPOCH)
}

impl Records {
    pub(crate) fn open(path: &Path) -> Result<Records, StoreError> {
        if !path.exists() {
            // A WAL left beside a deleted database belongs to another database: drop it.
            for suffix in ["-wal", "-shm"] {
                let mut stale = path.as_os_str().to_owned();
                stale.push(suffix);
                let _ = std::fs::remove_file(stale);
            }
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Records {
            path: path.to_owned(),
            source,
        })?;
        let mut records = Records {
            conn,
            path: path.to_owned(),
        };
        records.configure()?;
        Ok(records)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Records {
            path: self.path.clone(),
            source,
        }
    }

    fn configure(&mut self) -> Result<(), StoreError> {
        // The log is the source of truth and is fsynced before anything lands here, so the
        // tables need crash consistency (WAL) but not a fsync per commit (NORMAL).
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA cache_size = -65536;
                 PRAGMA temp_store = MEMORY;",
            )
            .map_err(self.err())?;
        self.conn.execute_batch(SCHEMA).map_err(self.err())?;
        let version: Option<i64> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(self.err())?;
        match version {
            Some(RECORDS_SCHEMA_VERSION) => {}
            Some(other) => {
                tracing::warn!(
                    found = other,
                    expected = RECORDS_SCHEMA_VERSION,
                    "record tables of another schema version; rebuilding from the log"
                );
                self.clear()?;
            }
            None => {
                self.conn
                    .execute(
                        "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                        params![RECORDS_SCHEMA_VERSION],
                    )
                    .map_err(self.err())?;
            }
        }
        Ok(())
    }

    /// Drops every derived row so that the tables are rebuilt from the start of the log.
    pub(crate) fn clear(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute_batch(
                "BEGIN;
                 DELETE FROM sources; DELETE FROM items; DELETE FROM duplicates;
                 DELETE FROM checkpoints; DELETE FROM meta;
                 COMMIT;",
            )
            .map_err(self.err())?;
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                params![RECORDS_SCHEMA_VERSION],
            )
            .map_err(self.err())?;
        Ok(())
    }

    pub(crate) fn applied(&self) -> Result<Option<Applied>, StoreError> {
        let value = |key: &str| -> Result<Option<i64>, StoreError> {
            self.conn
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                    row.get(0)
                })
                .optional()
                .map_err(self.err())
        };
        match (
            value("applied_seq")?,
            value("applied_segment")?,
            value("applied_end")?,
        ) {
            (Some(seq), Some(segment), Some(end)) => Ok(Some(Applied {
                seq: seq as u64,
                segment: segment as u64,
                end_offset: end as u64,
            })),
            _ => Ok(None),
        }
    }

    /// Applies decoded log entries in one transaction, and records how far the tables now reach.
    pub(crate) fn apply(
        &mut self,
        entries: &[(u64, FramePos, &Entry)],
        applied: Applied,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |source| StoreError::Records {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut insert_item = tx
                .prepare_cached(
                    "INSERT INTO items (seq, id, segment, offset, len, source, collected_at,
                        event_time, title, lang, tlp, grade)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(err)?;
            let mut insert_duplicate = tx
                .prepare_cached(
                    "INSERT INTO duplicates (seq, item, source, collected_at) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(err)?;
            let mut count_duplicate = tx
                .prepare_cached("UPDATE items SET duplicates = duplicates + 1 WHERE id = ?1")
                .map_err(err)?;
            let mut upsert_checkpoint = tx
                .prepare_cached(
                    "INSERT INTO checkpoints (input, position) VALUES (?1, ?2)
                     ON CONFLICT (input) DO UPDATE SET position = excluded.position",
                )
                .map_err(err)?;
            let mut upsert_source = tx
                .prepare_cached(
                    "INSERT INTO sources (id, json) VALUES (?1, ?2)
                     ON CONFLICT (id) DO UPDATE SET json = excluded.json",
                )
                .map_err(err)?;
            for (seq, pos, entry) in entries {
                match entry {
                    Entry::Item { item, .. } => {
                        let title = item.title.as_deref().map(|t| truncate_chars(t, 300));
                        insert_item
                            .execute(params![
                                *seq as i64,
                                &item.id.0[..],
                                pos.segment as i64,
                                pos.offset as i64,
                                pos.len,
                                item.source.as_str(),
                                millis(item.collected_at),
                                item.event_time.map(millis),
                                title,
                                item.language.as_ref().map(|l| l.as_str()),
                                item.markings.tlp.short(),
                                item.grade.to_string(),
                            ])
                            .map_err(err)?;
                    }
                    Entry::Duplicate(duplicate) => {
                        insert_duplicate
                            .execute(params![
                                *seq as i64,
                                &duplicate.item.0[..],
                                duplicate.source.as_str(),
                                millis(duplicate.collected_at)
                            ])
                            .map_err(err)?;
                        count_duplicate
                            .execute(params![&duplicate.item.0[..]])
                            .map_err(err)?;
                    }
                    Entry::Checkpoint(checkpoint) => {
                        upsert_checkpoint
                            .execute(params![checkpoint.input, checkpoint.position as i64])
                            .map_err(err)?;
                    }
                    Entry::Source(source) => {
                        let json = serde_json::to_string(source).map_err(|e| {
                            StoreError::Invalid(format!("source {}: {e}", source.id))
                        })?;
                        upsert_source
                            .execute(params![source.id.as_str(), json])
                            .map_err(err)?;
                    }
                }
            }
            let mut set_meta = tx
                .prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .map_err(err)?;
            set_meta
                .execute(params!["applied_seq", applied.seq as i64])
                .map_err(err)?;
            set_meta
                .execute(params!["applied_segment", applied.segment as i64])
                .map_err(err)?;
            set_meta
                .execute(params!["applied_end", applied.end_offset as i64])
                .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    pub(crate) fn contains(&self, id: &ItemId) -> Result<bool, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT 1 FROM items WHERE id = ?1")
            .map_err(self.err())?;
        statement.exists(params![&id.0[..]]).map_err(self.err())
    }

    pub(crate) fn position(&self, id: &ItemId) -> Result<Option<(u64, FramePos)>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached("SELECT seq, segment, offset, len FROM items WHERE id = ?1")
            .map_err(self.err())?;
        statement
            .query_row(params![&id.0[..]], |row| {
                Ok((
                    row.get::<_, i64>(0)? as u64,
                    FramePos {
                        segment: row.get::<_, i64>(1)? as u64,
                        offset: row.get::<_, i64>(2)? as u64,
                        len: row.get(3)?,
                    },
                ))
            })
            .optional()
            .map_err(self.err())
    }

    pub(crate) fn checkpoint(&self, input: &str) -> Result<Option<u64>, StoreError> {
        self.conn
            .query_row(
                "SELECT position FROM checkpoints WHERE input = ?1",
                [input],
                |row| row.get::<_, i64>(0),
            )
            .optional()
            .map(|position| position.map(|p| p as u64))
            .map_err(self.err())
    }

    pub(crate) fn source(&self, id: &SourceId) -> Result<Option<Source>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM sources WHERE id = ?1",
                [id.as_str()],
                |row| row.get(0),
            )
            .optional()
            .map_err(self.err())?;
        json.map(|json| self.parse_source(&json)).transpose()
    }

    fn parse_source(&self, json: &str) -> Result<Source, StoreError> {
        serde_json::from_str(json).map_err(|error| StoreError::Corrupt {
            path: self.path.clone(),
            offset: 0,
            detail: format!("sources table holds an unreadable row: {error}"),
        })
    }

    pub(crate) fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        let mut statement = self
            .conn
            .prepare(
                "SELECT s.json,
                        (SELECT count(*) FROM items i WHERE i.source = s.id),
                        (SELECT count(*) FROM duplicates d WHERE d.source = s.id),
                        (SELECT max(collected_at) FROM items i WHERE i.source = s.id)
                 FROM sources s ORDER BY s.id",
            )
            .map_err(self.err())?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                    row.get::<_, Option<i64>>(3)?,
                ))
            })
            .map_err(self.err())?;
        let mut summaries = Vec::new();
        for row in rows {
            let (json, items, duplicates, last) = row.map_err(self.err())?;
            summaries.push(SourceSummary {
                source: self.parse_source(&json)?,
                items: items as u64,
                duplicates_seen: duplicates as u64,
                last_collected_at: last.map(from_millis),
            });
        }
        Ok(summaries)
    }

    pub(crate) fn list(&self, query: &ListQuery) -> Result<Vec<ItemSummary>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT seq, id, source, collected_at, event_time, title, lang, tlp, grade, duplicates
                 FROM items
                 WHERE seq > ?1 AND (?2 IS NULL OR source = ?2)
                 ORDER BY seq LIMIT ?3",
            )
            .map_err(self.err())?;
        let rows = statement
            .query_map(
                params![
                    query.after_seq.unwrap_or(0) as i64,
                    query.source.as_ref().map(|s| s.as_str()),
                    i64::from(query.limit)
                ],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, Vec<u8>>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, Option<i64>>(4)?,
                        row.get::<_, Option<String>>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, String>(7)?,
                        row.get::<_, String>(8)?,
                        row.get::<_, i64>(9)?,
                    ))
                },
            )
            .map_err(self.err())?;
        let corrupt = |detail: String| StoreError::Corrupt {
            path: self.path.clone(),
            offset: 0,
            detail,
        };
        let mut items = Vec::new();
        for row in rows {
            let (seq, id, source, collected, event, title, lang, tlp, grade, duplicates) =
                row.map_err(self.err())?;
            let id: [u8; 16] = id
                .try_into()
                .map_err(|_| corrupt("items table holds an id of the wrong length".into()))?;
            items.push(ItemSummary {
                seq: seq as u64,
                id: ItemId(id),
                source: SourceId::new(&source).map_err(|e| corrupt(e.to_string()))?,
                collected_at: from_millis(collected),
                event_time: event.map(from_millis),
                title,
                language: lang,
                tlp: tlp.parse::<Tlp>().map_err(|e| corrupt(e.to_string()))?,
                grade: grade
                    .parse()
                    .map_err(|e: muninn_model::ModelError| corrupt(e.to_string()))?,
                duplicates: duplicates as u64,
            });
        }
        Ok(items)
    }

    pub(crate) fn stats(&self) -> Result<StoreStats, StoreError> {
        let count = |sql: &str| -> Result<u64, StoreError> {
            self.conn
                .query_row(sql, [], |row| row.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(self.err())
        };
        let grouped = |sql: &str| -> Result<Vec<(String, u64)>, StoreError> {
            let mut statement = self.conn.prepare(sql).map_err(self.err())?;
            let rows = statement
                .query_map([], |row| {
                    Ok((row.get::<_, Option<String>>(0)?, row.get::<_, i64>(1)?))
                })
                .map_err(self.err())?;
            rows.map(|row| {
                row.map(|(key, n)| (key.unwrap_or_else(|| "unknown".to_owned()), n as u64))
                    .map_err(self.err())
            })
            .collect()
        };
        Ok(StoreStats {
            items: count("SELECT count(*) FROM items")?,
            duplicates_seen: count("SELECT count(*) FROM duplicates")?,
            sources: count("SELECT count(*) FROM sources")?,
            inputs_checkpointed: count("SELECT count(*) FROM checkpoints")?,
            by_language: grouped(
                "SELECT lang, count(*) FROM items GROUP BY lang ORDER BY count(*) DESC, lang",
            )?,
            by_tlp: grouped("SELECT tlp, count(*) FROM items GROUP BY tlp ORDER BY tlp")?,
            by_source: grouped(
                "SELECT source, count(*) FROM items GROUP BY source ORDER BY source",
            )?,
            log_bytes: 0,
            log_segments: 0,
            last_seq: 0,
        })
    }

    /// Every item row's (seq, id, position), in seq order: for verification.
    pub(crate) fn all_positions(&self) -> Result<Vec<(u64, ItemId, FramePos)>, StoreError> {
        let mut statement = self
            .conn
            .prepare("SELECT seq, id, segment, offset, len FROM items ORDER BY seq")
            .map_err(self.err())?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)? as u64,
                    row.get::<_, Vec<u8>>(1)?,
                    FramePos {
                        segment: row.get::<_, i64>(2)? as u64,
                        offset: row.get::<_, i64>(3)? as u64,
                        len: row.get(4)?,
                    },
                ))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, pos) = row.map_err(self.err())?;
            let id: [u8; 16] = id.try_into().map_err(|_| StoreError::Corrupt {
                path: self.path.clone(),
                offset: 0,
                detail: "items table holds an id of the wrong length".to_owned(),
            })?;
            out.push((seq, ItemId(id), pos));
        }
        Ok(out)
    }
}

fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
