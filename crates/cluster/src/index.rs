//! The full-text index in cluster mode: index shards built by `muninn worker index` processes,
//! published to object storage, and searched as one index by searchers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use muninn_index::{Gazetteer, ItemFeed, SearchIndex};
use muninn_model::Item;
use muninn_store::StoreError;

use crate::log::ItemLog;
use crate::objects::Objects;
use crate::records::{Manifest, Records};
use crate::worker::RECORDS_CONSUMER;
use crate::{ClusterConfig, ClusterError};

/// Files uploaded or fetched at once.
const PARALLEL_TRANSFERS: usize = 8;

fn object_key(shard: u32, file: &str) -> String {
    format!("index/shard-{shard}/{file}")
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> ClusterError + '_ {
    move |error| ClusterError::Index(format!("{}: {error}", path.display()))
}

/// The items of one shard's partitions, up to what the records workers have applied: the
/// record tables hold each item once, so an item published twice is indexed once.
struct ShardFeed<'a> {
    runtime: &'a tokio::runtime::Runtime,
    records: &'a Records,
    parts: &'a [i32],
    through: u64,
}

impl ItemFeed for ShardFeed<'_> {
    fn feed_last_seq(&self) -> Result<u64, StoreError> {
        Ok(self.through)
    }

    fn feed_items(
        &self,
        after_seq: u64,
        visit: &mut dyn FnMut(u64, &Item) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        crate::records::visit_pages(
            after_seq,
            |after| {
                let page = self.records.partition_items(self.parts, after, self.through, 2000);
                Ok(crate::block_on(self.runtime, page)?)
            },
            visit,
        )
    }
}

/// Downloads the files of `manifests` that `dir` lacks, and removes the files no manifest
/// names (but `keep`).
async fn fetch_files(
    objects: &Objects,
    dir: &Path,
    manifests: &[&Manifest],
    keep: &[&str],
) -> Result<(), ClusterError> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let wanted: HashSet<&str> = manifests.iter().flat_map(|m| m.files.iter().map(String::as_str)).collect();
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !wanted.contains(name.as_str()) && !keep.contains(&name.as_str()) {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(io_error(&path))?;
        }
    }
    // Owned names: a future that borrows them from a closure's argument is not `Send`.
    let missing: Vec<(u32, String)> = manifests
        .iter()
        .flat_map(|m| m.files.iter().map(move |file| (m.shard, file.clone())))
        .filter(|(_, file)| !dir.join(file).exists())
        .collect();
    let mut downloads = futures_util::stream::iter(missing.into_iter().map(|(shard, file)| async move {
        let bytes = objects.get(&object_key(shard, &file)).await?;
        // Written under a temporary name and renamed: a file present is a file complete.
        let partial = dir.join(format!("{file}.partial"));
        std::fs::write(&partial, bytes).map_err(io_error(&partial))?;
        std::fs::rename(&partial, dir.join(&file)).map_err(io_error(&partial))?;
        Ok::<(), ClusterError>(())
    }))
    .buffer_unordered(PARALLEL_TRANSFERS);
    while let Some(result) = downloads.next().await {
        result?;
    }
    Ok(())
}

/// One shard a worker holds.
struct Shard {
    number: u32,
    dir: PathBuf,
    parts: Vec<i32>,
    index: SearchIndex,
    /// The files of its published manifest (in object storage).
    published: Vec<String>,
    /// Committed locally but not yet published (the object store or the database failed).
    unpublished: bool,
}

/// What an index worker did before it stopped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IndexWorkerReport {
    /// The shards it held.
    pub shards: Vec<u32>,
    /// Items it indexed.
    pub indexed: u64,
    /// Manifests it published.
    pub published: u64,
    /// Publications that failed and were retried.
    pub publish_failures: u64,
}

