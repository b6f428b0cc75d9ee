//! The embedded store: one data directory holding the item log and the record tables.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use muninn_model::{Item, ItemId, Source, SourceId};

use crate::document::{check_key, check_table};
use crate::entry::{CheckpointEntry, DocumentEntry, DuplicateEntry, Entry};
use crate::log::{self, FramePos, SEGMENT_HEADER_LEN, ScanEnd};
use crate::records::{Applied, Records};
use crate::{
    AppendBatch, AppendOutcome, Document, ItemStore, ItemSummary, ListQuery, SourceSummary, StoreError,
    StoreStats,
};

/// The newest on-disk format (the `FORMAT` file): what this build writes in a new directory. It
/// reads every format from 1 on. Format 2 added documents (entry kind 5); a format-1 directory
/// is upgraded when its first document is written, so until then older builds still open it.
pub const FORMAT_VERSION: u32 = 2;
/// The first format whose log may hold documents.
const DOCUMENTS_FORMAT: u32 = 2;
const FORMAT_FILE: &str = "FORMAT";
const LOCK_FILE: &str = "LOCK";
const LOG_DIR: &str = "log";
const RECORDS_FILE: &str = "records.redb";
/// Frames applied to the tables per transaction during recovery.
const RECOVERY_BATCH: usize = 8192;

/// How the store behaves.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// A new segment starts once the current one reaches this size.
    pub segment_max_bytes: u64,
    /// Faults to inject, for tests of the fail-stop rule. `None` in production.
    pub faults: Option<FaultPlan>,
}

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig { segment_max_bytes: 256 << 20, faults: None }
    }
}

/// Makes the n-th log write or fsync (counted from 1 since open) fail, as a failing disk would.
#[derive(Debug, Clone, Default)]
pub struct FaultPlan {
    /// Fail this log write.
    pub fail_write: Option<u64>,
    /// Fail this log fsync.
    pub fail_sync: Option<u64>,
}

/// What [`EmbeddedStore::verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Frames read from the log.
    pub frames: u64,
    /// Item entries among them.
    pub items: u64,
    /// Problems found; empty when the store is sound.
    pub problems: Vec<String>,
}

/// An item and the raw bytes kept beside it.
type ItemWithRaw = (Item, Option<Vec<u8>>);

#[derive(Debug)]
struct SegmentWriter {
    segment: u64,
    file: File,
    len: u64,
}

/// The embedded [`ItemStore`]. One process at a time holds a data directory.
#[derive(Debug)]
pub struct EmbeddedStore {
    dir: PathBuf,
    log_dir: PathBuf,
    config: StoreConfig,
    /// The format of the directory as the FORMAT file says.
    format: u32,
    records: Records,
    writer: SegmentWriter,
    next_seq: u64,
    stopped: Option<String>,
    writes: u64,
    syncs: u64,
    readers: Mutex<HashMap<u64, Arc<File>>>,
    /// Where the last [`ItemStore::for_each_item`] scan ended: (segment, offset after its last
    /// frame, that frame's seq). A follower (the index syncing every second) resumes there
    /// instead of reading the segment from its start: a segment of tens of MB (a knowledge
    /// base import) read each second stalled every search behind the sync.
    scan_hint: Mutex<Option<(u64, u64, u64)>>,
    /// The frames of the last commit, cleared and reused: encoding each batch into a new buffer
    /// grew it by doubling and faulted in fresh pages at every step (a tenth of ingest's time).
    frames: Vec<u8>,
    _lock: File,
}

/// A frame buffer larger than this is not kept between commits.
const FRAMES_KEPT_BYTES: usize = 64 << 20;

