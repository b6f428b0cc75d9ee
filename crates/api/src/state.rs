//! What every request shares: the store, the index, the directory of users, the audit chain
//! and its writer, the rate limiter and the server's secret.
//!
//! Every write goes through one writer thread, which also appends the audit entries of the
//! requests it serves: a change and the entry that records it are one `put_documents`, one
//! fsync. Writes that arrive while an fsync is running are grouped into the next one, so reads
//! (which are audited too) cost a share of an fsync under load, not one each.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use muninn_access::{Directory, Principal, RateLimiter};
use muninn_audit::{Actor, AuditAction, AuditRecord, Chain, ChainHead, Outcome};
use muninn_index::{Audience, SearchIndex, Visibility};
use muninn_store::{Document, ItemStore};
use tokio::sync::oneshot;

use crate::catalog::{self, CatalogError};
use crate::error::{ApiError, ApiResult};
use crate::metrics::Metrics;

/// The table of audit entries, keyed by their zero-padded sequence number.
pub const AUDIT_TABLE: &str = "audit";
/// The table holding the chain's head (key `head`), written with every append.
pub const AUDIT_HEAD_TABLE: &str = "audit_head";
/// The key of the head.
pub const AUDIT_HEAD_KEY: &str = "head";
/// The table of the server secret that every server of a cluster shares (key `secret`, hex).
const SECRET_TABLE: &str = "server_secret";
/// The key of the shared secret.
const SECRET_KEY: &str = "secret";
/// Most write jobs grouped into one fsync.
const MAX_GROUP: usize = 512;

/// Limits of the server.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Most requests served at once; more are refused with 503 and `Retry-After`.
    pub max_in_flight: usize,
    /// Most objects in one TAXII page.
    pub taxii_page_limit: usize,
    /// How long a TAXII `next` token stays valid.
    pub taxii_cursor_ttl: Duration,
    /// Where alert webhooks may point (https only unless allowed; private addresses only on
    /// the allow-list).
    pub webhook_policy: muninn_egress::EgressPolicy,
    /// A web UI session not used for this long has ended (its cookie signs nobody in).
    pub session_idle: Duration,
    /// A web UI session ends this long after sign-in, however much it is used.
    pub session_lifetime: Duration,
    /// How often an open live alert stream re-checks its caller's credential when no alert
    /// comes (and sends a keep-alive comment), so a stream ends soon after its session.
    pub live_recheck: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_body_bytes: 16 * 1024 * 1024,
            max_in_flight: 512,
            taxii_page_limit: 1000,
            taxii_cursor_ttl: Duration::from_secs(3600),
            webhook_policy: muninn_egress::EgressPolicy {
                total_timeout: Duration::from_secs(15),
                max_body_bytes: 64 << 10,
                ..muninn_egress::EgressPolicy::default()
            },
            session_idle: Duration::from_secs(30 * 60),
            session_lifetime: Duration::from_secs(12 * 3600),
            live_recheck: Duration::from_secs(20),
        }
    }
}

/// The store the server works on: the embedded one, or a cluster's.
pub type SharedStore = dyn ItemStore + Send + Sync;

/// Gives the index anew when it changed elsewhere (a cluster's published shards); `None` when
/// the one in use is current.
pub type IndexRefresh = Box<dyn Fn() -> ApiResult<Option<SearchIndex>> + Send + Sync>;

/// Which of these tables had documents written (by any process) since the last call; an error
/// says why in a sentence. Cluster mode's servers reload users, tokens and watchlists, and the
/// knowledge base, only when their tables are named.
pub type CatalogChanges = Box<dyn Fn(&[&str]) -> Result<Vec<String>, String> + Send + Sync>;

/// Runs a search somewhere else than the server's own index (cluster mode's search workers,
/// each shard's part answered where the shard is held); an error says why in a sentence.
pub type RemoteSearch = Box<
    dyn Fn(&muninn_index::distributed::ShardSearch) -> Result<muninn_index::SearchResults, String>
        + Send
        + Sync,
>;

