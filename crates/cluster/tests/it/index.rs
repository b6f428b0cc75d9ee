//! The index in cluster mode: shards built by index workers, published to S3, searched as one.
//! The same queries over the same items must give what the embedded index gives: the same hits
//! with the same scores in the same rank order, the same counts, facets and histogram.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use muninn_cluster::{
    ClusterConfig, ClusterStore, IndexWorkerReport, S3Config, SearcherCache, run_index_worker,
};
use muninn_index::{Audience, Gazetteer, SearchIndex, SearchRequest, SearchResults, Visibility};
use muninn_model::{Item, ItemDraft, LanguageTag, Markings, SourceId, Timestamp, Tlp};
use muninn_store::{AppendBatch, EmbeddedStore, ItemStore, StoreConfig};
use muninn_testkit::engines::{NatsCluster, Postgres, Seaweed};

use crate::{Worker, source};

const WORDS: [&str; 12] = [
    "ministry",
    "pipeline",
    "phishing",
    "sanctions",
    "ransomware",
    "election",
    "harbour",
    "satellite",
    "refinery",
    "customs",
    "embassy",
    "botnet",
];

fn varied_item(n: u64) -> (Item, Option<Vec<u8>>) {
    let word = |k: u64| WORDS[(n.wrapping_mul(k) % WORDS.len() as u64) as usize];
    let tlps = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict];
    let mut markings = Markings::tlp(tlps[(n % 4) as usize]);
    if n.is_multiple_of(5) {
        markings.originator = Some("partner-x".to_owned());
    }
    ItemDraft {
        source: SourceId::new(if n.is_multiple_of(3) { "feed-a" } else { "feed-b" }).expect("source"),
        collected_at: Timestamp::from_second(1_750_000_000 + (n as i64) * 3_600).expect("time"),
        event_time: None,
        title: Some(format!("{} and {} report {n}", word(3), word(7))),
        body: format!(
            "The {} group hit the {} near the {} again; it exploited CVE-2024-{} from evil-{}.example.net. {}",
            word(1),
            word(5),
            word(11),
            1000 + n % 40,
            n % 9,
            word(13).repeat((n % 3 + 1) as usize)
        ),
        language: Some(LanguageTag::new("en").expect("lang")),
        markings,
        grade: "B2".parse().expect("grade"),
        raw: None,
        attributes: Default::default(),
    }
    .into_item()
}

fn batches(from: u64, count: u64) -> Vec<AppendBatch> {
    (from..from + count)
        .collect::<Vec<_>>()
        .chunks(250)
        .map(|chunk| AppendBatch {
            items: chunk.iter().map(|&n| varied_item(n)).collect(),
            ..Default::default()
        })
        .collect()
}

/// `count` queries drawn from the query language with a fixed seed: terms, phrases, prefixes,
/// fuzzy terms and fields, joined by AND, OR and NOT, sometimes grouped.
fn generated_queries(count: usize, seed: u64) -> Vec<String> {
    let mut state = seed;
    let mut next = move |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    let mut queries = Vec::with_capacity(count);
    while queries.len() < count {
        let mut clauses = Vec::new();
        for _ in 0..1 + next(3) {
            let word = WORDS[next(WORDS.len())];
            let clause = match next(7) {
                0 => format!("\"the {word} group\""),
                1 => format!("{}*", &word[..4]),
                2 => format!("{}~1", &word[..word.len() - 1]),
                3 => format!("source:feed-{}", ["a", "b"][next(2)]),
                4 => format!("tlp:{}", ["clear", "green", "amber"][next(3)]),
                _ => word.to_owned(),
            };
            clauses.push(clause);
        }
        let mut text = clauses[0].clone();
        for clause in &clauses[1..] {
            let mut operator = ["AND", "OR", "AND NOT", ""][next(4)];
            // tantivy 0.27's phrase scorer asserts, in debug builds only, an order that an
            // exclusion does not keep (phrase_scorer.rs, `seek_danger`): a phrase under NOT
            // panics this (debug) test binary. Release builds answer it correctly (checked by
            // hand with `muninn search 'x AND NOT "a phrase"'`), so the generator leaves it out.
            if operator == "AND NOT" && clause.starts_with('"') {
                operator = "AND";
            }
            text = if operator.is_empty() {
                format!("{text} {clause}")
            } else {
                format!("{text} {operator} {clause}")
            };
        }
        if clauses.len() > 2 && next(2) == 0 {
            text = format!("({text}) OR {}", WORDS[next(WORDS.len())]);
        }
        queries.push(text);
    }
    queries
}

fn index_until_idle(config: &ClusterConfig, cache: &Path, max_shards: u32) -> IndexWorkerReport {
    let stop = AtomicBool::new(false);
    let mut open = |dir: &Path| SearchIndex::open(dir).map_err(|error| error.to_string());
    run_index_worker(
        config,
        cache,
        max_shards,
        &mut open,
        &mut || Ok(false),
        Some(Duration::from_secs(2)),
        &stop,
    )
    .expect("index worker")
}

fn search(index: &SearchIndex, text: &str, visibility: &Visibility) -> SearchResults {
    let now = Timestamp::from_second(1_760_000_000).expect("now");
    let query = muninn_query::parse(text, now).unwrap_or_else(|e| panic!("{text}: {e}"));
    let request =
        SearchRequest { query: &query, visibility, limit: 20, after: None, facets: true, histogram: true };
    index.search(&request).expect("search")
}