impl EmbeddedStore {
    /// Opens (creating if needed) a data directory, recovering from any crash: a torn tail of the
    /// log is cut off, and the record tables catch up with the log.
    pub fn open(dir: &Path, config: StoreConfig) -> Result<EmbeddedStore, StoreError> {
        let io_error = |action, path: &Path, source| StoreError::Io { action, path: path.to_owned(), source };
        fs::create_dir_all(dir).map_err(|source| io_error("create", dir, source))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| io_error("open", &lock_path, source))?;
        if lock.try_lock().is_err() {
            return Err(StoreError::Locked { path: dir.to_owned() });
        }
        let format = check_format(dir)?;
        let log_dir = dir.join(LOG_DIR);
        if !log_dir.exists() {
            fs::create_dir_all(&log_dir).map_err(|source| io_error("create", &log_dir, source))?;
            log::sync_dir(dir)?;
        }
        let mut records = Records::open(&dir.join(RECORDS_FILE))?;
        let (writer, next_seq) = recover(&log_dir, &mut records)?;
        Ok(EmbeddedStore {
            dir: dir.to_owned(),
            log_dir,
            config,
            format,
            records,
            writer,
            next_seq,
            stopped: None,
            writes: 0,
            syncs: 0,
            readers: Mutex::new(HashMap::new()),
            scan_hint: Mutex::new(None),
            frames: Vec::new(),
            _lock: lock,
        })
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Reads the whole log and checks every frame, every item's content hash and raw bytes, and
    /// that the record tables point at exactly the items of the log.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let mut report = VerifyReport::default();
        let mut log_items: Vec<(u64, ItemId, FramePos)> = Vec::new();
        // (table, key) -> position of the latest version, None once deleted.
        let mut log_documents: BTreeMap<(String, String), Option<FramePos>> = BTreeMap::new();
        let mut expected_seq = None;
        for segment in log::list_segments(&self.log_dir)? {
            let (end, _) = log::scan_segment(&self.log_dir, segment, SEGMENT_HEADER_LEN, &mut |frame| {
                report.frames += 1;
                if let Some(expected) = expected_seq
                    && frame.seq != expected
                {
                    report
                        .problems
                        .push(format!("segment {segment}: seq {} where {expected} was expected", frame.seq));
                }
                expected_seq = Some(frame.seq + 1);
                match Entry::decode(&frame.body) {
                    Ok(Entry::Item { item, raw }) => {
                        report.items += 1;
                        if !item.is_intact() {
                            report.problems.push(format!(
                                "item {} at seq {}: content does not match its hash",
                                item.id, frame.seq
                            ));
                        }
                        let raw_ok = match (&item.raw, &raw) {
                            (Some(reference), Some(bytes)) => {
                                reference.len == bytes.len() as u64
                                    && reference.sha256 == muninn_model::ContentHash::of_bytes(bytes)
                            }
                            (None, None) => true,
                            _ => false,
                        };
                        if !raw_ok {
                            report.problems.push(format!(
                                "item {} at seq {}: raw bytes do not match their reference",
                                item.id, frame.seq
                            ));
                        }
                        log_items.push((frame.seq, item.id, frame.pos));
                    }
                    Ok(Entry::Document(document)) => {
                        let latest = document.value.is_some().then_some(frame.pos);
                        log_documents.insert((document.table, document.key), latest);
                    }
                    Ok(_) => {}
                    Err(detail) => report.problems.push(format!("seq {}: {detail}", frame.seq)),
                }
                Ok(())
            })?;
            if let ScanEnd::Invalid { offset, reason } = end {
                report.problems.push(format!("segment {segment} at byte {offset}: {reason}"));
            }
        }
        let table_items = self.records.all_positions()?;
        if table_items != log_items {
            report.problems.push(format!(
                "record tables list {} items, the log holds {}; or their positions differ",
                table_items.len(),
                log_items.len()
            ));
        }
        let log_documents: BTreeMap<(String, String), FramePos> =
            log_documents.into_iter().filter_map(|(key, pos)| Some((key, pos?))).collect();
        if self.records.all_document_positions()? != log_documents {
            report.problems.push(format!(
                "record tables hold {} documents that differ from the latest {} of the log",
                self.records.all_document_positions()?.len(),
                log_documents.len()
            ));
        }
        let mut log_counts: BTreeMap<String, u64> = BTreeMap::new();
        for (table, _) in log_documents.keys() {
            *log_counts.entry(table.clone()).or_default() += 1;
        }
        if self.records.document_counts()? != log_counts {
            report.problems.push("document counts per table differ from the log".to_owned());
        }
        Ok(report)
    }

    fn check_running(&self) -> Result<(), StoreError> {
        match &self.stopped {
            Some(cause) => Err(StoreError::Stopped { cause: cause.clone() }),
            None => Ok(()),
        }
    }

    /// Writes encoded frames and fsyncs them. Any failure stops the store for good.
    fn write_durably(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        let path = log::segment_path(&self.log_dir, self.writer.segment);
        self.writes += 1;
        let injected_write = self.config.faults.as_ref().and_then(|f| f.fail_write) == Some(self.writes);
        let write_result = if injected_write {
            Err(std::io::Error::other("injected write failure"))
        } else {
            self.writer.file.write_all(bytes)
        };
        if let Err(source) = write_result {
            self.stopped = Some(format!("write {}: {source}", path.display()));
            return Err(StoreError::Io { action: "write", path, source });
        }
        self.syncs += 1;
        let injected_sync = self.config.faults.as_ref().and_then(|f| f.fail_sync) == Some(self.syncs);
        let sync_result = if injected_sync {
            Err(std::io::Error::other("injected fsync failure"))
        } else {
            self.writer.file.sync_data()
        };
        if let Err(source) = sync_result {
            self.stopped = Some(format!("fsync {}: {source}", path.display()));
            return Err(StoreError::Io { action: "fsync", path, source });
        }
        self.writer.len += bytes.len() as u64;
        Ok(())
    }

    /// Appends entries as one durable unit and applies them to the tables.
    fn commit(&mut self, entries: Vec<Entry>) -> Result<u64, StoreError> {
        self.check_running()?;
        if self.writer.len >= self.config.segment_max_bytes {
            self.roll_segment()?;
        }
        let first_seq = self.next_seq;
        let mut bytes = std::mem::take(&mut self.frames);
        bytes.clear();
        bytes.reserve(entries.len() * 512);
        let mut positions = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            // Bodies are encoded in place, behind their frame header: a large document is
            // never copied.
            let start = log::begin_frame(&mut bytes);
            entry
                .encode(&mut bytes)
                .map_err(|error| StoreError::Invalid(format!("entry cannot be encoded: {error}")))?;
            let body_len = (bytes.len() - start) as u64 - log::FRAME_HEADER_LEN;
            if body_len > log::MAX_FRAME_BODY {
                return Err(StoreError::Invalid(format!(
                    "entry of {body_len} bytes exceeds the frame limit of {} bytes",
                    log::MAX_FRAME_BODY
                )));
            }
            let seq = first_seq + index as u64;
            log::seal_frame(seq, &mut bytes, start);
            positions.push(FramePos {
                segment: self.writer.segment,
                offset: self.writer.len + start as u64,
                len: body_len as u32,
            });
        }
        self.write_durably(&bytes)?;
        if bytes.capacity() <= FRAMES_KEPT_BYTES {
            self.frames = bytes;
        }
        self.next_seq = first_seq + entries.len() as u64;
        let applied =
            Applied { seq: self.next_seq - 1, segment: self.writer.segment, end_offset: self.writer.len };
        let rows: Vec<(u64, FramePos, Entry)> = entries
            .into_iter()
            .zip(positions)
            .enumerate()
            .map(|(index, (entry, pos))| (first_seq + index as u64, pos, entry))
            .collect();
        if let Err(error) = self.records.apply(rows, applied) {
            // The log holds the entries durably; the tables catch up on reopen.
            self.stopped = Some(format!("record tables: {error}"));
            return Err(error);
        }
        Ok(first_seq)
    }

    fn roll_segment(&mut self) -> Result<(), StoreError> {
        let file = log::create_segment(&self.log_dir, self.next_seq).inspect_err(|error| {
            self.stopped = Some(format!("creating a segment: {error}"));
        })?;
        self.writer = SegmentWriter { segment: self.next_seq, file, len: SEGMENT_HEADER_LEN };
        Ok(())
    }

    fn reader(&self, segment: u64) -> Result<Arc<File>, StoreError> {
        let mut readers = self.readers.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(file) = readers.get(&segment) {
            return Ok(Arc::clone(file));
        }
        let path = log::segment_path(&self.log_dir, segment);
        let file =
            Arc::new(File::open(&path).map_err(|source| StoreError::Io { action: "open", path, source })?);
        readers.insert(segment, Arc::clone(&file));
        Ok(file)
    }

    fn read_entry(&self, pos: FramePos) -> Result<Entry, StoreError> {
        let path = log::segment_path(&self.log_dir, pos.segment);
        let frame = log::read_frame(&*self.reader(pos.segment)?, &path, pos)?;
        Entry::decode_owned(frame.body).map_err(|detail| StoreError::Corrupt {
            path,
            offset: pos.offset,
            detail,
        })
    }

    /// The value of the document version at `pos`, checked to be that of `table` and `key`.
    fn read_document(&self, table: &str, key: &str, pos: FramePos) -> Result<Vec<u8>, StoreError> {
        match self.read_entry(pos)? {
            Entry::Document(DocumentEntry { table: found_table, key: found_key, value: Some(value) })
                if found_table == table && found_key == key =>
            {
                Ok(value)
            }
            _ => Err(StoreError::Corrupt {
                path: log::segment_path(&self.log_dir, pos.segment),
                offset: pos.offset,
                detail: format!("the frame recorded for document {key:?} in {table:?} does not hold it"),
            }),
        }
    }

    /// Makes the FORMAT file say format 2 before the first document is logged, so that a build
    /// that does not know documents refuses the directory instead of reading it wrong. Nothing is
    /// written to the log if this fails.
    fn upgrade_format_for_documents(&mut self) -> Result<(), StoreError> {
        if self.format >= DOCUMENTS_FORMAT {
            return Ok(());
        }
        write_format_file(&self.dir, DOCUMENTS_FORMAT)?;
        tracing::info!(from = self.format, to = DOCUMENTS_FORMAT, "data directory format upgraded");
        self.format = DOCUMENTS_FORMAT;
        Ok(())
    }

    fn read_item(&self, id: &ItemId) -> Result<Option<ItemWithRaw>, StoreError> {
        let Some((_, pos)) = self.records.position(id)? else {
            return Ok(None);
        };
        match self.read_entry(pos)? {
            Entry::Item { item, raw } if item.id == *id && item.is_intact() => Ok(Some((item, raw))),
            _ => Err(StoreError::Corrupt {
                path: log::segment_path(&self.log_dir, pos.segment),
                offset: pos.offset,
                detail: format!("the frame recorded for item {id} does not hold that item intact"),
            }),
        }
    }
}

