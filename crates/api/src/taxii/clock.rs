//! The order in which objects are added, and therefore read.
//!
//! Every change to TAXII objects (add, delete) runs under one asynchronous lock per data
//! directory, held from the moment the first `date_added` is handed out until the write that
//! stores the objects is durable. `date_added` is strictly increasing (microseconds, raised by
//! one over the last when the clock has not moved on, and never below the stored last value),
//! so the stored objects are always a prefix of the `date_added` order: an object is visible to
//! readers only after every object with a smaller `date_added` is. A reader that has returned
//! objects up to position P has therefore seen (or filtered out) every object that will ever
//! exist at or below P, and its next page, which starts strictly after P, can neither repeat
//! nor skip one, however many objects are added meanwhile.
//!
//! The lock is a `tokio` mutex, held across the write's `.await` on purpose: that is what
//! makes commit order equal `date_added` order. Reads never take it.
//!
//! It lives in a registry keyed by data directory rather than in `AppState`, so that every
//! router built over one directory shares it. (A field of `AppState` would be its natural home.)

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use muninn_store::ItemStore;

use super::store::{CLOCK_KEY, CLOCK_TABLE};
use crate::catalog;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The state behind the lock: the last `date_added` handed out, once read from the store.
#[derive(Debug, Default)]
pub(crate) struct Adds {
    last: Option<u64>,
}

/// The lock of a data directory's TAXII changes.
pub(crate) type AddLock = Arc<tokio::sync::Mutex<Adds>>;

static LOCKS: LazyLock<Mutex<HashMap<PathBuf, AddLock>>> = LazyLock::new(Mutex::default);

/// The lock of `state`'s data directory.
fn add_lock(state: &AppState) -> ApiResult<AddLock> {
    let mut locks = LOCKS.lock().map_err(|_| ApiError::internal("TAXII lock registry poisoned"))?;
    Ok(Arc::clone(locks.entry(state.data_dir.clone()).or_default()))
}

/// TAXII changes held: this data directory's lock, and the cluster's when other servers share
/// the store (then the last `date_added` is read from the store again: theirs may be later).
pub(crate) struct Changes {
    adds: tokio::sync::OwnedMutexGuard<Adds>,
    _shared: Option<crate::state::SharedLockGuard>,
}

impl std::ops::Deref for Changes {
    type Target = Adds;
    fn deref(&self) -> &Adds {
        &self.adds
    }
}

impl std::ops::DerefMut for Changes {
    fn deref_mut(&mut self) -> &mut Adds {
        &mut self.adds
    }
}

/// Waits until this request may change `state`'s TAXII objects; held until its write is durable.
pub(crate) async fn hold_changes(state: &AppState) -> ApiResult<Changes> {
    let mut adds = add_lock(state)?.lock_owned().await;
    let shared = state.shared_lock(crate::state::SharedLock::TaxiiChanges).await?;
    if shared.is_some() {
        adds.last = None;
    }
    Ok(Changes { adds, _shared: shared })
}

impl Adds {
    /// A stamper starting after the last `date_added` handed out.
    pub fn stamper(&self, store: &dyn ItemStore) -> ApiResult<Stamper> {
        let last = match self.last {
            Some(last) => last,
            None => catalog::load_one::<u64>(store, CLOCK_TABLE, CLOCK_KEY)?.unwrap_or(0),
        };
        let now = u64::try_from(jiff::Timestamp::now().as_microsecond()).unwrap_or(0);
        Ok(Stamper { now, last })
    }

    /// Records what a stamper handed out.
    pub fn advance(&mut self, stamper: &Stamper) {
        self.last = Some(stamper.last);
    }
}

/// Hands out `date_added` values for one request.
#[derive(Debug, Clone)]
pub(crate) struct Stamper {
    now: u64,
    last: u64,
}

impl Stamper {
    /// The next `date_added`: now, or one more than the last when the clock is behind it.
    pub fn next(&mut self) -> u64 {
        self.last = self.now.max(self.last + 1);
        self.last
    }

    /// The last value handed out.
    pub fn last(&self) -> u64 {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_increase_strictly_even_when_the_clock_is_behind() {
        let mut stamper = Stamper { now: 100, last: 500 };
        assert_eq!((stamper.next(), stamper.next(), stamper.last()), (501, 502, 502));
        let mut stamper = Stamper { now: 1000, last: 500 };
        assert_eq!((stamper.next(), stamper.next()), (1000, 1001));
    }
}