/// Runs an index worker: claims up to `max_shards` free shards, keeps each one's index (in
/// `cache_dir/shard-N`) up to date with the record tables, and publishes it after each batch.
/// `open` opens (or creates) a shard's index in a directory with the knowledge base's
/// gazetteer and warning lists. A shard's state is its published manifest: a worker that
/// claims it starts from there, whatever is on its own disk. `knowledge_changed` says whether
/// the gazetteer or the warning lists changed since it was last asked (every few seconds):
/// then every shard is opened again with them, and its next sync rebuilds it.
pub fn run_index_worker(
    config: &ClusterConfig,
    cache_dir: &Path,
    max_shards: u32,
    open: &mut dyn FnMut(&Path) -> Result<SearchIndex, String>,
    knowledge_changed: &mut dyn FnMut() -> Result<bool, String>,
    idle_exit: Option<Duration>,
    stop: &AtomicBool,
) -> Result<IndexWorkerReport, ClusterError> {
    let runtime = crate::runtime("muninn-index", 2)?;
    let objects = Objects::connect(config.s3()?)?;
    let (log, records) = runtime.block_on(async {
        let log = ItemLog::connect(config).await?;
        let mut records = Records::connect(&config.postgres, config.partitions).await?;
        records.migrate().await?;
        log.durable_consumer(RECORDS_CONSUMER).await?;
        Ok::<_, ClusterError>((log, records))
    })?;
    let mut shards: Vec<Shard> = Vec::new();
    let mut report = IndexWorkerReport::default();
    let mut last_progress = Instant::now();
    let mut knowledge_checked = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        if knowledge_checked.elapsed() >= KNOWLEDGE_CHECK {
            knowledge_checked = Instant::now();
            match knowledge_changed() {
                Ok(false) => {}
                Ok(true) => {
                    for shard in &mut shards {
                        shard.index = open(&shard.dir).map_err(ClusterError::Index)?;
                        tracing::info!(
                            shard = shard.number,
                            "the gazetteer or warning lists changed: rebuilding"
                        );
                    }
                    last_progress = Instant::now();
                }
                Err(error) => tracing::warn!(%error, "cannot tell whether the gazetteer changed; retrying"),
            }
        }
        if (shards.len() as u32) < max_shards {
            for number in 0..config.index_shards {
                if shards.len() as u32 >= max_shards || shards.iter().any(|s| s.number == number) {
                    continue;
                }
                if runtime.block_on(records.try_claim_shard(number))? {
                    match restore_shard(&runtime, &objects, &records, config, cache_dir, number, open) {
                        Ok(shard) => {
                            tracing::info!(
                                shard = number,
                                from_seq = shard.index.last_seq(),
                                "claimed an index shard"
                            );
                            report.shards.push(number);
                            shards.push(shard);
                        }
                        Err(error) => {
                            // Let another worker (or this one, next round) try again.
                            tracing::warn!(shard = number, %error, "cannot restore the shard; released");
                            runtime.block_on(records.release_shard(number))?;
                        }
                    }
                }
            }
        }
        let through = match runtime.block_on(log.ack_floor(RECORDS_CONSUMER)) {
            Ok(through) => through,
            Err(error) => {
                tracing::warn!(%error, "cannot read the records workers' progress; retrying");
                std::thread::sleep(Duration::from_millis(500));
                continue;
            }
        };
        let mut indexed = 0;
        for shard in &mut shards {
            if shard.index.last_seq() < through || shard.index.derivation_changed() {
                let feed = ShardFeed { runtime: &runtime, records: &records, parts: &shard.parts, through };
                let synced =
                    shard.index.sync(&feed).map_err(|error| ClusterError::Index(error.to_string()))?;
                shard.unpublished |= synced.indexed > 0 || synced.rebuilt;
                indexed += synced.indexed;
            }
            if shard.unpublished {
                // An object store that is down delays publishing; it does not stop the worker,
                // and nothing is lost: the shard stays committed locally and is published when
                // the store answers again.
                match runtime.block_on(publish(&objects, &records, shard)) {
                    Ok(()) => {
                        shard.unpublished = false;
                        report.published += 1;
                    }
                    Err(error) => {
                        tracing::warn!(shard = shard.number, %error, "cannot publish the shard yet; retrying");
                        report.publish_failures += 1;
                    }
                }
            }
        }
        report.indexed += indexed;
        let waiting = shards.iter().any(|shard| shard.unpublished);
        if indexed > 0 || waiting {
            if waiting {
                std::thread::sleep(Duration::from_millis(500));
            }
            last_progress = Instant::now();
        } else {
            if idle_exit.is_some_and(|idle| last_progress.elapsed() > idle) {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    Ok(report)
}

/// How often an index worker asks whether the gazetteer or warning lists changed.
const KNOWLEDGE_CHECK: Duration = Duration::from_secs(2);

/// A claimed shard's index, as its published manifest left it.
fn restore_shard(
    runtime: &tokio::runtime::Runtime,
    objects: &Objects,
    records: &Records,
    config: &ClusterConfig,
    cache_dir: &Path,
    number: u32,
    open: &mut dyn FnMut(&Path) -> Result<SearchIndex, String>,
) -> Result<Shard, ClusterError> {
    let dir = cache_dir.join(format!("shard-{number}"));
    let manifest = runtime.block_on(records.manifests())?.into_iter().find(|m| m.shard == number);
    let published = manifest.as_ref().map(|m| m.files.clone()).unwrap_or_default();
    let manifests: Vec<&Manifest> = manifest.iter().collect();
    runtime.block_on(fetch_files(objects, &dir, &manifests, &[]))?;
    if let Some(manifest) = &manifest {
        let meta = dir.join("meta.json");
        std::fs::write(&meta, &manifest.meta).map_err(io_error(&meta))?;
    }
    let index = open(&dir).map_err(ClusterError::Index)?;
    Ok(Shard { number, dir, parts: config.partitions_of_shard(number), index, published, unpublished: false })
}

/// Uploads a shard's new files, then publishes its manifest, then deletes the files the old
/// manifest named and the new one does not. A searcher holding the old manifest may miss a
/// deleted file: it refreshes and reads the new one.
async fn publish(objects: &Objects, records: &Records, shard: &mut Shard) -> Result<(), ClusterError> {
    let index = shard.index.published().map_err(|error| ClusterError::Index(error.to_string()))?;
    let old: HashSet<&str> = shard.published.iter().map(String::as_str).collect();
    let new_files: Vec<String> =
        index.files.iter().filter(|file| !old.contains(file.as_str())).cloned().collect();
    let dir = &shard.dir;
    let number = shard.number;
    let mut uploads = futures_util::stream::iter(new_files.into_iter().map(|file| async move {
        let path = dir.join(&file);
        let bytes = std::fs::read(&path).map_err(io_error(&path))?;
        objects.put(&object_key(number, &file), bytes).await
    }))
    .buffer_unordered(PARALLEL_TRANSFERS);
    while let Some(result) = uploads.next().await {
        result?;
    }
    let manifest = Manifest { shard: number, last_seq: index.last_seq, meta: index.meta, files: index.files };
    records.publish_manifest(&manifest).await?;
    let kept: HashSet<&str> = manifest.files.iter().map(String::as_str).collect();
    for file in shard.published.iter().filter(|file| !kept.contains(file.as_str())) {
        if let Err(error) = objects.delete(&object_key(number, file)).await {
            tracing::warn!(%error, "an unused index file stays in object storage");
        }
    }
    shard.published = manifest.files;
    Ok(())
}

/// A searcher's local copy of the published index shards.
pub struct SearcherCache {
    runtime: tokio::runtime::Runtime,
    records: Records,
    objects: Objects,
    dir: PathBuf,
    /// What the last refresh opened: (shard, last sequence number) of each manifest.
    opened: std::sync::Mutex<Option<Vec<(u32, u64)>>>,
}

impl std::fmt::Debug for SearcherCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearcherCache").field("dir", &self.dir).finish()
    }
}