impl ItemStore for EmbeddedStore {
    fn append(&mut self, batch: AppendBatch) -> Result<Vec<AppendOutcome>, StoreError> {
        self.check_running()?;
        for document in &batch.documents {
            document.validate()?;
        }
        let mut entries = Vec::with_capacity(batch.items.len() + batch.checkpoints.len());
        let mut outcomes = Vec::with_capacity(batch.items.len());
        let mut new_in_batch: HashSet<ItemId> = HashSet::new();
        let mut stored_entry_index = Vec::with_capacity(batch.items.len());
        let ids: Vec<ItemId> = batch.items.iter().map(|(item, _)| item.id).collect();
        let stored_already = self.records.contains_each(&ids)?;
        for ((item, raw), stored) in batch.items.into_iter().zip(stored_already) {
            if stored || new_in_batch.contains(&item.id) {
                outcomes.push(AppendOutcome::Duplicate { id: item.id });
                entries.push(Entry::Duplicate(DuplicateEntry {
                    item: item.id,
                    source: item.source,
                    collected_at: item.collected_at,
                }));
                stored_entry_index.push(None);
            } else {
                new_in_batch.insert(item.id);
                outcomes.push(AppendOutcome::Stored { id: item.id, seq: 0 });
                stored_entry_index.push(Some(entries.len()));
                entries.push(Entry::Item { raw: raw.filter(|_| item.raw.is_some()), item });
            }
        }
        for (input, position) in batch.checkpoints {
            entries.push(Entry::Checkpoint(CheckpointEntry { input, position }));
        }
        let documents_before = entries.len();
        entries.extend(
            batch
                .documents
                .into_iter()
                .filter(|document| document.if_new_item.is_none_or(|id| new_in_batch.contains(&id)))
                .map(document_entry),
        );
        if entries.len() > documents_before {
            self.upgrade_format_for_documents()?;
        }
        if entries.is_empty() {
            return Ok(outcomes);
        }
        let first_seq = self.commit(entries)?;
        for (outcome, index) in outcomes.iter_mut().zip(stored_entry_index) {
            if let (AppendOutcome::Stored { seq, .. }, Some(index)) = (outcome, index) {
                *seq = first_seq + index as u64;
            }
        }
        Ok(outcomes)
    }