fn same_results(ours: &SearchResults, theirs: &SearchResults, what: &str) {
    // Equal scores are ordered by log sequence number, and the two logs number items alike only
    // while no publish was retried: within a run of equal scores, the same items in any order.
    let ranked = |r: &SearchResults| {
        let mut runs: Vec<(f32, Vec<String>)> = Vec::new();
        for hit in &r.hits {
            match runs.last_mut() {
                Some((score, ids)) if (*score - hit.score).abs() <= 1e-4 * hit.score.abs().max(1.0) => {
                    ids.push(hit.id.to_string());
                }
                _ => runs.push((hit.score, vec![hit.id.to_string()])),
            }
        }
        // The last run may be cut by the page: compare only what both pages hold whole.
        let cut = runs.pop();
        let mut runs: Vec<Vec<String>> = runs
            .into_iter()
            .map(|(_, mut ids)| {
                ids.sort();
                ids
            })
            .collect();
        runs.push(cut.map(|(_, ids)| vec![ids.len().to_string()]).unwrap_or_default());
        runs
    };
    assert_eq!(ours.total, theirs.total, "{what}: total");
    assert_eq!(ranked(ours), ranked(theirs), "{what}: hits by rank");
    for (a, b) in ours.hits.iter().zip(&theirs.hits) {
        assert!(
            (a.score - b.score).abs() <= 1e-4 * b.score.abs().max(1.0),
            "{what}: score {} vs {}",
            a.score,
            b.score
        );
    }
    assert_eq!(ours.facets, theirs.facets, "{what}: facets");
    assert_eq!(ours.histogram, theirs.histogram, "{what}: histogram");
}

#[test]
fn index_shards_searched_as_one_give_the_embedded_index_results() {
    let nats = NatsCluster::start(1);
    let postgres = Postgres::start();
    let seaweed = Seaweed::start("muninn-index");
    let mut config = ClusterConfig::new(nats.urls(), postgres.dsn());
    config.replicas = 1;
    config.partitions = 8;
    config.index_shards = 4;
    config.s3 = Some(S3Config {
        endpoint: seaweed.endpoint(),
        bucket: seaweed.bucket().to_owned(),
        region: "us-east-1".to_owned(),
        access_key_id: None,
        secret_access_key: None,
    });
    let records = Worker::start(&config);
    let mut cluster = ClusterStore::connect(&config).expect("connect");
    let work = tempfile::tempdir().expect("tempdir");
    let mut embedded =
        EmbeddedStore::open(&work.path().join("embedded"), StoreConfig::default()).expect("open");
    for id in ["feed-a", "feed-b"] {
        cluster.put_source(source(id)).expect("source");
        embedded.put_source(source(id)).expect("source");
    }
    let append_both = |cluster: &mut ClusterStore, embedded: &mut EmbeddedStore, from: u64, count: u64| {
        for batch in batches(from, count) {
            let copy = AppendBatch { items: batch.items.clone(), ..Default::default() };
            embedded.append(copy).expect("embedded");
            cluster.append(batch).expect("cluster");
        }
        cluster.wait_all_applied(Duration::from_secs(60)).expect("applied");
    };

    // Two index workers share the four shards; then a third starts from the published
    // manifests alone (an empty cache of its own) and indexes what came after.
    append_both(&mut cluster, &mut embedded, 0, 1500);
    let (first, second) = std::thread::scope(|scope| {
        let a = scope.spawn(|| index_until_idle(&config, &work.path().join("worker-a"), 2));
        let b = scope.spawn(|| index_until_idle(&config, &work.path().join("worker-b"), 2));
        (a.join().expect("a"), b.join().expect("b"))
    });
    assert_eq!(first.shards.len() + second.shards.len(), 4, "{first:?} {second:?}");
    assert_eq!(first.indexed + second.indexed, 1500);
    append_both(&mut cluster, &mut embedded, 1500, 700);
    // A few items published again: the records hold them once, and so must the index.
    cluster
        .append(AppendBatch { items: (0..30).map(varied_item).collect(), ..Default::default() })
        .expect("again");
    cluster.wait_all_applied(Duration::from_secs(60)).expect("applied");
    let third = index_until_idle(&config, &work.path().join("worker-c"), 4);
    assert_eq!(third.indexed, 700, "{third:?}");

    let mut reference = SearchIndex::open(&work.path().join("embedded-index")).expect("index");
    reference.sync(&embedded).expect("sync");
    let searcher = SearcherCache::connect(&config, &work.path().join("searcher")).expect("searcher");
    let union = searcher.refresh(Gazetteer::default()).expect("refresh").expect("published shards");

    let partner = Visibility::Audience(Audience {
        user: "p.user".to_owned(),
        org: "partner-x".to_owned(),
        groups: Default::default(),
        client_of: Default::default(),
    });
    let queries = [
        "ministry",
        "phishing OR botnet",
        "\"hit the pipeline\"",
        "sanctions AND NOT embassy",
        "ransom*",
        "refinry~1",
        "source:feed-a sanctions",
        "tlp:amber",
        "indicator:\"CVE-2024-1007\"",
        "date:[2025-06-20 TO 2025-07-10]",
        "customs OR harbour OR election",
    ];
    // And as a property: generated queries of every kind, combined.
    let generated = generated_queries(60, 0x5eed);
    for text in queries.iter().copied().chain(generated.iter().map(String::as_str)) {
        for (name, visibility) in [("everything", Visibility::everything()), ("partner", partner.clone())] {
            let ours = search(&union, text, &visibility);
            let theirs = search(&reference, text, &visibility);
            if name == "everything" && queries.contains(&text) {
                assert!(theirs.total > 0, "{text}: the reference finds something");
            }
            same_results(&ours, &theirs, &format!("{text} as {name}"));
        }
    }
    records.stop();
}
