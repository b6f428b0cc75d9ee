//! `muninn worker` and `muninn cluster`: cluster mode (`crates/cluster`).

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use muninn_cluster::{ClusterConfig, ClusterStore, SearcherCache};
use muninn_index::SearchIndex;
use serde_json::json;

use crate::cli::{ClusterCommand, Command, WorkerCommand};
use crate::config::Config;
use crate::{UsageError, output};

/// The commands that work on a cluster's engines (the others need an embedded data directory).
pub fn runs_in_cluster_mode(command: &Command) -> bool {
    matches!(
        command,
        Command::Ingest(_)
            | Command::Serve(_)
            | Command::Admin(_)
            | Command::Search(_)
            | Command::Watchlist(_)
            | Command::Screen(_)
            | Command::Alerts(_)
            | Command::Items(_)
            | Command::Sources { .. }
            | Command::Stats(_)
            | Command::Worker(_)
            | Command::Cluster(_)
            | Command::Audit(_)
            | Command::Import(_)
            | Command::Export(_)
            | Command::Taxii(_)
            | Command::Indicator(_)
            | Command::Related(_)
            | Command::Entity(_)
            | Command::Match(_)
            | Command::Entities(_)
    )
}

fn cluster_config(config: &Config) -> anyhow::Result<&ClusterConfig> {
    config.cluster.as_ref().ok_or_else(|| {
        UsageError(
            "no [cluster] table in the configuration: cluster mode needs `nats` and `postgres` (see README)"
                .to_owned(),
        )
        .into()
    })
}

/// Where a process of this machine caches index files (under the data directory).
fn cache_dir(config: &Config, kind: &str) -> std::path::PathBuf {
    config.data_dir.join("cluster-cache").join(kind)
}

/// The cluster's index as a searcher sees it: every published shard, fetched into the local
/// cache, opened as one index with the knowledge base's gazetteer and warning lists.
pub fn searcher(config: &Config, store: &ClusterStore) -> anyhow::Result<SearchIndex> {
    let cluster = cluster_config(config)?;
    let cache = SearcherCache::connect(cluster, &cache_dir(config, "search"))?;
    let gazetteer = super::entities::load_gazetteer(store)?;
    let index = cache.refresh(gazetteer)?.ok_or_else(|| {
        anyhow::anyhow!("the cluster has no published index yet: is a `muninn worker index` running?")
    })?;
    let (lists, fingerprint) = muninn_api::catalog::load_warning_lists(store)?;
    Ok(index.with_warning_lists(lists, fingerprint))
}

/// The client of the cluster's search workers (`muninn search --workers`).
pub fn search_client(config: &Config) -> anyhow::Result<muninn_cluster::SearchClient> {
    Ok(muninn_cluster::SearchClient::connect(cluster_config(config)?)?)
}

/// An index with nothing in it, for what needs only the analyser (snippets of items read
/// from the records).
pub fn analyser_index(config: &Config) -> anyhow::Result<SearchIndex> {
    Ok(SearchIndex::open(&cache_dir(config, "empty-index"))?)
}

/// The locks every process of the cluster shares, as the server asks for them.
struct ServerLocks(muninn_cluster::SharedLocks);

impl muninn_api::state::ClusterLocks for ServerLocks {
    fn acquire(
        &self,
        lock: muninn_api::state::SharedLock,
    ) -> Result<muninn_api::state::SharedLockGuard, String> {
        match self.0.acquire(lock.number()) {
            Ok(guard) => Ok(Box::new(guard)),
            Err(error) => Err(format!("the cluster's lock {lock:?}: {error}")),
        }
    }
}

/// Holds the audit chain's cluster-wide lock until dropped (a command that appends audit entries
/// while servers may be appending too).
pub fn lock_audit_chain(config: &Config) -> anyhow::Result<muninn_cluster::SharedLockGuard> {
    let locks = muninn_cluster::SharedLocks::new(&cluster_config(config)?.postgres)?;
    Ok(locks.acquire(muninn_api::state::SharedLock::AuditChain.number())?)
}