    fn put_source(&mut self, source: Source) -> Result<(), StoreError> {
        self.commit(vec![Entry::Source(source)]).map(|_| ())
    }

    fn put_documents(&mut self, documents: Vec<Document>) -> Result<(), StoreError> {
        self.check_running()?;
        for document in &documents {
            document.validate()?;
            if document.if_new_item.is_some() {
                return Err(document.refused(
                    "if_new_item is only meaningful in an append batch, beside its item".to_owned(),
                ));
            }
        }
        if documents.is_empty() {
            return Ok(());
        }
        self.upgrade_format_for_documents()?;
        self.commit(documents.into_iter().map(document_entry).collect()).map(|_| ())
    }

    fn document(&self, table: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        check_table(table).and_then(|()| check_key(key)).map_err(|problem| refused(table, key, problem))?;
        match self.records.document_position(table, key)? {
            Some(pos) => self.read_document(table, key, pos).map(Some),
            None => Ok(None),
        }
    }

    fn documents(
        &self,
        table: &str,
        after_key: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        check_table(table).map_err(|problem| refused(table, after_key.unwrap_or(""), problem))?;
        if limit == 0 {
            return Ok(Vec::new());
        }
        let positions = self.records.document_positions(table, after_key, limit)?;
        positions
            .into_iter()
            .map(|(key, pos)| {
                let value = self.read_document(table, &key, pos)?;
                Ok((key, value))
            })
            .collect()
    }

