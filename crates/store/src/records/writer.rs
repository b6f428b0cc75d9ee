//! The record tables' writer: a thread that writes applied log entries to the tables in large
//! groups, while the caller goes on appending to the log.
//!
//! The tables are a copy-on-write B-tree, so every commit rewrites the pages it touches; item ids
//! are random, so a commit of a few thousand items touches a few thousand pages. Writing behind
//! in groups of tens of thousands cuts that cost by an order of magnitude, and doing it on its
//! own thread takes it off the ingest path. The log makes this safe: after a crash the tables
//! replay the log from the last entry they hold.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use muninn_model::{ItemId, Source};
use redb::{Database, Durability, ReadableTable};

use super::documents::{DOCUMENT_COUNT, encode_position};
use super::{
    Applied, BY_SOURCE, CHECKPOINTS, COUNTS, DOCUMENTS, DUPLICATES, DuplicateRow, ID_TO_SEQ, ITEMS, META,
    OrRecords, SOURCES, corrupt, truncate_chars,
};
use crate::StoreError;
use crate::entry::Entry;
use crate::log::FramePos;
use crate::row::{ItemRow, ROW_TITLE_CHARS};

/// Make a commit durable after this many non-durable ones, or after [`DURABLE_INTERVAL`].
const DURABLE_EVERY: u32 = 8;
const DURABLE_INTERVAL: Duration = Duration::from_secs(2);

/// A change to the tables, derived from one log entry: only what the tables keep.
#[derive(Debug)]
enum TableOp {
    Item {
        seq: u64,
        row: ItemRow,
    },
    Duplicate {
        seq: u64,
        row: DuplicateRow,
    },
    Checkpoint {
        input: String,
        position: u64,
    },
    Source(Source),
    /// `pos`: where the latest version is; `None` when the key was deleted.
    Document {
        seq: u64,
        table: String,
        key: String,
        pos: Option<FramePos>,
    },
}

impl TableOp {
    fn from_entry(seq: u64, pos: FramePos, entry: Entry) -> TableOp {
        match entry {
            Entry::Item { item, .. } => TableOp::Item {
                seq,
                row: ItemRow {
                    id: item.id.0,
                    segment: pos.segment,
                    offset: pos.offset,
                    len: pos.len,
                    source: item.source.to_string(),
                    collected_ms: item.collected_at.as_millisecond(),
                    event_ms: item.event_time.map(|t| t.as_millisecond()),
                    title: item.title.as_deref().map(|t| truncate_chars(t, ROW_TITLE_CHARS).to_owned()),
                    lang: item.language.as_ref().map(|l| l.as_str().to_owned()),
                    tlp: item.markings.tlp,
                    grade: item.grade,
                    duplicates: 0,
                },
            },
            Entry::Duplicate(duplicate) => TableOp::Duplicate {
                seq,
                row: DuplicateRow {
                    item: duplicate.item.0,
                    source: duplicate.source.to_string(),
                    collected_ms: duplicate.collected_at.as_millisecond(),
                },
            },
            Entry::Checkpoint(checkpoint) => {
                TableOp::Checkpoint { input: checkpoint.input, position: checkpoint.position }
            }
            Entry::Source(source) => TableOp::Source(source),
            Entry::Document(document) => TableOp::Document {
                seq,
                pos: document.value.is_some().then_some(pos),
                table: document.table,
                key: document.key,
            },
        }
    }
}

/// What the caller and the writer share.
#[derive(Debug, Default)]
pub(super) struct Shared {
    /// Items applied but not yet written: for the dedup check and for reads by id.
    pub ids: HashMap<ItemId, (u64, FramePos)>,
    /// Documents applied but not yet written, for reads by key: (table, key) → the seq of the
    /// latest version and its position (`None`: deleted).
    pub documents: HashMap<(String, String), (u64, Option<FramePos>)>,
    /// The first write that failed; after it, nothing more is written.
    pub failure: Option<String>,
}

pub(super) fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) enum Job {
    /// Write these entries (in log order) and record how far the tables then reach.
    Write { entries: Vec<(u64, FramePos, Entry)>, applied: Applied },
    /// Answer once every earlier job is done; make the tables durable first if asked.
    Sync { durable: bool, done: SyncSender<()> },
}

/// The writer thread and the channel to it.
#[derive(Debug)]
pub(super) struct Writer {
    sender: Option<SyncSender<Job>>,
    handle: Option<JoinHandle<()>>,
}

impl Writer {
    pub(super) fn start(
        db: Arc<Database>,
        path: PathBuf,
        shared: Arc<Mutex<Shared>>,
    ) -> Result<Writer, StoreError> {
        // One group queued while another is written: memory stays bounded.
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let handle = std::thread::Builder::new()
            .name("muninn-records".to_owned())
            .spawn(move || run(&db, &path, &shared, receiver))
            .map_err(|source| StoreError::Io {
                action: "start the record writer for",
                path: PathBuf::new(),
                source,
            })?;
        Ok(Writer { sender: Some(sender), handle: Some(handle) })
    }

