//! Searching an index split into shards (the cluster's index shards, each held by whichever
//! searcher fetched it) with the relevance of the whole index: a query's BM25 statistics
//! (documents, tokens per field, documents per term) are gathered from every shard and summed
//! ([`SearchIndex::query_statistics`], [`QueryStatistics::add`]), each shard then scores its
//! matches with the sums ([`SearchIndex::search_with_statistics`]), and the shards' pages are
//! merged in the index's order, score descending then sequence ascending ([`merge_pages`]).
//! Hits, their order and scores, totals, the per-value facets (source, language, TLP, grade,
//! indicator kind: each shard counts every value) and the histogram are then exactly those of
//! one index over all the shards' items; the indicator and entity facets list the top values of
//! the summed per-shard top lists, which is exact unless a value is outside a shard's top list
//! while inside the whole's.
//!
//! The statistics and the pages are plain data (serde), so the shards may answer from other
//! processes.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::Term;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;

use crate::search::{Cursor, EntityFacet, Facets, Hit, SearchRequest, SearchResults, request_query, run};
use crate::{IndexError, SearchIndex, TOP_ENTITIES, TOP_INDICATORS, Visibility};

/// The BM25 statistics of one query on an index or, summed, on several.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryStatistics {
    /// Documents.
    pub docs: u64,
    /// Tokens per field (by field id) of the fields the query's terms are in.
    pub tokens: BTreeMap<u32, u64>,
    /// Documents per term of the query (by field id, type code and value bytes in
    /// hexadecimal).
    pub doc_freqs: BTreeMap<String, u64>,
}

impl QueryStatistics {
    /// Adds another shard's statistics of the same query.
    pub fn add(&mut self, other: &QueryStatistics) {
        self.docs += other.docs;
        for (field, tokens) in &other.tokens {
            *self.tokens.entry(*field).or_default() += tokens;
        }
        for (term, docs) in &other.doc_freqs {
            *self.doc_freqs.entry(term.clone()).or_default() += docs;
        }
    }
}

/// A term as a key: its field, its type's code and its value's bytes.
fn term_key(term: &Term) -> String {
    let mut key = format!("{}:{:02x}:", term.field().field_id(), term.typ().to_code());
    term.serialized_value_bytes().iter().for_each(|b| key.push_str(&format!("{b:02x}")));
    key
}

/// Summed statistics as tantivy's scorer asks for them. A term or field the statistics lack
/// (none when they were gathered from every shard for this query) counts as absent.
struct Summed<'a>(&'a QueryStatistics);

impl Bm25StatisticsProvider for Summed<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Ok(self.0.tokens.get(&field.field_id()).copied().unwrap_or(0))
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.0.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Ok(self.0.doc_freqs.get(&term_key(term)).copied().unwrap_or(0))
    }
}

impl SearchIndex {
    /// This index's BM25 statistics of a search's query (the caller's visibility included, as
    /// the search runs it).
    pub fn query_statistics(&self, request: &SearchRequest<'_>) -> Result<QueryStatistics, IndexError> {
        let engine = |e: tantivy::TantivyError| IndexError::engine(&self.dir, e);
        let query = request_query(self, request)?;
        let searcher = self.reader.searcher();
        let mut terms: Vec<Term> = Vec::new();
        query.query_terms(&mut |term, _| terms.push(term.clone()));
        let mut statistics =
            QueryStatistics { docs: searcher.total_num_docs().map_err(engine)?, ..Default::default() };
        for term in &terms {
            let field = term.field();
            if let std::collections::btree_map::Entry::Vacant(vacant) =
                statistics.tokens.entry(field.field_id())
            {
                vacant.insert(searcher.total_num_tokens(field).map_err(engine)?);
            }
            let docs = searcher.doc_freq(term).map_err(engine)?;
            statistics.doc_freqs.insert(term_key(term), docs);
        }
        Ok(statistics)
    }