    fn document_count(&self, table: &str) -> Result<u64, StoreError> {
        check_table(table).map_err(|problem| refused(table, "", problem))?;
        self.records.document_count(table)
    }

    fn source(&self, id: &SourceId) -> Result<Option<Source>, StoreError> {
        self.records.source(id)
    }

    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        self.records.sources()
    }

    fn item(&self, id: &ItemId) -> Result<Option<Item>, StoreError> {
        Ok(self.read_item(id)?.map(|(item, _)| item))
    }

    fn raw(&self, id: &ItemId) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.read_item(id)?.and_then(|(_, raw)| raw))
    }

    fn list(&self, query: &ListQuery) -> Result<Vec<ItemSummary>, StoreError> {
        self.records.list(query)
    }

    fn checkpoint(&self, input: &str) -> Result<Option<u64>, StoreError> {
        self.records.checkpoint(input)
    }

    fn stats(&self) -> Result<StoreStats, StoreError> {
        let mut stats = self.records.stats()?;
        let segments = log::list_segments(&self.log_dir)?;
        stats.log_segments = segments.len() as u64;
        for segment in segments {
            let path = log::segment_path(&self.log_dir, segment);
            stats.log_bytes +=
                fs::metadata(&path).map_err(|source| StoreError::Io { action: "stat", path, source })?.len();
        }
        stats.last_seq = self.next_seq - 1;
        Ok(stats)
    }

    fn for_each_item(
        &self,
        after_seq: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let segments = log::list_segments(&self.log_dir)?;
        // Segments are named by their first sequence number: start with the one holding after_seq + 1.
        let mut first = segments.iter().rposition(|&start| start <= after_seq.saturating_add(1)).unwrap_or(0);
        let mut start_offset = SEGMENT_HEADER_LEN;
        // Resume where the last scan ended when it ended at or before after_seq: every frame
        // before that offset has a seq at most the hint's (the log only grows).
        let hint =
            *self.scan_hint.lock().map_err(|_| StoreError::Invalid("scan hint lock poisoned".to_owned()))?;
        if let Some((segment, offset, seq)) = hint
            && seq <= after_seq
            && let Some(position) = segments.iter().position(|&s| s == segment)
            && position >= first
        {
            first = position;
            start_offset = offset;
        }
        let mut last_seen: Option<u64> = None;
        let mut ended: Option<(u64, u64)> = None;
        for (number, &segment) in segments[first..].iter().enumerate() {
            let path = log::segment_path(&self.log_dir, segment);
            let start = if number == 0 { start_offset } else { SEGMENT_HEADER_LEN };
            let (end, offset) = log::scan_segment(&self.log_dir, segment, start, &mut |frame| {
                last_seen = Some(frame.seq);
                if frame.seq <= after_seq {
                    return Ok(());
                }
                let (seq, offset) = (frame.seq, frame.pos.offset);
                match Entry::decode_owned(frame.body) {
                    Ok(Entry::Item { item, .. }) => visit(seq, &item),
                    Ok(_) => Ok(()),
                    Err(detail) => Err(StoreError::Corrupt { path: path.clone(), offset, detail }),
                }
            })?;
            ended = matches!(end, log::ScanEnd::Clean).then_some((segment, offset));
        }
        let seq = last_seen.or(hint.map(|(_, _, seq)| seq));
        if let (Some((segment, offset)), Some(seq)) = (ended, seq)
            && let Ok(mut slot) = self.scan_hint.lock()
        {
            *slot = Some((segment, offset, seq));
        }
        Ok(())
    }
}

