//! The embedded store: one data directory holding the item log and the record tables.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use muninn_model::{Item, ItemId, Source, SourceId};

use crate::entry::{CheckpointEntry, DuplicateEntry, Entry};
use crate::log::{self, FramePos, SEGMENT_HEADER_LEN, ScanEnd};
use crate::records::{Applied, Records};
use crate::{
    AppendBatch, AppendOutcome, ItemStore, ItemSummary, ListQuery, SourceSummary, StoreError, StoreStats,
};

/// The on-disk format this build writes and reads (the `FORMAT` file, and segment headers).
pub const FORMAT_VERSION: u32 = 1;
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
    records: Records,
    writer: SegmentWriter,
    next_seq: u64,
    stopped: Option<String>,
    writes: u64,
    syncs: u64,
    readers: Mutex<HashMap<u64, Arc<File>>>,
    _lock: File,
}

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
        check_format(dir)?;
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
            records,
            writer,
            next_seq,
            stopped: None,
            writes: 0,
            syncs: 0,
            readers: Mutex::new(HashMap::new()),
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
        let mut bytes = Vec::with_capacity(entries.len() * 512);
        let mut body = Vec::with_capacity(1024);
        let mut positions = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            body.clear();
            entry
                .encode(&mut body)
                .map_err(|error| StoreError::Invalid(format!("entry cannot be encoded: {error}")))?;
            if body.len() as u64 > log::MAX_FRAME_BODY {
                return Err(StoreError::Invalid(format!(
                    "entry of {} bytes exceeds the frame limit of {} bytes",
                    body.len(),
                    log::MAX_FRAME_BODY
                )));
            }
            let offset = self.writer.len + bytes.len() as u64;
            let seq = first_seq + index as u64;
            log::encode_frame(seq, &body, &mut bytes);
            positions.push(FramePos { segment: self.writer.segment, offset, len: body.len() as u32 });
        }
        self.write_durably(&bytes)?;
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
        Entry::decode(&frame.body).map_err(|detail| StoreError::Corrupt { path, offset: pos.offset, detail })
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
        let first = segments.iter().rposition(|&start| start <= after_seq.saturating_add(1)).unwrap_or(0);
        for &segment in &segments[first..] {
            let path = log::segment_path(&self.log_dir, segment);
            log::scan_segment(&self.log_dir, segment, SEGMENT_HEADER_LEN, &mut |frame| {
                if frame.seq <= after_seq {
                    return Ok(());
                }
                match Entry::decode(&frame.body) {
                    Ok(Entry::Item { item, .. }) => visit(frame.seq, &item),
                    Ok(_) => Ok(()),
                    Err(detail) => {
                        Err(StoreError::Corrupt { path: path.clone(), offset: frame.pos.offset, detail })
                    }
                }
            })?;
        }
        Ok(())
    }
}

/// Creates the FORMAT file of a new directory, or checks that of an existing one.
fn check_format(dir: &Path) -> Result<(), StoreError> {
    let path = dir.join(FORMAT_FILE);
    let expected = format!("muninn-store {FORMAT_VERSION}\n");
    match fs::read_to_string(&path) {
        Ok(found) if found == expected => Ok(()),
        Ok(found) => Err(StoreError::Format {
            path: dir.to_owned(),
            found: found.trim().to_owned(),
            expected: FORMAT_VERSION,
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let is_empty = fs::read_dir(dir)
                .map(|entries| entries.flatten().all(|e| e.file_name() == LOCK_FILE))
                .unwrap_or(false);
            if !is_empty {
                return Err(StoreError::Format {
                    path: dir.to_owned(),
                    found: "no FORMAT file in a non-empty directory".to_owned(),
                    expected: FORMAT_VERSION,
                });
            }
            let temporary = dir.join("FORMAT.tmp");
            let io_error = |action, source| StoreError::Io { action, path: temporary.clone(), source };
            let mut file = File::create(&temporary).map_err(|source| io_error("create", source))?;
            file.write_all(expected.as_bytes()).map_err(|source| io_error("write", source))?;
            file.sync_all().map_err(|source| io_error("fsync", source))?;
            fs::rename(&temporary, &path).map_err(|source| io_error("rename", source))?;
            log::sync_dir(dir)
        }
        Err(source) => Err(StoreError::Io { action: "read", path, source }),
    }
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
            let entry = Entry::decode(&frame.body).map_err(|detail| StoreError::Corrupt {
                path: path.clone(),
                offset: frame.pos.offset,
                detail,
            })?;
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