/// The server's state on the cluster: the cluster store, and the index that the index workers
/// publish, refreshed when they publish again (an empty one until the first shard is out).
pub fn server_state(config: &Config, settings: muninn_api::Settings) -> anyhow::Result<muninn_api::AppState> {
    let cluster = cluster_config(config)?;
    std::fs::create_dir_all(&config.data_dir)?;
    let store = ClusterStore::connect(cluster)?;
    // Where the catalog stands before the state loads it: a change after this is seen by the
    // first refresh (one reload more at worst, never one missed).
    let catalog = ClusterStore::connect(cluster)?;
    let catalog_seen = std::sync::Mutex::new(catalog.applied_through()?);
    // The refresher reads the gazetteer and warning lists through a connection of its own.
    let reader = ClusterStore::connect(cluster)?;
    let cache = SearcherCache::connect(cluster, &cache_dir(config, "serve"))?;
    let open = move |only_if_changed: bool| -> anyhow::Result<Option<SearchIndex>> {
        let load = || {
            super::entities::load_gazetteer(&reader)
                .map_err(|error| muninn_cluster::ClusterError::Index(format!("the gazetteer: {error:#}")))
        };
        let index = if only_if_changed { cache.refresh_if_changed(load)? } else { cache.refresh(load()?)? };
        let Some(index) = index else { return Ok(None) };
        let (lists, fingerprint) = muninn_api::catalog::load_warning_lists(&reader)?;
        Ok(Some(index.with_warning_lists(lists, fingerprint)))
    };
    let index = match open(false)? {
        Some(index) => index,
        None => SearchIndex::open(&cache_dir(config, "empty-index"))?,
    };
    let state = muninn_api::AppState::new(&config.data_dir, Box::new(store), index, settings)?
        .with_cluster_locks(std::sync::Arc::new(ServerLocks(muninn_cluster::SharedLocks::new(
            &cluster.postgres,
        )?)))?;
    // Alerts raised anywhere (screening workers, ingest runs, other servers) reach this server's
    // live stream and webhooks through their log positions.
    let alerts = ClusterStore::connect(cluster)?;
    let state = state.with_alert_feed(Box::new(move |after| {
        let table = muninn_api::catalog::ALERT_TABLE;
        let Some(after) = after else {
            return alerts.applied_through().map(|now| (now, Vec::new())).map_err(|error| error.to_string());
        };
        let (reached, page) = alerts
            .documents_since(table, after, muninn_api::live::FEED_PAGE)
            .map_err(|error| error.to_string())?;
        Ok((reached, page.into_iter().filter_map(|(_, _, value)| value).collect()))
    }));
    // Users, tokens, organisations and watchlists are reloaded when another process wrote
    // some, not every second.
    let state = state.with_catalog_changes(Box::new(move |tables| {
        let mut seen =
            catalog_seen.lock().map_err(|_| "the catalog position's lock is poisoned".to_owned())?;
        written_since(&catalog, tables, &mut seen)
    }));
    let state = state.with_index_refresh(Box::new(move || {
        open(true).map_err(|error| muninn_api::ApiError::internal(format!("{error:#}")))
    }));
    if !cluster.search_workers {
        return Ok(state);
    }
    let client = muninn_cluster::SearchClient::connect(cluster)?;
    Ok(state.with_remote_search(Box::new(move |request| {
        client.search(request).map_err(|error| error.to_string())
    })))
}

/// Which of `tables` had documents applied after log position `seen`, which moves on to where
/// the store was applied through before looking: a change applied in between is seen again
/// next time (one more reload, never one missed).
fn written_since(store: &ClusterStore, tables: &[&str], seen: &mut u64) -> Result<Vec<String>, String> {
    let now = store.applied_through().map_err(|error| error.to_string())?;
    let mut changed = Vec::new();
    for table in tables {
        let (_, page) = store.documents_since(table, *seen, 1).map_err(|error| error.to_string())?;
        if !page.is_empty() {
            changed.push((*table).to_owned());
        }
    }
    *seen = now;
    Ok(changed)
}

/// The advisory locks of the screening workers: this base plus the log partition.
const SCREEN_LOCK_BASE: i64 = 0x6d75_6e69_5300_0000;
/// Where each partition's screening stands: `p<N>` -> [`ScreenProgress`].
const SCREEN_PROGRESS_TABLE: &str = "screen_progress";
/// Items screened at once.
const SCREEN_BATCH: usize = 4096;

/// How far a partition has been screened, and with which lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct ScreenProgress {
    /// The watchlists (name@version, sorted) its items were screened against.
    lists: String,
    /// Every item up to this log sequence number was screened against them.
    through: u64,
}

/// What a screening worker did.
#[derive(Debug, Default)]
struct ScreenReport {
    partitions: Vec<u32>,
    screened: u64,
    new_alerts: u64,
    hunts: u64,
}

