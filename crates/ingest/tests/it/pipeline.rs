//! The pipeline: duplicates, resuming, markings, sources.

use std::io::Write;

use muninn_ingest::{IngestConfig, Input, Quiet};
use muninn_model::{AdmiraltyGrade, Item, ItemId, Source, SourceId, Tlp};
use muninn_store::{
    AppendBatch, AppendOutcome, Document, EmbeddedStore, ItemStore, ItemSummary, ListQuery, SourceSummary,
    StoreError, StoreStats,
};

use crate::{collected_at, ingest_paths, open_store};

fn write_jsonl(path: &std::path::Path, lines: impl Iterator<Item = String>) {
    let mut file = std::fs::File::create(path).expect("create");
    for line in lines {
        writeln!(file, "{line}").expect("write");
    }
}

fn numbered(range: std::ops::Range<u32>) -> impl Iterator<Item = String> {
    range.map(|n| format!(r#"{{"title": "item {n}", "body": "Report number {n} about Lazarus Group."}}"#))
}

#[test]
fn exact_duplicates_are_stored_once_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("dups.jsonl");
    write_jsonl(&input, numbered(0..5).chain(numbered(0..3)));
    let mut store = open_store(&dir.path().join("data"));
    let summary = ingest_paths(&mut store, &[&input], &IngestConfig::new(collected_at()));
    assert_eq!((summary.stored, summary.duplicates, summary.rejected), (5, 3, 0));
    assert_eq!(store.stats().expect("stats").duplicates_seen, 3);
}

/// A store that fails after a number of appends, as a crash would stop a run.
struct FailingAfter<'a> {
    inner: &'a mut EmbeddedStore,
    appends_left: u32,
}

impl ItemStore for FailingAfter<'_> {
    fn append(&mut self, batch: AppendBatch) -> Result<Vec<AppendOutcome>, StoreError> {
        if self.appends_left == 0 {
            return Err(StoreError::Invalid("simulated interruption".to_owned()));
        }
        self.appends_left -= 1;
        self.inner.append(batch)
    }
    fn put_source(&mut self, source: Source) -> Result<(), StoreError> {
        self.inner.put_source(source)
    }
    fn source(&self, id: &SourceId) -> Result<Option<Source>, StoreError> {
        self.inner.source(id)
    }
    fn sources(&self) -> Result<Vec<SourceSummary>, StoreError> {
        self.inner.sources()
    }
    fn item(&self, id: &ItemId) -> Result<Option<Item>, StoreError> {
        self.inner.item(id)
    }
    fn raw(&self, id: &ItemId) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.raw(id)
    }
    fn list(&self, query: &ListQuery) -> Result<Vec<ItemSummary>, StoreError> {
        self.inner.list(query)
    }
    fn checkpoint(&self, input: &str) -> Result<Option<u64>, StoreError> {
        self.inner.checkpoint(input)
    }
    fn stats(&self) -> Result<StoreStats, StoreError> {
        self.inner.stats()
    }
    fn put_documents(&mut self, documents: Vec<Document>) -> Result<(), StoreError> {
        self.inner.put_documents(documents)
    }
    fn document(&self, table: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.document(table, key)
    }
    fn documents(
        &self,
        table: &str,
        after_key: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.inner.documents(table, after_key, limit)
    }
    fn document_count(&self, table: &str) -> Result<u64, StoreError> {
        self.inner.document_count(table)
    }
    fn for_each_item(
        &self,
        after_seq: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.inner.for_each_item(after_seq, visit)
    }
}

#[test]
fn an_interrupted_run_resumes_without_loss_or_duplication() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("big.jsonl");
    write_jsonl(&input, numbered(0..1000));
    let mut store = open_store(&dir.path().join("data"));
    let config = IngestConfig { batch_units: 64, ..IngestConfig::new(collected_at()) };
    {
        let mut failing = FailingAfter { inner: &mut store, appends_left: 5 };
        let inputs = [Input::Path(input.clone())];
        let error =
            muninn_ingest::ingest(&mut failing, &inputs, &config, &mut Quiet).expect_err("interrupted");
        assert!(error.to_string().contains("simulated"), "{error}");
    }
    assert_eq!(store.stats().expect("stats").items, 5 * 64);
    let summary = ingest_paths(&mut store, &[&input], &config);
    assert_eq!((summary.resumed, summary.stored, summary.duplicates), (5 * 64, 1000 - 5 * 64, 0));
    let stats = store.stats().expect("stats");
    assert_eq!((stats.items, stats.duplicates_seen), (1000, 0));
    let again = ingest_paths(&mut store, &[&input], &config);
    assert_eq!((again.resumed, again.stored, again.duplicates), (1000, 0, 0));
    let forced = ingest_paths(&mut store, &[&input], &IngestConfig { resume: false, ..config });
    assert_eq!((forced.stored, forced.duplicates), (0, 1000));
}