    /// Hands a job over (waits while the queue is full). `false` if the writer is gone.
    pub(super) fn send(&self, job: Job) -> bool {
        self.sender.as_ref().is_some_and(|sender| sender.send(job).is_ok())
    }

    /// Waits until every job handed over so far is done.
    pub(super) fn sync(&self, durable: bool) -> bool {
        let (done, wait) = std::sync::mpsc::sync_channel(1);
        self.send(Job::Sync { durable, done }) && wait.recv().is_ok()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.sender.take());
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// How much lower the writer's priority is than the thread that started it (nice values).
const NICER_BY: i32 = 10;

/// The tables are derived and written behind: on a busy machine their writer yields the cores
/// to the work an acknowledgement waits for (parsing, screening, the log's append), and catches
/// up while that waits on the disk; the bounded queue to it holds ingest back if it ever falls a
/// group behind. On Linux a nice value is a thread's own, inherited from the thread that
/// started it. A 1M-message feed screened against 100k names on two cores, the thread reniced
/// from outside, three runs each: 10.74-10.77 s at nice 10 against 10.86-11.64 s at 0.
#[cfg(target_os = "linux")]
fn lower_own_priority() {
    let me = Some(rustix::thread::gettid());
    let inherited = rustix::process::getpriority_process(me).unwrap_or(0);
    if let Err(error) = rustix::process::setpriority_process(me, (inherited + NICER_BY).min(19)) {
        tracing::debug!(%error, "the record writer keeps its priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_own_priority() {}

fn run(db: &Database, path: &Path, shared: &Mutex<Shared>, jobs: Receiver<Job>) {
    lower_own_priority();
    let mut commits_since_durable = 0u32;
    let mut last_durable: Option<Instant> = None;
    for job in jobs {
        let failed = lock(shared).failure.is_some();
        match job {
            Job::Write { entries, applied } => {
                // Converted here, on the writer's thread, to keep the ingest thread free.
                let ops: Vec<TableOp> = entries
                    .into_iter()
                    .map(|(seq, pos, entry)| TableOp::from_entry(seq, pos, entry))
                    .collect();
                if failed {
                    continue;
                }
                let durable = commits_since_durable + 1 >= DURABLE_EVERY
                    || last_durable.is_none_or(|at| at.elapsed() >= DURABLE_INTERVAL);
                match write_tables(db, path, &ops, applied, durable) {
                    Ok(()) => {
                        if durable {
                            commits_since_durable = 0;
                            last_durable = Some(Instant::now());
                        } else {
                            commits_since_durable += 1;
                        }
                        let mut shared = lock(shared);
                        for op in ops {
                            match op {
                                TableOp::Item { row, .. } => {
                                    shared.ids.remove(&ItemId(row.id));
                                }
                                TableOp::Document { seq, table, key, .. } => {
                                    // A later version may be pending still: keep it.
                                    let written = (table, key);
                                    if shared
                                        .documents
                                        .get(&written)
                                        .is_some_and(|(pending, _)| *pending <= seq)
                                    {
                                        shared.documents.remove(&written);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                    Err(error) => lock(shared).failure = Some(error.to_string()),
                }
            }
            Job::Sync { durable, done } => {
                if durable && !failed && commits_since_durable > 0 {
                    match make_durable(db, path) {
                        Ok(()) => commits_since_durable = 0,
                        Err(error) => lock(shared).failure = Some(error.to_string()),
                    }
                }
                let _ = done.send(());
            }
        }
    }
}

fn make_durable(db: &Database, path: &Path) -> Result<(), StoreError> {
    let mut tx = db.begin_write().or_records(path)?;
    tx.set_durability(Durability::Immediate).or_records(path)?;
    tx.set_quick_repair(true);
    tx.commit().or_records(path)
}

/// Writes a group of entries to the tables in one transaction.
fn write_tables(
    db: &Database,
    path: &Path,
    ops: &[TableOp],
    applied: Applied,
    durable: bool,
) -> Result<(), StoreError> {
    let mut tx = db.begin_write().or_records(path)?;
    if durable {
        tx.set_durability(Durability::Immediate).or_records(path)?;
        tx.set_quick_repair(true);
    } else {
        tx.set_durability(Durability::None).or_records(path)?;
    }
    {
        let mut id_to_seq = tx.open_table(ID_TO_SEQ).or_records(path)?;
        let mut items = tx.open_table(ITEMS).or_records(path)?;
        let mut by_source = tx.open_table(BY_SOURCE).or_records(path)?;
        let mut sources = tx.open_table(SOURCES).or_records(path)?;
        let mut checkpoints = tx.open_table(CHECKPOINTS).or_records(path)?;
        let mut duplicates = tx.open_table(DUPLICATES).or_records(path)?;
        let mut counts = tx.open_table(COUNTS).or_records(path)?;
        let mut documents = tx.open_table(DOCUMENTS).or_records(path)?;
        // Keys added (or, negative, deleted) per document table.
        let mut document_deltas: HashMap<&str, i64> = HashMap::new();
        // Counts change once per batch, not once per item: (dimension, key) -> delta.
        // Keys borrowed from the operations: a group is 32k items, each of which made five
        // strings here.
        let mut deltas: HashMap<(&'static str, &str), u64> = HashMap::new();
        let mut newest: HashMap<&str, u64> = HashMap::new();
        // The ids are random: inserted in their order, each lands on another page of the
        // B-tree; sorted, the group's inserts walk the tree once. They go in before the other
        // operations, so a duplicate of an item of the same group finds it.
        let mut new_ids: Vec<(&[u8; 16], u64)> = ops
            .iter()
            .filter_map(|op| match op {
                TableOp::Item { seq, row } => Some((&row.id, *seq)),
                _ => None,
            })
            .collect();
        new_ids.sort_unstable();
        for (id, seq) in new_ids {
            if id_to_seq.insert(&id[..], seq).or_records(path)?.is_some() {
                return Err(corrupt(path, format!("item {} appears twice in the log", ItemId(*id))));
            }
        }
        for op in ops {
            match op {
                TableOp::Item { seq, row } => {
                    items.insert(*seq, row.encode().as_slice()).or_records(path)?;
                    by_source.insert((row.source.as_str(), *seq), ()).or_records(path)?;
                    *deltas.entry(("total", "items")).or_default() += 1;
                    *deltas.entry(("lang", row.lang.as_deref().unwrap_or("unknown"))).or_default() += 1;
                    *deltas.entry(("tlp", row.tlp.short())).or_default() += 1;
                    *deltas.entry(("source", row.source.as_str())).or_default() += 1;
                    let newest_ms = newest.entry(row.source.as_str()).or_default();
                    *newest_ms = (*newest_ms).max(row.collected_ms.max(0) as u64);
                }
                TableOp::Duplicate { seq, row } => {
                    let encoded = serde_json::to_vec(&row).map_err(|e| corrupt(path, e.to_string()))?;
                    duplicates.insert(*seq, encoded.as_slice()).or_records(path)?;
                    let original = id_to_seq.get(&row.item[..]).or_records(path)?.map(|v| v.value());
                    let Some(original) = original else {
                        return Err(corrupt(path, format!("duplicate of unknown item {}", ItemId(row.item))));
                    };
                    let bytes = items.get(original).or_records(path)?.map(|v| v.value().to_vec());
                    let mut item_row: ItemRow = bytes.and_then(|b| ItemRow::decode(&b)).ok_or_else(|| {
                        corrupt(path, format!("row of item {} unreadable", ItemId(row.item)))
                    })?;
                    item_row.duplicates += 1;
                    items.insert(original, item_row.encode().as_slice()).or_records(path)?;
                    *deltas.entry(("total", "duplicates")).or_default() += 1;
                    *deltas.entry(("source_dup", row.source.as_str())).or_default() += 1;
                }
                TableOp::Checkpoint { input, position } => {
                    checkpoints.insert(input.as_str(), *position).or_records(path)?;
                }
                TableOp::Source(source) => {
                    let json = serde_json::to_string(source).map_err(|e| corrupt(path, e.to_string()))?;
                    sources.insert(source.id.as_str(), json.as_str()).or_records(path)?;
                }
                TableOp::Document { table, key, pos: Some(pos), .. } => {
                    let previous =
                        documents.insert((table.as_str(), key.as_str()), &encode_position(*pos)[..]);
                    if previous.or_records(path)?.is_none() {
                        *document_deltas.entry(table).or_default() += 1;
                    }
                }
                TableOp::Document { table, key, pos: None, .. } => {
                    if documents.remove((table.as_str(), key.as_str())).or_records(path)?.is_some() {
                        *document_deltas.entry(table).or_default() -= 1;
                    }
                }
            }
        }
        for ((dimension, key), delta) in &deltas {
            let current = counts.get((*dimension, *key)).or_records(path)?.map_or(0, |v| v.value());
            counts.insert((*dimension, *key), current + delta).or_records(path)?;
        }
        for (source, newest_ms) in &newest {
            let current = counts.get(("source_last", *source)).or_records(path)?.map_or(0, |v| v.value());
            counts.insert(("source_last", *source), current.max(*newest_ms)).or_records(path)?;
        }
        for (table, delta) in &document_deltas {
            let current = counts.get((DOCUMENT_COUNT, *table)).or_records(path)?.map_or(0, |v| v.value());
            let updated = current.checked_add_signed(*delta).ok_or_else(|| {
                corrupt(path, format!("document count of table {table} would go below zero"))
            })?;
            counts.insert((DOCUMENT_COUNT, *table), updated).or_records(path)?;
        }
        let mut meta = tx.open_table(META).or_records(path)?;
        meta.insert("applied_seq", applied.seq).or_records(path)?;
        meta.insert("applied_segment", applied.segment).or_records(path)?;
        meta.insert("applied_end", applied.end_offset).or_records(path)?;
    }
    tx.commit().or_records(path)
}
