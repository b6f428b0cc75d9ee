//! The item log on NATS JetStream.

use std::time::Duration;

use async_nats::ConnectOptions;
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self, consumer, stream};
use futures_util::future::join_all;

use crate::{ClusterConfig, ClusterError};

/// How long a retried publish keeps trying before the append fails: long enough for a
/// replicated stream to elect a new leader after a node dies.
const PUBLISH_PATIENCE: Duration = Duration::from_secs(30);

/// How long JetStream remembers a message id to drop a retried publish of it.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// One message to publish.
pub(crate) struct Outgoing {
    /// Its partition.
    pub partition: u32,
    /// JetStream drops a second message with the same id within [`DUPLICATE_WINDOW`]: what
    /// makes retries safe.
    pub id: String,
    /// The encoded entries.
    pub payload: Vec<u8>,
}

/// What JetStream said of a published message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Acked {
    /// Its stream sequence number (of the first copy, for a duplicate).
    pub seq: u64,
    /// JetStream had it already (same id within the window).
    pub duplicate: bool,
}

/// The stream and the client that reaches it.
pub(crate) struct ItemLog {
    pub config: ClusterConfig,
    pub context: jetstream::Context,
    pub stream: stream::Stream,
}

fn log_error(what: &str) -> impl Fn(&dyn std::fmt::Display) -> ClusterError + '_ {
    move |error| ClusterError::Log(format!("{what}: {error}"))
}

/// Runs a JetStream API call again while it fails, for up to [`PUBLISH_PATIENCE`]: right after
/// a cluster starts or loses a node, the API answers only once a leader is elected.
async fn patiently<T, E: std::fmt::Display, F: Future<Output = Result<T, E>>>(
    what: &str,
    mut call: impl FnMut() -> F,
) -> Result<T, ClusterError> {
    let started = std::time::Instant::now();
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(error) if started.elapsed() > PUBLISH_PATIENCE => return Err(log_error(what)(&error)),
            Err(error) => {
                tracing::warn!(%error, "{what}: retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// A NATS client of the configured servers (it reconnects by itself, for ever).
pub(crate) async fn connect_client(config: &ClusterConfig) -> Result<async_nats::Client, ClusterError> {
    config.validate()?;
    let servers = config
        .nats
        .iter()
        .map(|url| {
            url.parse::<async_nats::ServerAddr>()
                .map_err(|error| ClusterError::Config(format!("NATS URL {url:?}: {error}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ConnectOptions::new()
        .connection_timeout(Duration::from_secs(5))
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connect(servers)
        .await
        .map_err(|error| log_error("connect")(&error))
}

impl ItemLog {
    /// Connects and makes sure the stream exists with the configured layout.
    pub async fn connect(config: &ClusterConfig) -> Result<ItemLog, ClusterError> {
        let client = connect_client(config).await?;
        let context = jetstream::new(client);
        let wanted = stream::Config {
            name: config.stream.clone(),
            subjects: vec![format!("{}.>", config.stream.to_ascii_lowercase())],
            storage: stream::StorageType::File,
            num_replicas: config.replicas,
            duplicate_window: DUPLICATE_WINDOW,
            allow_direct: true,
            ..Default::default()
        };
        let stream =
            patiently("create or open the stream", || context.get_or_create_stream(wanted.clone())).await?;
        Ok(ItemLog { config: config.clone(), context, stream })
    }

    /// Publishes messages and waits for JetStream's acknowledgement of each, in order. A
    /// message whose publish fails (a node died, a leader is being elected) is sent again under
    /// the same id until [`PUBLISH_PATIENCE`] runs out; JetStream drops the copies.
    pub async fn publish(&self, messages: Vec<Outgoing>) -> Result<Vec<Acked>, ClusterError> {
        let mut acked: Vec<Option<Acked>> = vec![None; messages.len()];
        let started = std::time::Instant::now();
        let mut attempt = 0u32;
        loop {
            let pending: Vec<usize> = (0..messages.len()).filter(|&i| acked[i].is_none()).collect();
            if pending.is_empty() {
                return Ok(acked.into_iter().map(|a| a.expect("every message acknowledged")).collect());
            }
            // Send them all, then wait for the acknowledgements: one round trip per batch, not
            // per message.
            let mut futures = Vec::with_capacity(pending.len());
            let mut last_error = None;
            for &index in &pending {
                let message = &messages[index];
                let publish =
                    PublishMessage::build().payload(message.payload.clone().into()).message_id(&message.id);
                match self.context.send_publish(self.config.subject(message.partition), publish).await {
                    Ok(future) => futures.push((index, future)),
                    Err(error) => last_error = Some(error.to_string()),
                }
            }
            let (indices, futures): (Vec<usize>, Vec<_>) = futures.into_iter().unzip();
            for (index, result) in
                indices.into_iter().zip(join_all(futures.into_iter().map(|f| f.into_future())).await)
            {
                match result {
                    Ok(ack) => acked[index] = Some(Acked { seq: ack.sequence, duplicate: ack.duplicate }),
                    Err(error) => last_error = Some(error.to_string()),
                }
            }
            if let Some(error) = last_error {
                if started.elapsed() > PUBLISH_PATIENCE {
                    return Err(ClusterError::Log(format!(
                        "publish not acknowledged after {} s: {error}",
                        PUBLISH_PATIENCE.as_secs()
                    )));
                }
                attempt += 1;
                tracing::warn!(attempt, %error, "publish not acknowledged; retrying");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt.min(10)))).await;
            }
        }
    }

    /// The payload of the message at `seq`.
    pub async fn read(&self, seq: u64) -> Result<Vec<u8>, ClusterError> {
        let message =
            self.stream.get_raw_message(seq).await.map_err(|error| log_error("read a message")(&error))?;
        Ok(message.payload.to_vec())
    }

    /// The stream's state: (messages, bytes, last sequence).
    pub async fn state(&self) -> Result<(u64, u64, u64), ClusterError> {
        let mut stream = self.stream.clone();
        let info = stream.info().await.map_err(|error| log_error("stream info")(&error))?;
        Ok((info.state.messages, info.state.bytes, info.state.last_sequence))
    }

    /// A durable pull consumer shared by every worker of one kind.
    pub async fn durable_consumer(&self, name: &str) -> Result<consumer::PullConsumer, ClusterError> {
        let config = consumer::pull::Config {
            durable_name: Some(name.to_owned()),
            ack_policy: consumer::AckPolicy::Explicit,
            // A worker that dies keeps its messages this long before they go to another.
            ack_wait: Duration::from_secs(10),
            max_ack_pending: 100_000,
            ..Default::default()
        };
        patiently("create or open the consumer", || self.stream.get_or_create_consumer(name, config.clone()))
            .await
    }

    /// Every message up to this stream sequence number has been acknowledged by the consumer.
    pub async fn ack_floor(&self, consumer_name: &str) -> Result<u64, ClusterError> {
        Ok(self.consumer_progress(consumer_name).await?.0)
    }

    /// A consumer's (acknowledgement floor, messages not yet acknowledged).
    pub async fn consumer_progress(&self, consumer_name: &str) -> Result<(u64, u64), ClusterError> {
        let consumer: consumer::PullConsumer = self.durable_consumer(consumer_name).await?;
        // A busy cluster (a leader election, a loaded machine) can let one request time out:
        // asked again, like the other calls that only read or are idempotent.
        let info = patiently("consumer info", || {
            let mut consumer = consumer.clone();
            async move { consumer.info().await.cloned() }
        })
        .await?;
        Ok((info.ack_floor.stream_sequence, info.num_pending + info.num_ack_pending as u64))
    }
}
