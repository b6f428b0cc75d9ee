//! The acknowledgement contract under SIGKILL. The test re-executes its own binary as a child
//! that ingests and prints `ACK <id> <hash>` after every durable batch; the parent kills it at a
//! random moment, reopens the store and checks that every acknowledged item is present and
//! intact and that the store holds no partial item. Cycles: `MUNINN_CRASH_CYCLES` (CI runs 200),
//! default 20.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use muninn_ingest::{IngestConfig, IngestObserver, Input};
use muninn_model::{ContentHash, ItemId};
use muninn_store::ItemStore;

use crate::{collected_at, open_store};

const CHILD_ENV: &str = "MUNINN_CRASH_CHILD_DIR";

struct AckPrinter(std::io::Stdout);

impl IngestObserver for AckPrinter {
    fn committed(&mut self, stored: &[(ItemId, ContentHash)]) {
        let mut out = self.0.lock();
        for (id, hash) in stored {
            let _ = writeln!(out, "ACK {id} {hash}");
        }
        let _ = out.flush();
    }
}

/// The child's side: does nothing unless the crash test started this process.
#[test]
fn crash_child_entry() {
    let Some(work) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    let mut store = open_store(&work.join("data"));
    let config = IngestConfig { batch_units: 16, ..IngestConfig::new(collected_at()) };
    let inputs = [Input::Path(work.join("inputs"))];
    let mut printer = AckPrinter(std::io::stdout());
    muninn_ingest::ingest(&mut store, &inputs, &config, &mut printer).expect("child ingests");
    let _ = writeln!(std::io::stdout(), "DONE");
}

/// SplitMix64: a deterministic source of kill delays and item sizes.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn write_input(path: &Path, cycle: u64, rng: &mut Rng) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create input"));
    for n in 0..400 {
        let padding = "x".repeat(rng.below(600) as usize);
        writeln!(
            file,
            r#"{{"title": "cycle {cycle} item {n}", "body": "Sandworm report {cycle}-{n} {padding}"}}"#
        )
        .expect("write input");
    }
    file.flush().expect("flush input");
}

#[test]
fn acknowledged_items_survive_sigkill_at_random_moments() {
    let cycles: u64 = std::env::var("MUNINN_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let work = tempfile::tempdir().expect("tempdir");
    let inputs = work.path().join("inputs");
    std::fs::create_dir_all(&inputs).expect("mkdir");
    let mut rng = Rng(0x5EED);
    let mut acknowledged: HashMap<ItemId, ContentHash> = HashMap::new();
    let mut kills_after_progress = 0;
    for cycle in 0..cycles {
        write_input(&inputs.join(format!("cycle-{cycle:05}.jsonl")), cycle, &mut rng);
        let mut child = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "crash::crash_child_entry", "--nocapture", "--test-threads", "1"])
            .env(CHILD_ENV, work.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("child starts");
        let stdout = child.stdout.take().expect("child stdout");
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            let mut reader = BufReader::new(stdout);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                // A line cut by the kill has no newline: it acknowledges nothing.
                if line.ends_with(b"\n") {
                    lines.push(String::from_utf8_lossy(&line).trim_end().to_owned());
                }
                line.clear();
            }
            lines
        });
        std::thread::sleep(Duration::from_millis(5 + rng.below(200)));
        let _ = child.kill();
        let _ = child.wait();
        let lines = reader.join().expect("reader thread");
        let mut this_cycle = Vec::new();
        for line in &lines {
            let mut parts = line.split(' ');
            if parts.next() != Some("ACK") {
                continue;
            }
            let id: ItemId = parts.next().expect("id").parse().expect("id parses");
            let hash: ContentHash = parts.next().expect("hash").parse().expect("hash parses");
            acknowledged.insert(id, hash);
            this_cycle.push(id);
        }
        if !this_cycle.is_empty() && !lines.iter().any(|l| l == "DONE") {
            kills_after_progress += 1;
        }

        let store = open_store(&work.path().join("data"));
        let older: Vec<ItemId> = acknowledged.keys().copied().take(50).collect();
        for id in this_cycle.iter().chain(&older) {
            let item = store
                .item(id)
                .unwrap_or_else(|e| panic!("cycle {cycle}: reading acknowledged {id}: {e}"))
                .unwrap_or_else(|| panic!("cycle {cycle}: acknowledged item {id} is missing"));
            assert_eq!(item.content_hash, acknowledged[id], "cycle {cycle}: {id} changed");
            assert!(item.is_intact(), "cycle {cycle}: {id} is damaged");
        }
        let stats = store.stats().expect("stats");
        assert!(stats.items >= acknowledged.len() as u64, "cycle {cycle}: fewer items than acknowledged");
        if cycle % 25 == 24 || cycle + 1 == cycles {
            let report = store.verify().expect("verify");
            assert!(report.problems.is_empty(), "cycle {cycle}: {:?}", report.problems);
            for (id, hash) in &acknowledged {
                let item = store.item(id).expect("read").expect("acknowledged item present");
                assert_eq!(item.content_hash, *hash);
            }
        }
    }
    assert!(
        kills_after_progress * 4 >= cycles,
        "only {kills_after_progress} of {cycles} kills interrupted an ingest in progress"
    );
}
