//! ATT&CK import, export and neighbourhood queries.
//!
//! `cargo bench -p muninn-stix --bench attack -- OUTPUT.json [BUNDLE [EXPORT.json]]`: BUNDLE is
//! a STIX bundle (`.json`, or `.json.gz` such as `enterprise-attack-18.1.json.gz`); without it,
//! the crate's ATT&CK test subset. EXPORT.json receives the exported bundle (to validate it). Prints and writes `attack_import_s` and `attack_export_s` (median of 5),
//! `attack_objects`, and `neighbourhood_p95_ms` (depth 2, 200 objects picked by a fixed-seed
//! generator).
#![allow(clippy::print_stdout)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use muninn_stix::{Graph, ImportConfig, NoObjects, ObjectSet, TraversalConfig, export_bundle, import_bundle};

const RUNS: usize = 5;
const QUERIES: usize = 200;

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).filter(|argument| argument != "--bench").collect();
    let Some(output) = arguments.first() else {
        eprintln!("usage: attack OUTPUT.json [BUNDLE]");
        std::process::exit(2);
    };
    let bundle_path = arguments.get(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/attack-subset.json"),
        PathBuf::from,
    );
    let bytes = read_bundle(&bundle_path);

    let mut import_times = Vec::new();
    let mut set = ObjectSet::new();
    let mut objects = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let report = import_bundle(&bytes, &NoObjects, &ImportConfig::default()).expect("a readable bundle");
        import_times.push(started.elapsed().as_secs_f64());
        let counts = report.counts();
        objects = report.objects.len();
        assert_eq!(counts.rejected, 0, "rejected objects in {}:\n{report}", bundle_path.display());
        set = ObjectSet::new();
        set.apply(&report);
    }

    let latest = set.latest();
    let mut export_times = Vec::new();
    let mut exported = String::new();
    for run in 0..RUNS {
        let started = Instant::now();
        exported = export_bundle(&latest, &set, [run as u8; 16]).json;
        export_times.push(started.elapsed().as_secs_f64());
    }
    let exported_bytes = exported.len();
    if let Some(path) = arguments.get(2) {
        std::fs::write(path, &exported).unwrap_or_else(|error| panic!("cannot write {path}: {error}"));
    }

    let graph = Graph::build(latest.iter().copied());
    // Relationships are edges, not nodes: the queries start from the other objects.
    let ids: Vec<&str> = latest
        .iter()
        .filter(|object| object.relationship().is_none())
        .map(|object| object.id().as_str())
        .collect();
    let config = TraversalConfig { depth: 2, ..TraversalConfig::default() };
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut latencies = Vec::with_capacity(QUERIES);
    let mut reached = 0;
    for _ in 0..QUERIES {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let id = ids[(state % ids.len() as u64) as usize];
        let started = Instant::now();
        let around = graph.neighbourhood(id, &config).expect("an object of the graph");
        reached += around.len();
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    let p95 = latencies[(latencies.len() * 95).div_ceil(100) - 1];

    let result = serde_json::json!({
        "bundle": bundle_path.display().to_string(),
        "attack_objects": objects,
        "attack_import_s": median(&mut import_times),
        "attack_export_s": median(&mut export_times),
        "export_bytes": exported_bytes,
        "graph_nodes": graph.node_count(),
        "graph_edges": graph.edge_count(),
        "neighbourhood_depth": config.depth,
        "neighbourhood_hub_degree": config.hub_degree,
        "neighbourhood_mean_nodes": reached as f64 / QUERIES as f64,
        "neighbourhood_p95_ms": p95,
    });
    let text = serde_json::to_string_pretty(&result).expect("JSON");
    println!("{text}");
    std::fs::write(output, format!("{text}\n"))
        .unwrap_or_else(|error| panic!("cannot write {output}: {error}"));
}

fn read_bundle(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    if path.extension().is_some_and(|extension| extension == "gz") {
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut bytes)
            .unwrap_or_else(|error| panic!("cannot decompress {}: {error}", path.display()));
        return bytes;
    }
    raw
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
