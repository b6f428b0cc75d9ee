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

const SOURCES: [&str; 3] = ["feed-a", "feed-b", "partner"];
const INDICATORS: [(&str, &str); 3] =
    [("198.51.100.7", "ipv4"), ("evil.example", "domain"), ("bad.example", "domain")];
const COUNTED_QUERIES: [&str; 5] =
    ["*", "sandworm", "lazarus OR turla", "phishing -wiper", "date:[2026-03-05 TO 2026-03-20]"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Facets and the histogram are counted from the index's columns in blocks (ranges when the
    /// matches follow each other): they must equal a count over the matching items themselves,
    /// whatever the segments.
    #[test]
    fn facets_and_histogram_count_exactly_the_matches(
        items in proptest::collection::vec(
            (proptest::collection::vec(0usize..WORDS.len(), 1..6), 0usize..3, 0usize..3, 0usize..3, 1i8..29, 0u8..8),
            1..300,
        ),
        chunk in 1usize..120,
    ) {
        use std::collections::BTreeMap;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = EmbeddedStore::open(&dir.path().join("data"), StoreConfig::default()).expect("store");
        let mut index = SearchIndex::open(&dir.path().join("index")).expect("index");
        let mut known = std::collections::HashMap::new();
        for (n, (words, source, lang, tlp, day, planted)) in items.iter().enumerate() {
            let mut body: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
            let carried: Vec<(&str, &str)> =
                INDICATORS.iter().enumerate().filter(|(i, _)| planted >> i & 1 == 1).map(|(_, v)| *v).collect();
            body.extend(carried.iter().map(|(value, _)| *value));
            let tlp = [Tlp::Clear, Tlp::Green, Tlp::Amber][*tlp];
            let mut draft = draft(SOURCES[*source], "en", tlp, *day, &format!("item {n}"), &body.join(" "));
            draft.language = ["en", "ru"].get(*lang).map(|l| muninn_model::LanguageTag::new(l).expect("lang"));
            let item = draft.into_item().0;
            known.insert(item.id, (item.clone(), carried));
            store.append(AppendBatch { items: vec![(item, None)], checkpoints: Vec::new(), ..Default::default() }).expect("append");
            if n % chunk == chunk - 1 {
                index.sync(&store).expect("sync");
            }
        }
        index.sync(&store).expect("sync");
        let everything = Visibility::everything();
        for text in COUNTED_QUERIES {
            let query = muninn_query::parse(text, now()).expect("query");
            let request = SearchRequest { query: &query, visibility: &everything, limit: 10_000, after: None, facets: true, histogram: true };
            let found = index.search(&request).expect("search");
            let facets = found.facets.expect("facets");
            let mut want: [BTreeMap<String, u64>; 6] = Default::default();
            let mut days: BTreeMap<muninn_model::Timestamp, u64> = BTreeMap::new();
            for hit in &found.hits {
                let (item, carried) = &known[&hit.id];
                *want[0].entry(item.source.as_str().to_owned()).or_default() += 1;
                if let Some(lang) = &item.language {
                    *want[1].entry(lang.as_str().to_owned()).or_default() += 1;
                }
                *want[2].entry(item.markings.tlp.short().to_owned()).or_default() += 1;
                *want[3].entry(item.grade.to_string()).or_default() += 1;
                let kinds: std::collections::BTreeSet<&str> = carried.iter().map(|(_, kind)| *kind).collect();
                for kind in kinds {
                    *want[4].entry(kind.to_owned()).or_default() += 1;
                }
                for (value, _) in carried {
                    *want[5].entry((*value).to_owned()).or_default() += 1;
                }
                let second = item.event_time.expect("event time").as_second();
                let day = muninn_model::Timestamp::from_second(second - second.rem_euclid(86_400)).expect("day");
                *days.entry(day).or_default() += 1;
            }
            let got = [&facets.source, &facets.lang, &facets.tlp, &facets.grade, &facets.indicator_type, &facets.indicator];
            for (name, (got, want)) in ["source", "lang", "tlp", "grade", "indicator_type", "indicator"].iter().zip(got.iter().zip(&want)) {
                let got: BTreeMap<String, u64> = got.iter().cloned().collect();
                prop_assert_eq!(&got, want, "{} facet of {}", name, text);
            }
            // Most frequent first, ties by value.
            for list in got {
                prop_assert!(list.windows(2).all(|w| w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0)), "{:?}", list);
            }
            prop_assert_eq!(found.histogram, days.into_iter().collect::<Vec<_>>(), "histogram of {}", text);
            prop_assert_eq!(found.total as usize, found.hits.len(), "{}", text);
            // Ties in score (every match of `*` and of a date range) rank by log position, and
            // pages of seven follow each other: segments whose sequence numbers rise with
            // their documents skip reading them, merged ones read them.
            prop_assert!(found.hits.windows(2).all(|w| w[0].score > w[1].score || (w[0].score == w[1].score && w[0].seq < w[1].seq)), "order of {}", text);
            let mut paged = Vec::new();
            let mut after = None;
            loop {
                let request = SearchRequest { query: &query, visibility: &everything, limit: 7, after, facets: false, histogram: false };
                let page = index.search(&request).expect("page");
                paged.extend(page.hits.iter().map(|hit| hit.id));
                match page.next {
                    Some(cursor) => after = Some(cursor),
                    None => break,
                }
            }
            prop_assert_eq!(paged, found.hits.iter().map(|hit| hit.id).collect::<Vec<_>>(), "pages of {}", text);
        }
    }
}
