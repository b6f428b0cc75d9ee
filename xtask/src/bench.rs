//! Benchmarks. Each compares with a baseline measured in the same run, takes the median of
//! several runs, and writes `bench/results/NAME.json`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// How much data a benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// A small run, to check that the benchmark works.
    Quick,
    /// The size its issue asks for.
    Standard,
    /// The large size some benchmarks know (search: 10M items).
    Large,
}

pub fn run(root: &Path, name: &str, size: Size) -> anyhow::Result<()> {
    let quick = size == Size::Quick;
    match name {
        "ingest" => ingest(root, quick),
        "store-engines" => store_engines(root),
        "search" => search(root, size),
        "screen" => screen(root, quick),
        "extract" => extract(root, quick),
        "exercise" => exercise(root),
        "knowledge" => knowledge(root),
        "match" => name_matching(root),
        "api" => crate::load::api(root),
        "cluster" => crate::cluster_bench::cluster(root, quick),
        "all" => {
            ingest(root, quick)?;
            store_engines(root)?;
            search(root, size)?;
            screen(root, quick)?;
            extract(root, quick)
        }
        other => {
            bail!(
                "unknown benchmark {other:?}; known: ingest, store-engines, search, screen, extract, exercise, knowledge, match, api, cluster, all"
            )
        }
    }
}

pub(crate) fn work_dir(root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join("bench/work");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// What machine the figures come from.
fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name").and_then(|rest| rest.split(':').nth(1)))
        .map(|model| model.trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    let memory_kb = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            line.strip_prefix("MemTotal:").map(|rest| rest.trim().trim_end_matches(" kB").trim().to_owned())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .unwrap_or(0);
    json!({
        "cpu": model,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "memory_gib": (memory_kb as f64 / 1048576.0 * 10.0).round() / 10.0,
        "os": std::env::consts::OS,
    })
}

pub(crate) fn write_result(root: &Path, name: &str, figures: Value, notes: &str) -> anyhow::Result<()> {
    let result = json!({
        "bench": name,
        "date": jiff::Timestamp::now().to_string(),
        "machine": machine(),
        "figures": figures,
        "notes": notes,
    });
    let dir = root.join("bench/results");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&result)? + "\n")?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    println!("written to {}", path.display());
    Ok(())
}