/// `muninn worker screen`: screens every item of the partitions it claims against the current
/// watchlists: the items that arrive (whoever ingested them, with whatever lists it held), and,
/// when a list changes, every stored item again (a retro-hunt partitioned over the workers).
/// Alerts that exist already keep their state; progress is kept per partition in the store, so a
/// worker that takes a partition over continues where the last one stopped.
fn screen_worker(
    store: &mut ClusterStore,
    max_partitions: u32,
    idle_exit: Option<Duration>,
) -> anyhow::Result<ScreenReport> {
    use muninn_store::ItemStore as _;
    let mut report = ScreenReport::default();
    let mut idle_since = Instant::now();
    let mut compiled: Option<(String, muninn_screen::Screener)> = None;
    loop {
        for partition in 0..store.partitions() {
            if report.partitions.len() as u32 >= max_partitions || report.partitions.contains(&partition) {
                continue;
            }
            if store.try_lock(SCREEN_LOCK_BASE + i64::from(partition))? {
                report.partitions.push(partition);
            }
        }
        let lists = super::screen::load_watchlists(store)?;
        let mut names: Vec<String> =
            lists.iter().map(|list| format!("{}@{}", list.name, list.version)).collect();
        names.sort();
        let fingerprint = names.join(",");
        if compiled.as_ref().is_none_or(|(seen, _)| *seen != fingerprint) {
            let (screener, warnings) =
                muninn_screen::Screener::compile(&lists, muninn_model::Timestamp::now());
            for warning in warnings.iter().take(20) {
                tracing::warn!(%warning, "watchlist entry not screened");
            }
            compiled = Some((fingerprint.clone(), screener));
        }
        let Some((_, screener)) = &compiled else { unreachable!("compiled above") };
        let through = store.applied_through()?;
        let mut worked = false;
        for &partition in &report.partitions {
            let key = format!("p{partition}");
            let progress: Option<ScreenProgress> = store
                .document(SCREEN_PROGRESS_TABLE, &key)?
                .map(|bytes| serde_json::from_slice(&bytes))
                .transpose()?;
            let after = match &progress {
                Some(progress) if progress.lists == fingerprint => progress.through,
                Some(_) => {
                    report.hunts += 1;
                    0
                }
                None => 0,
            };
            if after >= through {
                continue;
            }
            let raised_at = muninn_model::Timestamp::now();
            let mut batch: Vec<muninn_model::Item> = Vec::with_capacity(SCREEN_BATCH);
            let mut alerts = Vec::new();
            let mut screened = 0u64;
            store.for_each_item_of_partitions(&[partition], after, through, &mut |_, item| {
                batch.push(item.clone());
                if batch.len() == SCREEN_BATCH {
                    let refs: Vec<&muninn_model::Item> = batch.iter().collect();
                    alerts.extend(muninn_api::ingest::alerts_for(screener, &refs, raised_at));
                    screened += batch.len() as u64;
                    batch.clear();
                }
                Ok(())
            })?;
            let refs: Vec<&muninn_model::Item> = batch.iter().collect();
            alerts.extend(muninn_api::ingest::alerts_for(screener, &refs, raised_at));
            screened += batch.len() as u64;
            let relisted = progress.as_ref().is_none_or(|progress| progress.lists != fingerprint);
            if screened == 0 && !relisted {
                // Only other entries arrived (documents, this worker's own writes among them):
                // recording that would itself be a new entry, and so on forever.
                continue;
            }
            worked = true;
            let mut documents = Vec::new();
            for alert in &alerts {
                // An alert that exists already keeps its state and history.
                if store.document(super::screen::ALERT_TABLE, &alert.key())?.is_none() {
                    documents.push(super::screen::alert_document(alert, None)?);
                }
            }
            report.new_alerts += documents.len() as u64;
            report.screened += screened;
            let progress = ScreenProgress { lists: fingerprint.clone(), through };
            documents.push(muninn_store::Document::put(
                SCREEN_PROGRESS_TABLE,
                &key,
                serde_json::to_vec(&progress)?,
            ));
            // Alerts and progress in one write: a worker killed before it loses nothing, and
            // one killed after repeats nothing.
            store.put_documents(documents)?;
        }
        if worked {
            idle_since = Instant::now();
        } else {
            if idle_exit.is_some_and(|idle| idle_since.elapsed() > idle) {
                return Ok(report);
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

pub fn worker(config: &Config, command: &WorkerCommand) -> anyhow::Result<ExitCode> {
    let cluster = cluster_config(config)?;
    match command {
        WorkerCommand::Screen { max_partitions, idle_exit } => {
            let mut store = ClusterStore::connect(cluster)?;
            let report = screen_worker(
                &mut store,
                max_partitions.unwrap_or(u32::MAX),
                idle_exit.map(Duration::from_secs),
            )?;
            output::print(&format!(
                "screened {} items of partitions {:?} ({} retro-hunts after list changes): {} new alerts\n",
                report.screened, report.partitions, report.hunts, report.new_alerts
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        WorkerCommand::Index { max_shards, idle_exit } => {
            let store = ClusterStore::connect(cluster)?;
            let mut open = |dir: &std::path::Path| {
                super::entities::open_index_in(dir, &store).map_err(|error| format!("{error:#}"))
            };
            // The gazetteer's and warning lists' documents written since the last look (by
            // `muninn entities`, `muninn import warninglists`): any means the shards rebuild.
            let watched = [super::entities::GAZETTEER_TABLE, muninn_api::catalog::WARNINGLIST_TABLE];
            let mut seen = store.applied_through()?;
            let mut knowledge_changed =
                || written_since(&store, &watched, &mut seen).map(|changed| !changed.is_empty());
            let stop = AtomicBool::new(false);
            let report = muninn_cluster::run_index_worker(
                cluster,
                &cache_dir(config, "index"),
                max_shards.unwrap_or(cluster.index_shards),
                &mut open,
                &mut knowledge_changed,
                idle_exit.map(Duration::from_secs),
                &stop,
            )?;
            output::print(&format!(
                "indexed {} items in shards {:?}; published {} times ({} failed and were retried)\n",
                report.indexed, report.shards, report.published, report.publish_failures
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        WorkerCommand::Search => {
            // The gazetteer and warning lists are read again whenever the shards are opened
            // again (the index workers rebuild when they change).
            let store = std::sync::Mutex::new(ClusterStore::connect(cluster)?);
            let open = move |dir: &std::path::Path,
                             meta: &str|
                  -> Result<SearchIndex, muninn_cluster::ClusterError> {
                let failed = |what: &str, error: &dyn std::fmt::Display| {
                    muninn_cluster::ClusterError::Index(format!("{what}: {error}"))
                };
                let store = store.lock().map_err(|_| failed("the store", &"lock poisoned"))?;
                let gazetteer = super::entities::load_gazetteer(&*store)
                    .map_err(|error| failed("the gazetteer", &format!("{error:#}")))?;
                let (lists, fingerprint) = muninn_api::catalog::load_warning_lists(&*store)
                    .map_err(|error| failed("the warning lists", &error))?;
                let index = SearchIndex::open_union(dir, &[meta.to_owned()], gazetteer)
                    .map_err(|error| failed("a shard", &error))?;
                Ok(index.with_warning_lists(lists, fingerprint))
            };
            let stop = AtomicBool::new(false);
            let report =
                muninn_cluster::run_search_worker(cluster, &cache_dir(config, "search-worker"), open, &stop)?;
            output::print(&format!(
                "answered {} shard requests; held {} shards\n",
                report.answered, report.shards
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        WorkerCommand::Ingest { batch, idle_exit } => {
            if *batch == 0 {
                return Err(UsageError("--batch must be at least 1".to_owned()).into());
            }
            // Never set: the worker stops when killed (or idle), which is safe at any moment.
            let stop = AtomicBool::new(false);
            let report = muninn_cluster::run_records_worker(
                cluster,
                *batch,
                idle_exit.map(Duration::from_secs),
                &stop,
            )?;
            output::print(&format!(
                "applied {} messages in {} batches: {} items, {} sightings, {} documents; {} redelivered, {} damaged\n",
                report.messages,
                report.batches,
                report.items,
                report.sightings,
                report.documents,
                report.redelivered,
                report.damaged
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn cluster(config: &Config, command: &ClusterCommand) -> anyhow::Result<ExitCode> {
    let cluster = cluster_config(config)?;
    let store = ClusterStore::connect(cluster)?;
    match command {
        ClusterCommand::Init => {
            let status = store.status()?;
            output::print(&format!(
                "stream {} ready ({} replicas, {} partitions); database schema version {}\n",
                status.stream, status.replicas, status.partitions, status.schema_version
            ))?;
        }
        ClusterCommand::Status { wait_applied, json } => {
            let started = Instant::now();
            let mut status = store.status()?;
            if let Some(seconds) = wait_applied {
                let last = status.last_seq;
                store.wait_applied(last, Duration::from_secs(*seconds))?;
                status = store.status()?;
            }
            if *json {
                output::print_json(&json!({
                    "stream": status.stream,
                    "replicas": status.replicas,
                    "partitions": status.partitions,
                    "messages": status.messages,
                    "bytes": status.bytes,
                    "last_seq": status.last_seq,
                    "records_applied_through": status.records_applied_through,
                    "records_pending": status.records_pending,
                    "schema_version": status.schema_version,
                    "waited_ms": started.elapsed().as_millis() as u64,
                }))?;
            } else {
                output::print(&format!(
                    "stream:   {} ({} replicas, {} partitions): {} messages, {} bytes, last seq {}\n\
                     records:  applied through {}, {} pending\n\
                     schema:   version {}\n",
                    status.stream,
                    status.replicas,
                    status.partitions,
                    status.messages,
                    status.bytes,
                    status.last_seq,
                    status.records_applied_through,
                    status.records_pending,
                    status.schema_version
                ))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