    /// [`SearchIndex::search`], scored with `statistics` (the sums of every shard's
    /// [`SearchIndex::query_statistics`] for the same request).
    pub fn search_with_statistics(
        &self,
        request: &SearchRequest<'_>,
        statistics: &QueryStatistics,
    ) -> Result<SearchResults, IndexError> {
        run(self, request, Some(&Summed(statistics)))
    }
}

/// Merges the shards' pages of one search (each asked for `limit` hits after the same cursor)
/// into the page one index over all of them would answer.
pub fn merge_pages(pages: Vec<SearchResults>, limit: usize) -> SearchResults {
    let limit = limit.clamp(1, 10_000);
    let mut total = 0;
    let mut hits: Vec<Hit> = Vec::new();
    let mut facets: Option<Facets> = None;
    let mut histogram: BTreeMap<muninn_model::Timestamp, u64> = BTreeMap::new();
    for page in pages {
        total += page.total;
        hits.extend(page.hits);
        if let Some(page_facets) = page.facets {
            let merged = facets.get_or_insert_with(Facets::default);
            add_counts(&mut merged.source, page_facets.source);
            add_counts(&mut merged.lang, page_facets.lang);
            add_counts(&mut merged.tlp, page_facets.tlp);
            add_counts(&mut merged.grade, page_facets.grade);
            add_counts(&mut merged.indicator_type, page_facets.indicator_type);
            add_counts(&mut merged.indicator, page_facets.indicator);
            add_entities(&mut merged.entity, page_facets.entity);
        }
        for (day, count) in page.histogram {
            *histogram.entry(day).or_default() += count;
        }
    }
    // The index's order: score descending, then sequence ascending.
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.seq.cmp(&b.seq)));
    hits.truncate(limit);
    if let Some(facets) = &mut facets {
        facets.indicator.truncate(TOP_INDICATORS);
        facets.entity.truncate(TOP_ENTITIES);
    }
    let next = (hits.len() == limit)
        .then(|| hits.last().map(|hit| Cursor { score: hit.score, seq: hit.seq }))
        .flatten();
    SearchResults { total, hits, facets, histogram: histogram.into_iter().collect(), next }
}

/// Sums counts per value, most first (then by value, as the index lists ties).
fn add_counts(merged: &mut Vec<(String, u64)>, page: Vec<(String, u64)>) {
    let mut counts: HashMap<String, u64> = merged.drain(..).collect();
    for (value, count) in page {
        *counts.entry(value).or_default() += count;
    }
    merged.extend(counts);
    merged.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
}

fn add_entities(merged: &mut Vec<EntityFacet>, page: Vec<EntityFacet>) {
    for entity in page {
        match merged.iter_mut().find(|known| known.id == entity.id) {
            Some(known) => known.count += entity.count,
            None => merged.push(entity),
        }
    }
    merged.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.id.cmp(&b.id)));
}

/// One shard's part of a search, as a coordinator sends it to the process holding the shard:
/// without `statistics`, the first phase (answered with the shard's [`QueryStatistics`]); with
/// the summed statistics, the second (answered with the shard's page).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardSearch {
    /// The query as typed (each shard parses it the same way).
    pub query: String,
    /// The clock relative dates resolve against, Unix seconds.
    pub now: i64,
    /// Who is asking.
    pub visibility: Visibility,
    /// Hits per page.
    pub limit: usize,
    /// The cursor of the previous page, as text.
    pub after: Option<String>,
    /// Whether to count facets.
    pub facets: bool,
    /// Whether to compute the histogram.
    pub histogram: bool,
    /// The summed statistics: present in the second phase.
    pub statistics: Option<QueryStatistics>,
}

/// A shard's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShardAnswer {
    /// The first phase: the shard's statistics of the query.
    Statistics(QueryStatistics),
    /// The second phase: the shard's page.
    Page(ShardPage),
    /// The request could not be run (a query that does not parse, a bad cursor, an index
    /// error), with why.
    Refused(String),
}

