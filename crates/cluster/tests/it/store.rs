use muninn_cluster::{ClusterConfig, ClusterStore};
use muninn_model::{SourceId, Tlp};
use muninn_store::{AppendBatch, AppendOutcome, Document, EmbeddedStore, ItemStore, ListQuery, StoreConfig};
use muninn_testkit::engines::{NatsCluster, Postgres};
use std::time::Duration;

use crate::{Worker, item, source};

/// The same batches, appended to a cluster store and to an embedded one.
fn batches() -> Vec<AppendBatch> {
    let tlps = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::Red];
    let mut batches = Vec::new();
    for b in 0..6u64 {
        let mut batch = AppendBatch::default();
        for i in 0..300 {
            // Every batch after the first repeats 20 items of the one before: sightings.
            let n = if b > 0 && i < 20 { (b - 1) * 300 + 20 + i } else { b * 300 + i };
            let from = if n % 2 == 0 { "feed-a" } else { "feed-b" };
            batch.items.push(item(n, from, tlps[(n % 4) as usize], n % 5 == 0));
        }
        let first = batch.items[25].0.id;
        let repeated = batch.items[0].0.id;
        batch.documents.push(Document {
            table: "alert".to_owned(),
            key: format!("alert-new-{b}"),
            value: Some(b"{\"on\":\"new\"}".to_vec()),
            if_new_item: Some(first),
        });
        batch.documents.push(Document {
            table: "alert".to_owned(),
            key: format!("alert-repeat-{b}"),
            value: Some(b"{}".to_vec()),
            if_new_item: (b > 0).then_some(repeated),
        });
        batch.documents.push(Document {
            table: "watchlist".to_owned(),
            key: "un-1267".to_owned(),
            value: Some(format!("version {b}").into_bytes()),
            if_new_item: None,
        });
        batch.checkpoints.push(("feed.jsonl".to_owned(), (b + 1) * 300));
        batches.push(batch);
    }
    batches
}

fn clone_batch(batch: &AppendBatch) -> AppendBatch {
    AppendBatch {
        items: batch.items.clone(),
        checkpoints: batch.checkpoints.clone(),
        documents: batch.documents.clone(),
    }
}

fn without_seq(outcomes: &[AppendOutcome]) -> Vec<(String, bool)> {
    outcomes
        .iter()
        .map(|outcome| match outcome {
            AppendOutcome::Stored { id, .. } => (id.to_string(), true),
            AppendOutcome::Duplicate { id } => (id.to_string(), false),
        })
        .collect()
}

fn all_summaries(store: &dyn ItemStore) -> Vec<(String, String, String, u64, Option<String>)> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = store.list(&ListQuery { source: None, after_seq: after, limit: 500 }).expect("list");
        let Some(last) = page.last() else { break };
        after = Some(last.seq);
        out.extend(
            page.into_iter()
                .map(|s| (s.id.to_string(), s.source.to_string(), s.tlp.to_string(), s.duplicates, s.title)),
        );
    }
    out.sort();
    out
}

#[test]
fn the_cluster_store_reads_back_what_the_embedded_store_does() {
    let nats = NatsCluster::start(3);
    let postgres = Postgres::start();
    let config = ClusterConfig::new(nats.urls(), postgres.dsn());
    let worker = Worker::start(&config);
    let mut cluster = ClusterStore::connect(&config).expect("connect");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut embedded = EmbeddedStore::open(dir.path(), StoreConfig::default()).expect("embedded");

    for id in ["feed-a", "feed-b"] {
        cluster.put_source(source(id)).expect("cluster source");
        embedded.put_source(source(id)).expect("embedded source");
    }
    // Readable at once: put_source waits for the records worker.
    assert_eq!(cluster.source(&SourceId::new("feed-a").expect("id")).expect("read"), Some(source("feed-a")));

    for batch in batches() {
        let expected = embedded.append(clone_batch(&batch)).expect("embedded append");
        let outcomes = cluster.append(batch).expect("cluster append");
        assert_eq!(without_seq(&outcomes), without_seq(&expected));
        cluster.wait_all_applied(Duration::from_secs(30)).expect("applied");
    }

    assert_eq!(all_summaries(&cluster), all_summaries(&embedded));
    let (ours, theirs) = (cluster.stats().expect("stats"), embedded.stats().expect("stats"));
    assert_eq!(
        (ours.items, ours.duplicates_seen, ours.sources, ours.inputs_checkpointed),
        (theirs.items, theirs.duplicates_seen, theirs.sources, theirs.inputs_checkpointed)
    );
    assert_eq!(
        (ours.by_language, ours.by_tlp, ours.by_source),
        (theirs.by_language, theirs.by_tlp, theirs.by_source)
    );
    assert_eq!(cluster.checkpoint("feed.jsonl").expect("checkpoint"), Some(1800));
    let sources = cluster.sources().expect("sources");
    assert_eq!(sources.iter().map(|s| s.items).sum::<u64>(), ours.items);

    // Documents: the latest version wins; conditional ones only for new items.
    assert_eq!(cluster.document("watchlist", "un-1267").expect("doc"), Some(b"version 5".to_vec()));
    for table in ["alert", "watchlist"] {
        assert_eq!(
            cluster.documents(table, None, 100).expect("docs"),
            embedded.documents(table, None, 100).expect("docs"),
            "{table}"
        );
    }
    assert_eq!(cluster.document_count("alert").expect("count"), 7, "6 new-item alerts and the first repeat");

    // Items and raw bytes come back whole.
    let (probe, raw) = item(5, "feed-b", Tlp::Green, true);
    assert_eq!(cluster.item(&probe.id).expect("item"), embedded.item(&probe.id).expect("item"));
    assert_eq!(cluster.raw(&probe.id).expect("raw"), raw);
    let absent = item(999_999, "feed-a", Tlp::Green, false).0.id;
    let both = cluster.items(&[absent, probe.id, absent]).expect("items");
    assert_eq!(both, vec![None, embedded.item(&probe.id).expect("item"), None], "in the order asked");
    assert_eq!(cluster.raw(&item(1, "feed-b", Tlp::Green, false).0.id).expect("raw"), None);

    let mut visited = 0;
    cluster
        .for_each_item(0, &mut |_, _| {
            visited += 1;
            Ok(())
        })
        .expect("visit");
    assert_eq!(visited, ours.items);

    let report = worker.stop();
    assert_eq!(report.items, ours.items);
    assert_eq!(report.damaged, 0);
}

#[test]
fn bad_documents_are_refused_before_anything_is_published() {
    let nats = NatsCluster::start(1);
    let postgres = Postgres::start();
    let mut config = ClusterConfig::new(nats.urls(), postgres.dsn());
    config.replicas = 1;
    let worker = Worker::start(&config);
    let mut store = ClusterStore::connect(&config).expect("connect");
    let bad = Document { table: "Bad Table".to_owned(), key: "k".to_owned(), value: None, if_new_item: None };
    let error = store.put_documents(vec![bad.clone()]).expect_err("refused");
    assert!(error.to_string().contains("Bad Table"), "{error}");
    let mut batch = AppendBatch::default();
    batch.items.push(item(1, "feed-a", Tlp::Green, false));
    batch.documents.push(bad);
    assert!(store.append(batch).is_err());
    assert_eq!(store.stats().expect("stats").last_seq, 0, "nothing was published");
    worker.stop();
}