#[test]
fn markings_are_never_lowered_below_the_floor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("marked.jsonl");
    write_jsonl(
        &input,
        [
            r#"{"body": "declared clear", "tlp": "clear"}"#.to_owned(),
            r#"{"body": "declared red", "tlp": "TLP:RED"}"#.to_owned(),
            r#"{"body": "declared nothing"}"#.to_owned(),
        ]
        .into_iter(),
    );
    let mut store = open_store(&dir.path().join("data"));
    let config = IngestConfig { tlp_floor: Some(Tlp::Green), ..IngestConfig::new(collected_at()) };
    ingest_paths(&mut store, &[&input], &config);
    let listed = store.list(&ListQuery { source: None, after_seq: None, limit: 10 }).expect("list");
    let tlps: Vec<Tlp> = listed.iter().map(|s| s.tlp).collect();
    assert_eq!(tlps, vec![Tlp::Green, Tlp::Red, Tlp::Green]);
}

#[test]
fn sources_are_created_on_first_sight_and_their_defaults_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("mixed.jsonl");
    write_jsonl(
        &input,
        [
            r#"{"body": "from a partner", "source": "partner-x"}"#.to_owned(),
            r#"{"body": "from nowhere"}"#.to_owned(),
            r#"{"body": "bad source id", "source": "Not A Slug"}"#.to_owned(),
        ]
        .into_iter(),
    );
    let mut store = open_store(&dir.path().join("data"));
    store
        .put_source(Source {
            id: SourceId::new("partner-x").expect("id"),
            name: "Partner X".to_owned(),
            kind: muninn_model::SourceKind::Partner,
            default_grade: "B2".parse().expect("grade"),
            default_tlp: Tlp::AmberStrict,
            description: None,
        })
        .expect("source");
    let summary = ingest_paths(&mut store, &[&input], &IngestConfig::new(collected_at()));
    assert_eq!(summary.stored, 2);
    assert_eq!(summary.rejected, 1);
    assert_eq!(summary.new_sources, vec![SourceId::new("local-files").expect("id")]);
    let listed = store.list(&ListQuery { source: None, after_seq: None, limit: 10 }).expect("list");
    assert_eq!(listed[0].tlp, Tlp::AmberStrict);
    assert_eq!(listed[0].grade, "B2".parse::<AdmiraltyGrade>().expect("grade"));
    assert_eq!(listed[1].tlp, Tlp::Amber);
    assert_eq!(listed[1].grade, AdmiraltyGrade::UNASSESSED);
}

#[test]
fn a_directory_is_read_in_name_order_with_formats_by_extension() {
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/readers");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open_store(dir.path());
    let summary = ingest_paths(&mut store, &[&samples], &IngestConfig::new(collected_at()));
    // Nine samples; ".expected" files have no reader and are reported, not fatal.
    assert!(summary.stored >= 12, "{summary:?}");
    assert!(summary.diagnostics.iter().any(|d| d.input.ends_with("feed.rss.expected")));
    let languages = store.stats().expect("stats").by_language;
    for language in ["en", "ru", "ar"] {
        assert!(languages.iter().any(|(code, _)| code == language), "{languages:?}");
    }
    assert!(store.verify().expect("verify").problems.is_empty());
}

/// Records what the pipeline tells it: each batch's items when documented, checked against what
/// is committed.
#[derive(Default)]
struct BatchOrder {
    /// Items of each batch documented and not yet committed, oldest first.
    documented: std::collections::VecDeque<Vec<ItemId>>,
    batches: usize,
    committed_items: usize,
    /// Committed items that were not in the batch documented first.
    misattributed: usize,
    /// Most batches documented but not yet committed at one time.
    most_in_flight: usize,
}

impl muninn_ingest::IngestObserver for BatchOrder {
    fn documents(&mut self, items: &[(Item, Option<Vec<u8>>)]) -> Vec<Document> {
        self.documented.push_back(items.iter().map(|(item, _)| item.id).collect());
        self.most_in_flight = self.most_in_flight.max(self.documented.len());
        // One marker per item, kept only if the item is stored new.
        items
            .iter()
            .map(|(item, _)| Document {
                if_new_item: Some(item.id),
                ..Document::put("marker", &item.id.to_string(), b"{}".to_vec())
            })
            .collect()
    }

    fn committed(&mut self, stored: &[(ItemId, muninn_model::ContentHash)]) {
        let batch = self.documented.pop_front().unwrap_or_default();
        self.batches += 1;
        self.committed_items += stored.len();
        self.misattributed += stored.iter().filter(|(id, _)| !batch.contains(id)).count();
    }
}

#[test]
fn each_batch_is_documented_then_committed_in_order_while_the_next_is_prepared() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("many.jsonl");
    // Small batches (and duplicates across them), so that the next is often ready while one is
    // appended.
    write_jsonl(&input, numbered(0..3000).chain(numbered(1000..1500)));
    let mut store = open_store(&dir.path().join("data"));
    let mut config = IngestConfig::new(collected_at());
    config.batch_units = 50;
    let mut observer = BatchOrder::default();
    let summary = muninn_ingest::ingest(&mut store, &[Input::Path(input)], &config, &mut observer)
        .expect("ingest runs");
    assert_eq!((summary.stored, summary.duplicates), (3000, 500));
    assert_eq!(observer.batches, 70, "one documents and one committed call per batch");
    assert!(observer.documented.is_empty());
    assert_eq!(observer.committed_items, 3000);
    assert_eq!(observer.misattributed, 0);
    assert!(observer.most_in_flight <= 2, "at most one batch prepared ahead");
    // A conditional document for each item stored new, none for the duplicates.
    assert_eq!(store.document_count("marker").expect("count"), 3000);
}
