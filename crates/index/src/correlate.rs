//! Correlation from the posting lists of the `indicator` and `entity` fields, at read time: which
//! items mention an indicator or an entity, and which items share indicators and entities with a
//! given one. Nothing is precomputed (no table of pairs), and every lookup runs under the
//! caller's [`Visibility`] like a search does.

use std::collections::{BTreeMap, HashMap};

use muninn_model::{ItemId, Timestamp};
use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::query::{AllQuery, Query as TantivyQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::search::{Visibility, visible};
use crate::{Entity, IndexError, SearchIndex, indicators};

/// At most this many of an item's indicators and entities (the rarest first) are looked up by
/// [`SearchIndex::related`].
pub const MAX_RELATED_VALUES: usize = 200;
/// Indicators and entities held by more items than this are not used to find related items: they weigh
/// next to nothing, and walking their postings would take most of the time.
pub const MAX_RELATED_POSTINGS: u64 = 50_000;

/// What the index knows about one indicator, over the items the caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorSummary {
    /// The value looked up, in canonical form.
    pub value: String,
    /// Its kind (`ipv4`, `domain`...) when the extractor recognises the value.
    pub kind: Option<&'static str>,
    /// Items that mention it.
    pub count: u64,
    /// The earliest item date (event time, else collection time) among them.
    pub first_seen: Option<Timestamp>,
    /// The latest.
    pub last_seen: Option<Timestamp>,
    /// Items per source, most first (ties by name).
    pub sources: Vec<(String, u64)>,
    /// The most recent items, latest first (ties: latest logged first).
    pub recent: Vec<Mention>,
}

/// What the index knows about an entity (or the several entities a name names), over the items
/// the caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySummary {
    /// The entities the name looked up names (more than one when they share an alias).
    pub entities: Vec<Entity>,
    /// Items that name any of them.
    pub count: u64,
    /// The earliest item date (event time, else collection time) among them.
    pub first_seen: Option<Timestamp>,
    /// The latest.
    pub last_seen: Option<Timestamp>,
    /// Items per source, most first (ties by name).
    pub sources: Vec<(String, u64)>,
    /// The most recent items, latest first (ties: latest logged first).
    pub recent: Vec<Mention>,
}

/// An entity two items both name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedEntity {
    /// The entity's id.
    pub id: String,
    /// Its canonical name.
    pub name: String,
}

/// An item that mentions an indicator. Titles are not in the index: read them from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// The item.
    pub id: ItemId,
    /// Its log sequence number.
    pub seq: u64,
    /// Its date (event time, else collection time).
    pub date: Option<Timestamp>,
}

/// An item that shares indicators or entities with another.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    /// The item.
    pub id: ItemId,
    /// Its log sequence number.
    pub seq: u64,
    /// The sum over the shared indicators and entities of their rarity, `ln(1 + N / n)` for
    /// one in `n` of the `N` items the caller may see.
    pub score: f64,
    /// The shared indicators, rarest first.
    pub shared: Vec<String>,
    /// The shared entities, rarest first.
    pub shared_entities: Vec<SharedEntity>,
}

/// What the postings of one indicator value or entity give: the aggregate of
/// [`IndicatorSummary`] and [`EntitySummary`].
struct Summary {
    count: u64,
    first_seen: Option<Timestamp>,
    last_seen: Option<Timestamp>,
    sources: Vec<(String, u64)>,
    recent: Vec<Mention>,
}

impl SearchIndex {
    /// The items that mention `value` (typed as an analyst would: defanged, any case; it is put
    /// in the extractor's canonical form first): how many, first and last seen, per source, and
    /// the `recent` most recent ones. Only items `visibility` allows are counted.
    pub fn indicator_summary(
        &self,
        value: &str,
        visibility: &Visibility,
        recent: usize,
    ) -> Result<IndicatorSummary, IndexError> {
        let canonical = indicators::normalise(value);
        let summary = self.summarise(self.indicator_query(&canonical), visibility, recent)?;
        Ok(IndicatorSummary {
            kind: indicators::kind_of(&canonical),
            value: canonical,
            count: summary.count,
            first_seen: summary.first_seen,
            last_seen: summary.last_seen,
            sources: summary.sources,
            recent: summary.recent,
        })
    }

