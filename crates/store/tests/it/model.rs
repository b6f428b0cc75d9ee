//! The store against a plain model: random appends, duplicates, checkpoints, documents (set,
//! deleted, conditional on a new item) and reopens.

use std::collections::BTreeMap;

use muninn_model::ItemId;
use muninn_store::{AppendBatch, AppendOutcome, Document, ItemStore, ListQuery};
use proptest::prelude::*;

use crate::{draft, open};

#[derive(Debug, Clone)]
enum Step {
    /// With an alert keyed by the first body, written only if that item is new.
    Append {
        bodies: Vec<u8>,
        checkpoint: Option<(u8, u16)>,
        alert: bool,
    },
    /// Sets (`Some`) or deletes a document.
    PutDocument {
        table: u8,
        key: u8,
        value: Option<u8>,
    },
    Reopen,
    DropTables,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (
            proptest::collection::vec(0u8..24, 0..6),
            proptest::option::of((0u8..3, any::<u16>())),
            any::<bool>(),
        )
            .prop_map(|(bodies, checkpoint, alert)| Step::Append { bodies, checkpoint, alert }),
        3 => (0u8..2, 0u8..5, proptest::option::of(any::<u8>()))
            .prop_map(|(table, key, value)| Step::PutDocument { table, key, value }),
        1 => Just(Step::Reopen),
        1 => Just(Step::DropTables),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn store_agrees_with_a_map(steps in proptest::collection::vec(step(), 1..20)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Some(open(dir.path()));
        // id -> (body number, duplicates seen)
        let mut model: BTreeMap<ItemId, (u8, u64)> = BTreeMap::new();
        let mut order: Vec<ItemId> = Vec::new();
        let mut checkpoints: BTreeMap<String, u64> = BTreeMap::new();
        let mut documents: BTreeMap<(String, String), Vec<u8>> = BTreeMap::new();
        for step in steps {
            match step {
                Step::Append { bodies, checkpoint, alert } => {
                    let items: Vec<_> = bodies.iter().map(|n| draft("t", &format!("body {n}"), None)).collect();
                    let mut batch = AppendBatch { items: items.clone(), ..AppendBatch::default() };
                    if let Some((input, position)) = checkpoint {
                        batch.checkpoints.push((format!("input-{input}"), u64::from(position)));
                        checkpoints.insert(format!("input-{input}"), u64::from(position));
                    }
                    if let (true, Some((first, _))) = (alert, items.first()) {
                        let key = format!("alert-{}", bodies[0]);
                        batch.documents.push(Document {
                            if_new_item: Some(first.id),
                            ..Document::put("alert", &key, vec![bodies[0]])
                        });
                        if !model.contains_key(&first.id) {
                            documents.insert(("alert".to_owned(), key), vec![bodies[0]]);
                        }
                    }
                    let outcomes = store.as_mut().expect("open").append(batch).expect("append");
                    for ((item, _), (n, outcome)) in items.iter().zip(bodies.iter().zip(outcomes)) {
                        match model.get_mut(&item.id) {
                            Some(entry) => {
                                entry.1 += 1;
                                prop_assert_eq!(outcome, AppendOutcome::Duplicate { id: item.id });
                            }
                            None => {
                                model.insert(item.id, (*n, 0));
                                order.push(item.id);
                                let stored = matches!(outcome, AppendOutcome::Stored { .. });
                                prop_assert!(stored);
                            }
                        }
                    }
                }
                Step::PutDocument { table, key, value } => {
                    let (table, key) = (format!("table-{table}"), format!("key-{key}"));
                    let document = match value {
                        Some(value) => Document::put(&table, &key, vec![value]),
                        None => Document::delete(&table, &key),
                    };
                    store.as_mut().expect("open").put_documents(vec![document]).expect("put");
                    match value {
                        Some(value) => documents.insert((table, key), vec![value]),
                        None => documents.remove(&(table, key)),
                    };
                }
                Step::Reopen => {
                    drop(store.take());
                    store = Some(open(dir.path()));
                }
                Step::DropTables => {
                    drop(store.take());
                    let _ = std::fs::remove_file(dir.path().join("records.redb"));
                    store = Some(open(dir.path()));
                }
            }
        }
        let store = store.expect("open");
        let listed = store.list(&ListQuery { source: None, after_seq: None, limit: 10_000 }).expect("list");
        prop_assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), order);
        for summary in &listed {
            let (n, duplicates) = model[&summary.id];
            prop_assert_eq!(summary.duplicates, duplicates);
            let item = store.item(&summary.id).expect("read").expect("present");
            prop_assert_eq!(item.body, format!("body {n}"));
        }
        for (input, position) in checkpoints {
            prop_assert_eq!(store.checkpoint(&input).expect("checkpoint"), Some(position));
        }
        for table in ["alert", "table-0", "table-1"] {
            let expected: Vec<(String, Vec<u8>)> = documents
                .iter()
                .filter(|((t, _), _)| t == table)
                .map(|((_, key), value)| (key.clone(), value.clone()))
                .collect();
            prop_assert_eq!(store.documents(table, None, 100).expect("page"), expected.clone());
            prop_assert_eq!(store.document_count(table).expect("count"), expected.len() as u64);
            for (key, value) in expected {
                prop_assert_eq!(store.document(table, &key).expect("read"), Some(value));
            }
        }
        let stats = store.stats().expect("stats");
        prop_assert_eq!(stats.items, model.len() as u64);
        prop_assert_eq!(stats.duplicates_seen, model.values().map(|(_, d)| d).sum::<u64>());
        prop_assert_eq!(stats.by_source.iter().map(|(_, n)| n).sum::<u64>(), model.len() as u64);
        prop_assert!(store.verify().expect("verify").problems.is_empty());
    }
}