/// A shard's page as plain data.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardPage {
    /// Visible matches on the shard.
    pub total: u64,
    /// Item id, sequence number, score.
    pub hits: Vec<(String, u64, f32)>,
    /// Facet counts, when asked for.
    pub facets: Option<Facets>,
    /// Matches per day.
    pub histogram: Vec<(muninn_model::Timestamp, u64)>,
}

impl ShardSearch {
    /// Answers this request from one shard's index.
    pub fn answer(&self, index: &SearchIndex) -> ShardAnswer {
        match self.run(index) {
            Ok(answer) => answer,
            Err(error) => ShardAnswer::Refused(error),
        }
    }

    fn run(&self, index: &SearchIndex) -> Result<ShardAnswer, String> {
        let now = muninn_model::Timestamp::from_second(self.now).map_err(|e| format!("bad clock: {e}"))?;
        let query = muninn_query::parse(&self.query, now).map_err(|e| e.to_string())?;
        let after = self.after.as_deref().map(str::parse::<Cursor>).transpose().map_err(|e| e.to_string())?;
        let request = SearchRequest {
            query: &query,
            visibility: &self.visibility,
            limit: self.limit,
            after,
            facets: self.facets,
            histogram: self.histogram,
        };
        match &self.statistics {
            None => index.query_statistics(&request).map(ShardAnswer::Statistics).map_err(|e| e.to_string()),
            Some(statistics) => index
                .search_with_statistics(&request, statistics)
                .map(|results| ShardAnswer::Page(ShardPage::from(results)))
                .map_err(|e| e.to_string()),
        }
    }
}

impl From<SearchResults> for ShardPage {
    fn from(results: SearchResults) -> ShardPage {
        ShardPage {
            total: results.total,
            hits: results.hits.into_iter().map(|hit| (hit.id.to_string(), hit.seq, hit.score)).collect(),
            facets: results.facets,
            histogram: results.histogram,
        }
    }
}

impl TryFrom<ShardPage> for SearchResults {
    type Error = String;

    fn try_from(page: ShardPage) -> Result<SearchResults, String> {
        let hits = page
            .hits
            .into_iter()
            .map(|(id, seq, score)| {
                let id = muninn_model::ItemId::try_from(id.clone())
                    .map_err(|_| format!("bad item id {id:?} in a shard's page"))?;
                Ok(Hit { id, seq, score })
            })
            .collect::<Result<Vec<Hit>, String>>()?;
        Ok(SearchResults {
            total: page.total,
            hits,
            facets: page.facets,
            histogram: page.histogram,
            next: None,
        })
    }
}

/// Runs a search over shards through `ask` (which sends a shard its part and returns its
/// answer: in process, or over the network): statistics from every shard, summed, then every
/// shard's page scored with the sums, merged.
pub fn search_shards<E: From<String>>(
    shards: usize,
    request: &ShardSearch,
    mut ask: impl FnMut(usize, &ShardSearch) -> Result<ShardAnswer, E>,
) -> Result<SearchResults, E> {
    let mut statistics = QueryStatistics::default();
    for shard in 0..shards {
        match ask(shard, &ShardSearch { statistics: None, ..request.clone() })? {
            ShardAnswer::Statistics(part) => statistics.add(&part),
            ShardAnswer::Refused(why) => return Err(E::from(why)),
            ShardAnswer::Page(_) => {
                return Err(E::from(format!("shard {shard} answered a page when asked for statistics")));
            }
        }
    }
    let second = ShardSearch { statistics: Some(statistics), ..request.clone() };
    let mut pages = Vec::with_capacity(shards);
    for shard in 0..shards {
        match ask(shard, &second)? {
            ShardAnswer::Page(page) => pages.push(SearchResults::try_from(page).map_err(E::from)?),
            ShardAnswer::Refused(why) => return Err(E::from(why)),
            ShardAnswer::Statistics(_) => {
                return Err(E::from(format!("shard {shard} answered statistics when asked for a page")));
            }
        }
    }
    Ok(merge_pages(pages, request.limit))
}
