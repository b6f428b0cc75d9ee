//! A search over shards, scored with the summed statistics and merged, answers what one index
//! over all their items answers: the same hits in the same order with the same scores, the same
//! totals, facet counts and histogram, and the same next pages.

use std::collections::BTreeMap;

use muninn_index::distributed::{QueryStatistics, ShardAnswer, ShardSearch, merge_pages, search_shards};
use muninn_index::{Audience, ItemFeed, SearchIndex, SearchRequest, SearchResults, Visibility};
use muninn_model::{Item, Tlp};
use muninn_store::{AppendBatch, EmbeddedStore, ItemStore, StoreConfig, StoreError};
use proptest::prelude::*;

use crate::{draft, now};

const SHARDS: u64 = 3;
const WORDS: [&str; 10] = [
    "sandworm",
    "lazarus",
    "turla",
    "phishing",
    "wiper",
    "grid",
    "wiper",
    "Одесса",
    "乌克兰",
    "198.51.100.7",
];
const SOURCES: [&str; 3] = ["feed-a", "feed-b", "notes"];
const TLPS: [Tlp; 3] = [Tlp::Clear, Tlp::Green, Tlp::Amber];
const QUERIES: [&str; 8] = [
    "sandworm",
    "lazarus OR turla",
    "phishing -wiper",
    "\"wiper grid\"",
    "*",
    "Одесса OR sandworm",
    "wiper source:feed-a",
    "indicator:198.51.100.7 OR grid",
];

/// The items of one shard of a store: those whose sequence number is the shard's modulo
/// [`SHARDS`] (as the cluster files log partitions under index shards).
struct Shard<'a> {
    store: &'a EmbeddedStore,
    shard: u64,
}

impl ItemFeed for Shard<'_> {
    fn feed_last_seq(&self) -> Result<u64, StoreError> {
        self.store.feed_last_seq()
    }

    fn feed_items(
        &self,
        after_seq: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.store.feed_items(after_seq, &mut |seq, item| {
            if seq % SHARDS == self.shard { visit(seq, item) } else { Ok(()) }
        })
    }
}

/// What two answers must agree on: hits (id, sequence, score to float precision), total,
/// next cursor, histogram, and facet counts per value.
fn assert_same(whole: &SearchResults, merged: &SearchResults, context: &str) {
    let hits = |r: &SearchResults| r.hits.iter().map(|h| (h.id, h.seq)).collect::<Vec<_>>();
    assert_eq!(hits(whole), hits(merged), "{context}");
    for (a, b) in whole.hits.iter().zip(&merged.hits) {
        assert!(
            (a.score - b.score).abs() <= 1e-4 * a.score.abs().max(1.0),
            "{context}: {} against {}",
            a.score,
            b.score
        );
    }
    assert_eq!(whole.total, merged.total, "{context}");
    assert_eq!(whole.histogram, merged.histogram, "{context}");
    assert_eq!(whole.next.map(|c| c.to_string()), merged.next.map(|c| c.to_string()), "{context}");
    let counts = |r: &SearchResults| {
        r.facets.as_ref().map(|f| {
            let map = |values: &[(String, u64)]| values.iter().cloned().collect::<BTreeMap<_, _>>();
            (
                map(&f.source),
                map(&f.lang),
                map(&f.tlp),
                map(&f.grade),
                map(&f.indicator_type),
                map(&f.indicator),
            )
        })
    };
    assert_eq!(counts(whole), counts(merged), "{context}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn shards_scored_with_summed_statistics_answer_as_the_whole_index(
        texts in proptest::collection::vec((proptest::collection::vec(0usize..WORDS.len(), 1..8), 0usize..3, 0usize..3), 3..60),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = EmbeddedStore::open(&dir.path().join("data"), StoreConfig::default()).expect("store");
        let items = texts
            .iter()
            .enumerate()
            .map(|(n, (words, source, tlp))| {
                let body: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
                let lang = if n % 4 == 0 { "ru" } else { "en" };
                draft(SOURCES[*source], lang, TLPS[*tlp], 1 + (n % 28) as i8, &format!("item {n}"), &body.join(" "))
                    .into_item()
            })
            .collect();
        store.append(AppendBatch { items, ..Default::default() }).expect("append");
        let mut whole = SearchIndex::open(&dir.path().join("whole")).expect("index");
        whole.sync(&store).expect("sync");
        let shards: Vec<SearchIndex> = (0..SHARDS)
            .map(|shard| {
                let mut index = SearchIndex::open(&dir.path().join(format!("shard{shard}"))).expect("index");
                index.sync(&Shard { store: &store, shard }).expect("sync");
                index
            })
            .collect();
        prop_assert_eq!(shards.iter().map(SearchIndex::len).sum::<u64>(), whole.len());
        let outsider = Visibility::Audience(Audience { user: "u".into(), org: "another-org".into(), ..Default::default() });
        for visibility in [Visibility::everything(), outsider] {
            for text in QUERIES {
                let query = muninn_query::parse(text, now()).expect("query");
                let mut after = None;
                // Three pages of four: the cursor of a merged page leads to the next one.
                for page in 0..3 {
                    let request = SearchRequest { query: &query, visibility: &visibility, limit: 4, after, facets: true, histogram: true };
                    let expected = whole.search(&request).expect("search");
                    let mut statistics = QueryStatistics::default();
                    for shard in &shards {
                        statistics.add(&shard.query_statistics(&request).expect("statistics"));
                    }
                    let pages = shards.iter().map(|shard| shard.search_with_statistics(&request, &statistics).expect("search")).collect();
                    let merged = merge_pages(pages, request.limit);
                    assert_same(&expected, &merged, &format!("{text} page {page} as {visibility:?}"));
                    // The same through the wire form a search worker answers (JSON both ways).
                    let wire = ShardSearch {
                        query: text.to_owned(), now: now().as_second(), visibility: visibility.clone(), limit: 4,
                        after: after.map(|cursor| cursor.to_string()), facets: true, histogram: true, statistics: None,
                    };
                    let answered = search_shards(shards.len(), &wire, |shard, part| {
                        let part: ShardSearch = serde_json::from_str(&serde_json::to_string(part).expect("json")).expect("json");
                        let answer = serde_json::to_string(&part.answer(&shards[shard])).expect("json");
                        Ok::<ShardAnswer, String>(serde_json::from_str(&answer).expect("json"))
                    })
                    .expect("search over the wire form");
                    assert_same(&expected, &answered, &format!("{text} page {page} as {visibility:?}, wire form"));
                    after = merged.next;
                    if after.is_none() {
                        break;
                    }
                }
            }
        }
    }
}