/// A lock that every server of a cluster shares (see [`ClusterLocks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SharedLock {
    /// Held from reading the audit chain's head until the entries after it are durable.
    AuditChain,
    /// Held while a watchlist is read, changed and written.
    Watchlists,
    /// Held from handing out the first TAXII `date_added` of a change until it is durable.
    TaxiiChanges,
    /// Held by the one server that delivers webhooks (another takes over when it ends).
    Webhooks,
}

impl SharedLock {
    /// The lock's number, the same in every process.
    pub fn number(self) -> u32 {
        match self {
            SharedLock::AuditChain => 1,
            SharedLock::Watchlists => 2,
            SharedLock::TaxiiChanges => 3,
            SharedLock::Webhooks => 4,
        }
    }
}

/// A held shared lock: released when dropped.
pub type SharedLockGuard = Box<dyn Send>;

/// Locks that every server of a cluster shares, so that several servers over one store
/// serialise what one server serialises in memory: appends to the audit chain, watchlist
/// changes, TAXII `date_added` order. A process alone on its data directory (the embedded
/// store) needs none.
pub trait ClusterLocks: Send + Sync {
    /// Waits until this process holds `lock` across the cluster; an error says why in a
    /// sentence.
    fn acquire(&self, lock: SharedLock) -> Result<SharedLockGuard, String>;
}

/// The cluster's locks once set ([`AppState::with_cluster_locks`]); the writer thread reads them.
type LocksCell = Arc<std::sync::OnceLock<Arc<dyn ClusterLocks>>>;

/// A write run on the writer thread with the store and the audit chain, or told why it cannot.
type Task = Box<dyn FnOnce(Result<(&mut SharedStore, &mut Chain), String>) + Send>;