/// Durable ingest of generated 200-byte JSON Lines items by the release binary, against the
/// disk's own ceiling: copying the same bytes to a new file and fsyncing it.
fn ingest(root: &Path, quick: bool) -> anyhow::Result<()> {
    let items: u64 = if quick { 100_000 } else { 1_000_000 };
    let runs = if quick { 1 } else { 5 };
    crate::run(root, "cargo", &["build", "--release", "-p", "muninn"], &[])?;
    let binary = root.join("target/release/muninn");
    let work = work_dir(root)?;
    let input = work.join(format!("ingest-{items}.jsonl"));
    if !input.exists() {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&input)?);
        muninn_exercise::write_jsonl_items(&mut file, items, 200, 42)?;
        file.flush()?;
    }
    let input_bytes = std::fs::metadata(&input)?.len();
    let mut items_per_s = Vec::new();
    let mut mb_per_s = Vec::new();
    let mut copy_mb_per_s = Vec::new();
    for run in 0..runs {
        // Baseline: the same bytes, copied and fsynced: what the disk allows at best.
        let copy = work.join("copy.jsonl");
        let started = Instant::now();
        {
            let mut out = std::fs::File::create(&copy)?;
            std::io::copy(&mut std::fs::File::open(&input)?, &mut out)?;
            out.sync_all()?;
        }
        copy_mb_per_s.push(input_bytes as f64 / 1e6 / started.elapsed().as_secs_f64());
        std::fs::remove_file(&copy)?;

        let data = work.join("ingest-data");
        let _ = std::fs::remove_dir_all(&data);
        let started = Instant::now();
        let output = Command::new(&binary)
            .arg("--data-dir")
            .arg(&data)
            .args(["ingest", "--source", "bench", "--json", "--quiet", "--no-index"])
            .arg(&input)
            .output()
            .context("running muninn ingest")?;
        let seconds = started.elapsed().as_secs_f64();
        if !output.status.success() {
            bail!("muninn ingest failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let summary: Value = serde_json::from_slice(&output.stdout)?;
        let stored = summary["stored"].as_u64().unwrap_or(0);
        if stored != items {
            bail!("stored {stored} of {items} items: {summary}");
        }
        items_per_s.push(items as f64 / seconds);
        mb_per_s.push(input_bytes as f64 / 1e6 / seconds);
        println!(
            "run {}: {:.0} items/s, {:.1} MB/s (copy+fsync {:.1} MB/s)",
            run + 1,
            items as f64 / seconds,
            input_bytes as f64 / 1e6 / seconds,
            copy_mb_per_s[run]
        );
        std::fs::remove_dir_all(&data)?;
    }
    let items_per_s = median(&mut items_per_s);
    let mb_per_s = median(&mut mb_per_s);
    let copy = median(&mut copy_mb_per_s);
    write_result(
        root,
        "ingest",
        json!({
            "items": items,
            "item_bytes": input_bytes / items,
            "runs": runs,
            "items_per_s": items_per_s.round(),
            "mb_per_s": (mb_per_s * 10.0).round() / 10.0,
            "baseline_copy_fsync_mb_per_s": (copy * 10.0).round() / 10.0,
            "ratio_to_copy_fsync": (mb_per_s / copy * 1000.0).round() / 1000.0,
            "meets_100k_items_per_s": items_per_s >= 100_000.0,
        }),
        "Wall time of `muninn ingest --json` (release build, process start to exit) on generated \
         ~200-byte JSON Lines items with language detection, hashing, dedup, raw bytes kept and \
         one fsync per 4096-item batch; fresh data directory per run; median of the runs. \
         Baseline: copying the same file and fsyncing it once, in the same run.",
    )
}

/// Indexing and querying generated news items with Muninn's index against a bare tantivy index
/// of the same texts: see `crates/index/benches/search.rs`. 1M items; `--quick` 100k, `--large`
/// 10M (written to `search-large.json`), MUNINN_BENCH_ITEMS any number.
fn search(root: &Path, size: Size) -> anyhow::Result<()> {
    let items =
        std::env::var("MUNINN_BENCH_ITEMS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(match size {
            Size::Quick => 100_000,
            Size::Standard => 1_000_000,
            Size::Large => 10_000_000,
        });
    let output_path = work_dir(root)?.join("search.json");
    let output = output_path.display().to_string();
    let count = items.to_string();
    crate::run(
        root,
        "cargo",
        &["bench", "-p", "muninn-index", "--bench", "search", "--", &output, &count],
        &[],
    )?;
    let figures: Value = serde_json::from_str(&std::fs::read_to_string(&output_path)?)?;
    // The 10M run (the p99 bar's size; an hour) keeps its own file beside the 1M one.
    let name = if matches!(size, Size::Large) { "search-large" } else { "search" };
    write_result(
        root,
        name,
        figures,
        "Generated multilingual news items (muninn-exercise, seed 11) stored, then indexed by `muninn-index` \
         (four-language analysis, keyword, date and visibility fields) and, as the baseline, by bare tantivy \
         (title, body and date, default tokenizer, the same writer memory) in the same run, both run with \
         mimalloc as the muninn binary is. Index MB/s per core = title and body bytes / wall time / cores, \
         wall time the median of `index_builds` builds of each index made alternately (3 up to 2M items, \
         1 at 10M). Queries: 10 kinds (terms, Russian term, phrase, \
         boolean, fuzzy, wildcard, date range; three with facets and a daily histogram), 25 runs each, limit 20, \
         each timed from the query's text to its page on both sides (Muninn parses, translates and reads the \
         hits' item ids; the bare side builds its tantivy query, top 20 by score and the count); p50/p99 \
         over all runs. overhead_vs_tantivy: median over the 7 facet-free queries of Muninn's median latency / \
         bare tantivy's; each query's hits on both sides are listed (Muninn's stemming finds more for some). \
         open_warm_seconds: opening the built index, which works out every segment's days, sequence runs and \
         facet combination codes (what a sync pays per new segment).",
    )
}