impl SearcherCache {
    /// Connects to the database and the object store; `dir` holds the cached files.
    pub fn connect(config: &ClusterConfig, dir: &Path) -> Result<SearcherCache, ClusterError> {
        let runtime = crate::runtime("muninn-search", 2)?;
        let objects = Objects::connect(config.s3()?)?;
        let records = runtime.block_on(async {
            let mut records = Records::connect(&config.postgres, config.partitions).await?;
            records.migrate().await?;
            Ok::<_, ClusterError>(records)
        })?;
        Ok(SearcherCache {
            runtime,
            records,
            objects,
            dir: dir.to_owned(),
            opened: std::sync::Mutex::new(None),
        })
    }

    /// Fetches the files of the shards published since the last refresh and opens every shard
    /// as one index; `None` while no shard is published. `gazetteer` must be the one the index
    /// workers used (the knowledge base's).
    pub fn refresh(&self, gazetteer: Gazetteer) -> Result<Option<SearchIndex>, ClusterError> {
        self.refresh_with(|| Ok(gazetteer), false)
    }

    /// [`SearcherCache::refresh`], but `None` also when no shard was published since the last
    /// refresh (the index opened then is current). `gazetteer` is called only when a shard
    /// changed: a server refreshes every few seconds, and the gazetteer can be large.
    pub fn refresh_if_changed(
        &self,
        gazetteer: impl FnOnce() -> Result<Gazetteer, ClusterError>,
    ) -> Result<Option<SearchIndex>, ClusterError> {
        self.refresh_with(gazetteer, true)
    }

