//! Keyed documents: durability with their batch, conditions on new items, deletes, paging and
//! refusals.

use muninn_store::{
    AppendBatch, AppendReport, Document, ErrorCode, ItemStore, MAX_DOCUMENT_VALUE_BYTES, StoreError,
};

use crate::{batch, draft, open};

fn conditional(table: &str, key: &str, value: &str, item: &muninn_model::Item) -> Document {
    Document { if_new_item: Some(item.id), ..Document::put(table, key, value.as_bytes().to_vec()) }
}

fn value(store: &impl ItemStore, table: &str, key: &str) -> Option<String> {
    let bytes = store.document(table, key).expect("document read");
    bytes.map(|bytes| String::from_utf8(bytes).expect("utf-8"))
}

#[test]
fn documents_of_an_acknowledged_batch_survive_reopen_and_a_table_rebuild() {
    let dir = tempfile::tempdir().expect("tempdir");
    let item = draft("watched", "APT28 again", None);
    {
        let mut store = open(dir.path());
        let report = store
            .append_with_report(AppendBatch {
                items: vec![item.clone()],
                checkpoints: vec![("file:/in.jsonl".to_owned(), 1)],
                documents: vec![
                    Document::put("watchlist", "apt", br#"{"names":["APT28"]}"#.to_vec()),
                    conditional("alert", "item-1/apt28", r#"{"state":"new"}"#, &item.0),
                ],
            })
            .expect("append");
        assert_eq!(report.documents_written, 2);
        // Read at once, long before the record writer has written anything.
        assert_eq!(value(&store, "alert", "item-1/apt28").as_deref(), Some(r#"{"state":"new"}"#));
    }
    let store = open(dir.path());
    assert_eq!(value(&store, "watchlist", "apt").as_deref(), Some(r#"{"names":["APT28"]}"#));
    assert_eq!(value(&store, "alert", "item-1/apt28").as_deref(), Some(r#"{"state":"new"}"#));
    drop(store);
    // The tables are derived: delete them and the documents come back from the log.
    std::fs::remove_file(dir.path().join("records.redb")).expect("remove tables");
    let store = open(dir.path());
    assert_eq!(value(&store, "watchlist", "apt").as_deref(), Some(r#"{"names":["APT28"]}"#));
    assert_eq!(store.document_count("alert").expect("count"), 1);
    assert_eq!(store.verify().expect("verify").problems, Vec::<String>::new());
}

#[test]
fn a_condition_on_an_item_drops_the_document_unless_the_batch_stores_it_new() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(dir.path());
    let first = draft("one", "first body", None);
    let twice = draft("two", "second body", None);
    let elsewhere = draft("three", "not in the batch", None);
    let report = store
        .append_with_report(AppendBatch {
            items: vec![first.clone(), twice.clone(), twice.clone()],
            documents: vec![
                conditional("alert", "first", "a", &first.0),
                // Stored new by this batch, even though it arrives twice in it.
                conditional("alert", "twice", "b", &twice.0),
                conditional("alert", "elsewhere", "c", &elsewhere.0),
            ],
            ..AppendBatch::default()
        })
        .expect("append");
    assert_eq!(report.documents_written, 2);
    // Already stored: the item is a duplicate now, its alert is dropped.
    let report = store
        .append_with_report(AppendBatch {
            items: vec![first.clone()],
            documents: vec![conditional("alert", "first-again", "d", &first.0)],
            ..AppendBatch::default()
        })
        .expect("append");
    assert_eq!(report, AppendReport { outcomes: report.outcomes.clone(), documents_written: 0 });
    let keys: Vec<String> =
        store.documents("alert", None, 10).expect("page").into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, vec!["first".to_owned(), "twice".to_owned()]);
    assert_eq!(value(&store, "alert", "elsewhere"), None);
    assert_eq!(value(&store, "alert", "first-again"), None);
    // A batch of nothing but dropped documents writes nothing at all.
    let last_seq = store.stats().expect("stats").last_seq;
    store
        .append(AppendBatch {
            documents: vec![conditional("alert", "x", "y", &elsewhere.0)],
            ..AppendBatch::default()
        })
        .expect("append");
    assert_eq!(store.stats().expect("stats").last_seq, last_seq);
}

#[test]
fn overwrites_and_deletes_keep_the_latest_version_and_the_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(dir.path());
    store
        .put_documents(vec![
            Document::put("alert", "a", b"new".to_vec()),
            Document::put("alert", "b", b"new".to_vec()),
            Document::put("alert", "a", b"triaged".to_vec()),
            Document::put("alert", "empty", Vec::new()),
        ])
        .expect("put");
    assert_eq!(value(&store, "alert", "a").as_deref(), Some("triaged"));
    assert_eq!(value(&store, "alert", "empty").as_deref(), Some(""));
    assert_eq!(store.document_count("alert").expect("count"), 3);
    store
        .put_documents(vec![Document::delete("alert", "b"), Document::delete("alert", "never-written")])
        .expect("delete");
    assert_eq!(value(&store, "alert", "b"), None);
    assert_eq!(store.document_count("alert").expect("count"), 2);
    assert_eq!(store.document_count("watchlist").expect("count"), 0);
    // Written back after a delete.
    store.put_documents(vec![Document::put("alert", "b", b"again".to_vec())]).expect("put");
    assert_eq!(value(&store, "alert", "b").as_deref(), Some("again"));
    assert_eq!(store.document_count("alert").expect("count"), 3);
    assert!(store.verify().expect("verify").problems.is_empty());
}

#[test]
fn a_table_pages_in_key_order_without_other_tables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(dir.path());
    let mut keys: Vec<String> = (0..25).map(|n| format!("key-{n:02}")).collect();
    keys.push("é".to_owned());
    keys.push("Z".to_owned());
    let mut documents: Vec<Document> =
        keys.iter().map(|k| Document::put("alert", k, k.clone().into())).collect();
    // Neighbouring table names sort right before and after "alert".
    documents.push(Document::put("alers", "key-00", b"other".to_vec()));
    documents.push(Document::put("alerts", "key-00", b"other".to_vec()));
    documents.push(Document::put("alert.x", "a", b"other".to_vec()));
    store.put_documents(documents).expect("put");
    keys.sort();
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store.documents("alert", after.as_deref(), 10).expect("page");
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 10);
        for (key, value) in &page {
            assert_eq!(value, key.as_bytes());
        }
        after = page.last().map(|(key, _)| key.clone());
        seen.extend(page.into_iter().map(|(key, _)| key));
    }
    assert_eq!(seen, keys);
    assert_eq!(store.documents("alert", None, 0).expect("empty page"), Vec::new());
    assert_eq!(store.document_count("alert").expect("count"), keys.len() as u64);
    assert_eq!(store.documents("alerts", None, 10).expect("page").len(), 1);
}

/// A call that should be refused.
type Attempt<'a> = Box<dyn Fn(&mut crate::EmbeddedStore) -> Result<(), StoreError> + 'a>;

#[test]
fn refused_documents_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(dir.path());
    let item = draft("x", "y", None);
    let stats_before = store.stats().expect("stats");
    let refusals: Vec<(Attempt<'_>, &str)> = vec![
        (
            Box::new(|store| {
                store
                    .append(AppendBatch {
                        items: vec![item.clone()],
                        documents: vec![
                            Document::put("alert", "fine", Vec::new()),
                            Document::put("Alert", "k", Vec::new()),
                        ],
                        ..AppendBatch::default()
                    })
                    .map(|_| ())
            }),
            "contains 'A'",
        ),
        (Box::new(|store| store.put_documents(vec![Document::put("alert", "", Vec::new())])), "key is empty"),
        (Box::new(|store| store.put_documents(vec![Document::put("alert", "a\0b", Vec::new())])), "NUL"),
        (
            Box::new(|store| store.put_documents(vec![conditional("alert", "k", "v", &item.0)])),
            "only meaningful in an append batch",
        ),
        (
            // Allocated lazily (zeroed pages), so the test does not touch 256 MiB.
            Box::new(|store| {
                store.put_documents(vec![Document::put("w", "big", vec![0; MAX_DOCUMENT_VALUE_BYTES + 1])])
            }),
            "exceeds the limit",
        ),
    ];
    for (attempt, expected) in refusals {
        let error = attempt(&mut store).expect_err("refused");
        assert!(matches!(error, StoreError::InvalidDocument { .. }), "{error:?}");
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        assert!(error.to_string().contains(expected), "{error}");
    }
    assert_eq!(store.stats().expect("stats"), stats_before);
    assert_eq!(store.document_count("alert").expect("count"), 0);
    let error = store.document("Bad", "k").expect_err("bad table on read");
    assert_eq!(error.code(), ErrorCode::InvalidInput);
    // Refusals do not stop the store.
    store.append(batch(vec![item.clone()])).expect("append after refusals");
}

#[test]
fn a_large_value_is_written_and_read_back_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let large: Vec<u8> = (0..40u32 << 20).map(|n| (n % 251) as u8).collect();
    {
        let mut store = open(dir.path());
        store.put_documents(vec![Document::put("watchlist", "all", large.clone())]).expect("put");
        assert!(store.document("watchlist", "all").expect("read").as_ref() == Some(&large));
    }
    let store = open(dir.path());
    let page = store.documents("watchlist", None, 5).expect("page");
    assert_eq!(page.len(), 1);
    assert!(page[0].1 == large);
}

#[test]
fn a_newer_version_pending_is_not_lost_when_an_older_group_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(dir.path());
    // Enough entries to fill a write-behind group, so it goes to the writer thread ...
    let mut documents: Vec<Document> =
        (0..32_768).map(|n| Document::put("fill", &n.to_string(), Vec::new())).collect();
    documents.push(Document::put("alert", "a", b"v1".to_vec()));
    store.put_documents(documents).expect("put");
    // ... while the next version of the same key waits in the buffer.
    store.put_documents(vec![Document::put("alert", "a", b"v2".to_vec())]).expect("put");
    for _ in 0..3 {
        assert_eq!(value(&store, "alert", "a").as_deref(), Some("v2"));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(store.document_count("fill").expect("count"), 32_768);
    assert_eq!(value(&store, "alert", "a").as_deref(), Some("v2"));
}
