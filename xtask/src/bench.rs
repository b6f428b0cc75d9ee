//! Benchmarks. Each compares with a baseline measured in the same run, takes the median of
//! several runs, and writes `bench/results/NAME.json`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Value, json};

pub fn run(root: &Path, name: &str, quick: bool) -> anyhow::Result<()> {
    match name {
        "ingest" => ingest(root, quick),
        "store-engines" => store_engines(root),
        "search" => search(root, quick),
        "all" => {
            ingest(root, quick)?;
            store_engines(root)?;
            search(root, quick)
        }
        other => bail!("unknown benchmark {other:?}; known: ingest, store-engines, search, all"),
    }
}

fn work_dir(root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join("bench/work");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn median(values: &mut [f64]) -> f64 {
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

fn write_result(root: &Path, name: &str, figures: Value, notes: &str) -> anyhow::Result<()> {
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
/// of the same texts: see `crates/index/benches/search.rs`. `--quick` for 100k items, `--large`
/// (via MUNINN_BENCH_ITEMS) for more.
fn search(root: &Path, quick: bool) -> anyhow::Result<()> {
    let items = std::env::var("MUNINN_BENCH_ITEMS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(if quick { 100_000 } else { 1_000_000 });
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
    write_result(
        root,
        "search",
        figures,
        "Generated multilingual news items (muninn-exercise, seed 11) stored, then indexed by `muninn-index` \
         (four-language analysis, keyword, date and visibility fields) and, as the baseline, by bare tantivy \
         (title and body, default tokenizer) in the same run. Index MB/s per core = title and body bytes / \
         wall time / cores. Queries: 10 kinds (terms, Russian term, phrase, boolean, fuzzy, wildcard, date \
         range; three with facets and a daily histogram), 5 runs each, limit 20; p50/p99 over all runs. \
         overhead_vs_tantivy: median over the facet-free queries of Muninn's median latency / bare tantivy's \
         (the date clause is dropped for the bare side, which has no date field).",
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