/// Creates the FORMAT file of a new directory, or checks that of an existing one. Returns the
/// directory's format.
fn check_format(dir: &Path) -> Result<u32, StoreError> {
    let path = dir.join(FORMAT_FILE);
    let refused =
        |found: String| StoreError::Format { path: dir.to_owned(), found, expected: FORMAT_VERSION };
    match fs::read_to_string(&path) {
        Ok(found) => {
            let version = found.strip_prefix("muninn-store ").and_then(|rest| rest.strip_suffix('\n'));
            match version.and_then(|number| number.parse::<u32>().ok()) {
                // Strictly the canonical spelling: "01" or "+1" is not a format this build wrote.
                Some(number @ 1..=FORMAT_VERSION) if version == Some(number.to_string().as_str()) => {
                    Ok(number)
                }
                _ => Err(refused(found.trim().to_owned())),
            }
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let is_empty = fs::read_dir(dir)
                .map(|entries| entries.flatten().all(|e| e.file_name() == LOCK_FILE))
                .unwrap_or(false);
            if !is_empty {
                return Err(refused("no FORMAT file in a non-empty directory".to_owned()));
            }
            write_format_file(dir, FORMAT_VERSION)?;
            Ok(FORMAT_VERSION)
        }
        Err(source) => Err(StoreError::Io { action: "read", path, source }),
    }
}

/// Writes the FORMAT file durably: a temporary file, fsync, rename over, fsync the directory.
fn write_format_file(dir: &Path, version: u32) -> Result<(), StoreError> {
    let temporary = dir.join("FORMAT.tmp");
    let io_error = |action, source| StoreError::Io { action, path: temporary.clone(), source };
    let mut file = File::create(&temporary).map_err(|source| io_error("create", source))?;
    file.write_all(format!("muninn-store {version}\n").as_bytes())
        .map_err(|source| io_error("write", source))?;
    file.sync_all().map_err(|source| io_error("fsync", source))?;
    fs::rename(&temporary, dir.join(FORMAT_FILE)).map_err(|source| io_error("rename", source))?;
    log::sync_dir(dir)
}

fn document_entry(document: Document) -> Entry {
    Entry::Document(DocumentEntry { table: document.table, key: document.key, value: document.value })
}