    /// The items that name the entity `name` (a name or alias, folded as in texts, or an id):
    /// how many, first and last seen, per source, and the `recent` most recent ones. A name
    /// two entities share sums up both. Only items `visibility` allows are counted; a name no
    /// entity has is [`IndexError::UnknownEntity`].
    pub fn entity_summary(
        &self,
        name: &str,
        visibility: &Visibility,
        recent: usize,
    ) -> Result<EntitySummary, IndexError> {
        let entities: Vec<Entity> = self.gazetteer.lookup(name).into_iter().cloned().collect();
        if entities.is_empty() {
            return Err(IndexError::UnknownEntity(name.trim().to_owned()));
        }
        let query: Box<dyn TantivyQuery> = Box::new(tantivy::query::BooleanQuery::new(
            entities
                .iter()
                .map(|entity| {
                    (
                        tantivy::query::Occur::Should,
                        self.keyword_query(self.shared_term(Shared::Entity, &entity.id)),
                    )
                })
                .collect(),
        ));
        let summary = self.summarise(query, visibility, recent)?;
        Ok(EntitySummary {
            entities,
            count: summary.count,
            first_seen: summary.first_seen,
            last_seen: summary.last_seen,
            sources: summary.sources,
            recent: summary.recent,
        })
    }

    /// Count, dates, sources and the most recent of the visible items `query` matches.
    fn summarise(
        &self,
        query: Box<dyn TantivyQuery>,
        visibility: &Visibility,
        recent: usize,
    ) -> Result<Summary, IndexError> {
        let engine = |e: tantivy::TantivyError| IndexError::engine(&self.dir, e);
        let query = visible(self, query, visibility)?;
        let searcher = self.reader.searcher();
        let matches = searcher.search(&*query, &Matches).map_err(engine)?;
        let mut count = 0u64;
        let mut first_seen: Option<i64> = None;
        let mut last_seen: Option<i64> = None;
        let mut sources: BTreeMap<String, u64> = BTreeMap::new();
        // (date, seq, address) of every match; the most recent are kept.
        let mut dated: Vec<(i64, u64, DocAddress)> = Vec::new();
        for (segment_ord, docs) in matches {
            let segment = searcher.segment_reader(segment_ord);
            let columns = Columns::of(segment).map_err(engine)?;
            let mut per_source: HashMap<u64, u64> = HashMap::new();
            for doc in docs {
                count += 1;
                let date = columns.date.first(doc).map(|d| d.into_timestamp_secs());
                if let Some(date) = date {
                    first_seen = Some(first_seen.map_or(date, |d| d.min(date)));
                    last_seen = Some(last_seen.map_or(date, |d| d.max(date)));
                }
                if let Some(source) = columns.source.as_ref().and_then(|c| c.term_ords(doc).next()) {
                    *per_source.entry(source).or_default() += 1;
                }
                let seq = columns.seq.first(doc).unwrap_or(0);
                dated.push((date.unwrap_or(i64::MIN), seq, DocAddress::new(segment_ord, doc)));
            }
            if let Some(column) = &columns.source {
                let mut name = String::new();
                for (ord, n) in per_source {
                    name.clear();
                    if column.ord_to_str(ord, &mut name).map_err(|e| IndexError::engine(&self.dir, e))? {
                        *sources.entry(name.clone()).or_default() += n;
                    }
                }
            }
        }
        let recent_count = recent.min(dated.len());
        if recent_count > 0 {
            dated.select_nth_unstable_by(recent_count - 1, |a, b| (b.0, b.1).cmp(&(a.0, a.1)));
            dated.truncate(recent_count);
            dated.sort_unstable_by_key(|&(date, seq, _)| std::cmp::Reverse((date, seq)));
        } else {
            dated.clear();
        }
        let mut mentions = Vec::with_capacity(dated.len());
        let mut ids = crate::search::ItemIds::new(self, &searcher);
        for (date, seq, address) in dated {
            let date = (date != i64::MIN).then(|| Timestamp::from_second(date).ok()).flatten();
            mentions.push(Mention { id: ids.get(address)?, seq, date });
        }
        let mut sources: Vec<(String, u64)> = sources.into_iter().collect();
        sources.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let seconds = |at: Option<i64>| at.and_then(|s| Timestamp::from_second(s).ok());
        Ok(Summary {
            count,
            first_seen: seconds(first_seen),
            last_seen: seconds(last_seen),
            sources,
            recent: mentions,
        })
    }

