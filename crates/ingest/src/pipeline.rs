//! The ingest pipeline: inputs → units → records → items → durable batches.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use muninn_model::{
    AdmiraltyGrade, ContentHash, Item, ItemDraft, ItemId, LanguageTag, Markings, Source, SourceId,
    SourceKind, Timestamp, Tlp,
};
use muninn_store::{AppendBatch, AppendOutcome, Document, ItemStore, StoreError};
use rayon::prelude::*;

use crate::decode::TextEncoding;
pub use crate::readers::FieldMap;
use crate::readers::{ReadContext, parse_unit, read_units};
use crate::record::Unit;
use crate::{Diagnostic, Format, Location, Record, detect_language};

/// Size limits that keep one bad input from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest line, CSV row or message.
    pub max_item_bytes: usize,
    /// Largest single field (body, title, column).
    pub max_field_bytes: usize,
    /// Largest whole-file document (text, Markdown, HTML, feed, `.eml`).
    pub max_document_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_item_bytes: 16 << 20, max_field_bytes: 8 << 20, max_document_bytes: 64 << 20 }
    }
}

/// What a source that ingest creates on first sight gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDefaults {
    /// Its kind.
    pub kind: SourceKind,
    /// Its default grade.
    pub grade: AdmiraltyGrade,
    /// Its default TLP.
    pub tlp: Tlp,
}

impl Default for SourceDefaults {
    fn default() -> SourceDefaults {
        // Unknown material is unassessed and kept inside the organisation until someone decides.
        SourceDefaults { kind: SourceKind::OpenSource, grade: AdmiraltyGrade::UNASSESSED, tlp: Tlp::Amber }
    }
}

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// The source of every item (overrides a source field in the input).
    pub source: Option<SourceId>,
    /// The source of items that name none.
    pub fallback_source: SourceId,
    /// Force a format instead of guessing from file names.
    pub format: Option<Format>,
    /// Declared text encoding of the inputs.
    pub encoding: Option<TextEncoding>,
    /// The least restrictive TLP an item may get: a declared TLP below it is raised to it, and
    /// items that declare none get it (instead of their source's default).
    pub tlp_floor: Option<Tlp>,
    /// Grade of items that declare none (instead of their source's default).
    pub grade: Option<AdmiraltyGrade>,
    /// Field mapping for JSON Lines and CSV.
    pub fields: FieldMap,
    /// Size limits.
    pub limits: Limits,
    /// The collection time recorded on every item of this run.
    pub collected_at: Timestamp,
    /// Continue each input from its checkpoint (the default), or read it all again.
    pub resume: bool,
    /// Units per durable batch (one fsync each).
    pub batch_units: usize,
    /// What a source seen for the first time gets.
    pub new_sources: SourceDefaults,
    /// Longest a read unit waits for its batch to fill: when set, a batch is made durable
    /// once its first unit is this old (checked as units arrive), which bounds the delay from
    /// arrival to acknowledgement on a slow stream.
    pub max_batch_delay: Option<std::time::Duration>,
    /// The handling every item of the run gets besides its TLP label: originating
    /// organisation, compartments, RED recipients, the originator's restrictions. Its `tlp`
    /// is not used (the label comes from the record, `tlp_floor` and the source).
    pub handling: Markings,
}

impl IngestConfig {
    /// Defaults for a run collected at `collected_at`.
    pub fn new(collected_at: Timestamp) -> IngestConfig {
        IngestConfig {
            source: None,
            fallback_source: SourceId::new("local-files").expect("\"local-files\" is a valid source id"),
            format: None,
            encoding: None,
            tlp_floor: None,
            grade: None,
            fields: FieldMap::default(),
            limits: Limits::default(),
            collected_at,
            resume: true,
            batch_units: 4096,
            new_sources: SourceDefaults::default(),
            max_batch_delay: None,
            handling: Markings::tlp(Tlp::Clear),
        }
    }
}

/// An input to ingest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a directory (read recursively, in name order, hidden files skipped).
    Path(PathBuf),
    /// Standard input (never resumable: there is nothing to re-read).
    Stdin,
}

