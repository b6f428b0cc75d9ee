//! Rebuilding reproduces the results of an index built bit by bit.

use muninn_index::{SearchIndex, SearchRequest, Visibility};
use muninn_model::Tlp;
use muninn_store::{AppendBatch, EmbeddedStore, ItemStore, StoreConfig};
use proptest::prelude::*;

use crate::{draft, now};

const WORDS: [&str; 8] = ["sandworm", "lazarus", "turla", "phishing", "wiper", "grid", "Одесса", "乌克兰"];
const QUERIES: [&str; 6] =
    ["sandworm", "lazarus OR turla", "phishing -wiper", "\"wiper grid\"", "*", "Одесса"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn rebuild_gives_the_same_results(
        texts in proptest::collection::vec(proptest::collection::vec(0usize..WORDS.len(), 1..8), 1..40),
        chunk in 1usize..10,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = EmbeddedStore::open(&dir.path().join("data"), StoreConfig::default()).expect("store");
        let mut incremental = SearchIndex::open(&dir.path().join("incremental")).expect("index");
        for (n, words) in texts.iter().enumerate() {
            let body: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
            let item = draft("feed", "en", Tlp::Clear, 1 + (n % 28) as i8, &format!("item {n}"), &body.join(" ")).into_item();
            store.append(AppendBatch { items: vec![item], checkpoints: Vec::new(), ..Default::default() }).expect("append");
            if n % chunk == 0 {
                incremental.sync(&store).expect("sync");
            }
        }
        incremental.sync(&store).expect("sync");
        let mut rebuilt = SearchIndex::open(&dir.path().join("rebuilt")).expect("index");
        rebuilt.rebuild(&store).expect("rebuild");
        let everything = Visibility::everything();
        for text in QUERIES {
            let query = muninn_query::parse(text, now()).expect("query");
            let request = SearchRequest { query: &query, visibility: &everything, limit: 100, after: None, facets: true, histogram: true };
            let a = incremental.search(&request).expect("search");
            let b = rebuilt.search(&request).expect("search");
            prop_assert_eq!(a.total, b.total, "{}", text);
            prop_assert_eq!(a.hits.iter().map(|h| h.id).collect::<Vec<_>>(), b.hits.iter().map(|h| h.id).collect::<Vec<_>>(), "{}", text);
            prop_assert_eq!(a.facets, b.facets);
            prop_assert_eq!(a.histogram, b.histogram);
        }
        prop_assert_eq!(store.stats().expect("stats").items, rebuilt.len());
    }
}
