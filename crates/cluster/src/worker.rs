//! `muninn worker ingest`: applies the item log to the record tables.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use muninn_store::wire::decode_message;

use crate::log::ItemLog;
use crate::records::Records;
use crate::{ClusterConfig, ClusterError};

/// The durable consumer every records worker shares.
pub const RECORDS_CONSUMER: &str = "records";

/// What a worker did before it stopped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WorkerReport {
    /// Batches applied (one transaction each).
    pub batches: u64,
    /// Messages applied.
    pub messages: u64,
    /// Items stored new.
    pub items: u64,
    /// Sightings of items already stored.
    pub sightings: u64,
    /// Document versions written.
    pub documents: u64,
    /// Messages delivered again after they had been applied (a worker died before it
    /// acknowledged them): recognised and skipped.
    pub redelivered: u64,
    /// Messages that did not decode: acknowledged as terminal and logged with their numbers.
    pub damaged: u64,
}

/// Runs until `stop` is set, or (with `idle_exit`) until no message arrived for that long.
/// `batch` bounds the messages applied per transaction.
pub fn run_records_worker(
    config: &ClusterConfig,
    batch: usize,
    idle_exit: Option<Duration>,
    stop: &AtomicBool,
) -> Result<WorkerReport, ClusterError> {
    let runtime = crate::runtime("muninn-worker", 1)?;
    runtime.block_on(async {
        let log = ItemLog::connect(config).await?;
        let mut records = Records::connect(&config.postgres, config.partitions).await?;
        records.migrate().await?;
        let consumer = log.durable_consumer(RECORDS_CONSUMER).await?;
        let mut report = WorkerReport::default();
        let mut last_message = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            if idle_exit.is_some_and(|idle| last_message.elapsed() > idle) {
                break;
            }
            let mut fetched = match consumer
                .fetch()
                .max_messages(batch)
                .expires(Duration::from_millis(250))
                .messages()
                .await
            {
                Ok(messages) => messages,
                Err(error) => {
                    // A node went away: the client reconnects; try again shortly.
                    tracing::warn!(%error, "fetch failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let mut messages = Vec::new();
            while let Some(message) = fetched.next().await {
                match message {
                    Ok(message) => messages.push(message),
                    Err(error) => tracing::warn!(%error, "a fetched message failed"),
                }
            }
            if messages.is_empty() {
                continue;
            }
            last_message = Instant::now();
            let mut decoded = Vec::with_capacity(messages.len());
            let mut damaged = Vec::new();
            for message in &messages {
                let seq =
                    message.info().map_err(|error| ClusterError::Log(error.to_string()))?.stream_sequence;
                match decode_message(&message.payload) {
                    Ok(entries) => decoded.push((seq, entries)),
                    Err(detail) => {
                        tracing::error!(seq, %detail, "a log message does not decode; skipped");
                        damaged.push(seq);
                    }
                }
            }
            let applied = records.apply(decoded).await?;
            // Acknowledged only after the commit: a worker killed before this point leaves the
            // batch to be delivered again, and applying it again changes nothing.
            for message in &messages {
                let seq = message.info().map(|info| info.stream_sequence).unwrap_or(0);
                let kind = if damaged.contains(&seq) {
                    async_nats::jetstream::AckKind::Term
                } else {
                    async_nats::jetstream::AckKind::Ack
                };
                if let Err(error) = message.ack_with(kind).await {
                    tracing::warn!(%error, seq, "acknowledgement failed; the message will come again");
                }
            }
            report.batches += 1;
            report.messages += messages.len() as u64;
            report.items += applied.items;
            report.sightings += applied.sightings;
            report.documents += applied.documents;
            report.redelivered += applied.redelivered;
            report.damaged += damaged.len() as u64;
        }
        Ok(report)
    })
}
