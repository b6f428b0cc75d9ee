//! One module per command.

pub mod cluster;
pub mod correlate;
pub mod demo;
pub mod entities;
pub mod exercise;
pub mod graph;
pub mod import;
pub mod incidents;
pub mod ingest;
pub mod items;
pub mod knowledge;
pub mod matching;
pub mod resolution;
pub mod screen;
pub mod search;
pub mod serve;
pub mod sources;
pub mod stats;
pub mod taxii;

use muninn_store::{EmbeddedStore, ItemStore, StoreConfig};

use crate::config::Config;

/// The store a command works on: the embedded one, or the cluster's when the configuration has
/// a `[cluster]` table.
// One per command run: the size difference does not matter, and boxing the embedded store
// would add a level to every use of the common case.
#[allow(clippy::large_enum_variant)]
pub enum Backend {
    /// One data directory.
    Embedded(EmbeddedStore),
    /// JetStream and PostgreSQL.
    Cluster(muninn_cluster::ClusterStore),
}

impl Backend {
    /// As the trait every stage talks to.
    pub fn store(&self) -> &dyn ItemStore {
        &**self
    }

    /// As the trait, for writing.
    pub fn store_mut(&mut self) -> &mut dyn ItemStore {
        &mut **self
    }
}

/// A backend is used as the trait (`&backend` where a `&dyn ItemStore` is wanted).
impl std::ops::Deref for Backend {
    type Target = dyn ItemStore;
    fn deref(&self) -> &(dyn ItemStore + 'static) {
        match self {
            Backend::Embedded(store) => store,
            Backend::Cluster(store) => store,
        }
    }
}

impl std::ops::DerefMut for Backend {
    fn deref_mut(&mut self) -> &mut (dyn ItemStore + 'static) {
        match self {
            Backend::Embedded(store) => store,
            Backend::Cluster(store) => store,
        }
    }
}

/// The configured store: the cluster's, else the data directory (which must exist already
/// when `must_exist`, for commands that only read).
pub fn open_backend(config: &Config, must_exist: bool) -> anyhow::Result<Backend> {
    match &config.cluster {
        Some(cluster) => Ok(Backend::Cluster(muninn_cluster::ClusterStore::connect(cluster)?)),
        None if must_exist => Ok(Backend::Embedded(open_existing_store(config)?)),
        None => Ok(Backend::Embedded(open_store(config)?)),
    }
}

/// Opens the configured data directory, which must exist already (for commands that read).
pub fn open_existing_store(config: &Config) -> anyhow::Result<EmbeddedStore> {
    if !config.data_dir.join("FORMAT").exists() {
        return Err(crate::UsageError(format!(
            "no muninn data directory at {}: ingest something first, or pass --data-dir",
            config.data_dir.display()
        ))
        .into());
    }
    open_store(config)
}

/// The full-text index of the configured data directory with the stored gazetteer, caught up
/// with its log (rebuilt if the gazetteer changed).
pub fn synced_index(
    config: &Config,
    store: &EmbeddedStore,
) -> anyhow::Result<(muninn_index::SearchIndex, muninn_index::SyncReport)> {
    let mut index = entities::open_index(&config.data_dir, store)?;
    let report = index.sync(store)?;
    Ok((index, report))
}

/// The configured store (which must exist) and its full-text index as searches see it: the data
/// directory's, caught up with its log, or the cluster's published shards.
pub fn store_and_index(config: &Config) -> anyhow::Result<(Backend, muninn_index::SearchIndex)> {
    let backend = open_backend(config, true)?;
    let index = index_of(config, &backend)?;
    Ok((backend, index))
}

/// The full-text index of `backend` as searches see it: the data directory's, caught up with
/// its log, or the cluster's published shards.
pub fn index_of(config: &Config, backend: &Backend) -> anyhow::Result<muninn_index::SearchIndex> {
    Ok(match backend {
        Backend::Embedded(store) => synced_index(config, store)?.0,
        Backend::Cluster(store) => cluster::searcher(config, store)?,
    })
}

/// The name of an imported list: the one given, else the file's stem, else `fallback`.
pub fn list_name(given: Option<&str>, file: &std::path::Path, fallback: &str) -> String {
    match given {
        Some(name) => name.to_owned(),
        None => file
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| fallback.to_owned()),
    }
}

/// Opens the configured data directory, creating it if needed.
pub fn open_store(config: &Config) -> anyhow::Result<EmbeddedStore> {
    Ok(EmbeddedStore::open(&config.data_dir, StoreConfig::default())?)
}
