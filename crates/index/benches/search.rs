//! `cargo xtask bench search`: index generated news items with Muninn's index and with a bare
//! tantivy index of the same documents (default tokenizer, no visibility filter, no facets),
//! then run the same query mix on both. Writes the figures as JSON to the path given.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use muninn_index::{SearchIndex, SearchRequest, Visibility};
use muninn_store::{EmbeddedStore, StoreConfig};
use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};

use tantivy::query::{BooleanQuery, FuzzyTermQuery, Occur, QueryParser, RangeQuery, RegexQuery, TermQuery};
use tantivy::schema::{FAST, INDEXED, IndexRecordOption, STORED, Schema, TEXT};
use tantivy::{Index, IndexWriter, Term, doc};

/// The allocator the `muninn` binary runs with (`muninn reindex`, `muninn search`): the figures
/// are the product's, and both sides of the comparison run with it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The query mix: terms, phrases, boolean, wildcard, fuzzy, date range, with and without facets.
const QUERIES: [(&str, &str, bool); 10] = [
    ("term", "sandworm", false),
    ("term-ru", "хакеры", false),
    ("phrase", "\"energy companies\"", false),
    ("boolean", "(lazarus OR turla) AND NOT phishing", false),
    ("fuzzy", "sandwrm~1", false),
    ("wildcard", "ransom*", false),
    ("date-range", "apt28 date:[2026-01-05 TO 2026-01-20]", false),
    ("term-facets", "sandworm", true),
    ("boolean-facets", "ukraine OR украина", true),
    ("all-facets", "*", true),
];
/// Runs of each query (`MUNINN_BENCH_RUNS` to profile with more).
const RUNS: usize = 25;
/// How many times each index is built at up to 2M items (the medians are reported).
const BUILDS: usize = 3;

fn either(
    title: tantivy::schema::Field,
    body: tantivy::schema::Field,
    make: impl Fn(tantivy::schema::Field) -> Box<dyn tantivy::query::Query>,
) -> Box<dyn tantivy::query::Query> {
    Box::new(BooleanQuery::new(vec![(Occur::Should, make(title)), (Occur::Should, make(body))]))
}

