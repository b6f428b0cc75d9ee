//! Muninn's full-text index, on tantivy. It follows the item log: [`SearchIndex::sync`] adds
//! the items logged since its last commit (it may lag, and catches up), and
//! [`SearchIndex::rebuild`] rebuilds it from the whole log. Searches take a parsed
//! [`muninn_query::Query`] and a [`Visibility`] that is applied inside the query, so that counts,
//! facets and histograms never include an item the caller may not see.
//!
//! Each item's indicators and the entities of a [`Gazetteer`] named in it are indexed with it;
//! the index records the gazetteer it was built with and is rebuilt when it changes.
//!
//! **Invariant:** only this crate knows tantivy.
//! **Invariant:** the index holds nothing that is not derived from the log; deleting it loses
//! nothing.

pub mod analysis;
mod common_words;
mod correlate;
pub mod distributed;
mod entities;
mod error;
mod facets;
mod indicators;
mod query;
mod schema;
mod search;
mod word_break;

use std::path::{Path, PathBuf};

use muninn_extract::Extractor;
use muninn_model::Item;
use muninn_store::ItemStore;
use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

pub use common_words::Tagging;
pub use correlate::{
    EntitySummary, IndicatorSummary, MAX_RELATED_POSTINGS, MAX_RELATED_VALUES, Mention, Related, SharedEntity,
};
pub use entities::{Entity, EntityMention, Gazetteer, GazetteerWarning, extract_entities};
pub use error::IndexError;
pub use schema::SCHEMA_VERSION;
pub use search::{
    Audience, Cursor, EntityFacet, Facets, Hit, SearchRequest, SearchResults, Snippet, TOP_ENTITIES,
    TOP_INDICATORS, Visibility,
};

use crate::analysis::{MuninnTokenizer, TEXT_ANALYZER};
use crate::schema::Fields;

/// Documents added between commits while catching up. Each commit flushes segments and starts
/// merges, which cost a third of the indexing rate when made every 200k documents (before
/// `MERGE_MAX_DOCS`). Every 1M, each indexing thread's segment holds some 500k news items, as
/// at 1M items: 9.9M items indexed in 143 s instead of 160 s with commits every 2M (whose
/// segments of 1M items had larger term tables) in an interleaved index-only A/B, and at 0.59
/// of bare tantivy's rate instead of 0.56-0.57 in `cargo xtask bench search --large`; 20
/// segments instead of 10, the query mix's p99 64-67 ms.
const COMMIT_EVERY: u64 = 1_000_000;
/// Memory of the index writer (shared by its indexing threads; taken as documents arrive: a
/// sync of a few items allocates what they need). It decides how many segments a large sync or
/// a rebuild ends with, and every search visits every segment (a wildcard or fuzzy term walks
/// each one's term dictionary). Measured at 1M items: 200 MiB left 8 segments, a fuzzy query at
/// twice bare tantivy's time and indexing at 9.5 MB/s per core; 1000 MiB left 2, 1.5x, 10.9
/// MB/s (fewer flushes, fewer merges), for 0.25 GB more memory at the peak.
pub const WRITER_HEAP_BYTES: usize = 1000 << 20;
/// Segments of more documents than this are not merged again. A large sync or a rebuild flushes
/// segments of half a million to a million news items (a full writer buffer on each core, or a
/// commit every `COMMIT_EVERY`): merging eight of them rewrote millions of documents on one core
/// while the indexing threads waited for the processor, and a rebuild ended waiting on the last
/// such merge (10M items indexed at half the rate of 1M). The small segments of frequent syncs
/// still merge, up to eight times this.
pub const MERGE_MAX_DOCS: usize = 250_000;

/// What a commit records: which schema, how far into the log the index reaches, and the
/// fingerprint of the gazetteer its entities were found with (empty: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CommitPayload {
    schema_version: u32,
    last_seq: u64,
    #[serde(default)]
    gazetteer: String,
    /// The fingerprint of the warning lists whose matches were left out (empty: none).
    #[serde(default)]
    warninglists: String,
}

