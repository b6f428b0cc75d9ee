//! `muninn worker search`: a process that holds the published index shards and answers their
//! part of every search over NATS, and the client that fans a search out to such workers and
//! merges their answers (`muninn_index::distributed`: statistics summed over the shards first,
//! so the hits, their order and scores are those of one index over every item).
//!
//! Requests and replies are core NATS messages (not JetStream) on `STREAM-search.SHARD`, a
//! subject outside the item stream's; workers subscribe in the queue group `searchers`, so any
//! number of them may hold a shard and share its queries, and a search needs one live worker
//! per shard.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use muninn_index::SearchIndex;
use muninn_index::distributed::{ShardAnswer, ShardSearch, search_shards};

use crate::index::SearcherCache;
use crate::{ClusterConfig, ClusterError};

/// How long a search waits for a shard's answer.
pub const SHARD_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a worker looks for newly published shards.
const REFRESH_EVERY: Duration = Duration::from_secs(2);
/// The queue group of the search workers.
const QUEUE: &str = "searchers";

/// The subject of one shard's searches.
pub fn search_subject(config: &ClusterConfig, shard: u32) -> String {
    format!("{}-search.{shard}", config.stream.to_ascii_lowercase())
}

/// The shards a worker holds open: (shard, index), shared with the threads that answer.
type OpenShards = Vec<(u32, Arc<SearchIndex>)>;

/// What a search worker did before it stopped.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SearchWorkerReport {
    /// Shard requests answered.
    pub answered: u64,
    /// Shards held when it stopped.
    pub shards: usize,
}

/// Runs a search worker until `stop` is set: fetches the published shards into `cache_dir`,
/// opens each with `open` (cache directory, the shard's `meta.json`), answers the shards'
/// requests, and opens them again when the index workers publish.
pub fn run_search_worker(
    config: &ClusterConfig,
    cache_dir: &Path,
    open: impl Fn(&Path, &str) -> Result<SearchIndex, ClusterError> + Send + Sync + 'static,
    stop: &AtomicBool,
) -> Result<SearchWorkerReport, ClusterError> {
    let cache = SearcherCache::connect(config, cache_dir)?;
    let runtime = crate::runtime("muninn-search-worker", 2)?;
    let shards: std::sync::RwLock<OpenShards> = std::sync::RwLock::default();
    let mut published = cache.published()?;
    let load = |cache: &SearcherCache| -> Result<OpenShards, ClusterError> {
        Ok(cache.refresh_shards(&open)?.into_iter().map(|(shard, index)| (shard, Arc::new(index))).collect())
    };
    *shards.write().map_err(|_| ClusterError::Index("shards lock poisoned".to_owned()))? = load(&cache)?;
    let answered = Arc::new(std::sync::atomic::AtomicU64::new(0));
    runtime.block_on(async {
        let client = crate::log::connect_client(config).await?;
        let mut subscriptions = Vec::new();
        for shard in 0..config.index_shards {
            let subject = search_subject(config, shard);
            let subscription = client
                .queue_subscribe(subject.clone(), QUEUE.to_owned())
                .await
                .map_err(|error| ClusterError::Log(format!("subscribe to {subject}: {error}")))?;
            subscriptions.push(subscription.map(move |message| (shard, message)));
        }
        let mut requests = futures_util::stream::select_all(subscriptions);
        let mut refreshed = Instant::now();
        while !stop.load(Ordering::Relaxed) {
            if refreshed.elapsed() > REFRESH_EVERY {
                refreshed = Instant::now();
                let now = tokio::task::block_in_place(|| cache.published())?;
                if now != published {
                    let opened = tokio::task::block_in_place(|| load(&cache))?;
                    *shards.write().map_err(|_| ClusterError::Index("shards lock poisoned".to_owned()))? =
                        opened;
                    published = now;
                }
            }
            let next = tokio::time::timeout(Duration::from_millis(500), requests.next()).await;
            let Ok(Some((shard, message))) = next else { continue };
            let Some(reply) = message.reply.clone() else { continue };
            let index = shards
                .read()
                .map_err(|_| ClusterError::Index("shards lock poisoned".to_owned()))?
                .iter()
                .find(|(number, _)| *number == shard)
                .map(|(_, index)| Arc::clone(index));
            let client = client.clone();
            let answered = Arc::clone(&answered);
            // Each request on a blocking thread of its own: searches of several shards and
            // several callers run side by side.
            tokio::spawn(async move {
                let answer = tokio::task::spawn_blocking(move || {
                    match (index, serde_json::from_slice::<ShardSearch>(&message.payload)) {
                        (Some(index), Ok(request)) => request.answer(&index),
                        (None, _) => ShardAnswer::Refused(format!("shard {shard} is not published yet")),
                        (_, Err(error)) => {
                            ShardAnswer::Refused(format!("a malformed shard request: {error}"))
                        }
                    }
                })
                .await
                .unwrap_or_else(|error| ShardAnswer::Refused(format!("the shard's search failed: {error}")));
                if let Ok(bytes) = serde_json::to_vec(&answer)
                    && client.publish(reply, bytes.into()).await.is_ok()
                {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        Ok::<(), ClusterError>(())
    })?;
    let held = shards.read().map(|shards| shards.len()).unwrap_or(0);
    Ok(SearchWorkerReport { answered: answered.load(Ordering::Relaxed), shards: held })
}

/// Searches through the search workers: every shard asked for its statistics, then for its
/// page scored with their sums; the pages merged.
pub struct SearchClient {
    runtime: tokio::runtime::Runtime,
    client: async_nats::Client,
    config: ClusterConfig,
}

impl std::fmt::Debug for SearchClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchClient").field("stream", &self.config.stream).finish()
    }
}

impl SearchClient {
    /// Connects to NATS.
    pub fn connect(config: &ClusterConfig) -> Result<SearchClient, ClusterError> {
        let runtime = crate::runtime("muninn-search-client", 1)?;
        let client = runtime.block_on(crate::log::connect_client(config))?;
        Ok(SearchClient { runtime, client, config: config.clone() })
    }

    /// Runs `request` over every shard of the cluster.
    pub fn search(&self, request: &ShardSearch) -> Result<muninn_index::SearchResults, ClusterError> {
        let shards = self.config.index_shards as usize;
        search_shards(shards, request, |shard, part| {
            let subject = search_subject(&self.config, shard as u32);
            let payload = serde_json::to_vec(part).map_err(|error| ClusterError::Index(error.to_string()))?;
            let reply = crate::block_on(&self.runtime, async {
                tokio::time::timeout(SHARD_TIMEOUT, self.client.request(subject.clone(), payload.into()))
                    .await
            })
            .map_err(|_| {
                ClusterError::Index(format!(
                    "no search worker answered for shard {shard} within {SHARD_TIMEOUT:?}"
                ))
            })?
            .map_err(|error| {
                ClusterError::Index(format!("shard {shard}: {error} (is a `muninn worker search` running?)"))
            })?;
            serde_json::from_slice::<ShardAnswer>(&reply.payload).map_err(|error| {
                ClusterError::Index(format!("shard {shard} answered malformed JSON: {error}"))
            })
        })
    }
}

impl From<String> for ClusterError {
    fn from(message: String) -> ClusterError {
        ClusterError::Index(message)
    }
}