    /// Fetches the files of the published shards and opens each shard as an index of its own
    /// (a search worker answers each shard's part of a search): (shard, index) in shard order;
    /// empty while no shard is published. `open` makes a shard's index from the cache
    /// directory and its `meta.json` text.
    pub fn refresh_shards<T>(
        &self,
        mut open: impl FnMut(&Path, &str) -> Result<T, ClusterError>,
    ) -> Result<Vec<(u32, T)>, ClusterError> {
        let manifests = self.fetch_published()?;
        let mut shards = Vec::with_capacity(manifests.len());
        for manifest in &manifests {
            shards.push((manifest.shard, open(&self.dir, &manifest.meta)?));
        }
        shards.sort_by_key(|(shard, _)| *shard);
        Ok(shards)
    }

    /// Reads the manifests and fetches the files they name that the cache lacks, reading the
    /// manifests again (three times at most) when a file went away meanwhile: a newer manifest
    /// replaced it.
    fn fetch_published(&self) -> Result<Vec<Manifest>, ClusterError> {
        let mut attempt = 0;
        loop {
            let manifests = crate::block_on(&self.runtime, self.records.manifests())?;
            let list: Vec<&Manifest> = manifests.iter().collect();
            match crate::block_on(&self.runtime, fetch_files(&self.objects, &self.dir, &list, &["meta.json"]))
            {
                Ok(()) => return Ok(manifests),
                Err(error) if attempt < 3 => {
                    tracing::info!(%error, "an index file went away; reading the manifests again");
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The last sequence number of each published shard (what a refresh would open).
    pub fn published(&self) -> Result<Vec<(u32, u64)>, ClusterError> {
        let manifests = crate::block_on(&self.runtime, self.records.manifests())?;
        Ok(manifests.iter().map(|m| (m.shard, m.last_seq)).collect())
    }

    fn refresh_with(
        &self,
        gazetteer: impl FnOnce() -> Result<Gazetteer, ClusterError>,
        only_if_changed: bool,
    ) -> Result<Option<SearchIndex>, ClusterError> {
        if only_if_changed {
            let manifests = crate::block_on(&self.runtime, self.records.manifests())?;
            let signature: Vec<(u32, u64)> = manifests.iter().map(|m| (m.shard, m.last_seq)).collect();
            let opened =
                self.opened.lock().map_err(|_| ClusterError::Index("cache lock poisoned".to_owned()))?;
            if manifests.is_empty() || opened.as_ref() == Some(&signature) {
                return Ok(None);
            }
        }
        let manifests = self.fetch_published()?;
        if manifests.is_empty() {
            return Ok(None);
        }
        let signature: Vec<(u32, u64)> = manifests.iter().map(|m| (m.shard, m.last_seq)).collect();
        let metas: Vec<String> = manifests.into_iter().map(|m| m.meta).collect();
        let index = SearchIndex::open_union(&self.dir, &metas, gazetteer()?)
            .map_err(|error| ClusterError::Index(error.to_string()))?;
        *self.opened.lock().map_err(|_| ClusterError::Index("cache lock poisoned".to_owned()))? =
            Some(signature);
        Ok(Some(index))
    }
}
