//! The cluster back end against the real engines: a NATS cluster with JetStream, a PostgreSQL
//! server and an S3 object store (SeaweedFS), started on 127.0.0.1 for each test
//! (`muninn_testkit::engines`).

mod index;
mod partitions;
mod store;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use muninn_cluster::{ClusterConfig, WorkerReport, run_records_worker};
use muninn_model::{
    AdmiraltyGrade, Item, ItemDraft, LanguageTag, Markings, Source, SourceId, SourceKind, Timestamp, Tlp,
};

pub(crate) struct Worker {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<WorkerReport>,
}

impl Worker {
    pub(crate) fn start(config: &ClusterConfig) -> Worker {
        let stop = Arc::new(AtomicBool::new(false));
        let config = config.clone();
        let flag = Arc::clone(&stop);
        let thread =
            std::thread::spawn(move || run_records_worker(&config, 512, None, &flag).expect("worker runs"));
        Worker { stop, thread }
    }

    pub(crate) fn stop(self) -> WorkerReport {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("worker thread")
    }
}

pub(crate) fn source(id: &str) -> Source {
    Source {
        id: SourceId::new(id).expect("id"),
        name: format!("Source {id}"),
        kind: SourceKind::Partner,
        default_grade: AdmiraltyGrade::UNASSESSED,
        default_tlp: Tlp::Green,
        description: None,
    }
}

pub(crate) fn item(n: u64, source: &str, tlp: Tlp, with_raw: bool) -> (Item, Option<Vec<u8>>) {
    ItemDraft {
        source: SourceId::new(source).expect("source"),
        collected_at: Timestamp::from_second(1_750_000_000 + n as i64).expect("time"),
        event_time: None,
        title: Some(format!("Report {n}")),
        body: format!("Item {n}: APT28 used 198.51.100.{} against a ministry.", n % 250),
        language: Some(LanguageTag::new(if n.is_multiple_of(3) { "ru" } else { "en" }).expect("lang")),
        markings: Markings::tlp(tlp),
        grade: "B2".parse().expect("grade"),
        raw: with_raw.then(|| (format!("raw bytes of {n}").into_bytes(), "text/plain".to_owned())),
        attributes: Default::default(),
    }
    .into_item()
}