/// What an index follows: a log of items in sequence order. Every [`ItemStore`] is one; a
/// cluster's index shard follows the part of the record tables that it indexes.
pub trait ItemFeed {
    /// The last sequence number of the feed (the index reaches it after a sync, even when the
    /// last entries are not items).
    fn feed_last_seq(&self) -> Result<u64, muninn_store::StoreError>;
    /// Visits the items after `after_seq`, in sequence order.
    fn feed_items(
        &self,
        after_seq: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), muninn_store::StoreError>,
    ) -> Result<(), muninn_store::StoreError>;
}

impl<T: ItemStore + ?Sized> ItemFeed for T {
    fn feed_last_seq(&self) -> Result<u64, muninn_store::StoreError> {
        Ok(self.stats()?.last_seq)
    }

    fn feed_items(
        &self,
        after_seq: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), muninn_store::StoreError>,
    ) -> Result<(), muninn_store::StoreError> {
        self.for_each_item(after_seq, visit)
    }
}

/// An index as files: what a cluster's index worker publishes to object storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedIndex {
    /// The text of the committed `meta.json` (segments, schema, the commit payload).
    pub meta: String,
    /// The files of its segments, relative to the index directory. Segment files never
    /// change once written: a name is its content.
    pub files: Vec<String>,
    /// The sequence number it reaches.
    pub last_seq: u64,
}

/// What a sync or rebuild did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Items added to the index.
    pub indexed: u64,
    /// The log sequence number the index now reaches.
    pub last_seq: u64,
    /// Whether the index was rebuilt from the start of the log (new, of another schema
    /// version, built with another gazetteer, or ahead of the log it follows).
    pub rebuilt: bool,
}

/// The full-text index of one data directory.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    last_seq: u64,
    /// Finds the indicators of each item indexed; indicators a warning list matches (known
    /// benign values) are left out of `indicator` and `indicator_type`.
    extractor: Extractor,
    /// The fingerprint of the extractor's warning lists (empty: none).
    warninglists: String,
    /// The entities to find in each item, and to resolve `entity:` queries with.
    gazetteer: Gazetteer,
    /// What the last commit was derived with (gazetteer and warning lists), to tell whether
    /// the next sync must rebuild.
    committed: Option<CommitPayload>,
    /// What searches need of each segment, worked out at each reload (the reader holds it
    /// weakly).
    segments: std::sync::Arc<facets::SegmentWarmer>,
    /// Matches of a segment after which facets of many values are sampled (tests lower it).
    pub(crate) facet_exact_docs: u32,
    /// The most documents of a segment one search thread takes (tests lower it).
    pub(crate) range_docs: u32,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("dir", &self.dir).field("last_seq", &self.last_seq).finish()
    }
}

fn register_analyzers(index: &Index) {
    index.tokenizers().register(TEXT_ANALYZER, MuninnTokenizer);
}

impl SearchIndex {
    /// Opens the index in `dir` without a gazetteer (no entities): [`SearchIndex::open_with`]
    /// with an empty one.
    pub fn open(dir: &Path) -> Result<SearchIndex, IndexError> {
        SearchIndex::open_with(dir, Gazetteer::default())
    }