/// The record-table engine choice, measured: see `crates/store/benches/engines.rs`.
fn store_engines(root: &Path) -> anyhow::Result<()> {
    let output_path = work_dir(root)?.join("store-engines.json");
    let output = output_path.display().to_string();
    crate::run(root, "cargo", &["bench", "-p", "muninn-store", "--bench", "engines", "--", &output], &[])?;
    let figures: Value = serde_json::from_str(&std::fs::read_to_string(&output_path)?)?;
    write_result(
        root,
        "store-engines",
        figures,
        "Record-table workload of the embedded store: insert 1M item records (16-byte id, seq, \
         position, source, times, title) in batches of 4096 with a unique-id check per item, \
         then 100k random lookups by id; SQLite (rusqlite, bundled, WAL, synchronous=NORMAL; \
         rowid table with a unique index, and a WITHOUT ROWID table keyed by id) against redb \
         (Durability::None per batch, as the log is the durable copy). Median of 3.",
    )
}

/// Screening: Muninn's screener against raw daachorse, Hyperscan (Debian's libhyperscan, C
/// harness in `bench/baselines/hyperscan.c`) and GNU grep -F over the same generated messages
/// and 100k names + 1k indicators, hit-for-hit against a reference on a sample (see
/// `crates/screen/benches/screen.rs`); then the alert latency of the real binary fed at 100k
/// messages/s.
fn screen(root: &Path, quick: bool) -> anyhow::Result<()> {
    let messages = std::env::var("MUNINN_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(if quick { 500_000 } else { 5_500_000 });
    let work = work_dir(root)?.join("screen");
    std::fs::create_dir_all(&work)?;
    let output_path = work.join("muninn.json");
    let (output, work_arg, count) =
        (output_path.display().to_string(), work.display().to_string(), messages.to_string());
    crate::run(
        root,
        "cargo",
        &["bench", "-p", "muninn-screen", "--bench", "screen", "--", &output, &work_arg, &count],
        &[],
    )?;
    let mut figures: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&output_path)?)?;
    let patterns = work.join("patterns.txt");
    let messages_file = work.join("messages.txt");

    // Hyperscan, from Debian.
    if !Path::new("/usr/include/hs/hs.h").exists() {
        crate::run(
            root,
            "apt-get",
            &["install", "-y", "libhyperscan-dev"],
            &[("DEBIAN_FRONTEND", "noninteractive")],
        )?;
    }
    let harness = work.join("hyperscan");
    let source = root.join("bench/baselines/hyperscan.c");
    crate::run(
        root,
        "cc",
        &["-O2", "-o", &harness.display().to_string(), &source.display().to_string(), "-lhs"],
        &[],
    )?;
    let hyperscan = Command::new(&harness).arg(&patterns).arg(&messages_file).output()?;
    if !hyperscan.status.success() {
        bail!("hyperscan harness failed: {}", String::from_utf8_lossy(&hyperscan.stderr));
    }
    let hyperscan: serde_json::Map<String, Value> = serde_json::from_slice(&hyperscan.stdout)?;
    figures.extend(hyperscan);

    // GNU grep -F: the same literals, one message a line, bytes (LC_ALL=C), median of 3.
    let lines = messages as f64;
    let mut rates = Vec::new();
    let mut grep_matching_lines = 0;
    for _ in 0..3 {
        let started = Instant::now();
        // Output to a pipe, not /dev/null: GNU grep stops at the first match when it sees that
        // its output goes nowhere.
        let output = Command::new("grep")
            .args(["-F", "-c", "-f"])
            .arg(&patterns)
            .arg(&messages_file)
            .env("LC_ALL", "C")
            .output()?;
        // grep exits 1 when nothing matched, 2 on trouble.
        if output.status.code() == Some(2) {
            bail!("grep -F failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        grep_matching_lines = String::from_utf8_lossy(&output.stdout).trim().parse::<u64>().unwrap_or(0);
        rates.push(lines / started.elapsed().as_secs_f64());
    }
    figures.insert("grep_msgs_per_s".to_owned(), json!(median(&mut rates)));
    figures.insert("grep_matching_lines".to_owned(), json!(grep_matching_lines));

    let latency = alert_latency(root, &work)?;
    figures.extend(latency);
    let per_core = figures.get("msgs_per_s_per_core").and_then(Value::as_f64).unwrap_or(0.0);
    let caseless =
        figures.get("hyperscan_caseless_msgs_per_s_per_core").and_then(Value::as_f64).unwrap_or(0.0);
    figures.insert("ratio_to_hyperscan_caseless".to_owned(), json!(per_core / caseless.max(1.0)));
    write_result(
        root,
        "screen",
        Value::Object(figures),
        "Generated multilingual news messages of ~200 bytes (en/ru/ar/zh, muninn-exercise seed 17; 2% carry a listed \
         name as listed, upper-cased or in Cyrillic letters, 0.5% a listed indicator, a third defanged) screened \
         against 100k generated names (Latin, Arabic-particle, company, Cyrillic, Arabic, 3-character Han) and 1k \
         indicators (IPv4, domains, SHA-256). Muninn: whole words, case/width/diacritic folding, Arabic and \
         Cyrillic normalisation, transliteration (skeletons with evidence), refanged whole indicators; one core \
         = median of 3 runs; all cores = rayon over chunks of 4096. Baselines on the same bytes and literals, \
         substring meaning only: daachorse (leftmost-longest, case-sensitive), Hyperscan 5.4 block mode \
         (case-sensitive and caseless, single-match literals), GNU grep -F -c (LC_ALL=C). hits_equal_reference: \
         every (message, entry) pair of Muninn equals a slow string-based reference on the first 50k messages. \
         Alert latency: the release binary ingests a JSONL stream fed at 100k messages/s on stdin with \
         --print-alerts --max-batch-delay-ms 2 (messages written every millisecond, stamped before the write; the feeder sleeps between); alert_latency_p99_ms = alert printed − batch acknowledged (the \
         alert is stored in the same fsync as its item); arrival_to_alert_p99_ms = alert printed − message written.",
    )
}

/// Feeds the release binary at 100k messages/s and times each alert.
fn alert_latency(root: &Path, work: &Path) -> anyhow::Result<serde_json::Map<String, Value>> {
    use std::io::{BufRead, Write as _};
    crate::run(root, "cargo", &["build", "--release", "-p", "muninn"], &[])?;
    let binary = root.join("target/release/muninn");
    let data = work.join("latency-data");
    let _ = std::fs::remove_dir_all(&data);
    let data_arg = data.display().to_string();
    let list = work.join("watchlist.json").display().to_string();
    let status = Command::new(&binary)
        .args(["--data-dir", &data_arg, "watchlist", "import", &list, "--format", "json", "--name", "bench"])
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("watchlist import failed");
    }
    const RATE: u64 = 100_000;
    const SECONDS: u64 = 10;
    let messages: Vec<String> = std::io::BufReader::new(std::fs::File::open(work.join("messages.txt"))?)
        .lines()
        .take((RATE * SECONDS) as usize)
        .collect::<Result<_, _>>()?;
    let mut child = Command::new(&binary)
        .args([
            "--data-dir",
            &data_arg,
            "ingest",
            "-",
            "--print-alerts",
            "--max-batch-delay-ms",
            "2",
            "--quiet",
            "--no-index",
            "--source",
            "bench",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let reader = std::thread::spawn(move || -> Vec<(String, jiff::Timestamp, jiff::Timestamp)> {
        let mut seen = Vec::new();
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let Ok(value) = serde_json::from_str::<Value>(&line) else { continue };
            let field = |name: &str| value.get(name).and_then(Value::as_str).and_then(|t| t.parse().ok());
            if let (Some(title), Some(acknowledged), Some(emitted)) =
                (value.get("title").and_then(Value::as_str), field("acknowledged_at"), field("emitted_at"))
            {
                seen.push((title.to_owned(), acknowledged, emitted));
            }
        }
        seen
    });
    // The lines are made before the clock starts; then, every millisecond, the messages due by
    // then are written in one go and stamped.
    let lines: Vec<String> = messages
        .iter()
        .enumerate()
        .map(|(index, message)| {
            serde_json::to_string(&json!({ "title": format!("m{index}"), "body": message }))
                .map(|line| line + "\n")
        })
        .collect::<Result<_, _>>()?;
    let mut sent_at: Vec<jiff::Timestamp> = Vec::with_capacity(lines.len());
    let started = Instant::now();
    let mut next = 0;
    let mut chunk = String::new();
    while next < lines.len() {
        let elapsed = started.elapsed();
        let due = ((elapsed.as_nanos() as u64 * RATE / 1_000_000_000) as usize + 1).min(lines.len());
        if due <= next {
            // Asleep until the next millisecond: the feeder shares the machine with what it
            // feeds, and waking every 200 µs cost the ingest about 1% of its rate.
            let next_tick = std::time::Duration::from_millis(elapsed.as_millis() as u64 + 1);
            std::thread::sleep(next_tick.saturating_sub(elapsed));
            continue;
        }
        chunk.clear();
        lines[next..due].iter().for_each(|line| chunk.push_str(line));
        // Stamped before the write: time blocked on a full pipe counts as latency.
        let now = jiff::Timestamp::now();
        stdin.write_all(chunk.as_bytes())?;
        stdin.flush()?;
        sent_at.extend(std::iter::repeat_n(now, due - next));
        next = due;
    }
    let feed_seconds = started.elapsed().as_secs_f64();
    drop(stdin);
    let status = child.wait()?;
    if !status.success() {
        bail!("muninn ingest failed with {status}");
    }
    let seen = reader.join().map_err(|_| anyhow::anyhow!("alert reader panicked"))?;
    let millis =
        |from: jiff::Timestamp, to: jiff::Timestamp| (to.as_nanosecond() - from.as_nanosecond()) as f64 / 1e6;
    let mut after_ack: Vec<f64> = seen.iter().map(|(_, ack, emitted)| millis(*ack, *emitted)).collect();
    let mut after_arrival: Vec<f64> = seen
        .iter()
        .filter_map(|(title, _, emitted)| {
            let index: usize = title.strip_prefix('m')?.parse().ok()?;
            Some(millis(*sent_at.get(index)?, *emitted))
        })
        .collect();
    let p = |values: &mut Vec<f64>, q: f64| {
        values.sort_by(f64::total_cmp);
        values
            .get(((values.len() as f64 * q) as usize).min(values.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    let mut out = serde_json::Map::new();
    out.insert("latency_messages".to_owned(), json!(messages.len()));
    out.insert("latency_feed_msgs_per_s".to_owned(), json!(messages.len() as f64 / feed_seconds));
    out.insert("latency_alerts".to_owned(), json!(seen.len()));
    out.insert("alert_latency_p50_ms".to_owned(), json!(p(&mut after_ack, 0.5)));
    out.insert("alert_latency_p99_ms".to_owned(), json!(p(&mut after_ack, 0.99)));
    out.insert("arrival_to_alert_p50_ms".to_owned(), json!(p(&mut after_arrival, 0.5)));
    out.insert("arrival_to_alert_p99_ms".to_owned(), json!(p(&mut after_arrival, 0.99)));
    Ok(out)
}

/// Indicator extraction: quality over the labelled set and speed over generated news (see
/// `crates/extract/benches/extract.rs`).
fn extract(root: &Path, quick: bool) -> anyhow::Result<()> {
    let output_path = work_dir(root)?.join("extract.json");
    let output = output_path.display().to_string();
    let megabytes = if quick { "30" } else { "150" };
    crate::run(
        root,
        "cargo",
        &["bench", "-p", "muninn-extract", "--bench", "extract", "--", &output, megabytes],
        &[],
    )?;
    let mut figures: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&output_path)?)?;
    // Correlation from the index's posting lists, at about 10M indicator occurrences (1.4M
    // generated items carry ~7 each): see `crates/index/benches/correlate.rs`.
    let correlate = work_dir(root)?.join("correlate.json");
    let correlate_arg = correlate.display().to_string();
    let items = if quick { "200000" } else { "1400000" };
    crate::run(
        root,
        "cargo",
        &["bench", "-p", "muninn-index", "--bench", "correlate", "--", &correlate_arg, items],
        &[],
    )?;
    if let serde_json::Value::Object(more) =
        serde_json::from_str::<Value>(&std::fs::read_to_string(&correlate)?)?
    {
        figures.extend(more.into_iter().filter(|(key, _)| key != "date").map(|(key, value)| {
            let key = match key.as_str() {
                "items" | "index_seconds" | "lookups" => format!("correlation_{key}"),
                _ => key,
            };
            (key, value)
        }));
    }
    write_result(
        root,
        "extract",
        Value::Object(figures),
        "Quality: precision, recall and F1 per indicator kind over the committed labelled set \
         (crates/extract/test_data/labelled.jsonl: realistic report, e-mail and chat texts with defanged forms \
         and hard negatives). Speed: title and body bytes of generated news items (muninn-exercise) extracted \
         on one core, median of 5 runs. Correlation: generated items with planted indicators indexed (schema 3), \
         then 200 random lookups: correlation_p95_ms = indicator summary (count, first/last seen, sources, \
         recent items) under a visibility filter, related_p95_ms = items sharing indicators ranked by rarity.",
    )
}

/// The demo scenario's flow, generated and scored by the release binary (`muninn exercise
/// generate` then `muninn exercise score`): median of 5 scoring runs.
fn exercise(root: &Path) -> anyhow::Result<()> {
    crate::run(root, "cargo", &["build", "--release", "-p", "muninn"], &[])?;
    let binary = root.join("target/release/muninn");
    let work = work_dir(root)?.join("exercise");
    let _ = std::fs::remove_dir_all(&work);
    let flow = work.join("flow");
    let status = Command::new(&binary)
        .args(["exercise", "generate", "--scenario", "demo", "--out"])
        .arg(&flow)
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("exercise generate failed");
    }
    let mut runs: Vec<Value> = Vec::new();
    for _ in 0..5 {
        let output = Command::new(&binary)
            .args(["exercise", "score", "--json", "--truth"])
            .arg(flow.join("truth.json"))
            .output()?;
        if !output.status.success() {
            bail!("exercise score failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        runs.push(serde_json::from_slice(&output.stdout)?);
    }
    let mut p99: Vec<f64> = runs.iter().filter_map(|run| run["time_to_alert_p99_ms"].as_f64()).collect();
    let last = runs.last().cloned().unwrap_or(Value::Null);
    let mut figures = serde_json::Map::new();
    figures.insert("precision".to_owned(), last["precision"].clone());
    figures.insert("recall".to_owned(), last["recall"].clone());
    figures.insert("time_to_alert_p99_ms".to_owned(), json!(median(&mut p99)));
    figures.insert("items".to_owned(), last["items"].clone());
    figures.insert("scored_kinds".to_owned(), last["scored_kinds"].clone());
    if let Some(kinds) = last["kinds"].as_object() {
        for (kind, score) in kinds {
            let name = kind.replace('-', "_");
            figures.insert(format!("{name}_precision"), score["precision"].clone());
            figures.insert(format!("{name}_recall"), score["recall"].clone());
            figures.insert(format!("{name}_detected"), json!(score["detector"] != "none yet"));
        }
    }
    write_result(
        root,
        "exercise",
        Value::Object(figures),
        "The demo scenario (seed 7: ~500 items over 30 days, partners' STIX bundles and MISP events among them, five planted signals) generated and scored by the \
         release binary: the flow is ingested into a fresh data directory with a watchlist of the scenario's \
         watched person (as listed, not its variants) and indicator, screening runs inside ingest, and the alerts \
         are compared with truth.json. precision and recall are over all five signal kinds: person-variants and \
         indicator-reuse by screening as items arrive; bursts, actor-campaign links and near-duplicates by the \
         flow detectors (crates/detect) over the stored flow. time_to_alert_p99_ms: screening's, from a batch \
         being handed to screening to its alerts being durable (screening, append, fsync), median of 5 scoring runs.",
    )
}

/// The validator script: errors and warnings of one bundle file, as JSON.
const STIX_VALIDATE: &str = r#"
import json, sys
from stix2validator import ValidationOptions, validate_file
result = validate_file(sys.argv[1], ValidationOptions(version="2.1"))
errors, warnings = 0, 0
if result.fatal is not None:
    errors += 1
for item in result.object_results:
    errors += len(item.errors)
    warnings += len(item.warnings)
print(json.dumps({"errors": errors, "warnings": warnings}))
"#;

/// The knowledge base: MITRE ATT&CK Enterprise imported, exported and queried by `muninn-stix`
/// (see `crates/stix/benches/attack.rs`), and the OASIS validator on an export.
fn knowledge(root: &Path) -> anyhow::Result<()> {
    let work = work_dir(root)?.join("knowledge");
    std::fs::create_dir_all(&work)?;
    // The whole ATT&CK bundle from the shared data when it is there; else the subset the tests use.
    let full = root.join("../shared/data/attack/enterprise-attack-18.1.json.gz");
    let subset = root.join("crates/stix/test_data/attack-subset.json");
    let bundle = if full.exists() { full.clone() } else { subset.clone() };
    let output = work.join("attack.json");
    let (output_arg, bundle_arg) = (output.display().to_string(), bundle.display().to_string());
    crate::run(
        root,
        "cargo",
        &["bench", "-p", "muninn-stix", "--bench", "attack", "--", &output_arg, &bundle_arg],
        &[],
    )?;
    let mut figures: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&output)?)?;
    // The validator on the export of the test subset (the whole bundle takes ~5 minutes to check).
    let subset_output = work.join("subset.json");
    let export = work.join("subset-export.json");
    let (subset_output_arg, subset_arg, export_arg) =
        (subset_output.display().to_string(), subset.display().to_string(), export.display().to_string());
    crate::run(
        root,
        "cargo",
        &[
            "bench",
            "-p",
            "muninn-stix",
            "--bench",
            "attack",
            "--",
            &subset_output_arg,
            &subset_arg,
            &export_arg,
        ],
        &[],
    )?;
    let python = crate::python_checkers(root)?;
    let verdict = Command::new(&python).arg("-c").arg(STIX_VALIDATE).arg(&export).output()?;
    if !verdict.status.success() {
        bail!("stix2-validator failed: {}", String::from_utf8_lossy(&verdict.stderr));
    }
    let verdict: Value = serde_json::from_slice(&verdict.stdout)?;
    figures.insert("validator_errors".to_owned(), verdict["errors"].clone());
    figures.insert("validator_warnings".to_owned(), verdict["warnings"].clone());
    figures.insert("attack_bundle_full".to_owned(), json!(bundle == full));
    // Figures are numbers or booleans; the bench also reports the bundle's path.
    figures.retain(|_, value| value.is_number() || value.is_boolean());
    write_result(
        root,
        "knowledge",
        Value::Object(figures),
        "MITRE ATT&CK Enterprise 18.1 (24,771 objects, 35 MB; the 108-object test subset when the shared data is \
         absent) imported by muninn-stix (streaming, every object checked, versions by id and modified), exported \
         as one bundle, and neighbourhoods to depth 2 around 200 random objects; median of 5 runs, one core. \
         validator_errors / validator_warnings: stix2-validator 3.3.2 (PyPI) on the export of the test subset, \
         which the tests also validate; the warnings are advice on ATT&CK's x_mitre_* custom properties.",
    )
}

/// Name matching: a 1M-entity index (the UN and OFAC lists when the shared data is there, plus
/// generated names) queried with the labelled set on one core (see
/// `crates/names/benches/match.rs`).
fn name_matching(root: &Path) -> anyhow::Result<()> {
    let output_path = work_dir(root)?.join("match.json");
    let output = output_path.display().to_string();
    // The real UN and OFAC lists from the shared data folder when it is there.
    let shared = root.join("../shared/data");
    let shared = shared.display().to_string();
    crate::run(
        root,
        "cargo",
        &["bench", "-p", "muninn-names", "--bench", "match", "--", &output],
        &[("MUNINN_SHARED_DATA", &shared)],
    )?;
    let raw: serde_json::Map<String, Value> = serde_json::from_str(&std::fs::read_to_string(&output_path)?)?;
    // Flat figures: name → number or bool; the per-kind table becomes `right_KIND` ratios.
    let mut figures = serde_json::Map::new();
    for (key, value) in raw {
        match value {
            Value::Object(kinds) if key == "per_kind" => {
                for (kind, counts) in kinds {
                    let right = counts["right"].as_f64().unwrap_or(0.0);
                    let queries = counts["queries"].as_f64().unwrap_or(0.0).max(1.0);
                    figures.insert(format!("right_{}", kind.replace('-', "_")), json!(right / queries));
                }
            }
            Value::Number(_) | Value::Bool(_) => {
                figures.insert(key, value);
            }
            _ => {}
        }
    }
    write_result(
        root,
        "match",
        Value::Object(figures),
        "muninn-names: an index of 1M entities (the real UN consolidated and OFAC SDN lists with their aliases \
         when the shared data is present, the rest generated) queried on one core with a labelled set built from \
         the real lists: primary names, aliases, reorderings, comma inversions, one-edit typos, dropped middle \
         names, Cyrillic and Arabic renderings, and hard negatives (other people sharing a surname or given \
         name). recall and precision at the default threshold; right_KIND = share of that kind's queries whose \
         best match is the right entity.",
    )
}