fn refused(table: &str, key: &str, problem: String) -> StoreError {
    Document::delete(table, key).refused(problem)
}

/// Brings the tables up to the end of the log, cuts a torn tail, and opens the last segment for
/// appending. Returns the writer and the next sequence number.
fn recover(log_dir: &Path, records: &mut Records) -> Result<(SegmentWriter, u64), StoreError> {
    let mut segments = log::list_segments(log_dir)?;
    if segments.is_empty() {
        log::create_segment(log_dir, 1)?;
        segments.push(1);
    }
    let mut applied = records.applied()?;
    if let Some(done) = applied
        && !segments.contains(&done.segment)
    {
        tracing::warn!(
            segment = done.segment,
            "record tables refer to a missing segment; rebuilding them from the log"
        );
        records.clear()?;
        applied = None;
    }
    let last_segment = *segments.last().unwrap_or(&1);
    let mut next_seq = applied.map_or(segments[0], |done| done.seq + 1);
    let mut end_offset = SEGMENT_HEADER_LEN;
    for &segment in segments.iter().filter(|&&s| applied.is_none_or(|done| s >= done.segment)) {
        let start = match applied {
            Some(done) if done.segment == segment => done.end_offset,
            _ => SEGMENT_HEADER_LEN,
        };
        let mut pending: Vec<(u64, FramePos, Entry)> = Vec::new();
        let path = log::segment_path(log_dir, segment);
        let flush =
            |pending: &mut Vec<(u64, FramePos, Entry)>, records: &mut Records| -> Result<(), StoreError> {
                if let Some((seq, pos, _)) = pending.last() {
                    let done = Applied {
                        seq: *seq,
                        segment,
                        end_offset: pos.offset + log::FRAME_HEADER_LEN + u64::from(pos.len),
                    };
                    records.apply(std::mem::take(pending), done)?;
                }
                Ok(())
            };
        let (end, offset) = log::scan_segment(log_dir, segment, start, &mut |frame| {
            if frame.seq != next_seq {
                return Err(StoreError::Corrupt {
                    path: path.clone(),
                    offset: frame.pos.offset,
                    detail: format!("frame has seq {} where {next_seq} was expected", frame.seq),
                });
            }
            next_seq += 1;
            let mut entry = Entry::decode_owned(frame.body).map_err(|detail| StoreError::Corrupt {
                path: path.clone(),
                offset: frame.pos.offset,
                detail,
            })?;
            // Up to RECOVERY_BATCH entries wait here: not with their raw bytes or large values.
            entry.drop_payload();
            pending.push((frame.seq, frame.pos, entry));
            if pending.len() >= RECOVERY_BATCH {
                flush(&mut pending, records)?;
            }
            Ok(())
        })?;
        flush(&mut pending, records)?;
        if let ScanEnd::Invalid { offset: bad_offset, reason } = end {
            if segment != last_segment {
                return Err(StoreError::Corrupt { path, offset: bad_offset, detail: reason.to_owned() });
            }
            // A torn tail: a write that never returned, so never acknowledged. Cut it off.
            tracing::warn!(segment, offset = bad_offset, reason, "cutting a torn tail off the item log");
            if bad_offset < SEGMENT_HEADER_LEN {
                fs::remove_file(&path).map_err(|source| StoreError::Io {
                    action: "remove",
                    path: path.clone(),
                    source,
                })?;
                log::sync_dir(log_dir)?;
                log::create_segment(log_dir, segment)?;
            } else {
                log::truncate_segment(log_dir, segment, bad_offset)?;
            }
        }
        end_offset = offset.max(SEGMENT_HEADER_LEN);
    }
    records.flush()?;
    let path = log::segment_path(log_dir, last_segment);
    let file = OpenOptions::new().read(true).append(true).open(&path).map_err(|source| StoreError::Io {
        action: "open",
        path: path.clone(),
        source,
    })?;
    let len = file.metadata().map_err(|source| StoreError::Io { action: "stat", path, source })?.len();
    debug_assert!(len >= end_offset);
    Ok((SegmentWriter { segment: last_segment, file, len }, next_seq))
}