    /// The items that share indicators or entities with `item`, best first: each shared
    /// indicator or entity adds its rarity among the items `visibility` allows, so one in 3
    /// items counts for more than one in 3,000 (an entity weighs as an indicator of the same
    /// rarity). Returns [`IndexError::UnknownItem`] when the item is not indexed or not
    /// visible. At most [`MAX_RELATED_VALUES`] of the item's indicators and entities are used,
    /// and none held by more than [`MAX_RELATED_POSTINGS`] items.
    pub fn related(
        &self,
        item: &ItemId,
        visibility: &Visibility,
        limit: usize,
    ) -> Result<Vec<Related>, IndexError> {
        let engine = |e: tantivy::TantivyError| IndexError::engine(&self.dir, e);
        let searcher = self.reader.searcher();
        let by_id = crate::search::id_query(&self.fields, item);
        let found = searcher.search(&*visible(self, by_id, visibility)?, &Matches).map_err(engine)?;
        let Some(own) =
            found.iter().find_map(|(ord, docs)| docs.first().map(|doc| DocAddress::new(*ord, *doc)))
        else {
            return Err(IndexError::UnknownItem(item.to_string()));
        };
        // The item's indicators and entities, from the columns of its segment, rarest first (by
        // the document frequency in the whole index: only the choice of which to look up
        // depends on it).
        let mut values: Vec<(u64, Shared, String)> = Vec::new();
        for (name, shared) in
            [(crate::schema::INDICATOR_COLUMN, Shared::Indicator), ("entity", Shared::Entity)]
        {
            let Some(column) =
                searcher.segment_reader(own.segment_ord).fast_fields().str(name).map_err(engine)?
            else {
                continue;
            };
            for ord in column.term_ords(own.doc_id) {
                let mut value = String::new();
                if column.ord_to_str(ord, &mut value).map_err(|e| IndexError::engine(&self.dir, e))? {
                    let frequency = searcher.doc_freq(&self.shared_term(shared, &value)).map_err(engine)?;
                    if frequency <= MAX_RELATED_POSTINGS {
                        values.push((frequency, shared, value));
                    }
                }
            }
        }
        values.sort();
        values.truncate(MAX_RELATED_VALUES);
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let visible_items = if *visibility == Visibility::everything() {
            searcher.num_docs()
        } else {
            searcher.search(&*visible(self, Box::new(AllQuery), visibility)?, &Count).map_err(engine)? as u64
        };
        // Per related document: its score and the indexes (in `values`) of the shared values.
        let mut scores: HashMap<DocAddress, (f64, Vec<u16>)> = HashMap::new();
        for (position, (_, shared, value)) in values.iter().enumerate() {
            let query = visible(self, self.keyword_query(self.shared_term(*shared, value)), visibility)?;
            let matches = searcher.search(&*query, &Matches).map_err(engine)?;
            let holders: usize = matches.iter().map(|(_, docs)| docs.len()).sum();
            if holders <= 1 {
                continue;
            }
            let weight = (1.0 + visible_items as f64 / holders as f64).ln();
            for (segment_ord, docs) in matches {
                for doc in docs {
                    let address = DocAddress::new(segment_ord, doc);
                    if address == own {
                        continue;
                    }
                    let entry = scores.entry(address).or_default();
                    entry.0 += weight;
                    entry.1.push(position as u16);
                }
            }
        }
        // Opening a column reads its block index: once per segment, not once per document.
        let mut seq_columns = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            seq_columns.push(segment.fast_fields().u64("seq").map_err(engine)?);
        }
        let mut ranked: Vec<(f64, u64, DocAddress, Vec<u16>)> = Vec::with_capacity(scores.len());
        for (address, (score, shared)) in scores {
            let seq = seq_columns.get(address.segment_ord as usize).and_then(|c| c.first(address.doc_id));
            ranked.push((score, seq.unwrap_or(0), address, shared));
        }
        let limit = limit.min(ranked.len());
        let order = |a: &(f64, u64, DocAddress, Vec<u16>), b: &(f64, u64, DocAddress, Vec<u16>)| {
            b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
        };
        if limit > 0 && limit < ranked.len() {
            ranked.select_nth_unstable_by(limit - 1, order);
        }
        ranked.truncate(limit);
        ranked.sort_unstable_by(order);
        let mut ids = crate::search::ItemIds::new(self, &searcher);
        ranked
            .into_iter()
            .map(|(score, seq, address, positions)| {
                let mut shared = Vec::new();
                let mut shared_entities = Vec::new();
                for position in positions {
                    let (_, kind, value) = &values[usize::from(position)];
                    match kind {
                        Shared::Indicator => shared.push(value.clone()),
                        Shared::Entity => shared_entities.push(SharedEntity {
                            id: value.clone(),
                            name: self
                                .gazetteer
                                .entity(value)
                                .map_or_else(|| value.clone(), |e| e.name.clone()),
                        }),
                    }
                }
                Ok(Related { id: ids.get(address)?, seq, score, shared, shared_entities })
            })
            .collect()
    }

    fn indicator_query(&self, canonical: &str) -> Box<dyn TantivyQuery> {
        self.keyword_query(self.shared_term(Shared::Indicator, canonical))
    }

    /// The term of a value in the inverted index: an indicator by its key, an entity by its id.
    fn shared_term(&self, shared: Shared, value: &str) -> Term {
        let lookup = match shared {
            Shared::Indicator => self.fields.indicator_lookup(),
            Shared::Entity => self.fields.entity_lookup(),
        };
        lookup.term(value)
    }

    fn keyword_query(&self, term: Term) -> Box<dyn TantivyQuery> {
        Box::new(TermQuery::new(term, IndexRecordOption::Basic))
    }
}

