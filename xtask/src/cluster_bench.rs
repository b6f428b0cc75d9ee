//! `cargo xtask bench cluster`: cluster mode on the real engines of this machine (a 3-node NATS
//! cluster, PostgreSQL, SeaweedFS as S3), started here on 127.0.0.1 like the tests start them.
//!
//! Figures: end-to-end ingest (acknowledged by JetStream and applied to the record tables) with
//! 1, 2 and 3 records workers, against the embedded store on the same file in the same run;
//! search latency on the published index shards against the embedded index of the same items;
//! and a fault run (a NATS node and a records worker killed while items flow) that counts what
//! was lost.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use muninn_testkit::engines::{NatsCluster, Postgres, Seaweed};
use serde_json::{Value, json};

use crate::bench::{median, work_dir, write_result};

/// The queries of the latency figure (the same kinds as the search benchmark's mix).
const QUERIES: [&str; 7] = [
    "phishing",
    "telecom OR banks",
    "\"telecom operators\"",
    "ransomware AND NOT energy",
    "explo*",
    "campain~1",
    "lang:en malware",
];

/// Log partitions and index shards of every run: each shard indexes two partitions, and 1, 2
/// or 3 workers of a kind divide the shards (and the partitions) evenly.
const PARTITIONS: u32 = 12;
const SHARDS: u32 = 6;
/// Seconds a worker waits without work before it exits (taken off its time).
const IDLE_EXIT: u64 = 3;

struct Setup<'a> {
    binary: &'a Path,
    work: &'a Path,
    nats: &'a NatsCluster,
    postgres: &'a Postgres,
    seaweed: &'a Seaweed,
}

