//! Ingest over HTTP: an upload is kept content-addressed under `DATA_DIR/uploads`, then ingested
//! by the writer thread with screening, so each batch's items, their alerts and the audit entry
//! that records them are one fsync. New alerts are then published to the live stream.

use std::collections::HashMap;

use muninn_access::Principal;
use muninn_audit::{AuditAction, Chain, Outcome};
use muninn_ingest::{IngestObserver, IngestSummary};
use muninn_model::{ContentHash, Item, ItemId, Markings, Timestamp};
use muninn_screen::{Alert, ItemFields, ScreenScratch, Screener};
use muninn_store::Document;
use rayon::prelude::*;

use crate::catalog;
use crate::state::{audit_documents, record};

thread_local! {
    /// Each thread's screening buffers, kept from batch to batch. The word cache inside them
    /// is what makes screening fast (most words of a stream were seen before); buffers made
    /// per batch, as rayon's `map_init` made them once per split of every batch, started
    /// cold each time, and screening inside ingest cost two and a half times what it costs
    /// warm.
    static SCRATCH: std::cell::RefCell<ScreenScratch> = std::cell::RefCell::new(ScreenScratch::default());
}

/// Alerts for the hits of `screener` on `items`, screened on all cores.
pub fn alerts_for(screener: &Screener, items: &[&Item], raised_at: Timestamp) -> Vec<Alert> {
    alerts_by_item(screener, items, raised_at).into_iter().map(|(_, alert)| alert).collect()
}

/// [`alerts_for`], each alert with the index of its item in `items`. An item's id is written
/// out only for an item with hits, or for every item when a rule may read it: the observers
/// used to map every item of a batch by its id's text to find the few with alerts, a string
/// and a hash-map entry per item on the committing thread.
pub fn alerts_by_item(screener: &Screener, items: &[&Item], raised_at: Timestamp) -> Vec<(usize, Alert)> {
    if screener.is_empty() {
        return Vec::new();
    }
    let rules_read_ids = screener.has_rules();
    items
        .par_iter()
        .enumerate()
        .map(|(index, item)| {
            let id = rules_read_ids.then(|| item.id.to_string());
            // A screener's matchers tell their caches from another's: a new watchlist version
            // starts the cache afresh.
            let hits = SCRATCH
                .with_borrow_mut(|scratch| screener.screen(&ItemFields::of(item, id.as_deref()), scratch));
            if hits.is_empty() {
                return Vec::new();
            }
            let id = id.unwrap_or_else(|| item.id.to_string());
            hits.iter()
                .map(|hit| (index, Alert::new(screener, hit, &id, item.markings.tlp, raised_at)))
                .collect::<Vec<_>>()
        })
        .flatten()
        .collect()
}

/// One batch's alerts by item, each with its item's markings.
type BatchAlerts = HashMap<ItemId, Vec<(Alert, Markings)>>;

/// The observer of an ingest run by the server: screens each batch, adds its alerts (kept only
/// if their item is new) and the batch's audit entry to the batch, and collects the alerts of
/// the items that were stored.
pub struct ServerObserver<'a> {
    screener: &'a Screener,
    chain: &'a mut Chain,
    principal: &'a Principal,
    /// For each batch screened and not yet durable, oldest first: its alerts by item.
    pending: std::collections::VecDeque<BatchAlerts>,
    /// Alerts made durable, with their item's markings (for the live stream's visibility).
    pub raised: Vec<(Alert, Markings)>,
}

impl std::fmt::Debug for ServerObserver<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerObserver").field("raised", &self.raised.len()).finish_non_exhaustive()
    }
}

impl<'a> ServerObserver<'a> {
    /// Screens with `screener`, audits as `principal`, chaining onto `chain`.
    pub fn new(screener: &'a Screener, chain: &'a mut Chain, principal: &'a Principal) -> ServerObserver<'a> {
        ServerObserver {
            screener,
            chain,
            principal,
            pending: std::collections::VecDeque::new(),
            raised: Vec::new(),
        }
    }
}

impl IngestObserver for ServerObserver<'_> {
    fn committed(&mut self, stored: &[(ItemId, ContentHash)]) {
        // Batches are committed in the order they were screened.
        let mut pending = self.pending.pop_front().unwrap_or_default();
        for (id, _) in stored {
            if let Some(alerts) = pending.remove(id) {
                self.raised.extend(alerts);
            }
        }
    }

    fn documents(&mut self, items: &[(Item, Option<Vec<u8>>)]) -> Vec<Document> {
        let items: Vec<&Item> = items.iter().map(|(item, _)| item).collect();
        let mut documents = Vec::new();
        let mut pending = BatchAlerts::new();
        let mut keys = std::collections::HashSet::new();
        for (index, alert) in alerts_by_item(self.screener, &items, Timestamp::now()) {
            // The same content twice in one batch is one item: one alert per key.
            if !keys.insert(alert.key()) {
                continue;
            }
            let item = items[index];
            match catalog::alert_document(&alert, Some(item.id)) {
                Ok(document) => {
                    documents.push(document);
                    pending.entry(item.id).or_default().push((alert, item.markings.clone()));
                }
                Err(error) => tracing::error!(%error, "an alert could not be encoded"),
            }
        }
        self.pending.push_back(pending);
        let audit =
            record(Some(self.principal), AuditAction::Ingest { items: items.len() as u64 }, Outcome::Allowed);
        match audit_documents(self.chain, vec![audit]) {
            Ok(audit) => documents.extend(audit),
            Err(error) => tracing::error!(%error, "an audit entry could not be encoded"),
        }
        documents
    }
}

/// What an upload's ingest did, as the API reports it.
pub fn summary_json(summary: &IngestSummary) -> serde_json::Value {
    serde_json::json!({
        "stored": summary.stored,
        "duplicates": summary.duplicates,
        "rejected": summary.rejected,
        "bytes": summary.bytes,
        "problems": summary.diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}