/// What an item shares with a related one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shared {
    Indicator,
    Entity,
}

/// The fast columns a summary reads.
struct Columns {
    date: tantivy::columnar::Column<tantivy::DateTime>,
    seq: tantivy::columnar::Column<u64>,
    source: Option<tantivy::columnar::StrColumn>,
}

impl Columns {
    fn of(segment: &SegmentReader) -> tantivy::Result<Columns> {
        let fast = segment.fast_fields();
        Ok(Columns { date: fast.date("date")?, seq: fast.u64("seq")?, source: fast.str("source")? })
    }
}

/// Collects the matching documents of each segment, unscored.
struct Matches;

struct SegmentMatches {
    segment_ord: SegmentOrdinal,
    docs: Vec<DocId>,
}

impl Collector for Matches {
    type Fruit = Vec<(SegmentOrdinal, Vec<DocId>)>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        _segment: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches { segment_ord, docs: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(SegmentOrdinal, Vec<DocId>)>,
    ) -> tantivy::Result<Vec<(SegmentOrdinal, Vec<DocId>)>> {
        Ok(fruits.into_iter().filter(|(_, docs)| !docs.is_empty()).collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = (SegmentOrdinal, Vec<DocId>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.docs.push(doc);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.docs.extend_from_slice(docs);
    }

    fn harvest(self) -> (SegmentOrdinal, Vec<DocId>) {
        (self.segment_ord, self.docs)
    }
}