impl Setup<'_> {
    /// A configuration with its own stream and database: each run starts empty.
    fn config(&self, run: &str) -> anyhow::Result<PathBuf> {
        let database = format!("bench_{run}");
        let created = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-p"])
            .arg(self.postgres.port().to_string())
            .arg("-c")
            .arg(format!("CREATE DATABASE {database}"))
            .output()
            .context("psql (Debian's postgresql-client)")?;
        if !created.status.success() {
            bail!("CREATE DATABASE: {}", String::from_utf8_lossy(&created.stderr));
        }
        let urls: Vec<String> = self.nats.urls().iter().map(|url| format!("{url:?}")).collect();
        let path = self.work.join(format!("cluster-{run}.toml"));
        std::fs::write(
            &path,
            format!(
                "[cluster]\nnats = [{}]\npostgres = \"host=127.0.0.1 port={} user=postgres dbname={database}\"\n\
                 stream = \"BENCH_{}\"\npartitions = {PARTITIONS}\nindex_shards = {SHARDS}\n\
                 [cluster.s3]\nendpoint = {:?}\nbucket = {:?}\n",
                urls.join(", "),
                self.postgres.port(),
                run.to_ascii_uppercase(),
                self.seaweed.endpoint(),
                self.seaweed.bucket()
            ),
        )?;
        let init = self.muninn(&path, &["cluster", "init"]).output()?;
        if !init.status.success() {
            bail!("muninn cluster init: {}", String::from_utf8_lossy(&init.stderr));
        }
        Ok(path)
    }

    fn muninn(&self, config: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(self.binary);
        command.arg("--config").arg(config).args(args);
        command
    }

    fn spawn(&self, config: &Path, args: &[&str], log: &str) -> anyhow::Result<Child> {
        let log = std::fs::File::create(self.work.join(log))?;
        Ok(self.muninn(config, args).stdout(log.try_clone()?).stderr(log).stdin(Stdio::null()).spawn()?)
    }

    fn json(&self, config: &Path, args: &[&str]) -> anyhow::Result<Value> {
        let output = self.muninn(config, args).output()?;
        if !output.status.success() {
            bail!("muninn {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
        }
        Ok(serde_json::from_slice(&output.stdout)?)
    }

    /// Runs `count` workers of `kind` (`index` or `screen`) at once, each claiming its share of
    /// `units` (shards or partitions) with `share_flag`, until all are idle; the seconds they
    /// worked.
    fn run_workers(
        &self,
        config: &Path,
        kind: &str,
        count: u32,
        units: u32,
        share_flag: &str,
        run: &str,
    ) -> anyhow::Result<f64> {
        let share = units.div_ceil(count).to_string();
        let idle = IDLE_EXIT.to_string();
        let started = Instant::now();
        let mut children = Vec::new();
        for n in 0..count {
            let dir = self.work.join(format!("{kind}-{run}-{n}"));
            let _ = std::fs::remove_dir_all(&dir);
            let args = [
                "--data-dir",
                dir.to_str().unwrap_or(""),
                "worker",
                kind,
                share_flag,
                &share,
                "--idle-exit",
                &idle,
            ];
            children.push(self.muninn(config, &args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?);
        }
        for child in children {
            let output = child.wait_with_output()?;
            if !output.status.success() {
                bail!("muninn worker {kind}: {}", String::from_utf8_lossy(&output.stderr));
            }
        }
        Ok((started.elapsed().as_secs_f64() - IDLE_EXIT as f64).max(0.001))
    }

    /// Runs SQL on the database of `config`'s run.
    fn sql(&self, run: &str, statement: &str) -> anyhow::Result<()> {
        let output = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-q", "-p"])
            .arg(self.postgres.port().to_string())
            .args(["-d", &format!("bench_{run}"), "-c", statement])
            .output()
            .context("psql (Debian's postgresql-client)")?;
        if !output.status.success() {
            bail!("{statement}: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(())
    }

    /// Ingests `input` with `workers` records workers running; returns (seconds until
    /// acknowledged, seconds until applied).
    fn ingest(&self, config: &Path, input: &Path, workers: usize) -> anyhow::Result<(f64, f64)> {
        let mut children = Vec::new();
        for n in 0..workers {
            children.push(self.spawn(config, &["worker", "ingest"], &format!("worker-{n}.log"))?);
        }
        let started = Instant::now();
        let summary = self.json(
            config,
            &["ingest", "--source", "bench", "--json", "--quiet", input.to_str().unwrap_or("")],
        )?;
        let acknowledged = started.elapsed().as_secs_f64();
        self.json(config, &["cluster", "status", "--wait-applied", "600", "--json"])?;
        let applied = started.elapsed().as_secs_f64();
        for mut child in children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let stored = summary["stored"].as_u64().unwrap_or(0);
        println!(
            "  {workers} worker(s): acknowledged {acknowledged:.2} s, applied {applied:.2} s, stored {stored}"
        );
        Ok((acknowledged, applied))
    }
}

/// Runs of one kind of worker, 1, 2 and 3 at a time, over the items of one ingest run.
struct Scaling<'a> {
    setup: &'a Setup<'a>,
    config: &'a Path,
    items: u64,
    runs: usize,
}

impl Scaling<'_> {
    /// `{kind}_items_per_s_{N}_workers` for N = 1, 2, 3 (median of the runs), each run after
    /// `prepare` has made the work start over; the workers divide `units` with `share_flag`.
    fn measure(
        &self,
        figures: &mut serde_json::Map<String, Value>,
        kind: &str,
        units: u32,
        share_flag: &str,
        mut prepare: impl FnMut() -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        for count in 1..=3u32 {
            let mut rates = Vec::new();
            for run in 0..self.runs {
                prepare()?;
                let name = format!("{kind}-{count}-{run}");
                let seconds = self.setup.run_workers(self.config, kind, count, units, share_flag, &name)?;
                rates.push(self.items as f64 / seconds);
            }
            let rate = median(&mut rates);
            println!("  {count} {kind} worker(s): {rate:.0} items/s");
            figures.insert(format!("{kind}_items_per_s_{count}_workers"), json!(rate.round()));
        }
        Ok(())
    }
}

/// A watchlist of 2,000 person names (combinations of common first and last names in several
/// languages) and a few indicators, in the CSV import format.
fn watchlist_csv() -> String {
    const FIRST: [&str; 40] = [
        "Ahmed", "Ali", "Omar", "Yusuf", "Hassan", "Ivan", "Sergei", "Dmitri", "Olga", "Elena", "John",
        "Mary", "James", "Anna", "Peter", "Wei", "Li", "Chen", "Maria", "Jose", "Carlos", "Ana", "Pierre",
        "Marie", "Hans", "Karl", "Fatima", "Aisha", "Mohammed", "Ibrahim", "Viktor", "Nikolai", "Irina",
        "Pavel", "George", "Helen", "Paul", "Laura", "Mark", "Sara",
    ];
    const LAST: [&str; 50] = [
        "Khan", "Rahman", "Haddad", "Nasser", "Petrov", "Ivanov", "Smirnov", "Volkov", "Popov", "Sokolov",
        "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Wang", "Zhang", "Liu", "Garcia", "Martinez",
        "Lopez", "Gonzalez", "Dubois", "Moreau", "Muller", "Schmidt", "Fischer", "Weber", "Hussein", "Saleh",
        "Karimov", "Aliyev", "Novak", "Kowalski", "Horvat", "Jensen", "Larsen", "Rossi", "Russo", "Ferrari",
        "Costa", "Silva", "Santos", "Pereira", "Tanaka", "Suzuki", "Kim", "Park", "Nguyen", "Tran",
    ];
    let mut text = String::from("id,kind,value,severity\n");
    for (n, (first, last)) in
        FIRST.iter().flat_map(|first| LAST.iter().map(move |last| (first, last))).enumerate()
    {
        text.push_str(&format!("n{n},name,{first} {last},medium\n"));
    }
    for n in 0..50 {
        text.push_str(&format!("i{n},indicator,198.51.100.{n},high\n"));
    }
    text
}

fn latencies(output: &Value) -> Vec<f64> {
    output["latencies_ms"]
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(((values.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0)
}

pub fn cluster(root: &Path, quick: bool) -> anyhow::Result<()> {
    let items: u64 = if quick { 30_000 } else { 200_000 };
    let runs = if quick { 1 } else { 3 };
    crate::run(root, "cargo", &["build", "--release", "-p", "muninn"], &[])?;
    let binary = root.join("target/release/muninn");
    let work = work_dir(root)?.join("cluster");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let input = work.join("items.jsonl");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&input)?);
        muninn_exercise::write_jsonl_items(&mut file, items, 200, 42)?;
        std::io::Write::flush(&mut file)?;
    }

    // Baseline: the embedded store and index on the same file.
    let mut embedded_rates = Vec::new();
    let embedded = work.join("embedded");
    for _ in 0..runs {
        let _ = std::fs::remove_dir_all(&embedded);
        let started = Instant::now();
        let mut command = Command::new(&binary);
        // Without the index, as the cluster's ingest (its index workers come after).
        command.arg("--data-dir").arg(&embedded).args([
            "ingest",
            "--source",
            "bench",
            "--quiet",
            "--json",
            "--no-index",
        ]);
        let output = command.arg(&input).output()?;
        if !output.status.success() {
            bail!("embedded ingest: {}", String::from_utf8_lossy(&output.stderr));
        }
        embedded_rates.push(items as f64 / started.elapsed().as_secs_f64());
    }
    let embedded_rate = median(&mut embedded_rates);
    println!("embedded: {embedded_rate:.0} items/s");

    let mut nats = NatsCluster::start(3);
    let postgres = Postgres::start();
    let seaweed = Seaweed::start("muninn-bench");
    let setup = Setup { binary: &binary, work: &work, nats: &nats, postgres: &postgres, seaweed: &seaweed };

    let mut figures = serde_json::Map::new();
    let mut acknowledged_rates = Vec::new();
    let mut last_config = None;
    for workers in 1..=3usize {
        let mut rates = Vec::new();
        for run in 0..runs {
            let run = format!("w{workers}r{run}");
            let config = setup.config(&run)?;
            let (acknowledged, applied) = setup.ingest(&config, &input, workers)?;
            acknowledged_rates.push(items as f64 / acknowledged);
            rates.push(items as f64 / applied);
            last_config = Some((config, run));
        }
        let rate = median(&mut rates);
        let name = if workers == 1 {
            "ingest_items_per_s_1_worker".to_owned()
        } else {
            format!("ingest_items_per_s_{workers}_workers")
        };
        figures.insert(name, json!(rate.round()));
    }
    figures.insert("acknowledged_items_per_s".to_owned(), json!(median(&mut acknowledged_rates).round()));
    figures.insert("embedded_ingest_items_per_s".to_owned(), json!(embedded_rate.round()));
    let three = figures["ingest_items_per_s_3_workers"].as_f64().unwrap_or(0.0);
    let one = figures["ingest_items_per_s_1_worker"].as_f64().unwrap_or(1.0);
    figures.insert("scaling_3_workers_over_1".to_owned(), json!((three / one * 100.0).round() / 100.0));
    figures.insert(
        "ratio_to_embedded_3_workers".to_owned(),
        json!((three / embedded_rate * 100.0).round() / 100.0),
    );

    // Indexing the last run's items with 1, 2 and 3 index workers (each run from no index: the
    // shards' manifests are deleted, so the workers start over), then screening them with 1, 2
    // and 3 screening workers (each run against a new version of the list, which makes every
    // partition be screened again from its start).
    let (config, last_run) = last_config.context("no cluster run")?;
    let scaling = Scaling { setup: &setup, config: &config, items, runs };
    scaling.measure(&mut figures, "index", SHARDS, "--max-shards", || {
        setup.sql(&last_run, "DELETE FROM index_shards")
    })?;
    let list = work.join("watchlist.csv");
    std::fs::write(&list, watchlist_csv())?;
    // The list's documents and the alerts go through the log: a records worker applies them.
    let mut applier = setup.spawn(&config, &["worker", "ingest"], "screen-records-worker.log")?;
    scaling.measure(&mut figures, "screen", PARTITIONS, "--max-partitions", || {
        let args = ["watchlist", "import", "--format", "csv", "--name", "bench", list.to_str().unwrap_or("")];
        let imported = setup.muninn(&config, &args).output()?;
        if !imported.status.success() {
            bail!("watchlist import: {}", String::from_utf8_lossy(&imported.stderr));
        }
        Ok(())
    })?;
    let _ = applier.kill();
    let _ = applier.wait();
    let mut cluster_latencies = Vec::new();
    let mut embedded_latencies = Vec::new();
    for query in QUERIES {
        let searcher = work.join("searcher");
        let ours = setup.json(
            &config,
            &["--data-dir", searcher.to_str().unwrap_or(""), "search", "--json", "--repeat", "50", query],
        )?;
        let mut command = Command::new(&binary);
        let theirs = command
            .arg("--data-dir")
            .arg(&embedded)
            .args(["search", "--json", "--repeat", "50", query])
            .output()?;
        if !theirs.status.success() {
            bail!("embedded search: {}", String::from_utf8_lossy(&theirs.stderr));
        }
        let theirs: Value = serde_json::from_slice(&theirs.stdout)?;
        if ours["total"].as_u64().unwrap_or(0) == 0 || ours["total"] != theirs["total"] {
            bail!("{query}: the cluster finds {} and the embedded index {}", ours["total"], theirs["total"]);
        }
        cluster_latencies.extend(latencies(&ours));
        embedded_latencies.extend(latencies(&theirs));
    }
    let cluster_p99 = quantile(&mut cluster_latencies, 0.99);
    let embedded_p99 = quantile(&mut embedded_latencies, 0.99);
    figures.insert("search_p50_ms".to_owned(), json!(quantile(&mut cluster_latencies, 0.5)));
    figures.insert("search_p99_ms".to_owned(), json!(cluster_p99));
    figures.insert("embedded_search_p99_ms".to_owned(), json!(embedded_p99));
    figures.insert("search_same_totals".to_owned(), json!(true));

    // Search through 1, 2 and 3 search workers (`muninn search --workers`): the same queries,
    // the same totals and first pages as the one-process search over every shard.
    let mut same_pages = true;
    for count in 1..=3 {
        let mut workers = Vec::new();
        for n in 0..count {
            let dir = work.join(format!("search-worker-{count}-{n}"));
            workers.push(setup.spawn(
                &config,
                &["--data-dir", dir.to_str().unwrap_or(""), "worker", "search"],
                &format!("search-worker-{count}-{n}.log"),
            )?);
        }
        let searcher = work.join("searcher");
        let one_process = |query: &str, extra: &[&str]| -> anyhow::Result<Value> {
            let mut args = vec!["--data-dir", searcher.to_str().unwrap_or(""), "search", "--json"];
            args.extend_from_slice(extra);
            args.push(query);
            setup.json(&config, &args)
        };
        // The workers are ready once every shard answers.
        let started = Instant::now();
        while one_process(QUERIES[0], &["--workers"]).is_err() {
            if started.elapsed() > Duration::from_secs(120) {
                bail!(
                    "the search workers never answered: see {}",
                    work.join(format!("search-worker-{count}-0.log")).display()
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        let mut through_workers = Vec::new();
        for query in QUERIES {
            let direct = one_process(query, &[])?;
            let workers_page = one_process(query, &["--workers"])?;
            let ids = |page: &Value| -> Vec<Value> {
                page["hits"]
                    .as_array()
                    .map(|hits| hits.iter().map(|hit| hit["id"].clone()).collect())
                    .unwrap_or_default()
            };
            same_pages &= direct["total"] == workers_page["total"] && ids(&direct) == ids(&workers_page);
            through_workers.extend(latencies(&one_process(query, &["--workers", "--repeat", "50"])?));
        }
        figures.insert(format!("search_workers_{count}_p50_ms"), json!(quantile(&mut through_workers, 0.5)));
        figures.insert(format!("search_workers_{count}_p99_ms"), json!(quantile(&mut through_workers, 0.99)));
        for mut worker in workers {
            let _ = worker.kill();
            let _ = worker.wait();
        }
    }
    figures.insert("search_workers_same_pages".to_owned(), json!(same_pages));

    // Faults: a NATS node and a records worker killed while items flow.
    let config = setup.config("faults")?;
    let mut first = setup.spawn(&config, &["worker", "ingest"], "fault-worker-1.log")?;
    let second = setup.spawn(&config, &["worker", "ingest"], "fault-worker-2.log")?;
    let ingest = setup.spawn(
        &config,
        &["ingest", "--source", "bench", "--quiet", "--json", input.to_str().unwrap_or("")],
        "fault-ingest.log",
    )?;
    std::thread::sleep(Duration::from_millis(800));
    let _ = first.kill();
    let _ = first.wait();
    nats.kill_node(1);
    let setup = Setup { binary: &binary, work: &work, nats: &nats, postgres: &postgres, seaweed: &seaweed };
    let replacement = setup.spawn(&config, &["worker", "ingest"], "fault-worker-3.log")?;
    let ingest = ingest.wait_with_output()?;
    if !ingest.status.success() {
        bail!("the fault run's ingest failed: see {}", work.join("fault-ingest.log").display());
    }
    setup.json(&config, &["cluster", "status", "--wait-applied", "600", "--json"])?;
    let stats = setup.json(&config, &["stats", "--json"])?;
    for mut child in [second, replacement] {
        let _ = child.kill();
        let _ = child.wait();
    }
    let stored = stats["items"].as_u64().unwrap_or(0);
    let lost = items.saturating_sub(stored);
    figures.insert("faults_lost_items".to_owned(), json!(lost));
    figures.insert(
        "faults_duplicates".to_owned(),
        json!(stats["duplicates_seen"].as_u64().unwrap_or(0) + stored.saturating_sub(items)),
    );
    nats.start_node(1);
    figures.insert("items".to_owned(), json!(items));
    figures.insert("runs".to_owned(), json!(runs));
    write_result(
        root,
        "cluster",
        Value::Object(figures),
        "All on this one 2-core machine: a 3-node NATS cluster (JetStream, 3 replicas, 12 partitions, 6 index shards), \
         PostgreSQL 15 and SeaweedFS (S3) started on 127.0.0.1, and the release binary's processes. \
         ingest_items_per_s_N: generated ~200-byte JSON Lines items from `muninn ingest` start until \
         the records workers have applied every message (`muninn cluster status --wait-applied`), \
         with N `muninn worker ingest` processes; fresh stream and database per run; median of the \
         runs. acknowledged_items_per_s: until JetStream acknowledged the last batch. Baseline: the \
         embedded store on the same file in the same run. index_items_per_s_N: the last ingest run's items \
         indexed from no index (shard manifests deleted) by N `muninn worker index` processes started at once, \
         each claiming 6/N shards (`--max-shards`), until all are idle (their 3 s idle wait taken off); median of the runs. \
         screen_items_per_s_N: the same items screened by N `muninn worker screen` processes (12/N partitions each, \
         `--max-partitions`) against a new version of a 2,050-entry list (2,000 person names, 50 IPv4 indicators), \
         which makes every partition be screened again from its start; alerts stored. search: 7 queries (terms, OR, phrase, NOT, wildcard, fuzzy, field) x 50 runs each in one \
         process (index open), on the shards published by the index workers, against the embedded \
         index of the same items. search_workers_N: the same queries x 50 through N `muninn worker search` \
         processes (`muninn search --workers`: statistics from every shard, then every shard's page, merged), \
         same totals and first pages as the one-process search (search_workers_same_pages). faults: 2 workers, one SIGKILLed and a NATS node killed 0.8 s into \
         the ingest, a third worker started; lost = items acknowledged but not in the tables. \
         On one machine every process shares two cores: the figures show the overhead and the \
         correctness, not the scaling of separate machines (see docs/cluster.md).",
    )
}