/// Work for the writer thread, which holds the store's write lock and the audit chain.
enum WriteJob {
    /// Documents and the audit entries that record them: grouped with other such jobs.
    Documents {
        documents: Vec<Document>,
        audit: Vec<AuditRecord>,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// A longer write (an ingest run) that appends its own batches and audit entries.
    Task(Task),
}

/// An alert as the live stream carries it, with what decides who may receive it.
#[derive(Debug, Clone)]
pub struct LiveAlert {
    /// The alert.
    pub alert: muninn_screen::Alert,
    /// Its item's markings.
    pub item: muninn_model::Markings,
    /// Its watchlist's markings.
    pub list: muninn_model::Markings,
}

/// The state shared by all requests.
pub struct AppState {
    /// The store (read lock for reads; the writer thread takes the write lock).
    pub store: Arc<RwLock<Box<SharedStore>>>,
    /// The full-text index (kept in step with the log by [`AppState::sync_index`]).
    pub index: RwLock<SearchIndex>,
    /// Organisations, users and tokens.
    pub directory: RwLock<Directory>,
    /// The one rate limiter of every login method.
    pub limiter: Mutex<RateLimiter>,
    /// Secret of this data directory: MAC key of TAXII cursors.
    pub secret: [u8; 32],
    /// Request counters and latencies.
    pub metrics: Metrics,
    /// Limits.
    pub settings: Settings,
    /// The data directory.
    pub data_dir: PathBuf,
    /// When the server started.
    pub started: Instant,
    /// The stored watchlists, compiled (the server holds the data directory: no other process
    /// changes them while it runs).
    pub screener: RwLock<Arc<muninn_screen::Screener>>,
    /// Name matchers of the watchlists, built on first use.
    pub matchers: crate::matching::MatcherCache,
    /// New alerts, for the live stream (`GET /api/v1/alerts/stream`).
    pub live: tokio::sync::broadcast::Sender<LiveAlert>,
    /// When each web UI session (by token hash) was last used, for the idle timeout. Kept in
    /// memory only: after a restart a session counts as last used when it was signed in.
    pub session_seen: Mutex<std::collections::HashMap<String, Instant>>,
    /// The STIX knowledge base's names and relationships, for the entity graph.
    pub knowledge: Arc<crate::knowledge::KnowledgeCache>,
    /// Held while a watchlist is changed (read, edited, written, screener rebuilt), so two
    /// changes of lists cannot lose one another.
    pub watchlist_changes: tokio::sync::Mutex<()>,
    /// Set when the index is not derived here but refreshed from elsewhere (cluster mode).
    index_refresh: Option<IndexRefresh>,
    /// Set when searches go to the search workers (cluster mode with `search_workers`).
    pub(crate) remote_search: Option<RemoteSearch>,
    /// Set when other servers share the store (cluster mode).
    locks: LocksCell,
    /// Set when alerts are written elsewhere too (cluster mode): followed into [`AppState::live`].
    pub(crate) alert_feed: Option<crate::live::AlertFeed>,
    /// The names and versions of the lists the screener was compiled from, when other servers
    /// may change them (cluster mode: compared on every refresh).
    screener_lists: Mutex<Vec<(String, u64)>>,
    /// Set when other servers may change the catalog (cluster mode): asked before reloading it.
    catalog_changes: Option<CatalogChanges>,
    writer: mpsc::Sender<WriteJob>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

/// Reads the audit chain's head as stored.
pub fn stored_head(store: &dyn ItemStore) -> Result<ChainHead, CatalogError> {
    Ok(catalog::load_one::<ChainHead>(store, AUDIT_HEAD_TABLE, AUDIT_HEAD_KEY)?.unwrap_or(ChainHead::GENESIS))
}

/// The documents that append `records` to the chain: one entry each, and the new head.
pub fn audit_documents(chain: &mut Chain, records: Vec<AuditRecord>) -> Result<Vec<Document>, CatalogError> {
    let mut documents = Vec::with_capacity(records.len() + 1);
    for record in records {
        let seq = chain.head().next_seq;
        let (bytes, _) = chain.append(&record);
        documents.push(Document::put(AUDIT_TABLE, &muninn_audit::entry_key(seq), bytes));
    }
    documents.push(catalog::document(AUDIT_HEAD_TABLE, AUDIT_HEAD_KEY, &chain.head())?);
    Ok(documents)
}

/// Takes the audit chain's shared lock when other servers append to it too, and then resumes
/// the chain from the stored head (theirs may have moved it on).
fn lock_chain(
    locks: &LocksCell,
    store: &SharedStore,
    chain: &mut Chain,
) -> Result<Option<SharedLockGuard>, String> {
    let Some(locks) = locks.get() else { return Ok(None) };
    let guard = locks.acquire(SharedLock::AuditChain)?;
    *chain = Chain::resume(stored_head(store).map_err(|error| error.to_string())?);
    Ok(Some(guard))
}

fn run_writer(
    store: Arc<RwLock<Box<SharedStore>>>,
    mut chain: Chain,
    jobs: mpsc::Receiver<WriteJob>,
    locks: LocksCell,
) {
    let mut next: Option<WriteJob> = None;
    loop {
        let first = match next.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        let (documents, records, replies) = match first {
            WriteJob::Task(task) => {
                let Ok(mut guard) = store.write() else { return };
                let shared = match lock_chain(&locks, guard.as_ref(), &mut chain) {
                    Ok(shared) => shared,
                    Err(error) => {
                        task(Err(error));
                        continue;
                    }
                };
                task(Ok((guard.as_mut(), &mut chain)));
                // The task appended its own entries; the stored head is the truth (a failed
                // batch left it where it was).
                chain = Chain::resume(stored_head(guard.as_ref()).unwrap_or_else(|_| chain.head()));
                drop(shared);
                continue;
            }
            WriteJob::Documents { documents, audit, reply } => {
                let mut documents = documents;
                let mut records = audit;
                let mut replies = vec![reply];
                while replies.len() < MAX_GROUP {
                    match jobs.try_recv() {
                        Ok(WriteJob::Documents { documents: more, audit, reply }) => {
                            documents.extend(more);
                            records.extend(audit);
                            replies.push(reply);
                        }
                        Ok(task) => {
                            next = Some(task);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                (documents, records, replies)
            }
        };
        let mut documents = documents;
        let result = store.write().map_err(|_| "store lock poisoned".to_owned()).and_then(|mut store| {
            let shared = lock_chain(&locks, store.as_ref(), &mut chain)?;
            let before = chain.head();
            let written =
                audit_documents(&mut chain, records).map_err(|error| error.to_string()).and_then(|audit| {
                    documents.extend(audit);
                    store.put_documents(documents).map_err(|error| error.to_string())
                });
            if written.is_err() {
                // Nothing was appended: the chain goes on from where it was.
                chain = Chain::resume(before);
            }
            // Released only now: the next holder reads the head this write stored.
            drop(shared);
            written
        });
        for reply in replies {
            let _ = reply.send(result.clone());
        }
    }
}

impl AppState {
    /// Opens the state of a data directory whose store is open and index synced.
    pub fn new(
        data_dir: &Path,
        store: Box<SharedStore>,
        index: SearchIndex,
        settings: Settings,
    ) -> Result<AppState, ApiError> {
        let directory = catalog::load_directory(store.as_ref())?;
        let (screener, warnings) = muninn_screen::Screener::compile(
            &catalog::load_watchlists(store.as_ref())?,
            jiff::Timestamp::now(),
        );
        for warning in warnings {
            tracing::warn!(warning = %crate::error::LogText(&warning.to_string()), "watchlist entry not screened");
        }
        let (live, _) = tokio::sync::broadcast::channel(4096);
        let head = stored_head(store.as_ref())?;
        let secret = load_or_create_secret(data_dir).map_err(ApiError::internal)?;
        let store = Arc::new(RwLock::new(store));
        let (writer, jobs) = mpsc::channel();
        let locks = LocksCell::default();
        let writer_store = Arc::clone(&store);
        std::thread::Builder::new()
            .name("muninn-writer".to_owned())
            .spawn({
                let locks = Arc::clone(&locks);
                move || run_writer(writer_store, Chain::resume(head), jobs, locks)
            })
            .map_err(ApiError::internal)?;
        Ok(AppState {
            store,
            index: RwLock::new(index),
            directory: RwLock::new(directory),
            limiter: Mutex::new(RateLimiter::default()),
            secret,
            metrics: Metrics::default(),
            settings,
            data_dir: data_dir.to_owned(),
            started: Instant::now(),
            screener: RwLock::new(Arc::new(screener)),
            matchers: crate::matching::MatcherCache::default(),
            live,
            session_seen: Mutex::new(std::collections::HashMap::new()),
            knowledge: Arc::default(),
            watchlist_changes: tokio::sync::Mutex::new(()),
            index_refresh: None,
            remote_search: None,
            locks,
            alert_feed: None,
            screener_lists: Mutex::new(Vec::new()),
            catalog_changes: None,
            writer,
        })
    }

    /// The index is refreshed by `refresh` rather than followed from the store (cluster mode:
    /// index workers build it, the server fetches what they publish).
    pub fn with_index_refresh(mut self, refresh: IndexRefresh) -> AppState {
        self.index_refresh = Some(refresh);
        self
    }

    /// Searches go to `search` (the search workers) rather than to the server's own index;
    /// snippets, correlations and entity pages still read the server's index.
    pub fn with_remote_search(mut self, search: RemoteSearch) -> AppState {
        self.remote_search = Some(search);
        self
    }

    /// Other servers share the store (cluster mode): the audit chain, watchlist changes and
    /// TAXII changes are serialised across them with `locks`, the server's secret (session
    /// CSRF tokens, TAXII cursors) becomes the one stored for the cluster, and every index
    /// refresh also reloads users, tokens and watchlists, so a token issued or revoked, or a
    /// list changed, through one server holds on all of them within a refresh (a second).
    pub fn with_cluster_locks(mut self, locks: Arc<dyn ClusterLocks>) -> ApiResult<AppState> {
        let secret = {
            let _guard = locks.acquire(SharedLock::AuditChain).map_err(ApiError::internal)?;
            let mut store = self.store.write().map_err(|_| ApiError::internal("store lock poisoned"))?;
            match catalog::load_one::<String>(store.as_ref(), SECRET_TABLE, SECRET_KEY)? {
                Some(hex) => crate::hex::decode_32(&hex)
                    .ok_or_else(|| ApiError::internal("the stored server secret is damaged"))?,
                None => {
                    let hex = crate::hex::random_32()?;
                    store.put_documents(vec![catalog::document(SECRET_TABLE, SECRET_KEY, &hex)?])?;
                    crate::hex::decode_32(&hex)
                        .ok_or_else(|| ApiError::internal("a new secret is not 32 bytes"))?
                }
            }
        };
        self.secret = secret;
        self.locks.set(locks).map_err(|_| ApiError::internal("the cluster locks are set already"))?;
        self.refresh_shared()?;
        Ok(self)
    }

    /// The live alert stream and the webhooks follow `feed` (every alert written in the
    /// cluster) instead of this server's uploads alone.
    pub fn with_alert_feed(mut self, feed: crate::live::AlertFeed) -> AppState {
        self.alert_feed = Some(feed);
        self
    }

    /// Other servers may change organisations, users, tokens and watchlists: `changes` tells
    /// whether they did since it was last asked (it must start from a point no later than this
    /// state's loading of them), and they are reloaded only then.
    pub fn with_catalog_changes(mut self, changes: CatalogChanges) -> AppState {
        self.catalog_changes = Some(changes);
        self
    }

    /// Waits for the shared lock `lock` when other servers share the store (`None` otherwise).
    pub async fn shared_lock(&self, lock: SharedLock) -> ApiResult<Option<SharedLockGuard>> {
        let Some(locks) = self.locks.get() else { return Ok(None) };
        let locks = Arc::clone(locks);
        let guard = tokio::task::spawn_blocking(move || locks.acquire(lock))
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?;
        Ok(Some(guard))
    }

    /// Holds the watchlists for a change: this server's lock, then the cluster's.
    pub async fn change_watchlists(
        &self,
    ) -> ApiResult<(tokio::sync::MutexGuard<'_, ()>, Option<SharedLockGuard>)> {
        let local = self.watchlist_changes.lock().await;
        let shared = self.shared_lock(SharedLock::Watchlists).await?;
        Ok((local, shared))
    }

    /// Whether other servers share the store.
    pub fn is_shared(&self) -> bool {
        self.locks.get().is_some()
    }

    /// Reloads what other servers may have changed: users, tokens and organisations, and the
    /// watchlists (the screener is compiled again only when a list's name or version changed),
    /// and has the knowledge base and same-as assertions loaded again at their next use; with
    /// [`AppState::with_catalog_changes`], each only when documents of its tables were written.
    fn refresh_shared(&self) -> ApiResult<()> {
        if let Some(changes) = &self.catalog_changes {
            let tables = [
                catalog::ORG_TABLE,
                catalog::USER_TABLE,
                catalog::TOKEN_TABLE,
                catalog::WATCHLIST_TABLE,
                muninn_stix::LATEST_TABLE,
                muninn_stix::SAME_AS_TABLE,
            ];
            let changed = changes(&tables).map_err(ApiError::internal)?;
            let (knowledge, directory): (Vec<&String>, Vec<&String>) =
                changed.iter().partition(|table| crate::knowledge::KnowledgeCache::is_kept(table));
            if !knowledge.is_empty() {
                self.knowledge.invalidate();
            }
            if directory.is_empty() {
                return Ok(());
            }
        }
        let (directory, lists) =
            self.read_store(|store| Ok((catalog::load_directory(store)?, catalog::load_watchlists(store)?)))?;
        *self.directory.write().map_err(|_| ApiError::internal("directory lock poisoned"))? = directory;
        let versions: Vec<(String, u64)> =
            lists.iter().map(|list| (list.name.clone(), list.version)).collect();
        let mut compiled =
            self.screener_lists.lock().map_err(|_| ApiError::internal("screener lock poisoned"))?;
        if *compiled != versions {
            let (screener, _) = muninn_screen::Screener::compile(&lists, jiff::Timestamp::now());
            *self.screener.write().map_err(|_| ApiError::internal("screener lock poisoned"))? =
                Arc::new(screener);
            *compiled = versions;
        }
        Ok(())
    }

    /// Makes `documents` durable together with the audit entries of `audit`.
    pub async fn write(&self, documents: Vec<Document>, audit: Vec<AuditRecord>) -> ApiResult<()> {
        let (reply, answer) = oneshot::channel();
        let knowledge_written =
            documents.iter().any(|document| crate::knowledge::KnowledgeCache::is_kept(&document.table));
        self.writer
            .send(WriteJob::Documents { documents, audit, reply })
            .map_err(|_| ApiError::internal("the writer thread has stopped"))?;
        let written = answer.await;
        if knowledge_written {
            // After the write, whatever its outcome: a load that began before it is not kept.
            self.knowledge.invalidate();
        }
        match written {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(ApiError::internal(error)),
            Err(_) => Err(ApiError::internal("the writer thread has stopped")),
        }
    }

    /// Runs `task` on the writer thread with the store and the audit chain (for writes that
    /// append their own batches, such as ingest runs).
    pub async fn run_task<T: Send + 'static>(
        &self,
        task: impl FnOnce(&mut SharedStore, &mut Chain) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let (reply, answer) = oneshot::channel();
        let job = WriteJob::Task(Box::new(move |ready| {
            let _ = reply.send(match ready {
                Ok((store, chain)) => task(store, chain),
                Err(error) => Err(ApiError::internal(error)),
            });
        }));
        self.writer.send(job).map_err(|_| ApiError::internal("the writer thread has stopped"))?;
        answer.await.map_err(|_| ApiError::internal("the writer thread has stopped"))?
    }

    /// Appends one audit entry (and waits until it is durable: nothing is served unaudited).
    pub async fn audit(&self, principal: &Principal, action: AuditAction, outcome: Outcome) -> ApiResult<()> {
        self.write(Vec::new(), vec![record(Some(principal), action, outcome)]).await
    }

    /// Brings the index up to the log (what was written since the last sync).
    pub fn sync_index(&self) -> ApiResult<()> {
        if self.is_shared() {
            self.refresh_shared()?;
        }
        if let Some(refresh) = &self.index_refresh {
            if let Some(index) = refresh()? {
                *self.index.write().map_err(|_| ApiError::internal("index lock poisoned"))? = index;
            }
            return Ok(());
        }
        let store = self.store.read().map_err(|_| ApiError::internal("store lock poisoned"))?;
        let mut index = self.index.write().map_err(|_| ApiError::internal("index lock poisoned"))?;
        index.sync(store.as_ref())?;
        Ok(())
    }

    /// Runs `work` with the store for reading.
    pub fn read_store<T>(&self, work: impl FnOnce(&SharedStore) -> ApiResult<T>) -> ApiResult<T> {
        let store = self.store.read().map_err(|_| ApiError::internal("store lock poisoned"))?;
        work(store.as_ref())
    }

    /// Runs `work` with the index for reading.
    pub fn read_index<T>(&self, work: impl FnOnce(&SearchIndex) -> ApiResult<T>) -> ApiResult<T> {
        let index = self.index.read().map_err(|_| ApiError::internal("index lock poisoned"))?;
        work(&index)
    }
}

/// An audit record of `principal` (the local command line when `None`) doing `action` now.
pub fn record(principal: Option<&Principal>, action: AuditAction, outcome: Outcome) -> AuditRecord {
    let actor = match principal {
        Some(principal) => {
            Actor::User { user: principal.user.to_string(), org: Some(principal.org.to_string()) }
        }
        None => Actor::Local,
    };
    AuditRecord { at: jiff::Timestamp::now(), actor, request_id: None, action, outcome }
}

/// What `principal` may see, as the index applies it.
pub fn visibility_of(principal: &Principal) -> Visibility {
    Visibility::Audience(Audience {
        user: principal.user.to_string(),
        org: principal.org.to_string(),
        groups: principal.groups.clone(),
        client_of: principal.client_of.iter().map(ToString::to_string).collect(),
    })
}

/// The data directory's secret (32 random bytes in `DATA_DIR/server.secret`, created once,
/// readable by the owner only).
fn load_or_create_secret(data_dir: &Path) -> std::io::Result<[u8; 32]> {
    let path = data_dir.join("server.secret");
    if let Ok(bytes) = std::fs::read(&path)
        && let Ok(secret) = <[u8; 32]>::try_from(bytes.as_slice())
    {
        return Ok(secret);
    }
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|error| std::io::Error::other(error.to_string()))?;
    write_private(&path, &secret)?;
    Ok(secret)
}

/// Writes a file readable by its owner only, durably.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    if let Some(parent) = path.parent() {
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(())
}