/// Where a run stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Input bytes read so far.
    pub bytes_done: u64,
    /// Input bytes in all (0 when unknown, as for stdin).
    pub bytes_total: u64,
    /// Items stored so far.
    pub stored: u64,
    /// Duplicates counted so far.
    pub duplicates: u64,
    /// Problems so far.
    pub rejected: u64,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestSummary {
    /// Files (and stdin) read.
    pub inputs: u64,
    /// New items made durable.
    pub stored: u64,
    /// Items whose content was already stored.
    pub duplicates: u64,
    /// Units skipped because an earlier run had ingested them.
    pub resumed: u64,
    /// Problems: records or inputs refused.
    pub rejected: u64,
    /// Input bytes read.
    pub bytes: u64,
    /// Sources created on first sight.
    pub new_sources: Vec<SourceId>,
    /// The first problems, in order (see `diagnostics_dropped`).
    pub diagnostics: Vec<Diagnostic>,
    /// Problems not kept in `diagnostics`.
    pub diagnostics_dropped: u64,
}

const MAX_DIAGNOSTICS: usize = 10_000;

impl IngestSummary {
    fn reject(&mut self, diagnostic: Diagnostic) {
        self.rejected += 1;
        if self.diagnostics.len() < MAX_DIAGNOSTICS {
            self.diagnostics.push(diagnostic);
        } else {
            self.diagnostics_dropped += 1;
        }
    }
}

/// What the pipeline tells its caller as it goes.
///
/// Each batch gets one `documents` call before it is appended and one `committed` call once it
/// is durable, in batch order; the next batch's `documents` may come before this one's
/// `committed` (it is prepared while this one is appended), so an observer that keeps state
/// from `documents` to `committed` keeps it per batch, first in, first out.
pub trait IngestObserver {
    /// After each durable batch.
    fn progress(&mut self, _progress: &Progress) {}
    /// After each durable batch: the items it stored, with their content hashes. Everything
    /// listed here is acknowledged: fsynced.
    fn committed(&mut self, _stored: &[(ItemId, ContentHash)]) {}
    /// Before each batch is made durable: documents to store in the same fsync, typically each
    /// conditional on its item being new (`Document::if_new_item`): screening's alerts, which
    /// are then durable the moment their item is acknowledged. The batch before may still be
    /// on its way to disk.
    fn documents(&mut self, _items: &[(Item, Option<Vec<u8>>)]) -> Vec<Document> {
        Vec::new()
    }
}

/// An observer that ignores everything.
#[derive(Debug, Default)]
pub struct Quiet;
impl IngestObserver for Quiet {}

/// Why a run stopped. Bad input never stops a run; these do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The store failed; nothing after the last acknowledged batch was stored.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An input named on the command line does not exist or cannot be listed.
    #[error("cannot read input {path}: {source}")]
    Input {
        /// The input.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Ingests inputs into a store. Returns a summary; bad records and unreadable files are in its
/// diagnostics, never a reason to stop.
pub fn ingest(
    store: &mut dyn ItemStore,
    inputs: &[Input],
    config: &IngestConfig,
    observer: &mut dyn IngestObserver,
) -> Result<IngestSummary, IngestError> {
    let mut files = Vec::new();
    let mut summary = IngestSummary::default();
    for input in inputs {
        match input {
            Input::Stdin => files.push(None),
            Input::Path(path) => {
                let metadata = std::fs::metadata(path)
                    .map_err(|source| IngestError::Input { path: path.clone(), source })?;
                if metadata.is_dir() {
                    collect_files(path, &mut files, &mut summary)
                        .map_err(|source| IngestError::Input { path: path.clone(), source })?;
                } else {
                    files.push(Some(path.clone()));
                }
            }
        }
    }
    let mut progress = Progress {
        bytes_total: files
            .iter()
            .flatten()
            .filter_map(|path| std::fs::metadata(path).ok())
            .map(|m| m.len())
            .sum(),
        ..Progress::default()
    };
    let mut run = Run {
        store,
        config,
        observer,
        summary,
        progress: &mut progress,
        sources: HashMap::new(),
        parse_pool: parse_pool(),
    };
    for file in files {
        run.summary.inputs += 1;
        match file {
            Some(path) => run.ingest_file(&path)?,
            None => {
                let format = config.format.unwrap_or(Format::JsonLines);
                let context = run.context("<stdin>".to_owned(), "stdin".to_owned(), format);
                let mut reader = BufReader::with_capacity(1 << 20, std::io::stdin());
                run.ingest_reader(&context, &mut reader, None)?;
            }
        }
    }
    Ok(run.summary)
}

/// Lists the files under a directory in name order, skipping hidden entries. Entries that cannot
/// be listed become diagnostics.
fn collect_files(
    dir: &Path,
    files: &mut Vec<Option<PathBuf>>,
    summary: &mut IngestSummary,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_dir() => {
                if let Err(error) = collect_files(&path, files, summary) {
                    summary.reject(Diagnostic::new(
                        &path.display().to_string(),
                        Location::File,
                        format!("cannot list directory: {error}"),
                    ));
                }
            }
            Ok(_) => files.push(Some(path)),
            Err(error) => summary.reject(Diagnostic::new(
                &path.display().to_string(),
                Location::File,
                format!("cannot read: {error}"),
            )),
        }
    }
    Ok(())
}