    /// Opens the index in `dir`, creating it if needed, to find the entities of `gazetteer`.
    /// An index of another schema version is deleted and recreated empty (the next
    /// [`sync`](Self::sync) fills it from the log); one built with another gazetteer is
    /// rebuilt by the next sync, so that every item is indexed with the same entities.
    pub fn open_with(dir: &Path, gazetteer: Gazetteer) -> Result<SearchIndex, IndexError> {
        let (schema, fields) = schema::build();
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io { path: dir.to_owned(), source })?;
        let index = match open_existing(dir, &schema)? {
            Some(index) => index,
            None => {
                clear_dir(dir)?;
                let directory = MmapDirectory::open(dir).map_err(|e| IndexError::engine(dir, e))?;
                Index::create(directory, schema, tantivy::IndexSettings::default())
                    .map_err(|e| IndexError::engine(dir, e))?
            }
        };
        register_analyzers(&index);
        let mut index = index;
        index.set_executor(search_executor().clone());
        let segments = std::sync::Arc::new(facets::SegmentWarmer::default());
        let warmer: std::sync::Arc<dyn tantivy::Warmer> = segments.clone();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .warmers(vec![std::sync::Arc::downgrade(&warmer)])
            .try_into()
            .map_err(|e| IndexError::engine(dir, e))?;
        let committed = payload(&index, dir)?;
        let last_seq = committed.as_ref().map_or(0, |p| p.last_seq);
        Ok(SearchIndex {
            dir: dir.to_owned(),
            index,
            reader,
            fields,
            last_seq,
            extractor: Extractor::default(),
            warninglists: String::new(),
            gazetteer,
            committed,
            segments,
            facet_exact_docs: facets::EXACT_DOCS,
            range_docs: search::RANGE_DOCS,
        })
    }

    /// Leaves out of `indicator` the values that `lists` match (known benign: public
    /// resolvers, well-known domains). `fingerprint` identifies the lists' content: an index
    /// built with other lists is rebuilt by the next sync.
    pub fn with_warning_lists(
        mut self,
        lists: muninn_extract::WarningLists,
        fingerprint: String,
    ) -> SearchIndex {
        self.extractor = Extractor::new(muninn_extract::ExtractConfig::default(), lists);
        self.warninglists = fingerprint;
        self
    }

    /// The extractor the index finds indicators with (and its warning lists).
    pub fn extractor(&self) -> &Extractor {
        &self.extractor
    }

    /// Whether the index was derived with another gazetteer or other warning lists than it now
    /// has (the next sync rebuilds it).
    pub fn derivation_changed(&self) -> bool {
        self.last_seq > 0
            && self.committed.as_ref().is_none_or(|p| {
                p.gazetteer != self.gazetteer.fingerprint() || p.warninglists != self.warninglists
            })
    }

    /// The log sequence number the index reaches.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Documents (items) in the committed index, for every audience.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The gazetteer the index finds entities with.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Adds every item logged after the index's last commit. If the index is ahead of the log
    /// (the data directory was replaced) or was built with another gazetteer, it is rebuilt.
    pub fn sync<F: ItemFeed + ?Sized>(&mut self, store: &F) -> Result<SyncReport, IndexError> {
        let store_last = store.feed_last_seq()?;
        if self.last_seq > store_last || self.derivation_changed() {
            return self.rebuild(store);
        }
        self.add_from(store, self.last_seq, false)
    }

    /// Rebuilds the index from the whole log (`muninn reindex`).
    pub fn rebuild<F: ItemFeed + ?Sized>(&mut self, store: &F) -> Result<SyncReport, IndexError> {
        let mut writer = self.writer()?;
        writer.delete_all_documents().map_err(|e| IndexError::engine(&self.dir, e))?;
        let derivation = self.derivation();
        commit(&mut writer, &self.dir, &CommitPayload { last_seq: 0, ..derivation })?;
        drop(writer);
        self.last_seq = 0;
        self.add_from(store, 0, true)
    }

    /// The payload of a commit at log position 0 with the current derivation.
    fn derivation(&self) -> CommitPayload {
        CommitPayload {
            schema_version: schema::SCHEMA_VERSION,
            last_seq: 0,
            gazetteer: self.gazetteer.fingerprint().to_owned(),
            warninglists: self.warninglists.clone(),
        }
    }

    fn writer(&self) -> Result<IndexWriter<TantivyDocument>, IndexError> {
        let writer = self.index.writer(WRITER_HEAP_BYTES).map_err(|e| IndexError::engine(&self.dir, e))?;
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_max_docs_before_merge(MERGE_MAX_DOCS);
        writer.set_merge_policy(Box::new(policy));
        Ok(writer)
    }

    fn add_from<F: ItemFeed + ?Sized>(
        &mut self,
        store: &F,
        after_seq: u64,
        rebuilt: bool,
    ) -> Result<SyncReport, IndexError> {
        // The writer is made on the first item only: most syncs of a busy server find nothing
        // but audit entries and documents, and a writer (threads, arena, lock file), a commit
        // (fsync) and a reader reload each second held the index's write lock for tens of
        // milliseconds, every search waiting behind it.
        let mut writer: Option<IndexWriter<TantivyDocument>> = None;
        let mut indexed = 0u64;
        let mut last_seq = after_seq;
        let mut failure: Option<IndexError> = None;
        let mut scratch = muninn_text::Scratch::default();
        let derivation = self.derivation();
        store
            .feed_items(after_seq, &mut |seq, item| {
                let stop = |failure: &mut Option<IndexError>, error: IndexError| {
                    *failure = Some(error);
                    Err(muninn_store::StoreError::Invalid("indexing stopped".to_owned()))
                };
                if writer.is_none() {
                    match self.writer() {
                        Ok(made) => writer = Some(made),
                        Err(error) => return stop(&mut failure, error),
                    }
                }
                let Some(active) = writer.as_mut() else { return Ok(()) };
                if let Err(error) = active.add_document(self.document(seq, item, &mut scratch)) {
                    return stop(&mut failure, IndexError::engine(&self.dir, error));
                }
                indexed += 1;
                last_seq = seq;
                if indexed.is_multiple_of(COMMIT_EVERY)
                    && let Err(error) =
                        commit(active, &self.dir, &CommitPayload { last_seq, ..derivation.clone() })
                {
                    return stop(&mut failure, error);
                }
                Ok(())
            })
            .map_err(|error| failure.take().unwrap_or(IndexError::Store(error)))?;
        if let Some(error) = failure {
            return Err(error);
        }
        // The last seq of the log may be a non-item entry: reaching it is progress too.
        let store_last = store.feed_last_seq()?;
        last_seq = last_seq.max(store_last);
        // Without an item since the last commit the position moves on in memory only: after a
        // restart the sync reads those non-item entries again and finds nothing, as now.
        if let Some(mut writer) = writer {
            commit(&mut writer, &self.dir, &CommitPayload { last_seq, ..derivation.clone() })?;
            writer.wait_merging_threads().map_err(|e| IndexError::engine(&self.dir, e))?;
            self.reader.reload().map_err(|e| IndexError::engine(&self.dir, e))?;
            self.committed = Some(CommitPayload { last_seq, ..derivation });
        }
        self.last_seq = last_seq;
        Ok(SyncReport { indexed, last_seq, rebuilt })
    }

    fn document(&self, seq: u64, item: &Item, scratch: &mut muninn_text::Scratch) -> TantivyDocument {
        let fields = &self.fields;
        let mut document = TantivyDocument::default();
        let (high, low) = item.id.0.split_at(8);
        document.add_u64(fields.id_high, u64::from_be_bytes(high.try_into().unwrap_or_default()));
        document.add_u64(fields.id_low, u64::from_be_bytes(low.try_into().unwrap_or_default()));
        document.add_u64(fields.seq, seq);
        if let Some(title) = &item.title {
            document.add_text(fields.title, title);
        }
        document.add_text(fields.body, &item.body);
        document.add_text(fields.source, item.source.as_str());
        if let Some(language) = &item.language {
            document.add_text(fields.lang, language.as_str());
        }
        document.add_text(fields.tlp, item.markings.tlp.short());
        document.add_u64(fields.tlp_rank, search::tlp_rank(item.markings.tlp));
        document.add_text(fields.grade, item.grade.to_string());
        let markings = &item.markings;
        for compartment in &markings.compartments {
            document.add_text(fields.compartment, compartment);
        }
        document.add_text(fields.originator, markings.originator());
        for recipient in &markings.recipients {
            document.add_text(fields.recipient, recipient);
        }
        if markings.amber_to_clients {
            document.add_text(fields.access, search::ACCESS_CLIENTS);
        }
        if !markings.only_orgs.is_empty() {
            document.add_text(fields.access, search::ACCESS_RESTRICTED);
            document.add_text(fields.only_org, markings.originator());
            for org in &markings.only_orgs {
                document.add_text(fields.only_org, org);
            }
        }
        let when = item.event_time.unwrap_or(item.collected_at);
        document.add_date(fields.date, tantivy::DateTime::from_timestamp_secs(when.as_second()));
        let (values, kinds) = indicators::of_item(&self.extractor, item);
        for value in &values {
            document.add_u64(fields.indicator_key, indicators::key(value));
            document.add_text(fields.indicator, value);
        }
        for kind in kinds {
            document.add_text(fields.indicator_type, kind);
        }
        if !self.gazetteer.is_empty() {
            let texts = item.title.as_deref().into_iter().chain(std::iter::once(item.body.as_str()));
            for index in self.gazetteer.entity_indexes(texts, scratch) {
                let entity = &self.gazetteer.entities()[index as usize];
                document.add_text(fields.entity, &entity.id);
                document.add_text(fields.entity_name, &entity.name);
            }
        }
        document
    }

    /// The committed index as files (after a sync: merges are finished then).
    pub fn published(&self) -> Result<PublishedIndex, IndexError> {
        let meta_path = self.dir.join("meta.json");
        let meta = std::fs::read_to_string(&meta_path)
            .map_err(|source| IndexError::Io { path: meta_path.clone(), source })?;
        let metas = self.index.searchable_segment_metas().map_err(|e| IndexError::engine(&self.dir, e))?;
        // A segment's files are named by its id, one per component.
        let ids: std::collections::HashSet<String> =
            metas.iter().map(|segment| segment.id().uuid_string()).collect();
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|source| IndexError::Io { path: self.dir.clone(), source })?;
        let mut files: Vec<String> = entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
            .filter(|name| name.split('.').next().is_some_and(|stem| ids.contains(stem)))
            .collect();
        files.sort();
        Ok(PublishedIndex { meta, files, last_seq: self.last_seq })
    }

    /// Opens, for searching only, the union of several published indexes whose segment files
    /// are all in `dir`: one index over every segment, so that relevance is computed over all
    /// of them together, exactly as if one index held every document. Its `last_seq` is the
    /// lowest of theirs. Errors if they are of another schema or built with another gazetteer.
    pub fn open_union(dir: &Path, metas: &[String], gazetteer: Gazetteer) -> Result<SearchIndex, IndexError> {
        let corrupt = |detail: String| IndexError::Corrupt { path: dir.join("meta.json"), detail };
        let mut union: Option<serde_json::Value> = None;
        let mut lowest: Option<CommitPayload> = None;
        for text in metas {
            let meta: serde_json::Value =
                serde_json::from_str(text).map_err(|e| corrupt(format!("a published meta.json: {e}")))?;
            let payload: CommitPayload = meta
                .get("payload")
                .and_then(|p| p.as_str())
                .and_then(|p| serde_json::from_str(p).ok())
                .ok_or_else(|| corrupt("a published index without its commit payload".to_owned()))?;
            if payload.schema_version != schema::SCHEMA_VERSION
                || payload.gazetteer != gazetteer.fingerprint()
            {
                return Err(corrupt(format!(
                    "a published index of schema {} with gazetteer {:?}; this searcher has schema {} and gazetteer {:?}",
                    payload.schema_version,
                    payload.gazetteer,
                    schema::SCHEMA_VERSION,
                    gazetteer.fingerprint()
                )));
            }
            if lowest.as_ref().is_none_or(|low| payload.last_seq < low.last_seq) {
                lowest = Some(payload);
            }
            match &mut union {
                None => union = Some(meta),
                Some(union) => {
                    let segments =
                        meta.get("segments").and_then(|s| s.as_array()).cloned().unwrap_or_default();
                    if let Some(list) = union.get_mut("segments").and_then(|s| s.as_array_mut()) {
                        list.extend(segments);
                    }
                    let opstamp = meta.get("opstamp").and_then(|o| o.as_u64()).unwrap_or(0);
                    if union.get("opstamp").and_then(|o| o.as_u64()).unwrap_or(0) < opstamp {
                        union["opstamp"] = opstamp.into();
                    }
                }
            }
        }
        let (Some(mut union), Some(payload)) = (union, lowest) else {
            return Err(corrupt("no published index to open".to_owned()));
        };
        union["payload"] = serde_json::to_string(&payload).map_err(|e| corrupt(e.to_string()))?.into();
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io { path: dir.to_owned(), source })?;
        let temporary = dir.join("meta.json.new");
        let text = serde_json::to_string(&union).map_err(|e| corrupt(e.to_string()))?;
        std::fs::write(&temporary, text)
            .map_err(|source| IndexError::Io { path: temporary.clone(), source })?;
        std::fs::rename(&temporary, dir.join("meta.json"))
            .map_err(|source| IndexError::Io { path: dir.join("meta.json"), source })?;
        let (schema, _) = schema::build();
        if open_existing(dir, &schema)?.is_none() {
            return Err(corrupt("the union of the published indexes does not open".to_owned()));
        }
        SearchIndex::open_with(dir, gazetteer)
    }

    /// Searches. See [`SearchRequest`].
    pub fn search(&self, request: &SearchRequest<'_>) -> Result<SearchResults, IndexError> {
        search::run(self, request, None)
    }
}

