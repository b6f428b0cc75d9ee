//! Integration tests of the readers and the ingest pipeline.

mod bad_input;
mod crash;
mod pipeline;
mod readers;
mod robustness;

use std::path::Path;

use muninn_ingest::{IngestConfig, IngestSummary, Input, Quiet};
use muninn_model::Timestamp;
use muninn_store::{EmbeddedStore, ItemStore, ListQuery, StoreConfig};

pub(crate) fn collected_at() -> Timestamp {
    Timestamp::from_second(1_780_000_000).expect("timestamp")
}

pub(crate) fn open_store(dir: &Path) -> EmbeddedStore {
    EmbeddedStore::open(dir, StoreConfig::default()).expect("store opens")
}

pub(crate) fn ingest_paths(
    store: &mut EmbeddedStore,
    paths: &[&Path],
    config: &IngestConfig,
) -> IngestSummary {
    let inputs: Vec<Input> = paths.iter().map(|p| Input::Path(p.to_path_buf())).collect();
    muninn_ingest::ingest(store, &inputs, config, &mut Quiet).expect("ingest runs")
}

/// Everything a store holds, as comparable text: the "nothing already stored changed" check.
pub(crate) fn store_snapshot(store: &EmbeddedStore) -> Vec<String> {
    let summaries = store.list(&ListQuery { source: None, after_seq: None, limit: u32::MAX }).expect("list");
    summaries
        .iter()
        .map(|summary| {
            let item = store.item(&summary.id).expect("read").expect("present");
            format!("{} {} {:?} {}", summary.seq, item.id, item.title, item.body)
        })
        .collect()
}
