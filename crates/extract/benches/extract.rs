//! Extraction benchmark: quality over the labelled set and speed over generated text.
//!
//! `cargo bench -p muninn-extract --bench extract -- OUTPUT.json [MEGABYTES]`
//!
//! Quality: precision, recall and F1 per kind and overall over `test_data/labelled.jsonl`.
//! Speed: the title and body of generated news items (muninn-exercise, seed 11; its background
//! text carries addresses, domains, URLs, digests, CVE and ATT&CK ids, some defanged) until
//! MEGABYTES (default 150) of text, extracted item by item on one thread; the median of five
//! runs. Writes a flat JSON object of numbers.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../tests/it/score.rs"]
#[allow(dead_code)]
mod score;

use std::time::Instant;

use muninn_extract::{Extractor, IndicatorKind};
use serde_json::{Map, Value, json};

const LABELLED: &str = include_str!("../test_data/labelled.jsonl");
const RUNS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|arg| !arg.starts_with("--")).collect();
    let Some(output) = args.first() else {
        println!("extract bench: pass the JSON output path (cargo xtask bench extract)");
        return;
    };
    let megabytes: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(150);
    let extractor = Extractor::default();

    let set = score::load(LABELLED);
    let scores = score::score(&set, |text| extractor.all(text));
    println!("{}", score::table(&scores));
    let mut figures = Map::new();
    figures.insert("f1".into(), json!(round(scores.overall.f1())));
    figures.insert("precision".into(), json!(round(scores.overall.precision())));
    figures.insert("recall".into(), json!(round(scores.overall.recall())));
    figures.insert("labelled_indicators".into(), json!(scores.expected_total));
    figures.insert("labelled_texts".into(), json!(set.len()));
    for kind in IndicatorKind::ALL {
        let counts = scores.per_kind.get(&kind).copied().unwrap_or_default();
        figures.insert(format!("precision_{kind}"), json!(round(counts.precision())));
        figures.insert(format!("recall_{kind}"), json!(round(counts.recall())));
        figures.insert(format!("f1_{kind}"), json!(round(counts.f1())));
    }

    let texts = corpus(megabytes * 1_000_000);
    let bytes: usize = texts.iter().map(String::len).sum();
    println!("corpus: {} items, {:.1} MB", texts.len(), bytes as f64 / 1e6);
    let mut found = 0usize;
    let mut speeds = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        let start = Instant::now();
        let mut count = 0usize;
        for text in &texts {
            count += std::hint::black_box(extractor.all(text)).len();
        }
        let seconds = start.elapsed().as_secs_f64();
        let speed = bytes as f64 / 1e6 / seconds;
        println!("run {run}: {seconds:.2} s, {speed:.1} MB/s, {count} indicators");
        speeds.push(speed);
        found = count;
    }
    speeds.sort_by(f64::total_cmp);
    let median = speeds.get(RUNS / 2).copied().unwrap_or_default();
    figures.insert("mb_per_s_per_core".into(), json!(round(median)));
    figures.insert("corpus_mb".into(), json!(round(bytes as f64 / 1e6)));
    figures.insert("corpus_indicators_per_mb".into(), json!(round(found as f64 / (bytes as f64 / 1e6))));
    let text = serde_json::to_string_pretty(&Value::Object(figures)).unwrap();
    println!("{text}");
    std::fs::write(output, text + "\n").unwrap();
}

/// Titles and bodies of generated news items, `target` bytes in all.
fn corpus(target: usize) -> Vec<String> {
    // A volume large enough that the generator's schedule never runs out.
    let scenario = muninn_exercise::Scenario::from_toml(
        "name = \"bench\"\nstart = \"2026-01-01T00:00:00Z\"\ndays = 30\n[volume]\nnews = 10000000\n",
    )
    .unwrap();
    let generator = muninn_exercise::Generator::new(&scenario, 11).unwrap();
    let mut texts = Vec::new();
    let mut bytes = 0;
    let mut index = 0;
    while bytes < target {
        let news = generator.news(index);
        let text = format!("{}\n{}", news.title, news.body);
        bytes += text.len();
        texts.push(text);
        index += 1;
    }
    texts
}

fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}
