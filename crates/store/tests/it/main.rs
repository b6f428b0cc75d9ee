//! Integration tests of the embedded store.

mod compat;
mod documents;
mod model;
mod recovery;

use std::collections::BTreeMap;

use muninn_model::{AdmiraltyGrade, Item, ItemDraft, Markings, Source, SourceId, SourceKind, Timestamp, Tlp};
use muninn_store::{AppendBatch, AppendOutcome, EmbeddedStore, ItemStore, ListQuery, StoreConfig};

pub(crate) fn source_id(name: &str) -> SourceId {
    SourceId::new(name).expect("valid source id")
}

pub(crate) fn draft(title: &str, body: &str, raw: Option<&[u8]>) -> (Item, Option<Vec<u8>>) {
    ItemDraft {
        source: source_id("test"),
        collected_at: Timestamp::from_second(1_700_000_000).expect("timestamp"),
        event_time: None,
        title: Some(title.to_owned()),
        body: body.to_owned(),
        language: None,
        markings: Markings::tlp(Tlp::Amber),
        grade: AdmiraltyGrade::UNASSESSED,
        raw: raw.map(|bytes| (bytes.to_vec(), "text/plain".to_owned())),
        attributes: BTreeMap::new(),
    }
    .into_item()
}

pub(crate) fn open(dir: &std::path::Path) -> EmbeddedStore {
    EmbeddedStore::open(dir, StoreConfig::default()).expect("store opens")
}

pub(crate) fn batch(items: Vec<(Item, Option<Vec<u8>>)>) -> AppendBatch {
    AppendBatch { items, ..AppendBatch::default() }
}

#[test]
fn items_round_trip_with_raw_bytes_and_summaries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(dir.path());
    store
        .put_source(Source {
            id: source_id("test"),
            name: "Test feed".to_owned(),
            kind: SourceKind::Partner,
            default_grade: "B2".parse().expect("grade"),
            default_tlp: Tlp::Green,
            description: None,
        })
        .expect("source stored");
    let first = draft("one", "first body", Some(b"raw one"));
    let second = draft("two", "second body", None);
    let outcomes = store.append(batch(vec![first.clone(), second.clone()])).expect("append");
    assert_eq!(
        outcomes,
        vec![
            AppendOutcome::Stored { id: first.0.id, seq: 2 },
            AppendOutcome::Stored { id: second.0.id, seq: 3 }
        ]
    );
    assert_eq!(store.item(&first.0.id).expect("read"), Some(first.0.clone()));
    assert_eq!(store.raw(&first.0.id).expect("raw"), Some(b"raw one".to_vec()));
    assert_eq!(store.raw(&second.0.id).expect("raw"), None);
    let page = store.list(&ListQuery { source: None, after_seq: Some(2), limit: 10 }).expect("list");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].title.as_deref(), Some("two"));
    let sources = store.sources().expect("sources");
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].items, 2);
    let stats = store.stats().expect("stats");
    assert_eq!((stats.items, stats.sources, stats.last_seq), (2, 1, 3));
    assert_eq!(store.verify().expect("verify").problems, Vec::<String>::new());
}

#[test]
fn duplicates_are_stored_once_and_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(dir.path());
    let item = draft("same", "same body", None);
    let outcomes = store.append(batch(vec![item.clone(), item.clone()])).expect("append");
    assert!(matches!(outcomes[1], AppendOutcome::Duplicate { id } if id == item.0.id));
    let outcomes = store.append(batch(vec![item.clone()])).expect("append");
    assert_eq!(outcomes, vec![AppendOutcome::Duplicate { id: item.0.id }]);
    let stats = store.stats().expect("stats");
    assert_eq!((stats.items, stats.duplicates_seen), (1, 2));
    let listed = store.list(&ListQuery { source: None, after_seq: None, limit: 10 }).expect("list");
    assert_eq!(listed[0].duplicates, 2);
}

#[test]
fn a_second_process_cannot_open_the_same_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _store = open(dir.path());
    let error = EmbeddedStore::open(dir.path(), StoreConfig::default()).expect_err("locked");
    assert!(error.to_string().contains("in use"), "{error}");
}