/// The consumer (the store side) has stopped; the producer stops reading.
struct ConsumerStopped;

/// A chunk of units, parsed: what the producer hands to the store side.
struct ParsedChunk {
    /// The ordinal of the chunk's last unit; `None` for an empty chunk.
    last_ordinal: Option<u64>,
    /// Records (language detected) and problems, in input order.
    records: Vec<Result<Record, Diagnostic>>,
    /// Input bytes the chunk and the units skipped before it cover.
    bytes: u64,
    /// Units skipped before it because an earlier run ingested them.
    resumed: u64,
}

/// A chunk's records made drafts of items.
struct DraftedChunk {
    drafts: Vec<ItemDraft>,
    checkpoints: Vec<(String, u64)>,
}

/// A batch ready to append: its items hashed, its documents (alerts) made.
struct PreparedBatch {
    append: AppendBatch,
    /// Each item's id and hash, in batch order.
    hashes: Vec<(ItemId, ContentHash)>,
}

/// Hashes a drafted chunk's items (in parallel) and asks the observer for the documents that go
/// into the same fsync.
fn prepare(observer: &mut dyn IngestObserver, drafted: DraftedChunk) -> PreparedBatch {
    let items: Vec<_> = drafted.drafts.into_par_iter().map(ItemDraft::into_item).collect();
    let hashes = items.iter().map(|(item, _)| (item.id, item.content_hash)).collect();
    let documents = observer.documents(&items);
    PreparedBatch { append: AppendBatch { items, checkpoints: drafted.checkpoints, documents }, hashes }
}

/// Parses units in parallel and detects languages. Pure.
fn parse_chunk(context: &ReadContext, chunk: Vec<Unit>, resumed: u64, skipped_bytes: u64) -> ParsedChunk {
    let last_ordinal = chunk.last().map(|unit| unit.ordinal);
    let bytes = skipped_bytes + chunk.iter().map(|unit| unit.bytes).sum::<u64>();
    let records = chunk
        .into_par_iter()
        .flat_map_iter(|unit| parse_unit(context, unit.content))
        .map(|result| {
            result.map(|mut record| {
                let declared = record.language.as_deref().and_then(|code| LanguageTag::new(code).ok());
                record.language = match declared {
                    Some(tag) => Some(tag.as_str().to_owned()),
                    None => detect_language(&record.body),
                };
                record
            })
        })
        .collect();
    ParsedChunk { last_ordinal, records, bytes, resumed }
}

struct Run<'a> {
    store: &'a mut dyn ItemStore,
    config: &'a IngestConfig,
    observer: &'a mut dyn IngestObserver,
    summary: IngestSummary,
    progress: &'a mut Progress,
    sources: HashMap<SourceId, Source>,
    /// Where the producer parses (`None`: rayon's global pool).
    parse_pool: Option<std::sync::Arc<rayon::ThreadPool>>,
}