/// One pool of search threads for every index of the process, a thread per core: a search
/// reads its segments in parallel (a broad query with facets over millions of items takes as
/// many times less as there are cores), and indexes opened by the dozen in tests or shards
/// share the threads.
fn search_executor() -> &'static tantivy::Executor {
    static EXECUTOR: std::sync::OnceLock<tantivy::Executor> = std::sync::OnceLock::new();
    EXECUTOR.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        if threads < 2 {
            return tantivy::Executor::single_thread();
        }
        tantivy::Executor::multi_thread(threads, "muninn-search-")
            .unwrap_or_else(|_| tantivy::Executor::single_thread())
    })
}

fn open_existing(dir: &Path, schema: &Schema) -> Result<Option<Index>, IndexError> {
    if !dir.join("meta.json").exists() {
        return Ok(None);
    }
    let index = match Index::open_in_dir(dir) {
        Ok(index) => index,
        Err(error) => {
            tracing::warn!(%error, dir = %dir.display(), "unreadable full-text index; rebuilding it from the log");
            return Ok(None);
        }
    };
    let current = payload(&index, dir)?.is_some_and(|p| p.schema_version == SCHEMA_VERSION);
    if !current || index.schema() != *schema {
        tracing::warn!(dir = %dir.display(), "full-text index of another schema; rebuilding it from the log");
        return Ok(None);
    }
    Ok(Some(index))
}

fn payload(index: &Index, dir: &Path) -> Result<Option<CommitPayload>, IndexError> {
    let metas = index.load_metas().map_err(|e| IndexError::engine(dir, e))?;
    Ok(metas.payload.and_then(|text| serde_json::from_str(&text).ok()))
}

fn commit(
    writer: &mut IndexWriter<TantivyDocument>,
    dir: &Path,
    payload: &CommitPayload,
) -> Result<(), IndexError> {
    let payload = serde_json::to_string(payload)
        .map_err(|e| IndexError::Corrupt { path: dir.to_owned(), detail: e.to_string() })?;
    let mut prepared = writer.prepare_commit().map_err(|e| IndexError::engine(dir, e))?;
    prepared.set_payload(&payload);
    prepared.commit().map_err(|e| IndexError::engine(dir, e))?;
    Ok(())
}

/// Empties the index directory (it holds only the index), before an index is created anew.
fn clear_dir(dir: &Path) -> Result<(), IndexError> {
    let entries = std::fs::read_dir(dir).map_err(|source| IndexError::Io { path: dir.to_owned(), source })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let removed =
            if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        removed.map_err(|source| IndexError::Io { path: path.clone(), source })?;
    }
    Ok(())
}