#[test]
fn segments_roll_and_stay_readable_after_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = StoreConfig { segment_max_bytes: 4096, ..StoreConfig::default() };
    let items: Vec<_> = (0..200).map(|n| draft(&format!("t{n}"), &"x".repeat(n * 3), None)).collect();
    {
        let mut store = EmbeddedStore::open(dir.path(), config.clone()).expect("open");
        for chunk in items.chunks(7) {
            store.append(batch(chunk.to_vec())).expect("append");
        }
        assert!(store.stats().expect("stats").log_segments > 5);
    }
    let store = EmbeddedStore::open(dir.path(), config).expect("reopen");
    for (item, _) in &items {
        assert_eq!(store.item(&item.id).expect("read").as_ref(), Some(item));
    }
    // Reading from a position skips exactly the earlier entries, across segments.
    let seqs = |after: u64| {
        let mut seen = Vec::new();
        store
            .for_each_item(after, &mut |seq, _| {
                seen.push(seq);
                Ok(())
            })
            .expect("scan");
        seen
    };
    let all = seqs(0);
    assert_eq!(all.len(), items.len());
    for cut in [1, 2, all[100], all[150] - 1, all[199]] {
        assert_eq!(seqs(cut), all.iter().copied().filter(|s| *s > cut).collect::<Vec<_>>(), "after {cut}");
    }
    assert!(store.verify().expect("verify").problems.is_empty());
}

#[test]
fn checkpoints_are_committed_with_their_items() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let mut store = open(dir.path());
        let mut with_checkpoint = batch(vec![draft("a", "b", None)]);
        with_checkpoint.checkpoints.push(("file:/x.jsonl".to_owned(), 17));
        store.append(with_checkpoint).expect("append");
        assert_eq!(store.checkpoint("file:/x.jsonl").expect("checkpoint"), Some(17));
    }
    // The tables are derived: delete them and the checkpoint comes back from the log.
    std::fs::remove_file(dir.path().join("records.redb")).expect("remove tables");
    let store = open(dir.path());
    assert_eq!(store.checkpoint("file:/x.jsonl").expect("checkpoint"), Some(17));
    assert_eq!(store.stats().expect("stats").items, 1);
}

/// A follower (the index, each second) reads only what was appended since its last scan, items
/// among documents, across segment rolls, and a reader from an earlier position still gets
/// everything after it.
#[test]
fn a_follower_resumes_where_its_last_scan_ended() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = StoreConfig { segment_max_bytes: 8192, ..StoreConfig::default() };
    let mut store = EmbeddedStore::open(dir.path(), config).expect("open");
    let scan = |store: &EmbeddedStore, after: u64| {
        let mut seen = Vec::new();
        store
            .for_each_item(after, &mut |seq, item| {
                seen.push((seq, item.title.clone().unwrap_or_default()));
                Ok(())
            })
            .expect("scan");
        seen
    };
    let mut followed = Vec::new();
    let mut position = 0;
    for round in 0..40 {
        let drafts: Vec<_> =
            (0..3).map(|n| draft(&format!("r{round}-{n}"), &"y".repeat(200), None)).collect();
        store.append(batch(drafts)).expect("append");
        store
            .put_documents(vec![muninn_store::Document::put("notes", &format!("k{round}"), vec![7; 300])])
            .expect("documents");
        let new = scan(&store, position);
        assert_eq!(new.len(), 3, "round {round}: {new:?}");
        position = store.stats().expect("stats").last_seq;
        followed.extend(new);
    }
    assert!(store.stats().expect("stats").log_segments > 3);
    let everything = scan(&store, 0);
    assert_eq!(everything, followed);
    let middle = followed[60].0;
    assert_eq!(scan(&store, middle), followed[61..].to_vec());
    assert!(scan(&store, position).is_empty());
}

/// The record writer gives way to the ingest path: its thread runs ten nice values below the
/// thread that opened the store (Linux, where a nice value is a thread's own).
#[cfg(target_os = "linux")]
#[test]
fn the_record_writer_runs_at_a_lower_priority() {
    let nice_of = |task: &std::path::Path| -> i32 {
        let stat = std::fs::read_to_string(task.join("stat")).expect("stat");
        // Field 19 is the nice value; fields count after the parenthesised name.
        let after_name = &stat[stat.rfind(')').expect("name") + 2..];
        after_name.split(' ').nth(16).expect("nice field").parse().expect("a number")
    };
    let me = std::path::PathBuf::from("/proc/thread-self");
    let opener = nice_of(&me);
    let dir = tempfile::tempdir().expect("tempdir");
    let _store = open(dir.path());
    let writers: Vec<i32> = std::fs::read_dir("/proc/self/task")
        .expect("tasks")
        .map(|task| task.expect("task").path())
        .filter(|task| std::fs::read_to_string(task.join("comm")).is_ok_and(|c| c.trim() == "muninn-records"))
        .map(|task| nice_of(&task))
        .collect();
    assert!(!writers.is_empty(), "no record writer thread");
    // Other tests' stores may be open too; every writer was started from a test thread.
    assert!(writers.iter().all(|&nice| nice == (opener + 10).min(19)), "{writers:?}, opener {opener}");
}
