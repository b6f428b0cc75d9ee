//! Correlation latency: `cargo bench -p muninn-index --bench correlate -- OUTPUT.json [ITEMS]`.
//! Builds a store and an index of generated news items (default 200,000), each carrying five
//! planted indicators drawn from pools of different sizes (an address shared by ~4 items, a
//! domain by ~20, a digest by ~1-2, another by ~2, and one of 50 "common" domains), then
//! measures `indicator_summary` and `related` over 200 random lookups each. Writes
//! `{"correlation_p50_ms", "correlation_p95_ms", "related_p50_ms", "related_p95_ms",
//! "indicator_occurrences", "items", ...}`. With ITEMS = 2,000,000 the index holds about 10M
//! indicator occurrences.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use muninn_index::{SearchIndex, Visibility};
use muninn_model::ItemId;
use muninn_store::{EmbeddedStore, StoreConfig};

const LOOKUPS: usize = 200;
const COMMON_DOMAINS: u64 = 50;

/// splitmix64: the bench's own generator, so that runs are repeatable.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn hex_digest(seed: u64, words: u64) -> String {
    let mut random = Random(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ words);
    (0..words).map(|_| format!("{:016x}", random.next())).collect()
}

/// The five planted indicators of one item.
fn planted(random: &mut Random, items: u64) -> Vec<String> {
    let address = random.below(items / 4);
    vec![
        format!("{}.{}.{}.7", 20 + address / 65_536, (address / 256) % 256, address % 256),
        format!("host{}.bench.example", random.below(items / 20)),
        hex_digest(random.below(items), 4),
        hex_digest(random.below(items / 2) + (1 << 40), 2),
        format!("cdn{}.common.example", random.below(COMMON_DOMAINS)),
    ]
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let Some(output) = args.first() else {
        println!("correlate bench: pass the JSON output path and optionally the number of items");
        return;
    };
    let items: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let work = tempfile::tempdir().unwrap();
    let scenario = muninn_exercise::Scenario::from_toml(&format!(
        "name = \"bench\"\nstart = \"2026-01-01T00:00:00Z\"\ndays = 30\n[volume]\nnews = {items}\n"
    ))
    .unwrap();
    let generator = muninn_exercise::Generator::new(&scenario, 11).unwrap();
    let extractor = muninn_extract::Extractor::default();
    let mut random = Random(7);
    let mut sampled: BTreeSet<u64> = BTreeSet::new();
    while (sampled.len() as u64) < (LOOKUPS as u64).min(items) {
        sampled.insert(random.below(items));
    }
    // For each sampled item: its id and planted values.
    let mut samples: HashMap<u64, (ItemId, Vec<String>)> = HashMap::new();

    let started = Instant::now();
    let mut store = EmbeddedStore::open(&work.path().join("data"), StoreConfig::default()).unwrap();
    let mut occurrences = 0u64;
    let mut batches = common::Batches::new(&mut store);
    for index in 0..items {
        let news = generator.news(index);
        let values = planted(&mut random, items);
        let body = format!("{}\nIndicators: {}.", news.body, values.join(", "));
        let mut distinct = BTreeSet::new();
        for text in [news.title.as_str(), body.as_str()] {
            distinct.extend(extractor.extract(text).indicators.into_iter().map(|found| found.value));
        }
        occurrences += distinct.len() as u64;
        let (item, raw) = common::news_item(news, body);
        if sampled.contains(&index) {
            samples.insert(index, (item.id, values));
        }
        batches.push((item, raw));
    }
    let stored = batches.finish();
    println!(
        "{stored} items, {occurrences} indicator occurrences, generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut index = SearchIndex::open(&work.path().join("index")).unwrap();
    let started = Instant::now();
    index.rebuild(&store).unwrap();
    let index_seconds = started.elapsed().as_secs_f64();
    println!("indexed in {index_seconds:.1} s");

    let visibility = Visibility::everything();
    let restricted = Visibility::Audience(muninn_index::Audience {
        user: "outsider".into(),
        org: "another-org".into(),
        ..Default::default()
    });
    let mut summary_ms = Vec::with_capacity(LOOKUPS);
    let mut summary_restricted_ms = Vec::with_capacity(LOOKUPS);
    let mut related_ms = Vec::with_capacity(LOOKUPS);
    let mut mentions = 0u64;
    let mut related_found = 0usize;
    for (id, values) in samples.values() {
        let value = &values[random.below(values.len() as u64) as usize];
        let started = Instant::now();
        let summary = index.indicator_summary(value, &visibility, 10).unwrap();
        summary_ms.push(started.elapsed().as_secs_f64() * 1e3);
        mentions += summary.count;
        let started = Instant::now();
        index.indicator_summary(value, &restricted, 10).unwrap();
        summary_restricted_ms.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        related_found += index.related(id, &visibility, 20).unwrap().len();
        related_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let figures = serde_json::json!({
        "items": stored,
        "indicator_occurrences": occurrences,
        "lookups": summary_ms.len(),
        "correlation_p50_ms": percentile(&mut summary_ms, 0.5),
        "correlation_p95_ms": percentile(&mut summary_ms, 0.95),
        "correlation_restricted_p95_ms": percentile(&mut summary_restricted_ms, 0.95),
        "related_p50_ms": percentile(&mut related_ms, 0.5),
        "related_p95_ms": percentile(&mut related_ms, 0.95),
        "mean_mentions_per_lookup": mentions as f64 / summary_ms.len().max(1) as f64,
        "mean_related_per_lookup": related_found as f64 / related_ms.len().max(1) as f64,
        "index_seconds": index_seconds,
        "date": jiff::Timestamp::now().strftime("%Y-%m-%d").to_string(),
    });
    println!("{}", serde_json::to_string_pretty(&figures).unwrap());
    std::fs::write(output, serde_json::to_string_pretty(&figures).unwrap() + "\n").unwrap();
}