/// The bare side's tantivy query for a query of the mix: the same query on the bare fields, built
/// directly where tantivy's parser has no syntax for it (fuzzy, wildcard, a date range) or reads
/// it otherwise (its `AND NOT` found nothing); the hits of both sides are reported. `None` for
/// the facet queries (the bare index has no fields to count).
fn bare_query(
    name: &str,
    text: &str,
    facets: bool,
    parser: &QueryParser,
    [title, body, date]: [tantivy::schema::Field; 3],
) -> Option<Box<dyn tantivy::query::Query>> {
    let words = |word: &str| {
        either(title, body, |field| {
            Box::new(TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs))
        })
    };
    match name {
        "fuzzy" => Some(either(title, body, |field| {
            Box::new(FuzzyTermQuery::new(Term::from_field_text(field, "sandwrm"), 1, true))
        })),
        "wildcard" => {
            Some(either(title, body, |field| Box::new(RegexQuery::from_pattern("ransom.*", field).unwrap())))
        }
        "boolean" => Some(Box::new(BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, words("lazarus")),
                    (Occur::Should, words("turla")),
                ])) as Box<dyn tantivy::query::Query>,
            ),
            (Occur::MustNot, words("phishing")),
        ]))),
        "date-range" => {
            let day = |text: &str| {
                let at: jiff::Timestamp = text.parse().unwrap();
                Term::from_field_date(date, tantivy::DateTime::from_timestamp_secs(at.as_second()))
            };
            Some(Box::new(BooleanQuery::new(vec![
                (Occur::Must, words("apt28")),
                (
                    Occur::Must,
                    Box::new(RangeQuery::new(
                        Bound::Included(day("2026-01-05T00:00:00Z")),
                        Bound::Included(day("2026-01-20T23:59:59Z")),
                    )) as Box<dyn tantivy::query::Query>,
                ),
            ])))
        }
        _ if facets => None,
        _ => parser.parse_query(text).ok(),
    }
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("VmHWM:")
                .map(|v| v.trim().trim_end_matches(" kB").trim().parse::<f64>().unwrap_or(0.0))
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let Some(output) = args.first() else {
        println!("search bench: pass the JSON output path (cargo xtask bench search)");
        return;
    };
    let items: u64 = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;
    // `MUNINN_BENCH_DIR=DIR` keeps the store and both indexes in DIR and, when they are there
    // already, queries them without building them again (to profile queries at 10M items).
    let temporary = tempfile::tempdir().unwrap();
    let work =
        std::env::var_os("MUNINN_BENCH_DIR").map_or_else(|| temporary.path().to_owned(), PathBuf::from);
    let built_path = work.join("built.json");
    let built: Built = match std::fs::read(&built_path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap(),
        Err(_) => {
            let built = build(&work, items, cores);
            std::fs::write(&built_path, serde_json::to_vec(&built).unwrap()).unwrap();
            built
        }
    };
    let Built { stored, text_bytes, muninn_seconds, bare_seconds, builds } = built;
    // Opening warms every segment (days, sequence runs, combination codes): timed, as a sync
    // that brings a new segment pays the same per document.
    let started = Instant::now();
    let index = SearchIndex::open(&work.join("index")).unwrap();
    let open_seconds = started.elapsed().as_secs_f64();
    println!("opened and warmed in {open_seconds:.2}s");
    let bare = Index::open_in_dir(work.join("bare")).unwrap();
    let field = |name: &str| bare.schema().get_field(name).unwrap();
    let (title, body, date) = (field("title"), field("body"), field("date"));
    let bare_reader = bare.reader().unwrap();
    let bare_searcher = bare_reader.searcher();
    println!("segments: muninn {}, bare {}", index.segment_count(), bare_searcher.segment_readers().len());
    let mut parser = QueryParser::for_index(&bare, vec![title, body]);
    parser.set_conjunction_by_default();

    let visibility = Visibility::everything();
    let now = jiff::Timestamp::now();
    let mut muninn_ms = Vec::new();
    let mut bare_ms = Vec::new();
    let mut per_query = serde_json::Map::new();
    // Overhead over the queries both sides run alike (no facets: the bare index has no fields to
    // count): the median of the per-query ratios of median latencies.
    let mut ratios = Vec::new();
    // `MUNINN_BENCH_ONLY=NAME` runs one query of the mix (to profile it).
    let only = std::env::var("MUNINN_BENCH_ONLY").ok();
    for (name, text, facets) in QUERIES {
        if only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        // Both sides are timed from the query's text to their page: Muninn parses and
        // translates, the bare side builds its tantivy query (a regex is compiled then).
        let search = || {
            let parsed = muninn_query::parse(text, now).unwrap();
            let request = SearchRequest {
                query: &parsed,
                visibility: &visibility,
                limit: 20,
                after: None,
                facets,
                histogram: facets,
            };
            index.search(&request).unwrap().total
        };
        let bare_query = |name: &str| -> Option<Box<dyn tantivy::query::Query>> {
            bare_query(name, text, facets, &parser, [title, body, date])
        };
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        let mut total = 0;
        let mut bare_total = None;
        let runs = std::env::var("MUNINN_BENCH_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(RUNS);
        for _ in 0..runs {
            let started = Instant::now();
            total = search();
            ours.push(started.elapsed().as_secs_f64() * 1000.0);
            let started = Instant::now();
            if let Some(query) = bare_query(name) {
                let (_, count) =
                    bare_searcher.search(&query, &(TopDocs::with_limit(20).order_by_score(), Count)).unwrap();
                bare_total = Some(count);
                theirs.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
        let ours_median = percentile(&mut ours.clone(), 0.5);
        let theirs_median = if theirs.is_empty() { f64::NAN } else { percentile(&mut theirs.clone(), 0.5) };
        println!(
            "{name:16} {total:>8} hits  muninn {ours_median:8.2} ms  bare {theirs_median:8.2} ms ({bare_total:?} hits)"
        );
        per_query.insert(
            name.to_owned(),
            serde_json::json!({
                "hits": total, "muninn_ms": ours_median, "bare_ms": theirs_median, "bare_hits": bare_total,
            }),
        );
        if !facets && !theirs.is_empty() {
            ratios.push(ours_median / theirs_median);
        }
        muninn_ms.extend(ours);
        bare_ms.extend(theirs);
    }
    let p50 = percentile(&mut muninn_ms.clone(), 0.5);
    let p99 = percentile(&mut muninn_ms.clone(), 0.99);
    let bare_p50 = percentile(&mut bare_ms.clone(), 0.5);
    let figures = serde_json::json!({
        "items": stored,
        "text_mb": text_bytes as f64 / 1e6,
        "index_seconds": muninn_seconds,
        "index_builds": builds,
        "index_mb_per_s_per_core": text_bytes as f64 / 1e6 / muninn_seconds / cores,
        "bare_tantivy_index_mb_per_s_per_core": text_bytes as f64 / 1e6 / bare_seconds / cores,
        "p50_ms": p50,
        "p99_ms": p99,
        "bare_tantivy_p50_ms": bare_p50,
        "overhead_vs_tantivy": percentile(&mut ratios, 0.5),
        "peak_rss_mb": peak_rss_mb(),
        "open_warm_seconds": open_seconds,
        "queries": per_query,
    });
    std::fs::write(output, serde_json::to_string_pretty(&figures).unwrap()).unwrap();
}

/// What building the store and both indexes measured.
#[derive(serde::Serialize, serde::Deserialize)]
struct Built {
    stored: u64,
    text_bytes: u64,
    muninn_seconds: f64,
    bare_seconds: f64,
    /// How many times each index was built (the seconds are medians).
    #[serde(default)]
    builds: u64,
}

/// Stores `items` generated news items in `work`, then indexes them with Muninn's index and
/// with bare tantivy, timing both.
fn build(work: &Path, items: u64, cores: f64) -> Built {
    let scenario = muninn_exercise::Scenario::from_toml(&format!(
        "name = \"bench\"\nstart = \"2026-01-01T00:00:00Z\"\ndays = 30\n[volume]\nnews = {items}\n"
    ))
    .unwrap();
    let generator = muninn_exercise::Generator::new(&scenario, 11).unwrap();
    let index_only = std::env::var_os("MUNINN_BENCH_INDEX_ONLY").is_some();
    let text_bytes_path = work.join("text_bytes");
    if index_only && let Ok(text) = std::fs::read_to_string(&text_bytes_path) {
        // For a profiler, again: the store of an earlier run, indexed anew.
        let store = EmbeddedStore::open(&work.join("data"), StoreConfig::default()).unwrap();
        index_only_run(work, &store, text.trim().parse().unwrap(), cores);
    }

    // The store, filled directly (ingest is measured by its own benchmark).
    let mut store = EmbeddedStore::open(&work.join("data"), StoreConfig::default()).unwrap();
    let mut text_bytes = 0u64;
    let mut batches = common::Batches::new(&mut store);
    let mut bare_docs: Vec<(String, String, i64)> = Vec::new();
    for index in 0..items {
        let mut news = generator.news(index);
        text_bytes += (news.title.len() + news.body.len()) as u64;
        bare_docs.push((news.title.clone(), news.body.clone(), news.published.as_second()));
        let body = std::mem::take(&mut news.body);
        batches.push(common::news_item(news, body));
    }
    let stored = batches.finish();
    println!("{stored} items, {:.1} MB of text", text_bytes as f64 / 1e6);
    if index_only {
        std::fs::write(&text_bytes_path, text_bytes.to_string()).unwrap();
        index_only_run(work, &store, text_bytes, cores);
    }

    // Both indexes are built `builds` times, alternately, and the medians reported: this
    // machine's speed drifts by a fifth within minutes. At 10M items, once each (an hour).
    let builds = if items <= 2_000_000 { BUILDS } else { 1 };
    let mut muninn_runs = Vec::new();
    let mut bare_runs = Vec::new();
    for _ in 0..builds {
        // Muninn's index: analysis in four languages, keyword and date fields, visibility.
        muninn_runs.push(rebuild_seconds(work, &store));
        // The baseline: bare tantivy, same texts, default analysis.
        bare_runs.push(bare_seconds(work, &bare_docs));
        println!(
            "built in {:.2}s (muninn), {:.2}s (bare)",
            muninn_runs.last().unwrap(),
            bare_runs.last().unwrap()
        );
    }
    drop(bare_docs);
    Built {
        stored,
        text_bytes,
        muninn_seconds: percentile(&mut muninn_runs, 0.5),
        bare_seconds: percentile(&mut bare_runs, 0.5),
        builds: builds as u64,
    }
}

/// Builds the bare tantivy index of `docs` in `work/bare` (anew): the seconds it took.
fn bare_seconds(work: &Path, docs: &[(String, String, i64)]) -> f64 {
    let mut builder = Schema::builder();
    let title = builder.add_text_field("title", TEXT);
    let body = builder.add_text_field("body", TEXT | STORED);
    let date = builder.add_date_field("date", INDEXED | FAST);
    let dir = work.join("bare");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    let bare = Index::create_in_dir(&dir, builder.build()).unwrap();
    let started = Instant::now();
    // The same writer memory as Muninn's (it decides how many segments an index ends with).
    let mut writer: IndexWriter = bare.writer(muninn_index::WRITER_HEAP_BYTES).unwrap();
    for (t, b, when) in docs {
        let when = tantivy::DateTime::from_timestamp_secs(*when);
        writer.add_document(doc!(title => t.as_str(), body => b.as_str(), date => when)).unwrap();
    }
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    started.elapsed().as_secs_f64()
}

/// `MUNINN_BENCH_INDEX_ONLY`, for a profiler: Muninn's indexing of the store alone, then exit.
/// The store is kept for the next such run when `MUNINN_BENCH_DIR` is set.
fn index_only_run(work: &Path, store: &EmbeddedStore, text_bytes: u64, cores: f64) -> ! {
    let seconds = rebuild_seconds(work, store);
    println!("indexed in {seconds:.2}s: {:.2} MB/s per core", text_bytes as f64 / 1e6 / seconds / cores);
    std::process::exit(0);
}

/// Rebuilds Muninn's index in `work` from `store`: the seconds it took.
fn rebuild_seconds(work: &Path, store: &EmbeddedStore) -> f64 {
    let mut index = SearchIndex::open(&work.join("index")).unwrap();
    let started = Instant::now();
    index.rebuild(store).unwrap();
    started.elapsed().as_secs_f64()
}
