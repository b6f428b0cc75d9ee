//! What the index benchmarks share: generated news items as store items, appended in batches.

#![allow(clippy::unwrap_used, missing_debug_implementations)]

use std::collections::BTreeMap;

use muninn_model::{AdmiraltyGrade, Item, ItemDraft, LanguageTag, Markings, SourceId};
use muninn_store::{AppendBatch, EmbeddedStore, ItemStore};

/// A generated news item as an item (with `body` in place of the generated one).
pub fn news_item(news: muninn_exercise::NewsItem, body: String) -> (Item, Option<Vec<u8>>) {
    ItemDraft {
        source: SourceId::new(news.source).unwrap(),
        collected_at: news.published,
        event_time: Some(news.published),
        title: Some(news.title),
        body,
        language: LanguageTag::new(news.lang.code()).ok(),
        markings: Markings::tlp(news.tlp),
        grade: AdmiraltyGrade::UNASSESSED,
        raw: None,
        attributes: BTreeMap::new(),
    }
    .into_item()
}

/// Appends items to a store in batches of 8192 (as ingest does).
pub struct Batches<'a> {
    store: &'a mut EmbeddedStore,
    batch: Vec<(Item, Option<Vec<u8>>)>,
}

impl<'a> Batches<'a> {
    pub fn new(store: &'a mut EmbeddedStore) -> Batches<'a> {
        Batches { store, batch: Vec::with_capacity(8192) }
    }

    pub fn push(&mut self, item: (Item, Option<Vec<u8>>)) {
        self.batch.push(item);
        if self.batch.len() == 8192 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let items = std::mem::take(&mut self.batch);
        self.store.append(AppendBatch { items, checkpoints: Vec::new(), ..Default::default() }).unwrap();
    }

    /// Appends what is left; the number of items the store holds.
    pub fn finish(mut self) -> u64 {
        self.flush();
        self.store.stats().unwrap().items
    }
}