/// The producer's own pool, as many threads as cores. Parsing in the pool the committing thread
/// hashes and screens in queued its jobs ahead of the committer's, which then waited on parsing
/// it did not need yet; with a pool each, the system shares the cores between them. On two
/// cores a 1M-message news feed ingests in 10.1-10.4 s instead of 11.6-11.7 (14.4-14.8 s
/// instead of 14.8-16.2 screened against a 100k-name list, a noisier hour); `cargo xtask bench
/// ingest`'s input, equal within noise. A pool of one thread fewer than the cores did as well
/// on the feed but made that bench 12% slower in consecutive runs (97k against 111k items/s):
/// parsing became the limit.
fn parse_pool() -> Option<std::sync::Arc<rayon::ThreadPool>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    rayon::ThreadPoolBuilder::new()
        .num_threads(cores)
        .thread_name(|index| format!("muninn-parse-{index}"))
        .build()
        .ok()
        .map(std::sync::Arc::new)
}

impl Run<'_> {
    fn context(&self, input: String, stem: String, format: Format) -> ReadContext {
        ReadContext {
            input,
            stem,
            format,
            encoding: self.config.encoding,
            limits: self.config.limits,
            fields: self.config.fields.clone(),
        }
    }

    fn ingest_file(&mut self, path: &Path) -> Result<(), IngestError> {
        let name = path.display().to_string();
        let Some(format) = self.config.format.or_else(|| Format::from_path(path)) else {
            self.summary.reject(Diagnostic::new(
                &name,
                Location::File,
                "unsupported file type; name the format with --format",
            ));
            return Ok(());
        };
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let context = self.context(name.clone(), stem, format);
        let opened = File::open(path).and_then(|file| file.metadata().map(|m| (file, m)));
        let (file, metadata) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                self.summary.reject(Diagnostic::new(&name, Location::File, format!("cannot read: {error}")));
                return Ok(());
            }
        };
        if metadata.len() == 0 {
            self.summary.reject(Diagnostic::new(&name, Location::File, "empty file"));
            return Ok(());
        }
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        let modified = metadata
            .modified()
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let key = format!("file:{}:{}:{}", canonical.display(), metadata.len(), modified);
        let mut reader = BufReader::with_capacity(1 << 20, file);
        self.ingest_reader(&context, &mut reader, Some(key))
    }

    /// Reads and parses on a producer thread (parsing itself in parallel) while this thread
    /// makes the previous chunk durable: on two cores, parsing and storing overlap.
    fn ingest_reader(
        &mut self,
        context: &ReadContext,
        reader: &mut (dyn std::io::BufRead + Send),
        checkpoint_key: Option<String>,
    ) -> Result<(), IngestError> {
        let resume_from = match (&checkpoint_key, self.config.resume) {
            (Some(key), true) => self.store.checkpoint(key)?.unwrap_or(0),
            _ => 0,
        };
        let batch_units = self.config.batch_units.max(1);
        let batch_bytes = (self.config.limits.max_item_bytes as u64).max(32 << 20);
        let max_delay = self.config.max_batch_delay;
        std::thread::scope(|scope| -> Result<(), IngestError> {
            // One chunk in flight while another is parsed: memory stays bounded.
            let (sender, receiver) = std::sync::mpsc::sync_channel::<ParsedChunk>(1);
            let parse_pool = self.parse_pool.clone();
            let producer = scope.spawn(move || {
                let mut chunk: Vec<Unit> = Vec::new();
                let mut chunk_bytes = 0u64;
                let mut chunk_started = std::time::Instant::now();
                let mut resumed = 0u64;
                let mut skipped_bytes = 0u64;
                let send = |chunk: Vec<Unit>, resumed: &mut u64, skipped_bytes: &mut u64| {
                    let (resumed, skipped_bytes) = (std::mem::take(resumed), std::mem::take(skipped_bytes));
                    let parsed = match &parse_pool {
                        Some(pool) => pool.install(|| parse_chunk(context, chunk, resumed, skipped_bytes)),
                        None => parse_chunk(context, chunk, resumed, skipped_bytes),
                    };
                    sender.send(parsed).map_err(|_| ConsumerStopped)
                };
                read_units(context, reader, &mut |unit: Unit| -> Result<(), ConsumerStopped> {
                    if unit.ordinal < resume_from {
                        resumed += 1;
                        skipped_bytes += unit.bytes;
                        return Ok(());
                    }
                    chunk_bytes += unit.bytes;
                    if chunk.is_empty() {
                        chunk_started = std::time::Instant::now();
                    }
                    chunk.push(unit);
                    let overdue = max_delay.is_some_and(|delay| chunk_started.elapsed() >= delay);
                    if chunk.len() >= batch_units || chunk_bytes >= batch_bytes || overdue {
                        chunk_bytes = 0;
                        send(std::mem::take(&mut chunk), &mut resumed, &mut skipped_bytes)?;
                    }
                    Ok(())
                })?;
                send(chunk, &mut resumed, &mut skipped_bytes)
            });
            let outcome = self.commit_chunks(context, &receiver, checkpoint_key.as_deref());
            // On a store failure the receiver is dropped here, so the producer's next send fails
            // and it stops reading.
            drop(receiver);
            let _ = producer.join();
            outcome
        })
    }

    /// Makes the parsed chunks durable, one batch (one fsync) each, in order. While a batch is
    /// appended, the next chunk, when it has already arrived, is drafted, hashed and screened
    /// beside it: the append is serial (encoding, writing, the fsync's wait), so preparing the
    /// next batch only after it left a core idle. A batch is never held back for a chunk that
    /// has not arrived: when none is waiting the prepared batch is appended alone.
    fn commit_chunks(
        &mut self,
        context: &ReadContext,
        chunks: &std::sync::mpsc::Receiver<ParsedChunk>,
        key: Option<&str>,
    ) -> Result<(), IngestError> {
        let mut ready: Option<PreparedBatch> = None;
        let mut producer_done = false;
        loop {
            let next = if producer_done {
                None
            } else if ready.is_some() {
                match chunks.try_recv() {
                    Ok(parsed) => Some(parsed),
                    Err(std::sync::mpsc::TryRecvError::Empty) => None,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                        producer_done = true;
                        None
                    }
                }
            } else {
                let next = chunks.recv().ok();
                producer_done = next.is_none();
                next
            };
            match (ready.take(), next) {
                (None, None) => return Ok(()),
                (None, Some(parsed)) => {
                    let drafts = self.draft_chunk(context, parsed, key)?;
                    ready = drafts.map(|drafts| prepare(&mut *self.observer, drafts));
                }
                (Some(batch), None) => {
                    let PreparedBatch { append, hashes } = batch;
                    let outcomes = self.store.append(append);
                    self.finish(hashes, outcomes)?;
                }
                (Some(batch), Some(parsed)) => {
                    // Drafting may store a source seen for the first time: before the store is
                    // lent to the append.
                    let drafts = self.draft_chunk(context, parsed, key)?;
                    let PreparedBatch { append, hashes } = batch;
                    let Run { store, observer, .. } = self;
                    let (outcomes, prepared) = std::thread::scope(|scope| {
                        let appending = scope.spawn(|| store.append(append));
                        let prepared = drafts.map(|drafts| prepare(&mut **observer, drafts));
                        let outcomes =
                            appending.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                        (outcomes, prepared)
                    });
                    self.finish(hashes, outcomes)?;
                    ready = prepared;
                }
            }
        }
    }

    /// Drafts a parsed chunk's records into items to be (source, grade and marking rules
    /// applied; bad records rejected); `None` for a chunk of no units.
    fn draft_chunk(
        &mut self,
        context: &ReadContext,
        parsed: ParsedChunk,
        key: Option<&str>,
    ) -> Result<Option<DraftedChunk>, IngestError> {
        self.progress.bytes_done += parsed.bytes;
        self.summary.bytes += parsed.bytes;
        self.summary.resumed += parsed.resumed;
        let Some(last_ordinal) = parsed.last_ordinal else {
            return Ok(None);
        };
        let mut drafts = Vec::with_capacity(parsed.records.len());
        for result in parsed.records {
            match result {
                Ok(record) => match self.draft(context, record)? {
                    Ok(draft) => drafts.push(draft),
                    Err(diagnostic) => self.summary.reject(diagnostic),
                },
                Err(diagnostic) => self.summary.reject(diagnostic),
            }
        }
        // The checkpoint that says the chunk's units are done, durable with its items.
        let checkpoints = key.map(|key| vec![(key.to_owned(), last_ordinal + 1)]).unwrap_or_default();
        Ok(Some(DraftedChunk { drafts, checkpoints }))
    }

    /// Counts a batch's outcomes once it is durable and tells the observer.
    fn finish(
        &mut self,
        hashes: Vec<(ItemId, ContentHash)>,
        outcomes: Result<Vec<AppendOutcome>, StoreError>,
    ) -> Result<(), IngestError> {
        let outcomes = outcomes?;
        let mut stored = Vec::with_capacity(outcomes.len());
        for (outcome, hash) in outcomes.iter().zip(hashes) {
            match outcome {
                AppendOutcome::Stored { .. } => {
                    self.summary.stored += 1;
                    stored.push(hash);
                }
                AppendOutcome::Duplicate { .. } => self.summary.duplicates += 1,
            }
        }
        self.progress.stored = self.summary.stored;
        self.progress.duplicates = self.summary.duplicates;
        self.progress.rejected = self.summary.rejected;
        self.observer.committed(&stored);
        self.observer.progress(self.progress);
        Ok(())
    }

    /// Applies source, grade and marking rules to a record.
    fn draft(
        &mut self,
        context: &ReadContext,
        mut record: Record,
    ) -> Result<Result<ItemDraft, Diagnostic>, IngestError> {
        let source_id = match (&self.config.source, record.source.take()) {
            (Some(forced), declared) => {
                if let Some(declared) = declared {
                    record
                        .attributes
                        .insert("declared_source".to_owned(), serde_json::Value::String(declared));
                }
                forced.clone()
            }
            (None, Some(declared)) => match SourceId::new(&declared) {
                Ok(id) => id,
                Err(error) => {
                    return Ok(Err(Diagnostic::new(&context.input, Location::File, format!("{error}"))));
                }
            },
            (None, None) => self.config.fallback_source.clone(),
        };
        let (default_tlp, default_grade) = self.source_defaults(&source_id)?;
        let floor = self.config.tlp_floor;
        let tlp = match record.tlp {
            Some(declared) => declared.max(floor.unwrap_or(Tlp::Clear)),
            None => floor.unwrap_or(default_tlp),
        };
        let grade = record.grade.or(self.config.grade).unwrap_or(default_grade);
        record.attributes.insert("input".to_owned(), serde_json::Value::String(context.input.clone()));
        Ok(Ok(ItemDraft {
            source: source_id,
            collected_at: self.config.collected_at,
            event_time: record.event_time,
            title: record.title,
            body: record.body,
            language: record.language.and_then(|code| LanguageTag::new(&code).ok()),
            markings: Markings { tlp, ..self.config.handling.clone() },
            grade,
            raw: record.raw.map(|(bytes, media_type)| (bytes, media_type.to_owned())),
            attributes: record.attributes,
        }))
    }

    /// The default TLP and grade of the source of that id, created durably on first sight.
    /// Asked once per record, so it copies the two defaults rather than cloning the source.
    fn source_defaults(&mut self, id: &SourceId) -> Result<(Tlp, AdmiraltyGrade), IngestError> {
        if let Some(source) = self.sources.get(id) {
            return Ok((source.default_tlp, source.default_grade));
        }
        let source = match self.store.source(id)? {
            Some(source) => source,
            None => {
                let defaults = &self.config.new_sources;
                let source = Source {
                    id: id.clone(),
                    name: id.to_string(),
                    kind: defaults.kind,
                    default_grade: defaults.grade,
                    default_tlp: defaults.tlp,
                    description: None,
                };
                self.store.put_source(source.clone())?;
                self.summary.new_sources.push(id.clone());
                source
            }
        };
        let defaults = (source.default_tlp, source.default_grade);
        self.sources.insert(id.clone(), source);
        Ok(defaults)
    }
}
