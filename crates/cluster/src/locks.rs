//! Locks that every process of a cluster shares: PostgreSQL advisory locks, so that several
//! `muninn serve` processes can append to one audit chain, change watchlists and hand out TAXII
//! `date_added` values without losing one another's writes.
//!
//! Each lock has a connection of its own: a session-level advisory lock belongs to the
//! connection that took it, and a connection waiting in `pg_advisory_lock` answers nothing else
//! meanwhile. Within the process a lock's holders queue on its connection (an asynchronous
//! mutex), so one waiter at a time asks PostgreSQL. The lock is released when the guard is
//! dropped, or by PostgreSQL when the process dies (its connections end).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;
use tokio_postgres::{Client, NoTls};

use crate::ClusterError;

/// Base of the shared locks' keys (distinct from the shards' and the screening partitions').
const SHARED_LOCK_BASE: i64 = 0x6d75_6e69_4c00_0000;

/// A lock's connection, opened on first use and again after it broke.
type Slot = Arc<tokio::sync::Mutex<Option<Client>>>;

/// The cluster-wide locks of one process.
pub struct SharedLocks {
    runtime: Arc<tokio::runtime::Runtime>,
    dsn: String,
    slots: Mutex<HashMap<u32, Slot>>,
}

impl std::fmt::Debug for SharedLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLocks").finish_non_exhaustive()
    }
}

/// A held shared lock; dropping it releases the lock (without blocking the dropping thread).
pub struct SharedLockGuard {
    connection: Option<OwnedMutexGuard<Option<Client>>>,
    key: i64,
    /// Kept alive by every guard: its connections' drivers run on it.
    runtime: Arc<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for SharedLockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLockGuard").field("key", &self.key).finish()
    }
}

impl SharedLocks {
    /// Locks on the PostgreSQL server of `postgres` (a DSN); no connection is made until a lock
    /// is first taken.
    pub fn new(postgres: &str) -> Result<SharedLocks, ClusterError> {
        Ok(SharedLocks {
            runtime: Arc::new(crate::runtime("muninn-locks", 1)?),
            dsn: postgres.to_owned(),
            slots: Mutex::new(HashMap::new()),
        })
    }

    /// Waits until this process holds lock number `lock` across the cluster.
    pub fn acquire(&self, lock: u32) -> Result<SharedLockGuard, ClusterError> {
        let slot = {
            let mut slots = self
                .slots
                .lock()
                .map_err(|_| ClusterError::Records("the lock table is poisoned".to_owned()))?;
            Arc::clone(slots.entry(lock).or_default())
        };
        let key = SHARED_LOCK_BASE + i64::from(lock);
        let dsn = self.dsn.clone();
        let connection = crate::block_on(&self.runtime, async move {
            let mut connection = slot.lock_owned().await;
            if connection.as_ref().is_none_or(Client::is_closed) {
                let (client, driver) = tokio_postgres::connect(&dsn, NoTls).await?;
                tokio::spawn(async move {
                    if let Err(error) = driver.await {
                        tracing::warn!(%error, "PostgreSQL lock connection ended");
                    }
                });
                *connection = Some(client);
            }
            let client =
                connection.as_ref().ok_or_else(|| ClusterError::Records("no connection".to_owned()))?;
            if let Err(error) = client.execute("SELECT pg_advisory_lock($1)", &[&key]).await {
                // A broken connection is opened again by the next holder.
                *connection = None;
                return Err(error.into());
            }
            Ok::<_, ClusterError>(connection)
        })?;
        Ok(SharedLockGuard { connection: Some(connection), key, runtime: Arc::clone(&self.runtime) })
    }
}

impl Drop for SharedLockGuard {
    fn drop(&mut self) {
        let Some(mut connection) = self.connection.take() else { return };
        let key = self.key;
        // The connection stays this guard's until the unlock has run, so the process's next
        // holder cannot ask for the lock before it is given back.
        self.runtime.spawn(async move {
            let released = match connection.as_ref() {
                Some(client) => client.execute("SELECT pg_advisory_unlock($1)", &[&key]).await.is_ok(),
                None => true,
            };
            if !released {
                // Ending the session is the other way to give the lock back.
                *connection = None;
            }
        });
    }
}
